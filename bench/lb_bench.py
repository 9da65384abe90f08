"""Load balancer data plane (issue #11): HAProxy driven by berth-lb, against the same target direct.

- Throughput and latency: 16 concurrent clients (processes) x 2,000 HTTP GETs each, every request on
  a new connection, through a berth-lb HAProxy listener to two busybox httpd targets on 127.0.0.1;
  baseline in the same run: the same clients straight to the targets' ports (half on each). Then
  one client alone (2,000 GETs each way), where the cores are not saturated: the hop's own cost.
- Target change → applied: a config message adding (then removing) a target, timed from the moment
  the fake control plane hands it to the stream to the first `show servers state` poll (every ms)
  that shows the slot holding it ready (then free again); 20 rounds each. HAProxy's pid is checked
  unchanged (no reload).

- Target change → applied through the real control plane: an in-process control plane on etcd
  (127.0.0.1:2379), a berth-lb watching it, and `RegisterTargets` (then `DeregisterTargets`, with a
  deregistration delay of 0) of a busybox httpd on a target group of type ip, timed from just
  before the call to the first `show servers state` poll that shows the server in HAProxy (then
  gone); ROUNDS rounds each. This is the whole path: the API's etcd write, the catalog's watch,
  the node stream, berth-lb's runtime commands.

The first three use a small fake LoadBalancerNode server (tests/support/lbnode.py), since their
point is the data plane.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import median, percentile, report
from tests.support.infra import free_port, port_open
from tests.support.lbnode import FakeNodeServer, LbProcess, lb_config, target_group

CLIENTS = 16
REQUESTS = 2000
ROUNDS = 20


def _client(args: tuple[int, int]) -> list[float]:
    port, count = args
    out = []
    for _ in range(count):
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/index.html", headers={"Connection": "close"})
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except OSError:
            ok = False
        finally:
            conn.close()
        out.append((time.perf_counter() - start) * 1000 if ok else -1.0)
    return out


def load(
    ports: list[int], clients: int = CLIENTS, requests: int = REQUESTS
) -> tuple[float, list[float], int]:
    """(requests/s, latencies in ms of the successful ones, failures); client i uses ports[i % n]."""
    # spawn, not fork: this process runs gRPC threads (the fake control plane).
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(time.sleep, [0.0] * clients)  # every worker up before the clock starts
        start = time.perf_counter()
        results = pool.map(_client, [(ports[i % len(ports)], requests) for i in range(clients)])
        elapsed = time.perf_counter() - start
    flat = [x for r in results for x in r]
    ok = [x for x in flat if x >= 0]
    return len(flat) / elapsed, ok, len(flat) - len(ok)


def busybox_httpd(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    busybox = shutil.which("busybox") or "/bin/busybox"
    proc = subprocess.Popen([busybox, "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", str(root)])
    deadline = time.monotonic() + 5
    while not port_open("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError("busybox httpd did not start")
        time.sleep(0.02)
    return proc, port


def runtime(sock: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(os.fspath(sock))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def slot_of(sock: Path, port: int) -> str:
    """'ready', 'maint' or '' for the server holding 127.0.0.1:port in tg-bench."""
    for line in runtime(sock, "show servers state tg-bench").splitlines():
        f = line.split()
        if len(f) > 18 and not line.startswith("#") and f[4] == "127.0.0.1" and f[18] == str(port):
            return "maint" if int(f[6]) & 0x01 else "ready"
    return ""


def wait_until(check: object, timeout: float = 10.0) -> float:
    """Poll `check()` every ms; the ms it took."""
    start = time.perf_counter()
    while not check():  # type: ignore[operator]
        if time.perf_counter() - start > timeout:
            raise RuntimeError("not applied within 10 s")
        time.sleep(0.001)
    return (time.perf_counter() - start) * 1000


def control_plane_changes(root: Path) -> tuple[list[float], list[float], int]:
    """(ms register -> in HAProxy, ms deregister -> out of HAProxy, reloads) via a real control plane."""
    from berth import Client
    from tests.support.controlplane import InProcessControlPlane
    from tests.support.infra import shared_etcd_endpoint

    endpoint, etcd = shared_etcd_endpoint()
    cp = InProcessControlPlane((endpoint,)).start()
    client = Client(config_path=cp.config_path)
    proc, port = busybox_httpd(root / "www")
    lb_node = None
    try:
        lb = client.elb("CreateLoadBalancer", name="bench").load_balancers[0]
        tg = client.elb(
            "CreateTargetGroup",
            name="bench",
            protocol="HTTP",
            port=80,
            targetType="ip",
            healthCheckPath="/index.html",
        ).target_groups[0]
        arn = tg.target_group_arn
        client.elb(
            "ModifyTargetGroupAttributes",
            targetGroupArn=arn,
            attributes=[{"key": "deregistration_delay.timeout_seconds", "value": "0"}],
        )
        client.elb(
            "CreateListener",
            loadBalancerArn=lb.load_balancer_arn,
            port=free_port(),
            defaultActions=[{"type": "forward", "targetGroupArn": arn}],
        )
        lb_node = LbProcess(cp.endpoint, "bench", root / "cp-lb", config=cp.config_path).start()
        sock = root / "cp-lb" / "admin.sock"
        deadline = time.monotonic() + 20
        while not (sock.exists() and "tg-bench" in runtime(sock, "show servers state tg-bench")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"berth-lb did not serve the load balancer:\n{lb_node.log()}")
            time.sleep(0.05)
        pid = lb_node.haproxy_pid()
        target = [{"id": "127.0.0.1", "port": port}]
        add, remove = [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            client.elb("RegisterTargets", targetGroupArn=arn, targets=target)
            wait_until(lambda: slot_of(sock, port) == "ready")
            add.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            client.elb("DeregisterTargets", targetGroupArn=arn, targets=target)
            wait_until(lambda: slot_of(sock, port) == "")
            remove.append((time.perf_counter() - start) * 1000)
        return add, remove, 0 if lb_node.haproxy_pid() == pid else 1
    finally:
        if lb_node is not None:
            lb_node.stop()
            lb_node.stop_haproxy()
        proc.terminate()
        client.close()
        cp.stop()
        if etcd is not None:
            etcd.stop()


def run() -> None:
    from berth.v1 import elb_pb2

    root = Path(tempfile.mkdtemp(prefix="berth-lb-bench-"))
    (root / "www").mkdir()
    (root / "www" / "index.html").write_text("hello from a target\n" * 10)
    targets = [busybox_httpd(root / "www") for _ in range(2)]
    server = FakeNodeServer()
    listener = free_port()
    lb = LbProcess(server.endpoint, "bench", root / "lb")
    try:

        def config(*ports: int, interval: int = 1) -> elb_pb2.LoadBalancerConfig:
            nodes = [elb_pb2.NodeTarget(id="127.0.0.1", address="127.0.0.1", port=p) for p in ports]
            tg = target_group("bench", *nodes, path="/index.html", interval=interval)
            return lb_config("bench", {listener: "bench"}, [tg])

        server.set(config(*(p for _, p in targets)))
        lb.start()
        sock = root / "lb" / "admin.sock"
        deadline = time.monotonic() + 20
        while not (sock.exists() and all(slot_of(sock, p) == "ready" for _, p in targets)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"berth-lb did not serve the targets:\n{lb.log()}")
            time.sleep(0.05)
        time.sleep(3)  # both targets UP (rise 2 at 1 s)

        direct_rps, direct, direct_fail = load([p for _, p in targets])
        lb_rps, through, lb_fail = load([listener])
        _, direct_one, _ = load([targets[0][1]], clients=1)
        _, through_one, _ = load([listener], clients=1)

        # Target change -> applied. A third target joins and leaves, ROUNDS times each way.
        extra_proc, extra = busybox_httpd(root / "www")
        pid = lb.haproxy_pid()
        add, remove = [], []
        base = [p for _, p in targets]
        for _ in range(ROUNDS):
            server.set(config(*base, extra))
            add.append(wait_until(lambda: slot_of(sock, extra) == "ready"))
            server.set(config(*base))
            remove.append(wait_until(lambda: slot_of(sock, extra) == ""))
        extra_proc.terminate()
        reloads = 0 if lb.haproxy_pid() == pid else 1
        lb.stop()
        lb.stop_haproxy()
        cp_add, cp_remove, cp_reloads = control_plane_changes(root)

        ratio_p50 = median(through) / median(direct)
        ratio_p99 = percentile(through, 99) / percentile(direct, 99)
        report(
            f"load balancer: {CLIENTS} clients x {REQUESTS} GETs, a new connection each, 2 busybox httpd",
            [
                (
                    "direct to the targets",
                    f"{direct_rps:,.0f} req/s, p50 {median(direct):.2f} ms, "
                    f"p99 {percentile(direct, 99):.2f} ms, {direct_fail} failed",
                ),
                (
                    "through HAProxy (berth-lb)",
                    f"{lb_rps:,.0f} req/s, p50 {median(through):.2f} ms, "
                    f"p99 {percentile(through, 99):.2f} ms, {lb_fail} failed",
                ),
                (
                    "latency ratio (HAProxy/direct)",
                    f"p50 {ratio_p50:.2f}x, p99 {ratio_p99:.2f}x (goal <= 1.2x)",
                ),
                (
                    "one client alone: direct / HAProxy",
                    f"p50 {median(direct_one):.2f} / {median(through_one):.2f} ms "
                    f"({median(through_one) / median(direct_one):.2f}x), "
                    f"p99 {percentile(direct_one, 99):.2f} / {percentile(through_one, 99):.2f} ms",
                ),
                (
                    "target added -> ready in HAProxy",
                    f"p50 {median(add):.1f} ms, max {max(add):.1f} ms ({ROUNDS} rounds)",
                ),
                ("target removed -> slot freed", f"p50 {median(remove):.1f} ms, max {max(remove):.1f} ms"),
                ("HAProxy reloads during the changes", str(reloads)),
                (
                    "real control plane: RegisterTargets -> in HAProxy",
                    f"p50 {median(cp_add):.1f} ms, max {max(cp_add):.1f} ms ({ROUNDS} rounds)",
                ),
                (
                    "real control plane: DeregisterTargets (delay 0) -> out of HAProxy",
                    f"p50 {median(cp_remove):.1f} ms, max {max(cp_remove):.1f} ms, {cp_reloads} reloads",
                ),
            ],
        )
    finally:
        lb.stop()
        lb.stop_haproxy()
        server.stop()
        for proc, _ in targets:
            proc.terminate()
