"""« Mot de passe oublié »: a code mailed through a real local SMTP server, then a new password with it."""

import re
import threading
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from banqo_server.app import create_app

PASSWORD = "une phrase de passe"  # the one the ``api`` fixture signs up with
NEW_PASSWORD = "un tout nouveau mot de passe"
CODE_IN_MAIL = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")
ACCEPTED = (
    "Si un compte existe avec cette adresse, un courriel contenant un code vient d'y être envoyé. "
    "Le code est valable 30 minutes."
)
INVALID_CODE = {"code": ["Ce code n'est pas valide ou a expiré."]}


@pytest.fixture
def settings(database_url, tmp_path, cheap_settings, mailbox):
    """The test's settings, sending mail to the local SMTP server."""
    return cheap_settings(database_url=database_url, data_dir=tmp_path, smtp_url=mailbox.url)


@pytest.fixture
def other_client(settings):
    """Builds a client of an app on the same database with some settings changed."""
    apps = []

    def make(**changes):
        app = create_app(replace(settings, **changes))
        apps.append(app)
        return TestClient(app)

    yield make
    for app in apps:
        app.state.engine.dispose()


def ask(client, email="lea@example.org"):
    return client.post("/api/v1/password-resets", json={"email": email})


def confirm(client, code, new_password=NEW_PASSWORD):
    return client.post(f"/api/v1/password-resets/{code}", json={"new_password": new_password})


def mailed_code(mailbox, count=1):
    """The code in the ``count``-th mail received."""
    message = mailbox.wait_for(count)[count - 1]
    found = CODE_IN_MAIL.findall(mailbox.body(message))
    assert len(found) == 1, mailbox.body(message)
    return found[0]


def test_the_mailed_code_sets_a_new_password_once(api, mailbox):
    token = api.signed_up()["token"]
    answer = ask(api.client)
    assert answer.status_code == 202
    assert answer.json() == {"detail": ACCEPTED}

    [message] = mailbox.wait_for(1)
    assert message["To"] == "lea@example.org"
    assert message["Subject"] == "BanqO : réinitialisation de votre mot de passe"
    body = mailbox.body(message)
    assert "30 minutes" in body
    assert "Si vous n'avez pas demandé de nouveau mot de passe, ne faites rien" in body
    code = mailed_code(mailbox)

    assert confirm(api.client, code).status_code == 204
    assert api.sign_in(password=PASSWORD).status_code == 401
    assert api.sign_in(password=NEW_PASSWORD).status_code == 201
    assert api.get("/me/summary", token).status_code == 401  # every session ended

    again = confirm(api.client, code, "encore une autre phrase")
    assert again.status_code == 422
    assert again.json()["errors"] == INVALID_CODE
    assert api.sign_in(password=NEW_PASSWORD).status_code == 201

    signed_in = api.signed_in(password=NEW_PASSWORD)["token"]
    kinds = [entry["kind"] for entry in api.get("/me/summary", signed_in).json()["recent_activity"]]
    assert {"password_reset_requested", "password_reset"} <= set(kinds)


def test_the_code_may_be_typed_in_any_case_and_spacing(api, mailbox):
    api.signed_up()
    ask(api.client)
    code = mailed_code(mailbox)
    typed = code.lower().replace("-", " ")
    assert confirm(api.client, typed).status_code == 204
    assert api.sign_in(password=NEW_PASSWORD).status_code == 201


def test_the_code_expires_after_thirty_minutes(api, mailbox, clock):
    api.signed_up()
    ask(api.client)
    code = mailed_code(mailbox)
    clock.advance(minutes=30)
    answer = confirm(api.client, code)
    assert answer.status_code == 422
    assert answer.json()["errors"] == INVALID_CODE
    assert api.sign_in(password=PASSWORD).status_code == 201


def test_the_code_still_works_just_before_it_expires(api, mailbox, clock):
    api.signed_up()
    ask(api.client)
    code = mailed_code(mailbox)
    clock.advance(minutes=29, seconds=59)
    assert confirm(api.client, code).status_code == 204


def test_an_unknown_email_is_answered_the_same_and_gets_no_mail(api, mailbox):
    api.signed_up()
    unknown = ask(api.client, "personne@example.org")
    known = ask(api.client, "LEA@example.org")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json() == {"detail": ACCEPTED}
    mailbox.wait_for(1)
    assert [message["To"] for message in mailbox.messages] == ["lea@example.org"]


def test_without_smtp_the_server_says_it_cannot_send_mail(api, other_client, mailbox):
    api.signed_up()
    client = other_client(smtp_url=None)
    for email in ("lea@example.org", "personne@example.org"):
        answer = ask(client, email)
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
    assert ask(client, "lea@example.org").json() == ask(client, "personne@example.org").json()
    assert mailbox.messages == []


