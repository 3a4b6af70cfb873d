"""« Mes paramètres », « Profil »: contact details saved as the server cleans them, refusals under their
fields with nothing typed lost, a change made elsewhere never overwritten silently, and the photo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from banqo_tui.widgets.field import Field
from banqo_tui.widgets.file_picker import FilePicker, FolderTree
from banqo_tui.widgets.picture import Picture
from tests.conftest import fill, small_file_system

from .conftest import PASSWORD, SIZE, settle
from .test_file_picker import wait_for
from .test_navigation import signed_up


def field(app: Any, field_id: str) -> Field:
    return app.screen.query_one(f"#{field_id}", Field)


async def retype(pilot: Any, field_id: str, text: str) -> None:
    """Empty a field and type ``text`` into it, key by key."""
    target = field(pilot.app, field_id)
    target.input.focus()
    await pilot.pause()
    target.value = ""
    for char in text:
        await pilot.press("space" if char == " " else char)
    await pilot.pause()


async def open_profile(pilot: Any) -> Any:
    app = await signed_up(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert app.screen.id == "settings-screen"
    await wait_for(pilot, lambda: field(app, "profile-first-name").value == "Camille")
    return app


def notices(app: Any, text: str) -> list[str]:
    return [entry.text for entry in app.messages.entries if text in entry.text]


def status_text(app: Any) -> str:
    status = app.screen.query_one("#profile-status")
    return str(status.render()) if status.display else ""


async def test_the_form_shows_the_profile_with_its_labels(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        labels = [found.label_text for found in app.screen.query("#profile-pane Field").results(Field)]
        assert labels == [
            "Prénom", "Nom", "Courriel", "Mot de passe actuel", "Téléphone", "Adresse", "Ville", "Province",
            "Code postal",
        ]
        assert field(app, "profile-email").value == "camille@example.org"
        assert field(app, "profile-current-password").input.password
        assert field(app, "profile-postal-code").input.placeholder == "H3W 2W8"
        province = field(app, "profile-province")
        assert province.value == ""
        options = [str(label) for label, _code in province.select._options]
        assert options[0] == "—" and len(options) == 14
        assert "Québec" in options and "Territoires du Nord-Ouest" in options
        assert app.screen.query_one(Picture).alternative == "Aucune photo de profil."


async def test_a_bad_postal_code_is_shown_under_it_and_everything_typed_stays(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        await retype(pilot, "profile-first-name", "Camille-Anne")
        await retype(pilot, "profile-phone", "514 814 7526")
        await retype(pilot, "profile-city", "Montréal")
        await retype(pilot, "profile-postal-code", "H3W 2W")
        await pilot.press("ctrl+s")
        await settle(pilot)
        postal = field(app, "profile-postal-code")
        assert postal.error_text == (
            "Erreur : Ce code postal n'est pas valide : il s'écrit comme « H3W 2W8 »."
        )
        assert app.focused is postal.input
        assert postal.value == "H3W 2W"
        assert field(app, "profile-first-name").value == "Camille-Anne"
        assert field(app, "profile-phone").value == "514 814 7526"
        assert field(app, "profile-city").value == "Montréal"
        assert field(app, "profile-first-name").error_text == ""
        # Nothing was saved.
        client = await app.api()
        profile = await client.me.profile()
        assert (profile.first_name, profile.phone, profile.address.city) == ("Camille", "", "")


async def test_the_cleaned_values_come_back_after_saving(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        await retype(pilot, "profile-phone", "(514) 814.7526 x12")
        await retype(pilot, "profile-street", "5000, rue   Clanranald")
        await retype(pilot, "profile-city", "Montréal")
        # The province by keyboard: open the list, type the first letters, Enter.
        province = field(app, "profile-province")
        province.focus_input()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("q", "u")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert province.value == "QC"
        await retype(pilot, "profile-postal-code", "h3w2w8")
        await pilot.press("enter")  # Enter in the last field saves
        await settle(pilot)
        assert field(app, "profile-postal-code").value == "H3W 2W8"
        assert field(app, "profile-phone").value == "514 814-7526, poste 12"
        assert field(app, "profile-street").value == "5000, rue Clanranald"
        assert notices(app, "Coordonnées enregistrées.")
        client = await app.api()
        profile = await client.me.profile()
        assert profile.address.postal_code == "H3W 2W8"
        assert profile.address.province == "QC"
        assert profile.phone == "514 814-7526, poste 12"


async def test_a_postal_code_of_another_province_and_a_bad_phone_are_both_explained(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        field(app, "profile-province").value = "AB"
        await retype(pilot, "profile-postal-code", "H3W 2W8")
        await retype(pilot, "profile-phone", "123")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Alberta" in field(app, "profile-postal-code").error_text
        assert field(app, "profile-phone").error_text.startswith("Erreur : Ce numéro de téléphone n'est pas valide")
        assert field(app, "profile-province").value == "AB"


async def test_a_new_email_needs_the_current_password(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        await retype(pilot, "profile-email", "camille.t@example.org")
        await pilot.press("ctrl+s")
        await settle(pilot)
        password = field(app, "profile-current-password")
        assert password.error_text == "Erreur : Entrez votre mot de passe actuel pour changer d'adresse courriel."
        assert app.focused is password.input
        assert field(app, "profile-email").value == "camille.t@example.org"

        await retype(pilot, "profile-current-password", "pas le bon")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert password.error_text == "Erreur : Mot de passe incorrect."

        await retype(pilot, "profile-current-password", PASSWORD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert password.error_text == ""
        assert password.value == ""  # never left on screen
        assert field(app, "profile-email").value == "camille.t@example.org"
        client = await app.api()
        assert (await client.me.profile()).email == "camille.t@example.org"


async def test_a_change_made_elsewhere_is_said_and_nothing_typed_is_lost(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        client = await app.api()
        loaded = await client.me.profile()
        await client.me.update_profile(loaded.version, phone="438 555 0101")  # « another device »

        await retype(pilot, "profile-city", "Laval")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "modifié ailleurs" in status_text(app)
        assert "Téléphone" in status_text(app)
        assert field(app, "profile-city").value == "Laval"
        assert field(app, "profile-phone").value == ""
        assert app.screen.query_one("#profile-reload").display
        assert (await client.me.profile()).address.city == ""  # nothing overwritten

        await pilot.press("ctrl+r")  # take the version saved elsewhere
        await settle(pilot)
        assert field(app, "profile-phone").value == "438 555-0101"
        assert field(app, "profile-city").value == ""
        assert status_text(app) == ""
        assert not app.screen.query_one("#profile-reload").display

        await retype(pilot, "profile-city", "Laval")
        await pilot.press("ctrl+s")
        await settle(pilot)
        current = await client.me.profile()
        assert (current.phone, current.address.city) == ("438 555-0101", "Laval")


async def test_saving_again_after_a_conflict_replaces_the_other_version_only_when_asked(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        client = await app.api()
        loaded = await client.me.profile()
        await client.me.update_profile(loaded.version, first_name="Camilla")
        await retype(pilot, "profile-first-name", "Camille-Anne")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (await client.me.profile()).first_name == "Camilla"
        await pilot.press("ctrl+s")  # the status said: Ctrl+S saves my version instead
        await settle(pilot)
        assert (await client.me.profile()).first_name == "Camille-Anne"
        assert status_text(app) == ""


@pytest.fixture
def photo_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    home = tmp_path / "home"
    (home / "Images").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))  # the picker starts in the home folder
    image = Image.new("RGB", (64, 32), (200, 30, 30))
    for x in range(64):
        for y in range(16, 32):
            image.putpixel((x, y), (20, 40, 220))
    png = home / "Images" / "moi.png"
    image.save(png)
    fake = home / "Images" / "pas-une-image.jpg"
    fake.write_text("Ceci n'est pas une image.", encoding="utf-8")
    return {"png": png, "fake": fake}


async def choose_photo(pilot: Any, path: Path) -> None:
    """Press P, paste ``path`` into the picker's field, Enter; wait for the upload to end."""
    app = pilot.app
    app.screen.query_one("#photo-choose").focus()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, FilePicker) and app.screen.query(FolderTree))
    picker_field = app.screen.query_one("#file-picker-path", Field)
    picker_field.value = ""
    picker_field.input.insert_text_at_cursor(str(path))
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.id == "settings-screen")
    await settle(pilot)


