"""The words of plans, in the interface's language: states, kinds, roles, units, statuses and review decisions.

One table each, so that the screens, the dialogs and line mode say the same thing. No Textual import.
"""

from __future__ import annotations

from banqo_tui.api.models import (
    Participant,
    ParticipantRole,
    PlanGoalStatus,
    PlanKind,
    PlanState,
    ProgressUnit,
    ReviewDecisionKind,
    TargetDirection,
    TevaSphere,
)
from banqo_tui.i18n import N_, _

PLAN_STATES: dict[PlanState, str] = {
    PlanState.DRAFT: N_("Brouillon"),
    PlanState.ACTIVE: N_("En cours"),
    PlanState.REVIEW: N_("En révision"),
    PlanState.CLOSED: N_("Fermé"),
}

PLAN_KINDS: dict[PlanKind, str] = {
    PlanKind.INTERVENTION: N_("Plan d'intervention"),
    PlanKind.TRANSITION: N_("Plan de transition (TEVA)"),
}

ROLES: dict[ParticipantRole, str] = {
    ParticipantRole.TEACHER: N_("Enseignant·e"),
    ParticipantRole.RESOURCE_TEACHER: N_("Orthopédagogue"),
    ParticipantRole.PARENT: N_("Parent"),
    ParticipantRole.LEARNER: N_("Élève"),
    ParticipantRole.PRINCIPAL: N_("Direction"),
    ParticipantRole.PSYCHOEDUCATOR: N_("Psychoéducateur·trice"),
    ParticipantRole.SPECIAL_EDUCATION_TECHNICIAN: N_("TES"),
    ParticipantRole.OTHER: N_("Autre"),
}

UNITS: dict[ProgressUnit, str] = {
    ProgressUnit.PERCENT: N_("Pourcentage"),
    ProgressUnit.RATIO: N_("n sur m"),
    ProgressUnit.COUNT: N_("Nombre de fois"),
    ProgressUnit.RUBRIC: N_("Niveau d'une grille"),
}

DIRECTIONS: dict[TargetDirection, str] = {
    TargetDirection.AT_LEAST: N_("au moins"),
    TargetDirection.AT_MOST: N_("au plus"),
}

GOAL_STATUSES: dict[PlanGoalStatus, str] = {
    PlanGoalStatus.ACTIVE: N_("En cours"),
    PlanGoalStatus.REACHED: N_("Atteint"),
    PlanGoalStatus.CLOSED: N_("Fermé"),
}

DECISIONS: dict[ReviewDecisionKind, str] = {
    ReviewDecisionKind.CONTINUE: N_("Poursuivre tel quel"),
    ReviewDecisionKind.CHANGE_MEANS: N_("Maintenir l'objectif, modifier les moyens"),
    ReviewDecisionKind.CHANGE_GOAL: N_("Modifier l'objectif et les moyens"),
    ReviewDecisionKind.REACHED: N_("Objectif atteint"),
    ReviewDecisionKind.CLOSED: N_("Objectif fermé"),
}

#: The catalogue's sphere labels, for screens that do not load the catalogue.
SPHERES: dict[TevaSphere, str] = {
    TevaSphere.PERSONAL_AUTONOMY: N_("Autonomie personnelle"),
    TevaSphere.EMPLOYMENT: N_("Intégration socioprofessionnelle et emploi"),
    TevaSphere.LEISURE: N_("Loisirs"),
    TevaSphere.SOCIAL_NETWORK: N_("Réseau social"),
    TevaSphere.COMMUNITY: N_("Participation à la communauté"),
    TevaSphere.TRANSPORT: N_("Transport"),
    TevaSphere.EDUCATION: N_("Éducation et formation"),
    TevaSphere.RESIDENCE: N_("Résidence"),
}


def state_label(state: PlanState) -> str:
    return _(PLAN_STATES[state])


def kind_label(kind: PlanKind) -> str:
    return _(PLAN_KINDS[kind])


def role_label(participant: Participant) -> str:
    """« Orthopédagogue », or the free role typed for `other` (« Ergothérapeute »)."""
    if participant.role is ParticipantRole.OTHER and participant.other_role:
        return participant.other_role
    return _(ROLES[participant.role])


def roles_text(participants: list[Participant]) -> str:
    """« Enseignant·e, Parent » — or « (aucun) »."""
    return ", ".join(role_label(participant) for participant in participants) or _("(aucun)")


def unit_label(unit: ProgressUnit) -> str:
    return _(UNITS[unit])


def goal_status_label(status: PlanGoalStatus) -> str:
    return _(GOAL_STATUSES[status])


def decision_label(decision: ReviewDecisionKind) -> str:
    return _(DECISIONS[decision])


def sphere_label(sphere: TevaSphere) -> str:
    return _(SPHERES[sphere])


def direction_label(direction: TargetDirection) -> str:
    return _(DIRECTIONS[direction])


def in_a_teva_sphere(domain: str | None) -> bool:
    """Whether a goal's domain is one of the eight TEVA spheres: only those go into a transition annex
    (the screen pre-checks them, ``banqo plans new --kind transition`` takes them)."""
    return domain in {sphere.value for sphere in TevaSphere}
