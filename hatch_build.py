"""Build hook: compile the gettext catalogues (.po → .mo) when the package is built or installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every ``*.po`` under the packages' ``locale`` folders; return the written ``.mo`` files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for package in ("banqo_tui", "banqo_server"):
        for po_path in sorted((root / package / "locale").glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as handle:
                catalogue = read_po(handle, locale=po_path.parent.parent.name)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=False)
            written.append(mo_path)
    return written


class CatalogueBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        compile_catalogues(Path(self.root))
