"""The janitor compacts etcd only behind the event history window."""

from __future__ import annotations

from collections import deque

from controlplane.reconcile.janitor import compaction_target


def test_compaction_keeps_the_history_window() -> None:
    seen: deque[tuple[float, int]] = deque()
    passes = [(0.0, 100), (60.0, 200), (120.0, 300), (600.0, 900), (660.0, 1000)]
    targets = []
    for now, revision in passes:
        seen.append((now, revision))
        targets.append(compaction_target(seen, now, 600.0))
    # Nothing is compacted before 10 minutes have passed; then the revision of 10 minutes ago.
    assert targets == [0, 0, 0, 100, 200]
    assert list(seen) == [(120.0, 300), (600.0, 900), (660.0, 1000)]
    assert compaction_target(deque([(0.0, 5)]), 0.0, 0.0) == 5  # no window: compact to now
