"""``banqo``: the terminal app by default; settings from the command line, the environment and a file.

Kept light on purpose: argument parsing and the language are set up before Textual is imported, and
nothing heavy (httpx, the embedded server) is imported before the first screen is drawn.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from banqo_tui import __version__

log = logging.getLogger("banqo")


def build_parser() -> argparse.ArgumentParser:
    from banqo_tui.i18n import _

    parser = argparse.ArgumentParser(
        prog="banqo",
        description=_("BanqO : plans d'intervention et plans de transition à partir d'une banque d'objectifs."),
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help=_("serveur BanqO à utiliser (sinon BANQO_SERVER, le fichier de configuration, "
               "ou le serveur intégré sur cet ordinateur)"),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_("ouvrir un compte de démonstration garni d'exemples, dans une base de données à part"),
    )
    parser.add_argument("--lang", choices=["fr", "en"], help=_("langue de l'interface"))
    parser.add_argument(
        "--accessible",
        action="store_true",
        help=_("mode pour lecteur d'écran : sans animation, le curseur sur l'élément actif, "
               "les messages dans une ligne d'état (aussi BANQO_ACCESSIBLE=1)"),
    )
    parser.add_argument("--config", type=Path, metavar="FICHIER", help=_("fichier de configuration TOML"))
    parser.add_argument("--version", action="version", version=f"banqo {__version__}")
    from banqo_tui.line_mode import add_line_commands

    commands = parser.add_subparsers(dest="command", metavar=_("COMMANDE"), title=_("mode ligne"))
    add_line_commands(commands)
    return parser


def _setup_logging() -> Path | None:
    """Log warnings to a file in the state folder (never to the screen, never a token)."""
    from banqo_tui.config import state_dir

    try:
        folder = state_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "banqo.log"
        logging.basicConfig(
            filename=path, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    from banqo_tui import i18n, terminal
    from banqo_tui.config import Config, ConfigError

    terminal.prepare()  # before Textual is imported: it reads ESCDELAY and TEXTUAL_FPS once

    # The language of --help and of errors about the arguments: the environment's, until the config is read.
    i18n.setup(i18n.language_from_environment())
    args = build_parser().parse_args(argv)
    _ = i18n._
    try:
        config = Config.load(
            path=args.config, server=args.server, language=args.lang, demo=args.demo, accessible=args.accessible
        )
    except ConfigError as exc:
        print(_("Configuration invalide : {detail}").format(detail=exc), file=sys.stderr)
        return 2
    i18n.setup(config.language)
    log_path = _setup_logging()
    if args.command:
        from banqo_tui import line_mode

        return line_mode.run(args, config)

    from banqo_tui.app import BanqoApp

    bench = bool(os.environ.get("BANQO_EXIT_AFTER_FIRST_FRAME"))  # bench/startup: stop at the first frame
    app = BanqoApp(config, exit_after_first_frame=bench)
    app.log_path = log_path
    try:
        app.run(headless=bench)
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the traceback
        log.exception("banqo stopped on an unexpected error")
        print(_("BanqO s'est arrêté à cause d'une erreur inattendue."), file=sys.stderr)
        if log_path:
            print(_("Les détails sont dans {path}.").format(path=log_path), file=sys.stderr)
        return 1
    return int(app.return_code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
