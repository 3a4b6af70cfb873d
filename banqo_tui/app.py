"""``BanqoApp``: the screens, the global keys, the theme — and the one place where failures become messages.

Start-up speed matters (teachers over SSH): this module imports Textual and BanqO's light modules only. The
API client (httpx, pydantic), the embedded server, the keyring and babel are imported in workers, after the
sign-in screen has been drawn.
"""

from __future__ import annotations

import logging
import math
import os
import socket
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.geometry import Offset
from textual.reactive import reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.theme import Theme
from textual.worker import Worker, WorkerState

import banqo_tui
from banqo_tui import commands
from banqo_tui.api import errors
from banqo_tui.config import Config
from banqo_tui.focus_cursor import cursor_offset
from banqo_tui.i18n import _, ngettext
from banqo_tui.inert import inert
from banqo_tui.screens.login import SignInScreen
from banqo_tui.terminal_output import MirroredUpdate, ScreenMirror
from banqo_tui.widgets.message_log import MessageLog

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import SessionToken
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore
    from banqo_tui.outbox import Outbox, PendingGoal

log = logging.getLogger(__name__)


def styles_dir() -> Path:
    """The TCSS folder: inside the package when installed from a wheel, else at the top of the repository."""
    package = Path(banqo_tui.__file__).parent
    inside = package / "styles"
    return inside if inside.is_dir() else package.parent / "styles"


BANQO_THEME = Theme(
    name="banqo",
    primary="#2F6FB3",
    secondary="#3C8D7B",
    accent="#F2B33D",
    foreground="#E8ECF1",
    background="#121A24",
    surface="#1A2532",
    panel="#233246",
    success="#5DBB63",
    warning="#F2B33D",
    error="#FF6B6B",
    dark=True,
)

#: High contrast, ours: white on black, the focus and warnings in yellow, the title bar in deep blue.
BANQO_CONTRAST_THEME = Theme(
    name="banqo-contrast",
    primary="#0033CC",
    secondary="#00D7D7",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#262626",
    success="#00FF5F",
    warning="#FFFF00",
    error="#FF5F5F",
    dark=True,
)

#: The themes made of the terminal's own 16 colours (Textual's): used when the terminal has no more.
TERMINAL_THEMES = {True: "ansi-dark", False: "ansi-light"}

BANQO_LIGHT_THEME = Theme(
    name="banqo-light",
    primary="#1F5A99",
    secondary="#2C6E60",
    accent="#9A5B00",
    foreground="#1B1F24",
    background="#F7F8FA",
    surface="#FFFFFF",
    panel="#E4E9F0",
    success="#2E7D32",
    warning="#9A5B00",
    error="#B3261E",
    dark=False,
)


