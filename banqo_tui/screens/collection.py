"""« Ma collection » and « Banque »: one screen, two views (B switches), searched as one types.

Everything the screen shows is kept in memory (``goal_shelf``) and filtered locally at each keystroke; the
network is only used to load, and to save what the teacher changes. The quick-entry line saves a goal per
Enter (``#tag``, ``@domaine``, ``+Prénom``), through the outbox: a goal typed while the server is unreachable
is kept on disk and sent once it answers again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Input, Label, Static

from banqo_tui.api import errors
from banqo_tui.commands import ScreenCommands
from banqo_tui.goal_shelf import (
    CatalogueRecord,
    GoalRecord,
    Shelf,
    levels_text,
    measurability_sentence,
    release_free_memory,
)
from banqo_tui.i18n import N_, _, current_language, format_number, ngettext
from banqo_tui.quick_entry import SearchQuery, entry_line, parse_quick_entry, parse_search
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.search import highlight_spans
from banqo_tui.widgets.entry_line import DomainSuggester, EntryLine
from banqo_tui.widgets.goal_list import GoalList
from banqo_tui.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from banqo_tui.api.models import Area, CatalogueGoal, Goal, Learner
    from banqo_tui.outbox import Outbox, PendingGoal

View = Literal["collection", "bank"]
COLLECTION: View = "collection"
BANK: View = "bank"

#: How long « U : annuler » stays in the footer after a deletion (the key works as long as the server allows).
UNDO_SHOWN = 10.0
#: From this many goals, the memory freed after loading them is given back to the system.
LARGE_COLLECTION = 10_000
#: The server keeps a deleted goal this long (banqo_server.services.goals.UNDO_WINDOW).
UNDO_WINDOW = 600.0


def goals_count_text(shown: int, total: int) -> str:
    """« 12 objectifs sur 540 »."""
    return ngettext("{shown} objectif sur {total}", "{shown} objectifs sur {total}", shown).format(
        shown=format_number(shown), total=format_number(total)
    )


def pending_text(count: int) -> str:
    """« 2 objectifs en attente d'envoi »."""
    return ngettext(
        "{count} objectif en attente d'envoi", "{count} objectifs en attente d'envoi", count
    ).format(count=format_number(count))


