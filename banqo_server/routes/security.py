"""Security: ``/me/password``, ``/me/totp``, ``/password-resets``."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Response

from banqo_server.deps import ApiRoute, ClientAddress, CurrentSession, DbSession, PasswordsDep, SettingsDep
from banqo_server.problems import responses
from banqo_server.services import mail, password_resets, security
from banqo_tui.api.models import (
    Accepted,
    PasswordChange,
    PasswordChanged,
    PasswordConfirm,
    PasswordResetConfirm,
    PasswordResetRequest,
    TotpConfirm,
    TotpEnabled,
    TotpSetup,
)

router = APIRouter(tags=["security"], route_class=ApiRoute)


@router.put(
    "/me/password",
    response_model=PasswordChanged,
    summary="Change my password",
    responses=responses(401, 422, 429),
)
def change_password(
    body: PasswordChange,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    background: BackgroundTasks,
) -> PasswordChanged:
    """Replace the password, given the current one (a wrong one is 422 on `current_password` and counts as a
    failed sign-in). Every other session of the account ends; the caller's stays. A notice is mailed to the
    account when the server sends mail."""
    ended = security.change_password(
        db,
        settings,
        passwords,
        current,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    if mail.mail_configured(settings):
        background.add_task(security.send_password_changed_notice, settings, security.notice_of(current.account))
    return PasswordChanged(sessions_ended=ended)


@router.post(
    "/me/totp/setup",
    response_model=TotpSetup,
    summary="Start setting up two-factor sign-in",
    responses=responses(401, 409),
)
def totp_setup(current: CurrentSession, db: DbSession, settings: SettingsDep) -> TotpSetup:
    """A new secret for an authenticator app (as text and as an `otpauth://` URI for a QR code). It is not in
    force until a first code confirms it (`POST /me/totp`); a new setup replaces one not confirmed.
    409 when two-factor sign-in is already on."""
    secret, uri = security.start_totp(db, settings, current.account_id)
    return TotpSetup(secret=secret, uri=uri)


@router.post(
    "/me/totp",
    response_model=TotpEnabled,
    status_code=201,
    summary="Turn two-factor sign-in on",
    responses=responses(401, 409, 422),
)
def totp_enable(body: TotpConfirm, current: CurrentSession, db: DbSession, settings: SettingsDep) -> TotpEnabled:
    """Confirm the secret of the setup with a code of the app (422 on `code` when wrong). The answer holds ten
    one-time recovery codes, shown this once: any earlier ones no longer work."""
    codes = security.enable_totp(db, settings, current.account_id, body.code, current.device)
    return TotpEnabled(recovery_codes=codes)


@router.delete(
    "/me/totp",
    status_code=204,
    summary="Turn two-factor sign-in off",
    responses=responses(401, 409, 422, 429),
)
def totp_disable(
    body: PasswordConfirm,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> Response:
    """Turn two-factor sign-in off with the account's password (422 on `password` when wrong, counted as a
    failed sign-in); the recovery codes are deleted. 409 when it is not on."""
    security.disable_totp(db, settings, passwords, current.account_id, body.password, current.device)
    return Response(status_code=204)


@router.post(
    "/password-resets",
    response_model=Accepted,
    status_code=202,
    summary="Ask for a forgotten-password code",
    responses=responses(422, 429, 503),
)
def request_password_reset(
    body: PasswordResetRequest,
    db: DbSession,
    settings: SettingsDep,
    address: ClientAddress,
    background: BackgroundTasks,
) -> Accepted:
    """Mail a single-use code (valid 30 minutes by default) to the account of `email`. The answer is the same
    whether or not an account has this address. 503 when the server sends no mail; 429 (on `email`) past the
    limit of requests per address typed or per client."""
    message = password_resets.request_reset(db, settings, email=body.email, address=address)
    if message is not None:
        background.add_task(password_resets.send_reset_mail, settings, message)
    return Accepted(detail=password_resets.accepted_detail(settings))


@router.post(
    "/password-resets/{code}",
    status_code=204,
    summary="Choose a new password with the mailed code",
    responses=responses(422, 429),
)
def confirm_password_reset(
    code: Annotated[str, Path(max_length=64, description="The mailed code; case, spaces and hyphens ignored")],
    body: PasswordResetConfirm,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    address: ClientAddress,
) -> Response:
    """Set `new_password` with the code (422 on `code` when unknown, used or expired; wrong codes are counted
    per client, 429 past the limit). The code works once; every session of the account ends."""
    password_resets.confirm_reset(
        db, settings, passwords, code=code, new_password=body.new_password, address=address
    )
    return Response(status_code=204)
