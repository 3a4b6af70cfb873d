"""Time from launching `banqo` to its first interactive frame, beside the floor: a one-screen Textual app.

    python bench/startup.py [--runs 9]

Both programs run headless in a fresh process and stop the same way: right after their first screen (a
form with a focused input) has been drawn. The figure is the median wall time of the process, in
milliseconds, interpreter start included, bytecode cache warm for both; the ratio is banqo / floor (the goal:
at most 1.3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FLOOR = '''
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Footer

class Form(Screen):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="email")
        yield Footer()

    def on_mount(self) -> None:
        # The same stop rule as banqo's: right after the first screen has been drawn.
        self.call_after_refresh(self.app.exit)

class Floor(App):
    def on_mount(self) -> None:
        self.push_screen(Form())

Floor().run(headless=True)
'''


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one run, in ms. The wait has no polling (``Popen.wait(timeout=…)`` polls every 50 ms,
    which would round every figure up); a watchdog kills a run that takes more than a minute."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        code = process.wait()
    finally:
        watchdog.cancel()
    elapsed = (time.perf_counter() - start) * 1000
    if code != 0:
        raise SystemExit(f"{command[:3]} exited with {code}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, BANQO_EXIT_AFTER_FIRST_FRAME="1", BANQO_DATA_DIR=str(Path(home) / "data"),
                   BANQO_STATE_DIR=str(Path(home) / "state"), BANQO_CONFIG=str(Path(home) / "none.toml"),
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        # Measure the start a user gets every day: with the bytecode cache written by the warm-up run
        # (an installed wheel has it from pip; some sandboxes set PYTHONDONTWRITEBYTECODE).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        banqo = [sys.executable, "-m", "banqo_tui.cli"]
        floor = [sys.executable, "-c", FLOOR]
        timed(banqo, env)  # warm the file cache and the bytecode for both
        timed(floor, env)
        ours, theirs = [], []
        for _ in range(args.runs):  # interleaved, so that machine noise touches both alike
            ours.append(timed(banqo, env))
            theirs.append(timed(floor, env))
    ours_ms, floor_ms = statistics.median(ours), statistics.median(theirs)
    print(f"banqo first interactive frame: {ours_ms:.0f} ms (median of {args.runs})")
    print(f"floor (one-screen Textual app): {floor_ms:.0f} ms (median of {args.runs})")
    print(f"ratio: {ours_ms / floor_ms:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