class CollectionScreen(BanqoScreen):
    """« Ma collection » (newest first) and « Banque », the catalogue shipped with BanqO."""

    COMMANDS = BanqoScreen.COMMANDS | {ScreenCommands}

    # Keys that move the focus into a line, and the keys of the lines themselves, are priority bindings: they run
    # when the app reads them, so that the keys typed next (a burst over SSH) go where the teacher meant.
    # Letters are priority only while no input has the focus (``check_action``): typed in a line, they are text.
    BINDINGS = [
        Binding("n", "new_goal", N_("Nouvel objectif"), priority=True, id="collection.new"),
        Binding("slash", "search", N_("Rechercher"), key_display="/", show=False, priority=True,
                id="collection.search"),
        Binding("b", "toggle_view", N_("Banque ⇄ collection"), id="collection.view"),
        Binding("a", "add_from_bank", N_("Ajouter à ma collection"), id="collection.add"),
        Binding("e", "edit", N_("Modifier"), id="collection.edit"),
        Binding("enter", "edit", N_("Modifier"), show=False, id="collection.edit_enter"),
        Binding("d", "delete", N_("Supprimer"), id="collection.delete"),
        Binding("delete", "delete", N_("Supprimer"), show=False, id="collection.delete_key"),
        Binding("u", "undo", N_("Annuler la suppression"), id="collection.undo"),
        # After the few seconds « U » is shown, it still works as long as the server keeps the goal.
        Binding("u", "undo_late", show=False, id="collection.undo_late"),
        Binding("t", "tags", N_("Étiquettes de l'objectif"), show=False, id="collection.tags"),
        Binding("l", "file", N_("Classer sous un élève"), show=False, id="collection.file"),
        Binding("f", "filter", N_("Filtrer par domaine ou étiquette"), show=False, id="collection.filter"),
        Binding("ctrl+r", "reload", N_("Recharger depuis le serveur"), show=False, id="collection.reload"),
        Binding("escape", "leave_input", N_("Quitter le champ (vide d'abord la recherche)"), show=False,
                priority=True, id="collection.leave"),
        Binding("enter", "submit_entry", show=False, priority=True, id="collection.submit_entry"),
        # Tab completes a partial « @dom » of the quick-entry line (→ too, as in any Textual input).
        Binding("tab", "focus_next_now", N_("Complète le @domaine de la saisie, sinon champ suivant"),
                show=False, priority=True, key_display="Tab / →", id="collection.tab"),
    ]

    def __init__(self, *, view: View = COLLECTION, load: bool = True) -> None:
        super().__init__(id="collection-screen")
        self.view: View = view
        self._load_on_mount = load
        self.areas: list[Area] = []
        self.learners: list[Learner] = []
        self.collection: Shelf[GoalRecord] = Shelf(newest_first=True)
        self.bank: Shelf[CatalogueRecord] = Shelf()
        self.loaded = asyncio.Event()
        self.load_failed = False
        #: Keys of outbox entries the entry line is sending right now (not yet « en attente »).
        self._sending: set[str] = set()
        self._undo: tuple[GoalRecord, float] | None = None
        self._undo_timer: Any = None
        #: The goal the detail pane shows.
        self._detail_key: str | None = None
        self._query = SearchQuery()
        self._area_labels: dict[str, str] = {}
        #: Catalogue id → its copy in the collection, for a generation of the collection.
        self._copies: tuple[int, dict[str, GoalRecord]] = (-1, {})
        self._outbox_notice_shown = False

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ScreenTitle(self._title(), id="collection-title")
        with Horizontal(id="collection-search-row"):
            yield Label(_("Rechercher (/) :"), id="collection-search-label")
            yield SearchBox(
                on_value=self._search_changed,
                placeholder=_("mots, @domaine, #étiquette"),
                compact=True,
                select_on_focus=False,
                max_length=200,
                id="collection-search",
            )
        yield Static(_("Chargement…"), id="collection-count", markup=False)
        yield GoalList(
            self._describe,
            highlight=highlight_spans,
            marks=self.view == BANK,
            empty_text=_("Aucun objectif. N : en écrire un; B : la banque."),
            id="collection-goals",
        )
        with VerticalScroll(id="collection-detail"):
            yield Static("", id="collection-detail-text", markup=False)
        yield EntryLine(
            _("Nouvel objectif (n) :"),
            on_submit=self._submit_entry,
            hint=_("#étiquette  @domaine  +Prénom · Entrée : enregistrer · Échap : la liste"),
            placeholder=_("n : écrire un objectif"),
            suggester=DomainSuggester(lambda: self.areas),
            id="collection-entry",
        )
        yield Footer(compact=True, show_command_palette=False)

    def help_notes(self) -> list[str]:
        """For the help screen (F1): what the keys alone do not say."""
        return [
            _("Ma collection montre les objectifs les plus récents en premier; la banque, dans son ordre."),
            _("Saisie rapide (n) : Entrée enregistre et vide la ligne pour le suivant. #étiquette ajoute une "
              "étiquette, @domaine choisit le domaine (Tab ou → complète), +Prénom classe sous un élève "
              "(créé s'il n'existe pas)."),
            _("Recherche (/) : accents et majuscules ignorés (« eleve » trouve « élève »); chaque mot commence "
              "un mot de l'objectif; @domaine et #étiquette filtrent."),
            _("Sans réseau, un objectif saisi est gardé sur cet ordinateur et envoyé dès que le serveur répond."),
        ]

    def _title(self) -> Content:
        """« ▸ Ma collection   Banque (B) », the view shown marked by ▸ and underlined, not by colour."""
        parts = []
        for view, label in ((COLLECTION, _("Ma collection")), (BANK, _("Banque"))):
            if view == self.view:
                parts.append(Content.styled(f"▸ {label}", "bold underline"))
            else:
                parts.append(Content(f"  {label}"))
        parts.append(Content(_("   (B : changer de vue)")))
        return Content("  ").join(parts)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.goal_list)
        if self._load_on_mount:
            self.load()

    @property
    def goal_list(self) -> GoalList[str]:
        return self.query_one("#collection-goals", GoalList)

    @property
    def search_input(self) -> Input:
        return self.query_one("#collection-search", Input)

    @property
    def entry(self) -> EntryLine:
        return self.query_one(EntryLine)

    @property
    def outbox(self) -> Outbox | None:
        return getattr(self.app, "outbox", None)

    # --- loading ------------------------------------------------------------------------------

    @work(group="collection-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Read the domains, learners, collection and catalogue from the server."""
        self.load_failed = False
        self._set_count_text(_("Chargement…"))
        client = await self.banqo.api()
        try:
            areas, learners, goals, catalogue = await asyncio.gather(
                client.catalogue.domains(),
                client.learners.list(),
                client.collection.list(),
                client.catalogue.goals(),
            )
        except errors.BanqoError:
            self.load_failed = True
            self._set_count_text(_("Chargement impossible — Ctrl+R : réessayer."))
            raise
        self.use_data(areas.items, learners, (GoalRecord.from_goal(goal) for goal in goals), catalogue)

    def use_data(
        self,
        areas: Sequence[Area],
        learners: Sequence[Learner],
        records: Iterable[GoalRecord],
        catalogue: Iterable[CatalogueGoal] = (),
    ) -> None:
        """Show these (the loader's answer; a benchmark may hand its own)."""
        self.areas = list(areas)
        self._area_labels = {area.id: area.label for area in self.areas}
        self.learners = list(learners)
        self.collection = Shelf(newest_first=True)
        self.collection.put_many(records)
        self._copies = (-1, {})
        self.bank = Shelf()
        language = current_language()
        self.bank.put_many(CatalogueRecord(goal, language) for goal in catalogue)
        if len(self.collection) > LARGE_COLLECTION:
            release_free_memory()
        self.loaded.set()
        self.apply_search(cursor=0)
        self._restore_refused()

    def action_reload(self) -> None:
        self.load()

    # --- the views and the search ---------------------------------------------------------------

    @property
    def shelf(self) -> Shelf[Any]:
        return self.collection if self.view == COLLECTION else self.bank

    def action_toggle_view(self) -> None:
        self.show_view(BANK if self.view == COLLECTION else COLLECTION)

    def show_view(self, view: View) -> None:
        if view == self.view:
            return
        self.view = view
        self.query_one("#collection-title", ScreenTitle).update(self._title())
        self.goal_list.marks = view == BANK
        self.apply_search(cursor=0)
        self.refresh_bindings()

    def _search_changed(self, _value: str) -> None:
        if self.is_mounted:
            self.apply_search(cursor=0, changed=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.entry.input:
            self._entry_changed(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is self.search_input:
            event.stop()
            self.set_focus(self.goal_list)

    def apply_search(self, *, cursor: int | None = None, changed: bool = True) -> None:
        """Filter the view with what the search box says: locally, at once.

        ``changed``: the goals changed (not only the query), so the detail pane is written again.
        """
        self._query = parse_search(self.search_input.value, self.areas)
        shelf = self.shelf
        rows = shelf.search(self._query)
        self.goal_list.set_rows(rows, self._query.words, cursor=cursor)
        self._show_count(len(rows), len(shelf))
        # Now rather than on the list's message: the pane is drawn in the same frame as the results.
        self._show_detail(self.goal_list.highlighted_key, again=changed)

    def _show_count(self, shown: int | None = None, total: int | None = None) -> None:
        if not self.loaded.is_set():
            return
        if shown is None:
            shown = len(self.goal_list.rows)
        if total is None:
            total = len(self.shelf)
        parts = [goals_count_text(shown, total), *self._query.problems]
        visible = self.goal_list.visible_rows()
        if visible is not None:
            parts.insert(1, _("{first} à {last} à l'écran").format(
                first=format_number(visible[0]), last=format_number(visible[1])))
        waiting = self.pending_count()
        if waiting:
            parts.append(pending_text(waiting))
        refused = len(self.outbox.refused()) if self.outbox is not None else 0
        if refused:
            parts.append(
                ngettext("{count} objectif refusé à reprendre", "{count} objectifs refusés à reprendre", refused)
                .format(count=refused)
            )
        self._set_count_text(" · ".join(parts))

    def _set_count_text(self, text: str) -> None:
        # One line whatever it says: no layout of the screen at each keystroke.
        self.query_one("#collection-count", Static).update(text, layout=False)

    def pending_count(self) -> int:
        """Goals in the outbox, waiting for the server (those being sent from the line right now aside)."""
        outbox = self.outbox
        if outbox is None:
            return 0
        return sum(1 for entry in outbox.pending() if entry.key not in self._sending)

    def _describe(self, key: str) -> tuple[str, str]:
        if self.view == COLLECTION:
            record = self.collection.get(key)
            return ("", record.text) if record is not None else ("", "")
        goal = self.bank.get(key)
        if goal is None:
            return "", ""
        return ("✓" if self._in_collection(goal.id) else ""), goal.text

    def _in_collection(self, catalogue_id: str) -> GoalRecord | None:
        """The copy of a catalogue goal in « Ma collection », if there is one."""
        generation, copies = self._copies
        if generation != self.collection.generation:
            copies = {
                record.catalogue_id: record
                for record in self.collection.records.values()
                if record.catalogue_id is not None
            }
            self._copies = (self.collection.generation, copies)
        return copies.get(catalogue_id)

    # --- the detail pane ------------------------------------------------------------------------

    def on_goal_list_highlighted(self, event: GoalList.Highlighted) -> None:
        self._show_detail(event.key)
        self._show_count()  # the rows on screen (the same text costs nothing: only changed cells are sent)

    def _show_detail(self, key: str | None, *, again: bool = False) -> None:
        """Show goal ``key`` in the detail pane (``again``: its content changed)."""
        if key == self._detail_key and not again:
            return
        self._detail_key = key
        self.query_one("#collection-detail-text", Static).update(self.detail_text(key))

    def detail_text(self, key: str | None) -> str:
        """What the detail pane says about the goal ``key`` of the view shown."""
        if key is None:
            return ""
        if self.view == COLLECTION:
            record = self.collection.get(key)
            if record is None:
                return ""
            names = {learner.id: learner.first_name for learner in self.learners}
            learners = ", ".join(names.get(learner_id, "?") for learner_id in record.learner_ids)
            source = (
                _("écrit par vous")
                if record.own
                else _("copié de la banque ({id})").format(id=record.catalogue_id or "?")
            )
            lines = [
                record.text,
                " · ".join(
                    [
                        _("Domaine : {domain}").format(domain=self._area_label(record.domain)),
                        _("Étiquettes : {tags}").format(
                            tags=" ".join(f"#{tag}" for tag in record.tags) if record.tags else _("aucune")
                        ),
                    ]
                ),
                _("Élèves : {names}").format(names=learners or _("aucun")) + " · "
                + _("Source : {source}").format(source=source),
                measurability_sentence(record.gaps),
            ]
            return "\n".join(lines)
        goal = self.bank.get(key)
        if goal is None:
            return ""
        copy = self._in_collection(goal.id)
        lines = [
            goal.text,
            " · ".join(
                [
                    _("Domaine : {domain}").format(domain=self._area_label(goal.domain)),
                    _("Niveaux : {levels}").format(levels=levels_text(goal.tags) or _("tous")),
                ]
            ),
            _("Banque BanqO : {id} ({version})").format(id=goal.id, version=goal.goal.catalogue_version)
            + " · "
            + (_("Déjà dans ma collection") if copy else _("Pas encore dans ma collection (A)")),
            measurability_sentence(goal.gaps),
        ]
        return "\n".join(lines)

    def _area_label(self, area_id: str | None) -> str:
        if not area_id:
            return _("aucun")
        return self._area_labels.get(area_id, area_id)

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_line = isinstance(self.focused, Input)
        if action in ("new_goal", "search"):
            return not in_line
        if action == "leave_input":
            return in_line
        if action == "submit_entry":
            entry = next(self.query(EntryLine).results(EntryLine), None)  # None before the screen is composed
            return entry is not None and self.focused is entry.input
        if action == "add_from_bank":
            return self.view == BANK
        if action in ("edit", "delete", "tags", "file"):
            return self.view == COLLECTION
        if action == "undo":
            return self._undo is not None and time.monotonic() - self._undo[1] < UNDO_SHOWN
        if action == "undo_late":
            return self._undo is not None and time.monotonic() - self._undo[1] < UNDO_WINDOW
        return True

    async def action_submit_entry(self) -> None:
        await self.entry.input.submit_now()

    def action_new_goal(self) -> None:
        if self.view != COLLECTION:
            self.show_view(COLLECTION)
        self.entry.focus_input()

    def action_search(self) -> None:
        self.set_focus(self.search_input)

    async def action_leave_input(self) -> None:
        from banqo_tui.widgets.entry_line import settled

        focused = self.focused
        if focused is not None:
            await settled(focused)
        if focused is self.search_input and self.search_input.value:
            self.search_input.value = ""
            return
        if focused is self.search_input or focused is self.entry.input:
            self.set_focus(self.goal_list)

    async def action_focus_next_now(self) -> None:
        """Tab: completes a partial ``@dom`` at the end of the quick-entry line; otherwise the next field."""
        from banqo_tui.quick_entry import complete_domain
        from banqo_tui.widgets.entry_line import settled

        entry = self.entry
        if self.focused is entry.input and self.areas:
            await settled(entry.input)  # the letters typed before Tab first
            completed = complete_domain(entry.value, self.areas)
            if completed is not None:
                entry.value = completed
                return
        super().action_focus_next_now()

    def action_filter(self) -> None:
        from banqo_tui.screens.dialogs import FilterPicker

        shelf = self.shelf
        counts = shelf.domain_counts()
        choices = [
            (f"@{area.id}", f"{area.label} (@{area.id}) — {format_number(counts.get(area.id, 0))}")
            for area in self.areas
            if counts.get(area.id)
        ]
        choices += [(f"#{tag}", f"#{tag} — {format_number(count)}") for tag, count in shelf.tags()]
        if not choices:
            self.notify(_("Aucun domaine ni étiquette pour filtrer cette vue."))
            return

        def chosen(token: str | None) -> None:
            if token:
                value = self.search_input.value.rstrip()
                self.search_input.value = f"{value} {token}".strip()
            self.set_focus(self.goal_list)

        self.app.push_screen(FilterPicker(choices), chosen)

    @property
    def highlighted_record(self) -> GoalRecord | None:
        if self.view != COLLECTION:
            return None
        return self.collection.get(self.goal_list.highlighted_key)

    # --- quick entry --------------------------------------------------------------------------

    def _entry_changed(self, value: str) -> None:
        from banqo_tui.quick_entry import domain_candidates

        entry = self.entry
        if value:
            entry.clear_error()
        last = value.rsplit(" ", 1)[-1] if value and not value.endswith(" ") else ""
        if last.startswith("@") and len(last) > 1 and self.areas:
            found = domain_candidates(last[1:], self.areas)
            if len(found) == 1:
                entry.show_hint(
                    _("@{typed} → {label} (@{id}) : Tab ou → pour compléter").format(
                        typed=last[1:], label=found[0].label, id=found[0].id
                    )
                )
            elif found:
                entry.show_hint(_("@{typed} : {choices}").format(
                    typed=last[1:], choices=", ".join(area.id for area in found)
                ))
            else:
                entry.show_hint(_("Aucun domaine ne commence par « {typed} ».").format(typed=last[1:]))
        elif value:
            entry.show_hint(None)

    async def _submit_entry(self, line: str) -> bool:
        """Enter in the quick-entry line: True when the line may be emptied (saved, or kept in the outbox)."""
        try:
            await asyncio.wait_for(asyncio.shield(self.loaded.wait()), timeout=5)
        except TimeoutError:
            pass  # not loaded (server unreachable since): domains unknown, learners matched by the server
        parsed = parse_quick_entry(line, self.areas, self.learners)
        if not parsed.ok:
            self.entry.set_error(list(parsed.errors))
            return False
        fields: dict[str, Any] = {"text": parsed.text}
        if parsed.tags:
            fields["tags"] = list(parsed.tags)
        if parsed.domain:
            fields["domain"] = parsed.domain
        outbox = self.outbox
        try:
            if outbox is None:
                raise OSError("no outbox")
            pending = outbox.add(fields, [ref.name for ref in parsed.learners])
        except OSError:
            self.entry.set_error(
                [_("BanqO ne peut pas écrire dans son dossier de données : l'objectif n'est pas enregistré.")]
            )
            return False
        return await self.send(pending, line)

    async def send(self, pending: PendingGoal, line: str | None = None) -> bool:
        """Send a goal of the outbox now; True unless the server refused it (``line`` goes back for fixing)."""
        from banqo_tui.outbox import TRANSIENT, deliver, refusal_reasons

        outbox = self.outbox
        assert outbox is not None
        outbox.in_flight.add(pending.key)
        self._sending.add(pending.key)
        try:
            client = await self.banqo.api()
            async with outbox.sending:
                goal, created = await deliver(client, pending, self.learners)
        except TRANSIENT:
            self._sending.discard(pending.key)
            outbox.in_flight.discard(pending.key)
            self._went_to_outbox()
            return True
        except errors.NotSignedIn as exc:
            self._sending.discard(pending.key)
            outbox.in_flight.discard(pending.key)
            self.banqo.report_error(exc)
            return True
        except errors.ApiError as exc:
            self._sending.discard(pending.key)
            self._refused(pending, refusal_reasons(exc), line)
            return False
        except BaseException as exc:
            # The goal stays in the outbox; an unexpected error gets one sentence (the app logs it).
            self._sending.discard(pending.key)
            outbox.in_flight.discard(pending.key)
            if not isinstance(exc, Exception):
                raise
            self.banqo.report_error(exc)
            return True
        self._sending.discard(pending.key)
        outbox.done(pending.key)
        self.goal_saved(goal, created, announce=line is not None)
        return True

    def _went_to_outbox(self) -> None:
        if not self._outbox_notice_shown:
            self._outbox_notice_shown = True
            self.notify(
                _(
                    "Le serveur ne répond pas : les objectifs sont gardés sur cet ordinateur et seront envoyés "
                    "dès qu'il répondra."
                ),
                severity="warning",
                timeout=10,
            )
        self._show_count()
        self.banqo.deliver_outbox()

    def _refused(self, pending: PendingGoal, reasons: list[str], line: str | None) -> None:
        """The server refused a goal: back in the line with the reasons, never dropped."""
        outbox = self.outbox
        assert outbox is not None
        entry = self.entry
        text = line or entry_line(
            pending.text,
            pending.fields.get("tags") or (),
            pending.fields.get("domain"),
            pending.learner_names,
        )
        if line is not None and entry.value in (line, ""):
            outbox.done(pending.key)
            if not entry.value:
                entry.value = text
            entry.set_error(reasons)
            return
        if line is None and "catalogue_id" in pending.fields:
            outbox.done(pending.key)
            self.notify(" ".join(reasons), severity="error", markup=False)
            return
        outbox.refuse(pending.key, reasons)
        self.notify(
            _("Objectif non enregistré : « {text} » — {reason}").format(text=pending.text, reason=" ".join(reasons)),
            severity="error",
            markup=False,
            timeout=12,
        )
        self._show_count()
        self._restore_refused()

    def _restore_refused(self) -> None:
        """A goal the server refused waits in the outbox: into the line when the line is free."""
        outbox = self.outbox
        if outbox is None or self.entry.value:
            return
        refused = outbox.refused()
        if not refused:
            return
        pending = refused[0]
        self.entry.value = entry_line(
            pending.text, pending.fields.get("tags") or (), pending.fields.get("domain"), pending.learner_names
        )
        self.entry.set_error(list(pending.refused))
        outbox.done(pending.key)
        self._show_count()

    def goal_saved(self, goal: Goal, created: Sequence[Learner] = (), *, announce: bool = True) -> None:
        """A goal came back from the server: show it at once (newest first)."""
        existed = goal.id in self.collection
        self.collection.put(GoalRecord.from_goal(goal))
        known = {learner.id for learner in self.learners}
        self.learners += [learner for learner in created if learner.id not in known]
        if self.view == COLLECTION:
            self.apply_search(cursor=None if existed else 0)
        else:
            self.goal_list.refresh_rows()
            self._show_count()
        if announce:
            short = goal.text if len(goal.text) <= 50 else goal.text[:49] + "…"
            if existed:
                self.entry.show_hint(_("Déjà dans votre collection : « {text} »").format(text=short))
            else:
                self.entry.show_hint(_("Enregistré : « {text} »").format(text=short))

    # Called by the app's outbox sender (see BanqoApp.deliver_outbox).

    def outbox_delivered(self, pending: PendingGoal, goal: Goal, created: Sequence[Learner]) -> None:
        self.goal_saved(goal, created, announce=False)
        self._show_count()

    def outbox_refused(self, pending: PendingGoal, reasons: Sequence[str]) -> None:
        self._restore_refused()
        self._show_count()

    # --- « Banque » ---------------------------------------------------------------------------

    def action_add_from_bank(self) -> None:
        if self.view != BANK:
            return
        goal = self.bank.get(self.goal_list.highlighted_key)
        if goal is None:
            return
        if self._in_collection(goal.id):
            self.notify(_("Cet objectif est déjà dans votre collection."))
            return
        try:
            if self.outbox is None:
                raise OSError("no outbox")
            pending = self.outbox.add({"catalogue_id": goal.id, "language": current_language()})
        except OSError:
            self.notify(
                _("BanqO ne peut pas écrire dans son dossier de données : l'objectif n'est pas ajouté."),
                severity="error",
            )
            return
        self._add_from_bank(pending, goal.text)

    @work(group="collection-add", exit_on_error=False)
    async def _add_from_bank(self, pending: PendingGoal, text: str) -> None:
        if await self.send(pending) and self.outbox is not None and self.outbox.get(pending.key) is None:
            self.goal_list.refresh_rows()
            self._show_detail(self.goal_list.highlighted_key, again=True)
            short = text if len(text) <= 60 else text[:59] + "…"
            self.notify(_("Ajouté à ma collection : « {text} »").format(text=short), markup=False, timeout=4)

    # --- changing goals -------------------------------------------------------------------------

    def action_edit(self) -> None:
        record = self.highlighted_record
        if record is not None:
            self._edit(record)

    @work(group="collection-edit", exclusive=True, exit_on_error=False)
    async def _edit(self, record: GoalRecord) -> None:
        from banqo_tui.screens.goal_form import GoalFormScreen

        client = await self.banqo.api()
        try:
            goal = await client.collection.get(record.id)
        except errors.NotFound:
            self._gone(record)
            return
        self.collection.put(GoalRecord.from_goal(goal))
        form = GoalFormScreen(goal, self.areas)
        self.app.push_screen(form, lambda saved: self._edited(saved, form.base))

    def _edited(self, saved: Goal | None, latest: Goal) -> None:
        """The form closed: ``saved`` when it saved; ``latest`` is the last version it read (a conflict)."""
        if saved is not None:
            self.notify(_("Objectif enregistré."), timeout=3)
        goal = saved or latest
        record = self.collection.get(goal.id)
        if record is None or record.version != goal.version or saved is not None:
            self.goal_saved(goal, announce=False)
        self._show_detail(self.goal_list.highlighted_key, again=True)
        self.set_focus(self.goal_list)

    def _gone(self, record: GoalRecord) -> None:
        self.collection.remove(record.id)
        self.apply_search(cursor=None)
        self.notify(_("Cet objectif a été supprimé ailleurs."), severity="warning")

    def action_delete(self) -> None:
        record = self.highlighted_record
        if record is not None:
            self._delete(record)

    @work(group="collection-delete", exit_on_error=False)
    async def _delete(self, record: GoalRecord) -> None:
        client = await self.banqo.api()
        try:
            await client.collection.delete(record.id, record.version)
        except errors.NotFound:
            self._gone(record)
            return
        except errors.Conflict:
            goal = await client.collection.get(record.id)
            self.goal_saved(goal, announce=False)
            self._show_detail(self.goal_list.highlighted_key, again=True)
            self.notify(
                _("Cet objectif a été modifié ailleurs : il n'a pas été supprimé. Vérifiez-le, puis recommencez."),
                severity="warning",
            )
            return
        self.collection.remove(record.id)
        self.apply_search(cursor=None)
        self._undo = (record, time.monotonic())
        self.refresh_bindings()
        if self._undo_timer is not None:
            self._undo_timer.stop()
        self._undo_timer = self.set_timer(UNDO_SHOWN + 0.1, self.refresh_bindings)
        short = record.text if len(record.text) <= 50 else record.text[:49] + "…"
        self.notify(
            _("Objectif supprimé : « {text} ». U : annuler.").format(text=short), markup=False, timeout=UNDO_SHOWN
        )

    def action_undo_late(self) -> None:
        self.action_undo()

    def action_undo(self) -> None:
        if self._undo is None:
            return
        record, at = self._undo
        if time.monotonic() - at > UNDO_WINDOW:
            self._undo = None
            self.notify(_("Trop tard pour annuler : l'objectif est supprimé pour de bon."), severity="warning")
            return
        self._undo = None
        self.refresh_bindings()
        self._restore(record)

    @work(group="collection-undo", exit_on_error=False)
    async def _restore(self, record: GoalRecord) -> None:
        client = await self.banqo.api()
        goal = await client.collection.restore(record.id)
        self.goal_saved(goal, announce=False)
        self.notify(_("Objectif rétabli."), timeout=3)

    def action_tags(self) -> None:
        from banqo_tui.screens.dialogs import TagsDialog

        record = self.highlighted_record
        if record is None:
            return

        def saved(goal: Goal | None) -> None:
            if goal is not None:
                self.goal_saved(goal, announce=False)
                self._show_detail(self.goal_list.highlighted_key, again=True)
            self.set_focus(self.goal_list)

        self.app.push_screen(TagsDialog(record), saved)

    def action_file(self) -> None:
        from banqo_tui.screens.dialogs import LearnerPicker

        record = self.highlighted_record
        if record is None:
            return

        def chosen(learner: Learner | None) -> None:
            if learner is not None:
                if all(known.id != learner.id for known in self.learners):
                    self.learners.append(learner)
                self._file(record, learner)
            self.set_focus(self.goal_list)

        self.app.push_screen(LearnerPicker(self.learners, _("Classer l'objectif sous un élève")), chosen)

    @work(group="collection-file", exit_on_error=False)
    async def _file(self, record: GoalRecord, learner: Learner) -> None:
        client = await self.banqo.api()
        filed = await client.learners.file(learner.id, record.id)
        self.goal_saved(filed.goal, announce=False)
        self._show_detail(self.goal_list.highlighted_key, again=True)
        self.notify(_("Classé sous {name}.").format(name=learner.first_name), markup=False, timeout=3)
