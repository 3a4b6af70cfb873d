"""The per-process memory of authenticated sessions (services/auth.SessionCache): a request whose session was
authenticated moments ago skips the token's database read, a sign-out through this process is refused at once,
and one made by another process is refused once the memory's time to live has passed."""

from sqlalchemy import event, update

from banqo_server.db import make_engine
from banqo_server.models import AccountSession


def token_reads(app):
    """The statements this app sends that look a session up by its token."""
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        if "token_hash =" in statement and "FROM sessions" in statement:
            seen.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", record)
    return seen


def test_a_session_authenticated_moments_ago_is_not_read_again(api):
    token = api.signed_up()["token"]
    reads = token_reads(api.client.app)
    assert api.get("/me/summary", token).status_code == 200
    assert len(reads) == 1
    assert api.get("/collection/goals", token, params={"q": "lire"}).status_code == 200
    assert api.get("/me/summary", token).json()["first_name"] == "Léa"  # the account, loaded from the session
    assert len(reads) == 1


def test_a_sign_out_through_this_process_is_refused_at_once(api):
    token = api.signed_up()["token"]
    assert api.get("/me/summary", token).status_code == 200
    assert api.delete("/sessions/current", token).status_code == 204
    assert api.get("/me/summary", token).status_code == 401


def test_ending_other_sessions_refuses_them_at_once(api):
    first = api.signed_up()["token"]
    second = api.signed_in()["token"]
    assert api.get("/me/summary", second).status_code == 200
    sessions = api.get("/sessions", first).json()["items"]
    other = next(session for session in sessions if not session["current"])
    assert api.delete(f"/sessions/{other['id']}", first).status_code == 204
    assert api.get("/me/summary", second).status_code == 401


def test_a_session_ended_by_another_process_is_refused_within_the_time_to_live(api, settings):
    app = api.client.app
    cache = app.state.session_cache
    now = [1000.0]
    cache.clock = lambda: now[0]  # the memory's own clock, moved by hand: no bound on how fast this machine is
    token = api.signed_up()["token"]
    assert api.get("/me/summary", token).status_code == 200
    # Another process ends it: a plain UPDATE on a connection of its own, which no event of this one sees.
    other = make_engine(settings.database_url)
    try:
        with other.begin() as connection:
            connection.execute(update(AccountSession.__table__).values(ended_at=settings.now()))
    finally:
        other.dispose()
    now[0] += cache.ttl - 0.01
    assert api.get("/me/summary", token).status_code == 200  # still remembered here: the documented bound
    now[0] += 0.01
    assert api.get("/me/summary", token).status_code == 401  # the time to live has passed: read again, refused
    assert api.get("/me/summary", token).status_code == 401


def test_serve_with_workers_migrates_once_and_gives_uvicorn_the_app_factory(monkeypatch, tmp_path):
    """`banqo-server --workers 2`: each worker process builds its own app (and pool) with create_app()."""
    import uvicorn

    from banqo_server import cli

    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setenv("BANQO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BANQO_DATABASE_URL", raising=False)
    assert cli.main(["serve", "--workers", "2"]) == 0
    [(app, options)] = calls
    assert (app, options["factory"], options["workers"]) == ("banqo_server.app:create_app", True, 2)
    assert (tmp_path / "banqo.sqlite3").exists() or any(tmp_path.glob("*.sqlite3"))  # migrated before the workers
    assert cli.main(["serve"]) == 0
    assert calls[1][1]["workers"] is None and calls[1][1]["factory"] is False
