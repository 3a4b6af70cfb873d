"""Line mode: every area of BanqO as ``banqo`` subcommands that print plain lines (or JSON with ``--json``), for
scripts, screen readers and slow links; ``banqo shell`` reads the same commands line by line in one session.

``summary``; ``goals add|list|search|edit|rm|restore|export|import``; ``learners list|add|rename|rm|show``;
``plans list|show|export``; ``invoices list|show|download``; ``subscription show``; ``profile show|set``;
``support send``; ``login``, ``logout``; ``shell``. The commands live in ``banqo_tui.line``.

The same client and the same errors as the terminal app, and the app's session: the token kept in the system
keyring for this server (``banqo login`` or the app put it there). Errors go to stderr, translated (a field's as
« Champ : message »), with these exit codes:

- 0: done;
- 1: unexpected error (a file that cannot be read or written included), or a command interrupted (Ctrl+C);
- 2: invalid input (each field's message is printed; a wrong email or password; a question left unanswered);
- 3: not signed in on this server (or the session ended; ``banqo login`` without a usable keyring);
- 4: the server cannot be reached;
- 5: no such goal, learner, plan, review or invoice in this account, or an id beginning that fits several.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, TextIO

from banqo_tui.line.grammar import add_line_commands

if TYPE_CHECKING:
    from banqo_tui.config import Config

__all__ = ["add_line_commands", "run"]


def run(args: argparse.Namespace, config: Config, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the parsed command (``banqo shell`` included); the exit code."""
    from banqo_tui.i18n import _
    from banqo_tui.line.session import EXIT_ERROR, LineModeError, LineSession, execute

    session = LineSession(config, out=out, err=err, in_shell=args.command == "shell")
    if args.command == "shell":
        from banqo_tui.line.shell import Shell

        return Shell(session).run()

    async def once() -> int:
        try:
            return await execute(session, args)
        finally:
            await session.aclose()

    try:
        return asyncio.run(once())
    except LineModeError as exc:
        session.warn(str(exc))
        return exc.code
    except KeyboardInterrupt:  # Ctrl+C at a question
        session.warn("\n" + _("Commande interrompue."))
        return EXIT_ERROR
