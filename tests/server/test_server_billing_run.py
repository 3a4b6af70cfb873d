"""The billing run, as the months go by: renewals and their invoices, declined cards and their retries, the end of
a subscription and of its grace period, a charge whose record was lost, and a card number kept nowhere."""

from __future__ import annotations

import io
import logging
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from banqo_server import cli
from banqo_server.app import create_app
from banqo_server.db import make_engine
from banqo_server.models import Plan, PlanGoal, PlanReview, ProgressEntry, ReviewDecision
from banqo_server.services import billing
from tests.server.billing_helpers import (
    ACCEPTED,
    DECLINED,
    LONG_SESSIONS,
    SELLER,
    Teacher,
    at,
    processor_record,
    run_billing,
)

# The clock starts on 2 November 2026 at 14 h UTC: the trial ends on 2 December, and a subscription taken at
# once runs to 2 January 2027 (the trial days are added to the first month).
TRIAL_END = at("2026-12-02T14:00:00Z")
FIRST_DUE = at("2027-01-02T14:00:00Z")
MONTHLY_TOTAL = 1035  # 9,00 $ + 0,45 $ of GST + 0,90 $ of QST (0,89775 $, half-up)
GRACE = timedelta(days=30)
PLAN_TABLES = (Plan, PlanGoal, ProgressEntry, PlanReview, ReviewDecision)


@pytest.fixture
def settings(database_url: str, tmp_path: Any, cheap_settings: Any) -> Any:
    return cheap_settings(database_url=database_url, data_dir=tmp_path, **SELLER, **LONG_SESSIONS)


