"""The open exchange format of a collection (docs/formats/goals.md): JSON and CSV, export and import.

An import is all or nothing: every row is checked first, and one refused row refuses the file, with each
refused row's number and reasons. The same text in the same domain is the same goal, so importing a file
twice, or a file holding goals already in the collection, creates nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.models import Goal, Learner
from banqo_server.services import catalogue, learners
from banqo_server.services.errors import InvalidInput
from banqo_server.services.goals import PARTS, GoalFields, _file, check_fields, find_same, new_goal, same_key
from banqo_tui.api.models import IMPORT_MAX_BYTES, GoalSourceKind, ImportReport, fold, inert_value

FORMAT = "banqo-goals"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = IMPORT_MAX_BYTES
MAX_IMPORT_GOALS = 10_000
CSV_COLUMNS = (
    "text",
    "language",
    "domain",
    "tags",
    *PARTS,
    "source_kind",
    "source_id",
    "source_version",
    "learners",
)
LIST_SEPARATOR = "|"


@dataclass
class Row:
    number: int
    fields: GoalFields
    learner_names: list[str]


def _goal_document(goal: Goal, names: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"text": goal.text, "language": goal.language, "domain": goal.domain}
    entry["tags"] = list(goal.tags)
    for name in PARTS:
        value = getattr(goal, name)
        if value:
            entry[name] = value
    if goal.source_kind == GoalSourceKind.CATALOGUE.value:
        entry["source"] = {"kind": "catalogue", "id": goal.source_id, "version": goal.source_version}
    else:
        entry["source"] = {"kind": "own"}
    if names:
        entry["learners"] = names
    return entry


def _collection(db: Session, account_id: str) -> list[tuple[Goal, list[str]]]:
    goals = list(
        db.scalars(
            select(Goal)
            .where(Goal.account_id == account_id, Goal.deleted_at.is_(None))
            .order_by(Goal.created_at, Goal.id)
        )
    )
    from banqo_server.models import LearnerGoal

    names: dict[str, list[str]] = {goal.id: [] for goal in goals}
    statement = (
        select(LearnerGoal.goal_id, Learner.first_name)
        .join(Learner, Learner.id == LearnerGoal.learner_id)
        .where(Learner.account_id == account_id)
        .order_by(LearnerGoal.filed_at, Learner.first_name)
    )
    for goal_id, first_name in db.execute(statement):
        if goal_id in names:
            names[goal_id].append(first_name)
    return [(goal, names[goal.id]) for goal in goals]


def export_json(db: Session, account_id: str, now: datetime) -> bytes:
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "goals": [_goal_document(goal, names) for goal, names in _collection(db, account_id)],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def export_csv(db: Session, account_id: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for goal, names in _collection(db, account_id):
        source_kind = goal.source_kind
        writer.writerow(
            [
                goal.text,
                goal.language,
                goal.domain or "",
                LIST_SEPARATOR.join(goal.tags),
                *(getattr(goal, name) or "" for name in PARTS),
                source_kind,
                goal.source_id or "",
                goal.source_version or "",
                LIST_SEPARATOR.join(names),
            ]
        )
    # A byte-order mark, so that spreadsheet programs read the accents right.
    return ("\ufeff" + buffer.getvalue()).encode()


def _file_problem(message: str) -> InvalidInput:
    return InvalidInput({"file": [message]})


def _parse_json(raw: bytes) -> list[dict[str, Any]]:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _file_problem(_("Ce fichier n'est pas du JSON valide.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _file_problem(_("Ce fichier n'est pas au format d'échange de BanqO (« format » : « banqo-goals »)."))
    if document.get("format_version") != FORMAT_VERSION:
        raise _file_problem(
            _("Version du format non prise en charge : {version}.").format(version=document.get("format_version"))
        )
    goals = document.get("goals")
    if not isinstance(goals, list):
        raise _file_problem(_("Le fichier n'a pas de liste « goals »."))
    return goals


def _parse_csv(raw: bytes) -> list[dict[str, Any]]:
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_problem(_("Ce fichier CSV n'est pas en UTF-8.")) from None
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    columns = [name.strip() for name in reader.fieldnames or []]
    if "text" not in columns:
        raise _file_problem(_("La première ligne du CSV doit nommer les colonnes, dont « text »."))
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown:
        raise _file_problem(_("Colonnes inconnues : {columns}.").format(columns=", ".join(unknown)))
    rows: list[dict[str, Any]] = []
    try:
        for record in reader:
            if None in record:
                rows.append({"__invalid__": _("Cette ligne a plus de valeurs que de colonnes.")})
                continue
            entry: dict[str, Any] = {}
            for key, value in record.items():
                key = (key or "").strip()
                value = value or ""
                if key in {"tags", "learners"}:
                    entry[key] = [item for item in value.split(LIST_SEPARATOR) if item.strip()]
                elif key == "source_kind":
                    entry.setdefault("source", {})["kind"] = value or "own"
                elif key in {"source_id", "source_version"}:
                    entry.setdefault("source", {})[key.removeprefix("source_")] = value or None
                else:
                    entry[key] = value or None
            rows.append(entry)
    except csv.Error as error:
        raise _file_problem(_("Ce fichier CSV est mal formé : {error}.").format(error=error)) from None
    return rows


#: The first bytes of compressed or archive files (zip, gzip, bzip2, xz, zstd, 7-Zip): never decompressed.
_ARCHIVE_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"7z\xbc\xaf"
)


def parse(raw: bytes, media_type: str) -> list[dict[str, Any]]:
    """The goals of an exchange file (JSON or CSV, told apart by the content type, then by the content), their
    texts made inert (``banqo_tui.inert``: control characters shown as symbols)."""
    if not raw.strip():
        raise _file_problem(_("Le fichier est vide."))
    if raw.startswith(_ARCHIVE_MAGIC):
        raise _file_problem(
            _(
                "Ce fichier est compressé (zip, gzip…) : ce n'est pas un fichier BanqO. "
                "Décompressez-le, puis importez le fichier JSON ou CSV qu'il contient."
            )
        )
    looks_json = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in {b"{", b"["}
    if "json" in media_type or ("csv" not in media_type and looks_json):
        return [inert_value(entry) for entry in _parse_json(raw)]
    return [inert_value(entry) for entry in _parse_csv(raw)]


def _check_row(
    number: int, entry: Any, areas: set[str], default_language: str
) -> tuple[Row | None, dict[str, list[str]]]:
    if not isinstance(entry, dict):
        return None, {"goal": [_("Chaque objectif doit être un objet JSON.")]}
    if "__invalid__" in entry:
        return None, {"row": [entry["__invalid__"]]}
    errors: dict[str, list[str]] = {}

    def text_or_none(name: str) -> str | None:
        value = entry.get(name)
        if value is None or isinstance(value, str):
            return value
        errors[name] = [_("Valeur invalide.")]
        return None

    def list_of_text(name: str) -> list[str]:
        value = entry.get(name) or []
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        errors[name] = [_("Une liste de textes est attendue.")]
        return []

    text = text_or_none("text")
    language = text_or_none("language")
    domain = text_or_none("domain")
    parts = {name: text_or_none(name) for name in PARTS}
    tags = list_of_text("tags")
    names = list_of_text("learners")
    source = entry.get("source") or {"kind": "own"}
    if not isinstance(source, dict) or source.get("kind") not in {"own", "catalogue"}:
        errors["source"] = [_("La source est « own » ou « catalogue ».")]
        source = {"kind": "own"}
    fields, field_errors = check_fields(
        areas, text=text, language=language, domain=domain, tags=tags, parts=parts, default_language=default_language
    )
    errors.update(field_errors)
    for name in names:
        problems = learners.name_problems(name)
        if problems:
            errors.setdefault("learners", []).extend(
                _("« {name} » : {problem}").format(name=name, problem=problem) for problem in problems
            )
    if errors or fields is None:
        return None, errors
    if source["kind"] == "catalogue":
        fields.source_kind = GoalSourceKind.CATALOGUE.value
        fields.source_id = str(source.get("id") or "")[:20] or None
        fields.source_version = str(source.get("version") or "")[:40] or None
    return Row(number, fields, [" ".join(name.split()) for name in names]), {}


def import_goals(
    db: Session,
    account_id: str,
    raw: bytes,
    media_type: str,
    *,
    default_language: str,
    dry_run: bool,
    now: datetime,
) -> ImportReport:
    """Check every row, then import them all (or, when one is refused, none). Commits."""
    entries = parse(raw, media_type)
    if len(entries) > MAX_IMPORT_GOALS:
        raise _file_problem(
            _("Un fichier compte au plus {count} objectifs.").format(count=MAX_IMPORT_GOALS)
        )
    areas = catalogue.area_ids(db)
    rows: list[Row] = []
    errors: dict[str, list[str]] = {}
    for number, entry in enumerate(entries, start=1):
        row, row_errors = _check_row(number, entry, areas, default_language)
        if row is None:
            for name, messages in row_errors.items():
                errors[f"{number}.{name}"] = messages
        else:
            rows.append(row)
    if errors:
        raise InvalidInput(errors)
    report = _apply(db, account_id, rows, now)
    if dry_run:
        db.rollback()
        return report.model_copy(update={"imported": False})
    db.commit()
    return report


def _apply(db: Session, account_id: str, rows: Sequence[Row], now: datetime) -> ImportReport:
    by_name = {
        learner.name_key: learner
        for learner in db.scalars(select(Learner).where(Learner.account_id == account_id))
    }
    created = existing = learners_created = 0
    seen: dict[str, Goal] = {}
    for index, row in enumerate(rows):
        key = same_key(row.fields.text, row.fields.domain)
        goal = seen.get(key) or find_same(db, account_id, key)
        if goal is None:
            # One microsecond apart: the collection keeps the file's order.
            goal = new_goal(account_id, row.fields, now + timedelta(microseconds=index))
            db.add(goal)
            db.flush()
            created += 1
        elif key not in seen:
            existing += 1
        seen[key] = goal
        filed = []
        for name in row.learner_names:
            learner = by_name.get(fold(name))
            if learner is None:
                learner = Learner(account_id=account_id, first_name=name, name_key=fold(name), created_at=now)
                db.add(learner)
                db.flush()
                by_name[learner.name_key] = learner
                learners_created += 1
            filed.append(learner)
        _file(db, goal, filed, now)
        db.flush()
    return ImportReport(imported=True, created=created, existing=existing, learners_created=learners_created)
