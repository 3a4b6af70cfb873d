"""Write the API's OpenAPI document: ``python -m banqo_server.openapi`` (to ``docs/openapi.json``).

``--stdout`` prints it instead. ``tests/server/test_openapi.py`` fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def document() -> dict[str, Any]:
    """The OpenAPI document of the API (built on a throw-away in-memory database)."""
    from banqo_server.app import create_app
    from banqo_server.settings import Settings

    return create_app(Settings(database_url="sqlite://")).openapi()


def render() -> str:
    """The document as committed: indented, sorted keys, UTF-8, trailing newline."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m banqo_server.openapi", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default {DEFAULT_OUTPUT}")
    parser.add_argument("--stdout", action="store_true", help="print the document instead of writing a file")
    args = parser.parse_args(argv)
    text = render()
    if args.stdout:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
