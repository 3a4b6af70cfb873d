"""Sign-in throttling: an attacker is slowed down, the user is never locked out for good."""


def _wrong(api, email="lea@example.org"):
    return api.sign_in(email=email, password="pas la bonne phrase")


def test_twenty_wrong_passwords_are_throttled_then_the_right_one_works_after_the_delay(api, clock):
    api.signed_up()
    answers = [_wrong(api) for _ in range(20)]
    assert [answer.status_code for answer in answers[:10]] == [401] * 10
    assert [answer.status_code for answer in answers[10:]] == [429] * 10
    refused = answers[-1]
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 30
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["retry_after"] == retry_after
    assert body["errors"] == {"password": ["Trop de tentatives : réessayez dans 1 minute."]}

    clock.advance(seconds=retry_after + 1)
    assert api.sign_in().status_code == 201


def test_the_right_password_is_refused_during_a_block(api, clock):
    api.signed_up()
    for _ in range(10):
        _wrong(api)
    assert api.sign_in().status_code == 429
    clock.advance(seconds=20)
    assert api.sign_in().status_code == 429  # refused attempts do not extend the block…
    clock.advance(seconds=11)
    assert api.sign_in().status_code == 201  # …which ends 30 s after it started


def test_the_delay_doubles_with_each_failure_past_the_limit_up_to_fifteen_minutes(api, clock):
    api.signed_up()
    for _ in range(10):
        _wrong(api)
    delays = []
    for _ in range(8):
        delay = int(api.sign_in().headers["Retry-After"])
        delays.append(delay)
        clock.advance(seconds=delay)
        assert _wrong(api).status_code == 401
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]


def test_a_success_resets_the_count(api, clock):
    api.signed_up()
    for _ in range(9):
        _wrong(api)
    assert api.sign_in().status_code == 201
    for _ in range(9):
        assert _wrong(api).status_code == 401
    assert api.sign_in().status_code == 201


def test_the_count_forgets_failures_older_than_the_window(api, clock):
    api.signed_up()
    for _ in range(9):
        _wrong(api)
    clock.advance(minutes=16)
    for _ in range(9):
        assert _wrong(api).status_code == 401
    assert api.sign_in().status_code == 201


def test_a_block_is_recorded_once_in_the_accounts_activity(api, clock):
    token = api.signed_up()["token"]
    for _ in range(15):
        _wrong(api)
    kinds = [entry["kind"] for entry in api.get("/me/summary", token).json()["recent_activity"]]
    assert kinds.count("sign_in_throttled") == 1


def test_blocking_one_email_does_not_block_another_account(api):
    api.signed_up("lea@example.org")
    api.signed_up("marc@example.org")
    for _ in range(12):
        _wrong(api, "lea@example.org")
    assert api.sign_in("marc@example.org").status_code == 201


def test_failures_are_counted_per_address_too(api, settings):
    settings.sign_in_address_limit = 5
    api.signed_up("lea@example.org")
    for number in range(5):
        assert _wrong(api, f"inconnu{number}@example.org").status_code == 401
    assert api.sign_in("lea@example.org").status_code == 429


def test_the_count_is_shared_by_every_server_process(api, make_api):
    api.signed_up()
    other_process = make_api()
    for number in range(10):
        assert _wrong(api if number % 2 else other_process).status_code == 401
    assert api.sign_in().status_code == 429
    assert other_process.sign_in().status_code == 429


def test_the_throttle_message_is_translated(api):
    api.signed_up()
    for _ in range(10):
        _wrong(api)
    answer = api.client.post(
        "/api/v1/sessions",
        json={"email": "lea@example.org", "password": "une phrase de passe"},
        headers={"Accept-Language": "en-CA"},
    )
    assert answer.status_code == 429
    assert answer.json()["errors"] == {"password": ["Too many attempts: try again in 1 minute."]}
