"""``BanqoClient``: the async client of the BanqO API.

Typed methods grouped by resource (``client.sessions.sign_in(…)``, ``client.me.summary()``), answers parsed
into the wire models, failures raised as the exceptions of :mod:`banqo_tui.api.errors`. Idempotent calls
(GET, PUT, DELETE) are retried a bounded number of times on connection failures and 502/503/504; a POST is
never retried, so nothing is created twice.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from banqo_tui import __version__, server_calendar
from banqo_tui.api import errors
from banqo_tui.api.models import (
    Accepted,
    AccountDeletion,
    Activity,
    Areas,
    CatalogueGoal,
    Goal,
    GoalCreate,
    Health,
    ImportReport,
    Invoice,
    Learner,
    LearnerCreate,
    LearnerGoal,
    LearnerGoalLink,
    LearnerPatch,
    ObjectiveHistory,
    Offers,
    Page,
    PasswordChange,
    PasswordChanged,
    PasswordConfirm,
    PasswordResetConfirm,
    PasswordResetRequest,
    PaymentMethod,
    PaymentMethodUpdate,
    Plan,
    PlanCreate,
    PlanDocument,
    PlanExportFormat,
    PlanGoal,
    PlanGoalCreate,
    PlanGoalPatch,
    PlanPatch,
    PlanRenewal,
    PlanSnapshot,
    Problem,
    Profile,
    ProfilePatch,
    ProgressEntry,
    ProgressEntryCreate,
    Review,
    ReviewCreate,
    SandboxCardEntry,
    SandboxToken,
    SessionInfo,
    SessionToken,
    SetupSession,
    SignIn,
    SignUp,
    Subscription,
    SubscriptionChange,
    SubscriptionPatch,
    Summary,
    SupportMessageCreate,
    SupportReceipt,
    TotpConfirm,
    TotpEnabled,
    TotpSetup,
)
from banqo_tui.i18n import _

API_PREFIX = "/api/v1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

M = TypeVar("M", bound=BaseModel)
#: ``on_progress(bytes_done, bytes_total_or_None)`` while a file downloads.
ProgressCallback = Callable[[int, "int | None"], None]

_STATUS_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.ValidationFailed,
    401: errors.NotSignedIn,
    402: errors.ValidationFailed,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    412: errors.Conflict,
    422: errors.ValidationFailed,
    428: errors.PreconditionRequired,
}


def _problem_of(response: httpx.Response) -> Problem | None:
    try:
        return Problem.model_validate_json(response.content)
    except ValidationError:
        return None


def error_for(response: httpx.Response) -> errors.ApiError:
    """The exception that an error answer stands for."""
    status = response.status_code
    problem = _problem_of(response)
    if status == 429:
        retry_after = _retry_after(response, problem)
        return errors.TooManyRequests(status, problem, retry_after=retry_after)
    if status == 503:
        message = None if problem is not None and problem.detail else _unavailable_message()
        return errors.ServiceUnavailable(status, problem, retry_after=_retry_after(response, problem), message=message)
    if status >= 500:
        return errors.ServerError(status, problem)
    if status == 409 and problem is not None and problem.errors and problem.current_version is None:
        # A conflict on a field's value (an email already taken) is a validation problem for the form.
        return errors.ValidationFailed(status, problem)
    cls = _STATUS_ERRORS.get(status, errors.ApiError)
    return cls(status, problem)


def _retry_after(response: httpx.Response, problem: Problem | None) -> int | None:
    header = response.headers.get("Retry-After")
    if header is not None and header.strip().isdigit():
        return int(header.strip())
    return problem.retry_after if problem is not None else None


class _Resource:
    def __init__(self, client: BanqoClient) -> None:
        self._client = client


class Accounts(_Resource):
    async def sign_up(
        self, *, email: str, password: str, first_name: str, last_name: str, device: str | None = None
    ) -> SessionToken:
        """Create an account; the client is signed in with the new session."""
        body = SignUp(email=email, password=password, first_name=first_name, last_name=last_name, device=device)
        answer = await self._client.request_model("POST", "/accounts", SessionToken, json=body)
        self._client.token = answer.token
        return answer


class Sessions(_Resource):
    async def sign_in(
        self, *, email: str, password: str, device: str | None = None, totp: str | None = None
    ) -> SessionToken:
        """Open a session; raises ``InvalidCredentials`` for a wrong email or password."""
        body = SignIn(email=email, password=password, device=device, totp=totp)
        try:
            answer = await self._client.request_model("POST", "/sessions", SessionToken, json=body)
        except errors.NotSignedIn as exc:
            raise errors.InvalidCredentials(exc.status, exc.problem) from None
        self._client.token = answer.token
        return answer

    async def list(self) -> list[SessionInfo]:
        """Every active session of the account, the current one flagged."""
        return await self._client.collect("/sessions", SessionInfo)

    async def end(self, session_id: str) -> None:
        """End one session (another device); 404 for an id that is not the account's."""
        await self._client.request("DELETE", f"/sessions/{_segment(session_id)}")

    async def sign_out(self) -> None:
        """End the current session and forget the token."""
        try:
            await self._client.request("DELETE", "/sessions/current")
        finally:
            self._client.token = None


