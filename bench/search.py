"""Instant search of the goal bank per keystroke, beside a peer: ``fzf --filter`` over the same texts.

    python bench/search.py [--sizes 10000 100000] [--source catalogue|synthetic] [--no-fzf]

The texts are made deterministically (seeded): from the catalogue's goals when ``catalogue-src/*.json`` or
``banqo_server/catalogue/catalogue.json`` exist (their four parts recombined across goals, French and English,
with random first names), else synthetic French sentences with accents. Ten realistic queries are typed one
character at a time; a keystroke's figure is the wall time of ``search`` + ``count`` + the first 100 keys, with
the caches cold (one pass, right after the build). The peer runs ``fzf --filter PREFIX`` on a file of the same
texts (one line each) for each keystroke, or every k-th keystroke when all of them would take more than
``--fzf-budget`` seconds: its figure includes the process start (printed alone too), which a terminal app that
shells out per keystroke would pay. fzf matches fuzzily, we match word prefixes: the figures compare speeds,
not answers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from banqo_tui.search import SearchIndex  # noqa: E402

QUERIES = ["eleve", "lit les mots 80", "ecrit une phrase", "demande de l'aide", "resout un probleme",
           "transport en commun", "80 %", "4 fois sur 5", "compter jusqu'a 20", "s'habille"]
FIRST_NAMES = ["Léa", "Zoé", "Éloïse", "Noémie", "Chloé", "Maëlle", "Anaïs", "Héloïse", "Jérémie", "Théo",
               "Raphaël", "Noé", "Loïc", "Gaël", "Benoît", "Félix", "Émile", "Amélie", "Océane", "Inès",
               "Mia", "Liam", "Nathan", "William", "Olivia", "Emma", "Jacob", "Thomas", "Alice", "Rosalie",
               "Florence", "Charlie", "Édouard", "Hélène", "Mathéo", "Juliette", "Béatrice", "Clément", "Léon",
               "Éli"]
PARTS = ("condition", "behaviour", "criterion", "measure")
TIMEOUT = 60  # seconds, for any subprocess


# --- texts ------------------------------------------------------------------------------------


def goal_parts(goal: object) -> list[tuple[str, dict[str, str]]]:
    """The (language, {part: text}) of a goal, in either shape: ``{"fr": {…}, "en": {…}}`` (catalogue-src) or
    the four parts at the top with ``language`` and ``translations`` (the built catalogue)."""
    if not isinstance(goal, dict):
        return []
    found: list[tuple[str, dict[str, str]]] = []
    candidates = [(language, goal.get(language)) for language in ("fr", "en")]
    candidates.append((str(goal.get("language", "fr")), goal))
    translations = goal.get("translations")
    if isinstance(translations, dict):
        candidates.extend(translations.items())
    for language, part in candidates:
        if isinstance(part, dict) and all(isinstance(part.get(name), str) for name in PARTS):
            found.append((language[:2], {name: part[name] for name in PARTS}))
    return found


def catalogue_parts() -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """The goals' parts, French and English, from the catalogue sources, else from the built catalogue."""
    sources = sorted((ROOT / "catalogue-src").glob("*.json"))
    built = ROOT / "banqo_server" / "catalogue" / "catalogue.json"
    places = [(sources, f"catalogue-src/*.json ({len(sources)} files, "), ([built], f"{built.relative_to(ROOT)} (")]
    for paths, name in places:
        parts: list[tuple[str, dict[str, str]]] = []
        for path in paths:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            goals = data.get("goals", []) if isinstance(data, dict) else data
            for goal in goals if isinstance(goals, list) else []:
                parts.extend(goal_parts(goal))
        if parts:
            return f"{name}{len(parts)} goal texts)", parts
    return "", []


def from_catalogue(parts: list[tuple[str, dict[str, str]]], count: int, rng: random.Random) -> list[str]:
    """``count`` distinct sentences, each part taken from a random goal of the same language (70 % French)."""
    french = [part for language, part in parts if language == "fr"]
    english = [part for language, part in parts if language != "fr"]
    texts: set[str] = set()
    while len(texts) < count:
        pool = french if (rng.random() < 0.7 and french) or not english else english
        condition, behaviour, criterion, measure = (rng.choice(pool)[name] for name in PARTS)
        texts.add(f"{condition}, {rng.choice(FIRST_NAMES)} {behaviour} {criterion}, {measure}.")
    return sorted(texts, key=lambda _: rng.random())


