"""Edit a goal of « Ma collection »: its text, domain, tags and four parts, each with its error line.

Ctrl+S saves (Enter goes to the next field and saves from the last one); Escape cancels, after asking when
something was changed. A change saved elsewhere meanwhile (412) opens the conflict dialog: the teacher's
text is never lost. The form answers the saved ``Goal``, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Label, Select, Static

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import ERROR_MARK, Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Area, Goal

#: (request field, label) of the text fields, in the order shown (the domain comes after the text).
PART_FIELDS = (
    ("condition", N_("Condition")),
    ("behaviour", N_("Comportement observable")),
    ("criterion", N_("Critère de réussite")),
    ("measure", N_("Méthode de mesure")),
)
LABEL_WIDTH = 26


def _tidy(value: str) -> str:
    return " ".join(value.split())


class ChoiceField(Vertical):
    """A ``Select`` laid out like a ``Field``: label, control, and the error line under it."""

    DEFAULT_CSS = f"""
    ChoiceField {{
        layout: grid;
        grid-size: 2;
        grid-columns: {LABEL_WIDTH} 1fr;
        grid-rows: 1 auto;
        height: auto;
        padding: 0 1 0 0;
        border-left: blank;
    }}
    ChoiceField:focus-within {{
        border-left: thick $accent;
    }}
    ChoiceField:focus-within .field--label {{
        text-style: bold underline;
    }}
    ChoiceField .field--label {{
        height: 1;
    }}
    ChoiceField Select {{
        width: 1fr;
    }}
    ChoiceField .field--error {{
        column-span: 2;
        height: auto;
        min-height: 1;
        padding-left: {LABEL_WIDTH};
        color: $text-error;
        text-style: bold;
    }}
    """

    def __init__(self, label: str, name: str, select: Select[str], *, id: str | None = None) -> None:
        super().__init__(id=id, name=name)
        self.label_text = label
        self.select = select
        self._label = Label(label, classes="field--label")
        self._error = Static("", classes="field--error", markup=False)
        self.error_text = ""

    def compose(self) -> ComposeResult:
        yield self._label
        yield self.select
        yield self._error

    def set_error(self, messages: list[str]) -> None:
        text = " ".join(messages)
        self.error_text = _("Erreur : {message}").format(message=text) if text else ""
        self._error.update(self.error_text)
        self._label.update(ERROR_MARK + self.label_text if text else self.label_text)
        if text:
            from banqo_tui.widgets.status_line import announce_field_error

            announce_field_error(self, self.label_text, text)

    def clear_error(self) -> None:
        self.set_error([])


class GoalFormScreen(BanqoScreen):
    """« Modifier l'objectif »."""

    #: The app keeps its navigation keys off while the form is open: the typed text would go with the screen.
    keeps_unsaved_text = True

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Enregistrer"), id="goal_form.save"),
        Binding("escape", "cancel", N_("Annuler"), id="goal_form.cancel"),
        # As on the sign-in screen: the focus moves before the next typed keys are handed out.
        Binding("enter", "next_field", N_("Champ suivant; enregistre au dernier champ"), show=False,
                priority=True, id="goal_form.next_field"),
    ]

    def __init__(self, goal: Goal, areas: list[Area]) -> None:
        super().__init__(id="goal-form-screen")
        self.base = goal
        self.areas = areas
        #: The goal was deleted elsewhere: Ctrl+S saves the form as a new goal.
        self.save_as_new = False
        #: Kept across failed saves: a goal saved as new is created once, however often Ctrl+S is pressed.
        self._create_key = new_idempotency_key()

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Modifier l'objectif"))
        with VerticalScroll(id="goal-form"):
            yield self._field(_("Texte"), "text", self.base.text, max_length=2000)
            options = [(f"{area.label} ({area.id})", area.id) for area in self.areas]
            if self.base.domain and self.base.domain not in {area.id for area in self.areas}:
                options.append((self.base.domain, self.base.domain))
            select: Select[str] = Select(
                options,
                prompt=_("Aucun domaine"),
                allow_blank=True,
                value=self.base.domain or Select.NULL,
                compact=True,
                id="goal-form-domain-select",
            )
            yield ChoiceField(_("Domaine"), "domain", select, id="goal-form-domain")
            yield self._field(_("Étiquettes"), "tags", " ".join(self.base.tags), required=False, max_length=1000)
            for name, label in PART_FIELDS:
                yield self._field(_(label), name, getattr(self.base, name) or "", required=False, max_length=1000)
            yield Static("", id="goal-form-measurable", markup=False)
            with Horizontal(id="goal-form-actions"):
                yield ActionButton(_("Enregistrer (Ctrl+S)"), id="goal-form-save")
                yield ActionButton(_("Annuler (Échap)"), id="goal-form-cancel")
        yield Footer(compact=True, show_command_palette=False)

    @staticmethod
    def _field(label: str, name: str, value: str, *, required: bool = True, max_length: int) -> Field:
        return Field(label, name, value=value, required=required, max_length=max_length, id=f"goal-form-{name}")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_measurability()
        self.field("text").focus_input()

    def field(self, name: str) -> Field:
        return self.query_one(f"#goal-form-{name}", Field)

    def _fields(self) -> list[Field]:
        return list(self.query(Field))

    # --- values -------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the form says, as the API takes it."""
        from banqo_tui.quick_entry import parse_tags

        domain = self.query_one(Select).value
        values: dict[str, Any] = {
            "text": _tidy(self.field("text").value),
            "domain": domain if isinstance(domain, str) else None,
            "tags": parse_tags(self.field("tags").value)[0],
        }
        for name, _label in PART_FIELDS:
            values[name] = _tidy(self.field(name).value) or None
        return values

    @staticmethod
    def values_of(goal: Goal) -> dict[str, Any]:
        values: dict[str, Any] = {"text": goal.text, "domain": goal.domain, "tags": list(goal.tags)}
        for name, _label in PART_FIELDS:
            values[name] = getattr(goal, name) or None
        return values

    def changes(self, against: Goal) -> dict[str, Any]:
        """The fields whose value differs from ``against``'s."""
        theirs = self.values_of(against)
        return {name: value for name, value in self.values().items() if theirs[name] != value}

    @property
    def changed(self) -> bool:
        return bool(self.changes(self.base))

    def _load(self, goal: Goal) -> None:
        """Show ``goal``'s values in the form."""
        self.field("text").value = goal.text
        self.query_one(Select).value = goal.domain or Select.NULL
        self.field("tags").value = " ".join(goal.tags)
        for name, _label in PART_FIELDS:
            self.field(name).value = getattr(goal, name) or ""
        self._show_measurability()

    def _show_measurability(self) -> None:
        from banqo_tui.api.models import measurability_gaps
        from banqo_tui.goal_shelf import measurability_sentence

        gaps = measurability_gaps(
            self.field("text").value, self.field("criterion").value, self.field("measure").value
        )
        self.query_one("#goal-form-measurable", Static).update(measurability_sentence(gaps))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("goal-form-text-input", "goal-form-criterion-input", "goal-form-measure-input"):
            self._show_measurability()

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return any(field.input is self.focused for field in self._fields())
        return True

    async def action_next_field(self) -> None:
        """Enter: the next field; from the last one, save."""
        fields = self._fields()
        current = next((field for field in fields if field.input is self.focused), None)
        if current is None:
            return
        index = fields.index(current)
        if index + 1 < len(fields):
            fields[index + 1].focus_input()
        else:
            await self.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "goal-form-save":
            self.run_worker(self.action_save())
        elif event.button.id == "goal-form-cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        from banqo_tui.screens.dialogs import ConfirmDialog

        def answered(give_up: bool | None) -> None:
            if give_up:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                _("Abandonner vos modifications?"),
                _("Ce que vous avez changé dans cet objectif ne sera pas enregistré."),
                _("Abandonner"),
                _("Continuer à modifier"),
            ),
            answered,
        )

    async def action_save(self) -> None:
        from banqo_tui.quick_entry import parse_tags
        from banqo_tui.widgets.entry_line import settled

        for field in self._fields():
            await settled(field.input)  # what was typed before Ctrl+S is in the form
            field.clear_error()
        self.query_one(ChoiceField).clear_error()
        problems: dict[str, list[str]] = {}
        if not _tidy(self.field("text").value):
            problems["text"] = [_("Écrivez l'objectif.")]
        tag_problems = parse_tags(self.field("tags").value)[1]
        if tag_problems:
            problems["tags"] = tag_problems
        if problems:
            self.show_field_errors(problems)
            return
        if self.save_as_new:
            self._create(self.values())
            return
        changes = self.changes(self.base)
        if not changes:
            self.dismiss(None)
            return
        self._save(self.base.version, changes)

    # --- saving -------------------------------------------------------------------------------

    @work(group="goal-form", exclusive=True, exit_on_error=False)
    async def _save(self, version: int, changes: dict[str, Any]) -> None:
        client = await self.banqo.api()
        try:
            goal = await client.collection.update(self.base.id, version, **changes)
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            current = await client.collection.get(self.base.id)
            self._conflict(current)
            return
        except errors.NotFound:
            self.save_as_new = True
            self.field("text").set_error(
                [_("Cet objectif a été supprimé ailleurs. Ctrl+S l'enregistre comme un nouvel objectif.")]
            )
            return
        self.dismiss(goal)

    @work(group="goal-form", exclusive=True, exit_on_error=False)
    async def _create(self, values: dict[str, Any]) -> None:
        client = await self.banqo.api()
        fields = {name: value for name, value in values.items() if value is not None}
        self.dismiss(await client.collection.create(**fields, idempotency_key=self._create_key))

    def _conflict(self, current: Goal) -> None:
        from banqo_tui.screens.conflict import ConflictField, ConflictScreen

        mine = self.values()
        theirs = self.values_of(current)
        labels = {"text": _("Texte"), "domain": _("Domaine"), "tags": _("Étiquettes")}
        labels.update({name: _(label) for name, label in PART_FIELDS})

        def shown(value: Any) -> str:
            return " ".join(value) if isinstance(value, list) else (value or "")

        fields = [ConflictField(labels[name], shown(theirs[name]), shown(mine[name])) for name in labels]

        def chosen(choice: str | None) -> None:
            # Whatever the choice, the version now seen is the one to change: a later save is made knowingly.
            self.base = current
            if choice == "reload":
                self._load(current)
                self.notify(_("La version enregistrée ailleurs est chargée dans le formulaire."))
            elif choice == "overwrite":
                self._save(current.version, self.changes(current))
                return
            self.field("text").focus_input()

        self.app.push_screen(ConflictScreen(fields), chosen)

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        domain = errors.get("domain")
        if domain:
            self.query_one(ChoiceField).set_error(domain)
        return super().show_field_errors({name: messages for name, messages in errors.items() if name != "domain"})
