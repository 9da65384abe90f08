"""When the audit trail writes: a batch per interval, at once when full, bounded while etcd is away."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from berth.v1 import berth_pb2
from controlplane.audit import AuditBuffer


def rec(i: int) -> berth_pb2.AuditRecord:
    return berth_pb2.AuditRecord(request_id=str(i), action="ecs:RunTask")


def test_nothing_pending_is_never_due() -> None:
    assert AuditBuffer().due_in(100.0) is None


def test_a_record_waits_one_interval_from_the_oldest_pending() -> None:
    b = AuditBuffer(interval=0.1)
    b.add(rec(1), now=10.0)
    b.add(rec(2), now=10.07)  # does not push the deadline back
    assert abs((b.due_in(10.05) or 0) - 0.05) < 1e-9
    assert b.due_in(10.1) == 0.0
    assert [r.request_id for r in b.take(10.1)] == ["1", "2"]
    assert b.due_in(10.2) is None and len(b) == 0


def test_a_full_batch_is_due_at_once_and_the_rest_waits() -> None:
    b = AuditBuffer(interval=0.1, max_batch=3)
    for i in range(5):
        b.add(rec(i), now=0.0)
    assert b.due_in(0.0) == 0.0
    assert [r.request_id for r in b.take(0.0)] == ["0", "1", "2"]
    assert b.due_in(0.0) == 0.1  # what stays is due one interval after the write
    assert [r.request_id for r in b.take(0.1)] == ["3", "4"]


def test_beyond_max_pending_new_records_are_dropped_and_counted() -> None:
    b = AuditBuffer(max_batch=10, max_pending=3)
    assert [b.add(rec(i), now=0.0) for i in range(5)] == [True, True, True, False, False]
    assert b.dropped == 2 and len(b) == 3
    b.take(1.0)
    assert b.add(rec(9), now=1.0)


@given(st.lists(st.tuples(st.floats(0, 0.5), st.booleans()), max_size=60))
def test_every_record_is_written_once_in_order_and_none_waits_past_its_interval(
    steps: list[tuple[float, bool]],
) -> None:
    """A flusher that writes whenever a batch is due: records come out in order, each once, and
    none is written later than one interval after it arrived (batches are never full here)."""
    b = AuditBuffer(interval=0.1, max_batch=1000)
    now, arrived, written = 0.0, {}, []
    for i, (gap, add) in enumerate(steps):
        # the flusher wakes at the deadline if one comes before the next step
        due = b.due_in(now)
        if due is not None and due <= gap:
            written += [(r.request_id, now + due) for r in b.take(now + due)]
        now += gap
        if add:
            b.add(rec(i), now)
            arrived[str(i)] = now
    due = b.due_in(now)
    if due is not None:
        written += [(r.request_id, now + due) for r in b.take(now + due)]
    assert [r for r, _ in written] == list(arrived)
    assert all(at - arrived[r] <= 0.1 + 1e-9 for r, at in written)
