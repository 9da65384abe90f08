"""Per-task cgroups (cgroup v1, Docker's cgroupfs driver): task-level cpu and memory limits.

A task with task-level cpu/memory gets `<root>/<controller>/<parent>/<task_id>` in the memory, cpu
and cpuacct hierarchies, with the limits written into it. Its containers are created with
`cgroup_parent="/<parent>/<task_id>"`, so runc nests each container's cgroup below it and the
kernel enforces the task's limits over all of them together (a task over its memory limit gets
OOM-killed as a whole, as on Fargate).

Layout found on the development hosts (Debian 12, Docker 20.10, cgroupfs): every v1 controller has
its own hierarchy, `cpu` and `cpuacct` included (`/sys/fs/cgroup/cpu`, `/sys/fs/cgroup/cpuacct`);
elsewhere they are often co-mounted as `cpu,cpuacct` with `cpu`/`cpuacct` symlinks, which works
the same. runc also creates `<parent>/<task_id>` in every other hierarchy it manages (pids, blkio,
devices, freezer, cpuset, systemd, and the hybrid `unified` one), so `remove()` deletes the task's
directory from every hierarchy under the root, not just the three this module writes to.

The methods are blocking file operations (microseconds, except `remove()`, which waits up to
`timeout` seconds for runc to let go of a cgroup): call them from a thread in asyncio code.
Needs root and a writable cgroup v1 hierarchy; otherwise CgroupError says what is wrong.
"""

from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CFS_PERIOD_US", "CgroupError", "CgroupUsage", "TaskCgroup"]

CFS_PERIOD_US = 100_000
MIN_CFS_QUOTA_US = 1_000  # the kernel refuses less
MIB = 1024 * 1024
_LIMITED = ("memory", "cpu", "cpuacct")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class CgroupError(Exception):
    """The cgroup hierarchy is missing, not v1, or not writable; or a task cgroup is unusable."""


@dataclass(frozen=True)
class CgroupUsage:
    """A task's resource usage, read from its cgroup (totals over all of its containers)."""

    memory_usage_bytes: int
    memory_max_usage_bytes: int
    memory_limit_bytes: int
    memory_failcnt: int  # times the memory (or memory+swap) limit was hit, as the kernel counts them
    under_oom: bool  # the cgroup is in an OOM condition right now
    oom_kill_count: int  # OOM kills in the task's cgroup and its current container cgroups
    cpu_usage_ns: int  # cpuacct.usage: total CPU time consumed

    # cgroup v1 does not add a child's OOM kills to its parent's count, and a container's cgroup
    # goes away when it exits, so oom_kill_count misses kills of containers that are gone. Docker's
    # per-container OOMKilled flag (ContainerState.oom_killed, the "oom" event) is the reliable
    # signal; memory_max_usage_bytes reaching the limit is the task-level one.


