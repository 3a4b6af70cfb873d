"""Hostile input through the API: control characters stored as visible symbols (SQLite and PostgreSQL, which
refuses NUL and lone surrogates), SQL-looking text kept exactly, every malformed body a clear 4xx (never a
500, never a CPU burn), bodies over the limit refused (413) without being read, compressed files refused."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import struct
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from banqo_server.app import create_app
from banqo_server.settings import Settings
from tests.conftest import CHEAP_ARGON2
from tests.server.conftest import Api, Bank

HOSTILE = "Lire \x1b[2J\x1b]0;titre\x07 \x00 \x9b31m fin"
SHOWN = "Lire ␛[2J␛]0;titre␇ ␀ �31m fin"
SQL_TEXT = '\'; DROP TABLE goals; -- 100 % _x_ \\ "fin"'


def raw_json(body: Any) -> bytes:
    """``body`` as JSON, control characters and lone surrogates as JSON escapes (as a client may send them)."""
    return json.dumps(body).encode()


def post_raw(bank: Bank, path: str, content: bytes, **headers: str) -> Any:
    headers = {**bank.headers, "Content-Type": "application/json", **headers}
    return bank.api.client.post(f"/api/v1{path}", content=content, headers=headers)


LIMIT = 600_000  # the body limit of the shared server below: shows the setting is what the server applies


@pytest.fixture(scope="module")
def lite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One SQLite server for the tests that do not depend on the database (each uses its own account)."""
    folder = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'lite.sqlite3'}",
        data_dir=folder,
        billing_interval=None,
        sign_up_address_limit=1000,
        max_body_bytes=LIMIT,
        **CHEAP_ARGON2,
    )
    app = create_app(settings)
    yield Api(TestClient(app))
    app.state.engine.dispose()
    app.state.processor.close()


@pytest.fixture
def lite_bank(lite_api: Api) -> Bank:
    return Bank(lite_api, f"{uuid.uuid4().hex[:12]}@example.org")


# --- stored as visible symbols, on both databases ------------------------------------------------------


