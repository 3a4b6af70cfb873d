"""``banqo-server``: run the API (``serve``, the default), migrate its database (``migrate``), read and send
again the kept support messages (``support list``, ``support retry``), run the billing (``billing run``) or
refund an invoice (``billing refund``)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

COMMANDS = ("serve", "migrate", "support", "billing")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_RETRY_LIMIT = 100


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
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,migrate,support,billing}")

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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default 1); each has its own connection pool",
    )

    commands.add_parser("migrate", help="bring the configured database to the latest schema")

    support = commands.add_parser("support", help="the support messages kept in the database")
    support_commands = support.add_subparsers(dest="support_command", required=True, metavar="{list,retry}")
    support_list = support_commands.add_parser("list", help="print the kept messages not yet sent, oldest first")
    support_retry = support_commands.add_parser(
        "retry", help="send the kept messages not yet sent (needs BANQO_SMTP_URL and BANQO_SUPPORT_EMAIL)"
    )
    for command in (support_list, support_retry):
        command.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_RETRY_LIMIT,
            help=f"at most this many messages, oldest first (default {DEFAULT_RETRY_LIMIT})",
        )

    billing = commands.add_parser("billing", help="subscriptions: renewals, retries, ends, refunds")
    billing_commands = billing.add_subparsers(dest="billing_command", required=True, metavar="{run,refund}")
    billing_run = billing_commands.add_parser(
        "run",
        help="renew, charge, retry and end the subscriptions due, and delete the data of those ended past "
        "their grace period (safe to run again, or on several servers at once)",
    )
    billing_run.add_argument(
        "--now", type=_instant, help="as of this instant (ISO 8601, e.g. 2027-01-01T00:00:00Z); default: now"
    )
    billing_refund = billing_commands.add_parser(
        "refund", help="refund an invoice to its card and issue the credit note"
    )
    billing_refund.add_argument("number", help="the invoice's number, e.g. BQ-2026-000001")
    billing_refund.add_argument(
        "--amount", help="the amount before taxes to refund, in dollars (e.g. 4.50); default: what is left"
    )
    return parser


def _instant(text: str) -> datetime:
    """An ISO 8601 instant; without a zone, UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    if args.workers < 1:
        parser.error("--workers must be at least 1")
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
    # Migrates the database (and checks the configuration) once, before any worker starts.
    app: Any = create_app(settings)
    if args.workers > 1:
        # Each worker process builds its own app (and engine) with create_app() from the environment.
        app.state.engine.dispose()
        close_processor = getattr(app.state.processor, "close", None)
        if close_processor is not None:
            close_processor()
        app = "banqo_server.app:create_app"
        if args.behind_proxy:
            os.environ["BANQO_BEHIND_PROXY"] = "1"
    uvicorn.run(
        app,
        factory=args.workers > 1,
        workers=args.workers if args.workers > 1 else None,
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


def support_messages(args: argparse.Namespace) -> int:
    """``support list`` prints the messages not yet sent; ``support retry`` sends them, oldest first."""
    from banqo_server.db import make_engine, make_session_factory
    from banqo_server.services import support
    from banqo_server.settings import Settings

    if args.limit < 1:
        print("banqo-server: --limit must be at least 1", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if args.support_command == "retry" and not support.can_send(settings):
        print(
            "banqo-server: support messages cannot be sent: set BANQO_SMTP_URL and BANQO_SUPPORT_EMAIL",
            file=sys.stderr,
        )
        return 1
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            if args.support_command == "list":
                rows = support.unsent(db, limit=args.limit)
                now = settings.now()
                for row in rows:
                    print(f"--- {row.id}  {row.created_at.isoformat()}  attempts: {row.attempts}")
                    print(f"Subject: {row.subject}")
                    if row.sending_until is not None and row.sending_until > now:
                        print(f"Being sent by another process (its claim lapses at {row.sending_until.isoformat()})")
                    if row.last_error:
                        print(f"Last error: {row.last_error}")
                    print(support.mail_body(row).rstrip("\n"))
                print(f"{len(rows)} message(s) not yet sent")
                return 0
            outcomes = support.retry(db, settings, limit=args.limit)
    finally:
        engine.dispose()
    sent, failed, elsewhere = (outcomes[outcome] for outcome in support.Delivery)
    line = f"support messages: {sent} sent, {failed} failed"
    if elsewhere:
        line += f", {elsewhere} being sent by another process (left to it)"
    print(line)
    return 0 if failed == 0 else 1


def billing_command(args: argparse.Namespace) -> int:
    """``billing run`` as of ``--now``; ``billing refund NUMBER [--amount]``."""
    from decimal import Decimal, InvalidOperation

    from sqlalchemy import select

    from banqo_server.db import make_engine, make_session_factory
    from banqo_server.migrations import upgrade
    from banqo_server.models import Invoice
    from banqo_server.payments import processor_for
    from banqo_server.services import billing
    from banqo_server.settings import Settings

    settings = Settings.from_env()
    try:
        billing.check_seller(settings)  # before any money moves: a refund must end in a credit note
    except RuntimeError as refused:
        print(f"banqo-server: {refused}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    processor = processor_for(settings)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        if args.billing_command == "run":
            report = billing.run(factory, settings, processor, args.now)
            print(f"billing run as of {(args.now or settings.now()).isoformat()}: {report}")
            for number in report.invoices:
                print(f"invoice {number}")
            return 0 if report.failed == 0 else 1
        amount = None
        if args.amount is not None:
            try:
                dollars = Decimal(args.amount)
                valid = dollars.is_finite() and dollars > 0 and dollars == dollars.quantize(Decimal("0.01"))
            except InvalidOperation:
                valid = False
            if not valid:
                print(
                    f"banqo-server: --amount must be a positive amount in dollars with at most two decimals, such "
                    f"as 4.50, not {args.amount!r}",
                    file=sys.stderr,
                )
                return 2
            amount = int(dollars * 100)
        with factory() as db:
            invoice = db.scalars(select(Invoice).where(Invoice.number == args.number)).one_or_none()
            if invoice is None:
                print(f"banqo-server: no invoice numbered {args.number}", file=sys.stderr)
                return 1
            try:
                note = billing.refund(db, settings, processor, invoice, subtotal=amount, now=settings.now())
            except ValueError as refused:
                print(f"banqo-server: {refused}", file=sys.stderr)
                return 1
            db.commit()
            print(f"credit note {note.number}: {note.total / 100:.2f} CAD on {args.number}")
        return 0
    finally:
        engine.dispose()
        close_processor = getattr(processor, "close", None)
        if close_processor is not None:
            close_processor()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``banqo-server`` console script."""
    args = parse_args(argv)
    from banqo_server.migrations import SchemaTooNew

    try:
        if args.command == "migrate":
            return migrate()
        if args.command == "support":
            return support_messages(args)
        if args.command == "billing":
            return billing_command(args)
        return serve(args)
    except SchemaTooNew as refused:
        print(f"banqo-server: {refused}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
