"""The committed OpenAPI document is the one the server serves."""

import json
from pathlib import Path

from banqo_server.openapi import render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is stale: run `python -m banqo_server.openapi`"
    )


def test_openapi_is_served_and_documents_error_statuses(api):
    answer = api.get("/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["info"]["title"] == "BanqO API"
    sign_in = document["paths"]["/api/v1/sessions"]["post"]["responses"]
    assert {"201", "401", "422", "429"} <= set(sign_in)
    assert "application/problem+json" in sign_in["401"]["content"]
    assert "404" in document["paths"]["/api/v1/sessions/{session_id}"]["delete"]["responses"]
    assert api.get("/docs").status_code == 200
    assert json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"].keys() == document["paths"].keys()
