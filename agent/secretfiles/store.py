"""Secret files on the host: the tmpfs, writes into the same inode, removal. Blocking calls: the
agent runs them in a thread.

Values are only ever written to a tmpfs: `--secrets-dir` is mounted as one (mode 0700, nosuid,
nodev, noexec) when it is not one already, under a lock on its parent directory so that agents
starting together on a host mount it once. When it cannot be (the agent is not root), tasks with
secret files fail to start, saying why; a value never lands on a disk.

A value is written into the existing file when there is one, at offset 0 and then cut to its new
length: the inode stays, so a container's bind mount of the file shows the new value at once. A
reader that reads during the write (microseconds) may see a mix of the two values; programs that
watch the file (inotify, mtime) and read it again get the whole new value.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from agent.secretfiles.layout import Owner, filesystem_type, host_path

TMPFS_OPTIONS = "mode=0700,size=64m,nosuid,nodev,noexec"
_MEMORY_FILESYSTEMS = ("tmpfs", "ramfs")


class SecretFilesUnavailable(Exception):
    """There is no tmpfs to keep secret files in (the message says why; it never holds a value)."""


def ensure_tmpfs(directory: Path) -> None:
    """Make `directory` a tmpfs unless it is one."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    parent = os.open(directory.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(parent, fcntl.LOCK_EX)
        kind = filesystem_type(Path("/proc/self/mountinfo").read_text(), str(directory.resolve()))
        if kind in _MEMORY_FILESYSTEMS:
            return
        try:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", TMPFS_OPTIONS, "berth-secrets", str(directory)],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SecretFilesUnavailable(f"{directory} is not a tmpfs and mounting one failed: {e}") from e
        if done.returncode != 0:
            why = done.stderr.strip() or f"mount exited with {done.returncode}"
            raise SecretFilesUnavailable(f"{directory} is not a tmpfs and mounting one failed: {why}")
    finally:
        os.close(parent)


def write_in_place(path: Path, value: bytes, who: Owner) -> None:
    """Write `value` into the file at `path` (the same inode when it exists), owned by `who`.
    An agent that is not root cannot give files away: they stay its own, readable by all (only
    the container's mount reaches them; the directories above are the agent's alone)."""
    me = (os.geteuid(), os.getegid())
    if me[0] != 0 and (who.uid, who.gid) != me:
        who = Owner(me[0], me[1], 0o444)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchown(fd, who.uid, who.gid)
        os.fchmod(fd, who.mode)
        view = memoryview(value)
        offset = 0
        while offset < len(view):
            offset += os.pwrite(fd, view[offset:], offset)
        os.ftruncate(fd, len(value))
    finally:
        os.close(fd)


class SecretFiles:
    """The secret files of one agent: `<secrets-dir>/<instance id>/<task id>/<container>/<file>`."""

    def __init__(self, secrets_dir: Path, instance_id: str) -> None:
        self.secrets_dir = secrets_dir
        self.root = secrets_dir / instance_id
        self._ready = False

    def path(self, task_id: str, container: str, container_path: str) -> Path:
        return host_path(self.root, task_id, container, container_path)

    def write(
        self,
        task_id: str,
        files: Mapping[str, Mapping[str, str]],
        owners: Mapping[str, Owner],
    ) -> int:
        """Write a task's files: container -> {path in the container: value}; `owners` by
        container. Returns how many files were written."""
        if not self._ready:
            ensure_tmpfs(self.secrets_dir)
            self.root.mkdir(mode=0o700, exist_ok=True)
            self.root.chmod(0o700)  # root's alone, whatever the umask or an earlier agent left
            self._ready = True
        written = 0
        for container, values in files.items():
            (self.root / task_id).mkdir(mode=0o700, exist_ok=True)
            directory = self.root / task_id / container
            directory.mkdir(mode=0o700, exist_ok=True)
            for container_path, value in values.items():
                write_in_place(
                    self.path(task_id, container, container_path), value.encode(), owners[container]
                )
                written += 1
        return written

    def remove(self, task_id: str) -> None:
        shutil.rmtree(self.root / task_id, ignore_errors=True)

    def task_ids(self) -> list[str]:
        try:
            return sorted(p.name for p in self.root.iterdir() if p.is_dir())
        except FileNotFoundError:
            return []

    def sweep(self, keep: Iterable[str]) -> list[str]:
        """Remove the files of every task not in `keep`; returns the task ids removed."""
        kept = set(keep)
        gone = [t for t in self.task_ids() if t not in kept]
        for task_id in gone:
            self.remove(task_id)
        return gone

    def close(self) -> None:
        """The agent is exiting: its directory goes when no task has files left in it (running
        containers keep theirs, for the next agent to adopt)."""
        with contextlib.suppress(OSError):
            self.root.rmdir()
