"""validate: names, DnsConfig defaults, custom instances and ECS serviceRegistries, with field paths."""

from __future__ import annotations

from typing import Any

import pytest

from berth import jsonmsg
from berth.errors import InvalidArgument
from berth.v1 import servicediscovery_pb2 as sd
from berth.v1 import types_pb2
from controlplane.discovery import validate

SRV_ID = "srv-aaaaaaaaaaaaaaaa"
SRV_ARN = f"arn:berth:servicediscovery:local:000000000000:service/{SRV_ID}"


def fields(problems: list[Any]) -> list[str]:
    return [p.field for p in problems]


@pytest.mark.parametrize(
    ("value", "one_label", "ok"),
    [
        ("prod.local", False, True),
        ("Prod.Local.", False, True),
        ("web", True, True),
        ("web.x", True, False),
        ("", False, False),
        ("-bad.local", False, False),
        ("a..b", False, False),
        ("x" * 64, True, False),
        ("ü.local", False, False),
    ],
)
def test_dns_names(value: str, one_label: bool, ok: bool) -> None:
    name, problems = validate.dns_name(value, "name", one_label=one_label)
    assert (not problems) == ok
    if ok:
        assert name == value.lower().removesuffix(".")
    else:
        assert fields(problems) == ["name"]


def test_ids_and_arns() -> None:
    ident = validate.new_id("namespace")
    assert validate.parse_id(ident, "namespace", "id") == ident
    arn = validate.arn("local", "000000000000", "service", SRV_ID)
    assert arn == SRV_ARN
    assert validate.parse_id(arn, "service", "id") == SRV_ID
    with pytest.raises(InvalidArgument) as e:
        validate.parse_id(arn, "namespace", "id")
    assert e.value.violations[0].field == "id"
    with pytest.raises(InvalidArgument):
        validate.parse_id("srv-short", "service", "id")


def test_service_defaults_and_problems() -> None:
    req = jsonmsg.parse(
        {"name": "web", "namespaceId": "ns-x", "dnsConfig": {"dnsRecords": [{"type": "SRV"}]}},
        sd.CreateDiscoveryServiceRequest,
    )
    name, config, problems = validate.check_service(req)
    assert (name, problems) == ("web", [])
    assert config.routing_policy == "MULTIVALUE" and config.dns_records[0].ttl == 60
    bad = jsonmsg.parse(
        {
            "name": "a.b",
            "type": "HTTP",
            "dnsConfig": {
                "routingPolicy": "NEAREST",
                "dnsRecords": [{"type": "CNAME"}, {"type": "A", "TTL": -1}],
            },
            "healthCheckCustomConfig": {"failureThreshold": 11},
        },
        sd.CreateDiscoveryServiceRequest,
    )
    assert fields(validate.check_service(bad)[2]) == [
        "name",
        "type",
        "dnsConfig.routingPolicy",
        "dnsConfig.dnsRecords[0].type",
        "dnsConfig.dnsRecords[1].TTL",
        "healthCheckCustomConfig.failureThreshold",
    ]


def test_custom_instance_attributes() -> None:
    service = sd.DiscoveryService(dns_config=sd.DnsConfig(dns_records=[sd.DnsRecord(type="SRV")]))
    req = sd.RegisterInstanceRequest(instance_id="db 1", attributes={"AWS_INSTANCE_IPV4": "10.0.0.300"})
    assert fields(validate.check_instance(req, service)) == [
        "instanceId",
        "attributes.AWS_INSTANCE_IPV4",
        "attributes.AWS_INSTANCE_PORT",
    ]
    ok = sd.RegisterInstanceRequest(
        instance_id="db1", attributes={"AWS_INSTANCE_IPV4": "10.0.0.3", "AWS_INSTANCE_PORT": "5432"}
    )
    assert validate.check_instance(ok, service) == []


def td(mode: str) -> types_pb2.TaskDefinition:
    return jsonmsg.parse(
        {
            "family": "web",
            "revision": 1,
            "networkMode": mode,
            "containerDefinitions": [{"name": "app", "portMappings": [{"containerPort": 80}]}],
        },
        types_pb2.TaskDefinition,
    )


def discovery(*types: str) -> sd.DiscoveryService:
    return sd.DiscoveryService(
        id=SRV_ID, name="web", dns_config=sd.DnsConfig(dns_records=[sd.DnsRecord(type=t) for t in types])
    )


def registry(**f: Any) -> types_pb2.ServiceRegistry:
    return jsonmsg.parse({"registryArn": SRV_ARN, **f}, types_pb2.ServiceRegistry)


@pytest.mark.parametrize(
    ("mode", "types", "entry", "want"),
    [
        pytest.param("bridge", ("SRV",), {"containerName": "app", "containerPort": 80}, [], id="bridge-srv"),
        pytest.param(
            "bridge",
            ("A",),
            {"containerName": "app", "containerPort": 80},
            ["serviceRegistries[0].registryArn"],
            id="bridge-a-needs-awsvpc",
        ),
        pytest.param("bridge", ("SRV",), {}, ["serviceRegistries[0]"], id="bridge-needs-container"),
        pytest.param(
            "bridge",
            ("SRV",),
            {"port": 80},
            ["serviceRegistries[0].port"],
            id="bridge-port-only-awsvpc",
        ),
        pytest.param("awsvpc", ("A",), {}, [], id="awsvpc-a"),
        pytest.param("awsvpc", ("A", "SRV"), {"port": 8080}, [], id="awsvpc-srv-port"),
        pytest.param("awsvpc", ("SRV",), {}, ["serviceRegistries[0]"], id="awsvpc-srv-needs-port"),
        pytest.param(
            "host",
            ("SRV",),
            {"containerName": "db", "containerPort": 80},
            ["serviceRegistries[0].containerName"],
            id="unknown-container",
        ),
        pytest.param(
            "host",
            ("SRV",),
            {"containerName": "app", "containerPort": 81},
            ["serviceRegistries[0].containerPort"],
            id="unknown-port",
        ),
        pytest.param("none", ("A",), {}, ["serviceRegistries[0]"], id="none-mode"),
    ],
)
def test_service_registries(
    mode: str, types: tuple[str, ...], entry: dict[str, Any], want: list[str]
) -> None:
    got = validate.check_service_registries([registry(**entry)], td(mode), {SRV_ID: discovery(*types)})
    assert fields(got) == want


def test_service_registries_missing_and_malformed() -> None:
    got = validate.check_service_registries([registry()], td("awsvpc"), {SRV_ID: None})
    assert fields(got) == ["serviceRegistries[0].registryArn"] and "does not exist" in got[0].description
    with pytest.raises(InvalidArgument) as e:
        validate.registry_service_ids([types_pb2.ServiceRegistry(registry_arn="web"), registry()])
    assert [v.field for v in e.value.violations] == ["serviceRegistries", "serviceRegistries[0].registryArn"]
