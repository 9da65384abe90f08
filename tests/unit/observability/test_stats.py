"""agent.stats: parsing the kernel's files, and StatsReader over a fake cgroup and /proc tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.stats import StatsReader, parse_flat, parse_net_dev, parse_proc_cgroup

CID = "c0ffee" * 10 + "abcd"
NET_DEV = """Inter-|   Receive                            |  Transmit
 face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls ...
    lo:   500   5 0 0 0 0 0 0   500 5 0 0 0 0 0 0
  eth0:  1286  13 0 0 0 0 0 0   700 7 0 0 0 0 0 0
  eth1:    14   1 0 0 0 0 0 0    30 1 0 0 0 0 0 0
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def v1_tree(
    tmp: Path, pid: int, cgroup: str, *, limit: int = 33554432, netns: str = "net:[1]"
) -> StatsReader:
    """/sys/fs/cgroup (v1, cpu and cpuacct co-mounted) and /proc for one container process."""
    root, proc = tmp / "cgroup", tmp / "proc"
    memory = root / "memory" / cgroup.lstrip("/")
    write(memory / "memory.usage_in_bytes", "5000000\n")
    write(memory / "memory.limit_in_bytes", f"{limit}\n")
    write(memory / "memory.stat", "cache 4000000\nrss 1000000\ntotal_inactive_file 3000000\n")
    write(memory / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    write(root / "cpu,cpuacct" / cgroup.lstrip("/") / "cpuacct.usage", "2500000000\n")
    write(
        proc / str(pid) / "cgroup",
        f"9:name=systemd:{cgroup}\n4:memory:{cgroup}\n2:cpu,cpuacct:{cgroup}\n0::{cgroup}\n",
    )
    write(proc / str(pid) / "net" / "dev", NET_DEV)
    write(proc / str(pid) / "ns" / "net", netns)  # a file stands in for the namespace link: its inode
    write(proc / "self" / "ns" / "net", "host")
    return StatsReader(root, str(proc))


def test_parse_proc_cgroup() -> None:
    text = "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/docker/abc\nbroken\n"
    assert parse_proc_cgroup(text) == [
        (("memory",), "/docker/abc"),
        (("cpu", "cpuacct"), "/docker/abc"),
        ((), "/docker/abc"),
    ]


def test_parse_flat_and_net_dev() -> None:
    assert parse_flat("cache 10\nrss 20\nweird line\nneg -1\n") == {"cache": 10, "rss": 20, "neg": -1}
    assert parse_net_dev(NET_DEV) == (1300, 730)  # lo left out
    assert parse_net_dev("") == (0, 0)


def test_reads_a_v1_container(tmp_path: Path) -> None:
    reader = v1_tree(tmp_path, 42, f"/berth/task1/{CID}")
    stats = reader.read(CID, 42)
    assert stats is not None
    assert stats.cpu_seconds == pytest.approx(2.5)
    assert stats.memory_bytes == 2_000_000  # usage minus inactive page cache
    assert stats.memory_limit_bytes == 33554432
    assert stats.oom_kills == 2
    assert stats.netns != 0
    assert (stats.rx_bytes, stats.tx_bytes) == (1300, 730)


def test_unlimited_memory_and_host_network(tmp_path: Path) -> None:
    reader = v1_tree(tmp_path, 7, f"/docker/{CID}", limit=9223372036854771712)
    proc = tmp_path / "proc"
    (proc / "7" / "ns" / "net").unlink()
    (proc / "7" / "ns" / "net").hardlink_to(proc / "self" / "ns" / "net")  # the host's namespace
    stats = reader.read(CID, 7)
    assert stats is not None
    assert stats.memory_limit_bytes is None
    assert (stats.netns, stats.rx_bytes, stats.tx_bytes) == (0, 0, 0)


def test_gone_process_or_cgroup(tmp_path: Path) -> None:
    reader = v1_tree(tmp_path, 42, f"/docker/{CID}")
    assert reader.read(CID, 0) is None
    assert reader.read(CID, 43) is None  # no such process
    assert reader.read(CID, 42) is not None
    for f in (tmp_path / "cgroup" / "memory" / "docker" / CID).iterdir():
        f.unlink()
    assert reader.read(CID, 42) is None  # the container exited and its cgroup went


def test_cgroup_paths_are_cached_per_pid(tmp_path: Path) -> None:
    reader = v1_tree(tmp_path, 42, f"/docker/{CID}")
    assert reader.read(CID, 42) is not None
    (tmp_path / "proc" / "42" / "cgroup").write_text("garbage")
    assert reader.read(CID, 42) is not None  # resolved once
    reader.forget(set())
    assert reader.read(CID, 42) is None  # resolved again: the garbage names no cgroup


def test_reads_a_v2_container(tmp_path: Path) -> None:
    root, proc = tmp_path / "cgroup", tmp_path / "proc"
    group = root / "system.slice" / f"docker-{CID}.scope"
    write(root / "cgroup.controllers", "cpu memory\n")
    write(group / "cpu.stat", "usage_usec 1500000\nuser_usec 1000000\n")
    write(group / "memory.current", "4000000\n")
    write(group / "memory.stat", "anon 1000000\ninactive_file 1000000\n")
    write(group / "memory.max", "max\n")
    write(group / "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    write(proc / "9" / "cgroup", f"0::/system.slice/docker-{CID}.scope\n")
    write(proc / "9" / "net" / "dev", NET_DEV)
    write(proc / "9" / "ns" / "net", "x")
    write(proc / "self" / "ns" / "net", "host")
    stats = StatsReader(root, str(proc)).read(CID, 9)
    assert stats is not None
    assert stats.cpu_seconds == pytest.approx(1.5)
    assert stats.memory_bytes == 3_000_000
    assert stats.memory_limit_bytes is None
    assert stats.oom_kills == 1
