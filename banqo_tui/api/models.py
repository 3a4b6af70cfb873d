"""The BanqO API wire format: the one contract shared by the client and the server.

Every request and response body of the API is one of these pydantic models. The server's routes
declare them; ``BanqoClient`` parses answers into them. Field names are English snake_case and stable.
Validation of user input (email shape, password rules…) is done by the server so that its messages are
translated; these models only bound sizes so that nothing absurd travels.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

# The text rule of the wire format; the server imports it from here (it imports nothing else of the client).
from banqo_tui.inert import inert as inert
from banqo_tui.inert import inert_value as inert_value
from banqo_tui.inert import needs_inert

T = TypeVar("T")

#: Longest accepted password (Argon2 handles more; this bounds the work an attacker can ask for).
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_LENGTH = 8


#: Fields kept exactly as typed: passwords are hashed, never shown.
_VERBATIM = frozenset({"password", "current_password", "new_password"})


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="after")
    def _inert_text(self) -> Self:
        """Every text, sent or received, with its control characters made visible (``banqo_tui.inert``);
        passwords are left exactly as typed. After validation, so that JSON is still parsed at full speed."""
        for name, value in list(self.__dict__.items()):
            if name not in _VERBATIM and needs_inert(value):
                object.__setattr__(self, name, inert_value(value))  # frozen: set once, while being built
        return self


# --- errors -----------------------------------------------------------------------------------


class Problem(WireModel):
    """RFC 9457 problem details, with per-field messages in ``errors``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, list[str]] = Field(default_factory=dict)
    retry_after: int | None = None
    current_version: int | None = None


# --- common -----------------------------------------------------------------------------------


class Page(WireModel, Generic[T]):
    """A page of a list: ``next_cursor`` continues it, ``None`` at the end."""

    items: list[T]
    next_cursor: str | None = None


class Health(WireModel):
    status: str = "ok"
    version: str


# --- accounts and sessions --------------------------------------------------------------------


class SignUp(WireModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)
    device: str | None = Field(default=None, max_length=200)


