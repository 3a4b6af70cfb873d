"""« Profil »: the account's contact details, its language and its promotional-email choice.

Rules: names are required (spaces collapsed); the email follows the sign-up rules and changing it needs the
current password (a wrong one counts as a failed sign-in of the account, so a stolen session cannot guess
it); a phone number is North American (10 digits, or 11 starting with 1) with an optional extension, kept
as « 514 814-7526, poste 123 »; a postal address is Canadian, its postal code kept as « H3W 2W8 » and, when
the province is given too, starting with one of that province's letters. Every refusal names the request
field (``address.postal_code`` for the parts of the address). Each real change adds 1 to ``version``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from banqo_server.i18n import N_, _
from banqo_server.models import Account
from banqo_server.services import activity, security
from banqo_server.services.errors import EmailTaken, InvalidInput
from banqo_server.services.learners import check_version
from banqo_server.services.passwords import Passwords, email_problems, normalise_email
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    CITY_MAX_LENGTH,
    NAME_MAX_LENGTH,
    POSTAL_CODE_SHAPE,
    STREET_MAX_LENGTH,
    ActivityKind,
    Province,
    clean_postal_code,
)

LANGUAGES = ("fr-CA", "en-CA")
#: The first letter of the postal codes of each province and territory (Canada Post).
POSTAL_CODE_LETTERS: dict[Province, str] = {
    Province.NL: "A",
    Province.NS: "B",
    Province.PE: "C",
    Province.NB: "E",
    Province.QC: "GHJ",
    Province.ON: "KLMNP",
    Province.MB: "R",
    Province.SK: "S",
    Province.AB: "T",
    Province.BC: "V",
    Province.NU: "X",
    Province.NT: "X",
    Province.YT: "Y",
}
#: Where an address is, as a sentence says it (« une adresse au Québec »).
PROVINCE_PLACES: dict[Province, str] = {
    Province.AB: N_("en Alberta"),
    Province.BC: N_("en Colombie-Britannique"),
    Province.MB: N_("au Manitoba"),
    Province.NB: N_("au Nouveau-Brunswick"),
    Province.NL: N_("à Terre-Neuve-et-Labrador"),
    Province.NS: N_("en Nouvelle-Écosse"),
    Province.NT: N_("dans les Territoires du Nord-Ouest"),
    Province.NU: N_("au Nunavut"),
    Province.ON: N_("en Ontario"),
    Province.PE: N_("à l'Île-du-Prince-Édouard"),
    Province.QC: N_("au Québec"),
    Province.SK: N_("en Saskatchewan"),
    Province.YT: N_("au Yukon"),
}
#: The address's request fields and the columns that keep them.
ADDRESS_COLUMNS = {
    "street": "address_street",
    "city": "address_city",
    "province": "address_province",
    "postal_code": "address_postal_code",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EXTENSION = re.compile(r"\s*,?\s*(?:poste|extension|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]+$")


def clean_text(value: str | None) -> str:
    """One line: control characters made spaces, runs of spaces made one, trimmed."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def clean_phone(raw: str) -> str | None:
    """« (514) 814.7526 x123 » → « 514 814-7526, poste 123 »; "" when empty; None when not a phone number."""
    text = clean_text(raw)
    if not text:
        return ""
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(1), text[: match.start()].strip()
    if not _PHONE_CHARACTERS.match(text):
        return None
    digits = "".join(character for character in text if character.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    formatted = f"{digits[:3]} {digits[3:6]}-{digits[6:]}"
    return f"{formatted}, poste {extension}" if extension else formatted


def _too_long(limit: int) -> str:
    return _("Ce texte est trop long ({count} caractères au plus).").format(count=limit)


class _Refusals:
    """The translated problems of each request field."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)


def _check_name(value: str, field: str, refusals: _Refusals) -> str | None:
    cleaned = clean_text(value)
    if not cleaned:
        refusals.add(field, _("Ce champ est obligatoire."))
    elif len(cleaned) > NAME_MAX_LENGTH:
        refusals.add(field, _too_long(NAME_MAX_LENGTH))
    else:
        return cleaned
    return None


def _check_address(account: Account, given: Mapping[str, Any], refusals: _Refusals) -> dict[str, str]:
    """The address's columns after the parts sent (the others stay), or nothing when a part is refused."""
    merged = {name: getattr(account, column) for name, column in ADDRESS_COLUMNS.items()}
    merged.update({name: value for name, value in given.items() if name in ADDRESS_COLUMNS and value is not None})
    before = len(refusals.errors)
    street, city = clean_text(merged["street"]), clean_text(merged["city"])
    if len(street) > STREET_MAX_LENGTH:
        refusals.add("address.street", _too_long(STREET_MAX_LENGTH))
    if len(city) > CITY_MAX_LENGTH:
        refusals.add("address.city", _too_long(CITY_MAX_LENGTH))
    province_code = clean_text(merged["province"]).upper()
    province = Province(province_code) if province_code in {member.value for member in Province} else None
    if province_code and province is None:
        refusals.add(
            "address.province",
            _("Province ou territoire inconnu : choisissez parmi {codes}.").format(
                codes=", ".join(member.value for member in Province)
            ),
        )
    postal_code = clean_postal_code(merged["postal_code"] or "")
    if postal_code and not POSTAL_CODE_SHAPE.match(postal_code):
        refusals.add(
            "address.postal_code",
            _("Ce code postal n'est pas valide : il s'écrit comme « {example} ».").format(example="H3W 2W8"),
        )
    elif postal_code and province is not None and postal_code[0] not in POSTAL_CODE_LETTERS[province]:
        refusals.add(
            "address.postal_code",
            _("Ce code postal ne convient pas à une adresse {place}, où les codes postaux commencent par {letters}.")
            .format(place=_(PROVINCE_PLACES[province]), letters=_letters_text(POSTAL_CODE_LETTERS[province])),
        )
    if len(refusals.errors) > before:
        return {}
    return {
        "address_street": street,
        "address_city": city,
        "address_province": province.value if province else "",
        "address_postal_code": postal_code,
    }


def update(
    db: Session,
    settings: Settings,
    passwords: Passwords,
    account: Account,
    changes: Mapping[str, Any],
    if_match: int | None,
    *,
    device: str | None = None,
) -> Account:
    """Apply ``changes`` (the ``ProfilePatch`` fields sent; ``None`` leaves a field) after the version check.
    Commits when something changed; the same values answer the account as it was, at the same version."""
    db.refresh(account, with_for_update=True)  # two changes at once: the second sees the first's version
    check_version(account.version, if_match)
    given = {name: value for name, value in changes.items() if value is not None}
    refusals = _Refusals()
    wanted: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in given:
            name_value = _check_name(given[name], name, refusals)
            if name_value is not None:
                wanted[name] = name_value
    if "email" in given:
        email = normalise_email(given["email"])
        problems = email_problems(email)
        if problems:
            refusals.errors["email"] = problems
        elif email != account.email:
            wanted["email"] = email
            if not given.get("current_password"):
                refusals.add(
                    "current_password",
                    _("Entrez votre mot de passe actuel pour changer d'adresse courriel."),
                )
    if "phone" in given:
        phone = clean_phone(given["phone"])
        if phone is None:
            refusals.add(
                "phone",
                _(
                    "Ce numéro de téléphone n'est pas valide : 10 chiffres, comme « {example} », "
                    "suivis d'un poste au besoin."
                ).format(example="514 814-7526"),
            )
        else:
            wanted["phone"] = phone
    if "address" in given:
        wanted.update(_check_address(account, given["address"], refusals))
    if "language" in given:
        language = {code.lower(): code for code in LANGUAGES}.get(str(given["language"]).strip().lower())
        if language is None:
            refusals.add("language", _("Langue inconnue : fr-CA ou en-CA."))
        else:
            wanted["language"] = language
    if "promotional_email" in given:
        wanted["promotional_email"] = bool(given["promotional_email"])
    if refusals.errors:
        raise InvalidInput(refusals.errors)

    changed = {column: value for column, value in wanted.items() if getattr(account, column) != value}
    if not changed:
        return account
    now = settings.now()
    if "email" in changed:
        security.check_password(
            db, settings, passwords, account, given["current_password"], field="current_password", device=device
        )
        other = db.scalar(select(Account.id).where(Account.email == changed["email"], Account.id != account.id))
        if other is not None:
            raise EmailTaken()
    for column, value in changed.items():
        setattr(account, column, value)
    if "email" in changed:
        activity.record(db, account.id, ActivityKind.EMAIL_CHANGED, now, device)
    if "promotional_email" in changed:
        account.promotional_email_changed_at = now
        activity.record(db, account.id, ActivityKind.PROMOTIONAL_EMAIL_CHANGED, now, device)
    if changed.keys() - {"email", "promotional_email"}:
        activity.record(db, account.id, ActivityKind.PROFILE_CHANGED, now, device)
    account.version += 1
    try:
        db.commit()
    except IntegrityError:  # the same email taken by another account at the same moment
        db.rollback()
        raise EmailTaken() from None
    return account


def _letters_text(letters: str | tuple[str, ...] | list[str]) -> str:
    """« G, H ou J » / « A »: the first letters a province's postal codes may have."""
    items = list(letters)
    if len(items) == 1:
        return items[0]
    return _("{others} ou {last}").format(others=", ".join(items[:-1]), last=items[-1])
