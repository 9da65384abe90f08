"""haproxy.cfg for one load balancer, rendered from its `LoadBalancerConfig`. Pure: no I/O.

The file holds the structure: one frontend per listener, one backend per target group with its
health check, a fixed number of server slots per backend, and a frontend serving HAProxy's
Prometheus exporter. Targets live in the slots and change through the runtime API (`plan`), so a
target change never needs a reload. The slots are written with the addresses they hold when the
file is rendered, so a reload (a listener, a target group setting or a slot count changed) starts
the new process already serving the same targets; the server-state file carries their health and
drain state across.

`structure()` is the fingerprint of everything that needs a reload (the rendering with every slot
empty). It is written into the file, so a restarted berth-lb can tell whether the HAProxy it finds
serves the structure it wants (then it adopts it) or needs a reload.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agent.lb.names import METRICS_FRONTEND, backend_name, frontend_name, server_name
from berth.v1 import elb_pb2

MIN_SLOTS = 64
FREE_ADDRESS = "0.0.0.0"
STRUCTURE_MARK = "# berth-structure: "

# ELB's defaults for a target group whose optional fields are unset.
DEFAULT_INTERVAL = 30
DEFAULT_TIMEOUT = 5
DEFAULT_HEALTHY = 5
DEFAULT_UNHEALTHY = 2
DEFAULT_PATH = "/"
DEFAULT_MATCHER = "200"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,127}$")
_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
_PATH = re.compile(r"^/[!-~]*$")  # printable, no spaces: it is one token of the config


class ConfigError(ValueError):
    """The configuration cannot be served; the message names the field and the value."""


@dataclass(frozen=True)
class NodeSettings:
    data_dir: str
    listen_address: str = "0.0.0.0"
    metrics_address: str = "127.0.0.1"
    metrics_port: int = 0  # 0: no metrics frontend
    maxconn: int = 4096
    client_timeout: int = 60
    server_timeout: int = 60
    connect_timeout: int = 5


@dataclass(frozen=True)
class Slot:
    """One server slot as rendered: free (`address` FREE_ADDRESS, port 0) or holding a target."""

    address: str = FREE_ADDRESS
    port: int = 0
    # A target new to the slot is written `disabled`: the runtime API then checks it before it gets
    # traffic (`plan`), instead of HAProxy starting it UP unchecked.
    enabled: bool = True

    @property
    def free(self) -> bool:
        return self.address == FREE_ADDRESS and self.port == 0


def slot_count(targets: int, current: int = 0) -> int:
    """Slots a backend needs: `current` while it is enough, else the next power of two (≥ 64)."""
    if current >= max(targets, 1) and current >= MIN_SLOTS:
        return current
    n = MIN_SLOTS
    while n < targets:
        n *= 2
    return max(n, current)


@dataclass(frozen=True)
class HealthCheck:
    enabled: bool
    protocol: str  # HTTP | TCP
    port: int  # 0: the traffic port
    path: str
    matcher: str
    interval: int
    timeout: int
    healthy: int
    unhealthy: int
    slow_start: int


def health_check(tg: elb_pb2.TargetGroup) -> HealthCheck:
    """The target group's health check with ELB's defaults filled in, checked for what HAProxy takes."""
    name = tg.target_group_name
    protocol = (tg.health_check_protocol or tg.protocol or "HTTP").upper()
    if protocol not in ("HTTP", "TCP"):
        raise ConfigError(f"targetGroup {name}: healthCheckProtocol {protocol!r} is not HTTP or TCP")
    port = 0
    if tg.health_check_port and tg.health_check_port != "traffic-port":
        if not tg.health_check_port.isdigit() or not 1 <= int(tg.health_check_port) <= 65535:
            raise ConfigError(f"targetGroup {name}: healthCheckPort {tg.health_check_port!r} is not a port")
        port = int(tg.health_check_port)
    path = tg.health_check_path or DEFAULT_PATH
    if not _PATH.match(path):
        raise ConfigError(f"targetGroup {name}: healthCheckPath {path!r} is not an absolute path")
    matcher = tg.matcher.http_code.replace(" ", "") or DEFAULT_MATCHER
    if not _MATCHER.match(matcher):
        raise ConfigError(
            f"targetGroup {name}: matcher.httpCode {matcher!r} is not like 200, 200,202 or 200-299"
        )
    interval = (
        tg.health_check_interval_seconds if tg.HasField("health_check_interval_seconds") else DEFAULT_INTERVAL
    )
    timeout = (
        tg.health_check_timeout_seconds if tg.HasField("health_check_timeout_seconds") else DEFAULT_TIMEOUT
    )
    healthy = tg.healthy_threshold_count if tg.HasField("healthy_threshold_count") else DEFAULT_HEALTHY
    unhealthy = (
        tg.unhealthy_threshold_count if tg.HasField("unhealthy_threshold_count") else DEFAULT_UNHEALTHY
    )
    for field, value in (
        ("healthCheckIntervalSeconds", interval),
        ("healthCheckTimeoutSeconds", timeout),
        ("healthyThresholdCount", healthy),
        ("unhealthyThresholdCount", unhealthy),
    ):
        if value < 1:
            raise ConfigError(f"targetGroup {name}: {field} {value} is not positive")
    slow_start = tg.slow_start_seconds if tg.HasField("slow_start_seconds") else 0
    enabled = tg.health_check_enabled if tg.HasField("health_check_enabled") else True
    return HealthCheck(
        enabled, protocol, port, path, matcher, interval, timeout, healthy, unhealthy, max(slow_start, 0)
    )


def _mode(protocol: str, what: str) -> str:
    p = (protocol or "HTTP").upper()
    if p not in ("HTTP", "TCP"):
        raise ConfigError(f"{what}: protocol {protocol!r} is not HTTP or TCP")
    return p.lower()


def _check_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(f"{what} {name!r} is not a name of letters, digits and hyphens")
    return name


def _address(value: str, what: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ConfigError(f"{what} {value!r} is not an IPv4 address") from None


def target_group_names(config: elb_pb2.LoadBalancerConfig) -> dict[str, str]:
    """Target group ARN → name, for the groups the config carries."""
    return {g.target_group.target_group_arn: g.target_group.target_group_name for g in config.target_groups}


def render(
    config: elb_pb2.LoadBalancerConfig,
    settings: NodeSettings,
    slots: Mapping[str, Sequence[Slot]],
) -> str:
    """The whole haproxy.cfg. `slots`: per backend name, its slots (their count is the backend's size;
    a backend missing from it gets MIN_SLOTS free ones)."""
    body = _render(config, settings, slots)
    skeleton = _render(config, settings, {b: [Slot()] * len(s) for b, s in slots.items()})
    return f"{STRUCTURE_MARK}{_digest(skeleton)}\n{body}"


def structure(config: elb_pb2.LoadBalancerConfig, settings: NodeSettings, sizes: Mapping[str, int]) -> str:
    """The fingerprint of what a reload is needed for (slot contents excluded)."""
    return _digest(_render(config, settings, {b: [Slot()] * n for b, n in sizes.items()}))


def structure_of(text: str) -> str:
    """The fingerprint written in a rendered file ("" when there is none)."""
    first = text.split("\n", 1)[0]
    return first[len(STRUCTURE_MARK) :].strip() if first.startswith(STRUCTURE_MARK) else ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _render(
    config: elb_pb2.LoadBalancerConfig, settings: NodeSettings, slots: Mapping[str, Sequence[Slot]]
) -> str:
    lb = _check_name(config.load_balancer.load_balancer_name, "loadBalancer name")
    listen = _address(settings.listen_address, "listen address")
    data = settings.data_dir.rstrip("/")
    out = [
        f"# berth-lb: load balancer {lb}",
        "global",
        f"    stats socket {data}/admin.sock mode 600 level admin expose-fd listeners",
        "    stats timeout 30s",
        f"    server-state-file {data}/server-state",
        f"    maxconn {settings.maxconn}",
        "",
        "defaults",
        "    mode http",
        "    option redispatch",
        "    retries 3",
        f"    timeout connect {settings.connect_timeout}s",
        f"    timeout client {settings.client_timeout}s",
        f"    timeout server {settings.server_timeout}s",
        "    timeout http-request 10s",
        "    timeout http-keep-alive 10s",
        "    load-server-state-from-file global",
        "",
    ]
    groups = {g.target_group.target_group_arn: g.target_group for g in config.target_groups}
    for listener in sorted(config.listeners, key=lambda x: x.port):
        if not 1 <= listener.port <= 65535:
            raise ConfigError(f"listener {listener.listener_arn}: port {listener.port} is not 1..65535")
        mode = _mode(listener.protocol, f"listener {listener.port}")
        out += [f"frontend {frontend_name(lb, listener.port)}", f"    mode {mode}"]
        out.append(f"    bind {listen}:{listener.port}")
        if mode == "http":
            out.append("    option forwardfor")
        else:
            out.append("    option tcplog")
        forward = [a for a in listener.default_actions if a.type in ("", "forward") and a.target_group_arn]
        if forward:
            tg = groups.get(forward[0].target_group_arn)
            if tg is not None:
                tg_mode = _mode(tg.protocol, f"targetGroup {tg.target_group_name}")
                if tg_mode != mode:
                    raise ConfigError(
                        f"listener {listener.port}: protocol {listener.protocol} cannot forward to "
                        f"targetGroup {tg.target_group_name} of protocol {tg.protocol}"
                    )
                out.append(f"    default_backend {backend_name(tg.target_group_name)}")
        out.append("")
    for group in sorted(config.target_groups, key=lambda g: g.target_group.target_group_name):
        tg = group.target_group
        name = backend_name(_check_name(tg.target_group_name, "targetGroup name"))
        mode = _mode(tg.protocol, f"targetGroup {tg.target_group_name}")
        hc = health_check(tg)
        out += [f"backend {name}", f"    mode {mode}", "    balance roundrobin"]
        if hc.enabled and hc.protocol == "HTTP":
            out.append(f"    option httpchk GET {hc.path}")
            out.append(f"    http-check expect status {hc.matcher}")
        out.append(f"    timeout check {hc.timeout}s")
        server = ["    default-server", "weight 100"]
        if hc.enabled:
            server += ["check", f"inter {hc.interval}s", f"fall {hc.unhealthy}", f"rise {hc.healthy}"]
            if hc.port:
                server.append(f"port {hc.port}")
        if hc.slow_start:
            server.append(f"slowstart {hc.slow_start}s")
        out.append(" ".join(server))
        backend_slots = list(slots.get(name, [Slot()] * MIN_SLOTS))
        for i, slot in enumerate(backend_slots, start=1):
            if slot.free:
                out.append(f"    server {server_name(i)} {FREE_ADDRESS}:0 disabled")
                continue
            what = f"targetGroup {tg.target_group_name}: target"
            address = _address(slot.address, f"{what} address")
            if not 1 <= slot.port <= 65535:
                raise ConfigError(f"{what} {address}: port {slot.port} is not 1..65535")
            disabled = "" if slot.enabled else " disabled"
            out.append(f"    server {server_name(i)} {address}:{slot.port}{disabled}")
        out.append("")
    if settings.metrics_port:
        metrics = _address(settings.metrics_address, "metrics address")
        out += [
            f"frontend {METRICS_FRONTEND}",
            "    mode http",
            f"    bind {metrics}:{settings.metrics_port}",
            "    http-request use-service prometheus-exporter if { path /metrics }",
            "    http-request return status 200 content-type text/plain string ok if { path /healthz }",
            "",
        ]
    return "\n".join(out)
