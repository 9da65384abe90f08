"""Prometheus HTTP service discovery of the agents' metrics endpoints (`GET /sd/agents`) and of
the load balancers' HAProxy exporters (`GET /sd/loadbalancers`).

One target group per registered container instance (user clusters and the FARGATE pool), with the
`metrics_endpoint` its agent reported at registration as the target and these labels:
`cluster`, `container_instance_arn`, `instance_name` (the host name the agent reported) and `pool`
("" or "fargate"). An agent listening on a wildcard address is listed at the host address it
reported. Instances stay listed while disconnected, so Prometheus's `up` shows them down;
deregistered ones are gone.

Every replica serves the same list from its mirror of the instances. The endpoint needs no
credentials, like /metrics on the same port: it lists host addresses and ARNs, no secrets, and the
port is meant for a private network (Prometheus's http_sd_configs can add basic or bearer auth in
front of it through a proxy when the port is exposed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from berth.v1 import elb_pb2, types_pb2

_WILDCARDS = ("", "0.0.0.0", "::", "[::]")


def target_address(instance: types_pb2.ContainerInstance) -> str:
    """The scrape address of an instance's agent ("" when it reported none)."""
    endpoint = instance.metrics_endpoint
    if not endpoint:
        return ""
    host, _, port = endpoint.rpartition(":")
    if host in _WILDCARDS and instance.host_address:
        host = instance.host_address
    return f"{host}:{port}" if host else ""


def agent_targets(instances: Iterable[types_pb2.ContainerInstance]) -> list[dict[str, Any]]:
    """Prometheus HTTP SD target groups (ordered by ARN) for these container instances."""
    groups = []
    for instance in sorted(instances, key=lambda i: i.container_instance_arn):
        address = target_address(instance)
        if not address or instance.status == "INACTIVE":
            continue
        cluster = instance.container_instance_arn.rsplit("/", 2)[-2]
        groups.append(
            {
                "targets": [address],
                "labels": {
                    "cluster": cluster,
                    "container_instance_arn": instance.container_instance_arn,
                    "instance_name": instance.ec2_instance_id,
                    "pool": instance.pool,
                },
            }
        )
    return groups


def load_balancer_targets(load_balancers: Iterable[elb_pb2.ElbLoadBalancer]) -> list[dict[str, Any]]:
    """Target groups (ordered by name) for the HAProxy Prometheus exporters of the load balancers a
    berth-lb node serves (its `metrics_address`), labelled `load_balancer`, `load_balancer_arn`,
    `type` and `node_id`. One no node has served yet has no address and is left out."""
    groups = []
    for lb in sorted(load_balancers, key=lambda x: x.load_balancer_name):
        if not lb.metrics_address:
            continue
        groups.append(
            {
                "targets": [lb.metrics_address],
                "labels": {
                    "load_balancer": lb.load_balancer_name,
                    "load_balancer_arn": lb.load_balancer_arn,
                    "type": lb.type,
                    "node_id": lb.node_id,
                },
            }
        )
    return groups
