"""ORM rows → wire models."""

from __future__ import annotations

from typing import Protocol, TypeVar

from fastapi import Response

from banqo_server.models import Account as AccountRow
from banqo_server.models import AccountSession, ActivityEntry
from banqo_server.models import CatalogueGoal as CatalogueGoalRow
from banqo_server.models import Goal as GoalRow
from banqo_server.models import Learner as LearnerRow
from banqo_tui.api.models import (
    Account,
    Activity,
    ActivityKind,
    CatalogueGoal,
    Goal,
    GoalParts,
    GoalSource,
    GoalSourceKind,
    Learner,
    SessionInfo,
    SessionToken,
)


class _Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=_Versioned)


def with_etag(response: Response, view: V) -> V:
    """``view`` answered with its version as the ``ETag`` (what a later ``If-Match`` names)."""
    response.headers["ETag"] = f'"{view.version}"'
    return view


def activity_view(entry: ActivityEntry) -> Activity:
    return Activity(at=entry.at, kind=ActivityKind(entry.kind), device=entry.device)


def account_view(account: AccountRow) -> Account:
    return Account(
        id=account.id,
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        language=account.language,
        created_at=account.created_at,
    )


def session_view(session: AccountSession, current_id: str | None = None) -> SessionInfo:
    return SessionInfo(
        id=session.id,
        device=session.device,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        current=session.id == current_id,
    )


def token_view(token: str, session: AccountSession) -> SessionToken:
    return SessionToken(
        token=token, session=session_view(session, session.id), account=account_view(session.account)
    )


def goal_view(goal: GoalRow, learner_ids: list[str] | None = None) -> Goal:
    return Goal(
        id=goal.id,
        text=goal.text,
        language=goal.language,
        domain=goal.domain,
        tags=list(goal.tags),
        condition=goal.condition,
        behaviour=goal.behaviour,
        criterion=goal.criterion,
        measure=goal.measure,
        source=GoalSource(
            kind=GoalSourceKind(goal.source_kind),
            catalogue_id=goal.source_id,
            catalogue_version=goal.source_version,
        ),
        learner_ids=learner_ids or [],
        version=goal.version,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


def catalogue_goal_view(goal: CatalogueGoalRow, version: str) -> CatalogueGoal:
    sphere = goal.area.startswith("teva-")
    return CatalogueGoal(
        id=goal.id,
        domain=None if sphere else goal.area,
        sphere=goal.area if sphere else None,
        subdomain=goal.subdomain,
        levels=list(goal.levels),
        text_fr=goal.text_fr,
        text_en=goal.text_en,
        parts_fr=GoalParts(**goal.parts_fr),
        parts_en=GoalParts(**goal.parts_en),
        catalogue_version=version,
    )


def learner_view(learner: LearnerRow, goal_count: int = 0) -> Learner:
    return Learner(
        id=learner.id,
        first_name=learner.first_name,
        goal_count=goal_count,
        version=learner.version,
        created_at=learner.created_at,
    )
