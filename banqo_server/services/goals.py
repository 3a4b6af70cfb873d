"""« Ma collection »: the teacher's goals, written freely or copied from the catalogue.

Rules: a goal has a text (at most 2,000 characters), a language, an optional domain (a catalogue domain or
TEVA sphere), tags, and its optional parts. The same text (folded) in the same domain is the same goal: creating
it again answers the existing one. A deleted goal waits in a bin for ``UNDO_WINDOW`` so that the deletion
can be undone, then is gone for good.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.models import Goal, Learner, LearnerGoal
from banqo_server.services import catalogue
from banqo_server.services.errors import Conflict, InvalidInput, NotFound
from banqo_server.services.learners import check_version
from banqo_server.services.paging import decode_cursor, encode_cursor
from banqo_tui.api.models import (
    GOAL_PART_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    MAX_TAGS,
    TAG_MAX_LENGTH,
    TAG_SHAPE,
    GoalSourceKind,
    clean_tag,
    fold,
    query_terms,
)

UNDO_WINDOW = timedelta(minutes=10)
LANGUAGES = ("fr", "en")
PARTS = ("condition", "behaviour", "criterion", "measure")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class GoalFields:
    """A goal's content as checked by ``check_fields``."""

    text: str
    language: str
    domain: str | None = None
    tags: list[str] = field(default_factory=list)
    condition: str | None = None
    behaviour: str | None = None
    criterion: str | None = None
    measure: str | None = None
    source_kind: str = GoalSourceKind.OWN.value
    source_id: str | None = None
    source_version: str | None = None


