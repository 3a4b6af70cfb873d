"""Every screen and dialog as a 16-colour terminal (``TERM=xterm``) and a ``NO_COLOR`` one receive it, at 80×24,
reached by keys as a teacher would; and a few screens at 200×60.

Each file of ``__snapshots__/terminal/`` is compared exactly (``terminal_snapshots`` says what it holds);
``pytest tests/tui/test_terminal_snapshots.py --snapshot-update`` rewrites them after a deliberate change. Whatever
the files say, every screen must fill its rows to the right edge and no further, a 16-colour terminal must receive
no 256-colour or 24-bit code, and ``NO_COLOR`` no colour at all.

The app starts once per journey (a few seconds each): the screens are visited in a few long walks.
"""

from __future__ import annotations

import datetime as datetime_module
import importlib
import pkgutil
import re
import sys
from collections.abc import Awaitable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from .conftest import PASSWORD, SIZE, settle, type_into
from .terminal_snapshots import (
    NO_COLOR,
    XTERM,
    XTERM_256,
    Snapshot,
    Terminal,
    compare,
    snapshot_update,
    take,
    use_terminal,
)

T = TypeVar("T")
EMAIL = "camille@example.org"
#: Frames to wait, at most, for two in a row to be the same.
STEADY_ATTEMPTS = 20
TERMINALS = pytest.mark.parametrize("terminal", [XTERM, NO_COLOR], ids=lambda terminal: terminal.name)


@pytest.fixture
def server_app(tmp_path: Path, cheap_settings: Any, mailbox: Any) -> Any:
    """The test server, its mail (password reset, support) going to a local SMTP server."""
    from banqo_server.app import create_app

    return create_app(
        cheap_settings(
            database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}",
            smtp_url=mailbox.url,
            support_email="soutien@banqo.test",
        )
    )


class _StandsForDate(type):
    """A real ``date`` is an instance of ``Today`` too: code that checks a value against ``datetime.date`` after
    the patch below (SQLAlchemy does) still accepts the real ones."""

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, cls.__mro__[1])

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.__mro__[1])


@pytest.fixture
def terminal_clock(monkeypatch: pytest.MonkeyPatch, clock: Any) -> Iterator[None]:
    """The terminal's today and now are the test server's (2 Nov. 2026 unless the test moves the clock).

    The screens read ``date.today()`` and ``datetime.now()`` (a plan's next review in days, the messages'
    times, a file name): each ``banqo_tui`` module that imported ``date`` or ``datetime`` gets a subclass whose
    today and now follow ``clock``, and so does the ``datetime`` module, for the imports made inside functions.
    The modules are all imported first, as many are imported only when used.
    """
    import banqo_tui

    class Today(date, metaclass=_StandsForDate):
        @classmethod
        def today(cls) -> Today:
            local = clock.now.astimezone()
            return cls(local.year, local.month, local.day)

    class Now(datetime, metaclass=_StandsForDate):
        @classmethod
        def now(cls, tz: Any = None) -> Now:
            moment = clock.now.astimezone(tz) if tz is not None else clock.now.astimezone().replace(tzinfo=None)
            return cls.combine(moment.date(), moment.time(), moment.tzinfo)

    for info in pkgutil.walk_packages(banqo_tui.__path__, "banqo_tui."):
        importlib.import_module(info.name)
    for name, module in list(sys.modules.items()):
        if not name.startswith("banqo_tui.") or name.startswith("banqo_tui.api"):
            continue  # the API's wire models keep the real classes
        if vars(module).get("date") is date:
            monkeypatch.setattr(module, "date", Today)
        if vars(module).get("datetime") is datetime:
            monkeypatch.setattr(module, "datetime", Now)
    monkeypatch.setattr(datetime_module, "date", Today)
    monkeypatch.setattr(datetime_module, "datetime", Now)
    yield


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder at a path that is the same on every machine (the file picker shows it), with two folders.

    ``tmp_path`` differs from run to run; this folder is only read, and made the same way by every test.
    """
    folder = Path("/tmp/banqo-terminal-snapshots/maison")
    for name in ("Documents", "Plans"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(folder))
    # « Préférences » shows where config.toml is: under this home, whatever the machine says.
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("BANQO_CONFIG", raising=False)
    return folder


class Journey:
    """A walk through the app by keys, taking a snapshot of each screen on the way."""

    def __init__(self, pilot: Any, terminal: Terminal) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.terminal = terminal
        self.snapshots: list[Snapshot] = []

    async def press(self, *pressed: str, settled: bool = True) -> None:
        await self.pilot.press(*pressed)
        if settled:
            await settle(self.pilot, 2)

    async def type(self, text: str) -> None:
        """Put ``text`` in the focused field at once, as a paste would (key by key costs 40 ms a key)."""
        focused = self.app.focused
        if hasattr(focused, "insert_text_at_cursor"):
            focused.insert_text_at_cursor(text)  # Input
        else:
            focused.insert(text)  # TextArea
        await self.pilot.pause()

    async def shot(self, name: str, screen_id: str, *, settled: bool = True) -> None:
        """Snapshot the screen, which must be ``screen_id``, once two frames in a row are the same; toasts
        cleared (they go away on a timer) and text cursors steady (they blink on one)."""
        if settled:
            await settle(self.pilot, 2)
        app = self.app
        assert app.screen.id == screen_id, f"{name}: on {app.screen.id!r}, not {screen_id!r}"
        app.clear_notifications()
        for widget in app.screen.query("*"):
            if getattr(widget, "cursor_blink", False):
                widget.cursor_blink = False
        previous = ""
        for _attempt in range(STEADY_ATTEMPTS):
            await self.pilot.pause()
            snapshot = take(app, name, self.terminal)
            if snapshot.raw == previous:
                self.snapshots.append(snapshot)
                return
            previous = snapshot.raw
        pytest.fail(f"{name}: the screen still changed after {STEADY_ATTEMPTS} frames")


def check(journey: Journey, request: pytest.FixtureRequest, problems: list[str] | None = None) -> None:
    """Compare (or write) the journey's snapshots; fail with every problem found, ``problems`` included."""
    problems = [*(problems or []), *compare(journey.snapshots, snapshot_update(request.config))]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# --- the checks themselves -------------------------------------------------------------------------------------


