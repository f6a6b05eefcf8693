"""One settings source: SPEC_KITTY_SYNC_* limits, the server URL and token, the backoff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from spec_kitty_bodysync.delivery import (
    Backoff,
    DeliverySettings,
    credentials_path,
    delete_credentials,
    is_loopback_host,
    normalize_server_url,
    read_credentials,
    resolve_server,
    server_settings,
    validate_token,
    write_credentials,
)
from spec_kitty_bodysync.errors import SettingsError


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPEC_KITTY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SPEC_KITTY_SERVER_URL", raising=False)
    monkeypatch.delenv("SPEC_KITTY_TOKEN", raising=False)
    return tmp_path / "home"


def test_defaults_and_environment() -> None:
    assert DeliverySettings.from_env({}) == DeliverySettings()
    env = {
        "SPEC_KITTY_SYNC_TIMEOUT": "2.5",
        "SPEC_KITTY_SYNC_BATCH_SIZE": "5000",
        "SPEC_KITTY_SYNC_MAX_ANSWER_BYTES": "2048",
        "SPEC_KITTY_SYNC_DEADLINE": " ",
    }
    settings = DeliverySettings.from_env(env)
    assert (settings.timeout, settings.batch_size, settings.max_answer_bytes) == (2.5, 1000, 2048)
    assert settings.deadline == 300.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SPEC_KITTY_SYNC_TIMEOUT", "0"),
        ("SPEC_KITTY_SYNC_TIMEOUT", "nan"),
        ("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "1.5"),
        ("SPEC_KITTY_SYNC_BACKOFF_BASE", "0"),
        ("SPEC_KITTY_SYNC_MAX_ANSWER_BYTES", str(10**12)),
        ("SPEC_KITTY_SYNC_MAX_ATTEMPTS", str(10**20)),
        ("SPEC_KITTY_SYNC_TIMEOUT", "inf"),
        ("SPEC_KITTY_SYNC_BACKOFF_MAX", "1e9"),
        ("SPEC_KITTY_SYNC_DEADLINE", "1e30"),
        ("SPEC_KITTY_SYNC_BACKOFF_BASE", "9" * 5000),
    ],
)
def test_out_of_range_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        DeliverySettings.from_env({name: value})
    assert err.value.code == "SYNC_SETTING_INVALID" and err.value.details["env"] == name
    assert len(err.value.message) < 200  # the value is shown, cut to a readable length


def test_one_backoff_formula_honours_retry_after() -> None:
    policy = DeliverySettings(backoff_base=1.0, backoff_max=4.0).backoff()
    assert policy == Backoff(base=1.0, cap=4.0, jitter=0.5)
    assert all(0.5 <= policy.delay(0) <= 1.0 for _ in range(20))
    assert all(2.0 <= policy.delay(5) <= 4.0 for _ in range(20))
    assert policy.wait(0, 30.0) == 30.0
    assert policy.wait(5, None) <= 4.0


def test_credentials_round_trip(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_credentials() is None and delete_credentials() is False
    with pytest.raises(SettingsError) as err:
        resolve_server()
    assert err.value.code == "SYNC_NOT_CONFIGURED"
    path = write_credentials("https://saas.example/", "tok")
    assert path == credentials_path() and os.stat(path).st_mode & 0o777 == 0o600
    assert resolve_server() == ("https://saas.example", "tok")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "env-tok")
    shown = server_settings()
    assert shown["token_source"] == "env" and shown["server_source"] == "credentials"
    assert "env-tok" not in json.dumps(shown) and 'tok"' not in json.dumps(shown)
    assert resolve_server() == ("https://saas.example", "env-tok")
    assert delete_credentials() is True


def test_damaged_or_shared_credentials_are_refused(home: Path) -> None:
    path = write_credentials("https://saas.example", "tok")
    os.chmod(path, 0o644)
    with pytest.raises(SettingsError) as err:
        read_credentials()
    assert err.value.code == "CREDENTIALS_INSECURE"
    os.chmod(path, 0o600)
    for text in ("{", "[]", "[" * 100_000, " " * 70_000):
        path.write_text(text)
        with pytest.raises(SettingsError) as err:
            read_credentials()
        assert err.value.code == "CREDENTIALS_DAMAGED"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://saas.example", "SERVER_URL_INSECURE"),
        ("http://192.168.1.2", "SERVER_URL_INSECURE"),
        ("ftp://saas.example", "SERVER_URL_INVALID"),
        ("https://" + "a" * 3000, "SERVER_URL_INVALID"),
        ("https://saas.example/\x00", "SERVER_URL_INVALID"),
        ("https://:443", "SERVER_URL_INVALID"),
    ],
)
def test_bad_server_urls(url: str, code: str) -> None:
    with pytest.raises(SettingsError) as err:
        normalize_server_url(url)
    assert err.value.code == code


def test_loopback_hosts() -> None:
    assert all(
        map(is_loopback_host, ["localhost", "LOCALHOST.", "127.0.0.1", "[::1]", "127.9.9.9"])
    )
    assert not any(map(is_loopback_host, [None, "", "10.0.0.1", "localhost.example", "::2"]))


@pytest.mark.parametrize(("token", "code"), [(" ", "AUTH_TOKEN_EMPTY"), ("a b", "AUTH_TOKEN_INVALID"),
                                             ("tök", "AUTH_TOKEN_INVALID"), ("t" * 9000, "AUTH_TOKEN_INVALID")])  # fmt: skip
def test_bad_tokens(token: str, code: str) -> None:
    with pytest.raises(SettingsError) as err:
        validate_token(token)
    assert err.value.code == code
    assert not token.strip() or token.strip() not in err.value.message
