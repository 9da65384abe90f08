"""ECS task-level cpu and memory strings: "1024" or "1 vCPU" units, "2048" or "2GB" MiB.

Shared by the control plane (validation, placement) and the agent (task cgroup limits).
"""

from __future__ import annotations

import re
from decimal import Decimal

CPU_UNITS_PER_VCPU = 1024
MIB_PER_GB = 1024

_UNITS = re.compile(r"[0-9]{1,9}")
_VCPU = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,6})?) ?vcpu", re.IGNORECASE)
_GB = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,6})?) ?gb", re.IGNORECASE)


def parse_cpu(value: str) -> int | None:
    """CPU units from an ECS task cpu string: "1024", or vCPUs "1 vCPU", "0.25 vcpu"; None if invalid.

    A vCPU count that is not a whole number of units ("0.1 vCPU") is invalid.
    """
    return _parse_size(value, _VCPU, CPU_UNITS_PER_VCPU)


def parse_memory(value: str) -> int | None:
    """MiB from an ECS task memory string: "2048", or "2GB", "2 GB", "0.5GB" (1 GB = 1024 MiB).

    None if invalid, including a GB amount that is not a whole number of MiB.
    """
    return _parse_size(value, _GB, MIB_PER_GB)


def _parse_size(value: str, unit: re.Pattern[str], scale: int) -> int | None:
    if _UNITS.fullmatch(value):
        return int(value)
    match = unit.fullmatch(value)
    if match is None:
        return None
    amount = Decimal(match.group(1)) * scale
    return int(amount) if amount == amount.to_integral_value() else None
