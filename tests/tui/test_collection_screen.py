"""« Ma collection » and « Banque »: quick entry, the outbox, instant search, adding from the bank, editing with a
conflict, deleting and undoing — against the real API in-process."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from rich.console import Console

from banqo_tui import i18n

from .conftest import DEVICE, PASSWORD, SIZE, keys, no_blink, settle
from .test_navigation import signed_up

EMAIL = "camille@example.org"


def screen_text(app) -> str:
    """The screen as plain text (what a sighted user reads)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def read_aloud(app) -> str:
    """The screen's words in reading order, without frames and bars (wrapped lines joined)."""
    return " ".join(re.sub("[\u2500-\u259f]", " ", screen_text(app)).split())


def row_texts(screen) -> list[str]:
    """The goals of the list, in the order shown."""
    goal_list = screen.goal_list
    return [screen._describe(key)[1] for key in goal_list.rows[: len(goal_list.rows)]]


def count_text(screen) -> str:
    return screen.query_one("#collection-count").render().plain


async def open_collection(pilot):
    """Sign up, then F5."""
    await signed_up(pilot)
    await pilot.press("f5")
    await settle(pilot)
    assert pilot.app.screen.id == "collection-screen"
    no_blink(pilot.app)
    return pilot.app.screen


async def reopen_collection(pilot):
    """Back to the résumé and F5 again: the collection as the server has it now."""
    await pilot.press("f2")
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    no_blink(pilot.app)
    return pilot.app.screen


async def other_device(server_app):
    """Another client of the same account (another device)."""
    from banqo_tui.api.client import BanqoClient

    transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50003))
    client = BanqoClient("http://banqo.test", transport=transport, retries=0)
    await client.sessions.sign_in(email=EMAIL, password=PASSWORD, device="Tablette")
    return client


# --- quick entry ----------------------------------------------------------------------------------


