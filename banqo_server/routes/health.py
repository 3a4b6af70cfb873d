"""``GET /health``: is the server up (no auth)."""

from fastapi import APIRouter

from banqo_server import __version__
from banqo_server.deps import ApiRoute
from banqo_tui.api.models import Health

router = APIRouter(tags=["health"], route_class=ApiRoute)


@router.get("/health", response_model=Health, summary="Health check")
def health() -> Health:
    return Health(status="ok", version=__version__)