class TaskCgroup:
    """Creates, reads and removes the cgroups of tasks under `<root>/<controller>/<parent>/`."""

    def __init__(self, root: str | os.PathLike[str] = "/sys/fs/cgroup", parent: str = "berth") -> None:
        _check_name(parent, "parent")
        self.root = Path(root)
        self.parent = parent

    def cgroup_parent(self, task_id: str) -> str:
        """The value for Docker's `cgroup_parent` (and `TaskContext.cgroup_parent`)."""
        return f"/{self.parent}/{task_id}"

    def create(self, task_id: str, *, cpu_units: int | None, memory_mib: int | None) -> str:
        """Create (or update) the task's cgroups with its limits; returns the Docker cgroup_parent.

        `cpu_units` (1024 = one CPU) becomes a hard cap, cpu.cfs_quota_us = units/1024 x period,
        and the task's weight, cpu.shares = units. `memory_mib` becomes memory.limit_in_bytes (and
        the memory+swap limit, so the task cannot swap past it). None leaves that resource
        unlimited; the cgroups are created anyway so usage can be read. Idempotent.
        """
        _check_name(task_id, "task_id")
        if cpu_units is not None and cpu_units < 2:
            raise CgroupError(f"cpu_units must be at least 2, got {cpu_units}")
        if memory_mib is not None and memory_mib < 4:
            raise CgroupError(f"memory_mib must be at least 4, got {memory_mib}")
        self._check_v1()
        for controller in _LIMITED:
            self._mkdir(self._dir(controller, task_id))
        if memory_mib is not None:
            limit = memory_mib * MIB
            memory = self._dir("memory", task_id)
            _write(memory / "memory.limit_in_bytes", limit)
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", limit)
        if cpu_units is not None:
            cpu = self._dir("cpu", task_id)
            _write(cpu / "cpu.shares", cpu_units)
            _write(cpu / "cpu.cfs_period_us", CFS_PERIOD_US)
            _write(cpu / "cpu.cfs_quota_us", max(MIN_CFS_QUOTA_US, cpu_units * CFS_PERIOD_US // 1024))
        return self.cgroup_parent(task_id)

    def exists(self, task_id: str) -> bool:
        _check_name(task_id, "task_id")
        return self._dir("memory", task_id).is_dir()

    def usage(self, task_id: str) -> CgroupUsage:
        """Current usage of the task; CgroupError if its cgroup does not exist."""
        _check_name(task_id, "task_id")
        memory = self._dir("memory", task_id)
        if not memory.is_dir():
            raise CgroupError(f"no cgroup for task {task_id} under {memory.parent}")
        oom = _read_flat_keyed(memory / "memory.oom_control")
        oom_kills = oom.get("oom_kill", 0)
        for child in memory.iterdir():
            if child.is_dir():
                try:
                    oom_kills += _read_flat_keyed(child / "memory.oom_control").get("oom_kill", 0)
                except CgroupError:  # the container exited and runc removed its cgroup meanwhile
                    pass
        memsw_failcnt = memory / "memory.memsw.failcnt"
        cpuacct = self._dir("cpuacct", task_id) / "cpuacct.usage"
        return CgroupUsage(
            memory_usage_bytes=_read_int(memory / "memory.usage_in_bytes"),
            memory_max_usage_bytes=_read_int(memory / "memory.max_usage_in_bytes"),
            memory_limit_bytes=_read_int(memory / "memory.limit_in_bytes"),
            memory_failcnt=_read_int(memory / "memory.failcnt")
            + (_read_int(memsw_failcnt) if memsw_failcnt.exists() else 0),
            under_oom=oom.get("under_oom", 0) == 1,
            oom_kill_count=oom_kills,
            cpu_usage_ns=_read_int(cpuacct) if cpuacct.exists() else 0,
        )

    def remove(self, task_id: str, *, timeout: float = 2.0) -> None:
        """Delete the task's cgroup from every hierarchy; run after its containers are removed.

        A cgroup still busy (runc tearing a container down) is retried until `timeout`; then
        CgroupError. Missing directories are fine. Container cgroups left below the task's (Docker
        normally removes them) are removed too if they are empty.
        """
        _check_name(task_id, "task_id")
        deadline = time.monotonic() + timeout
        for hierarchy in self._hierarchies():
            task_dir = hierarchy / self.parent / task_id
            if not task_dir.is_dir():
                continue
            for child in sorted((p for p in task_dir.iterdir() if p.is_dir()), reverse=True):
                _rmdir(child, deadline)
            _rmdir(task_dir, deadline)

    # -- internals --------------------------------------------------------------------------------

    def _dir(self, controller: str, task_id: str) -> Path:
        return self.root / controller / self.parent / task_id

    def _hierarchies(self) -> list[Path]:
        """Every mounted hierarchy under the root (symlinks such as cpu -> cpu,cpuacct only once)."""
        if not self.root.is_dir():
            return []
        seen: set[Path] = set()
        result = []
        for entry in sorted(self.root.iterdir()):
            real = entry.resolve()
            if real.is_dir() and real not in seen:
                seen.add(real)
                result.append(real)
        return result

    def _check_v1(self) -> None:
        if (self.root / "cgroup.controllers").exists():
            raise CgroupError(
                f"{self.root} is a cgroup v2 (unified) hierarchy; berth's task cgroups need cgroup v1"
            )
        for controller in _LIMITED:
            if not (self.root / controller).is_dir():
                raise CgroupError(
                    f"cgroup v1 controller {controller!r} is not mounted at {self.root / controller}"
                )

    def _mkdir(self, path: Path) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise CgroupError(
                    f"cannot create {path}: {e.strerror}. The cgroup hierarchy is not writable: run the "
                    f"agent as root with /sys/fs/cgroup mounted read-write"
                ) from None
            raise CgroupError(f"cannot create {path}: {e.strerror}") from None


def _check_name(value: str, what: str) -> None:
    if not _NAME.match(value) or value in (".", ".."):
        raise CgroupError(f"{what} {value!r} is not a valid cgroup name")


def _write(path: Path, value: int) -> None:
    try:
        path.write_text(f"{value}\n")
    except OSError as e:
        raise CgroupError(f"cannot write {value} to {path}: {e.strerror}") from None


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError) as e:
        raise CgroupError(f"cannot read {path}: {e}") from None


def _read_flat_keyed(path: Path) -> dict[str, int]:
    """A cgroup "key value" file such as memory.oom_control."""
    result: dict[str, int] = {}
    try:
        text = path.read_text()
    except OSError as e:
        raise CgroupError(f"cannot read {path}: {e.strerror}") from None
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            result[key] = int(value)
    return result


def _rmdir(path: Path, deadline: float) -> None:
    while True:
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() >= deadline:
                raise CgroupError(f"cannot remove {path}: {e.strerror}") from None
            time.sleep(0.05)
