"""BanqoClient against the real API in-process: typed answers, errors a screen can act on."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from banqo_tui.api import errors
from banqo_tui.api.client import BanqoClient

PASSWORD = "une phrase de passe solide"


async def sign_up(api: BanqoClient, email: str = "camille@example.org"):
    return await api.accounts.sign_up(email=email, password=PASSWORD, first_name="Camille",
                                      last_name="Tremblay", device="tests")


async def test_health_answers_ok(client: BanqoClient):
    assert (await client.health()).status == "ok"


async def test_sign_up_signs_the_client_in_and_the_summary_has_the_name(client: BanqoClient):
    answer = await sign_up(client)
    assert client.token == answer.token
    summary = await client.me.summary()
    assert (summary.first_name, summary.last_name) == ("Camille", "Tremblay")
    assert summary.counts.goals == 0 and summary.counts.learners == 0 and summary.counts.plans_open == 0


async def test_email_taken_is_a_validation_error_on_email(client: BanqoClient, new_client):
    await sign_up(client)
    with pytest.raises(errors.ValidationFailed) as caught:
        await sign_up(new_client())
    assert "email" in caught.value.errors


async def test_wrong_password_is_invalid_credentials_on_password(client: BanqoClient, new_client):
    await sign_up(client)
    other = new_client()
    with pytest.raises(errors.InvalidCredentials) as caught:
        await other.sessions.sign_in(email="camille@example.org", password="pas le bon mot de passe")
    assert caught.value.errors["password"]
    assert other.token is None


async def test_messages_come_in_the_clients_language(client: BanqoClient, new_client):
    await sign_up(client)
    french, english = new_client("fr-CA"), new_client("en-CA")
    with pytest.raises(errors.ValidationFailed) as fr:
        await sign_up(french)
    with pytest.raises(errors.ValidationFailed) as en:
        await sign_up(english)
    assert fr.value.errors["email"] != en.value.errors["email"]


async def test_too_short_password_is_refused_at_the_field(client: BanqoClient):
    with pytest.raises(errors.ValidationFailed) as caught:
        await client.accounts.sign_up(email="a@example.org", password="court", first_name="A", last_name="B")
    assert caught.value.status == 422
    assert caught.value.errors["password"]


async def test_sessions_list_flags_the_current_one_and_another_can_be_ended(client: BanqoClient, new_client):
    await sign_up(client)
    laptop = new_client()
    await laptop.sessions.sign_in(email="camille@example.org", password=PASSWORD, device="portable")
    sessions = await client.sessions.list()
    assert len(sessions) == 2
    assert sum(s.current for s in sessions) == 1
    other = next(s for s in sessions if not s.current)
    await client.sessions.end(other.id)
    with pytest.raises(errors.NotSignedIn):
        await laptop.me.summary()


async def test_another_accounts_session_is_not_found(client: BanqoClient, new_client):
    await sign_up(client)
    mine = (await client.sessions.list())[0]
    intruder = new_client()
    await sign_up(intruder, "intrus@example.org")
    with pytest.raises(errors.NotFound):
        await intruder.sessions.end(mine.id)
    with pytest.raises(errors.NotFound):
        await intruder.sessions.end("does-not-exist")


async def test_sign_out_forgets_the_token_and_ends_the_session(client: BanqoClient):
    answer = await sign_up(client)
    await client.sessions.sign_out()
    assert client.token is None
    client.token = answer.token
    with pytest.raises(errors.NotSignedIn):
        await client.me.summary()


async def test_throttled_sign_in_says_how_long_to_wait(client: BanqoClient, new_client):
    await sign_up(client)
    other = new_client()
    for _ in range(30):
        try:
            await other.sessions.sign_in(email="camille@example.org", password="mauvais mot de passe")
        except errors.InvalidCredentials:
            continue
        except errors.TooManyRequests as exc:
            assert exc.retry_after and exc.retry_after > 0
            break
    else:
        pytest.fail("never throttled")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_server_that_is_not_there_is_unreachable():
    async with BanqoClient(f"http://127.0.0.1:{_closed_port()}", retries=1, retry_backoff=0.01) as api:
        with pytest.raises(errors.ServerUnreachable) as caught:
            await api.health()
    assert caught.value.message


async def test_something_that_is_not_banqo_is_a_protocol_error():
    async def app(scope, receive, send):  # a server answering 200 with HTML
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<html>hello</html>"})

    async with BanqoClient("http://other.test", transport=httpx.ASGITransport(app=app)) as api:
        with pytest.raises(errors.ProtocolError):
            await api.health()


async def test_idempotent_calls_are_retried_and_posts_are_not():
    calls: dict[str, int] = {"GET": 0, "POST": 0}

    async def flaky(scope, receive, send):  # a proxy whose upstream is restarting: 503 every time
        calls[scope["method"]] += 1
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/problem+json")]})
        await send({"type": "http.response.body", "body": b'{"title": "Service Unavailable", "status": 503}'})

    async with BanqoClient("http://flaky.test", transport=httpx.ASGITransport(app=flaky),
                           retries=2, retry_backoff=0.01) as api:
        with pytest.raises(errors.ServerError):
            await api.health()
        with pytest.raises(errors.ServerError):
            await api.sessions.sign_in(email="a@example.org", password="whatever123")
    assert calls == {"GET": 3, "POST": 1}


async def test_a_server_that_never_answers_times_out_as_unreachable():
    with socket.socket() as listener:  # accepts connections (the backlog does) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        async with BanqoClient(f"http://127.0.0.1:{port}", timeout=0.3, retries=0) as api:
            started = asyncio.get_running_loop().time()
            with pytest.raises(errors.ServerUnreachable):
                await api.health()
            assert asyncio.get_running_loop().time() - started < 3


async def test_a_support_message_still_goes_when_the_session_ended_meanwhile(client: BanqoClient, new_client):
    await sign_up(client)
    other = new_client()
    await other.sessions.sign_in(email="camille@example.org", password=PASSWORD, device="autre")
    await other.me.change_password(PASSWORD, "une toute nouvelle phrase")  # ends `client`'s session
    with pytest.raises(errors.NotSignedIn):
        await client.me.summary()
    receipt = await client.support.send(from_="camille@example.org", subject="Question", message="Bonjour!")
    assert receipt.id
    anonymous = new_client()
    with pytest.raises(errors.ValidationFailed) as caught:  # signed out and no address: refused, as it should
        await anonymous.support.send(from_="", subject="Question", message="Bonjour!")
    assert "from" in caught.value.errors
