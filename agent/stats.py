"""Container resource usage read straight from the kernel: cgroup files and /proc.

Docker's stats API costs 1-2 s per container and call on these hosts (`stats(stream=False)` waits
for two samples); the files it reads cost microseconds. So the agent reads them itself:

- Which cgroups: the container's main process (its pid, from `docker inspect`) names them in
  /proc/<pid>/cgroup, relative to the hierarchies under /sys/fs/cgroup. With cgroup v1 (these
  hosts, cgroupfs driver) that is one path per controller, `/docker/<id>`, or
  `/berth/<task id>/<id>` under a task cgroup; with cgroup v2 one unified path. Resolved once per
  container and pid, then cached.
- CPU: cpuacct.usage (v1, ns) or cpu.stat usage_usec (v2), cumulative.
- Memory: usage minus inactive page cache (memory.stat total_inactive_file, v2 inactive_file), what
  `docker stats` shows; the limit (None when unlimited).
- OOM kills the kernel counted in the container's cgroup (memory.oom_control / memory.events).
- Network: the bytes of every interface but `lo` in /proc/<pid>/net/dev, i.e. the container's
  network namespace, identified by the inode of /proc/<pid>/ns/net: containers that share one
  (an awsvpc task's) can be counted once, and one in the host's namespace (network mode host)
  reports no network figures (they would be the host's).

Parsing is pure (the `parse_*` functions); `StatsReader` does the file I/O under configurable roots,
so tests run it over a fake tree. All reads are synchronous and take microseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = [
    "ContainerStats",
    "StatsReader",
    "parse_flat",
    "parse_net_dev",
    "parse_proc_cgroup",
]

UNLIMITED = 1 << 62  # v1 reports "no limit" as a page-rounded 2^63-1


@dataclass(frozen=True)
class ContainerStats:
    cpu_seconds: float
    memory_bytes: int  # in use, without inactive page cache
    memory_limit_bytes: int | None  # None: unlimited
    oom_kills: int  # as the kernel counted them in the container's cgroup
    netns: int  # inode of the network namespace; 0 when it is the host's or unknown
    rx_bytes: int
    tx_bytes: int


@dataclass(frozen=True)
class _Cgroups:
    memory: str | None
    cpu: str | None
    v2: bool


def parse_proc_cgroup(text: str) -> list[tuple[tuple[str, ...], str]]:
    """The lines of /proc/<pid>/cgroup as (controllers, path); cgroup v2's line has no controllers."""
    entries = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers = tuple(c for c in parts[1].split(",") if c)
        entries.append((controllers, parts[2]))
    return entries


