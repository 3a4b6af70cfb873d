from pathlib import Path

import pytest

from banqo_tui.config import Config, ConfigError, normalise_server_url


def test_no_server_configured_means_the_embedded_default(tmp_path: Path):
    config = Config.load(path=tmp_path / "absent.toml", environ={})
    assert config.server_url is None
    assert config.server_label == "local"
    assert config.language == "fr"


def test_command_line_wins_over_environment_over_file(tmp_path: Path):
    file = tmp_path / "config.toml"
    file.write_text('server = "https://file.example.org"\nlanguage = "en"\n', encoding="utf-8")
    assert Config.load(path=file, environ={}).server_url == "https://file.example.org"
    assert Config.load(path=file, environ={}).language == "en"
    env = {"BANQO_SERVER": "https://env.example.org/"}
    assert Config.load(path=file, environ=env).server_url == "https://env.example.org"
    chosen = Config.load(path=file, environ=env, server="cli.example.org", language="fr")
    assert chosen.server_url == "https://cli.example.org"
    assert chosen.language == "fr"


def test_language_follows_lang_when_not_set(tmp_path: Path):
    assert Config.load(path=tmp_path / "x.toml", environ={"LANG": "en_CA.UTF-8"}).language == "en"
    assert Config.load(path=tmp_path / "x.toml", environ={"LANG": "de_DE.UTF-8"}).language == "fr"
    assert Config.load(path=tmp_path / "x.toml", environ={"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US"}).language == "fr"


def test_demo_uses_its_own_label_and_the_embedded_server(tmp_path: Path):
    config = Config.load(path=tmp_path / "x.toml", environ={"BANQO_SERVER": "https://x.example.org"}, demo=True)
    assert config.server_url is None
    assert config.server_label == "demo"


def test_a_broken_config_file_is_reported_with_its_path(tmp_path: Path):
    file = tmp_path / "config.toml"
    file.write_text("server = [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="config.toml"):
        Config.load(path=file, environ={})


@pytest.mark.parametrize("url", ["ftp://example.org", "https://", "  "])
def test_server_urls_that_are_not_http_are_refused(url: str):
    with pytest.raises(ConfigError):
        normalise_server_url(url)
