"""Profile and photo: ``/me/profile``, ``/me/profile/photo``."""

from fastapi import APIRouter

router = APIRouter(tags=["me"])