def test_hostile_text_is_stored_as_visible_symbols_and_sql_text_exactly(bank):
    # Control characters and NUL (which PostgreSQL would refuse raw), sent as JSON escapes.
    answer = post_raw(bank, "/collection/goals", raw_json({"text": HOSTILE, "condition": "\x07Quand"}))
    assert answer.status_code == 201, answer.text
    goal = answer.json()
    assert (goal["text"], goal["condition"]) == (SHOWN, "␇Quand")
    assert bank.get(f"/collection/goals/{goal['id']}").json()["text"] == SHOWN
    # A lone surrogate (no UTF-8 text can hold one; PostgreSQL refuses it) is refused at its field.
    answer = post_raw(bank, "/collection/goals", raw_json({"text": "Lire \ud800 fin"}))
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "text": [
            "Ce texte contient un caractère invalide (un demi-caractère UTF-16 isolé) : retirez-le, puis réessayez."
        ]
    }
    # A tag is letters, digits and hyphens: one with an escape is refused, and the reason shows it visibly.
    answer = post_raw(bank, "/collection/goals", raw_json({"text": "Lire", "tags": ["lecture\x1b"]}))
    assert answer.status_code == 422
    assert "« lecture␛ »" in answer.json()["errors"]["tags"][0]

    # SQL-looking text is kept exactly and found by its words; « % » and « _ » are no wildcards.
    assert bank.add(SQL_TEXT)["text"] == SQL_TEXT
    assert bank.texts(q="drop table") == [SQL_TEXT]
    assert bank.texts(q="100") == [SQL_TEXT]
    assert bank.texts(tag="%") == []
    assert bank.texts(tag="_") == []

    # Imports, JSON and CSV, store them as symbols too.
    # In an import, a lone surrogate becomes « � » like the C1 controls.
    document = {"format": "banqo-goals", "format_version": 1, "goals": [{"text": f"Importé {HOSTILE} \udfff"}]}
    answer = post_raw(bank, "/collection/import", raw_json(document))
    assert answer.status_code == 200, answer.text
    csv_file = 'text,tags\n"Écrire \x1b[31men rouge\x00",x\n'.encode()
    answer = post_raw(bank, "/collection/import", csv_file, **{"Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert sorted(bank.texts()) == sorted([SHOWN, SQL_TEXT, f"Importé {SHOWN} �", "Écrire ␛[31men rouge␀"])


# --- clear refusals, never a 500 -----------------------------------------------------------------------


def test_a_first_name_with_an_escape_sequence_is_refused_with_the_reason(lite_bank):
    answer = lite_bank.post("/learners", {"first_name": "Léa\x1b[31m"})
    assert answer.status_code == 422
    assert answer.json()["errors"]["first_name"] == [
        "Un prénom ne contient que des lettres, des traits d'union et des apostrophes."
    ]


def test_an_account_name_keeps_its_control_characters_as_symbols(lite_api):
    answer = lite_api.sign_up(
        f"{uuid.uuid4().hex[:12]}@example.org", first_name="Camille\x1b[31m", last_name="\x07Tremblay"
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["account"]["first_name"], answer.json()["account"]["last_name"]) == (
        "Camille␛[31m",
        "␇Tremblay",
    )


def test_a_goal_of_100_kb_is_refused_at_its_text_with_the_maximum(lite_bank):
    answer = lite_bank.post("/collection/goals", {"text": "é" * 100_000})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"text": ["Ce texte est trop long (2000 caractères au plus)."]}


BODY_MESSAGE = "Le corps de la requête n'est pas du JSON valide."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"text": "\xff\xfe caf\xe9"}', "Le corps de la requête n'est pas du texte UTF-8 valide."),
        (b"ceci n'est pas du JSON", BODY_MESSAGE),
        (b"[" * 100_000, "Le corps de la requête est imbriqué trop profondément."),
        (b'{"tags": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "Le corps de la requête est imbriqué trop profondément."),
        (b'{"text": "x", "tags": ' + b"9" * 100_000 + b"}", BODY_MESSAGE),
    ],
    ids=["invalid-utf8", "not-json", "100000-brackets", "deep-closed", "huge-integer"],
)
def test_a_malformed_body_is_a_quick_422_at_body(lite_bank, content, message):
    started = time.perf_counter()
    answer = post_raw(lite_bank, "/collection/goals", content)
    assert time.perf_counter() - started < 2
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == {"body": [message]}


def test_a_huge_float_is_a_422_at_its_field(lite_bank):
    answer = post_raw(lite_bank, "/collection/goals", b'{"text": 1e999999}')
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"text": ["Valeur invalide."]}


def test_invalid_utf8_in_a_query_or_a_header_is_no_500(lite_api):
    email = f"{uuid.uuid4().hex[:12]}@example.org"
    lite_bank = Bank(lite_api, email)
    lite_bank.add("Lire un texte")
    answer = lite_bank.api.client.get("/api/v1/collection/goals?q=%ff%fe%00&tag=%c3", headers=lite_bank.headers)
    assert answer.status_code in {200, 422}, answer.text
    answer = lite_bank.api.client.get("/api/v1/collection/goals", headers={"Authorization": b"Bearer \xff\xfe\x85"})
    assert answer.status_code == 401
    answer = lite_bank.api.client.post(
        "/api/v1/sessions",
        json={"email": email, "password": "une phrase de passe"},
        headers={"User-Agent": b"Navigateur \x9b31m \xff"},
    )
    assert answer.status_code == 201
    assert "\x9b" not in answer.json()["session"]["device"]


# --- sizes ---------------------------------------------------------------------------------------------


def test_a_body_of_10_mb_is_refused_with_413_and_the_limit(lite_bank):
    content = b'{"text": "' + b"a" * 10_000_000 + b'"}'
    answer = post_raw(lite_bank, "/collection/goals", content)
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == (
        "La requête dépasse la taille permise (600 ko). Raccourcissez le texte envoyé, puis réessayez."
    )


def test_the_body_limit_is_a_setting_of_1_mib_by_default():
    assert Settings(data_dir="/nonexistent").max_body_bytes == 1024 * 1024
    assert Settings.from_env({"BANQO_MAX_BODY_BYTES": "2000000"}).max_body_bytes == 2_000_000


