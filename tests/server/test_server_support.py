"""« Des questions? Contactez-nous! »: each field's error under it, a rate limit instead of a CAPTCHA, every
message kept, and mailed to the support address through a real SMTP server when the server has one."""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from banqo_server.app import create_app
from banqo_server.models import SupportMessage

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from fastapi.testclient import TestClient

SUPPORT = "soutien@banqo.test"
RATE_LIMITED = "Vous avez envoyé plusieurs messages en peu de temps : réessayez dans 10 minutes."


def write(api: Any, token: str | None = None, **fields: Any) -> Any:
    body = {"from": "parent@example.org", "subject": "Une question", "message": "Bonjour, comment…", **fields}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post("/api/v1/support/messages", json=body, headers=headers)


def on_server(api: Any, app: Any) -> Any:
    """The test's API calls, on another server (another app on the same database)."""
    return type(api)(TestClient(app))


def kept(api: Any) -> list[SupportMessage]:
    with api.client.app.state.session_factory() as db:
        return list(db.scalars(select(SupportMessage).order_by(SupportMessage.created_at, SupportMessage.id)))


@pytest.fixture
def mailing_api(api: Any, settings: Any, mailbox: Any) -> Iterator[Any]:
    """The API of a server that mails support messages to the local SMTP server."""
    app = create_app(replace(settings, smtp_url=mailbox.url, support_email=SUPPORT))
    yield on_server(api, app)
    app.state.engine.dispose()


def test_refuses_an_empty_subject_and_a_malformed_email_each_at_its_field(api):
    answer = write(api, **{"from": "pas-un-courriel", "subject": "   "})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["from"] == ["Cette adresse courriel n'est pas valide."]
    assert errors["subject"] == ["Ce champ est obligatoire."]
    assert "message" not in errors
    assert kept(api) == []


def test_refuses_an_empty_message_and_a_subject_too_long(api):
    answer = write(api, subject="s" * 201, message=" \n ")
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["subject"] == ["Ce texte est trop long (200 caractères au plus)."]
    assert errors["message"] == ["Ce champ est obligatoire."]


def test_the_sixth_message_in_ten_minutes_is_refused_until_the_window_has_passed(api, clock):
    for _ in range(5):
        assert write(api).status_code == 201
    refused = write(api)
    assert refused.status_code == 429
    assert refused.json()["errors"] == {"from": [RATE_LIMITED]}
    assert int(refused.headers["Retry-After"]) == 600
    assert len(kept(api)) == 5

    clock.advance(minutes=10, seconds=1)
    assert write(api).status_code == 201
    assert len(kept(api)) == 6


def test_the_limit_is_per_sender_address(api):
    for _ in range(5):
        assert write(api).status_code == 201
    assert write(api, **{"from": "autre@example.org"}).status_code == 201


def test_the_limit_is_also_per_account_whatever_address_is_typed(api):
    token = api.signed_up()["token"]
    for number in range(5):
        assert write(api, token, **{"from": f"adresse{number}@example.org"}).status_code == 201
    refused = write(api, token, **{"from": "encore-une@example.org"})
    assert refused.status_code == 429
    assert refused.json()["errors"] == {"from": [RATE_LIMITED]}


def test_a_message_reaches_the_support_address_with_reply_to_the_sender(mailing_api, mailbox):
    answer = write(mailing_api, subject="Exporter ma collection", message="Où est le bouton?\nMerci.")
    assert answer.status_code == 201
    receipt = answer.json()
    assert receipt["received_at"] == "2026-11-02T14:00:00Z"

    [mail] = mailbox.wait_for(1)
    assert mail["To"] == SUPPORT
    assert mail["Reply-To"] == "parent@example.org"
    assert mail["Subject"] == "[BanqO] Exporter ma collection"
    body = mailbox.body(mail).replace("\r\n", "\n")
    assert "parent@example.org" in body
    assert "Où est le bouton?\nMerci." in body
    assert "2026-11-02T14:00:00+00:00" in body
    assert mailbox.envelopes[0][1] == [SUPPORT]

    [row] = kept(mailing_api)
    assert row.id == receipt["id"]
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None


def test_without_smtp_the_message_is_kept_but_not_sent(api):
    answer = write(api)
    assert answer.status_code == 201
    [row] = kept(api)
    assert (row.id, row.from_email, row.subject) == (answer.json()["id"], "parent@example.org", "Une question")
    assert row.sent_at is None and row.attempts == 0 and row.account_id is None


def test_a_mail_server_that_cannot_be_reached_leaves_the_message_kept_with_the_error(api, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app = create_app(replace(settings, smtp_url=f"smtp://127.0.0.1:{closed_port}", support_email=SUPPORT))
    try:
        unreachable = on_server(api, app)
        assert write(unreachable).status_code == 201
        [row] = kept(unreachable)
        assert row.sent_at is None and row.attempts == 1 and row.last_error
    finally:
        app.state.engine.dispose()


def test_signed_in_an_empty_from_means_the_accounts_email(mailing_api, mailbox):
    account = mailing_api.signed_up("enseignante@example.org")
    token = account["token"]
    answer = write(mailing_api, token, **{"from": ""}, subject="Mon compte", message="Une question privée")
    assert answer.status_code == 201

    [row] = kept(mailing_api)
    assert row.from_email == "enseignante@example.org"
    assert row.account_id == account["account"]["id"]
    [mail] = mailbox.wait_for(1)
    assert mail["Reply-To"] == "enseignante@example.org"
    assert account["account"]["id"] in mailbox.body(mail)

    activity = mailing_api.get("/me/activity", token).json()["items"]
    assert "support_message_sent" in [entry["kind"] for entry in activity]
    assert "Mon compte" not in str(activity) and "privée" not in str(activity)


def test_signed_out_an_empty_from_is_required(api):
    answer = write(api, **{"from": ""})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"from": ["Ce champ est obligatoire."]}


def test_a_token_that_is_not_valid_is_refused_rather_than_ignored(api):
    answer = write(api, "not-a-real-token")
    assert answer.status_code == 401
    assert kept(api) == []
