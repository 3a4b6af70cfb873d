"""Settings of the terminal client: a TOML file, then the environment, then the command line.

The file is ``config.toml`` in the user's configuration folder (``BANQO_CONFIG`` names another one)::

    server = "https://banqo.example.org"   # absent: the embedded server on this computer
    language = "fr"                        # "fr" or "en"; absent: LC_ALL / LANG, else French
    theme = "banqo"
    accessible = false
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "banqo"


class ConfigError(Exception):
    """The configuration file or a setting cannot be used; the message says which and why."""


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Where the embedded server keeps its database: ``BANQO_DATA_DIR`` or the user data folder."""
    explicit = os.environ.get("BANQO_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def state_dir() -> Path:
    explicit = os.environ.get("BANQO_STATE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


@dataclass
class Config:
    server_url: str | None = None
    language: str = "fr"
    theme: str = "banqo"
    accessible: bool = False
    data_dir: Path = field(default_factory=data_dir)
    demo: bool = False

    @property
    def server_label(self) -> str:
        """How the keyring and the state file name this server."""
        if self.demo:
            return "demo"
        return self.server_url or "local"

    @classmethod
    def load(
        cls,
        *,
        path: Path | None = None,
        server: str | None = None,
        language: str | None = None,
        demo: bool = False,
        environ: dict[str, str] | None = None,
    ) -> Config:
        """Read the file, then the environment, then the given command-line values (each wins over the last)."""
        from banqo_tui.i18n import language_from_environment, normalise_language

        env = os.environ if environ is None else environ
        file_path = path or (Path(env["BANQO_CONFIG"]) if env.get("BANQO_CONFIG") else config_dir() / "config.toml")
        values: dict[str, Any] = {}
        if file_path.exists():
            try:
                values = tomllib.loads(file_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{file_path}: {exc}") from exc
        config = cls()
        server_url = server or env.get("BANQO_SERVER") or values.get("server")
        if server_url is not None and not isinstance(server_url, str):
            raise ConfigError(f"{file_path}: server")
        config.server_url = normalise_server_url(server_url) if server_url else None
        chosen = language or env.get("BANQO_LANGUAGE") or values.get("language")
        config.language = normalise_language(chosen) or language_from_environment(env)
        if isinstance(values.get("theme"), str):
            config.theme = values["theme"]
        if isinstance(values.get("accessible"), bool):
            config.accessible = values["accessible"]
        config.demo = demo
        if demo:
            config.server_url = None
        return config


def normalise_server_url(url: str) -> str:
    """``banqo.example.org`` → ``https://banqo.example.org``; refuses what is not an http(s) URL."""
    from urllib.parse import urlsplit

    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(url)
    return url.rstrip("/")