class Me(_Resource):
    async def summary(self) -> Summary:
        """« Votre résumé ». Its time zone is kept as the client's calendar (``banqo_tui.server_calendar``)."""
        found = await self._client.request_model("GET", "/me/summary", Summary)
        if found.time_zone:
            self._client.time_zone = found.time_zone
        return found

    async def activity(self, *, limit: int = 200) -> builtins.list[Activity]:
        """The account's security events, newest first (never any goal text)."""
        response = await self._client.request("GET", "/me/activity", params={"limit": limit})
        try:
            return TypeAdapter(Page[Activity]).validate_json(response.content).items
        except ValidationError as exc:
            raise errors.ProtocolError(_protocol_message()) from exc

    # « Profil »

    async def profile(self) -> Profile:
        return await self._client.request_model("GET", "/me/profile", Profile)

    async def update_profile(self, version: int, **changes: Any) -> Profile:
        """Change the fields given (``ProfilePatch``'s names); ``email`` needs ``current_password``."""
        body = ProfilePatch(**changes)
        return await self._client.request_model("PATCH", "/me/profile", Profile, json=body, headers=_if_match(version))

    async def photo(self) -> bytes | None:
        """The profile photo as stored (JPEG), or None when there is none."""
        try:
            response = await self._client.request("GET", "/me/profile/photo", headers={"Accept": "image/*"})
        except errors.NotFound:
            return None
        return response.content

    async def set_photo(self, data: bytes, content_type: str = "application/octet-stream") -> Profile:
        """Upload a photo; the server checks its content, strips its metadata and scales it down."""
        return await self._client.request_model(
            "PUT", "/me/profile/photo", Profile, content=data, content_type=content_type
        )

    async def remove_photo(self) -> None:
        await self._client.request("DELETE", "/me/profile/photo")

    # « Sécurité »

    async def change_password(self, current_password: str, new_password: str) -> PasswordChanged:
        """Change the password; every other session of the account ends."""
        body = PasswordChange(current_password=current_password, new_password=new_password)
        return await self._client.request_model("PUT", "/me/password", PasswordChanged, json=body)

    async def totp_setup(self) -> TotpSetup:
        """A new secret for two-factor sign-in, in force once a first code confirms it."""
        return await self._client.request_model("POST", "/me/totp/setup", TotpSetup)

    async def totp_enable(self, code: str) -> TotpEnabled:
        """Confirm the secret with a code from the app; answers the ten recovery codes (shown once)."""
        return await self._client.request_model("POST", "/me/totp", TotpEnabled, json=TotpConfirm(code=code))

    async def totp_disable(self, password: str) -> None:
        await self._client.request("DELETE", "/me/totp", json=PasswordConfirm(password=password))

    # « Confidentialité »

    async def export(self, destination: Path, on_progress: ProgressCallback | None = None) -> int:
        """Save everything of the account as a zip at ``destination``; answers its size in bytes."""
        return await self._client.download("/me/export", destination, on_progress)

    async def delete_account(self, password: str, confirmation: str) -> None:
        """Delete the account and all its data; ``confirmation`` is the account's email, typed again."""
        body = AccountDeletion(password=password, confirmation=confirmation)
        await self._client.request("DELETE", "/me", json=body)
        self._client.token = None


