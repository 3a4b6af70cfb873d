"""The profile photo through the API: what is refused, and that what is kept carries no metadata."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image

PHOTO_PATH = "/api/v1/me/profile/photo"
RED, BLUE = (220, 20, 20), (20, 20, 220)


def put_photo(bank: Any, data: bytes, content_type: str = "application/octet-stream", **headers: str) -> Any:
    return bank.api.client.put(
        PHOTO_PATH, content=data, headers={**bank.headers, "Content-Type": content_type, **headers}
    )


def stored_photo(bank: Any) -> bytes:
    answer = bank.get("/me/profile/photo")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "private, no-store"
    return answer.content


def photo_files(settings: Any) -> list[Path]:
    folder = settings.photos_dir
    return sorted(folder.iterdir()) if folder.exists() else []


def encoded(image: Image.Image, format: str, **options: Any) -> bytes:
    output = io.BytesIO()
    image.save(output, format, **options)
    return output.getvalue()


def camera_jpeg() -> bytes:
    """A 1200×800 photo as a phone takes it: held upright (EXIF orientation 6, the pixels lying on their side:
    red on the left, blue on the right), with its GPS position, camera and date."""
    image = Image.new("RGB", (1200, 800), BLUE)
    image.paste(RED, (0, 0, 600, 800))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X-42"  # Model
    exif[0x0132] = "2026:10:31 09:15:00"  # DateTime
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    gps = exif.get_ifd(0x8825)
    gps[0x01], gps[0x02] = "N", (45.0, 30.0, 12.5)  # latitude
    gps[0x03], gps[0x04] = "W", (73.0, 35.0, 1.0)  # longitude
    gps[0x1B] = b"ASCII\x00\x00\x00GPS"  # processing method
    return encoded(image, "JPEG", exif=exif, quality=95)


def close_to(pixel: Any, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_a_camera_photo_is_kept_without_any_metadata_upright_and_small(bank, settings):
    raw = camera_jpeg()
    assert b"Exif" in raw and b"GPS" in raw and b"PhoneMaker" in raw
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the position is really there

    answer = put_photo(bank, raw, "image/jpeg")
    assert answer.status_code == 200, answer.text
    info = answer.json()["photo"]
    assert (info["content_type"], info["width"], info["height"]) == ("image/jpeg", 341, 512)
    assert answer.json()["version"] == 2
    assert answer.headers["etag"] == '"2"'

    data = stored_photo(bank)
    assert info["size"] == len(data)
    for secret in (b"Exif", b"GPS", b"PhoneMaker", b"Model X-42", b"2026:10:31", b"ICC_PROFILE"):
        assert secret not in data, secret
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "icc_profile" not in image.info and "comment" not in image.info
    assert image.size == (341, 512) and max(image.size) <= 512
    # Upright as it was held: what was on the left is now at the top.
    assert close_to(image.getpixel((170, 20)), RED)
    assert close_to(image.getpixel((170, 490)), BLUE)
    assert "photo_changed" in [entry["kind"] for entry in bank.get("/me/summary").json()["recent_activity"]]


def test_refused_uploads_say_why_and_leave_the_previous_photo(bank, settings, tmp_path):
    assert put_photo(bank, camera_jpeg(), "image/jpeg").status_code == 200
    before = stored_photo(bank)
    profile_before = bank.get("/me/profile").json()
    files_before = photo_files(settings)

    huge = encoded(Image.new("1", (10_000, 6_000)), "PNG")  # 60 megapixels, a few kilobytes
    text_file = tmp_path / "vacances.jpg"
    text_file.write_text("Ceci n'est pas une photo.\n" * 20, encoding="utf-8")
    heavy = b"\xff\xd8\xff\xe0" + bytes(6_000_000)  # 6 MB

    refusals = [
        (put_photo(bank, huge, "image/png"), 422, "Cette image compte 60 mégapixels : 40 mégapixels au plus."),
        (
            put_photo(bank, text_file.read_bytes(), "image/jpeg"),
            422,
            "Ce fichier n'est pas une image JPEG, PNG ou WebP.",
        ),
        (put_photo(bank, heavy, "image/jpeg"), 413, "Le contenu dépasse la taille permise (5 Mo)."),
    ]
    for answer, status, message in refusals:
        assert answer.status_code == status, answer.text
        assert answer.json()["errors"] == {"photo": [message]}
        assert stored_photo(bank) == before
        assert bank.get("/me/profile").json() == profile_before
        assert photo_files(settings) == files_before


def test_a_body_read_as_a_stream_is_stopped_past_the_limit(bank):
    def chunks():  # no Content-Length: the server counts what arrives
        for _ in range(7):
            yield bytes(1_000_000)

    answer = bank.api.client.put(
        PHOTO_PATH, content=chunks(), headers={**bank.headers, "Content-Type": "image/jpeg"}
    )
    assert answer.status_code == 413
    assert list(answer.json()["errors"]) == ["photo"]


def test_a_damaged_image_is_refused(bank):
    broken = camera_jpeg()[:3000]
    answer = put_photo(bank, broken, "image/jpeg")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "photo": ["Cette image est endommagée ou incomplète : elle ne peut pas être lue."]
    }
    assert bank.get("/me/profile/photo").status_code == 404


def test_other_image_formats_are_refused_whatever_their_content_type(bank):
    gif = encoded(Image.new("RGB", (40, 40), RED), "GIF")
    answer = put_photo(bank, gif, "image/png")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"photo": ["Ce fichier n'est pas une image JPEG, PNG ou WebP."]}


def test_a_transparent_png_is_laid_on_white(bank):
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    image.paste((*BLUE, 255), (0, 0, 150, 200))
    answer = put_photo(bank, encoded(image, "PNG"))
    assert answer.status_code == 200, answer.text
    assert (answer.json()["photo"]["width"], answer.json()["photo"]["height"]) == (300, 200)
    kept = Image.open(io.BytesIO(stored_photo(bank)))
    assert kept.mode == "RGB"
    assert close_to(kept.getpixel((50, 100)), BLUE)
    assert close_to(kept.getpixel((250, 100)), (255, 255, 255), tolerance=3)


def test_a_webp_image_is_accepted_and_scaled_down(bank):
    answer = put_photo(bank, encoded(Image.new("RGB", (1000, 400), RED), "WEBP"), "image/webp")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["photo"]["width"], answer.json()["photo"]["height"]) == (512, 205)
    assert Image.open(io.BytesIO(stored_photo(bank))).format == "JPEG"


def test_stored_files_have_random_names_and_the_previous_one_is_deleted(bank, settings):
    named = {"Content-Disposition": 'attachment; filename="lea-tremblay.png"'}
    first = put_photo(bank, encoded(Image.new("RGB", (64, 64), RED), "PNG"), "image/png", **named)
    assert first.status_code == 200
    [stored] = photo_files(settings)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", stored.name)
    assert "lea" not in stored.name
    second = put_photo(bank, encoded(Image.new("RGB", (64, 64), BLUE), "JPEG"))
    assert second.status_code == 200
    [replaced] = photo_files(settings)
    assert replaced.name != stored.name
    assert not stored.exists()
    assert second.json()["version"] == 3
    assert replaced.read_bytes() == stored_photo(bank)


def test_deleting_the_photo_removes_its_file(bank, settings):
    assert bank.delete("/me/profile/photo").status_code == 404
    assert put_photo(bank, camera_jpeg()).status_code == 200
    [stored] = photo_files(settings)
    answer = bank.delete("/me/profile/photo")
    assert answer.status_code == 204
    assert not stored.exists()
    assert photo_files(settings) == []
    assert bank.get("/me/profile/photo").status_code == 404
    profile = bank.get("/me/profile").json()
    assert (profile["photo"], profile["version"]) == (None, 3)
    kinds = [entry["kind"] for entry in bank.get("/me/summary").json()["recent_activity"]]
    assert "photo_removed" in kinds
    assert bank.delete("/me/profile/photo").status_code == 404


def test_another_account_cannot_see_the_photo(make_bank):
    lea = make_bank()
    marc = make_bank("marc@example.org")
    assert put_photo(lea, camera_jpeg()).status_code == 200
    assert marc.get("/me/profile/photo").status_code == 404
    assert marc.get("/me/profile").json()["photo"] is None
    assert marc.delete("/me/profile/photo").status_code == 404
    assert stored_photo(lea)


def test_the_photo_needs_a_session(api):
    assert api.client.put(PHOTO_PATH, content=camera_jpeg()).status_code == 401
    assert api.get("/me/profile/photo").status_code == 401
    assert api.delete("/me/profile/photo").status_code == 401


def test_a_photo_the_disk_cannot_take_is_refused_and_nothing_changes(bank, settings):
    settings.photos_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.photos_dir.write_text("not a folder")  # the disk refuses every write there
    answer = put_photo(bank, camera_jpeg())
    assert answer.status_code == 507
    assert answer.json()["detail"] == "Le serveur n'a pas pu enregistrer la photo. Réessayez plus tard."
    profile = bank.get("/me/profile").json()
    assert (profile["photo"], profile["version"]) == (None, 1)


def test_refusals_name_the_photo_field_in_english(bank):
    english = {"Accept-Language": "en-CA"}
    for data, status in (
        (b"plain text", 422),
        (encoded(Image.new("1", (10_000, 6_000)), "PNG"), 422),
        (bytes(6_000_000), 413),
    ):
        answer = put_photo(bank, data, "image/jpeg", **english)
        assert answer.status_code == status
        assert answer.headers["content-language"] == "en-CA"
        assert list(answer.json()["errors"]) == ["photo"]
