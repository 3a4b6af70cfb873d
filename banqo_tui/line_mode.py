"""Line mode: ``banqo goals add|list|search|export|import`` and ``banqo plans export`` print plain lines (or
JSON) for scripts and screen readers.

The same client and the same errors as the terminal app. The session is the one the app keeps in the system
keyring for this server (sign in once in ``banqo``). Errors go to stderr, translated, with these exit codes:

- 0: done; 1: unexpected error (a file that cannot be written included); 2: invalid input (each field's message
  is printed);
- 3: not signed in on this server (or the session ended); 4: the server cannot be reached;
- 5: no such plan (or review) in this account.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from banqo_tui.i18n import _

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import Area, Goal
    from banqo_tui.config import Config

EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_NOT_SIGNED_IN, EXIT_UNREACHABLE, EXIT_NOT_FOUND = 0, 1, 2, 3, 4, 5


class LineModeError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_goal_commands(subparsers: Any) -> None:
    """``banqo goals …``: declared on the main parser by ``banqo_tui.cli``."""
    goals = subparsers.add_parser("goals", help=_("objectifs de « Ma collection », en mode ligne"))
    actions = goals.add_subparsers(dest="goals_action", required=True, metavar=_("ACTION"))
    add = actions.add_parser(
        "add",
        help=_("ajouter un objectif (#étiquette, @domaine et +Prénom comme dans la saisie rapide)"),
    )
    add.add_argument("text", metavar=_("TEXTE"), nargs="+", help=_("l'objectif"))
    listing = actions.add_parser("list", help=_("lister les objectifs de la collection"))
    listing.add_argument("--domain", metavar=_("DOMAINE"), help=_("seulement ce domaine"))
    listing.add_argument("--tag", metavar=_("ÉTIQUETTE"), help=_("seulement cette étiquette"))
    search = actions.add_parser("search", help=_("chercher dans la collection (ou la banque)"))
    search.add_argument("query", metavar=_("MOTS"), nargs="+", help=_("le début de chaque mot cherché"))
    search.add_argument("--catalogue", action="store_true", help=_("chercher dans la banque d'objectifs"))
    export = actions.add_parser("export", help=_("exporter la collection (format d'échange JSON ou CSV)"))
    export.add_argument("--format", choices=["json", "csv"], default="json", help=_("format du fichier"))
    export.add_argument("-o", "--output", metavar=_("FICHIER"), required=True, help=_("fichier à écrire"))
    imported = actions.add_parser(
        "import", help=_("importer un fichier au format d'échange (rien n'est importé si une ligne est refusée)")
    )
    imported.add_argument("file", metavar=_("FICHIER"), help=_("fichier JSON ou CSV"))
    imported.add_argument("--dry-run", action="store_true", help=_("vérifier et compter sans importer"))
    for parser in (add, listing, search, imported):
        parser.add_argument("--json", action="store_true", help=_("écrire du JSON plutôt que des lignes"))


def add_plan_commands(subparsers: Any) -> None:
    """``banqo plans …``: declared on the main parser by ``banqo_tui.cli``."""
    plans = subparsers.add_parser("plans", help=_("plans d'intervention et plans de transition, en mode ligne"))
    actions = plans.add_subparsers(dest="plans_action", required=True, metavar=_("ACTION"))
    export = actions.add_parser(
        "export", help=_("exporter un plan pour la rencontre (PDF ou DOCX à signer, ou Markdown)")
    )
    export.add_argument("plan_id", metavar=_("ID"), help=_("l'identifiant du plan"))
    export.add_argument("--format", choices=["pdf", "docx", "md"], default="pdf", help=_("format du fichier"))
    export.add_argument("-o", "--output", metavar=_("FICHIER"), required=True, help=_("fichier à écrire"))
    export.add_argument(
        "--review", metavar=_("RÉVISION"), help=_("exporter l'instantané de cette révision plutôt que le plan actuel")
    )


def run(args: argparse.Namespace, config: Config, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return asyncio.run(_run(args, config, out))
    except LineModeError as exc:
        print(str(exc), file=err)
        return exc.code


async def _signed_in_client(config: Config) -> BanqoClient:
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore

    connection = Connection(config)
    store = CredentialStore()
    email = store.last_email(connection.label)
    token = await store.load(email, connection.label) if email else None
    if not token:
        raise LineModeError(
            _("Vous n'êtes pas connecté (serveur : {server}). Ouvrez BanqO (banqo) et connectez-vous d'abord.").format(
                server=connection.label
            ),
            EXIT_NOT_SIGNED_IN,
        )
    client = await connection.client()
    client.token = token
    return client


def _field_names() -> dict[str, str]:
    return {
        "text": _("Objectif"),
        "domain": _("Domaine"),
        "tags": _("Étiquettes"),
        "first_name": _("Prénom"),
        "learner_ids": _("Élèves"),
        "learners": _("Élèves"),
        "file": _("Fichier"),
        "language": _("Langue"),
    }


def _field_label(field: str, names: dict[str, str]) -> str:
    """« Ligne 3, Domaine » for an import's ``3.domain``; the field's name otherwise."""
    row, _dot, name = field.partition(".")
    if row.isdigit() and name:
        return _("Ligne {row}, {field}").format(row=row, field=names.get(name, name))
    return names.get(field, field)


def _goal_line(goal: Goal, areas: dict[str, str]) -> str:
    details = []
    if goal.domain:
        details.append(areas.get(goal.domain, goal.domain))
    details += [f"#{tag}" for tag in goal.tags]
    return goal.text + (f"  [{', '.join(details)}]" if details else "")


def _print_json(value: Any, out: TextIO) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2), file=out)


async def _run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from banqo_tui.api import errors

    try:
        client = await _signed_in_client(config)
        try:
            if args.command == "plans":
                return await _plans(client, args, out)
            return await _goals(client, args, out)
        finally:
            await client.aclose()
    except errors.ServerUnreachable as exc:
        raise LineModeError(str(exc), EXIT_UNREACHABLE) from None
    except errors.NotSignedIn:
        raise LineModeError(
            _("Votre session a pris fin. Ouvrez BanqO (banqo) et connectez-vous de nouveau."), EXIT_NOT_SIGNED_IN
        ) from None
    except errors.ApiError as exc:
        names = _field_names()
        lines = [exc.message] if not exc.errors else [
            _("{field} : {message}").format(field=_field_label(field, names), message=message)
            for field, messages in exc.errors.items()
            for message in messages
        ]
        code = EXIT_INVALID if exc.status in {400, 409, 422} else EXIT_ERROR
        raise LineModeError("\n".join(lines), code) from None


async def _exchange(client: BanqoClient, args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    if args.goals_action == "export":
        content = await client.collection.export(args.format)
        target = Path(args.output)
        try:
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(content)
            partial.replace(target)
        except OSError as exc:
            raise LineModeError(
                _("Impossible d'écrire {path} : {reason}").format(path=target, reason=exc.strerror), EXIT_ERROR
            ) from None
        print(_("Collection exportée dans {path}.").format(path=target), file=out)
        return EXIT_OK
    source = Path(args.file)
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise LineModeError(
            _("Impossible de lire {path} : {reason}").format(path=source, reason=exc.strerror), EXIT_ERROR
        ) from None
    kind = "csv" if source.suffix.lower() == ".csv" else "json"
    report = await client.collection.import_file(content, kind, dry_run=args.dry_run)
    if args.json:
        _print_json(report.model_dump(mode="json"), out)
        return EXIT_OK
    summary = _("Objectifs ajoutés : {created} · déjà dans la collection : {existing} · élèves créés : {learners}")
    if not report.imported:
        summary = _("Vérification seulement : ") + summary
    print(summary.format(created=report.created, existing=report.existing, learners=report.learners_created), file=out)
    return EXIT_OK


async def _plans(client: BanqoClient, args: argparse.Namespace, out: TextIO) -> int:
    """``banqo plans export``: the file as the server lays it out, written whole or not at all."""
    from pathlib import Path

    from banqo_tui.api.errors import NotFound

    target = Path(args.output)
    try:
        await client.plans.export(args.plan_id, target, args.format, review_id=args.review)
    except NotFound:
        if args.review:
            message = _("Aucune révision « {review} » pour le plan « {plan} » dans ce compte.")
        else:
            message = _("Aucun plan « {plan} » dans ce compte.")
        raise LineModeError(message.format(plan=args.plan_id, review=args.review), EXIT_NOT_FOUND) from None
    except OSError as exc:
        raise LineModeError(
            _("Impossible d'écrire {path} : {reason}").format(path=target, reason=exc.strerror), EXIT_ERROR
        ) from None
    print(_("Plan exporté dans {path}.").format(path=target), file=out)
    return EXIT_OK


async def _goals(client: BanqoClient, args: argparse.Namespace, out: TextIO) -> int:
    if args.goals_action in {"export", "import"}:
        return await _exchange(client, args, out)
    domains = await client.catalogue.domains()
    labels = {area.id: area.label for area in domains.items}
    if args.goals_action == "add":
        goal = await _add(client, " ".join(args.text), domains.items)
        if args.json:
            _print_json(goal.model_dump(mode="json"), out)
        else:
            print(_goal_line(goal, labels), file=out)
        return EXIT_OK
    if args.goals_action == "search" and args.catalogue:
        language = client.language[:2]
        shipped = await client.catalogue.goals(q=" ".join(args.query))
        if args.json:
            _print_json([item.model_dump(mode="json") for item in shipped], out)
        for item in [] if args.json else shipped:
            print(f"{item.id}  {item.text(language)}  [{labels.get(item.area, item.area)}]", file=out)
        return EXIT_OK
    if args.goals_action == "search":
        found = await client.collection.list(q=" ".join(args.query))
    else:
        found = await client.collection.list(domain=args.domain, tag=args.tag)
    if args.json:
        _print_json([goal.model_dump(mode="json") for goal in found], out)
    else:
        for goal in found:
            print(_goal_line(goal, labels), file=out)
    return EXIT_OK


async def _add(client: BanqoClient, line: str, areas: Sequence[Area]) -> Goal:
    from banqo_tui.quick_entry import parse_quick_entry

    learners = await client.learners.list()
    entry = parse_quick_entry(line, areas, learners)
    if not entry.ok:
        raise LineModeError("\n".join(entry.errors), EXIT_INVALID)
    learner_ids = list(entry.learner_ids)
    for name in entry.new_learner_names:
        learner_ids.append((await client.learners.create(name)).id)
    return await client.collection.create(
        entry.text, domain=entry.domain, tags=list(entry.tags), learner_ids=learner_ids
    )