def test_the_checks_catch_what_each_terminal_must_not_receive():
    from .terminal_snapshots import colour_problems, sgr_codes

    esc = "\x1b"
    assert list(sgr_codes(f"{esc}[1;38;5;208;48;2;0;0;0;4m{esc}[m")) == ["1", "38;5;208", "48;2;0;0;0", "4", "0"]
    sixteen = f"{esc}[1;97;104mBanqO{esc}[0m"
    assert colour_problems(sixteen, XTERM) == []
    assert colour_problems(f"{esc}[38;5;33mx{esc}[0m", XTERM) == ["SGR 38;5;33 (256)"]
    assert colour_problems(f"{esc}[48;2;1;2;3mx{esc}[0m", XTERM_256) == ["SGR 48;2;1;2;3 (truecolor)"]
    # NO_COLOR: the terminal's own colours (39, 49) and attributes pass; any colour does not.
    assert colour_problems(f"{esc}[1;7;39;49mx{esc}[0m", NO_COLOR) == []
    assert colour_problems(sixteen, NO_COLOR) == ["SGR 104 (16)", "SGR 97 (16)"]

    def repaint(*rows: str) -> str:
        return "\n".join(f"{esc}[{number};1H{row}" for number, row in enumerate(rows, 1))

    snapshot = Snapshot("essai", XTERM, 4, 2, "Essai", repaint(f"{esc}[1mabcd{esc}[0m", "abcde"))
    assert snapshot.texts == ["abcd", "abcde"]
    assert snapshot.problems() == ["essai.xterm.txt: row 2: 5 cells drawn on a 4-column screen"]
    with pytest.raises(AssertionError, match="2 rows drawn on a screen of 3"):
        Snapshot("essai", XTERM, 4, 3, "Essai", repaint("abcd", "abcd"))


# --- signed out ------------------------------------------------------------------------------------------------


