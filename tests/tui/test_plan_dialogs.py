"""The plan dialogs at 80×24, by keyboard, on the real API in-process: adding objectives (from Léa's
sub-collection, or written there and then), refusals under their fields with nothing typed lost, a change made
elsewhere (412) never overwritten silently, progress entries, a review with one decision per objective, and the
export to a file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from banqo_tui import i18n
from banqo_tui.api.models import (
    PlanCreate,
    PlanGoalCreate,
    PlanGoalPatch,
    PlanKind,
    PlanPatch,
    PlanState,
    ProgressEntryCreate,
    ProgressUnit,
    ReviewCreate,
    ReviewDecisionCreate,
    ReviewDecisionKind,
    TevaSphere,
)
from banqo_tui.screens.plan_export_dialog import PlanExportDialog
from banqo_tui.screens.plan_goal_form import PlanGoalForm
from banqo_tui.screens.plan_progress_form import ProgressEntryForm
from banqo_tui.screens.plan_review_form import ReviewForm
from banqo_tui.widgets.field import Field

from .conftest import SIZE, keys, settle, type_into
from .test_collection_screen import other_device, read_aloud
from .test_navigation import signed_up
from .test_sessions import notices
from .test_settings_privacy import Cable

READS = "{prénom} lit un court texte de son niveau."
ASKS = "{prénom} demande de l'aide quand il le faut."


@pytest.fixture
def cable(server_app: Any) -> Cable:
    return Cable(httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50000)))


@pytest.fixture
def make_connection(cable: Cable, config: Any) -> Any:
    """The app's connection goes through ``cable``, which a test can unplug."""
    from banqo_tui.connection import Connection

    def make() -> Any:
        async def factory() -> Any:
            from banqo_tui.api.client import BanqoClient

            return BanqoClient("http://banqo.test", transport=cable, language=i18n.http_language(), retries=0)

        return Connection(config, client_factory=factory)

    return make


class Lea:
    """Léa, two goals in her sub-collection, and a plan opened on 2 Nov. 2026 (the test server's today) that
    starts with the first."""

    async def start(self, pilot: Any, *, active: bool = False) -> Lea:
        app = await signed_up(pilot)
        self.app = app
        self.client = client = await app.api()
        self.learner = await client.learners.create("Léa")
        self.reads = await client.collection.create(READS, learner_ids=[self.learner.id])
        self.asks = await client.collection.create(ASKS, learner_ids=[self.learner.id])
        self.plan = await client.plans.create(PlanCreate(learner_id=self.learner.id, goal_ids=[self.reads.id]))
        if active:
            self.plan = await client.plans.update(self.plan.id, self.plan.version, PlanPatch(state=PlanState.ACTIVE))
        return self

    async def goals(self) -> list[Any]:
        return await self.client.plans.goals(self.plan.id)

    async def open(self, pilot: Any, dialog: Any) -> list[Any]:
        """Open ``dialog`` over the current screen; the list receives what it answers."""
        answers: list[Any] = []
        self.app.push_screen(dialog, answers.append)
        await settle(pilot)
        return answers


def field(app: Any, field_id: str) -> Field:
    return app.screen.query_one(f"#{field_id}", Field)


def status(app: Any) -> str:
    return app.screen.query_one(".plan-form--status").render().plain


async def settle_refused(pilot: Any) -> None:
    """``settle`` after a save the server refuses: the saving worker ends in error (the refusal is shown on
    screen, not raised), which waiting for it would raise again."""
    from textual.worker import WorkerFailed

    for _ in range(6):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()


