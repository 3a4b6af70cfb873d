"""``banqo shell``: the line-mode commands typed one a line (``goals list``, ``plans show 3f2a``), in one session.

One client for the whole run, so that a ``login`` made here lasts until ``quit`` even where no keyring can keep
it. A command that fails says why and the shell goes on; a mistyped one shows its usage. At a terminal, readline
keeps a history (in the state folder, bounded, commands only: an answer to a question, a password above all, is
never kept) and Tab completes the commands, their actions and options, and learners' first names.

Words are separated by spaces; straight double quotes group them ("…"); an apostrophe is only a letter, so
« goals add L'élève lit » needs no quoting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from banqo_tui.i18n import _
from banqo_tui.line.grammar import add_line_commands
from banqo_tui.line.session import EXIT_ERROR, EXIT_INVALID, EXIT_OK, LineModeError, LineSession, execute

PROMPT = "banqo> "
HISTORY_FILE = "shell_history"
HISTORY_LENGTH = 1000
#: Options whose value is a learner's first name.
LEARNER_OPTIONS = frozenset({"--learner"})

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The commands of ``banqo`` without ``shell``, and the shell's own (help, quit, exit)."""
    parser = argparse.ArgumentParser(
        prog="banqo",
        description=_("BanqO en mode ligne : une commande par ligne, sans « banqo » devant."),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMANDE"), title=_("mode ligne"))
    add_line_commands(commands, in_shell=True)
    helper = commands.add_parser("help", help=_("la liste des commandes; help COMMANDE : l'aide d'une commande"))
    helper.add_argument("topic", nargs="*", metavar=_("COMMANDE"))
    for leave in ("quit", "exit"):
        commands.add_parser(leave, help=_("quitter le shell (ou Ctrl+D)"))
    return parser


def split_words(line: str) -> list[str]:
    """The words of a line: double quotes group, an apostrophe is a letter, ``#`` starts a tag (not a comment).
    ValueError for an unclosed quote."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.commenters = ""
    lexer.escape = ""
    return list(lexer)


# --- completion ----------------------------------------------------------------------------------


@dataclass
class Completions:
    """What may follow in one parser: its subcommands, its options (with their fixed values), its positionals."""

    words: dict[str, Completions] = field(default_factory=dict)
    #: ``--format`` → ["json", "csv"]; a flag or a free value → [].
    options: dict[str, list[str]] = field(default_factory=dict)
    #: Options that take a value (the next word is theirs, not a command's).
    valued: set[str] = field(default_factory=set)
    #: Values of the first positional with fixed choices (``profile set`` FIELD).
    choices: list[str] = field(default_factory=list)
    #: Whether a positional is a learner (``learners show ÉLÈVE``).
    learner: bool = False

    @classmethod
    def of(cls, parser: argparse.ArgumentParser) -> Completions:
        # argparse keeps its declarations in ``_actions``: the one place that lists them all.
        node = cls()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                node.words = {name: cls.of(sub) for name, sub in action.choices.items()}
            elif action.option_strings:
                for option in action.option_strings:
                    if option.startswith("--"):
                        node.options[option] = [str(choice) for choice in action.choices or ()]
                        if action.nargs != 0:
                            node.valued.add(option)
            elif action.dest == "learner":
                node.learner = True
            elif action.choices:
                node.choices = [str(choice) for choice in action.choices]
        return node


class Shell:
    """The read–run loop of ``banqo shell`` over one ``LineSession``."""

    def __init__(self, session: LineSession, *, interactive: bool | None = None) -> None:
        self.session = session
        self.interactive = session.interactive if interactive is None else interactive
        self.parser = build_parser()
        self.completions = Completions.of(self.parser)
        self.last_code = EXIT_OK
        self._runner: asyncio.Runner | None = None
        #: The readline module once history and completion are on (at a terminal).
        self._readline: Any | None = None
        self._learner_names: list[str] | None = None
        self._matches: list[str] = []

    # --- the loop ------------------------------------------------------------------------------

    def __enter__(self) -> Shell:
        """One event loop for the whole run: the client and its connections live as long as the shell."""
        self._runner = asyncio.Runner()
        self._readline = self._start_readline() if self.interactive else None
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        try:
            self._runner.run(self.session.aclose())
        finally:
            self._runner.close()
            self._runner = None
            if self._readline is not None:
                self._save_history(self._readline)

    def run(self) -> int:
        """Read and run commands until quit, exit or the end of the input; the last command's exit code."""
        with self:
            if self.interactive:
                self.session.say(
                    _("BanqO en mode ligne (serveur : {server}). help : les commandes; quit : quitter.").format(
                        server=self.session.server
                    )
                )
            while (line := self._read()) is not None:
                if not self.handle(line):
                    break
        return self.last_code

    def _read(self) -> str | None:
        """The next line; None at the end of the input (Ctrl+D)."""
        if not self.interactive:
            line = self.session.stdin.readline()
            return line.rstrip("\r\n") if line else None
        try:
            line = input(PROMPT)
        except EOFError:
            self.session.say("")
            return None
        except KeyboardInterrupt:  # Ctrl+C drops the line being typed, as in a shell
            self.session.say("")
            return ""
        self._remember(line)
        return line

    def handle(self, line: str) -> bool:
        """Run one line; False when it asks to leave."""
        try:
            words = split_words(line)
        except ValueError:
            self.session.warn(_("Guillemet non fermé : la ligne n'est pas lue."))
            self.last_code = EXIT_INVALID
            return True
        if words[:1] == ["banqo"]:  # a command copied from the user guide
            words = words[1:]
        if not words:
            return True
        if words[0] in ("quit", "exit"):
            return False
        if words[0] == "help":
            self._help(words[1:])
            return True
        args = self._parse(words)
        if args is not None:
            self.last_code = self._execute(args)
            if args.command in ("learners", "login", "logout"):
                self._learner_names = None
        return True

    def _parse(self, words: list[str]) -> argparse.Namespace | None:
        """The command, or None once argparse has printed the usage (or the help asked for)."""
        with contextlib.redirect_stdout(self.session.out), contextlib.redirect_stderr(self.session.err):
            try:
                return self.parser.parse_args(words)
            except SystemExit as exc:  # argparse leaves after printing a usage error or the help
                self.last_code = exc.code if isinstance(exc.code, int) else EXIT_INVALID
                return None

    def _execute(self, args: argparse.Namespace) -> int:
        assert self._runner is not None
        try:
            return self._runner.run(execute(self.session, args))
        except LineModeError as exc:
            self.session.warn(str(exc))
            return exc.code
        except KeyboardInterrupt:
            self.session.warn(_("Commande interrompue."))
            return EXIT_ERROR
        except Exception as exc:  # noqa: BLE001 - the shell stays; the log keeps the traceback
            log.exception("line-mode command failed")
            self.session.warn(_("La commande a échoué à cause d'une erreur inattendue : {error}").format(error=exc))
            return EXIT_ERROR

    def _help(self, topic: list[str]) -> None:
        if topic:
            self._parse([*topic, "--help"])
            return
        self.session.say(self.parser.format_help().rstrip(), "", _(
            "Les guillemets droits (\"…\") regroupent des mots; l'apostrophe s'écrit telle quelle. Tab complète "
            "les commandes; ↑ et ↓ parcourent l'historique."
        ))
        self.last_code = EXIT_OK

    # --- readline: history and Tab -------------------------------------------------------------

    def _start_readline(self) -> Any | None:
        """History and completion, when this Python has readline (GNU readline or libedit)."""
        try:
            import readline
        except ImportError:
            return None
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
        readline.set_completer_delims(" \t\n\"")
        readline.set_completer(self.complete)
        readline.set_auto_history(False)  # only commands go in, by ``_remember``
        readline.set_history_length(HISTORY_LENGTH)
        with contextlib.suppress(OSError):
            readline.read_history_file(self._history_path())
        return readline

    @staticmethod
    def _history_path() -> Path:
        from banqo_tui.config import state_dir

        return state_dir() / HISTORY_FILE

    def _remember(self, line: str) -> None:
        """A line whose first word is a command goes into the history; anything else (a password typed at the
        prompt by mistake) does not."""
        if self._readline is None:
            return
        try:
            words = split_words(line)
        except ValueError:
            return
        if words[:1] == ["banqo"]:
            words = words[1:]
        if words and words[0] in self.completions.words:
            self._readline.add_history(line)

    def _save_history(self, readline: Any) -> None:
        path = self._history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
            path.chmod(0o600)  # goal texts and first names: the teacher's own
            readline.write_history_file(path)
        except OSError as exc:
            log.warning("cannot save the shell history in %s: %r", path, exc)

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer: the ``state``-th way to finish ``text`` where the cursor stands."""
        if state == 0 and self._readline is not None:
            buffer = self._readline.get_line_buffer()
            self._matches = self.candidates(buffer[: self._readline.get_endidx()])
            if len(self._matches) == 1:  # Python's readline adds no space itself: the next word can follow
                self._matches[0] += " "
        return self._matches[state] if state < len(self._matches) else None

    def candidates(self, before_cursor: str) -> list[str]:
        """The words that may finish the last (partial) word of ``before_cursor``."""
        words = before_cursor.split()
        text = "" if not words or before_cursor[-1:].isspace() else words.pop()
        if words[:1] == ["banqo"]:
            words = words[1:]
        if words[:1] == ["help"]:
            words = words[1:]
        node = self.completions
        previous = None
        positionals = 0
        for word in words:
            if previous in node.valued:
                previous = None  # the option's value
                continue
            if word in node.words and not positionals:
                node = node.words[word]
            elif not word.startswith("-"):
                positionals += 1
            previous = word
        if previous in node.valued:
            found = node.options[previous] or (self._learners() if previous in LEARNER_OPTIONS else [])
        elif text.startswith("-"):
            found = list(node.options)
        elif node.words:
            found = list(node.words)
        elif node.choices and not positionals:
            found = node.choices
        elif node.learner:
            found = self._learners()
        else:
            found = []
        return sorted(word for word in found if word.startswith(text))

    def _learners(self) -> list[str]:
        """The learners' first names as one word each (« Léa 2 » → « Léa2 »), read once per change; none
        when signed out or unreachable."""
        if self._learner_names is None:
            self._learner_names = []
            if self._runner is not None:
                with contextlib.suppress(Exception):
                    self._learner_names = self._runner.run(self._fetch_learner_names())
        return self._learner_names

    async def _fetch_learner_names(self) -> list[str]:
        client = await self.session.signed_in()
        return [learner.first_name.replace(" ", "") for learner in await client.learners.list()]

