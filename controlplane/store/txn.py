"""The size limit of one etcd transaction, and splitting work to fit it (pure: no etcd here).

etcd refuses a transaction with more than `--max-txn-ops` compares or more than that many writes
("etcdserver: too many operations in txn request"); the default is 128, and berth cannot ask its
users to raise it. Every `Put`/`Delete`/`Check` of `EtcdStore.commit` is one compare (and at most
one write), so a commit may hold at most `MAX_TXN_OPS` ops. Code whose op list grows with the
number of tasks, instances or services splits it with `chunked` where atomicity is not needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_TXN_OPS = 128  # etcd's --max-txn-ops default


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (none for no items)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]
