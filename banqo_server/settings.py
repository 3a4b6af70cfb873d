"""Server configuration: a dataclass, filled from the environment by ``Settings.from_env()``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

DATABASE_FILE = "banqo.sqlite3"
SANDBOX_DATABASE_FILE = "sandbox-processor.sqlite3"


def utc_now() -> datetime:
    """The real clock, as an aware UTC datetime."""
    return datetime.now(UTC)


def default_data_dir() -> Path:
    """``BANQO_DATA_DIR``, else the user's data folder for ``banqo``."""
    configured = os.environ.get("BANQO_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("banqo"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass
class Settings:
    """Everything the server needs to know; tests build one directly with cheap Argon2 and a movable clock."""

    database_url: str = ""
    data_dir: Path = field(default_factory=default_data_dir)

    # Sessions.
    session_idle_timeout: timedelta = timedelta(days=30)
    session_lifetime: timedelta = timedelta(days=90)
    session_touch_interval: timedelta = timedelta(minutes=1)

    # Sign-in throttling: per email, and per client address with a higher threshold.
    sign_in_window: timedelta = timedelta(minutes=15)
    sign_in_email_limit: int = 10
    sign_in_address_limit: int = 100
    sign_in_first_delay: timedelta = timedelta(seconds=30)
    sign_in_max_delay: timedelta = timedelta(minutes=15)
    # Sign-ups per client address.
    sign_up_window: timedelta = timedelta(hours=1)
    sign_up_address_limit: int = 20

    # Argon2id (argon2-cffi's defaults, RFC 9106 "low memory" profile).
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4

    # Support messages (« Contactez-nous »): at most so many per window, per sender address and per account.
    support_window: timedelta = timedelta(minutes=10)
    support_limit: int = 5
    # Forgotten password: how long a code lasts; requests per email and per client address, per window.
    password_reset_lifetime: timedelta = timedelta(minutes=30)
    password_reset_window: timedelta = timedelta(hours=1)
    password_reset_email_limit: int = 5
    password_reset_address_limit: int = 30
    # Two-factor sign-in: the issuer name an authenticator app shows.
    totp_issuer: str = "BanqO"

    clock: Callable[[], datetime] = utc_now
    #: How long a SQLite request waits for another process's write lock before the API answers 503.
    sqlite_busy_timeout_ms: int = 10_000
    behind_proxy: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    #: Largest request body (bytes) but for the collection import and the profile photo, which have their own.
    max_body_bytes: int = 1024 * 1024
    #: Threads for the quick reads (search, résumé, lists; deps.quick); 0: 2 on SQLite, 8 on PostgreSQL.
    quick_threads: int = 0

    # Mail: ``smtp://user:password@host:port`` (``smtps://`` for TLS from the start, ``?starttls=1`` to
    # upgrade); None sends no mail. ``support_email`` receives the support messages.
    smtp_url: str | None = None
    support_email: str | None = None
    mail_from: str = "BanqO <no-reply@banqo.invalid>"
    smtp_timeout: float = 10.0

    # Billing: off, the server bills no one (no trial end, no deletion); the embedded server's default.
    billing: bool = True
    # Offers: a free trial with no card, then monthly or yearly; prices in cents before taxes.
    trial_days: int = 30
    monthly_price: int = 900
    yearly_price: int = 9000
    # GST and QST, each on the price before taxes (the QST is not charged on the GST).
    gst_rate: Decimal = Decimal("0.05")
    qst_rate: Decimal = Decimal("0.09975")
    # After a declined charge, BanqO tries again so many days after the due date; after the last one, it ends.
    payment_retry_days: tuple[int, ...] = (1, 3, 7)
    # How long an ended subscription's collection, learners and plans are kept before they are deleted.
    data_grace_period: timedelta = timedelta(days=30)
    # A card expiring within this time is announced in the résumé.
    card_expiry_notice: timedelta = timedelta(days=31)
    # How often the server's billing task runs (None: only `banqo-server billing run`).
    billing_interval: timedelta | None = timedelta(hours=1)
    # The seller printed on invoices (names fixed by api.md); the sandbox processor gets test values.
    seller_name: str | None = None
    seller_address: str | None = None
    gst_number: str | None = None
    qst_number: str | None = None
    #: Invoice dates and yearly numbering follow the seller's time zone.
    seller_timezone: str = "America/Toronto"
    payment_processor: str = "sandbox"
    #: The sandbox processor's own database (a stand-in for the processor's side); default: in ``data_dir``.
    sandbox_database_url: str = ""

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if not self.database_url:
            self.database_url = sqlite_url(self.data_dir / DATABASE_FILE)

    @property
    def sandbox_url(self) -> str:
        """The sandbox processor's database: ``sandbox_database_url``, else a SQLite file in ``data_dir``."""
        return self.sandbox_database_url or sqlite_url(self.data_dir / SANDBOX_DATABASE_FILE)

    @property
    def photos_dir(self) -> Path:
        """Where profile photos are kept, under generated names."""
        return self.data_dir / "photos"

    def now(self) -> datetime:
        """The settings' clock, always aware UTC."""
        value = self.clock()
        if value.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return value.astimezone(UTC)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``BANQO_*`` environment variables; defaults elsewhere."""
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        data_dir_text = text("BANQO_DATA_DIR")
        if data_dir_text:
            data_dir = Path(data_dir_text).expanduser()
        else:
            from platformdirs import user_data_dir

            data_dir = Path(user_data_dir("banqo"))
        return cls(
            database_url=text("BANQO_DATABASE_URL") or "",
            data_dir=data_dir,
            behind_proxy=(text("BANQO_BEHIND_PROXY") or "").lower() in {"1", "true", "yes", "on"},
            forwarded_allow_ips=text("BANQO_FORWARDED_ALLOW_IPS") or "127.0.0.1",
            smtp_url=text("BANQO_SMTP_URL"),
            support_email=text("BANQO_SUPPORT_EMAIL"),
            mail_from=text("BANQO_MAIL_FROM") or cls.mail_from,
            seller_name=text("BANQO_SELLER_NAME"),
            seller_address=text("BANQO_SELLER_ADDRESS"),
            gst_number=text("BANQO_GST_NUMBER"),
            qst_number=text("BANQO_QST_NUMBER"),
            payment_processor=text("BANQO_PAYMENT_PROCESSOR") or "sandbox",
            sandbox_database_url=text("BANQO_SANDBOX_DATABASE_URL") or "",
            seller_timezone=text("BANQO_SELLER_TIMEZONE") or cls.seller_timezone,
            trial_days=_whole(env, "BANQO_TRIAL_DAYS", cls.trial_days),
            monthly_price=_cents(env, "BANQO_MONTHLY_PRICE", cls.monthly_price),
            yearly_price=_cents(env, "BANQO_YEARLY_PRICE", cls.yearly_price),
            data_grace_period=timedelta(days=_whole(env, "BANQO_GRACE_DAYS", cls.data_grace_period.days)),
            billing_interval=_minutes(env, "BANQO_BILLING_INTERVAL_MINUTES", 60),
            billing=_switch(env, "BANQO_BILLING", True),
            max_body_bytes=_whole(env, "BANQO_MAX_BODY_BYTES", cls.max_body_bytes),
            sqlite_busy_timeout_ms=_whole(env, "BANQO_SQLITE_BUSY_TIMEOUT_MS", cls.sqlite_busy_timeout_ms),
            quick_threads=_whole(env, "BANQO_QUICK_THREADS", cls.quick_threads),
        )


class SettingError(ValueError):
    """A ``BANQO_*`` variable that cannot be read; the message names it."""


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name} must be on or off, not {raw!r}")


def _cents(env: Mapping[str, str], name: str, default: int) -> int:
    """A price in dollars (``9.00``) as cents."""
    from decimal import InvalidOperation

    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingError(f"{name} must be an amount in dollars such as 9.00, not {raw!r}") from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise SettingError(f"{name} must be a positive amount with at most two decimals, not {raw!r}")
    return int(value * 100)


def _minutes(env: Mapping[str, str], name: str, default: int) -> timedelta | None:
    minutes = _whole(env, name, default)
    return timedelta(minutes=minutes) if minutes else None
