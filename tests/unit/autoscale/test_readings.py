"""The Autoscaler's in-memory readings: a PromQL reading keeps all its series, a repeat is dropped."""

from __future__ import annotations

from collections import deque

from controlplane.autoscale.decide import Sample
from controlplane.autoscale.runner import Readings


def test_a_reading_keeps_its_series_and_a_repeat_is_dropped() -> None:
    r = Readings(deque(maxlen=10))
    r.add([Sample(1.0, 250.0), Sample(1.0, 40.0)])
    r.add([Sample(1.0, 250.0)])  # the same stats report seen again
    r.add([])
    r.add([Sample(2.0, 10.0, 3)])
    assert list(r.samples) == [Sample(1.0, 250.0), Sample(1.0, 40.0), Sample(2.0, 10.0, 3)]
