"""Every error as RFC 9457 ``application/problem+json`` (the ``Problem`` wire model), translated."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from banqo_server.i18n import _, language_of_headers, ngettext, use_language
from banqo_server.services.errors import (
    Conflict,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    MailUnavailable,
    NotFound,
    NotSignedIn,
    PaymentDeclined,
    ServiceError,
    StorageFailed,
    SubscriptionEnded,
    SupportMessagesThrottled,
    TooLarge,
    TooManyAttempts,
    TotpInvalid,
    TotpRequired,
    VersionMismatch,
    VersionRequired,
)
from banqo_tui.api.models import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("banqo_server")


def status_title(status: int) -> str:
    """The translated title of a status."""
    titles = {
        400: _("Requête invalide"),
        401: _("Connexion requise"),
        402: _("Paiement refusé"),
        403: _("Accès refusé"),
        404: _("Introuvable"),
        405: _("Méthode non permise"),
        409: _("Conflit"),
        412: _("Version périmée"),
        413: _("Contenu trop volumineux"),
        415: _("Format non pris en charge"),
        422: _("Données invalides"),
        428: _("Version requise"),
        429: _("Trop de tentatives"),
        500: _("Erreur interne du serveur"),
        503: _("Service indisponible"),
        507: _("Stockage impossible"),
    }
    return titles.get(status, _("Erreur"))


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    retry_after: int | None = None,
    current_version: int | None = None,
) -> JSONResponse:
    """A problem+json answer."""
    problem = Problem(
        title=status_title(status),
        status=status,
        detail=detail,
        errors=dict(errors or {}),
        retry_after=retry_after,
        current_version=current_version,
    )
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def service_error_response(exc: ServiceError) -> JSONResponse:
    """The answer for a refusal of the services."""
    if isinstance(exc, InvalidInput):
        return problem_response(422, detail=_("Certains champs sont à corriger."), errors=exc.errors)
    if isinstance(exc, EmailTaken):
        message = _("Un compte existe déjà avec cette adresse courriel.")
        return problem_response(409, detail=message, errors={"email": [message]})
    if isinstance(exc, InvalidCredentials):
        message = _("Courriel ou mot de passe incorrect.")
        return problem_response(
            401, detail=message, errors={"password": [message]}, headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, TotpRequired | TotpInvalid):
        if isinstance(exc, TotpRequired):
            message = _(
                "Entrez le code à 6 chiffres de votre application d'authentification, ou un code de récupération."
            )
        else:
            message = _(
                "Ce code n'est pas valide ou a déjà servi. Entrez le code à 6 chiffres affiché maintenant "
                "par votre application d'authentification, ou un code de récupération."
            )
        return problem_response(
            401, detail=message, errors={"totp": [message]}, headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, NotSignedIn):
        challenge = 'Bearer error="invalid_token"' if exc.token_given else "Bearer"
        return problem_response(
            401,
            detail=_("Votre session a pris fin ou n'est pas valide. Connectez-vous de nouveau."),
            headers={"WWW-Authenticate": challenge},
        )
    if isinstance(exc, NotFound):
        return problem_response(404, detail=_("Cette ressource n'existe pas."))
    if isinstance(exc, Conflict):
        first = next(iter(exc.errors.values()), [None])[0]
        return problem_response(409, detail=first, errors=exc.errors)
    if isinstance(exc, VersionRequired):
        return problem_response(
            428, detail=_("Indiquez la version lue (en-tête If-Match) pour modifier cette ressource.")
        )
    if isinstance(exc, VersionMismatch):
        return problem_response(
            412,
            detail=_("Cette ressource a été modifiée ailleurs depuis votre lecture."),
            headers={"ETag": f'"{exc.current_version}"'},
            current_version=exc.current_version,
        )
    if isinstance(exc, TooLarge):
        megabytes = max(1, exc.limit // 1_000_000)
        message = _("Le contenu dépasse la taille permise ({size} Mo).").format(size=megabytes)
        return problem_response(413, detail=message, errors={exc.field: [message]} if exc.field else None)
    if isinstance(exc, StorageFailed):
        return problem_response(
            507, detail=_("Le serveur n'a pas pu enregistrer la photo. Réessayez plus tard.")
        )
    if isinstance(exc, TooManyAttempts):
        minutes = _minutes(exc.retry_after)
        if isinstance(exc, SupportMessagesThrottled):
            message = ngettext(
                "Vous avez envoyé plusieurs messages en peu de temps : réessayez dans {minutes} minute.",
                "Vous avez envoyé plusieurs messages en peu de temps : réessayez dans {minutes} minutes.",
                minutes,
            ).format(minutes=minutes)
            field = "from"
        elif exc.sign_up:
            message = ngettext(
                "Trop d'inscriptions depuis cette adresse : réessayez dans {minutes} minute.",
                "Trop d'inscriptions depuis cette adresse : réessayez dans {minutes} minutes.",
                minutes,
            ).format(minutes=minutes)
            field = "email"
        else:
            message = ngettext(
                "Trop de tentatives : réessayez dans {minutes} minute.",
                "Trop de tentatives : réessayez dans {minutes} minutes.",
                minutes,
            ).format(minutes=minutes)
            field = "password"
        field = exc.field or field
        return problem_response(
            429,
            detail=message,
            errors={field: [message]},
            headers={"Retry-After": str(exc.retry_after)},
            retry_after=exc.retry_after,
        )
    if isinstance(exc, SubscriptionEnded):
        message = _(
            "Votre abonnement a pris fin : vous pouvez consulter, exporter et supprimer vos données, mais pas en "
            "ajouter ni en modifier. Abonnez-vous de nouveau dans Mes paramètres › Inscription."
        )
        return problem_response(402, detail=message, errors={"subscription": [message]})
    if isinstance(exc, PaymentDeclined):
        from banqo_server.services.billing import decline_message

        message = decline_message(exc.code)
        return problem_response(402, detail=message, errors={"payment_method": [message]})
    if isinstance(exc, MailUnavailable):
        return problem_response(
            503,
            detail=_(
                "Ce serveur BanqO n'envoie pas de courriel. Demandez à son administrateur de vous aider."
            ),
        )
    raise TypeError(f"unmapped service error {exc!r}")


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_message(error: Mapping[str, Any]) -> str:
    """The translated message of one pydantic error, by its type."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("Ce champ est obligatoire.")
    if kind == "string_too_long":
        return _("Ce texte est trop long ({count} caractères au plus).").format(
            count=context.get("max_length")
        )
    if kind == "json_invalid":
        return _("Le corps de la requête n'est pas du JSON valide.")
    if kind == "string_unicode":  # a lone surrogate (« \ud800 »): no UTF-8 text can hold it
        return _(
            "Ce texte contient un caractère invalide (un demi-caractère UTF-16 isolé) : retirez-le, puis réessayez."
        )
    return _("Valeur invalide.")


