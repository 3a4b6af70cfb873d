"""Profile and photo: ``/me/profile``, ``/me/profile/photo``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from banqo_server.deps import ApiRoute, CurrentSession, DbSession, IfMatch, PasswordsDep, SettingsDep
from banqo_server.models import Account
from banqo_server.problems import responses
from banqo_server.routes.views import with_etag
from banqo_server.services import photos, profile
from banqo_server.services.errors import NotFound, TooLarge
from banqo_tui.api.models import PHOTO_MAX_BYTES, PhotoInfo, PostalAddress, Profile, ProfilePatch

router = APIRouter(tags=["me"], route_class=ApiRoute)

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def profile_view(account: Account) -> Profile:
    photo = None
    if account.photo_name and account.photo_updated_at is not None:
        photo = PhotoInfo(
            content_type=photos.CONTENT_TYPE,
            width=account.photo_width or 0,
            height=account.photo_height or 0,
            size=account.photo_size or 0,
            updated_at=account.photo_updated_at,
        )
    return Profile(
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        phone=account.phone,
        address=PostalAddress(
            street=account.address_street,
            city=account.address_city,
            province=account.address_province,
            postal_code=account.address_postal_code,
        ),
        language=account.language,
        promotional_email=account.promotional_email,
        promotional_email_changed_at=account.promotional_email_changed_at,
        photo=photo,
        two_factor=account.totp_secret is not None,
        created_at=account.created_at,
        version=account.version,
    )



async def photo_body(request: Request) -> bytes:
    """The request's body, read as it arrives and refused (413) as soon as it passes ``PHOTO_MAX_BYTES``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > PHOTO_MAX_BYTES:
        raise TooLarge(PHOTO_MAX_BYTES, field="photo")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > PHOTO_MAX_BYTES:
            raise TooLarge(PHOTO_MAX_BYTES, field="photo")
        chunks.append(chunk)
    return b"".join(chunks)


PhotoBody = Annotated[bytes, Depends(photo_body)]


@router.get("/me/profile", response_model=Profile, summary="Read my profile", responses=responses(401))
def read_profile(response: Response, current: CurrentSession) -> Profile:
    """Contact details, language, promotional-email choice and photo, with the version in `ETag`."""
    return with_etag(response, profile_view(current.account))


@router.patch(
    "/me/profile",
    response_model=Profile,
    summary="Change my profile",
    responses=responses(401, 409, 412, 422, 428, 429),
)
def change_profile(
    body: ProfilePatch,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    if_match: IfMatch,
) -> Profile:
    """Change the fields sent; `If-Match` must name the version read (428 without it, 412 when stale).
    Changing `email` needs `current_password` (a wrong one counts as a failed sign-in). Refusals name the
    request field: `address.postal_code` for a part of the address."""
    account = profile.update(
        db,
        settings,
        passwords,
        current.account,
        body.model_dump(exclude_unset=True),
        if_match,
        device=current.device,
    )
    return with_etag(response, profile_view(account))


@router.put(
    "/me/profile/photo",
    response_model=Profile,
    summary="Set my profile photo",
    responses=responses(401, 413, 422, 507),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The image's bytes: JPEG, PNG or WebP (recognised by content), at most 5 MiB "
            "and 40 megapixels. Stored re-encoded as JPEG, at most 512×512, without any metadata.",
            "content": {
                "image/jpeg": _BINARY,
                "image/png": _BINARY,
                "image/webp": _BINARY,
                "application/octet-stream": _BINARY,
            },
        }
    },
)
def set_photo(
    current: CurrentSession,
    raw: PhotoBody,
    response: Response,
    db: DbSession,
    settings: SettingsDep,
) -> Profile:
    """Replace the photo; a refused upload (413, 422 on `photo`) leaves the previous one as it was."""
    account = photos.replace(db, settings, current.account, raw, settings.now(), current.device)
    return with_etag(response, profile_view(account))


@router.get(
    "/me/profile/photo",
    summary="My profile photo",
    response_class=Response,
    responses={
        200: {"description": "The photo as stored (JPEG)", "content": {"image/jpeg": _BINARY}},
        **responses(401, 404),
    },
)
def read_photo(current: CurrentSession, settings: SettingsDep) -> Response:
    """The photo as stored: a JPEG without metadata; 404 when there is none."""
    name = current.account.photo_name
    if name is None:
        raise NotFound()
    return Response(
        photos.read(settings, name),
        media_type=photos.CONTENT_TYPE,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.delete(
    "/me/profile/photo", status_code=204, summary="Remove my profile photo", responses=responses(401, 404)
)
def remove_photo(current: CurrentSession, db: DbSession, settings: SettingsDep) -> Response:
    """Take the photo away and delete its file; 404 when there is none."""
    photos.remove(db, settings, current.account, settings.now(), current.device)
    return Response(status_code=204)
