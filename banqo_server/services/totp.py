"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 6 digits, 30-second steps.

A secret is 160 random bits written in base32 without padding, as authenticator apps expect it. A code
is accepted one step before or after the server's current one (clocks drift); ``verify`` answers which
step matched, so that the caller can refuse a step already used.

Recovery codes stand in for a code when the phone is lost: ``xxxxx-xxxxx``, from 32 symbols without
look-alikes (no ``0``/``o``, no ``1``/``l``), so 50 random bits each; only their SHA-256 is kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30  # seconds
SECRET_BYTES = 20  # 160 bits, the size RFC 4226 recommends for HMAC-SHA1
WINDOW = 1  # steps accepted on each side of the current one
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
RECOVERY_COUNT = 10


def new_secret() -> str:
    """A fresh random secret, base32 (upper-case, no ``=`` padding): 32 characters."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_key(secret: str) -> bytes:
    """The key bytes of a base32 secret (case, spaces and missing padding tolerated)."""
    compact = "".join(secret.split()).upper().rstrip("=")
    try:
        return base64.b32decode(compact + "=" * (-len(compact) % 8))
    except binascii.Error as exc:
        raise ValueError("not a base32 secret") from exc


def step_at(moment: datetime) -> int:
    """The time step ``moment`` falls in (Unix time divided by the period)."""
    return int(moment.timestamp()) // PERIOD


def code_at(secret: str, step: int, digits: int = DIGITS) -> str:
    """The code of ``step``: HOTP (RFC 4226) with the step as the counter, ``digits`` long."""
    mac = hmac.new(secret_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def normalise_code(code: str) -> str:
    """A typed code without its spaces and hyphens (« 123 456 » → ``123456``)."""
    return "".join(code.split()).replace("-", "")


def verify(
    secret: str, code: str, moment: datetime, *, after: int | None = None, window: int = WINDOW
) -> int | None:
    """The step within ``window`` steps of ``moment`` whose code is ``code``, or None.

    Steps up to ``after`` (the last one used) are not candidates: each step's code works once.
    """
    typed = normalise_code(code)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    current = step_at(moment)
    matched = None
    for step in range(current - window, current + window + 1):
        # Every candidate is computed and compared in constant time: no early exit.
        if hmac.compare_digest(code_at(secret, step), typed) and (after is None or step > after):
            matched = step if matched is None else matched
    return matched


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads from a QR code (Key Uri Format)."""
    label = f"{quote(issuer, safe='')}:{quote(account_name, safe='@')}"
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": PERIOD}, quote_via=quote
    )
    return f"otpauth://totp/{label}?{query}"


def new_recovery_code() -> str:
    """A fresh recovery code, shown ``xxxxx-xxxxx``."""
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{symbols[:5]}-{symbols[5:]}"


def normalise_recovery_code(code: str) -> str:
    """A typed recovery code as it is hashed: lower-case, without spaces or hyphens."""
    return normalise_code(code).lower()


def looks_like_recovery_code(code: str) -> bool:
    """Whether a typed code has a recovery code's shape (10 letters or digits, once normalised)."""
    typed = normalise_recovery_code(code)
    return len(typed) == RECOVERY_LENGTH and typed.isascii() and typed.isalnum()


def recovery_code_hash(code: str) -> str:
    """What the database keeps of a recovery code: the SHA-256 of its normalised form, hex."""
    return hashlib.sha256(normalise_recovery_code(code).encode("ascii", "replace")).hexdigest()
