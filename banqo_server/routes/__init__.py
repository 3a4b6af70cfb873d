"""One router per resource, mounted under ``/api/v1``."""

from fastapi import APIRouter

from banqo_server.routes import (
    accounts,
    billing,
    catalogue,
    collection,
    health,
    learners,
    me,
    plans,
    privacy,
    profile,
    security,
    sessions,
    support,
)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in (
        health, accounts, sessions, security, me, profile, privacy, support, billing, catalogue, collection,
        learners, plans,
    ):
        router.include_router(module.router)
    return router
