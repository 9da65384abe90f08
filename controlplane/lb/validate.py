"""Validation of Elastic Load Balancing (v2) requests, with ELB's rules and defaults, and the ARNs
ELB uses. Pure: no I/O.

Checkers return every `FieldViolation` (the house pattern: INVALID_ARGUMENT with the field paths in
the request's own lowerCamelCase names); `require()` raises them together. Load balancers and target
groups are keyed by name (1 to 32 letters, digits and hyphens, not starting or ending with a hyphen,
as ELB has it); their ARNs carry a 16-hex-digit id, so a resource deleted and created again under
the same name has another ARN and an old ARN no longer names it. What ECS checks of a service's
`loadBalancers[]` is `check_service_load_balancers`.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from berth.arn import PARTITION
from berth.errors import FieldViolation, InvalidArgument, shown
from berth.v1 import elb_pb2, types_pb2

SERVICE = "elasticloadbalancing"
PROTOCOLS = ("HTTP", "TCP")
TARGET_TYPES = ("instance", "ip")
SCHEMES = ("internet-facing", "internal")
LB_TYPES = {"application": "HTTP", "network": "TCP"}  # load balancer type -> its listener protocol
LB_KINDS = {"application": "app", "network": "net"}  # how the ARN says the type
MAX_SERVICE_LOAD_BALANCERS = 5  # ECS: target groups per service
MAX_PAGE = 400  # ELB's PageSize
MAX_LISTENERS = 50  # ELB: listeners per load balancer

DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
SLOW_START = "slow_start.duration_seconds"
DEFAULT_DEREGISTRATION_DELAY = 300
ATTRIBUTES = (DEREGISTRATION_DELAY, SLOW_START)

DEFAULT_INTERVAL = 30
DEFAULT_TIMEOUT = {"HTTP": 5, "TCP": 10}
DEFAULT_HEALTHY = 5
DEFAULT_UNHEALTHY = 2
DEFAULT_PATH = "/"
DEFAULT_MATCHER = "200"
TRAFFIC_PORT = "traffic-port"

_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_ID = re.compile(r"^[0-9a-f]{16}$")
_MATCHER_PART = re.compile(r"^(\d{3})(?:-(\d{3}))?$")


def require(violations: Sequence[FieldViolation]) -> None:
    if violations:
        raise InvalidArgument(list(violations))


def new_id() -> str:
    """The id part of an ELB ARN: 16 lowercase hex digits."""
    return secrets.token_hex(8)


# -- ARNs ----------------------------------------------------------------------------------------


def _prefix(region: str, account: str) -> str:
    return f"arn:{PARTITION}:{SERVICE}:{region}:{account}:"


def load_balancer_arn(region: str, account: str, lb_type: str, name: str, ident: str) -> str:
    return f"{_prefix(region, account)}loadbalancer/{LB_KINDS.get(lb_type, 'app')}/{name}/{ident}"


def target_group_arn(region: str, account: str, name: str, ident: str) -> str:
    return f"{_prefix(region, account)}targetgroup/{name}/{ident}"


def listener_arn(lb_arn: str, ident: str) -> str:
    """`...:listener/app/<lb name>/<lb id>/<id>` for a load balancer's ARN."""
    head, _, resource = lb_arn.partition(":loadbalancer/")
    return f"{head}:listener/{resource}/{ident}"


@dataclass(frozen=True)
class ArnParts:
    name: str  # the load balancer's or target group's name; a listener's load balancer name
    ident: str  # the id at the end of the ARN
    lb_id: str = ""  # a listener's: its load balancer's id


