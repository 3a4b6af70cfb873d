"""``banqo-server``: run the API (``serve``, the default) or migrate its database (``migrate``)."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from dataclasses import replace

COMMANDS = ("serve", "migrate")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="banqo-server", description="The BanqO API server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,migrate}")

    serve = commands.add_parser("serve", help="run the API with uvicorn (the default command)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="trust X-Forwarded-* headers from BANQO_FORWARDED_ALLOW_IPS (default 127.0.0.1); "
        "the proxy terminates TLS",
    )
    serve.add_argument("--ssl-certfile", help="TLS certificate (PEM) to serve HTTPS directly")
    serve.add_argument("--ssl-keyfile", help="TLS private key (PEM)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )

    commands.add_parser("migrate", help="bring the configured database to the latest schema")
    # `billing run` joins these commands in a later issue.
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMANDS and args[0] not in {"-h", "--help"}):
        args.insert(0, "serve")  # `banqo-server --port 9000` means `banqo-server serve --port 9000`
    parser = build_parser()
    namespace = parser.parse_args(args)
    if namespace.command == "serve":
        _check_serve_arguments(parser, namespace)
    return namespace


def _check_serve_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        parser.error("--ssl-certfile and --ssl-keyfile go together")
    if not is_loopback(args.host) and not args.ssl_certfile and not args.behind_proxy:
        parser.exit(
            2,
            (
                f"banqo-server: refusing to listen on {args.host} without TLS: bearer tokens and "
                "passwords would cross the network in clear.\nGive --ssl-certfile and --ssl-keyfile, "
                "or run behind a reverse proxy that terminates TLS and pass --behind-proxy.\n"
            ),
        )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from banqo_server.app import create_app
    from banqo_server.settings import Settings

    settings = Settings.from_env()
    if args.behind_proxy:
        settings = replace(settings, behind_proxy=True)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: only do so when asked to.
        proxy_headers=settings.behind_proxy,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        log_level=args.log_level,
        server_header=False,
    )
    return 0


def migrate() -> int:
    from banqo_server.db import make_engine
    from banqo_server.migrations import upgrade
    from banqo_server.settings import Settings

    engine = make_engine(Settings.from_env().database_url)
    try:
        revision = upgrade(engine)
        print(f"{engine.url.render_as_string(hide_password=True)}: schema at revision {revision}")
    finally:
        engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``banqo-server`` console script."""
    args = parse_args(argv)
    if args.command == "migrate":
        return migrate()
    return serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
