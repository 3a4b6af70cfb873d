"""« Confidentialité »: the activity log, page by page, and « Exporter toutes mes données » — a zip holding
everything of the account, and nothing of another account or of the password."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select, update

from banqo_server.models import Account

PASSWORD = "une phrase de passe"
FILES = {
    "README.md",
    "profile.json",
    "collection.json",
    "learners.json",
    "plans.json",
    "plan-snapshots.json",
    "subscription.json",
    "invoices.json",
    "activity.json",
    "sessions.json",
    "support_messages.json",
}


class Teacher:
    """A signed-up teacher (names of our choosing) and their calls."""

    def __init__(self, api: Any, email: str, first_name: str, last_name: str) -> None:
        self.api = api
        body = {"email": email, "password": PASSWORD, "first_name": first_name, "last_name": last_name}
        answer = api.client.post("/api/v1/accounts", json=body, headers={"User-Agent": "Poste de la classe"})
        assert answer.status_code == 201, answer.text
        self.token = answer.json()["token"]
        self.id = answer.json()["account"]["id"]
        self.email = email

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: Any) -> dict[str, Any]:
        answer = self.api.client.post(f"/api/v1{path}", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.api.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def goal(self, text: str) -> str:
        return self.post("/collection/goals", {"text": text})["id"]

    def learner(self, first_name: str, *goal_ids: str) -> str:
        learner_id = self.post("/learners", {"first_name": first_name})["id"]
        for goal_id in goal_ids:
            self.post(f"/learners/{learner_id}/goals", {"goal_id": goal_id})
        return learner_id

    def plan(self, learner_id: str, goal_id: str, strength: str) -> dict[str, Any]:
        """An active plan with the goal as objective, a strength, a progress entry and a review."""
        plan = self.post("/plans", {"learner_id": learner_id, "goal_ids": [goal_id]})
        headers = {**self.headers, "If-Match": '"1"'}
        answer = self.api.client.patch(
            f"/api/v1/plans/{plan['id']}", json={"state": "active", "strengths": [{"text": strength}]}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        [objective] = self.get(f"/plans/{plan['id']}/goals").json()["items"]
        self.post(f"/plans/{plan['id']}/progress", {"plan_goal_id": objective["id"], "value": 60})
        decisions = [{"plan_goal_id": objective["id"], "decision": "continue", "note": "On poursuit"}]
        answer = self.api.client.post(
            f"/api/v1/plans/{plan['id']}/reviews",
            json={"decisions": decisions},
            headers={**self.headers, "If-Match": '"2"'},
        )
        assert answer.status_code == 201, answer.text
        return plan

    def support(self, subject: str, message: str) -> None:
        self.post("/support/messages", {"from": "", "subject": subject, "message": message})

    def export(self) -> dict[str, bytes]:
        answer = self.get("/me/export")
        assert answer.status_code == 200, answer.text
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}


def db_of(api: Any) -> Any:
    return api.client.app.state.session_factory()


@pytest.fixture
def lea(api: Any) -> Teacher:
    return Teacher(api, "lea.fortin@example.org", "Léa", "Fortin")


@pytest.fixture
def marc(api: Any) -> Teacher:
    return Teacher(api, "marc.gagnon@example.net", "Marcel", "Gagnon-Quenneville")


LEA_GOALS = ["Lire dix mots fréquents sans aide 4 fois sur 5", "Ranger son pupitre avant la récréation 4 jours sur 5"]
MARC_GOALS = ["Compter par bonds de 5 jusqu'à 100 sans erreur", "Attendre son tour au jeu de ballon 3 fois sur 4"]


def test_the_export_holds_every_goal_and_learner_of_the_account_and_nothing_of_another(api, lea, marc):
    lea_goals = [lea.goal(text) for text in LEA_GOALS]
    zoe = lea.learner("Zoé", *lea_goals)
    lea.learner("Anouk")
    lea.support("Mon exportation", "Une question sur l'export")
    marc_goals = [marc.goal(text) for text in MARC_GOALS]
    marc.learner("Gaspard", *marc_goals)
    marc.learner("Ludivine")
    marc.support("Question de Marcel", "Le texte de Marcel")
    lea_plan = lea.plan(zoe, lea_goals[0], "Zoé aime les casse-têtes")
    marc_plan = marc.plan(marc.learner("Gaspard-Olivier", marc_goals[1]), marc_goals[1], "Une force de Gaspard-Olivier")

    answer = lea.get("/me/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == 'attachment; filename="banqo-export-2026-11-02.zip"'
    assert int(answer.headers["content-length"]) == len(answer.content)
    files = lea.export()
    assert set(files) == FILES  # no photo: none was set

    collection = json.loads(files["collection.json"])
    assert collection["format"] == "banqo-goals"
    assert sorted(goal["text"] for goal in collection["goals"]) == sorted(LEA_GOALS)
    learners = {learner["first_name"]: learner for learner in json.loads(files["learners.json"])}
    assert set(learners) == {"Zoé", "Anouk"}
    assert learners["Zoé"]["id"] == zoe
    assert sorted(learners["Zoé"]["goal_ids"]) == sorted(lea_goals)
    assert learners["Anouk"]["goal_ids"] == []
    [plan] = json.loads(files["plans.json"])
    assert plan["plan"]["id"] == lea_plan["id"] and plan["plan"]["learner_first_name"] == "Zoé"
    assert plan["plan"]["strengths"] == [{"text": "Zoé aime les casse-têtes", "priority": 1}]
    [objective] = plan["goals"]
    assert objective["goal"]["text"] == LEA_GOALS[0]
    assert [entry["value"] for entry in objective["progress"]] == [60]
    assert [review["decisions"][0]["note"] for review in plan["reviews"]] == ["On poursuit"]
    [snapshot] = json.loads(files["plan-snapshots.json"])
    assert snapshot["review"]["id"] == plan["reviews"][0]["id"]
    assert snapshot["document"]["plan"]["state"] == "active"
    assert snapshot["document"]["goals"][0]["goal"]["text"] == LEA_GOALS[0]
    readme = files["README.md"].decode()
    assert "plan-snapshots.json" in readme and "arrivent" not in readme and "later version" not in readme
    [message] = json.loads(files["support_messages.json"])
    assert (message["from"], message["subject"]) == ("lea.fortin@example.org", "Mon exportation")

    everything = "\n".join(content.decode() for content in files.values())
    for foreign in [*MARC_GOALS, "Gaspard", "Ludivine", "marc.gagnon@example.net", "Marcel", "Gagnon", marc.id,
                    *marc_goals, "Question de Marcel", marc_plan["id"], "Une force de Gaspard-Olivier"]:
        assert foreign not in everything, f"{foreign!r} of another account is in the export"
    with db_of(api) as db:
        password_hash = db.scalar(select(Account.password_hash).where(Account.id == lea.id))
    assert password_hash not in everything
    assert "$argon2" not in everything and "password" not in files["profile.json"].decode()


def test_the_profile_file_holds_the_contact_details_and_choices(api, lea):
    profile = json.loads(lea.export()["profile.json"])
    assert profile["email"] == "lea.fortin@example.org"
    assert (profile["first_name"], profile["last_name"]) == ("Léa", "Fortin")
    assert profile["address"] == {"street": "", "city": "", "province": "", "postal_code": ""}
    assert profile["promotional_email"] is False and profile["promotional_email_changed_at"] is None
    assert profile["two_factor"] is False and profile["photo"] is None
    assert profile["created_at"] == "2026-11-02T14:00:00+00:00"
    assert not {"password_hash", "totp_secret", "totp_pending_secret", "recovery_codes"} & set(profile)


def test_the_export_describes_itself_in_french_then_english(lea):
    files = lea.export()
    readme = files["README.md"].decode()
    assert readme.index("Vos données BanqO") < readme.index("Your BanqO data")
    for name in FILES - {"README.md"}:
        assert f"`{name}`" in readme
    assert "UTC" in readme and "ISO 8601" in readme
    assert json.loads(files["plans.json"]) == [] and json.loads(files["invoices.json"]) == []
    # A new account is on its free trial, with no card on file.
    subscription = json.loads(files["subscription.json"])
    assert subscription["subscription"]["state"] == "trial" and subscription["card"] is None


def test_the_export_lists_the_activity_and_the_signed_in_devices(lea):
    files = lea.export()
    [session] = json.loads(files["sessions.json"])
    assert session["device"] == "Poste de la classe"
    assert session["created_at"] == session["last_used_at"] == "2026-11-02T14:00:00+00:00"
    assert [entry["kind"] for entry in json.loads(files["activity.json"])] == ["account_created"]


def test_exporting_is_recorded_in_the_activity(lea, clock):
    clock.advance(minutes=1)
    lea.export()
    latest = lea.get("/me/activity").json()["items"][0]
    assert (latest["kind"], latest["device"]) == ("data_exported", "Poste de la classe")


def test_the_export_holds_the_profile_photo(api, lea, settings):
    settings.photos_dir.mkdir(parents=True, exist_ok=True)
    picture = b"\xff\xd8\xff\xe0 not really a JPEG, but the bytes must come back as they are \xff\xd9"
    (settings.photos_dir / "0123456789abcdef.jpg").write_bytes(picture)
    with db_of(api) as db:
        db.execute(
            update(Account)
            .where(Account.id == lea.id)
            .values(photo_name="0123456789abcdef.jpg", photo_width=64, photo_height=48, photo_size=len(picture),
                    photo_updated_at=settings.now())
        )
        db.commit()

    files = lea.export()
    assert files["photo.jpg"] == picture
    photo = json.loads(files["profile.json"])["photo"]
    assert photo == {
        "file": "photo.jpg",
        "content_type": "image/jpeg",
        "width": 64,
        "height": 48,
        "size": len(picture),
        "updated_at": "2026-11-02T14:00:00+00:00",
    }


def test_the_export_needs_a_signed_in_account(api):
    answer = api.get("/me/export")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_activity_log_comes_page_by_page_newest_first(api, lea, clock):
    for _ in range(4):
        clock.advance(minutes=5)
        assert api.sign_in("lea.fortin@example.org", device="Poste de la classe").status_code == 201
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = lea.get("/me/activity", params=params).json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert [entry["at"] for entry in seen] == sorted((entry["at"] for entry in seen), reverse=True)
    assert [entry["kind"] for entry in seen] == ["signed_in"] * 4 + ["account_created"]


def test_the_activity_log_shows_nothing_of_another_account(api, lea, marc):
    kinds = [entry["kind"] for entry in marc.get("/me/activity").json()["items"]]
    assert kinds == ["account_created"]


def test_a_damaged_activity_cursor_is_refused_at_its_field(lea):
    answer = lea.get("/me/activity", params={"cursor": "pas-un-curseur"})
    assert answer.status_code == 422
    assert "cursor" in answer.json()["errors"]
