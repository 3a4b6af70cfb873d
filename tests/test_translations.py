"""Every interface and API message has a current English translation."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _i18n_script():
    spec = importlib.util.spec_from_file_location("banqo_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_is_translated_and_none_is_stale():
    problems = _i18n_script().problems()
    assert problems == [], "run `python scripts/i18n.py update`, then translate:\n" + "\n".join(problems)


def test_compiled_catalogues_are_current():
    """The installed .mo files match the .po files (the build compiles them; a stale one means reinstall)."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    script = _i18n_script()
    for domain in script.DOMAINS:
        po = script.po_path(domain, "en_CA")
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: reinstall the package (pip install -e .)"
        with po.open("rb") as handle:
            source = {plain(m.id): plain(m.string) for m in read_po(handle) if m.id}
        with mo.open("rb") as handle:
            compiled = {plain(m.id): plain(m.string) for m in read_mo(handle) if m.id}
        assert compiled == source, f"{mo} is stale: reinstall the package (pip install -e .)"
