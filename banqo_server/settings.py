"""Server configuration: a dataclass, filled from the environment by ``Settings.from_env()``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATABASE_FILE = "banqo.sqlite3"


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
    behind_proxy: bool = False
    forwarded_allow_ips: str = "127.0.0.1"

    # Mail: ``smtp://user:password@host:port`` (``smtps://`` for TLS from the start, ``?starttls=1`` to
    # upgrade); None sends no mail. ``support_email`` receives the support messages.
    smtp_url: str | None = None
    support_email: str | None = None
    mail_from: str = "BanqO <no-reply@banqo.invalid>"
    smtp_timeout: float = 10.0

    # Reserved for later issues (names fixed by api.md).
    seller_name: str | None = None
    seller_address: str | None = None
    gst_number: str | None = None
    qst_number: str | None = None
    payment_processor: str = "sandbox"

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if not self.database_url:
            self.database_url = sqlite_url(self.data_dir / DATABASE_FILE)

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
        )