class PasswordResets(_Resource):
    """« Mot de passe oublié »: a code sent by email, then a new password."""

    async def request(self, email: str) -> Accepted:
        """Ask for a code; the answer is the same whether an account has this email or not."""
        body = PasswordResetRequest(email=email)
        return await self._client.request_model("POST", "/password-resets", Accepted, json=body)

    async def confirm(self, code: str, new_password: str) -> None:
        """Set a new password with the emailed code (single use, 30 minutes)."""
        body = PasswordResetConfirm(new_password=new_password)
        await self._client.request("POST", f"/password-resets/{_segment(code.strip())}", json=body)


class Support(_Resource):
    """« Des questions? Contactez-nous! » (signed in or not)."""

    async def send(
        self, *, from_: str, subject: str, message: str, idempotency_key: str | None = None
    ) -> SupportReceipt:
        """Send a message; with a session that has ended meanwhile, it is sent as from someone signed out
        (the 401 created nothing), so that the message still goes. The same ``idempotency_key`` again leaves
        no second message."""
        body = SupportMessageCreate.model_validate({"from": from_, "subject": subject, "message": message})
        headers = _keyed(idempotency_key)
        try:
            return await self._client.request_model(
                "POST", "/support/messages", SupportReceipt, json=body, headers=headers
            )
        except errors.NotSignedIn:
            if not self._client.token:
                raise
        return await self._client.request_model(
            "POST", "/support/messages", SupportReceipt, json=body, headers=headers, authenticated=False
        )


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def new_idempotency_key() -> str:
    """A key for one create: made once (when a form opens), sent with every attempt to save it."""
    import uuid

    return uuid.uuid4().hex


def _keyed(idempotency_key: str | None, headers: dict[str, str] | None = None) -> dict[str, str] | None:
    """``headers`` with the ``Idempotency-Key`` of a create; the client then retries it on connection errors."""
    if not idempotency_key:
        return headers
    return {**(headers or {}), "Idempotency-Key": idempotency_key}


def _query(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value not in (None, "")}


class Subscriptions(_Resource):
    """« Inscription »: the offers and the account's subscription."""

    async def offers(self) -> Offers:
        return await self._client.request_model("GET", "/subscription/offers", Offers)

    async def get(self) -> Subscription:
        return await self._client.request_model("GET", "/subscription", Subscription)

    async def change(self, version: int, offer: str, billing_details: str | None = None) -> Subscription:
        """Subscribe, switch offer or resume (charging the card when the offer says so); ``billing_details``
        alone, with the same offer, only changes what invoices print."""
        body = SubscriptionChange(offer=offer, billing_details=billing_details)
        return await self._client.request_model(
            "PUT", "/subscription", Subscription, json=body, headers=_if_match(version)
        )

    async def set_billing_details(self, version: int, billing_details: str) -> Subscription:
        """What the next invoices print (a school, a purchase order), whatever the subscription's state."""
        return await self._client.request_model(
            "PATCH", "/subscription", Subscription,
            json=SubscriptionPatch(billing_details=billing_details), headers=_if_match(version),
        )

    async def cancel(self, version: int) -> Subscription:
        """Cancel at the end of the period already paid (resume with ``change`` before then)."""
        return await self._client.request_model(
            "DELETE", "/subscription", Subscription, headers=_if_match(version)
        )


