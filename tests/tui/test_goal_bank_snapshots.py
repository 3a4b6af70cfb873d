"""80×24 pictures of « Ma collection » and « Élèves » (``pytest --snapshot-update`` to accept a deliberate change)."""

from __future__ import annotations

from .conftest import SIZE, keys, no_blink, settle
from .test_navigation import signed_up


def test_collection_screen(snap_compare, make_app, memory_keyring, clock):
    async def ready(pilot) -> None:
        await signed_up(pilot)
        client = await pilot.app.api()
        lea = await client.learners.create("Léa")
        for text, domain, tags in (
            ("Lire un court texte à voix haute sans erreur 4 fois sur 5, selon une grille", "lecture", ["oral"]),
            ("Écrire une phrase complète avec une majuscule et un point", "ecriture", []),
            ("Attendre son tour pour parler en groupe", "comportement", ["groupe"]),
            ("Lire l'heure sur une horloge à aiguilles, 8 fois sur 10", "mathematique", []),
        ):
            clock.advance(minutes=1)
            await client.collection.create(text, domain=domain, tags=tags, learner_ids=[lea.id])
        await pilot.press("f5")
        await settle(pilot)
        no_blink(pilot.app)
        await pilot.press("slash", *keys("lire"), "enter", "down")
        await pilot.press("n", *keys("Nommer trois émotions #emo"))
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready)


def test_learners_screen(snap_compare, make_app, memory_keyring, clock):
    async def ready(pilot) -> None:
        await signed_up(pilot)
        client = await pilot.app.api()
        await client.learners.create("Léa")
        lea2 = await client.learners.create("Léa")
        await client.learners.create("Noah")
        for text in ("{prénom} lit un court texte à voix haute sans erreur, 4 fois sur 5.",
                     "{prénom} attend son tour pour parler en groupe, selon une grille d'observation."):
            clock.advance(minutes=1)
            await client.collection.create(text, learner_ids=[lea2.id])
        await pilot.press("f6")
        await settle(pilot)
        no_blink(pilot.app)
        await pilot.press("down", "enter")
        await pilot.press("n", *keys("Léa Tremblay"), "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready)