def parse_arn(ref: str, kind: str, field: str) -> ArnParts:
    """The parts of an elasticloadbalancing ARN of `kind` (loadbalancer | targetgroup | listener)."""
    head = f"arn:{PARTITION}:{SERVICE}:local:000000000000:"
    examples = {
        "loadbalancer": f"{head}loadbalancer/app/web/0123456789abcdef",
        "targetgroup": f"{head}targetgroup/web/0123456789abcdef",
        "listener": f"{head}listener/app/web/0123456789abcdef/fedcba9876543210",
    }
    what = {"loadbalancer": "load balancer", "targetgroup": "target group", "listener": "listener"}[kind]
    bad = InvalidArgument.field(field, f"{shown(ref)} is not a {what} ARN (like {examples[kind]})")
    if not ref:
        raise InvalidArgument.field(field, "is required")
    parts = ref.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != SERVICE:
        raise bad
    resource = parts[5].split("/")
    if resource[0] != kind:
        raise bad
    if kind == "targetgroup":
        if len(resource) != 3 or not _NAME.match(resource[1]) or not _ID.match(resource[2]):
            raise bad
        return ArnParts(resource[1], resource[2])
    size = 4 if kind == "loadbalancer" else 5
    if len(resource) != size or resource[1] not in LB_KINDS.values() or not _NAME.match(resource[2]):
        raise bad
    if not all(_ID.match(p) for p in resource[3:]):
        raise bad
    if kind == "loadbalancer":
        return ArnParts(resource[2], resource[3])
    return ArnParts(resource[2], resource[4], lb_id=resource[3])


def name_problems(value: str, field: str, what: str) -> list[FieldViolation]:
    if _NAME.match(value):
        return []
    if not value:
        return [FieldViolation(field, "is required")]
    return [
        FieldViolation(
            field,
            f"{what} name {shown(value)} is invalid: 1 to 32 letters, digits and hyphens, "
            "not starting or ending with a hyphen",
        )
    ]


def _port_problems(value: int, field: str) -> list[FieldViolation]:
    if not 1 <= value <= 65535:
        return [FieldViolation(field, f"{value} is not a port 1 to 65535")]
    return []


# -- load balancers ------------------------------------------------------------------------------


def check_load_balancer(req: elb_pb2.CreateLoadBalancerRequest) -> tuple[str, str, list[FieldViolation]]:
    """(scheme, type) with ELB's defaults (internet-facing, application), and the problems."""
    problems = name_problems(req.name, "name", "load balancer")
    if req.name.lower().startswith("internal-"):
        problems.append(FieldViolation("name", f"{shown(req.name)} must not begin with 'internal-'"))
    scheme = req.scheme or "internet-facing"
    if scheme not in SCHEMES:
        problems.append(FieldViolation("scheme", f"{shown(req.scheme)} is not one of {', '.join(SCHEMES)}"))
    lb_type = req.type or "application"
    if lb_type not in LB_TYPES:
        problems.append(
            FieldViolation(
                "type", f"{shown(req.type)} is not served: use application (HTTP) or network (TCP)"
            )
        )
    return scheme, lb_type, problems


# -- target groups -------------------------------------------------------------------------------


def matcher_problems(text: str, field: str) -> list[FieldViolation]:
    """ELB's matcher: "200", "200,202" or "200-299", codes within 200 to 499."""
    parts = text.split(",")
    for part in parts:
        m = _MATCHER_PART.match(part.strip())
        low, high = (int(m.group(1)), int(m.group(2) or m.group(1))) if m else (0, 0)
        if not m or not (200 <= low <= high <= 499):
            return [
                FieldViolation(
                    field,
                    f"{shown(text)} is not a list or range of HTTP codes within 200 to 499 "
                    "(like 200, 200,202 or 200-299)",
                )
            ]
    return []


def matcher_codes(text: str) -> list[tuple[int, int]]:
    """The (low, high) code ranges a valid matcher accepts."""
    out = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        out.append((int(low), int(high or low)))
    return out


