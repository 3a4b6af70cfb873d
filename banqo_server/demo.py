"""The demo account that ``banqo --demo`` opens, on its own database."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from banqo_server.db import make_engine, make_session_factory
from banqo_server.migrations import upgrade
from banqo_server.models import Account, AccountSession
from banqo_server.services import activity
from banqo_server.services.auth import hash_token, new_token, open_session
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    ActivityKind,
    Participant,
    ParticipantRole,
    PlanCreate,
    PlanGoalPatch,
    PlanPatch,
    PlanState,
    PrioritisedItem,
    ProgressEntryCreate,
    ProgressUnit,
)

DEMO_EMAIL = "demo@banqo.invalid"
DEMO_DEVICE = "BanqO (démo)"
_HISTORY = (  # (days ago, hour of the day, kind, device)
    (6, 9, ActivityKind.ACCOUNT_CREATED, "Ordinateur de l'école"),
    (5, 15, ActivityKind.SIGNED_IN, "Ordinateur de l'école"),
    (4, 20, ActivityKind.SIGNED_IN_NEW_DEVICE, "Portable à la maison"),
    (2, 8, ActivityKind.SIGNED_IN, "Ordinateur de l'école"),
    (1, 19, ActivityKind.SIGNED_IN, "Portable à la maison"),
)


def _past_session(account: Account, device: str, at: datetime, settings: Settings) -> AccountSession:
    """A session of the demo's history, already ended; its token was never kept."""
    return AccountSession(
        account=account,
        token_hash=hash_token(new_token()),
        device=device,
        created_at=at,
        last_used_at=at + timedelta(hours=1),
        expires_at=at + settings.session_lifetime,
        ended_at=at + timedelta(hours=1),
    )


def _create_demo_account(settings: Settings, passwords: Passwords) -> tuple[Account, list[AccountSession]]:
    midnight = settings.now().replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [midnight - timedelta(days=days) + timedelta(hours=hour) for days, hour, _, _ in _HISTORY]
    account = Account(
        email=DEMO_EMAIL,
        password_hash=passwords.hash(secrets.token_urlsafe(32)),  # nobody knows it
        first_name="Camille",
        last_name="Démo",
        language="fr-CA",
        created_at=moments[0],
        version=1,
    )
    sessions = [
        _past_session(account, device, at, settings) for at, (_, _, _, device) in zip(moments, _HISTORY, strict=True)
    ]
    return account, sessions


_COLLECTION = ("lec-002", "mat-001", "cmp-002", "hso-002", "com-002", "ttr-001")
_LEARNERS = {"Léa": ("lec-002", "mat-001", "cmp-002"), "Noah": ("hso-002", "com-002")}
_LEA_PROGRESS = (
    (63, 40.0, "Première mesure, en début d'étape."),
    (42, 55.0, ""),
    (21, 70.0, "Avec le tableau de syllabes."),
)


def _fill_demo(db: Session, settings: Settings, account_id: str) -> None:
    """A collection, two learners and Léa's plan d'intervention — with means, deadlines, progress and a review —
    so that every screen has something to show. Written through the services, by their rules."""
    from banqo_server.services import goals, learners, plans

    moment = plans.Moment.of(settings)
    day = moment.today
    by_catalogue: dict[str, str] = {}
    for catalogue_id in _COLLECTION:
        goal, _created = goals.create(
            db,
            account_id,
            text=None,
            catalogue_id=catalogue_id,
            language="fr",
            domain=None,
            tags=(),
            parts={},
            learner_ids=(),
            default_language="fr",
            idempotency_key=None,
            now=moment.now,
        )
        by_catalogue[catalogue_id] = goal.id
    learner_ids = {}
    for first_name, filed in _LEARNERS.items():
        learner = learners.create(db, account_id, first_name, moment.now)
        learner_ids[first_name] = learner.id
        for catalogue_id in filed:
            learners.file_goal(db, account_id, learner.id, by_catalogue[catalogue_id], moment.now)
    plan = plans.create(
        db,
        account_id,
        PlanCreate(
            learner_id=learner_ids["Léa"],
            opened_on=day - timedelta(days=70),
            review_due_on=day + timedelta(days=12),
            participants=[
                Participant(role=ParticipantRole.TEACHER),
                Participant(role=ParticipantRole.RESOURCE_TEACHER),
                Participant(role=ParticipantRole.PARENT),
                Participant(role=ParticipantRole.LEARNER),
            ],
            goal_ids=[by_catalogue[catalogue_id] for catalogue_id in _LEARNERS["Léa"]],
        ),
        moment,
    )
    plan = plans.change(
        db,
        account_id,
        plan.id,
        PlanPatch(
            state=PlanState.ACTIVE,
            strengths=[
                PrioritisedItem(text="Aime les histoires lues à voix haute", priority=1),
                PrioritisedItem(text="Persévère quand la tâche est découpée en étapes", priority=2),
            ],
            needs=[
                PrioritisedItem(text="Conscience phonologique : segmenter les mots en syllabes", priority=1),
                PrioritisedItem(text="Nommer ses émotions avant qu'elles débordent", priority=2),
            ],
            adaptations=["Consignes données une à la fois, avec un pictogramme", "Temps supplémentaire (tiers temps)"],
        ).model_dump(exclude_unset=True),
        plan.version,
        moment,
    )
    first, *others = plans.goal_page(db, account_id, plan.id, limit=50, cursor=None)[0]
    deadline = day + timedelta(days=120)
    plans.change_goal(
        db,
        account_id,
        plan.id,
        first.id,
        PlanGoalPatch(
            means=["Jeux de syllabes quotidiens de 10 minutes", "Tableau de syllabes illustré"],
            responsible_roles=[Participant(role=ParticipantRole.RESOURCE_TEACHER)],
            deadline=deadline,
            unit=ProgressUnit.PERCENT,
            target=80,
        ).model_dump(exclude_unset=True),
        first.version,
        moment,
    )
    for other in others:
        plans.change_goal(
            db,
            account_id,
            plan.id,
            other.id,
            PlanGoalPatch(
                means=["Modelage par l'enseignant·e"],
                responsible_roles=[Participant(role=ParticipantRole.TEACHER)],
                deadline=deadline,
            ).model_dump(exclude_unset=True),
            other.version,
            moment,
        )
    for days_ago, value, note in _LEA_PROGRESS:
        plans.add_progress(
            db,
            account_id,
            plan.id,
            ProgressEntryCreate(plan_goal_id=first.id, on=day - timedelta(days=days_ago), value=value, note=note),
            moment,
        )


def ensure_demo_account(settings: Settings) -> str:
    """Create the demo account if absent (with a few days of activity); return a new session's token."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism)
        with make_session_factory(engine)() as db:
            account = db.scalar(select(Account).where(Account.email == DEMO_EMAIL))
            if account is None:
                account, past_sessions = _create_demo_account(settings, passwords)
                db.add(account)
                db.add_all(past_sessions)
                db.flush()
                for session, (_, _, kind, device) in zip(past_sessions, _HISTORY, strict=True):
                    activity.record(db, account.id, kind, session.created_at, device)
                db.commit()
                _fill_demo(db, settings, account.id)
            token, _session = open_session(db, account, DEMO_DEVICE, settings)
            activity.record(db, account.id, ActivityKind.SIGNED_IN, settings.now(), DEMO_DEVICE)
            db.commit()
            return token
    finally:
        engine.dispose()
