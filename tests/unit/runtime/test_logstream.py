"""Docker log frames into lines (pure), and LogStream's thread-to-loop hand-over (no Docker)."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.logstream import LineAssembler, LogStream, RawLogs, entries
from agent.runtime.model import LogEntry

T0 = "2024-05-01T12:00:00.000000001Z"
T1 = "2024-05-01T12:00:01.5Z"
EPOCH0 = 1714564800.0
EPOCH0_NS = 1714564800 * 10**9


def frame(stream: int, payload: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


def raw(data: bytes, *, multiplexed: bool = True) -> RawLogs:
    buffer = io.BytesIO(data)
    return RawLogs(read=buffer.read, multiplexed=multiplexed, close=lambda: None)


def test_multiplexed_frames_become_lines_with_stream_and_time() -> None:
    data = (
        frame(1, f"{T0} hello\n".encode()) + frame(2, f"{T1} oops\n".encode()) + frame(1, f"{T1} \n".encode())
    )
    out = list(entries(raw(data)))
    assert [(e.stream, e.message) for e in out] == [("stdout", "hello"), ("stderr", "oops"), ("stdout", "")]
    assert out[0].time == pytest.approx(EPOCH0 + 1e-9)
    assert out[1].time == pytest.approx(EPOCH0 + 1.5)
    assert [e.ns - EPOCH0_NS for e in out] == [1, 1_500_000_000, 1_500_000_000]  # exact, to resume at


def test_a_long_line_split_by_the_log_driver_is_joined() -> None:
    data = frame(1, f"{T0} {'a' * 10}".encode()) + frame(1, f"{T1} {'b' * 5}\n".encode())
    (line,) = entries(raw(data))
    assert line.message == "a" * 10 + "b" * 5 and line.time == pytest.approx(EPOCH0 + 1e-9)


def test_tty_output_is_one_stream_split_anywhere() -> None:
    text = f"{T0} one\r\n{T1} two\r\n{T1} three".encode()
    out = list(entries(RawLogs(read=_chunked(text, 7), multiplexed=False, close=lambda: None)))
    assert [(e.stream, e.message) for e in out] == [("stdout", "one"), ("stdout", "two"), ("stdout", "three")]


def _chunked(data: bytes, size: int):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO(data)
    return lambda n: buffer.read(min(n, size))


def test_short_reads_of_a_frame_are_completed() -> None:
    data = frame(1, f"{T0} {'x' * 100}\n".encode())
    (line,) = entries(RawLogs(read=_chunked(data, 3), multiplexed=True, close=lambda: None))
    assert line.message == "x" * 100


def test_timestamp_offsets_and_invalid_utf8() -> None:
    lines = LineAssembler().feed("stdout", b"2024-05-01T14:00:00+02:00 \xff ok\n")
    assert lines == [LogEntry("stdout", EPOCH0, "\ufffd ok", EPOCH0_NS)]


async def test_log_stream_batches_and_backpressure() -> None:
    produced = threading.Event()
    data = b"".join(frame(1, f"{T0} line {i}\n".encode()) for i in range(1000))

    def open_logs() -> RawLogs:
        produced.set()
        return raw(data)

    stream = LogStream(open_logs, max_buffer=100).start(asyncio.get_running_loop())
    got: list[LogEntry] = []
    async for batch in stream:
        assert len(batch) <= 100  # the thread never buffers more than that
        got.extend(batch)
    assert [e.message for e in got] == [f"line {i}" for i in range(1000)]
    stream.join(2)


async def test_log_stream_errors_and_close() -> None:
    def fail() -> RawLogs:
        raise ContainerRuntimeError("No such container: x")

    stream = LogStream(fail).start(asyncio.get_running_loop())
    with pytest.raises(ContainerRuntimeError, match="No such container"):
        async for _ in stream:
            pass

    blocked = threading.Event()
    closed = threading.Event()

    def read(n: int) -> bytes:
        blocked.set()
        closed.wait(5)
        return b""

    closes: list[LogStream] = []
    stream = LogStream(lambda: RawLogs(read=read, multiplexed=True, close=closed.set), on_close=closes.append)
    stream.start(asyncio.get_running_loop())
    await asyncio.to_thread(blocked.wait, 5)
    await stream.aclose()  # unblocks the read
    assert [b async for b in stream] == []
    stream.join(2)
    assert closes == [stream]
