"""« Plans » and one plan at 80×24 against the real API in-process: a plan started from « Élèves » with the
learner's sub-collection, its sections by digit, the advice past five active objectives, a closed plan and a
review's snapshot read-only, the renewal, a change made elsewhere while editing (412), the résumé's plans to
review, and F7."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from banqo_tui.api.models import (
    PlanCreate,
    PlanGoalPatch,
    PlanPatch,
    PlanState,
    PrioritisedItem,
    ReviewCreate,
    ReviewDecisionCreate,
    ReviewDecisionKind,
)

from .conftest import SIZE, keys, settle
from .test_collection_screen import other_device, read_aloud, screen_text
from .test_navigation import signed_up

GOALS = (
    "{prénom} lit un court texte à voix haute sans erreur, 4 fois sur 5.",
    "{prénom} attend son tour pour parler en groupe, selon une grille d'observation.",
)


async def lea_with_goals(pilot, server_app, goals=GOALS):
    """Signed up in the app; « Léa » and her sub-collection made through the API (another device of the account)."""
    await signed_up(pilot)
    tablet = await other_device(server_app)
    lea = await tablet.learners.create("Léa")
    for text in goals:
        await tablet.collection.create(text, learner_ids=[lea.id])
    return tablet, lea


async def lea_plan(pilot, server_app, goals=GOALS, **fields):
    """Léa's plan made through the API from her whole sub-collection."""
    tablet, lea = await lea_with_goals(pilot, server_app, goals)
    filed = await tablet.learners.goals(lea.id)
    plan = await tablet.plans.create(PlanCreate(learner_id=lea.id, goal_ids=[goal.goal.id for goal in filed],
                                                **fields))
    return tablet, plan


async def open_plan(pilot, plan_id: str):
    """F7, then Enter on the plan."""
    app = pilot.app
    await pilot.press("f7")
    await settle(pilot)
    assert app.screen.id == "plans-screen"
    listing = app.screen.plan_list
    listing.highlighted = next(i for i, plan in enumerate(app.screen.plans) if plan.id == plan_id)
    await pilot.press("enter")
    await settle(pilot)
    assert app.screen.id == "plan-screen"
    return app.screen


def goal_texts(screen) -> list[str]:
    return [row.goal.text for row in screen.goal_rows if row is not None]


