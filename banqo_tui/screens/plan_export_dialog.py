"""Export a plan (or the snapshot kept by one of its reviews): the format, then where to save it, then the download
with its progress said in words (« 35 % — 120 ko sur 340 ko »). Answers the saved ``Path``, or None."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from banqo_tui.api.models import PlanExportFormat
from banqo_tui.i18n import N_, _, format_date
from banqo_tui.screens.dialogs import Dialog
from banqo_tui.widgets.choice_list import ChoiceList

if TYPE_CHECKING:
    from banqo_tui.api.models import Plan, Review

EXPORT_GROUP = "plan-export"


def format_choices() -> list[tuple[PlanExportFormat, str]]:
    """The formats, each with what it is for."""
    return [
        (PlanExportFormat.PDF, _("PDF — pour la rencontre et les signatures")),
        (PlanExportFormat.DOCX, _("DOCX — à modifier dans un traitement de texte")),
        (PlanExportFormat.MD, _("Markdown — du texte simple")),
    ]


def file_name_part(text: str) -> str:
    """« Léa-Rose » → « lea-rose »: a first name as it goes in a file name (ASCII, lower case, dashes)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "plan"


def suggested_name(plan: Plan, review: Review | None, format: PlanExportFormat) -> str:
    """« plan-lea-2026-09-01.pdf », or « plan-lea-2026-09-01-revision-2.pdf » for a review's snapshot."""
    stem = f"plan-{file_name_part(plan.learner_first_name)}-{plan.opened_on.isoformat()}"
    if review is not None:
        stem += f"-revision-{review.number}"
    return f"{stem}.{format.value}"


class PlanExportDialog(Dialog):
    """Choose the format (Enter), then the file; the download's progress shows here."""

    DEFAULT_CSS = """
    PlanExportDialog #plan-export-progress {
        display: none;
    }
    PlanExportDialog #plan-export-progress.-running {
        display: block;
    }
    PlanExportDialog #plan-export-status {
        height: auto;
        color: $text-muted;
    }
    PlanExportDialog #plan-export-status.-problem {
        color: $text-error;
        text-style: bold;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="plan_export.cancel")]

    def __init__(self, plan: Plan, review: Review | None = None) -> None:
        super().__init__(id="plan-export-dialog")
        self.plan = plan
        self.review = review

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title(), classes="dialog--title", markup=False)
            yield Static(
                _("Choisissez le format (↑↓ puis Entrée), puis l'endroit où enregistrer le fichier."),
                classes="dialog--text",
                markup=False,
            )
            yield ChoiceList(
                *[Option(label, id=format.value) for format, label in format_choices()], id="plan-export-formats"
            )
            # Screen-reader mode: no moving bar; the line under it says the same in words.
            yield ProgressBar(total=None, show_bar=not self.banqo.accessible, show_eta=False,
                              id="plan-export-progress")
            yield Static("", id="plan-export-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def _title(self) -> str:
        name = self.plan.learner_first_name
        if self.review is None:
            return _("Exporter le plan de {name}").format(name=name)
        return _("Exporter la révision {number} du {date} — plan de {name}").format(
            number=self.review.number, date=format_date(self.review.held_on, "long"), name=name
        )

    def on_mount(self) -> None:
        super().on_mount()
        formats = self.query_one(ChoiceList)
        formats.highlighted = 0
        formats.focus()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.choose_file(PlanExportFormat(event.option.id))

    def choose_file(self, format: PlanExportFormat) -> None:
        from banqo_tui.widgets.file_picker import FilePicker

        picker = FilePicker(
            self._title(),
            mode="save",
            suggested_name=suggested_name(self.plan, self.review, format),
            extensions=(f".{format.value}",),
        )

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.export(format, Path(path))

        self.app.push_screen(picker, chosen)

    @work(group=EXPORT_GROUP, exclusive=True, exit_on_error=False)
    async def export(self, format: PlanExportFormat, destination: Path) -> None:
        """Save the plan at ``destination``, saying the bytes received as they arrive; then close."""
        from banqo_tui.screens.settings_privacy import save_with_progress

        self._status(_("Exportation en cours…"))
        client = await self.banqo.api()
        review_id = self.review.id if self.review else None
        saved = await save_with_progress(
            self.query_one(ProgressBar),
            self._status,
            lambda progress: client.plans.export(
                self.plan.id, destination, format, review_id=review_id, on_progress=progress
            ),
            destination,
        )
        if not saved:
            return
        self.app.notify(_("Plan enregistré : {path}").format(path=destination), markup=False)
        self.dismiss(destination)

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#plan-export-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == EXPORT_GROUP and event.state == WorkerState.ERROR and event.worker.error:
            from banqo_tui.screens.settings_privacy import _reason

            self.query_one(ProgressBar).remove_class("-running")
            self._status(
                _("L'exportation a échoué : {reason}").format(reason=_reason(event.worker.error)), problem=True
            )
        super().on_worker_state_changed(event)
