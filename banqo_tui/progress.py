"""An objective's progress in words and in a small text chart: typed dates and numbers, measures, targets, and the
sentence a screen reader reads instead of the chart.

The dialogs, the plan screen and line mode say the same thing through these functions. No Textual import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from banqo_tui.api.models import MeasurabilityGap, PlanGoal, ProgressEntry, ProgressUnit, TargetDirection
from banqo_tui.i18n import _, format_date, format_number, locale_name, ngettext
from banqo_tui.plan_words import direction_label

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
#: A number as teachers type it: « 80 », « 2,5 », « 2.5 », « 80 % ».
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")

#: The trend is read on the last few measures: an old low does not hide a recent fall.
TREND_WINDOW = 5
#: The most measures listed in the sentence (the chart shows the most recent ones too).
SENTENCE_MAX_VALUES = 10

CHART_ROWS = 6
CHART_MAX_ENTRIES = 18
CHART_WIDTH = 76
BAR = "██"
#: A measure too small to make a bar of one row, drawn on the base line (never nothing: it was measured).
LOW_BAR = "▁▁"
TARGET_GLYPH = "┈"


# --- what is typed ---------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """« 2027-06-15 » or « 15/06/2027 » (day first, as in Quebec schools); None when it cannot be read."""
    typed = text.strip()
    if found := _ISO_DATE.fullmatch(typed):
        year, month, day = (int(part) for part in found.groups())
    elif found := _DAY_FIRST_DATE.fullmatch(typed):
        day, month, year = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_problem() -> str:
    """What to write under a date field that cannot be read."""
    return _("Date attendue : AAAA-MM-JJ ou JJ/MM/AAAA.")


def read_date(text: str) -> tuple[date | None, str | None]:
    """A typed date: (the date, None); (None, None) when left empty; (None, the message) when unreadable."""
    if not text.strip():
        return None, None
    found = parse_date(text)
    return (found, None) if found is not None else (None, date_problem())


def parse_number(text: str) -> float | None:
    """« 80 », « 2,5 », « 2.5 » or « 80 % »; None when it is not one number."""
    typed = text.strip().removesuffix("%").strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.fullmatch(typed):
        return None
    return float(typed.replace(",", "."))


def read_number(text: str, *, whole: bool = False) -> tuple[float | None, str | None]:
    """A typed number: (the number, None); (None, None) when left empty; (None, the message) when unreadable."""
    if not text.strip():
        return None, None
    found = parse_number(text)
    if found is None or (whole and not found.is_integer()):
        return None, _("Nombre entier attendu.") if whole else _("Nombre attendu (par exemple 80 ou 2,5).")
    return found, None


def read_measure(
    unit: ProgressUnit, on: str, value: str, out_of: str = ""
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A measure as « Nouvelle mesure » takes it — the date (empty: today, the server's), the value and, for
    « n sur m », the m (empty: the objective's) — as the API takes them, and the problems found before asking the
    server, by field. The form and ``banqo plans progress`` read a measure through this one function."""
    problems: dict[str, list[str]] = {}
    day, problem = read_date(on)
    if problem:
        problems["on"] = [problem]
    number, problem = read_number(value)
    if problem:
        problems["value"] = [problem]
    elif number is None:
        problems["value"] = [_("Entrez la mesure.")]
    values: dict[str, Any] = {"on": day, "value": number}
    if unit is ProgressUnit.RATIO:
        top, problem = read_number(out_of, whole=True)
        if problem:
            problems["out_of"] = [problem]
        values["out_of"] = int(top) if top is not None else None
    return values, problems


# --- measures and targets --------------------------------------------------------------------------


def number_text(value: float) -> str:
    """A number as the interface's language writes it, without useless decimals (« 70 », « 2,5 »)."""
    rounded = round(float(value), 2)
    return format_number(int(rounded) if rounded.is_integer() else rounded)


def _plural_count(value: float) -> int:
    """The ``n`` of ngettext for a measure (a fraction takes the plural, as in « 1.5 times »)."""
    return int(value) if float(value).is_integer() else 2


def _out_of(goal: PlanGoal, out_of: int | None) -> int | None:
    return out_of if out_of else goal.out_of


