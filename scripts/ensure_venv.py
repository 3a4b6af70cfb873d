"""Create ./.venv and install BanqO into it (editable) when it is missing or pyproject.toml changed.

    python3 scripts/ensure_venv.py          # the app
    python3 scripts/ensure_venv.py --dev    # the app and the test tools
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def main(argv: list[str]) -> int:
    dev = "--dev" in argv
    python = VENV / "bin" / "python"
    if not python.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    for po in sorted(ROOT.glob("banqo_*/locale/*/LC_MESSAGES/*.po")):
        # A changed catalogue needs a rebuild: the build hook compiles it.
        digest += hashlib.sha256(po.read_bytes()).hexdigest()[:8]
    stamp = VENV / ".banqo-installed"
    installed = stamp.read_text() if stamp.exists() else ""
    # An install with the test tools serves the app too; the other way round needs them added.
    if installed == digest + "-dev" or (installed == digest and not dev):
        return 0
    digest += "-dev" if dev else ""
    print("Installing BanqO into .venv …", flush=True)
    target = ".[dev]" if dev else "."
    quiet = ["--quiet", "--disable-pip-version-check"]
    subprocess.run([str(python), "-m", "pip", "install", *quiet, "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([str(python), "-m", "pip", "install", *quiet, "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