class PaymentMethods(_Resource):
    """« Méthode de paiement »: the card on file, replaced through the processor's setup session."""

    async def get(self) -> PaymentMethod:
        return await self._client.request_model("GET", "/payment-method", PaymentMethod)

    async def setup(self) -> SetupSession:
        """A short-lived session where the card is entered on the processor's side."""
        return await self._client.request_model("POST", "/payment-method/setup", SetupSession)

    async def replace(self, version: int, token: str) -> PaymentMethod:
        """Make the card behind the processor's ``token`` the card on file."""
        return await self._client.request_model(
            "PUT", "/payment-method", PaymentMethod, json=PaymentMethodUpdate(token=token), headers=_if_match(version)
        )


class Invoices(_Resource):
    """« Factures »: invoices and credit notes, newest first."""

    async def list(self) -> builtins.list[Invoice]:
        return await self._client.collect("/invoices", Invoice)

    async def get(self, invoice_id: str) -> Invoice:
        return await self._client.request_model("GET", f"/invoices/{_segment(invoice_id)}", Invoice)

    async def download_pdf(
        self, invoice_id: str, destination: Path, on_progress: ProgressCallback | None = None
    ) -> int:
        """Save the invoice's PDF at ``destination``; answers its size in bytes."""
        return await self._client.download(f"/invoices/{_segment(invoice_id)}/pdf", destination, on_progress)


class SandboxProcessor(_Resource):
    """The ``sandbox`` processor's card entry, served beside the API: the card number goes to the processor,
    never to the BanqO API."""

    async def confirm(
        self, session_id: str, *, number: str, exp_month: int | str, exp_year: int | str, cvc: str
    ) -> SandboxToken:
        body = SandboxCardEntry(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc)
        return await self._client.request_model(
            "POST",
            f"{self._client.root_url}/sandbox-processor/v1/setup-sessions/{_segment(session_id)}/confirm",
            SandboxToken,
            json=body,
            authenticated=False,
        )


class Catalogue(_Resource):
    """The shipped goal bank (read-only)."""

    async def domains(self) -> Areas:
        """The domains and TEVA spheres, labelled in the client's language."""
        return await self._client.request_model("GET", "/catalogue/domains", Areas)

    async def goals(
        self, *, q: str | None = None, domain: str | None = None, level: str | None = None
    ) -> list[CatalogueGoal]:
        """Every catalogue goal matching the filters, in the catalogue's order."""
        params = _query(q=q, domain=domain, level=level, limit=200)
        return await self._client.collect("/catalogue/goals", CatalogueGoal, params=params)


class Collection(_Resource):
    """« Ma collection »."""

    async def list(
        self, *, q: str | None = None, domain: str | None = None, tag: str | None = None
    ) -> builtins.list[Goal]:
        """Every goal of the collection matching the filters, in the order they were added."""
        params = _query(q=q, domain=domain, tag=tag, limit=200)
        return await self._client.collect("/collection/goals", Goal, params=params)

    async def get(self, goal_id: str) -> Goal:
        return await self._client.request_model("GET", f"/collection/goals/{_segment(goal_id)}", Goal)

    async def create(
        self,
        text: str | None = None,
        *,
        catalogue_id: str | None = None,
        language: str | None = None,
        domain: str | None = None,
        tags: builtins.list[str] | tuple[str, ...] = (),
        learner_ids: builtins.list[str] | tuple[str, ...] = (),
        condition: str | None = None,
        behaviour: str | None = None,
        criterion: str | None = None,
        measure: str | None = None,
        idempotency_key: str | None = None,
    ) -> Goal:
        """Add a goal (or get the same one back). With ``idempotency_key`` the request is safely retried:
        the server answers the goal created by the first attempt that reached it."""
        body = GoalCreate(
            text=text,
            catalogue_id=catalogue_id,
            language=language,
            domain=domain,
            tags=list(tags),
            learner_ids=list(learner_ids),
            condition=condition,
            behaviour=behaviour,
            criterion=criterion,
            measure=measure,
        )
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return await self._client.request_model(
            "POST", "/collection/goals", Goal, json=body, headers=headers, idempotent=idempotency_key is not None
        )

    async def update(self, goal_id: str, version: int, **changes: Any) -> Goal:
        """Change the given fields of the goal read at ``version``; ``Conflict`` when it changed since."""
        return await self._client.request_model(
            "PATCH", f"/collection/goals/{_segment(goal_id)}", Goal, json=changes, headers=_if_match(version)
        )

    async def delete(self, goal_id: str, version: int) -> None:
        """Delete the goal read at ``version``; ``restore`` undoes it for 10 minutes."""
        await self._client.request("DELETE", f"/collection/goals/{_segment(goal_id)}", headers=_if_match(version))

    async def restore(self, goal_id: str) -> Goal:
        return await self._client.request_model("POST", f"/collection/goals/{_segment(goal_id)}/restore", Goal)

    async def export(self, format: str = "json") -> bytes:
        """The collection as an exchange-format file (``json`` or ``csv``)."""
        response = await self._client.request("GET", "/collection/export", params={"format": format})
        return response.content

    async def import_file(self, content: bytes, format: str = "json", *, dry_run: bool = False) -> ImportReport:
        """Import an exchange-format file; a refused row raises ``ValidationFailed`` (errors ``"<row>.<field>"``)."""
        media_type = "text/csv" if format == "csv" else "application/json"
        return await self._client.request_model(
            "POST",
            "/collection/import",
            ImportReport,
            content=content,
            content_type=media_type,
            params={"dry_run": "true"} if dry_run else None,
        )


