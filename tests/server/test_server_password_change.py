"""« Sécurité »: changing the password ends the other sessions, and tells the account's owner by mail."""

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from banqo_server.app import create_app

PASSWORD = "une phrase de passe"  # the one the ``api`` fixture signs up with
NEW_PASSWORD = "un tout nouveau mot de passe"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(database_url, tmp_path, cheap_settings, mailbox):
    """The test's settings, sending mail to the local SMTP server."""
    return cheap_settings(database_url=database_url, data_dir=tmp_path, smtp_url=mailbox.url)


def change(api, token, current=PASSWORD, new=NEW_PASSWORD):
    body = {"current_password": current, "new_password": new}
    return api.client.put("/api/v1/me/password", json=body, headers=bearer(token))


def activity_kinds(api, token):
    return [entry["kind"] for entry in api.get("/me/summary", token).json()["recent_activity"]]


def test_changing_the_password_ends_the_other_sessions_but_not_the_callers(api, clock):
    mine = api.signed_up(device="Ordinateur de l'école")["token"]
    clock.advance(minutes=1)
    other = api.signed_in(device="Tablette")["token"]

    answer = change(api, mine)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sessions_ended": 1}
    assert api.get("/me/summary", other).status_code == 401
    assert api.get("/me/summary", mine).status_code == 200
    assert [item["device"] for item in api.get("/sessions", mine).json()["items"]] == ["Ordinateur de l'école"]
    assert api.sign_in(password=PASSWORD).status_code == 401
    assert api.sign_in(password=NEW_PASSWORD).status_code == 201
    assert "password_changed" in activity_kinds(api, mine)


def test_a_wrong_current_password_is_refused_under_its_field(api):
    token = api.signed_up()["token"]
    answer = change(api, token, current="pas la bonne phrase")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"current_password": ["Mot de passe incorrect."]}
    assert api.sign_in(password=PASSWORD).status_code == 201


def test_wrong_current_passwords_count_as_failed_sign_ins(api, settings):
    token = api.signed_up()["token"]
    for _ in range(settings.sign_in_email_limit):
        assert change(api, token, current="pas la bonne phrase").status_code == 422
    blocked = change(api, token)
    assert blocked.status_code == 429
    assert list(blocked.json()["errors"]) == ["current_password"]
    assert int(blocked.headers["retry-after"]) > 0
    # The same count as signing in: the account's sign-in is blocked as well.
    assert api.sign_in().status_code == 429


def test_the_new_password_follows_the_password_rules(api):
    token = api.signed_up()["token"]
    for weak in ("court", "lea@example.org", "password"):
        answer = change(api, token, new=weak)
        assert answer.status_code == 422, weak
        assert list(answer.json()["errors"]) == ["new_password"]
    assert api.sign_in(password=PASSWORD).status_code == 201


def test_changing_the_password_needs_a_session(api):
    api.signed_up()
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    answer = api.client.put("/api/v1/me/password", json=body)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_the_owner_is_told_by_mail(api, mailbox):
    token = api.signed_up()["token"]
    assert change(api, token).status_code == 200
    [message] = mailbox.wait_for(1)
    assert message["To"] == "lea@example.org"
    assert message["Subject"] == "BanqO : votre mot de passe a été changé"
    body = mailbox.body(message)
    assert "Bonjour Léa," in body
    assert "mot de passe oublié" in body.lower()
    assert NEW_PASSWORD not in body


def test_a_mail_that_cannot_be_sent_does_not_undo_the_change(settings, tmp_path):
    broken = replace(settings, smtp_url="smtp://127.0.0.1:1", smtp_timeout=2.0)
    app = create_app(broken)
    try:
        client = TestClient(app)
        body = {"email": "lea@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "Tremblay"}
        token = client.post("/api/v1/accounts", json=body).json()["token"]
        answer = client.put(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(token),
        )
        assert answer.status_code == 200
        signed_in = client.post("/api/v1/sessions", json={"email": "lea@example.org", "password": NEW_PASSWORD})
        assert signed_in.status_code == 201
    finally:
        app.state.engine.dispose()