def validation_response(exc: RequestValidationError) -> JSONResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        location = tuple(error.get("loc", ()))
        field = "body" if error.get("type") == "json_invalid" else _field_name(location)
        message = validation_message(error)
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    return problem_response(422, detail=_("Certains champs sont à corriger."), errors=errors)


def unreadable_body_response(cause: BaseException) -> JSONResponse:
    """The 422 for a JSON body that cannot be read (FastAPI's 400 « error parsing the body »), at ``body``."""
    if isinstance(cause, UnicodeError):
        message = _("Le corps de la requête n'est pas du texte UTF-8 valide.")
    elif isinstance(cause, RecursionError):
        message = _("Le corps de la requête est imbriqué trop profondément.")
    else:
        message = _("Le corps de la requête n'est pas du JSON valide.")
    return problem_response(422, detail=message, errors={"body": [message]})


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents on the request's path (for a 405's ``Allow``), HEAD with GET; empty for a
    path the OpenAPI document does not list."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def http_exception_response(exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    if status == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
        return unreadable_body_response(exc.__cause__)
    if status == 404:
        detail: str | None = _("Cette ressource n'existe pas.")
    elif status == 405:
        detail = _("Cette méthode n'est pas permise sur cette ressource.")
    else:
        detail = None
    return problem_response(status, detail=detail, headers=exc.headers)


