"""The messages of this run (every notification), kept in memory for the « Messages » screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from banqo_tui.i18n import N_, _

SEVERITY_NAMES = {
    "information": N_("Information"),
    "warning": N_("Avertissement"),
    "error": N_("Erreur"),
}

#: Enough for a long working session; the oldest go first.
MAX_ENTRIES = 500


@dataclass(frozen=True)
class LogEntry:
    """One notification as the user saw it."""

    at: datetime
    severity: str
    text: str
    title: str = ""

    @property
    def severity_name(self) -> str:
        """The severity as a word (never only a colour)."""
        return _(SEVERITY_NAMES.get(self.severity, N_("Information")))


@dataclass
class MessageLog:
    """Notifications in the order they came."""

    entries: list[LogEntry] = field(default_factory=list)

    def add(self, severity: str, text: str, title: str = "", at: datetime | None = None) -> LogEntry:
        entry = LogEntry(at or datetime.now().astimezone(), severity, text, title)
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        return entry

    def newest_first(self) -> list[LogEntry]:
        return list(reversed(self.entries))

    def __len__(self) -> int:
        return len(self.entries)
