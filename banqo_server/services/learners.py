"""Learners (« Élèves »): a first name only, and their sub-collections of goals.

Nothing else identifies a learner. Input that looks like a full name, an email or a phone number is refused
with the reason, so that the teacher knows what to type; a second « Léa » becomes « Léa 2 ».
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.idempotency import earlier
from banqo_server.models import Account, Goal, Learner, LearnerGoal
from banqo_server.services.errors import InvalidInput, NotFound, VersionMismatch, VersionRequired
from banqo_server.services.paging import decode_cursor, encode_cursor
from banqo_tui.api.models import LEARNER_NAME_MAX_LENGTH, fold

_EMAIL_SHAPE = re.compile(r"@")
_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-]{7,}$")
_DIGITS = re.compile(r"\d")
_SUFFIX = re.compile(r"^(?P<name>.*\S)\s+(?P<number>\d{1,3})$")
# A first name: letters, joined by hyphens or apostrophes (Marie-Ève, N’Dri, O’Neil).
_FIRST_NAME = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?$")
MAX_SUFFIX = 999


def name_problems(raw: str) -> list[str]:
    """Why ``raw`` is not an acceptable first name (empty when it is)."""
    name = " ".join(raw.split())
    if not name:
        return [_("Ce champ est obligatoire.")]
    if len(name) > LEARNER_NAME_MAX_LENGTH:
        return [
            _(
                "Un prénom compte au plus {count} caractères : pour protéger l'anonymat de l'élève, "
                "inscrivez seulement son prénom."
            ).format(count=LEARNER_NAME_MAX_LENGTH)
        ]
    if _EMAIL_SHAPE.search(name):
        return [
            _(
                "Ceci ressemble à une adresse courriel. Pour protéger l'anonymat de l'élève, "
                "inscrivez seulement son prénom."
            )
        ]
    digits = len(_DIGITS.findall(name))
    if _PHONE_SHAPE.match(name) and digits >= 7:
        return [
            _(
                "Ceci ressemble à un numéro de téléphone. Pour protéger l'anonymat de l'élève, "
                "inscrivez seulement son prénom."
            )
        ]
    if name.replace(" ", "").isdigit():
        return [_("Un prénom ne peut pas être fait seulement de chiffres.")]
    match = _SUFFIX.match(name)
    base = match.group("name") if match else name
    if " " in base:
        return [
            _(
                "Prénom seulement, sans nom de famille : l'élève reste anonyme. "
                "Pour un prénom composé, utilisez un trait d'union (Marie-Ève)."
            )
        ]
    if not _FIRST_NAME.match(base):
        return [_("Un prénom ne contient que des lettres, des traits d'union et des apostrophes.")]
    return []


def _split(name: str) -> tuple[str, int | None]:
    match = _SUFFIX.match(name)
    if match:
        return match.group("name"), int(match.group("number"))
    return name, None


def _clean(raw: str) -> str:
    name = " ".join(raw.split())
    problems = name_problems(name)
    if problems:
        raise InvalidInput({"first_name": problems})
    base, number = _split(name)
    if base.isupper() or base.islower():  # « LÉA », « marie-ève » → « Léa », « Marie-Ève »
        base = base.title()
    return f"{base} {number}" if number else base


def _free_name(db: Session, account_id: str, wanted: str, *, except_id: str | None = None) -> str:
    """``wanted``, or the first « wanted N » (N ≥ 2) no other learner of the account has."""
    base, number = _split(wanted)
    statement = select(Learner.name_key, Learner.id).where(Learner.account_id == account_id)
    taken = {key for key, learner_id in db.execute(statement) if learner_id != except_id}
    if fold(wanted) not in taken:
        return wanted
    for candidate_number in range(max(2, number or 2), MAX_SUFFIX + 1):
        candidate = f"{base} {candidate_number}"
        if fold(candidate) not in taken:
            return candidate
    raise InvalidInput({"first_name": [_("Trop d'élèves portent déjà ce prénom.")]})


def create(db: Session, account_id: str, raw_name: str, now: datetime, idempotency_key: str | None = None) -> Learner:
    """A new learner; the server adds the digit when the name is taken. Commits. With ``idempotency_key``,
    the learner an earlier request with that key created."""
    wanted = _clean(raw_name)
    _hold_names(db, account_id)
    prior = earlier(db, Learner, idempotency_key, account_id=account_id)
    if prior is not None:
        db.rollback()
        return prior
    name = _free_name(db, account_id, wanted)
    learner = Learner(
        account_id=account_id,
        first_name=name,
        name_key=fold(name),
        idempotency_key=idempotency_key,
        created_at=now,
    )
    db.add(learner)
    db.commit()
    return learner


def _hold_names(db: Session, account_id: str) -> None:
    """Lock the account until the commit: requests choosing a free first name at the same moment (six « Noah »
    added at once) choose one after the other, each seeing the names the ones before took."""
    # NO KEY UPDATE on PostgreSQL: the other writes of the account (a goal, a session: rows that refer to it)
    # do not wait for it, only the other name choosers and whatever changes the account's row.
    db.execute(select(Account.id).where(Account.id == account_id).with_for_update(key_share=True))


def get(db: Session, account_id: str, learner_id: str, *, lock: bool = False) -> Learner:
    """The account's learner (404 otherwise); ``lock`` holds it until the commit (a change checked against its
    version)."""
    statement = select(Learner).where(Learner.id == learner_id, Learner.account_id == account_id)
    learner = db.scalar(statement.with_for_update() if lock else statement)
    if learner is None:
        raise NotFound()
    return learner


def check_version(current: int, if_match: int | None) -> None:
    if if_match is None:
        raise VersionRequired()
    if if_match != current:
        raise VersionMismatch(current)


def rename(db: Session, account_id: str, learner_id: str, raw_name: str, if_match: int | None) -> Learner:
    _hold_names(db, account_id)  # before the learner's lock, in the order an account's deletion takes them
    learner = get(db, account_id, learner_id, lock=True)
    check_version(learner.version, if_match)
    wanted = _clean(raw_name)
    if fold(wanted) != learner.name_key:
        name = _free_name(db, account_id, wanted, except_id=learner.id)
        learner.first_name, learner.name_key = name, fold(name)
    elif wanted != learner.first_name:  # same name, other capitals or accents written the same way
        learner.first_name = wanted
    else:
        return learner
    learner.version += 1
    db.commit()
    return learner


def delete(db: Session, account_id: str, learner_id: str, if_match: int | None) -> None:
    """Delete the learner and their sub-collection (the goals stay in the collection). Commits."""
    learner = get(db, account_id, learner_id, lock=True)
    check_version(learner.version, if_match)
    db.delete(learner)
    db.commit()


def goal_counts(db: Session, learner_ids: list[str]) -> dict[str, int]:
    if not learner_ids:
        return {}
    statement = (
        select(LearnerGoal.learner_id, func.count())
        .join(Goal, Goal.id == LearnerGoal.goal_id)
        .where(LearnerGoal.learner_id.in_(learner_ids), Goal.deleted_at.is_(None))
        .group_by(LearnerGoal.learner_id)
    )
    return {learner_id: count for learner_id, count in db.execute(statement)}


def page(
    db: Session, account_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Learner], str | None]:
    """The account's learners in the order they were created."""
    statement = select(Learner).where(Learner.account_id == account_id)
    if cursor:
        moment, last_id = decode_cursor(cursor)
        statement = statement.where(
            (Learner.created_at > moment) | ((Learner.created_at == moment) & (Learner.id > last_id))
        )
    rows = list(db.scalars(statement.order_by(Learner.created_at, Learner.id).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def file_goal(db: Session, account_id: str, learner_id: str, goal_id: str, now: datetime) -> tuple[LearnerGoal, bool]:
    """File a goal of the collection under the learner; already filed answers the existing filing. Commits. The
    learner is locked until then: the same goal filed twice at the same moment is filed once, and answered so."""
    learner = get(db, account_id, learner_id, lock=True)
    goal = db.scalar(
        select(Goal).where(Goal.id == goal_id, Goal.account_id == account_id, Goal.deleted_at.is_(None))
    )
    if goal is None:
        raise InvalidInput({"goal_id": [_("Cet objectif n'est pas dans votre collection.")]})
    existing = db.get(LearnerGoal, (learner.id, goal.id))
    if existing is not None:
        return existing, False
    filing = LearnerGoal(learner_id=learner.id, goal_id=goal.id, filed_at=now)
    db.add(filing)
    db.commit()
    return filing, True


def unfile_goal(db: Session, account_id: str, learner_id: str, goal_id: str) -> None:
    learner = get(db, account_id, learner_id)
    filing = db.get(LearnerGoal, (learner.id, goal_id))
    if filing is None:
        raise NotFound()
    db.delete(filing)
    db.commit()


def filed_goals(
    db: Session, account_id: str, learner_id: str, *, limit: int, cursor: str | None
) -> tuple[Learner, list[tuple[LearnerGoal, Goal]], str | None]:
    learner = get(db, account_id, learner_id)
    statement = (
        select(LearnerGoal, Goal)
        .join(Goal, Goal.id == LearnerGoal.goal_id)
        .where(LearnerGoal.learner_id == learner.id, Goal.deleted_at.is_(None))
    )
    if cursor:
        moment, last_id = decode_cursor(cursor)
        statement = statement.where(
            (LearnerGoal.filed_at > moment) | ((LearnerGoal.filed_at == moment) & (LearnerGoal.goal_id > last_id))
        )
    rows = [
        (filing, goal)
        for filing, goal in db.execute(statement.order_by(LearnerGoal.filed_at, LearnerGoal.goal_id).limit(limit + 1))
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.filed_at, last.goal_id)
    return learner, rows[:limit], next_cursor
