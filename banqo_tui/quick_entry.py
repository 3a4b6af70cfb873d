"""Quick entry: one line becomes a goal. ``#tag`` adds a tag, ``@domaine`` picks a domain, ``+Prénom`` files it.

« Lire un court texte #lecture @lec +Léa » → text « Lire un court texte », tag ``lecture``, domain ``lecture``,
filed under Léa. The search box reads the same ``@`` and ``#`` tokens as filters (``parse_search``).

No Textual here: the rules are unit-tested on their own and the screens only show what they answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from banqo_tui.api.models import GOAL_TEXT_MAX_LENGTH, MAX_TAGS, TAG_MAX_LENGTH, TAG_SHAPE, clean_tag, fold
from banqo_tui.i18n import _

if TYPE_CHECKING:
    from banqo_tui.api.models import Area, Learner

# A token starts a word: ``#`` then letters, digits or hyphens; ``@`` and ``+`` then a letter first.
# What follows the word (a comma, a full stop) stays in the text.
_TOKEN = re.compile(
    r"(?<!\S)(?:"
    r"#(?P<tag>[^\W_][\w-]*)"
    r"|@(?P<domain>[^\W\d_][\w-]*)"
    r"|\+(?P<learner>[^\W\d_](?:[\w'’-]*[^\W_])?)"
    r")"
)
_LAST_DOMAIN_TOKEN = re.compile(r"(?:^|\s)@(?P<partial>[^\W\d_][\w-]*|)$")
_SPACE_BEFORE_STOP = re.compile(r"\s+([,.])")
_TRAILING_DIGITS = re.compile(r"^(?P<name>.*?[^\d\s])\s*(?P<number>\d{1,3})$")


@dataclass(frozen=True)
class LearnerRef:
    """A ``+Prénom`` of the line: an existing learner (``learner_id``), or a name to create."""

    name: str
    learner_id: str | None = None

    @property
    def is_new(self) -> bool:
        return self.learner_id is None


@dataclass(frozen=True)
class QuickEntry:
    """What a quick-entry line says; ``errors`` (translated sentences) keep it from being saved."""

    text: str
    tags: tuple[str, ...] = ()
    domain: str | None = None
    learners: tuple[LearnerRef, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def learner_ids(self) -> list[str]:
        return [ref.learner_id for ref in self.learners if ref.learner_id]

    @property
    def new_learner_names(self) -> list[str]:
        return [ref.name for ref in self.learners if ref.learner_id is None]


@dataclass(frozen=True)
class SearchQuery:
    """The search box read: the words to find, and the ``@`` / ``#`` filters (prefixes, as one types)."""

    words: str = ""
    #: Area ids the goals must be in (several while an ``@`` prefix is still ambiguous); None: any.
    domains: frozenset[str] | None = None
    #: Each must begin one of the goal's tags.
    tag_prefixes: tuple[str, ...] = ()
    #: Why a filter matches nothing (an unknown ``@domaine``), to show beside the count.
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filters(self) -> bool:
        return self.domains is not None or bool(self.tag_prefixes)


def _fold_id(text: str) -> str:
    """``text`` as an area id is written: folded, hyphens kept (« Écri » → ``ecri``, « TEVA-Tr » → ``teva-tr``)."""
    return "-".join(fold(part).replace(" ", "-") for part in text.split("-"))


def domain_candidates(partial: str, areas: Sequence[Area]) -> list[Area]:
    """The areas ``partial`` may stand for: the one whose id or label it is, else those it begins."""
    as_id, as_label = _fold_id(partial), fold(partial)
    if not as_id:
        return list(areas)
    for area in areas:
        if area.id == as_id or fold(area.label) == as_label:
            return [area]
    return [area for area in areas if area.id.startswith(as_id) or fold(area.label).startswith(as_label)]


def _area_names(areas: Iterable[Area]) -> str:
    return ", ".join(area.id for area in areas)


def resolve_domain(partial: str, areas: Sequence[Area]) -> tuple[str | None, str | None]:
    """(area id, None) when ``partial`` names one area; (None, the reason naming the choices) otherwise."""
    found = domain_candidates(partial, areas)
    if len(found) == 1:
        return found[0].id, None
    if not found:
        return None, _("Domaine inconnu : « @{domain} ». Domaines : {choices}.").format(
            domain=partial, choices=_area_names(areas)
        )
    return None, _("« @{domain} » peut désigner {choices} : précisez.").format(
        domain=partial, choices=_area_names(found)
    )


def learner_key(name: str) -> str:
    """How first names are compared: folded, spaces ignored (« Léa2 » is « Léa 2 »)."""
    return fold(name).replace(" ", "")


def new_learner_name(typed: str) -> str:
    """A typed ``+Prénom`` as the name to create: « Léa2 » → « Léa 2 » (the server's way of writing it)."""
    match = _TRAILING_DIGITS.match(typed)
    return f"{match.group('name')} {match.group('number')}" if match else typed


def find_learner(name: str, learners: Iterable[Learner]) -> Learner | None:
    wanted = learner_key(name)
    return next((learner for learner in learners if learner_key(learner.first_name) == wanted), None)


def tidy(text: str) -> str:
    """Runs of spaces made single, no space left before a comma or a full stop, no space at the ends."""
    return _SPACE_BEFORE_STOP.sub(r"\1", " ".join(text.split()))