def parse_flat(text: str) -> dict[str, int]:
    """A cgroup "key value" file (memory.stat, memory.oom_control, cpu.stat, memory.events)."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        value = value.strip()
        if value.lstrip("-").isdigit():
            out[key] = int(value)
    return out


def parse_net_dev(text: str) -> tuple[int, int]:
    """Received and transmitted bytes over every interface but loopback, from /proc/<pid>/net/dev."""
    rx = tx = 0
    for line in text.splitlines()[2:]:
        name, _, counters = line.partition(":")
        if not counters or name.strip() == "lo":
            continue
        fields = counters.split()
        if len(fields) >= 9:
            rx += int(fields[0])
            tx += int(fields[8])
    return rx, tx


def _read(path: str) -> str:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def _read_int(path: str) -> int:
    return int(_read(path).split()[0])


class StatsReader:
    """Reads ContainerStats of running containers by id and main pid."""

    def __init__(
        self, cgroup_root: str | os.PathLike[str] = "/sys/fs/cgroup", proc_root: str = "/proc"
    ) -> None:
        self.cgroup_root = str(cgroup_root)
        self.proc_root = proc_root
        self._cgroups: dict[str, tuple[int, _Cgroups]] = {}  # container id -> (pid, its cgroups)
        self._host_netns = self._netns("self")

    def read(self, container_id: str, pid: int) -> ContainerStats | None:
        """The container's usage; None when its process or cgroup is gone (it exited meanwhile)."""
        if pid <= 0:
            return None
        try:
            cgroups = self._resolve(container_id, pid)
            cpu, memory, limit, ooms = self._read_cgroups(cgroups)
            netns = self._netns(str(pid))
            rx = tx = 0
            if netns and netns != self._host_netns:
                rx, tx = parse_net_dev(_read(f"{self.proc_root}/{pid}/net/dev"))
            else:
                netns = 0
        except (OSError, ValueError, IndexError):
            self._cgroups.pop(container_id, None)
            return None
        return ContainerStats(cpu, memory, limit, ooms, netns, rx, tx)

    def forget(self, keep: set[str]) -> None:
        """Drop cached cgroup paths of containers not in `keep`."""
        for cid in [c for c in self._cgroups if c not in keep]:
            del self._cgroups[cid]

    def _netns(self, pid: str) -> int:
        try:
            return os.stat(f"{self.proc_root}/{pid}/ns/net").st_ino
        except OSError:
            return 0

    def _resolve(self, container_id: str, pid: int) -> _Cgroups:
        cached = self._cgroups.get(container_id)
        if cached is not None and cached[0] == pid:
            return cached[1]
        entries = parse_proc_cgroup(_read(f"{self.proc_root}/{pid}/cgroup"))
        memory = cpu = None
        unified = None
        for controllers, path in entries:
            if not controllers:
                unified = path
            if "memory" in controllers:
                memory = self._hierarchy(controllers, "memory", path)
            if "cpuacct" in controllers:
                cpu = self._hierarchy(controllers, "cpuacct", path)
        if memory is None and cpu is None:
            if unified is None:
                raise FileNotFoundError(f"no cgroup of process {pid} under {self.cgroup_root}")
            path = os.path.join(self.cgroup_root, unified.lstrip("/"))
            if not os.path.exists(os.path.join(path, "memory.current")):
                raise FileNotFoundError(path)
            found = _Cgroups(memory=path, cpu=path, v2=True)
        else:
            found = _Cgroups(memory=memory, cpu=cpu, v2=False)
        self._cgroups[container_id] = (pid, found)
        return found

    def _hierarchy(self, controllers: tuple[str, ...], controller: str, path: str) -> str | None:
        relative = path.lstrip("/")
        for mount in (",".join(controllers), controller):
            candidate = os.path.join(self.cgroup_root, mount, relative)
            if os.path.isdir(candidate):
                return candidate
        return None

    @staticmethod
    def _read_cgroups(c: _Cgroups) -> tuple[float, int, int | None, int]:
        if c.v2:
            assert c.memory is not None
            cpu = parse_flat(_read(f"{c.memory}/cpu.stat")).get("usage_usec", 0) / 1e6
            stat = parse_flat(_read(f"{c.memory}/memory.stat"))
            usage = _read_int(f"{c.memory}/memory.current")
            raw = _read(f"{c.memory}/memory.max").strip()
            limit = None if raw == "max" else int(raw)
            ooms = parse_flat(_read(f"{c.memory}/memory.events")).get("oom_kill", 0)
            return cpu, max(0, usage - stat.get("inactive_file", 0)), limit, ooms
        cpu = _read_int(f"{c.cpu}/cpuacct.usage") / 1e9 if c.cpu else 0.0
        if c.memory is None:
            return cpu, 0, None, 0
        stat = parse_flat(_read(f"{c.memory}/memory.stat"))
        usage = _read_int(f"{c.memory}/memory.usage_in_bytes")
        limit_raw = _read_int(f"{c.memory}/memory.limit_in_bytes")
        ooms = parse_flat(_read(f"{c.memory}/memory.oom_control")).get("oom_kill", 0)
        working = max(0, usage - stat.get("total_inactive_file", stat.get("inactive_file", 0)))
        return cpu, working, (None if limit_raw >= UNLIMITED else limit_raw), ooms