@TERMINALS
async def test_the_screens_before_signing_in(terminal, monkeypatch, make_app, create_account, memory_keyring,
                                             terminal_clock, request):
    from .test_sign_in import fill_sign_up

    await create_account()
    use_terminal(monkeypatch, terminal)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        journey = Journey(pilot, terminal)
        await journey.shot("sign-in", "sign-in-screen")

        # « Créer un compte »: a name missing, then the server's own refusals (address taken, password short).
        await fill_sign_up(pilot, "Léa", "", EMAIL, "court")
        app.screen.query_one("#sign-up-submit").press()
        await settle(pilot)
        await journey.shot("sign-up-missing-name", "sign-in-screen")
        await type_into(pilot, "sign-up-last-name", "Gagnon")
        app.screen.query_one("#sign-up-submit").press()
        await journey.shot("sign-up-refused", "sign-in-screen")

        # « Se connecter » with a wrong password: the message under the field.
        await journey.press("f5")
        await type_into(pilot, "sign-in-email", EMAIL)
        await type_into(pilot, "sign-in-password", "pas le bon")
        await journey.press("enter")
        await journey.shot("sign-in-refused", "sign-in-screen")

        # « Mot de passe oublié », then the step of the code sent by mail.
        await journey.press("ctrl+o")
        await journey.shot("password-reset", "password-reset-screen")
        await journey.press("enter")
        await journey.shot("password-reset-code", "password-reset-screen")
        await journey.press("escape")

        await journey.press("f9")
        await journey.shot("support-signed-out", "support-screen")
        await journey.press("ctrl+s")  # nothing written: each missing field says so
        await journey.shot("support-refused", "support-screen")
        await journey.press("escape")

        await journey.press("f10")
        await journey.shot("privacy-policy", "privacy-page-screen")
        await journey.press("escape")
        await journey.press("f1")
        await journey.shot("help-sign-in", "help-screen")
        await journey.press("escape")
        await journey.press("f4")
        await journey.shot("messages", "messages-screen")
        await journey.press("escape")
        assert app.screen.id == "sign-in-screen"
    check(journey, request)


# --- signed in: the data, and the way in ------------------------------------------------------------------------

READS = "{prénom} lit un court texte à voix haute sans erreur, 4 fois sur 5."
WAITS = "{prénom} attend son tour pour parler en groupe, selon une grille d'observation."
COUNTS = "{prénom} compte jusqu'à 100 par bonds de 10."


async def tablet_of(server_app: Any) -> Any:
    """The account's other device: the data a journey needs is made through it, before the app signs in."""
    from .test_collection_screen import other_device

    return await other_device(server_app)


async def classroom(server_app: Any, clock: Any) -> Any:
    """Léa and Noah, goals in the collection (two filed under Léa, one under Noah), and Léa's plan: active since
    September, measures on one objective, a review in October, the next one due in 18 days; Noah's plan a draft.

    The clock moves a minute after each change: the lists that show the newest first have one order.
    """
    from banqo_tui.api.models import (
        Participant,
        ParticipantRole,
        PlanCreate,
        PlanGoalPatch,
        PlanPatch,
        PlanState,
        PrioritisedItem,
        ProgressEntryCreate,
        ProgressUnit,
        ReviewCreate,
        ReviewDecisionCreate,
        ReviewDecisionKind,
    )

    tablet = await tablet_of(server_app)

    async def then(change: Awaitable[T]) -> T:
        done = await change
        clock.advance(minutes=1)
        return done

    lea = await then(tablet.learners.create("Léa"))
    noah = await then(tablet.learners.create("Noah"))
    counts = await then(tablet.collection.create(COUNTS, domain="mathematique", tags=["calcul"],
                                                 learner_ids=[noah.id]))
    reads = await then(tablet.collection.create(READS, domain="lecture", tags=["lecture", "oral"],
                                                learner_ids=[lea.id]))
    # One learner a goal: two filed by one request are listed in no set order (the same ``filed_at``).
    waits = await then(tablet.collection.create(WAITS, learner_ids=[lea.id]))
    plan = await then(tablet.plans.create(PlanCreate(
        learner_id=lea.id, goal_ids=[reads.id, waits.id], opened_on=date(2026, 9, 2),
        participants=[Participant(role=ParticipantRole.TEACHER), Participant(role=ParticipantRole.PARENT)],
    )))
    plan = await then(tablet.plans.update(plan.id, plan.version, PlanPatch(
        state=PlanState.ACTIVE,
        strengths=[PrioritisedItem(text="Aime les histoires lues en classe", priority=1)],
        needs=[PrioritisedItem(text="Lire avec fluidité", priority=1)],
        adaptations=["Temps supplémentaire"],
    )))
    first, second = await tablet.plans.goals(plan.id)
    await then(tablet.plans.update_goal(plan.id, first.id, first.version, PlanGoalPatch(
        means=["Lecture guidée", "Livres adaptés"], deadline=date(2027, 6, 20), evaluation="Lecture à voix haute",
        criterion="4 fois sur 5", unit=ProgressUnit.PERCENT, target=80,
    )))
    await then(tablet.plans.update_goal(plan.id, second.id, second.version, PlanGoalPatch(
        unit=ProgressUnit.PERCENT, target=75,
    )))
    for on, value in ((date(2026, 9, 15), 40), (date(2026, 10, 1), 55), (date(2026, 10, 20), 60)):
        await then(tablet.plans.add_progress(plan.id, ProgressEntryCreate(plan_goal_id=first.id, on=on, value=value)))
    plan = await tablet.plans.get(plan.id)
    await then(tablet.plans.review(plan.id, plan.version, ReviewCreate(
        held_on=date(2026, 10, 21), next_review_on=date(2026, 11, 20), decisions=[
            ReviewDecisionCreate(plan_goal_id=first.id, decision=ReviewDecisionKind.CONTINUE, note="Bon progrès"),
            ReviewDecisionCreate(plan_goal_id=second.id, decision=ReviewDecisionKind.CONTINUE),
        ])))
    await then(tablet.plans.create(PlanCreate(learner_id=noah.id, goal_ids=[counts.id])))
    return tablet


