"""Signing up: the rules a new account follows, and what is stored."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


def test_sign_up_then_summary_shows_the_name_and_zero_counts(api):
    answer = api.sign_up(first_name="  Léa ", last_name=" Tremblay  ")
    assert answer.status_code == 201
    body = answer.json()
    assert body["token"]
    assert body["account"]["email"] == "lea@example.org"
    assert body["session"]["current"] is True

    summary = api.get("/me/summary", body["token"])
    assert summary.status_code == 200
    data = summary.json()
    assert (data["first_name"], data["last_name"], data["email"]) == ("Léa", "Tremblay", "lea@example.org")
    assert data["counts"] == {
        "goals": 0,
        "learners": 0,
        "plans_open": 0,
        "plans_due_soon": 0,
        "plans_overdue": 0,
    }
    assert data["last_sign_in"] is None
    assert [entry["kind"] for entry in data["recent_activity"]] == ["account_created"]


def test_email_is_stored_lower_case_and_trimmed(api):
    body = api.signed_up(email="  Lea.Tremblay@Example.ORG ")
    assert body["account"]["email"] == "lea.tremblay@example.org"
    assert api.sign_in("LEA.TREMBLAY@example.org").status_code == 201


def test_email_taken_answers_409_under_email_in_french(api):
    api.signed_up()
    answer = api.sign_up(email="LEA@example.org")
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == {"email": ["Un compte existe déjà avec cette adresse courriel."]}


def test_email_taken_answers_in_english_when_asked(api):
    api.signed_up()
    body = {"email": "lea@example.org", "password": "another passphrase", "first_name": "L", "last_name": "T"}
    answer = api.client.post("/api/v1/accounts", json=body, headers={"Accept-Language": "en-CA,fr;q=0.5"})
    assert answer.status_code == 409
    assert answer.headers["content-language"] == "en-CA"
    assert answer.json()["errors"] == {"email": ["An account already exists with this email address."]}
    assert answer.json()["title"] == "Conflict"


def test_too_short_password_is_refused(api):
    answer = api.sign_up(password="court1!")
    assert answer.status_code == 422
    assert answer.json()["errors"]["password"] == ["Le mot de passe doit compter au moins 8 caractères."]


def test_too_long_password_is_refused(api):
    answer = api.sign_up(password="x" * 129)
    assert answer.status_code == 422
    assert answer.json()["errors"]["password"] == ["Le mot de passe doit compter au plus 128 caractères."]


def test_common_passwords_are_refused_whatever_their_case(api):
    for password in ("password", "MotDePasse", "azertyuiop", "Soleil123", "12345678"):
        answer = api.sign_up(password=password)
        assert answer.status_code == 422, password
        assert answer.json()["errors"]["password"] == [
            "Ce mot de passe est parmi les plus courants : choisissez-en un autre."
        ]


def test_password_equal_to_the_email_is_refused(api):
    answer = api.sign_up(email="lea@example.org", password="Lea@Example.org")
    assert answer.status_code == 422
    assert answer.json()["errors"]["password"] == ["Le mot de passe ne doit pas être votre adresse courriel."]


def test_no_composition_rule_a_long_lower_case_phrase_is_fine(api):
    assert api.sign_up(password="la grenouille mange des mouches").status_code == 201


def test_bad_email_and_blank_names_are_each_reported_under_their_field(api):
    answer = api.sign_up(email="pas-un-courriel", first_name="   ", last_name="")
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["email"] == ["Cette adresse courriel n'est pas valide."]
    assert errors["first_name"] == ["Ce champ est obligatoire."]
    assert errors["last_name"] == ["Ce champ est obligatoire."]


def test_missing_and_too_long_fields_are_reported_with_the_request_field_names(api):
    answer = api.client.post("/api/v1/accounts", json={"email": "lea@example.org", "first_name": "x" * 201})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["password"] == ["Ce champ est obligatoire."]
    assert errors["last_name"] == ["Ce champ est obligatoire."]
    assert errors["first_name"] == ["Ce texte est trop long (200 caractères au plus)."]

    english = api.client.post("/api/v1/accounts", json={"email": 3}, headers={"Accept-Language": "en"})
    assert english.json()["errors"]["email"] == ["Invalid value."]
    assert english.json()["errors"]["password"] == ["This field is required."]


def test_password_is_stored_as_argon2id(api, settings):
    api.signed_up()
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM accounts")).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$")
    assert "phrase" not in stored


def test_the_token_is_not_in_the_database_files(api, settings):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("a check of the SQLite file's bytes")
    token = api.signed_up()["token"]
    signed_in = api.signed_in()["token"]
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert stored  # the file and its WAL were read
    for value in (token, signed_in):
        assert value.encode() not in stored


def test_sign_ups_are_throttled_per_address(api, settings, clock):
    settings.sign_up_address_limit = 3
    for number in range(3):
        assert api.sign_up(email=f"prof{number}@example.org").status_code == 201
    refused = api.sign_up(email="prof9@example.org")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["retry_after"] == int(refused.headers["Retry-After"])
    clock.advance(hours=1, seconds=1)
    assert api.sign_up(email="prof9@example.org").status_code == 201
