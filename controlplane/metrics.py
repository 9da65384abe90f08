"""Prometheus metrics of the control plane (the CloudWatch stand-in), all in one place.

Names follow Prometheus conventions: `berth_` prefix, base units, `_total` for counters.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

API_REQUESTS = Counter(
    "berth_api_requests_total",
    "API requests handled, by service, method and status code.",
    ["service", "method", "code"],
)
API_LATENCY = Histogram(
    "berth_api_request_duration_seconds",
    "API request latency, by service and method.",
    ["service", "method"],
    buckets=_LATENCY_BUCKETS,
)
ETCD_LATENCY = Histogram(
    "berth_etcd_request_duration_seconds",
    "Latency of etcd requests made by the control plane, by operation.",
    ["operation"],
    buckets=_LATENCY_BUCKETS,
)
ETCD_ERRORS = Counter(
    "berth_etcd_request_errors_total",
    "etcd requests that failed, by operation and kind (unavailable, conflict).",
    ["operation", "kind"],
)
LEADER = Gauge("berth_controlplane_leader", "1 while this control plane replica is the leader.")
