"""« Préférences » writes its choices into the TOML file, keeping the rest of it."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from banqo_tui.config import Config, ConfigError, config_path, save_preferences


def test_a_new_file_is_created_with_the_choices(tmp_path: Path):
    path = tmp_path / "folder" / "config.toml"
    save_preferences(path, language="en", theme="banqo-light", accessible=True)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "language": "en",
        "theme": "banqo-light",
        "accessible": True,
    }
    loaded = Config.load(path=path, environ={})
    assert (loaded.language, loaded.theme, loaded.accessible) == ("en", "banqo-light", True)


def test_other_keys_comments_and_tables_stay(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        "# Mon serveur d'école\n"
        'server = "https://banqo.example.org"\n'
        'theme = "banqo"   # sombre\n'
        "\n"
        "[extra]\n"
        'theme = "pas celui-ci"\n',
        encoding="utf-8",
    )
    save_preferences(path, theme="textual-ansi", accessible=False)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Mon serveur d'école\n")
    values = tomllib.loads(text)
    assert values == {
        "server": "https://banqo.example.org",
        "theme": "textual-ansi",
        "accessible": False,
        "extra": {"theme": "pas celui-ci"},
    }
    # The new key goes to the top level, before the table.
    assert text.index("accessible = false") < text.index("[extra]")


def test_only_the_given_values_change(tmp_path: Path):
    path = tmp_path / "config.toml"
    save_preferences(path, language="fr", theme="banqo", accessible=False)
    save_preferences(path, language="en")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "language": "en",
        "theme": "banqo",
        "accessible": False,
    }


def test_quoted_keys_and_odd_values_are_written_as_valid_toml(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('"theme" = "old"\n', encoding="utf-8")
    save_preferences(path, theme='a "quoted" \\ name')
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"theme": 'a "quoted" \\ name'}


def test_the_file_keeps_its_permissions_and_no_temporary_file_is_left(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('server = "https://x.example.org"\n', encoding="utf-8")
    os.chmod(path, 0o600)
    save_preferences(path, accessible=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["config.toml"]


def test_a_broken_file_is_not_overwritten(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text("server = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="config.toml"):
        save_preferences(path, theme="banqo")
    assert path.read_text(encoding="utf-8") == "server = [unclosed\n"


def test_the_path_read_is_the_path_written(tmp_path: Path):
    path = tmp_path / "chosen.toml"
    assert Config.load(path=path, environ={}).file_path == path
    assert Config.load(environ={"BANQO_CONFIG": str(path)}).file_path == path
    assert config_path({"BANQO_CONFIG": str(path)}) == path
    assert Config(path=path).file_path == path
