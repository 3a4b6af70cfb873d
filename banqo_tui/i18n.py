"""Languages of the interface: gettext catalogues (French source, English complete) and babel formats.

``setup()`` is called once, before any screen is imported, so that strings translated at import time
(binding descriptions) come out in the chosen language. Only the standard library's gettext is loaded at
start-up; babel is imported the first time a date or a number is formatted.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

DOMAIN = "banqo"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"fr": "fr_CA", "en": "en_CA"}

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "fr"


def normalise_language(value: str | None) -> str | None:
    """``"fr"`` or ``"en"`` from a setting or a POSIX locale (``en_CA.UTF-8``), or None if neither."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return head if head in LANGUAGES else None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language picked from ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``, else French."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalise_language(env.get(name))
        if found:
            return found
    return "fr"


def setup(language: str) -> None:
    """Use ``language`` (``"fr"`` or ``"en"``) for every message from now on."""
    global _translations, _language
    _language = normalise_language(language) or "fr"
    _translations = _gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[LANGUAGES[_language]], fallback=True
    )


def current_language() -> str:
    return _language


def locale_name() -> str:
    """The babel locale of the interface (``fr_CA`` / ``en_CA``)."""
    return LANGUAGES[_language]


def http_language() -> str:
    """The ``Accept-Language`` value for the API (``fr-CA`` / ``en-CA``)."""
    return LANGUAGES[_language].replace("_", "-")


def _(message: str) -> str:
    """Translate ``message`` (a French source string)."""
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    if isinstance(_translations, _gettext.GNUTranslations):
        return _translations.ngettext(singular, plural, n)
    # French source: 0 and 1 take the singular.
    return singular if abs(n) < 2 else plural


def format_datetime(value: datetime, format: str = "medium") -> str:
    """A moment in the user's local time, in the interface's language."""
    from babel.dates import format_datetime as babel_format_datetime

    local = value.astimezone() if value.tzinfo else value
    return babel_format_datetime(local, format=format, locale=locale_name(), tzinfo=local.tzinfo)


def format_date(value: date, format: str = "medium") -> str:
    from babel.dates import format_date as babel_format_date

    if isinstance(value, datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    return babel_format_date(value, format=format, locale=locale_name())


def format_number(value: Any) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale_name())


def format_money(cents: int, currency: str = "CAD") -> str:
    """Integer cents as money (« 114,98 $ » / "$114.98")."""
    from decimal import Decimal

    from babel.numbers import format_currency

    return format_currency(Decimal(cents) / 100, currency, locale=locale_name())
