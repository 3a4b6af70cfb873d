"""Signing in and out, bearer tokens, the list of signed-in devices, and session expiry."""

from banqo_tui.api.models import Page, SessionInfo


def test_wrong_password_answers_401_under_password(api):
    api.signed_up()
    answer = api.sign_in(password="pas la bonne phrase")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == {"password": ["Courriel ou mot de passe incorrect."]}


def test_unknown_email_answers_exactly_like_a_wrong_password(api):
    api.signed_up()
    wrong_password = api.sign_in(password="pas la bonne phrase")
    unknown_email = api.sign_in(email="personne@example.org")
    assert unknown_email.status_code == wrong_password.status_code == 401
    assert unknown_email.json() == wrong_password.json()
    assert unknown_email.headers["www-authenticate"] == wrong_password.headers["www-authenticate"]


def test_right_password_opens_a_session_with_the_given_device(api):
    api.signed_up()
    answer = api.sign_in(device="Portable de Léa")
    assert answer.status_code == 201
    body = answer.json()
    assert body["session"]["device"] == "Portable de Léa"
    assert body["account"]["first_name"] == "Léa"
    assert api.get("/me/summary", body["token"]).status_code == 200


def test_device_label_falls_back_to_the_user_agent(api):
    api.signed_up()
    body = {"email": "lea@example.org", "password": "une phrase de passe"}
    answer = api.client.post("/api/v1/sessions", json=body, headers={"User-Agent": "banqo-tui/0.1.0"})
    assert answer.json()["session"]["device"] == "banqo-tui/0.1.0"


def test_missing_or_bad_token_answers_401_with_a_bearer_challenge(api):
    api.signed_up()
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic bGVhOnBhc3M="},
        {"Authorization": "Bearer pas-un-jeton"},
    ):
        answer = api.get("/me/summary", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == 401


def test_list_of_sessions_flags_the_current_one(api, clock):
    first = api.signed_up(device="Ordinateur de l'école")
    clock.advance(minutes=5)
    second = api.signed_in(device="Portable")
    answer = api.get("/sessions", second["token"])
    assert answer.status_code == 200
    page = Page[SessionInfo].model_validate_json(answer.content)
    assert [(item.device, item.current) for item in page.items] == [
        ("Portable", True),
        ("Ordinateur de l'école", False),
    ]
    assert page.next_cursor is None
    assert page.items[1].id == first["session"]["id"]


def test_sessions_are_paged_with_a_cursor(api, clock):
    token = api.signed_up()["token"]
    for number in range(4):
        clock.advance(seconds=1)
        api.signed_in(device=f"Appareil {number}")
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    for _ in range(5):
        page = api.get("/sessions", token, params=params).json()
        seen += [item["device"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == 5 and len(set(seen)) == 5
    assert seen[0] == "Appareil 3"
    assert api.get("/sessions", token, params={"cursor": "n'importe quoi"}).status_code == 422
    assert api.get("/sessions", token, params={"limit": 201}).json()["errors"] == {
        "limit": ["Valeur invalide."]
    }


def test_ending_a_session_makes_its_token_401(api):
    laptop = api.signed_up(device="Portable")
    phone = api.signed_in(device="Téléphone")
    answer = api.delete(f"/sessions/{laptop['session']['id']}", phone["token"])
    assert answer.status_code == 204
    assert api.get("/me/summary", laptop["token"]).status_code == 401
    assert api.get("/me/summary", phone["token"]).status_code == 200
    listed = api.get("/sessions", phone["token"]).json()["items"]
    assert [item["device"] for item in listed] == ["Téléphone"]
    kinds = [entry["kind"] for entry in api.get("/me/summary", phone["token"]).json()["recent_activity"]]
    assert "session_ended" in kinds


def test_another_accounts_session_answers_404_like_an_unknown_id(api):
    lea = api.signed_up("lea@example.org")
    marc = api.signed_up("marc@example.org")
    theirs = api.delete(f"/sessions/{marc['session']['id']}", lea["token"])
    unknown = api.delete("/sessions/0123456789abcdef0123456789abcdef", lea["token"])
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert theirs.headers["content-type"] == "application/problem+json"
    assert api.get("/me/summary", marc["token"]).status_code == 200


def test_sign_out_ends_the_current_session(api):
    body = api.signed_up()
    assert api.delete("/sessions/current", body["token"]).status_code == 204
    assert api.get("/me/summary", body["token"]).status_code == 401
    assert api.delete("/sessions/current", body["token"]).status_code == 401
    again = api.signed_in()
    kinds = [entry["kind"] for entry in api.get("/me/summary", again["token"]).json()["recent_activity"]]
    assert "signed_out" in kinds


def test_an_idle_session_expires(api, clock, settings):
    token = api.signed_up()["token"]
    clock.advance(days=29)
    assert api.get("/me/summary", token).status_code == 200  # use refreshes the idle timeout
    clock.advance(days=29)
    assert api.get("/me/summary", token).status_code == 200
    clock.advance(days=30, seconds=1)
    answer = api.get("/me/summary", token)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_a_session_in_use_still_ends_at_its_absolute_lifetime(api, clock):
    token = api.signed_up()["token"]
    for _ in range(4):
        clock.advance(days=20)
        assert api.get("/me/summary", token).status_code == 200
    clock.advance(days=10, seconds=1)  # 90 days and a second after sign-up
    assert api.get("/me/summary", token).status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(api, clock):
    token = api.signed_up()["token"]
    created = api.get("/sessions", token).json()["items"][0]["last_used_at"]
    clock.advance(seconds=30)
    assert api.get("/sessions", token).json()["items"][0]["last_used_at"] == created
    clock.advance(seconds=31)
    assert api.get("/sessions", token).json()["items"][0]["last_used_at"] != created
