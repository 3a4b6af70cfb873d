"""Contract fuzzing: every operation of the OpenAPI document, called with generated (valid and invalid) requests on
a real app and a real database (SQLite, then PostgreSQL), must answer with a documented status, content type,
headers and body — never a 5xx. All of schemathesis' default checks run. Reproducible: a fixed seed (``derandomize``).

Besides schemathesis' checks, ``foreign_ids_not_served``: the other seeded account's ids never get a success.
``contract_helpers.positive_allowances`` lists, per operation and with the reason, the few statuses added to what
``positive_data_acceptance`` / ``negative_data_rejection`` accept.

Longer runs (marked slow): ``BANQO_FUZZ_EXAMPLES=300 .venv/bin/pytest --run-slow tests/server/test_contract.py
-k "long or stateful"``: many more examples per operation, and call sequences following the links (the only place
``use_after_free`` and ``ensure_resource_availability`` get an earlier call to look at)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import postgres_database
from tests.server import contract_helpers
from tests.server.contract_helpers import World

#: Examples per operation and phase in CI (the coverage phase adds the schema-derived edge cases).
CI_EXAMPLES = int(os.environ.get("BANQO_FUZZ_CI_EXAMPLES", "5"))

FUZZ = settings(
    max_examples=CI_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_app(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One app and database for the whole run, with the two seeded accounts: on SQLite, then on PostgreSQL (a
    database of its own, from the migrated template; skipped without ``BANQO_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        yield contract_helpers.WORLD.ensure().app
        contract_helpers.WORLD.close()
        return
    with postgres_database() as url:
        sqlite_world = contract_helpers.WORLD
        contract_helpers.WORLD = World(database_url=url)  # the helpers' tokens and ids come from this one now
        try:
            app = contract_helpers.WORLD.ensure().app
            assert app.state.engine.dialect.name == "postgresql"
            yield app
        finally:
            contract_helpers.WORLD.close()
            contract_helpers.WORLD = sqlite_world


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Any) -> Any:
    """The document the server serves, loaded when the test runs (not at collection: generating every operation's
    coverage cases takes seconds), with the auth provider and hooks."""
    config = contract_helpers.schemathesis_config(fuzz_app.openapi())
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app, config=config)
    contract_helpers.install(schema)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@FUZZ
def test_contract(case: Any) -> None:
    case.call_and_validate(additional_checks=[contract_helpers.foreign_ids_not_served])


@pytest.mark.slow
@schema.parametrize()
@settings(FUZZ, max_examples=int(os.environ.get("BANQO_FUZZ_EXAMPLES", "200")))
def test_contract_long(case: Any) -> None:
    case.call_and_validate(additional_checks=[contract_helpers.foreign_ids_not_served])


def test_a_405_names_every_method_the_path_answers(client: Any) -> None:
    """Found by the fuzzing: Starlette named only the first route matching the path in `Allow`."""
    answer = client.request("OPTIONS", "/api/v1/learners/inconnu/goals")
    assert answer.status_code == 405
    assert answer.headers["content-type"] == "application/problem+json"
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    answer = client.put("/api/v1/plans/inconnu")
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}


@pytest.mark.slow
def test_contract_stateful(api_schema: Any) -> None:
    """Sequences of calls following the links schemathesis infers (create, then read, change, delete): the checks
    that need an earlier call (``use_after_free``, ``ensure_resource_availability``) only run here.
    ``BANQO_FUZZ_EXAMPLES`` sequences (default 200), up to 10 calls each."""

    class Machine(api_schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            checks = [*(additional_checks or []), contract_helpers.foreign_ids_not_served]
            super().validate_response(response, case, additional_checks=checks, **kwargs)

    examples = int(os.environ.get("BANQO_FUZZ_EXAMPLES", "200"))
    Machine.run(settings=settings(FUZZ, max_examples=examples, stateful_step_count=10))
