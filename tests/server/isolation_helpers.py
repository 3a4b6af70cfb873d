"""What the isolation suite needs: an account's calls on any path of the application, a world of objects built
through the API (learner, goals, plan with an objective, progress and a review, invoice, second session), and
ids filled into path templates and bodies."""

from __future__ import annotations

import io
import json
import re
import secrets
import string
import zipfile
from typing import Any

API = "/api/v1"
PASSWORD = "une phrase de passe"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Account:
    """One signed-up teacher's calls, through ``client`` (a TestClient). Paths are the application's own (with
    ``/api/v1``); ``version`` becomes ``If-Match``."""

    def __init__(self, client: Any, email: str, first_name: str, last_name: str) -> None:
        self.client = client
        self.email = email
        body = {"email": email, "password": PASSWORD, "first_name": first_name, "last_name": last_name}
        answer = client.post(f"{API}/accounts", json=body)
        assert answer.status_code == 201, answer.text
        self.token: str = answer.json()["token"]
        self.session_id: str = answer.json()["session"]["id"]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        version: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.client.request(method, path, json=body, headers=headers, params=params)

    def made(self, path: str, body: Any = None, *, version: str | None = None) -> dict[str, Any]:
        """POST under ``/api/v1`` that must answer 201; its JSON."""
        answer = self.call("POST", f"{API}{path}", body, version=version)
        assert answer.status_code == 201, f"{path}: {answer.text}"
        result: dict[str, Any] = answer.json()
        return result

    def read(self, path: str, **params: Any) -> Any:
        """GET under ``/api/v1`` that must answer 200; its JSON."""
        answer = self.call("GET", f"{API}{path}", params=params or None)
        assert answer.status_code == 200, f"{path}: {answer.text}"
        return answer.json()

    def version(self, path: str) -> str:
        """The version (``ETag``) of what ``path`` (under ``/api/v1``) answers."""
        answer = self.call("GET", f"{API}{path}")
        assert answer.status_code == 200, f"{path}: {answer.text}"
        etag: str = answer.headers["etag"]
        return etag.strip('"')


def build(teacher: Account, first_name: str, marker: str, *, invoice: bool = True) -> dict[str, str]:
    """Objects of every kind a path can name, made by ``teacher`` through the API; their ids by path parameter
    name (and a few more: ``spare_goal_id`` is filed under no learner, ``deleted_goal_id`` was just deleted).
    Every text holds ``marker``, so that a list showing it to someone else is seen."""
    learner = teacher.made("/learners", {"first_name": first_name})
    goal = teacher.made(
        "/collection/goals", {"text": f"{{prénom}} nourrit le {marker} sans aide.", "learner_ids": [learner["id"]]}
    )
    spare = teacher.made("/collection/goals", {"text": f"{{prénom}} dessine un {marker} de mémoire."})
    gone = teacher.made("/collection/goals", {"text": f"{{prénom}} compte les {marker}s du parc."})
    path = f"/collection/goals/{gone['id']}"
    answer = teacher.call("DELETE", f"{API}{path}", version=teacher.version(path))
    assert answer.status_code == 204, answer.text

    plan = teacher.made("/plans", {"learner_id": learner["id"], "goal_ids": [goal["id"]]})
    path = f"/plans/{plan['id']}"
    answer = teacher.call("PATCH", f"{API}{path}", {"state": "active"}, version=teacher.version(path))
    assert answer.status_code == 200, answer.text
    [plan_goal] = teacher.read(f"{path}/goals")["items"]
    entry = teacher.made(f"{path}/progress", {"plan_goal_id": plan_goal["id"], "value": 40, "note": marker})
    decisions = [{"plan_goal_id": plan_goal["id"], "decision": "continue"}]
    review = teacher.made(
        f"{path}/reviews", {"decisions": decisions, "note": f"Le {marker} avance."}, version=teacher.version(path)
    )
    second = teacher.client.post(f"{API}/sessions", json={"email": teacher.email, "password": PASSWORD})
    assert second.status_code == 201, second.text

    ids = {
        "learner_id": learner["id"],
        "goal_id": goal["id"],
        "spare_goal_id": spare["id"],
        "deleted_goal_id": gone["id"],
        "plan_id": plan["id"],
        "plan_goal_id": plan_goal["id"],
        "entry_id": entry["id"],
        "review_id": review["id"],
        "session_id": second.json()["session"]["id"],
    }
    if invoice:
        ids["invoice_id"] = subscribed(teacher)
    return ids


def subscribed(teacher: Account) -> str:
    """A card entered on the sandbox processor's page, then the monthly offer: the invoice's id."""
    setup = teacher.made("/payment-method/setup")
    entry = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    confirm = teacher.client.post(f"/sandbox-processor/v1/setup-sessions/{setup['id']}/confirm", json=entry)
    assert confirm.status_code == 201, confirm.text
    card = {"token": confirm.json()["token"]}
    answer = teacher.call("PUT", f"{API}/payment-method", card, version=teacher.version("/payment-method"))
    assert answer.status_code == 200, answer.text
    offer = {"offer": "monthly"}
    answer = teacher.call("PUT", f"{API}/subscription", offer, version=teacher.version("/subscription"))
    assert answer.status_code == 200, answer.text
    [invoice] = teacher.read("/invoices")["items"]
    invoice_id: str = invoice["id"]
    return invoice_id


def filled(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with every ``{name}`` naming a key of ``ids`` replaced (``{prénom}`` and the like are kept)."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda found: ids.get(found.group(1), found.group(0)), value)
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    return value


def unknown_like(known: str) -> str:
    """An id of the same shape as ``known`` (prefix, length, alphabet) that names nothing."""
    prefix, _, rest = known.rpartition("_")
    head = f"{prefix}_" if prefix else ""
    if all(char in string.hexdigits for char in rest):
        alphabet = string.hexdigits.lower() if rest == rest.lower() else string.hexdigits
    else:
        alphabet = string.ascii_letters + string.digits + "-"
    return head + "".join(secrets.choice(alphabet) for _char in rest)


def seen_text(answer: Any) -> str:
    """What a client can read in an answer: JSON decoded (so that accents are not escaped), a zip archive's
    members one after the other, anything else as text."""
    kind = answer.headers.get("content-type", "")
    if kind.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            members = [name for name in archive.namelist() if not name.endswith(".jpg")]
            return "\n".join(
                json.dumps(json.loads(archive.read(name)), ensure_ascii=False)
                if name.endswith(".json")
                else archive.read(name).decode("utf-8", errors="replace")
                for name in members
            )
    if "json" in kind:
        return json.dumps(answer.json(), ensure_ascii=False)
    return str(answer.content.decode("utf-8", errors="replace"))
