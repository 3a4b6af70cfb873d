"""« Élèves »: learners by first name only, and each one's sub-collection of goals.

The left list holds the learners (first name, number of goals); Enter or → shows the highlighted one's goals on
the right, their texts with the first name filled in. Names are checked by the server: a surname, an email or a
phone number is refused with the reason under the field, the text kept; a second « Léa » becomes « Léa 2 », and
the screen says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, Static
from textual.widgets.option_list import Option

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.commands import ScreenCommands
from banqo_tui.i18n import N_, _, format_number, ngettext
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Learner, LearnerGoal

NameMode = Literal["add", "rename"]


def goal_count_text(count: int) -> str:
    return ngettext("{count} objectif", "{count} objectifs", count).format(count=format_number(count))


def alphabetical(learner: Learner) -> tuple[str, int]:
    """Sort key: by first name, accents and case aside; « Léa » before « Léa 2 » before « Léa 10 »."""
    from banqo_tui.api.models import display_first_name, fold

    base = display_first_name(learner.first_name)
    suffix = learner.first_name[len(base):].strip()
    return fold(base), int(suffix) if suffix.isdigit() else 0


def renamed_notice(wanted: str, learner: Learner) -> str | None:
    """« Léa 2 » when « Léa » was asked and taken: said in words."""
    if learner.first_name.casefold() == " ".join(wanted.split()).casefold():
        return None
    return _("Ce prénom était déjà pris : BanqO a ajouté un chiffre, « {name} ».").format(name=learner.first_name)


class LearnersScreen(BanqoScreen):
    """« Élèves »."""

    COMMANDS = BanqoScreen.COMMANDS | {ScreenCommands}

    # The keys that open the name field, and Enter and Escape in it, run when the app reads them (priority), so
    # that a name typed straight after goes into the field. Letters are priority only outside the field.
    BINDINGS = [
        Binding("n", "add", N_("Ajouter un élève"), priority=True, id="learners.add"),
        Binding("p", "plans", N_("Plan d'intervention"), id="learners.plans"),
        Binding("r", "rename", N_("Renommer"), priority=True, id="learners.rename"),
        Binding("enter", "submit_name", show=False, priority=True, id="learners.submit_name"),
        Binding("d", "delete", N_("Supprimer"), id="learners.delete"),
        Binding("right", "show_goals", N_("Voir ses objectifs (ou Entrée)"), show=False, id="learners.goals"),
        Binding("f", "file_goals", N_("Classer des objectifs"), id="learners.file"),
        Binding("x", "unfile", N_("Retirer l'objectif de son dossier"), id="learners.unfile"),
        Binding("left", "back_to_learners", N_("Revenir à la liste des élèves"), show=False, id="learners.back"),
        Binding("escape", "escape", N_("Annuler la saisie, ou revenir à la liste"), show=False, priority=True,
                id="learners.escape"),
    ]

    def __init__(self) -> None:
        super().__init__(id="learners-screen")
        self.learners: list[Learner] = []
        self.goals: list[LearnerGoal] = []
        self.shown_learner: Learner | None = None
        self.name_mode: NameMode | None = None
        self._renaming: Learner | None = None
        #: The name and key of an add that failed: the same name saved again reuses the key, so that a first
        #: attempt the server received but could not answer is not added twice.
        self._failed_add: tuple[str, str] | None = None
        self._rename_version: int | None = None

    def help_notes(self) -> list[str]:
        """For the help screen (F1)."""
        return [
            _("Prénom seulement : un nom de famille, un courriel ou un numéro de téléphone est refusé. "
              "Deux élèves du même prénom : BanqO ajoute un chiffre (« Léa 2 »)."),
            _("Supprimer un élève supprime son dossier; ses objectifs restent dans « Ma collection »."),
        ]

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Élèves"))
        yield Static(
            _("Prénom seulement : l'élève reste anonyme. Entrée ou → : ses objectifs."),
            id="learners-intro",
            markup=False,
        )
        with Horizontal(id="learners-body"):
            with Vertical(id="learners-left"):
                yield Label(_("Chargement…"), id="learners-count")
                yield ChoiceList(id="learners-list")
            with Vertical(id="learners-right"):
                yield Label("", id="learner-goals-title")
                yield ChoiceList(id="learner-goals")
        yield Field(_("Prénom"), "first_name", id="learner-name", max_length=400)
        yield Static("", id="learners-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.name_field.display = False
        self.set_focus(self.learner_list)
        self.load()

    @property
    def learner_list(self) -> ChoiceList:
        return self.query_one("#learners-list", ChoiceList)

    @property
    def goal_list(self) -> ChoiceList:
        return self.query_one("#learner-goals", ChoiceList)

    @property
    def name_field(self) -> Field:
        return self.query_one("#learner-name", Field)

    @property
    def highlighted_learner(self) -> Learner | None:
        index = self.learner_list.highlighted
        return self.learners[index] if index is not None and 0 <= index < len(self.learners) else None

    def status(self, text: str) -> None:
        self.query_one("#learners-status", Static).update(text)

    # --- loading ------------------------------------------------------------------------------

    @work(group="learners-load", exclusive=True, exit_on_error=False)
    async def load(self, select: str | None = None) -> None:
        """Read the learners; keep the highlight on ``select`` (an id) or on the same line."""
        client = await self.banqo.api()
        self.show_learners(await client.learners.list(), select)

    def show_learners(self, learners: list[Learner], select: str | None = None) -> None:
        """List ``learners`` in alphabetical order."""
        previous = self.highlighted_learner
        wanted = select or (previous.id if previous else None)
        self.learners = sorted(learners, key=alphabetical)
        learners = self.learners
        listing = self.learner_list
        listing.set_options(
            Option(f"{learner.first_name} — {goal_count_text(learner.goal_count)}", id=learner.id)
            for learner in learners
        )
        self.query_one("#learners-count", Label).update(
            ngettext("{count} élève", "{count} élèves", len(learners)).format(count=format_number(len(learners)))
            if learners
            else _("Aucun élève. N : en ajouter un.")
        )
        if learners:
            index = next((i for i, learner in enumerate(learners) if learner.id == wanted), 0)
            listing.highlighted = index
            self.load_goals(learners[index])
        else:
            self.shown_learner = None
            self.goals = []
            self.goal_list.clear_options()
            self.query_one("#learner-goals-title", Label).update("")
        self.refresh_bindings()  # the keys that need a learner (P, D, F…) join the footer once one is listed

    def on_option_list_option_highlighted(self, event: ChoiceList.OptionHighlighted) -> None:
        if event.option_list is self.learner_list:
            learner = self.highlighted_learner
            if learner is not None and (self.shown_learner is None or learner.id != self.shown_learner.id):
                self.load_goals(learner)

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        if event.option_list is self.learner_list:
            event.stop()
            self.action_show_goals()

    @work(group="learner-goals", exclusive=True, exit_on_error=False)
    async def load_goals(self, learner: Learner) -> None:
        client = await self.banqo.api()
        self.show_goals(learner, await client.learners.goals(learner.id))

    def show_goals(self, learner: Learner, goals: list[LearnerGoal]) -> None:
        self.shown_learner = learner
        self.goals = goals
        index = self.goal_list.highlighted
        self.goal_list.set_options(Option(goal.text, id=goal.goal.id) for goal in goals)
        if goals:
            self.goal_list.highlighted = min(index or 0, len(goals) - 1)
        title = _("Objectifs de {name} : {count}").format(name=learner.first_name, count=goal_count_text(len(goals)))
        if not goals:
            title += " " + _("(F : en classer)")
        self.query_one("#learner-goals-title", Label).update(title)

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        fields = self.query("#learner-name").results(Field)
        name_field = next(fields, None)
        if name_field is None:
            return False  # asked by the footer before the screen's widgets are composed (a fast F6)
        in_field = self.focused is name_field.input
        if action == "submit_name":
            return in_field
        if action == "add":
            return not in_field
        if action == "rename":
            return not in_field and self.highlighted_learner is not None
        if action in ("delete", "file_goals", "show_goals"):
            return self.highlighted_learner is not None
        if action == "plans":
            return not in_field and self.highlighted_learner is not None
        if action == "unfile":
            return self.focused is self.goal_list and self.goal_list.highlighted is not None
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_show_goals(self) -> None:
        if self.focused is self.learner_list and self.goals:
            self.set_focus(self.goal_list)
            if self.goal_list.highlighted is None:
                self.goal_list.highlighted = 0

    def action_back_to_learners(self) -> None:
        if self.focused is self.goal_list:
            self.set_focus(self.learner_list)

    async def action_escape(self) -> None:
        from banqo_tui.widgets.entry_line import settled

        if self.focused is not None:
            await settled(self.focused)
        if self.name_mode is not None:
            self._close_name_field()
        elif self.focused is self.goal_list:
            self.set_focus(self.learner_list)

    # --- adding and renaming -------------------------------------------------------------------

    def action_add(self) -> None:
        self._open_name_field("add", "")

    def action_rename(self) -> None:
        learner = self.highlighted_learner
        if learner is None:
            return
        self._renaming = learner
        self._rename_version = learner.version
        self._open_name_field("rename", learner.first_name)

    def _open_name_field(self, mode: NameMode, value: str) -> None:
        self.name_mode = mode
        field = self.name_field
        field.label_text = _("Nouveau prénom") if mode == "add" else _("Renommer en")
        field.clear_error()
        field.value = value
        field.display = True
        field.focus_input()
        field.input.cursor_position = len(value)
        self.status(_("Entrée : enregistrer; Échap : annuler."))

    def _close_name_field(self) -> None:
        self.name_mode = None
        self._renaming = None
        field = self.name_field
        field.clear_error()
        field.display = False
        self.status("")
        self.set_focus(self.learner_list)

    async def action_submit_name(self) -> None:
        from banqo_tui.widgets.entry_line import settled

        await settled(self.name_field.input)  # the letters typed before Enter first
        self._submit_name(self.name_field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self.name_field.input:
            return
        event.stop()
        self._submit_name(event.value)

    def _submit_name(self, value: str) -> None:
        name = value.strip()
        self.name_field.clear_error()
        if not name:
            self.name_field.set_error([_("Ce champ est obligatoire.")])
            return
        if self.name_mode == "add":
            self._create(name)
        elif self.name_mode == "rename" and self._renaming is not None:
            self._rename(self._renaming, self._rename_version or self._renaming.version, name)

    @work(group="learners-name", exclusive=True, exit_on_error=False)
    async def _create(self, name: str) -> None:
        client = await self.banqo.api()
        failed = self._failed_add
        key = failed[1] if failed is not None and failed[0] == name else new_idempotency_key()
        self._failed_add = None
        try:
            learner = await client.learners.create(name, key)
        except Exception:
            self._failed_add = (name, key)
            raise
        self._close_name_field()
        notice = renamed_notice(name, learner)
        self.status(notice or _("{name} fait maintenant partie de vos élèves.").format(name=learner.first_name))
        if notice:
            self.notify(notice, markup=False)
        self.load(select=learner.id)

    @work(group="learners-name", exclusive=True, exit_on_error=False)
    async def _rename(self, learner: Learner, version: int, name: str) -> None:
        client = await self.banqo.api()
        try:
            renamed = await client.learners.rename(learner.id, version, name)
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            current = await client.learners.get(learner.id)
            self._rename_conflict(current, name)
            return
        self._close_name_field()
        notice = renamed_notice(name, renamed)
        self.status(notice or _("Renommé : {name}.").format(name=renamed.first_name))
        if notice:
            self.notify(notice, markup=False)
        self.load(select=renamed.id)

    def _rename_conflict(self, current: Learner, mine: str) -> None:
        from banqo_tui.screens.conflict import ConflictField, ConflictScreen

        def chosen(choice: str | None) -> None:
            self._renaming = current
            self._rename_version = current.version
            if choice == "reload":
                self.name_field.value = current.first_name
            elif choice == "overwrite":
                self._rename(current, current.version, mine)
                return
            self.name_field.focus_input()

        self.app.push_screen(
            ConflictScreen([ConflictField(_("Prénom"), current.first_name, mine)], what=_("Ce prénom")), chosen
        )

    # --- plans ---------------------------------------------------------------------------------

    def action_plans(self) -> None:
        """The learner's plans; with none yet, the new plan's dialog straight away, pre-filled with their folder."""
        from banqo_tui.screens.plans import PlansScreen

        learner = self.highlighted_learner
        if learner is not None:
            self.app.push_screen(PlansScreen(learner.id, start_if_none=True))

    # --- deleting ------------------------------------------------------------------------------

    def action_delete(self) -> None:
        from banqo_tui.screens.dialogs import ConfirmDialog

        learner = self.highlighted_learner
        if learner is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(learner)
            self.set_focus(self.learner_list)

        self.app.push_screen(
            ConfirmDialog(
                _("Supprimer {name}?").format(name=learner.first_name),
                _(
                    "Le dossier de {name} ({count}) sera supprimé avec son prénom, ainsi que ses plans "
                    "(objectifs, progrès et révisions). Les objectifs eux-mêmes restent dans « Ma collection »."
                ).format(name=learner.first_name, count=goal_count_text(learner.goal_count)),
                _("Supprimer {name}").format(name=learner.first_name),
            ),
            answered,
        )

    @work(group="learners-delete", exclusive=True, exit_on_error=False)
    async def _delete(self, learner: Learner) -> None:
        client = await self.banqo.api()
        try:
            await client.learners.delete(learner.id, learner.version)
        except errors.Conflict:
            self.notify(
                _("{name} a été modifié ailleurs : rien n'est supprimé. Vérifiez, puis recommencez.").format(
                    name=learner.first_name
                ),
                severity="warning",
                markup=False,
            )
            self.load()
            return
        except errors.NotFound:
            pass  # already gone
        self.status(_("{name} est supprimé; ses objectifs restent dans « Ma collection ».").format(
            name=learner.first_name
        ))
        self.load()

    # --- the sub-collection --------------------------------------------------------------------

    def action_unfile(self) -> None:
        learner = self.shown_learner
        index = self.goal_list.highlighted
        if learner is None or index is None or not 0 <= index < len(self.goals):
            return
        self._unfile(learner, self.goals[index])

    @work(group="learner-goals-change", exit_on_error=False)
    async def _unfile(self, learner: Learner, filed: LearnerGoal) -> None:
        client = await self.banqo.api()
        try:
            await client.learners.unfile(learner.id, filed.goal.id)
        except errors.NotFound:
            pass  # already out of the folder
        self.status(_("Objectif retiré du dossier de {name} (il reste dans « Ma collection »).").format(
            name=learner.first_name
        ))
        self.load(select=learner.id)

    def action_file_goals(self) -> None:
        learner = self.highlighted_learner
        if learner is None:
            return

        def closed(filed_any: bool | None) -> None:
            self.load(select=learner.id)
            self.set_focus(self.learner_list)

        self.app.push_screen(GoalPickerScreen(learner), closed)


class GoalPickerScreen(BanqoScreen):
    """File goals of « Ma collection » under a learner: search, then Enter on each goal to file."""

    BINDINGS = [
        Binding("enter", "file", N_("Classer l'objectif sous cet élève"), id="goal_picker.file"),
        Binding("slash", "search", N_("Rechercher"), key_display="/", id="goal_picker.search"),
        Binding("escape", "close", N_("Fermer (vide d'abord la recherche)"), id="goal_picker.close"),
    ]

    def __init__(self, learner: Learner) -> None:
        super().__init__(id="goal-picker-screen")
        from banqo_tui.goal_shelf import GoalRecord, Shelf

        self.learner = learner
        self.shelf: Shelf[GoalRecord] = Shelf(newest_first=True)
        self.filed_any = False

    def compose(self) -> ComposeResult:
        from banqo_tui.search import highlight_spans
        from banqo_tui.widgets.goal_list import GoalList

        yield ScreenTitle(_("Classer des objectifs sous {name}").format(name=self.learner.first_name))
        with Horizontal(id="goal-picker-search-row"):
            yield Label(_("Rechercher :"), id="goal-picker-search-label")
            yield Input(placeholder=_("mots, @domaine, #étiquette"), compact=True, max_length=200,
                        id="goal-picker-search")
        yield Static(_("Chargement…"), id="goal-picker-count", markup=False)
        yield GoalList(self._describe, highlight=highlight_spans, marks=True,
                       empty_text=_("Aucun objectif."), id="goal-picker-goals")
        yield Static(_("Entrée : classer l'objectif (✓ : déjà classé). Échap : fermer."), id="goal-picker-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.query_one("#goal-picker-search", Input))
        self.load()

    @work(group="goal-picker", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        from banqo_tui.goal_shelf import GoalRecord

        client = await self.banqo.api()
        goals, areas = await client.collection.list(), await client.catalogue.domains()
        self.areas = areas.items
        self.shelf.put_many(GoalRecord.from_goal(goal) for goal in goals)
        self.apply_search()

    def _describe(self, key: str) -> tuple[str, str]:
        record = self.shelf.get(key)
        if record is None:
            return "", ""
        return ("✓" if self.learner.id in record.learner_ids else ""), record.text

    def apply_search(self) -> None:
        from banqo_tui.quick_entry import parse_search
        from banqo_tui.widgets.goal_list import GoalList

        query = parse_search(self.query_one("#goal-picker-search", Input).value, getattr(self, "areas", []))
        rows = self.shelf.search(query)
        self.query_one(GoalList).set_rows(rows, query.words)
        self.query_one("#goal-picker-count", Static).update(
            ngettext("{shown} objectif sur {total}", "{shown} objectifs sur {total}", len(rows)).format(
                shown=format_number(len(rows)), total=format_number(len(self.shelf))
            )
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.apply_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from banqo_tui.widgets.goal_list import GoalList

        event.stop()
        self.set_focus(self.query_one(GoalList))

    def action_search(self) -> None:
        self.set_focus(self.query_one("#goal-picker-search", Input))

    def action_close(self) -> None:
        search = self.query_one("#goal-picker-search", Input)
        if self.focused is search and search.value:
            search.value = ""
            return
        self.dismiss(self.filed_any)

    def action_file(self) -> None:
        from banqo_tui.widgets.goal_list import GoalList

        record = self.shelf.get(self.query_one(GoalList).highlighted_key)
        if record is not None:
            self._file(record.id)

    @work(group="goal-picker-file", exit_on_error=False)
    async def _file(self, goal_id: str) -> None:
        from banqo_tui.goal_shelf import GoalRecord
        from banqo_tui.widgets.goal_list import GoalList

        client = await self.banqo.api()
        filed = await client.learners.file(self.learner.id, goal_id)
        self.filed_any = True
        self.shelf.put(GoalRecord.from_goal(filed.goal))
        self.query_one(GoalList).refresh_rows()
        self.notify(_("Classé sous {name}.").format(name=self.learner.first_name), markup=False, timeout=3)