async def focus(pilot: Any, selector: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()


# --- objectives ----------------------------------------------------------------------------------------------


async def test_an_objective_from_the_sub_collection_then_one_written_there_and_then(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        sub_collection = await lea.client.learners.goals(lea.learner.id)
        answers = await lea.open(pilot, PlanGoalForm(lea.plan, learner_goals=sub_collection,
                                                     taken_goal_ids={lea.reads.id}))
        assert app.screen.id == "plan-goal-form"
        text = read_aloud(app)
        assert "Ajouter un objectif au plan de Léa" in text
        assert "Léa demande de l'aide quand il le faut." in text
        assert "Léa lit un court texte" not in text  # already in the plan
        assert not field(app, "plan-goal-text").display  # a goal of the list is chosen

        # Enter takes the highlighted goal and goes on to the means (one per line).
        await pilot.press("enter")
        assert app.screen.focused.id == "plan-goal-means-text"
        await pilot.press(*keys("Tutorat par un pair"), "enter", *keys("Pictogrammes au pupitre"))
        await focus(pilot, "#plan-goal-role-resource_teacher")
        await pilot.press("space")
        await focus(pilot, "#plan-goal-role-other")
        await pilot.press("space")
        await settle(pilot)
        await type_into(pilot, "plan-goal-other-role", "Ergothérapeute")
        await pilot.press("enter")  # on to « Échéance »
        await pilot.press(*keys("15/06/2027"))
        await settle(pilot)
        assert field(app, "plan-goal-deadline").error_text == "mardi 15 juin 2027"  # the date read, in words
        await pilot.press("enter", *keys("Observation en classe"), "enter", *keys("4 fois sur 5"), "enter")
        await settle(pilot)
        await type_into(pilot, "plan-goal-target", "80")
        await pilot.press("enter")  # the last field: saves
        await settle(pilot)

        [added] = answers
        assert added.text == "Léa demande de l'aide quand il le faut."
        assert added.goal_id == lea.asks.id
        assert added.means == ["Tutorat par un pair", "Pictogrammes au pupitre"]
        assert [(p.role.value, p.other_role) for p in added.responsible_roles] == [
            ("resource_teacher", None), ("other", "Ergothérapeute")]
        assert added.deadline == date(2027, 6, 15)
        assert (added.evaluation, added.criterion, added.target) == ("Observation en classe", "4 fois sur 5", 80)

        # A new one, written there and then: the form says where it goes, and stays to say what it lacks.
        answers = await lea.open(pilot, PlanGoalForm(lea.plan, learner_goals=sub_collection,
                                                     taken_goal_ids={lea.reads.id}))
        await pilot.press("down")
        assert field(app, "plan-goal-text").display
        assert "Il sera aussi ajouté à « Ma collection » et classé sous Léa." in read_aloud(app)
        await pilot.press("enter")
        assert app.screen.focused is field(app, "plan-goal-text").input
        await pilot.press(*keys("Léa range son matériel à la fin de la journée."))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "plan-goal-form"
        assert "Objectif enregistré. À préciser : il manque le critère de réussite et la méthode de mesure. " \
               "À préciser : il manque l'échéance." in status(app)
        await pilot.press("escape")
        await settle(pilot)
        [written] = answers
        assert written.text == "Léa range son matériel à la fin de la journée."
        assert written.gaps
        in_collection = [goal.text for goal in await lea.client.collection.list()]
        assert "Léa range son matériel à la fin de la journée." in in_collection
        filed = [entry.goal.id for entry in await lea.client.learners.goals(lea.learner.id)]
        assert written.goal_id in filed
        assert [goal.text for goal in await lea.goals()] == [
            "Léa lit un court texte de son niveau.",
            "Léa demande de l'aide quand il le faut.",
            "Léa range son matériel à la fin de la journée.",
        ]


async def test_a_deadline_before_the_opening_is_refused_under_echeance_and_nothing_typed_is_lost(
    make_app, memory_keyring
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        answers = await lea.open(pilot, PlanGoalForm(lea.plan))  # nothing left to take: write one
        assert app.screen.focused is field(app, "plan-goal-text").input
        await pilot.press(*keys("Léa lit l'heure."), "tab", *keys("Horloge au mur"))
        await type_into(pilot, "plan-goal-deadline", "2026-10-01")
        await type_into(pilot, "plan-goal-criterion", "3 fois sur 4")
        await pilot.press("ctrl+s")
        await settle_refused(pilot)

        assert answers == []
        deadline = field(app, "plan-goal-deadline")
        assert deadline.error_text == "Erreur : L'échéance précède l'ouverture du plan."
        assert app.screen.focused is deadline.input
        assert "L'échéance précède l'ouverture du plan." in read_aloud(app)
        assert field(app, "plan-goal-text").value == "Léa lit l'heure."
        assert field(app, "plan-goal-means").value == "Horloge au mur"
        assert field(app, "plan-goal-criterion").value == "3 fois sur 4"
        assert "ce que vous avez tapé est encore là" in status(app)

        # An unreadable date is said before asking the server.
        deadline.value = ""
        await type_into(pilot, "plan-goal-deadline", "le 15 juin")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert deadline.error_text == "Erreur : Date attendue : AAAA-MM-JJ ou JJ/MM/AAAA."
        assert len(await lea.goals()) == 1


async def test_an_objective_changed_elsewhere_opens_the_conflict_dialog_and_keeps_my_means(
    make_app, server_app, memory_keyring
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        [reads] = await lea.goals()
        answers = await lea.open(pilot, PlanGoalForm(lea.plan, reads))
        assert "Modifier l'objectif — plan de Léa" in read_aloud(app)
        await focus(pilot, "#plan-goal-means-text")
        await pilot.press(*keys("Lecture guidée"), "enter", *keys("Livres adaptés"))

        tablet = await other_device(server_app)
        await tablet.plans.update_goal(lea.plan.id, reads.id, reads.version, PlanGoalPatch(criterion="9 sur 10"))
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen.id == "conflict-screen"
        assert "Lecture guidée; Livres adaptés" in app.screen.query_one("#conflict-mine").text
        assert "9 sur 10" in app.screen.query_one("#conflict-theirs").text
        await pilot.press("escape")  # « Continuer à modifier »
        await settle(pilot)
        assert app.screen.id == "plan-goal-form"
        assert field(app, "plan-goal-means").value == "Lecture guidée\nLivres adaptés"

        await pilot.press("ctrl+s")  # knowingly, over the version now seen
        await settle(pilot)
        assert status(app).startswith("Objectif enregistré. À préciser :")  # still no deadline
        await pilot.press("escape")
        await settle(pilot)
        [saved] = answers
        assert saved.means == ["Lecture guidée", "Livres adaptés"]
        assert saved.criterion == ""  # my version, saved after seeing theirs
        await tablet.aclose()


async def test_a_transition_annex_objective_belongs_to_a_sphere(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        annex = await lea.client.plans.create(
            PlanCreate(learner_id=lea.learner.id, kind=PlanKind.TRANSITION, parent_plan_id=lea.plan.id)
        )
        answers = await lea.open(pilot, PlanGoalForm(annex))
        await pilot.press(*keys("Léa prend l'autobus seule."))
        await pilot.press("ctrl+s")
        await settle_refused(pilot)
        sphere = app.screen.query_one("#plan-goal-sphere", Field)
        assert sphere.error_text.startswith("Erreur : Un objectif d'une annexe de transition appartient à une sphère")
        assert app.screen.focused.id == "plan-goal-sphere-select"
        await pilot.press("enter")  # the list of the eight spheres opens
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "down", "down", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")  # the form stayed to say what the objective lacks
        await settle(pilot)
        [saved] = answers
        assert (saved.text, saved.sphere) == ("Léa prend l'autobus seule.", TevaSphere.TRANSPORT)


# --- progress ------------------------------------------------------------------------------------------------


async def test_a_measure_out_of_range_is_refused_under_the_measure_and_the_note_kept(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        [reads] = await lea.goals()
        answers = await lea.open(pilot, ProgressEntryForm(lea.plan, reads))
        text = read_aloud(app)
        assert "Unité : Pourcentage. Cible : aucune cible." in text
        assert field(app, "progress-on").value == date.today().isoformat()  # today, filled in
        assert app.screen.focused is field(app, "progress-value").input
        field(app, "progress-on").value = "02/11/2026"
        await pilot.press(*keys("105"), "enter", *keys("Lecture du conte, sans aide"), "enter")
        await settle_refused(pilot)

        assert answers == []
        assert field(app, "progress-value").error_text == "Erreur : Entrez un pourcentage entre 0 et 100."
        assert field(app, "progress-note").value == "Lecture du conte, sans aide"
        assert app.screen.focused is field(app, "progress-value").input

        field(app, "progress-value").value = "70"
        await focus(pilot, "#progress-note-input")
        await pilot.press("enter")
        await settle(pilot)
        [entry] = answers
        assert (entry.on, entry.value, entry.note) == (date(2026, 11, 2), 70, "Lecture du conte, sans aide")


async def test_the_dates_filled_in_are_today_by_the_server_s_calendar(make_app, memory_keyring, server_app):
    """A teacher over SSH on a machine kept in UTC, at 19:00 in Montréal: the machine's date is already tomorrow,
    which the server refuses as a date in the future. The forms fill in the date of the server's time zone (said
    by the résumé). One of these two zones, 25 hours apart, is always on another date than this machine."""
    zone = next(name for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
                if datetime.now(ZoneInfo(name)).date() != date.today())
    server_app.state.settings = replace(server_app.state.settings, seller_timezone=zone)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        [reads] = await lea.goals()
        await lea.open(pilot, ProgressEntryForm(lea.plan, reads))
        assert field(app, "progress-on").value == datetime.now(ZoneInfo(zone)).date().isoformat()
        await pilot.press("escape")
        await settle(pilot)
        await lea.open(pilot, ReviewForm(lea.plan, await lea.goals()))
        assert field(app, "review-held-on").value == datetime.now(ZoneInfo(zone)).date().isoformat()


async def test_a_ratio_takes_n_and_m_and_a_lost_connection_keeps_them(make_app, memory_keyring, cable):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        [reads] = await lea.goals()
        reads = await lea.client.plans.update_goal(
            lea.plan.id, reads.id, reads.version, PlanGoalPatch(unit=ProgressUnit.RATIO, out_of=5, target=4)
        )
        answers = await lea.open(pilot, ProgressEntryForm(lea.plan, reads))
        assert "Unité : n sur m. Cible : au moins 4 sur 5." in read_aloud(app)
        assert field(app, "progress-out-of").value == "5"
        field(app, "progress-on").value = "2026-11-02"
        await pilot.press(*keys("3"), "enter")
        assert app.screen.focused is field(app, "progress-out-of").input
        await pilot.press("enter", *keys("Bonne attention"))

        cable.plugged = False
        await pilot.press("enter")
        await settle_refused(pilot)
        assert answers == []
        assert notices(app, "Le serveur BanqO est injoignable.")
        assert "Rien n'a été enregistré : ce que vous avez tapé est encore là." in status(app)
        assert (field(app, "progress-value").value, field(app, "progress-out-of").value,
                field(app, "progress-note").value) == ("3", "5", "Bonne attention")

        cable.plugged = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        [entry] = answers
        assert (entry.value, entry.out_of) == (3, 5)


# --- review --------------------------------------------------------------------------------------------------


async def test_a_review_with_one_decision_per_objective(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot, active=True)
        await lea.client.plans.add_goal(lea.plan.id, PlanGoalCreate(goal_id=lea.asks.id, means=["Carton d'aide"]))
        goals = await lea.goals()
        plan = await lea.client.plans.get(lea.plan.id)
        answers = await lea.open(pilot, ReviewForm(plan, goals))
        text = read_aloud(app)
        assert "Révision du plan de Léa" in text
        assert "Une copie du plan tel qu'il est aujourd'hui sera gardée" in text
        assert "Objectif 1 : Léa lit un court texte de son niveau." in text
        field(app, "review-held-on").value = "2026-11-02"

        # The first objective changes (key 3): its new text and means appear, filled in.
        assert app.screen.focused.id == "review-decision-0-list"
        await pilot.press("3")
        await settle(pilot)
        assert field(app, "review-new-text-0").display and field(app, "review-new-means-0").display
        assert field(app, "review-new-text-0").value == "Léa lit un court texte de son niveau."
        field(app, "review-new-text-0").value = ""
        # The second is reached (↓ three times).
        await focus(pilot, "#review-decision-1-list")
        await pilot.press("down", "down", "down")
        assert "(•) 4. Objectif atteint" in read_aloud(app)
        await type_into(pilot, "review-note-1", "Demande de l'aide seule")
        await pilot.press("ctrl+s")
        await settle_refused(pilot)

        # The server's refusal goes under the first objective's new text; nothing is lost.
        assert answers == []
        assert field(app, "review-new-text-0").error_text == "Erreur : Écrivez le nouvel objectif."
        assert field(app, "review-note-1").value == "Demande de l'aide seule"

        await type_into(pilot, "review-new-text-0", "Léa lit un texte de son niveau à voix haute.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [review] = answers
        assert [decision.decision for decision in review.decisions] == [
            ReviewDecisionKind.CHANGE_GOAL, ReviewDecisionKind.REACHED]
        assert review.decisions[1].note == "Demande de l'aide seule"
        assert review.held_on == date(2026, 11, 2)
        after = await lea.goals()
        assert after[0].text == "Léa lit un texte de son niveau à voix haute."
        assert after[1].status.value == "reached"


async def test_a_plan_changed_during_the_review_opens_the_conflict_dialog(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot, active=True)
        answers = await lea.open(pilot, ReviewForm(lea.plan, await lea.goals()))
        field(app, "review-held-on").value = "2026-11-02"
        await pilot.press("2")  # change the means
        tablet = await other_device(server_app)
        await tablet.plans.update(lea.plan.id, lea.plan.version, PlanPatch(review_due_on=date(2027, 1, 15)))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "conflict-screen"
        assert "Maintenir l'objectif, modifier les moyens" in app.screen.query_one("#conflict-mine").text
        await pilot.press("r")  # reload: the form closes, the plan screen reloads the plan
        await settle(pilot)
        assert answers == [None]
        assert notices(app, "Le plan a été modifié ailleurs")
        assert await lea.client.plans.reviews(lea.plan.id) == []
        await tablet.aclose()


# --- export --------------------------------------------------------------------------------------------------


async def test_the_export_dialog_saves_the_plan_where_the_teacher_says(make_app, memory_keyring, tmp_path,
                                                                      monkeypatch):
    from .test_file_picker import wait_for

    home = tmp_path / "maison"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        answers: list[Any] = []
        app.push_screen(PlanExportDialog(lea.plan), answers.append)
        await settle(pilot)
        text = read_aloud(app)
        assert "Exporter le plan de Léa" in text and "PDF — pour la rencontre et les signatures" in text
        await pilot.press("enter")  # PDF
        await wait_for(pilot, lambda: app.screen.id == "file-picker")
        path = app.screen.query_one("#file-picker-path", Field)
        assert path.value == str(home / "plan-lea-2026-11-02.pdf")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(answers))
        await settle(pilot)

        saved = Path(answers[0])
        assert saved == home / "plan-lea-2026-11-02.pdf"
        from pypdf import PdfReader

        extracted = " ".join(page.extract_text() for page in PdfReader(saved).pages)
        assert "Léa" in extracted
        assert "Léa lit un court texte de son niveau." in " ".join(extracted.split())
        assert notices(app, "Plan enregistré")


# --- history -------------------------------------------------------------------------------------------------


async def test_the_objective_history_follows_it_across_a_review_and_the_next_years_plan(make_app, memory_keyring):
    from banqo_tui.progress import progress_sentence
    from banqo_tui.screens.objective_history import ObjectiveHistoryScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lea = await Lea().start(pilot)
        client = lea.client
        # Last year's plan, opened in September 2025: two measures and a review, then « reconduire » today.
        plan = await client.plans.create(PlanCreate(learner_id=lea.learner.id, goal_ids=[lea.asks.id],
                                                    opened_on=date(2025, 9, 2)))
        plan = await client.plans.update(plan.id, plan.version, PlanPatch(state=PlanState.ACTIVE))
        [asks] = await client.plans.goals(plan.id)
        await client.plans.update_goal(plan.id, asks.id, asks.version, PlanGoalPatch(target=80))
        for on, value in ((date(2025, 9, 15), 40), (date(2025, 10, 20), 55)):
            await client.plans.add_progress(plan.id, ProgressEntryCreate(plan_goal_id=asks.id, on=on, value=value))
        plan = await client.plans.get(plan.id)
        await client.plans.review(plan.id, plan.version, ReviewCreate(held_on=date(2026, 1, 20), decisions=[
            ReviewDecisionCreate(plan_goal_id=asks.id, decision=ReviewDecisionKind.CONTINUE, note="Bon progrès")]))
        plan = await client.plans.get(plan.id)
        next_year = await client.plans.renew(plan.id, plan.version)
        [continued] = await client.plans.goals(next_year.id)
        await client.plans.add_progress(next_year.id, ProgressEntryCreate(plan_goal_id=continued.id, value=70))

        app.push_screen(ObjectiveHistoryScreen(next_year.id, continued.id))
        await settle(pilot)
        assert app.screen.id == "objective-history-screen"
        steps = [step.render().plain for step in app.screen.query(".objective-history--step")]
        assert len(steps) == 2
        assert steps[0].startswith("2025-2026 — ouvert le 2 septembre 2025")
        assert "Objectif : Léa demande de l'aide quand il le faut." in steps[0]
        assert "15 septembre 2025 — 40 %" in steps[0] and "20 octobre 2025 — 55 %" in steps[0]
        assert "Révision 1 du 20 janvier 2026 : Poursuivre tel quel — Bon progrès" in steps[0]
        assert steps[1].startswith("2026-2027 — ouvert le 2 novembre 2026")
        assert "2 novembre 2026 — 70 %" in steps[1]
        assert "Aucune révision dans ce plan." in steps[1]
        history = await client.plans.history(next_year.id, continued.id)
        entries = [entry for step in history.steps for entry in step.progress]
        sentence = app.screen.query_one("#progress-chart-sentence").render().plain
        assert sentence == progress_sentence(history.steps[-1].goal, entries)
        assert sentence.startswith("3 mesures du 15 septembre 2025 au 2 novembre 2026 : 40 %, 55 %, 70 %.")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary-screen"
