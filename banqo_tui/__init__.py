"""BanqO's terminal client: a keyboard-driven Textual app and line-mode commands."""

__version__ = "0.1.0"
