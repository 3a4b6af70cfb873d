"""Settings of the terminal client: a TOML file, then the environment, then the command line.

The file is ``config.toml`` in the user's configuration folder (``BANQO_CONFIG`` names another one)::

    server = "https://banqo.example.org"   # absent: the embedded server on this computer
    language = "fr"                        # "fr" or "en"; absent: LC_ALL / LANG, else French
    theme = "banqo"
    accessible = false

« Préférences » rewrites the last three lines with ``save_preferences``; the other lines stay as they are.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "banqo"


class ConfigError(Exception):
    """The configuration file or a setting cannot be used; the message says which and why."""


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The configuration file: ``BANQO_CONFIG``, else ``config.toml`` in the user's configuration folder."""
    env = os.environ if environ is None else environ
    explicit = env.get("BANQO_CONFIG")
    return Path(explicit).expanduser() if explicit else config_dir() / "config.toml"


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
    #: The file read (and written by « Préférences »); None means the standard one (``config_path()``).
    path: Path | None = None

    @property
    def file_path(self) -> Path:
        """Where « Préférences » saves the choices."""
        return self.path if self.path is not None else config_path()

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
        accessible: bool = False,
        environ: dict[str, str] | None = None,
    ) -> Config:
        """Read the file, then the environment, then the given command-line values (each wins over the last)."""
        from banqo_tui.i18n import language_from_environment, normalise_language

        env = os.environ if environ is None else environ
        file_path = path or config_path(env)
        values: dict[str, Any] = {}
        if file_path.exists():
            try:
                values = tomllib.loads(file_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{file_path}: {exc}") from exc
        config = cls(path=file_path)
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
        from banqo_tui.terminal import accessible_from_environment

        from_environment = accessible_from_environment(env)
        if from_environment is not None:
            config.accessible = from_environment
        if accessible:
            config.accessible = True
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


#: The keys « Préférences » writes, at the top level of the file.
PREFERENCE_KEYS = ("language", "theme", "accessible")
_TABLE_HEADER = re.compile(r"^\s*\[")


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # A JSON string is a valid TOML basic string for these short values (quotes, backslashes, \uXXXX).
    return json.dumps(value, ensure_ascii=False)


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(rf"""^\s*(?:{key}|"{key}"|'{key}')\s*=""")


def save_preferences(
    path: Path,
    *,
    language: str | None = None,
    theme: str | None = None,
    accessible: bool | None = None,
) -> None:
    """Write the given preferences into the TOML file at ``path``, keeping every other line as it is.

    Each key's line is replaced where it is, or added at the top level (before the first ``[table]``). The
    file is written beside itself then renamed, so it is never left half-written; a result that would not
    read back as the same values is refused with ``ConfigError`` and the file left untouched.
    """
    import tempfile

    wanted: dict[str, str | bool] = {
        key: value
        for key, value in (("language", language), ("theme", theme), ("accessible", accessible))
        if value is not None
    }
    if not wanted:
        return
    try:
        old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        old_values = tomllib.loads(old_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc

    lines = old_text.splitlines()
    top_level_end = next((index for index, line in enumerate(lines) if _TABLE_HEADER.match(line)), len(lines))
    missing: list[str] = []
    for key, value in wanted.items():
        pattern = _key_line(key)
        line = f"{key} = {_toml_value(value)}"
        found = next((index for index in range(top_level_end) if pattern.match(lines[index])), None)
        if found is None:
            missing.append(line)
        else:
            lines[found] = line
    if missing:
        # After the top-level lines, before a blank line that separates them from the first table.
        insert_at = top_level_end
        while insert_at > 0 and not lines[insert_at - 1].strip():
            insert_at -= 1
        lines[insert_at:insert_at] = missing
    new_text = "\n".join(lines) + "\n"

    try:
        new_values = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    expected = {**old_values, **wanted}
    if new_values != expected:
        raise ConfigError(f"{path}: {', '.join(sorted(wanted))}")

    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(new_text)
                file.flush()
                os.fsync(file.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
