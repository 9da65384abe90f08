"""The --drain-on-stop flags of berth-agent."""

from __future__ import annotations

import pytest

from agent import main
from agent.main import parse_args

BASE = ["--endpoint", "cp:7410", "--data-dir", "/tmp/berth-agent-flags"]


@pytest.fixture(autouse=True)
def keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_args configures logging onto the (captured) stderr: not here, it outlives the test."""
    monkeypatch.setattr(main.logs, "configure", lambda **_: None)


def test_drain_on_stop_is_off_by_default() -> None:
    settings = parse_args(BASE)
    assert not settings.drain_on_stop and settings.drain_timeout_seconds == 300


def test_drain_on_stop_with_a_timeout() -> None:
    settings = parse_args([*BASE, "--drain-on-stop", "--drain-timeout", "45"])
    assert settings.drain_on_stop and settings.drain_timeout_seconds == 45


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--pool", "fargate", "--drain-on-stop"], "--drain-on-stop: pool agents do not drain"),
        (["--drain-timeout", "-1"], "--drain-timeout -1.0: must not be negative"),
    ],
    ids=["pool", "negative-timeout"],
)
def test_bad_drain_flags_are_refused(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        parse_args([*BASE, *extra])
    assert e.value.code == 2 and message in capsys.readouterr().err
