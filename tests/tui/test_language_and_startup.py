"""English mode, the demo, and the start-up import budget."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from textual.widgets import Static

from banqo_tui import i18n

from .conftest import DEVICE, SIZE, settle

HEAVY_MODULES = (
    "httpx",
    "pydantic",
    "keyring",
    "babel",
    "banqo_server",
    "banqo_tui.api.client",
    "banqo_tui.api.models",
    "banqo_tui.connection",
    "banqo_tui.credentials",
    "sqlalchemy",
    "fastapi",
)


def test_importing_the_app_loads_nothing_heavy():
    code = (
        "import sys\n"
        "from banqo_tui import i18n; i18n.setup('fr')\n"
        "import banqo_tui.app, banqo_tui.screens.login, banqo_tui.widgets.field, banqo_tui.commands\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_the_other_screens_are_not_imported_at_start_up():
    code = (
        "import sys\n"
        "import banqo_tui.app\n"
        "print(sorted(m for m in sys.modules if m.startswith('banqo_tui.screens.')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['banqo_tui.screens.base', 'banqo_tui.screens.login']"


async def test_english_mode_shows_english_labels(make_app, memory_keyring):
    i18n.setup("en")
    if i18n._("Se connecter") == "Se connecter":
        pytest.skip("no en_CA catalogue compiled yet")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        switch = str(app.screen.query_one("#form-switch", Static).render())
        assert "Sign in (F5)" in switch and "Create an account (F6)" in switch
        assert "Se connecter" not in switch
        descriptions = {binding.description for _key, binding in app._bindings}
        assert i18n._("Quitter") in descriptions and "Quitter" not in descriptions


async def test_demo_opens_the_resume_without_a_password(config, state_file, tmp_path):
    from banqo_tui.app import BanqoApp
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore

    demo = replace(config, demo=True, data_dir=tmp_path / "demo-data")
    credentials = CredentialStore(state_file)
    app = BanqoApp(demo, Connection(demo), credentials, device=DEVICE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=10)
        assert app.screen.id == "summary-screen"
        assert app.screen.query_one("#greeting").render().plain.startswith("Bonjour, Camille")
    assert credentials.last_email("demo") is None  # the demo's token is never kept


async def test_an_unexpected_error_shows_a_sentence_never_a_traceback(make_app, memory_keyring, tmp_path, capsys):
    """Textual's traceback lists local variables (a typed password…): the app replaces it by a sentence."""
    app = make_app()
    app.log_path = tmp_path / "banqo.log"

    def broken() -> None:
        raise RuntimeError("motdepasse-secret")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.call_later(broken)
            await pilot.pause()
    printed = " ".join(capsys.readouterr().err.split())
    assert "BanqO s'est arrêté à cause d'une erreur inattendue." in printed
    assert "banqo.log" in printed.replace(" ", "")  # a long path may be wrapped at the terminal's width
    assert "Traceback" not in printed and "motdepasse-secret" not in printed
    assert app.return_code == 1
