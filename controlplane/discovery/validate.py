"""Validation of service discovery requests, and the ids and ARNs Cloud Map uses. Pure: no I/O.

Checkers return every `FieldViolation` (the house pattern: INVALID_ARGUMENT with the field paths);
`require()` raises them together. Names are DNS names, kept lowercase: a namespace is one or more
labels (`prod.local`), a service is one label (`web`), so `<instance>.<service>.<namespace>` is
never ambiguous. ECS services name a discovery service by its ARN in `serviceRegistries[]`; what ECS
checks there (one registry per service, the record types fitting the network mode, the container
and port existing in the task definition) is `check_service_registries`.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string
from collections.abc import Iterable, Mapping, Sequence

from berth.arn import PARTITION
from berth.errors import FieldViolation, InvalidArgument, shown
from berth.v1 import servicediscovery_pb2 as sd
from berth.v1 import types_pb2

SERVICE = "servicediscovery"
NAMESPACE_TYPE = "DNS_PRIVATE"
SERVICE_TYPE = "DNS_HTTP"
RECORD_TYPES = ("A", "SRV")
ROUTING_POLICIES = ("MULTIVALUE", "WEIGHTED")
HEALTH_FILTERS = ("HEALTHY", "UNHEALTHY", "ALL", "HEALTHY_OR_ELSE_ALL")
DEFAULT_TTL = 60
MAX_TTL = 2147483647
MAX_ATTRIBUTES = 30
MAX_NAME = 253
_ID_CHARS = string.ascii_lowercase + string.digits
_LABEL = re.compile(r"^(?=.{1,63}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")
_ID = {"namespace": re.compile(r"^ns-[a-z0-9]{16}$"), "service": re.compile(r"^srv-[a-z0-9]{16}$")}
_INSTANCE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def require(violations: Sequence[FieldViolation]) -> None:
    if violations:
        raise InvalidArgument(list(violations))


def new_id(kind: str) -> str:
    """A Cloud Map-shaped id: `ns-` or `srv-` and 16 lowercase letters and digits."""
    prefix = "ns-" if kind == "namespace" else "srv-"
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(16))


def new_operation_id() -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(32))


def arn(region: str, account: str, kind: str, ident: str) -> str:
    return f"arn:{PARTITION}:{SERVICE}:{region}:{account}:{kind}/{ident}"


def parse_id(ref: str, kind: str, field: str) -> str:
    """The id in a plain id or a servicediscovery ARN of `kind` (namespace | service)."""
    ident = ref
    if ref.startswith("arn:"):
        parts = ref.split(":", 5)
        resource = parts[5] if len(parts) == 6 else ""
        if parts[2:3] != [SERVICE] or not resource.startswith(f"{kind}/"):
            raise InvalidArgument.field(field, f"{shown(ref)} is not a {SERVICE} {kind} ARN")
        ident = resource[len(kind) + 1 :]
    if not _ID[kind].match(ident):
        example = "ns-abcdefgh12345678" if kind == "namespace" else "srv-abcdefgh12345678"
        raise InvalidArgument.field(field, f"{shown(ref)} is not a {kind} id or ARN (like {example})")
    return ident


def dns_name(value: str, field: str, *, one_label: bool) -> tuple[str, list[FieldViolation]]:
    """The name lowercased without a trailing dot, and what is wrong with it."""
    name = value.lower().removesuffix(".")
    what = "a DNS label" if one_label else "a DNS name"
    labels = name.split(".")
    if (
        not name
        or len(name) > MAX_NAME
        or (one_label and len(labels) != 1)
        or not all(_LABEL.match(label) for label in labels)
    ):
        rule = "letters, digits, hyphens and underscores, up to 63 characters"
        if not one_label:
            rule = f"dot-separated labels of {rule} each, up to {MAX_NAME} characters in all"
        return name, [FieldViolation(field, f"{shown(value)} is not {what}: {rule}")]
    return name, []


def check_namespace(req: sd.CreatePrivateDnsNamespaceRequest) -> tuple[str, list[FieldViolation]]:
    name, problems = dns_name(req.name, "name", one_label=False)
    if len(req.description) > 1024:
        problems.append(FieldViolation("description", "is longer than 1024 characters"))
    if len(req.creator_request_id) > 64:
        problems.append(FieldViolation("creatorRequestId", "is longer than 64 characters"))
    soa = req.properties.dns_properties.soa
    if soa.HasField("ttl") and not 0 <= soa.ttl <= MAX_TTL:
        problems.append(
            FieldViolation("properties.dnsProperties.SOA.TTL", f"{soa.ttl} is out of range 0 to {MAX_TTL}")
        )
    return name, problems


def check_service(req: sd.CreateDiscoveryServiceRequest) -> tuple[str, sd.DnsConfig, list[FieldViolation]]:
    """The service name, its DnsConfig with defaults filled in, and the problems found."""
    name, problems = dns_name(req.name, "name", one_label=True)
    if req.type not in ("", SERVICE_TYPE):
        problems.append(
            FieldViolation("type", f"{shown(req.type)} is not supported: services are {SERVICE_TYPE}")
        )
    if len(req.description) > 1024:
        problems.append(FieldViolation("description", "is longer than 1024 characters"))
    if len(req.creator_request_id) > 64:
        problems.append(FieldViolation("creatorRequestId", "is longer than 64 characters"))
    config = sd.DnsConfig()
    config.CopyFrom(req.dns_config)
    if config.namespace_id and req.namespace_id and config.namespace_id != req.namespace_id:
        problems.append(
            FieldViolation("dnsConfig.namespaceId", "differs from namespaceId; give one of the two")
        )
    config.routing_policy = config.routing_policy or "MULTIVALUE"
    if config.routing_policy not in ROUTING_POLICIES:
        problems.append(
            FieldViolation(
                "dnsConfig.routingPolicy",
                f"{shown(config.routing_policy)} is not one of {', '.join(ROUTING_POLICIES)}",
            )
        )
    if not config.dns_records:
        problems.append(FieldViolation("dnsConfig.dnsRecords", "give at least one record: A or SRV"))
    if len(config.dns_records) > len(RECORD_TYPES):
        problems.append(FieldViolation("dnsConfig.dnsRecords", f"at most {len(RECORD_TYPES)} records"))
    seen: set[str] = set()
    for i, record in enumerate(config.dns_records):
        path = f"dnsConfig.dnsRecords[{i}]"
        if record.type not in RECORD_TYPES:
            problems.append(
                FieldViolation(f"{path}.type", f"{shown(record.type)} is not served: use A or SRV")
            )
        elif record.type in seen:
            problems.append(FieldViolation(f"{path}.type", f"{record.type} is given twice"))
        seen.add(record.type)
        if not record.HasField("ttl"):
            record.ttl = DEFAULT_TTL
        elif not 0 <= record.ttl <= MAX_TTL:
            problems.append(FieldViolation(f"{path}.TTL", f"{record.ttl} is out of range 0 to {MAX_TTL}"))
    custom = req.health_check_custom_config
    if custom.HasField("failure_threshold") and not 1 <= custom.failure_threshold <= 10:
        problems.append(
            FieldViolation(
                "healthCheckCustomConfig.failureThreshold",
                f"{custom.failure_threshold} is out of range 1 to 10",
            )
        )
    return name, config, problems


def record_types(service: sd.DiscoveryService) -> set[str]:
    return {r.type for r in service.dns_config.dns_records}


def check_instance(req: sd.RegisterInstanceRequest, service: sd.DiscoveryService) -> list[FieldViolation]:
    problems = []
    if not _INSTANCE_ID.match(req.instance_id):
        problems.append(
            FieldViolation(
                "instanceId",
                f"{shown(req.instance_id)} is invalid: 1 to 64 letters, digits, hyphens and underscores",
            )
        )
    attrs = dict(req.attributes)
    if len(attrs) > MAX_ATTRIBUTES:
        problems.append(FieldViolation("attributes", f"{len(attrs)} attributes; at most {MAX_ATTRIBUTES}"))
    for key, value in sorted(attrs.items()):
        if not 1 <= len(key) <= 255 or len(value) > 1024:
            problems.append(
                FieldViolation(f"attributes[{shown(key)}]", "keys are 1 to 255 characters, values up to 1024")
            )
    address = attrs.get("AWS_INSTANCE_IPV4", "")
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        problems.append(
            FieldViolation(
                "attributes.AWS_INSTANCE_IPV4", f"{shown(address)} is not an IPv4 address (it is required)"
            )
        )
    port = attrs.get("AWS_INSTANCE_PORT")
    if port is None and "SRV" in record_types(service):
        problems.append(
            FieldViolation("attributes.AWS_INSTANCE_PORT", "is required: the service has SRV records")
        )
    elif port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        problems.append(
            FieldViolation("attributes.AWS_INSTANCE_PORT", f"{shown(port)} is not a port 1 to 65535")
        )
    health = attrs.get("AWS_INIT_HEALTH_STATUS")
    if health is not None and health not in ("HEALTHY", "UNHEALTHY"):
        problems.append(
            FieldViolation(
                "attributes.AWS_INIT_HEALTH_STATUS", f"{shown(health)} is not HEALTHY or UNHEALTHY"
            )
        )
    return problems


def registry_service_ids(
    registries: Iterable[types_pb2.ServiceRegistry], field: str = "serviceRegistries"
) -> list[str]:
    """The discovery service ids the entries' registryArns name (InvalidArgument when malformed)."""
    registries = list(registries)
    problems = []
    if len(registries) > 1:
        problems.append(FieldViolation(field, f"{len(registries)} registries given; a service takes one"))
    ids = []
    for i, r in enumerate(registries):
        path = f"{field}[{i}].registryArn"
        if not r.registry_arn.startswith("arn:"):
            problems.append(FieldViolation(path, f"{shown(r.registry_arn)} is not a discovery service ARN"))
            continue
        try:
            ids.append(parse_id(r.registry_arn, "service", path))
        except InvalidArgument as e:
            problems.extend(e.violations)
    require(problems)
    return ids


