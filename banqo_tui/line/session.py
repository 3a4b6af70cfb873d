"""One line-mode session: the connection, the credentials and, once signed in, the client — for one command, or
for a whole ``banqo shell`` run — and what every command shares: output, questions, ids, errors.

The token comes from where the app keeps it (the system keyring, through ``CredentialStore``); in the shell, a
``login`` without a usable keyring keeps it in this run's memory only. It is never written to a file.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from banqo_tui.api import errors
from banqo_tui.i18n import _

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.config import Config
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore

EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_NOT_SIGNED_IN, EXIT_UNREACHABLE, EXIT_NOT_FOUND = 0, 1, 2, 3, 4, 5
#: Ids are 32 hexadecimal characters; lines show their first 8, and any unambiguous beginning is accepted.
SHORT_ID = 8
FULL_ID = 32

T = TypeVar("T")


class LineModeError(Exception):
    """What a command could not do: the message for stderr, and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def short_id(value: str) -> str:
    return value[:SHORT_ID]


def field_names() -> dict[str, str]:
    """The request fields' names as the screens label them, for « Champ : message »."""
    return {
        "text": _("Objectif"),
        "domain": _("Domaine"),
        "tags": _("Étiquettes"),
        "first_name": _("Prénom"),
        "last_name": _("Nom"),
        "learner_ids": _("Élèves"),
        "learners": _("Élèves"),
        "file": _("Fichier"),
        "language": _("Langue"),
        "email": _("Courriel"),
        "password": _("Mot de passe"),
        "current_password": _("Mot de passe actuel"),
        "totp": _("Code de validation"),
        "phone": _("Téléphone"),
        "address.street": _("Adresse"),
        "address.city": _("Ville"),
        "address.province": _("Province"),
        "address.postal_code": _("Code postal"),
        "from": _("Votre courriel"),
        "subject": _("Objet"),
        "message": _("Message"),
        "subscription": _("Abonnement"),
        "payment_method": _("Méthode de paiement"),
        # « Nouveau plan » and « Nouvelle mesure »
        "learner_id": _("Élève"),
        "kind": _("Type de plan"),
        "parent_plan_id": _("Annexe du plan"),
        "goal_ids": _("Objectifs"),
        "plan_goal_id": _("Objectif"),
        "on": _("Date"),
        "value": _("Valeur"),
        "out_of": _("Sur"),
        "note": _("Note"),
    }


def field_label(field: str, names: dict[str, str]) -> str:
    """« Ligne 3, Domaine » for an import's ``3.domain``; the field's name otherwise."""
    row, _dot, name = field.partition(".")
    if row.isdigit() and name:
        return _("Ligne {row}, {field}").format(row=row, field=names.get(name, name))
    return names.get(field, field)


def field_error_lines(problems: dict[str, list[str]]) -> list[str]:
    """« Champ : message », one a line."""
    names = field_names()
    return [
        _("{field} : {message}").format(field=field_label(field, names), message=message)
        for field, messages in problems.items()
        for message in messages
    ]


def labelled(label: str, value: object) -> str:
    """« Courriel : lea@example.org » — the label written before a colon as « Votre résumé » writes it."""
    return (_("{label} :").format(label=label) + f" {value}").rstrip()


def resolve(
    wanted: str, items: Iterable[T], ident: Callable[[T], str], label: Callable[[T], str], unknown: str
) -> T:
    """The item whose id is ``wanted`` or begins with it; exit code 5 with ``unknown`` when none does, or with the
    candidates listed when several do."""
    typed = wanted.strip().lower()
    candidates = [item for item in items if typed and ident(item).startswith(typed)]
    exact = [item for item in candidates if ident(item) == typed]
    if len(exact) == 1 or len(candidates) == 1:
        return (exact or candidates)[0]
    if not candidates:
        raise LineModeError(unknown, EXIT_NOT_FOUND)
    lines = [_("L'identifiant « {id} » en désigne plusieurs; donnez-en plus de caractères :").format(id=wanted)]
    lines += [f"{ident(item)}  {label(item)}" for item in candidates]
    raise LineModeError("\n".join(lines), EXIT_NOT_FOUND)


def is_full_id(value: str) -> bool:
    return len(value) == FULL_ID and all(char in "0123456789abcdef" for char in value.lower())


