"""Keep the gettext catalogues in step with the code.

    python scripts/i18n.py update    # extract the French source strings, merge them into every .po
    python scripts/i18n.py check     # exit 1 if any message is untranslated, fuzzy, missing or stale
    python scripts/i18n.py compile   # .po → .mo (the build does this too, at install)

Two domains: ``banqo`` (the terminal client, ``banqo_tui/``) and ``banqo_server`` (the API's messages).
French is the source language; ``en_CA`` must be complete.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = {"banqo": "banqo_tui", "banqo_server": "banqo_server"}
TARGET_LOCALES = ("en_CA",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract(domain: str) -> Catalog:
    """The source strings of one domain, as found in the code today."""
    package = DOMAINS[domain]
    catalogue = Catalog(project="BanqO", domain=domain, locale="fr_CA", charset="utf-8")
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / package, method_map=method_map, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        catalogue.add(message, None, [(f"{package}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalogue


def po_path(domain: str, locale: str) -> Path:
    return ROOT / DOMAINS[domain] / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update() -> None:
    for domain in DOMAINS:
        template = extract(domain)
        for locale in TARGET_LOCALES:
            path = po_path(domain, locale)
            if path.exists():
                catalogue = read(path, locale)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                catalogue = Catalog(project="BanqO", domain=domain, locale=locale, charset="utf-8")
            catalogue.update(template, no_fuzzy_matching=True)
            catalogue.obsolete.clear()
            catalogue.revision_date = datetime.now().astimezone()
            with path.open("wb") as handle:
                write_po(handle, catalogue, width=100, sort_output=False, ignore_obsolete=True)
            print(f"{path.relative_to(ROOT)}: {len(catalogue)} messages")


def problems() -> list[str]:
    """Every untranslated, fuzzy, missing or stale message, as a readable line."""
    found: list[str] = []
    for domain in DOMAINS:
        source_ids = {message.id if isinstance(message.id, str) else message.id[0]
                      for message in extract(domain) if message.id}
        for locale in TARGET_LOCALES:
            path = po_path(domain, locale)
            if not path.exists():
                found.append(f"{path.relative_to(ROOT)}: missing catalogue")
                continue
            catalogue = read(path, locale)
            translated_ids = set()
            for message in catalogue:
                if not message.id:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                translated_ids.add(key)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.fuzzy:
                    found.append(f"{locale}/{domain}: fuzzy: {key!r}")
                elif not all(strings):
                    found.append(f"{locale}/{domain}: untranslated: {key!r}")
            for key in sorted(source_ids - translated_ids):
                found.append(f"{locale}/{domain}: not in the catalogue: {key!r}")
            for key in sorted(translated_ids - source_ids):
                found.append(f"{locale}/{domain}: stale (no longer in the code): {key!r}")
    return found


def compile_all() -> None:
    sys.path.insert(0, str(ROOT))
    from hatch_build import compile_catalogues

    for path in compile_catalogues(ROOT):
        print(path.relative_to(ROOT))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        lines = problems()
        print("\n".join(lines) or "catalogues complete")
        return 1 if lines else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
