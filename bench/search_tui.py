"""Instant search in « Ma collection » with 100,000 goals: keystroke → results repainted, and memory.

    python bench/search_tui.py [--goals 100000]

The collection screen is given 100,000 goals directly (``CollectionScreen.use_data``, no API: what is measured is
the screen), made from the catalogue's French texts with other first names, numbers and tags, so that the
vocabulary looks like a real collection's. Queries are typed through Textual's pilot, one key at a time; the time
of a keystroke runs from the key being sent to the end of the last line of the goal list drawn for it (the
pilot's own waiting afterwards is not counted). One figure per line: median and p99 in ms (target: p99 ≤ 33),
then the process's resident memory with the goals loaded, in MB (target: < 150).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

QUERIES = ["lire un texte", "élève écr", "@lec mots", "#oral compt", "selon une grille 4 fois"]
FIRST_NAMES = ["Léa", "Noah", "Zoé", "Liam", "Emma", "William", "Florence", "Jacob", "Alice", "Thomas", "Rosalie",
               "Nathan", "Charlie", "Édouard", "Maëlle", "Samuel"]
TAGS = ["oral", "ecrit", "autonomie", "groupe", "1re", "2e", "3e", "cycle-2", "transition", "routine", "cahier",
        "sortie", "emotions", "attention", "lecture", "calcul"]


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def catalogue() -> dict:
    return json.loads((ROOT / "banqo_server" / "catalogue" / "catalogue.json").read_text(encoding="utf-8"))


def make_goals(count: int, data: dict) -> list:
    """``count`` goal records built from the catalogue's texts (deterministic)."""
    from banqo_tui.api.models import measurability_gaps
    from banqo_tui.goal_shelf import GoalRecord

    rng = random.Random(20261102)
    shipped = [(goal["text"], goal.get("domain") or goal.get("sphere"), goal.get("criterion"), goal.get("measure"))
               for goal in data["goals"]]
    records = []
    for number in range(count):
        text, domain, criterion, measure = rng.choice(shipped)
        text = text.replace("{prénom}", rng.choice(FIRST_NAMES))
        if rng.random() < 0.3:
            text += f" (séance {rng.randint(1, 40)})"
        tags = rng.sample(TAGS, rng.randint(0, 3))
        records.append(
            GoalRecord(
                f"{number:032x}",
                text,
                domain=domain,
                tags=tags,
                version=1,
                gaps=measurability_gaps(text, criterion, measure),
            )
        )
    return records


async def run(goals: int) -> None:
    from textual.events import Mount

    from banqo_tui import i18n
    from banqo_tui.api.models import Area, AreaKind
    from banqo_tui.app import BanqoApp
    from banqo_tui.config import Config
    from banqo_tui.screens.collection import CollectionScreen
    from banqo_tui.widgets.goal_list import GoalList

    i18n.setup("fr")
    data = catalogue()
    areas = [
        Area(id=area["id"], kind=AreaKind(area["kind"]), label=area["labels"]["fr"])
        for area in data["catalogue"]["areas"]
    ]
    records = make_goals(goals, data)
    del data

    drawn: list[float] = []
    original = GoalList.render_line

    def render_line(self, y):  # type: ignore[no-untyped-def]
        strip = original(self, y)
        drawn.append(time.perf_counter())
        return strip

    GoalList.render_line = render_line  # type: ignore[method-assign]

    class BenchApp(BanqoApp):
        def on_mount(self, event: Mount) -> None:
            event.prevent_default()  # no sign-in screen, no connection: only the collection screen
            self.push_screen(CollectionScreen(load=False))

    with tempfile.TemporaryDirectory() as folder:
        app = BenchApp(Config(server_url=None, language="fr", data_dir=Path(folder)), device="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CollectionScreen)
            started = time.perf_counter()
            screen.use_data(areas, [], records)
            loaded_ms = (time.perf_counter() - started) * 1000
            del records
            await pilot.pause()
            memory = rss_mb()
            latencies = await type_queries(pilot, screen, drawn)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(f"goals: {len(screen.collection)}")
    print(f"keystrokes: {len(latencies)}")
    print(f"keystroke to results repainted, median: {statistics.median(latencies):.1f} ms")
    print(f"keystroke to results repainted, p99: {p99:.1f} ms")
    print(f"keystroke to results repainted, max: {latencies[-1]:.1f} ms")
    print(f"loading the goals into the screen: {loaded_ms:.0f} ms")
    print(f"RSS with the goals loaded: {memory:.0f} MB")


async def type_queries(pilot, screen, drawn: list[float]) -> list[float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    await pilot.press("slash")
    for query in QUERIES:
        for character in query:
            key = "space" if character == " " else character
            drawn.clear()
            sent = time.perf_counter()
            await pilot.press(key)
            if drawn:
                latencies.append((drawn[-1] - sent) * 1000)
        screen.search_input.value = ""
        await pilot.pause()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(run(args.goals))


if __name__ == "__main__":
    main()
