"""``banqo goals …``: « Ma collection » and the bank, one goal a line with its id first, so that ``edit ID`` and
``rm ID`` can follow (the first 8 characters of an id suffice)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banqo_tui.i18n import _
from banqo_tui.line.session import (
    EXIT_ERROR,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_OK,
    LineModeError,
    LineSession,
    is_full_id,
    resolve,
    short_id,
    write_error,
)

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import Area, Goal


def goal_line(goal: Goal, areas: dict[str, str]) -> str:
    """« 3f2a9c1b  Lire 20 mots fréquents  [Lecture, #fluidité] »."""
    details = []
    if goal.domain:
        details.append(areas.get(goal.domain, goal.domain))
    details += [f"#{tag}" for tag in goal.tags]
    return f"{short_id(goal.id)}  {goal.text}" + (f"  [{', '.join(details)}]" if details else "")


async def run(session: LineSession, args: argparse.Namespace) -> int:
    client = await session.signed_in()
    if args.action in {"export", "import"}:
        return await _exchange(session, client, args)
    domains = await client.catalogue.domains()
    labels = {area.id: area.label for area in domains.items}
    if args.action == "restore":
        return await _restore(session, client, args, labels)
    if args.action == "search" and args.catalogue:
        return await _search_catalogue(session, client, args, labels)
    if args.action == "rm":
        return await _remove(session, client, args.goal_id)
    if args.action == "add":
        goal = await _add(client, args, domains.items)
    elif args.action == "edit":
        goal = await _edit(client, args, domains.items)
    else:
        query = " ".join(args.query) if args.action == "search" else None
        domain, tag = getattr(args, "domain", None), getattr(args, "tag", None)
        found = await client.collection.list(q=query, domain=domain, tag=tag)
        if args.json:
            session.print_models(found)
        else:
            session.say(*(goal_line(goal, labels) for goal in found))
        return EXIT_OK
    if args.json:
        session.print_json(goal.model_dump(mode="json"))
    else:
        session.say(goal_line(goal, labels))
    return EXIT_OK


async def find_goal(client: BanqoClient, wanted: str) -> Goal:
    """The collection's goal with this id, or the only one whose id begins with it (exit code 5 otherwise)."""
    from banqo_tui.api.errors import NotFound

    unknown = _("Aucun objectif « {id} » dans ma collection.").format(id=wanted)
    if is_full_id(wanted):
        try:
            return await client.collection.get(wanted.lower())
        except NotFound:
            raise LineModeError(unknown, EXIT_NOT_FOUND) from None
    goals = await client.collection.list()
    return resolve(wanted, goals, lambda goal: goal.id, lambda goal: goal.text, unknown)


async def _search_catalogue(
    session: LineSession, client: BanqoClient, args: argparse.Namespace, labels: dict[str, str]
) -> int:
    language = client.language[:2]
    shipped = await client.catalogue.goals(q=" ".join(args.query))
    if args.json:
        session.print_models(shipped)
    else:
        session.say(*(f"{item.id}  {item.text(language)}  [{labels.get(item.area, item.area)}]" for item in shipped))
    return EXIT_OK


async def _add(client: BanqoClient, args: argparse.Namespace, areas: Sequence[Area]) -> Goal:
    """A quick-entry line (``#étiquette``, ``@domaine``, ``+Prénom``), or a bank goal copied with ``--catalogue``."""
    from banqo_tui.quick_entry import parse_quick_entry

    if args.catalogue:
        if args.text:
            raise LineModeError(_("Donnez un texte ou --catalogue, pas les deux."), EXIT_INVALID)
        return await client.collection.create(catalogue_id=args.catalogue, language=client.language[:2])
    learners = await client.learners.list()
    entry = parse_quick_entry(" ".join(args.text), areas, learners)
    if not entry.ok:
        raise LineModeError("\n".join(entry.errors), EXIT_INVALID)
    from banqo_tui.api.client import new_idempotency_key

    # Keys per command: the client may send a create again when the connection drops, never making two.
    learner_ids = list(entry.learner_ids)
    for name in entry.new_learner_names:
        learner_ids.append((await client.learners.create(name, new_idempotency_key())).id)
    return await client.collection.create(
        entry.text,
        domain=entry.domain,
        tags=list(entry.tags),
        learner_ids=learner_ids,
        idempotency_key=new_idempotency_key(),
    )


async def _edit(client: BanqoClient, args: argparse.Namespace, areas: Sequence[Area]) -> Goal:
    """The text, the domain (``--domain ""`` removes it) and the tags (``--tag``, repeated, replaces them)."""
    from banqo_tui.quick_entry import parse_tags, resolve_domain, tidy

    changes: dict[str, Any] = {}
    problems: list[str] = []
    if args.text:
        changes["text"] = tidy(" ".join(args.text))
    if args.domain is not None:
        typed = args.domain.strip().lstrip("@")
        domain, problem = resolve_domain(typed, areas) if typed else (None, None)
        if problem:
            problems.append(problem)
        changes["domain"] = domain
    if args.tag is not None:
        tags, tag_problems = parse_tags(" ".join(args.tag))
        problems += tag_problems
        changes["tags"] = tags
    if not changes:
        problems.append(_("Rien à changer : donnez un nouveau texte, --domain ou --tag."))
    if problems:
        raise LineModeError("\n".join(problems), EXIT_INVALID)
    goal = await find_goal(client, args.goal_id)
    return await client.collection.update(goal.id, goal.version, **changes)


async def _remove(session: LineSession, client: BanqoClient, wanted: str) -> int:
    """Into the server's bin, from which ``restore`` brings it back for 10 minutes: the command is said."""
    goal = await find_goal(client, wanted)
    await client.collection.delete(goal.id, goal.version)
    session.say(
        _("Objectif supprimé : « {text} ».").format(text=goal.text),
        _("Pour l'annuler (pendant 10 minutes) : {command}").format(
            command=session.command(f"goals restore {goal.id}")
        ),
    )
    return EXIT_OK


async def _restore(
    session: LineSession, client: BanqoClient, args: argparse.Namespace, labels: dict[str, str]
) -> int:
    from banqo_tui.api.errors import NotFound

    try:
        goal = await client.collection.restore(args.goal_id.strip().lower())
    except NotFound:
        raise LineModeError(
            _("Rien à rétablir pour « {id} » : l'identifiant est inconnu, ou la suppression date de plus de "
              "10 minutes.").format(id=args.goal_id),
            EXIT_NOT_FOUND,
        ) from None
    if args.json:
        session.print_json(goal.model_dump(mode="json"))
    else:
        session.say(_("Objectif rétabli."), goal_line(goal, labels))
    return EXIT_OK


async def _exchange(session: LineSession, client: BanqoClient, args: argparse.Namespace) -> int:
    if args.action == "export":
        content = await client.collection.export(args.format)
        target = Path(args.output)
        try:
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(content)
            partial.replace(target)
        except OSError as exc:
            raise write_error(target, exc) from None
        session.say(_("Collection exportée dans {path}.").format(path=target))
        return EXIT_OK
    from banqo_tui.api.models import IMPORT_MAX_BYTES

    source = Path(args.file)
    try:
        with source.open("rb") as file:  # never more than the limit in memory, whatever the file's size
            content = file.read(IMPORT_MAX_BYTES + 1)
    except OSError as exc:
        raise LineModeError(
            _("Impossible de lire {path} : {reason}").format(path=source, reason=exc.strerror), EXIT_ERROR
        ) from None
    if len(content) > IMPORT_MAX_BYTES:
        raise LineModeError(
            _("{path} dépasse la taille permise ({size} Mo) : ce n'est pas un fichier d'échange BanqO.").format(
                path=source, size=IMPORT_MAX_BYTES // 1_000_000
            ),
            EXIT_INVALID,
        )
    kind = "csv" if source.suffix.lower() == ".csv" else "json"
    report = await client.collection.import_file(content, kind, dry_run=args.dry_run)
    if args.json:
        session.print_json(report.model_dump(mode="json"))
        return EXIT_OK
    summary = _("Objectifs ajoutés : {created} · déjà dans la collection : {existing} · élèves créés : {learners}")
    if not report.imported:
        summary = _("Vérification seulement : ") + summary
    session.say(summary.format(created=report.created, existing=report.existing, learners=report.learners_created))
    return EXIT_OK
