"""The house rules of architecture.md that code can check."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_non_ui_modules_never_import_textual():
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, banqo_tui.api.client, banqo_tui.api.models, banqo_tui.api.errors, banqo_tui.config, "
         "banqo_tui.credentials, banqo_tui.i18n, banqo_tui.connection, banqo_tui.cli; "
         "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert loaded == "[]"


def test_server_imports_nothing_of_the_client_but_the_wire_models():
    offenders = []
    for path in sorted((ROOT / "banqo_server").rglob("*.py")):
        for module in _imported_modules(path):
            if module.startswith("banqo_tui") and module != "banqo_tui.api.models":
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_screens_build_no_urls():
    """Screens talk to the API only through BanqoClient: no httpx, no paths."""
    offenders = []
    for folder in ("screens", "widgets"):
        for path in sorted((ROOT / "banqo_tui" / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "httpx" in _imported_modules(path) or "/api/v1" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
