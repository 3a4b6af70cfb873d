"""``Idempotency-Key`` on every create: a client that did not hear the answer sends the same request again, with
the same key, and gets the resource its first attempt created instead of a second one.

Each table a create writes to has an ``idempotency_key`` column, unique per account (per sender address for
support messages). A service looks the key up before creating (:func:`earlier`), stores it on the new row, and,
when two requests with one key race, the unique constraint refuses the loser, which reads the winner's row.
The route answers 201 to the request that wrote the row and 200 to every other (:func:`answer_status`), as
``POST /collection/goals`` does: a row that :func:`earlier` found while serving the request is a repeat, whether
it was found before creating or after losing the race.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Header, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

KEY_LENGTH = 80

Row = TypeVar("Row")

IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=KEY_LENGTH,
        description=(
            "Any unique text the client makes for this create (a UUID). Sending the create again with the same "
            "key answers the resource created first, with 200, instead of creating it twice."
        ),
    ),
]

REPEAT_DESCRIPTION = "The same `Idempotency-Key` was sent before: the resource that request created"

_FOUND = "banqo_idempotency_found"  # in ``Session.info``: the rows ``earlier`` found for this request


def earlier(db: Session, model: type[Row], key: str | None, **scope: Any) -> Row | None:
    """The row that an earlier create with ``key`` wrote, within ``scope`` (``account_id=…``), or None."""
    if not key:
        return None
    query = select(model)
    for column, value in {"idempotency_key": key, **scope}.items():
        query = query.where(getattr(model, column) == value)
    row = db.scalar(query)
    if row is not None:
        db.info.setdefault(_FOUND, []).append(row)
    return row


def commit_or_earlier(db: Session, model: type[Row], key: str | None, **scope: Any) -> Row | None:
    """Commit the create; when the unique key refuses it (a request with the same key got there at the same
    moment), roll back and return that request's row. None once committed."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        prior = earlier(db, model, key, **scope)
        if prior is None:
            raise
        return prior
    return None


def answer_status(response: Response, db: Session, row: object) -> None:
    """201 when this request wrote ``row``, 200 when ``row`` is what an earlier create with the same key wrote
    (:func:`earlier` found it while serving this request: before creating, or after losing the race)."""
    found = db.info.get(_FOUND, ())
    response.status_code = 200 if any(earlier_row is row for earlier_row in found) else 201
