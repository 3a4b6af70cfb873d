"""The shipped catalogue: loaded into the database when its file changes, then read-only.

The file is an exchange-format document (``banqo_server/catalogue/catalogue.json``). On start the server
compares the file's digest with the one stored in ``catalogue_state``: equal, nothing happens (one small
query); different, the catalogue tables are replaced in one transaction. Teachers' collections hold their
own copies of the goals they took, so an update of the catalogue never touches them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Text, cast, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from banqo_server.catalogue import CATALOGUE_FILE
from banqo_server.models import CatalogueGoal, CatalogueState
from banqo_server.services.paging import decode_position, encode_position
from banqo_tui.api.models import fold, query_terms

_POSTGRES_LOCK_KEY = 0x0BA9_0002
PARTS = ("condition", "behaviour", "criterion", "measure")


@dataclass(frozen=True)
class LoadedCatalogue:
    version: str
    digest: str
    changed: bool
    goals: int


def _rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for position, goal in enumerate(document["goals"]):
        english = goal["translations"]["en"]
        levels = list(goal.get("levels", []))
        rows.append(
            {
                "id": goal["source"]["id"],
                "position": position,
                "area": goal["domain"],
                "subdomain": goal.get("subdomain"),
                "levels": levels,
                "text_fr": goal["text"],
                "text_en": english["text"],
                "parts_fr": {part: goal[part] for part in PARTS},
                "parts_en": {part: english[part] for part in PARTS},
                "search_fr": fold(goal["text"]),
                "search_en": fold(english["text"]),
            }
        )
    return rows


def sync(engine: Engine, now: datetime, path: Path = CATALOGUE_FILE) -> LoadedCatalogue:
    """Make the database hold the catalogue of ``path``; cheap when it already does."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    with Session(engine) as db:
        state = db.get(CatalogueState, 1)
        if state is not None and state.digest == digest:
            return LoadedCatalogue(state.version, digest, False, 0)
    document = json.loads(raw)
    version = document["catalogue"]["version"]
    rows = _rows(document)
    with Session(engine) as db, db.begin():
        if engine.dialect.name == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
        state = db.get(CatalogueState, 1)
        if state is not None and state.digest == digest:  # another process got there first
            return LoadedCatalogue(state.version, digest, False, 0)
        db.execute(delete(CatalogueGoal))
        db.execute(insert(CatalogueGoal), rows)
        areas = document["catalogue"]["areas"]
        if state is None:
            db.add(CatalogueState(id=1, version=version, digest=digest, areas=areas, loaded_at=now))
        else:
            state.version, state.digest, state.areas, state.loaded_at = version, digest, areas, now
    return LoadedCatalogue(version, digest, True, len(rows))


def state(db: Session) -> CatalogueState:
    found = db.get(CatalogueState, 1)
    if found is None:  # create_app loads the catalogue before serving
        raise RuntimeError("the catalogue has not been loaded")
    return found


def area_ids(db: Session) -> set[str]:
    return {area["id"] for area in state(db).areas}


def goal_counts(db: Session) -> dict[str, int]:
    rows = db.execute(select(CatalogueGoal.area, func.count()).group_by(CatalogueGoal.area))
    return {area: count for area, count in rows}


def word_condition(column: Any, terms: list[str]) -> list[Any]:
    """SQL conditions: each term begins a word of ``column`` (a ``fold()``-ed text)."""
    padded = literal(" ") + column
    return [padded.like(f"% {term}%") for term in terms]


def list_goals(
    db: Session,
    *,
    language: str,
    q: str | None,
    area: str | None,
    level: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CatalogueGoal], str | None]:
    statement = select(CatalogueGoal)
    if q:
        column = CatalogueGoal.search_en if language.startswith("en") else CatalogueGoal.search_fr
        statement = statement.where(*word_condition(column, query_terms(q)))
    if area:
        statement = statement.where(CatalogueGoal.area == area)
    if level:  # a JSON list of known words: its text holds the level in quotes
        statement = statement.where(cast(CatalogueGoal.levels, Text).like(f'%"{level}"%'))
    if cursor:
        statement = statement.where(CatalogueGoal.position > decode_position(cursor))
    rows = list(db.scalars(statement.order_by(CatalogueGoal.position).limit(limit + 1)))
    next_cursor = encode_position(rows[limit - 1].position) if len(rows) > limit else None
    return rows[:limit], next_cursor


def get_goal(db: Session, goal_id: str) -> CatalogueGoal | None:
    return db.get(CatalogueGoal, goal_id)
