"""``StatusLine``: the mode for screen readers' line of news, above the keys.

A toast appears in a corner and goes away after a few seconds, often before a screen reader has reached
it. In the mode for screen readers the notifications go here instead (and, as always, to the messages log,
F4): one line at the bottom of every screen, « Erreur : Courriel ou mot de passe incorrect. », which stays
until the next message. The severity is a word, never only a colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widget import Widget

    from banqo_tui.widgets.message_log import LogEntry


def status_text(entry: LogEntry | None) -> str:
    if entry is None:
        return ""
    text = f"{entry.title} : {entry.text}" if entry.title else entry.text
    return f"{entry.severity_name} : {text}"


class StatusLine(Static):
    """The newest message; empty until the first one."""

    DEFAULT_CSS = """
    StatusLine {
        dock: bottom;
        margin-bottom: 1;  /* above the keys (Footer), docked at the bottom too */
        height: auto;
        max-height: 3;  /* a long message is wrapped, not cut */
        width: 100%;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    StatusLine.-error, StatusLine.-warning {
        text-style: bold;
    }
    """

    def __init__(self, entry: LogEntry | None = None) -> None:
        super().__init__(markup=False, id="status-line")
        self.show(entry)

    def show(self, entry: LogEntry | None) -> None:
        self.update(status_text(entry))
        for severity in ("information", "warning", "error"):
            self.set_class(entry is not None and entry.severity == severity, f"-{severity}")


def announce_field_error(widget: Widget, label: str, text: str) -> None:
    """In the mode for screen readers, a field's error is also said on the status line (« Erreur : Courriel :
    … »): the message under the field is not where a screen reader looks once the save key is pressed."""
    app = widget.app
    if getattr(app, "accessible", False) and text:
        app.notify(f"{label} : {text}" if label else text, severity="error", markup=False)
