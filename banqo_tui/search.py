"""Instant search over the goal bank: every word of the query begins a word of the goal (AND).

The rule is ``banqo_tui.api.models``' one (``fold``, ``query_terms``, ``matches``); this module only makes it fast
enough to run at every keystroke over 100,000 goals, and gives the same answers as filtering with ``matches``.

Design, in a few lines:

* Each document gets a *position* (0, 1, 2… in order of first insertion); every set of documents is a Python
  ``int`` used as a bitmask over positions, so AND/OR of 100,000 documents cost about a microsecond and
  ``int.bit_count`` counts them.
* The vocabulary of folded words is kept sorted: the words a query term begins are a ``bisect`` range. Each word
  has a posting: a bitmask when it is frequent (more than ``n / 64`` documents), else a sorted ``array`` of
  positions (a rare word then costs 4 bytes per document instead of ``n / 8`` bytes).
* The mask of a term (OR of the postings of its word range) is precomputed for the *heavy* prefixes (those whose
  range holds many postings: "e", "de", "com"…, built bottom-up from their children) and kept in a bounded LRU for
  the others, so that a keystroke costs a few ANDs. Both are kept exact when documents are added or replaced.
* Texts are folded with a per-character memo of ``fold`` itself (``fast_fold``: same output, 4× faster) and the
  word ids of each white-space separated piece are memoised, so that building 100,000 goals takes a second or two.
* Additions are queued and indexed in one batch before the next search (``add_many`` and many ``add`` cost the
  same); removals clear a bit of the live mask; the index renumbers itself when half of it is dead.
* A result is a snapshot (its mask and the position → key list): ``count`` is exact at once, keys are
  materialised lazily in chunks of 512 positions, so rows 4000–4020 of a virtual list cost one chunk.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right, insort
from collections import OrderedDict, deque
from collections.abc import Collection, Hashable, Iterable, Iterator
from itertools import chain, repeat
from operator import sub
from typing import Generic, TypeAlias, TypeVar, cast, overload

from banqo_tui.api.models import fold, query_terms

__all__ = ["KeySet", "SearchIndex", "SearchResult", "fast_fold", "highlight_spans"]

K = TypeVar("K", bound=Hashable)

_Posting: TypeAlias = "array[int] | int"

#: A word present in more than ``n // _BIG_DIVISOR`` documents keeps its posting as a bitmask.
_BIG_DIVISOR = 64
_BIG_MINIMUM = 32
#: The cost of a prefix's word range, in "positions to set" (ORing a bitmask costs about as much as 8 of them).
_BIG_WEIGHT = 8
#: Prefixes whose range costs more than this are precomputed (about 0.25 ms of work at query time otherwise)…
_HEAVY_COST = 3_000
#: … at most this many of them (12.5 kB each for 100,000 documents).
_HEAVY_MAX = 1_500
#: Masks of other prefixes computed at query time are kept in an LRU of this size.
_CACHE_SIZE = 256
#: Results are materialised in chunks of this many bytes of their mask (8 positions per byte).
_CHUNK_BYTES = 64
#: The index renumbers its documents when more than this many (and more than the living ones) are dead.
_COMPACT_MINIMUM = 1_024
#: How many white-space separated pieces of text the index remembers the word ids of.
_PIECES_MEMO = 1 << 16
#: Word ids are stored on 2 bytes up to this one, on 4 bytes beyond.
_NARROW_IDS = 0xFFFF
_MAX_CHAR = "\U0010ffff"

#: The bit offsets set in each byte value.
_BITS: tuple[tuple[int, ...], ...] = tuple(tuple(i for i in range(8) if value >> i & 1) for value in range(256))
_ONE_BIT = tuple(1 << i for i in range(8))
_SPACE_RUNS = re.compile(r"[^ ]+")


# --- folding ----------------------------------------------------------------------------------


class _FoldTable(dict[int, str]):
    """``str.translate`` table: each character → its contribution to ``fold`` (``" "`` where it separates words).

    Filled lazily by asking ``fold`` itself how the character behaves between two letters, so the rule is not
    restated here: ``fold`` works character by character (case folding, NFKD decomposition and the removal of
    combining marks never look at the neighbours, and NFKD's reordering only moves combining marks, which are
    removed), hence ``" ".join(text.translate(table).split()) == fold(text)``; the tests check it on random text.
    """

    def __missing__(self, code: int) -> str:
        piece = fold("a" + chr(code) + "a")[1:-1]
        self[code] = piece
        return piece


_FOLD = _FoldTable()


def fast_fold(text: str) -> str:
    """Exactly ``fold(text)``, about four times faster (one ``str.translate`` with a per-character memo)."""
    return " ".join(text.translate(_FOLD).split())


# --- bitmask helpers --------------------------------------------------------------------------


def _mask_of(positions: Iterable[int], count: int, size: int) -> int:
    """The bitmask of ``positions`` (``count`` of them, all below ``size``; repeats allowed)."""
    if count > size >> 4:
        # Many positions: one ASCII digit per position, written at C speed, read back by int(…, 2).
        digits = bytearray(b"0") * size
        deque(map(digits.__setitem__, positions, repeat(49)), maxlen=0)
        digits.reverse()
        return int(digits, 2)
    data = bytearray((size >> 3) + 1)
    bit = _ONE_BIT
    for position in positions:
        data[position >> 3] |= bit[position & 7]
    return int.from_bytes(data, "little")


def _upper_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` (``None``: no such string)."""
    stripped = prefix.rstrip(_MAX_CHAR)
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


