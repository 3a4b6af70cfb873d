"""The BanqO API wire format: the one contract shared by the client and the server.

Every request and response body of the API is one of these pydantic models. The server's routes
declare them; ``BanqoClient`` parses answers into them. Field names are English snake_case and stable.
Validation of user input (email shape, password rules…) is done by the server so that its messages are
translated; these models only bound sizes so that nothing absurd travels.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

#: Longest accepted password (Argon2 handles more; this bounds the work an attacker can ask for).
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_LENGTH = 8


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- errors -----------------------------------------------------------------------------------


class Problem(WireModel):
    """RFC 9457 problem details, with per-field messages in ``errors``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, list[str]] = Field(default_factory=dict)
    retry_after: int | None = None
    current_version: int | None = None


# --- common -----------------------------------------------------------------------------------


class Page(WireModel, Generic[T]):
    """A page of a list: ``next_cursor`` continues it, ``None`` at the end."""

    items: list[T]
    next_cursor: str | None = None


class Health(WireModel):
    status: str = "ok"
    version: str


# --- accounts and sessions --------------------------------------------------------------------


class SignUp(WireModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)
    device: str | None = Field(default=None, max_length=200)


class SignIn(WireModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH * 4)
    totp: str | None = Field(default=None, max_length=20)
    device: str | None = Field(default=None, max_length=200)


class Account(WireModel):
    id: str
    email: str
    first_name: str
    last_name: str
    language: str = "fr-CA"
    created_at: datetime


class SessionInfo(WireModel):
    """One signed-in device of the account."""

    id: str
    device: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = False


class SessionToken(WireModel):
    """The answer to sign-up and sign-in: the bearer token is only ever shown here."""

    token: str
    session: SessionInfo
    account: Account


# --- résumé -----------------------------------------------------------------------------------


class ActivityKind(StrEnum):
    """What an activity entry records. Never holds goal text: only the kind and the device."""

    ACCOUNT_CREATED = "account_created"
    SIGNED_IN = "signed_in"
    SIGNED_IN_NEW_DEVICE = "signed_in_new_device"
    SIGNED_OUT = "signed_out"
    SESSION_ENDED = "session_ended"
    SIGN_IN_THROTTLED = "sign_in_throttled"


class Activity(WireModel):
    at: datetime
    kind: ActivityKind
    device: str | None = None


class SummaryCounts(WireModel):
    goals: int = 0
    learners: int = 0
    plans_open: int = 0
    plans_due_soon: int = 0
    plans_overdue: int = 0


class LastSignIn(WireModel):
    at: datetime
    device: str


class Summary(WireModel):
    """« Votre résumé »: the account at a glance."""

    first_name: str
    last_name: str
    email: str
    counts: SummaryCounts
    last_sign_in: LastSignIn | None = None
    recent_activity: list[Activity] = Field(default_factory=list)
