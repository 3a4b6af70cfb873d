"""Quick entry: ``#tag``, ``@domaine`` and ``+Prénom`` read from one line; the search box's filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from banqo_tui import i18n
from banqo_tui.api.models import Area, AreaKind, Learner
from banqo_tui.quick_entry import (
    complete_domain,
    entry_line,
    inline_completion,
    parse_quick_entry,
    parse_search,
    parse_tags,
)

AREAS = [
    Area(id="lecture", kind=AreaKind.DOMAIN, label="Lecture"),
    Area(id="ecriture", kind=AreaKind.DOMAIN, label="Écriture"),
    Area(id="communication", kind=AreaKind.DOMAIN, label="Communication"),
    Area(id="comportement", kind=AreaKind.DOMAIN, label="Comportement et autorégulation"),
    Area(id="autonomie", kind=AreaKind.DOMAIN, label="Autonomie dans la vie quotidienne"),
    Area(id="teva-autonomie-personnelle", kind=AreaKind.SPHERE, label="Autonomie personnelle"),
    Area(id="teva-transport", kind=AreaKind.SPHERE, label="Transport"),
    Area(id="teva-emploi", kind=AreaKind.SPHERE, label="Intégration socioprofessionnelle et emploi"),
]
NOW = datetime(2026, 11, 2, tzinfo=UTC)
LEARNERS = [
    Learner(id="l1", first_name="Léa", version=1, created_at=NOW),
    Learner(id="l2", first_name="Léa 2", version=1, created_at=NOW),
    Learner(id="l3", first_name="Marie-Ève", version=1, created_at=NOW),
]


@pytest.fixture(autouse=True)
def french():
    i18n.setup("fr")
    yield
    i18n.setup("fr")


def parse(line: str):
    return parse_quick_entry(line, AREAS, LEARNERS)


def test_plain_text_is_the_goal_with_spaces_tidied():
    entry = parse("  Lire   un court texte   à voix haute  ")
    assert entry.ok
    assert entry.text == "Lire un court texte à voix haute"
    assert (entry.tags, entry.domain, entry.learners) == ((), None, ())


def test_tags_domain_and_learner_are_taken_out_of_the_text():
    entry = parse("Lire #Lecture un court texte @lec +Léa, 4 fois sur 5 #1re-annee.")
    assert entry.ok, entry.errors
    assert entry.text == "Lire un court texte, 4 fois sur 5."
    assert entry.tags == ("lecture", "1re-annee")
    assert entry.domain == "lecture"
    assert entry.learner_ids == ["l1"]


def test_domain_by_id_prefix_by_accented_label_or_exact_id():
    assert parse("x @ecri").domain == "ecriture"
    assert parse("x @Écri").domain == "ecriture"
    assert parse("x @transp").domain == "teva-transport"  # the label of a TEVA sphere
    assert parse("x @autonomie").domain == "autonomie"  # an exact id wins over longer ones
    assert parse("x @teva-tr").domain == "teva-transport"


def test_ambiguous_domain_is_an_error_naming_the_choices():
    entry = parse("Parler @com")
    assert not entry.ok
    assert entry.errors == ("« @com » peut désigner communication, comportement : précisez.",)


def test_unknown_domain_is_an_error_listing_the_domains():
    entry = parse("Parler @cuisine")
    assert not entry.ok
    assert "Domaine inconnu : « @cuisine »" in entry.errors[0]
    assert "lecture, ecriture" in entry.errors[0]


def test_two_domains_are_refused():
    assert parse("x @lecture @ecriture").errors == ("Un seul domaine par objectif : @lecture, @ecriture.",)


def test_learners_match_folded_and_spaces_ignored():
    assert parse("x +lea").learner_ids == ["l1"]
    assert parse("x +Léa2").learner_ids == ["l2"]
    assert parse("x +MARIE-EVE").learner_ids == ["l3"]
    assert parse("x +Léa +lea").learner_ids == ["l1"]  # once


def test_an_unknown_learner_is_to_be_created():
    entry = parse("x +Zoé +Noah3")
    assert entry.ok
    assert entry.learner_ids == []
    assert entry.new_learner_names == ["Zoé", "Noah 3"]


def test_empty_text_is_an_error():
    assert parse("#lecture @lecture +Léa").errors == ("Écrivez l'objectif.",)


def test_a_bare_sign_or_an_email_stays_in_the_text():
    entry = parse("Écrire à papa@exemple.ca + 2 # @")
    assert entry.ok
    assert entry.text == "Écrire à papa@exemple.ca + 2 # @"


def test_a_tag_too_long_is_an_error():
    entry = parse("x #" + "a" * 41)
    assert not entry.ok and "Étiquette" in entry.errors[0]


def test_complete_domain_completes_the_last_partial_token():
    assert complete_domain("Lire @lec", AREAS) == "Lire @lecture"
    assert complete_domain("Lire @Écri", AREAS) == "Lire @ecriture"
    assert complete_domain("Lire @transp", AREAS) == "Lire @teva-transport"
    assert complete_domain("Lire @te", AREAS) == "Lire @teva-"  # the ids' common beginning
    assert complete_domain("Lire @com", AREAS) is None  # ambiguous, nothing shared to add
    assert complete_domain("Lire @lecture", AREAS) is None  # already complete
    assert complete_domain("Lire @lec ", AREAS) is None  # not the last word
    assert complete_domain("Lire @zz", AREAS) is None
    assert complete_domain("Lire", AREAS) is None


def test_inline_completion_only_when_the_typed_letters_begin_the_id():
    assert inline_completion("Lire @Lec", AREAS) == "Lire @Lecture"
    assert inline_completion("Lire @transp", AREAS) is None  # Tab completes it; it cannot be shown inline


def test_search_reads_filters_as_prefixes():
    query = parse_search("élève @co #lec", AREAS)
    assert query.words == "élève"
    assert query.domains == {"communication", "comportement"}
    assert query.tag_prefixes == ("lec",)
    assert parse_search("x @cuisine", AREAS).problems == ("Domaine inconnu : « @cuisine ».",)
    assert parse_search("+Léa lit", AREAS).words == "+Léa lit"
    assert not parse_search("lire", AREAS).filters


def test_tags_field_is_split_on_spaces_and_commas():
    assert parse_tags("#Lecture, 1re-annee  lecture") == (["lecture", "1re-annee"], [])
    tags, problems = parse_tags("bon mauvais!")
    assert tags == ["bon", "mauvais!"] and problems


def test_entry_line_round_trips():
    line = entry_line("Lire un texte", ["lecture"], "lecture", ["Léa 2"])
    entry = parse(line)
    assert (entry.text, entry.tags, entry.domain, entry.learner_ids) == (
        "Lire un texte",
        ("lecture",),
        "lecture",
        ["l2"],
    )


def test_the_goal_bank_rules_import_no_textual():
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, banqo_tui.quick_entry, banqo_tui.outbox, banqo_tui.goal_shelf; "
         "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert loaded == "[]"
