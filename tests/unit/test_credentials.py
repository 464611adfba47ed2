"""The credentials store: profiles in a JSON file, keys in the OS keyring (a fake in-memory backend
here) or in a 0600 file. Never the real config dir or keyring: each test gets its own."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

import ohctl
from tests.support.keyrings import LockedKeyring, MemoryKeyring

KEY = "sk-oh-unit-test-key-0123456789"


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "ohctl-config"
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(directory))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    for var in ("OHCTL_PROFILE", *ohctl.API_KEY_VARS, *ohctl.BASE_URL_VARS):
        monkeypatch.delenv(var, raising=False)
    return directory


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("OHCTL_KEYRING", "1")
    yield backend
    keyring.set_keyring(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_nothing_stored_means_no_profile(config: Path) -> None:
    assert ohctl.load_profile(None) is None
    assert ohctl.list_profiles() == []
    assert ohctl.default_profile_name() is None
    assert not config.exists()  # reading never creates anything


def test_config_dir_comes_from_the_environment(config: Path) -> None:
    assert ohctl.config_dir() == config


def test_file_store_round_trip_and_permissions(config: Path) -> None:
    saved = ohctl.save_profile("work", base_url="https://oh.example.com", api_key=KEY)
    keys = config / "credentials.json"
    assert saved.key_source == str(keys) and saved.default
    assert mode(keys) == 0o600
    if os.name == "posix":
        assert mode(config) == 0o700
    assert KEY not in (config / "profiles.json").read_text()
    assert json.loads(keys.read_text()) == {"work": KEY}
    assert [p.name for p in config.iterdir() if p.name.endswith(".tmp")] == []

    loaded = ohctl.load_profile(None)
    assert loaded is not None
    assert (loaded.name, loaded.base_url, loaded.api_key, loaded.auth) == (
        "work",
        "https://oh.example.com",
        KEY,
        "bearer",
    )
    assert KEY not in repr(loaded)
    [listed] = ohctl.list_profiles()
    assert listed.api_key is None and listed.key_source == str(keys) and listed.default


def test_the_key_file_is_never_readable_by_others(config: Path) -> None:
    old = os.umask(0)  # even with a permissive umask
    try:
        ohctl.save_profile("a", base_url="https://a.example.com", api_key=KEY)
        ohctl.save_profile("b", base_url="https://b.example.com", api_key=KEY + "b")
    finally:
        os.umask(old)
    assert mode(config / "credentials.json") == 0o600
    assert mode(config / "profiles.json") == 0o600


def test_a_loose_key_file_is_tightened(config: Path) -> None:
    ohctl.save_profile("a", base_url="https://a.example.com", api_key=KEY)
    (config / "credentials.json").chmod(0o644)
    assert ohctl.load_profile("a") is not None
    assert mode(config / "credentials.json") == 0o600


def test_which_profile_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    ohctl.save_profile("one", base_url="https://one.example.com", api_key="k1")
    ohctl.save_profile("two", base_url="https://two.example.com", api_key="k2", make_default=False)
    assert ohctl.default_profile_name() == "one"
    assert ohctl.load_profile(None).name == "one"  # type: ignore[union-attr]
    monkeypatch.setenv("OHCTL_PROFILE", "two")
    assert ohctl.load_profile(None).api_key == "k2"  # type: ignore[union-attr]
    assert ohctl.load_profile("one").api_key == "k1"  # type: ignore[union-attr]  # the argument first
    monkeypatch.setenv("OHCTL_PROFILE", "missing")
    with pytest.raises(ohctl.ConfigurationError, match="No stored profile 'missing'"):
        ohctl.load_profile(None)
    monkeypatch.delenv("OHCTL_PROFILE")
    ohctl.set_default_profile("two")
    assert ohctl.load_profile(None).name == "two"  # type: ignore[union-attr]
    with pytest.raises(ohctl.ConfigurationError):
        ohctl.set_default_profile("nope")


def test_delete_removes_the_key(config: Path) -> None:
    ohctl.save_profile("one", base_url="https://one.example.com", api_key="k1")
    ohctl.save_profile("two", base_url="https://two.example.com", api_key="k2", make_default=False)
    assert ohctl.delete_profile("one")
    assert not ohctl.delete_profile("one")
    assert json.loads((config / "credentials.json").read_text()) == {"two": "k2"}
    assert ohctl.default_profile_name() is None
    assert ohctl.load_profile(None) is None
    assert ohctl.load_profile("two").api_key == "k2"  # type: ignore[union-attr]


def test_saving_without_a_key_forgets_the_old_one(config: Path) -> None:
    ohctl.save_profile("one", base_url="https://one.example.com", api_key="k1")
    ohctl.save_profile("one", base_url="http://127.0.0.1:3000", auth="session-key")
    loaded = ohctl.load_profile("one")
    assert loaded is not None and loaded.api_key is None and loaded.key_source is None
    assert loaded.auth == "session-key"
    assert "k1" not in (config / "credentials.json").read_text()


def test_bad_names_and_schemes_are_refused() -> None:
    with pytest.raises(ohctl.InvalidArgumentError):
        ohctl.save_profile("../evil", base_url="https://x.example.com")
    with pytest.raises(ohctl.InvalidArgumentError):
        ohctl.save_profile("ok", base_url="https://x.example.com", auth="basic")


def test_a_corrupt_file_is_a_clear_error(config: Path) -> None:
    config.mkdir()
    (config / "profiles.json").write_text("{nope")
    with pytest.raises(ohctl.ConfigurationError, match="not valid JSON"):
        ohctl.list_profiles()


def test_keyring_backend_holds_the_key(config: Path, memory_keyring: MemoryKeyring) -> None:
    assert ohctl.keyring_available()
    saved = ohctl.save_profile("work", base_url="https://oh.example.com", api_key=KEY)
    assert saved.key_source == "keyring"
    assert memory_keyring.store == {("ohctl", "work"): KEY}
    assert not (config / "credentials.json").exists()
    assert KEY not in (config / "profiles.json").read_text()
    assert ohctl.load_profile("work").api_key == KEY  # type: ignore[union-attr]
    assert ohctl.delete_profile("work")
    assert memory_keyring.store == {}


def test_keyring_off_by_environment(
    config: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    assert not ohctl.keyring_available()
    assert ohctl.save_profile("w", base_url="https://oh.example.com", api_key=KEY).key_source != "keyring"
    assert memory_keyring.store == {}


def test_a_fail_backend_means_the_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("OHCTL_KEYRING", "1")
    try:
        assert not ohctl.keyring_available()
        assert ohctl.save_profile("w", base_url="https://oh.example.com", api_key=KEY).key_source == str(
            config / "credentials.json"
        )
    finally:
        keyring.set_keyring(previous)


def test_a_locked_keyring_falls_back_to_the_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    monkeypatch.setenv("OHCTL_KEYRING", "1")
    try:
        saved = ohctl.save_profile("w", base_url="https://oh.example.com", api_key=KEY)
    finally:
        keyring.set_keyring(previous)
    assert saved.key_source == str(config / "credentials.json")
    assert ohctl.load_profile("w").api_key == KEY  # type: ignore[union-attr]


def test_the_client_uses_a_profile_key_only_with_its_own_server(monkeypatch: pytest.MonkeyPatch) -> None:
    ohctl.save_profile("work", base_url="https://oh.example.com", api_key=KEY, auth="session-key")
    client = ohctl.OpenHands()
    assert (client.base_url, client.config.api_key, client.config.auth) == (
        "https://oh.example.com",
        KEY,
        "session-key",
    )
    assert client.config.api_key_source is not None and client.config.api_key_source.startswith("profile work")
    client.close()
    monkeypatch.setenv("OPENHANDS_BASE_URL", "https://other.example.com")
    other = ohctl.OpenHands()
    assert other.config.api_key is None  # the stored key never goes to another server
    other.close()
    monkeypatch.setenv("OPENHANDS_API_KEY", "from-env")
    env = ohctl.OpenHands()
    assert (env.config.api_key, env.config.api_key_source) == ("from-env", "OPENHANDS_API_KEY")
    env.close()
