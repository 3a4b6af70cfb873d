"""``/catalogue``: the shipped goal bank, read-only."""

from typing import Annotated

from fastapi import APIRouter, Query

from banqo_server.deps import ApiRoute, CurrentSession, DbSession, RequestLanguage, quick
from banqo_server.problems import responses
from banqo_server.routes.views import catalogue_goal_view
from banqo_server.services import catalogue
from banqo_tui.api.models import Area, AreaKind, Areas, CatalogueGoal, Page, Subdomain

router = APIRouter(prefix="/catalogue", tags=["catalogue"], route_class=ApiRoute)


@router.get("/domains", response_model=Areas, summary="Domains and TEVA spheres", responses=responses(401))
@quick
def domains(current: CurrentSession, db: DbSession, language: RequestLanguage) -> Areas:
    """The nine domains and the eight TEVA spheres, their sub-domains, labels in the request's language."""
    state = catalogue.state(db)
    counts = catalogue.goal_counts(db)
    items = [
        Area(
            id=area["id"],
            kind=AreaKind(area["kind"]),
            label=area["labels"][language],
            subdomains=[Subdomain(id=sub["id"], label=sub["labels"][language]) for sub in area["subdomains"]],
            goal_count=counts.get(area["id"], 0),
        )
        for area in state.areas
    ]
    return Areas(catalogue_version=state.version, items=items)


@router.get(
    "/goals", response_model=Page[CatalogueGoal], summary="Catalogue goals", responses=responses(401, 422)
)
@quick
def goals(
    current: CurrentSession,
    db: DbSession,
    language: RequestLanguage,
    q: Annotated[str | None, Query(max_length=200, description="Words, each the start of a word")] = None,
    domain: Annotated[str | None, Query(max_length=60, description="A domain or sphere id")] = None,
    level: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z0-9-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[CatalogueGoal]:
    """Goals of the catalogue in their shipped order; `q` matches the text in the request's language,
    case and accents ignored (« eleve » finds « élève »)."""
    rows, next_cursor = catalogue.list_goals(
        db, language=language, q=q, area=domain, level=level, limit=limit, cursor=cursor
    )
    version = catalogue.state(db).version
    return Page[CatalogueGoal](items=[catalogue_goal_view(row, version) for row in rows], next_cursor=next_cursor)
