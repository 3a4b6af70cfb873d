"""What the contract fuzzing (``test_contract.py``) uses: one long-lived app with a mailbox, two seeded accounts whose
real ids path parameters draw from some of the time, the auth provider (a throw-away account for the routes that
would end the caller's session or account), the narrow per-operation check settings and one check of our own."""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from schemathesis.config._checks import (
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
)

from banqo_server.settings import Settings
from tests.conftest import CHEAP_ARGON2
from tests.server.plan_helpers import Planner

PASSWORD = "une phrase de passe"

#: Operations that would end the caller's session or account, or change how it signs in: each call gets a
#: throw-away account of its own, so the seeded accounts stay signed in for the rest of the run.
#: ``DELETE /sessions/{session_id}`` is among them because schemathesis reuses ids it saw in answers
#: (``GET /sessions`` lists the caller's own session).
THROWAWAY = frozenset(
    {
        "DELETE /api/v1/sessions/current",
        "DELETE /api/v1/sessions/{session_id}",
        "DELETE /api/v1/me",
        "PUT /api/v1/me/password",
        "POST /api/v1/me/totp/setup",
        "POST /api/v1/me/totp",
        "DELETE /api/v1/me/totp",
    }
)


#: Operations whose schema-valid bodies the server may still refuse (422) for a rule JSON Schema cannot state or that
#: depends on stored data; ``positive_data_acceptance`` accepts their 422 (every other check still runs on them).
SEMANTIC_422 = {
    "POST /api/v1/password-resets": "email syntax",
    "POST /api/v1/accounts": "email syntax, password of 8 characters or more, names not blank once trimmed",
    "PUT /api/v1/me/password": "the current password must be the account's",
    "POST /api/v1/me/totp": "the code must come from the authenticator set up by POST /me/totp/setup",
    "DELETE /api/v1/me/totp": "the code must come from the account's authenticator",
    "DELETE /api/v1/me": "the password and the typed email must be the account's",
    "POST /api/v1/password-resets/{code}": "the code must be one the server mailed, still valid",
    "PUT /api/v1/me/profile/photo": "the bytes must be a JPEG, PNG or WebP image",
    "POST /api/v1/support/messages": "subject and message must not be blank once trimmed",
    "POST /api/v1/collection/goals": "the text must not be blank once trimmed; catalogue_id must exist",
    "POST /api/v1/collection/import": "the file must be BanqO's exchange format",
    "POST /api/v1/learners": "the first name must not be blank once trimmed",
    "POST /api/v1/learners/{learner_id}/goals": "the goal must be in the caller's collection",
    "POST /api/v1/plans": "the learner and the goals must be the caller's",
    "POST /api/v1/plans/{plan_id}/goals": "the goal must be in the learner's folder, or the text not blank",
    "POST /api/v1/plans/{plan_id}/progress": "the objective must be in this plan",
    "POST /api/v1/plans/{plan_id}/reviews": "one decision per active objective; held_on not before the plan opened",
    "PATCH /api/v1/me/profile": "names not blank once trimmed, email syntax, the current password to change the email",
    "POST /sandbox-processor/v1/setup-sessions/{session_id}/confirm": "the card number, expiry and CVC must be valid",
    "PUT /api/v1/subscription": "a card must be on file to subscribe (at `payment_method`)",
    "PATCH /api/v1/plans/{plan_id}": "review_due_on not before opened_on; closed_on only for a closed plan",
}

#: Known defects of the documented schema (looser than the server), each to be fixed in the request model
#: (``banqo_tui/api/models.py``); until then ``positive_data_acceptance`` accepts their 422. Remove an entry once fixed.
KNOWN_LOOSE_422: dict[str, str] = {}

#: What ``positive_data_acceptance`` and ``negative_data_rejection`` accept by default (schemathesis 4).
POSITIVE_DEFAULT = list(POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES)
NEGATIVE_DEFAULT = list(NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES)