def test_a_year_of_monthly_renewals_issues_one_invoice_a_month_numbered_without_gaps(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    assert [invoice["number"] for invoice in teacher.invoices()] == ["BQ-2026-000001"]

    runs = [billing.add_months(TRIAL_END, month) for month in range(13)]  # 2 December 2026 … 2 December 2027
    for moment in runs:
        report = run_billing(client, settings, clock, moment)
        assert len(report.invoices) == (0 if moment == TRIAL_END else 1), moment
        again = run_billing(client, settings, clock, moment)
        assert (again.invoices, again.renewed, again.failed) == ([], 0, 0)

    invoices = teacher.invoices()
    numbers = [invoice["number"] for invoice in invoices]
    assert len(set(numbers)) == len(numbers) == 13
    assert numbers == ["BQ-2026-000001"] + [f"BQ-2027-{sequence:06d}" for sequence in range(1, 13)]
    lines = [invoice["lines"] for invoice in invoices]
    assert all(len(invoice_lines) == 1 for invoice_lines in lines)
    for previous, line in zip(lines, lines[1:], strict=False):
        assert at(line[0]["period_start"]) == at(previous[0]["period_end"])
    assert at(lines[0][0]["period_end"]) == FIRST_DUE
    assert at(lines[-1][0]["period_end"]) == at("2028-01-02T14:00:00Z")
    for invoice in invoices:
        assert (invoice["subtotal"], invoice["gst"], invoice["qst"], invoice["total"]) == (900, 45, 90, MONTHLY_TOTAL)
        assert (invoice["kind"], invoice["status"], invoice["card_last4"]) == ("invoice", "paid", "4242")
        text = teacher.pdf_text(invoice["id"])
        for shown in (
            invoice["number"], SELLER["seller_name"], SELLER["gst_number"], SELLER["qst_number"],
            "TPS / GST", "TVQ / QST", "0,45 $", "0,90 $", "10,35 $",
        ):
            assert shown in text, (invoice["number"], shown)

    subscription = teacher.subscription()
    assert (subscription["state"], subscription["offer"]) == ("active", "monthly")
    assert at(subscription["next_charge"]["at"]) == at("2028-01-02T14:00:00Z")
    assert processor_record(settings).succeeded == [MONTHLY_TOTAL] * 13


def test_periods_anchored_on_the_31st_end_on_each_month_s_last_day_then_the_31st_again(client, settings, clock):
    clock.now = at("2027-01-01T15:00:00Z")  # the trial ends on 31 January
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    ends = ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    for end in ends[:-1]:
        assert len(run_billing(client, settings, clock, at(f"{end}T15:00:00Z")).invoices) == 1
    periods = [(line["period_start"][:10], line["period_end"][:10]) for invoice in teacher.invoices()
               for line in invoice["lines"]]
    assert periods == [("2027-01-01", "2027-02-28"), *zip(ends, ends[1:], strict=False)]
    assert at(teacher.subscription()["next_charge"]["at"]) == at("2027-05-31T15:00:00Z")


def test_a_declined_renewal_is_past_due_until_a_new_card_pays_it_once(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    teacher.add_card(DECLINED)

    report = run_billing(client, settings, clock, FIRST_DUE)
    assert (report.declined, report.invoices) == (1, [])
    summary = teacher.read("/me/summary")
    assert summary["subscription"]["state"] == "past_due"
    failure = summary["subscription"]["payment_failure"]
    assert failure["message"].strip() and failure["code"] == "card_declined"
    assert failure["attempts"] == 1
    assert at(failure["next_retry_at"]) == FIRST_DUE + timedelta(days=1)
    assert "payment_declined" in teacher.activity_kinds()
    assert len(teacher.invoices()) == 1

    clock.now = FIRST_DUE + timedelta(hours=5)
    assert teacher.put_card(ACCEPTED).status_code == 200
    subscription = teacher.subscription()
    assert (subscription["state"], subscription["payment_failure"]) == ("active", None)
    invoices = teacher.invoices()
    assert len(invoices) == 2
    renewal = invoices[-1]["lines"][0]
    assert (at(renewal["period_start"]), at(renewal["period_end"])) == (FIRST_DUE, at("2027-02-02T14:00:00Z"))

    report = run_billing(client, settings, clock, FIRST_DUE + timedelta(days=1))  # the retry once scheduled
    assert (report.invoices, report.declined) == ([], 0)
    assert len(teacher.invoices()) == 2
    assert processor_record(settings).charges == [
        (MONTHLY_TOTAL, "succeeded", None), (MONTHLY_TOTAL, "declined", "card_declined"),
        (MONTHLY_TOTAL, "succeeded", None),
    ]
    assert len(run_billing(client, settings, clock, at("2027-02-02T14:00:00Z")).invoices) == 1


@pytest.fixture
def operator(monkeypatch: Any, settings: Any) -> Any:
    """The operator's environment for ``banqo-server``: the test's database and data folder."""
    monkeypatch.setenv("BANQO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BANQO_DATA_DIR", str(settings.data_dir))
    for name in ("BANQO_SMTP_URL", "BANQO_BILLING"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_declined_retries_follow_the_retry_days_then_the_subscription_ends(
    client, settings, clock, operator, capsys
):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    teacher.add_card(DECLINED)
    assert settings.payment_retry_days == (1, 3, 7)

    run_billing(client, settings, clock, FIRST_DUE)
    for attempts, days in ((2, 1), (3, 3)):
        before = len(processor_record(settings).charges)
        quiet = run_billing(client, settings, clock, FIRST_DUE + timedelta(days=days) - timedelta(seconds=1))
        assert (quiet.declined, len(processor_record(settings).charges)) == (0, before)
        run_billing(client, settings, clock, FIRST_DUE + timedelta(days=days))
        failure = teacher.subscription()["payment_failure"]
        assert failure["attempts"] == attempts
        assert at(failure["next_retry_at"]) == FIRST_DUE + timedelta(days=(1, 3, 7)[attempts - 1])

    last = FIRST_DUE + timedelta(days=7)
    clock.now = last
    assert cli.main(["billing", "run", "--now", last.isoformat()]) == 0
    assert "ended 1" in capsys.readouterr().out
    subscription = teacher.subscription()
    assert subscription["state"] == "ended"
    assert at(subscription["ended_at"]) == last
    assert at(subscription["data_deletion_at"]) == last + GRACE
    assert subscription["next_charge"] is None
    codes = [(status, code) for _amount, status, code in processor_record(settings).charges]
    assert codes == [("succeeded", None)] + [("declined", "card_declined")] * 4
    assert len(teacher.invoices()) == 1


def test_a_renewal_charged_but_not_recorded_is_charged_once_and_invoiced_once(
    client, settings, clock, monkeypatch, caplog
):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    issue = billing.issue
    crashes = []

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        if not crashes:
            crashes.append(kwargs["now"])
            raise RuntimeError("the server stopped before its commit")
        return issue(*args, **kwargs)

    monkeypatch.setattr(billing, "issue", crash_once)
    with caplog.at_level(logging.ERROR, logger="banqo_server.billing"):
        report = run_billing(client, settings, clock, FIRST_DUE)
    assert (report.failed, report.invoices) == (1, [])
    assert processor_record(settings).succeeded == [MONTHLY_TOTAL, MONTHLY_TOTAL]  # the money moved
    assert len(teacher.invoices()) == 1
    assert teacher.subscription()["state"] == "active"

    report = run_billing(client, settings, clock, FIRST_DUE + timedelta(hours=1))  # the next hourly run
    assert (report.failed, len(report.invoices)) == (0, 1)
    assert processor_record(settings).succeeded == [MONTHLY_TOTAL, MONTHLY_TOTAL]
    invoices = teacher.invoices()
    assert [invoice["number"] for invoice in invoices] == ["BQ-2026-000001", "BQ-2027-000001"]
    assert at(teacher.subscription()["current_period_end"]) == at("2027-02-02T14:00:00Z")
    assert run_billing(client, settings, clock, FIRST_DUE + timedelta(hours=2)).invoices == []


def test_two_servers_running_billing_at_once_charge_and_invoice_a_renewal_once(make_client, settings, clock):
    teacher = Teacher(make_client())
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    servers = [make_client(), make_client()]
    clock.now = FIRST_DUE
    start = threading.Barrier(len(servers))

    def run(server: Any) -> billing.RunReport:
        start.wait(timeout=10)
        return billing.run(server.app.state.session_factory, settings, server.app.state.processor, FIRST_DUE)

    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        reports = list(pool.map(run, servers))
    assert sum(len(report.invoices) for report in reports) == 1
    assert run_billing(servers[0], settings, clock, FIRST_DUE).invoices == []
    assert [invoice["number"] for invoice in teacher.invoices()] == ["BQ-2026-000001", "BQ-2027-000001"]
    assert processor_record(settings).succeeded == [MONTHLY_TOTAL, MONTHLY_TOTAL]


CARD_FORMS = ("4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242")


def holds_card_number(data: bytes) -> bool:
    return any(form.encode() in data for form in CARD_FORMS)


def database_bytes(settings: Any) -> bytes:
    """BanqO's database as stored: the SQLite file and its journals, or every row of every PostgreSQL table."""
    if settings.database_url.startswith("sqlite"):
        return b"".join(path.read_bytes() for path in sorted(settings.data_dir.glob("banqo.sqlite3*")))
    engine = make_engine(settings.database_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            rows = [repr(list(connection.execute(select(table)))) for table in metadata.sorted_tables]
        assert len(rows) > 10
        return "\n".join(rows).encode()
    finally:
        engine.dispose()


def test_the_card_number_is_kept_nowhere_nor_shown_nor_logged(client, settings, clock, caplog):
    caplog.set_level(logging.DEBUG)
    teacher = Teacher(client)
    teacher.add_card("4242424242424242")
    teacher.subscribed("monthly")
    assert len(run_billing(client, settings, clock, FIRST_DUE).invoices) == 1
    card = teacher.read("/payment-method")["card"]
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == ("visa", "4242", 12, 2030)
    teacher.read("/me/summary")
    for invoice in teacher.invoices():
        teacher.pdf_text(invoice["id"])
    export = teacher.get("/me/export")
    assert export.status_code == 200, export.text
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert "subscription.json" in archive.namelist()
        exported = [archive.read(name) for name in archive.namelist()]

    assert len(teacher.seen) > 10
    assert not any(holds_card_number(body) for body in teacher.seen + exported)
    database = database_bytes(settings)
    assert b"4242" in database  # the last 4 digits are kept, so the search does read the data
    assert not holds_card_number(database)
    sandbox_files = sorted(settings.data_dir.glob("sandbox-processor.sqlite3*"))
    assert sandbox_files
    assert not any(holds_card_number(path.read_bytes()) for path in sandbox_files)
    formatter = logging.Formatter()
    logged = [formatter.format(record) for record in caplog.records]
    assert logged  # the requests themselves are logged
    assert not any(holds_card_number(line.encode()) for line in logged)


# --- The end of a subscription and its grace period --------------------------------------------


@pytest.fixture
def mail_client(database_url: str, tmp_path: Any, cheap_settings: Any, mailbox: Any) -> Iterator[Any]:
    """An API whose server mails through the test's SMTP server; its settings are ``client.app.state.settings``."""
    from fastapi.testclient import TestClient

    settings = cheap_settings(
        database_url=database_url, data_dir=tmp_path, smtp_url=mailbox.url, **SELLER, **LONG_SESSIONS
    )
    app = create_app(settings)
    yield TestClient(app)
    app.state.engine.dispose()
    app.state.processor.close()


def fill(teacher: Teacher) -> None:
    """Three goals, a learner with one of them filed under it, and the learner's plan with that goal as its
    objective, a progress entry and a review."""
    goals = [
        teacher.call("POST", "/collection/goals", {"text": text}).json()["id"]
        for text in ("Lire un court texte à voix haute", "Compter jusqu'à 100", "Attendre son tour")
    ]
    learner = teacher.call("POST", "/learners", {"first_name": "Zoé"})
    assert learner.status_code == 201, learner.text
    filed = teacher.call("POST", f"/learners/{learner.json()['id']}/goals", {"goal_id": goals[0]})
    assert filed.status_code == 201, filed.text
    plan = teacher.call("POST", "/plans", {"learner_id": learner.json()["id"], "goal_ids": [goals[0]]}).json()
    assert teacher.call("PATCH", f"/plans/{plan['id']}", {"state": "active"}, version=1).status_code == 200
    [objective] = teacher.read(f"/plans/{plan['id']}/goals")["items"]
    entry = {"plan_goal_id": objective["id"], "value": 50}
    assert teacher.call("POST", f"/plans/{plan['id']}/progress", entry).status_code == 201
    review = {"decisions": [{"plan_goal_id": objective["id"], "decision": "continue"}]}
    assert teacher.call("POST", f"/plans/{plan['id']}/reviews", review, version=2).status_code == 201


def goal_count(teacher: Teacher) -> int:
    return len(teacher.read("/collection/goals")["items"])


def learner_count(teacher: Teacher) -> int:
    return len(teacher.read("/learners")["items"])


def plan_count(teacher: Teacher) -> int:
    return len(teacher.read("/plans")["items"])


def test_a_trial_never_converted_ends_then_its_data_goes_after_the_grace_period(mail_client, clock, mailbox):
    settings = mail_client.app.state.settings
    teacher = Teacher(mail_client)
    fill(teacher)

    assert run_billing(mail_client, settings, clock, TRIAL_END - timedelta(seconds=1)).ended == 0
    report = run_billing(mail_client, settings, clock, TRIAL_END + timedelta(seconds=1))
    assert (report.ended, report.notices, report.invoices) == (1, 1, [])
    subscription = teacher.subscription()
    assert subscription["state"] == "ended"
    assert at(subscription["ended_at"]) == TRIAL_END
    deletion = at(subscription["data_deletion_at"])
    assert deletion == TRIAL_END + GRACE
    assert teacher.read("/me/summary")["subscription"]["state"] == "ended"
    refused = teacher.call("POST", "/collection/goals", {"text": "Un objectif de plus"})
    assert refused.status_code == 402
    assert refused.json()["errors"]["subscription"]
    [plan] = teacher.read("/plans")["items"]  # plans are read, not changed
    refused = teacher.call("PATCH", f"/plans/{plan['id']}", {"state": "review"}, version=plan["version"])
    assert refused.status_code == 402 and teacher.read(f"/plans/{plan['id']}")["state"] == "active"

    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "lea@example.org"
    assert notice["Subject"] == "Votre abonnement BanqO a pris fin"
    assert "1 janvier 2027" in mailbox.body(notice)  # 2 December + 30 days, in Toronto

    report = run_billing(mail_client, settings, clock, deletion - timedelta(days=1))
    assert (report.purged, report.notices) == (0, 0)
    assert (goal_count(teacher), learner_count(teacher), plan_count(teacher)) == (3, 1, 1)

    report = run_billing(mail_client, settings, clock, deletion + timedelta(seconds=1))
    assert report.purged == 1
    assert (goal_count(teacher), learner_count(teacher), plan_count(teacher)) == (0, 0, 0)
    with mail_client.app.state.session_factory() as db:
        left = {table.__tablename__: db.scalar(select(func.count()).select_from(table)) for table in PLAN_TABLES}
    assert left == dict.fromkeys(left, 0)
    assert teacher.activity_kinds()[0] == "data_deleted_after_end"
    assert teacher.subscription()["data_deleted_at"] is not None
    ended = teacher.subscription()

    for later in (deletion + timedelta(seconds=1), deletion + timedelta(days=40)):
        report = run_billing(mail_client, settings, clock, later)
        assert (report.purged, report.ended, report.notices, report.failed) == (0, 0, 0, 0)
    assert teacher.subscription() == ended
    assert teacher.activity_kinds().count("data_deleted_after_end") == 1
    assert len(mailbox.messages) == 1
    assert teacher.read("/me/summary")["email"] == "lea@example.org"  # the account itself stays


def test_no_end_notice_announces_a_deletion_already_done(client, settings, mail_client, clock, mailbox):
    teacher = Teacher(client)
    fill(teacher)
    run_billing(client, settings, clock, TRIAL_END + timedelta(seconds=1))  # this server sends no mail
    deletion = at(teacher.subscription()["data_deletion_at"])
    assert run_billing(client, settings, clock, deletion + timedelta(seconds=1)).purged == 1

    # Later, the operator configures a mail server.
    report = run_billing(mail_client, mail_client.app.state.settings, clock, deletion + timedelta(days=2))
    assert (report.notices, mailbox.messages) == (0, [])


def test_subscribing_again_within_the_grace_period_keeps_every_goal(client, settings, clock):
    teacher = Teacher(client)
    fill(teacher)
    run_billing(client, settings, clock, TRIAL_END + timedelta(seconds=1))
    deletion = at(teacher.subscription()["data_deletion_at"])

    clock.now = TRIAL_END + timedelta(days=10)
    teacher.add_card(ACCEPTED)
    subscription = teacher.subscribed("monthly")
    assert (subscription["state"], subscription["data_deletion_at"], subscription["ended_at"]) == (
        "active", None, None
    )
    assert len(teacher.invoices()) == 1
    assert teacher.call("POST", "/collection/goals", {"text": "Un objectif de plus"}).status_code == 201

    report = run_billing(client, settings, clock, deletion + timedelta(seconds=1))
    assert (report.purged, report.ended) == (0, 0)
    assert (goal_count(teacher), learner_count(teacher), plan_count(teacher)) == (4, 1, 1)
    assert "data_deleted_after_end" not in teacher.activity_kinds()