def test_a_mail_that_cannot_be_sent_is_answered_the_same(api, other_client):
    api.signed_up()
    client = other_client(smtp_url="smtp://127.0.0.1:1", smtp_timeout=2.0)
    answer = ask(client)
    assert answer.status_code == 202
    assert answer.json() == {"detail": ACCEPTED}


def test_a_new_request_replaces_the_earlier_code(api, mailbox):
    api.signed_up()
    ask(api.client)
    first = mailed_code(mailbox, 1)
    ask(api.client)
    second = mailed_code(mailbox, 2)
    assert first != second
    assert confirm(api.client, first).json()["errors"] == INVALID_CODE
    assert confirm(api.client, second).status_code == 204


def test_the_new_password_follows_the_rules_and_the_code_survives_a_refusal(api, mailbox):
    api.signed_up()
    ask(api.client)
    code = mailed_code(mailbox)
    weak = confirm(api.client, code, "court")
    assert weak.status_code == 422
    assert list(weak.json()["errors"]) == ["new_password"]
    assert confirm(api.client, code).status_code == 204


def test_an_invalid_email_is_refused_under_its_field(api):
    answer = ask(api.client, "pas une adresse")
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["email"]


def test_requests_are_limited_per_email(api, settings, mailbox):
    api.signed_up()
    for _ in range(settings.password_reset_email_limit):
        assert ask(api.client).status_code == 202
    throttled = ask(api.client)
    assert throttled.status_code == 429
    assert list(throttled.json()["errors"]) == ["email"]
    assert int(throttled.headers["retry-after"]) > 0
    # Unknown addresses are limited the same way: the limit reveals nothing either.
    for _ in range(settings.password_reset_email_limit):
        assert ask(api.client, "personne@example.org").status_code == 202
    assert ask(api.client, "personne@example.org").status_code == 429
    assert len(mailbox.wait_for(settings.password_reset_email_limit)) == settings.password_reset_email_limit


def test_requests_are_limited_per_client_address(other_client, clock):
    client = other_client(password_reset_address_limit=3)
    for number in range(3):
        assert ask(client, f"personne{number}@example.org").status_code == 202
    throttled = ask(client, "quelqu-un@example.org")
    assert throttled.status_code == 429
    assert list(throttled.json()["errors"]) == ["email"]
    clock.advance(hours=1)
    assert ask(client, "quelqu-un@example.org").status_code == 202


def test_wrong_codes_are_throttled_per_client_address(api, other_client, mailbox):
    api.signed_up()
    client = other_client(sign_in_address_limit=3)
    ask(client)
    code = mailed_code(mailbox)
    for guess in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", "pas-un-code"):
        answer = confirm(client, guess)
        assert answer.status_code == 422
        assert answer.json()["errors"] == INVALID_CODE
    blocked = confirm(client, code)
    assert blocked.status_code == 429
    assert list(blocked.json()["errors"]) == ["code"]
    assert int(blocked.headers["retry-after"]) > 0


def test_a_reset_lifts_the_sign_in_block(api, settings, mailbox):
    api.signed_up()
    for _ in range(settings.sign_in_email_limit):
        api.sign_in(password="pas la bonne phrase")
    assert api.sign_in(password=PASSWORD).status_code == 429
    ask(api.client)
    assert confirm(api.client, mailed_code(mailbox)).status_code == 204
    assert api.sign_in(password=NEW_PASSWORD).status_code == 201


def test_a_password_change_makes_an_earlier_code_useless(api, mailbox):
    token = api.signed_up()["token"]
    ask(api.client)
    code = mailed_code(mailbox)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    changed = api.client.put("/api/v1/me/password", json=body, headers={"Authorization": f"Bearer {token}"})
    assert changed.status_code == 200
    assert confirm(api.client, code, "encore une autre phrase").json()["errors"] == INVALID_CODE


def test_one_code_sent_twice_at_the_same_instant_sets_one_password(api, make_api, mailbox):
    """Two server processes receive the same code at the same instant: one new password is set, the other
    request is told the code is no longer valid (the code's row is locked while it is used, on SQLite as on
    PostgreSQL)."""
    api.signed_up()
    assert ask(api.client).status_code == 202
    code = mailed_code(mailbox)
    servers = [make_api(ready=True), make_api(ready=True)]
    wanted = {0: "une première phrase de passe", 1: "une seconde phrase de passe"}
    answers: dict[int, int] = {}
    start = threading.Barrier(2, timeout=10)

    def use(index: int) -> None:
        start.wait()
        answers[index] = confirm(servers[index].client, code, wanted[index]).status_code

    threads = [threading.Thread(target=use, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers.values()) == [204, 422]
    winner = next(index for index, status in answers.items() if status == 204)
    assert api.sign_in(password=wanted[winner]).status_code == 201
    assert api.sign_in(password=wanted[1 - winner]).status_code == 401