def positive_allowances(document: dict[str, Any]) -> dict[str, list[str]]:
    """The extra statuses a schema-valid request may get, by operation label, and why:

    - an ``If-Match`` header: 428 without it (it is optional in the schema so that the 428 can explain what to
      send), 412 when it names another version than the stored one (a state no schema can know);
    - a ``cursor`` query parameter: 422 for a cursor the server did not issue (cursors are opaque);
    - ``SEMANTIC_422``, ``KNOWN_LOOSE_422``: 422 for the rules or the defects given there."""
    extras: dict[str, list[str]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            names = {(parameter["in"], parameter["name"].lower()) for parameter in operation.get("parameters", [])}
            statuses: list[str] = []
            if ("header", "if-match") in names:
                statuses += ["412", "428"]
            if ("query", "cursor") in names or label in SEMANTIC_422 or label in KNOWN_LOOSE_422:
                statuses.append("422")
            if statuses:
                extras[label] = statuses
    return extras


def schemathesis_config(document: dict[str, Any]) -> Any:
    """The run's schemathesis configuration: every default check on, ``positive_data_acceptance`` widened only
    for the operations ``positive_allowances`` names."""
    from schemathesis.config import SchemathesisConfig

    operations = []
    for label, statuses in sorted(positive_allowances(document).items()):
        checks: dict[str, Any] = {"positive_data_acceptance": {"expected-statuses": POSITIVE_DEFAULT + statuses}}
        if "412" in statuses:
            # RFC 9110 §13.2.1 lets a server evaluate preconditions before it processes the content: a stale
            # `If-Match` is refused (412) before the body is read, so an invalid body may get a 412 — still a refusal.
            checks["negative_data_rejection"] = {"expected-statuses": NEGATIVE_DEFAULT + ["412"]}
        operations.append({"include-name": label, "checks": checks})
    return SchemathesisConfig.from_dict({"operations": operations})


def fuzz_settings(data_dir: Path, **overrides: Any) -> Settings:
    """One app for a whole run: a SQLite file (or ``database_url``), cheap Argon2, a still clock, no background
    billing, the sandbox processor. Sign-ups per address are not limited here: each throw-away account is a
    sign-up, and the run would otherwise hit the limit (429, documented, and tested in
    ``test_server_accounts.py``) after twenty calls."""
    clock_now = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "clock": lambda: clock_now,
        "billing_interval": None,
        "sign_up_address_limit": 1_000_000,
        "payment_processor": "sandbox",
        **CHEAP_ARGON2,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Account:
    """A seeded teacher: their token and the ids of their objects, by path parameter name."""

    token: str
    ids: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class World:
    """The run's app (built on first use: schemathesis generates its coverage cases, auth included, as early as
    collection), the client the helpers sign up through, and the two seeded accounts."""

    app: Any = None
    client: Any = None
    owner: Account | None = None
    other: Account | None = None
    data_dir: Path | None = None
    mail: tuple[Any, Any] | None = None
    counter: itertools.count = field(default_factory=itertools.count)
    #: The database (a SQLite file in ``data_dir`` when None).
    database_url: str | None = None

    def ensure(self) -> World:
        if self.app is None:
            from fastapi.testclient import TestClient

            from banqo_server.app import create_app

            self.data_dir = Path(tempfile.mkdtemp(prefix="banqo-contract-"))
            atexit.register(self.close)
            self.mail = start_mailbox()
            database = {"database_url": self.database_url} if self.database_url else {}
            self.app = create_app(fuzz_settings(self.data_dir, smtp_url=self.mail[0].url, **database))
            self.client = TestClient(self.app)
            self.owner = seed(self.client, "lea@example.org")
            self.other = seed(self.client, "noe@example.org")
        return self

    def close(self) -> None:
        if self.app is not None:
            self.client.close()
            self.app.state.engine.dispose()
            self.app.state.processor.close()
            self.app = self.client = self.owner = self.other = None
        if self.mail is not None:
            self.mail[1].stop()
            self.mail = None
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None

    def throwaway_token(self) -> str:
        """A fresh account's token (cheap: Argon2 at its lowest cost)."""
        email = f"jetable{next(self.counter)}@example.org"
        return sign_up(self.ensure().client, email)


def start_mailbox() -> tuple[Any, Any]:
    """A real SMTP server on 127.0.0.1 (password resets and support messages are mailed); (box, controller)."""
    import socket

    from aiosmtpd.controller import Controller

    from tests.conftest import MailBox

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}"
    return box, controller


#: The run's one world, shared by the hooks below and the test module's fixture.
WORLD = World()