def fill_health_defaults(tg: elb_pb2.TargetGroup) -> None:
    """Give every health check setting left out ELB's default (in place)."""
    tg.health_check_protocol = tg.health_check_protocol or (
        tg.protocol if tg.protocol in PROTOCOLS else "HTTP"
    )
    tg.health_check_port = tg.health_check_port or TRAFFIC_PORT
    if not tg.HasField("health_check_enabled"):
        tg.health_check_enabled = True
    if not tg.HasField("health_check_interval_seconds"):
        tg.health_check_interval_seconds = DEFAULT_INTERVAL
    if not tg.HasField("health_check_timeout_seconds"):
        tg.health_check_timeout_seconds = DEFAULT_TIMEOUT.get(tg.health_check_protocol, 5)
    if not tg.HasField("healthy_threshold_count"):
        tg.healthy_threshold_count = DEFAULT_HEALTHY
    if not tg.HasField("unhealthy_threshold_count"):
        tg.unhealthy_threshold_count = DEFAULT_UNHEALTHY
    if tg.health_check_protocol == "HTTP":
        tg.health_check_path = tg.health_check_path or DEFAULT_PATH
        if not tg.matcher.http_code:
            tg.matcher.http_code = DEFAULT_MATCHER
    if not tg.HasField("deregistration_delay_seconds"):
        tg.deregistration_delay_seconds = DEFAULT_DEREGISTRATION_DELAY
    if not tg.HasField("slow_start_seconds"):
        tg.slow_start_seconds = 0


def health_problems(tg: elb_pb2.TargetGroup, given: set[str]) -> list[FieldViolation]:
    """What is wrong with a target group's health check settings (after `fill_health_defaults`).
    `given` holds the request fields set by the caller: the TCP-only refusals name only those."""
    problems = []
    if tg.health_check_protocol not in PROTOCOLS:
        problems.append(
            FieldViolation(
                "healthCheckProtocol", f"{shown(tg.health_check_protocol)} is not one of HTTP, TCP"
            )
        )
    port = tg.health_check_port
    if port != TRAFFIC_PORT and not (port.isdigit() and 1 <= int(port) <= 65535):
        problems.append(
            FieldViolation("healthCheckPort", f"{shown(port)} is not traffic-port or a port 1 to 65535")
        )
    interval, timeout = tg.health_check_interval_seconds, tg.health_check_timeout_seconds
    if not 5 <= interval <= 300:
        problems.append(FieldViolation("healthCheckIntervalSeconds", f"{interval} is out of range 5 to 300"))
    if not 2 <= timeout <= 120:
        problems.append(FieldViolation("healthCheckTimeoutSeconds", f"{timeout} is out of range 2 to 120"))
    elif 5 <= interval <= 300 and timeout >= interval:
        problems.append(
            FieldViolation(
                "healthCheckTimeoutSeconds",
                f"{timeout} must be smaller than the interval (healthCheckIntervalSeconds {interval})",
            )
        )
    for name, value in (
        ("healthyThresholdCount", tg.healthy_threshold_count),
        ("unhealthyThresholdCount", tg.unhealthy_threshold_count),
    ):
        if not 2 <= value <= 10:
            problems.append(FieldViolation(name, f"{value} is out of range 2 to 10"))
    if tg.health_check_protocol == "HTTP":
        path = tg.health_check_path
        if not path.startswith("/") or len(path) > 1024 or any(c.isspace() for c in path):
            problems.append(
                FieldViolation(
                    "healthCheckPath", f"{shown(path)} must start with '/' (up to 1024 characters, no spaces)"
                )
            )
        problems += matcher_problems(tg.matcher.http_code, "matcher.httpCode")
    else:
        if "healthCheckPath" in given:
            problems.append(FieldViolation("healthCheckPath", "is only for HTTP health checks"))
        if "matcher" in given:
            problems.append(FieldViolation("matcher", "is only for HTTP health checks"))
    return problems


def given_fields(message: object) -> set[str]:
    """The lowerCamelCase names of the fields a request sets."""
    return {fd.json_name for fd, _ in message.ListFields()}  # type: ignore[attr-defined]


