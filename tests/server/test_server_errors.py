"""Every error is problem+json, in the request's language, with no internals."""

from fastapi import FastAPI

from banqo_server.i18n import negotiate


def test_unknown_route_answers_a_404_problem(api):
    answer = api.get("/nulle-part")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Introuvable"
    assert answer.json()["status"] == 404


def test_wrong_method_answers_a_405_problem(api):
    answer = api.client.put("/api/v1/health")
    assert answer.status_code == 405
    assert answer.headers["content-type"] == "application/problem+json"


def test_health_needs_no_sign_in(api):
    answer = api.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": "0.1.0"}


def test_answers_carry_their_language(api):
    assert api.get("/health").headers["content-language"] == "fr-CA"
    english = api.get("/nulle-part", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.headers["content-language"] == "en-CA"
    assert english.json()["title"] == "Not found"


def test_invalid_json_is_a_422_problem(api):
    answer = api.client.post(
        "/api/v1/sessions", content=b"{pas du json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"body": ["Le corps de la requête n'est pas du JSON valide."]}


def test_unexpected_errors_answer_500_without_internals(make_client):
    client = make_client(raise_server_exceptions=False)
    app: FastAPI = client.app

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    answer = client.get("/api/v1/boom", headers={"Accept-Language": "en-CA"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "secret" not in answer.text and "Traceback" not in answer.text
    assert answer.json()["title"] == "Internal server error"


def test_language_negotiation_honours_quality_values():
    assert negotiate(None) == "fr_CA"
    assert negotiate("en-CA") == "en_CA"
    assert negotiate("en") == "en_CA"
    assert negotiate("fr-CA,en;q=0.8") == "fr_CA"
    assert negotiate("fr;q=0.5,en-GB;q=0.9") == "en_CA"
    assert negotiate("de-DE,en;q=0.3") == "en_CA"
    assert negotiate("es") == "fr_CA"
    assert negotiate("en;q=0, fr") == "fr_CA"
    assert negotiate("en;q=abc") == "fr_CA"
