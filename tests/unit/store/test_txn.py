"""Fitting work into etcd's transaction limit: the chunking of op lists and of a launch's placements."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controlplane.launch import batch_size, launch_ops
from controlplane.store import MAX_TXN_OPS, chunked


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
        ([], 127, 0),
        (["a"], 3, 1),
        (["a"], 2, 0),
        (["a", "a", "b"], 5, 2),  # a costs 3, a again 1, b would cost 3 more
        (["a", "b", "a"], 7, 3),
        # The bug: a service of 100 tasks on 20 instances is 141 ops; the first batch holds 87 tasks.
        ([f"i{n % 20}" for n in range(100)], MAX_TXN_OPS - 1, 87),
    ],
    ids=["none", "one-fits", "one-too-big", "new-instance-too-big", "repeat", "service-of-100"],
)
def test_batch_size(chosen: list[str], budget: int, expected: int) -> None:
    assert batch_size(chosen, budget) == expected


@given(st.lists(st.sampled_from([f"i{n}" for n in range(30)]), max_size=400))
def test_batches_cover_a_launch_and_each_fits_one_transaction(chosen: list[str]) -> None:
    rest, batches = list(chosen), []
    while rest:
        size = batch_size(rest, MAX_TXN_OPS - 1)
        assert size > 0
        batches.append(rest[:size])
        rest = rest[size:]
    assert [i for b in batches for i in b] == chosen
    for b in batches:
        assert launch_ops(len(b), len(set(b))) <= MAX_TXN_OPS
    # Each batch but the last is full: one more task would not have fit.
    for b, after in itertools.pairwise(batches):
        more = [*b, after[0]]
        assert launch_ops(len(more), len(set(more))) > MAX_TXN_OPS