#: Seconds a client should wait after a 503 because the database is busy (locked by another process, a lock
#: time-out or a serialization failure on PostgreSQL), and after one because it cannot be reached.
BUSY_RETRY_AFTER = 1
UNREACHABLE_RETRY_AFTER = 10
_SQLITE_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
_POSTGRES_BUSY_STATES = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock / statement time-out
_POSTGRES_DOWN_STATES = {"53300", "57P01", "57P02", "57P03"}  # too many connections, shutting down, starting


def database_unavailable(exc: BaseException) -> str | None:
    """``"busy"`` or ``"unreachable"`` when ``exc`` says the database cannot serve now but may soon; else None."""
    if isinstance(exc, sqlalchemy_exc.TimeoutError):  # no connection free in the pool
        return "busy"
    if not isinstance(exc, sqlalchemy_exc.DBAPIError):
        return None
    original = exc.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return "busy" if code & 0xFF in _SQLITE_BUSY_CODES else None
    state = getattr(original, "sqlstate", None)
    if state in _POSTGRES_BUSY_STATES:
        return "busy"
    if state in _POSTGRES_DOWN_STATES or exc.connection_invalidated:
        return "unreachable"
    if state is None and isinstance(exc, sqlalchemy_exc.OperationalError) and "psycopg" in type(original).__module__:
        return "unreachable"  # connection refused or lost: psycopg gives no SQLSTATE
    return None


def database_unavailable_response(kind: str) -> JSONResponse:
    """The 503 for a database that is busy or out of reach: nothing was changed; retry after ``Retry-After``."""
    if kind == "busy":
        detail = _(
            "Le serveur BanqO est momentanément occupé : rien n'a été enregistré. Réessayez dans quelques secondes."
        )
        seconds = BUSY_RETRY_AFTER
    else:
        detail = _(
            "Le serveur BanqO ne joint pas sa base de données pour le moment : rien n'a été enregistré. "
            "Réessayez dans quelques minutes ; si cela dure, prévenez son administrateur."
        )
        seconds = UNREACHABLE_RETRY_AFTER
    return problem_response(503, detail=detail, headers={"Retry-After": str(seconds)}, retry_after=seconds)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem answer."""

    async def on_service_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return service_error_response(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_response(exc)

    async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        methods = allowed_methods(request) if exc.status_code == 405 else []
        if methods:
            # Starlette names only the first route matching the path; the path may have one route per method.
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
        return http_exception_response(exc)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        kind = database_unavailable(exc)
        if kind is not None:
            # A lock held by another process, a lock time-out, a database out of reach: 503, not 500.
            logger.warning("database %s on %s %s: %s", kind, request.method, request.url.path, exc)
            with use_language(language_of_headers(request.scope.get("headers", []))):
                return database_unavailable_response(kind)
        logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        # Runs outside the language middleware: read the request's language again.
        with use_language(language_of_headers(request.scope.get("headers", []))):
            return problem_response(500, detail=_("Une erreur inattendue est survenue. Réessayez plus tard."))

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(sqlalchemy_exc.DBAPIError, on_unexpected)
    app.add_exception_handler(sqlalchemy_exc.TimeoutError, on_unexpected)
    app.add_exception_handler(Exception, on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route's error statuses, each a ``Problem``."""
    descriptions = {
        401: "Not signed in (missing, unknown, ended or expired token), or wrong credentials",
        402: "The payment processor declined the charge (the reason is at `payment_method`), or the subscription "
        "has ended and the collection can only be read, exported or deleted (at `subscription`)",
        404: "Unknown, or belongs to another account",
        409: "Conflict with existing data (errors name the field)",
        412: "`If-Match` names a stale version: `current_version` and `ETag` give the current one",
        413: "The body is too large",
        422: "Invalid input (errors name each field)",
        428: "`If-Match` is required to change this resource",
        429: "Too many attempts: retry after `Retry-After` seconds",
        503: "The server cannot do this now: its database is busy or out of reach (retry after `Retry-After` "
        "seconds; nothing was changed), or no SMTP server is configured for mail",
        507: "The server could not store the file (disk full): nothing was changed",
    }
    headers = {
        401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
        429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        503: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        412: {"ETag": {"description": "The current version", "schema": {"type": "string"}}},
    }
    documented: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        documented[status] = {"model": Problem, "description": descriptions.get(status, "Error")}
        if status in headers:
            documented[status]["headers"] = headers[status]
    return documented
