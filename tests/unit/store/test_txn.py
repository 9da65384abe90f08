"""Fitting work into etcd's transaction limit: the chunking of op lists and of a launch's placements."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controlplane.launch import batches, launch_ops, waves
from controlplane.store import MAX_TXN_OPS, chunked
from controlplane.store.txn import MAX_BATCH_BYTES, Unit, take


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [(0, 3, []), (1, 3, [1]), (3, 3, [3]), (7, 3, [3, 3, 1]), (300, 128, [128, 128, 44])],
    ids=["empty", "one", "exact", "remainder", "big"],
)
def test_chunked(n: int, size: int, expected: list[int]) -> None:
    items = list(range(n))
    chunks = list(chunked(items, size))
    assert [len(c) for c in chunks] == expected
    assert [x for c in chunks for x in c] == items


def test_chunked_refuses_an_empty_size() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1], 0))


@pytest.mark.parametrize(
    ("chosen", "budget", "expected"),
    [
        ([], 127, []),
        (["a"], 3, [["a"]]),
        (["a", "b", "a"], 7, [["a", "a", "b"]]),  # grouped by instance: a costs 2 + 2, b 2 + 1
        (["a", "b", "a"], 6, [["a", "a"], ["b"]]),  # b would not fit: a new transaction
        (["a"] * 5, 4, [["a", "a"], ["a", "a"], ["a"]]),  # more than one holds: split
        # A service of 100 tasks on 20 instances (5 each, 7 ops an instance): 18 instances fit 127.
        ([f"i{n % 20}" for n in range(100)], MAX_TXN_OPS - 1, [90, 10]),
    ],
    ids=["none", "one", "grouped", "next", "split", "service-of-100"],
)
def test_batches(chosen: list[str], budget: int, expected: list[list[str] | int]) -> None:
    got = batches(chosen, budget)
    assert [len(b) if isinstance(e, int) else b for b, e in zip(got, expected, strict=True)] == expected


@given(st.lists(st.sampled_from([f"i{n}" for n in range(30)]), max_size=600))
def test_batches_cover_a_launch_and_each_fits_one_transaction(chosen: list[str]) -> None:
    parts = batches(chosen, MAX_TXN_OPS - 1)
    assert Counter(i for b in parts for i in b) == Counter(chosen)
    for b in parts:
        assert b
        assert launch_ops(len(b), len(set(b))) <= MAX_TXN_OPS
    # An instance is split only when it has more tasks than one transaction holds.
    for ident, n in Counter(chosen).items():
        holding = [b for b in parts if ident in b]
        assert len(holding) == 1 or n > MAX_TXN_OPS - 3


@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4), max_size=30), st.integers(1, 5)
)
def test_waves_keep_order_and_never_share_an_instance(parts: list[list[str]], width: int) -> None:
    groups = waves(parts, width)
    assert [n for g in groups for n in g] == list(range(len(parts)))
    for g in groups:
        assert 1 <= len(g) <= width
        touched = [i for n in g for i in set(parts[n])]
        assert len(touched) == len(set(touched))


# -- grouping transactions (txn.take) ------------------------------------------------------------

_units = st.lists(
    st.builds(
        Unit,
        keys=st.frozensets(st.sampled_from("abcdefghij"), min_size=1, max_size=3),
        ops=st.integers(1, MAX_TXN_OPS),
        size=st.integers(1, 400_000),
    ),
    max_size=60,
)


@given(_units)
def test_take_fits_etcd_and_keeps_order_per_key(pending: list[Unit]) -> None:
    chosen = take(pending)
    if not pending:
        assert chosen == []
        return
    assert chosen[0] == 0 and chosen == sorted(set(chosen))
    batch = [pending[i] for i in chosen]
    if len(batch) > 1:
        assert len(batch) + max(u.ops for u in batch) <= MAX_TXN_OPS
        assert sum(u.size for u in batch) <= MAX_BATCH_BYTES
    seen: set[str] = set()
    for u in batch:
        assert seen.isdisjoint(u.keys)
        seen |= u.keys
    # A unit left behind holds its keys: nothing after it on those keys went ahead of it.
    held: set[str] = set()
    for i, u in enumerate(pending):
        if i in chosen:
            assert held.isdisjoint(u.keys)
        else:
            held |= u.keys


def test_take_groups_many_small_disjoint_units() -> None:
    pending = [Unit(frozenset({f"k{i}"}), 1, 100) for i in range(300)]
    assert take(pending) == list(range(MAX_TXN_OPS - 1))
