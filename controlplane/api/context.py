"""What a servicer method learns about its call."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from controlplane.auth import Principal


@dataclass(frozen=True)
class CallContext:
    request_id: str
    principal: Principal
    method: str  # e.g. "berth.v1.ECS/CreateCluster"
    started: float = field(default_factory=time.time)

    def now(self) -> float:
        """Wall-clock time for timestamps written by this call (one reading per call)."""
        return self.started