async def sign_in(journey: Journey) -> None:
    """Through the form, as every run after the first; then « Votre résumé »."""
    pilot = journey.pilot
    await settle(pilot)
    await type_into(pilot, "sign-in-email", EMAIL)
    await type_into(pilot, "sign-in-password", PASSWORD)
    await journey.press("enter")
    assert journey.app.screen.id == "summary-screen"


async def press_button(journey: Journey, selector: str) -> None:
    """Tab to a button and Enter (the focus put there at once: Tab would only take longer)."""
    journey.app.screen.query_one(selector).focus()
    await journey.pilot.pause()
    await journey.press("enter")


async def wait_for_folders(journey: Journey) -> None:
    """The file picker's folder list loads in a thread that never ends: ``settle`` would wait for it forever."""
    from .test_file_picker import wait_for

    app = journey.app
    await wait_for(journey.pilot, lambda: app.screen.id == "file-picker" and app.screen.query("#file-picker-tree"))
    tree = app.screen.query_one("#file-picker-tree")
    await wait_for(journey.pilot, lambda: len(tree.root.children) == 2)


# --- « Ma collection » and « Élèves » -------------------------------------------------------------------------


@TERMINALS
async def test_the_collection_and_the_learners(terminal, monkeypatch, make_app, create_account, server_app,
                                               memory_keyring, clock, terminal_clock, request):
    await create_account()
    tablet = await classroom(server_app, clock)
    use_terminal(monkeypatch, terminal)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        journey = Journey(pilot, terminal)
        await sign_in(journey)
        await journey.shot("summary", "summary-screen")

        await journey.press("f5")
        await journey.shot("collection", "collection-screen")
        await journey.press("slash")
        await journey.type("lit")
        await journey.shot("collection-search", "collection-screen")
        await journey.press("escape", "escape")  # the search emptied, then back to the list
        await journey.press("n")
        await journey.type("Écrire une phrase #ecriture @écri")
        await journey.shot("collection-quick-entry", "collection-screen")
        await journey.press("escape")
        await journey.press("e")
        await journey.shot("goal-form", "goal-form-screen")
        await journey.press("escape")
        await journey.press("t")
        await journey.shot("tags-dialog", "tags-dialog")
        await journey.press("escape")
        await journey.press("l")
        await journey.shot("learner-picker", "learner-picker")
        await journey.press("escape")
        await journey.press("f")
        await journey.shot("filter-picker", "filter-picker")
        await journey.press("escape")
        await journey.press("b")
        await journey.shot("collection-bank", "collection-screen")
        await journey.press("b")

        await journey.press("f6")
        await journey.shot("learners", "learners-screen")
        await journey.press("enter")
        await journey.shot("learner-folder", "learners-screen")
        await journey.press("left")
        await journey.press("n")
        await journey.type("lea@ecole.ca")
        await journey.press("enter")
        await journey.shot("learner-name-refused", "learners-screen")
        await journey.press("escape")
        await journey.press("f")
        await journey.shot("goal-picker", "goal-picker-screen")
        await journey.press("escape")
        await journey.press("d")
        await journey.shot("confirm-delete-learner", "confirm-dialog")
        await journey.press("escape")

        await journey.press("f1")
        await journey.shot("help-learners", "help-screen")
        await journey.press("escape")
        await tablet.aclose()
    check(journey, request)


