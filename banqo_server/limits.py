"""Request body limits: a pure ASGI middleware that refuses (413) a body larger than the route accepts.

The declared ``Content-Length`` is checked before the application runs; then the bytes are counted as they
arrive, and the request is refused as soon as they pass the limit: the rest of the body is never read, let
alone kept in memory. The limit is ``Settings.max_body_bytes`` (1 MiB by default), but for the routes that
take a file and have their own limit and message (the collection import, the profile photo).

A compressed body (``Content-Encoding`` other than ``identity``) is refused (415): the server never
decompresses what it is sent, so that a small body cannot grow into a large one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from banqo_server.i18n import _, current_language
from banqo_server.problems import problem_response, service_error_response
from banqo_server.routes import API_PREFIX
from banqo_server.services.errors import TooLarge
from banqo_server.services.exchange import MAX_IMPORT_BYTES
from banqo_server.settings import Settings
from banqo_tui.api.models import PHOTO_MAX_BYTES

#: The routes with their own limit: (method, path) → (limit in bytes, the request field the message is under).
OWN_LIMITS: dict[tuple[str, str], tuple[int, str | None]] = {
    ("POST", f"{API_PREFIX}/collection/import"): (MAX_IMPORT_BYTES, None),
    ("PUT", f"{API_PREFIX}/me/profile/photo"): (PHOTO_MAX_BYTES, "photo"),
}


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes ``limit`` (FastAPI lets an ``HTTPException`` through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


def _size(limit: int) -> str:
    """« 1 Mo », « 1,5 Mo », « 600 ko »: ``limit`` bytes in decimal units, in the current language."""
    from babel.numbers import format_decimal

    if limit >= 1_000_000:
        size = format_decimal(round(limit / 1_000_000, 1), format="#,##0.#", locale=current_language())
        unit = _("Mo")
    else:
        size = format_decimal(max(1, limit // 1000), format="#,##0", locale=current_language())
        unit = _("ko")
    return f"{size} {unit}"


def too_large_response(limit: int) -> JSONResponse:
    """The 413 for a body larger than ``limit`` bytes, in the current language."""
    message = _("La requête dépasse la taille permise ({size}). Raccourcissez le texte envoyé, puis réessayez.").format(
        size=_size(limit)
    )
    return problem_response(413, detail=message, errors={"body": [message]})


def compressed_response() -> JSONResponse:
    """The 415 for a compressed request body."""
    message = _(
        "Le serveur BanqO n'accepte pas les requêtes compressées (Content-Encoding) : envoyez le contenu tel quel."
    )
    return problem_response(415, detail=message, errors={"body": [message]})


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


class BodyLimit:
    """Pure ASGI middleware: the body limits (see the module's docstring)."""

    def __init__(self, app: Any, *, default: int, own_limits: Mapping[tuple[str, str], tuple[int, str | None]]) -> None:
        self.app = app
        self.default = default
        self.own_limits = dict(own_limits)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        encoding = _header(headers, b"content-encoding")
        if encoding and encoding.lower() != "identity":
            await compressed_response()(scope, receive, send)
            return
        own = self.own_limits.get((scope.get("method", ""), scope.get("path", "")))
        limit, field = own if own is not None else (self.default, None)

        def refusal() -> Exception:
            return TooLarge(limit, field=field) if own is not None else BodyTooLarge(limit)

        declared = _header(headers, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            error = refusal()
            response = service_error_response(error) if isinstance(error, TooLarge) else too_large_response(limit)
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refusal()
            return message

        await self.app(scope, counted_receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware and the answer to ``BodyTooLarge``; call before the language middleware is added."""

    async def on_body_too_large(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return too_large_response(exc.limit)

    app.add_exception_handler(BodyTooLarge, on_body_too_large)
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, own_limits=OWN_LIMITS)