# --- results ----------------------------------------------------------------------------------


class KeySet(Collection[K]):
    """An ordered, immutable set of keys of a ``SearchIndex``, held as a bitmask over its positions.

    Made by ``SearchIndex.mask(keys)`` (and the base of ``SearchResult``), it can be passed as ``within=`` to
    ``search``: the restriction then costs one AND instead of a look-up per key. It is a snapshot: documents
    added later are not in it, and a key removed and added again is a new document, not in it. Keys come in
    the index's order (first insertion); ``keys[i]`` and ``keys[a:b]`` materialise only the chunks they need.
    """

    __slots__ = ("_index", "_mask", "_keys", "_epoch", "count", "_data", "_ends", "_chunks")

    def __init__(self, index: SearchIndex[K], mask: int, keys: list[K], epoch: int) -> None:
        self._index = index
        self._mask = mask
        self._keys = keys
        self._epoch = epoch
        #: How many keys: exact at once.
        self.count: int = mask.bit_count()
        self._data: bytes | None = None
        # _ends[c]: number of keys in chunks 0..c, counted lazily from the start.
        self._ends: list[int] = []
        self._chunks: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} count={self.count}>"

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in the set, judged by the index's current positions (a key removed since: no)."""
        index = self._index
        if index._epoch != self._epoch:
            return any(key == own for own in self)
        position = index._positions.get(cast(K, key))
        return position is not None and bool(self._mask >> position & 1)

    @overload
    def __getitem__(self, item: int) -> K: ...

    @overload
    def __getitem__(self, item: slice) -> list[K]: ...

    def __getitem__(self, item: int | slice) -> K | list[K]:
        if isinstance(item, slice):
            start, stop, step = item.indices(self.count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._run(start, stop)
        i = item + self.count if item < 0 else item
        if not 0 <= i < self.count:
            raise IndexError("KeySet index out of range")
        chunk = self._chunk_holding(i)
        first = self._ends[chunk - 1] if chunk else 0
        return self._keys[self._positions_of(chunk)[i - first]]

    def __iter__(self) -> Iterator[K]:
        keys = self._keys
        chunk, done = 0, 0
        while done < self.count:
            positions = self._positions_of(chunk)
            done += len(positions)
            chunk += 1
            yield from map(keys.__getitem__, positions)

    def positions(self) -> list[int]:
        """All positions of the set (for tests and tools): the chunks, concatenated."""
        found: list[int] = []
        chunk = 0
        while len(found) < self.count:
            found.extend(self._positions_of(chunk))
            chunk += 1
        return found

    # The bitmask is cut in chunks of _CHUNK_BYTES bytes; each chunk's positions are listed when first needed.

    def _bytes(self) -> bytes:
        if self._data is None:
            self._data = self._mask.to_bytes((self._mask.bit_length() + 7) >> 3, "little")
        return self._data

    def _chunk_holding(self, i: int) -> int:
        """The chunk holding the ``i``-th key (``0 <= i < count``), counting chunks as far as needed."""
        ends = self._ends
        if not ends or ends[-1] <= i:
            data = self._bytes()
            total = ends[-1] if ends else 0
            start = len(ends) * _CHUNK_BYTES
            while total <= i:
                total += int.from_bytes(data[start:start + _CHUNK_BYTES], "little").bit_count()
                ends.append(total)
                start += _CHUNK_BYTES
            return len(ends) - 1
        return bisect_right(ends, i)

    def _positions_of(self, chunk: int) -> list[int]:
        positions = self._chunks.get(chunk)
        if positions is None:
            start = chunk * _CHUNK_BYTES
            base = start << 3
            bits = _BITS
            positions = [base + (offset << 3) + bit
                         for offset, value in enumerate(self._bytes()[start:start + _CHUNK_BYTES]) if value
                         for bit in bits[value]]
            self._chunks[chunk] = positions
        return positions

    def _run(self, start: int, stop: int) -> list[K]:
        found: list[K] = []
        keys = self._keys
        i = start
        while i < stop:
            chunk = self._chunk_holding(i)
            first = self._ends[chunk - 1] if chunk else 0
            taken = self._positions_of(chunk)[i - first:stop - first]
            found.extend(map(keys.__getitem__, taken))
            i += len(taken)
        return found


class SearchResult(KeySet[K]):
    """The keys matching a query, in the index's order: ``count``, ``len``, ``result[i]``, ``result[a:b]``, iteration.

    Also a ``KeySet``: pass it as ``within=`` to search inside it.
    """

    __slots__ = ("terms",)

    def __init__(self, index: SearchIndex[K], mask: int, keys: list[K], epoch: int, terms: tuple[str, ...]) -> None:
        super().__init__(index, mask, keys, epoch)
        #: The folded terms of the query, sorted.
        self.terms = terms


# --- the index --------------------------------------------------------------------------------


class SearchIndex(Generic[K]):
    """Documents (a key and a short text) searchable by word prefixes, with ``models.matches``' rule.

    ``add``/``add_many`` queue documents; the next ``search`` indexes the queue in one batch. Results come in
    the order of first insertion (replacing a document keeps its place; removing then adding it puts it last).
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._epoch = getattr(self, "_epoch", -1) + 1
        # Documents, by position. A dead position keeps its key (results are snapshots of this list).
        self._keys: list[K] = []
        self._positions: dict[K, int] = {}
        self._live = 0
        self._dead = 0
        # The word ids of position p are _word_data[_word_start[p]:_word_end[p]] (replacing appends).
        # Word ids take 2 bytes each until the vocabulary passes 65,536 words, then 4.
        self._word_data: array[int] = array("H")
        self._word_start: array[int] = array("I")
        self._word_end: array[int] = array("I")
        self._garbage = 0
        # Vocabulary: id → word and posting; the sorted words with their ids; ids not yet in the sorted lists.
        self._word_ids: dict[str, int] = {}
        self._piece_ids: dict[str, tuple[int, ...]] = {}
        self._words: list[str] = []
        self._postings: list[_Posting] = []
        self._sorted: list[str] = []
        self._sorted_ids: list[int] = []
        self._unsorted: list[int] = []
        # Positions below _synced are in the postings and in the prefix masks.
        self._synced = 0
        # Masks of prefixes: heavy ones (precomputed), the LRU of the others. All exact over synced positions.
        self._heavy: dict[str, int] = {}
        self._heavy_size = 0
        self._cache: OrderedDict[str, int] = OrderedDict()

    # --- the collection

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, key: object) -> bool:
        return key in self._positions

    def clear(self) -> None:
        """Forget every document (results already given stay valid)."""
        self._reset()

    def add(self, key: K, text: str) -> None:
        """Add the document ``key`` with ``text``, or replace its text (it keeps its place in the order)."""
        ids = self._ids(text)
        position = self._positions.get(key)
        if position is None:
            self._positions[key] = len(self._keys)
            self._keys.append(key)
            self._word_start.append(len(self._word_data))
            self._word_data.extend(ids)
            self._word_end.append(len(self._word_data))
        elif position >= self._synced:
            self._store(position, ids)
        else:
            old = set(self._words_at(position))
            self._store(position, ids)
            self._replace_in_postings(position, old, ids)

    def add_many(self, documents: Iterable[tuple[K, str]]) -> None:
        """Add or replace many documents, then index them in one batch."""
        positions, keys, starts, ends = self._positions, self._keys, self._word_start, self._word_end
        for key, text in documents:
            if key in positions:
                self.add(key, text)
                continue
            positions[key] = len(keys)
            keys.append(key)
            ids = self._ids(text)  # first: it may widen _word_data
            data = self._word_data
            starts.append(len(data))
            data.extend(ids)
            ends.append(len(data))
        self._sync()

    def remove(self, key: K) -> None:
        """Remove the document ``key``; ``KeyError`` if it is not in the index."""
        position = self._positions.pop(key)
        if position < self._synced:
            self._live &= ~(1 << position)
        self._dead += 1

    def discard(self, key: K) -> None:
        """Remove the document ``key`` if it is in the index."""
        if key in self._positions:
            self.remove(key)

    # --- searching

    def search(self, query: str, *, within: Collection[K] | None = None) -> SearchResult[K]:
        """The documents of which every word of ``query`` (folded) begins a word; all of them for an empty query.

        ``within`` restricts the search to some keys: a ``KeySet`` of this index (from ``mask(keys)``, or an
        earlier result) costs one AND; any other collection is looked up key by key.
        """
        self._sync()
        terms = tuple(sorted(set(query_terms(query))))
        found = self._live
        if within is not None:
            found &= self._within_mask(within)
        for term in terms:
            if not found:
                break
            found &= self._prefix_mask(term)
        return SearchResult(self, found, self._keys, self._epoch, terms)

    def mask(self, keys: Iterable[K]) -> KeySet[K]:
        """The ``KeySet`` of ``keys`` (those in the index), to pass as ``within=`` to many searches."""
        self._sync()
        return KeySet(self, self._mask_of_keys(keys), self._keys, self._epoch)

    # --- internals: documents

    def _ids(self, text: str) -> set[int]:
        """The ids of the distinct folded words of ``text``, making ids for new words.

        Texts are cut at white space first (white space only ever separates words), and each piece's word ids
        are memoised: a goal bank says « l’élève » and « 80 % » thousands of times.
        """
        try:  # every piece already seen: one union at C speed
            return set().union(*map(self._piece_ids.get, text.split()))  # type: ignore[arg-type]
        except TypeError:  # a piece never seen (None is not iterable)
            return set().union(*map(self._piece, text.split()))

    def _piece(self, piece: str) -> tuple[int, ...]:
        ids = self._piece_ids.get(piece)
        if ids is not None:
            return ids
        word_ids = self._word_ids
        # One by one: a piece may say a new word twice (« bla-bla »).
        ids = tuple(word_ids[word] if word in word_ids else self._new_word(word)
                    for word in piece.translate(_FOLD).split())
        if len(self._piece_ids) >= _PIECES_MEMO:
            self._piece_ids.clear()
        self._piece_ids[piece] = ids
        return ids

    def _new_word(self, word: str) -> int:
        word_id = self._word_ids[word] = len(self._words)
        self._words.append(word)
        self._postings.append(array("I"))
        self._unsorted.append(word_id)
        if word_id > _NARROW_IDS and self._word_data.typecode == "H":
            self._word_data = array("I", self._word_data)
        return word_id

    def _words_at(self, position: int) -> array[int]:
        return self._word_data[self._word_start[position]:self._word_end[position]]

    def _store(self, position: int, ids: set[int]) -> None:
        self._garbage += self._word_end[position] - self._word_start[position]
        self._word_start[position] = len(self._word_data)
        self._word_data.extend(ids)
        self._word_end[position] = len(self._word_data)

    def _within_mask(self, within: Collection[K]) -> int:
        if isinstance(within, KeySet) and within._index is self and within._epoch == self._epoch:
            return within._mask
        return self._mask_of_keys(within)

    def _mask_of_keys(self, keys: Iterable[K]) -> int:
        positions = self._positions
        found = [position for position in map(positions.get, keys) if position is not None]
        return _mask_of(found, len(found), len(self._keys))

    # --- internals: vocabulary and prefix masks

    def _range(self, prefix: str) -> tuple[int, int]:
        """The slice of the sorted vocabulary whose words start with ``prefix``."""
        low = bisect_left(self._sorted, prefix)
        upper = _upper_bound(prefix)
        return low, (len(self._sorted) if upper is None else bisect_left(self._sorted, upper, low))

    def _prefix_mask(self, prefix: str) -> int:
        found = self._heavy.get(prefix)
        if found is not None:
            return found
        cache = self._cache
        found = cache.get(prefix)
        if found is not None:
            cache.move_to_end(prefix)
            return found
        found = self._union(prefix, {})
        cache[prefix] = found
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
        return found

    def _union(self, prefix: str, children: dict[str, int]) -> int:
        """OR of the postings of the words starting with ``prefix``, using the masks of ``children`` (prefixes
        one character longer) for their ranges."""
        low, high = self._range(prefix)
        words, ids, postings = self._sorted, self._sorted_ids, self._postings
        length = len(prefix) + 1
        found = 0
        small: list[array[int]] = []
        i = low
        while i < high:
            word = words[i]
            if children and len(word) >= length:
                child = children.get(word[:length])
                if child is not None:
                    found |= child
                    upper = _upper_bound(word[:length])
                    i = high if upper is None else bisect_left(words, upper, i, high)
                    continue
            posting = postings[ids[i]]
            if isinstance(posting, int):
                found |= posting
            elif posting:
                small.append(posting)
            i += 1
        if small:
            found |= _mask_of(chain.from_iterable(small), sum(map(len, small)), len(self._keys))
        return found

    def _rebuild_heavy(self) -> None:
        """Choose the heavy prefixes again and compute their masks, longest first (each from its children)."""
        cost: dict[str, int] = {}
        for word, posting in zip(self._words, self._postings, strict=True):
            weight = _BIG_WEIGHT if isinstance(posting, int) else len(posting)
            if weight:
                for end in range(1, len(word) + 1):
                    prefix = word[:end]
                    cost[prefix] = cost.get(prefix, 0) + weight
        heavy = [prefix for prefix, weight in cost.items() if weight > _HEAVY_COST]
        if len(heavy) > _HEAVY_MAX:  # the costliest; shorter first on ties, so that a kept prefix's parents are kept
            heavy = sorted(heavy, key=lambda prefix: (-cost[prefix], len(prefix)))[:_HEAVY_MAX]
        masks: dict[str, int] = {}
        for prefix in sorted(heavy, key=len, reverse=True):
            masks[prefix] = self._union(prefix, masks)
        self._heavy = masks
        self._heavy_size = self._synced
        self._cache.clear()

    def _sort_new_words(self) -> None:
        new = self._unsorted
        if not new:
            return
        if len(new) > 64 and len(new) > len(self._sorted) >> 4:
            pairs = sorted((word, word_id) for word_id, word in enumerate(self._words))
            self._sorted = [word for word, _ in pairs]
            self._sorted_ids = [word_id for _, word_id in pairs]
        else:
            for word_id in new:
                word = self._words[word_id]
                at = bisect_left(self._sorted, word)
                self._sorted.insert(at, word)
                self._sorted_ids.insert(at, word_id)
        self._unsorted = []

    # --- internals: indexing

    def _sync(self) -> None:
        """Index the queued documents (and renumber them all first when too many are dead)."""
        if self._dead > _COMPACT_MINIMUM and self._dead > len(self._positions) or (
                self._garbage > 1 << 16 and self._garbage > len(self._word_data) >> 1):
            self._compact()
        size = len(self._keys)
        if self._synced == size:
            return
        self._sort_new_words()
        keys, positions = self._keys, self._positions
        new = [p for p in range(self._synced, size) if positions.get(keys[p]) == p]
        self._live |= _mask_of(new, len(new), size)
        # Group the new positions by word.
        data, starts, ends = self._word_data, self._word_start, self._word_end
        buckets: dict[int, list[int]] = {}
        if len(new) << 3 < len(self._words):  # a few documents: a loop
            for position in new:
                for word_id in data[starts[position]:ends[position]]:
                    buckets.setdefault(word_id, []).append(position)
        else:  # many: lists[word_id].append(position) through map(), at C speed
            lists: list[list[int]] = [[] for _ in self._words]
            lows = list(map(starts.__getitem__, new))
            highs = list(map(ends.__getitem__, new))
            word_ids = chain.from_iterable(map(data.__getitem__, map(slice, lows, highs)))
            word_positions = chain.from_iterable(map(repeat, new, map(sub, highs, lows)))
            deque(map(list.append, map(lists.__getitem__, word_ids), word_positions), maxlen=0)
            buckets = {word_id: added for word_id, added in enumerate(lists) if added}
        big = max(_BIG_MINIMUM, size // _BIG_DIVISOR)
        postings = self._postings
        for word_id, added in buckets.items():
            posting = postings[word_id]
            if isinstance(posting, int):
                postings[word_id] = posting | _mask_of(added, len(added), size)
            else:
                posting.extend(added)  # new positions are above every indexed one: the array stays sorted
                if len(posting) > big:
                    postings[word_id] = _mask_of(posting, len(posting), size)
        self._synced = size
        if size - self._heavy_size > self._heavy_size >> 2:
            self._rebuild_heavy()
        else:
            self._add_to_prefix_masks(buckets, size)

    def _add_to_prefix_masks(self, buckets: dict[int, list[int]], size: int) -> None:
        """Set the new positions in the heavy and cached prefix masks of the words they hold."""
        heavy, cache, words = self._heavy, self._cache, self._words
        touched: dict[str, list[int]] = {}
        for word_id, added in buckets.items():
            word = words[word_id]
            for end in range(1, len(word) + 1):
                prefix = word[:end]
                if prefix in heavy or prefix in cache:
                    touched.setdefault(prefix, []).extend(added)
        for prefix, added in touched.items():
            extra = _mask_of(added, len(added), size)
            if prefix in heavy:
                heavy[prefix] |= extra
            else:
                cache[prefix] |= extra

    def _replace_in_postings(self, position: int, old: set[int], new: set[int]) -> None:
        """An indexed document's words changed from ``old`` to ``new``: move its bit."""
        self._sort_new_words()
        bit = 1 << position
        postings, words = self._postings, self._words
        for word_id in old - new:
            posting = postings[word_id]
            if isinstance(posting, int):
                postings[word_id] = posting & ~bit
            else:
                del posting[bisect_left(posting, position)]
        for word_id in new - old:
            posting = postings[word_id]
            if isinstance(posting, int):
                postings[word_id] = posting | bit
            else:
                insort(posting, position)
        old_prefixes = {words[i][:end] for i in old for end in range(1, len(words[i]) + 1)}
        new_prefixes = {words[i][:end] for i in new for end in range(1, len(words[i]) + 1)}
        for masks in (self._heavy, self._cache):
            for prefix in old_prefixes - new_prefixes:
                if prefix in masks:
                    masks[prefix] &= ~bit
            for prefix in new_prefixes - old_prefixes:
                if prefix in masks:
                    masks[prefix] |= bit

    def _compact(self) -> None:
        """Renumber the living documents 0, 1, 2… (same order) and index them again."""
        order = sorted(self._positions.items(), key=lambda item: item[1])
        data, starts, ends = self._word_data, self._word_start, self._word_end
        word_data: array[int] = array(data.typecode)
        word_start: array[int] = array("I")
        word_end: array[int] = array("I")
        for _, position in order:
            word_start.append(len(word_data))
            word_data.extend(data[starts[position]:ends[position]])
            word_end.append(len(word_data))
        self._epoch += 1
        self._keys = [key for key, _ in order]
        self._positions = {key: position for position, (key, _) in enumerate(order)}
        self._word_data, self._word_start, self._word_end = word_data, word_start, word_end
        self._live = self._dead = self._garbage = self._synced = self._heavy_size = 0
        self._postings = [array("I") for _ in self._words]
        self._heavy = {}
        self._cache.clear()


# --- highlighting -----------------------------------------------------------------------------


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of ``text`` (the original, with its accents and apostrophes) that the words of
    ``query`` match: for each word of the text that a query term begins, the characters that fold to that term.

    A character that folds to several (« ß » → ``ss``) is taken whole when the term reaches into it; combining
    accents written after their letter go with it. Spans are sorted and merged.
    """
    terms = set(query_terms(query))
    if not terms or not text:
        return []
    pieces = [_FOLD[ord(character)] for character in text]
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    folded = "".join(pieces)
    spans: list[tuple[int, int]] = []
    for word in _SPACE_RUNS.finditer(folded):
        reach = max((len(term) for term in terms if word.group().startswith(term)), default=0)
        if reach:
            start = origin[word.start()]
            end = origin[word.start() + reach - 1] + 1
            while end < len(text) and not pieces[end] and unicodedata.combining(text[end]):
                end += 1
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
