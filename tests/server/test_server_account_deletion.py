"""« Supprimer mon compte »: with the password and the email typed again, every trace of the account goes —
checked by reading every column of every table — and another account keeps every one of its rows."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select, update

from banqo_server.models import Account, PasswordReset, RecoveryCode, SupportMessage

PASSWORD = "une phrase de passe"
GONE_EMAIL = "philomene.brisebois@example.org"
GONE_FIRST, GONE_LAST = "Philomène", "Brisebois-Vachon"
GONE_GOALS = [
    "Nommer trois émotions ressenties pendant la journée au retour de la récréation",
    "Tracer les lettres cursives de son prénom en suivant les lignes du cahier",
]
GONE_LEARNERS = ["Zéphyrine", "Oriane"]
GONE_PLAN_TEXTS = ["Zéphyrine adore les énigmes mathématiques", "Pictogrammes collés sur le pupitre de Zéphyrine"]
KEPT_EMAIL = "armand.desrosiers@example.net"
KEPT_GOALS = ["Résoudre cinq problèmes de soustraction avec emprunt sans aide"]
CONFIRM_MESSAGE = "Tapez votre adresse courriel exactement pour confirmer."


class Teacher:
    def __init__(self, api: Any, email: str, first_name: str, last_name: str) -> None:
        self.api = api
        body = {"email": email, "password": PASSWORD, "first_name": first_name, "last_name": last_name}
        answer = api.client.post("/api/v1/accounts", json=body)
        assert answer.status_code == 201, answer.text
        self.token: str = answer.json()["token"]
        self.id: str = answer.json()["account"]["id"]
        self.email = email

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.api.client.request(method, f"/api/v1{path}", json=body, headers=headers)

    def made(self, path: str, body: Any) -> dict[str, Any]:
        answer = self.call("POST", path, body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def delete_account(self, password: str = PASSWORD, confirmation: str | None = None) -> Any:
        body = {"password": password, "confirmation": self.email if confirmation is None else confirmation}
        return self.call("DELETE", "/me", body)

    def signed_in(self) -> bool:
        return self.call("GET", "/me/summary").status_code == 200


def fill(teacher: Teacher, goals: list[str], learners: list[str], plan_texts: list[str] | None = None) -> list[str]:
    """Goals, learners with the goals filed under them, a plan for the first learner (a strength and means from
    ``plan_texts``, progress, a review), a support message; the ids made."""
    ids = [teacher.made("/collection/goals", {"text": text})["id"] for text in goals]
    for first_name in learners:
        learner_id = teacher.made("/learners", {"first_name": first_name})["id"]
        ids.append(learner_id)
        for goal_id in ids[: len(goals)]:
            teacher.made(f"/learners/{learner_id}/goals", {"goal_id": goal_id})
    strength, means = plan_texts or ["Une force", "Un moyen"]
    plan = teacher.made("/plans", {"learner_id": ids[len(goals)], "goal_ids": ids[: len(goals)]})
    headers = {"Authorization": f"Bearer {teacher.token}", "If-Match": '"1"'}
    body = {"state": "active", "strengths": [{"text": strength}]}
    assert teacher.api.client.patch(f"/api/v1/plans/{plan['id']}", json=body, headers=headers).status_code == 200
    objectives = teacher.call("GET", f"/plans/{plan['id']}/goals").json()["items"]
    path = f"/api/v1/plans/{plan['id']}/goals/{objectives[0]['id']}"
    assert teacher.api.client.patch(path, json={"means": [means]}, headers=headers).status_code == 200
    teacher.made(f"/plans/{plan['id']}/progress", {"plan_goal_id": objectives[0]["id"], "value": 50})
    decisions = [{"plan_goal_id": objective["id"], "decision": "continue"} for objective in objectives]
    headers["If-Match"] = '"2"'
    review = teacher.api.client.post(
        f"/api/v1/plans/{plan['id']}/reviews", json={"decisions": decisions}, headers=headers
    )
    assert review.status_code == 201, review.text
    ids += [plan["id"], *(objective["id"] for objective in objectives)]
    teacher.made("/support/messages", {"from": "", "subject": "Une question", "message": "Bonjour"})
    return ids


def every_row(api: Any) -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table of the database (as found there, not as the models say), as text."""
    engine = api.client.app.state.engine
    metadata = MetaData()
    metadata.reflect(engine)
    rows: dict[str, set[tuple[str, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows[table.name] = {tuple(str(value) for value in row) for row in connection.execute(select(table))}
    return rows


def db_of(api: Any) -> Any:
    return api.client.app.state.session_factory()


@pytest.fixture
def gone(api: Any) -> Teacher:
    return Teacher(api, GONE_EMAIL, GONE_FIRST, GONE_LAST)


@pytest.fixture
def kept(api: Any) -> Teacher:
    return Teacher(api, KEPT_EMAIL, "Armand", "Desrosiers")


def test_deleting_the_account_leaves_no_trace_of_it_and_keeps_every_row_of_another(
    api, gone, kept, settings, clock, caplog
):
    fill(gone, GONE_GOALS, GONE_LEARNERS, GONE_PLAN_TEXTS)
    kept_ids = fill(kept, KEPT_GOALS, ["Gaspard"])
    # Traces elsewhere: a second device, a failed sign-in (throttle counters keyed by the email), a message
    # written signed out from the account's address, codes, and a photo file.
    other_device = api.sign_in(GONE_EMAIL, device="Tablette").json()["token"]
    assert api.sign_in(GONE_EMAIL, password="pas le bon mot de passe").status_code == 401
    answer = api.client.post(
        "/api/v1/support/messages", json={"from": GONE_EMAIL.upper(), "subject": "Sans compte", "message": "Allo"}
    )
    assert answer.status_code == 201
    photos = settings.photos_dir
    photos.mkdir(parents=True, exist_ok=True)
    (photos / "9f8e7d6c5b4a.jpg").write_bytes(b"\xff\xd8 a photo \xff\xd9")
    (photos / "kept-photo.jpg").write_bytes(b"\xff\xd8 someone else's \xff\xd9")
    now = settings.now()
    with db_of(api) as db:
        db.execute(
            update(Account).where(Account.id == gone.id).values(photo_name="9f8e7d6c5b4a.jpg", phone="514-555-0199")
        )
        db.execute(update(Account).where(Account.id == kept.id).values(photo_name="kept-photo.jpg"))
        db.add(RecoveryCode(account_id=gone.id, code_hash="a" * 64, created_at=now))
        later = now + timedelta(hours=1)
        db.add(PasswordReset(account_id=gone.id, code_hash="b" * 64, created_at=now, expires_at=later))
        db.commit()
    before = every_row(api)

    clock.advance(minutes=1)
    with caplog.at_level(logging.INFO, logger="banqo_server"):
        answer = gone.delete_account(confirmation=f"  {GONE_EMAIL.title()} ")
    assert answer.status_code == 204, answer.text

    after = every_row(api)
    needles = [
        GONE_EMAIL, GONE_FIRST, GONE_LAST, gone.id, "514-555-0199", "9f8e7d6c5b4a", *GONE_GOALS, *GONE_LEARNERS,
        *GONE_PLAN_TEXTS,
    ]

    def tables_holding(rows_by_table: dict[str, set[tuple[str, ...]]], needle: str) -> set[str]:
        return {
            table
            for table, rows in rows_by_table.items()
            for row in rows
            if any(needle.lower() in value.lower() for value in row)
        }

    assert tables_holding(before, GONE_EMAIL) >= {"accounts", "support_messages", "sign_in_throttles"}
    account_tables = {
        "sessions", "activity", "goals", "learners", "recovery_codes", "password_resets", "plans", "plan_goals",
        "progress_entries", "plan_reviews",
    }
    assert tables_holding(before, GONE_PLAN_TEXTS[0]) == {"plans", "plan_reviews"}  # the plan and its snapshot
    assert tables_holding(before, GONE_PLAN_TEXTS[1]) == {"plan_goals", "plan_reviews"}
    assert tables_holding(before, gone.id) >= account_tables
    for needle in needles:
        assert tables_holding(after, needle) == set(), f"{needle!r} is still in the database"
    # Nothing of the other account changed; only rows went, and none of them was the other account's.
    kept_marks = [kept.id, KEPT_EMAIL, *kept_ids]
    for table, rows in before.items():
        assert after[table] <= rows, f"rows of {table} changed"
        for row in rows - after[table]:
            assert not any(mark in value for value in row for mark in kept_marks), f"{table} lost {row}"
    assert kept.signed_in()
    answer = kept.call("GET", "/collection/goals")
    assert [goal["text"] for goal in answer.json()["items"]] == KEPT_GOALS
    with db_of(api) as db:
        assert db.scalar(select(func.count()).select_from(SupportMessage)) == 1

    assert not (photos / "9f8e7d6c5b4a.jpg").exists()
    assert (photos / "kept-photo.jpg").exists()
    for token in (gone.token, other_device):
        answer = gone.call("GET", "/me/summary", token=token)
        assert answer.status_code == 401
    assert "an account was deleted" in caplog.messages
    assert not any(GONE_EMAIL in message or GONE_FIRST in message for message in caplog.messages)


def test_the_same_email_can_sign_up_again_after_the_deletion(api, gone):
    assert gone.delete_account().status_code == 204
    assert api.sign_up(GONE_EMAIL).status_code == 201


def test_a_wrong_confirmation_deletes_nothing(api, gone):
    answer = gone.delete_account(confirmation="philomene@example.org")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"confirmation": [CONFIRM_MESSAGE]}
    assert gone.signed_in()


def test_a_wrong_password_deletes_nothing(api, gone):
    answer = gone.delete_account(password="pas le bon mot de passe")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"password": ["Mot de passe incorrect."]}
    assert gone.signed_in()
    assert api.sign_in(GONE_EMAIL).status_code == 201


def test_both_wrong_each_is_told_at_its_field(gone):
    answer = gone.delete_account(password="pas le bon mot de passe", confirmation="")
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"password", "confirmation"}


def test_wrong_passwords_count_as_failed_sign_ins_and_are_throttled(api, gone, settings, clock):
    for _ in range(settings.sign_in_email_limit):
        assert gone.delete_account(password="pas le bon mot de passe").status_code == 422
    blocked = gone.delete_account()
    assert blocked.status_code == 429
    assert blocked.json()["errors"] == {"password": ["Trop de tentatives : réessayez dans 1 minute."]}
    assert api.sign_in(GONE_EMAIL).status_code == 429  # the same counter as signing in
    assert gone.signed_in()

    clock.advance(seconds=31)
    assert gone.delete_account().status_code == 204


def test_deleting_needs_a_signed_in_account(api):
    answer = api.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirmation": GONE_EMAIL})
    assert answer.status_code == 401