async def test_the_photo_is_drawn_refused_with_a_reason_and_removed(make_app, memory_keyring, photo_files):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        picture = app.screen.query_one("#profile-photo", Picture)
        assert not picture.drawn
        assert not app.screen.query_one("#photo-remove").display

        await choose_photo(pilot, photo_files["png"])
        assert picture.drawn
        lines = picture.cells.lines
        assert lines and all(set(line) == {"▀"} for line in lines)
        assert (len(lines[0]), len(lines)) == (24, 6)  # 64 × 32 pixels, proportions kept
        top, bottom = picture.blocks.rows[0][0][0], picture.blocks.rows[-1][0][1]
        assert top[0] > 150 and top[2] < 90  # red above
        assert bottom[2] > 150 and bottom[0] < 90  # blue below
        assert picture.alternative == "Photo de profil : 64 × 32 pixels, changée le 2 nov. 2026"
        assert str(picture.alternative_line.render()) == picture.alternative
        assert notices(app, "Photo de profil changée.")
        assert app.screen.query_one("#photo-remove").display
        client = await app.api()
        assert (await client.me.profile()).photo is not None

        # A text file named .jpg: refused, the reason under the photo, the previous photo still there.
        await choose_photo(pilot, photo_files["fake"])
        problem = app.screen.query_one("#photo-problem")
        assert problem.display
        assert "Ce fichier n'est pas une image JPEG, PNG ou WebP." in str(problem.render())
        assert "La photo précédente est gardée." in str(problem.render())
        assert picture.drawn
        assert picture.cells.lines == lines
        assert picture.alternative.startswith("Photo de profil : 64 × 32 pixels")

        # The photo's version change does not make the next save of the details look like a conflict.
        await retype(pilot, "profile-city", "Gatineau")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notices(app, "Coordonnées enregistrées.")

        app.screen.query_one("#photo-remove").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        await pilot.press("tab", "enter")  # « Retirer la photo »
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert not picture.drawn
        assert picture.alternative == "Aucune photo de profil."
        assert not problem.display
        assert (await client.me.profile()).photo is None
        assert await client.me.photo() is None


