"""« Élèves »: first names only (the server's reasons under the field), « Léa 2 », renaming, deleting after
a confirmation, and each learner's goals with the first name filled in."""

from __future__ import annotations

import pytest

from .conftest import SIZE, keys, no_blink, settle
from .test_collection_screen import read_aloud
from .test_navigation import signed_up


async def open_learners(pilot):
    await signed_up(pilot)
    await pilot.press("f6")
    await settle(pilot)
    assert pilot.app.screen.id == "learners-screen"
    no_blink(pilot.app)
    return pilot.app.screen


async def add_learner(pilot, name: str) -> None:
    await pilot.press("n", *keys(name), "enter")
    await settle(pilot)


def learner_lines(screen) -> list[str]:
    listing = screen.learner_list
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Léa Tremblay", "Prénom seulement, sans nom de famille"),
        ("lea@exemple.ca", "Ceci ressemble à une adresse courriel"),
        ("514 555-1234", "Ceci ressemble à un numéro de téléphone"),
        ("12345", "Un prénom ne peut pas être fait seulement de chiffres"),
    ],
)
async def test_the_servers_reason_is_shown_under_the_field_and_the_text_kept(make_app, memory_keyring, typed,
                                                                            reason):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        await add_learner(pilot, typed)
        field = screen.name_field
        assert field.value == typed
        assert field.error_text.startswith("Erreur : " + reason), field.error_text
        assert reason in read_aloud(app)
        assert screen.focused is field.input
        assert learner_lines(screen) == []


async def test_a_second_lea_becomes_lea_2_and_the_screen_says_so(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        await add_learner(pilot, "Léa")
        assert screen.query_one("#learners-status").render().plain == "Léa fait maintenant partie de vos élèves."
        await add_learner(pilot, "léa")
        status = screen.query_one("#learners-status").render().plain
        assert status == "Ce prénom était déjà pris : BanqO a ajouté un chiffre, « Léa 2 »."
        assert learner_lines(screen) == ["Léa — 0 objectif", "Léa 2 — 0 objectif"]
        assert screen.highlighted_learner.first_name == "Léa 2"
        assert not screen.name_field.display


async def test_rename_and_delete_after_confirmation(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        await add_learner(pilot, "Noah")
        await pilot.press("r")
        assert screen.name_field.value == "Noah"
        screen.name_field.value = ""
        await pilot.press(*keys("Noé"), "enter")
        await settle(pilot)
        assert learner_lines(screen) == ["Noé — 0 objectif"]
        assert screen.query_one("#learners-status").render().plain == "Renommé : Noé."

        await pilot.press("d")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        text = read_aloud(app)
        assert "Supprimer Noé?" in text
        assert "Les objectifs eux-mêmes restent dans « Ma collection »." in text
        await pilot.press("enter")  # the safe answer has the focus
        await settle(pilot)
        assert learner_lines(screen) == ["Noé — 0 objectif"]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert learner_lines(screen) == []
        assert await (await app.api()).learners.list() == []


async def test_a_rename_made_elsewhere_opens_the_conflict_dialog(make_app, server_app, memory_keyring):
    from .test_collection_screen import other_device

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        await add_learner(pilot, "Noah")
        await pilot.press("r")
        screen.name_field.value = "Nolan"
        tablet = await other_device(server_app)
        [noah] = await tablet.learners.list()
        await tablet.learners.rename(noah.id, noah.version, "Noam")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "conflict-screen"
        assert app.screen.query_one("#conflict-theirs").text == "Noam"
        assert app.screen.query_one("#conflict-mine").text == "Nolan"
        await pilot.press("e")  # mine over theirs
        await settle(pilot)
        assert [learner.first_name for learner in await tablet.learners.list()] == ["Nolan"]
        await tablet.aclose()


async def test_the_sub_collection_shows_the_first_name_filled_in(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        client = await app.api()
        await client.learners.create("Léa")
        lea2 = await client.learners.create("Léa")
        first = await client.collection.create("{prénom} lit une phrase à voix haute.", learner_ids=[lea2.id])
        clock.advance(minutes=1)
        await client.collection.create("{prénom} compte jusqu'à 20.")
        screen.load()
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert screen.highlighted_learner.first_name == "Léa 2"
        assert [goal.text for goal in screen.goals] == ["Léa lit une phrase à voix haute."]
        assert "Léa lit une phrase à voix haute." in read_aloud(app)
        assert "Objectifs de Léa 2 : 1 objectif" in read_aloud(app)

        # F: file a goal of « Ma collection » (search, Enter), then Escape.
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.id == "goal-picker-screen"
        await pilot.press(*keys("compte"), "enter", "enter", "escape")
        await settle(pilot)
        assert app.screen is screen
        assert [goal.text for goal in screen.goals] == ["Léa lit une phrase à voix haute.", "Léa compte jusqu'à 20."]

        # X: out of the folder (the goal stays in the collection).
        await pilot.press("enter")
        assert screen.focused is screen.goal_list
        await pilot.press("x")
        await settle(pilot)
        assert [goal.text for goal in screen.goals] == ["Léa compte jusqu'à 20."]
        assert len(await client.collection.list()) == 2
        assert (await client.collection.get(first.id)).learner_ids == []


async def test_names_typed_in_one_burst_land_in_the_field(make_app, memory_keyring):
    from .test_collection_screen import send_burst

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learners(pilot)
        send_burst(app, ["n", *keys("Léa"), "enter"])
        await settle(pilot, 10)
        send_burst(app, ["n", *keys("Noah"), "enter", "r", *keys("x"), "escape"])
        await settle(pilot, 10)
        assert learner_lines(screen) == ["Léa — 0 objectif", "Noah — 0 objectif"]
        assert not screen.name_field.display and screen.focused is screen.learner_list


async def test_the_footer_may_ask_for_the_keys_before_the_screen_is_composed(make_app, memory_keyring):
    """A fast F6 (typed-ahead, over SSH): the footer asked for the keys of a screen not yet composed, and the app
    stopped on « No nodes match '#learner-name' »."""
    from banqo_tui.screens.collection import CollectionScreen
    from banqo_tui.screens.learners import LearnersScreen

    app = make_app()
    async with app.run_test(size=(80, 24)):
        assert LearnersScreen().check_action("add", ()) is False
        assert CollectionScreen().check_action("submit_entry", ()) is False