class SignIn(WireModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    totp: str | None = Field(default=None, max_length=20)
    device: str | None = Field(default=None, max_length=200)


class Account(WireModel):
    id: str
    email: str
    first_name: str
    last_name: str
    language: str = "fr-CA"
    created_at: datetime


class SessionInfo(WireModel):
    """One signed-in device of the account."""

    id: str
    device: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = False


class SessionToken(WireModel):
    """The answer to sign-up and sign-in: the bearer token is only ever shown here."""

    token: str
    session: SessionInfo
    account: Account


# --- résumé -----------------------------------------------------------------------------------


class ActivityKind(StrEnum):
    """What an activity entry records. Never holds goal text: only the kind and the device."""

    ACCOUNT_CREATED = "account_created"
    SIGNED_IN = "signed_in"
    SIGNED_IN_NEW_DEVICE = "signed_in_new_device"
    SIGNED_OUT = "signed_out"
    SESSION_ENDED = "session_ended"
    SIGN_IN_THROTTLED = "sign_in_throttled"
    SIGN_IN_REFUSED_TOTP = "sign_in_refused_totp"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGED = "email_changed"
    PROFILE_CHANGED = "profile_changed"
    PHOTO_CHANGED = "photo_changed"
    PHOTO_REMOVED = "photo_removed"
    TOTP_ENABLED = "totp_enabled"
    TOTP_DISABLED = "totp_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    PROMOTIONAL_EMAIL_CHANGED = "promotional_email_changed"
    DATA_EXPORTED = "data_exported"
    SUPPORT_MESSAGE_SENT = "support_message_sent"
    SUBSCRIBED = "subscribed"
    OFFER_SWITCHED = "offer_switched"
    OFFER_SWITCH_SCHEDULED = "offer_switch_scheduled"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    SUBSCRIPTION_RESUMED = "subscription_resumed"
    SUBSCRIPTION_RENEWED = "subscription_renewed"
    SUBSCRIPTION_ENDED = "subscription_ended"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_METHOD_CHANGED = "payment_method_changed"
    REFUND_ISSUED = "refund_issued"
    DATA_DELETED_AFTER_END = "data_deleted_after_end"


class Activity(WireModel):
    at: datetime
    kind: ActivityKind
    device: str | None = None


class SummaryCounts(WireModel):
    goals: int = 0
    learners: int = 0
    plans_open: int = 0
    plans_due_soon: int = 0
    plans_overdue: int = 0


class LastSignIn(WireModel):
    at: datetime
    device: str


class Summary(WireModel):
    """« Votre résumé »: the account at a glance."""

    first_name: str
    last_name: str
    email: str
    counts: SummaryCounts
    last_sign_in: LastSignIn | None = None
    recent_activity: list[Activity] = Field(default_factory=list)
    subscription: Subscription | None = None
    card: Card | None = None
    plans_to_review: list[PlanDue] = Field(
        default_factory=list, description="Open plans whose review is overdue or due within 30 days, soonest first."
    )
    time_zone: str | None = Field(
        None,
        max_length=64,
        description="The IANA time zone whose calendar gives the plans' « today » (default dates, dates in the "
        "future refused, reviews due): a client's default dates follow it.",
    )


# --- « Mes paramètres »: profile, photo, security, privacy ------------------------------------------


class Province(StrEnum):
    """Canada's provinces and territories, by their postal abbreviation."""

    AB = "AB"
    BC = "BC"
    MB = "MB"
    NB = "NB"
    NL = "NL"
    NS = "NS"
    NT = "NT"
    NU = "NU"
    ON = "ON"
    PE = "PE"
    QC = "QC"
    SK = "SK"
    YT = "YT"


#: A Canadian postal code as it is kept: « H3W 2W8 » (letter digit letter, space, digit letter digit).
POSTAL_CODE_SHAPE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$")
PHONE_MAX_LENGTH = 30
NAME_MAX_LENGTH = 200
STREET_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
#: Profile photos: the largest upload, the largest image (pixels), the side they are scaled down to.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 512
SUPPORT_SUBJECT_MAX_LENGTH = 200
SUPPORT_MESSAGE_MAX_LENGTH = 10_000


def clean_postal_code(raw: str) -> str:
    """« h3w2w8 » → « H3W 2W8 » (spaces and case do not matter when typed); the shape is checked apart."""
    compact = "".join(raw.split()).upper()
    return f"{compact[:3]} {compact[3:]}" if len(compact) == 6 else compact


class PostalAddress(WireModel):
    street: str = Field(default="", max_length=STREET_MAX_LENGTH)
    city: str = Field(default="", max_length=CITY_MAX_LENGTH)
    province: str = Field(default="", max_length=2, description="A `Province` code, or empty.")
    postal_code: str = Field(default="", max_length=10, description="« H3W 2W8 »; typed in any case and spacing.")


class PhotoInfo(WireModel):
    """The profile photo as stored: re-encoded, without metadata, at most 512×512."""

    content_type: str
    width: int
    height: int
    size: int
    updated_at: datetime


class Profile(WireModel):
    """The account's contact details and choices (« Profil », « Confidentialité »)."""

    email: str
    first_name: str
    last_name: str
    phone: str = ""
    address: PostalAddress = Field(default_factory=PostalAddress)
    language: str = "fr-CA"
    promotional_email: bool = False
    promotional_email_changed_at: datetime | None = None
    photo: PhotoInfo | None = None
    two_factor: bool = False
    created_at: datetime
    version: int


class ProfilePatch(WireModel):
    """Changes to the profile; absent fields stay. Changing ``email`` needs ``current_password``."""

    first_name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    last_name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    email: str | None = Field(default=None, max_length=320)
    current_password: str | None = Field(default=None, max_length=PASSWORD_MAX_LENGTH * 4)
    phone: str | None = Field(default=None, max_length=PHONE_MAX_LENGTH)
    address: PostalAddress | None = None
    language: str | None = Field(default=None, max_length=10)
    promotional_email: bool | None = None


class PasswordChange(WireModel):
    current_password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)


class PasswordChanged(WireModel):
    """The other sessions were ended: ``sessions_ended`` says how many."""

    sessions_ended: int


class TotpSetup(WireModel):
    """A new two-factor secret, not in force until confirmed by a first code (``POST /me/totp``)."""

    secret: str = Field(description="Base32, as typed into an authenticator app.")
    uri: str = Field(description="The `otpauth://` URI, as shown in the QR code.")
    digits: int = 6
    period: int = 30


class TotpConfirm(WireModel):
    code: str = Field(max_length=20)


class TotpEnabled(WireModel):
    """Ten one-time recovery codes: shown this once, stored hashed."""

    recovery_codes: list[str]


class PasswordConfirm(WireModel):
    """The account's password, to confirm a sensitive change (disabling two-factor sign-in)."""

    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)


class AccountDeletion(WireModel):
    """``confirmation`` is the account's email address, typed again."""

    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    confirmation: str = Field(max_length=320)


class PasswordResetRequest(WireModel):
    email: str = Field(max_length=320)


class PasswordResetConfirm(WireModel):
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)


class Accepted(WireModel):
    """A request taken into account; ``detail`` says what happens next, in the request's language."""

    detail: str


