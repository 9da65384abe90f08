"""Service discovery end to end: two agents on real dockerd, a control plane whose DNS listens on
Docker's bridge gateway (172.17.0.1:53, which containers reach) and on 127.0.0.1. A task on one
host resolves services on the other by name, from inside its container with the resolver berth
gave it, and connects to them: SRV (bridge mode, host ports) and A (awsvpc). A stopped task leaves
DNS within 1 s."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dnslib import DNSRecord

from berth import Client
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

BRIDGE_DNS = "172.17.0.1:53"
IMAGE = "berth/busybox:latest"


@pytest.fixture(scope="module")
def controlplane(etcd_endpoint: str) -> Iterator[object]:
    """This module's own control plane, with its DNS server where containers reach it."""
    from tests.support.controlplane import InProcessControlPlane

    cp = InProcessControlPlane(
        (etcd_endpoint,),
        agent_grace_seconds=4,
        settle_seconds=2,
        dns_addr=f"127.0.0.1:0,{BRIDGE_DNS}",
        dns_upstream="",
    ).start()
    yield cp
    cp.stop()


def dns_port(controlplane: Any) -> int:
    return int(controlplane.cp.discovery.dns.bound[0][1])


def query(port: int, name: str, qtype: str) -> DNSRecord:
    return DNSRecord.parse(DNSRecord.question(name, qtype).send("127.0.0.1", port, timeout=2))


def server_td(client: Client, family: str, message: str, mode: str = "bridge") -> str:
    return client.register_task_definition(
        {
            "family": family,
            "networkMode": mode,
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": IMAGE,
                    "memory": 16,
                    "command": ["nc", "-ll", "-p", "80", "-e", "echo", message],
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    ).task_definition.task_definition_arn


def exec_in(docker: Any, container_id: str, script: str) -> str:
    code, out = docker.containers.get(container_id).exec_run(["sh", "-c", script])
    text = out.decode(errors="replace")
    assert code == 0, f"{script!r} exited {code}: {text}"
    return str(text)


def test_tasks_find_each_other_by_name_across_hosts(
    client: Client, cluster: str, agents: Any, unique: str, docker: Any, controlplane: Any
) -> None:
    for name, role in (("web-host", "web"), ("client-host", "client")):
        agents(name=name, attributes={"role": role}).wait_connected(client)
    namespace = f"n{unique}.local"
    ns = client.servicediscovery("CreatePrivateDnsNamespace", name=namespace).namespace
    web_sd = client.servicediscovery(
        "CreateService", name="web", namespaceId=ns.id, dnsConfig={"dnsRecords": [{"type": "SRV", "TTL": 1}]}
    ).service
    api_sd = client.servicediscovery(
        "CreateService", name="api", namespaceId=ns.id, dnsConfig={"dnsRecords": [{"type": "A", "TTL": 1}]}
    ).service
    on_web = [{"type": "memberOf", "expression": "attribute:role == web"}]
    client.create_service(
        cluster=cluster,
        serviceName="web",
        taskDefinition=server_td(client, f"web-{unique}", "hello-from-web"),
        desiredCount=2,
        placementConstraints=on_web,
        serviceRegistries=[{"registryArn": web_sd.arn, "containerName": "app", "containerPort": 80}],
    )
    client.create_service(
        cluster=cluster,
        serviceName="api",
        taskDefinition=server_td(client, f"api-{unique}", "hello-from-api", mode="awsvpc"),
        desiredCount=1,
        placementConstraints=on_web,
        serviceRegistries=[{"registryArn": api_sd.arn}],
    )
    sleeper = client.register_task_definition(
        {
            "family": f"caller-{unique}",
            "containerDefinitions": [
                {"name": "app", "image": IMAGE, "memory": 16, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition.task_definition_arn
    caller_arn = (
        client.run_task(
            cluster=cluster,
            taskDefinition=sleeper,
            placementConstraints=[{"type": "memberOf", "expression": "attribute:role == client"}],
        )
        .tasks[0]
        .task_arn
    )
    caller = wait_task(client, cluster, caller_arn, "RUNNING")

    port = dns_port(controlplane)
    web_name, api_name = f"web.{namespace}", f"api.{namespace}"
    wait_for(lambda: len(query(port, web_name, "SRV").rr) == 2, timeout=60, message="web tasks not in DNS")
    wait_for(lambda: len(query(port, api_name, "A").rr) == 1, timeout=60, message="api task not in DNS")

    # SRV ports are the host ports Docker bound for app:80, on the web host's address
    web_arns = client.list_tasks(cluster=cluster, serviceName="web").task_arns
    web_tasks = client.describe_tasks(cluster=cluster, tasks=web_arns).tasks
    bound = {t.task_arn.rsplit("/", 1)[-1]: t.containers[0].network_bindings[0].host_port for t in web_tasks}
    srv = query(port, web_name, "SRV")
    got = {str(r.rdata.target).split(".")[0]: r.rdata.port for r in srv.rr}
    assert got == bound
    assert {r.ttl for r in srv.rr} == {1}
    api_task = client.describe_tasks(
        cluster=cluster, tasks=client.list_tasks(cluster=cluster, serviceName="api").task_arns
    ).tasks[0]
    api_ip = next(d.value for d in api_task.attachments[0].details if d.name == "privateIPv4Address")
    assert [str(r.rdata) for r in query(port, api_name, "A").rr] == [api_ip]
    instances = client.servicediscovery(
        "DiscoverInstances", namespaceName=namespace, serviceName="web"
    ).instances
    assert sorted(i.instance_id for i in instances) == sorted(bound)

    # From inside the caller's container, with the resolver berth gave it
    cid = caller.containers[0].runtime_id
    assert "nameserver 172.17.0.1" in exec_in(docker, cid, "cat /etc/resolv.conf")
    answer = exec_in(docker, cid, f"nslookup {api_name}")
    assert api_ip in answer
    assert "hello-from-api" in exec_in(docker, cid, f"echo | nc -w 3 {api_ip} 80")
    srv_text = exec_in(docker, cid, f"nslookup -type=SRV {web_name}")
    records = re.findall(r"service = (\d+) (\d+) (\d+) (\S+)", srv_text)
    assert sorted(int(r[2]) for r in records) == sorted(bound.values()), srv_text
    _, _, first_port, target = records[0]
    target_text = exec_in(docker, cid, f"nslookup {target.rstrip('.')}")
    host_ip = re.findall(r"Address: (\d+\.\d+\.\d+\.\d+)", target_text)[-1]
    assert "hello-from-web" in exec_in(docker, cid, f"echo | nc -w 3 {host_ip} {first_port}")
    assert "NXDOMAIN" in exec_in(docker, cid, f"nslookup nope.{namespace} || true")

    # A stopped task leaves DNS within 1 s
    victim = web_arns[0]
    victim_id = victim.rsplit("/", 1)[-1]
    client.stop_task(cluster=cluster, task=victim, reason="discovery test")
    stopped_at = time.monotonic()
    while time.monotonic() - stopped_at < 5:
        targets = {str(r.rdata.target).split(".")[0] for r in query(port, web_name, "SRV").rr}
        if victim_id not in targets:
            break
        time.sleep(0.01)
    gone_after = time.monotonic() - stopped_at
    assert victim_id not in targets
    assert gone_after < 1.0, f"the stopped task left DNS after {gone_after:.3f} s"
