"""The instant search index gives exactly the answers of the reference rule (``models.matches``), fast."""

from __future__ import annotations

import random
import unicodedata

import pytest

from banqo_tui import search
from banqo_tui.api.models import fold, matches, query_terms
from banqo_tui.search import KeySet, SearchIndex, fast_fold, highlight_spans

WORDS = ["élève", "Élève", "ÉLÈVES", "lit", "lire", "lecture", "les", "mots", "écrit", "Écrire", "une", "phrase",
         "demande", "de", "l’aide", "l'aide", "d’aide", "résout", "un", "problème", "problèmes", "transport", "en",
         "commun", "80", "%", "4", "fois", "sur", "5", "compter", "jusqu’à", "20", "s’habille", "seul", "cœur",
         "Œuvre", "Straße", "ﬁn", "après", "à", "où", "ça", "garçon", "Noël", "naïf", "être", "forêt", "déjà",
         "réussit", "réponse", "répond", "question", "questions", "écoute", "consigne", "consignes", "avec",
         "dans", "sans", "au", "moins", "essais", "(ex.", "«", "»", "—", "Léa", "Zoé", "Jérémie", "Théo",
         unicodedata.normalize("NFD", "élève"), unicodedata.normalize("NFD", "Écrit"), "l’ÉLÈVE", "80%", "1er",
         "e-mail", "peut-être", "aujourd’hui"]
#: Queries that must be tried whatever the random draw gives.
FIXED_QUERIES = ["", " ", "e", "E", "é", "el", "ele", "eleve", "ÉLÈVE", "élève l", "eleve lit 80", "l'aide",
                 "l’aide", "aide l", "qu", "jusqu'a 20", "s'habille", "s’hab", "80 %", "%", "4 fois sur 5", "cœ",
                 "coe", "œuvre", "stras", "strasse", "fin", "ﬁ", "«", "(ex", "peut-e", "zzz", "eleve zzz", "le le",
                 "LE", "1", "2", "!!!", "’", "e-m"]


#: Tunings of the index that send the same data through its different paths: word postings as bitmasks or as
#: arrays of positions, prefix masks precomputed (heavy) or computed at query time.
TUNINGS = {
    "default": {},
    "arrays-and-heavy-prefixes": {"_BIG_MINIMUM": 10**9, "_HEAVY_COST": 40},
    "mixed": {"_BIG_MINIMUM": 180, "_HEAVY_COST": 400, "_HEAVY_MAX": 3, "_CACHE_SIZE": 4, "_PIECES_MEMO": 16,
              "_NARROW_IDS": 40},
}


@pytest.fixture(params=list(TUNINGS))
def tuning(request, monkeypatch):
    for name, value in TUNINGS[request.param].items():
        monkeypatch.setattr(search, name, value)
    return request.param


def random_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 18)))


def random_query(rng: random.Random, texts: list[str]) -> str:
    """Prefixes of words of a random text (as written: accents, capitals, apostrophes), sometimes absent words."""
    words = rng.choice(texts).split()
    parts = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        word = rng.choice(words)
        part = word[:rng.randint(1, len(word))]
        if rng.random() < 0.1:
            part += rng.choice(["x", "zq", "'", "’s", "!", ","])
        if rng.random() < 0.2:
            part = part.upper()
        parts.append(part)
    return rng.choice([" ", "  ", ", "]).join(parts)


def expected(order: list[str], folded: dict[str, str], query: str, within: set[str] | None = None) -> list[str]:
    terms = query_terms(query)
    return [key for key in order if matches(folded[key], terms) and (within is None or key in within)]


def check(index: SearchIndex[str], order: list[str], texts: dict[str, str], queries: list[str],
          within: set[str] | None = None, restrict: object = None) -> None:
    folded = {key: fold(texts[key]) for key in order}
    for query in queries:
        want = expected(order, folded, query, within)
        result = index.search(query, within=restrict if restrict is not None else within)  # type: ignore[arg-type]
        assert result.count == len(want) == len(result), query
        assert list(result) == want, query
        assert result[:100] == want[:100], query
        if want:
            assert result[-1] == want[-1], query


# --- the folding shortcut ---------------------------------------------------------------------


def test_fast_fold_is_fold_on_random_unicode():
    rng = random.Random(7)
    alphabet = ([chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0x300, 0x370)]
                + list("’ʼ‘ ΣσςΟΔΟΣ ﬁﬂﬃ œŒßẞ ½¼①⑴²³ ＡＢｃ\u00a0\u2009\u3000\u200b\u00ad·_-–—«»ǅǆĲ") + ["İ", "ŉ", "ΐ"])
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert fast_fold(text) == fold(text), repr(text)
    for word in WORDS:
        assert fast_fold(word) == fold(word)


# --- equivalence with the reference -----------------------------------------------------------


