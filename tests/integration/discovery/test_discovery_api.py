"""The ServiceDiscovery API on a real control plane and etcd: namespaces and services with their
errors, custom instances, and ECS CreateService/UpdateService checking serviceRegistries."""

from __future__ import annotations

from typing import Any

import pytest

from berth import ApiError, Client

pytestmark = [pytest.mark.etcd]


def sd(client: Client, method: str, **fields: Any) -> Any:
    return client.servicediscovery(method, **fields)


def namespace(client: Client, unique: str) -> Any:
    return sd(client, "CreatePrivateDnsNamespace", name=f"p{unique}.local", vpc="ignored").namespace


def srv(client: Client, ns: Any, name: str, *records: str) -> Any:
    return sd(
        client,
        "CreateService",
        name=name,
        namespaceId=ns.id,
        dnsConfig={"dnsRecords": [{"type": r, "TTL": 5} for r in records or ("SRV",)]},
    ).service


def test_namespace_lifecycle(client: Client, unique: str) -> None:
    ns = namespace(client, unique)
    assert ns.id.startswith("ns-") and ns.arn.endswith(f":namespace/{ns.id}")
    assert ns.arn.startswith("arn:berth:servicediscovery:local:000000000000:")
    assert ns.type == "DNS_PRIVATE" and ns.properties.dns_properties.soa.ttl == 15
    assert sd(client, "GetNamespace", id=ns.arn).namespace.name == f"p{unique}.local"
    with pytest.raises(ApiError) as e:
        sd(client, "CreatePrivateDnsNamespace", name=f"P{unique}.LOCAL.")
    assert e.value.code == "ALREADY_EXISTS" and e.value.ecs_type == "NamespaceAlreadyExists"
    again = sd(client, "CreatePrivateDnsNamespace", name=f"x{unique}.local", creatorRequestId="r1").namespace
    assert (
        sd(client, "CreatePrivateDnsNamespace", name=f"x{unique}.local", creatorRequestId="r1").namespace.id
        == again.id
    )
    listed = sd(
        client, "ListNamespaces", filters=[{"name": "NAME", "values": [f"p{unique}.local"]}]
    ).namespaces
    assert [n.id for n in listed] == [ns.id]
    s = srv(client, ns, "web")
    assert s.id.startswith("srv-") and s.dns_config.routing_policy == "MULTIVALUE"
    assert sd(client, "GetNamespace", id=ns.id).namespace.service_count == 1
    with pytest.raises(ApiError) as e:
        sd(client, "DeleteNamespace", id=ns.id)
    assert e.value.code == "FAILED_PRECONDITION" and e.value.ecs_type == "ResourceInUse"
    with pytest.raises(ApiError) as e:
        srv(client, ns, "WEB")
    assert e.value.ecs_type == "ServiceAlreadyExists"
    listed_services = sd(
        client, "ListServices", filters=[{"name": "NAMESPACE_ID", "values": [ns.id]}]
    ).services
    assert [x.name for x in listed_services] == ["web"]
    sd(client, "DeleteService", id=s.id)
    with pytest.raises(ApiError) as e:
        sd(client, "GetService", id=s.id)
    assert e.value.code == "NOT_FOUND" and e.value.ecs_type == "ServiceNotFound"
    sd(client, "DeleteNamespace", id=ns.id)
    with pytest.raises(ApiError) as e:
        sd(client, "GetNamespace", id=ns.id)
    assert e.value.code == "NOT_FOUND"
    namespace(client, unique)  # the name is free again


def test_bad_input_names_the_field(client: Client, unique: str) -> None:
    with pytest.raises(ApiError) as e:
        sd(client, "CreatePrivateDnsNamespace", name="bad name")
    assert e.value.code == "INVALID_ARGUMENT" and [v.field for v in e.value.violations] == ["name"]
    ns = namespace(client, unique)
    with pytest.raises(ApiError) as e:
        sd(client, "CreateService", name="web", namespaceId=ns.id, dnsConfig={"dnsRecords": [{"type": "MX"}]})
    assert [v.field for v in e.value.violations] == ["dnsConfig.dnsRecords[0].type"]
    with pytest.raises(ApiError) as e:
        sd(client, "GetService", id="srv-nope")
    assert [v.field for v in e.value.violations] == ["id"]
    with pytest.raises(ApiError) as e:
        sd(
            client,
            "CreateService",
            name="web",
            namespaceId="ns-0000000000000000",
            dnsConfig={"dnsRecords": [{"type": "A"}]},
        )
    assert e.value.code == "NOT_FOUND" and e.value.ecs_type == "NamespaceNotFound"


def test_custom_instances(client: Client, unique: str) -> None:
    ns = namespace(client, unique)
    s = srv(client, ns, "db", "A", "SRV")
    with pytest.raises(ApiError) as e:
        sd(
            client,
            "RegisterInstance",
            serviceId=s.id,
            instanceId="db1",
            attributes={"AWS_INSTANCE_IPV4": "10.0.0.1"},
        )
    assert [v.field for v in e.value.violations] == ["attributes.AWS_INSTANCE_PORT"]
    sd(
        client,
        "RegisterInstance",
        serviceId=s.id,
        instanceId="db1",
        attributes={"AWS_INSTANCE_IPV4": "10.0.0.1", "AWS_INSTANCE_PORT": "5432"},
    )
    found = sd(client, "DiscoverInstances", namespaceName=ns.name, serviceName="db").instances
    assert [(i.instance_id, i.attributes["AWS_INSTANCE_PORT"], i.health_status) for i in found] == [
        ("db1", "5432", "HEALTHY")
    ]
    assert sd(client, "GetInstancesHealthStatus", serviceId=s.id).status == {"db1": "HEALTHY"}
    assert [i.id for i in sd(client, "ListInstances", serviceId=s.id).instances] == ["db1"]
    assert sd(client, "GetService", id=s.id).service.instance_count == 1
    with pytest.raises(ApiError) as e:
        sd(client, "DeleteService", id=s.id)
    assert e.value.ecs_type == "ResourceInUse"
    sd(client, "DeregisterInstance", serviceId=s.id, instanceId="db1")
    assert sd(client, "DiscoverInstances", namespaceName=ns.name, serviceName="db").instances == []
    with pytest.raises(ApiError) as e:
        sd(client, "DiscoverInstances", namespaceName=ns.name, serviceName="nope")
    assert e.value.code == "NOT_FOUND"