def check_target_group(
    req: elb_pb2.CreateTargetGroupRequest,
) -> tuple[elb_pb2.TargetGroup, list[FieldViolation]]:
    """The target group the request describes, with ELB's defaults filled in, and the problems.
    ARN, creation time and tags are the caller's to set."""
    problems = name_problems(req.name, "name", "target group")
    if req.protocol not in PROTOCOLS:
        problems.append(
            FieldViolation(
                "protocol",
                f"{shown(req.protocol)} is not one of {', '.join(PROTOCOLS)}"
                if req.protocol
                else "is required: HTTP or TCP",
            )
        )
    if not req.HasField("port"):
        problems.append(FieldViolation("port", "is required for target types instance and ip"))
    else:
        problems += _port_problems(req.port, "port")
    target_type = req.target_type or "instance"
    if target_type not in TARGET_TYPES:
        problems.append(
            FieldViolation(
                "targetType",
                f"{shown(req.target_type)} is not served: use instance or ip (lambda and alb are not)",
            )
        )
    tg = elb_pb2.TargetGroup(
        target_group_name=req.name,
        protocol=req.protocol,
        target_type=target_type,
        health_check_protocol=req.health_check_protocol,
        health_check_port=req.health_check_port,
        health_check_path=req.health_check_path,
    )
    if req.HasField("port"):
        tg.port = req.port
    for name in (
        "health_check_enabled",
        "health_check_interval_seconds",
        "health_check_timeout_seconds",
        "healthy_threshold_count",
        "unhealthy_threshold_count",
    ):
        if req.HasField(name):
            setattr(tg, name, getattr(req, name))
    if req.HasField("matcher"):
        tg.matcher.CopyFrom(req.matcher)
    fill_health_defaults(tg)
    problems += health_problems(tg, given_fields(req))
    return tg, problems


def modify_target_group(
    current: elb_pb2.TargetGroup, req: elb_pb2.ModifyTargetGroupRequest
) -> tuple[elb_pb2.TargetGroup, list[FieldViolation]]:
    """`current` with the request's health check settings applied, and the problems."""
    tg = elb_pb2.TargetGroup()
    tg.CopyFrom(current)
    given = given_fields(req) - {"targetGroupArn"}
    protocol_changed = (
        bool(req.health_check_protocol) and req.health_check_protocol != tg.health_check_protocol
    )
    for name in ("health_check_protocol", "health_check_port", "health_check_path"):
        if getattr(req, name):
            setattr(tg, name, getattr(req, name))
    for name in (
        "health_check_enabled",
        "health_check_interval_seconds",
        "health_check_timeout_seconds",
        "healthy_threshold_count",
        "unhealthy_threshold_count",
    ):
        if req.HasField(name):
            setattr(tg, name, getattr(req, name))
    if req.HasField("matcher"):
        tg.matcher.CopyFrom(req.matcher)
    if protocol_changed:
        if tg.health_check_protocol != "HTTP":
            tg.health_check_path = ""
            tg.ClearField("matcher")
        if "healthCheckTimeoutSeconds" not in given:
            tg.ClearField("health_check_timeout_seconds")
    fill_health_defaults(tg)
    return tg, health_problems(tg, given)


def attributes(tg: elb_pb2.TargetGroup) -> list[elb_pb2.TargetGroupAttribute]:
    """The target group's attributes, as DescribeTargetGroupAttributes shows them."""
    delay = tg.deregistration_delay_seconds if tg.HasField("deregistration_delay_seconds") else 300
    return [
        elb_pb2.TargetGroupAttribute(key=DEREGISTRATION_DELAY, value=str(delay)),
        elb_pb2.TargetGroupAttribute(key=SLOW_START, value=str(tg.slow_start_seconds)),
    ]


