"""The code stays ruff-clean and type-checks where the house rules ask for it (style.md)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPED = ["banqo_tui/api", "banqo_server", "banqo_tui/config.py", "banqo_tui/credentials.py",
         "banqo_tui/connection.py", "banqo_tui/i18n.py", "banqo_tui/cli.py", "banqo_tui/terminal.py",
         "banqo_tui/focus_cursor.py", "banqo_tui/widgets/status_line.py", "banqo_tui/line", "banqo_tui/line_mode.py",
         "banqo_tui/terminal_output.py", "banqo_tui/widgets/toggles.py", "banqo_tui/widgets/choice_list.py"]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_finds_nothing_in_the_api_and_the_server():
    result = subprocess.run([sys.executable, "-m", "mypy", *TYPED], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
