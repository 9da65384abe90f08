"""When the audit trail writes: the pending records of about `interval` seconds go out together,
in one etcd write. Pure: the caller passes the time.

- A record waits at most `interval` (default 100 ms) after the oldest pending one arrived; a
  full batch (`max_batch` records) is due at once.
- At most `max_pending` records wait (etcd down, or a flood): beyond that new ones are dropped and
  counted, so a stalled etcd never grows the control plane's memory without bound and the calls
  being audited never wait.
"""

from __future__ import annotations

from collections import deque

from berth.v1 import berth_pb2


class AuditBuffer:
    def __init__(self, *, interval: float = 0.1, max_batch: int = 1000, max_pending: int = 20_000) -> None:
        self.interval = interval
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.dropped = 0
        self._pending: deque[berth_pb2.AuditRecord] = deque()
        self._since = 0.0  # when the oldest pending record arrived

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, record: berth_pb2.AuditRecord, now: float) -> bool:
        """Queue `record`; False (and counted in `dropped`) when `max_pending` are already waiting."""
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            return False
        if not self._pending:
            self._since = now
        self._pending.append(record)
        return True

    def due_in(self, now: float) -> float | None:
        """Seconds until the next batch is due (0: now); None when nothing is pending."""
        if not self._pending:
            return None
        if len(self._pending) >= self.max_batch:
            return 0.0
        return max(0.0, self._since + self.interval - now)

    def take(self, now: float) -> list[berth_pb2.AuditRecord]:
        """The next batch (oldest first, at most `max_batch`); what stays is due one interval on."""
        batch = [self._pending.popleft() for _ in range(min(self.max_batch, len(self._pending)))]
        self._since = now
        return batch
