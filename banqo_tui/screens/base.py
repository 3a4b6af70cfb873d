"""What every BanqO screen shares: translated bindings, a title line, and worker failures sent to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from banqo_tui.commands import translate_bindings

if TYPE_CHECKING:
    from banqo_tui.app import BanqoApp


class ScreenTitle(Static):
    """The one-line title at the top of a screen."""

    DEFAULT_CSS = """
    ScreenTitle {
        dock: top;
        width: 100%;
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    """


class BanqoScreen(Screen[Any]):
    """A screen whose bindings speak the interface's language and whose worker failures reach the user."""

    # Priority bindings run before the next key is read, so text typed ahead after Tab (a fast typist, a
    # paste, a slow SSH link delivering keys in bursts) lands in the next field, not the previous one.
    BINDINGS = [
        Binding("tab", "focus_next_now", show=False, priority=True, id="screen.focus_next"),
        Binding("shift+tab", "focus_previous_now", show=False, priority=True, id="screen.focus_previous"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)

    def on_mount(self) -> None:
        self.set_class(self.banqo.accessible, "-accessible")
        self.show_status_line(self.banqo.accessible)

    def show_status_line(self, shown: bool) -> None:
        """The mode for screen readers' status line (``widgets.status_line``), at the bottom of the screen."""
        from banqo_tui.widgets.status_line import StatusLine

        present = list(self.query(StatusLine))
        if shown and not present and not getattr(self, "_status_line_mounting", False):
            self._status_line_mounting = True
            entries = self.banqo.messages.entries
            self.mount(StatusLine(entries[-1] if entries else None))
        elif not shown:
            self._status_line_mounting = False
            for line in present:
                line.remove()

    @property
    def banqo(self) -> BanqoApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def action_focus_next_now(self) -> None:
        self.focus_next()

    def action_focus_previous_now(self) -> None:
        self.focus_previous()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.banqo.report_error(event.worker.error, field_target=self)

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Write each field's messages under its ``Field``; return those for fields this screen lacks."""
        from banqo_tui.widgets.field import Field

        fields = {
            field.name: field for field in self.query(Field) if field.name and self._field_is_active(field)
        }
        unplaced: dict[str, list[str]] = {}
        first: Field | None = None
        for name, messages in errors.items():
            field = fields.get(name)
            if field is None:
                unplaced[name] = messages
                continue
            field.set_error(messages)
            first = first or field
        if first is not None:
            first.focus_input()
        return unplaced

    def _field_is_active(self, field: Any) -> bool:
        """Whether ``field`` belongs to the part of the screen in use (a screen with tabs narrows this)."""
        return True
