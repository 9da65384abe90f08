"""Service discovery (issue #11): DNS answer latency, and how fast DNS follows the tasks.

- DNS answer latency: 2,000 sequential UDP queries on 127.0.0.1 for a service's A record (8
  instances), against a `berth-controlplane` process, timed per round trip on one socket.
  Baseline in the same run: a bare dnslib server (its own threaded DNSServer, in a child process)
  answering one static A record, queried the same way.
- Task stop -> gone from DNS: a 4-task bridge-mode service (SRV records) on a real agent; each of
  10 rounds stops one task and polls the DNS server every 5 ms until its SRV record is gone.
  Task start -> in DNS: for each replacement task, from the agent's startedAt (the same host's
  clock) to the first poll that sees it.
- Catalog cost: 10,000 task events of one service applied to an in-process catalog (the mirrors fed
  directly, no etcd), then 1,000 stop events each followed by a query: per-event cost.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
import uuid
from typing import Any

from dnslib import DNSRecord

from bench.common import agent_process, controlplane_process, median, percentile, report
from berth import Client
from tests.support.infra import free_port

QUERIES = 2000
ROUNDS = 10

BARE_SERVER = textwrap.dedent(
    """
    import sys, time
    from dnslib import RR, QTYPE, A
    from dnslib.server import DNSServer, BaseResolver, DNSLogger

    class Static(BaseResolver):
        def resolve(self, request, handler):
            reply = request.reply()
            reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A("10.0.0.1"), ttl=60))
            return reply

    quiet = DNSLogger(logf=lambda s: None)
    server = DNSServer(Static(), port=int(sys.argv[1]), address="127.0.0.1", logger=quiet)
    server.start_thread()
    print("ready", flush=True)
    while True:
        time.sleep(3600)
    """
)


def latencies(port: int, name: str, count: int = QUERIES) -> list[float]:
    """Round trips in ms of `count` sequential A queries (each answer checked for an answer)."""
    query = DNSRecord.question(name, "A")
    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for n in range(count + 50):
            query.header.id = n % 65536
            data = query.pack()
            start = time.perf_counter()
            sock.sendto(data, ("127.0.0.1", port))
            answer, _ = sock.recvfrom(4096)
            elapsed = (time.perf_counter() - start) * 1000
            if n >= 50:  # warm-up
                out.append(elapsed)
                if n == 50:
                    assert DNSRecord.parse(answer).rr, f"no answer for {name}"
    return out


def srv_targets(port: int, name: str) -> set[str]:
    reply = DNSRecord.parse(DNSRecord.question(name, "SRV").send("127.0.0.1", port, timeout=2))
    return {str(r.rdata.target).split(".")[0] for r in reply.rr}


def bare_dnslib(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    return proc


def follow_tasks(client: Client, cluster: str, port: int, name: str) -> tuple[list[float], list[float]]:
    """(stop -> gone ms, startedAt -> visible ms) over ROUNDS stops of one task each."""
    gone, appeared = [], []
    seen = wait_count(port, name, 4)
    for _ in range(ROUNDS):
        victim = sorted(seen)[0]
        client.stop_task(cluster=cluster, task=victim, reason="bench")
        start = time.perf_counter()
        while victim in srv_targets(port, name) and time.perf_counter() - start < 10:
            time.sleep(0.005)
        gone.append((time.perf_counter() - start) * 1000)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the service controller starts a replacement
            now = srv_targets(port, name)
            fresh = now - seen
            if fresh and len(now) == 4:
                break
            time.sleep(0.005)
        visible_at = time.time()
        for ident in fresh:
            task = client.describe_tasks(cluster=cluster, tasks=[ident]).tasks[0]
            if task.started_at:
                appeared.append((visible_at - task.started_at) * 1000)
        seen = now
    return gone, appeared


def wait_count(port: int, name: str, count: int, timeout: float = 90) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        targets = srv_targets(port, name)
        if len(targets) == count:
            return targets
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not reach {count} SRV records")


def catalog_cost() -> tuple[float, float]:
    """(µs per task event, µs per stop event + query) on an in-process catalog of 10,000 tasks."""
    from controlplane.store import keys
    from tests.unit.discovery.test_catalog_dns import ask, build_world, task

    w = build_world()
    start = time.perf_counter()
    for i in range(10_000):
        task(w, "api", f"b{i}", ip=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    per_event = (time.perf_counter() - start) / 10_000 * 1e6
    start = time.perf_counter()
    for i in range(1000):
        w.delete(w.state.tasks, keys.task("prod", f"b{i}"))
        ask(w, "api.prod.local")
    per_churn = (time.perf_counter() - start) / 1000 * 1e6
    return per_event, per_churn


def run() -> dict[str, Any]:
    dns = free_port()
    bare_port = free_port()
    cluster = f"bench-sd-{uuid.uuid4().hex[:6]}"
    with (
        controlplane_process(
            f"/bench-discovery-{uuid.uuid4().hex[:6]}/",
            "--dns-addr",
            f"127.0.0.1:{dns}",
            "--dns-upstream",
            "",
        ) as cp,
        Client(config_path=cp.config_path) as client,
    ):
        ns = client.servicediscovery("CreatePrivateDnsNamespace", name="bench.local").namespace
        api = client.servicediscovery(
            "CreateService", name="api", namespaceId=ns.id, dnsConfig={"dnsRecords": [{"type": "A"}]}
        ).service
        for i in range(8):
            client.servicediscovery(
                "RegisterInstance",
                serviceId=api.id,
                instanceId=f"i{i}",
                attributes={"AWS_INSTANCE_IPV4": f"10.0.0.{i + 1}"},
            )
        bare = bare_dnslib(bare_port)
        try:
            berth_ms = latencies(dns, "api.bench.local")
            bare_ms = latencies(bare_port, "anything.example")
        finally:
            bare.kill()
            bare.wait(5)
        web = client.servicediscovery(
            "CreateService", name="web", namespaceId=ns.id, dnsConfig={"dnsRecords": [{"type": "SRV"}]}
        ).service
        with agent_process(cp, cluster):
            td = client.register_task_definition(
                {
                    "family": f"bench-sd-{uuid.uuid4().hex[:6]}",
                    "containerDefinitions": [
                        {
                            "name": "app",
                            "image": "berth/busybox:latest",
                            "memory": 16,
                            "command": ["sleep", "3600"],
                            "portMappings": [{"containerPort": 80}],
                        }
                    ],
                }
            ).task_definition.task_definition_arn
            client.create_service(
                cluster=cluster,
                serviceName="web",
                taskDefinition=td,
                desiredCount=4,
                serviceRegistries=[{"registryArn": web.arn, "containerName": "app", "containerPort": 80}],
            )
            gone, appeared = follow_tasks(client, cluster, dns, "web.bench.local")
            client.update_service(cluster=cluster, service="web", desiredCount=0)
    per_event, per_churn = catalog_cost()
    figures = {
        "dns_p50_ms": percentile(berth_ms, 50),
        "dns_p99_ms": percentile(berth_ms, 99),
        "bare_p50_ms": percentile(bare_ms, 50),
        "bare_p99_ms": percentile(bare_ms, 99),
        "stop_gone_median_ms": median(gone),
        "stop_gone_max_ms": max(gone),
        "start_visible_median_ms": median(appeared),
        "start_visible_max_ms": max(appeared) if appeared else float("nan"),
        "catalog_event_us": per_event,
        "catalog_churn_us": per_churn,
    }
    report(
        "service discovery",
        [
            (
                "DNS answer (A, 8 instances), p50 / p99",
                f"{figures['dns_p50_ms']:.3f} / {figures['dns_p99_ms']:.3f} ms over {QUERIES} queries",
            ),
            (
                "bare dnslib server, static A, p50 / p99",
                f"{figures['bare_p50_ms']:.3f} / {figures['bare_p99_ms']:.3f} ms "
                f"(berth/bare p50 {figures['dns_p50_ms'] / figures['bare_p50_ms']:.2f}x)",
            ),
            (
                "task stop -> gone from DNS, median / max",
                f"{figures['stop_gone_median_ms']:.1f} / {figures['stop_gone_max_ms']:.1f} ms "
                f"over {ROUNDS} stops",
            ),
            (
                "task started -> in DNS, median / max",
                f"{figures['start_visible_median_ms']:.1f} / {figures['start_visible_max_ms']:.1f} ms "
                f"over {len(appeared)} tasks",
            ),
            (
                "catalog, 10,000-task service",
                f"{per_event:.1f} µs per task event; {per_churn:.1f} µs per stop + query",
            ),
        ],
    )
    return figures


if __name__ == "__main__":
    run()
