"""The pure parts of exec streams: frame demuxing, coalescing, the process tree, and the kill
that checks the container's cgroup (against a fake /proc over a real child process)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.runtime.execstream import Demuxer, coalesce, descendants, kill_tree, parent_of


def frame(stream: int, data: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


PIECES = [("stdout", b"hi\n"), ("stderr", b"oops\n"), ("stdout", b"x" * 70_000)]
WIRE = b"".join(frame(1 if s == "stdout" else 2, d) for s, d in PIECES) + frame(1, b"")


def test_demuxer_whole() -> None:
    assert Demuxer().feed(WIRE) == PIECES


@given(st.lists(st.integers(min_value=0, max_value=len(WIRE)), max_size=8))
def test_demuxer_gives_the_same_pieces_whatever_the_cuts(cuts: list[int]) -> None:
    demux = Demuxer()
    bounds = [0, *sorted(cuts), len(WIRE)]
    got = [p for a, b in itertools.pairwise(bounds) for p in demux.feed(WIRE[a:b])]
    assert coalesce(got, 1 << 20) == coalesce(PIECES, 1 << 20)


@pytest.mark.parametrize(
    ("pieces", "limit", "expected"),
    [
        pytest.param([("stdout", b"a"), ("stdout", b"b")], 10, [("stdout", b"ab")], id="joins"),
        pytest.param(
            [("stdout", b"a"), ("stderr", b"b"), ("stdout", b"c")],
            10,
            [("stdout", b"a"), ("stderr", b"b"), ("stdout", b"c")],
            id="keeps-order-across-streams",
        ),
        pytest.param(
            [("stdout", b"abcde")], 2, [("stdout", b"ab"), ("stdout", b"cd"), ("stdout", b"e")], id="cuts"
        ),
        pytest.param([], 2, [], id="empty"),
    ],
)
def test_coalesce(pieces: list[tuple[str, bytes]], limit: int, expected: list[tuple[str, bytes]]) -> None:
    assert coalesce(pieces, limit) == expected


def test_descendants_parents_first() -> None:
    parents = {10: 1, 11: 10, 12: 10, 13: 11, 20: 1, 21: 20}
    assert descendants(parents, 10) == [10, 11, 12, 13]
    assert descendants(parents, 21) == [21]


@pytest.mark.parametrize(
    ("stat", "ppid"),
    [
        ("42 (sleep) S 7 42 42 0 -1", 7),
        ("42 (my (odd) name) S 9 42 42", 9),
        ("42 (x)", None),
    ],
)
def test_parent_of(stat: str, ppid: int | None) -> None:
    assert parent_of(stat) == ppid


def fake_proc(root: Path, entries: dict[int, tuple[int, str]]) -> Path:
    for pid, (ppid, cgroup) in entries.items():
        (root / str(pid)).mkdir()
        (root / str(pid) / "stat").write_text(f"{pid} (sleep) S {ppid} 0 0")
        (root / str(pid) / "cgroup").write_text(cgroup)
    return root


def test_kill_tree_kills_only_what_is_in_the_container(tmp_path: Path) -> None:
    inside = subprocess.Popen(["sleep", "60"])
    outside = subprocess.Popen(["sleep", "60"])
    try:
        proc = fake_proc(
            tmp_path,
            {
                1: (0, "pids:/"),
                900_001: (1, "pids:/docker/abc"),  # the exec'd process, its pid long gone
                inside.pid: (900_001, "pids:/docker/abc"),
                outside.pid: (900_001, "pids:/docker/other"),  # reused by someone else
            },
        )
        assert kill_tree(900_001, "abc", proc=proc) == 1
        assert inside.wait(10) == -9
        assert outside.poll() is None
        assert kill_tree(outside.pid, "abc", proc=proc) == 0  # not in the container: left alone
        assert outside.poll() is None
    finally:
        for p in (inside, outside):
            p.kill()
            p.wait()
