"""Two-factor sign-in: the TOTP algorithm itself (RFC 6238), turning it on and off, and signing in with it."""

import base64
import re
import threading
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from banqo_server.services import totp

PASSWORD = "une phrase de passe"  # the one the ``api`` fixture signs up with
RECOVERY_SHAPE = re.compile(r"^[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}$")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def code_now(secret, clock, steps=0):
    """The code an authenticator app shows at the server's clock (``steps`` periods later or earlier)."""
    return totp.code_at(secret, totp.step_at(clock.now) + steps)


def setup(api, token):
    answer = api.client.post("/api/v1/me/totp/setup", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def confirm(api, token, code):
    return api.client.post("/api/v1/me/totp", json={"code": code}, headers=bearer(token))


def disable(api, token, password=PASSWORD):
    return api.client.request("DELETE", "/api/v1/me/totp", json={"password": password}, headers=bearer(token))


def enable(api, token, clock):
    """Turn two-factor sign-in on as a teacher would: set up, type the app's code; the secret and recovery codes."""
    secret = setup(api, token)["secret"]
    answer = confirm(api, token, code_now(secret, clock))
    assert answer.status_code == 201, answer.text
    return secret, answer.json()["recovery_codes"]


def activity_kinds(api, token):
    return [entry["kind"] for entry in api.get("/me/summary", token).json()["recent_activity"]]


# --- the algorithm ------------------------------------------------------------------------------

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_the_test_vectors_of_rfc_6238(unix_time, expected):
    assert totp.code_at(RFC_SECRET, unix_time // 30, digits=8) == expected
    assert totp.code_at(RFC_SECRET, unix_time // 30) == expected[-6:]


def test_a_secret_is_160_random_bits_in_base32_without_padding():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        assert len(totp.secret_key(secret)) == 20


def test_verify_accepts_one_step_either_side_and_answers_the_step(clock):
    secret = totp.new_secret()
    now = totp.step_at(clock.now)
    for offset in (-1, 0, 1):
        assert totp.verify(secret, totp.code_at(secret, now + offset), clock.now) == now + offset
    for offset in (-2, 2):
        assert totp.verify(secret, totp.code_at(secret, now + offset), clock.now) is None
    code = totp.code_at(secret, now)
    assert totp.verify(secret, f"{code[:3]} {code[3:]}", clock.now) == now
    assert totp.verify(secret, code, clock.now, after=now) is None
    assert totp.verify(secret, "12345", clock.now) is None
    assert totp.verify(secret, "abcdef", clock.now) is None


def test_the_provisioning_uri_is_url_encoded():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "léa+test@example.org", "BanqO École")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/BanqO%20%C3%89cole:l%C3%A9a%2Btest@example.org"
    assert unquote(parts.path) == "/BanqO École:léa+test@example.org"
    assert parse_qs(parts.query) == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["BanqO École"],
        "digits": ["6"],
        "period": ["30"],
    }


# --- turning it on and off -----------------------------------------------------------------------


def test_setup_answers_a_secret_and_its_uri_for_the_account(api):
    token = api.signed_up()["token"]
    answer = setup(api, token)
    assert answer["digits"] == 6 and answer["period"] == 30
    assert re.fullmatch(r"[A-Z2-7]{32}", answer["secret"])
    assert answer["uri"] == (
        f"otpauth://totp/BanqO:lea@example.org?secret={answer['secret']}&issuer=BanqO&digits=6&period=30"
    )


def test_enabling_answers_ten_distinct_recovery_codes(api, clock):
    token = api.signed_up()["token"]
    _secret, codes = enable(api, token, clock)
    assert len(codes) == 10 == len(set(codes))
    assert all(RECOVERY_SHAPE.match(code) for code in codes), codes
    assert "totp_enabled" in activity_kinds(api, token)


def test_a_wrong_confirmation_code_is_refused_under_code(api, clock):
    token = api.signed_up()["token"]
    secret = setup(api, token)["secret"]
    wrong = code_now(secret, clock, steps=5)
    answer = confirm(api, token, wrong)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["code"]
    # Nothing is in force: signing in still needs only the password.
    assert api.sign_in().status_code == 201


def test_confirming_without_a_setup_asks_to_start_again(api):
    token = api.signed_up()["token"]
    answer = confirm(api, token, "123456")
    assert answer.status_code == 422
    assert "recommencez" in answer.json()["errors"]["code"][0]


def test_a_new_setup_replaces_the_pending_one(api, clock):
    token = api.signed_up()["token"]
    first = setup(api, token)["secret"]
    second = setup(api, token)["secret"]
    assert first != second
    assert confirm(api, token, code_now(first, clock)).status_code == 422
    assert confirm(api, token, code_now(second, clock)).status_code == 201


def test_setup_while_enabled_is_a_conflict(api, clock):
    token = api.signed_up()["token"]
    enable(api, token, clock)
    answer = api.client.post("/api/v1/me/totp/setup", headers=bearer(token))
    assert answer.status_code == 409
    assert list(answer.json()["errors"]) == ["code"]


def test_disabling_needs_the_password(api, clock):
    token = api.signed_up()["token"]
    enable(api, token, clock)
    wrong = disable(api, token, password="pas la bonne phrase")
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {"password": ["Mot de passe incorrect."]}
    assert api.sign_in().status_code == 401  # still on

    assert disable(api, token).status_code == 204
    assert api.sign_in().status_code == 201
    assert "totp_disabled" in activity_kinds(api, token)
    assert disable(api, token).status_code == 409


def test_re_enabling_makes_the_old_recovery_codes_useless(api, clock):
    token = api.signed_up()["token"]
    _secret, old_codes = enable(api, token, clock)
    assert disable(api, token).status_code == 204
    enable(api, token, clock)
    answer = api.sign_in(totp=old_codes[0])
    assert answer.status_code == 401
    assert list(answer.json()["errors"]) == ["totp"]


# --- signing in with it ------------------------------------------------------------------------------


def test_sign_in_with_two_factor(api, clock):
    token = api.signed_up()["token"]
    secret, _codes = enable(api, token, clock)
    clock.advance(seconds=30)

    without = api.sign_in()
    assert without.status_code == 401
    assert without.headers["www-authenticate"].startswith("Bearer")
    assert list(without.json()["errors"]) == ["totp"]
    assert "6 chiffres" in without.json()["errors"]["totp"][0]

    code = code_now(secret, clock)
    assert api.sign_in(totp=code).status_code == 201
    again = api.sign_in(totp=code)
    assert again.status_code == 401
    assert list(again.json()["errors"]) == ["totp"]
    assert "sign_in_refused_totp" in activity_kinds(api, token)


def test_a_code_is_used_once_even_within_the_window(api, clock):
    token = api.signed_up()["token"]
    secret, _codes = enable(api, token, clock)
    # The code that confirmed the setup has been used already.
    assert api.sign_in(totp=code_now(secret, clock)).status_code == 401

    clock.advance(seconds=90)
    earlier = code_now(secret, clock, steps=-1)  # still inside the ±1 step window
    assert api.sign_in(totp=earlier).status_code == 201
    assert api.sign_in(totp=earlier).status_code == 401
    assert api.sign_in(totp=code_now(secret, clock, steps=-2)).status_code == 401  # outside the window
    assert api.sign_in(totp=code_now(secret, clock)).status_code == 201


def test_a_wrong_password_never_reveals_two_factor(api, clock):
    api.signed_up("sans@example.org")
    token = api.signed_up()["token"]
    enable(api, token, clock)
    with_two_factor = api.sign_in(password="pas la bonne phrase")
    without_two_factor = api.sign_in("sans@example.org", password="pas la bonne phrase")
    assert with_two_factor.status_code == without_two_factor.status_code == 401
    assert with_two_factor.json() == without_two_factor.json()
    assert list(with_two_factor.json()["errors"]) == ["password"]
    # Even a right code with a wrong password is only a wrong password.
    assert list(api.sign_in(password="pas la bonne phrase", totp="123456").json()["errors"]) == ["password"]


def test_a_recovery_code_works_once(api, clock):
    token = api.signed_up()["token"]
    _secret, codes = enable(api, token, clock)

    typed = codes[3].replace("-", " ").upper()  # as a person might copy it from paper
    assert api.sign_in(totp=typed).status_code == 201
    assert "recovery_code_used" in activity_kinds(api, token)
    second = api.sign_in(totp=codes[3])
    assert second.status_code == 401
    assert list(second.json()["errors"]) == ["totp"]
    assert api.sign_in(totp=codes[4]).status_code == 201


def test_wrong_codes_count_as_failed_sign_ins(api, clock, settings):
    token = api.signed_up()["token"]
    secret, _codes = enable(api, token, clock)
    clock.advance(seconds=60)
    valid = {code_now(secret, clock, steps) for steps in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    for _ in range(settings.sign_in_email_limit):
        assert api.sign_in(totp=wrong).status_code == 401
    blocked = api.sign_in(totp=code_now(secret, clock))
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_asking_for_the_code_is_not_a_failure(api, clock, settings):
    token = api.signed_up()["token"]
    secret, _codes = enable(api, token, clock)
    clock.advance(seconds=60)
    for _ in range(settings.sign_in_email_limit + 2):
        assert api.sign_in().status_code == 401
    assert api.sign_in(totp=code_now(secret, clock)).status_code == 201


def test_two_sign_ins_at_once_cannot_share_a_code(settings, make_api, clock):
    """Each server process signs in with the same code at the same instant: only one may succeed (the account's
    row is locked while the code is checked and marked used: a row lock on PostgreSQL, the write lock taken
    before the read on SQLite)."""
    first, second = make_api(ready=True), make_api(ready=True)
    token = first.signed_up()["token"]
    secret, codes = enable(first, token, clock)
    clock.advance(seconds=30)
    for typed in (code_now(secret, clock), codes[0]):
        statuses: list[int] = []
        start = threading.Barrier(2)

        def sign_in(api, typed=typed, start=start, statuses=statuses):
            start.wait()
            statuses.append(api.sign_in(totp=typed).status_code)

        threads = [threading.Thread(target=sign_in, args=(api,)) for api in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201, 401], typed
