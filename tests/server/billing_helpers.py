"""What the billing tests repeat: a teacher using the API as the terminal app does (a card entered on the
sandbox processor's page, then a subscription), the billing run at a chosen instant, invoices and their PDF text,
and the sandbox's own record of the charges."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from banqo_server.db import make_engine
from banqo_server.payments.sandbox import SandboxCharge, SandboxRefund
from banqo_server.services import billing
from banqo_server.settings import Settings

PASSWORD = "une phrase de passe"

#: The seller the operator configured: printed on every invoice instead of the sandbox's test values.
SELLER = {
    "seller_name": "Services pédagogiques Côté-Lavoie inc.",
    "seller_address": "2580, boulevard Laurier\nQuébec (Québec)  G1V 2L1\nCanada",
    "gst_number": "812345678 RT0001",
    "qst_number": "1219876543 TQ0001",
}

#: Sessions outliving the months these tests move through: signing in again is not what they are about.
LONG_SESSIONS = {"session_idle_timeout": timedelta(days=1500), "session_lifetime": timedelta(days=1500)}

#: Test cards, typed as printed on them.
ACCEPTED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
DECLINED_ONCE = "4000 0000 0000 0119"
EXPIRED_AT_CHARGE = "4000 0000 0000 0069"


def seller_env(monkeypatch: Any) -> None:
    """The operator's ``BANQO_*`` variables naming the same seller as ``SELLER``."""
    for name, value in SELLER.items():
        monkeypatch.setenv(f"BANQO_{name.upper()}", value)


class Teacher:
    """One signed-up teacher's calls; every answer's body is kept in ``seen`` (shared when given)."""

    def __init__(
        self, client: Any, email: str = "lea@example.org", first_name: str = "Léa", seen: list[bytes] | None = None
    ) -> None:
        self.client = client
        self.seen: list[bytes] = [] if seen is None else seen
        body = {"email": email, "password": PASSWORD, "first_name": first_name, "last_name": "Tremblay"}
        answer = self.request("POST", "/api/v1/accounts", json=body)
        assert answer.status_code == 201, answer.text
        self.token: str = answer.json()["token"]

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = self.client.request(method, url, **kwargs)
        self.seen.append(answer.content)
        return answer

    def call(self, method: str, path: str, body: Any = None, version: int | str | None = None) -> Any:
        """``path`` under ``/api/v1``, signed in; ``version`` becomes ``If-Match``."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.request(method, f"/api/v1{path}", json=body, headers=headers)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def read(self, path: str) -> Any:
        """GET ``path``, which must answer 200; its JSON."""
        answer = self.get(path)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # --- « Méthode de paiement » ---------------------------------------------------------------

    def card_token(self, number: str = ACCEPTED) -> str:
        """A setup session, completed on the sandbox's page with ``number``: the processor's token."""
        session = self.call("POST", "/payment-method/setup")
        assert session.status_code == 201, session.text
        assert session.json()["processor"] == "sandbox"
        entry = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        path = f"/sandbox-processor/v1/setup-sessions/{session.json()['id']}/confirm"
        confirm = self.request("POST", path, json=entry)
        assert confirm.status_code == 201, confirm.text
        token: str = confirm.json()["token"]
        return token

    def put_card(self, number: str = ACCEPTED) -> Any:
        """Make ``number`` the card on file, as the terminal app does; the answer."""
        current = self.get("/payment-method")
        assert current.status_code == 200, current.text
        version = current.headers["etag"].strip('"')
        return self.call("PUT", "/payment-method", {"token": self.card_token(number)}, version=version)

    def add_card(self, number: str = ACCEPTED) -> dict[str, Any]:
        answer = self.put_card(number)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    # --- « Inscription » -----------------------------------------------------------------------

    def subscription(self) -> dict[str, Any]:
        answer = self.get("/subscription")
        assert answer.status_code == 200, answer.text
        assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
        result: dict[str, Any] = answer.json()
        return result

    def subscribe(self, offer: str = "monthly", **body: Any) -> Any:
        """PUT /subscription at the current version; the answer."""
        return self.call("PUT", "/subscription", {"offer": offer, **body}, version=self.subscription()["version"])

    def subscribed(self, offer: str = "monthly") -> dict[str, Any]:
        answer = self.subscribe(offer)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def cancel(self) -> dict[str, Any]:
        answer = self.call("DELETE", "/subscription", version=self.subscription()["version"])
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    # --- « Factures » --------------------------------------------------------------------------

    def invoices(self) -> list[dict[str, Any]]:
        """Every invoice and credit note, in the order of their numbers (page after page, bounded)."""
        items: list[dict[str, Any]] = []
        cursor = None
        for _page in range(50):
            page = self.read("/invoices?limit=5" + (f"&cursor={cursor}" if cursor else ""))
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        return sorted(items, key=lambda invoice: invoice["number"])

    def pdf_text(self, invoice_id: str) -> str:
        answer = self.get(f"/invoices/{invoice_id}/pdf")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        return pdf_text(answer.content)

    def activity_kinds(self) -> list[str]:
        """The activity log's kinds, newest first (one page of 200)."""
        return [entry["kind"] for entry in self.read("/me/activity?limit=200")["items"]]


def pdf_text(data: bytes) -> str:
    """The PDF's words as a reader's viewer extracts them, one space between each whatever the line breaks
    (babel's no-break spaces included)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def run_billing(client: Any, settings: Settings, clock: Any, at: datetime) -> billing.RunReport:
    """The billing run as of ``at``, with the API's clock moved there too."""
    clock.now = at
    app = client.app
    return billing.run(app.state.session_factory, settings, app.state.processor, at)


@dataclass(frozen=True)
class ProcessorRecord:
    """What the sandbox processor's own database holds: its charges and refunds."""

    charges: list[tuple[int, str, str | None]]  # amount, status, decline code, oldest first
    refunds: list[int]

    @property
    def succeeded(self) -> list[int]:
        return [amount for amount, status, _code in self.charges if status == "succeeded"]


def processor_record(settings: Settings) -> ProcessorRecord:
    """Read apart from BanqO and from the processor object, as an auditor would."""
    engine = make_engine(settings.sandbox_url)
    try:
        with engine.connect() as connection:
            charges = connection.execute(
                select(SandboxCharge.amount, SandboxCharge.status, SandboxCharge.decline_code).order_by(
                    SandboxCharge.created_at, SandboxCharge.id
                )
            )
            refunds = connection.scalars(select(SandboxRefund.amount).order_by(SandboxRefund.created_at))
            return ProcessorRecord([(row[0], row[1], row[2]) for row in charges], list(refunds))
    finally:
        engine.dispose()


def at(text: str) -> datetime:
    """An instant written in ISO 8601 with its zone."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    return moment