class SupportMessageCreate(WireModel):
    """« Des questions? Contactez-nous! »: the seed form's fields, ``from`` included."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(default="", alias="from", max_length=320)
    subject: str = Field(default="", max_length=SUPPORT_SUBJECT_MAX_LENGTH * 2)
    message: str = Field(default="", max_length=SUPPORT_MESSAGE_MAX_LENGTH * 2)


class SupportReceipt(WireModel):
    id: str
    received_at: datetime


# --- text rules shared by the client and the server -------------------------------------------

#: The placeholders a goal template may hold for the learner's first name.
NAME_PLACEHOLDERS = ("{prénom}", "{prenom}", "{first_name}")
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_DIGIT_SUFFIX = re.compile(r"\s+\d+$")


def fold(text: str) -> str:
    """``text`` for searching: case-folded, accents removed, words separated by single spaces.

    « L’Élève écrit 80 % » → ``"l eleve ecrit 80"``. The client's instant search and the API's ``q=``
    both match on this form, so that they find the same goals.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(stripped))


def query_terms(query: str) -> list[str]:
    """The words of a search query, folded; a goal matches when each one begins one of its words."""
    return fold(query).split()


def matches(folded_text: str, terms: list[str]) -> bool:
    """Whether every term is the beginning of a word of ``folded_text`` (made by ``fold``)."""
    padded = " " + folded_text
    return all(" " + term in padded for term in terms)


#: A tag: letters, digits, hyphens and underscores, starting with a letter or digit (``#`` is not part of it).
TAG_SHAPE = re.compile(r"^[^\W_][\w-]*$")


def clean_tag(raw: str) -> str:
    """A tag as it is kept: without its ``#``, case-folded (« #Fluidité » → ``fluidité``)."""
    return raw.strip().lstrip("#").casefold()


def compose_goal_text(condition: str, behaviour: str, criterion: str, measure: str, language: str) -> str:
    """One readable sentence from a goal's four parts, with the name placeholder of ``language``."""
    name = "{first_name}" if language.startswith("en") else "{prénom}"
    return f"{condition}, {name} {behaviour} {criterion}, {measure}."


def display_first_name(first_name: str) -> str:
    """The name that goes into a goal's text: « Léa 2 » is written « Léa » (the digit only tells them apart)."""
    return _DIGIT_SUFFIX.sub("", first_name)


def fill_first_name(template: str, first_name: str) -> str:
    """``template`` with the learner's first name where a placeholder stands."""
    name = display_first_name(first_name)
    for placeholder in NAME_PLACEHOLDERS:
        template = template.replace(placeholder, name)
    return template


# Free-text goals have no parts: their criterion and measure are recognised in the text itself.
_CRITERION_IN_TEXT = re.compile(
    r"\d+\s*%|\b\d+\s+(?:fois\s+)?(?:sur|out\s+of|of)\s+\d+\b|\b\d+\s*(?:min|minutes?|secondes?|seconds?|"
    r"jours?|days?|semaines?|weeks?|fois|times|mots|words|essais|trials)\b",
    re.IGNORECASE,
)
_MEASURE_IN_TEXT = re.compile(
    r"\b(?:selon|d['’]après|mesur\w*|observ\w*|grille\w*|relev\w*|registre|journal|portfolio|"
    r"as\s+recorded|according\s+to|based\s+on|measured|checklist|log|rubric)\b",
    re.IGNORECASE,
)


class MeasurabilityGap(StrEnum):
    """What keeps a goal from being measurable."""

    CRITERION = "criterion"
    MEASURE = "measure"
    DEADLINE = "deadline"


def measurability_gaps(
    text: str,
    criterion: str | None = None,
    measure: str | None = None,
    *,
    in_plan: bool = False,
    deadline: object | None = None,
) -> list[MeasurabilityGap]:
    """What a goal lacks to be measurable: a success criterion, a measurement method, and (in a plan) a deadline.

    A part counts when it is filled in, or when the goal's text states it (« 4 fois sur 5 », « selon une grille »).
    """
    gaps: list[MeasurabilityGap] = []
    if not (criterion and criterion.strip()) and not _CRITERION_IN_TEXT.search(text):
        gaps.append(MeasurabilityGap.CRITERION)
    if not (measure and measure.strip()) and not _MEASURE_IN_TEXT.search(text):
        gaps.append(MeasurabilityGap.MEASURE)
    if in_plan and deadline is None:
        gaps.append(MeasurabilityGap.DEADLINE)
    return gaps


# --- the goal bank ----------------------------------------------------------------------------

GOAL_TEXT_MAX_LENGTH = 2000
GOAL_PART_MAX_LENGTH = 1000
TAG_MAX_LENGTH = 40
MAX_TAGS = 20
LEARNER_NAME_MAX_LENGTH = 40


