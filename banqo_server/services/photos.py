"""Profile photos: recognised by their content, re-encoded without any metadata, kept under random names.

An upload is a JPEG, PNG or WebP image (whatever its name or ``Content-Type`` says) of at most
``PHOTO_MAX_BYTES`` and ``PHOTO_MAX_PIXELS`` (checked from its header, before it is decoded). What is kept
is a new JPEG drawn from its pixels only: turned upright by its EXIF orientation, transparency laid on white,
scaled down to fit ``PHOTO_MAX_SIDE`` × ``PHOTO_MAX_SIDE``, with no EXIF (no GPS position, no camera), no
colour profile and no comment. It is written beside its final name and renamed: never half a file.
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
import struct
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from banqo_server.i18n import _, current_language
from banqo_server.models import Account
from banqo_server.services import activity
from banqo_server.services.errors import InvalidInput, NotFound, StorageFailed
from banqo_server.settings import Settings
from banqo_tui.api.models import PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, ActivityKind

CONTENT_TYPE = "image/jpeg"
FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
#: A stored photo's name is a plain file name (``write`` makes 32 hex digits): anything else, such as a path,
#: is never opened nor removed.
NAME_SHAPE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*\.jpg$")
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
# What Pillow raises on a damaged or truncated image, as it decodes it.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)

logger = logging.getLogger("banqo_server")


@dataclass(frozen=True)
class EncodedPhoto:
    data: bytes
    width: int
    height: int


def _refused(message: str) -> InvalidInput:
    return InvalidInput({"photo": [message]})


def _megapixels(pixels: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(round(pixels / 1_000_000, 1), format="#,##0.#", locale=current_language())


def _too_many_pixels(pixels: int | None) -> InvalidInput:
    limit = _megapixels(PHOTO_MAX_PIXELS)
    if pixels is None:
        return _refused(_("Cette image compte trop de pixels : {limit} mégapixels au plus.").format(limit=limit))
    return _refused(
        _("Cette image compte {count} mégapixels : {limit} mégapixels au plus.").format(
            count=_megapixels(pixels), limit=limit
        )
    )


def _not_an_image() -> InvalidInput:
    return _refused(_("Ce fichier n'est pas une image JPEG, PNG ou WebP."))


def _damaged() -> InvalidInput:
    return _refused(_("Cette image est endommagée ou incomplète : elle ne peut pas être lue."))


def _flattened(image: Image.Image) -> Image.Image:
    """``image`` in RGB, transparent parts laid on white; a new image that carries none of the original's info."""
    has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode in {"I", "I;16", "I;16B", "I;16L", "F"}:
        # 16-bit greys: scale to 8 bits before colour (a plain conversion would clip them to white).
        extrema = image.getextrema()
        high = extrema[1] if isinstance(extrema[1], int | float) else 0
        factor = 1 / 257 if high > 255 else 1.0
        flat = image.convert("I").point(lambda value: value * factor).convert("L").convert("RGB")
    else:
        flat = image.convert("RGB")
    # Only the pixels go on: no EXIF, colour profile, comment or any other field of ``info``.
    return Image.frombytes("RGB", flat.size, flat.tobytes())


def encode(raw: bytes) -> EncodedPhoto:
    """The photo to keep, from an upload; ``InvalidInput`` on ``photo`` saying why when it is refused."""
    try:
        image = Image.open(io.BytesIO(raw), formats=FORMATS)
    except UnidentifiedImageError:
        raise _not_an_image() from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = _BOMB_PIXELS.search(str(exc))
        raise _too_many_pixels(int(found.group(1)) if found else None) from None
    except _DAMAGED:
        raise _damaged() from None
    with image:
        width, height = image.size
        if width * height > PHOTO_MAX_PIXELS:  # from the header: nothing decoded yet
            raise _too_many_pixels(width * height)
        try:
            if image.format == "JPEG":
                # Decode a large JPEG at a fraction of its size: it is scaled down anyway.
                image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            image.load()
            upright = ImageOps.exif_transpose(image)
            flat = _flattened(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(width * height) from None
        except _DAMAGED:
            raise _damaged() from None
    flat.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    flat.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"")
    return EncodedPhoto(output.getvalue(), flat.width, flat.height)


def _path(settings: Settings, name: str) -> Path:
    if not NAME_SHAPE.fullmatch(name):
        raise ValueError(f"not a photo name: {name!r}")
    return settings.photos_dir / name


def write(settings: Settings, data: bytes) -> str:
    """Store ``data`` under a new random name (written beside it, then renamed); ``StorageFailed`` when
    the disk refuses, with nothing left behind."""
    name = f"{secrets.token_hex(16)}.jpg"
    folder = settings.photos_dir
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, _path(settings, name))
        temporary = None
        _sync_folder(folder)
    except OSError as exc:
        logger.error("could not store a profile photo in %s: %s", folder, exc)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise StorageFailed() from exc
    return name


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where folders cannot be opened, the rename stands as it is."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(settings: Settings, name: str) -> bytes:
    """A stored photo's bytes; ``NotFound`` when the file is gone."""
    try:
        return _path(settings, name).read_bytes()
    except (FileNotFoundError, ValueError):
        raise NotFound() from None


def remove_file(settings: Settings, name: str | None) -> None:
    """Delete a stored photo's file, if there is one; a failure is logged, never raised."""
    if not name:
        return
    try:
        _path(settings, name).unlink(missing_ok=True)
    except (OSError, ValueError) as exc:
        logger.warning("could not remove the profile photo %s: %s", name, exc)


def replace(
    db: Session, settings: Settings, account: Account, raw: bytes, now: datetime, device: str | None = None
) -> Account:
    """Check, re-encode and store an upload as the account's photo, then delete the previous one. Commits.
    A refused upload changes nothing."""
    photo = encode(raw)
    name = write(settings, photo.data)
    try:
        db.refresh(account, with_for_update=True)  # two uploads at once: each sees the other's photo
        previous = account.photo_name
        account.photo_name = name
        account.photo_width, account.photo_height = photo.width, photo.height
        account.photo_size = len(photo.data)
        account.photo_updated_at = now
        account.version += 1
        activity.record(db, account.id, ActivityKind.PHOTO_CHANGED, now, device)
        db.commit()
    except BaseException:
        db.rollback()
        remove_file(settings, name)
        raise
    remove_file(settings, previous)
    return account


def remove(db: Session, settings: Settings, account: Account, now: datetime, device: str | None = None) -> None:
    """Take the account's photo away (``NotFound`` when it has none). Commits, then deletes the file."""
    db.refresh(account, with_for_update=True)
    name = account.photo_name
    if name is None:
        db.rollback()
        raise NotFound()
    account.photo_name = None
    account.photo_width = account.photo_height = account.photo_size = None
    account.photo_updated_at = None
    account.version += 1
    activity.record(db, account.id, ActivityKind.PHOTO_REMOVED, now, device)
    db.commit()
    remove_file(settings, name)
