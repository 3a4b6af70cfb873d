"""``BanqoClient``: the async client of the BanqO API.

Typed methods grouped by resource (``client.sessions.sign_in(…)``, ``client.me.summary()``), answers parsed
into the wire models, failures raised as the exceptions of :mod:`banqo_tui.api.errors`. Idempotent calls
(GET, PUT, DELETE) are retried a bounded number of times on connection failures and 502/503/504; a POST is
never retried, so nothing is created twice.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from banqo_tui import __version__
from banqo_tui.api import errors
from banqo_tui.api.models import (
    Health,
    Page,
    Problem,
    SessionInfo,
    SessionToken,
    SignIn,
    SignUp,
    Summary,
)
from banqo_tui.i18n import _

API_PREFIX = "/api/v1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

M = TypeVar("M", bound=BaseModel)

_STATUS_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.ValidationFailed,
    401: errors.NotSignedIn,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    412: errors.Conflict,
    422: errors.ValidationFailed,
    428: errors.PreconditionRequired,
}


def _problem_of(response: httpx.Response) -> Problem | None:
    try:
        return Problem.model_validate_json(response.content)
    except ValidationError:
        return None


def error_for(response: httpx.Response) -> errors.ApiError:
    """The exception that an error answer stands for."""
    status = response.status_code
    problem = _problem_of(response)
    if status == 429:
        retry_after = _retry_after(response, problem)
        return errors.TooManyRequests(status, problem, retry_after=retry_after)
    if status >= 500:
        return errors.ServerError(status, problem)
    if status == 409 and problem is not None and problem.errors and problem.current_version is None:
        # A conflict on a field's value (an email already taken) is a validation problem for the form.
        return errors.ValidationFailed(status, problem)
    cls = _STATUS_ERRORS.get(status, errors.ApiError)
    return cls(status, problem)


def _retry_after(response: httpx.Response, problem: Problem | None) -> int | None:
    header = response.headers.get("Retry-After")
    if header is not None and header.strip().isdigit():
        return int(header.strip())
    return problem.retry_after if problem is not None else None


class _Resource:
    def __init__(self, client: BanqoClient) -> None:
        self._client = client


class Accounts(_Resource):
    async def sign_up(
        self, *, email: str, password: str, first_name: str, last_name: str, device: str | None = None
    ) -> SessionToken:
        """Create an account; the client is signed in with the new session."""
        body = SignUp(email=email, password=password, first_name=first_name, last_name=last_name, device=device)
        answer = await self._client.request_model("POST", "/accounts", SessionToken, json=body)
        self._client.token = answer.token
        return answer


class Sessions(_Resource):
    async def sign_in(
        self, *, email: str, password: str, device: str | None = None, totp: str | None = None
    ) -> SessionToken:
        """Open a session; raises ``InvalidCredentials`` for a wrong email or password."""
        body = SignIn(email=email, password=password, device=device, totp=totp)
        try:
            answer = await self._client.request_model("POST", "/sessions", SessionToken, json=body)
        except errors.NotSignedIn as exc:
            raise errors.InvalidCredentials(exc.status, exc.problem) from None
        self._client.token = answer.token
        return answer

    async def list(self) -> list[SessionInfo]:
        """Every active session of the account, the current one flagged."""
        return await self._client.collect("/sessions", SessionInfo)

    async def end(self, session_id: str) -> None:
        """End one session (another device); 404 for an id that is not the account's."""
        await self._client.request("DELETE", f"/sessions/{_segment(session_id)}")

    async def sign_out(self) -> None:
        """End the current session and forget the token."""
        try:
            await self._client.request("DELETE", "/sessions/current")
        finally:
            self._client.token = None


class Me(_Resource):
    async def summary(self) -> Summary:
        """« Votre résumé »."""
        return await self._client.request_model("GET", "/me/summary", Summary)


def _segment(value: str) -> str:
    """A path segment from an id, so that no id can change the path."""
    from urllib.parse import quote

    return quote(value, safe="")


class BanqoClient:
    """An async client of one BanqO API server.

    ``base_url`` is the server's root (``https://banqo.example.org``); ``transport`` lets the embedded
    default run the API in-process (``httpx.ASGITransport``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        language: str = "fr-CA",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retries: int = 2,
        retry_backoff: float = 0.3,
    ) -> None:
        self.token = token
        self.language = language
        self.retries = retries
        self.retry_backoff = retry_backoff
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + API_PREFIX,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"banqo-tui/{__version__}", "Accept": "application/json"},
        )
        self.accounts = Accounts(self)
        self.sessions = Sessions(self)
        self.me = Me(self)

    async def __aenter__(self) -> BanqoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> Health:
        """The server's health; also a cheap reachability check."""
        return await self.request_model("GET", "/health", Health)

    # --- plumbing ---------------------------------------------------------------------------

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if extra:
            headers.update(extra)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: BaseModel | dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; return the successful answer or raise the matching error."""
        content: bytes | None = None
        all_headers = self._headers(headers)
        if json is not None:
            if isinstance(json, BaseModel):
                content = json.model_dump_json(exclude_none=True).encode()
            else:
                import json as jsonlib

                content = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        attempts = 1 + (self.retries if method.upper() in IDEMPOTENT_METHODS else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.request(
                    method, path, content=content, params=params, headers=all_headers
                )
            except httpx.TimeoutException as exc:
                if last:
                    raise errors.ServerUnreachable(_timeout_message()) from exc
            except httpx.TransportError as exc:
                if last:
                    raise errors.ServerUnreachable(_unreachable_message()) from exc
            else:
                if response.status_code in RETRY_STATUSES and not last:
                    pass
                elif response.is_error:
                    raise error_for(response)
                else:
                    return response
            await asyncio.sleep(self.retry_backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    async def request_model(self, method: str, path: str, model: type[M], **kwargs: Any) -> M:
        response = await self.request(method, path, **kwargs)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.ProtocolError(_protocol_message()) from exc

    async def collect(self, path: str, item: type[M], *, params: dict[str, Any] | None = None,
                      max_pages: int = 1000) -> list[M]:
        """Every item of a paged list, following ``next_cursor`` (bounded)."""
        adapter = TypeAdapter(Page[item])  # type: ignore[valid-type]
        query = dict(params or {})
        items: list[M] = []
        for _page in range(max_pages):
            response = await self.request("GET", path, params=query)
            try:
                page = adapter.validate_json(response.content)
            except ValidationError as exc:
                raise errors.ProtocolError(_protocol_message()) from exc
            items.extend(page.items)
            if not page.next_cursor:
                break
            query["cursor"] = page.next_cursor
        return items


def _unreachable_message() -> str:
    return _("Le serveur BanqO est injoignable. Vérifiez la connexion et réessayez.")


def _timeout_message() -> str:
    return _("Le serveur BanqO n'a pas répondu à temps. Réessayez.")


def _protocol_message() -> str:
    return _("La réponse du serveur n'est pas celle qu'attend BanqO : s'agit-il bien d'un serveur BanqO?")