class AreaKind(StrEnum):
    """A catalogue area is a school domain, or one of the eight TEVA spheres of transition plans."""

    DOMAIN = "domain"
    SPHERE = "sphere"


class Subdomain(WireModel):
    id: str
    label: str


class Area(WireModel):
    """A domain or a TEVA sphere; its ``id`` is what goals carry in ``domain`` (and ``@id`` in quick entry)."""

    id: str
    kind: AreaKind
    label: str
    subdomains: list[Subdomain] = Field(default_factory=list)
    goal_count: int = 0


class Areas(WireModel):
    """``GET /catalogue/domains``: every domain and sphere, with the catalogue's version."""

    catalogue_version: str
    items: list[Area]


class GoalParts(WireModel):
    """The structured parts of a goal; any may be unknown for a goal written freely."""

    condition: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    behaviour: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    criterion: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    measure: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)


class CatalogueGoal(WireModel):
    """A goal of the shipped catalogue, in both languages; read-only."""

    id: str
    domain: str | None = None
    sphere: str | None = None
    subdomain: str | None = None
    levels: list[str] = Field(default_factory=list)
    text_fr: str
    text_en: str
    parts_fr: GoalParts
    parts_en: GoalParts
    catalogue_version: str

    @property
    def area(self) -> str:
        return self.domain or self.sphere or ""

    def text(self, language: str) -> str:
        return self.text_en if language.startswith("en") else self.text_fr

    def parts(self, language: str) -> GoalParts:
        return self.parts_en if language.startswith("en") else self.parts_fr


class GoalSourceKind(StrEnum):
    OWN = "own"
    CATALOGUE = "catalogue"


class GoalSource(WireModel):
    """Where a goal of the collection comes from: written by the teacher, or copied from the catalogue."""

    kind: GoalSourceKind = GoalSourceKind.OWN
    catalogue_id: str | None = None
    catalogue_version: str | None = None


class Goal(WireModel):
    """A goal of « Ma collection »: one language, freely edited; ``version`` guards concurrent edits."""

    id: str
    text: str
    language: str = "fr"
    domain: str | None = None
    tags: list[str] = Field(default_factory=list)
    condition: str | None = None
    behaviour: str | None = None
    criterion: str | None = None
    measure: str | None = None
    source: GoalSource = Field(default_factory=GoalSource)
    learner_ids: list[str] = Field(default_factory=list)
    version: int
    created_at: datetime
    updated_at: datetime


class GoalCreate(WireModel):
    """A new goal: ``text`` (written freely), or ``catalogue_id`` to copy a catalogue goal in ``language``.

    ``learner_ids`` files it under those learners at once. The same text in the same domain is the same goal:
    creating it again answers the existing one (200) instead of a copy.
    """

    text: str | None = Field(default=None, max_length=GOAL_TEXT_MAX_LENGTH)
    catalogue_id: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=10)
    domain: str | None = Field(default=None, max_length=60)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    condition: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    behaviour: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    criterion: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    measure: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    learner_ids: list[str] = Field(default_factory=list, max_length=50)


class GoalPatch(WireModel):
    """A change to a goal: only the fields sent change (``null`` clears an optional one)."""

    text: str | None = Field(default=None, max_length=GOAL_TEXT_MAX_LENGTH)
    domain: str | None = Field(default=None, max_length=60)
    tags: list[str] | None = Field(default=None, max_length=MAX_TAGS)
    condition: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    behaviour: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    criterion: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)
    measure: str | None = Field(default=None, max_length=GOAL_PART_MAX_LENGTH)


#: Largest exchange file an import accepts (bytes); the client checks it before reading a file whole.
IMPORT_MAX_BYTES = 5_000_000


class ImportReport(WireModel):
    """What an import did, or would do (``dry_run``).

    A refused file answers 422 instead, with ``errors`` keyed ``"<row>.<field>"`` (row 1 = the first goal,
    or the first line after a CSV's header) — nothing of it is imported.
    """

    imported: bool
    created: int = 0
    existing: int = 0
    learners_created: int = 0


# --- learners ---------------------------------------------------------------------------------


class Learner(WireModel):
    """A learner, known by first name only (« Léa 2 » when the server added the digit)."""

    id: str
    first_name: str
    goal_count: int = 0
    version: int
    created_at: datetime


class LearnerCreate(WireModel):
    first_name: str = Field(max_length=400)


class LearnerPatch(WireModel):
    first_name: str = Field(max_length=400)


class LearnerGoalLink(WireModel):
    """Files a goal of the collection under a learner."""

    goal_id: str = Field(max_length=40)