def asgi_post(app: Any, path: str, chunks: int, chunk: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST a streamed body of ``chunks`` × ``chunk`` straight to the ASGI app: (status, chunks it read)."""
    read = 0
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"banqo.test"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("banqo.test", 80),
    }
    asyncio.run(app(scope, receive, send))
    return statuses[0], read


def test_an_oversized_body_is_refused_without_being_read_whole(lite_bank):
    app = lite_bank.api.client.app
    chunk = b" " * 65_536
    # 10 MB streamed with no Content-Length: refused once past the limit, the rest never asked for.
    status, read = asgi_post(app, "/api/v1/collection/goals", 160, chunk, [])
    assert (status, read) == (413, LIMIT // len(chunk) + 1)
    # A declared Content-Length over the limit: refused before one byte is read.
    status, read = asgi_post(app, "/api/v1/collection/goals", 160, chunk, [(b"content-length", b"10485760")])
    assert (status, read) == (413, 0)
    # The import keeps its own limit (5 MB): 2 MB pass the body limit and reach the import.
    status, read = asgi_post(app, "/api/v1/collection/import", 32, chunk, [(b"authorization", b"Bearer x")])
    assert status == 401 or read == 32


def test_the_import_and_the_photo_keep_their_own_limits_and_messages(lite_bank):
    answer = post_raw(lite_bank, "/collection/import", b" " * 6_000_000)
    assert answer.status_code == 413
    assert answer.json()["detail"] == "Le contenu dépasse la taille permise (5 Mo)."
    answer = lite_bank.api.client.put(
        "/api/v1/me/profile/photo", content=b"\x00" * (6 * 1024 * 1024), headers=lite_bank.headers
    )
    assert answer.status_code == 413
    assert answer.json()["errors"] == {"photo": ["Le contenu dépasse la taille permise (5 Mo)."]}


# --- compressed input ----------------------------------------------------------------------------------


def test_a_compressed_request_is_refused_clearly(lite_bank):
    answer = post_raw(
        lite_bank, "/collection/goals", gzip.compress(b'{"text": "Lire"}'), **{"Content-Encoding": "gzip"}
    )
    assert answer.status_code == 415
    assert "compressées" in answer.json()["detail"]
    assert lite_bank.texts() == []


@pytest.mark.parametrize("kind", ["zip", "gzip"])
def test_a_zip_or_gzip_file_given_to_import_is_not_a_banqo_file(lite_bank, kind):
    inner = json.dumps({"format": "banqo-goals", "format_version": 1, "goals": [{"text": "Lire"}] * 1000}).encode()
    if kind == "gzip":
        content = gzip.compress(inner * 50)
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("banqo.json", inner * 50)
        content = buffer.getvalue()
    answer = post_raw(lite_bank, "/collection/import", content, **{"Content-Type": "application/octet-stream"})
    assert answer.status_code == 422
    assert answer.json()["errors"]["file"] == [
        "Ce fichier est compressé (zip, gzip…) : ce n'est pas un fichier BanqO. "
        "Décompressez-le, puis importez le fichier JSON ou CSV qu'il contient."
    ]


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_photo_declaring_50000_by_50000_pixels_is_refused_quickly(lite_bank):
    started = time.perf_counter()
    answer = lite_bank.api.client.put(
        "/api/v1/me/profile/photo",
        content=png_declaring(50_000, 50_000),
        headers={**lite_bank.headers, "Content-Type": "image/png"},
    )
    assert time.perf_counter() - started < 2
    assert answer.status_code == 422
    assert answer.json()["errors"]["photo"] == ["Cette image compte 2\u00a0500 mégapixels : 40 mégapixels au plus."]


def test_every_operation_with_a_body_documents_413():
    # docs/openapi.json is the generated document (tests/server/test_openapi.py checks it is up to date).
    document = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))
    with_body = [
        operation for path in document["paths"].values() for operation in path.values() if "requestBody" in operation
    ]
    assert len(with_body) > 20
    assert all("413" in operation["responses"] for operation in with_body)
