"""/sd/loadbalancers on the control plane's HTTP port lists the HAProxy exporters of the load
balancers in etcd (records as the ELB API writes them)."""

from __future__ import annotations

from typing import Any

from berth.v1 import elb_pb2
from controlplane.store import Delete, Put, keys
from tests.support.scrape import config_token, get_json


def test_sd_lists_each_served_load_balancer_with_labels(controlplane: Any, unique: str) -> None:
    served = elb_pb2.ElbLoadBalancer(
        load_balancer_arn=f"arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/w-{unique}/1",
        load_balancer_name=f"w-{unique}",
        type="application",
        node_id="lb-host-1",
        metrics_address="10.1.2.3:8405",
    )
    waiting = elb_pb2.ElbLoadBalancer(load_balancer_name=f"x-{unique}", type="network")
    store = controlplane.cp.store
    controlplane.run(
        store.commit(
            Put(keys.lb_load_balancer(served.load_balancer_name), served, 0),
            Put(keys.lb_load_balancer(waiting.load_balancer_name), waiting, 0),
        )
    )
    try:
        groups = get_json(
            f"{controlplane.http}/sd/loadbalancers",
            config_token(controlplane.config_path),
            controlplane.ca_file,
        )
        mine = [g for g in groups if g["labels"]["load_balancer"].endswith(unique)]
        assert mine == [
            {
                "targets": ["10.1.2.3:8405"],
                "labels": {
                    "load_balancer": served.load_balancer_name,
                    "load_balancer_arn": served.load_balancer_arn,
                    "type": "application",
                    "node_id": "lb-host-1",
                },
            }
        ]
    finally:
        for lb in (served, waiting):
            key = keys.lb_load_balancer(lb.load_balancer_name)
            controlplane.run(store.commit(Delete(key, controlplane.run(store.revision_of(key)))))
