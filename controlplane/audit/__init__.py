"""The audit trail: every mutating call (allowed, denied or failed) as a record that reaches the
event stream (`WatchEvents` with type "audit") on every replica. `record` builds a record (pure),
`buffer` decides when pending records are written (pure, fake-clock tested), `trail` writes them
to etcd in batches in the background, so the calls being audited never wait for it."""

from controlplane.audit.buffer import AuditBuffer
from controlplane.audit.record import WATCH_AUDIT_EVENTS, audit_record
from controlplane.audit.trail import AuditTrail

__all__ = ["WATCH_AUDIT_EVENTS", "AuditBuffer", "AuditTrail", "audit_record"]
