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
    # A request is matched against the routes in this order, at a few microseconds each: the routes a teacher
    # calls most (the collection and its search on every keystroke, the résumé, plans and learners) come first.
    # No path of one router is matched by another's, so the order changes nothing else.
    for module in (
        health,
        collection,
        me,
        plans,
        learners,
        catalogue,
        billing,
        profile,
        security,
        sessions,
        accounts,
        privacy,
        support,
    ):
        router.include_router(module.router)
    return router
