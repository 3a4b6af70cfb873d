"""What the plan tests repeat: a teacher with learners and their sub-collections, plans built through the API,
and calls that name the version read (``If-Match``)."""

from __future__ import annotations

from typing import Any

API = "/api/v1"


class Planner:
    """One teacher's calls on learners and plans, through ``client`` (a TestClient) with ``token``."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, version: int | None = None, **kwargs: Any) -> Any:
        """``path`` under ``/api/v1``; ``version`` becomes ``If-Match``."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.client.request(method, f"{API}{path}", json=body, headers=headers, **kwargs)

    def made(self, path: str, body: Any = None, *, version: int | None = None) -> dict[str, Any]:
        """POST that must answer 201; its JSON."""
        answer = self.call("POST", path, body, version=version)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def read(self, path: str, **params: Any) -> Any:
        answer = self.call("GET", path, params=params or None)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def changed(self, path: str, body: Any, version: int) -> dict[str, Any]:
        """PATCH that must answer 200; its JSON."""
        answer = self.call("PATCH", path, body, version=version)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # --- learners and goals ----------------------------------------------------------------------

    def learner(self, first_name: str = "Léa") -> dict[str, Any]:
        return self.made("/learners", {"first_name": first_name})

    def goal(self, text: str, learner: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """A goal of the collection, filed under ``learner`` when given."""
        body = {"text": text, **fields}
        if learner is not None:
            body["learner_ids"] = [learner["id"]]
        return self.made("/collection/goals", body)

    # --- plans -----------------------------------------------------------------------------------

    def plan(self, learner: dict[str, Any], goals: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"learner_id": learner["id"], "goal_ids": [goal["id"] for goal in goals or []], **fields}
        return self.made("/plans", body)

    def get_plan(self, plan_id: str) -> dict[str, Any]:
        return self.read(f"/plans/{plan_id}")

    def patch_plan(self, plan_id: str, body: dict[str, Any]) -> Any:
        """PATCH with the version read just before."""
        return self.call("PATCH", f"/plans/{plan_id}", body, version=self.get_plan(plan_id)["version"])

    def activate(self, plan_id: str) -> dict[str, Any]:
        answer = self.patch_plan(plan_id, {"state": "active"})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def goals(self, plan_id: str) -> list[dict[str, Any]]:
        return self.read(f"/plans/{plan_id}/goals")["items"]

    def add_goal(self, plan_id: str, **body: Any) -> dict[str, Any]:
        return self.made(f"/plans/{plan_id}/goals", body)

    def progress(self, plan_id: str, plan_goal_id: str, value: float, **body: Any) -> dict[str, Any]:
        return self.made(f"/plans/{plan_id}/progress", {"plan_goal_id": plan_goal_id, "value": value, **body})

    def review(self, plan_id: str, decisions: list[dict[str, Any]], **body: Any) -> Any:
        version = self.get_plan(plan_id)["version"]
        return self.call("POST", f"/plans/{plan_id}/reviews", {"decisions": decisions, **body}, version=version)

    def document(self, plan_id: str) -> dict[str, Any]:
        return self.read(f"/plans/{plan_id}/document")


def errors(answer: Any) -> dict[str, list[str]]:
    """The problem's per-field messages (the answer must be a 422)."""
    assert answer.status_code == 422, answer.text
    return answer.json()["errors"]
