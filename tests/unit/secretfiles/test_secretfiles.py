"""agent.secretfiles: where files live and who owns them (pure), and writes that keep the inode
(on a real tmpfs, /dev/shm, so nothing touches a disk)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.secretfiles import Owner, SecretFiles, container_paths, host_path, owner
from agent.secretfiles.layout import file_name, filesystem_type
from agent.secretfiles.store import write_in_place
from berth import jsonmsg
from berth.v1 import types_pb2


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("", Owner(0, 0, 0o400)),
        ("root", Owner(0, 0, 0o400)),
        ("0", Owner(0, 0, 0o400)),
        ("1000", Owner(1000, 0, 0o400)),
        ("1000:1001", Owner(1000, 1001, 0o400)),
        ("1000:staff", Owner(1000, 0, 0o400)),
        ("nobody", Owner(0, 0, 0o444)),
        ("app:app", Owner(0, 0, 0o444)),
    ],
)
def test_owner_lets_the_container_user_read(user: str, expected: Owner) -> None:
    assert owner(user) == expected


def test_host_paths_are_stable_and_stay_inside_the_task() -> None:
    root = Path("/run/berth-agent/secrets/i-1")
    a = host_path(root, "t1", "app", "/run/secrets/db-password")
    assert a == host_path(root, "t1", "app", "/run/secrets/db-password")
    assert a.parent == root / "t1" / "app" and a.name.startswith("db-password-")
    assert file_name("/a/db") != file_name("/b/db")  # the same last part elsewhere
    for odd in ("/x/..", "/x/.hidden", "/x/a b\n", "/x/" + "n" * 300):
        name = file_name(odd)
        assert "/" not in name and not name.startswith(".") and len(name) <= 77


def test_container_paths_are_the_secrets_named_by_a_path() -> None:
    d = jsonmsg.parse(
        {
            "name": "app",
            "image": "busybox",
            "secrets": [{"name": "A", "valueFrom": "a"}, {"name": "/run/secrets/b", "valueFrom": "b"}],
        },
        types_pb2.ContainerDefinition,
    )
    assert container_paths(d) == ["/run/secrets/b"]


MOUNTINFO = r"""22 1 0:21 / / rw,relatime - overlay overlay rw
25 22 0:23 / /run rw,nosuid - ext4 /dev/sda1 rw
26 22 0:24 / /dev/shm rw - tmpfs shm rw
27 25 0:25 / /run/berth-agent/secrets rw - ext4 /dev/sda1 rw
28 25 0:26 / /run/berth-agent/secrets rw shared:5 - tmpfs berth-secrets rw,mode=700
29 25 0:27 / /run/with\040space rw - tmpfs x rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "overlay"),
        ("/etc/passwd", "overlay"),
        ("/run/x", "ext4"),
        ("/dev/shm/a", "tmpfs"),
        ("/run/berth-agent/secrets", "tmpfs"),  # the last mount over the same point wins
        ("/run/berth-agent/secrets/i-1/t", "tmpfs"),
        ("/run/berth-agent/secretsx", "ext4"),
        ("/run/with space/a", "tmpfs"),
    ],
)
def test_filesystem_type(path: str, kind: str) -> None:
    assert filesystem_type(MOUNTINFO, path) == kind


@pytest.fixture
def shm() -> Iterator[Path]:
    if filesystem_type(Path("/proc/self/mountinfo").read_text(), "/dev/shm") != "tmpfs":
        pytest.skip("/dev/shm is not a tmpfs here")
    path = Path("/dev/shm") / f"berth-test-{uuid.uuid4().hex[:8]}"
    path.mkdir(mode=0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


ME = Owner(os.getuid(), os.getgid(), 0o400)


def test_a_rewrite_keeps_the_inode_and_the_length_follows(shm: Path) -> None:
    path = shm / "f"
    write_in_place(path, b"a long first value", ME)
    inode = path.stat().st_ino
    write_in_place(path, b"short", ME)
    assert path.read_bytes() == b"short" and path.stat().st_ino == inode
    write_in_place(path, b"a value longer than the first one", ME)
    assert path.read_bytes() == b"a value longer than the first one" and path.stat().st_ino == inode
    assert path.stat().st_mode & 0o777 == 0o400


def test_a_symlink_is_never_followed(shm: Path) -> None:
    target = shm / "target"
    target.write_bytes(b"keep")
    (shm / "link").symlink_to(target)
    with pytest.raises(OSError):
        write_in_place(shm / "link", b"x", ME)
    assert target.read_bytes() == b"keep"


def test_a_task_s_files_are_written_swept_and_removed(shm: Path) -> None:
    files = SecretFiles(shm, "i-1")
    owners = {"app": ME, "side": Owner(os.getuid(), os.getgid(), 0o444)}
    n = files.write("t1", {"app": {"/run/secrets/db": "one", "/etc/k": "k"}, "side": {"/s": "s"}}, owners)
    assert n == 3
    files.write("t2", {"app": {"/run/secrets/db": "two"}}, owners)
    db = files.path("t1", "app", "/run/secrets/db")
    assert db.read_text() == "one" and files.path("t1", "side", "/s").stat().st_mode & 0o777 == 0o444
    for directory in (files.root, files.root / "t1", files.root / "t1" / "app"):
        assert directory.stat().st_mode & 0o777 == 0o700
    assert files.task_ids() == ["t1", "t2"]
    assert files.sweep(keep=["t2"]) == ["t1"] and not db.exists()
    files.remove("t2")
    files.remove("t2")  # again: nothing there, nothing raised
    files.close()
    assert not files.root.exists()


def test_an_agent_that_is_not_root_keeps_its_files_readable(
    shm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(os, "getegid", lambda: 4242)
    chowned: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: chowned.append((uid, gid)))
    write_in_place(shm / "f", b"v", Owner(1000, 1000, 0o400))
    assert chowned == [(4242, 4242)] and (shm / "f").stat().st_mode & 0o777 == 0o444