def test_ecs_service_registries_are_checked(client: Client, cluster: str, unique: str) -> None:
    ns = namespace(client, unique)
    a_only = srv(client, ns, "aonly", "A")
    with_srv = srv(client, ns, "web", "SRV")
    td = client.register_task_definition(
        {
            "family": f"sd-{unique}",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "berth/busybox",
                    "memory": 16,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    ).task_definition.task_definition_arn

    def create(name: str, registries: list[dict[str, Any]]) -> Any:
        return client.create_service(
            cluster=cluster, serviceName=name, taskDefinition=td, desiredCount=0, serviceRegistries=registries
        )

    cases = [
        (
            [{"registryArn": a_only.arn}],
            "serviceRegistries[0].registryArn",
            "needs a discovery service with SRV",
        ),
        ([{"registryArn": with_srv.arn}], "serviceRegistries[0]", "containerName and containerPort"),
        (
            [{"registryArn": with_srv.arn, "containerName": "app", "containerPort": 81}],
            "serviceRegistries[0].containerPort",
            "81",
        ),
        (
            [{"registryArn": with_srv.arn.replace(with_srv.id, "srv-0000000000000000")}],
            "serviceRegistries[0].registryArn",
            "does not exist",
        ),
        ([{"registryArn": "web"}], "serviceRegistries[0].registryArn", "not a discovery service ARN"),
    ]
    for registries, field, words in cases:
        with pytest.raises(ApiError) as e:
            create("bad", registries)
        assert e.value.code == "INVALID_ARGUMENT", registries
        assert e.value.violations[0].field == field and words in e.value.violations[0].description, e.value
    ok = create("good", [{"registryArn": with_srv.arn, "containerName": "app", "containerPort": 80}])
    assert ok.service.service_registries[0].registry_arn == with_srv.arn
    with pytest.raises(ApiError) as e:
        client.update_service(
            cluster=cluster, service="good", serviceRegistries=[{"registryArn": a_only.arn}]
        )
    assert e.value.violations[0].field == "serviceRegistries[0].registryArn"
    assert len(client.describe_services(cluster=cluster, services=["good"]).services[0].deployments) == 1


def test_cli(controlplane: Any, unique: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from berth.cli import main

    config = ["--config", str(controlplane.config_path)]
    assert (
        main(["servicediscovery", "create-private-dns-namespace", "--name", f"c{unique}.local", *config]) == 0
    )
    ns = json.loads(capsys.readouterr().out)["namespace"]
    records = json.dumps({"dnsRecords": [{"type": "A", "TTL": 10}]})
    args = [
        "servicediscovery",
        "create-service",
        "--name",
        "web",
        "--namespace-id",
        ns["id"],
        "--dns-config",
        records,
    ]
    assert main([*args, *config]) == 0
    assert json.loads(capsys.readouterr().out)["service"]["dnsConfig"]["dnsRecords"] == [
        {"type": "A", "TTL": 10}
    ]
    assert main(["servicediscovery", "list-services", *config]) == 0
    assert "web" in capsys.readouterr().out
    discover = [
        "servicediscovery",
        "discover-instances",
        "--namespace-name",
        ns["name"],
        "--service-name",
        "web",
    ]
    assert main([*discover, *config]) == 0
    assert json.loads(capsys.readouterr().out).get("instances", []) == []
    assert main(["servicediscovery", "get-namespace", "--id", "nope", *config]) == 1
    assert "id" in capsys.readouterr().err


def test_every_replica_answers_from_its_own_mirrors(controlplane: Any, client: Client, unique: str) -> None:
    """A second replica on the same etcd prefix sees what the first one wrote (through its watch)
    and answers DNS for it within a second."""
    import time

    from dnslib import DNSRecord

    from tests.support.controlplane import InProcessControlPlane

    other = InProcessControlPlane(
        controlplane.settings.etcd_endpoints,
        prefix=controlplane.settings.etcd_prefix,
        controllers=False,
        dns_addr="127.0.0.1:0",
        dns_upstream="",
    ).start()
    try:
        port = other.cp.discovery.dns.bound[0][1]
        ns = namespace(client, unique)
        s = srv(client, ns, "db", "A")

        def answer() -> list[str]:
            raw = DNSRecord.question(f"db.{ns.name}").send("127.0.0.1", port, timeout=2)
            return [str(r.rdata) for r in DNSRecord.parse(raw).rr]

        start = time.monotonic()
        sd(
            client,
            "RegisterInstance",
            serviceId=s.id,
            instanceId="db1",
            attributes={"AWS_INSTANCE_IPV4": "10.0.0.1"},
        )
        while answer() != ["10.0.0.1"] and time.monotonic() - start < 5:
            time.sleep(0.01)
        assert answer() == ["10.0.0.1"] and time.monotonic() - start < 1
        sd(client, "DeregisterInstance", serviceId=s.id, instanceId="db1")
        start = time.monotonic()
        while answer() and time.monotonic() - start < 5:
            time.sleep(0.01)
        assert answer() == [] and time.monotonic() - start < 1
    finally:
        other.stop()
