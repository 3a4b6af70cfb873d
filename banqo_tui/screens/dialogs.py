"""Small dialogs over the collection and « Élèves »: confirm, choose a learner, filter, edit tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static
from textual.widgets.option_list import Option

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Goal, Learner
    from banqo_tui.goal_shelf import GoalRecord


class Dialog(BanqoScreen, ModalScreen[Any]):  # type: ignore[misc]
    """A BanqO screen shown over the current one, in a frame."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > .dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    Dialog .dialog--title {
        text-style: bold;
        width: 100%;
        margin-bottom: 1;
    }
    Dialog .dialog--text {
        margin-bottom: 1;
    }
    Dialog .dialog--actions {
        height: 1;
        margin-top: 1;
    }
    Dialog .dialog--actions ActionButton {
        margin-right: 2;
    }
    Dialog ChoiceList {
        height: auto;
        max-height: 12;
    }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog):
    """A yes/no question; the safe answer has the focus. Answers True or False."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="confirm.cancel")]

    def __init__(self, title: str, message: str, confirm: str, cancel: str | None = None) -> None:
        super().__init__(id="confirm-dialog")
        self.title_text = title
        self.message = message
        self.confirm_label = confirm
        self.cancel_label = cancel or _("Annuler")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog--title", markup=False)
            yield Static(self.message, classes="dialog--text", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(self.cancel_label, id="confirm-no")
                yield ActionButton(self.confirm_label, id="confirm-yes")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm-no").focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")


class FilterPicker(Dialog):
    """Choose a domain or a tag to filter by; answers the search token (``@lecture``, ``#autonomie``)."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="filter.cancel")]

    def __init__(self, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(id="filter-picker")
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Filtrer par domaine ou par étiquette (Entrée : choisir)"), classes="dialog--title")
            yield ChoiceList(*[Option(label, id=token) for token, label in self.choices], id="filter-choices")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(ChoiceList).focus()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class LearnerPicker(Dialog):
    """Choose a learner, or type the first name of a new one (created at once; refusals under the field)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Annuler"), id="learner_picker.cancel"),
        Binding("down", "to_list", N_("Aller à la liste"), show=False, id="learner_picker.to_list"),
    ]

    def __init__(self, learners: Sequence[Learner], title: str) -> None:
        super().__init__(id="learner-picker")
        self.learners = list(learners)
        self.title_text = title
        self._create_key = new_idempotency_key()  # kept across failed saves: the learner is added once

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog--title", markup=False)
            yield Static(
                _("Tapez un prénom : Entrée choisit cet élève, ou le crée s'il n'existe pas. ↓ : la liste."),
                classes="dialog--text",
            )
            yield Field(_("Prénom"), "first_name", id="picker-name", max_length=60)
            yield ChoiceList(id="picker-learners")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_learners("")
        self.query_one(Field).focus_input()

    def _show_learners(self, typed: str) -> None:
        from banqo_tui.quick_entry import learner_key

        wanted = learner_key(typed)
        options = [
            Option(learner.first_name, id=learner.id)
            for learner in self.learners
            if learner_key(learner.first_name).startswith(wanted)
        ]
        listing = self.query_one(ChoiceList)
        listing.set_options(options)
        listing.display = bool(options)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_learners(event.value)
        self.query_one(Field).clear_error()

    def action_to_list(self) -> None:
        listing = self.query_one(ChoiceList)
        if listing.display and listing.option_count:
            listing.focus()
            if listing.highlighted is None:
                listing.highlighted = 0

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        chosen = next((learner for learner in self.learners if learner.id == event.option.id), None)
        if chosen is not None:
            self.dismiss(chosen)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from banqo_tui.quick_entry import find_learner

        event.stop()
        name = event.value.strip()
        if not name:
            self.query_one(Field).set_error([_("Ce champ est obligatoire.")])
            return
        existing = find_learner(name, self.learners)
        if existing is not None:
            self.dismiss(existing)
        else:
            self._create(name)

    @work(group="learner-picker", exclusive=True, exit_on_error=False)
    async def _create(self, name: str) -> None:
        client = await self.banqo.api()
        learner = await client.learners.create(name, self._create_key)
        if learner.first_name != " ".join(name.split()):
            self.app.notify(
                _("Ce prénom était déjà pris : BanqO a ajouté un chiffre, « {name} ».").format(
                    name=learner.first_name
                ),
                markup=False,
            )
        self.dismiss(learner)


class TagsDialog(Dialog):
    """Change the tags of one goal (Enter saves); a change made elsewhere meanwhile opens the conflict dialog."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="tags.cancel")]

    def __init__(self, record: GoalRecord) -> None:
        super().__init__(id="tags-dialog")
        self.record = record
        self.version = record.version

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Étiquettes de l'objectif"), classes="dialog--title")
            yield Static(self.record.text, classes="dialog--text", markup=False)
            yield Field(
                _("Étiquettes"),
                "tags",
                value=" ".join(self.record.tags),
                required=False,
                placeholder=_("lecture 1re-annee"),
                id="tags-field",
                max_length=1000,
            )
            yield Static(_("Séparées par des espaces ou des virgules. Entrée : enregistrer; Échap : annuler."),
                         classes="dialog--text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_one(Field)
        field.focus_input()
        field.input.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from banqo_tui.quick_entry import parse_tags

        event.stop()
        field = self.query_one(Field)
        tags, problems = parse_tags(field.value)
        if problems:
            field.set_error(problems)
            return
        field.clear_error()
        self._save(tags, self.version)

    @work(group="tags", exclusive=True, exit_on_error=False)
    async def _save(self, tags: list[str], version: int) -> None:
        client = await self.banqo.api()
        try:
            goal = await client.collection.update(self.record.id, version, tags=tags)
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            current = await client.collection.get(self.record.id)
            self._conflict(current, tags)
            return
        self.dismiss(goal)

    def _conflict(self, current: Goal, mine: list[str]) -> None:
        from banqo_tui.screens.conflict import ConflictField, ConflictScreen

        def chosen(choice: str | None) -> None:
            field = self.query_one(Field)
            self.version = current.version
            if choice == "reload":
                field.value = " ".join(current.tags)
            elif choice == "overwrite":
                self._save(mine, current.version)
            field.focus_input()

        fields = [
            ConflictField(_("Texte"), current.text, self.record.text),
            ConflictField(_("Étiquettes"), " ".join(current.tags), " ".join(mine)),
        ]
        self.app.push_screen(ConflictScreen(fields), chosen)
