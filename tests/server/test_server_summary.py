"""« Votre résumé »: the previous sign-in, the recent activity, and the plans to review."""

from tests.server.plan_helpers import Planner


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


def test_the_summary_lists_the_plans_to_review_overdue_first_then_within_30_days(api, clock):
    lea = Planner(api.client, api.signed_up()["token"])

    def plan(first_name: str, **fields: str) -> dict:
        return lea.plan(lea.learner(first_name), opened_on="2026-09-01", **fields)

    in_ten_days = plan("Anouk", review_due_on="2026-11-12")
    overdue = plan("Béatrice", review_due_on="2026-11-01")
    plan("Carl", review_due_on="2026-12-12")  # in 40 days
    closed = plan("Dina", review_due_on="2026-11-07")
    assert lea.patch_plan(closed["id"], {"state": "closed"}).status_code == 200
    plan("Élie")  # no review date
    in_thirty_days = plan("Flore", review_due_on="2026-12-02")
    today = plan("Gaby", review_due_on="2026-11-02")

    summary = lea.read("/me/summary")
    counts = summary["counts"]
    assert (counts["plans_open"], counts["plans_due_soon"], counts["plans_overdue"]) == (6, 3, 1)
    assert [
        (item["id"], item["learner_first_name"], item["review_due_on"], item["overdue"], item["kind"])
        for item in summary["plans_to_review"]
    ] == [
        (overdue["id"], "Béatrice", "2026-11-01", True, "intervention"),
        (today["id"], "Gaby", "2026-11-02", False, "intervention"),
        (in_ten_days["id"], "Anouk", "2026-11-12", False, "intervention"),
        (in_thirty_days["id"], "Flore", "2026-12-02", False, "intervention"),
    ]

    clock.advance(days=11)  # 13 November: Anouk's review is overdue too, Carl's is within 30 days
    summary = lea.read("/me/summary")
    assert [item["learner_first_name"] for item in summary["plans_to_review"]] == [
        "Béatrice", "Gaby", "Anouk", "Flore", "Carl"
    ]
    assert [item["overdue"] for item in summary["plans_to_review"]] == [True, True, True, False, False]
    assert (summary["counts"]["plans_due_soon"], summary["counts"]["plans_overdue"]) == (2, 3)


def test_the_summary_counts_only_the_callers_plans(api):
    lea = Planner(api.client, api.signed_up("lea@example.org")["token"])
    lea.plan(lea.learner("Anouk"), review_due_on="2026-11-12")
    marc = Planner(api.client, api.signed_up("marc@example.org")["token"])
    summary = marc.read("/me/summary")
    assert (summary["counts"]["plans_open"], summary["plans_to_review"]) == (0, [])
