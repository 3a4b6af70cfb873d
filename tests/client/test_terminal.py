"""What BanqO decides from the terminal and the link, before Textual is imported (``banqo_tui.terminal``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from banqo_tui import terminal
from banqo_tui.config import Config


@pytest.mark.parametrize(
    ("environ", "depth"),
    [
        ({"TERM": "xterm"}, "16"),
        ({"TERM": "screen"}, "16"),
        ({"TERM": ""}, "16"),
        ({"TERM": "xterm-256color"}, "256"),
        ({"TERM": "tmux-256color"}, "256"),
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "truecolor"),
        ({"TERM": "xterm", "COLORTERM": "24bit"}, "truecolor"),
        ({"TERM": "xterm-direct"}, "truecolor"),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "none"),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, "256"),  # no-color.org: an empty value does not count
        ({"TERM": "dumb"}, "none"),
        ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, "truecolor"),
    ],
)
def test_colour_depth_reads_the_terminal_as_rich_does(environ, depth):
    assert terminal.colour_depth(environ) == depth


def test_colour_depth_agrees_with_rich():
    """The theme choice must match what Rich will send: the same answer for the same environment."""
    from rich.console import Console

    names = {"standard": "16", "256": "256", "truecolor": "truecolor"}
    for term in ("xterm", "xterm-256color", "screen-256color", "vt100", "linux"):
        console = Console(force_terminal=True, _environ={"TERM": term})
        assert names[console.color_system] == terminal.colour_depth({"TERM": term}), term


def test_over_ssh_the_escape_delay_and_the_frame_rate_change():
    env = {"SSH_TTY": "/dev/pts/3"}
    terminal.prepare(env)
    assert env["ESCDELAY"] == "400" and env["TEXTUAL_FPS"] == "15"
    # A longer delay of the user's own is kept; a shorter one is raised; a chosen frame rate stays.
    env = {"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22", "ESCDELAY": "25", "TEXTUAL_FPS": "30"}
    terminal.prepare(env)
    assert env["ESCDELAY"] == "400" and env["TEXTUAL_FPS"] == "30"
    env = {"SSH_TTY": "/dev/pts/3", "ESCDELAY": "800"}
    terminal.prepare(env)
    assert env["ESCDELAY"] == "800"


def test_on_a_local_terminal_nothing_changes_unless_asked():
    env: dict[str, str] = {"TERM": "xterm-256color"}
    terminal.prepare(env)
    assert env == {"TERM": "xterm-256color"}
    env = {"BANQO_ESCDELAY": "250"}
    terminal.prepare(env)
    assert env["ESCDELAY"] == "250"


def test_accessible_mode_from_the_environment_the_file_and_the_command_line(tmp_path: Path):
    file = tmp_path / "config.toml"
    assert Config.load(path=file, environ={}).accessible is False
    assert Config.load(path=file, environ={"BANQO_ACCESSIBLE": "1"}).accessible is True
    assert Config.load(path=file, environ={}, accessible=True).accessible is True
    file.write_text("accessible = true\n", encoding="utf-8")
    assert Config.load(path=file, environ={}).accessible is True
    # BANQO_ACCESSIBLE=0 turns off what the file turned on; --accessible wins over both.
    assert Config.load(path=file, environ={"BANQO_ACCESSIBLE": "0"}).accessible is False
    assert Config.load(path=file, environ={"BANQO_ACCESSIBLE": "0"}, accessible=True).accessible is True


def test_the_command_line_flag_reaches_the_config(monkeypatch, tmp_path: Path):
    from banqo_tui import cli

    seen: list[Config] = []

    class Stop(Exception):
        pass

    def fake_app(config: Config, **_kwargs: object) -> None:
        seen.append(config)
        raise Stop

    monkeypatch.setenv("BANQO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("BANQO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BANQO_ACCESSIBLE", raising=False)
    monkeypatch.setattr("banqo_tui.app.BanqoApp", fake_app)
    with pytest.raises(Stop):
        cli.main(["--accessible"])
    assert seen[0].accessible is True
