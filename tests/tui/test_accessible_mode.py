"""The mode for screen readers in the app: the cursor on the focused element, « ▸ » marks, the status line,
and the colours a 16-colour or NO_COLOR terminal gets."""

from __future__ import annotations

from textual.geometry import Offset
from textual.widgets._toast import Toast

from .conftest import PASSWORD, SIZE, settle, type_into


async def test_messages_go_to_a_status_line_that_stays(make_app, config, create_account, memory_keyring):
    config.accessible = True
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "-accessible" in app.classes and app.animation_level == "none"
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", "pas le bon mot de passe")
        await pilot.press("enter")
        await settle(pilot)
        line = app.screen.query_one("#status-line")
        assert str(line.render()).startswith("Erreur : ")  # the severity in words
        assert not app.screen.query(Toast)  # no toast that goes away before it is read
        assert [entry.severity for entry in app.messages.entries] == ["error"]
        # It stays until the next message, on the next screen too.
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"
        assert str(app.screen.query_one("#status-line").render()).startswith("Erreur : ")
        app.notify("Objectif enregistré.")
        await pilot.pause()
        assert str(app.screen.query_one("#status-line").render()) == "Information : Objectif enregistré."


async def test_the_cursor_sits_on_the_focused_element(make_app, config, create_account, memory_keyring):
    config.accessible = True
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3")  # « Mes paramètres »: the focus on the tab bar
        await settle(pilot)
        from textual.widgets import Tabs

        tabs = app.screen.query_one(Tabs)
        for _ in range(3):
            await pilot.press("right")
            await settle(pilot, rounds=2)
            active = tabs.active_tab
            assert active is not None and active.label.plain.startswith("▸ ")
            assert app.cursor_position == active.content_region.offset
        # A button: « ▸ » before its label while it has the focus, gone after.
        from textual.widgets import Button

        button = next(iter(app.screen.query(Button)), None)
        if button is not None:
            button.focus()
            await settle(pilot, rounds=2)
            assert str(button.label).startswith("▸ ")
            assert app.cursor_position == button.content_region.offset
            tabs.focus()
            await settle(pilot, rounds=2)
            assert not str(button.label).startswith("▸ ")
        assert app.cursor_position != Offset(0, 0)


async def test_a_16_colour_terminal_gets_its_own_palette(make_app, monkeypatch, memory_keyring):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app()
    assert app.theme == "ansi-dark"  # BanqO's blues would be rounded to the nearest of 16
    monkeypatch.setenv("TERM", "xterm-256color")
    assert make_app().theme == "banqo"


async def test_no_color_sends_no_colour_at_all(make_app, monkeypatch, memory_keyring):
    from textual.filter import Monochrome, NoColor

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert any(isinstance(f, NoColor) for f in app._filters)
    assert not any(isinstance(f, Monochrome) for f in app._filters)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = app.screen._compositor.render_full_update().render_segments(app.console)
    import re

    colours = [code for code in re.findall(r"\x1b\[([0-9;]*)m", text) for part in code.split(";")
               if part and (30 <= int(part) <= 49 or 90 <= int(part) <= 107) and int(part) not in (39, 49)]
    assert colours == []
