"""`banqo-server support list|retry`: the operator reads the support messages kept unsent, and sends them
once a mail server is configured."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from banqo_server import cli
from banqo_server.models import SupportMessage
from banqo_server.services import support
from banqo_server.settings import Settings

SUPPORT = "soutien@banqo.test"


@pytest.fixture
def server_env(monkeypatch: Any, settings: Any) -> Any:
    """The operator's environment: the same database as the test's API, no mail server yet."""
    monkeypatch.setenv("BANQO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BANQO_DATA_DIR", str(settings.data_dir))
    for name in ("BANQO_SMTP_URL", "BANQO_SUPPORT_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def write(api: Any, subject: str) -> None:
    body = {"from": "parent@example.org", "subject": subject, "message": f"Le texte de « {subject} »"}
    assert api.client.post("/api/v1/support/messages", json=body).status_code == 201


def rows(api: Any) -> list[SupportMessage]:
    with api.client.app.state.session_factory() as db:
        return list(db.scalars(select(SupportMessage).order_by(SupportMessage.subject)))


def test_retry_sends_the_kept_messages_once_mail_is_configured(api, server_env, mailbox, capsys, clock):
    write(api, "Premier")
    clock.advance(seconds=1)
    write(api, "Deuxième")
    assert [row.sent_at for row in rows(api)] == [None, None]

    server_env.setenv("BANQO_SMTP_URL", mailbox.url)
    server_env.setenv("BANQO_SUPPORT_EMAIL", SUPPORT)
    assert cli.main(["support", "retry"]) == 0
    assert "2 sent, 0 failed" in capsys.readouterr().out
    mails = mailbox.wait_for(2)
    assert [mail["Subject"] for mail in mails] == ["[BanqO] Premier", "[BanqO] Deuxième"]
    assert {mail["Reply-To"] for mail in mails} == {"parent@example.org"}
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows(api))

    assert cli.main(["support", "retry"]) == 0
    assert "0 sent, 0 failed" in capsys.readouterr().out
    assert len(mailbox.messages) == 2


def test_retry_is_bounded_oldest_first(api, server_env, mailbox, capsys, clock):
    for subject in ("Premier", "Deuxième", "Troisième"):
        write(api, subject)
        clock.advance(seconds=1)
    server_env.setenv("BANQO_SMTP_URL", mailbox.url)
    server_env.setenv("BANQO_SUPPORT_EMAIL", SUPPORT)
    assert cli.main(["support", "retry", "--limit", "2"]) == 0
    assert "2 sent, 0 failed" in capsys.readouterr().out
    assert [mail["Subject"] for mail in mailbox.wait_for(2)] == ["[BanqO] Premier", "[BanqO] Deuxième"]


def test_retry_counts_the_failures_when_the_mail_server_is_down(api, server_env, capsys):
    import socket

    write(api, "Premier")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    server_env.setenv("BANQO_SMTP_URL", f"smtp://127.0.0.1:{closed_port}")
    server_env.setenv("BANQO_SUPPORT_EMAIL", SUPPORT)
    assert cli.main(["support", "retry"]) == 1
    assert "0 sent, 1 failed" in capsys.readouterr().out
    [row] = rows(api)
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_retry_without_a_mail_server_says_what_to_set(api, server_env, capsys):
    write(api, "Premier")
    assert cli.main(["support", "retry"]) == 1
    assert "BANQO_SMTP_URL" in capsys.readouterr().err
    assert rows(api)[0].attempts == 0


def test_list_prints_the_messages_not_yet_sent(api, server_env, capsys):
    write(api, "Premier")
    assert cli.main(["support", "list"]) == 0
    out = capsys.readouterr().out
    assert "Subject: Premier" in out
    assert "parent@example.org" in out and "Le texte de « Premier »" in out
    assert "1 message(s) not yet sent" in out


def test_retry_leaves_a_message_to_the_process_that_is_mailing_it(api, server_env, mailbox, capsys):
    """The request's own delivery (or another `support retry`) is in the middle of the SMTP exchange when the
    operator runs `support retry`: the message goes once, and the operator is told why it was left."""
    write(api, "Premier")
    server_env.setenv("BANQO_SMTP_URL", mailbox.url)
    server_env.setenv("BANQO_SUPPORT_EMAIL", SUPPORT)
    settings = Settings.from_env()
    first: list[dict[support.Delivery, int]] = []

    def first_sender() -> None:
        with api.client.app.state.session_factory() as db:
            first.append(support.retry(db, settings, limit=10))

    mailbox.hold()
    sender = threading.Thread(target=first_sender)
    sender.start()
    try:
        assert mailbox.at_data.wait(10), "the first sender never reached the mail server"
        assert cli.main(["support", "retry"]) == 0
        assert "0 sent, 0 failed, 1 being sent by another process" in capsys.readouterr().out
    finally:
        mailbox.let_go()
        sender.join(10)
    assert first == [{support.Delivery.SENT: 1, support.Delivery.FAILED: 0, support.Delivery.ELSEWHERE: 0}]
    assert [mail["Subject"] for mail in mailbox.wait_for(1)] == ["[BanqO] Premier"]
    assert len(mailbox.messages) == 1
    [row] = rows(api)
    assert row.sent_at is not None and row.attempts == 1 and row.sending_until is None


def test_a_claim_left_by_a_process_that_died_mid_send_lapses(api, server_env, mailbox, capsys):
    """A process killed during the SMTP exchange leaves its claim: the message is listed as being sent and left
    alone (it may have gone) until the claim lapses, then `support retry` sends it."""
    write(api, "Premier")
    server_env.setenv("BANQO_SMTP_URL", mailbox.url)
    server_env.setenv("BANQO_SUPPORT_EMAIL", SUPPORT)
    settings = Settings.from_env()
    with api.client.app.state.session_factory() as db:
        row = db.scalars(select(SupportMessage)).one()
        row.sending_until = settings.now() + support.sending_claim(settings) - timedelta(seconds=5)
        db.commit()

    assert cli.main(["support", "list"]) == 0
    assert "Being sent by another process (its claim lapses at " in capsys.readouterr().out
    assert cli.main(["support", "retry"]) == 0
    assert "0 sent, 0 failed, 1 being sent by another process" in capsys.readouterr().out
    assert mailbox.messages == []

    with api.client.app.state.session_factory() as db:
        db.scalars(select(SupportMessage)).one().sending_until = settings.now() - timedelta(seconds=1)
        db.commit()
    assert cli.main(["support", "retry"]) == 0
    assert "1 sent, 0 failed" in capsys.readouterr().out
    assert [mail["Subject"] for mail in mailbox.wait_for(1)] == ["[BanqO] Premier"]