def apply_attributes(
    current: elb_pb2.TargetGroup, attrs: Sequence[elb_pb2.TargetGroupAttribute]
) -> tuple[elb_pb2.TargetGroup, list[FieldViolation]]:
    """`current` with the attributes set, and the problems (unknown keys, values out of range)."""
    tg = elb_pb2.TargetGroup()
    tg.CopyFrom(current)
    problems = []
    if not attrs:
        problems.append(FieldViolation("attributes", "give at least one attribute"))
    for i, attr in enumerate(attrs):
        path = f"attributes[{i}]"
        if attr.key not in ATTRIBUTES:
            problems.append(
                FieldViolation(
                    f"{path}.key",
                    f"{shown(attr.key)} is not a target group attribute: use {', '.join(ATTRIBUTES)}",
                )
            )
            continue
        value = attr.value.strip()
        number = int(value) if value.isdigit() and len(value) < 10 else -1
        if attr.key == DEREGISTRATION_DELAY:
            if not 0 <= number <= 3600:
                problems.append(
                    FieldViolation(
                        f"{path}.value", f"{DEREGISTRATION_DELAY} {shown(attr.value)} is not 0 to 3600"
                    )
                )
            else:
                tg.deregistration_delay_seconds = number
        else:
            if not (number == 0 or 30 <= number <= 900):
                problems.append(
                    FieldViolation(f"{path}.value", f"{SLOW_START} {shown(attr.value)} is not 0 or 30 to 900")
                )
            else:
                tg.slow_start_seconds = number
    return tg, problems


# -- listeners -----------------------------------------------------------------------------------


def check_listener(
    req: elb_pb2.CreateListenerRequest, lb: elb_pb2.ElbLoadBalancer
) -> tuple[ArnParts | None, list[FieldViolation]]:
    """The target group the listener forwards to (by ARN parts), and the problems."""
    problems = []
    want = LB_TYPES.get(lb.type, "HTTP")
    protocol = req.protocol or want
    if protocol not in PROTOCOLS:
        problems.append(
            FieldViolation("protocol", f"{shown(req.protocol)} is not one of {', '.join(PROTOCOLS)}")
        )
    elif protocol != want:
        problems.append(
            FieldViolation(
                "protocol", f"{protocol} listeners are not for an {lb.type} load balancer: it takes {want}"
            )
        )
    if not req.HasField("port"):
        problems.append(FieldViolation("port", "is required"))
    else:
        problems += _port_problems(req.port, "port")
    target: ArnParts | None = None
    if len(req.default_actions) != 1:
        problems.append(
            FieldViolation(
                "defaultActions", f"give exactly one forward action ({len(req.default_actions)} given)"
            )
        )
    for i, action in enumerate(req.default_actions[:1]):
        path = f"defaultActions[{i}]"
        if action.type.lower() != "forward":
            problems.append(
                FieldViolation(f"{path}.type", f"{shown(action.type)} is not served: only forward")
            )
        try:
            target = parse_arn(action.target_group_arn, "targetgroup", f"{path}.targetGroupArn")
        except InvalidArgument as e:
            problems += e.violations
    return target, problems


# -- targets -------------------------------------------------------------------------------------


def check_targets(
    targets: Sequence[elb_pb2.TargetDescription], tg: elb_pb2.TargetGroup, field: str = "targets"
) -> list[elb_pb2.TargetDescription]:
    """The targets with their port filled in (the target group's when left out); InvalidArgument
    naming each bad one."""
    problems = []
    if not targets:
        problems.append(FieldViolation(field, "give at least one target"))
    out = []
    for i, t in enumerate(targets):
        path = f"{field}[{i}]"
        if tg.target_type == "ip":
            try:
                ipaddress.IPv4Address(t.id)
            except ValueError:
                problems.append(
                    FieldViolation(f"{path}.id", f"{shown(t.id)} is not an IPv4 address (target type ip)")
                )
        elif not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", t.id):
            problems.append(
                FieldViolation(
                    f"{path}.id", f"{shown(t.id)} is not a container instance id (target type instance)"
                )
            )
        port = t.port if t.HasField("port") else tg.port
        if t.HasField("port"):
            problems += _port_problems(t.port, f"{path}.port")
        out.append(elb_pb2.TargetDescription(id=t.id, port=port, availability_zone=t.availability_zone))
    require(problems)
    return out


# -- ECS services --------------------------------------------------------------------------------


