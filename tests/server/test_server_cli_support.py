"""`banqo-server support list|retry`: the operator reads the support messages kept unsent, and sends them
once a mail server is configured."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from banqo_server import cli
from banqo_server.models import SupportMessage

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
