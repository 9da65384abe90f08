"""TaskCgroup against a fake cgroup root (plain directories): what it writes, refuses and reads.

The real kernel hierarchy is exercised by tests/integration/runtime (limits, task-level OOM, removal).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.runtime.cgroups import CgroupError, TaskCgroup


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for controller in ("memory", "cpu", "cpuacct", "pids"):
        (tmp_path / controller).mkdir()
    return tmp_path


def test_create_writes_limits(root: Path) -> None:
    cg = TaskCgroup(root, parent="berth")
    assert cg.create("t1", cpu_units=256, memory_mib=512) == "/berth/t1"
    memory, cpu = root / "memory/berth/t1", root / "cpu/berth/t1"
    assert (memory / "memory.limit_in_bytes").read_text() == f"{512 * 1024 * 1024}\n"
    assert (cpu / "cpu.shares").read_text() == "256\n"
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000\n"
    assert (cpu / "cpu.cfs_quota_us").read_text() == "25000\n"
    assert (root / "cpuacct/berth/t1").is_dir()
    assert cg.exists("t1") and not cg.exists("t2")


def test_unlimited_resources_write_nothing(root: Path) -> None:
    cg = TaskCgroup(root)
    cg.create("t1", cpu_units=None, memory_mib=None)
    assert list((root / "memory/berth/t1").iterdir()) == []
    assert list((root / "cpu/berth/t1").iterdir()) == []


def test_tiny_cpu_gets_the_kernel_minimum_quota(root: Path) -> None:
    TaskCgroup(root).create("t1", cpu_units=8, memory_mib=None)
    assert (root / "cpu/berth/t1/cpu.cfs_quota_us").read_text() == "1000\n"


def test_co_mounted_cpu_cpuacct(tmp_path: Path) -> None:
    (tmp_path / "memory").mkdir()
    (tmp_path / "cpu,cpuacct").mkdir()
    (tmp_path / "cpu").symlink_to("cpu,cpuacct")
    (tmp_path / "cpuacct").symlink_to("cpu,cpuacct")
    TaskCgroup(tmp_path).create("t1", cpu_units=1024, memory_mib=None)
    assert (tmp_path / "cpu,cpuacct/berth/t1/cpu.cfs_quota_us").read_text() == "100000\n"


def test_usage(root: Path) -> None:
    cg = TaskCgroup(root)
    cg.create("t1", cpu_units=None, memory_mib=64)
    memory = root / "memory/berth/t1"
    for name, value in {
        "memory.usage_in_bytes": 1000,
        "memory.max_usage_in_bytes": 2000,
        "memory.failcnt": 3,
    }.items():
        (memory / name).write_text(f"{value}\n")
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 1\noom_kill 2\n")
    (memory / "c0ffee").mkdir()  # a container's cgroup below the task's
    (memory / "c0ffee/memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    (root / "cpuacct/berth/t1/cpuacct.usage").write_text("123456789\n")
    u = cg.usage("t1")
    assert (u.memory_usage_bytes, u.memory_max_usage_bytes, u.memory_limit_bytes) == (
        1000,
        2000,
        64 * 1024 * 1024,
    )
    assert (u.memory_failcnt, u.under_oom, u.oom_kill_count, u.cpu_usage_ns) == (3, True, 3, 123456789)
    with pytest.raises(CgroupError, match="no cgroup for task t2"):
        cg.usage("t2")


def test_remove_missing_is_fine(root: Path) -> None:
    TaskCgroup(root).remove("never-created")


def test_remove_deletes_the_task_from_every_hierarchy(root: Path) -> None:
    cg = TaskCgroup(root)
    cg.create("t1", cpu_units=None, memory_mib=None)
    (root / "pids/berth/t1/c0ffee").mkdir(parents=True)  # made by runc, not by us
    cg.remove("t1")
    assert not any((h / "berth/t1").exists() for h in root.iterdir())
    assert (root / "memory/berth").is_dir()  # the shared parent stays


@pytest.mark.parametrize("task_id", ["", "..", "a/b", "../etc", "x y"])
def test_bad_task_ids_are_refused(root: Path, task_id: str) -> None:
    with pytest.raises(CgroupError, match="not a valid cgroup name"):
        TaskCgroup(root).create(task_id, cpu_units=None, memory_mib=None)


def test_cgroup_v2_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    with pytest.raises(CgroupError, match="cgroup v2"):
        TaskCgroup(tmp_path).create("t1", cpu_units=None, memory_mib=64)


def test_missing_controller_is_refused(tmp_path: Path) -> None:
    (tmp_path / "memory").mkdir()
    with pytest.raises(CgroupError, match="'cpu' is not mounted"):
        TaskCgroup(tmp_path).create("t1", cpu_units=None, memory_mib=64)


def test_unwritable_hierarchy_says_so(tmp_path: Path) -> None:
    for controller in ("memory", "cpu", "cpuacct"):
        (tmp_path / controller).mkdir()
    (tmp_path / "memory" / "berth").write_text("")  # a file where the parent directory must go
    with pytest.raises(CgroupError, match="cannot create"):
        TaskCgroup(tmp_path).create("t1", cpu_units=None, memory_mib=64)


@pytest.mark.parametrize(("cpu", "memory"), [(1, None), (None, 2)])
def test_limits_below_minimum_are_refused(root: Path, cpu: int | None, memory: int | None) -> None:
    with pytest.raises(CgroupError, match="at least"):
        TaskCgroup(root).create("t1", cpu_units=cpu, memory_mib=memory)
