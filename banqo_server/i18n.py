"""The API's messages: French source strings, translated to the request's language (fr-CA or en-CA).

``LanguageMiddleware`` picks the language from ``Accept-Language`` into a context variable that ``_()``
reads, and labels the answer with ``Content-Language``. Catalogues live in
``banqo_server/locale/<lang>/LC_MESSAGES/banqo_server.mo``; a missing one falls back to French.
Always call ``_("literal")`` with a literal string, and ``.format()`` afterwards, so extraction finds it.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

DOMAIN = "banqo_server"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "fr_CA"
ENGLISH = "en_CA"

_language: ContextVar[str] = ContextVar("banqo_server_language", default=SOURCE_LANGUAGE)


@lru_cache(maxsize=4)
def _translations(language: str) -> _gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def current_language() -> str:
    """``fr_CA`` or ``en_CA``: the language of the request being answered."""
    return _language.get()


def http_language(language: str | None = None) -> str:
    """The ``Content-Language`` tag of ``language`` (default: the current one)."""
    return (language or current_language()).replace("_", "-")


def _(message: str) -> str:
    """Translate ``message`` (a French source string) into the current request's language."""
    return _translations(current_language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate it later with ``_()``."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    translations = _translations(current_language())
    if isinstance(translations, _gettext.GNUTranslations):
        return translations.ngettext(singular, plural, n)
    # French source: 0 and 1 take the singular.
    return singular if abs(n) < 2 else plural


def negotiate(accept_language: str | None) -> str:
    """``en_CA`` if the client prefers English over French, else ``fr_CA`` (q-values honoured)."""
    if not accept_language:
        return SOURCE_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().replace("_", "-").split("-")[0]
        if quality > 0 and primary in {"en", "fr"}:
            ranked.append((-quality, position, primary))
    if not ranked:
        return SOURCE_LANGUAGE
    return ENGLISH if min(ranked)[2] == "en" else SOURCE_LANGUAGE


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Answer in ``language`` inside the block (tests, background jobs)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def language_of_headers(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"accept-language":
            return negotiate(value.decode("latin-1"))
    return SOURCE_LANGUAGE


class LanguageMiddleware:
    """Pure ASGI middleware: the request's language into the context, ``Content-Language`` on the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = language_of_headers(scope.get("headers", []))
        content_language = http_language(language).encode("latin-1")

        async def send_with_language(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-language"]
                headers.append((b"content-language", content_language))
                message = {**message, "headers": headers}
            await send(message)

        token = _language.set(language)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _language.reset(token)
