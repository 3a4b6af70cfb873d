"""What the terminal and the link can take, decided before Textual is imported.

Textual reads ``ESCDELAY`` and ``TEXTUAL_FPS`` once, when ``textual.constants`` is first imported, so
``prepare`` runs in ``banqo_tui.cli`` before anything imports Textual:

- Over SSH (``SSH_TTY`` or ``SSH_CONNECTION`` set), an arrow key's escape sequence can arrive split across
  two packets; with Textual's 100 ms wait, the first half reads as a lone Escape (which closes a dialog).
  ``ESCDELAY`` is raised to at least 400 ms. ``BANQO_ESCDELAY`` sets it whatever the link.
- Over SSH, every frame is bytes on a slow link: at most 15 frames a second (Textual's default is 60), unless
  ``TEXTUAL_FPS`` is set already.
- The colours: ``colour_depth`` reads what Rich will detect (``COLORTERM``, ``TERM``, ``NO_COLOR``), so the
  app can pick a theme made of the terminal's own 16 colours when that is all the terminal has, instead of
  letting Rich round BanqO's colours to the nearest of 16 (dark blue on black, grey on grey).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

SSH_ESCAPE_DELAY_MS = 400
SSH_FRAMES_PER_SECOND = 15

#: What ``colour_depth`` answers.
TRUECOLOR, COLOURS_256, COLOURS_16, NO_COLOUR = "truecolor", "256", "16", "none"


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get("SSH_TTY") or env.get("SSH_CONNECTION"))


def no_color(environ: Mapping[str, str] | None = None) -> bool:
    """``NO_COLOR`` set to anything but the empty string (no-color.org)."""
    env = os.environ if environ is None else environ
    return bool(env.get("NO_COLOR"))


def colour_depth(environ: Mapping[str, str] | None = None) -> str:
    """``truecolor``, ``256``, ``16`` or ``none``, as Rich will decide it for Textual's console."""
    env = os.environ if environ is None else environ
    if no_color(env):
        return NO_COLOUR
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "auto")
    if forced in ("truecolor", "256", "standard", "windows"):
        return {"truecolor": TRUECOLOR, "256": COLOURS_256}.get(forced, COLOURS_16)
    if env.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return TRUECOLOR
    term = env.get("TERM", "").strip().lower()
    if term in ("dumb", "unknown"):
        return NO_COLOUR  # Rich sends no colour to these
    # Rich's rule: the part after the last hyphen says the depth; without one, 16 colours (``xterm``).
    suffix = term.rpartition("-")[2]
    if suffix in ("256color", "kitty") or term.startswith("kitty"):
        return COLOURS_256
    if suffix in ("truecolor", "direct"):
        return TRUECOLOR
    return COLOURS_16


def prepare(environ: MutableMapping[str, str] | None = None) -> None:
    """Set Textual's escape delay and frame rate for this link (call before importing Textual)."""
    env = os.environ if environ is None else environ
    explicit = env.get("BANQO_ESCDELAY", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        env["ESCDELAY"] = explicit
    elif over_ssh(env):
        current = env.get("ESCDELAY", "").strip()
        if not current.isdigit() or int(current) < SSH_ESCAPE_DELAY_MS:
            env["ESCDELAY"] = str(SSH_ESCAPE_DELAY_MS)
    if over_ssh(env) and not env.get("TEXTUAL_FPS"):
        env["TEXTUAL_FPS"] = str(SSH_FRAMES_PER_SECOND)


def accessible_from_environment(environ: Mapping[str, str] | None = None) -> bool | None:
    """``BANQO_ACCESSIBLE=1`` (or ``true``, ``yes``, ``on``) turns the mode on; ``0`` turns it off."""
    env = os.environ if environ is None else environ
    value = env.get("BANQO_ACCESSIBLE", "").strip().lower()
    if value in ("1", "true", "yes", "on", "oui"):
        return True
    if value in ("0", "false", "no", "off", "non"):
        return False
    return None
