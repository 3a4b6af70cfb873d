"""« Votre résumé »: the previous sign-in and the recent activity."""


def test_summary_shows_the_previous_sign_in_and_recent_activity_newest_first(api, clock):
    api.signed_up(device="Ordinateur de l'école")
    clock.advance(hours=2)
    api.signed_in(device="Ordinateur de l'école")
    clock.advance(days=1)
    current = api.signed_in(device="Portable à la maison")

    summary = api.get("/me/summary", current["token"]).json()
    assert summary["last_sign_in"]["device"] == "Ordinateur de l'école"
    assert summary["last_sign_in"]["at"] == "2026-11-02T16:00:00Z"
    assert [(entry["kind"], entry["device"]) for entry in summary["recent_activity"]] == [
        ("signed_in_new_device", "Portable à la maison"),
        ("signed_in", "Ordinateur de l'école"),
        ("account_created", "Ordinateur de l'école"),
    ]


def test_recent_activity_keeps_the_last_ten_entries(api, clock):
    api.signed_up()
    for _ in range(12):
        clock.advance(minutes=1)
        token = api.signed_in()["token"]
    activity = api.get("/me/summary", token).json()["recent_activity"]
    assert len(activity) == 10
    assert activity[0]["at"] > activity[-1]["at"]
    assert "account_created" not in [entry["kind"] for entry in activity]


def test_summary_shows_only_the_callers_account(api):
    api.signed_up("lea@example.org")
    marc = api.signed_up("marc@example.org")
    summary = api.get("/me/summary", marc["token"]).json()
    assert summary["email"] == "marc@example.org"
    assert summary["last_sign_in"] is None
    assert len(summary["recent_activity"]) == 1