def measure_text(goal: PlanGoal, value: float, out_of: int | None = None) -> str:
    """A measure in the objective's unit: « 70 % », « 4 sur 5 », « 3 fois », « niveau 3 sur 4 »."""
    number = number_text(value)
    top = _out_of(goal, out_of)
    if goal.unit is ProgressUnit.PERCENT:
        return _("{number} %").format(number=number)
    if goal.unit is ProgressUnit.RATIO:
        return _("{number} sur {out_of}").format(number=number, out_of=number_text(top)) if top else number
    if goal.unit is ProgressUnit.COUNT:
        return ngettext("{number} fois", "{number} fois", _plural_count(value)).format(number=number)
    if top:
        return _("niveau {number} sur {out_of}").format(number=number, out_of=number_text(top))
    return _("niveau {number}").format(number=number)


def target_text(goal: PlanGoal) -> str:
    """« au moins 80 % », « au plus 2 fois », or « aucune cible »."""
    if goal.target is None:
        return _("aucune cible")
    return _("{direction} {measure}").format(
        direction=direction_label(goal.direction), measure=measure_text(goal, goal.target, goal.out_of)
    )


def score(goal: PlanGoal, value: float, out_of: int | None) -> float:
    """A measure on a scale where measures compare: a ratio as the fraction of its ``out_of`` (« 4 sur 5 » and
    « 8 sur 10 » are equal), any other unit as it is."""
    if goal.unit is ProgressUnit.RATIO:
        top = _out_of(goal, out_of)
        return value / top if top else value
    return value


def target_score(goal: PlanGoal) -> float | None:
    return None if goal.target is None else score(goal, goal.target, goal.out_of)


def reaches_target(goal: PlanGoal, value: float, out_of: int | None) -> bool | None:
    """Whether a measure meets the objective's target, the right way round for « au plus »; None without one."""
    target = target_score(goal)
    if target is None:
        return None
    measured = score(goal, value, out_of)
    if goal.direction is TargetDirection.AT_MOST:
        return measured <= target + 1e-9
    return measured >= target - 1e-9


def in_date_order(entries: Sequence[ProgressEntry]) -> list[ProgressEntry]:
    return sorted(entries, key=lambda entry: (entry.on, entry.created_at))


def gaps_sentence(gaps: Sequence[MeasurabilityGap]) -> str:
    """An objective's measurability gaps in words (its deadline included), or that it is measurable."""
    from banqo_tui.goal_shelf import measurability_sentence

    others = [gap for gap in gaps if gap is not MeasurabilityGap.DEADLINE]
    parts = [measurability_sentence(others)] if others else []
    if MeasurabilityGap.DEADLINE in gaps:
        parts.append(_("À préciser : il manque l'échéance."))
    return " ".join(parts) or _("Mesurable : critère de réussite, méthode de mesure et échéance présents.")


# --- the sentence ----------------------------------------------------------------------------------


def short_date(value: date) -> str:
    """« 5 sept. » / "Sep 5": a date under the chart, without its year."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", value, locale=locale_name())


def _day_and_month(value: date) -> str:
    from babel.dates import format_skeleton

    return format_skeleton("MMMMd", value, locale=locale_name())


def _measures_sentence(goal: PlanGoal, ordered: list[ProgressEntry]) -> str:
    count = len(ordered)
    if not count:
        return _("Aucune mesure encore.")
    listed = ordered[-SENTENCE_MAX_VALUES:]
    values = ", ".join(measure_text(goal, entry.value, entry.out_of) for entry in listed)
    first, last = ordered[0].on, ordered[-1].on
    if first == last:
        return ngettext(
            "{count} mesure le {date} : {values}.", "{count} mesures le {date} : {values}.", count
        ).format(count=count, date=format_date(last, "long"), values=values)
    start = _day_and_month(first) if first.year == last.year else format_date(first, "long")
    if len(listed) < count:
        return _("{count} mesures du {first} au {last}; les {shown} dernières : {values}.").format(
            count=count, first=start, last=format_date(last, "long"), shown=len(listed), values=values
        )
    return _("{count} mesures du {first} au {last} : {values}.").format(
        count=count, first=start, last=format_date(last, "long"), values=values
    )


def _gap_text(goal: PlanGoal, gap: float) -> str:
    """How far a measure is from the target, in the objective's unit (« 10 points », « 2 niveaux »)."""
    if goal.unit is ProgressUnit.RATIO and goal.out_of:
        gap *= goal.out_of
    number = number_text(gap)
    if goal.unit is ProgressUnit.PERCENT:
        return ngettext("{number} point", "{number} points", _plural_count(round(gap, 2))).format(number=number)
    if goal.unit is ProgressUnit.RUBRIC:
        return ngettext("{number} niveau", "{number} niveaux", _plural_count(round(gap, 2))).format(number=number)
    return number


