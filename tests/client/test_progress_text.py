"""An objective's progress in words: typed dates, measures and targets in each unit, and the sentence a screen
reader reads instead of the chart (the target reached or missed, « au plus » read the right way round, the
trend)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from banqo_tui import i18n
from banqo_tui.api.models import MeasurabilityGap, PlanGoal, ProgressEntry, ProgressUnit, TargetDirection
from banqo_tui.progress import (
    gaps_sentence,
    measure_text,
    parse_date,
    parse_number,
    progress_sentence,
    read_date,
    score,
    target_text,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def french() -> Iterator[None]:
    i18n.setup("fr")
    yield
    i18n.setup("fr")


def goal(**fields: object) -> PlanGoal:
    values: dict[str, object] = {
        "id": "g1", "plan_id": "p1", "lineage_id": "l1", "position": 1, "text": "Léa lit un texte de son niveau.",
        "version": 1, "created_at": NOW, "updated_at": NOW, "target": 80,
    }
    values.update(fields)
    return PlanGoal.model_validate(values)


def entry(on: date, value: float, out_of: int | None = None) -> ProgressEntry:
    return ProgressEntry(id=f"e{on}", plan_goal_id="g1", lineage_id="l1", on=on, value=value, out_of=out_of,
                         created_at=NOW)


THREE = [entry(date(2026, 9, 5), 40), entry(date(2026, 9, 19), 55), entry(date(2026, 10, 3), 70)]


# --- dates and numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-06-15", date(2027, 6, 15)),
        (" 2027-6-5 ", date(2027, 6, 5)),
        ("15/06/2027", date(2027, 6, 15)),
        ("5/6/2027", date(2027, 6, 5)),
        ("31/02/2027", None),  # no such day
        ("2027-13-01", None),
        ("06/15/2027", None),  # month first is not read (no 15th month)
        ("15 juin 2027", None),
        ("", None),
    ],
)
def test_parse_date_reads_iso_and_day_first(typed: str, expected: date | None) -> None:
    assert parse_date(typed) == expected


def test_an_unreadable_date_says_the_formats_and_an_empty_one_is_no_problem() -> None:
    assert read_date("demain") == (None, "Date attendue : AAAA-MM-JJ ou JJ/MM/AAAA.")
    assert read_date("  ") == (None, None)
    assert read_date("01/09/2026") == (date(2026, 9, 1), None)


@pytest.mark.parametrize(("typed", "expected"), [("80", 80.0), ("2,5", 2.5), ("2.5", 2.5), ("80 %", 80.0),
                                                  ("quatre", None), ("4/5", None)])
def test_parse_number_takes_a_decimal_comma(typed: str, expected: float | None) -> None:
    assert parse_number(typed) == expected


# --- measures and targets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "value", "out_of", "measure", "target"),
    [
        ({"unit": ProgressUnit.PERCENT, "target": 80}, 70, None, "70 %", "au moins 80 %"),
        ({"unit": ProgressUnit.PERCENT, "target": 82.5}, 70.25, None, "70,25 %", "au moins 82,5 %"),
        ({"unit": ProgressUnit.RATIO, "target": 4, "out_of": 5}, 3, None, "3 sur 5", "au moins 4 sur 5"),
        ({"unit": ProgressUnit.RATIO, "target": 4, "out_of": 5}, 6, 10, "6 sur 10", "au moins 4 sur 5"),
        ({"unit": ProgressUnit.COUNT, "target": 2, "direction": TargetDirection.AT_MOST}, 3, None, "3 fois",
         "au plus 2 fois"),
        ({"unit": ProgressUnit.COUNT, "target": 1, "direction": TargetDirection.AT_MOST}, 1, None, "1 fois",
         "au plus 1 fois"),
        ({"unit": ProgressUnit.RUBRIC, "target": 3, "out_of": 4}, 2, None, "niveau 2 sur 4",
         "au moins niveau 3 sur 4"),
        ({"unit": ProgressUnit.PERCENT, "target": None}, 70, None, "70 %", "aucune cible"),
    ],
)
def test_measure_and_target_in_each_unit_and_direction(fields, value, out_of, measure, target) -> None:
    objective = goal(**fields)
    assert measure_text(objective, value, out_of) == measure
    assert target_text(objective) == target


def test_english_formats_the_numbers_its_own_way() -> None:
    i18n.setup("en")
    objective = goal(unit=ProgressUnit.PERCENT, target=82.5)
    assert "82.5" in target_text(objective)
    assert "70.25" in measure_text(objective, 70.25)
    sentence = progress_sentence(goal(), THREE)
    assert "October 3, 2026" in sentence
    assert "September 5" in sentence


def test_a_ratio_scores_as_the_fraction_of_its_out_of() -> None:
    objective = goal(unit=ProgressUnit.RATIO, target=4, out_of=5)
    assert score(objective, 4, None) == score(objective, 8, 10) == pytest.approx(0.8)
    assert score(goal(unit=ProgressUnit.COUNT), 3, None) == 3


def test_the_deadline_gap_is_said_with_the_others() -> None:
    assert gaps_sentence([MeasurabilityGap.DEADLINE]) == "À préciser : il manque l'échéance."
    assert gaps_sentence([MeasurabilityGap.CRITERION, MeasurabilityGap.DEADLINE]) == (
        "À préciser : il manque le critère de réussite. À préciser : il manque l'échéance."
    )
    assert gaps_sentence([]).startswith("Mesurable")


# --- the sentence ------------------------------------------------------------------------------------------


def test_no_measure_yet() -> None:
    assert progress_sentence(goal(), []) == "Aucune mesure encore. Cible : au moins 80 %."
    assert progress_sentence(goal(target=None), []) == "Aucune mesure encore. Aucune cible chiffrée."


def test_one_measure_says_its_day_and_where_it_stands_without_a_trend() -> None:
    assert progress_sentence(goal(), [entry(date(2026, 9, 5), 85)]) == (
        "1 mesure le 5 septembre 2026 : 85 %. Cible : au moins 80 %. La dernière mesure atteint la cible."
    )


def test_three_measures_rising_under_the_target() -> None:
    assert progress_sentence(goal(), list(reversed(THREE))) == (
        "3 mesures du 5 septembre au 3 octobre 2026 : 40 %, 55 %, 70 %. Cible : au moins 80 %. "
        "La dernière mesure est sous la cible de 10 points; la tendance monte."
    )


def test_target_reached_and_falling() -> None:
    entries = [entry(date(2026, 9, 5), 95), entry(date(2026, 9, 19), 90), entry(date(2027, 1, 8), 80)]
    assert progress_sentence(goal(), entries) == (
        "3 mesures du 5 septembre 2026 au 8 janvier 2027 : 95 %, 90 %, 80 %. Cible : au moins 80 %. "
        "La dernière mesure atteint la cible; la tendance baisse."
    )


def test_flat_measures() -> None:
    entries = [entry(date(2026, 9, 5), 60), entry(date(2026, 9, 12), 60), entry(date(2026, 9, 19), 60)]
    assert progress_sentence(goal(), entries).endswith(
        "La dernière mesure est sous la cible de 20 points; la tendance est stable."
    )


def test_at_most_is_read_the_right_way_round() -> None:
    crises = goal(unit=ProgressUnit.COUNT, target=2, direction=TargetDirection.AT_MOST)
    falling = [entry(date(2026, 9, 5), 6), entry(date(2026, 9, 12), 4), entry(date(2026, 9, 19), 3)]
    assert progress_sentence(crises, falling) == (
        "3 mesures du 5 septembre au 19 septembre 2026 : 6 fois, 4 fois, 3 fois. Cible : au plus 2 fois. "
        "La dernière mesure dépasse la cible de 1; la tendance baisse, dans le bon sens."
    )
    rising = [entry(date(2026, 9, 5), 0), entry(date(2026, 9, 12), 1), entry(date(2026, 9, 19), 2)]
    assert progress_sentence(crises, rising).endswith(
        "La dernière mesure atteint la cible; la tendance monte, dans le mauvais sens."
    )


def test_a_ratio_gap_is_counted_on_the_objectives_out_of() -> None:
    objective = goal(unit=ProgressUnit.RATIO, target=4, out_of=5)
    entries = [entry(date(2026, 9, 5), 2), entry(date(2026, 9, 19), 6, 10)]
    assert progress_sentence(objective, entries) == (
        "2 mesures du 5 septembre au 19 septembre 2026 : 2 sur 5, 6 sur 10. Cible : au moins 4 sur 5. "
        "La dernière mesure est sous la cible de 1; la tendance monte."
    )


def test_a_long_history_lists_only_the_latest_measures() -> None:
    entries = [entry(date(2026, 9, day), 40 + day) for day in range(1, 13)]
    sentence = progress_sentence(goal(), entries)
    assert sentence.startswith("12 mesures du 1 septembre au 12 septembre 2026; les 10 dernières : 43 %, 44 %")
    assert "42 %" not in sentence
