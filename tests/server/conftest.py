"""Fixtures of the API tests: every test that uses the app runs on SQLite and, when
``BANQO_TEST_POSTGRES_URL`` is set, on PostgreSQL (a database of its own per test)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from banqo_server.app import create_app, ready_routes
from banqo_server.settings import Settings
from banqo_tui.api.models import Goal, Page

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from fastapi.testclient import TestClient

from tests.conftest import postgres_database

PASSWORD = "une phrase de passe"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's database: a SQLite file (``cheap_settings`` starts it from the migrated template) or a
    PostgreSQL database of its own, migrated unless the test is marked ``empty_database``."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'banqo.sqlite3'}"
        return
    with postgres_database(migrated=request.node.get_closest_marker("empty_database") is None) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path, cheap_settings: Callable[..., Settings]) -> Settings:
    return cheap_settings(database_url=database_url, data_dir=tmp_path)


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Any]:
    """Builds API clients (each its own app, as separate server processes would be) on the test's database."""
    apps = []

    def make(*, ready: bool = False, **options: Any) -> TestClient:
        """``ready``: the app builds every route now, as a served app does as it starts (``ready_routes``; a
        ``TestClient`` runs no lifespan). Otherwise FastAPI builds them at a router's first request, and the
        routers are modules that every app of the process shares: apps doing so in threads at once race inside
        pydantic (a warning, sometimes a 500). A test racing several apps builds them first."""
        app = create_app(settings)
        apps.append(app)
        if ready:
            asyncio.run(ready_routes(app))
        return TestClient(app, **options)

    yield make
    for app in apps:
        app.state.engine.dispose()
        app.state.processor.close()


@pytest.fixture
def client(make_client: Any) -> TestClient:
    return make_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """A test's view of the API: a client and the few calls most tests repeat."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def sign_up(self, email: str = "lea@example.org", password: str = PASSWORD, **extra: Any) -> Any:
        body = {"email": email, "password": password, "first_name": "Léa", "last_name": "Tremblay", **extra}
        return self.client.post("/api/v1/accounts", json=body)

    def signed_up(self, email: str = "lea@example.org", **extra: Any) -> dict[str, Any]:
        """Sign up successfully; the answer's body (token, session, account)."""
        answer = self.sign_up(email, **extra)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def sign_in(self, email: str = "lea@example.org", password: str = PASSWORD, **extra: Any) -> Any:
        return self.client.post("/api/v1/sessions", json={"email": email, "password": password, **extra})

    def signed_in(self, email: str = "lea@example.org", **extra: Any) -> dict[str, Any]:
        answer = self.sign_in(email, **extra)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {**(bearer(token) if token else {}), **kwargs.pop("headers", {})}
        return self.client.get(f"/api/v1{path}", headers=headers, **kwargs)

    def delete(self, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {**(bearer(token) if token else {}), **kwargs.pop("headers", {})}
        return self.client.delete(f"/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def make_api(make_client: Any) -> Any:
    """Another API process on the same database."""
    return lambda **options: Api(make_client(**options))


class Bank:
    """One signed-up teacher's calls on the goal bank."""

    def __init__(self, api: Any, email: str = "lea@example.org") -> None:
        self.api = api
        self.token = api.signed_up(email)["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.api.client.post(f"/api/v1{path}", json=body, headers=headers, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.api.client.patch(f"/api/v1{path}", json=body, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.api.get(path, self.token, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.api.delete(path, self.token, **kwargs)

    def add(self, text: str, **fields: Any) -> dict[str, Any]:
        answer = self.post("/collection/goals", {"text": text, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def texts(self, **params: Any) -> list[str]:
        answer = self.get("/collection/goals", params=params)
        assert answer.status_code == 200, answer.text
        return [goal.text for goal in Page[Goal].model_validate(answer.json()).items]


@pytest.fixture
def make_bank(api: Api) -> Any:
    """Signs up a teacher (``email``) and gives their calls on the goal bank."""
    return lambda email="lea@example.org": Bank(api, email)


@pytest.fixture
def bank(make_bank: Any) -> Bank:
    return make_bank()