def _standing(goal: PlanGoal, last: ProgressEntry) -> str | None:
    """Where the last measure stands against the target, in words; None without a target."""
    target = target_score(goal)
    reached = reaches_target(goal, last.value, last.out_of)
    if target is None or reached is None:
        return None
    if reached:
        return _("La dernière mesure atteint la cible")
    gap = _gap_text(goal, abs(score(goal, last.value, last.out_of) - target))
    if goal.direction is TargetDirection.AT_MOST:
        return _("La dernière mesure dépasse la cible de {gap}").format(gap=gap)
    return _("La dernière mesure est sous la cible de {gap}").format(gap=gap)


def trend(goal: PlanGoal, ordered: Sequence[ProgressEntry]) -> int:
    """+1 when the recent measures rise, -1 when they fall, 0 when they hold (or are too few to say)."""
    recent = [score(goal, entry.value, entry.out_of) for entry in ordered[-TREND_WINDOW:]]
    if len(recent) < 2:
        return 0
    middle = (len(recent) - 1) / 2
    mean = sum(recent) / len(recent)
    slope = sum((index - middle) * (value - mean) for index, value in enumerate(recent)) / sum(
        (index - middle) ** 2 for index in range(len(recent))
    )
    reference = max([abs(value) for value in recent] + [abs(target_score(goal) or 0)])
    if abs(slope) <= 0.01 * reference:
        return 0
    return 1 if slope > 0 else -1


def _trend_clause(goal: PlanGoal, direction: int) -> str:
    if direction == 0:
        return _("la tendance est stable")
    if goal.direction is TargetDirection.AT_MOST and goal.target is not None:
        # « Au plus »: a fall is the progress hoped for.
        return _("la tendance baisse, dans le bon sens") if direction < 0 else _(
            "la tendance monte, dans le mauvais sens"
        )
    return _("la tendance monte") if direction > 0 else _("la tendance baisse")


def progress_sentence(goal: PlanGoal, entries: Sequence[ProgressEntry]) -> str:
    """The chart in one paragraph, for a screen reader: the measures, the target, where the last one stands and
    where they are heading."""
    ordered = in_date_order(entries)
    parts = [_measures_sentence(goal, ordered)]
    parts.append(_("Cible : {target}.").format(target=target_text(goal)) if goal.target is not None
                 else _("Aucune cible chiffrée."))
    if not ordered:
        return " ".join(parts)
    standing = _standing(goal, ordered[-1])
    clause = _trend_clause(goal, trend(goal, ordered)) if len(ordered) > 1 else None
    if standing and clause:
        parts.append(_("{standing}; {trend}.").format(standing=standing, trend=clause))
    elif standing:
        parts.append(standing + ".")
    elif clause:
        parts.append(clause[:1].upper() + clause[1:] + ".")
    return " ".join(parts)


# --- the chart -------------------------------------------------------------------------------------