# --- « Plans » and one plan ------------------------------------------------------------------------------------


@TERMINALS
async def test_the_plans(terminal, monkeypatch, make_app, create_account, server_app, memory_keyring, clock,
                         terminal_clock, home, request):
    from banqo_tui.api.models import PlanPatch, PrioritisedItem

    await create_account()
    tablet = await classroom(server_app, clock)
    use_terminal(monkeypatch, terminal)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        journey = Journey(pilot, terminal)
        await sign_in(journey)
        await journey.press("f7")
        await journey.shot("plans", "plans-screen")
        await journey.press("n")
        await journey.shot("new-plan", "new-plan-dialog")
        await journey.press("escape")
        await journey.press("d")
        await journey.shot("confirm-delete-plan", "confirm-dialog")
        await journey.press("escape")

        lea_plan = next(plan for plan in app.screen.plans if plan.learner_first_name == "Léa")
        await journey.press(*["down"] * app.screen.plans.index(lea_plan))  # the newest first: Noah's
        assert app.screen.highlighted_plan == lea_plan
        await journey.press("enter")
        await journey.shot("plan", "plan-screen")
        await journey.press("6")
        await journey.shot("plan-objectives", "plan-screen")
        await journey.press("e")
        await journey.shot("plan-objective-form", "plan-goal-form")
        await journey.press("escape")
        await journey.press("p")
        await journey.shot("progress-entry", "progress-entry-form")
        await journey.press("escape")
        await journey.press("h")
        await journey.shot("objective-history", "objective-history-screen")
        await journey.press("escape")
        await journey.press("7")
        await journey.shot("plan-follow-up", "plan-screen")
        await journey.press("v")
        await journey.shot("review-form", "review-form")
        await journey.press("escape")
        await journey.press("8", "enter")
        await journey.shot("plan-review-snapshot", "plan-snapshot-screen")
        await journey.press("escape")
        await journey.press("s")
        await journey.shot("plan-state", "choice-picker")
        await journey.press("escape")

        await journey.press("x")
        await journey.shot("export-dialog", "plan-export-dialog")
        await journey.press("enter", settled=False)
        await wait_for_folders(journey)
        await journey.shot("file-picker-export", "file-picker", settled=False)
        await journey.press("escape", settled=False)
        await journey.press("escape")

        # A change made on the tablet while the strengths are edited here: the conflict dialog.
        await journey.press("f")
        await journey.shot("plan-strengths-editor", "plan-strengths-editor")
        app.screen.query_one("#plan-items-text").clear()
        await journey.type("1. Lit avec plaisir")
        current = await tablet.plans.get(lea_plan.id)
        await tablet.plans.update(current.id, current.version, PlanPatch(
            strengths=[PrioritisedItem(text="Aime les casse-têtes", priority=1)]))
        await journey.press("ctrl+s")
        await journey.shot("conflict", "conflict-screen")
        await journey.press("escape")
        await journey.press("escape")
        await tablet.aclose()
    check(journey, request)


# --- « Mes paramètres » ------------------------------------------------------------------------------------------


