"""Maintain the shipped catalogue, ``banqo_server/catalogue/catalogue.json`` (exchange format).

    python scripts/catalogue.py compose [--version V]   recompose every text from its parts (and set the edition)
    python scripts/catalogue.py stats                    counts per domain and sphere

A goal's text is never edited by hand: edit its parts, then run ``compose``. A test checks that every text
is its parts composed, and the server reloads the catalogue when the file changes. Raise the edition
(``--version``) whenever goals change, so that copies in collections can tell which edition they came from.
See docs/catalogue.md.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from banqo_server.catalogue import CATALOGUE_FILE  # noqa: E402
from banqo_tui.api.models import compose_goal_text  # noqa: E402

PARTS = ("condition", "behaviour", "criterion", "measure")
# French typography: a non-breaking space before « % » and inside guillemets.
_PERCENT = re.compile(r"(\d) %")


def french(value: str) -> str:
    return _PERCENT.sub("\\1\u00a0%", value)


def compose_goal(goal: dict) -> None:
    goal["text"] = compose_goal_text(*(goal[part] for part in PARTS), "fr")
    english = goal["translations"]["en"]
    english["text"] = compose_goal_text(*(english[part] for part in PARTS), "en")


def write(document: dict) -> None:
    CATALOGUE_FILE.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[:1] == ["compose"] and len(argv) in {1, 3} and (len(argv) == 1 or argv[1] == "--version"):
        document = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
        if len(argv) == 3:
            document["catalogue"]["version"] = argv[2]
        for goal in document["goals"]:
            goal["source"]["version"] = document["catalogue"]["version"]
            for part in PARTS:
                goal[part] = french(goal[part])
            compose_goal(goal)
        write(document)
    elif argv[:1] != ["stats"]:
        print(__doc__)
        return 2
    document = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for goal in document["goals"]:
        counts[goal["domain"]] = counts.get(goal["domain"], 0) + 1
    for area in document["catalogue"]["areas"]:
        print(f"{area['id']:30} {counts.get(area['id'], 0):4}  {area['labels']['fr']}")
    print(f"{'total':30} {len(document['goals']):4}  (version {document['catalogue']['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