async def test_quick_entry_saves_goals_in_a_row_with_tags_domain_and_learner(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        entry = screen.entry
        await pilot.press("n")
        assert screen.focused is entry.input
        # Typed ahead without waiting: each Enter saves, empties the line and keeps the focus there.
        await pilot.press(
            *keys("Lire un court texte 4 fois sur 5 #lecture @lec +Léa"), "enter",
            *keys("Écrire une phrase complète #ecriture #1re @écri +Léa +Noah"), "enter",
            *keys("Attendre son tour #attente @comp"), "enter",
        )
        await settle(pilot)
        assert screen.focused is entry.input
        assert entry.value == ""
        assert row_texts(screen) == [
            "Attendre son tour",
            "Écrire une phrase complète",
            "Lire un court texte 4 fois sur 5",
        ]  # newest first
        assert count_text(screen) == "3 objectifs sur 3"

        client = await app.api()
        goals = {goal.text: goal for goal in await client.collection.list()}
        learners = {learner.first_name: learner.id for learner in await client.learners.list()}
        assert set(learners) == {"Léa", "Noah"}  # Léa created once, by the first goal
        first = goals["Lire un court texte 4 fois sur 5"]
        assert (first.tags, first.domain, first.learner_ids) == (["lecture"], "lecture", [learners["Léa"]])
        second = goals["Écrire une phrase complète"]
        assert (second.tags, second.domain) == (["ecriture", "1re"], "ecriture")
        assert set(second.learner_ids) == {learners["Léa"], learners["Noah"]}
        third = goals["Attendre son tour"]
        assert (third.tags, third.domain, third.learner_ids) == (["attente"], "comportement", [])
        # The detail pane of the highlighted (newest) goal, in words.
        detail = screen.detail_text(screen.goal_list.highlighted_key)
        assert "Domaine : Comportement et autorégulation" in detail
        assert "À préciser : il manque le critère de réussite et la méthode de mesure." in detail


def send_burst(app, presses: list[str]) -> None:
    """Hand keys to the app all at once, as a paste or a slow SSH link delivers them (no waiting between)."""
    from textual import events

    for key in presses:
        character = " " if key == "space" else key if len(key) == 1 else None
        app._driver.send_message(events.Key("slash" if key == "/" else key, character))


async def test_goals_typed_in_one_burst_are_neither_mixed_nor_lost(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        lines = [f"Lire la liste numéro {number} #rentree @lec +Léa" for number in range(1, 5)]
        presses = ["n"]
        for line in lines:
            presses += [*keys(line), "enter"]
        presses += ["escape", "/", *keys("numéro 3")]
        send_burst(app, presses)
        await settle(pilot, 10)
        assert sorted(row_texts(app.screen)) == ["Lire la liste numéro 3"]
        assert screen.entry.value == "" and screen.search_input.value == "numéro 3"
        goals = await (await app.api()).collection.list()
        assert sorted(goal.text for goal in goals) == [f"Lire la liste numéro {number}" for number in range(1, 5)]
        [lea] = await (await app.api()).learners.list()
        assert all(goal.learner_ids == [lea.id] and goal.tags == ["rentree"] for goal in goals)


async def test_two_goals_sent_at_once_for_a_new_learner_create_it_once(make_app, memory_keyring):
    import asyncio

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        first = app.outbox.add({"text": "Lire"}, ["Zoé"])
        second = app.outbox.add({"text": "Écrire"}, ["Zoé"])
        assert await asyncio.gather(screen.send(first), screen.send(second)) == [True, True]
        await settle(pilot)
        [zoe] = await (await app.api()).learners.list()
        assert zoe.first_name == "Zoé" and zoe.goal_count == 2


async def test_a_line_that_cannot_be_read_keeps_its_text_and_says_why(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        await pilot.press("n", *keys("Parler en groupe @co"), "enter")
        await settle(pilot)
        entry = screen.entry
        assert entry.value == "Parler en groupe @co"
        assert entry.error_text == "✗ Erreur : « @co » peut désigner communication, comportement : précisez."
        assert "communication, comportement" in screen_text(app)
        assert row_texts(screen) == []
        # Typing again clears the message.
        await pilot.press(*keys("mm"))
        assert entry.error_text == ""


async def test_a_refusal_by_the_server_is_shown_under_the_line_and_the_text_kept(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        line = "Lire un texte +" + "Abcdefghij" * 5  # a « first name » of 50 letters: the server refuses it
        await pilot.press("n")
        screen.entry.input.insert_text_at_cursor(line)
        await pilot.press("enter")
        await settle(pilot)
        entry = screen.entry
        assert entry.value == line
        assert "Un prénom compte au plus 40 caractères" in entry.error_text
        assert app.outbox.pending() == [] and app.outbox.refused() == []
        assert await (await app.api()).collection.list() == []


async def test_tab_and_right_arrow_complete_the_domain(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        entry = screen.entry
        await pilot.press("n", *keys("Prendre l'autobus @transp"))
        await settle(pilot)
        assert "@transp → Transport (@teva-transport)" in entry.hint_text
        await pilot.press("tab")
        assert entry.value == "Prendre l'autobus @teva-transport"
        assert screen.focused is entry.input
        await pilot.press(*keys(" @Lec"))
        await settle(pilot)
        await pilot.press("right")  # Textual's way of accepting the suggestion shown in the input
        assert entry.value == "Prendre l'autobus @teva-transport @Lecture"


async def test_escape_leaves_the_line_and_slash_searches(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        await pilot.press("n", *keys("brouillon"), "escape")
        assert screen.focused is screen.goal_list
        assert screen.entry.value == "brouillon"  # kept for later
        await pilot.press("slash", *keys("lire"))
        assert screen.focused is screen.search_input and screen.search_input.value == "lire"
        await pilot.press("escape")
        assert screen.search_input.value == "" and screen.focused is screen.search_input
        await pilot.press("escape")
        assert screen.focused is screen.goal_list


# --- the outbox -----------------------------------------------------------------------------------


class SwitchableTransport(httpx.AsyncBaseTransport):
    """The real in-process API behind a switch: ``down`` refuses every connection, as a stopped server."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.goal_posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "POST" and request.url.path.endswith("/collection/goals"):
            self.goal_posts += 1
        return await self.inner.handle_async_request(request)


@pytest.fixture
def switch(server_app) -> SwitchableTransport:
    return SwitchableTransport(httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50000)))


@pytest.fixture
def make_switched_app(config, switch, state_file):
    """A ``BanqoApp`` whose server can be stopped and started again (``switch.down``)."""
    from banqo_tui.app import BanqoApp
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore

    def make():
        async def factory():
            from banqo_tui.api.client import BanqoClient

            return BanqoClient("http://banqo.test", transport=switch, language=i18n.http_language(), retries=0)

        return BanqoApp(config, Connection(config, client_factory=factory), CredentialStore(state_file, timeout=5),
                        device=DEVICE)

    return make


async def test_a_goal_typed_while_the_server_is_down_is_kept_and_sent_once_when_it_is_back(
    make_switched_app, switch, memory_keyring
):
    app = make_switched_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        switch.down = True
        await pilot.press("n", *keys("Demander de l'aide #autonomie +Zoé"), "enter",
                          *keys("Ranger son matériel"), "enter")
        await pilot.pause(0.2)  # not settle(): the sender keeps trying in the background while the server is down
        assert screen.entry.value == ""  # safe in the outbox
        assert screen.focused is screen.entry.input
        assert count_text(screen).endswith("2 objectifs en attente d'envoi")
        assert "2 objectifs en attente d'envoi" in screen_text(app)
        assert len(app.outbox.pending()) == 2 and app.outbox.path.exists()

        switch.down = False
        await pilot.pause(1.3)  # the first retry comes after a second
        await settle(pilot)
        assert app.outbox.pending() == []
        assert count_text(screen) == "2 objectifs sur 2"
        assert row_texts(screen) == ["Ranger son matériel", "Demander de l'aide"]
        client = await app.api()
        goals = {goal.text: goal for goal in await client.collection.list()}
        assert sorted(goals) == ["Demander de l'aide", "Ranger son matériel"]
        [zoe] = await client.learners.list()
        help_goal = goals["Demander de l'aide"]
        assert zoe.first_name == "Zoé" and help_goal.learner_ids == [zoe.id] and help_goal.tags == ["autonomie"]
        assert any("envoyés au serveur" in entry.text for entry in app.messages.entries)


async def test_unsent_goals_survive_a_restart_and_are_sent_at_the_next_start(
    make_switched_app, switch, memory_keyring
):
    first = make_switched_app()
    async with first.run_test(size=SIZE) as pilot:
        await open_collection(pilot)
        switch.down = True
        await pilot.press("n", *keys("Nommer trois émotions #emotions"), "enter")
        await pilot.pause(0.2)
        assert len(first.outbox.pending()) == 1
    switch.down = False

    second = make_switched_app()  # the next run: the session resumes, the outbox is sent
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.screen.id == "summary-screen"
        await settle(pilot)
        assert second.outbox.pending() == []
        goals = await (await second.api()).collection.list()
        assert [(goal.text, goal.tags) for goal in goals] == [("Nommer trois émotions", ["emotions"])]
        assert switch.goal_posts == 1  # sent once


# --- search ---------------------------------------------------------------------------------------


async def test_search_ignores_accents_and_case_and_highlights_the_words(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        for text in ("L'élève lit un court texte", "Compter jusqu'à dix", "Chaque ÉLÈVE écrit son nom"):
            clock.advance(minutes=1)
            await client.collection.create(text)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        found = {}
        for query in ("eleve", "ÉLÈVE"):
            screen.search_input.value = query
            await settle(pilot, 2)
            found[query] = row_texts(screen)
            assert count_text(screen) == "2 objectifs sur 3"
        assert found["eleve"] == found["ÉLÈVE"] == ["Chaque ÉLÈVE écrit son nom", "L'élève lit un court texte"]
        strip = screen.goal_list.render_line(1)
        marked = [segment.text for segment in strip if segment.style and segment.style.bold and
                  segment.style.underline]
        assert marked == ["élève"]  # bold and underlined: readable without colour


async def test_search_box_filters_by_domain_and_tag(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        await client.collection.create("Lire une phrase", domain="lecture", tags=["oral"])
        clock.advance(minutes=1)
        await client.collection.create("Lire l'heure", domain="mathematique")
        clock.advance(minutes=1)
        await client.collection.create("Écrire une phrase", domain="ecriture", tags=["oral", "cahier"])
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        for query, expected in (
            ("@lec", ["Lire une phrase"]),
            ("lire @math", ["Lire l'heure"]),
            ("#or", ["Écrire une phrase", "Lire une phrase"]),
            ("#oral phrase @écri", ["Écrire une phrase"]),
            ("@cuisine", []),
        ):
            screen.search_input.value = query
            await settle(pilot, 2)
            assert row_texts(screen) == expected, query
        assert "Domaine inconnu : « @cuisine »" in count_text(screen)


# --- the bank -------------------------------------------------------------------------------------


async def test_a_catalogue_goal_is_added_with_one_key_and_marked(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_collection(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert screen.view == "bank"
        first_key = screen.goal_list.highlighted_key
        shipped = screen.bank.get(first_key)
        assert screen._describe(first_key) == ("", shipped.text)
        await pilot.press("a")
        await settle(pilot)
        assert screen._describe(first_key) == ("✓", shipped.text)
        assert "Déjà dans ma collection" in screen.detail_text(first_key)
        assert any("Ajouté à ma collection" in entry.text for entry in app.messages.entries)
        [goal] = await (await app.api()).collection.list()
        assert goal.source.catalogue_id == shipped.id and goal.language == "fr"
        assert goal.text == shipped.goal.text_fr
        await pilot.press("a")  # again: nothing twice
        await settle(pilot)
        assert len(await (await app.api()).collection.list()) == 1
        await pilot.press("b")
        await settle(pilot)
        assert row_texts(screen) == [shipped.goal.text_fr]
        assert "Source : copié de la banque" in screen.detail_text(screen.goal_list.highlighted_key)


# --- editing --------------------------------------------------------------------------------------


async def open_form(pilot, text: str):
    client = await pilot.app.api()
    goal = await client.collection.create(text, domain="lecture", tags=["lecture"])
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert pilot.app.screen.id == "goal-form-screen"
    no_blink(pilot.app)
    return goal


async def replace_field(pilot, name: str, text: str) -> None:
    field = pilot.app.screen.field(name)
    field.focus_input()
    field.value = ""
    await pilot.press(*keys(text))


async def test_editing_saves_the_fields_and_shows_errors_under_them(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        goal = await open_form(pilot, "Lire un texte")
        form = app.screen
        await replace_field(pilot, "tags", "bon mauvais!")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Étiquette « mauvais! »" in form.field("tags").error_text
        await replace_field(pilot, "tags", "lecture oral")
        await replace_field(pilot, "criterion", "4 fois sur 5")
        assert "il manque la méthode de mesure" in form.query_one("#goal-form-measurable").render().plain
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "collection-screen"
        saved = await (await app.api()).collection.get(goal.id)
        assert (saved.tags, saved.criterion, saved.version) == (["lecture", "oral"], "4 fois sur 5", 2)
        assert "#lecture #oral" in app.screen.detail_text(goal.id)


async def test_a_change_made_elsewhere_opens_the_conflict_dialog_and_nothing_is_lost(
    make_app, server_app, memory_keyring
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        goal = await open_form(pilot, "Lire un texte")
        await replace_field(pilot, "text", "Lire un texte à voix haute")
        tablet = await other_device(server_app)
        await tablet.collection.update(goal.id, goal.version, text="Lire un texte documentaire")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "conflict-screen"
        dialog = app.screen
        assert dialog.query_one("#conflict-theirs").text == "Lire un texte documentaire"
        assert dialog.query_one("#conflict-mine").text == "Lire un texte à voix haute"
        text = screen_text(app)
        assert "Recharger" in text and "Écraser" in text and "Continuer à modifier" in text

        await pilot.press("escape")  # continuer à modifier: my text is still in the form
        await settle(pilot)
        assert app.screen.id == "goal-form-screen"
        assert app.screen.field("text").value == "Lire un texte à voix haute"
        await pilot.press("ctrl+s")  # the other version has been seen: this save is made knowingly
        await settle(pilot)
        assert app.screen.id == "collection-screen"
        assert (await tablet.collection.get(goal.id)).text == "Lire un texte à voix haute"
        await tablet.aclose()


async def test_reload_takes_their_version_and_keeps_mine_in_the_clipboard(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        goal = await open_form(pilot, "Lire un texte")
        await replace_field(pilot, "text", "Ma version")
        tablet = await other_device(server_app)
        await tablet.collection.update(goal.id, goal.version, text="Leur version")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert form.id == "goal-form-screen"
        assert form.field("text").value == "Leur version"
        assert app.clipboard == "Ma version"
        assert not form.changed
        await pilot.press("escape")  # nothing changed since: closes without asking
        await settle(pilot)
        assert app.screen.id == "collection-screen"
        assert "Leur version" in row_texts(app.screen)
        await tablet.aclose()


async def test_overwrite_saves_mine_over_theirs(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        goal = await open_form(pilot, "Lire un texte")
        await replace_field(pilot, "text", "Ma version")
        tablet = await other_device(server_app)
        await tablet.collection.update(goal.id, goal.version, text="Leur version")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.id == "collection-screen"
        assert (await tablet.collection.get(goal.id)).text == "Ma version"
        await tablet.aclose()


async def test_escape_asks_before_dropping_changes(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_form(pilot, "Lire un texte")
        await replace_field(pilot, "text", "Lire un autre texte")
        await pilot.press("f2")  # navigation is off while the form holds unsaved text
        await settle(pilot)
        assert app.screen.id == "goal-form-screen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        await pilot.press("enter")  # the focused answer is the safe one: keep editing
        await settle(pilot)
        assert app.screen.id == "goal-form-screen"
        assert app.screen.field("text").value == "Lire un autre texte"


# --- deleting, tags, learners ---------------------------------------------------------------------


async def test_delete_then_undo(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        await client.collection.create("Garder", domain="lecture")
        clock.advance(minutes=1)
        await client.collection.create("Supprimer puis rétablir", domain="lecture")
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert row_texts(screen)[0] == "Supprimer puis rétablir"
        await pilot.press("d")
        await settle(pilot)
        assert row_texts(screen) == ["Garder"]
        assert [goal.text for goal in await client.collection.list()] == ["Garder"]
        assert any("U : annuler" in entry.text for entry in app.messages.entries)
        assert screen.check_action("undo", ()) is True
        await pilot.press("u")
        await settle(pilot)
        assert sorted(row_texts(screen)) == ["Garder", "Supprimer puis rétablir"]
        assert len(await client.collection.list()) == 2


async def test_tags_and_filing_under_a_new_learner_from_the_list(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        goal = await client.collection.create("Lire un texte")
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.id == "tags-dialog"
        await pilot.press(*keys("lecture, 1re"), "enter")
        await settle(pilot)
        assert app.screen is screen
        assert (await client.collection.get(goal.id)).tags == ["lecture", "1re"]

        await pilot.press("l")
        await settle(pilot)
        assert app.screen.id == "learner-picker"
        await pilot.press(*keys("Zoé"), "enter")
        await settle(pilot)
        assert app.screen is screen
        [zoe] = await client.learners.list()
        assert zoe.first_name == "Zoé"
        assert (await client.collection.get(goal.id)).learner_ids == [zoe.id]
        assert "Élèves : Zoé" in screen.detail_text(goal.id)


async def test_help_lists_the_keys_of_the_collection(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = "\n".join(app.screen.lines())
        for expected in ("Nouvel objectif", "Rechercher", "Ajouter à ma collection", "Modifier", "Supprimer",
                         "Annuler la suppression", "Classer sous un élève", "Complète le @domaine",
                         "F5       Ma collection", "F6       Élèves", "les plus récents en premier"):
            assert expected in text, expected


async def test_the_palette_offers_the_keys_of_the_view(make_app, memory_keyring):
    from .test_navigation import palette_texts

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot)
        texts = await palette_texts(pilot)
        for expected in ("Nouvel objectif", "Rechercher", "Modifier", "Classer sous un élève", "Aller à Élèves"):
            assert expected in texts, texts
        assert "Ajouter à ma collection" not in texts  # a key of « Banque »
        assert "Aller à Ma collection" not in texts  # already there


async def test_the_terminal_cursor_follows_the_highlighted_goal(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        for number in range(3):
            clock.advance(minutes=1)
            await client.collection.create(f"Objectif {number}")
        await pilot.press("f5")
        await settle(pilot)
        goal_list = app.screen.goal_list
        region = goal_list.scrollable_content_region
        assert app.cursor_position == (region.x, region.y)
        await pilot.press("down", "down")
        assert app.cursor_position == (region.x, region.y + 2)  # where a screen reader reads
        assert app.screen.goal_list.highlighted_key == app.screen.goal_list.rows[2]
