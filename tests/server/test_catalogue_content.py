"""The shipped catalogue: counts, both languages, measurable goals, no near-duplicates, texts composed from parts."""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations

import pytest

from banqo_server.catalogue import CATALOGUE_FILE
from banqo_tui.api.models import compose_goal_text, fold, measurability_gaps

DOCUMENT = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
GOALS = DOCUMENT["goals"]
AREAS = {area["id"]: area for area in DOCUMENT["catalogue"]["areas"]}
PARTS = ("condition", "behaviour", "criterion", "measure")
LEVELS = {"prescolaire", "primaire-1", "primaire-2", "primaire-3", "secondaire", "16-21"}
FR_AGREEMENT = re.compile(
    r"\b(il|elle|ils|elles|seul|seule|prêt|prête|attentif|attentive|assis|assise|concentré|concentrée|"
    r"motivé|motivée|installé|installée|heureux|heureuse|content|contente|capable)\b",
    re.IGNORECASE,
)
EN_GENDERED = re.compile(r"\b(he|she|him|his|her|hers|himself|herself)\b", re.IGNORECASE)


def test_at_least_500_goals_with_every_domain_and_sphere_at_its_minimum():
    assert len(GOALS) >= 500
    counts = Counter(goal["domain"] for goal in GOALS)
    domains = [area for area in AREAS.values() if area["kind"] == "domain"]
    spheres = [area for area in AREAS.values() if area["kind"] == "sphere"]
    assert len(domains) == 9 and len(spheres) == 8
    for area in domains:
        assert counts[area["id"]] >= 30, area["id"]
    for area in spheres:
        assert counts[area["id"]] >= 15, area["id"]
    assert set(counts) <= set(AREAS)


def test_every_goal_has_both_languages_and_all_four_parts():
    for goal in GOALS:
        english = goal["translations"]["en"]
        for part in PARTS:
            assert goal[part].strip() and english[part].strip(), (goal["source"]["id"], part)
        assert "{prénom}" in goal["text"] and "{first_name}" in english["text"]
        assert goal["language"] == "fr"


def test_every_text_is_its_parts_composed():
    for goal in GOALS:
        english = goal["translations"]["en"]
        assert goal["text"] == compose_goal_text(*(goal[part] for part in PARTS), "fr")
        assert english["text"] == compose_goal_text(*(english[part] for part in PARTS), "en")


def test_ids_are_stable_unique_and_carry_the_catalogue_version():
    ids = [goal["source"]["id"] for goal in GOALS]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z]{3}-\d{3}", goal_id) for goal_id in ids)
    assert {goal["source"]["version"] for goal in GOALS} == {DOCUMENT["catalogue"]["version"]}


def test_levels_and_subdomains_are_declared():
    for goal in GOALS:
        assert goal["levels"] and set(goal["levels"]) <= LEVELS, goal["source"]["id"]
        subdomains = {sub["id"] for sub in AREAS[goal["domain"]]["subdomains"]}
        assert goal["subdomain"] in subdomains, goal["source"]["id"]
    covered = {level for goal in GOALS for level in goal["levels"]}
    assert covered == LEVELS


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_catalogue_goal_passes_the_measurability_check(language):
    for goal in GOALS:
        parts = goal if language == "fr" else goal["translations"]["en"]
        assert measurability_gaps(parts["text"], parts["criterion"], parts["measure"]) == []
        assert re.search(r"\d", parts["criterion"]), goal["source"]["id"]


def test_no_gender_agreement_is_needed():
    for goal in GOALS:
        assert not FR_AGREEMENT.search(goal["text"].replace("{prénom}", "")), goal["text"]
        assert not EN_GENDERED.search(goal["translations"]["en"]["text"]), goal["translations"]["en"]["text"]


def _words(text: str) -> set[str]:
    return set(fold(text).split())


def test_no_two_goals_are_near_duplicates():
    """Two goals whose behaviour and criterion share 70 % of their words (Jaccard) say the same thing."""
    keyed = [(goal["source"]["id"], _words(goal["behaviour"] + " " + goal["criterion"])) for goal in GOALS]
    near = [
        (a, b)
        for (a, words_a), (b, words_b) in combinations(keyed, 2)
        if len(words_a & words_b) / len(words_a | words_b) >= 0.7
    ]
    assert near == []
    texts = Counter(fold(goal["text"]) for goal in GOALS)
    assert texts.most_common(1)[0][1] == 1


def test_french_typography():
    for goal in GOALS:
        assert "'" not in goal["text"], goal["text"]  # the typographic apostrophe ’
        assert not re.search(r"\d %", goal["text"]), goal["text"]  # a non-breaking space before %