class LearnerGoal(WireModel):
    """A goal of a learner's sub-collection, its text with the learner's first name filled in."""

    learner_id: str
    filed_at: datetime
    text: str
    goal: Goal


# --- « Inscription », « Méthode de paiement », « Factures » ----------------------------------------
# Money is in integer cents, CAD. Offers are not called "plans": a plan is a plan d'intervention.

BILLING_DETAILS_MAX_LENGTH = 300


class BillingInterval(StrEnum):
    TRIAL = "trial"
    MONTH = "month"
    YEAR = "year"


class Amounts(WireModel):
    """A price before taxes, GST 5 % and QST 9.975 % each on it (half-up to the cent), and the total."""

    subtotal: int
    gst: int
    qst: int
    total: int


class Offer(WireModel):
    """An offer of the server's settings: the free trial, monthly, yearly."""

    id: str
    interval: BillingInterval
    price: Amounts
    currency: str = "CAD"
    trial_days: int = 0
    needs_card: bool = True


class Offers(WireModel):
    """The offers, and the rules the screen and the invoices state."""

    items: list[Offer]
    retry_days: list[int] = Field(description="After a declined charge: days after the due date of each retry.")
    grace_days: int = Field(description="Days the collection, learners and plans are kept after the end.")


class SubscriptionState(StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"  # still in force until ``current_period_end``, then ended
    ENDED = "ended"
    NOT_BILLED = "not_billed"  # a server that bills no one (BanqO on the teacher's own computer)


class NextCharge(WireModel):
    """What the card will be charged, and when; ``credit`` is the unused part deducted (a switch)."""

    at: datetime
    offer: str
    period_start: datetime
    period_end: datetime
    credit: int = 0
    amounts: Amounts


class PaymentFailure(WireModel):
    """The last declined charge: why (in the request's language), and when BanqO tries again."""

    at: datetime
    code: str
    message: str
    attempts: int
    next_retry_at: datetime | None = None


class Subscription(WireModel):
    """« Inscription »: the account's subscription."""

    state: SubscriptionState
    offer: str
    started_at: datetime
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    pending_offer: str | None = Field(default=None, description="The offer taking over at the period's end.")
    ended_at: datetime | None = None
    data_deletion_at: datetime | None = Field(
        default=None, description="When an ended subscription's collection, learners and plans are deleted."
    )
    data_deleted_at: datetime | None = None
    next_charge: NextCharge | None = None
    payment_failure: PaymentFailure | None = None
    billing_details: str = Field(default="", description="Printed on invoices: school, purchase order…")
    version: int


class SubscriptionChange(WireModel):
    """``PUT /subscription``: subscribe, switch offer, resume a cancelled subscription, or only change the
    invoices' billing details (same offer)."""

    # Documented as the offers' names; another name is refused by the service, with a translated message.
    offer: str = Field(max_length=40, json_schema_extra={"enum": ["monthly", "yearly"]})
    billing_details: str | None = Field(default=None, max_length=BILLING_DETAILS_MAX_LENGTH * 2)


class SubscriptionPatch(WireModel):
    """``PATCH /subscription``: only what the next invoices print, in any state."""

    billing_details: str = Field(max_length=BILLING_DETAILS_MAX_LENGTH * 2)


class Card(WireModel):
    """The card on file as the processor described it: never its number."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int
    expiring_soon: bool = False
    expired: bool = False
    added_at: datetime


class PaymentMethod(WireModel):
    card: Card | None = None
    processor: str
    billing: bool = Field(default=True, description="False on a server that bills no one: no card is needed.")
    version: int


class SetupSession(WireModel):
    """A short-lived session where the card is entered on the processor's side."""

    id: str
    processor: str
    url: str | None = Field(default=None, description="The processor's hosted page, when it has one.")
    expires_at: datetime


class PaymentMethodUpdate(WireModel):
    """The processor's token for the new card (from a completed setup session)."""

    token: str = Field(max_length=200)


class SandboxCardEntry(WireModel):
    """``POST /sandbox-processor/v1/setup-sessions/{id}/confirm``: a test card, entered on the processor's side."""

    number: str = Field(default="", max_length=40)
    exp_month: int | str = Field(default="")
    exp_year: int | str = Field(default="")
    cvc: str = Field(default="", max_length=8)


class SandboxToken(WireModel):
    token: str


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class InvoiceLine(WireModel):
    """One line: French and English descriptions, the period it covers, its amount before taxes (negative for
    a credit)."""

    description_fr: str
    description_en: str
    period_start: datetime | None = None
    period_end: datetime | None = None
    amount: int


class Seller(WireModel):
    name: str
    address: str
    gst_number: str
    qst_number: str


class Invoice(WireModel):
    """An invoice or a credit note: immutable once issued. Rates are decimal strings (``"0.09975"``)."""

    id: str
    number: str
    kind: InvoiceKind
    issued_at: datetime
    status: InvoiceStatus
    currency: str = "CAD"
    seller: Seller
    buyer_name: str
    buyer_email: str
    buyer_address: str = ""
    billing_details: str = ""
    lines: list[InvoiceLine]
    subtotal: int
    gst: int
    qst: int
    total: int
    gst_rate: str
    qst_rate: str
    card_brand: str
    card_last4: str
    paid_at: datetime
    corrects: str | None = Field(default=None, description="A credit note: the number of the invoice it corrects.")
    credited_by: list[str] = Field(default_factory=list, description="Numbers of the credit notes correcting it.")


# --- plans d'intervention and transition plans -----------------------------------------------------
# A plan belongs to one learner. Its objectives (« goals » on the wire) are copies of goals of the learner's
# sub-collection, with the first name filled in; each keeps a ``lineage_id`` across reviews and across the next
# year's plan (« reconduire »), so that its whole history can be shown.

PLAN_TEXT_MAX_LENGTH = 2000
PLAN_ITEM_MAX_LENGTH = 1000
PLAN_LIST_MAX_ITEMS = 50
#: Past this many active objectives a plan is flagged (a warning, not a refusal): the ministry's guide asks for
#: few objectives, worked systematically.
PLAN_ACTIVE_GOALS_ADVISED = 5
#: The résumé lists plans whose review falls within this many days (and those overdue).
PLAN_REVIEW_NOTICE_DAYS = 30


class PlanKind(StrEnum):
    INTERVENTION = "intervention"
    #: A transition plan (TEVA): an annex attached to an intervention plan, organised by the eight spheres.
    TRANSITION = "transition"


class PlanState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    REVIEW = "review"  # « En révision »
    CLOSED = "closed"


class ParticipantRole(StrEnum):
    """Who takes part, by role — never by name."""

    TEACHER = "teacher"  # enseignant·e
    RESOURCE_TEACHER = "resource_teacher"  # orthopédagogue
    PARENT = "parent"
    LEARNER = "learner"  # élève
    PRINCIPAL = "principal"  # direction
    PSYCHOEDUCATOR = "psychoeducator"  # psychoéducateur·trice
    SPECIAL_EDUCATION_TECHNICIAN = "special_education_technician"  # TES
    OTHER = "other"  # a free role, in ``other_role``


class Participant(WireModel):
    role: ParticipantRole
    other_role: str | None = Field(
        default=None, max_length=80, description="The role's name when `role` is `other` (« Ergothérapeute »)."
    )


class PrioritisedItem(WireModel):
    """A strength (force) or a need (besoin); priority 1 is the first."""

    text: str = Field(max_length=PLAN_ITEM_MAX_LENGTH)
    priority: int = Field(default=1, ge=1, le=99)


class TevaSphere(StrEnum):
    """The eight spheres of a transition plan; the same ids as the catalogue's sphere areas."""

    PERSONAL_AUTONOMY = "teva-autonomie-personnelle"
    EMPLOYMENT = "teva-emploi"
    LEISURE = "teva-loisirs"
    SOCIAL_NETWORK = "teva-reseau-social"
    COMMUNITY = "teva-communaute"
    TRANSPORT = "teva-transport"
    EDUCATION = "teva-education"
    RESIDENCE = "teva-residence"


class ProgressUnit(StrEnum):
    """The unit of a criterion, and so of its progress entries."""

    PERCENT = "percent"  # 0–100
    RATIO = "ratio"  # n out of m (``out_of`` = m)
    COUNT = "count"  # a number of times
    RUBRIC = "rubric"  # a level from 1 to ``out_of``


class TargetDirection(StrEnum):
    AT_LEAST = "at_least"  # reached when the measure is at or above the target (most goals)
    AT_MOST = "at_most"  # reached when at or below (« au plus 2 crises par semaine »)


class PlanGoalStatus(StrEnum):
    ACTIVE = "active"
    REACHED = "reached"
    CLOSED = "closed"


class ReviewDecisionKind(StrEnum):
    """The five decisions of a review, for each objective."""

    CONTINUE = "continue"  # poursuivre tel quel
    CHANGE_MEANS = "change_means"  # maintenir l'objectif, modifier les moyens
    CHANGE_GOAL = "change_goal"  # modifier l'objectif et les moyens
    REACHED = "reached"  # objectif atteint
    CLOSED = "closed"  # objectif fermé


class Plan(WireModel):
    """A plan's own fields (its objectives, progress and reviews are read separately, or in a `PlanDocument`)."""

    id: str
    learner_id: str
    learner_first_name: str
    kind: PlanKind
    state: PlanState
    parent_plan_id: str | None = Field(default=None, description="A transition annex: the intervention plan.")
    previous_plan_id: str | None = Field(default=None, description="The plan this one renewed (« reconduire »).")
    next_plan_id: str | None = Field(default=None, description="The plan that renewed this one.")
    annex_plan_id: str | None = Field(
        default=None, description="An intervention plan: its transition annex (the latest one), if any."
    )
    opened_on: date
    review_due_on: date | None = None
    closed_on: date | None = None
    participants: list[Participant] = Field(default_factory=list)
    strengths: list[PrioritisedItem] = Field(default_factory=list)
    needs: list[PrioritisedItem] = Field(default_factory=list)
    adaptations: list[str] = Field(default_factory=list, description="Measures that keep the expectations.")
    modifications: list[str] = Field(
        default_factory=list, description="Measures that change the expectations (the screen says so)."
    )
    goal_count: int = 0
    active_goal_count: int = 0
    review_count: int = 0
    version: int
    created_at: datetime
    updated_at: datetime


class PlanCreate(WireModel):
    learner_id: str = Field(max_length=40)
    kind: PlanKind = PlanKind.INTERVENTION
    parent_plan_id: str | None = Field(default=None, max_length=40, description="Required for a transition annex.")
    opened_on: date | None = Field(default=None, description="Today when absent.")
    review_due_on: date | None = None
    participants: list[Participant] = Field(default_factory=list, max_length=PLAN_LIST_MAX_ITEMS)
    goal_ids: list[str] = Field(
        default_factory=list,
        max_length=PLAN_LIST_MAX_ITEMS,
        description="Goals of the learner's sub-collection to start with, in this order.",
    )


class PlanPatch(WireModel):
    """Only the fields sent change (``null`` clears an optional date)."""

    state: PlanState | None = None
    # Absent: unchanged. It cannot be cleared: documented as a date, and ``null`` is refused by the service
    # with a translated message at the field.
    opened_on: Annotated[date | None, WithJsonSchema({"type": "string", "format": "date"})] = None
    review_due_on: date | None = None
    closed_on: date | None = None
    participants: list[Participant] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    strengths: list[PrioritisedItem] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    needs: list[PrioritisedItem] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    adaptations: list[str] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    modifications: list[str] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)


