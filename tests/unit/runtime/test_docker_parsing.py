"""How DockerRuntime reads Docker's answers: inspect and list entries, events, timestamps, errors.

The payloads are trimmed copies of what dockerd 20.10 (API 1.41) returns on these machines.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agent.runtime.docker import (
    DockerRuntime,
    _state_from_inspect,
    _state_from_summary,
    parse_event,
    parse_time,
)
from agent.runtime.errors import ContainerRuntimeError, RuntimeUnavailable
from agent.runtime.model import Binding

LABELS = {"berth.task-arn": "arn:task/1", "berth.container-name": "web", "berth.instance-arn": "arn:i"}


def inspect_payload(**state: Any) -> dict[str, Any]:
    base_state = {
        "Status": "exited",
        "Running": False,
        "OOMKilled": True,
        "ExitCode": 137,
        "Error": "",
        "StartedAt": "2026-11-27T08:14:50.070713801Z",
        "FinishedAt": "2026-11-27T08:14:52.5Z",
    }
    base_state.update(state)
    return {
        "Id": "c0ffee",
        "Name": "/berth-1-web",
        "Image": "sha256:abc",
        "State": base_state,
        "Config": {"Labels": LABELS, "Image": "berth/busybox:latest"},
        "NetworkSettings": {
            "Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}]},
            "Networks": {"bridge": {"IPAddress": "172.17.0.5"}},
        },
    }


def test_state_from_inspect() -> None:
    s = _state_from_inspect(inspect_payload())
    assert (s.id, s.name, s.status, s.running, s.exit_code, s.oom_killed) == (
        "c0ffee",
        "berth-1-web",
        "exited",
        False,
        137,
        True,
    )
    assert s.task_arn == "arn:task/1" and s.container_name == "web"
    assert s.started_at == pytest.approx(1795767290.0707138)
    assert s.finished_at == pytest.approx(1795767292.5)
    assert s.network_bindings == (Binding("127.0.0.1", 80, 49153, "tcp"),)
    assert (s.ip_address, s.image_id, s.image, s.health) == (
        "172.17.0.5",
        "sha256:abc",
        "berth/busybox:latest",
        "UNKNOWN",
    )


@pytest.mark.parametrize(
    ("state", "exit_code", "health"),
    [
        pytest.param({"Status": "running", "Running": True, "ExitCode": 0}, None, "UNKNOWN", id="running"),
        pytest.param({"Status": "created", "ExitCode": 0}, None, "UNKNOWN", id="created-never-ran"),
        pytest.param({"Status": "dead", "ExitCode": 1}, 1, "UNKNOWN", id="dead"),
        pytest.param({"Health": {"Status": "healthy"}}, 137, "HEALTHY", id="healthy"),
        pytest.param({"Health": {"Status": "unhealthy"}}, 137, "UNHEALTHY", id="unhealthy"),
        pytest.param({"Health": {"Status": "starting"}}, 137, "UNKNOWN", id="starting"),
    ],
)
def test_exit_code_only_once_exited_and_health(
    state: dict[str, Any], exit_code: int | None, health: str
) -> None:
    s = _state_from_inspect(inspect_payload(**state))
    assert s.exit_code == exit_code and s.health == health


def test_quick_exit_never_finishes_before_it_started() -> None:
    # Docker records StartedAt after runc returns: a process that exits at once "finishes" earlier.
    s = _state_from_inspect(
        inspect_payload(
            StartedAt="2026-11-27T08:14:50.070713801Z", FinishedAt="2026-11-27T08:14:50.070097767Z"
        )
    )
    assert s.finished_at == s.started_at


def test_zero_times_are_none() -> None:
    s = _state_from_inspect(
        inspect_payload(Status="created", StartedAt="0001-01-01T00:00:00Z", FinishedAt="")
    )
    assert s.started_at is None and s.finished_at is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T08:14:46Z", 1795767286.0),
        ("2026-11-27T08:14:46.5Z", 1795767286.5),
        ("2026-11-27T08:14:46.123456789Z", 1795767286.123456789),
        ("2026-11-27T09:14:46.25+01:00", 1795767286.25),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
        ("yesterday", None),
    ],
)
def test_parse_time(value: object, expected: float | None) -> None:
    result = parse_time(value)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("status_text", "health"),
    [
        ("Up 3 minutes (healthy)", "HEALTHY"),
        ("Up 1 second (health: starting)", "UNKNOWN"),
        ("Up 2 hours (unhealthy)", "UNHEALTHY"),
        ("Up 5 seconds", "UNKNOWN"),
    ],
)
def test_state_from_list_entry(status_text: str, health: str) -> None:
    entry = {
        "Id": "c0ffee",
        "Names": ["/berth-1-web"],
        "Image": "berth/busybox:latest",
        "ImageID": "sha256:abc",
        "State": "running",
        "Status": status_text,
        "Labels": LABELS,
        "Ports": [
            {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 49153, "Type": "tcp"},
            {"PrivatePort": 81, "Type": "tcp"},
        ],
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.5"}}},
    }
    s = _state_from_summary(entry)
    assert (s.name, s.status, s.running, s.exit_code, s.health) == (
        "berth-1-web",
        "running",
        True,
        None,
        health,
    )
    assert s.network_bindings == (Binding("0.0.0.0", 80, 49153, "tcp"),)
    assert (s.ip_address, s.image_id, s.started_at) == ("172.17.0.5", "sha256:abc", None)


def event(action: str, **attributes: str) -> dict[str, Any]:
    return {
        "Type": "container",
        "Action": action,
        "status": action,
        "id": "c0ffee",
        "Actor": {"ID": "c0ffee", "Attributes": {**LABELS, "name": "berth-1-web", **attributes}},
        "time": 1795767286,
        "timeNano": 1795767286123456789,
    }


@pytest.mark.parametrize(
    ("raw", "kind", "exit_code", "health"),
    [
        pytest.param(event("start"), "start", None, None, id="start"),
        pytest.param(event("die", exitCode="3"), "die", 3, None, id="die"),
        pytest.param(event("oom"), "oom", None, None, id="oom"),
        pytest.param(event("health_status: healthy"), "health_status", None, "HEALTHY", id="healthy"),
        pytest.param(event("health_status: unhealthy"), "health_status", None, "UNHEALTHY", id="unhealthy"),
        pytest.param(event("exec_start: sh -c true"), "exec_start", None, None, id="exec"),
        pytest.param(event("destroy"), "destroy", None, None, id="destroy"),
    ],
)
def test_parse_event(raw: dict[str, Any], kind: str, exit_code: int | None, health: str | None) -> None:
    e = parse_event(raw)
    assert (e.kind, e.exit_code, e.health) == (kind, exit_code, health)
    assert (e.container_id, e.task_arn, e.container_name) == ("c0ffee", "arn:task/1", "web")
    assert e.time == pytest.approx(1795767286.123456789)
    assert e.attributes["name"] == "berth-1-web"


async def test_unreachable_dockerd_is_runtime_unavailable(tmp_path: Any) -> None:
    rt = DockerRuntime(base_url=f"unix://{tmp_path}/no-docker.sock", timeout=2)
    try:
        with pytest.raises(RuntimeUnavailable) as exc:
            await rt.info()
        assert exc.value.temporary
        with pytest.raises(RuntimeUnavailable):
            await rt.inspect("anything")
        events = rt.events("arn:i")  # keeps retrying in the background until closed
        await asyncio.sleep(0.3)
        await events.aclose()
        assert [e async for e in events] == []
    finally:
        await rt.close()
    with pytest.raises(ContainerRuntimeError, match="closed"):
        await rt.info()