def test_search_gives_the_reference_answers_on_random_texts(tuning):
    rng = random.Random(2024)
    size, tries = (3000, 200) if tuning == "default" else (1500, 100)
    texts = {f"g{i:05d}": random_text(rng) for i in range(size)}
    order = list(texts)
    index: SearchIndex[str] = SearchIndex()
    index.add_many(texts.items())
    if tuning != "default":
        assert index._heavy, "the precomputed prefix masks are exercised"
    queries = FIXED_QUERIES + [random_query(rng, list(texts.values())) for _ in range(tries)]
    check(index, order, texts, queries)


def test_search_stays_exact_through_additions_replacements_removals_and_renumbering(tuning):
    rng = random.Random(99)
    texts = {f"g{i:05d}": random_text(rng) for i in range(2500)}
    index: SearchIndex[str] = SearchIndex()
    index.add_many(texts.items())
    index.search("e")  # fill the cache with some prefix masks, which must follow the changes
    index.search("co")
    index.search("ré")
    queries = FIXED_QUERIES + [random_query(rng, list(texts.values())) for _ in range(60)]
    order = list(texts)
    # one by one, indexed at the next search: new documents, replaced ones (indexed and not yet), removed ones
    for i in range(40):
        key = f"n{i}"
        texts[key] = random_text(rng) + " nouveauté"
        order.append(key)
        index.add(key, texts[key])
    for key in rng.sample(order[:2500], 30) + ["n3", "n7"]:
        texts[key] = random_text(rng) + " remplacé"
        index.add(key, texts[key])
    for key in rng.sample(order[:2500], 25) + ["n5"]:
        if key in index:
            index.remove(key)
            order.remove(key)
    check(index, order, texts, queries + ["nouv", "rempl", "remplace n"])
    index.add("g00010", "Écrire un poème, ÉLÈVE")  # replacing an indexed document, right away
    texts["g00010"] = "Écrire un poème, ÉLÈVE"
    check(index, order, texts, ["poe", "ecr po", "eleve"])
    index.add("solo", "Écrire un bla-bla, seul")  # one more document, indexed alone
    texts["solo"] = "Écrire un bla-bla, seul"
    order.append("solo")
    check(index, order, texts, ["bla", "ecr", "seul bla", "e"])
    # more than half dead: the index renumbers its documents, in the same order
    for key in order[:1800]:
        index.remove(key)
    order = order[1800:]
    check(index, order, texts, queries)
    assert index._dead == 0
    texts[order[0]] = "premier remplacé"
    index.add_many((key, texts[key]) for key in ["g00001", "g00002", order[0]])
    order += ["g00001", "g00002"]
    check(index, order, texts, queries[:30] + ["premier"])
    if tuning == "mixed":
        assert index._word_data.typecode == "I"


# --- the rules, by example --------------------------------------------------------------------


def make(*texts: str) -> SearchIndex[str]:
    index: SearchIndex[str] = SearchIndex()
    index.add_many((f"k{i}", text) for i, text in enumerate(texts))
    return index


def test_accents_and_case_do_not_matter():
    index = make("L’élève écrit une phrase", "Un ÉLÈVE lit", "Élevé au grain", "Les élèves", "une levée")
    assert list(index.search("eleve")) == ["k0", "k1", "k2", "k3"]
    assert list(index.search("ÉLÈVE")) == list(index.search("eleve")) == list(index.search("élève"))
    assert list(index.search("ecrit")) == list(index.search("Écrit")) == ["k0"]
    assert list(index.search("l")) == ["k0", "k1", "k3", "k4"]  # « l’ » is a word, « lit », « les », « levée »
    assert list(index.search("eleves")) == ["k3"]
    assert list(index.search("leve")) == ["k4"]  # a word's beginning only: « élève » does not contain « leve »
    assert list(index.search("eleve lit")) == ["k1"]
    assert list(index.search("eleve zzz")) == []
    assert index.search("").count == 5
    assert index.search("  ,, ").count == 5


def test_replacing_keeps_the_place_and_removing_and_adding_again_goes_last():
    index = make("alpha", "bravo", "charlie")
    index.add("k1", "bravo modifié")
    assert list(index.search("")) == ["k0", "k1", "k2"]
    assert list(index.search("modif")) == ["k1"]
    assert list(index.search("bravo")) == ["k1"]
    index.add("k1", "delta")
    assert list(index.search("bravo")) == []
    assert list(index.search("delta")) == ["k1"]
    index.remove("k1")
    assert "k1" not in index and len(index) == 2
    assert list(index.search("")) == ["k0", "k2"]
    assert list(index.search("delta")) == []
    index.add("k1", "delta")
    assert list(index.search("")) == ["k0", "k2", "k1"]
    with pytest.raises(KeyError):
        index.remove("absent")
    index.discard("absent")
    index.discard("k0")
    assert list(index.search("")) == ["k2", "k1"]
    index.clear()
    assert len(index) == 0 and index.search("").count == 0


