"""Object isolation, generated from the OpenAPI document: for every operation that takes an id in its path,
another account gets 404 with the first account's ids — for reads, changes and deletions — exactly as with an
unknown id, and the first account's objects are unchanged afterwards; the owner making the same call succeeds,
so the 404 means something. Lists, searches and exports of the other account never show the first account's
objects. Ids of another account in a body are refused like unknown ones.

The table ``CALLS`` says how to make a valid call of each operation; it is compared to the document, so that a
new route cannot escape (``test_the_table_knows_every_operation_taking_an_id``).

Three path parameters do not name an account's object; what isolation means for each is tested apart:

- ``POST /password-resets/{code}``: the code is a secret mailed to one address, and the only thing that names
  the account (the route takes no sign-in). Isolation: a code changes the password of the account it was mailed
  for and no other, whoever sends it; another account's code — used, or made stale by a newer one — is refused
  like an unknown one; one account asking for a code leaves the other's code working.
- ``POST /sandbox-processor/v1/setup-sessions/{session_id}/confirm``: the processor's own page, reached by an
  unguessable id, without BanqO sign-in (as a real processor's hosted page). Isolation: the card entered there
  belongs to the account that opened the session, whoever enters it; its token is refused to any other account
  exactly like an unknown token; a completed session is 404 like an unknown one.
- ``DELETE /sessions/{session_id}`` is an account's object and is in ``CALLS``: another account's session id is
  404 and that session keeps working.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any

import jsonschema
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from banqo_server.app import create_app
from banqo_server.settings import Settings
from tests.server.isolation_helpers import (
    API,
    PASSWORD,
    Account,
    build,
    filled,
    seen_text,
    unknown_like,
)

SANDBOX = "/sandbox-processor/v1"
NOT_FOUND = "Cette ressource n'existe pas."
PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Call:
    """How to make a valid call of one operation, from the owner of the ids."""

    #: JSON body; ``{name}`` is filled with the world's ids.
    body: Any = None
    params: dict[str, str] | None = None
    #: Path parameter → key of the world's ids, where not the same name.
    ids: dict[str, str] = field(default_factory=dict)
    #: Path (under ``/api/v1``, with ``{name}``) whose ``ETag`` is the ``If-Match`` to send.
    version: str | None = None


GOAL = "/collection/goals/{goal_id}"
LEARNER = "/learners/{learner_id}"
PLAN = "/plans/{plan_id}"
PLAN_GOAL = "/plans/{plan_id}/goals/{plan_goal_id}"

#: Every operation taking an account's object id in its path. The owner's calls run in this order (reads,
#: changes, then deletions, children before parents), each answering 2xx.
CALLS: dict[tuple[str, str], Call] = {
    # « Ma collection » and learners
    ("GET", f"{API}{GOAL}"): Call(),
    ("PATCH", f"{API}{GOAL}"): Call({"text": "{prénom} réécrit un objectif."}, version=GOAL),
    ("POST", f"{API}{GOAL}/restore"): Call(ids={"goal_id": "deleted_goal_id"}),
    ("GET", f"{API}{LEARNER}"): Call(),
    ("PATCH", f"{API}{LEARNER}"): Call({"first_name": "Rosalie"}, version=LEARNER),
    ("GET", f"{API}{LEARNER}/goals"): Call(),
    ("POST", f"{API}{LEARNER}/goals"): Call({"goal_id": "{spare_goal_id}"}),
    # « Factures »
    ("GET", f"{API}/invoices/{{invoice_id}}"): Call(),
    ("GET", f"{API}/invoices/{{invoice_id}}/pdf"): Call(),
    # Plans, their objectives, progress and reviews
    ("GET", f"{API}{PLAN}"): Call(),
    ("GET", f"{API}{PLAN}/document"): Call(),
    ("GET", f"{API}{PLAN}/export"): Call(params={"format": "md"}),
    ("GET", f"{API}{PLAN}/goals"): Call(),
    ("GET", f"{API}{PLAN_GOAL}"): Call(),
    ("GET", f"{API}{PLAN_GOAL}/history"): Call(),
    ("GET", f"{API}{PLAN}/progress"): Call(),
    ("GET", f"{API}{PLAN}/reviews"): Call(),
    ("GET", f"{API}{PLAN}/reviews/{{review_id}}"): Call(),
    ("GET", f"{API}{PLAN}/reviews/{{review_id}}/export"): Call(params={"format": "md"}),
    ("PATCH", f"{API}{PLAN}"): Call({"strengths": [{"text": "Persévère."}]}, version=PLAN),
    ("POST", f"{API}{PLAN}/reviews"): Call(
        {"decisions": [{"plan_goal_id": "{plan_goal_id}", "decision": "continue"}]}, version=PLAN
    ),
    ("POST", f"{API}{PLAN}/goals"): Call({"text": "{prénom} range son pupitre."}),
    ("PATCH", f"{API}{PLAN_GOAL}"): Call({"text": "{prénom} lit vingt mots."}, version=PLAN_GOAL),
    ("POST", f"{API}{PLAN}/progress"): Call({"plan_goal_id": "{plan_goal_id}", "value": 60}),
    ("DELETE", f"{API}{PLAN}/progress/{{entry_id}}"): Call(),
    ("DELETE", f"{API}{PLAN_GOAL}"): Call(version=PLAN_GOAL),
    ("POST", f"{API}{PLAN}/renewal"): Call({}, version=PLAN),
    # Deletions, children before parents
    ("DELETE", f"{API}{LEARNER}/goals/{{goal_id}}"): Call(),
    ("DELETE", f"{API}{GOAL}"): Call(version=GOAL),
    ("DELETE", f"{API}{PLAN}"): Call(version=PLAN),
    ("DELETE", f"{API}{LEARNER}"): Call(version=LEARNER),
    ("DELETE", f"{API}/sessions/{{session_id}}"): Call(),
}

#: Operations whose path parameter is not an account's object: the test that says what isolation means there.
SPECIAL = {
    ("POST", f"{API}/password-resets/{{code}}"): "test_a_reset_code_changes_only_the_account_it_was_mailed_for",
    (
        "POST",
        f"{SANDBOX}/setup-sessions/{{session_id}}/confirm",
    ): "test_a_card_entered_belongs_to_the_account_that_asked",
}

#: Every id field of a request body: the call refusing another account's id like an unknown one. ``{own_…}`` is
#: the caller's own id, ``{…}`` the other account's.
BODY_IDS: dict[tuple[str, str, str], tuple[str, Any, str | None]] = {
    ("POST", f"{API}/collection/goals", "learner_ids"): (
        "/collection/goals",
        {"text": "{prénom} sort dehors.", "learner_ids": ["{learner_id}"]},
        None,
    ),
    ("POST", f"{API}/learners/{{learner_id}}/goals", "goal_id"): (
        "/learners/{own_learner_id}/goals",
        {"goal_id": "{spare_goal_id}"},
        None,
    ),
    ("POST", f"{API}/plans", "learner_id"): ("/plans", {"learner_id": "{learner_id}"}, None),
    ("POST", f"{API}/plans", "goal_ids"): (
        "/plans",
        {"learner_id": "{own_learner_id}", "goal_ids": ["{goal_id}"]},
        None,
    ),
    ("POST", f"{API}/plans", "parent_plan_id"): (
        "/plans",
        {"learner_id": "{own_learner_id}", "kind": "transition", "parent_plan_id": "{plan_id}"},
        None,
    ),
    ("POST", f"{API}/plans/{{plan_id}}/reviews", "plan_goal_id"): (
        "/plans/{own_plan_id}/reviews",
        {"decisions": [{"plan_goal_id": "{plan_goal_id}", "decision": "closed"}]},
        "/plans/{own_plan_id}",
    ),
    ("POST", f"{API}/plans/{{plan_id}}/goals", "goal_id"): (
        "/plans/{own_plan_id}/goals",
        {"goal_id": "{spare_goal_id}"},
        None,
    ),
    ("POST", f"{API}/plans/{{plan_id}}/progress", "plan_goal_id"): (
        "/plans/{own_plan_id}/progress",
        {"plan_goal_id": "{plan_goal_id}", "value": 10},
        None,
    ),
}

#: Id fields of bodies that name no account's object.
SHARED_IDS = {
    ("POST", f"{API}/collection/goals", "catalogue_id"): "the shared catalogue of goals, the same for everyone",
}

#: Lists, searches and exports; ``{…}`` are the other account's ids, ``{own_…}`` the caller's.
LISTS: list[tuple[str, dict[str, str]]] = [
    ("/learners", {}),
    ("/collection/goals", {}),
    ("/collection/goals", {"q": "quokka"}),
    ("/collection/goals", {"q": "Zéphyrine"}),
    ("/catalogue/goals", {"q": "quokka"}),
    ("/learners/{own_learner_id}/goals", {}),
    ("/plans", {}),
    ("/plans", {"learner_id": "{learner_id}"}),
    ("/plans/{own_plan_id}/progress", {"plan_goal_id": "{plan_goal_id}"}),
    ("/invoices", {}),
    ("/sessions", {}),
    ("/me/activity", {}),
    ("/me/summary", {}),
    ("/me/export", {}),
    ("/collection/export", {}),
    ("/collection/export", {"format": "csv"}),
]

#: What the owner reads besides the table's GETs, to see that nothing changed.
OWNER_READS = [
    "/learners",
    "/collection/goals",
    "/plans",
    "/invoices",
    "/sessions",
    "/me/activity",
    "/me/summary",
    "/subscription",
    "/payment-method",
    "/collection/export",
]


# --- the table against the document ----------------------------------------------------------------------------


@functools.cache
def application() -> Any:
    """An application with the default settings, which has every route a server can have (the sandbox
    processor's included), on a throw-away in-memory database."""
    return create_app(Settings(database_url="sqlite://"))


def document() -> dict[str, Any]:
    """The application's OpenAPI document, as ``create_app(settings).openapi()`` builds it."""
    result: dict[str, Any] = application().openapi()
    return result


def routed_operations() -> set[tuple[str, str]]:
    """Every (METHOD, path) the application routes with a parameter in its path, shown in the document or not."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(application().routes):
        path = str(route.path)
        if "{" in path:
            found |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return found


def id_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (METHOD, path) of the document with a parameter in its path."""
    return {
        (method.upper(), path)
        for path, operations in doc["paths"].items()
        if "{" in path
        for method in operations
        if method in {"get", "put", "post", "patch", "delete"}
    }


def body_id_fields(doc: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(METHOD, path, field) for every property named ``…_id`` or ``…_ids`` of a JSON request body, at any depth."""
    schemas = doc["components"]["schemas"]
    found: set[tuple[str, str, str]] = set()

    def walk(schema: Any, key: tuple[str, str], seen: frozenset[str]) -> None:
        if isinstance(schema, list):
            for item in schema:
                walk(item, key, seen)
            return
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(schemas[name], key, seen | {name})
            return
        for name, value in schema.get("properties", {}).items():
            if name.endswith(("_id", "_ids")):
                found.add((*key, name))
            walk(value, key, seen)
        for part in ("items", "anyOf", "oneOf", "allOf"):
            walk(schema.get(part), key, seen)

    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"].get("schema"), (method.upper(), path), frozenset())
    return found


def query_id_parameters(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """(path, name) for every query parameter named ``…_id`` of a GET."""
    return {
        (path, parameter["name"])
        for path, operations in doc["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["in"] == "query" and parameter["name"].endswith("_id")
    }


def takes_if_match(operation: dict[str, Any]) -> bool:
    return any(p["in"] == "header" and p["name"].lower() == "if-match" for p in operation.get("parameters", []))


def test_the_table_knows_every_operation_taking_an_id():
    doc = document()
    assert routed_operations() == id_operations(doc), "a route taking an id is hidden from the document"
    missing = id_operations(doc) - set(CALLS) - set(SPECIAL)
    gone = (set(CALLS) | set(SPECIAL)) - id_operations(doc)
    assert not missing, f"operations taking an id that this suite does not know how to call: {sorted(missing)}"
    assert not gone, f"operations of this suite that the document no longer has: {sorted(gone)}"
    assert not set(CALLS) & set(SPECIAL)
    listed = {(API + template.replace("{own_", "{"), name) for template, params in LISTS for name in params}
    assert query_id_parameters(doc) <= listed, "a list filtered by an id is missing from LISTS"


def test_the_table_sends_what_each_operation_documents():
    """Every body is valid for its operation's request schema, every If-Match route gets a version, and every id
    field of a request body is in ``BODY_IDS`` (or named as shared)."""
    doc = document()
    ids = {name: "0123456789abcdef0123456789abcdef" for name in ("goal_id", "plan_goal_id", "spare_goal_id")}
    for (method, path), call in CALLS.items():
        operation = doc["paths"][path][method.lower()]
        assert takes_if_match(operation) == (call.version is not None), f"{method} {path}: If-Match"
        content = operation.get("requestBody", {}).get("content", {})
        if call.body is None:
            assert not operation.get("requestBody", {}).get("required"), f"{method} {path} needs a body"
            continue
        schema = {**content["application/json"]["schema"], "components": doc["components"]}
        jsonschema.validate(filled(call.body, ids), schema)
    assert body_id_fields(doc) == set(BODY_IDS) | set(SHARED_IDS), "an id field of a body is missing from BODY_IDS"
    for (method, path, _field), (_, body, _version) in BODY_IDS.items():
        schema = {**doc["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]}
        jsonschema.validate(filled(body, ids), {**schema, "components": doc["components"]})


# --- calling the table -------------------------------------------------------------------------------------


def path_of(template: str, call: Call, ids: dict[str, str]) -> str:
    return PARAMETER.sub(lambda found: ids[call.ids.get(found.group(1), found.group(1))], template)


def version_for(account: Account, call: Call, ids: dict[str, str]) -> str | None:
    return account.version(filled(call.version, ids)) if call.version else None


def send(account: Account, method: str, template: str, call: Call, ids: dict[str, str], version: str | None) -> Any:
    path = path_of(template, call, ids)
    return account.call(method, path, filled(call.body, ids), version=version, params=call.params)


def outcome(answer: Any) -> tuple[int, str, Any]:
    """What a client can tell of an answer: status, media type, body."""
    kind = answer.headers.get("content-type", "")
    body = answer.json() if "json" in kind else answer.content
    return answer.status_code, kind, body


def readable(answer: Any) -> Any:
    """What the owner reads, without what changes on its own (the time a document is generated): enough to see
    any change made by someone else."""
    if "json" in answer.headers.get("content-type", ""):
        body = answer.json()
        if isinstance(body, dict):
            body = {key: value for key, value in body.items() if key not in {"generated_at", "exported_at"}}
        return answer.status_code, body
    return answer.status_code, answer.text


def snapshot(owner: Account, mine: dict[str, str]) -> dict[str, Any]:
    seen = {
        template: readable(send(owner, "GET", template, call, mine, None))
        for (method, template), call in CALLS.items()
        if method == "GET"
        and not template.endswith("/pdf")  # the same invoice as its JSON, which is compared; slow to render
        and all(call.ids.get(name, name) in mine for name in PARAMETER.findall(template))
    }
    for path in OWNER_READS:
        seen[path] = readable(owner.call("GET", f"{API}{path}"))
    return seen


def unknown(ids: dict[str, str]) -> dict[str, str]:
    return {name: unknown_like(value) for name, value in ids.items()}


def own(ids: dict[str, str]) -> dict[str, str]:
    return {f"own_{name}": value for name, value in ids.items()}


# --- the tests ---------------------------------------------------------------------------------------------


@pytest.fixture
def owner(client: TestClient) -> Account:
    return Account(client, "lea@example.org", "Léa", "Ouellette")


@pytest.fixture
def intruder(client: TestClient) -> Account:
    return Account(client, "marc@example.org", "Marc", "Gagnon")


def test_another_account_gets_404_like_an_unknown_id_everywhere_and_changes_nothing(owner, intruder):
    mine = build(owner, "Zéphyrine", "quokka")
    other = build(owner, "Rosalie", "koala", invoice=False)  # another of the owner's plans, learners, ...
    theirs = build(intruder, "Gaspard", "wombat", invoice=False)
    nobody = unknown(mine)
    before = snapshot(owner, mine)

    for (method, template), call in CALLS.items():
        version = version_for(owner, call, mine)  # the owner's current version: only the account differs
        foreign = send(intruder, method, template, call, mine, version)
        assert foreign.status_code == 404, f"{method} {template}: {foreign.status_code} {foreign.text}"
        assert foreign.json()["detail"] == NOT_FOUND
        assert outcome(foreign) == outcome(send(intruder, method, template, call, nobody, version)), template
        if call.version is not None:  # a stale version or none at all: still the same answer as for an unknown id
            for wrong in ("999", None):
                foreign = send(intruder, method, template, call, mine, wrong)
                assert outcome(foreign) == outcome(send(intruder, method, template, call, nobody, wrong)), template
        names = [call.ids.get(name, name) for name in PARAMETER.findall(template)]
        if len(names) > 1:
            # The intruder's own parent with the owner's child; the owner's parent with another parent's child.
            mixed = {**theirs, names[-1]: mine[names[-1]]}
            answer = send(intruder, method, template, call, mixed, version_for(intruder, call, theirs))
            assert answer.status_code == 404, f"{method} {template} (mixed): {answer.status_code} {answer.text}"
            mixed = {**mine, names[-1]: other[names[-1]]}
            answer = send(owner, method, template, call, mixed, version_for(owner, call, other))
            assert answer.status_code == 404, f"{method} {template} (own mix): {answer.status_code} {answer.text}"

    after = snapshot(owner, mine)
    assert after == before
    assert mine["session_id"] in str(after["/sessions"])  # the session the intruder tried to end

    # The same calls from the owner succeed: the 404s above were about the account, not about the calls.
    for (method, template), call in CALLS.items():
        answer = send(owner, method, template, call, mine, version_for(owner, call, mine))
        assert 200 <= answer.status_code < 300, f"{method} {template}: {answer.status_code} {answer.text}"


def test_lists_exports_and_bodies_never_reach_another_accounts_objects(owner, intruder):
    """Lists, searches and exports of the intruder show none of the owner's objects (by id and by text) while
    showing the intruder's own; then the owner's ids in a body are refused exactly like unknown ones."""
    mine = build(owner, "Zéphyrine", "quokka")
    theirs = build(intruder, "Gaspard", "wombat")
    before = snapshot(owner, mine)
    secrets_of_owner = {"quokka", "Zéphyrine", "Ouellette", owner.email, owner.session_id, *mine.values()}
    everything_seen = ""
    for template, params in LISTS:
        path = f"{API}{filled(template, own(theirs))}"
        answer = intruder.call("GET", path, params=filled(params, {**mine, **own(theirs)}))
        assert answer.status_code == 200, f"{template} {params}: {answer.status_code} {answer.text}"
        text = seen_text(answer)
        leaked = sorted(secret for secret in secrets_of_owner if secret.lower() in text.lower())
        assert not leaked, f"{template} {params} shows the other account's {leaked}"
        everything_seen += text
    # Not vacuous: the same lists show the caller's own objects.
    for name in ("learner_id", "goal_id", "plan_id", "plan_goal_id", "entry_id", "invoice_id", "session_id"):
        assert theirs[name] in everything_seen, name
    assert "wombat" in everything_seen and "Gaspard" in everything_seen
    found = intruder.read("/collection/goals", q="wombat")["items"]
    assert {goal["id"] for goal in found} == {theirs["goal_id"], theirs["spare_goal_id"]}

    for key, (template, body, version_path) in BODY_IDS.items():
        path = f"{API}{filled(template, own(theirs))}"
        version = intruder.version(filled(version_path, own(theirs))) if version_path else None
        foreign = intruder.call("POST", path, filled(body, {**mine, **own(theirs)}), version=version)
        nothing = intruder.call("POST", path, filled(body, {**unknown(mine), **own(theirs)}), version=version)
        assert 400 <= foreign.status_code < 500, f"{key}: {foreign.status_code} {foreign.text}"
        assert outcome(foreign) == outcome(nothing), key
        assert not any(secret.lower() in foreign.text.lower() for secret in secrets_of_owner), key
        # The same body naming the caller's own objects is accepted.
        version = intruder.version(filled(version_path, own(theirs))) if version_path else None
        accepted = intruder.call("POST", path, filled(body, {**theirs, **own(theirs)}), version=version)
        assert 200 <= accepted.status_code < 300, f"{key} (own ids): {accepted.status_code} {accepted.text}"
    assert snapshot(owner, mine) == before

    # What the owner already has is no obstacle to the intruder: no « Zéphyrine 2 », no « already there ».
    assert intruder.made("/learners", {"first_name": "Zéphyrine"})["first_name"] == "Zéphyrine"
    copy = intruder.made("/collection/goals", {"text": "{prénom} nourrit le quokka sans aide."})
    assert copy["id"] not in mine.values()


def test_a_reset_code_changes_only_the_account_it_was_mailed_for(settings, mailbox):
    """The code names the account; a signed-in caller's own account is never the one changed."""
    app = create_app(replace(settings, smtp_url=mailbox.url))
    try:
        with TestClient(app) as client:
            owner = Account(client, "lea@example.org", "Léa", "Ouellette")
            intruder = Account(client, "marc@example.org", "Marc", "Gagnon")
            codes = {}
            for count, account in enumerate((owner, intruder, owner), start=1):
                answer = client.post(f"{API}/password-resets", json={"email": account.email})
                assert answer.status_code == 202, answer.text
                codes.setdefault(account.email, []).append(mailed_code(mailbox, count))
            stale, current = codes[owner.email]
            [intruders] = codes[intruder.email]

            def reset(code: str, new_password: str, token: str | None = None) -> Any:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                return client.post(
                    f"{API}/password-resets/{code}", json={"new_password": new_password}, headers=headers
                )

            refused = reset("ABCD-EFGH-JKMN", "un mot de passe inconnu")
            assert refused.status_code == 422
            # The owner's newer code made the older one stale: refused like an unknown code.
            assert outcome(reset(stale, "un mot de passe périmé", intruder.token)) == outcome(refused)
            # The intruder's code, sent with the owner's bearer token, changes the intruder's password only.
            assert reset(intruders, "le nouveau mot de passe de Marc", owner.token).status_code == 204
            assert signs_in(client, intruder.email, "le nouveau mot de passe de Marc")
            assert signs_in(client, owner.email, PASSWORD)
            assert owner.call("GET", f"{API}/me/profile").status_code == 200  # the owner's session is not ended
            assert intruder.call("GET", f"{API}/me/profile").status_code == 401
            # Used once, the intruder's code is refused like an unknown one; the owner's code still works.
            assert outcome(reset(intruders, "encore un autre mot de passe")) == outcome(refused)
            assert reset(current, "le nouveau mot de passe de Léa", intruder.token).status_code == 204
            assert signs_in(client, owner.email, "le nouveau mot de passe de Léa")
            assert signs_in(client, intruder.email, "le nouveau mot de passe de Marc")
    finally:
        app.state.engine.dispose()
        app.state.processor.close()


def mailed_code(mailbox: Any, count: int) -> str:
    message = mailbox.wait_for(count)[count - 1]
    [code] = re.findall(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b", mailbox.body(message))
    return str(code)


def signs_in(client: TestClient, email: str, password: str) -> bool:
    answer = client.post(f"{API}/sessions", json={"email": email, "password": password})
    assert answer.status_code in (201, 401), answer.text
    return bool(answer.status_code == 201)


def test_a_card_entered_belongs_to_the_account_that_asked(owner, intruder):
    """The setup session's id reaches the processor's page (no BanqO sign-in): the card entered there is the
    asking account's, whoever types it, and its token is worth nothing to another account."""
    client = owner.client
    card = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    setup = owner.made("/payment-method/setup")
    confirm_path = f"{SANDBOX}/setup-sessions/{setup['id']}/confirm"
    # Typed while signed in as the intruder: still the owner's card.
    confirmed = intruder.call("POST", confirm_path, card)
    assert confirmed.status_code == 201, confirmed.text
    token = confirmed.json()["token"]

    def put_card(account: Account, card_token: str) -> Any:
        version = account.version("/payment-method")
        return account.call("PUT", f"{API}/payment-method", {"token": card_token}, version=version)

    stolen = put_card(intruder, token)
    made_up = put_card(intruder, unknown_like(token))
    assert stolen.status_code == 422 and list(stolen.json()["errors"]) == ["token"]
    assert outcome(stolen) == outcome(made_up)
    assert intruder.read("/payment-method")["card"] is None

    # Completed, the session is 404 like an unknown one, for everyone.
    again = client.post(confirm_path, json=card)
    assert again.status_code == 404
    assert outcome(again) == outcome(
        client.post(f"{SANDBOX}/setup-sessions/{unknown_like(setup['id'])}/confirm", json=card)
    )

    assert put_card(owner, token).status_code == 200
    assert owner.read("/payment-method")["card"]["last4"] == "4242"
    assert intruder.read("/payment-method")["card"] is None
