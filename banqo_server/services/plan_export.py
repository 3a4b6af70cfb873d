"""A plan (or a review's snapshot) laid out for the meeting: PDF, DOCX and Markdown, from a ``PlanDocument``.

The layout is decided once, as a list of blocks (headings, facts, lists, tables, signature lines) in the Quebec
order — identification, participants, forces, besoins, measures, objectives, reviews, signatures —, then written
by one small writer per format, so the three files always say the same thing. Labels go through the server's
catalogue in the requested language, dates and numbers through babel. What users typed is only ever text: control
characters are dropped everywhere, Markdown punctuation is escaped, fpdf2 reads no markup, and no typed text is
ever used as a ``str.format`` template.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace, TTFFont

from banqo_server.i18n import N_, _, ngettext, use_language
from banqo_server.services.invoice_pdf import FAMILY, font_files, printable
from banqo_tui.api.models import (
    Participant,
    ParticipantRole,
    PlanDocument,
    PlanExportFormat,
    PlanGoal,
    PlanGoalDocument,
    PlanGoalStatus,
    PlanKind,
    PlanState,
    PrioritisedItem,
    ProgressUnit,
    Review,
    ReviewDecisionKind,
    TargetDirection,
    TevaSphere,
)


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    media_type: str
    filename: str  # ASCII, safe in Content-Disposition: « plan-lea-2026-09-01.pdf »


MEDIA_TYPES = {
    PlanExportFormat.PDF: "application/pdf",
    PlanExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PlanExportFormat.MD: "text/markdown; charset=utf-8",
}
CREATOR = "BanqO"

# --- labels (French source strings; translated when the layout is built) ----------------------------------
ROLES = {
    ParticipantRole.TEACHER: N_("Enseignant·e"),
    ParticipantRole.RESOURCE_TEACHER: N_("Orthopédagogue"),
    ParticipantRole.PARENT: N_("Parent"),
    ParticipantRole.LEARNER: N_("Élève"),
    ParticipantRole.PRINCIPAL: N_("Direction"),
    ParticipantRole.PSYCHOEDUCATOR: N_("Psychoéducateur·trice"),
    ParticipantRole.SPECIAL_EDUCATION_TECHNICIAN: N_("TES (technicien·ne en éducation spécialisée)"),
    ParticipantRole.OTHER: N_("Autre"),
}
#: Who signs when the plan names no participant.
DEFAULT_SIGNATORIES = (
    ParticipantRole.TEACHER,
    ParticipantRole.PARENT,
    ParticipantRole.LEARNER,
    ParticipantRole.PRINCIPAL,
)
STATES = {
    PlanState.DRAFT: N_("Brouillon"),
    PlanState.ACTIVE: N_("Actif"),
    PlanState.REVIEW: N_("En révision"),
    PlanState.CLOSED: N_("Fermé"),
}
GOAL_STATUSES = {PlanGoalStatus.REACHED: N_("Atteint"), PlanGoalStatus.CLOSED: N_("Fermé")}
DECISIONS = {
    ReviewDecisionKind.CONTINUE: N_("Poursuivre tel quel"),
    ReviewDecisionKind.CHANGE_MEANS: N_("Maintenir l'objectif, modifier les moyens"),
    ReviewDecisionKind.CHANGE_GOAL: N_("Modifier l'objectif et les moyens"),
    ReviewDecisionKind.REACHED: N_("Objectif atteint"),
    ReviewDecisionKind.CLOSED: N_("Objectif fermé"),
}


# --- the layout: what every format shows, in order ---------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    level: int  # 1: the document's title; 2: a section; 3 and 4: inside a section
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Fact:
    """« Échéance : 15 décembre 2026 », or a label over a short bulleted list (the means)."""

    label: str  # with its colon, as the language writes it: « Échéance : », "Deadline:"
    value: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemList:
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width


@dataclass(frozen=True)
class SignatureLines:
    """One blank line to sign, and one for the date, per role."""

    role_header: str
    signature: str
    date: str
    roles: tuple[str, ...]


Block = Heading | Paragraph | Fact | ItemList | Table | SignatureLines


@dataclass(frozen=True)
class Layout:
    title: str
    note: str | None  # « Instantané de la révision n° 2 du … »
    blocks: tuple[Block, ...]
    first_name: str
    page_footer: str  # a template with {first_name}, {page} and {pages}
    generated: str  # « Généré le 1 septembre 2026 »
    generated_at: datetime  # UTC
    language: str  # BCP 47: fr-CA, en-CA


def render(
    document: PlanDocument,
    format: PlanExportFormat,
    *,
    language: str,
    sphere_labels: dict[str, str],
    time_zone: str,
    title_note: str | None = None,
    review_number: int | None = None,
) -> ExportedFile:
    """``document`` in ``format``; headings and labels in ``language`` (``fr`` or ``en``, ``fr_CA`` or ``en_CA``
    too); ``sphere_labels`` maps each TEVA sphere id to its label in that language; dates are shown in
    ``time_zone``. A review's snapshot passes ``title_note`` (shown under the title and in the PDF's footer, see
    ``snapshot_note``) and ``review_number`` (``-revision-2`` in the file's name)."""
    locale = _locale(language)
    export_format = PlanExportFormat(format)
    with use_language(locale):
        layout = _layout(document, locale, sphere_labels, ZoneInfo(time_zone), title_note)
    writers = {PlanExportFormat.PDF: _pdf, PlanExportFormat.DOCX: _docx, PlanExportFormat.MD: _markdown}
    return ExportedFile(
        content=writers[export_format](layout),
        media_type=MEDIA_TYPES[export_format],
        filename=filename(document, export_format, review_number=review_number),
    )


def snapshot_note(review: Review, *, language: str) -> str:
    """« Instantané de la révision n° 2 du 15 janvier 2027 »: the ``title_note`` of a review's snapshot."""
    locale = _locale(language)
    with use_language(locale):
        return _("Instantané de la révision n° {number} du {date}").format(
            number=review.number, date=format_date(review.held_on, format="long", locale=locale)
        )


def filename(document: PlanDocument, format: PlanExportFormat, *, review_number: int | None = None) -> str:
    """« plan-lea-2-2026-09-01.pdf », « plan-lea-2026-09-01-revision-2.docx »: ASCII only."""
    plan = document.plan
    folded = unicodedata.normalize("NFKD", plan.learner_first_name).encode("ascii", "ignore").decode().lower()
    parts = ["plan", re.sub(r"[^a-z0-9]+", "-", folded).strip("-"), plan.opened_on.isoformat()]
    if review_number is not None:
        parts += ["revision", str(review_number)]
    return "-".join(part for part in parts if part) + "." + PlanExportFormat(format).value


def _locale(language: str) -> str:
    """``fr_CA`` or ``en_CA`` (the catalogue's and babel's name) from ``fr``, ``en-CA``, ``en_CA``…"""
    primary = language.replace("-", "_").split("_")[0].lower()
    if primary not in {"fr", "en"}:
        raise ValueError(f"language must be French or English, not {language!r}")
    return "en_CA" if primary == "en" else "fr_CA"


def clean(text: str) -> str:
    """Typed text, safe everywhere: composed accents, one kind of line break, no control character (an escape
    sequence, a NUL that XML refuses), no blank line and no space at either end of a line."""
    text = unicodedata.normalize("NFC", text).replace("\t", " ")
    lines = ("".join(char for char in line if unicodedata.category(char) != "Cc") for line in text.splitlines())
    return "\n".join(line.strip() for line in lines if line.strip())


def one_line(text: str) -> str:
    """``clean`` text on one line (headings, list items, table cells)."""
    return " ".join(clean(text).split())


class _Words:
    """Dates, numbers and measures as the language writes them."""

    def __init__(self, locale: str, time_zone: ZoneInfo) -> None:
        self.locale = locale
        self.time_zone = time_zone

    def day(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(self.time_zone).date()
        return format_date(value, format="long", locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(_decimal(value), locale=self.locale)

    def measure(self, value: float, unit: ProgressUnit, out_of: int | None) -> str:
        """« 82,5 % », « 4 sur 5 », « 3 fois », « niveau 3 sur 4 »."""
        number = self.number(value)
        if unit == ProgressUnit.PERCENT:
            fraction = _decimal(value).scaleb(-2)
            return format_percent(fraction, locale=self.locale, decimal_quantization=False)
        if unit == ProgressUnit.RATIO:
            return _("{value} sur {out_of}").format(value=number, out_of=out_of) if out_of else number
        if unit == ProgressUnit.COUNT:
            times = int(value) if float(value).is_integer() else 2  # « 1,5 fois » takes the plural
            return ngettext("{count} fois", "{count} fois", times).format(count=number)
        if out_of:
            return _("niveau {value} sur {out_of}").format(value=number, out_of=out_of)
        return _("niveau {value}").format(value=number)


def _decimal(value: float) -> Decimal:
    """``value`` to two decimals at most, without a float's noise (« 23,1 », never « 23,099999999999998 »)."""
    return Decimal(repr(round(value, 2))).normalize()


def _label(text: str) -> str:
    """A fact's label with its colon: « Échéance : », "Deadline:"."""
    return _("{label} :").format(label=text)


def _role(participant: Participant) -> str:
    if participant.role == ParticipantRole.OTHER and participant.other_role and one_line(participant.other_role):
        return one_line(participant.other_role)
    return _(ROLES[participant.role])


def _layout(
    document: PlanDocument, locale: str, sphere_labels: dict[str, str], time_zone: ZoneInfo, note: str | None
) -> Layout:
    words = _Words(locale, time_zone)
    plan = document.plan
    first_name = one_line(plan.learner_first_name)
    if plan.kind == PlanKind.TRANSITION:
        title = _("Plan de transition — {first_name}").format(first_name=first_name)
    else:
        title = _("Plan d'intervention — {first_name}").format(first_name=first_name)
    blocks = [
        *_identification(document, words, first_name),
        *_participants(document),
        *_prioritised(_("Forces"), plan.strengths, _("Aucune force inscrite.")),
        *_prioritised(_("Besoins"), plan.needs, _("Aucun besoin inscrit.")),
        *_measures(document),
        *_objectives(document, words, sphere_labels),
        *_reviews(document, words),
        *_signatures(document),
    ]
    generated_at = document.generated_at if document.generated_at.tzinfo else document.generated_at.replace(tzinfo=UTC)
    return Layout(
        title=title,
        note=one_line(note) if note else None,
        blocks=tuple(blocks),
        first_name=first_name,
        page_footer=_("Plan de {first_name} — page {page} de {pages}"),
        generated=_("Généré le {date}").format(date=words.day(generated_at)),
        generated_at=generated_at.astimezone(UTC),
        language=locale.replace("_", "-"),
    )


def _identification(document: PlanDocument, words: _Words, first_name: str) -> Iterator[Block]:
    plan = document.plan
    if plan.kind == PlanKind.INTERVENTION:
        kind = _("Plan d'intervention")
    elif document.parent_plan is not None:
        kind = _("Plan de transition (annexe au plan d'intervention du {date})").format(
            date=words.day(document.parent_plan.opened_on)
        )
    else:
        kind = _("Plan de transition (annexe au plan d'intervention)")
    yield Heading(2, _("Identification"))
    yield Fact(_label(_("Prénom de l'élève")), first_name)
    yield Fact(_label(_("Type")), kind)
    yield Fact(_label(_("État")), _(STATES[plan.state]))
    yield Fact(_label(_("Date d'ouverture")), words.day(plan.opened_on))
    review_due = words.day(plan.review_due_on) if plan.review_due_on else _("À déterminer")
    yield Fact(_label(_("Révision prévue")), review_due)
    if plan.closed_on:
        yield Fact(_label(_("Date de fermeture")), words.day(plan.closed_on))


def _participants(document: PlanDocument) -> Iterator[Block]:
    yield Heading(2, _("Participants"))
    roles = tuple(_role(participant) for participant in document.plan.participants)
    yield ItemList(roles) if roles else Paragraph(_("Aucun participant inscrit."))


def _prioritised(heading: str, items: Sequence[PrioritisedItem], empty: str) -> Iterator[Block]:
    yield Heading(2, heading)
    texts = tuple(one_line(item.text) for item in sorted(items, key=lambda item: item.priority))
    yield ItemList(texts, numbered=True) if texts else Paragraph(empty)


def _measures(document: PlanDocument) -> Iterator[Block]:
    plan = document.plan
    yield Heading(2, _("Mesures d'adaptation"))
    adaptations = tuple(one_line(text) for text in plan.adaptations)
    yield ItemList(adaptations) if adaptations else Paragraph(_("Aucune mesure d'adaptation."))
    yield Heading(2, _("Mesures de modification"))
    yield Paragraph(
        _("Une mesure de modification change les attentes envers l'élève, et donc l'évaluation de ses apprentissages.")
    )
    modifications = tuple(one_line(text) for text in plan.modifications)
    yield ItemList(modifications) if modifications else Paragraph(_("Aucune mesure de modification."))


def _objectives(document: PlanDocument, words: _Words, sphere_labels: dict[str, str]) -> Iterator[Block]:
    yield Heading(2, _("Objectifs"))
    goals = sorted(document.goals, key=lambda item: item.goal.position)
    if not goals:
        yield Paragraph(_("Aucun objectif."))
        return
    if document.plan.kind != PlanKind.TRANSITION:
        for number, item in enumerate(goals, start=1):
            yield from _objective(item, number, words, level=3)
        return
    # A transition annex: grouped by TEVA sphere, in the spheres' order, those without a sphere last.
    order = {sphere: position for position, sphere in enumerate(TevaSphere)}
    goals.sort(key=lambda item: order[item.goal.sphere] if item.goal.sphere else len(order))
    current: object = object()
    for number, item in enumerate(goals, start=1):
        if item.goal.sphere != current:
            current = item.goal.sphere
            sphere = item.goal.sphere
            yield Heading(3, one_line(sphere_labels.get(sphere, sphere)) if sphere else _("Sans sphère"))
        yield from _objective(item, number, words, level=4)


def _objective(item: PlanGoalDocument, number: int, words: _Words, *, level: int) -> Iterator[Block]:
    goal = item.goal
    to_specify = _("À préciser")
    if goal.status == PlanGoalStatus.ACTIVE:
        yield Heading(level, _("Objectif {number}").format(number=number))
    else:
        status = _(GOAL_STATUSES[goal.status])
        yield Heading(level, _("Objectif {number} — {status}").format(number=number, status=status))
    yield Paragraph(clean(goal.text), strong=True)
    means = tuple(one_line(text) for text in goal.means if one_line(text))
    yield Fact(_label(_("Moyens")), "" if means else to_specify, means)
    responsible = ", ".join(_role(participant) for participant in goal.responsible_roles)
    yield Fact(_label(_("Responsables")), responsible or to_specify)
    yield Fact(_label(_("Échéance")), words.day(goal.deadline) if goal.deadline else to_specify)
    yield Fact(_label(_("Évaluation")), one_line(goal.evaluation) or to_specify)
    yield Fact(_label(_("Critère")), _criterion(goal, words) or to_specify)
    if not item.progress:
        yield Fact(_label(_("Progrès")), _("Aucune mesure inscrite."))
        return
    yield Fact(_label(_("Progrès")))
    rows = tuple(
        (words.day(entry.on), words.measure(entry.value, goal.unit, entry.out_of or goal.out_of), one_line(entry.note))
        for entry in sorted(item.progress, key=lambda entry: entry.on)
    )
    yield Table((_("Date"), _("Mesure"), _("Note")), rows, (0.24, 0.18, 0.58))


def _criterion(goal: PlanGoal, words: _Words) -> str:
    """« L'élève lit le texte sans aide — cible : au plus 2 fois »."""
    criterion = one_line(goal.criterion)
    if goal.target is None:
        return criterion
    target = words.measure(goal.target, goal.unit, goal.out_of)
    if goal.direction == TargetDirection.AT_MOST:
        target = _("au plus {measure}").format(measure=target)
    if not criterion:
        return _("cible : {target}").format(target=target)
    return _("{criterion} — cible : {target}").format(criterion=criterion, target=target)


def _reviews(document: PlanDocument, words: _Words) -> Iterator[Block]:
    yield Heading(2, _("Révisions et décisions"))
    if not document.reviews:
        yield Paragraph(_("Aucune révision n'a encore eu lieu."))
        return
    for review in sorted(document.reviews, key=lambda review: review.number):
        held_on = words.day(review.held_on)
        yield Heading(3, _("Révision n° {number} — {date}").format(number=review.number, date=held_on))
        if clean(review.note):
            yield Fact(_label(_("Note")), one_line(review.note))
        if review.next_review_on:
            yield Fact(_label(_("Prochaine révision")), words.day(review.next_review_on))
        if not review.decisions:
            yield Paragraph(_("Aucune décision inscrite."))
            continue
        rows = tuple(
            (one_line(decision.goal_text), _(DECISIONS[decision.decision]), one_line(decision.note))
            for decision in review.decisions
        )
        yield Table((_("Objectif"), _("Décision"), _("Note")), rows, (0.46, 0.24, 0.30))


def _signatures(document: PlanDocument) -> Iterator[Block]:
    yield Heading(2, _("Signatures"))
    participants = document.plan.participants or [Participant(role=role) for role in DEFAULT_SIGNATORIES]
    yield SignatureLines(
        role_header=_("Rôle"),
        signature=_("Signature"),
        date=_("Date"),
        roles=tuple(_role(participant) for participant in participants),
    )


# --- Markdown ------------------------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^([#>=+-]|\d{1,9}(?=[.)](\s|$)))")


def md_text(text: str) -> str:
    """``text`` as Markdown that shows exactly these characters: every punctuation mark that could start
    emphasis, a link, HTML, a table cell or (at a line's start) a heading, a quote or a list is escaped."""
    lines = []
    for line in clean(text).split("\n"):
        line = _MD_INLINE.sub(r"\\\1", line)
        # Only punctuation can be escaped: « 2. » becomes « 2\. », « # » becomes « \# ».
        lines.append(_MD_LINE_START.sub(_md_escape_start, line, count=1))
    return "\\\n".join(lines)  # a backslash at a line's end: a line break within the paragraph


def _md_escape_start(match: re.Match[str]) -> str:
    start = match.group(1)
    return start + "\\" if start[0].isdigit() else "\\" + start


def _markdown(layout: Layout) -> bytes:
    chunks = [f"# {md_text(layout.title)}"]
    if layout.note:
        chunks.append(f"*{md_text(layout.note)}*")
    previous: Block | None = None
    for block in layout.blocks:
        text = _md_block(block)
        if isinstance(block, Fact) and isinstance(previous, Fact):
            chunks[-1] += "\n" + text  # facts in a row make one list
        else:
            chunks.append(text)
        previous = block
    chunks += ["---", f"*{md_text(layout.generated)}*"]
    return ("\n\n".join(chunks) + "\n").encode("utf-8")


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {md_text(block.text)}"
    if isinstance(block, Paragraph):
        return f"**{md_text(block.text)}**" if block.strong else md_text(block.text)
    if isinstance(block, Fact):
        line = f"- **{md_text(block.label)}** {md_text(block.value)}".rstrip()
        return "\n".join([line, *(f"  - {md_text(item)}" for item in block.items)])
    if isinstance(block, ItemList):
        return "\n".join(
            f"{number}. {md_text(item)}" if block.numbered else f"- {md_text(item)}"
            for number, item in enumerate(block.items, start=1)
        )
    if isinstance(block, Table):
        return _md_table(block.headers, block.rows)
    return _md_table(
        (block.role_header, block.signature, block.date), tuple((role, "", "") for role in block.roles)
    )


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(md_text(cell) or " " for cell in cells) + " |"

    return "\n".join([row(headers), "|" + "|".join(" --- " for _header in headers) + "|", *map(row, rows)])


# --- PDF -----------------------------------------------------------------------------------------------------
MARGIN = 18.0
FOOTER_TOP = 16.0  # from the bottom edge: the footer's two lines
BODY_BOTTOM = 22.0
TEXT_SIZE = 10.5
SMALL_SIZE = 8.5
LINE = 5.2
INDENT = 7.0
HEADING_SIZES = {1: 18.0, 2: 14.0, 3: 12.0, 4: 11.0}
TABLE_SIZE = 10.0
TABLE_LINE = 4.8
CELL_PADDING = (1.2, 1.6)  # top and bottom, left and right
SIGNATURE_HEIGHT = 22.0
INK = (33, 33, 33)
ACCENT = (22, 74, 122)
MUTED = (100, 100, 100)
RULE = (170, 170, 170)
SHADE = (232, 238, 244)
SIGNATURE_LINE = 105.0
DATE_LINE = 45.0


class _PlanPdf(FPDF):
    """Letter paper, the embedded font, and « Plan de Léa — page 1 de 3 » with the generation date on every page."""

    def __init__(self, layout: Layout, pages: int) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.layout = layout
        self.pages_total = pages
        # fpdf2 would replace « {nb} » in typed text too: the total comes from a first pass instead.
        self.alias_nb_pages(None)  # type: ignore[arg-type]  # documented: None turns the alias off
        for style, path in font_files().items():
            self.add_font(FAMILY, style, path)
        regular = self.fonts[FAMILY.lower()]
        self.glyphs: Any = regular.cmap if isinstance(regular, TTFFont) else ()
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BODY_BOTTOM)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)

    def fit(self, value: str) -> str:
        """``value`` with only characters the font can draw."""
        return printable(value, self.glyphs)

    def footer(self) -> None:
        layout = self.layout
        self.set_y(-FOOTER_TOP)
        self.set_font(FAMILY, "", SMALL_SIZE)
        self.set_text_color(*MUTED)
        page = layout.page_footer.format(first_name=layout.first_name, page=self.page_no(), pages=self.pages_total)
        second = " — ".join(part for part in (layout.generated, layout.note) if part)
        for line in (page, second):
            self.cell(0, 4, self.fit(line), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def room_for(self, height: float) -> None:
        """A new page unless ``height`` fits above the footer."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def lines(self, text: str, width: float, *, style: str = "", size: float = TEXT_SIZE) -> int:
        self.set_font(FAMILY, style, size)
        lines = self.multi_cell(width, LINE, self.fit(text), dry_run=True, output=MethodReturnValue.LINES)
        return len(cast(list[str], lines))

    def title_block(self, layout: Layout) -> None:
        self.start_section(self.fit(layout.title), level=0)
        self.set_text_color(*ACCENT)
        self.set_font(FAMILY, "B", HEADING_SIZES[1])
        self.multi_cell(0, 8, self.fit(layout.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*MUTED)
        if layout.note:
            self.set_font(FAMILY, "", 11)
            self.multi_cell(0, 6, self.fit(layout.note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(1)

    def heading(self, block: Heading) -> None:
        size = HEADING_SIZES[block.level]
        if self.get_y() > self.t_margin:
            self.ln(_space_above(block))
        self.start_section(self.fit(block.text), level=block.level - 1)
        self.set_font(FAMILY, "B", size)
        self.set_text_color(*(ACCENT if block.level <= 3 else INK))
        self.multi_cell(0, size * 0.45, self.fit(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        if block.level == 2:
            self.line(self.l_margin, self.get_y() + 0.6, self.w - self.r_margin, self.get_y() + 0.6)
            self.ln(2.2)
        else:
            self.ln(1)

    def paragraph(self, block: Paragraph) -> None:
        self.set_font(FAMILY, "B" if block.strong else "", TEXT_SIZE)
        self.multi_cell(0, LINE, self.fit(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.2)

    def fact(self, block: Fact) -> None:
        self.set_x(self.l_margin)
        self.set_font(FAMILY, "B", TEXT_SIZE)
        self.write(LINE, self.fit(block.label + (" " if block.value else "")))
        self.set_font(FAMILY, "", TEXT_SIZE)
        if block.value:
            self.write(LINE, self.fit(block.value))
        self.ln(LINE)
        if block.items:
            self.item_list(ItemList(block.items))
        else:
            self.ln(0.6)

    def item_list(self, block: ItemList) -> None:
        for number, item in enumerate(block.items, start=1):
            self.set_font(FAMILY, "", TEXT_SIZE)
            self.set_x(self.l_margin + 2)
            self.cell(INDENT - 2, LINE, f"{number}." if block.numbered else "•")
            self.multi_cell(self.epw - INDENT, LINE, self.fit(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.6)
        self.ln(0.8)

    def row_height(self, cells: Sequence[str], widths: Sequence[float], style: str = "") -> float:
        """The height of one table row, as fpdf2 will draw it."""
        self.set_font(FAMILY, style, TABLE_SIZE)
        lines = 1
        for cell, width in zip(cells, widths, strict=True):
            wrapped = self.multi_cell(
                self.epw * width - 2 * CELL_PADDING[1],
                TABLE_LINE,
                self.fit(cell) or " ",
                dry_run=True,
                output=MethodReturnValue.LINES,
            )
            lines = max(lines, len(cast(list[str], wrapped)))
        return lines * TABLE_LINE + 2 * CELL_PADDING[0]

    def opening_height(self, block: Block) -> float:
        """The height of ``block``'s beginning: what must share a page with a heading or a label above it."""
        if isinstance(block, Heading):
            size = HEADING_SIZES[block.level]
            return _space_above(block) + self.lines(block.text, self.epw, style="B", size=size) * size * 0.45 + 3.2
        if isinstance(block, Paragraph):
            return min(self.lines(block.text, self.epw, style="B" if block.strong else ""), 3) * LINE + 1.2
        if isinstance(block, Fact):
            return LINE + 0.6 + (LINE if block.items else 0)
        if isinstance(block, ItemList):
            return min(self.lines(block.items[0], self.epw - INDENT), 2) * LINE + 0.6 if block.items else 0
        if isinstance(block, Table):
            height = self.row_height(block.headers, block.widths, "B")
            return height + (self.row_height(block.rows[0], block.widths) if block.rows else 0)
        return SIGNATURE_HEIGHT

    def keep_with_next(self, blocks: Sequence[Block], index: int) -> None:
        """A heading (or a label over a table) never ends a page: a new page unless it fits with the start of
        what follows — through the facts under it, up to the first paragraph, list or table."""
        end = index
        while end + 1 < len(blocks) and isinstance(blocks[end], Heading | Fact):
            end += 1
        height = sum(self.opening_height(block) for block in blocks[index : end + 1])
        if height <= self.page_break_trigger - self.t_margin:  # else no page could hold them together
            self.room_for(height)

    def table_block(self, block: Table) -> None:
        self.room_for(self.opening_height(block))
        self.set_font(FAMILY, "", TABLE_SIZE)
        with self.table(
            width=self.epw,
            col_widths=tuple(width * 100 for width in block.widths),
            line_height=TABLE_LINE,
            text_align=Align.L,
            headings_style=FontFace(emphasis="BOLD", fill_color=SHADE),
            cell_fill_mode=TableCellFillMode.NONE,
            padding=CELL_PADDING,
            markdown=False,
        ) as table:
            for cells in (block.headers, *block.rows):
                row = table.row()
                for cell in cells:
                    row.cell(self.fit(cell))
        self.ln(2.5)

    def signatures(self, block: SignatureLines) -> None:
        for role in block.roles:
            self.room_for(SIGNATURE_HEIGHT)
            self.set_font(FAMILY, "B", TEXT_SIZE)
            self.multi_cell(0, LINE, self.fit(role), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(8)
            self.set_font(FAMILY, "", SMALL_SIZE)
            self.set_text_color(*MUTED)
            baseline = self.get_y()
            left = self.l_margin
            self.set_draw_color(*INK)
            self.line(left, baseline, left + SIGNATURE_LINE, baseline)
            self.line(left + SIGNATURE_LINE + 12, baseline, left + SIGNATURE_LINE + 12 + DATE_LINE, baseline)
            self.set_draw_color(*RULE)
            self.set_xy(left, baseline + 0.5)
            self.cell(SIGNATURE_LINE, 4, self.fit(block.signature))
            self.set_x(left + SIGNATURE_LINE + 12)
            self.cell(DATE_LINE, 4, self.fit(block.date), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(5)

    def draw(self) -> None:
        layout = self.layout
        self.set_title(self.fit(layout.title))
        self.set_creator(CREATOR)
        self.set_lang(layout.language)
        # The document's generation time, not the rendering's: the same document gives the same bytes.
        self.set_creation_date(layout.generated_at)
        self.add_page()
        self.title_block(layout)
        blocks = layout.blocks
        for index, block in enumerate(blocks):
            if isinstance(block, Heading) or (isinstance(block, Fact) and not block.value and not block.items):
                self.keep_with_next(blocks, index)
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Fact):
                self.fact(block)
            elif isinstance(block, ItemList):
                self.item_list(block)
            elif isinstance(block, Table):
                self.table_block(block)
            else:
                self.signatures(block)


def _space_above(heading: Heading) -> float:
    return 4.0 if heading.level == 2 else 2.5


def _pdf(layout: Layout) -> bytes:
    counting = _PlanPdf(layout, pages=0)
    counting.draw()
    pdf = _PlanPdf(layout, pages=counting.page_no())
    pdf.draw()
    return bytes(pdf.output())


# --- DOCX ----------------------------------------------------------------------------------------------------
def _docx(layout: Layout) -> bytes:
    from docx import Document
    from docx.shared import Emu, Inches, Pt

    document = Document()
    _docx_properties(document, layout)
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(0.9)
    width = section.page_width - section.left_margin - section.right_margin
    document.styles["Normal"].font.size = Pt(11)
    _docx_footer(section, layout)
    document.add_heading(layout.title, level=1)
    if layout.note:
        document.add_paragraph().add_run(layout.note).italic = True
    for block in layout.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph().add_run(block.text).bold = block.strong
        elif isinstance(block, Fact):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.label).bold = True
            if block.value:
                paragraph.add_run(" " + block.value)
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, ItemList) and block.numbered:
            for number, item in enumerate(block.items, start=1):
                # Written numbers: Word's list numbering would run on from one list to the next.
                document.add_paragraph(f"{number}. {item}", style="List")
        elif isinstance(block, ItemList):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _docx_table(document, block.headers, block.rows, [Emu(int(width * share)) for share in block.widths])
        else:
            headers = (block.role_header, block.signature, block.date)
            rows = tuple((role, "", "") for role in block.roles)
            table = _docx_table(document, headers, rows, [Emu(int(width * share)) for share in (0.3, 0.45, 0.25)])
            for row in table.rows[1:]:
                row.height = Inches(0.6)  # room to sign
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_properties(document: Any, layout: Layout) -> None:
    """The title and language; no author (the template's « python-docx » included) and no comment."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = document.core_properties
    properties.title = layout.title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""
    properties.language = layout.language
    properties.revision = 1
    moment = layout.generated_at.replace(tzinfo=None)  # python-docx writes it as UTC
    properties.created = properties.modified = moment
    # The text's language, so that a screen reader pronounces it and Word checks the right spelling.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in run_properties.findall(qn("w:lang")):
        run_properties.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), layout.language)
    run_properties.append(lang)


def _docx_table(document: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[Any]) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    heading_row = table.rows[0]
    # The headings row is repeated on every page and announced as headings by screen readers.
    heading_properties = heading_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading_properties.append(repeat)
    for cell, text in zip(heading_row.cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for cells in rows:
        row = table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    for column, width in zip(table.columns, widths, strict=True):
        for cell in column.cells:
            cell.width = width
    document.add_paragraph()
    return table


def _docx_footer(section: Any, layout: Layout) -> None:
    """« Plan de Léa — page 1 de 3 » with Word's own page fields, then the generation date (and the note)."""
    marker = "\x00"  # cannot occur in the first name: ``clean`` drops control characters
    text = layout.page_footer.format(
        first_name=layout.first_name, page=f"{marker}PAGE{marker}", pages=f"{marker}NUMPAGES{marker}"
    )
    paragraph = section.footer.paragraphs[0]
    for position, part in enumerate(text.split(marker)):
        if position % 2:
            _docx_field(paragraph, part)
        elif part:
            paragraph.add_run(part)
    second = " — ".join(part for part in (layout.generated, layout.note) if part)
    section.footer.add_paragraph(second)


def _docx_field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
