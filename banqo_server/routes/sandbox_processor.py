"""``/sandbox-processor/v1``: the sandbox processor's card entry, mounted beside the API (not under ``/api/v1``).

It stands for a real processor's own page: no BanqO sign-in, and the card number goes to the processor only.
The number is never logged nor put in an error message.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request

from banqo_server.deps import ApiRoute
from banqo_server.i18n import _
from banqo_server.payments.sandbox import (
    SandboxProcessor,
    UnknownSetupSession,
    brand_of,
    card_digits,
    cvc_length,
    expired,
    passes_luhn,
)
from banqo_server.problems import responses
from banqo_server.services.errors import InvalidInput, NotFound
from banqo_tui.api.models import SandboxCardEntry, SandboxToken

router = APIRouter(prefix="/sandbox-processor/v1", tags=["sandbox processor"], route_class=ApiRoute)

#: How far ahead an expiry may be: further is a typing mistake.
MAX_YEARS_AHEAD = 20


def _whole(value: int | str) -> int | None:
    """The entry as a whole number (digits only), or None."""
    if isinstance(value, int):
        return value
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _number(entry: SandboxCardEntry, errors: dict[str, list[str]]) -> tuple[str, str | None]:
    """The number's digits and brand; its error, if any, into ``errors``."""
    digits = card_digits(entry.number.strip())
    if not digits:
        errors["number"] = [_("Ce champ est obligatoire.")]
        return digits, None
    if not (digits.isascii() and digits.isdigit()) or not 13 <= len(digits) <= 19:
        errors["number"] = [_("Un numéro de carte compte de 13 à 19 chiffres (espaces et tirets permis).")]
        return digits, None
    if not passes_luhn(digits):
        errors["number"] = [_("Ce numéro de carte n'est pas valide.")]
        return digits, None
    brand = brand_of(digits)
    if brand is None:
        errors["number"] = [
            _("Ce numéro de carte n'est pas celui d'une carte Visa, Mastercard ou American Express acceptée.")
        ]
    return digits, brand


def _expiry(entry: SandboxCardEntry, now: datetime, errors: dict[str, list[str]]) -> tuple[int, int]:
    """The expiry month and four-digit year; their errors into ``errors``."""
    month = _whole(entry.exp_month)
    if str(entry.exp_month).strip() == "":
        errors["exp_month"] = [_("Ce champ est obligatoire.")]
    elif month is None or not 1 <= month <= 12:
        errors["exp_month"] = [_("Le mois d'expiration est un nombre de 1 à 12.")]
    year = _whole(entry.exp_year)
    raw_year = str(entry.exp_year).strip()
    if raw_year == "":
        errors["exp_year"] = [_("Ce champ est obligatoire.")]
    elif year is None or len(raw_year) not in (2, 4):
        errors["exp_year"] = [_("L'année d'expiration s'écrit en 2 ou 4 chiffres (26 ou 2026).")]
    else:
        year = 2000 + year if len(raw_year) == 2 else year
        if year > now.year + MAX_YEARS_AHEAD:
            errors["exp_year"] = [_("Cette année d'expiration est trop lointaine : vérifiez-la.")]
    if "exp_month" in errors or "exp_year" in errors or month is None or year is None:
        return 0, 0
    if expired(month, year, now):
        errors["exp_month"] = [_("Cette carte est expirée.")]
    return month, year


def _check_cvc(entry: SandboxCardEntry, brand: str | None, errors: dict[str, list[str]]) -> None:
    cvc = entry.cvc.strip()
    if not cvc:
        errors["cvc"] = [_("Ce champ est obligatoire.")]
        return
    well_formed = cvc.isascii() and cvc.isdigit()
    if brand is None:  # the number is already refused: accept either length rather than guess the brand
        if not (well_formed and len(cvc) in (3, 4)):
            errors["cvc"] = [_("Le code de sécurité compte 3 chiffres (4 pour American Express).")]
    elif not (well_formed and len(cvc) == cvc_length(brand)):
        if brand == "amex":
            errors["cvc"] = [_("Le code de sécurité d'une carte American Express compte 4 chiffres.")]
        else:
            errors["cvc"] = [_("Le code de sécurité compte 3 chiffres, au dos de la carte.")]


@router.post(
    "/setup-sessions/{session_id}/confirm",
    response_model=SandboxToken,
    status_code=201,
    summary="Enter a test card (sandbox processor)",
    responses=responses(404, 422),
)
def confirm_setup_session(session_id: str, body: SandboxCardEntry, request: Request) -> SandboxToken:
    """Complete a setup session of the `sandbox` processor with a test card; answers a single-use token for
    `PUT /api/v1/payment-method`. Every field's error is given at once. 404 when the session is unknown, has
    expired (30 minutes) or was already completed. No BanqO sign-in: this stands for the processor's own page."""
    processor: SandboxProcessor = request.app.state.processor
    now: datetime = request.app.state.settings.now()
    if not processor.setup_session_open(session_id, now):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    digits, brand = _number(body, errors)
    month, year = _expiry(body, now, errors)
    _check_cvc(body, brand, errors)
    if errors:
        raise InvalidInput(errors)
    try:
        token = processor.confirm(session_id, number=digits, exp_month=month, exp_year=year, now=now)
    except UnknownSetupSession:  # completed or expired since the check above
        raise NotFound() from None
    return SandboxToken(token=token)