def tag_problem(tag: str) -> str | None:
    if not TAG_SHAPE.match(tag) or len(tag) > TAG_MAX_LENGTH:
        return _("Étiquette « {tag} » : des lettres, des chiffres et des traits d'union, {count} au plus.").format(
            tag=tag, count=TAG_MAX_LENGTH
        )
    return None


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """Tags typed in a field (« #lecture, 1re-annee lecture »): (tags without repeats, problems)."""
    tags: list[str] = []
    problems: list[str] = []
    for raw in re.split(r"[\s,;]+", text):
        tag = clean_tag(raw)
        if not tag or tag in tags:
            continue
        problem = tag_problem(tag)
        if problem:
            problems.append(problem)
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        problems.append(_("{count} étiquettes au plus.").format(count=MAX_TAGS))
    return tags, problems


def parse_quick_entry(line: str, areas: Sequence[Area], learners: Sequence[Learner]) -> QuickEntry:
    """Read a quick-entry line: the goal's text, tags, domain and learners, or why it cannot be saved."""
    tags: list[str] = []
    domains: list[str] = []
    refs: list[LearnerRef] = []
    errors: list[str] = []
    for match in _TOKEN.finditer(line):
        if match.group("tag") is not None:
            tag = clean_tag(match.group("tag"))
            if tag not in tags:
                tags.append(tag)
                problem = tag_problem(tag)
                if problem:
                    errors.append(problem)
        elif match.group("domain") is not None:
            area_id, problem = resolve_domain(match.group("domain"), areas)
            if problem:
                errors.append(problem)
            elif area_id and area_id not in domains:
                domains.append(area_id)
        else:
            typed = match.group("learner")
            learner = find_learner(typed, learners)
            ref = (
                LearnerRef(learner.first_name, learner.id)
                if learner is not None
                else LearnerRef(new_learner_name(typed))
            )
            if all(learner_key(ref.name) != learner_key(known.name) for known in refs):
                refs.append(ref)
    if len(domains) > 1:
        errors.append(
            _("Un seul domaine par objectif : {choices}.").format(choices=", ".join(f"@{d}" for d in domains))
        )
    if len(tags) > MAX_TAGS:
        errors.append(_("{count} étiquettes au plus.").format(count=MAX_TAGS))
    text = tidy(_TOKEN.sub(" ", line))
    if not text:
        errors.insert(0, _("Écrivez l'objectif."))
    elif len(text) > GOAL_TEXT_MAX_LENGTH:
        errors.insert(0, _("Ce texte est trop long ({count} caractères au plus).").format(count=GOAL_TEXT_MAX_LENGTH))
    return QuickEntry(
        text=text,
        tags=tuple(tags),
        domain=domains[0] if len(domains) == 1 else None,
        learners=tuple(refs),
        errors=tuple(errors),
    )


def complete_domain(line: str, areas: Sequence[Area]) -> str | None:
    """The line with its last word, a partial ``@dom``, completed to an area id; None when nothing to add.

    When the partial begins several ids that share more letters (``@te`` → ``@teva-``), those are added.
    """
    match = _LAST_DOMAIN_TOKEN.search(line)
    if match is None:
        return None
    partial = match.group("partial")
    if not partial:
        return None
    start = match.start("partial")
    found = domain_candidates(partial, areas)
    if len(found) == 1:
        completed = found[0].id
    else:
        prefix = _fold_id(partial)
        ids = [area.id for area in found if area.id.startswith(prefix)]
        if not ids:
            return None
        completed = _common_prefix(ids)
    if completed == _fold_id(partial):
        return None
    return line[:start] + completed


def _common_prefix(words: Sequence[str]) -> str:
    first, last = min(words), max(words)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def inline_completion(line: str, areas: Sequence[Area]) -> str | None:
    """The completion as the input shows it: what is typed, then the rest of the id (None if it cannot be
    shown that way, e.g. ``@transp`` for ``teva-transport``: Tab still completes it)."""
    completed = complete_domain(line, areas)
    if completed is None:
        return None
    match = _LAST_DOMAIN_TOKEN.search(line)
    assert match is not None
    partial = match.group("partial")
    area_id = completed[match.start("partial"):]
    if not area_id.startswith(_fold_id(partial)) or len(_fold_id(partial)) != len(partial):
        return None
    return line + area_id[len(partial):]


def parse_search(query: str, areas: Sequence[Area]) -> SearchQuery:
    """Read the search box: words, and ``@domaine`` / ``#tag`` filters matched as prefixes while typing."""
    domains: set[str] | None = None
    tag_prefixes: list[str] = []
    problems: list[str] = []
    for match in _TOKEN.finditer(query):
        if match.group("tag") is not None:
            tag_prefixes.append(clean_tag(match.group("tag")))
        elif match.group("domain") is not None:
            partial = match.group("domain")
            found = {area.id for area in domain_candidates(partial, areas)}
            if not found:
                problems.append(_("Domaine inconnu : « @{domain} ».").format(domain=partial))
            domains = found if domains is None else domains & found
    # A ``+Prénom`` is not a filter of the search: it stays a word.
    words = " ".join(_TOKEN.sub(lambda found: found.group(0) if found.group("learner") else " ", query).split())
    return SearchQuery(
        words=words,
        domains=frozenset(domains) if domains is not None else None,
        tag_prefixes=tuple(tag_prefixes),
        problems=tuple(problems),
    )


def entry_line(text: str, tags: Iterable[str] = (), domain: str | None = None, learners: Iterable[str] = ()) -> str:
    """A goal written back as a quick-entry line (to put a refused goal back in the line)."""
    parts = [text, *(f"#{tag}" for tag in tags)]
    if domain:
        parts.append(f"@{domain}")
    parts += [f"+{name.replace(' ', '')}" for name in learners]
    return " ".join(parts)
