"""Today's date by the server's calendar for plans.

The API counts « today » in one time zone (the server's ``BANQO_SELLER_TIMEZONE``, said by the résumé as
``time_zone``): default dates, dates in the future refused, reviews due. The terminal app fills in its dates by
the same calendar, so that a teacher over SSH on a machine kept in UTC does not get tomorrow's date at 19:00 in
Montréal, which the server would refuse.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def today(time_zone: str | None) -> date:
    """Today in ``time_zone`` (an IANA name); this machine's date when it is None or unknown here."""
    if time_zone:
        try:
            return datetime.now(ZoneInfo(time_zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone this machine does not know: its own date
    return date.today()