def service_target_groups(
    entries: Iterable[types_pb2.LoadBalancer], field: str = "loadBalancers"
) -> list[ArnParts]:
    """The target groups a service's loadBalancers[] name (InvalidArgument when malformed)."""
    entries = list(entries)
    problems = []
    if len(entries) > MAX_SERVICE_LOAD_BALANCERS:
        problems.append(
            FieldViolation(
                field, f"{len(entries)} given; a service takes at most {MAX_SERVICE_LOAD_BALANCERS}"
            )
        )
    out = []
    for i, lb in enumerate(entries):
        path = f"{field}[{i}]"
        if lb.load_balancer_name and not lb.target_group_arn:
            problems.append(
                FieldViolation(
                    f"{path}.loadBalancerName",
                    "classic load balancers are not served: give targetGroupArn (an ELBv2 target group)",
                )
            )
            continue
        try:
            out.append(parse_arn(lb.target_group_arn, "targetgroup", f"{path}.targetGroupArn"))
        except InvalidArgument as e:
            problems += e.violations
    require(problems)
    return out


def check_service_load_balancers(
    entries: Sequence[types_pb2.LoadBalancer],
    td: types_pb2.TaskDefinition,
    groups: Mapping[str, elb_pb2.TargetGroup | None],
    attached: Mapping[str, bool],
    field: str = "loadBalancers",
) -> list[FieldViolation]:
    """What ECS checks of `loadBalancers[]` against the task definition; `groups` maps each entry's
    target group ARN to the target group (None: there is none), `attached` says whether a listener
    of a load balancer forwards to it."""
    mode = (td.network_mode or "bridge").lower()
    containers = {c.name: c for c in td.container_definitions}
    problems = []
    seen: set[tuple[str, str, int]] = set()
    for i, lb in enumerate(entries):
        path = f"{field}[{i}]"
        tg = groups.get(lb.target_group_arn)
        if tg is None:
            problems.append(
                FieldViolation(
                    f"{path}.targetGroupArn", f"target group {shown(lb.target_group_arn, 200)} does not exist"
                )
            )
            continue
        if not attached.get(lb.target_group_arn):
            problems.append(
                FieldViolation(
                    f"{path}.targetGroupArn",
                    f"The target group with targetGroupArn {lb.target_group_arn} does not have an associated "
                    "load balancer (create a listener that forwards to it)",
                )
            )
        if tg.target_type == "ip" and mode != "awsvpc":
            problems.append(
                FieldViolation(
                    f"{path}.targetGroupArn",
                    f"target group {tg.target_group_name!r} has target type ip, which needs network mode "
                    "awsvpc; "
                    f"{td.family}:{td.revision} uses {mode}",
                )
            )
        if tg.target_type == "instance" and mode not in ("bridge", "host"):
            problems.append(
                FieldViolation(
                    f"{path}.targetGroupArn",
                    f"target group {tg.target_group_name!r} has target type instance, which needs "
                    f"network mode bridge or host; {td.family}:{td.revision} uses {mode} "
                    "(use a target group of type ip)",
                )
            )
        if not lb.container_name:
            problems.append(FieldViolation(f"{path}.containerName", "is required"))
        if not lb.HasField("container_port"):
            problems.append(FieldViolation(f"{path}.containerPort", "is required"))
        if not lb.container_name:
            continue
        container = containers.get(lb.container_name)
        if container is None:
            problems.append(
                FieldViolation(
                    f"{path}.containerName",
                    f"{shown(lb.container_name)} is not a container of {td.family}:{td.revision}",
                )
            )
        elif lb.HasField("container_port") and lb.container_port not in {
            m.container_port for m in container.port_mappings
        }:
            problems.append(
                FieldViolation(
                    f"{path}.containerPort",
                    f"{lb.container_port} is not a containerPort of {lb.container_name!r}'s portMappings",
                )
            )
        key = (lb.target_group_arn, lb.container_name, lb.container_port)
        if key in seen:
            problems.append(FieldViolation(path, "names the same target group, container and port twice"))
        seen.add(key)
    return problems
