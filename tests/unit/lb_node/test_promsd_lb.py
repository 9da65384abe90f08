"""/sd/loadbalancers' target groups from load balancer records."""

from __future__ import annotations

from berth.v1 import elb_pb2
from controlplane.promsd import load_balancer_targets


def test_served_load_balancers_are_listed_by_name_with_labels() -> None:
    records = [
        elb_pb2.ElbLoadBalancer(
            load_balancer_name="web",
            load_balancer_arn="arn:w",
            type="application",
            node_id="h1",
            metrics_address="10.0.0.1:8405",
        ),
        elb_pb2.ElbLoadBalancer(
            load_balancer_name="api",
            load_balancer_arn="arn:a",
            type="network",
            node_id="h2",
            metrics_address="10.0.0.2:8405",
        ),
        elb_pb2.ElbLoadBalancer(load_balancer_name="new", load_balancer_arn="arn:n"),  # no node yet
    ]
    assert load_balancer_targets(records) == [
        {
            "targets": ["10.0.0.2:8405"],
            "labels": {
                "load_balancer": "api",
                "load_balancer_arn": "arn:a",
                "type": "network",
                "node_id": "h2",
            },
        },
        {
            "targets": ["10.0.0.1:8405"],
            "labels": {
                "load_balancer": "web",
                "load_balancer_arn": "arn:w",
                "type": "application",
                "node_id": "h1",
            },
        },
    ]
