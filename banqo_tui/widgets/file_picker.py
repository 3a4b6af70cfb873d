"""``FilePicker``: choose a file to open or a place to save one, by keyboard, in an 80×24 terminal.

A path field at the top (type or paste a path; ``~`` is understood; Enter confirms) and the folders below
it (Tab goes from one to the other). The checks are said under the field, in words::

    path = await self.app.push_screen_wait(
        FilePicker(_("Exporter mes données"), mode="save", suggested_name="banqo.zip", extensions=(".zip",))
    )

It answers the chosen ``Path``, or None when the teacher cancels (Escape).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DirectoryTree, Footer, Input, Static

from banqo_tui.commands import translate_bindings
from banqo_tui.i18n import N_, _
from banqo_tui.screens.dialogs import ConfirmDialog, Dialog
from banqo_tui.widgets.field import Field

Mode = Literal["open", "save"]


def _start_folder(start: Path | None) -> Path:
    """The folder shown first: ``start`` (or its folder when it names a file), else the home folder."""
    home = Path.home()
    if start is None:
        return home
    try:
        candidate = start.expanduser().resolve()
        if candidate.is_file():
            candidate = candidate.parent
        return candidate if candidate.is_dir() else home
    except OSError:
        return home


def _with_separator(folder: Path) -> str:
    text = str(folder)
    return text if text.endswith(os.sep) else text + os.sep


class FolderTree(DirectoryTree):
    """The folders and the files worth offering: hidden entries left out, files filtered by extension."""

    DEFAULT_CSS = """
    FolderTree {
        height: 1fr;
        min-height: 4;
        border-left: blank;
        background: $surface;
        padding: 0;
    }
    FolderTree:focus {
        border-left: thick $accent;
        background-tint: initial;
    }
    FolderTree > .tree--cursor {
        text-style: bold reverse;
    }
    """

    BINDINGS = [Binding("backspace", "parent_folder", N_("Dossier parent"), id="file_picker.parent")]

    def __init__(self, path: Path, extensions: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.extensions = tuple(extension.lower() for extension in extensions)
        translate_bindings(self)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            if self._safe_is_dir(path) or not self.extensions or path.suffix.lower() in self.extensions:
                yield path

    @property
    def folder(self) -> Path:
        """The folder at the root of the tree."""
        return Path(self.path)

    def action_parent_folder(self) -> None:
        picker = self.screen
        if isinstance(picker, FilePicker):
            picker.show_folder(self.folder.parent)


class FilePicker(Dialog):
    """Answers the chosen ``Path``, or None (Escape).

    ``mode="open"``: the file must exist. ``mode="save"``: the folder must exist; a name without one of
    ``extensions`` gets the first; an existing file is replaced only once the teacher says so.
    """

    DEFAULT_CSS = """
    FilePicker > .dialog {
        height: 1fr;
        max-height: 22;
    }
    FilePicker .file-picker--hint {
        color: $text-muted;
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="file_picker.cancel")]

    def __init__(
        self,
        title: str,
        *,
        mode: Mode,
        start: Path | None = None,
        suggested_name: str = "",
        extensions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(id="file-picker")
        self.title_text = title
        self.mode: Mode = mode
        self.suggested_name = suggested_name
        self.extensions = extensions
        self.start_folder = _start_folder(start)
        self._refused_value = ""

    def compose(self) -> ComposeResult:
        if self.mode == "open":
            value = _with_separator(self.start_folder)
            hint = _(
                "Tapez ou collez un chemin, ou Tab pour choisir dans la liste (Entrée : ouvrir le dossier ou "
                "choisir le fichier; Retour arrière : dossier parent)."
            )
        else:
            value = str(self.start_folder / self.suggested_name) if self.suggested_name else \
                _with_separator(self.start_folder)
            hint = _(
                "Tapez ou collez un chemin, ou Tab pour choisir un dossier dans la liste (Entrée : l'inscrire "
                "dans le chemin; Retour arrière : dossier parent)."
            )
        if self.extensions:
            hint += " " + _("Fichiers montrés : {extensions}.").format(extensions=", ".join(self.extensions))
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog--title", markup=False)
            yield Field(_("Chemin"), "path", value=value, id="file-picker-path", max_length=4096)
            yield Static(hint, classes="file-picker--hint", markup=False)
            yield FolderTree(self.start_folder, self.extensions, id="file-picker-tree")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        field = self.path_field
        field.focus_input()
        field.input.cursor_position = len(field.value)

    @property
    def path_field(self) -> Field:
        return self.query_one("#file-picker-path", Field)

    @property
    def tree(self) -> FolderTree:
        return self.query_one(FolderTree)

    # --- moving around ------------------------------------------------------------------------------

    def show_folder(self, folder: Path) -> None:
        """Show ``folder`` in the list and in the path field (with the file name, when saving)."""
        tree = self.tree
        if folder != tree.folder:
            tree.path = folder
        self._put_folder_in_field(folder)

    def _put_folder_in_field(self, folder: Path) -> None:
        field = self.path_field
        field.clear_error()
        if self.mode == "save":
            field.value = str(folder / self._typed_name())
        else:
            field.value = _with_separator(folder)
        field.input.cursor_position = len(field.value)

    def _typed_name(self) -> str:
        """The file name in the path field, else the suggested one."""
        typed = self.path_field.value.strip()
        if typed and not typed.endswith(("/", os.sep)):
            name = Path(typed).expanduser().name
            if name and not self._resolve(typed).is_dir():
                return name
        return self.suggested_name

    def _resolve(self, typed: str) -> Path:
        path = Path(typed.strip()).expanduser()
        if not path.is_absolute():
            path = self.tree.folder / path
        return Path(os.path.normpath(path))

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        self._put_folder_in_field(Path(event.path))

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        path = Path(event.path)
        if self.mode == "open":
            self._choose(path)
            return
        field = self.path_field
        field.value = str(path)
        field.input.cursor_position = len(field.value)
        self._choose(path)

    def on_input_changed(self, event: Input.Changed) -> None:
        # A message stays until the path changes (not when the picker itself wrote the path it refuses).
        if self.path_field.errors and event.value != self._refused_value:
            self.path_field.clear_error()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            self._refuse(
                _("Tapez le chemin d'un fichier, ou choisissez-le dans la liste (Tab).")
                if self.mode == "open"
                else _("Tapez le nom du fichier à enregistrer.")
            )
            return
        path = self._resolve(typed)
        try:
            is_folder = path.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            # A folder typed: show it, and (when saving) put the file name after it.
            self.show_folder(path)
            if self.mode == "open":
                self.tree.focus()
            return
        self._choose(path)

    # --- the checks ---------------------------------------------------------------------------------

    def _refuse(self, message: str) -> None:
        field = self.path_field
        self._refused_value = field.value
        field.set_error([message])
        field.focus_input()

    def _choose(self, path: Path) -> None:
        if self.mode == "open":
            self._choose_to_open(path)
        else:
            self._choose_to_save(path)

    def _choose_to_open(self, path: Path) -> None:
        try:
            exists, is_file = path.exists(), path.is_file()
        except OSError:
            exists = is_file = False
        if not exists:
            self._refuse(_("Ce fichier n'existe pas : {path}").format(path=path))
        elif not is_file:
            self._refuse(_("Ce n'est pas un fichier : {path}").format(path=path))
        elif not os.access(path, os.R_OK):
            self._refuse(_("Vous n'avez pas le droit de lire ce fichier."))
        else:
            self.dismiss(path)

    def _choose_to_save(self, path: Path) -> None:
        if not path.name:
            self._refuse(_("Tapez le nom du fichier à enregistrer."))
            return
        if self.extensions and path.suffix.lower() not in {extension.lower() for extension in self.extensions}:
            path = path.with_name(path.name + self.extensions[0])
            self.path_field.value = str(path)
        folder = path.parent
        try:
            folder_exists = folder.is_dir()
            exists, is_file = path.exists(), path.is_file()
        except OSError:
            folder_exists = exists = is_file = False
        if not folder_exists:
            self._refuse(_("Ce dossier n'existe pas : {folder}").format(folder=folder))
        elif exists and not is_file:
            self._refuse(_("Ce nom est déjà pris par un dossier : {path}").format(path=path))
        elif not os.access(folder, os.W_OK):
            self._refuse(_("Vous n'avez pas le droit d'écrire dans ce dossier : {folder}").format(folder=folder))
        elif exists:
            self._ask_to_replace(path)
        else:
            self.dismiss(path)

    def _ask_to_replace(self, path: Path) -> None:
        def answered(replace: bool | None) -> None:
            if replace:
                self.dismiss(path)
            else:
                self.path_field.focus_input()

        self.app.push_screen(
            ConfirmDialog(
                _("Remplacer ce fichier?"),
                _("« {name} » existe déjà dans {folder}. Le remplacer? Son contenu actuel sera perdu.").format(
                    name=path.name, folder=path.parent
                ),
                _("Remplacer"),
            ),
            answered,
        )
