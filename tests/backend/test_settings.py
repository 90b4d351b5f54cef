from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from lathe.settings import Settings, is_loopback


def test_defaults_live_under_lathe_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LATHE_HOME", str(tmp_path / "h"))
    monkeypatch.delenv("LATHE_DATABASE_URL", raising=False)
    s = Settings()
    assert s.home == (tmp_path / "h").resolve()
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'h' / 'lathe.db'}"
    assert (s.host, s.port, s.api_token) == ("127.0.0.1", 8000, None)
    s.ensure_home()
    for sub in ("models", "datasets", "runs", "exports", "logs"):
        assert (s.home / sub).is_dir()


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATHE_DATABASE_URL", "postgresql://u:secret@db/lathe")
    monkeypatch.setenv("LATHE_PORT", "9001")
    monkeypatch.setenv("LATHE_API_TOKEN", "t0k")
    s = Settings()
    assert s.resolved_database_url == "postgresql://u:secret@db/lathe"
    assert s.port == 9001
    assert s.api_token is not None and s.api_token.get_secret_value() == "t0k"


def test_blank_token_means_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATHE_API_TOKEN", "  ")
    assert Settings().api_token is None


def test_bad_port_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATHE_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected
