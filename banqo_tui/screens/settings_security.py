"""« Mes paramètres », tab « security » (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class SecurityPane(VerticalScroll):
    """Placeholder until the tab is built."""

    def compose(self) -> ComposeResult:
        yield Static("…", markup=False)
