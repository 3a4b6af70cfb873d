"""« Mes paramètres », tab « Préférences »: the interface's language, its colours, the mode for screen readers.

Each choice applies at once and is written to the configuration file (``config.save_preferences``), so the
next launch starts the same way. The language also goes to the server, which writes its emails in it; the
screens are then rebuilt in the new language (« Votre résumé », then this tab again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Input, Label, RadioSet, Select, Static

from banqo_tui import i18n
from banqo_tui.api import errors
from banqo_tui.i18n import N_, _
from banqo_tui.widgets.toggles import MarkedCheckbox, MarkedRadioButton, MarkedRadioSet

if TYPE_CHECKING:
    from banqo_tui.app import BanqoApp

#: Each language is named in its own words, whatever the interface's language.
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"))
#: Themes with a BanqO name; the others are listed by their own name after these.
THEME_LABELS = {
    "banqo": N_("BanqO sombre"),
    "banqo-light": N_("BanqO clair"),
    "banqo-contrast": N_("BanqO contraste élevé"),
    "ansi-dark": N_("Couleurs du terminal (fond sombre)"),
    "ansi-light": N_("Couleurs du terminal (fond clair)"),
}


def theme_options(available: list[str]) -> list[tuple[str, str]]:
    """(label, theme name): BanqO's and the terminal's own colours first, then the others by name."""
    first = [name for name in THEME_LABELS if name in available]
    others = sorted(name for name in available if name not in THEME_LABELS)
    return [(_(THEME_LABELS[name]), name) for name in first] + [(name, name) for name in others]


def save_choices(app: BanqoApp, **values: str | bool) -> bool:
    """Write the choices to the configuration file; a failure is said, the choice stays for this run."""
    from banqo_tui.config import ConfigError, save_preferences

    try:
        save_preferences(app.config.file_path, **values)  # type: ignore[arg-type]
    except ConfigError as exc:
        app.notify(
            _("Ce choix vaut pour cette séance, mais il n'a pas pu être enregistré pour les prochaines : {detail}")
            .format(detail=exc),
            severity="warning",
            markup=False,
        )
        return False
    return True


def apply_accessible(app: BanqoApp, accessible: bool) -> None:
    """Turn the mode for screen readers on or off, on every open screen at once."""
    from textual import constants
    from textual.widgets._toggle_button import ToggleButton

    from banqo_tui.widgets.picture import Picture

    app.config.accessible = accessible
    app.animation_level = "none" if accessible else constants.TEXTUAL_ANIMATIONS
    app.set_class(accessible, "-accessible")
    app.show_terminal_cursor(accessible)
    for screen in app.screen_stack:
        screen.set_class(accessible, "-accessible")
        show_status_line = getattr(screen, "show_status_line", None)
        if show_status_line is not None:
            show_status_line(accessible)
        for widget in screen.query(Input):
            widget.cursor_blink = not accessible
        for picture in screen.query(Picture):
            picture.apply_accessible()
        for toggle in screen.query(ToggleButton):
            toggle.refresh()  # brackets or half blocks (``widgets.toggles``)


async def change_language(app: BanqoApp, language: str) -> None:
    """Use ``language`` from now on: here, in the configuration file, on the server, then rebuild the screens."""
    i18n.setup(language)
    app.config.language = i18n.current_language()
    save_choices(app, language=app.config.language)
    client = await app.api()
    client.language = i18n.http_language()
    if app.signed_in:
        for attempt in range(2):
            try:
                profile = await client.me.profile()
                await client.me.update_profile(profile.version, language=i18n.http_language())
            except errors.Conflict:
                if attempt == 0:
                    continue  # changed meanwhile: read it again, once
                app.notify(_("La langue de vos courriels n'a pas pu être changée sur le serveur."), severity="warning")
            except errors.NotSignedIn:
                raise
            except errors.BanqoError as exc:
                app.notify(
                    _("La langue de vos courriels n'a pas pu être changée sur le serveur : {reason}").format(
                        reason=exc.message
                    ),
                    severity="warning",
                    markup=False,
                )
            break
    await app.language_changed()
    if app.screen.id == "settings-screen":
        for radio in app.screen.query("#preferences-language"):
            radio.focus()


class PreferencesPane(VerticalScroll, can_focus=False):
    """Language (Français / English), theme, mode for screen readers: applied at once, kept for next time."""

    DEFAULT_CSS = """
    PreferencesPane {
        height: 1fr;
    }
    PreferencesPane .preferences--heading {
        text-style: bold;
        margin-top: 1;
    }
    PreferencesPane .preferences--heading.-first {
        margin-top: 0;
    }
    PreferencesPane .preferences--note {
        color: $text-muted;
        height: auto;
    }
    PreferencesPane RadioSet {
        width: auto;
        height: auto;
        border: none;
        border-left: blank;
        padding: 0;
    }
    PreferencesPane RadioSet:focus-within, PreferencesPane RadioSet:focus, PreferencesPane Checkbox:focus {
        border: none;
        border-left: thick $accent;
    }
    PreferencesPane RadioSet:focus > RadioButton.-selected > .toggle--label {
        text-style: bold reverse;
    }
    PreferencesPane .preferences--row {
        height: 1;
        border-left: blank;
    }
    PreferencesPane .preferences--row:focus-within {
        border-left: thick $accent;
    }
    PreferencesPane .preferences--row Label {
        width: 18;
    }
    PreferencesPane .preferences--row Select {
        width: 40;
    }
    PreferencesPane Checkbox {
        border: none;
        border-left: blank;
        padding: 0;
        height: 1;
    }
    """

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        language = i18n.current_language()
        app = self.banqo
        yield Static(_("Langue de l'interface"), classes="preferences--heading -first")
        with MarkedRadioSet(id="preferences-language"):
            for code, name in LANGUAGE_NAMES:
                yield MarkedRadioButton(name, value=code == language, id=f"language-{code}")
        yield Static(
            _("BanqO vous écrit aussi ses courriels dans cette langue."), classes="preferences--note", markup=False
        )
        yield Static(_("Couleurs"), classes="preferences--heading")
        with Horizontal(classes="preferences--row"):
            yield Label(_("Thème"))
            yield Select(
                theme_options(list(app.available_themes)),
                value=app.theme,
                allow_blank=False,
                compact=True,
                id="preferences-theme",
            )
        yield Static(_("Accessibilité"), classes="preferences--heading")
        yield MarkedCheckbox(
            _("Mode adapté aux lecteurs d'écran"), value=app.config.accessible, id="preferences-accessible"
        )
        yield Static(
            _("Sans animation ni clignotement; les images sont remplacées par leur description."),
            classes="preferences--note",
            markup=False,
        )
        yield Static(
            _("Ces choix sont enregistrés dans {path}.").format(path=app.config.file_path),
            classes="preferences--note preferences--heading",
            id="preferences-file",
            markup=False,
        )

    def on_mount(self) -> None:
        self.call_after_refresh(self._highlight_current_language)

    def _highlight_current_language(self) -> None:
        """Start the arrow keys from the language in use (Textual starts them from the first button)."""
        radio = self.query_one("#preferences-language", RadioSet)
        index = radio.pressed_index
        if index >= 0:
            radio._selected = index

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        pressed = event.pressed.id or ""
        language = pressed.removeprefix("language-")
        if language == i18n.current_language():
            return
        self.app.run_worker(
            change_language(self.banqo, language), group="language", exclusive=True, exit_on_error=False
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "preferences-theme":
            return
        event.stop()
        theme = event.value
        app = self.banqo
        if not isinstance(theme, str) or (theme == app.theme and theme == app.config.theme):
            return
        shown = app.theme_for_this_terminal(theme)
        app.theme = shown
        app.config.theme = theme
        save_choices(app, theme=theme)
        if shown != theme:
            app.notify(
                _("Ce terminal n'affiche que 16 couleurs (ou aucune) : BanqO garde les couleurs du terminal. "
                  "Le thème choisi servira sur un terminal qui en affiche plus."),
                markup=False,
            )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id != "preferences-accessible":
            return
        event.stop()
        accessible = bool(event.value)
        if accessible == self.banqo.config.accessible:
            return
        apply_accessible(self.banqo, accessible)
        save_choices(self.banqo, accessible=accessible)