SYLLABLES = ["é", "lè", "ve", "ré", "sou", "pro", "blè", "me", "tra", "port", "com", "mun", "cri", "phra", "se",
             "de", "man", "ai", "lec", "tu", "ha", "bil", "ler", "ê", "tre", "çon", "pa", "gé", "ni", "où", "ô",
             "ter", "mi", "ner", "con", "sé", "cu", "tif", "lan", "ga", "voi", "ix", "ma", "thé", "ma", "ti",
             "que", "œu", "vre", "cœ", "ur", "â", "ge", "fê", "te", "nu", "mé", "ro", "di", "rec", "tion"]
FUNCTION_WORDS = ["de", "la", "le", "les", "un", "une", "l’", "d’", "à", "avec", "sur", "dans", "en", "pour",
                  "et", "ou", "au", "aux", "des", "du", "par", "sans", "lors", "qu’", "son", "sa", "ses"]


def synthetic(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct French-like sentences: a Zipfian vocabulary of 6,000 accented words."""
    vocabulary = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(8_000)})[:6_000]
    rng.shuffle(vocabulary)
    cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    texts: set[str] = set()
    while len(texts) < count:
        words: list[str] = []
        for _ in range(rng.randint(18, 34)):
            words.append(rng.choice(FUNCTION_WORDS) if rng.random() < 0.35 else
                         rng.choices(vocabulary, cum_weights=cumulative)[0])
        words.insert(rng.randint(2, 6), rng.choice(FIRST_NAMES))
        words.insert(rng.randint(8, len(words)), f"{rng.choice([60, 70, 75, 80, 90])} %")
        sentence = " ".join(words).replace("’ ", "’")
        texts.add(sentence[0].upper() + sentence[1:] + ".")
    return sorted(texts, key=lambda _: rng.random())


def make_texts(count: int, source: str) -> tuple[str, list[str]]:
    rng = random.Random(20_240_901 + count)
    if source != "synthetic":
        name, parts = catalogue_parts()
        if parts:
            return name, from_catalogue(parts, count, rng)
    return "synthetic French sentences", synthetic(count, rng)


# --- measures ---------------------------------------------------------------------------------


def keystrokes() -> list[str]:
    return [query[:end] for query in QUERIES for end in range(1, len(query) + 1)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ours(texts: list[str]) -> dict[str, float]:
    keys = [f"goal-{i:06d}" for i in range(len(texts))]
    documents = list(zip(keys, texts, strict=True))
    gc.collect()
    start = time.perf_counter()
    index: SearchIndex[str] = SearchIndex()
    index.add_many(documents)
    build = time.perf_counter() - start
    times: list[float] = []
    for typed in keystrokes():
        start = time.perf_counter()
        result = index.search(typed)
        count = result.count
        first = result[:100]
        times.append((time.perf_counter() - start) * 1000)
        assert len(first) == min(100, count)
    # The index's memory: a second build, traced (tracemalloc slows the build, so it is not timed).
    del index
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    traced: SearchIndex[str] = SearchIndex()
    traced.add_many(documents)
    traced.search("e")
    memory = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"median": statistics.median(times), "p99": percentile(times, 0.99), "max": max(times),
            "build": build, "memory": memory / 1e6, "keystrokes": len(times)}


def find_fzf() -> str | None:
    found = shutil.which("fzf")
    if found or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("fzf: not found, trying apt-get install -y fzf …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "install", "-y", "-q", "fzf"], ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "fzf"]):
        try:
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120, check=False)
        except subprocess.TimeoutExpired:
            return None
        if shutil.which("fzf"):
            break
    return shutil.which("fzf")


def fzf_run(fzf: str, query: str, path: Path) -> float:
    """Wall time of one ``fzf --filter QUERY`` over the file, in ms."""
    with path.open("rb") as lines:
        start = time.perf_counter()
        subprocess.run([fzf, "--filter", query], stdin=lines, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=TIMEOUT, check=False)
        return (time.perf_counter() - start) * 1000


def peer(fzf: str, texts: list[str], folder: Path, budget: float) -> dict[str, float]:
    """fzf per keystroke; when all the keystrokes would take more than ``budget`` seconds, every k-th one."""
    path = folder / f"goals-{len(texts)}.txt"
    path.write_text("".join(text.replace("\n", " ") + "\n" for text in texts), encoding="utf-8")
    empty = folder / "empty.txt"
    empty.write_text("", encoding="utf-8")
    fzf_run(fzf, "eleve", path)  # warm the file cache and the binary
    start_only = statistics.median(fzf_run(fzf, "eleve", empty) for _ in range(5))
    single = statistics.median(fzf_run(fzf, "eleve", path) for _ in range(3))
    typed = keystrokes()
    stride = max(1, math.ceil(len(typed) * single / 1000 / budget))
    times = [fzf_run(fzf, prefix, path) for prefix in typed[::stride]]
    return {"median": statistics.median(times), "p99": percentile(times, 0.99), "start": start_only,
            "single": single, "keystrokes": len(times), "stride": stride}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--source", choices=["catalogue", "synthetic"], default="catalogue")
    parser.add_argument("--no-fzf", action="store_true")
    parser.add_argument("--no-tui", action="store_true", help="skip the app's keystroke-to-repaint and memory")
    parser.add_argument("--fzf-budget", type=float, default=40, help="seconds of fzf keystrokes per size at most")
    args = parser.parse_args()
    fzf = None if args.no_fzf else find_fzf()
    if fzf is None and not args.no_fzf:
        print("fzf: not installed")
    results: dict[int, tuple[dict[str, float], dict[str, float] | None]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            source, texts = make_texts(size, args.source)
            mean_length = statistics.mean(map(len, texts))
            print(f"texts: {size:,} from {source}, {mean_length:.0f} characters on average")
            mine = ours(texts)
            theirs = peer(fzf, texts, Path(folder), args.fzf_budget) if fzf else None
            results[size] = (mine, theirs)
            print(f"  banqo index build (add_many): {mine['build'] * 1000:.0f} ms")
            print(f"  banqo index memory (tracemalloc): {mine['memory']:.1f} MB")
            print(f"  banqo per keystroke ({mine['keystrokes']:.0f} keystrokes, search + count + first 100 keys): "
                  f"median {mine['median']:.3f} ms, p99 {mine['p99']:.3f} ms, max {mine['max']:.3f} ms")
            if theirs:
                sample = f"1 keystroke in {theirs['stride']:.0f}, " if theirs["stride"] > 1 else ""
                print(f"  fzf --filter per keystroke ({sample}{theirs['keystrokes']:.0f} runs, process included): "
                      f"median {theirs['median']:.1f} ms, p99 {theirs['p99']:.1f} ms")
                print(f"  fzf process start alone (empty input): {theirs['start']:.1f} ms; "
                      f"one run over the {size:,} lines ('eleve'): {theirs['single']:.1f} ms")
    largest = max(results)
    mine, theirs = results[largest]
    if theirs:
        print(f"verdict at {largest:,}: banqo {mine['median']:.3f} ms vs fzf {theirs['median']:.1f} ms per keystroke "
              f"(median), {theirs['median'] / mine['median']:.0f}× faster; p99 {mine['p99']:.3f} ms vs "
              f"{theirs['p99']:.1f} ms; fzf without its process start ≈ "
              f"{max(theirs['single'] - theirs['start'], 0):.1f} ms")
    else:
        print(f"verdict at {largest:,}: banqo median {mine['median']:.3f} ms, p99 {mine['p99']:.3f} ms per keystroke "
              f"(targets 0.3 / 3 ms); no fzf to compare")
    if not args.no_tui:
        # The app itself, in its own process so that its memory is its own: keystroke to repainted results.
        print(f"the collection screen with {largest:,} goals (bench/search_tui.py):", flush=True)
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("search_tui.py")), "--goals", str(largest)],
            timeout=600, check=False,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