def check_service_registries(
    registries: Sequence[types_pb2.ServiceRegistry],
    td: types_pb2.TaskDefinition,
    services: Mapping[str, sd.DiscoveryService | None],
    field: str = "serviceRegistries",
) -> list[FieldViolation]:
    """What ECS checks of `serviceRegistries[]` against the task definition; `services` maps each
    entry's service id to the discovery service (None: there is none)."""
    mode = (td.network_mode or "bridge").lower()
    containers = {c.name: c for c in td.container_definitions}
    problems = []
    for i, r in enumerate(registries):
        path = f"{field}[{i}]"
        ident = parse_id(r.registry_arn, "service", f"{path}.registryArn")
        service = services.get(ident)
        if service is None:
            problems.append(
                FieldViolation(
                    f"{path}.registryArn", f"discovery service {shown(r.registry_arn)} does not exist"
                )
            )
            continue
        types = record_types(service)
        if mode == "none":
            problems.append(FieldViolation(path, "a task in network mode none cannot be discovered"))
            continue
        if mode in ("bridge", "host") and "SRV" not in types:
            problems.append(
                FieldViolation(
                    f"{path}.registryArn",
                    f"network mode {mode} needs a discovery service with SRV records "
                    f"(A records need awsvpc); {service.name!r} has {', '.join(sorted(types))}",
                )
            )
        if r.HasField("port") and not 1 <= r.port <= 65535:
            problems.append(FieldViolation(f"{path}.port", f"{r.port} is not a port 1 to 65535"))
        if r.HasField("port") and mode != "awsvpc":
            problems.append(
                FieldViolation(
                    f"{path}.port", f"only for awsvpc; in {mode} mode give containerName and containerPort"
                )
            )
        if bool(r.container_name) != r.HasField("container_port"):
            problems.append(FieldViolation(path, "give containerName and containerPort together"))
        needs_port = "SRV" in types and not r.HasField("port")
        if needs_port and not (r.container_name and r.HasField("container_port")):
            problems.append(
                FieldViolation(path, "SRV records need a port: give containerName and containerPort")
            )
        if r.container_name:
            container = containers.get(r.container_name)
            if container is None:
                problems.append(
                    FieldViolation(
                        f"{path}.containerName",
                        f"{shown(r.container_name)} is not a container of {td.family}:{td.revision}",
                    )
                )
            elif r.HasField("container_port") and r.container_port not in {
                m.container_port for m in container.port_mappings
            }:
                problems.append(
                    FieldViolation(
                        f"{path}.containerPort",
                        f"{r.container_port} is not a containerPort of {r.container_name!r}'s portMappings",
                    )
                )
    return problems
