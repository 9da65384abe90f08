"""The size limit of one etcd transaction, and splitting work to fit it (pure: no etcd here).

etcd refuses a transaction with more than `--max-txn-ops` compares or more than that many writes
("etcdserver: too many operations in txn request"); the default is 128, and berth cannot ask its
users to raise it. Every `Put`/`Delete`/`Check` of `EtcdStore.commit` is one compare (and at most
one write), so a commit may hold at most `MAX_TXN_OPS` ops. Code whose op list grows with the
number of tasks, instances or services splits it with `chunked` where atomicity is not needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

MAX_TXN_OPS = 128  # etcd's --max-txn-ops default


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (none for no items)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]


# etcd refuses a request over `--max-request-bytes` (1.5 MiB by default); a grouped transaction
# stays well under it, so one big unit never makes its batch fail.
MAX_BATCH_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Unit:
    """One caller's transaction as the group commit sees it: the keys it touches and its size."""

    keys: frozenset[str]
    ops: int
    size: int


def take(
    pending: Sequence[Unit], *, max_ops: int = MAX_TXN_OPS, max_bytes: int = MAX_BATCH_BYTES
) -> list[int]:
    """The indexes of `pending` that go into the next grouped transaction, in order.

    The first unit always goes (alone, if nothing fits beside it). Each unit becomes a nested
    transaction, and etcd counts the outer transaction's ops against the nested ones' budget, so
    `units + largest unit <= max_ops`; no two units may touch the same key (etcd refuses a
    duplicate key in one request, and two writers of one key conflict anyway: the later one waits
    for the next transaction, where it sees the first one's revision); and the sizes stay within
    `max_bytes`. A unit that does not fit is left for a later transaction, so order per key holds.
    """
    if not pending:
        return []
    chosen = [0]
    keys = set(pending[0].keys)
    largest = pending[0].ops
    size = pending[0].size
    for i in range(1, len(pending)):
        unit = pending[i]
        fits = len(chosen) + 1 + max(largest, unit.ops) <= max_ops and size + unit.size <= max_bytes
        if fits and keys.isdisjoint(unit.keys):
            chosen.append(i)
            largest = max(largest, unit.ops)
            size += unit.size
        keys |= unit.keys  # a unit left waiting holds its keys: later units on them wait behind it
    return chosen
