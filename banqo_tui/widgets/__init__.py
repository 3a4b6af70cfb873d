"""Reusable pieces of the BanqO screens, each with its own DEFAULT_CSS."""