@TERMINALS
async def test_the_settings(terminal, monkeypatch, make_app, create_account, memory_keyring, terminal_clock, home,
                            request):
    from .test_settings_billing import GOOD_CARD

    await create_account()
    use_terminal(monkeypatch, terminal)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        journey = Journey(pilot, terminal)
        await sign_in(journey)
        await journey.press("f3")
        await journey.shot("settings-profile", "settings-screen")
        await journey.press("f8")
        await journey.shot("settings-security", "settings-screen")
        await journey.press("f8")
        await journey.shot("settings-enrolment-trial", "settings-screen")
        offers = app.screen.query_one("#enrolment-offers")
        offers.focus()
        await journey.press("s")
        await journey.shot("confirm-subscribe-without-card", "confirm-dialog")
        await journey.press("escape")

        await journey.press("f8")
        await journey.shot("settings-payment", "settings-screen")
        await press_button(journey, "#payment-setup")
        for text in ("1234", "13/28", "1"):  # Enter goes to the next field, and sends from the last one
            await journey.type(text)
            await journey.press("enter")
        await journey.shot("settings-payment-refused", "settings-screen")
        for field_id, text in (("payment-number", GOOD_CARD), ("payment-expiry", "12/28"), ("payment-cvc", "123")):
            app.screen.query_one(f"#{field_id}").input.value = ""
            await type_into(pilot, field_id, text)
        await journey.press("enter")
        await journey.shot("settings-payment-card", "settings-screen")

        await journey.press("f7")
        offers = app.screen.query_one("#enrolment-offers")
        offers.focus()
        await journey.press("s")
        await press_button(journey, "#confirm-yes")
        await journey.shot("settings-enrolment-active", "settings-screen")

        await journey.press("f8", "f8")
        await journey.shot("settings-invoices", "settings-screen")
        app.screen.query_one("#invoices-table").focus()
        await journey.press("enter")
        await journey.shot("settings-invoice", "settings-screen")
        await journey.press("escape")

        await journey.press("f8")
        await journey.shot("settings-privacy", "settings-screen")
        await press_button(journey, "#privacy-delete")
        await journey.shot("delete-account-dialog", "delete-account-dialog")
        await journey.press("escape")
        app.screen.query_one("#privacy-export").focus()
        await journey.press("enter", settled=False)
        await wait_for_folders(journey)
        await journey.shot("file-picker-data-export", "file-picker", settled=False)
        await journey.press("escape")

        await journey.press("f8")
        await journey.shot("settings-preferences", "settings-screen")
        await journey.press("f4")  # what the card and the subscription said on the way, with their times
        await journey.shot("messages-signed-in", "messages-screen")
        await journey.press("escape")
    check(journey, request)


# --- 200×60 ----------------------------------------------------------------------------------------------------

LARGE = (200, 60)
#: Text cut by Textual: « … » at the end of a run of text, before padding, a border or the edge (a label such as
#: « Choisir une photo… (P) » goes on after it).
CUT = re.compile(r"\w…(?= {2,}| *[│┃▐▌█]| *$)")


async def test_a_large_terminal_is_used_to_its_edges(monkeypatch, make_app, create_account, server_app,
                                                     memory_keyring, clock, terminal_clock, request):
    """At 200×60 on xterm-256color: the footer on the last row, text past the 80th column (the screens grow
    with the terminal), nothing cut with « … » that 200 columns hold, and (``Snapshot.problems``) each row drawn
    to the right edge and no further, in 256 colours at most."""
    await create_account()
    tablet = await classroom(server_app, clock)
    use_terminal(monkeypatch, XTERM_256)
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        journey = Journey(pilot, XTERM_256)
        await sign_in(journey)
        await journey.shot("summary-200x60", "summary-screen")
        await journey.press("f5")
        await journey.shot("collection-200x60", "collection-screen")
        await journey.press("f7", "down")  # Léa's plan, under Noah's newer one
        assert app.screen.highlighted_plan.learner_first_name == "Léa"
        await journey.press("enter")
        await journey.shot("plan-200x60", "plan-screen")
        await journey.press("f3")
        await journey.shot("settings-200x60", "settings-screen")
        await tablet.aclose()
    problems = []
    for snapshot in journey.snapshots:
        texts = snapshot.texts
        if "F1 Aide" not in texts[-1]:
            problems.append(f"{snapshot.name}: the footer is not on the last row")
        if max(len(text.rstrip()) for text in texts) <= 80:
            problems.append(f"{snapshot.name}: nothing drawn past column 80")
        problems += [f"{snapshot.name}: cut at 200 columns: {text.strip()}" for text in texts if CUT.search(text)]
    check(journey, request, problems)