def clean_text(value: str | None) -> str:
    """One line of text: control characters removed, runs of spaces (and line breaks) made single spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def tag_problems(tags: Iterable[str]) -> list[str]:
    problems = []
    for tag in tags:
        if not TAG_SHAPE.match(tag) or len(tag) > TAG_MAX_LENGTH:
            problems.append(
                _("Étiquette « {tag} » : des lettres, des chiffres et des traits d'union, {count} au plus.").format(
                    tag=tag, count=TAG_MAX_LENGTH
                )
            )
    return problems


def same_key(text: str, domain: str | None) -> str:
    return hashlib.sha256(f"{fold(text)}\x00{domain or ''}".encode()).hexdigest()


def search_text(text: str, tags: Sequence[str]) -> str:
    return fold(" ".join([text, *tags]))


def check_fields(
    known_areas: set[str],
    *,
    text: str | None,
    language: str | None,
    domain: str | None,
    tags: Sequence[str] | None,
    parts: dict[str, str | None],
    default_language: str,
) -> tuple[GoalFields | None, dict[str, list[str]]]:
    """The cleaned fields, or the translated problems of each field."""
    errors: dict[str, list[str]] = {}
    cleaned_text = clean_text(text)
    if not cleaned_text:
        errors["text"] = [_("Écrivez l'objectif.")]
    elif len(cleaned_text) > GOAL_TEXT_MAX_LENGTH:
        errors["text"] = [_("Ce texte est trop long ({count} caractères au plus).").format(count=GOAL_TEXT_MAX_LENGTH)]
    chosen_language = (language or default_language)[:2].lower()
    if chosen_language not in LANGUAGES:
        errors["language"] = [_("Langue inconnue : fr ou en.")]
    chosen_domain = (domain or "").strip().lstrip("@") or None
    if chosen_domain is not None and chosen_domain not in known_areas:
        errors["domain"] = [_("Domaine inconnu : « {domain} ».").format(domain=chosen_domain)]
    cleaned_tags: list[str] = []
    for tag in tags or []:
        tag = clean_tag(tag)
        if tag and tag not in cleaned_tags:
            cleaned_tags.append(tag)
    problems = tag_problems(cleaned_tags)
    if len(cleaned_tags) > MAX_TAGS:
        problems.append(_("{count} étiquettes au plus.").format(count=MAX_TAGS))
    if problems:
        errors["tags"] = problems
    cleaned_parts: dict[str, str | None] = {}
    for name in PARTS:
        value = clean_text(parts.get(name)) or None
        if value is not None and len(value) > GOAL_PART_MAX_LENGTH:
            errors[name] = [
                _("Ce texte est trop long ({count} caractères au plus).").format(count=GOAL_PART_MAX_LENGTH)
            ]
        cleaned_parts[name] = value
    if errors:
        return None, errors
    return (
        GoalFields(
            text=cleaned_text,
            language=chosen_language,
            domain=chosen_domain,
            tags=cleaned_tags,
            condition=cleaned_parts["condition"],
            behaviour=cleaned_parts["behaviour"],
            criterion=cleaned_parts["criterion"],
            measure=cleaned_parts["measure"],
        ),
        {},
    )


def _owned(db: Session, account_id: str, goal_id: str, *, lock: bool = False) -> Goal:
    """The account's goal outside the bin (404 otherwise); ``lock`` holds it until the commit, so that a change
    checked against its version (``If-Match``) never interleaves with another."""
    statement = select(Goal).where(Goal.id == goal_id, Goal.account_id == account_id, Goal.deleted_at.is_(None))
    goal = db.scalar(statement.with_for_update() if lock else statement)
    if goal is None:
        raise NotFound()
    return goal


def get(db: Session, account_id: str, goal_id: str) -> Goal:
    return _owned(db, account_id, goal_id)


def _learners_of_account(db: Session, account_id: str, learner_ids: Sequence[str]) -> list[Learner]:
    if not learner_ids:
        return []
    found = list(db.scalars(select(Learner).where(Learner.account_id == account_id, Learner.id.in_(learner_ids))))
    if len(found) != len(set(learner_ids)):
        raise InvalidInput({"learner_ids": [_("Cet élève n'existe pas.")]})
    return found


def _file(db: Session, goal: Goal, learners: Iterable[Learner], now: datetime) -> None:
    for learner in learners:
        if db.get(LearnerGoal, (learner.id, goal.id)) is None:
            db.add(LearnerGoal(learner_id=learner.id, goal_id=goal.id, filed_at=now))


def find_same(db: Session, account_id: str, key: str) -> Goal | None:
    return db.scalar(select(Goal).where(Goal.account_id == account_id, Goal.same_key == key))


def new_goal(account_id: str, fields: GoalFields, now: datetime, idempotency_key: str | None = None) -> Goal:
    return Goal(
        account_id=account_id,
        text=fields.text,
        language=fields.language,
        domain=fields.domain,
        tags=fields.tags,
        condition=fields.condition,
        behaviour=fields.behaviour,
        criterion=fields.criterion,
        measure=fields.measure,
        source_kind=fields.source_kind,
        source_id=fields.source_id,
        source_version=fields.source_version,
        search=search_text(fields.text, fields.tags),
        same_key=same_key(fields.text, fields.domain),
        idempotency_key=idempotency_key,
        version=1,
        created_at=now,
        updated_at=now,
    )


def create(
    db: Session,
    account_id: str,
    *,
    text: str | None,
    catalogue_id: str | None,
    language: str | None,
    domain: str | None,
    tags: Sequence[str],
    parts: dict[str, str | None],
    learner_ids: Sequence[str],
    default_language: str,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[Goal, bool]:
    """Create a goal (or find the same one); file it under ``learner_ids``. Commits. True when created."""
    if idempotency_key:
        earlier = db.scalar(select(Goal).where(Goal.account_id == account_id, Goal.idempotency_key == idempotency_key))
        if earlier is not None and earlier.deleted_at is None:
            return earlier, False
    state = catalogue.state(db)
    source: tuple[str, str | None, str | None] = (GoalSourceKind.OWN.value, None, None)
    if catalogue_id:
        shipped = catalogue.get_goal(db, catalogue_id)
        if shipped is None:
            raise InvalidInput({"catalogue_id": [_("Cet objectif n'est pas dans la banque.")]})
        chosen = (language or default_language)[:2].lower()
        english = chosen == "en"
        shipped_parts = shipped.parts_en if english else shipped.parts_fr
        text = text or (shipped.text_en if english else shipped.text_fr)
        domain = domain or shipped.area
        parts = {name: parts.get(name) or shipped_parts.get(name) for name in PARTS}
        source = (GoalSourceKind.CATALOGUE.value, shipped.id, state.version)
    fields, errors = check_fields(
        {area["id"] for area in state.areas},
        text=text,
        language=language,
        domain=domain,
        tags=tags,
        parts=parts,
        default_language=default_language,
    )
    if fields is None:
        raise InvalidInput(errors)
    fields.source_kind, fields.source_id, fields.source_version = source
    learners = _learners_of_account(db, account_id, learner_ids)
    try:
        return _store(db, account_id, fields, learners, now, idempotency_key)
    except IntegrityError:  # the same goal, or the same filing, made at the same moment by another request
        db.rollback()
    # Found now; without the key, which may be a goal's in the bin (never answered, never given again).
    return _store(db, account_id, fields, learners, now, None)


def _store(
    db: Session, account_id: str, fields: GoalFields, learners: list[Learner], now: datetime, key: str | None
) -> tuple[Goal, bool]:
    """The goal of ``fields`` added, or the same one found (its new tags added), filed under ``learners``."""
    existing = find_same(db, account_id, same_key(fields.text, fields.domain))
    if existing is not None:  # the same goal: file it, and add the tags it did not have yet
        added = [tag for tag in fields.tags if tag not in existing.tags]
        if added:
            existing.tags = [*existing.tags, *added][:MAX_TAGS]
            existing.search = search_text(existing.text, existing.tags)
            existing.version += 1
            existing.updated_at = now
        _file(db, existing, learners, now)
        db.commit()
        return existing, False
    goal = new_goal(account_id, fields, now, key)
    db.add(goal)
    db.flush()
    _file(db, goal, learners, now)
    db.commit()
    return goal, True


def update(
    db: Session, account_id: str, goal_id: str, changes: dict[str, object], if_match: int | None, now: datetime
) -> Goal:
    """Apply ``changes`` (only the fields sent) after the version check. Commits."""
    goal = _owned(db, account_id, goal_id, lock=True)
    check_version(goal.version, if_match)
    merged = {
        "text": goal.text,
        "domain": goal.domain,
        "tags": goal.tags,
        **{name: getattr(goal, name) for name in PARTS},
    }
    merged.update(changes)
    fields, errors = check_fields(
        catalogue.area_ids(db),
        text=merged["text"],  # type: ignore[arg-type]
        language=goal.language,
        domain=merged["domain"],  # type: ignore[arg-type]
        tags=merged["tags"],  # type: ignore[arg-type]
        parts={name: merged[name] for name in PARTS},  # type: ignore[misc]
        default_language=goal.language,
    )
    if fields is None:
        raise InvalidInput(errors)
    key = same_key(fields.text, fields.domain)
    if key != goal.same_key:
        other = find_same(db, account_id, key)
        if other is not None and other.id != goal.id:
            raise Conflict({"text": [_("Cet objectif est déjà dans votre collection, dans ce domaine.")]})
    before = (goal.text, goal.domain, goal.tags, *(getattr(goal, name) for name in PARTS))
    after = (fields.text, fields.domain, fields.tags, *(getattr(fields, name) for name in PARTS))
    if before == after:
        return goal
    goal.text, goal.domain, goal.tags = fields.text, fields.domain, fields.tags
    for name in PARTS:
        setattr(goal, name, getattr(fields, name))
    goal.search, goal.same_key = search_text(goal.text, goal.tags), key
    goal.version += 1
    goal.updated_at = now
    db.commit()
    return goal


def purge_bin(db: Session, account_id: str, now: datetime) -> None:
    db.execute(
        delete(Goal).where(
            Goal.account_id == account_id, Goal.deleted_at.is_not(None), Goal.deleted_at < now - UNDO_WINDOW
        )
    )


def remove(db: Session, account_id: str, goal_id: str, if_match: int | None, now: datetime) -> None:
    """Put the goal in the bin (undoable for ``UNDO_WINDOW``). Commits."""
    goal = _owned(db, account_id, goal_id, lock=True)
    check_version(goal.version, if_match)
    purge_bin(db, account_id, now)
    goal.deleted_at, goal.same_key = now, None
    goal.version += 1
    db.commit()


def restore(db: Session, account_id: str, goal_id: str, now: datetime) -> Goal:
    """Take a goal out of the bin, with its filings under learners. Commits."""
    purge_bin(db, account_id, now)
    goal = db.scalar(
        select(Goal).where(Goal.id == goal_id, Goal.account_id == account_id, Goal.deleted_at.is_not(None))
    )
    if goal is None:
        raise NotFound()
    key = same_key(goal.text, goal.domain)
    if find_same(db, account_id, key) is not None:
        db.rollback()
        raise Conflict({"text": [_("Cet objectif est déjà dans votre collection, dans ce domaine.")]})
    goal.deleted_at, goal.same_key = None, key
    goal.version += 1
    goal.updated_at = now
    db.commit()
    return goal


@functools.lru_cache(maxsize=256)
def _page_statement(words: int, tag_words: int, domain: bool, cursor: bool, limited: bool) -> Select[Any]:
    """The page query for a shape of search, built once: its values are bound parameters (``account``, ``w0``…,
    ``t0``…, ``domain``, ``after_at``, ``after_id``, ``size``). Building a statement and its cache key costs more
    than running it on SQLite; the search runs at every keystroke."""
    statement = select(*Goal.__table__.columns).where(
        Goal.account_id == bindparam("account"), Goal.deleted_at.is_(None)
    )
    padded = literal(" ") + Goal.search
    statement = statement.where(*(padded.like(bindparam(f"w{index}")) for index in range(words)))
    statement = statement.where(*(padded.like(bindparam(f"t{index}")) for index in range(tag_words)))
    if domain:
        statement = statement.where(Goal.domain == bindparam("domain"))
    if cursor:
        after_at = bindparam("after_at", type_=Goal.created_at.type)
        after_id = bindparam("after_id", type_=Goal.id.type)
        statement = statement.where(
            (Goal.created_at > after_at) | ((Goal.created_at == after_at) & (Goal.id > after_id))
        )
    statement = statement.order_by(Goal.created_at, Goal.id)
    return statement.limit(bindparam("size")) if limited else statement


def page(
    db: Session,
    account_id: str,
    *,
    q: str | None,
    domain: str | None,
    tag: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """The account's goals in the order they were added, filtered: read-only rows (SQLAlchemy ``Row``s with the
    goal's column attributes, not ORM objects — a page is only read, and Core rows cost a fraction)."""
    words = query_terms(q) if q else []
    wanted = clean_tag(tag) if tag else ""
    # Tags are folded into ``search``; the exact list is checked below for the page's rows.
    tag_words = (query_terms(wanted) or [wanted]) if tag else []
    values: dict[str, Any] = {"account": account_id, "size": limit + 1}
    values.update({f"w{index}": f"% {word}%" for index, word in enumerate(words)})
    values.update({f"t{index}": f"% {word}%" for index, word in enumerate(tag_words)})
    if domain:
        values["domain"] = domain.lstrip("@")
    if cursor:
        values["after_at"], values["after_id"] = decode_cursor(cursor)
    # Without a tag, every row the query gives is on the page: it stops after limit + 1 rows (the one more says
    # that there is a next page). With one, rows whose text only looks like the tag are skipped: read on.
    statement = _page_statement(len(words), len(tag_words), bool(domain), bool(cursor), limited=not tag)
    rows: list[Any] = []
    last: Any = None
    more = False
    for goal in db.connection().execute(statement, values):  # Core: no ORM result processing for plain rows
        if len(rows) == limit:
            more = True
            break
        last = goal
        if tag and fold(tag) not in {fold(own) for own in goal.tags}:
            continue
        rows.append(goal)
    next_cursor = encode_cursor(last.created_at, last.id) if more and last is not None else None
    return rows, next_cursor


_LEARNER_IDS = (
    select(LearnerGoal.goal_id, LearnerGoal.learner_id)
    .join(Learner, Learner.id == LearnerGoal.learner_id)
    .where(LearnerGoal.goal_id.in_(bindparam("goal_ids", expanding=True)))
    .order_by(LearnerGoal.filed_at, Learner.first_name, Learner.id)
)


def learner_ids(db: Session, goal_ids: Sequence[str]) -> dict[str, list[str]]:
    """The learners each goal is filed under, in the order they were filed (those filed together by first name)."""
    found: dict[str, list[str]] = {goal_id: [] for goal_id in goal_ids}
    if goal_ids:
        for goal_id, learner_id in db.connection().execute(_LEARNER_IDS, {"goal_ids": list(goal_ids)}):
            found[goal_id].append(learner_id)
    return found