class Learners(_Resource):
    """« Élèves »: learners by first name only, and their sub-collections."""

    async def list(self) -> builtins.list[Learner]:
        return await self._client.collect("/learners", Learner, params={"limit": 200})

    async def get(self, learner_id: str) -> Learner:
        return await self._client.request_model("GET", f"/learners/{_segment(learner_id)}", Learner)

    async def create(self, first_name: str, idempotency_key: str | None = None) -> Learner:
        """Add a learner; the server adds a digit when the name is taken (« Léa 2 »)."""
        return await self._client.request_model(
            "POST", "/learners", Learner, json=LearnerCreate(first_name=first_name), headers=_keyed(idempotency_key)
        )

    async def rename(self, learner_id: str, version: int, first_name: str) -> Learner:
        return await self._client.request_model(
            "PATCH",
            f"/learners/{_segment(learner_id)}",
            Learner,
            json=LearnerPatch(first_name=first_name),
            headers=_if_match(version),
        )

    async def delete(self, learner_id: str, version: int) -> None:
        """Delete the learner and their sub-collection (the goals stay in the collection)."""
        await self._client.request("DELETE", f"/learners/{_segment(learner_id)}", headers=_if_match(version))

    async def goals(self, learner_id: str) -> builtins.list[LearnerGoal]:
        """The learner's sub-collection, texts with the first name filled in."""
        return await self._client.collect(
            f"/learners/{_segment(learner_id)}/goals", LearnerGoal, params={"limit": 200}
        )

    async def file(self, learner_id: str, goal_id: str) -> LearnerGoal:
        """File a goal of the collection under the learner."""
        return await self._client.request_model(
            "POST", f"/learners/{_segment(learner_id)}/goals", LearnerGoal, json=LearnerGoalLink(goal_id=goal_id)
        )

    async def unfile(self, learner_id: str, goal_id: str) -> None:
        await self._client.request("DELETE", f"/learners/{_segment(learner_id)}/goals/{_segment(goal_id)}")


def _changes(model: BaseModel) -> dict[str, Any]:
    """The fields set on ``model`` as JSON values, ``None`` included (it clears an optional field)."""
    return model.model_dump(mode="json", exclude_unset=True)


