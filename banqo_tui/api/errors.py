"""What can go wrong when talking to the BanqO API, as exceptions a screen can act on.

Kept free of heavy imports (no httpx, no pydantic) so that screens may import it at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from banqo_tui.api.models import Problem


class BanqoError(Exception):
    """Base of every client error; ``message`` is meant for the user (translated by the server)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerUnreachable(BanqoError):
    """No answer from the server: connection refused, DNS failure, time-out, broken connection."""


class ProtocolError(BanqoError):
    """The server answered something that is not the BanqO API's contract."""


class ApiError(BanqoError):
    """The server answered with an error status and a problem document."""

    def __init__(self, status: int, problem: Problem | None = None, *, message: str | None = None) -> None:
        self.status = status
        self.problem = problem
        text = message or (problem.detail or problem.title if problem else "") or f"HTTP {status}"
        super().__init__(text)

    @property
    def errors(self) -> dict[str, list[str]]:
        """Messages per request field (``{"email": ["…"]}``); empty when the error concerns no field."""
        return dict(self.problem.errors) if self.problem else {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r}, errors={self.errors!r})"


class ValidationFailed(ApiError):
    """The request was refused because of its content; ``errors`` says which fields and why."""


class InvalidCredentials(ValidationFailed):
    """Wrong email or password at sign-in."""


class NotSignedIn(ApiError):
    """No valid session: the token is missing, ended or expired. Sign in again."""


class Forbidden(ApiError):
    """Signed in, but this action is not allowed."""


class NotFound(ApiError):
    """No such object for this account (another account's objects answer the same)."""


class Conflict(ApiError):
    """The object changed since it was read (409 or 412); ``current_version`` when the server says."""

    @property
    def current_version(self) -> int | None:
        return self.problem.current_version if self.problem is not None else None


class PreconditionRequired(ApiError):
    """A change was sent without ``If-Match``: a client defect, reported plainly."""


class TooManyRequests(ApiError):
    """Throttled; ``retry_after`` is the number of seconds to wait when the server says."""

    def __init__(self, status: int, problem: Problem | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(status, problem)
        self.retry_after = retry_after


class ServerError(ApiError):
    """The server failed (5xx)."""


class ServiceUnavailable(ServerError):
    """503: the server cannot serve now (its database is busy or out of reach) and changed nothing; try again
    after ``retry_after`` seconds when it says."""

    def __init__(
        self, status: int, problem: Problem | None = None, *, retry_after: int | None = None, message: str | None = None
    ) -> None:
        super().__init__(status, problem, message=message)
        self.retry_after = retry_after
