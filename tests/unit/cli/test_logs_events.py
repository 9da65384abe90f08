"""The pure parts of `berth logs` and `berth events`: --since, line formats, stream routing."""

from __future__ import annotations

import io

import pytest

from berth.cli.events import eventbridge, line
from berth.cli.logs import Printer, format_line, parse_since, stamp
from berth.v1 import berth_pb2, types_pb2

NOW = 1_714_564_800.0  # 2024-05-01T12:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", NOW - 30),
        ("10m", NOW - 600),
        ("2h", NOW - 7200),
        ("1h30m", NOW - 5400),
        ("1.5h", NOW - 5400),
        ("250ms", NOW - 0.25),
        ("2d", NOW - 172800),
        ("1714560000", 1714560000.0),
        ("1714560000.5", 1714560000.5),
        ("2024-05-01T11:00:00Z", NOW - 3600),
        ("2024-05-01T13:00:00+02:00", NOW - 3600),
    ],
)
def test_parse_since(text: str, expected: float) -> None:
    assert parse_since(text, NOW) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "10x", "yesterday", "-5m", "5 m"])
def test_parse_since_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="--since"):
        parse_since(text, NOW)


def test_line_formats() -> None:
    event = berth_pb2.LogEvent(container_name="web", stream="stdout", timestamp=NOW + 0.25, message="hi")
    assert format_line(event, prefix_width=0, timestamps=False) == "hi\n"
    assert format_line(event, prefix_width=5, timestamps=True) == "web   | 2024-05-01T12:00:00.250000Z hi\n"
    assert stamp(NOW) == "2024-05-01T12:00:00.000000Z"


def test_stderr_lines_go_to_stderr_in_order() -> None:
    out, err = io.StringIO(), io.StringIO()
    printer = Printer(out, err, prefix_width=0, timestamps=False)
    events = [
        berth_pb2.LogEvent(stream="stdout", message="a"),
        berth_pb2.LogEvent(stream="stderr", message="b"),
        berth_pb2.LogEvent(stream="stdout", message="c"),
    ]
    printer.write(events)
    assert out.getvalue() == "a\nc\n" and err.getvalue() == "b\n"


def test_events_as_eventbridge_json_and_as_lines() -> None:
    event = berth_pb2.Event(
        id="12-0-0",
        detail_type="ECS Task State Change",
        source="berth.ecs",
        account="000000000000",
        region="local",
        time=NOW,
        resources=["arn:t"],
        task=types_pb2.Task(task_arn="arn:t", last_status="RUNNING"),
        type="task",
        summary="task t (web:1) PENDING -> RUNNING",
    )
    doc = eventbridge(event)
    assert doc["detail-type"] == "ECS Task State Change" and doc["source"] == "berth.ecs"
    assert doc["time"] == "2024-05-01T12:00:00.000Z" and doc["id"] == "12-0-0"
    assert doc["detail"] == {"taskArn": "arn:t", "lastStatus": "RUNNING"}
    assert doc["version"] == "0" and doc["resources"] == ["arn:t"]
    assert line(event) == "2024-05-01T12:00:00.000Z  task        task t (web:1) PENDING -> RUNNING  #12-0-0"