def _nice_top(value: float) -> float:
    """The top of a count's scale: ``value`` rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 10:
        return float(max(1, math.ceil(value)))
    power = 10 ** math.floor(math.log10(value))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def _plotted(goal: PlanGoal, value: float, out_of: int | None) -> float:
    """A measure on the chart's scale: a ratio on the objective's « sur » (« 8 sur 10 » as 4 of 5)."""
    if goal.unit is ProgressUnit.RATIO and goal.out_of:
        return score(goal, value, out_of) * goal.out_of
    return score(goal, value, out_of)


def _scale_top(goal: PlanGoal, values: list[float], target: float | None) -> float:
    highest = max([*values, target or 0.0, 0.0])
    if goal.unit is ProgressUnit.PERCENT:
        top = 100.0
    elif goal.unit in (ProgressUnit.RATIO, ProgressUnit.RUBRIC) and goal.out_of:
        top = float(goal.out_of)
    else:
        top = _nice_top(highest)
    return max(top, highest, 1.0)


def _bar_height(goal: PlanGoal, value: float, top: float, target: float | None, target_height: int) -> int:
    """Rows of a measure's bar; never on the wrong side of the target line (a bar that touches it has reached it)."""
    height = max(0, min(CHART_ROWS, round(value / top * CHART_ROWS)))
    if target is None:
        return height
    if goal.direction is TargetDirection.AT_MOST:
        if value <= target + 1e-9:
            return min(height, target_height)
        return max(height, min(CHART_ROWS, target_height + 1))
    if value >= target - 1e-9:
        return max(height, target_height)
    return min(height, max(0, target_height - 1))


def chart_lines(goal: PlanGoal, entries: Sequence[ProgressEntry]) -> list[str]:
    """The measures as bars (one per entry, the most recent ``CHART_MAX_ENTRIES`` in date order) on the criterion's
    scale, the target as a dotted line across, the scale on the left and the dates below; at most 76 columns."""
    ordered = in_date_order(entries)
    shown = ordered[-CHART_MAX_ENTRIES:]
    values = [_plotted(goal, entry.value, entry.out_of) for entry in shown]
    target = None if goal.target is None else _plotted(goal, goal.target, goal.out_of)
    top = _scale_top(goal, values, target)
    target_height = -1 if target is None else max(0, min(CHART_ROWS, round(target / top * CHART_ROWS)))
    heights = [_bar_height(goal, value, top, target, target_height) for value in values]

    labels = {0: number_text(top), CHART_ROWS: number_text(0)}
    if target is not None:
        labels[CHART_ROWS - target_height] = number_text(target)
    width = max(3, *(len(label) for label in labels.values()))
    groups = max(len(shown), 4)

    def body(row: int) -> str:
        on_target = row == CHART_ROWS - target_height
        blank = TARGET_GLYPH if on_target else ("─" if row == CHART_ROWS else " ")
        cells = []
        for index in range(groups):
            cell = blank * 2
            if index < len(heights):
                level = CHART_ROWS - row  # 1 on the lowest row of bars, 0 on the base line
                if level >= 1 and heights[index] >= level:
                    cell = BAR
                elif level == 0 and heights[index] == 0:
                    cell = LOW_BAR
            cells.append(blank + cell)
        return "".join(cells) + blank

    lines = []
    for row in range(CHART_ROWS + 1):
        axis = ("└" if row == CHART_ROWS else "┤") if row in labels else "│"
        lines.append(f"{labels.get(row, ''):>{width}} {axis}{body(row)}".rstrip())
    if target is not None:
        row = CHART_ROWS - target_height
        label = " " + target_text(goal)
        if len(lines[row]) + len(label) <= CHART_WIDTH:
            lines[row] += label
        else:
            lines.append(" " * (width + 1) + TARGET_GLYPH * 2 + " " + _("cible : {target}").format(
                target=target_text(goal)))
    if shown:
        lines.insert(CHART_ROWS + 1, _dates_line(shown, width + 2))
    if len(shown) < len(ordered):
        lines.append(_("(les {shown} dernières mesures sur {count})").format(shown=len(shown), count=len(ordered)))
    return lines


def _dates_line(shown: list[ProgressEntry], indent: int) -> str:
    """The first measure's date under its bar and the last one's under its own (both, when they differ)."""
    first = short_date(shown[0].on)
    line = " " * (indent + 1) + first
    if len(shown) > 1 and shown[-1].on != shown[0].on:
        last = short_date(shown[-1].on)
        end = indent + 3 * len(shown)  # the last bar's right edge
        line += " " * max(2, end - len(line) - len(last)) + last
    return line