class PlanGoal(WireModel):
    """An objective of a plan."""

    id: str
    plan_id: str
    lineage_id: str = Field(description="The objective's identity across reviews and the following years' plans.")
    goal_id: str | None = Field(default=None, description="The collection goal it was taken from, while it exists.")
    position: int
    text: str
    sphere: TevaSphere | None = Field(default=None, description="Transition annex: the TEVA sphere.")
    means: list[str] = Field(default_factory=list, description="« Moyens »")
    responsible_roles: list[Participant] = Field(default_factory=list)
    deadline: date | None = Field(default=None, description="« Échéance »")
    evaluation: str = Field(default="", description="How it is evaluated (« Modalités d'évaluation »).")
    criterion: str = Field(default="", description="The success criterion, in words.")
    unit: ProgressUnit = ProgressUnit.PERCENT
    target: float | None = Field(default=None, description="The target measure, in `unit`.")
    out_of: int | None = Field(default=None, description="`ratio`: m of « n sur m »; `rubric`: the top level.")
    direction: TargetDirection = TargetDirection.AT_LEAST
    status: PlanGoalStatus = PlanGoalStatus.ACTIVE
    gaps: list[MeasurabilityGap] = Field(default_factory=list)
    progress_count: int = 0
    version: int
    created_at: datetime
    updated_at: datetime


