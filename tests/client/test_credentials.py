"""Token storage: the keyring when usable, memory otherwise — never a plain file."""

from pathlib import Path

import pytest

from banqo_tui.credentials import CredentialStore


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    keyring.core._keyring_backend = None  # let keyring read the environment again
    yield
    keyring.core._keyring_backend = None


async def test_without_a_keyring_the_token_lives_in_memory_only(tmp_path: Path, no_keyring):
    store = CredentialStore(tmp_path / "state.json")
    assert await store.save("lea@example.org", "local", "secret-token") is False
    assert store.available is False
    assert await store.load("lea@example.org", "local") == "secret-token"
    assert await CredentialStore(tmp_path / "state.json").load("lea@example.org", "local") is None
    store.remember_email("local", "lea@example.org")
    for path in tmp_path.rglob("*"):
        assert b"secret-token" not in path.read_bytes()


async def test_delete_forgets_the_token(tmp_path: Path, no_keyring):
    store = CredentialStore(tmp_path / "state.json")
    await store.save("lea@example.org", "local", "t")
    await store.delete("lea@example.org", "local")
    assert await store.load("lea@example.org", "local") is None


def test_last_email_is_remembered_per_server(tmp_path: Path):
    store = CredentialStore(tmp_path / "state.json")
    store.remember_email("local", "lea@example.org")
    store.remember_email("https://b.example.org", "noe@example.org")
    again = CredentialStore(tmp_path / "state.json")
    assert again.last_email("local") == "lea@example.org"
    assert again.last_email("https://b.example.org") == "noe@example.org"
    again.forget_email("local")
    assert CredentialStore(tmp_path / "state.json").last_email("local") is None


def test_a_damaged_state_file_is_ignored(tmp_path: Path):
    (tmp_path / "state.json").write_text("{not json", encoding="utf-8")
    assert CredentialStore(tmp_path / "state.json").last_email("local") is None