class LineSession:
    """The connection, the credentials and the client of a line-mode run (one command, or a shell)."""

    def __init__(
        self,
        config: Config,
        *,
        connection: Connection | None = None,
        credentials: CredentialStore | None = None,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
        err: TextIO | None = None,
        in_shell: bool = False,
    ) -> None:
        self.config = config
        self._connection = connection
        self._credentials = credentials
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        #: In ``banqo shell``: the session outlives a command, and commands are typed without ``banqo``.
        self.in_shell = in_shell
        #: The signed-in account's email, once known.
        self.email: str | None = None
        self._client: BanqoClient | None = None
        self.device = _("Mode ligne sur {host}").format(host=socket.gethostname() or "?")

    # --- parts built on first use --------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            from banqo_tui.connection import Connection

            self._connection = Connection(self.config)
        return self._connection

    @property
    def credentials(self) -> CredentialStore:
        if self._credentials is None:
            from banqo_tui.credentials import CredentialStore

            self._credentials = CredentialStore()
        return self._credentials

    @property
    def server(self) -> str:
        return self.connection.label

    async def client(self) -> BanqoClient:
        """The client, signed in or not (support messages, sign-in); built once (for the embedded server, this
        starts the API in this process)."""
        if self._client is None:
            self._client = await self.connection.client()
        return self._client

    async def signed_in(self) -> BanqoClient:
        """The client with this account's session; exit code 3 when there is none (said before anything is
        built)."""
        if self._client is not None and self._client.token:
            return self._client
        if self.connection.is_demo:
            client = await self.client()
            client.token = await self.connection.demo_token()
            return client
        store = self.credentials
        email = store.last_email(self.server)
        token = await store.load(email, self.server) if email else None
        if not token:
            raise LineModeError(
                _("Vous n'êtes pas connecté (serveur : {server}). Connectez-vous d'abord : {command}.").format(
                    server=self.server, command=self.command("login")
                ),
                EXIT_NOT_SIGNED_IN,
            )
        client = await self.client()
        client.token, self.email = token, email
        return client

    async def session_ended(self) -> None:
        """The server no longer knows the token: forget it here too."""
        client = await self.client()
        client.token = None
        email = self.email or self.credentials.last_email(self.server)
        if email and not self.connection.is_demo:
            await self.credentials.delete(email, self.server)

    async def aclose(self) -> None:
        self._client = None
        if self._connection is not None:
            await self._connection.aclose()

    # --- what commands share -------------------------------------------------------------------

    def command(self, words: str) -> str:
        """A command as the user types it here: ``banqo goals list``, or ``goals list`` in the shell."""
        return words if self.in_shell else f"banqo {words}"

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    def warn(self, line: str) -> None:
        print(line, file=self.err)

    def print_json(self, value: Any) -> None:
        print(json.dumps(value, ensure_ascii=False, indent=2), file=self.out)

    def print_models(self, models: Sequence[Any]) -> None:
        self.print_json([model.model_dump(mode="json") for model in models])

    @property
    def interactive(self) -> bool:
        """Whether questions can be asked of someone at a terminal."""
        try:
            return self.stdin.isatty()
        except (AttributeError, ValueError):
            return False

    def read_line(self) -> str:
        """One line of standard input, without its end; exit code 2 when there is none left."""
        line = self.stdin.readline()
        if not line:
            raise LineModeError(_("Aucune réponse lue : rien n'est fait."), EXIT_INVALID)
        return line.rstrip("\r\n")

    def ask(self, prompt: str) -> str:
        """A question on the terminal, or the next line of standard input in a script."""
        if not self.interactive:
            return self.read_line().strip()
        try:
            return input(prompt).strip()
        except EOFError:
            raise LineModeError(_("Aucune réponse lue : rien n'est fait."), EXIT_INVALID) from None

    def ask_field(self, label: str, default: str | None = None) -> str:
        """« Courriel : [lea@example.org] » — Enter keeps the default."""
        prompt = _("{label} :").format(label=label) + " " + (f"[{default}] " if default else "")
        return self.ask(prompt) or (default or "")

    def ask_secret(self, label: str) -> str:
        """A password, typed without echo on the terminal (so never in the shell's history)."""
        import getpass

        if not self.interactive:
            return self.read_line()
        try:
            return getpass.getpass(_("{label} :").format(label=label) + " ")
        except EOFError:
            raise LineModeError(_("Aucune réponse lue : rien n'est fait."), EXIT_INVALID) from None

    def confirm(self, question: str) -> bool:
        """« Supprimer Léa? (o/N) »: True only for yes."""
        answer = self.ask(_("{question} (o/N)").format(question=question) + " ")
        return answer.lower() in {"o", "oui", "y", "yes"}


async def execute(session: LineSession, args: argparse.Namespace) -> int:
    """Run one parsed command; every client error becomes a ``LineModeError`` with its exit code."""
    import importlib

    # Only the command's own module: « not signed in » is said before the API client is even imported.
    handlers = {
        "summary": ("account", "summary"),
        "goals": ("goals", "run"),
        "learners": ("learners", "run"),
        "plans": ("plans", "run"),
        "invoices": ("account", "invoices"),
        "subscription": ("account", "subscription"),
        "profile": ("account", "profile"),
        "support": ("account", "support"),
        "login": ("account", "login"),
        "logout": ("account", "logout"),
    }
    module, function = handlers[args.command]
    handler: Callable[[LineSession, argparse.Namespace], Awaitable[int]] = getattr(
        importlib.import_module(f"banqo_tui.line.{module}"), function
    )
    try:
        return await handler(session, args)
    except errors.ServerUnreachable as exc:
        raise LineModeError(exc.message, EXIT_UNREACHABLE) from None
    except errors.NotSignedIn:
        await session.session_ended()
        raise LineModeError(
            _("Votre session a pris fin. Connectez-vous de nouveau : {command}.").format(
                command=session.command("login")
            ),
            EXIT_NOT_SIGNED_IN,
        ) from None
    except errors.NotFound as exc:
        raise LineModeError(exc.message, EXIT_NOT_FOUND) from None
    except errors.ApiError as exc:
        lines = field_error_lines(exc.errors) or [exc.message]
        invalid = isinstance(exc, errors.InvalidCredentials) or exc.status in {400, 409, 422}
        raise LineModeError("\n".join(lines), EXIT_INVALID if invalid else EXIT_ERROR) from None
    except errors.BanqoError as exc:
        raise LineModeError(exc.message, EXIT_ERROR) from None


def write_error(path: object, exc: OSError) -> LineModeError:
    return LineModeError(
        _("Impossible d'écrire {path} : {reason}").format(path=path, reason=exc.strerror), EXIT_ERROR
    )
