"""Security: ``/me/password``, ``/me/totp``, ``/password-resets``."""

from fastapi import APIRouter

router = APIRouter(tags=["security"])