async def test_escape_in_the_picker_changes_nothing(make_app, memory_keyring, photo_files):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot)
        app.screen.query_one("#photo-choose").focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker) and app.screen.query(FolderTree))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "settings-screen")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#photo-choose")
        assert app.screen.query_one(Picture).alternative == "Aucune photo de profil."


async def test_a_server_out_of_disk_space_is_said_under_the_photo_and_the_previous_one_kept(
    make_app, memory_keyring, photo_files, server_app
):
    with small_file_system(server_app.state.settings.photos_dir) as store:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_profile(pilot)
            picture = app.screen.query_one("#profile-photo", Picture)
            await choose_photo(pilot, photo_files["png"])
            assert picture.drawn
            lines = picture.cells.lines
            changed = len(notices(app, "Photo de profil changée."))

            noise = photo_files["png"].with_name("bruit.png")  # about 190 kB once the server re-encodes it
            Image.frombytes("RGB", (512, 512), os.urandom(512 * 512 * 3)).save(noise)
            filler = fill(store, leave=16 * 1024)  # the server's disk: room for a part of it, not all
            await choose_photo(pilot, noise)
            problem = app.screen.query_one("#photo-problem")
            assert problem.display
            assert str(problem.render()) == (
                "Erreur : la photo n'a pas pu être enregistrée — Le serveur n'a pas pu enregistrer la photo. "
                "Réessayez plus tard. La photo précédente est gardée."
            )
            assert picture.cells.lines == lines  # the previous photo, still shown
            assert len(notices(app, "Photo de profil changée.")) == changed  # no toast saying otherwise

            filler.unlink()  # space again: the same file goes through
            await choose_photo(pilot, noise)
            assert not problem.display
            assert picture.cells.lines != lines