def test_search_within_a_subset():
    rng = random.Random(5)
    texts = {f"g{i:04d}": random_text(rng) for i in range(1200)}
    order = list(texts)
    index: SearchIndex[str] = SearchIndex()
    index.add_many(texts.items())
    subset = set(rng.sample(order, 400)) | {"not-a-key"}
    mask = index.mask(subset)
    assert isinstance(mask, KeySet) and mask.count == 400
    assert list(mask) == [key for key in order if key in subset]
    assert order[0] in mask or order[0] not in subset
    queries = FIXED_QUERIES[:20] + [random_query(rng, list(texts.values())) for _ in range(30)]
    check(index, order, texts, queries, within=subset)  # a plain set, looked up key by key
    check(index, order, texts, queries, within=subset, restrict=mask)  # the precomputed mask: one AND
    previous = index.search("e")
    assert list(index.search("l", within=previous)) == list(index.search("e l"))
    for key in order[:1100]:  # renumbering: the old mask still means the same keys
        index.remove(key)
    order = order[1100:]
    check(index, order, texts, queries[:10], within=subset, restrict=mask)
    assert index._epoch == mask._epoch + 1
    assert order[-1] in mask or order[-1] not in subset
    assert all((key in mask) == (key in subset) for key in order[:50])
    assert order[0] not in index.mask([]) and order[0] in index.mask(order[:1])
    assert repr(mask) == "<KeySet count=400>"


def test_results_are_sliced_lazily_and_exactly():
    texts = [f"objectif {i} élève" if i % 3 else f"objectif {i}" for i in range(6000)]
    index: SearchIndex[int] = SearchIndex()
    index.add_many(enumerate(texts))
    everything = index.search("")
    assert everything[4000:4020] == list(range(4000, 4020))
    assert everything[4000] == 4000 and everything[-1] == 5999 and everything[-6000] == 0
    assert len(everything._chunks) <= 3  # only the chunks that were asked for are listed
    pupils = index.search("ele")
    want = [i for i in range(6000) if i % 3]
    assert pupils.count == len(want) == 4000
    assert pupils[3990:4010] == want[3990:4010]
    assert pupils[10:20:3] == want[10:20:3]
    assert pupils[::-1][:5] == want[::-1][:5]
    assert pupils[5000:] == [] and pupils[-3:] == want[-3:]
    assert list(pupils) == want and pupils.positions() == want
    with pytest.raises(IndexError):
        pupils[4000]
    assert 3 not in pupils and 4 in pupils
    assert index.search("zzz").count == 0 and list(index.search("zzz")) == [] and not index.search("zzz")


# --- highlighting -----------------------------------------------------------------------------


def spans_text(text: str, query: str) -> list[str]:
    return [text[start:end] for start, end in highlight_spans(text, query)]


def test_highlight_spans_on_accented_text():
    text = "L’Élève écrit à l’école"
    assert spans_text(text, "ec") == ["éc", "éc"]
    assert highlight_spans(text, "ec") == [(8, 10), (18, 20)]
    assert spans_text(text, "ELEV") == ["Élèv"]
    assert spans_text(text, "l e") == ["L", "É", "é", "l", "é"]
    assert spans_text(text, "ecrit ecr") == ["écrit"]
    assert spans_text(text, "zz") == [] and highlight_spans(text, "") == []


def test_highlight_spans_on_apostrophes_ligatures_and_decomposed_accents():
    text = "Qu’il s'habille, l’œuvre du cœur, Straße, ﬁn"
    assert spans_text(text, "qu il") == ["Qu", "il"]
    assert spans_text(text, "s'hab") == ["s", "hab", "S"]
    assert spans_text(text, "œu") == ["œu"]
    assert spans_text(text, "cœ") == ["cœ"]
    assert spans_text(text, "coe") == []
    assert spans_text(text, "stras") == ["Straß"]  # « ß » folds to « ss »: reached, it is taken whole
    assert spans_text(text, "strasse") == ["Straße"]
    assert spans_text(text, "fi") == ["ﬁ"]
    decomposed = unicodedata.normalize("NFD", "élève écrit")
    assert spans_text(decomposed, "e") == [unicodedata.normalize("NFD", "é")] * 2
    assert spans_text(decomposed, "eleve") == [unicodedata.normalize("NFD", "élève")]
    assert highlight_spans("¼ de tasse", "1 4 t") == [(0, 1), (5, 6)]  # « ¼ » folds to two words, « 1 4 »


def test_prefix_upper_bound():
    assert search._upper_bound("ab") == "ac"
    assert search._upper_bound("a\U0010ffff") == "b"
    assert search._upper_bound("\U0010ffff") is None


def test_highlight_agrees_with_the_search():
    rng = random.Random(11)
    for _ in range(300):
        text = random_text(rng)
        query = random_query(rng, [text])
        spans = highlight_spans(text, query)
        assert spans == sorted(spans)
        assert all(end > start for start, end in spans)
        assert all(b[0] > a[1] for a, b in zip(spans, spans[1:], strict=False))
        for term in set(query_terms(query)):
            if matches(fold(text), [term]):
                assert spans, (text, query)
        highlighted = " ".join(text[start:end] for start, end in spans)
        assert all(word in fold(text).split() or any(w.startswith(word) for w in fold(text).split())
                   for word in fold(highlighted).split())
