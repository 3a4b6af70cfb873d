"""What the collection screen keeps in memory: goals as light records, searchable at every keystroke.

A ``Shelf`` holds records by id, a ``SearchIndex`` over their text and tags, and the ids of each domain and tag,
so that the search box's words and its ``@domaine`` / ``#tag`` filters are answered locally, in a few
milliseconds for 100,000 goals, never waiting for the network. A ``GoalRecord`` keeps of a ``Goal`` what the
list and the detail pane show (about 400 bytes a goal instead of 2 kB for the wire model); the edit form reads
the whole goal from the server again, which also gives it the latest version.

No Textual here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from banqo_tui.api.models import MeasurabilityGap, measurability_gaps
from banqo_tui.i18n import N_
from banqo_tui.quick_entry import SearchQuery
from banqo_tui.search import KeySet, SearchIndex

if TYPE_CHECKING:
    from banqo_tui.api.models import CatalogueGoal, Goal

_GAPS: dict[tuple[MeasurabilityGap, ...], tuple[MeasurabilityGap, ...]] = {}
_TAGS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(table: dict[tuple[object, ...], tuple[object, ...]], value: tuple[object, ...]) -> tuple[object, ...]:
    """One tuple object for equal values (most goals share their tags and gaps)."""
    return table.setdefault(value, value)


class Record(Protocol):
    """What a shelf needs of a record."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def domain(self) -> str | None: ...

    @property
    def tags(self) -> tuple[str, ...]: ...

    @property
    def search_text(self) -> str: ...


class GoalRecord:
    """A goal of « Ma collection » as the screen keeps it.

    The text is kept in UTF-8 (a text holding a typographic apostrophe takes two bytes a character as a ``str``):
    100,000 goals then fit in about 60 MB; it is decoded for the dozen lines on screen.
    """

    __slots__ = ("id", "_text", "domain", "tags", "learner_ids", "catalogue_id", "version", "gaps")

    def __init__(
        self,
        id: str,
        text: str,
        *,
        domain: str | None = None,
        tags: Sequence[str] = (),
        learner_ids: Sequence[str] = (),
        catalogue_id: str | None = None,
        version: int = 1,
        gaps: Sequence[MeasurabilityGap] = (),
    ) -> None:
        self.id = id
        self._text = text.encode()
        self.domain = domain
        self.tags: tuple[str, ...] = _shared(_TAGS, tuple(tags))  # type: ignore[arg-type, assignment]
        self.learner_ids: tuple[str, ...] = tuple(learner_ids)
        self.catalogue_id = catalogue_id
        self.version = version
        self.gaps: tuple[MeasurabilityGap, ...] = _shared(_GAPS, tuple(gaps))  # type: ignore[arg-type, assignment]

    @property
    def own(self) -> bool:
        """Written by the teacher (not copied from the catalogue)."""
        return self.catalogue_id is None

    @property
    def text(self) -> str:
        return self._text.decode()

    @classmethod
    def from_goal(cls, goal: Goal) -> GoalRecord:
        return cls(
            goal.id,
            goal.text,
            domain=goal.domain,
            tags=goal.tags,
            learner_ids=goal.learner_ids,
            catalogue_id=goal.source.catalogue_id,
            version=goal.version,
            gaps=measurability_gaps(goal.text, goal.criterion, goal.measure),
        )

    @property
    def search_text(self) -> str:
        return " ".join((self.text, *self.tags)) if self.tags else self.text

    def __repr__(self) -> str:
        return f"GoalRecord({self.id!r}, {self.text[:30]!r}…)"


class CatalogueRecord:
    """A goal of the catalogue (« Banque ») in the interface's language; its levels serve as its tags."""

    __slots__ = ("id", "text", "domain", "tags", "goal", "gaps")

    def __init__(self, goal: CatalogueGoal, language: str) -> None:
        parts = goal.parts(language)
        self.id = goal.id
        self.text = goal.text(language)
        self.domain = goal.area or None
        self.tags = tuple(goal.levels)
        self.goal = goal
        self.gaps = tuple(measurability_gaps(self.text, parts.criterion, parts.measure))

    @property
    def search_text(self) -> str:
        return self.text


R = TypeVar("R", bound=Record)
#: Records indexed at a time when many are added (see ``Shelf.put_many``).
LOAD_BATCH = 5_000
K = TypeVar("K")


