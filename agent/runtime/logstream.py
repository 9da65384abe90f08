"""Container log streams: Docker's log output read on a thread, turned into lines, taken in batches.

Docker's logs endpoint (with timestamps) sends one frame per log message: for a container without
a TTY, an 8-byte header (stream 1 stdout / 2 stderr, then the length) and "<RFC3339Nano> <text>";
for a TTY container, the raw text with one "<RFC3339Nano> <text>\\r\\n" per line. A line longer
than the log driver's buffer (16 KiB) comes as several messages, each with its own timestamp, and
only the last ends with a newline: they are joined back into one line.

`LogStream` owns one thread that reads the response into a bounded buffer (the thread waits while
it is full, so a slow consumer holds Docker back) and wakes the event loop once per batch; async
iteration returns everything buffered as one batch. `aclose()` shuts the socket down, which
unblocks the thread's read. This module does not import `docker`: `DockerRuntime.logs` opens
the response and hands it over as `RawLogs`.
"""

from __future__ import annotations

import asyncio
import calendar
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import structlog

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import LogEntry

log = structlog.get_logger("berth.agent.runtime")

_STREAMS = {1: "stdout", 2: "stderr"}


@dataclass(frozen=True)
class RawLogs:
    """An open logs response: `read(n)` returns up to n bytes (b"" at the end)."""

    read: Callable[[int], bytes]
    multiplexed: bool  # False for TTY containers: one stream, no frame headers
    close: Callable[[], None]


class _Clock:
    """RFC 3339 timestamps to epoch nanoseconds, caching the whole-second part (lines share it)."""

    def __init__(self) -> None:
        self._prefix = b""
        self._seconds = 0

    def parse(self, stamp: bytes) -> int:
        prefix = stamp[:19]  # 2024-05-01T12:34:56
        if prefix != self._prefix:
            try:
                self._seconds = calendar.timegm(time.strptime(prefix.decode(), "%Y-%m-%dT%H:%M:%S"))
            except ValueError:
                return 0
            self._prefix = prefix
        rest = stamp[19:]
        nanos = 0
        if rest.startswith(b"."):
            end = 1
            while end < len(rest) and 48 <= rest[end] <= 57:
                end += 1
            nanos = int((rest[1:end] + b"000000000")[:9])
            rest = rest[end:]
        offset = 0
        if rest[:1] in (b"+", b"-") and len(rest) >= 6:
            sign = 1 if rest[:1] == b"+" else -1
            offset = sign * (int(rest[1:3]) * 3600 + int(rest[4:6]) * 60)
        return (self._seconds - offset) * 10**9 + nanos


class LineAssembler:
    """Log messages ("<timestamp> <text>") into lines, per stream, joining partial messages."""

    def __init__(self) -> None:
        self._clock = _Clock()
        self._partial: dict[str, tuple[int, bytes]] = {}

    def feed(self, stream: str, payload: bytes) -> list[LogEntry]:
        out: list[LogEntry] = []
        for piece in payload.splitlines(keepends=True):
            stamp, _, text = piece.partition(b" ")
            when = self._clock.parse(stamp)
            if not when:  # no timestamp: continuation of a line
                when, text = 0, piece
            started = self._partial.pop(stream, None)
            if started is not None:
                when, text = started[0], started[1] + text
            if text.endswith(b"\n"):
                out.append(_entry(stream, when, text.rstrip(b"\n").rstrip(b"\r")))
            else:
                self._partial[stream] = (when, text)
        return out

    def flush(self) -> list[LogEntry]:
        """What is left at the end of the stream (a last line without a newline)."""
        out = [_entry(stream, when, text) for stream, (when, text) in self._partial.items()]
        self._partial.clear()
        return sorted(out, key=lambda e: e.time)


def _entry(stream: str, ns: int, text: bytes) -> LogEntry:
    return LogEntry(stream, ns / 1e9, _decode(text), ns)


def _decode(text: bytes) -> str:
    return text.decode("utf-8", errors="replace")


