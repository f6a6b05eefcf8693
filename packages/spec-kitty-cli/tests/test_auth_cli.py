"""`spec-kitty auth login|status|logout` and resolve_server()."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from spec_kitty_bodysync.delivery import credentials_path, normalize_server_url, resolve_server
from spec_kitty_bodysync.errors import SettingsError

TOKEN = "tok-XYZ-123-never-shown"


def test_login_stores_0600_and_never_prints_the_token(run_cli) -> None:
    res = run_cli(
        "auth",
        "login",
        "--server",
        "https://saas.example/",
        "--token-stdin",
        "--json",
        stdin=TOKEN + "\n",
    )
    assert res.exit_code == 0, res.stdout + res.stderr
    data = res.json()
    assert data == {
        "result": "success",
        "server_url": "https://saas.example",
        "token_set": True,
        "credentials_file": str(credentials_path()),
    }
    assert TOKEN not in res.stdout + res.stderr
    path = credentials_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["token"] == TOKEN and stored["server_url"] == "https://saas.example"
    assert resolve_server() == ("https://saas.example", TOKEN)

    status = run_cli("auth", "status", "--json")
    info = status.json()
    assert info["server_url"] == "https://saas.example" and info["token_set"] is True
    assert info["token_source"] == "credentials"
    assert TOKEN not in status.stdout
    human = run_cli("auth", "status")
    assert "set (credentials)" in human.stdout and TOKEN not in human.stdout


def test_env_overrides_credentials(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("auth", "login", "--server", "http://127.0.0.1:9", "--token-stdin", stdin="a")
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", "http://127.0.0.1:8000/")
    assert resolve_server() == ("http://127.0.0.1:8000", "a")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "b")
    assert resolve_server() == ("http://127.0.0.1:8000", "b")
    info = run_cli("auth", "status", "--json").json()
    assert (info["server_source"], info["token_source"]) == ("env", "env")


def test_logout_removes_credentials(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("auth", "login", "--server", "http://localhost:1", "--token-stdin", stdin="t")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "env-token")
    res = run_cli("auth", "logout", "--json")
    assert res.json()["removed"] is True
    assert res.json()["env_still_set"] == ["SPEC_KITTY_TOKEN"]
    assert not credentials_path().exists()
    again = run_cli("auth", "logout")
    assert again.exit_code == 0 and "No stored credentials" in again.stdout
    with pytest.raises(SettingsError) as info:
        resolve_server()
    assert info.value.code == "SYNC_NOT_CONFIGURED"
    assert info.value.details["missing"] == ["server_url"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://saas.example",
        "file:///etc/passwd",
        "https://",
        "https://user:pw@saas.example",
        "https://saas.example/?x=1",
        "https://saas.example:99999",
        "saas.example",
    ],
)
def test_only_plain_http_urls(url: str, run_cli) -> None:
    res = run_cli("auth", "login", "--server", url, "--token-stdin", "--json", stdin="t")
    assert res.exit_code == 2
    assert res.json()["error_code"] == "SERVER_URL_INVALID"
    assert not credentials_path().exists()


@pytest.mark.parametrize(
    ("token", "code"), [("", "AUTH_TOKEN_EMPTY"), ("a b", "AUTH_TOKEN_INVALID")]
)
def test_bad_tokens_are_refused(token: str, code: str, run_cli) -> None:
    res = run_cli(
        "auth", "login", "--server", "https://s.example", "--token-stdin", "--json", stdin=token
    )
    assert res.exit_code == 2 and res.json()["error_code"] == code


def test_login_without_token_source_is_an_error(run_cli) -> None:
    res = run_cli("auth", "login", "--server", "https://s.example", "--json", stdin="")
    assert res.exit_code == 2 and res.json()["error_code"] == "AUTH_TOKEN_REQUIRED"


def test_insecure_or_damaged_credentials_are_refused(run_cli) -> None:
    run_cli("auth", "login", "--server", "https://s.example", "--token-stdin", stdin="t")
    path = credentials_path()
    os.chmod(path, 0o644)
    res = run_cli("auth", "status", "--json")
    assert res.exit_code == 2 and res.json()["error_code"] == "CREDENTIALS_INSECURE"
    os.chmod(path, 0o600)
    for text in ("{", "[]"):
        path.write_text(text)
        res = run_cli("auth", "status", "--json")
        assert res.json()["error_code"] == "CREDENTIALS_DAMAGED"
        with pytest.raises(SettingsError) as info:
            resolve_server()
        assert info.value.code == "CREDENTIALS_DAMAGED"


def test_normalize_keeps_path_prefix(tmp_path: Path) -> None:
    assert normalize_server_url(" https://h.example/saas/ ") == "https://h.example/saas"
    assert normalize_server_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "url",
    [
        "http://saas.example",
        "http://10.0.0.5:8000",
        "http://[2001:db8::1]/",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.example",
    ],
)
def test_plain_http_to_a_remote_host_is_refused_at_configuration(
    url: str, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = run_cli("auth", "login", "--server", url, "--token-stdin", "--json", stdin="secret-t")
    assert res.exit_code == 2
    assert res.json()["error_code"] == "SERVER_URL_INSECURE"
    assert "secret-t" not in res.stdout + res.stderr
    assert not credentials_path().exists()
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", url)
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "secret-t")
    with pytest.raises(SettingsError) as info:
        resolve_server()
    assert info.value.code == "SERVER_URL_INSECURE"


@pytest.mark.parametrize(
    "url", ["http://localhost:8000", "http://127.0.0.1", "http://127.8.9.10:1", "http://[::1]:80"]
)
def test_plain_http_to_loopback_is_accepted(url: str) -> None:
    assert normalize_server_url(url) == url
