"""What a service can refuse; ``banqo_server.problems`` maps each to an HTTP status and problem body."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the refusals a user can be told about."""


class InvalidInput(ServiceError):
    """Fields that break a rule: ``errors`` maps each field to its (translated) messages (422)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class EmailTaken(ServiceError):
    """Another account already has this email (409)."""


class InvalidCredentials(ServiceError):
    """Wrong email or password; never says which (401)."""


class NotSignedIn(ServiceError):
    """No usable bearer token (401); ``token_given`` when one was sent but is unknown, ended or expired."""

    def __init__(self, token_given: bool = False) -> None:
        super().__init__()
        self.token_given = token_given


class NotFound(ServiceError):
    """Unknown, or someone else's: the two are answered identically (404)."""


class TooManyAttempts(ServiceError):
    """Throttled (429): retry after ``retry_after`` seconds; ``field`` names the request field it is shown under."""

    def __init__(self, retry_after: int, *, sign_up: bool = False, field: str | None = None) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.sign_up = sign_up
        self.field = field


class SupportMessagesThrottled(TooManyAttempts):
    """Too many support messages from one sender, account or client address (429 on the ``from`` field)."""


class Conflict(ServiceError):
    """The change clashes with existing data (409): ``errors`` names the field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class VersionRequired(ServiceError):
    """A change without ``If-Match`` (428): the client must say which version it read."""


class VersionMismatch(ServiceError):
    """``If-Match`` names a version that is no longer current (412); ``current_version`` is."""

    def __init__(self, current_version: int) -> None:
        super().__init__(current_version)
        self.current_version = current_version


class TooLarge(ServiceError):
    """The body is larger than the route accepts (413); ``field`` names the request field it is shown under."""

    def __init__(self, limit: int, *, field: str | None = None) -> None:
        super().__init__(limit)
        self.limit = limit
        self.field = field


class StorageFailed(ServiceError):
    """The server could not write a file (disk full, no permission): nothing was changed (507)."""


class TotpRequired(ServiceError):
    """The password was right, but the account signs in with a second factor too and none was given (401)."""


class TotpInvalid(ServiceError):
    """The second factor given at sign-in is wrong, or was already used (401)."""


class MailUnavailable(ServiceError):
    """The server has no SMTP settings, so what was asked needs mail it cannot send (503)."""


class PaymentDeclined(ServiceError):
    """The processor declined the charge (402): ``code`` says why (``payments.DECLINE_CODES``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SubscriptionEnded(ServiceError):
    """The subscription has ended: the collection and learners can be read, exported and deleted, not added
    to or changed, until the teacher subscribes again (402)."""