class Plans(_Resource):
    """Plans d'intervention and transition annexes: the plan, its objectives, progress, reviews, exports."""

    def _path(self, plan_id: str, *rest: str) -> str:
        return "/".join([f"/plans/{_segment(plan_id)}", *(_segment(part) for part in rest)])

    async def list(self, *, learner_id: str | None = None, state: str | None = None) -> builtins.list[Plan]:
        return await self._client.collect(
            "/plans", Plan, params=_query(learner_id=learner_id, state=state, limit=200)
        )

    async def get(self, plan_id: str) -> Plan:
        return await self._client.request_model("GET", self._path(plan_id), Plan)

    async def document(self, plan_id: str) -> PlanDocument:
        """The plan with its objectives, their progress and the reviews, in one answer."""
        return await self._client.request_model("GET", self._path(plan_id, "document"), PlanDocument)

    async def create(self, body: PlanCreate, idempotency_key: str | None = None) -> Plan:
        return await self._client.request_model("POST", "/plans", Plan, json=body, headers=_keyed(idempotency_key))

    async def update(self, plan_id: str, version: int, changes: PlanPatch) -> Plan:
        return await self._client.request_model(
            "PATCH", self._path(plan_id), Plan, json=_changes(changes), headers=_if_match(version)
        )

    async def delete(self, plan_id: str, version: int) -> None:
        await self._client.request("DELETE", self._path(plan_id), headers=_if_match(version))

    async def goals(self, plan_id: str) -> builtins.list[PlanGoal]:
        return await self._client.collect(self._path(plan_id, "goals"), PlanGoal, params={"limit": 200})

    async def add_goal(self, plan_id: str, body: PlanGoalCreate, idempotency_key: str | None = None) -> PlanGoal:
        return await self._client.request_model(
            "POST", self._path(plan_id, "goals"), PlanGoal, json=body, headers=_keyed(idempotency_key)
        )

    async def get_goal(self, plan_id: str, plan_goal_id: str) -> PlanGoal:
        return await self._client.request_model("GET", self._path(plan_id, "goals", plan_goal_id), PlanGoal)

    async def update_goal(self, plan_id: str, plan_goal_id: str, version: int, changes: PlanGoalPatch) -> PlanGoal:
        return await self._client.request_model(
            "PATCH",
            self._path(plan_id, "goals", plan_goal_id),
            PlanGoal,
            json=_changes(changes),
            headers=_if_match(version),
        )

    async def remove_goal(self, plan_id: str, plan_goal_id: str, version: int) -> None:
        await self._client.request(
            "DELETE", self._path(plan_id, "goals", plan_goal_id), headers=_if_match(version)
        )

    async def history(self, plan_id: str, plan_goal_id: str) -> ObjectiveHistory:
        """The objective across reviews and years: every plan it was in, its progress and decisions."""
        return await self._client.request_model(
            "GET", self._path(plan_id, "goals", plan_goal_id, "history"), ObjectiveHistory
        )

    async def progress(self, plan_id: str, plan_goal_id: str | None = None) -> builtins.list[ProgressEntry]:
        return await self._client.collect(
            self._path(plan_id, "progress"), ProgressEntry, params=_query(plan_goal_id=plan_goal_id, limit=200)
        )

    async def add_progress(
        self, plan_id: str, body: ProgressEntryCreate, idempotency_key: str | None = None
    ) -> ProgressEntry:
        return await self._client.request_model(
            "POST", self._path(plan_id, "progress"), ProgressEntry, json=body, headers=_keyed(idempotency_key)
        )

    async def remove_progress(self, plan_id: str, entry_id: str) -> None:
        await self._client.request("DELETE", self._path(plan_id, "progress", entry_id))

    async def reviews(self, plan_id: str) -> builtins.list[Review]:
        return await self._client.collect(self._path(plan_id, "reviews"), Review, params={"limit": 200})

    async def review(
        self, plan_id: str, version: int, body: ReviewCreate, idempotency_key: str | None = None
    ) -> Review:
        """Record a review (one decision per active objective); its snapshot is kept as the plan stood."""
        return await self._client.request_model(
            "POST",
            self._path(plan_id, "reviews"),
            Review,
            json=body,
            headers=_keyed(idempotency_key, _if_match(version)),
        )

    async def snapshot(self, plan_id: str, review_id: str) -> PlanSnapshot:
        return await self._client.request_model(
            "GET", self._path(plan_id, "reviews", review_id), PlanSnapshot
        )

    async def renew(
        self, plan_id: str, version: int, body: PlanRenewal | None = None, idempotency_key: str | None = None
    ) -> Plan:
        """« Reconduire le plan »: next year's plan, the objectives still active keeping their identity."""
        return await self._client.request_model(
            "POST",
            self._path(plan_id, "renewal"),
            Plan,
            json=body or PlanRenewal(),
            headers=_keyed(idempotency_key, _if_match(version)),
        )

    async def export(
        self,
        plan_id: str,
        destination: Path,
        format: PlanExportFormat | str = PlanExportFormat.PDF,
        *,
        review_id: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        """Save the plan (or one review's snapshot) as PDF, DOCX or Markdown at ``destination``; answers the size."""
        from urllib.parse import urlencode

        parts = ("reviews", review_id, "export") if review_id else ("export",)
        query = urlencode({"format": str(PlanExportFormat(format))})
        return await self._client.download(f"{self._path(plan_id, *parts)}?{query}", destination, on_progress)


def _segment(value: str) -> str:
    """A path segment from an id, so that no id can change the path."""
    from urllib.parse import quote

    return quote(value, safe="")


class BanqoClient:
    """An async client of one BanqO API server.

    ``base_url`` is the server's root (``https://banqo.example.org``); ``transport`` lets the embedded
    default run the API in-process (``httpx.ASGITransport``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        language: str = "fr-CA",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retries: int = 2,
        retry_backoff: float = 0.3,
        max_retry_wait: float = 5.0,
    ) -> None:
        self.token = token
        self.language = language
        #: The server's calendar for plans (an IANA zone, from the résumé; see ``banqo_tui.server_calendar``);
        #: None until known.
        self.time_zone: str | None = None
        self.retries = retries
        self.retry_backoff = retry_backoff
        #: The longest ``Retry-After`` a retry waits for; a server asking for longer gets the error at once.
        self.max_retry_wait = max_retry_wait
        #: The server's root, for what it serves outside the API (the sandbox processor).
        self.root_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + API_PREFIX,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"banqo-tui/{__version__}", "Accept": "application/json"},
        )
        self.accounts = Accounts(self)
        self.sessions = Sessions(self)
        self.me = Me(self)
        self.catalogue = Catalogue(self)
        self.collection = Collection(self)
        self.learners = Learners(self)
        self.password_resets = PasswordResets(self)
        self.support = Support(self)
        self.subscription = Subscriptions(self)
        self.payment_method = PaymentMethods(self)
        self.invoices = Invoices(self)
        self.sandbox = SandboxProcessor(self)
        self.plans = Plans(self)

    async def __aenter__(self) -> BanqoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> Health:
        """The server's health; also a cheap reachability check."""
        return await self.request_model("GET", "/health", Health)

    async def today(self) -> date:
        """Today by the server's calendar for plans (reviews due, overdue). The résumé says the server's time
        zone; a client that has not read it yet (a single command of the line mode) reads it first, or a
        teacher on a machine kept in UTC would read « en retard » for a review due today in Montréal."""
        if self.time_zone is None:
            await self.me.summary()
        return server_calendar.today(self.time_zone)

    # --- plumbing ---------------------------------------------------------------------------

    def _headers(self, extra: dict[str, str] | None, *, authenticated: bool = True) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.token and authenticated:
            headers["Authorization"] = f"Bearer {self.token}"
        if extra:
            headers.update(extra)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: BaseModel | dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send one request; return the successful answer or raise the matching error.

        Idempotent methods are retried on connection failures and 502/503/504 (waiting what ``Retry-After``
        asks, up to ``max_retry_wait``); a PATCH only with ``If-Match``, a POST only with an ``Idempotency-Key``
        (or when ``idempotent`` says the server will recognise the repeat).
        """
        all_headers = self._headers(headers, authenticated=authenticated)
        if content is not None and content_type:
            all_headers["Content-Type"] = content_type
        if json is not None:
            if isinstance(json, BaseModel):
                content = json.model_dump_json(exclude_none=True).encode()
            else:
                import json as jsonlib

                content = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        if idempotent is None:
            idempotent = _safe_to_repeat(method, all_headers)
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.request(
                    method, path, content=content, params=params, headers=all_headers
                )
            except httpx.TimeoutException as exc:
                if last:
                    raise errors.ServerUnreachable(_timeout_message()) from exc
            except httpx.TransportError as exc:
                if last:
                    raise errors.ServerUnreachable(_unreachable_message()) from exc
            else:
                wait = self._retry_wait(response, attempt) if not last else None
                if wait is not None:
                    await asyncio.sleep(wait)
                    continue
                if response.is_error:
                    raise error_for(response)
                return response
            await asyncio.sleep(self.retry_backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before sending again after ``response``, or None not to send again."""
        if response.status_code not in RETRY_STATUSES:
            return None
        backoff = self.retry_backoff * (2**attempt)
        asked = _retry_after(response, None) if response.status_code == 503 else None
        if asked is None:
            return backoff
        if asked > self.max_retry_wait:
            return None  # longer than a person should wait in front of a frozen screen: say it now
        return max(float(asked), backoff)

    async def request_model(self, method: str, path: str, model: type[M], **kwargs: Any) -> M:
        response = await self.request(method, path, **kwargs)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.ProtocolError(_protocol_message()) from exc

    async def download(
        self, path: str, destination: Path, on_progress: ProgressCallback | None = None
    ) -> int:
        """Stream a GET answer into ``destination``; ``on_progress(done, total)`` as bytes arrive (``total``
        is None when the server does not say). Written beside it first, then renamed: never half a file."""
        import os
        import tempfile

        destination = Path(destination)
        folder = destination.parent
        headers = self._headers({"Accept": "*/*"})
        try:
            async with self._http.stream("GET", path, headers=headers) as response:
                if response.is_error:
                    await response.aread()
                    raise error_for(response)
                total_text = response.headers.get("Content-Length")
                total = int(total_text) if total_text and total_text.isdigit() else None
                handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=folder)
                done = 0
                try:
                    with os.fdopen(handle, "wb") as file:
                        async for chunk in response.aiter_bytes():
                            file.write(chunk)
                            done += len(chunk)
                            if on_progress is not None:
                                on_progress(done, total)
                    os.replace(temporary, destination)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
                return done
        except httpx.TimeoutException as exc:
            raise errors.ServerUnreachable(_timeout_message()) from exc
        except httpx.TransportError as exc:
            raise errors.ServerUnreachable(_unreachable_message()) from exc

    async def collect(self, path: str, item: type[M], *, params: dict[str, Any] | None = None,
                      max_pages: int = 1000) -> list[M]:
        """Every item of a paged list, following ``next_cursor`` (bounded)."""
        adapter = TypeAdapter(Page[item])  # type: ignore[valid-type]
        query = dict(params or {})
        items: list[M] = []
        for _page in range(max_pages):
            response = await self.request("GET", path, params=query)
            try:
                page = adapter.validate_json(response.content)
            except ValidationError as exc:
                raise errors.ProtocolError(_protocol_message()) from exc
            items.extend(page.items)
            if not page.next_cursor:
                break
            query["cursor"] = page.next_cursor
        return items


def _safe_to_repeat(method: str, headers: dict[str, str]) -> bool:
    """Whether sending the request twice cannot do its work twice."""
    method = method.upper()
    if method in IDEMPOTENT_METHODS:
        return True
    names = {name.lower() for name in headers}
    return (method == "PATCH" and "if-match" in names) or (method == "POST" and "idempotency-key" in names)


def _unavailable_message() -> str:
    return _("Le serveur BanqO est momentanément indisponible. Réessayez dans quelques instants.")


def _unreachable_message() -> str:
    return _("Le serveur BanqO est injoignable. Vérifiez la connexion et réessayez.")


def _timeout_message() -> str:
    return _("Le serveur BanqO n'a pas répondu à temps. Réessayez.")


def _protocol_message() -> str:
    return _("La réponse du serveur n'est pas celle qu'attend BanqO : s'agit-il bien d'un serveur BanqO?")
