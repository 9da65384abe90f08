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
SERVICE_PLAN = Histogram(
    "berth_service_plan_duration_seconds",
    "CPU-bound part of one service controller pass (reading the state and planning), by cluster.",
    ["cluster"],
    buckets=_LATENCY_BUCKETS,
)
ETCD_ERRORS = Counter(
    "berth_etcd_request_errors_total",
    "etcd requests that failed, by operation and kind (unavailable, conflict).",
    ["operation", "kind"],
)
LEADER = Gauge("berth_controlplane_leader", "1 while this control plane replica is the leader.")

FARGATE_VCPU_SECONDS = Counter(
    "berth_fargate_vcpu_seconds_total",
    "Metered FARGATE usage: task vCPUs times the seconds they ran, counted when a task stops.",
    ["cluster", "family"],
)
FARGATE_GB_SECONDS = Counter(
    "berth_fargate_memory_gb_seconds_total",
    "Metered FARGATE usage: task memory (GB) times the seconds it ran, counted when a task stops.",
    ["cluster", "family"],
)

# Tasks, placement, agents. Gauges over the cluster state (tasks by status, services, instances,
# utilisation) are computed at scrape time by controlplane.statemetrics.
_DELAY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600)
LAUNCH_PHASES = ("pending", "pull", "sandbox", "start", "total")

PLACEMENT_FAILURES = Counter(
    "berth_placement_failures_total",
    "Task copies that could not be placed, by cluster and reason (RESOURCE:MEMORY, AGENT, ...).",
    ["cluster", "reason"],
)
SCHEDULING_DELAY = Histogram(
    "berth_task_scheduling_delay_seconds",
    "Task createdAt to startedAt (RUNNING), observed when the agent's RUNNING report is applied.",
    ["cluster"],
    buckets=_DELAY_BUCKETS,
)
LAUNCH_PHASE = Histogram(
    "berth_task_launch_phase_seconds",
    "Launch timing of tasks that reached RUNNING, per phase (pending, pull, sandbox, start, total).",
    ["phase"],
    buckets=_DELAY_BUCKETS,
)
TASK_STOPS = Counter(
    "berth_task_stops_total",
    "Tasks that reached STOPPED, by cluster, service (empty for standalone tasks) and stopCode.",
    ["cluster", "service", "stop_code"],
)
HEARTBEAT_MISSES = Counter(
    "berth_agent_heartbeat_misses_total",
    "Agent heartbeats that came after the session's liveness lease had expired (the instance was "
    "shown disconnected meanwhile), by cluster.",
    ["cluster"],
)
DEPLOYMENTS_FAILED = Counter(
    "berth_service_deployments_failed_total",
    "Service deployments whose rollout became FAILED (circuit breaker), counted by the leader.",
    ["cluster", "service"],
)
DNS_QUERIES = Counter(
    "berth_dns_queries_total",
    "DNS queries answered by the service discovery DNS server, by response code (FORWARDED: sent upstream).",
    ["rcode"],
)
AUDIT_RECORDS = Counter(
    "berth_audit_records_total",
    "Audit records of mutating calls, by what became of them (written to etcd, dropped).",
    ["result"],
)
