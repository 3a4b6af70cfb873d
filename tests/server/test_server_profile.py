"""« Profil » through the API: contact details, their rules, the email change and versions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import PASSWORD


def profile(bank: Any) -> dict[str, Any]:
    answer = bank.get("/me/profile")
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
    return answer.json()


def change(bank: Any, body: dict[str, Any], version: int | None = None, **headers: str) -> Any:
    """PATCH /me/profile at ``version`` (the current one when not given)."""
    if version is None:
        version = profile(bank)["version"]
    return bank.patch("/me/profile", body, headers={"If-Match": f'"{version}"', **headers})


def changed(bank: Any, body: dict[str, Any]) -> dict[str, Any]:
    answer = change(bank, body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
    return answer.json()


def activity_kinds(bank: Any) -> list[str]:
    """The latest activity entries, newest first, as « Votre résumé » shows them."""
    return [entry["kind"] for entry in bank.get("/me/summary").json()["recent_activity"]]


def test_a_new_account_has_an_empty_profile_with_its_version_in_etag(bank, clock):
    data = profile(bank)
    assert (data["email"], data["first_name"], data["last_name"]) == ("lea@example.org", "Léa", "Tremblay")
    assert data["phone"] == ""
    assert data["address"] == {"street": "", "city": "", "province": "", "postal_code": ""}
    assert (data["language"], data["promotional_email"], data["promotional_email_changed_at"]) == (
        "fr-CA",
        False,
        None,
    )
    assert (data["photo"], data["two_factor"], data["version"]) == (None, False, 1)


def test_the_profile_needs_a_session(api):
    assert api.get("/me/profile").status_code == 401
    answer = api.client.patch("/api/v1/me/profile", json={"first_name": "X"}, headers={"If-Match": '"1"'})
    assert answer.status_code == 401


def test_names_and_address_are_cleaned_and_kept(bank):
    data = changed(
        bank,
        {
            "first_name": "  Marie   Claude ",
            "last_name": "Gagnon\tBeaulieu",
            "address": {"street": " 5100,  rue  Sherbrooke ", "city": "Montréal", "province": "qc",
                        "postal_code": "h3w2w8"},
        },
    )
    assert (data["first_name"], data["last_name"]) == ("Marie Claude", "Gagnon Beaulieu")
    assert data["address"] == {
        "street": "5100, rue Sherbrooke",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "H3W 2W8",
    }
    assert data["version"] == 2
    assert profile(bank) == data


def test_a_part_of_the_address_changes_alone(bank):
    changed(bank, {"address": {"city": "Montréal", "province": "QC", "postal_code": "H3W 2W8"}})
    data = changed(bank, {"address": {"street": "12, rue Principale"}})
    assert data["address"] == {
        "street": "12, rue Principale",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "H3W 2W8",
    }
    cleared = changed(bank, {"address": {"street": "", "city": "", "province": "", "postal_code": ""}})
    assert cleared["address"] == {"street": "", "city": "", "province": "", "postal_code": ""}


def test_a_postal_code_of_another_shape_is_refused_with_an_example(bank):
    answer = change(bank, {"address": {"postal_code": "123 456"}})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "address.postal_code": ["Ce code postal n'est pas valide : il s'écrit comme « H3W 2W8 »."]
    }
    assert profile(bank)["version"] == 1


def test_a_postal_code_of_another_province_is_refused_naming_the_province(bank):
    answer = change(bank, {"address": {"province": "QC", "postal_code": "K1A 0B1"}})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "address.postal_code": [
            "Ce code postal ne convient pas à une adresse au Québec, où les codes postaux commencent par G, H ou J."
        ]
    }
    # The province already kept counts too.
    changed(bank, {"address": {"province": "ON", "postal_code": "K1A 0B1"}})
    answer = change(bank, {"address": {"postal_code": "H3W 2W8"}})
    assert answer.status_code == 422
    assert "en Ontario" in answer.json()["errors"]["address.postal_code"][0]
    assert changed(bank, {"address": {"province": "QC", "postal_code": "H3W 2W8"}})["address"]["province"] == "QC"
    # Without a province, any Canadian postal code is accepted.
    assert changed(bank, {"address": {"province": "", "postal_code": "X0A 0H0"}})["address"]["postal_code"] == (
        "X0A 0H0"
    )


def test_an_unknown_province_is_refused(bank):
    answer = change(bank, {"address": {"province": "ZZ"}})
    assert answer.status_code == 422
    message = answer.json()["errors"]["address.province"][0]
    assert "Province ou territoire inconnu" in message and "QC" in message


def test_too_long_address_parts_are_refused_each_under_its_name(bank):
    answer = change(bank, {"address": {"street": "r" * 201, "city": "c" * 101}})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["address.street"] == ["Ce texte est trop long (200 caractères au plus)."]
    assert errors["address.city"] == ["Ce texte est trop long (100 caractères au plus)."]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("514-814-7526", "514 814-7526"),
        ("(514) 814.7526", "514 814-7526"),
        ("+1 514 814 7526", "514 814-7526"),
        ("1-514-814-7526", "514 814-7526"),
        ("5148147526", "514 814-7526"),
        ("514 814-7526 poste 123", "514 814-7526, poste 123"),
        ("514 814-7526, Poste 123", "514 814-7526, poste 123"),
        ("514.814.7526 ext. 45", "514 814-7526, poste 45"),
        ("(514) 814-7526 x9", "514 814-7526, poste 9"),
    ],
)
def test_north_american_phone_numbers_are_kept_in_one_format(bank, typed, kept):
    assert changed(bank, {"phone": typed})["phone"] == kept


@pytest.mark.parametrize(
    "typed", ["814-7526", "514 814 75267", "téléphone", "+33 1 23 45 67 89", "514+814+7526", "2-514-814-7526"]
)
def test_other_phone_numbers_are_refused_with_an_example(bank, typed):
    answer = change(bank, {"phone": typed})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "phone": [
            "Ce numéro de téléphone n'est pas valide : 10 chiffres, comme « 514 814-7526 », suivis d'un poste "
            "au besoin."
        ]
    }


def test_an_empty_phone_clears_it(bank):
    changed(bank, {"phone": "514 814-7526"})
    assert changed(bank, {"phone": ""})["phone"] == ""


def test_names_are_required(bank):
    answer = change(bank, {"first_name": "   ", "last_name": ""})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "first_name": ["Ce champ est obligatoire."],
        "last_name": ["Ce champ est obligatoire."],
    }


def test_language_is_french_or_english_of_canada(bank):
    assert changed(bank, {"language": "en-CA"})["language"] == "en-CA"
    answer = change(bank, {"language": "de-DE"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"language": ["Langue inconnue : fr-CA ou en-CA."]}


def test_every_refused_field_is_named_at_once_and_nothing_changes(bank):
    answer = change(bank, {"first_name": "", "phone": "123", "address": {"postal_code": "nope"}, "language": "x"})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"first_name", "phone", "address.postal_code", "language"}
    data = profile(bank)
    assert (data["first_name"], data["phone"], data["version"]) == ("Léa", "", 1)


def test_a_change_needs_if_match(bank):
    answer = bank.patch("/me/profile", {"first_name": "Marie"})
    assert answer.status_code == 428
    assert profile(bank)["first_name"] == "Léa"


def test_a_stale_version_answers_412_with_the_current_one(bank):
    changed(bank, {"first_name": "Marie"})
    answer = change(bank, {"last_name": "Gagnon"}, version=1)
    assert answer.status_code == 412
    assert answer.json()["current_version"] == 2
    assert answer.headers["etag"] == '"2"'
    assert profile(bank)["last_name"] == "Tremblay"


def test_the_same_values_change_nothing(bank):
    data = changed(bank, {"first_name": "Léa", "last_name": " Tremblay ", "email": "LEA@example.org"})
    assert data["version"] == 1
    assert activity_kinds(bank) == ["account_created"]


def test_activity_records_each_kind_of_change(bank, clock):
    clock.advance(minutes=1)
    changed(bank, {"phone": "514 814-7526"})
    assert activity_kinds(bank)[0] == "profile_changed"
    clock.advance(minutes=1)
    data = changed(bank, {"promotional_email": True})
    assert data["promotional_email"] is True
    assert data["promotional_email_changed_at"].startswith("2026-11-02T14:02:00")
    assert data["version"] == 3
    assert activity_kinds(bank)[:2] == ["promotional_email_changed", "profile_changed"]
    clock.advance(minutes=1)
    changed(bank, {"email": "lea.t@example.org", "current_password": PASSWORD})
    assert activity_kinds(bank)[:3] == ["email_changed", "promotional_email_changed", "profile_changed"]


def test_changing_the_email_needs_the_current_password(bank, api):
    answer = change(bank, {"email": "lea.t@example.org"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "current_password": ["Entrez votre mot de passe actuel pour changer d'adresse courriel."]
    }
    answer = change(bank, {"email": "lea.t@example.org", "current_password": "pas le bon mot"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"current_password": ["Mot de passe incorrect."]}
    assert profile(bank)["email"] == "lea@example.org"

    data = changed(bank, {"email": " Lea.T@Example.org ", "current_password": PASSWORD})
    assert (data["email"], data["version"]) == ("lea.t@example.org", 2)
    assert api.sign_in("lea.t@example.org").status_code == 201
    assert api.sign_in("lea@example.org").status_code == 401


def test_an_invalid_email_is_refused(bank):
    answer = change(bank, {"email": "pas-une-adresse", "current_password": PASSWORD})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"email": ["Cette adresse courriel n'est pas valide."]}


def test_the_email_of_another_account_answers_409_under_email(make_bank):
    make_bank("marc@example.org")
    lea = make_bank()
    answer = change(lea, {"email": "Marc@example.org", "current_password": PASSWORD})
    assert answer.status_code == 409
    assert answer.json()["errors"] == {"email": ["Un compte existe déjà avec cette adresse courriel."]}
    assert profile(lea)["email"] == "lea@example.org"


def test_the_email_of_another_account_is_not_revealed_without_the_password(make_bank):
    make_bank("marc@example.org")
    lea = make_bank()
    answer = change(lea, {"email": "marc@example.org", "current_password": "une autre phrase"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"current_password": ["Mot de passe incorrect."]}


def test_wrong_passwords_count_as_failed_sign_ins_of_the_account(bank, api, settings):
    for _attempt in range(settings.sign_in_email_limit):
        answer = change(bank, {"email": "lea.t@example.org", "current_password": "devine encore"})
        assert answer.status_code == 422
    answer = change(bank, {"email": "lea.t@example.org", "current_password": PASSWORD})
    assert answer.status_code == 429
    assert answer.headers["retry-after"]
    assert list(answer.json()["errors"]) == ["current_password"]
    assert profile(bank)["email"] == "lea@example.org"
    # Signing in with the right password waits too: the account's email is blocked.
    assert api.sign_in("lea@example.org").status_code == 429
    assert "sign_in_throttled" in activity_kinds(bank)


def test_refusals_name_the_same_fields_in_english(bank):
    english = {"Accept-Language": "en-CA"}
    for body, field in (
        ({"address": {"postal_code": "123 456"}}, "address.postal_code"),
        ({"address": {"province": "QC", "postal_code": "K1A 0B1"}}, "address.postal_code"),
        ({"address": {"province": "ZZ"}}, "address.province"),
        ({"phone": "123"}, "phone"),
        ({"language": "de"}, "language"),
        ({"email": "lea.t@example.org"}, "current_password"),
        ({"email": "lea.t@example.org", "current_password": "pas le bon"}, "current_password"),
    ):
        answer = change(bank, body, **english)
        assert answer.status_code == 422, body
        assert answer.headers["content-language"] == "en-CA"
        assert list(answer.json()["errors"]) == [field]


def test_each_account_sees_only_its_own_profile(make_bank):
    marc = make_bank("marc@example.org")
    lea = make_bank()
    changed(lea, {"phone": "514 814-7526"})
    assert profile(marc)["phone"] == ""
    assert profile(marc)["email"] == "marc@example.org"
