"""Password hashing (Argon2id) and the rules a new password must follow."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from banqo_server.i18n import _
from banqo_tui.api.models import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class Passwords:
    """Argon2id with the settings' costs; a dummy verify for unknown emails keeps timing uniform."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verify, for an email that has no account."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("banqo-dummy-password")
        self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of the most common passwords, lower-case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problems(email: str) -> list[str]:
    if not email:
        return [_("Ce champ est obligatoire.")]
    if not EMAIL_SHAPE.match(email):
        return [_("Cette adresse courriel n'est pas valide.")]
    return []


def password_problems(password: str, email: str) -> list[str]:
    """Why ``password`` cannot be used by the account ``email`` (empty when it can)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [
            _("Le mot de passe doit compter au moins {count} caractères.").format(count=PASSWORD_MIN_LENGTH)
        ]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [
            _("Le mot de passe doit compter au plus {count} caractères.").format(count=PASSWORD_MAX_LENGTH)
        ]
    lowered = password.strip().lower()
    if email and lowered == normalise_email(email):
        return [_("Le mot de passe ne doit pas être votre adresse courriel.")]
    if lowered in common_passwords():
        return [_("Ce mot de passe est parmi les plus courants : choisissez-en un autre.")]
    return []