def retry_delay_text(seconds: int | None) -> str:
    """« Réessayez dans 3 minutes. » from a number of seconds; empty when unknown."""
    if not seconds or seconds <= 0:
        return ""
    if seconds < 60:
        return ngettext(
            "Réessayez dans {count} seconde.", "Réessayez dans {count} secondes.", seconds
        ).format(count=seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("Réessayez dans {count} minute.", "Réessayez dans {count} minutes.", minutes).format(
        count=minutes
    )


class BanqoApp(App[None]):
    """The BanqO terminal app.

    ``connection`` and ``credentials`` default to the configured server and the system keyring; tests pass
    their own. ``device`` is the label the server records for this terminal's sessions.
    """

    TITLE = "BanqO"
    CSS_PATH: ClassVar[list[str | Path]] = [styles_dir() / "global.tcss", styles_dir() / "app.tcss"]
    BINDINGS = commands.app_bindings()
    COMMANDS = App.COMMANDS | {commands.BanqoCommands}
    NOTIFICATION_TIMEOUT = 6

    #: "connecting", "ready", "unreachable" or "failed": the sign-in screen shows it.
    connection_state: reactive[str] = reactive("connecting")
    signed_in: reactive[bool] = reactive(False)

    def __init__(
        self,
        config: Config,
        connection: Connection | None = None,
        credentials: CredentialStore | None = None,
        *,
        device: str | None = None,
        exit_after_first_frame: bool = False,
    ) -> None:
        super().__init__()
        from banqo_tui import paste_guard

        paste_guard.install()  # escapes inside a paste stay text, never keys (see the module)
        #: For bench/startup: stop as soon as the first screen is drawn.
        self.exit_after_first_frame = exit_after_first_frame
        #: Where warnings and unexpected errors are logged (set by the command line).
        self.log_path: Path | None = None
        self._first_frame_seen = False
        commands.translate_bindings(self, order=[action.key for action in commands.ACTIONS])
        self.config = config
        self.connection = connection
        self.credentials = credentials
        self.device = device or _("Terminal sur {host}").format(host=socket.gethostname() or "?")
        self.messages = MessageLog()
        self.account_email: str | None = None
        self.account_name: str = ""
        #: The reason the connection failed, for the sign-in screen's status line.
        self.connection_problem: str = ""
        self._client: BanqoClient | None = None
        self._memory_notice_shown = False
        #: The signed-in account's goals typed but not yet saved by the server (``banqo_tui.outbox``).
        self.outbox: Outbox | None = None
        self._outbox_worker: Worker[None] | None = None
        self._outbox_wake: Any = None
        #: What the terminal shows, so that a frame sends only what changed (``terminal_output``);
        #: ``BANQO_FULL_FRAMES=1`` sends Textual's frames as they are.
        self._mirror = ScreenMirror()
        self.mirror_output = os.environ.get("BANQO_FULL_FRAMES", "") not in ("1", "true", "yes")
        self.register_theme(BANQO_THEME)
        self.register_theme(BANQO_LIGHT_THEME)
        self.register_theme(BANQO_CONTRAST_THEME)
        self._set_initial_theme(self.theme_for_this_terminal(config.theme))
        if self.no_color:
            # NO_COLOR: no colour at all (Textual would send greys); bold, underline and reverse stay, and
            # every state shown in colour is also in words or a mark.
            from textual.filter import Monochrome, NoColor

            self._filters = [NoColor() if isinstance(f, Monochrome) else f for f in self._filters]
            self.add_class("-no-color")
        if config.accessible:
            self.animation_level = "none"
        self.set_class(config.accessible, "-accessible")

    # --- start-up -------------------------------------------------------------------------------

    def theme_for_this_terminal(self, name: str) -> str:
        """The configured theme, unless the terminal has only 16 colours (``TERM=xterm``) or none (NO_COLOR):
        then the terminal's own colours, since Rich would round BanqO's to the nearest of 16."""
        from banqo_tui import terminal

        if name not in self.available_themes:
            name = BANQO_THEME.name
        depth = terminal.colour_depth()
        theme = self.get_theme(name)
        if depth in (terminal.COLOURS_16, terminal.NO_COLOUR) and theme is not None and not theme.ansi:
            return TERMINAL_THEMES[theme.dark]
        return name

    def _set_initial_theme(self, name: str) -> None:
        """Choose the theme before the first stylesheet is built.

        Assigning ``theme`` runs Textual's watcher, which re-parses every stylesheet once the app has
        started: ~45 ms before the first frame (bench/startup). Before the start, setting the value
        quietly is enough, since the first parse reads the theme's variables.
        """
        theme = self.get_theme(name)
        if theme is None or theme.dark != self.current_theme.dark:
            self.theme = name  # the dark/light switch needs the watcher's full work
            return
        previous = self.current_theme.name
        self.set_reactive(BanqoApp.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())  # App.__init__ read the default theme's
        self.remove_class(f"-theme-{previous}")
        self.add_class(f"-theme-{name}")
        # As Textual's watcher does: a theme of the terminal's own colours sends them as they are (39/49, the
        # terminal's default), instead of converting them to fixed ones (black 40, white 97 on a light terminal).
        self._refresh_truecolor_filter(self.ansi_theme)

    @property
    def accessible(self) -> bool:
        """Screen-reader mode: no blinking, no animation."""
        return self.config.accessible

    def on_mount(self) -> None:
        self.app_resume_signal.subscribe(self, lambda _app: self._mirror.forget())  # after Ctrl+Z, a shell was there
        self.show_terminal_cursor(self.accessible)
        self.push_screen(SignInScreen())

    # --- the terminal's cursor: on the focused element ---------------------------------------------

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        """Before each frame goes out, put the terminal's cursor on the focused element (``focus_cursor``).

        Textual writes the cursor's move after every frame, so this costs no extra bytes; it only moves
        the cursor for text inputs, hence this one shared place for lists, tables, tabs and buttons.
        """
        if screen is self.screen:
            try:
                offset = cursor_offset(screen.focused)
            except Exception as exc:  # noqa: BLE001 - a misplaced cursor must never cost a frame
                log.debug("cursor placement failed: %r", exc)
                offset = None
            self.cursor_position = offset if offset is not None else Offset(0, 0)
        update = self._fewer_bytes(screen, renderable)
        if (isinstance(update, MirroredUpdate) and not update.text
                and self.cursor_position == self._previous_cursor_position):
            self.post_display_hook()  # nothing changed on the screen, nor the cursor: nothing to send
            return
        super()._display(screen, update)

    def _fewer_bytes(self, screen: Screen[Any], renderable: Any) -> Any:
        """The frame as the changed cells only (``terminal_output.ScreenMirror``), when it will be written."""
        driver = self._driver
        writes = (self._running and not self._closed and not self._batch_count and driver is not None
                  and not driver.is_headless and not driver.is_inline)
        if not writes or renderable is None:  # nothing goes out: the terminal still shows what the mirror holds
            return renderable
        if screen is not self.screen or not self.mirror_output or not isinstance(renderable, (LayoutUpdate,
                                                                                                 ChopsUpdate)):
            self._mirror.forget()  # what goes out now is not known to the mirror
            return renderable
        compositor = screen._compositor
        size = compositor.size
        if isinstance(renderable, LayoutUpdate):
            touched = set(range(size.height))
        else:
            touched = {y for y, _x1, _x2 in renderable.spans}
        try:
            chops = compositor._render_chops(size.region, touched.__contains__)
            lines = {}
            for y in touched:
                parts = list(chops[y].values())
                if any(part is None for part in parts):
                    raise LookupError(f"line {y} is not fully drawn")
                lines[y] = Strip.join(parts)
            return MirroredUpdate(self._mirror.frame(size.width, size.height, lines, self.console))
        except Exception as exc:  # noqa: BLE001 - Textual's own frame is always right, only larger
            log.debug("falling back to the full frame: %r", exc)
            self._mirror.forget()
            return renderable

    def on_resize(self, _event: events.Resize) -> None:
        self._mirror.forget()

    async def on_event(self, event: events.Event) -> None:
        # Every paste arrives here before it is forwarded to the focused widget: its control characters
        # (an escape sequence copied from a terminal, a NUL) are made visible symbols (``banqo_tui.inert``).
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = inert(event.text)
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.accessible:
            from banqo_tui.focus_cursor import mark_focus

            mark_focus(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if self.accessible:
            from banqo_tui.focus_cursor import mark_focus

            mark_focus(event.widget, False)

    def show_terminal_cursor(self, visible: bool) -> None:
        """In the mode for screen readers the cursor is shown, as a steady block (no blinking)."""
        driver = self._driver
        if driver is None or self.is_headless:
            return
        driver.write("\x1b[?25h\x1b[2 q" if visible else "\x1b[?25l\x1b[0 q")
        driver.flush()

    def first_frame_drawn(self) -> None:
        """Called by the sign-in screen once it is on screen: now the heavy work may start.

        Connecting imports httpx and may start the embedded server; begun earlier, it would compete with
        the first frame for the interpreter.
        """
        if self._first_frame_seen:
            return
        self._first_frame_seen = True
        if self.exit_after_first_frame:
            self.exit()
            return
        self.connect()

    def connect(self) -> None:
        """(Re)connect to the server, then resume the last session when its token is still valid."""
        self.run_worker(self._connect_and_resume(), group="connection", exclusive=True, exit_on_error=False)

    async def _prepare(self) -> tuple[Connection, CredentialStore]:
        import asyncio
        import importlib

        # The heavy imports happen in a thread, so the interface keeps answering keys meanwhile.
        await asyncio.to_thread(importlib.import_module, "banqo_tui.api.client")
        if self.connection is None:
            from banqo_tui.connection import Connection

            self.connection = Connection(self.config)
        if self.credentials is None:
            from banqo_tui.credentials import CredentialStore

            self.credentials = CredentialStore()
        return self.connection, self.credentials

    def today(self) -> date:
        """Today's date as the server counts it for plans (its time zone, once the résumé has said it): the default
        dates of the plans' forms, and how far a review is."""
        from banqo_tui import server_calendar

        return server_calendar.today(self._client.time_zone if self._client is not None else None)

    async def api(self) -> BanqoClient:
        """The API client; waits for the connection when it is still being made."""
        connection, _credentials = await self._prepare()
        self._client = await connection.client()
        return self._client

    async def _connect_and_resume(self) -> None:
        self.connection_state = "connecting"
        self.connection_problem = ""
        try:
            client = await self.api()
            connection, credentials = await self._prepare()
            if connection.is_demo:
                client.token = await connection.demo_token()
                summary = await client.me.summary()
                self._enter(summary.email, f"{summary.first_name} {summary.last_name}")
                self.connection_state = "ready"
                return
            email = credentials.last_email(connection.label)
            if email:
                self._sign_in_screen_prefill(email)
                token = await credentials.load(email, connection.label)
                if token:
                    client.token = token
                    try:
                        summary = await client.me.summary()
                    except errors.NotSignedIn:
                        client.token = None
                        await credentials.delete(email, connection.label)
                    else:
                        self.connection_state = "ready"
                        self._enter(summary.email, f"{summary.first_name} {summary.last_name}")
                        return
            await client.health()
            self.connection_state = "ready"
        except errors.ServerUnreachable as exc:
            self.connection_problem = exc.message
            self.connection_state = "unreachable"
            self.notify(exc.message, severity="error", markup=False)
        except Exception as exc:  # noqa: BLE001 - shown as a message, logged with its traceback
            self.connection_problem = _("La connexion au serveur a échoué.")
            self.connection_state = "failed"
            self.report_error(exc)

    def _sign_in_screen_prefill(self, email: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.prefill_email(email)

    # --- signing in and out ------------------------------------------------------------------------

    def signed_in_with(self, answer: SessionToken) -> None:
        """Keep the new session (keyring, last email) and open « Votre résumé »."""
        self.run_worker(self._keep_session(answer), group="session", exit_on_error=False)

    async def _keep_session(self, answer: SessionToken) -> None:
        connection, credentials = await self._prepare()
        email = answer.account.email
        if not connection.is_demo:
            saved = await credentials.save(email, connection.label, answer.token)
            credentials.remember_email(connection.label, email)
            if not saved and not self._memory_notice_shown:
                self._memory_notice_shown = True
                self.notify(
                    _(
                        "Aucun trousseau de clés utilisable sur cet ordinateur : votre session ne durera que "
                        "le temps de ce lancement, et il faudra vous reconnecter la prochaine fois."
                    ),
                    severity="warning",
                    timeout=12,
                )
        self._enter(email, f"{answer.account.first_name} {answer.account.last_name}")

    def _enter(self, email: str, name: str) -> None:
        from banqo_tui.screens.summary import SummaryScreen

        self.account_email = email
        self.account_name = name
        self.signed_in = True
        self._reset_to(SummaryScreen())
        self._open_outbox(email)

    # --- the outbox: goals typed but not saved yet ------------------------------------------------

    def _open_outbox(self, email: str) -> None:
        """Read this account's outbox, and send what waits in it (typed during an earlier run, maybe)."""
        from banqo_tui.outbox import Outbox

        label = self.connection.label if self.connection is not None else self.config.server_label
        try:
            self.outbox = Outbox.for_account(self.config.data_dir, label, email)
        except OSError as exc:
            log.error("the outbox cannot be opened", exc_info=exc)
            self.outbox = None
            return
        self.deliver_outbox()

    def deliver_outbox(self) -> None:
        """Send the goals waiting in the outbox, in the background; while the server is unreachable, try again
        after 1, 2, 4… up to 60 seconds. Called again, it tries at once."""
        outbox = self.outbox
        if outbox is None or not outbox.pending():
            return
        worker = self._outbox_worker
        if worker is not None and not worker.is_finished and self._outbox_wake is not None:
            self._outbox_wake.set()
            return
        self._outbox_worker = self.run_worker(
            self._deliver_outbox(outbox), group="outbox", exclusive=True, exit_on_error=False
        )

    async def _deliver_outbox(self, outbox: Outbox) -> None:
        import asyncio

        from banqo_tui.outbox import deliver_all

        wake = self._outbox_wake = asyncio.Event()

        async def wait(delay: float) -> None:
            try:
                await asyncio.wait_for(wake.wait(), delay)
            except TimeoutError:
                pass
            wake.clear()

        sent: list[str] = []

        def delivered(entry: PendingGoal, goal: Any, created: Any) -> None:
            sent.append(entry.key)
            for screen in self.screen_stack:
                handler = getattr(screen, "outbox_delivered", None)
                if handler is not None:
                    handler(entry, goal, created)

        def refused(entry: PendingGoal, reasons: list[str]) -> None:
            self.notify(
                _("Objectif non enregistré : « {text} » — {reason}").format(text=entry.text, reason=" ".join(reasons)),
                severity="error",
                markup=False,
                timeout=12,
            )
            for screen in self.screen_stack:
                handler = getattr(screen, "outbox_refused", None)
                if handler is not None:
                    handler(entry, reasons)

        client = await self.api()
        await deliver_all(outbox, client, on_sent=delivered, on_refused=refused, sleep=wait)
        if sent:
            self.notify(
                ngettext(
                    "{count} objectif en attente a été envoyé au serveur.",
                    "{count} objectifs en attente ont été envoyés au serveur.",
                    len(sent),
                ).format(count=len(sent)),
                timeout=4,
            )

    def _reset_to(self, screen: Screen[Any]) -> None:
        """Make ``screen`` the only one above the empty base screen (signing in or out leaves nothing)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def back_to_sign_in(self, notice: str | None = None, *, severity: SeverityLevel = "information") -> None:
        """Show the sign-in screen, the last email filled in, with ``notice`` as a notification."""
        email = self.account_email
        self.signed_in = False
        self.account_name = ""
        self.workers.cancel_group(self, "outbox")
        self.outbox = None
        if self._client is not None:
            self._client.token = None
        self._reset_to(SignInScreen(email=email))
        if notice:
            self.notify(notice, severity=severity)

    def session_ended(self) -> None:
        """The server no longer knows our session: forget its token and ask to sign in again."""
        self.run_worker(self._forget_session(), group="session", exit_on_error=False)

    async def _forget_session(self) -> None:
        email = self.account_email
        if email and self.connection is not None and self.credentials is not None:
            if not self.connection.is_demo:
                await self.credentials.delete(email, self.connection.label)
        self.back_to_sign_in(_("Votre session a pris fin. Connectez-vous de nouveau."), severity="warning")

    def account_deleted(self) -> None:
        """The account no longer exists: forget its token, its last email and its outbox; back to sign-in."""
        self.run_worker(self._forget_deleted_account(), group="session", exit_on_error=False)

    async def _forget_deleted_account(self) -> None:
        email = self.account_email
        outbox = self.outbox
        if email and self.connection is not None and self.credentials is not None:
            if not self.connection.is_demo:
                await self.credentials.delete(email, self.connection.label)
                self.credentials.forget_email(self.connection.label)
        self.account_email = None  # the sign-in screen comes back empty
        self.back_to_sign_in(_("Votre compte et toutes vos données ont été supprimés."))
        if outbox is not None:
            try:
                outbox.path.unlink(missing_ok=True)  # goals typed for an account that is gone
            except OSError as exc:
                log.info("cannot remove the outbox of a deleted account: %r", exc)

    async def _sign_out(self) -> None:
        client = self._client
        if client is not None:
            try:
                await client.sessions.sign_out()
            except errors.NotSignedIn:
                pass  # already ended on the server: signing out here is all that is left
            except errors.BanqoError as exc:
                self.notify(
                    _("Le serveur n'a pas confirmé la fin de la session : {reason}").format(
                        reason=exc.message
                    ),
                    severity="warning",
                    markup=False,
                )
            finally:
                client.token = None
        if self.account_email and self.connection is not None and self.credentials is not None:
            if not self.connection.is_demo:
                await self.credentials.delete(self.account_email, self.connection.label)
        self.back_to_sign_in(_("Vous êtes déconnecté."))

    # --- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        spec = commands.ACTIONS_BY_NAME.get(action)
        if spec is not None and spec.signed_in_only and not self.signed_in:
            return False
        # Already there: hidden, which also leaves room in an 80-column footer.
        current = self._screen_under_palette().id
        if action == "summary" and current == "summary-screen":
            return False
        if action == "settings" and current == "settings-screen":
            return False
        if action == "collection" and current == "collection-screen":
            return False
        if action == "learners" and current == "learners-screen":
            return False
        if (action == "plans" and current == "plans-screen"
                and getattr(self._screen_under_palette(), "learner_id", None) is None):
            return False  # one learner's plans still offer everyone's
        if action == "plans" and current == "settings-screen":
            return False  # F7 is « Onglet précédent » there: refused here, the screen's own binding runs
        if action == "support" and current == "support-screen":
            return False
        if action == "privacy" and current == "privacy-page-screen":
            return False
        # A form holding the teacher's unsaved text stays until it is saved or cancelled.
        if spec is not None and spec.signed_in_only and getattr(self._screen_under_palette(), "keeps_unsaved_text",
                                                                  False):
            return False
        return True

    def _screen_under_palette(self) -> Screen[Any]:
        """The screen the teacher is on, even while the command palette is open over it."""
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, CommandPalette):
                return screen
        return self.screen

    def watch_signed_in(self, _signed_in: bool) -> None:
        self.refresh_bindings()

    def _find_screen(self, kind: type[Screen[Any]]) -> Screen[Any] | None:
        for screen in self.screen_stack:
            if isinstance(screen, kind):
                return screen
        return None

    def _pop_to(self, screen: Screen[Any]) -> None:
        while self.screen is not screen and len(self.screen_stack) > 2:
            self.pop_screen()

    def action_summary(self) -> None:
        """Go to « Votre résumé »."""
        from banqo_tui.screens.summary import SummaryScreen

        found = self._find_screen(SummaryScreen)
        if found is not None:
            self._pop_to(found)
        else:
            self._reset_to(SummaryScreen())

    def action_settings(self) -> None:
        """Open « Mes paramètres » (above the résumé, so Escape goes back to it)."""
        from banqo_tui.screens.settings import SettingsScreen

        found = self._find_screen(SettingsScreen)
        if found is not None:
            self._pop_to(found)
            return
        self.action_summary()
        self.push_screen(SettingsScreen())

    async def language_changed(self) -> None:
        """Show everything in the language now set (« Préférences »): the global keys translated again, and the
        screens rebuilt — « Votre résumé », then « Mes paramètres » on its « Préférences » tab."""
        from textual.binding import BindingsMap

        from banqo_tui.screens.settings import SettingsScreen
        from banqo_tui.screens.summary import SummaryScreen

        # The bindings as declared (French sources), translated once more.
        self._bindings = self._merged_bindings.copy() if self._merged_bindings is not None else BindingsMap()
        commands.translate_bindings(self, order=[action.key for action in commands.ACTIONS])
        self.refresh_bindings()
        if self.signed_in:
            while len(self.screen_stack) > 1:  # gone before their new versions come: they share ids
                await self.pop_screen()
            await self.push_screen(SummaryScreen())
            await self.push_screen(SettingsScreen("preferences"))

    def action_collection(self) -> None:
        """Open « Ma collection » (above the résumé, so that F2 goes back to it)."""
        from banqo_tui.screens.collection import CollectionScreen

        found = self._find_screen(CollectionScreen)
        if found is not None:
            self._pop_to(found)
            return
        self.action_summary()
        self.push_screen(CollectionScreen())

    def action_learners(self) -> None:
        """Open « Élèves » (above the résumé, so that F2 goes back to it)."""
        from banqo_tui.screens.learners import LearnersScreen

        found = self._find_screen(LearnersScreen)
        if found is not None:
            self._pop_to(found)
            return
        self.action_summary()
        self.push_screen(LearnersScreen())

    async def action_plans(self) -> None:
        """Open « Plans », every learner's (above the résumé, so that F2 goes back to it)."""
        from banqo_tui.screens.plans import PlansScreen

        for screen in self.screen_stack:
            if isinstance(screen, PlansScreen) and screen.learner_id is None:
                self._pop_to(screen)
                return
        # One learner's plans (P in « Élèves ») are gone before everyone's come: the two lists share their id.
        while len(self.screen_stack) > 2 and any(isinstance(screen, PlansScreen) for screen in self.screen_stack):
            await self.pop_screen()
        self.action_summary()
        self.push_screen(PlansScreen())

    def action_support(self) -> None:
        """Open « Des questions? Contactez-nous! » over the current screen, signed in or not."""
        from banqo_tui.screens.support import SupportScreen

        found = self._find_screen(SupportScreen)
        if found is not None:
            self._pop_to(found)
        else:
            self.push_screen(SupportScreen())

    def action_privacy(self) -> None:
        """Show the privacy policy over the current screen, signed in or not."""
        from banqo_tui.screens.privacy_page import PrivacyPageScreen

        found = self._find_screen(PrivacyPageScreen)
        if found is not None:
            self._pop_to(found)
        else:
            self.push_screen(PrivacyPageScreen())

    def action_help(self) -> None:
        """Show the keys of the current screen and the global ones; F1 again closes it."""
        from banqo_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_messages(self) -> None:
        """Show this run's messages, newest first; F4 again closes it."""
        from banqo_tui.screens.messages import MessagesScreen

        if isinstance(self.screen, MessagesScreen):
            self.pop_screen()
            return
        self.push_screen(MessagesScreen())

    def action_sign_out(self) -> None:
        self.run_worker(self._sign_out(), group="session", exclusive=True, exit_on_error=False)

    def action_help_quit(self) -> None:
        """Ctrl+C no longer quits in Textual: say which key does, in the interface's language."""
        self.notify(_("Pour quitter BanqO, appuyez sur Ctrl+Q."))

    def action_retry_connection(self) -> None:
        self.connect()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_("Chercher une commande…"), id="--command-palette"))

    def action_change_theme(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Chercher un thème…")))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands, in the interface's language (BanqO's are in ``commands.BanqoCommands``)."""
        yield SystemCommand(_("Thème"), _("Changer les couleurs de l'interface"), self.action_change_theme)
        yield SystemCommand(
            _("Touches"), _("Les touches de cet écran et les touches globales (F1)"), self.action_help
        )
        if screen.maximized is not None:
            yield SystemCommand(
                _("Réduire"), _("Rendre au panneau sa taille normale"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Agrandir"), _("Agrandir le panneau actif"), screen.action_maximize)
        yield SystemCommand(
            _("Capture d'écran"),
            _("Enregistrer l'écran dans un fichier SVG"),
            lambda: self.set_timer(0.1, self._save_screenshot),
        )

    def _save_screenshot(self) -> None:
        path = self.save_screenshot()
        self.notify(_("Capture enregistrée : {path}").format(path=path), markup=False)

    # --- messages and errors -------------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, and keep it in the messages log (F4)."""
        text = message
        if markup:
            from textual.markup import MarkupError, to_content

            try:
                text = to_content(message).plain
            except MarkupError:
                markup = False
        entry = self.messages.add(str(severity), text, title)
        if self.accessible:
            # No toast that goes away: the status line says it until the next message.
            from banqo_tui.widgets.status_line import StatusLine

            for screen in self.screen_stack:
                for line in screen.query(StatusLine):
                    line.show(entry)
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _fatal_error(self) -> None:
        """An error no handler caught: the details go to the log, the user gets one sentence.

        Textual would print a traceback with local variables, which may hold a password or a token.
        """
        log.error("BanqO stopped on an unexpected error", exc_info=self._exception)
        self._exit_renderables.append(
            _("BanqO s'est arrêté à cause d'une erreur inattendue. Les détails sont dans le journal : {path}").format(
                path=self.log_path or "-"
            )
        )
        self._close_messages_no_wait()

    def report_error(self, exc: BaseException, field_target: object | None = None) -> None:
        """Tell the user what went wrong: field messages under their fields, others as notifications.

        ``field_target`` is the screen (or any object with ``show_field_errors``) whose fields may hold the
        messages. Unexpected exceptions are logged and shown as one generic sentence, never a traceback.
        """
        place = getattr(field_target, "show_field_errors", None)

        def show(field_errors: dict[str, list[str]]) -> None:
            unplaced = place(field_errors) if place is not None else field_errors
            for messages in unplaced.values():
                for message in messages:
                    self.notify(message, severity="error", markup=False)

        if isinstance(exc, errors.NotSignedIn):
            if self.signed_in:
                self.session_ended()
            else:
                self.notify(exc.message, severity="error", markup=False)
        elif isinstance(exc, errors.TooManyRequests):
            field_errors = exc.errors or {
                "password": [
                    " ".join(part for part in (exc.message, retry_delay_text(exc.retry_after)) if part)
                ]
            }
            show(field_errors)
        elif isinstance(exc, errors.ApiError) and exc.errors:
            show(exc.errors)
        elif isinstance(exc, errors.ServerUnreachable):
            if not self.signed_in:
                self.connection_problem = exc.message
                self.connection_state = "unreachable"
            self.notify(exc.message, severity="error", markup=False)
        elif isinstance(exc, errors.BanqoError):
            self.notify(exc.message, severity="error", markup=False)
        else:
            log.error("unexpected error", exc_info=exc)
            self.notify(
                _(
                    "Une erreur inattendue est survenue. Réessayez; si elle revient, "
                    "le journal de BanqO en garde les détails."
                ),
                severity="error",
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    async def on_unmount(self) -> None:
        if self.accessible and self._driver is not None and not self.is_headless:
            self._driver.write("\x1b[0 q")  # the cursor's shape back to the terminal's own
        if self.connection is not None:
            try:
                await self.connection.aclose()
            except Exception as exc:  # noqa: BLE001 - closing must not hide the real way out
                log.info("closing the connection: %r", exc)
