"""Privacy: ``/me/export``, ``/me/activity``, ``DELETE /me``."""

from fastapi import APIRouter

router = APIRouter(tags=["privacy"])
