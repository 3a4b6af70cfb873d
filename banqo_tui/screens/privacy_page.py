"""The privacy policy, in the interface's language, readable signed in or not (F10, « Confidentialité »)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Markdown

import banqo_tui
from banqo_tui.i18n import N_, _, current_language
from banqo_tui.screens.base import BanqoScreen, ScreenTitle


def privacy_document(language: str) -> Path | None:
    """The policy's Markdown file for ``language`` (``fr``/``en``): inside the package when installed from a
    wheel, else in the repository's ``docs/``; French when the language has none; None when neither exists."""
    package = Path(banqo_tui.__file__).parent
    for code in dict.fromkeys((language, "fr")):
        for folder in (package / "privacy", package.parent / "docs"):
            path = folder / f"privacy.{code}.md"
            if path.is_file():
                return path
    return None


class PrivacyPageScreen(BanqoScreen):
    """« Politique de confidentialité »: the page of ``docs/privacy.<fr|en>.md``; arrows and Page keys scroll."""

    BINDINGS = [
        Binding("escape", "close", N_("Retour"), id="privacy_page.close"),
    ]

    DEFAULT_CSS = """
    #privacy-page-body {
        padding: 0 1;
        border-left: blank;
    }
    #privacy-page-body:focus {
        border-left: thick $accent;
    }
    #privacy-page-body Markdown {
        margin: 0;
        padding: 0;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="privacy-page-screen")

    def text(self) -> str:
        """The page's Markdown, or a sentence saying it could not be found."""
        path = privacy_document(current_language())
        if path is not None:
            try:
                return path.read_text(encoding="utf-8")
            except OSError:
                pass
        return _("La politique de confidentialité est introuvable dans cette installation de BanqO.")

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Politique de confidentialité (Échap pour revenir)"))
        with VerticalScroll(id="privacy-page-body", can_focus=True):
            yield Markdown(self.text(), id="privacy-page-text", open_links=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#privacy-page-body").focus()

    def action_close(self) -> None:
        self.app.pop_screen()
