"""Exec streams: a `docker exec` process's output read on a thread, its stdin written on another.

`docker exec` hands back the hijacked HTTP connection: without a TTY, stdout and stderr come as
frames (an 8-byte header: stream 1 stdout / 2 stderr, then the length; as in the logs endpoint),
with a TTY as raw bytes; whatever is written to the connection is the process's stdin, and
shutting down its write side ends stdin.

`ExecStream` owns one reader thread (into a bounded buffer: the thread waits while it is full, so
a slow consumer holds the process back) and one writer thread (stdin chunks in order; `write()`
returns once its chunk is written, so the caller can pace its own sender). Async iteration
returns everything buffered as one batch of (stream, bytes) pieces.

Docker has no call that stops an exec'd process, and closing the connection leaves it running
(moby#9098). `aclose()` therefore kills it and the processes it started, by host pid, after
checking in /proc that each of them is in the container's cgroup (a pid from dockerd's pid
namespace means nothing elsewhere, and might since have been reused). This module does not
import `docker`: `DockerRuntime.exec` opens the exec and hands it over as `RawExec`.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import signal
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import structlog

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import ExecStatus

log = structlog.get_logger("berth.agent.runtime")

READ_SIZE = 32 * 1024
_STREAMS = {1: "stdout", 2: "stderr"}

Piece = tuple[str, bytes]  # ("stdout" | "stderr", data)


@dataclass(frozen=True)
class RawExec:
    """An open exec connection. `read(n)` returns up to n bytes (b"" at the end, blocking until
    some arrive); `write` sends all of its bytes; `close_write` ends stdin; `close` shuts the
    connection down (unblocking a read)."""

    read: Callable[[int], bytes]
    write: Callable[[bytes], None]
    close_write: Callable[[], None]
    close: Callable[[], None]
    multiplexed: bool  # False with a TTY: one stream, no frame headers


class Demuxer:
    """Docker's stream frames (header + payload) into (stream, bytes) pieces, fed in any cuts."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[Piece]:
        buf = self._pending + data
        out: list[Piece] = []
        at = 0
        while len(buf) - at >= 8:
            size = int.from_bytes(buf[at + 4 : at + 8], "big")
            if len(buf) - at - 8 < size:
                break
            if size:
                out.append((_STREAMS.get(buf[at], "stdout"), buf[at + 8 : at + 8 + size]))
            at += 8 + size
        self._pending = buf[at:]
        return out


def coalesce(pieces: Iterable[Piece], limit: int) -> list[Piece]:
    """Adjacent pieces of the same stream joined, each result at most `limit` bytes."""
    out: list[Piece] = []
    for stream, data in pieces:
        while data:
            if out and out[-1][0] == stream and len(out[-1][1]) < limit:
                room = limit - len(out[-1][1])
                out[-1] = (stream, out[-1][1] + data[:room])
                data = data[room:]
            else:
                out.append((stream, data[:limit]))
                data = data[limit:]
    return out


# -- killing what an exec started ------------------------------------------------------------------


