"""Maintain the shipped catalogue, ``banqo_server/catalogue/catalogue.json`` (exchange format).

    python scripts/catalogue.py compose              recompose every goal's text from its parts, in place
    python scripts/catalogue.py build DIR VERSION    (re)build the file from writers' source files in DIR
    python scripts/catalogue.py stats                counts per domain and sphere

A goal's text is never edited by hand: edit its parts, then run ``compose``. A test checks that every text
is its parts composed, and the server reloads the catalogue when the file changes. Raise
``catalogue.version`` whenever goals change, so that copies in collections can tell which edition they
came from.
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
AREAS = [
    ("lecture", "domain", "Lecture", "Reading"),
    ("ecriture", "domain", "Écriture", "Writing"),
    ("mathematique", "domain", "Mathématique", "Mathematics"),
    ("communication", "domain", "Communication", "Communication"),
    ("comportement", "domain", "Comportement et autorégulation", "Behaviour and self-regulation"),
    ("habiletes-sociales", "domain", "Habiletés sociales", "Social skills"),
    ("fonctions-executives", "domain", "Fonctions exécutives et méthodes de travail",
     "Executive functions and work methods"),
    ("autonomie", "domain", "Autonomie dans la vie quotidienne", "Daily-living autonomy"),
    ("motricite", "domain", "Motricité", "Motor skills"),
    ("teva-autonomie-personnelle", "sphere", "Autonomie personnelle", "Personal autonomy"),
    ("teva-emploi", "sphere", "Intégration socioprofessionnelle et emploi",
     "Socio-professional integration and employment"),
    ("teva-loisirs", "sphere", "Loisirs", "Leisure"),
    ("teva-reseau-social", "sphere", "Réseau social", "Social network"),
    ("teva-communaute", "sphere", "Participation à la communauté", "Community participation"),
    ("teva-transport", "sphere", "Transport", "Transportation"),
    ("teva-education", "sphere", "Éducation et formation", "Education and training"),
    ("teva-residence", "sphere", "Résidence", "Living arrangements"),
]
# French typography: a non-breaking space before « % » and inside guillemets.
_PERCENT = re.compile(r"(\d) %")


def french(value: str) -> str:
    return _PERCENT.sub("\\1\u00a0%", value)


def compose_goal(goal: dict) -> None:
    goal["text"] = compose_goal_text(*(goal[part] for part in PARTS), "fr")
    english = goal["translations"]["en"]
    english["text"] = compose_goal_text(*(english[part] for part in PARTS), "en")


def build(source_dir: Path, version: str) -> dict:
    areas, goals = [], []
    for area_id, kind, label_fr, label_en in AREAS:
        path = source_dir / f"{area_id}.json"
        source = json.loads(path.read_text(encoding="utf-8"))
        subdomains = [
            {"id": sub_id, "labels": {"fr": labels["fr"], "en": labels["en"]}}
            for sub_id, labels in source["subdomains"].items()
        ]
        areas.append(
            {"id": area_id, "kind": kind, "labels": {"fr": label_fr, "en": label_en}, "subdomains": subdomains}
        )
        for entry in source["goals"]:
            goal = {
                "language": "fr",
                "domain": area_id,
                "subdomain": entry["subdomain"],
                "levels": entry["levels"],
                "tags": [],
                **{part: french(entry["fr"][part]) for part in PARTS},
                "source": {"kind": "catalogue", "id": entry["id"], "version": version},
                "translations": {"en": {part: entry["en"][part] for part in PARTS}},
            }
            compose_goal(goal)
            goals.append(goal)
    return {
        "format": "banqo-goals",
        "format_version": 1,
        "catalogue": {"version": version, "areas": areas},
        "goals": goals,
    }


def write(document: dict) -> None:
    CATALOGUE_FILE.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"] and len(argv) == 3:
        write(build(Path(argv[1]), argv[2]))
    elif argv[:1] == ["compose"]:
        document = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
        for goal in document["goals"]:
            compose_goal(goal)
        write(document)
    elif argv[:1] != ["stats"]:
        print(__doc__)
        return 2
    document = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for goal in document["goals"]:
        counts[goal["domain"]] = counts.get(goal["domain"], 0) + 1
    for area_id, *_labels in AREAS:
        print(f"{area_id:30} {counts.get(area_id, 0):4}")
    print(f"{'total':30} {len(document['goals']):4}  (version {document['catalogue']['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
