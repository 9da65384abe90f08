"""Targets from real tasks: an agent on real dockerd runs a service behind a target group; the
configuration a node watches lists each RUNNING task at its host address and the host port Docker
bound (and that address answers), and a task that stops leaves it."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from berth import Client
from tests.support.agents import wait_for

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def read_banner(address: str, port: int) -> str:
    with socket.create_connection((address, port), timeout=5) as conn:
        conn.settimeout(5)
        return conn.recv(100).decode(errors="replace").strip()


def test_service_tasks_are_targets_at_their_host_ports(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents(name="lb-host").wait_connected(client)
    lb = client.elb("CreateLoadBalancer", name=f"lb-{unique}").load_balancers[0]
    tg = client.elb("CreateTargetGroup", name=f"tg-{unique}", protocol="HTTP", port=80).target_groups[0]
    # A short deregistration delay: a stopped task drains for 2 s, then leaves.
    client.elb(
        "ModifyTargetGroupAttributes",
        targetGroupArn=tg.target_group_arn,
        attributes=[{"key": "deregistration_delay.timeout_seconds", "value": "2"}],
    )
    client.elb(
        "CreateListener",
        loadBalancerArn=lb.load_balancer_arn,
        port=8000,
        defaultActions=[{"type": "forward", "targetGroupArn": tg.target_group_arn}],
    )
    td = client.register_task_definition(
        {
            "family": f"lbweb-{unique}",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": IMAGE,
                    "memory": 16,
                    "command": ["nc", "-ll", "-p", "80", "-e", "echo", "hello-from-web"],
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    ).task_definition.task_definition_arn
    client.create_service(
        cluster=cluster,
        serviceName="web",
        taskDefinition=td,
        desiredCount=2,
        loadBalancers=[{"targetGroupArn": tg.target_group_arn, "containerName": "app", "containerPort": 80}],
    )
    stream = client.lb_node(
        "WatchLoadBalancer", loadBalancerName=lb.load_balancer_name, nodeId=f"n-{unique}", stream_timeout=90
    )
    try:
        deadline = time.monotonic() + 60
        config = next(stream)
        for _ in range(500):
            if len(config.target_groups[0].targets) == 2 or time.monotonic() > deadline:
                break
            config = next(stream)
        targets = list(config.target_groups[0].targets)
        assert len(targets) == 2, config
        tasks = client.describe_tasks(
            cluster=cluster, tasks=client.list_tasks(cluster=cluster, serviceName="web").task_arns
        ).tasks
        bound = {
            t.task_arn: (
                t.container_instance_arn.rsplit("/", 1)[-1],
                t.containers[0].network_bindings[0].host_port,
            )
            for t in tasks
        }
        assert {t.task_arn: (t.id, t.port) for t in targets} == bound
        for target in targets:
            assert not target.draining
            assert read_banner(target.address, target.port) == "hello-from-web"
        health = client.elb(
            "DescribeTargetHealth", targetGroupArn=tg.target_group_arn
        ).target_health_descriptions
        assert sorted(h.task_arn for h in health) == sorted(bound)
        assert {h.target_health.state for h in health} == {"initial"}

        client.update_service(cluster=cluster, service="web", desiredCount=1)
        deadline = time.monotonic() + 60
        seen_draining = False
        for _ in range(500):
            config = next(stream)
            seen_draining = seen_draining or any(t.draining for t in config.target_groups[0].targets)
            if len(config.target_groups[0].targets) == 1 or time.monotonic() > deadline:
                break
        assert len(config.target_groups[0].targets) == 1
        assert seen_draining  # the stopped task drained before it left
    finally:
        stream.cancel()
    client.update_service(cluster=cluster, service="web", desiredCount=0)
    wait_for(
        lambda: not client.list_tasks(cluster=cluster, serviceName="web").task_arns,
        timeout=60,
        message="the service's tasks did not stop",
    )