def descendants(parents: Mapping[int, int], root: int) -> list[int]:
    """`root` and every process below it, parents before children (`parents`: pid -> ppid)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, todo, seen = [], [root], {root}
    while todo:
        pid = todo.pop(0)
        out.append(pid)
        for child in sorted(children.get(pid, [])):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return out


def parent_of(stat: str) -> int | None:
    """The ppid in a /proc/<pid>/stat line (the command may hold spaces and parentheses)."""
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None


def _process_parents(proc: Path) -> dict[int, int]:
    parents = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                ppid = parent_of((entry / "stat").read_text())
            except OSError:  # gone meanwhile
                continue
            if ppid is not None:
                parents[int(entry.name)] = ppid
    return parents


def _in_container(proc: Path, pid: int, container_id: str) -> bool:
    try:
        return container_id in (proc / str(pid) / "cgroup").read_text()
    except OSError:
        return False


def kill_tree(pid: int, container_id: str, *, proc: Path = Path("/proc")) -> int:
    """SIGKILL `pid` and what it started, where /proc shows them in the container; how many.

    One pass: the parent dies first, so it cannot start more; a child started between the scan
    and the kill is missed (it then dies with the container)."""
    if pid <= 0 or not _in_container(proc, pid, container_id):
        return 0
    killed = 0
    for target in descendants(_process_parents(proc), pid):
        if not _in_container(proc, target, container_id):
            continue
        try:
            os.kill(target, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            pass
        except PermissionError:
            log.warning("exec_process_not_killed", pid=target, error="permission denied")
    return killed


# -- the stream ------------------------------------------------------------------------------------


class ExecStream:
    """One exec'd process: async iteration over its output batches; stdin, resize, wait, close."""

    def __init__(
        self,
        raw: RawExec,
        *,
        container_id: str,
        exec_id: str,
        inspect: Callable[[], Awaitable[ExecStatus]],
        resize: Callable[[int, int], Awaitable[None]],
        max_buffer: int = 256 * 1024,
        on_close: Callable[[ExecStream], None] | None = None,
        proc: Path = Path("/proc"),
    ) -> None:
        self.container_id = container_id
        self.exec_id = exec_id
        self._raw = raw
        self._inspect = inspect
        self._resize = resize
        self._max = max_buffer
        self._on_close = on_close
        self._proc = proc
        self._cond = threading.Condition()
        self._buffer: list[Piece] = []
        self._buffered = 0
        self._done = False
        self._error: Exception | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # (stdin bytes, or None to end stdin; settled once done), or None to stop the writer.
        self._writes: queue.Queue[tuple[bytes | None, asyncio.Future[None]] | None] = queue.Queue()
        self._stdin_closed = False
        self._exit_code: int | None = None
        self._reader = threading.Thread(target=self._read, name="berth-exec-read", daemon=True)
        self._writer = threading.Thread(target=self._write, name="berth-exec-write", daemon=True)

    def start(self, loop: asyncio.AbstractEventLoop) -> ExecStream:
        self._loop = loop
        self._reader.start()
        self._writer.start()
        return self

    # -- the consumer (event loop) ---------------------------------------------------------------

    def __aiter__(self) -> ExecStream:
        return self

    async def __anext__(self) -> list[Piece]:
        while True:
            self._wake.clear()
            with self._cond:
                if self._buffer:
                    batch, self._buffer, self._buffered = self._buffer, [], 0
                    self._cond.notify_all()
                    return batch
                ended = self._done or self._stopping
                error = self._error if not self._stopping else None
            if ended:
                if error is not None:
                    raise error
                raise StopAsyncIteration
            await self._wake.wait()

    async def write(self, data: bytes) -> None:
        """Write to the process's stdin; returns once written (a process that does not read its
        stdin holds this back). Writes after `close_stdin` are dropped."""
        if not data or self._stdin_closed or self._stopping:
            return
        await self._queue_write(data)

    async def close_stdin(self) -> None:
        """End the process's stdin (after every write before it). Idempotent."""
        if self._stdin_closed or self._stopping:
            return
        self._stdin_closed = True
        await self._queue_write(None)

    async def _queue_write(self, data: bytes | None) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writes.put((data, done))
        await done

    async def resize(self, rows: int, cols: int) -> None:
        await self._resize(rows, cols)

    async def wait(self) -> int:
        """The exit code, once the output has ended. A process can outlive its output (it closed
        stdout); it is then asked after with a growing pause (up to 1 s)."""
        delay = 0.02
        while True:
            status = await self._inspect()
            if not status.running:
                self._exit_code = status.exit_code
                return status.exit_code
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def aclose(self) -> None:
        """Kill the process (and what it started) unless it exited, then close. Idempotent."""
        with self._cond:
            if self._stopping:
                return
            self._stopping = True
            self._cond.notify_all()
        if self._exit_code is None:
            try:
                status = await self._inspect()
                if status.running:
                    killed = await asyncio.to_thread(
                        kill_tree, status.pid, self.container_id, proc=self._proc
                    )
                    log.info("exec_killed", exec_id=self.exec_id, processes=killed)
            except ContainerRuntimeError as e:  # dockerd is gone: so is the container, soon
                log.warning("exec_not_killed", exec_id=self.exec_id, error=str(e))
        try:
            self._raw.close()
        except Exception:  # already closed by the other side
            pass
        self._writes.put(None)
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close(self)

    def join(self, timeout: float) -> None:
        for thread in (self._reader, self._writer):
            if thread.is_alive():
                thread.join(timeout)

    # -- the threads -----------------------------------------------------------------------------

    def _read(self) -> None:
        demux = Demuxer() if self._raw.multiplexed else None
        try:
            while True:
                data = self._raw.read(READ_SIZE)
                if not data:
                    break
                pieces = demux.feed(data) if demux is not None else [("stdout", data)]
                with self._cond:
                    while self._buffered >= self._max and not self._stopping:
                        self._cond.wait(0.5)
                    if self._stopping:
                        return
                    self._buffer.extend(pieces)
                    self._buffered += sum(len(p[1]) for p in pieces)
                self._notify(self._wake.set)
        except Exception as e:  # the connection was shut down by aclose(), or dockerd went away
            if not self._stopping:
                log.warning("exec_stream_error", exec_id=self.exec_id, error=str(e) or type(e).__name__)
                self._error = ContainerRuntimeError(f"reading the exec output failed: {e}")
        finally:
            with self._cond:
                self._done = True
            self._notify(self._wake.set)

    def _write(self) -> None:
        while True:
            item = self._writes.get()
            if item is None:
                return
            data, done = item
            try:
                if self._stopping:
                    pass
                elif data is None:
                    self._raw.close_write()
                else:
                    self._raw.write(data)
            except OSError as e:
                # The process is gone, and the connection with it: not the writer's problem, its
                # output and exit code tell what happened.
                log.debug("exec_stdin_not_written", exec_id=self.exec_id, error=str(e))
            self._notify(functools.partial(_settle, done))

    def _notify(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop closed meanwhile
            pass


def _settle(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)