def _read_exact(read: Callable[[int], bytes], size: int) -> bytes:
    data = read(size)
    while data and len(data) < size:
        more = read(size - len(data))
        if not more:
            break
        data += more
    return data


def entries(raw: RawLogs) -> Iterator[LogEntry]:
    """Every line of a logs response, in order (blocking reads)."""
    lines = LineAssembler()
    if raw.multiplexed:
        while True:
            header = _read_exact(raw.read, 8)
            if len(header) < 8:
                break
            size = int.from_bytes(header[4:8], "big")
            payload = _read_exact(raw.read, size) if size else b""
            yield from lines.feed(_STREAMS.get(header[0], "stdout"), payload)
    else:
        rest = b""
        while True:
            chunk = raw.read(65536)
            if not chunk:
                break
            complete, newline, rest = (rest + chunk).rpartition(b"\n")
            if newline:
                yield from lines.feed("stdout", complete + newline)
        if rest:
            yield from lines.feed("stdout", rest)
    yield from lines.flush()


class LogStream:
    """An async iterator of batches of LogEntry, fed by one reader thread."""

    def __init__(
        self,
        open_logs: Callable[[], RawLogs],
        *,
        max_buffer: int = 4096,
        on_close: Callable[[LogStream], None] | None = None,
    ) -> None:
        self._open = open_logs
        self._max = max_buffer
        self._on_close = on_close
        self._cond = threading.Condition()
        self._buffer: list[LogEntry] = []
        self._done = False
        self._error: Exception | None = None
        self._stopping = False
        self._raw: RawLogs | None = None
        self._wake = asyncio.Event()
        self._wake_pending = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="berth-docker-logs", daemon=True)

    def start(self, loop: asyncio.AbstractEventLoop) -> LogStream:
        self._loop = loop
        self._thread.start()
        return self

    # -- the consumer (event loop) ---------------------------------------------------------------

    def __aiter__(self) -> LogStream:
        return self

    async def __anext__(self) -> list[LogEntry]:
        while True:
            self._wake.clear()
            with self._cond:
                if self._buffer:
                    batch, self._buffer = self._buffer, []
                    self._wake_pending = False
                    self._cond.notify_all()
                    return batch
                ended = self._done or self._stopping
                error = self._error if not self._stopping else None
            if ended:
                self._closed()
                if error is not None:
                    raise error
                raise StopAsyncIteration
            await self._wake.wait()

    async def aclose(self) -> None:
        """Stop reading (unblocks the thread); iteration ends. Idempotent."""
        with self._cond:
            if self._stopping:
                return
            self._stopping = True
            raw = self._raw
            self._cond.notify_all()
        if raw is not None:
            try:
                raw.close()
            except Exception:  # already closed by the other side
                pass
        self._closed()

    def _closed(self) -> None:
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close(self)

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- the reader thread -----------------------------------------------------------------------

    def _run(self) -> None:
        raw: RawLogs | None = None
        try:
            raw = self._open()
            with self._cond:
                self._raw = raw
                stopping = self._stopping
            if stopping:
                raw.close()
                return
            for entry in entries(raw):
                with self._cond:
                    while len(self._buffer) >= self._max and not self._stopping:
                        self._cond.wait(0.5)
                    if self._stopping:
                        return
                    self._buffer.append(entry)
                    wake = not self._wake_pending
                    self._wake_pending = True
                if wake:
                    self._notify()
        except ContainerRuntimeError as e:
            self._error = e
        except Exception as e:  # the socket was shut down by aclose(), or Docker went away
            if not self._stopping:
                log.warning("docker_logs_stream_error", error=str(e) or type(e).__name__)
                self._error = ContainerRuntimeError(f"reading the logs failed: {e}")
        finally:
            if raw is not None:
                try:
                    raw.close()
                except Exception:  # already shut down by aclose()
                    pass
            with self._cond:
                self._done = True
            self._notify()

    def _notify(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop closed meanwhile
            pass
