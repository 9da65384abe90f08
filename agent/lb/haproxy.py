"""The only module that runs HAProxy or talks to its runtime API.

HAProxy runs as a daemon (`-D`) with its pid file, config, admin socket and server-state file in
berth-lb's data dir, so it outlives a berth-lb restart: the next berth-lb finds it through the pid
file and adopts it when the structure fingerprint in its config matches (`config.structure_of`).
A soft reload dumps the servers' state, starts a new process that takes over the listening
sockets through the admin socket (`-x`, `expose-fd listeners`) and lets the old one finish its
connections (`-sf`); no connection is refused or cut.

The runtime API client opens one connection per batch of commands (`;`-separated, HAProxy's
non-interactive mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import signal
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import structlog

from agent.lb.config import structure_of
from agent.lb.plan import ServerState, admin_state

log = structlog.get_logger("berth.lb.haproxy")

_ERRORS = ("no such", "require", "unknown", "invalid", "cannot", "not found", "unexpected", "failed")
_BATCH = 8000  # bytes of commands per connection (HAProxy reads a line of up to bufsize)


class HAProxyError(RuntimeError):
    pass


class Runtime:
    """HAProxy's runtime API over its unix socket."""

    def __init__(self, socket_path: Path, *, timeout: float = 5.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    async def command(self, line: str) -> str:
        async def run() -> str:
            reader, writer = await asyncio.open_unix_connection(str(self.socket_path))
            try:
                writer.write(line.encode() + b"\n")
                await writer.drain()
                return (await reader.read()).decode(errors="replace")
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

        try:
            return await asyncio.wait_for(run(), self.timeout)
        except (OSError, TimeoutError) as e:
            raise HAProxyError(f"runtime API at {self.socket_path}: {e!r}") from e

    async def run(self, commands: Sequence[str]) -> list[str]:
        """Run commands in order, batched; returns the outputs that look like errors."""
        errors: list[str] = []
        batch: list[str] = []
        size = 0
        for cmd in [*commands, ""]:
            if batch and (not cmd or size + len(cmd) > _BATCH):
                out = await self.command(";".join(batch))
                errors += [line for line in out.splitlines() if line.strip() and _is_error(line)]
                batch, size = [], 0
            if cmd:
                batch.append(cmd)
                size += len(cmd) + 1
        return errors

    async def show_stat(self) -> list[dict[str, str]]:
        """`show stat` of the servers, one dict per row keyed by the CSV header."""
        return parse_csv(await self.command("show stat -1 4 -1"))

    async def servers(self) -> dict[str, list[ServerState]]:
        """Backend name -> its server slots as HAProxy has them now."""
        return servers_from_stat(await self.show_stat())

    async def info(self) -> dict[str, str]:
        out = await self.command("show info")
        return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


def _is_error(line: str) -> bool:
    text = line.lower()
    if text.startswith(("ip changed", "no need to change", "port changed")):
        return False
    return any(marker in text for marker in _ERRORS)


def parse_csv(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("# "):
        return []
    header = lines[0][2:].split(",")
    return [dict(zip(header, row, strict=False)) for row in csv.reader(io.StringIO("\n".join(lines[1:])))]


def servers_from_stat(rows: Iterable[dict[str, str]]) -> dict[str, list[ServerState]]:
    out: dict[str, list[ServerState]] = {}
    for row in rows:
        name = row.get("svname", "")
        if not name.startswith("srv") or not name[3:].isdigit():
            continue
        host, _, port = row.get("addr", "").rpartition(":")
        status = row.get("status", "")
        weight = row.get("uweight") or row.get("weight") or "0"
        out.setdefault(row.get("pxname", ""), []).append(
            ServerState(
                slot=int(name[3:]),
                address=host or "0.0.0.0",
                port=int(port) if port.isdigit() else 0,
                admin=admin_state(status),
                weight=int(weight) if weight.isdigit() else 0,
                status=status,
                check_status=row.get("check_status", ""),
                check_code=row.get("check_code", ""),
                check_desc=row.get("last_chk", "") or row.get("check_desc", ""),
            )
        )
    for slots in out.values():
        slots.sort(key=lambda s: s.slot)
    return out


def keep_state(state_file: str, keep: set[tuple[str, str]]) -> str:
    """A `show servers state` dump with only the servers in `keep` (backend, server): the others
    take what the new config says (a slot whose target changed must not get its old port back)."""
    out = []
    for line in state_file.splitlines():
        fields = line.split()
        if line.startswith("#") or len(fields) < 4 or (fields[1], fields[3]) in keep:
            out.append(line)
    return "\n".join(out) + "\n"


class HAProxy:
    """One HAProxy daemon, its files under `data_dir`."""

    def __init__(self, data_dir: Path, *, binary: str = "haproxy") -> None:
        self.data_dir = data_dir
        self.binary = binary
        self.cfg_path = data_dir / "haproxy.cfg"
        self.pid_path = data_dir / "haproxy.pid"
        self.socket_path = data_dir / "admin.sock"
        self.state_path = data_dir / "server-state"
        self.runtime = Runtime(self.socket_path)

    def pid(self) -> int | None:
        """The pid of the HAProxy running from our config, None if there is none."""
        try:
            pids = [int(p) for p in self.pid_path.read_text().split()]
        except (OSError, ValueError):
            return None
        for pid in reversed(pids):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            zombie = stat.rsplit(")", 1)[-1].split()[0] == "Z"
            if not zombie and str(self.cfg_path).encode() in cmdline:
                return pid
        return None

    def running_structure(self) -> str:
        """The structure fingerprint of the running HAProxy's config ("" when none runs)."""
        if self.pid() is None:
            return ""
        try:
            return structure_of(self.cfg_path.read_text())
        except OSError:
            return ""

    async def _haproxy(self, *args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            self.binary,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode(errors="replace")

    async def _write_config(self, text: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        candidate = self.cfg_path.with_suffix(".new")
        candidate.write_text(text)
        code, out = await self._haproxy("-c", "-q", "-f", str(candidate))
        if code != 0:
            raise HAProxyError(f"haproxy rejected the config: {_alerts(out)}")
        os.replace(candidate, self.cfg_path)

    async def start(self, text: str) -> int:
        """Start HAProxy with this config (there must be none running)."""
        await self._write_config(text)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()
        code, out = await self._haproxy("-D", "-f", str(self.cfg_path), "-p", str(self.pid_path))
        if code != 0:
            raise HAProxyError(f"haproxy did not start: {_alerts(out)}")
        pid = await self._wait_serving(old=None)
        log.info("haproxy_started", pid=pid, config=str(self.cfg_path))
        return pid

    async def reload(self, text: str, keep: set[tuple[str, str]]) -> int:
        """Soft reload onto this config; the servers in `keep` carry their state over."""
        old = self.pid()
        if old is None:
            return await self.start(text)
        try:
            dump = await self.runtime.command("show servers state")
            self.state_path.write_text(keep_state(dump, keep))
        except HAProxyError as e:
            log.warning("haproxy_state_dump_failed", error=str(e))
            with contextlib.suppress(FileNotFoundError):
                self.state_path.unlink()
        await self._write_config(text)
        code, out = await self._haproxy(
            "-D",
            "-f",
            str(self.cfg_path),
            "-p",
            str(self.pid_path),
            "-x",
            str(self.socket_path),
            "-sf",
            str(old),
        )
        if code != 0:
            raise HAProxyError(f"haproxy reload failed: {_alerts(out)}")
        pid = await self._wait_serving(old=old)
        log.info("haproxy_reloaded", pid=pid, old_pid=old)
        return pid

    async def _wait_serving(self, *, old: int | None, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            pid = self.pid()
            if pid is not None and pid != old:
                with contextlib.suppress(HAProxyError):
                    info = await self.runtime.info()
                    if info.get("Pid") == str(pid):
                        return pid
            if time.monotonic() > deadline:
                raise HAProxyError(
                    f"haproxy did not come up within {timeout:.0f} s (pid file {self.pid_path})"
                )
            await asyncio.sleep(0.02)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the running HAProxy (SIGUSR1: a soft stop, then SIGTERM after `timeout`)."""
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.pid() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        log.info("haproxy_stopped", pid=pid)


def _alerts(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if "ALERT" in line or "error" in line.lower()]
    return "; ".join(lines[:5]) or output.strip()[-500:]