def sign_up(client: Any, email: str) -> str:
    body = {"email": email, "password": PASSWORD, "first_name": "Léa", "last_name": "Tremblay"}
    answer = client.post("/api/v1/accounts", json=body)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def seed(client: Any, email: str) -> Account:
    """Sign ``email`` up and give them one of everything path parameters name: a learner, goals, an active plan
    with an objective, a progress entry, a review, a second session and a card setup session."""
    lea = Planner(client, sign_up(client, email))
    student = lea.learner("Léa")
    goals = [lea.goal("{prénom} lit dix mots fréquents.", student), lea.goal("{prénom} range son casier.")]
    plan = lea.plan(student, goals[:1], opened_on="2026-09-01", review_due_on="2026-11-15")
    [objective] = lea.goals(plan["id"])
    lea.changed(f"/plans/{plan['id']}/goals/{objective['id']}", {"means": ["Imagier"]}, version=1)
    lea.activate(plan["id"])
    entry = lea.progress(plan["id"], objective["id"], 3)
    review = lea.review(plan["id"], [{"plan_goal_id": objective["id"], "decision": "continue"}])
    assert review.status_code == 201, review.text
    [objective] = lea.goals(plan["id"])  # the review may have given the objective a new row
    draft = lea.plan(lea.learner("Noé"))
    second = client.post("/api/v1/sessions", json={"email": email, "password": PASSWORD})
    assert second.status_code == 201, second.text
    setup = lea.call("POST", "/payment-method/setup")
    assert setup.status_code == 201, setup.text
    ids = {
        "learner_id": [student["id"]],
        "goal_id": [goal["id"] for goal in goals],
        "plan_id": [plan["id"], draft["id"]],
        "plan_goal_id": [objective["id"]],
        "entry_id": [entry["id"]],
        "review_id": [review.json()["id"]],
        "session_id": [second.json()["session"]["id"], setup.json()["id"]],
    }
    return Account(token=lea.token, ids=ids)


def foreign_ids_not_served(ctx: Any, response: Any, case: Any) -> bool | None:
    """A check of our own: a request naming the other account's object (its id in the path) is answered as for an
    unknown id, never with a success. The sandbox processor's page is left out: a setup session's id is what the
    processor hands to whoever pays, not an account's object."""
    if WORLD.other is None or case.path.startswith("/sandbox-processor"):
        return None
    foreign = {value for values in WORLD.other.ids.values() for value in values}
    named = [value for value in (case.path_parameters or {}).values() if value in foreign]
    if named and 200 <= response.status_code < 300:
        raise AssertionError(
            f"{case.method} {case.formatted_path} answered {response.status_code} although {named} belong to "
            "another account than the caller's"
        )
    return None


def install(schema: Any) -> None:
    """Register the auth provider and the hooks on ``schema``."""

    @schema.auth(refresh_interval=None)
    class BearerAuth:
        """The owner's token, or a throw-away account's for the operations in ``THROWAWAY``."""

        def get(self, case: Any, ctx: Any) -> str:
            if f"{case.method.upper()} {case.path}" in THROWAWAY:
                return WORLD.throwaway_token()
            owner = WORLD.ensure().owner
            assert owner is not None
            return owner.token

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Keep the generated values most of the time; else put the owner's real ids (the call can succeed) or
        the other account's (it must answer as for an unknown id, never with their object)."""
        world = WORLD.ensure()
        if not path_parameters or world.owner is None or world.other is None:
            return st.just(path_parameters)
        choices = [st.just(path_parameters)]
        for account in (world.owner, world.owner, world.other):
            known = {name: account.ids.get(name) for name in path_parameters}
            if all(known.values()):
                names = sorted(known)
                choices.append(
                    st.tuples(*(st.sampled_from(known[name]) for name in names)).map(
                        lambda values, names=names: {**path_parameters, **dict(zip(names, values, strict=True))}
                    )
                )
        return st.one_of(*choices)

    @schema.hook
    def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> Any:
        """``If-Match`` names a plausible version some of the time, so changes can succeed (not on deletes, which
        would remove the seeded objects the other operations need)."""
        if not headers or "if-match" not in {name.lower() for name in headers}:
            return st.just(headers)
        if context.operation is not None and context.operation.method.upper() == "DELETE":
            return st.just(headers)
        rest = {name: value for name, value in headers.items() if name.lower() != "if-match"}
        plausible = st.integers(min_value=1, max_value=4).map(lambda version: {**rest, "If-Match": f'"{version}"'})
        return st.one_of(st.just(headers), plausible)