class NewestFirst(Sequence[K]):
    """A sequence read from its end, without copying it (a search result, newest first)."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows
        self._count = len(rows)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self.rows[self._count - 1 - index]


class Shelf(Generic[R]):
    """Records by id, searchable by words (``SearchIndex``) and filtered by domain and tag prefixes.

    ``newest_first`` shows the last added first (« Ma collection »); otherwise in the order added (the catalogue).
    """

    def __init__(self, *, newest_first: bool = False) -> None:
        self.newest_first = newest_first
        self.records: dict[str, R] = {}
        self.index: SearchIndex[str] = SearchIndex()
        # Lists, not sets: a tenth of the memory for 100,000 ids; removing one (rare) reads its list.
        self.by_domain: dict[str | None, list[str]] = {}
        self.by_tag: dict[str, list[str]] = {}
        #: Changes with every record added or removed (filters cached for a generation).
        self.generation = 0
        self._filters: dict[tuple[frozenset[str] | None, tuple[str, ...]], KeySet[str]] = {}

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.records

    def get(self, record_id: str | None) -> R | None:
        return self.records.get(record_id) if record_id is not None else None

    def put_many(self, records: Iterable[R]) -> None:
        """Add records (or replace those with the same id, which keep their place)."""
        batch: list[R] = []
        for record in records:
            batch.append(record)
            if len(batch) == LOAD_BATCH:
                self._put_batch(batch)
                batch = []
        if batch or not self.records:
            self._put_batch(batch)

    def _put_batch(self, records: list[R]) -> None:
        for record in records:
            old = self.records.get(record.id)
            if old is not None:
                self._unfile(old)
            self.records[record.id] = record
            self.by_domain.setdefault(record.domain, []).append(record.id)
            for tag in record.tags:
                self.by_tag.setdefault(tag, []).append(record.id)
        # The index's batch work holds every word of the batch at once: batches keep that peak small.
        self.index.add_many((record.id, record.search_text) for record in records)
        self._changed()

    def put(self, record: R) -> None:
        self.put_many([record])

    def remove(self, record_id: str) -> R | None:
        record = self.records.pop(record_id, None)
        if record is not None:
            self._unfile(record)
            self.index.discard(record_id)
            self._changed()
        return record

    def _unfile(self, record: R) -> None:
        for ids in (self.by_domain.get(record.domain), *(self.by_tag.get(tag) for tag in record.tags)):
            if ids is not None:
                try:
                    ids.remove(record.id)
                except ValueError:
                    pass

    def _changed(self) -> None:
        self.generation += 1
        self._filters.clear()

    def search(self, query: SearchQuery) -> Sequence[str]:
        """The ids matching ``query``, in the order shown (newest first when the shelf says so)."""
        within = self._filter(query.domains, query.tag_prefixes) if query.filters else None
        found = self.index.search(query.words, within=within)
        # A result is read lazily by position (``len`` and ``result[i]``): a sequence in all but name.
        return NewestFirst(found) if self.newest_first else cast(Sequence[str], found)

    def _filter(self, domains: frozenset[str] | None, tag_prefixes: tuple[str, ...]) -> KeySet[str]:
        key = (domains, tag_prefixes)
        cached = self._filters.get(key)
        if cached is not None:
            return cached
        keys: set[str] | None = None
        if domains is not None:
            keys = set().union(*(self.by_domain.get(domain, ()) for domain in domains))
        for prefix in tag_prefixes:
            tagged = set().union(*(ids for tag, ids in self.by_tag.items() if tag.startswith(prefix)))
            keys = tagged if keys is None else keys & tagged
        found = self.index.mask(keys or ())
        self._filters[key] = found
        return found

    def tags(self) -> list[tuple[str, int]]:
        """Every tag in use, with how many records carry it, by name."""
        return sorted((tag, len(ids)) for tag, ids in self.by_tag.items() if ids)

    def domain_counts(self) -> dict[str | None, int]:
        return {domain: len(ids) for domain, ids in self.by_domain.items() if ids}


def measurability_sentence(gaps: Sequence[MeasurabilityGap]) -> str:
    """The measurability check in words (never a colour or a sign alone)."""
    from banqo_tui.i18n import _

    missing = set(gaps)
    if MeasurabilityGap.CRITERION in missing and MeasurabilityGap.MEASURE in missing:
        return _("À préciser : il manque le critère de réussite et la méthode de mesure.")
    if MeasurabilityGap.CRITERION in missing:
        return _("À préciser : il manque le critère de réussite.")
    if MeasurabilityGap.MEASURE in missing:
        return _("À préciser : il manque la méthode de mesure.")
    return _("Mesurable : critère de réussite et méthode de mesure présents.")


def release_free_memory() -> None:
    """Give the memory freed after a large load back to the system (glibc keeps it otherwise).

    On a school server where many teachers run BanqO over SSH, a collection of 100,000 goals leaves a few MB of
    freed temporaries per process. Elsewhere (no glibc), nothing happens.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: The school levels of catalogue goals, as teachers name them.
LEVEL_LABELS = {
    "prescolaire": N_("préscolaire"),
    "primaire-1": N_("primaire 1er cycle"),
    "primaire-2": N_("primaire 2e cycle"),
    "primaire-3": N_("primaire 3e cycle"),
    "secondaire": N_("secondaire"),
    "16-21": N_("16-21 ans"),
}


def levels_text(levels: Iterable[str]) -> str:
    """« primaire 1er cycle, primaire 2e cycle »: the levels in words, in the interface's language."""
    from banqo_tui.i18n import _

    return ", ".join(_(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level for level in levels)