def footer_text(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_p_on_lea_starts_a_plan_prefilled_with_her_folder(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, lea = await lea_with_goals(pilot, server_app)
        await pilot.press("f6")
        await settle(pilot)
        assert "p Plan d'intervention" in footer_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.id == "new-plan-dialog"
        filed = await tablet.learners.goals(lea.id)
        assert sorted(app.screen.query_one("#new-plan-goals").selected) == sorted(goal.goal.id for goal in filed)
        text = read_aloud(app)
        assert "Pré-rempli avec son dossier : 2 objectifs, tous cochés." in text
        assert "Élève Léa" in text and "Léa lit un court texte" in text

        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert screen.id == "plan-screen"
        assert sorted(goal_texts(screen)) == sorted(text.replace("{prénom}", "Léa") for text in GOALS)
        text = read_aloud(app)
        assert "Plan d'intervention de Léa" in text and "Prénom : Léa" in text and "État : Brouillon" in text
        [plan] = await tablet.plans.list(learner_id=lea.id)
        assert (plan.goal_count, plan.learner_first_name) == (2, "Léa")

        await pilot.press("escape")  # Léa's plans: the new one listed
        await settle(pilot)
        assert app.screen.id == "plans-screen"
        assert app.screen.query_one("#plans-title").render().plain == "Plans de Léa"
        assert [plan.id for plan in app.screen.plans] == [plan.id]
        await pilot.press("escape", "p")  # a plan exists now: P lists it, no dialog
        await settle(pilot)
        assert app.screen.id == "plans-screen" and len(app.screen_stack) == 4
        assert app.check_action("plans", ()) is True  # everyone's plans, from one learner's
        await pilot.press("f7")
        await settle(pilot)
        assert (app.screen.id, app.screen.learner_id, len(app.screen_stack)) == ("plans-screen", None, 3)
        await tablet.aclose()


async def test_the_digits_bring_each_section_to_the_top_with_the_focus(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app)
        screen = await open_plan(pilot, plan.id)
        headings = ["Identification", "Participants", "Forces", "Besoins", "Mesures d'adaptation et de modification",
                    "Objectifs", "Suivi", "Révisions"]
        for number in (6, 2, 8, 1, 5, 3, 7, 4):
            await pilot.press(str(number))
            await settle(pilot)
            section = screen.query_one(f"#plan-section-{number}")
            assert section in app.focused.ancestors_with_self, (number, app.focused)
            heading = f"{number} · {headings[number - 1]}"
            assert heading in screen_text(app), number
            if number <= 6:  # the last sections cannot scroll higher than the end of the plan
                assert section.region.y == screen.body.region.y, number
        await pilot.press("6")
        await settle(pilot)
        assert app.focused is screen.goal_list
        await pilot.press("down")
        await settle(pilot)
        assert "7 · Suivi — objectif 2" in read_aloud(app)
        await pilot.press("enter")  # Enter on an objective: its form
        await settle(pilot)
        assert app.screen.id == "plan-goal-form"
        assert app.screen.query_one("#plan-goal-text").value == goal_texts(screen)[1]
        await tablet.aclose()


async def test_more_than_five_active_objectives_bring_the_ministry_s_advice(make_app, server_app, memory_keyring):
    advice = ("Plus de cinq objectifs actifs : le guide du ministère recommande peu d'objectifs, travaillés "
              "systématiquement.")
    goals = [f"{{prénom}} lit la liste de mots numéro {number}." for number in range(1, 7)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app, goals[:5])
        screen = await open_plan(pilot, plan.id)
        await pilot.press("6")
        await settle(pilot)
        assert "5 objectifs, 5 actifs" in read_aloud(app)
        assert advice not in read_aloud(app)

        sixth = await tablet.collection.create(goals[5], learner_ids=[plan.learner_id])
        from banqo_tui.api.models import PlanGoalCreate

        await tablet.plans.add_goal(plan.id, PlanGoalCreate(goal_id=sixth.id))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(goal_texts(screen)) == 6
        assert advice in read_aloud(app)
        await tablet.aclose()


async def test_a_closed_plan_reads_without_edit_keys_and_says_how_to_reopen(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app)
        closed = await tablet.plans.update(plan.id, plan.version, PlanPatch(state=PlanState.CLOSED))
        screen = await open_plan(pilot, plan.id)
        assert "Ce plan est fermé : il se lit sans se modifier. S : le rouvrir." in read_aloud(app)
        for action in ("add_goal", "edit_goal", "progress", "remove_goal", "review", "renew", "edit_strengths",
                       "edit_needs", "edit_measures", "edit_participants", "edit_identification"):
            assert screen.check_action(action, ()) is False, action
        footer = footer_text(app)
        assert "Ajouter un objectif" not in footer and "Noter un progrès" not in footer
        for key in ("a", "e", "p", "f", "enter"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen, key
        assert "Aucune force indiquée." in read_aloud(app) and "F : les écrire" not in read_aloud(app)

        await pilot.press("s")  # the state: only « En cours » from a closed plan
        await settle(pilot)
        assert app.screen.id == "choice-picker"
        picker = app.screen.query_one("#choice-picker-list")
        assert [picker.get_option_at_index(i).prompt.plain for i in range(picker.option_count)] == ["En cours"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        reopened = await tablet.plans.get(plan.id)
        assert (reopened.state, reopened.version) == (PlanState.ACTIVE, closed.version + 1)
        assert screen.check_action("add_goal", ()) is True
        assert "Ajouter un objectif" in footer_text(app)
        await tablet.aclose()


async def test_a_review_s_snapshot_is_read_only_and_keeps_the_texts_as_they_stood(make_app, server_app,
                                                                                   memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app, GOALS[:1])
        plan = await tablet.plans.update(plan.id, plan.version, PlanPatch(
            state=PlanState.ACTIVE, strengths=[PrioritisedItem(text="Aime les histoires", priority=1)]
        ))
        [goal] = await tablet.plans.goals(plan.id)
        review = await tablet.plans.review(plan.id, plan.version, ReviewCreate(decisions=[
            ReviewDecisionCreate(plan_goal_id=goal.id, decision=ReviewDecisionKind.CONTINUE, note="Bon départ")
        ]))
        # Later edits: the plan changes, the snapshot does not.
        goal = await tablet.plans.get_goal(plan.id, goal.id)
        await tablet.plans.update_goal(plan.id, goal.id, goal.version,
                                       PlanGoalPatch(text="Léa lit un texte de deux pages sans erreur."))
        plan = await tablet.plans.get(plan.id)
        await tablet.plans.update(plan.id, plan.version, PlanPatch(
            strengths=[PrioritisedItem(text="Curieuse", priority=1)]
        ))

        screen = await open_plan(pilot, plan.id)
        assert goal_texts(screen) == ["Léa lit un texte de deux pages sans erreur."]
        await pilot.press("8")
        await settle(pilot)
        assert "Révision n° 1 du" in read_aloud(app) and "Poursuivre tel quel — Bon départ" in read_aloud(app)
        await pilot.press("enter")
        await settle(pilot)
        snapshot = app.screen
        assert snapshot.id == "plan-snapshot-screen"
        text = read_aloud(app)
        assert f"Instantané de la révision n° 1 du {snapshot.snapshot.review.held_on.day}" in text
        assert "— lecture seule" in text
        assert goal_texts(snapshot) == ["Léa lit un court texte à voix haute sans erreur, 4 fois sur 5."]
        await pilot.press("3")
        await settle(pilot)
        assert "1. Aime les histoires" in read_aloud(app) and "Curieuse" not in read_aloud(app)
        assert review.id == snapshot.snapshot.review.id
        for action in ("add_goal", "edit_goal", "progress", "remove_goal", "review", "renew", "state",
                       "edit_strengths", "edit_measures"):
            assert snapshot.check_action(action, ()) is False, action
        footer = footer_text(app)
        assert "Modifier l'objectif" not in footer and "Noter un progrès" not in footer
        for key in ("e", "p", "a", "v", "s", "f", "c"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is snapshot, key

        await pilot.press("x")  # the snapshot's export
        await settle(pilot)
        from banqo_tui.screens.plan_export_dialog import PlanExportDialog

        assert isinstance(app.screen, PlanExportDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # back to the plan as it is now
        await settle(pilot)
        assert app.screen is screen
        await tablet.aclose()


async def test_renewal_opens_next_year_s_plan_with_the_objectives_still_in_progress(make_app, server_app,
                                                                                     memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app)
        plan = await tablet.plans.update(plan.id, plan.version, PlanPatch(state=PlanState.ACTIVE))
        reached, continued = sorted(await tablet.plans.goals(plan.id), key=lambda goal: goal.position)
        await tablet.plans.review(plan.id, plan.version, ReviewCreate(decisions=[
            ReviewDecisionCreate(plan_goal_id=reached.id, decision=ReviewDecisionKind.REACHED),
            ReviewDecisionCreate(plan_goal_id=continued.id, decision=ReviewDecisionKind.CONTINUE),
        ]))
        old = await open_plan(pilot, plan.id)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        text = read_aloud(app)
        assert "Reconduire le plan de Léa?" in text and "garde son identité et tout son historique" in text
        assert "Ce plan-ci sera fermé" in text
        await pilot.press("tab", "enter")
        await settle(pilot)
        renewed = app.screen
        assert renewed.id == "plan-screen" and renewed is not old and renewed.plan.id != plan.id
        assert renewed.plan.previous_plan_id == plan.id
        [carried] = [row.goal for row in renewed.goal_rows if row is not None]
        assert (carried.lineage_id, carried.text) == (continued.lineage_id, continued.text)
        assert "Ce plan reconduit celui de l'année précédente" in read_aloud(app)
        assert (await tablet.plans.get(plan.id)).state is PlanState.CLOSED
        await tablet.aclose()


async def test_a_change_made_elsewhere_while_editing_opens_the_conflict_dialog_and_loses_nothing(
    make_app, server_app, memory_keyring
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app)
        await open_plan(pilot, plan.id)
        await pilot.press("f")
        await settle(pilot)
        editor = app.screen
        assert editor.id == "plan-strengths-editor"
        area = editor.query_one("#plan-items-text")
        assert app.focused is area
        await pilot.press(*keys("1. Lit avec plaisir"))
        await settle(pilot)
        # Meanwhile, on the tablet:
        await tablet.plans.update(plan.id, plan.version, PlanPatch(
            strengths=[PrioritisedItem(text="Aime les casse-têtes", priority=1)]
        ))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "conflict-screen"
        assert app.screen.query_one("#conflict-theirs").text == "1. Aime les casse-têtes"
        assert app.screen.query_one("#conflict-mine").text == "1. Lit avec plaisir"
        await pilot.press("escape")  # « Continuer à modifier »: my text is still in the editor
        await settle(pilot)
        assert app.screen is editor and area.text == "1. Lit avec plaisir"
        area.insert("\n2. Aime les casse-têtes")
        await pilot.press("ctrl+s")  # knowingly, over the version now seen
        await settle(pilot)
        assert app.screen.id == "plan-screen"
        saved = await tablet.plans.get(plan.id)
        assert [(item.priority, item.text) for item in saved.strengths] == [
            (1, "Lit avec plaisir"), (2, "Aime les casse-têtes")
        ]
        assert "1. Lit avec plaisir" in read_aloud(app)

        await pilot.press("f")  # « Écraser » sends mine over theirs
        await settle(pilot)
        editor = app.screen
        editor.query_one("#plan-items-text").text = "1. Persévère"
        current = await tablet.plans.get(plan.id)
        await tablet.plans.update(plan.id, current.version, PlanPatch(
            needs=[PrioritisedItem(text="Lire à voix haute", priority=1)]
        ))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "conflict-screen"
        await pilot.press("e")
        await settle(pilot)
        saved = await tablet.plans.get(plan.id)
        assert [item.text for item in saved.strengths] == ["Persévère"]
        assert [item.text for item in saved.needs] == ["Lire à voix haute"]  # theirs, in another field, kept
        await tablet.aclose()


async def test_the_resume_lists_the_plans_to_review_and_enter_opens_one(make_app, server_app, memory_keyring, clock):
    clock.now = datetime.now(UTC).replace(microsecond=0)  # the server's today is the terminal's
    today = date.today()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, lea = await lea_with_goals(pilot, server_app)
        noah = await tablet.learners.create("Noah")
        soon = await tablet.plans.create(PlanCreate(learner_id=lea.id, review_due_on=today + timedelta(days=10)))
        late = await tablet.plans.create(PlanCreate(
            learner_id=noah.id, opened_on=today - timedelta(days=60), review_due_on=today - timedelta(days=3)
        ))
        await tablet.plans.create(PlanCreate(learner_id=noah.id, review_due_on=today + timedelta(days=90)))
        await pilot.press("r")
        await settle(pilot)
        text = read_aloud(app)
        assert "Plans à réviser" in text
        assert "Noah — Plan d'intervention — révision le" in text and "en retard" in text
        assert "Léa — Plan d'intervention — révision le" in text and "dans 10 jours" in text
        assert text.index("Noah — Plan") < text.index("Léa — Plan")  # soonest first
        assert "Plans à réviser d'ici 30 jours : 1" in text and "Plans en retard : 1" in text

        await pilot.press("p")  # to the list
        await settle(pilot)
        listing = app.screen.query_one("#plans-due")
        assert app.focused is listing
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "plan-screen" and app.screen.plan.id == late.id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary-screen"
        await pilot.press("p", "down", "enter")
        await settle(pilot)
        assert app.screen.plan.id == soon.id
        await tablet.aclose()


async def test_f7_opens_the_plans_but_in_settings_it_still_changes_tab(make_app, memory_keyring):
    from textual.widgets import TabbedContent

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert "F7 Plans" in footer_text(app)
        await pilot.press("f7")
        await settle(pilot)
        assert app.screen.id == "plans-screen"
        assert "Aucun plan. N : commencer un plan (ou, dans « Élèves », P sur un élève)." in read_aloud(app)
        assert "F7 Plans" not in footer_text(app)  # already there
        assert len(app.screen_stack) == 3  # above the résumé
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary-screen"

        await pilot.press("f3")
        await settle(pilot)
        tabs = app.screen.query_one("#settings-tabs", TabbedContent)
        await pilot.press("f8", "f8")
        await settle(pilot)
        assert tabs.active == "settings-enrolment"
        await pilot.press("f7")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert tabs.active == "settings-security"


async def test_deleting_a_plan_says_what_goes_and_a_change_made_elsewhere_stops_it(make_app, server_app,
                                                                                    memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, plan = await lea_plan(pilot, server_app)
        annex = await tablet.plans.create(PlanCreate(learner_id=plan.learner_id, kind="transition",
                                                     parent_plan_id=plan.id))
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        text = read_aloud(app)
        assert "Léa — Plan d'intervention — Brouillon — révision non prévue" in text
        assert "Léa — Plan de transition (TEVA) — Brouillon" in text
        screen.plan_list.highlighted = next(i for i, item in enumerate(screen.plans) if item.id == plan.id)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        text = read_aloud(app)
        assert "Supprimer le plan de Léa?" in text
        assert "2 objectifs, leurs mesures de progrès et 0 révision" in text
        assert "Son annexe, le plan de transition, sera supprimée aussi." in text
        assert "Les objectifs restent dans « Ma collection » et dans le dossier de Léa." in text

        # Meanwhile, on the tablet: the plan changes. The deletion names the version read: nothing goes.
        await tablet.plans.update(plan.id, plan.version, PlanPatch(state=PlanState.ACTIVE))
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert any("Ce plan a été modifié ailleurs : rien n'est supprimé." in entry.text
                   for entry in app.messages.entries)
        assert {item.id for item in await tablet.plans.list()} == {plan.id, annex.id}
        assert "Léa — Plan d'intervention — En cours" in read_aloud(app)  # read again

        screen.plan_list.highlighted = next(i for i, item in enumerate(screen.plans) if item.id == plan.id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert await tablet.plans.list() == []
        assert screen.plans == []
        assert "Aucun plan. N : commencer un plan" in read_aloud(app)
        await tablet.aclose()


async def test_a_transition_annex_starts_from_the_teva_goals_and_groups_them_by_sphere(make_app, server_app,
                                                                                        memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tablet, lea = await lea_with_goals(pilot, server_app, GOALS[:1])
        job = await tablet.collection.create("{prénom} remplit une demande d'emploi.", domain="teva-emploi",
                                             learner_ids=[lea.id])
        bus = await tablet.collection.create("{prénom} lit un horaire d'autobus.", domain="teva-transport",
                                             learner_ids=[lea.id])
        main = await tablet.plans.create(PlanCreate(learner_id=lea.id))
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "new-plan-dialog"
        assert not dialog.query_one("#new-plan-parent").display
        dialog.query_one("#new-plan-kind-select").value = "transition"
        await settle(pilot)
        assert dialog.query_one("#new-plan-parent").display
        assert dialog.query_one("#new-plan-parent-select").value == main.id
        assert sorted(dialog.query_one("#new-plan-goals").selected) == sorted([job.id, bus.id])
        assert "ceux d'une sphère de la TEVA sont cochés" in read_aloud(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert screen.id == "plan-screen" and screen.plan.parent_plan_id == main.id
        await pilot.press("6")
        await settle(pilot)
        text = read_aloud(app)
        # Under their spheres' headings (numbered in the plan's order, which follows the folder's).
        assert re.search(r"— Intégration socioprofessionnelle et emploi — (▸ )?[12]\. Léa remplit une demande", text)
        assert re.search(r"— Transport — (▸ )?[12]\. Léa lit un horaire d'autobus\.", text)
        assert re.search(r"7 · Suivi — objectif [12]", read_aloud(app))  # a sphere's heading is not an objective
        await pilot.press("1")
        await settle(pilot)
        assert "Annexe du plan d'intervention ouvert le" in read_aloud(app)
        await pilot.press("o")  # its intervention plan
        await settle(pilot)
        assert app.screen.id == "plan-screen" and app.screen.plan.id == main.id
        assert "Ce plan a une annexe : un plan de transition. O : ouvrir le plan lié." in read_aloud(app)
        await tablet.aclose()
