"""The file picker: open a file or choose where to save one, by typing a path or from the folder list."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from banqo_tui.widgets.file_picker import FilePicker, FolderTree

from .conftest import SIZE, settle


async def wait_for(
    pilot: Any, condition: Callable[[], Any], timeout: float = 5.0, shown: Callable[[], str] | None = None
) -> None:
    """Pause until ``condition()`` is true (the picker's folder list loads in a thread, forever ready for more:
    ``settle`` would wait for it in vain). ``shown`` says what there was instead, when it never comes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time" + (f"; instead:\n{shown()}" if shown else ""))
        await pilot.pause(0.02)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "maison"
    (root / "documents" / "vieux").mkdir(parents=True)
    (root / "photo.png").write_bytes(b"png")
    (root / "portrait.JPG").write_bytes(b"jpg")
    (root / "notes.txt").write_text("texte", encoding="utf-8")
    (root / ".cachee.png").write_bytes(b"png")
    (root / ".config").mkdir()
    (root / "documents" / "ancienne.zip").write_bytes(b"zip")
    return root


def labels(tree: FolderTree) -> list[str]:
    return [str(node.label) for node in tree.root.children]


def node_named(tree: FolderTree, name: str) -> Any:
    for node in tree.root.children:
        if str(node.label) == name:
            return node
    raise LookupError(name)


async def open_picker(pilot: Any, picker: FilePicker) -> list[Path | None]:
    """Show ``picker`` over the sign-in screen; the list receives its answer."""
    await settle(pilot)
    answers: list[Path | None] = []
    pilot.app.push_screen(picker, answers.append)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FilePicker) and pilot.app.screen.query(FolderTree))
    tree = pilot.app.screen.query_one(FolderTree)
    await wait_for(pilot, lambda: bool(tree.root.children))
    return answers


def path_field(app: Any) -> Any:
    return app.screen.query_one("#file-picker-path")


async def test_open_lists_folders_and_matching_files_and_picks_one_from_the_list(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(
            pilot, FilePicker("Choisir une photo", mode="open", start=folder, extensions=(".png", ".jpg"))
        )
        tree = app.screen.query_one(FolderTree)
        # Folders first; hidden entries and other kinds of files are left out; extensions in any case.
        assert labels(tree) == ["documents", "photo.png", "portrait.JPG"]
        assert path_field(app).value == f"{folder}/"
        assert app.focused is path_field(app).input
        await pilot.press("tab")
        assert app.focused is tree
        tree.move_cursor(node_named(tree, "photo.png"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: answers)
        assert answers == [folder / "photo.png"]
        assert not isinstance(app.screen, FilePicker)


async def test_open_by_typing_a_path_with_a_tilde(make_app, folder, monkeypatch):
    monkeypatch.setenv("HOME", str(folder.parent))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(pilot, FilePicker("Choisir une photo", mode="open", start=folder))
        field = path_field(app)
        field.value = "~/maison/absente.png"
        await pilot.press("enter")
        await pilot.pause()
        assert field.error_text == f"Erreur : Ce fichier n'existe pas : {folder / 'absente.png'}"
        assert answers == []
        field.value = "~/maison/notes.txt"
        await pilot.press("enter")
        await wait_for(pilot, lambda: answers)
        assert answers == [folder / "notes.txt"]


async def test_open_a_typed_folder_shows_it_and_backspace_goes_up(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(pilot, FilePicker("Choisir", mode="open", start=folder))
        tree = app.screen.query_one(FolderTree)
        field = path_field(app)
        field.value = "documents"  # relative to the folder shown
        await pilot.press("enter")
        await wait_for(pilot, lambda: labels(tree) == ["vieux", "ancienne.zip"])
        assert field.value == f"{folder / 'documents'}/"
        assert app.focused is tree
        await pilot.press("backspace")
        await wait_for(pilot, lambda: "documents" in labels(tree))
        assert field.value == f"{folder}/"
        # An empty path is explained, not ignored.
        field.value = ""
        field.focus_input()
        await pilot.press("enter")
        await pilot.pause()
        assert field.error_text.startswith("Erreur : Tapez le chemin d'un fichier")
        await pilot.press("escape")
        await wait_for(pilot, lambda: answers)
        assert answers == [None]


async def test_save_enter_on_a_folder_puts_it_before_the_suggested_name(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(
            pilot,
            FilePicker("Exporter mes données", mode="save", start=folder, suggested_name="banqo.zip",
                       extensions=(".zip",)),
        )
        tree = app.screen.query_one(FolderTree)
        field = path_field(app)
        assert field.value == str(folder / "banqo.zip")
        assert labels(tree) == ["documents"]
        await pilot.press("tab")
        tree.move_cursor(node_named(tree, "documents"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: field.value == str(folder / "documents" / "banqo.zip"))
        await pilot.press("tab")
        assert app.focused is field.input
        await pilot.press("enter")
        await wait_for(pilot, lambda: answers)
        assert answers == [folder / "documents" / "banqo.zip"]


async def test_save_refuses_a_missing_folder_and_adds_the_extension(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(
            pilot, FilePicker("Exporter", mode="save", start=folder, suggested_name="a.zip", extensions=(".zip",))
        )
        field = path_field(app)
        field.value = str(folder / "nulle-part" / "a")
        await pilot.press("enter")
        await pilot.pause()
        assert field.error_text == f"Erreur : Ce dossier n'existe pas : {folder / 'nulle-part'}"
        assert field.value == str(folder / "nulle-part" / "a.zip")
        assert answers == []
        # Typing clears the message; a name without « .zip » gets it.
        field.value = str(folder / "sauvegarde")
        await pilot.pause()
        assert field.error_text == ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: answers)
        assert answers == [folder / "sauvegarde.zip"]


async def test_save_over_an_existing_file_asks_first(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        answers = await open_picker(
            pilot, FilePicker("Exporter", mode="save", start=folder / "documents", suggested_name="ancienne.zip",
                              extensions=(".zip",))
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "confirm-dialog")
        texts = [str(widget.render()) for widget in app.screen.query(".dialog--title, .dialog--text")]
        assert texts[0] == "Remplacer ce fichier?"
        assert "« ancienne.zip » existe déjà" in texts[1]
        await pilot.press("enter")  # the safe answer has the focus: « Annuler »
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker))
        assert answers == []
        assert app.focused is path_field(app).input
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "confirm-dialog")
        await pilot.press("tab", "enter")  # « Remplacer »
        await wait_for(pilot, lambda: answers)
        assert answers == [folder / "documents" / "ancienne.zip"]
        assert (folder / "documents" / "ancienne.zip").read_bytes() == b"zip"  # choosing writes nothing


async def test_the_picker_fits_80_by_24(make_app, folder):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, FilePicker("Choisir une photo", mode="open", start=folder))

        def screen_lines() -> list[str]:
            return [strip.text for strip in app.screen._compositor.render_strips()]

        await wait_for(pilot, lambda: "Annuler" in "".join(screen_lines()))  # the footer comes last
        lines = screen_lines()
        assert len(lines) == 24
        text = "\n".join(lines)
        for expected in ("Choisir une photo", "Chemin", "documents", "photo.png", "Annuler"):
            assert expected in text
        assert max(len(line.rstrip()) for line in lines) <= 80
