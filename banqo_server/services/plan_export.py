"""A plan (or a review's snapshot) laid out for the meeting: PDF, DOCX and Markdown, from a ``PlanDocument``."""

from __future__ import annotations

from dataclasses import dataclass

from banqo_tui.api.models import PlanDocument, PlanExportFormat


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    media_type: str
    filename: str  # ASCII, safe in Content-Disposition: « plan-lea-2026-09-01.pdf »


def render(
    document: PlanDocument,
    format: PlanExportFormat,
    *,
    language: str,
    sphere_labels: dict[str, str],
    time_zone: str,
) -> ExportedFile:
    """``document`` in ``format``; headings and labels in ``language`` (``fr`` or ``en``); ``sphere_labels`` maps
    each TEVA sphere id to its label in that language; dates are shown in ``time_zone``."""
    raise NotImplementedError  # filled in by the export work
