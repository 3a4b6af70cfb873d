"""``banqo learners …``: learners by first name only, each with the goals of their folder and their plans.

A learner is named by first name (« Léa 2 » may be typed « Léa2 ») or by id (its first characters suffice)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from banqo_tui.i18n import _, format_number, ngettext
from banqo_tui.line.session import (
    EXIT_INVALID,
    EXIT_OK,
    LineModeError,
    LineSession,
    labelled,
    resolve,
    short_id,
)

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import Learner


def learner_line(learner: Learner) -> str:
    """« 3f2a9c1b  Léa — 3 objectifs »."""
    from banqo_tui.screens.learners import goal_count_text

    return f"{short_id(learner.id)}  {learner.first_name} — {goal_count_text(learner.goal_count)}"


async def find_learner(client: BanqoClient, wanted: str) -> Learner:
    """The learner with this first name, else the one whose id begins with ``wanted`` (exit code 5 otherwise)."""
    from banqo_tui.quick_entry import find_learner as by_name

    learners = await client.learners.list()
    named = by_name(wanted, learners)
    if named is not None:
        return named
    unknown = _("Aucun élève « {name} » dans ce compte.").format(name=wanted)
    return resolve(wanted, learners, lambda learner: learner.id, lambda learner: learner.first_name, unknown)


async def run(session: LineSession, args: argparse.Namespace) -> int:
    from banqo_tui.screens.learners import alphabetical, renamed_notice

    client = await session.signed_in()
    if args.action == "list":
        learners = sorted(await client.learners.list(), key=alphabetical)
        if args.json:
            session.print_models(learners)
        else:
            session.say(*(learner_line(learner) for learner in learners))
        return EXIT_OK
    if args.action == "show":
        return await _show(session, client, await find_learner(client, " ".join(args.learner)), args.json)
    if args.action == "rm":
        return await _remove(session, client, await find_learner(client, " ".join(args.learner)), args.yes)
    wanted = " ".join(args.first_name)
    if args.action == "add":
        from banqo_tui.api.client import new_idempotency_key

        # A key per command: the client may send it again when the connection drops, never adding two.
        learner = await client.learners.create(wanted, new_idempotency_key())
        done = _("{name} fait maintenant partie de vos élèves.").format(name=learner.first_name)
    else:
        current = await find_learner(client, args.learner)
        learner = await client.learners.rename(current.id, current.version, wanted)
        done = _("Renommé : {name}.").format(name=learner.first_name)
    if args.json:
        session.print_json(learner.model_dump(mode="json"))
    else:
        session.say(renamed_notice(wanted, learner) or done)
    return EXIT_OK


async def _show(session: LineSession, client: BanqoClient, learner: Learner, as_json: bool) -> int:
    """The folder's goals (texts with the first name filled in), then the learner's plans, newest first."""
    from banqo_tui.screens.learners import goal_count_text
    from banqo_tui.screens.plans import newest_first, plan_line

    goals = await client.learners.goals(learner.id)
    plans = newest_first(await client.plans.list(learner_id=learner.id))
    if as_json:
        session.print_json({
            "learner": learner.model_dump(mode="json"),
            "goals": [goal.model_dump(mode="json") for goal in goals],
            "plans": [plan.model_dump(mode="json") for plan in plans],
        })
        return EXIT_OK
    session.say(_("Objectifs de {name} : {count}").format(name=learner.first_name, count=goal_count_text(len(goals))))
    session.say(*(f"{short_id(filed.goal.id)}  {filed.text}" for filed in goals))
    count = ngettext("{count} plan", "{count} plans", len(plans)).format(count=format_number(len(plans)))
    session.say("", labelled(_("Plans de {name}").format(name=learner.first_name), count))
    today = await client.today() if plans else None
    session.say(*(f"{short_id(plan.id)}  {plan_line(plan, today)}" for plan in plans))
    return EXIT_OK


async def _remove(session: LineSession, client: BanqoClient, learner: Learner, confirmed: bool) -> int:
    """The folder and the plans go with the learner, for good: asked first at a terminal, ``--yes`` in a script."""
    from banqo_tui.screens.learners import goal_count_text

    if not confirmed:
        if not session.interactive:
            raise LineModeError(
                _("Supprimer {name} supprime aussi son dossier et ses plans, sans retour : ajoutez --yes pour "
                  "confirmer.").format(name=learner.first_name),
                EXIT_INVALID,
            )
        session.say(
            _(
                "Le dossier de {name} ({count}) sera supprimé avec son prénom, ainsi que ses plans "
                "(objectifs, progrès et révisions). Les objectifs eux-mêmes restent dans « Ma collection »."
            ).format(name=learner.first_name, count=goal_count_text(learner.goal_count))
        )
        if not session.confirm(_("Supprimer {name}?").format(name=learner.first_name)):
            session.say(_("Rien n'est supprimé."))
            return EXIT_OK
    await client.learners.delete(learner.id, learner.version)
    session.say(_("{name} est supprimé; ses objectifs restent dans « Ma collection ».").format(name=learner.first_name))
    return EXIT_OK