class PlanGoalCreate(WireModel):
    """Either `goal_id` (a goal of the learner's sub-collection) or `text` (written now: it is also added to the
    collection and filed under the learner)."""

    goal_id: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, max_length=GOAL_TEXT_MAX_LENGTH)
    sphere: TevaSphere | None = None
    means: list[str] = Field(default_factory=list, max_length=PLAN_LIST_MAX_ITEMS)
    responsible_roles: list[Participant] = Field(default_factory=list, max_length=PLAN_LIST_MAX_ITEMS)
    deadline: date | None = None
    evaluation: str | None = Field(default=None, max_length=PLAN_ITEM_MAX_LENGTH)
    criterion: str | None = Field(default=None, max_length=PLAN_ITEM_MAX_LENGTH)
    unit: ProgressUnit | None = None
    target: float | None = None
    out_of: int | None = None
    direction: TargetDirection | None = None


class PlanGoalPatch(WireModel):
    text: str | None = Field(default=None, max_length=GOAL_TEXT_MAX_LENGTH)
    sphere: TevaSphere | None = None
    means: list[str] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    responsible_roles: list[Participant] | None = Field(default=None, max_length=PLAN_LIST_MAX_ITEMS)
    deadline: date | None = None
    evaluation: str | None = Field(default=None, max_length=PLAN_ITEM_MAX_LENGTH)
    criterion: str | None = Field(default=None, max_length=PLAN_ITEM_MAX_LENGTH)
    unit: ProgressUnit | None = None
    target: float | None = None
    out_of: int | None = None
    direction: TargetDirection | None = None
    position: int | None = Field(default=None, ge=1)


