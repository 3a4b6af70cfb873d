"""The peers of bench/load.py, served by uvicorn like BanqO.

``ceiling``: a plain Starlette endpoint answering a small constant JSON document: what uvicorn and Starlette
cost on this machine, nothing else — no framework could answer faster.

``bare``: a bare FastAPI endpoint doing one sqlite3 query — the goal search of one account over a table of
goals like BanqO's (``BANQO_LOAD_PEER_DB``, written by bench/load.py) — and answering its rows as JSON:
what a search endpoint with no authentication, no ORM and no response model does here.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def _hello(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "service": "ceiling"})


ceiling = Starlette(routes=[Route("/", _hello)])

bare = FastAPI()
_local = threading.local()
COLUMNS = ("id", "text", "language", "domain", "tags", "created_at", "updated_at", "version")


def _connection() -> sqlite3.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["BANQO_LOAD_PEER_DB"], check_same_thread=False)
        _local.connection = connection
    return connection


@bare.get("/search")
def search(q: str, account: str = "a0", limit: int = 100) -> list[dict[str, Any]]:
    rows = _connection().execute(
        f"SELECT {', '.join(COLUMNS)} FROM goals WHERE account_id = ? AND (' ' || search) LIKE ?"
        " ORDER BY created_at, id LIMIT ?",
        (account, f"% {q}%", limit),
    )
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
