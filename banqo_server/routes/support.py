"""Support: ``/support/messages`` (« Des questions? Contactez-nous! »)."""

from fastapi import APIRouter

router = APIRouter(tags=["support"])