class ProgressEntry(WireModel):
    """One measure of an objective's progress, in the objective's unit."""

    id: str
    plan_goal_id: str
    lineage_id: str
    on: date
    value: float
    out_of: int | None = None
    note: str = ""
    created_at: datetime


class ProgressEntryCreate(WireModel):
    plan_goal_id: str = Field(max_length=40)
    on: date | None = Field(default=None, description="Today when absent.")
    value: float
    out_of: int | None = Field(default=None, description="`ratio`: m of « n sur m » (the objective's by default).")
    note: str = Field(default="", max_length=PLAN_ITEM_MAX_LENGTH)


class ReviewDecision(WireModel):
    plan_goal_id: str
    lineage_id: str
    goal_text: str = Field(description="The objective's text as it stood at the review.")
    decision: ReviewDecisionKind
    note: str = ""


class ReviewDecisionCreate(WireModel):
    plan_goal_id: str = Field(max_length=40)
    decision: ReviewDecisionKind
    note: str = Field(default="", max_length=PLAN_ITEM_MAX_LENGTH)
    new_text: str | None = Field(
        default=None, max_length=GOAL_TEXT_MAX_LENGTH, description="`change_goal`: the objective's new text."
    )
    new_means: list[str] | None = Field(
        default=None, max_length=PLAN_LIST_MAX_ITEMS, description="`change_means`, `change_goal`: the new means."
    )


class Review(WireModel):
    """A review (« révision ») with one decision per active objective; its snapshot is read with `PlanSnapshot`."""

    id: str
    plan_id: str
    number: int
    held_on: date
    note: str = ""
    decisions: list[ReviewDecision]
    next_review_on: date | None = None
    created_at: datetime


class ReviewCreate(WireModel):
    """One decision for each active objective of the plan; the plan goes back to active (or closed)."""

    held_on: date | None = Field(default=None, description="Today when absent.")
    note: str = Field(default="", max_length=PLAN_TEXT_MAX_LENGTH)
    decisions: list[ReviewDecisionCreate] = Field(max_length=PLAN_LIST_MAX_ITEMS)
    next_review_on: date | None = Field(default=None, description="The next planned review date.")
    close_plan: bool = False


class PlanGoalDocument(WireModel):
    """An objective with its progress entries, as exported and as kept in a snapshot."""

    goal: PlanGoal
    progress: list[ProgressEntry] = Field(default_factory=list)


class PlanDocument(WireModel):
    """Everything of a plan, for an export or as a review's immutable snapshot."""

    plan: Plan
    goals: list[PlanGoalDocument]
    reviews: list[Review] = Field(default_factory=list)
    parent_plan: Plan | None = Field(default=None, description="A transition annex: its intervention plan.")
    generated_at: datetime


class PlanSnapshot(WireModel):
    """A review's snapshot: the plan as it stood when the review was recorded (immutable)."""

    review: Review
    document: PlanDocument


class PlanRenewal(WireModel):
    """« Reconduire le plan »: next year's plan, with the objectives still active (same `lineage_id`)."""

    opened_on: date | None = Field(default=None, description="Today when absent.")
    review_due_on: date | None = None
    close_previous: bool = Field(default=True, description="Close this plan (on the new plan's opening date).")


class ObjectiveHistoryStep(WireModel):
    """One plan's part of an objective's history: the objective as it stood there, its progress and decisions."""

    plan: Plan
    goal: PlanGoal
    progress: list[ProgressEntry] = Field(default_factory=list)
    decisions: list[Review] = Field(
        default_factory=list, description="The reviews of that plan, each with only this objective's decision."
    )


class ObjectiveHistory(WireModel):
    lineage_id: str
    steps: list[ObjectiveHistoryStep] = Field(description="Oldest plan first.")


class PlanDue(WireModel):
    """A plan whose review is due within `PLAN_REVIEW_NOTICE_DAYS` days, or overdue (résumé)."""

    id: str
    learner_first_name: str
    kind: PlanKind
    review_due_on: date
    overdue: bool


class PlanExportFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    MD = "md"
