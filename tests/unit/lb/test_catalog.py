"""The load balancer catalog fed through real mirrors (no etcd: records applied as a replica applies
its own writes): a load balancer's configuration from listeners, target groups, ECS services and
their tasks; the change signals; task health and drain time for the service scheduler."""

from __future__ import annotations

from typing import Any

from berth import jsonmsg
from berth.v1 import elb_pb2, types_pb2
from controlplane.lb.catalog import Catalog
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore, keys

NOW = 1_000_000.0
INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/prod/i-one"
TG_ARN = "arn:berth:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef"
LB_ARN = "arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/front/fedcba9876543210"
TD_ARN = "arn:berth:ecs:local:000000000000:task-definition/web:1"


class World:
    def __init__(self) -> None:
        self.state = State(EtcdStore(["127.0.0.1:1"]))
        self.catalog = Catalog(self.state, clock=lambda: NOW)
        self.revision = 0
        self.catalog._start()

    def put(self, mirror: Any, key: str, value: Any) -> None:
        self.revision += 1
        mirror.apply_local(key, value, self.revision)


def parse(cls: Any, data: dict[str, Any]) -> Any:
    return jsonmsg.parse(data, cls)


def build() -> World:
    w = World()
    c, s = w.catalog, w.state
    w.put(
        c.load_balancers,
        keys.lb_load_balancer("front"),
        parse(
            elb_pb2.ElbLoadBalancer,
            {
                "loadBalancerArn": LB_ARN,
                "loadBalancerName": "front",
                "type": "application",
            },
        ),
    )
    w.put(
        c.target_groups,
        keys.lb_target_group("web"),
        parse(
            elb_pb2.TargetGroup,
            {
                "targetGroupArn": TG_ARN,
                "targetGroupName": "web",
                "protocol": "HTTP",
                "port": 80,
                "targetType": "instance",
                "deregistrationDelaySeconds": 7,
                "registered": [{"id": "i-one", "port": 9000}],
            },
        ),
    )
    w.put(
        s.instances,
        keys.instance("prod", "i-one"),
        parse(
            types_pb2.ContainerInstance,
            {
                "containerInstanceArn": INSTANCE,
                "hostAddress": "192.0.2.10",
            },
        ),
    )
    w.put(
        s.task_definitions,
        keys.task_definition("web", 1),
        parse(
            types_pb2.TaskDefinition,
            {
                "taskDefinitionArn": TD_ARN,
                "family": "web",
                "revision": 1,
                "networkMode": "bridge",
                "containerDefinitions": [{"name": "app", "portMappings": [{"containerPort": 8080}]}],
            },
        ),
    )
    w.put(
        s.services,
        keys.service("prod", "web"),
        parse(
            types_pb2.Service,
            {
                "serviceName": "web",
                "status": "ACTIVE",
                "loadBalancers": [{"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8080}],
            },
        ),
    )
    return w


def task(ident: str, **fields: Any) -> types_pb2.Task:
    return parse(
        types_pb2.Task,
        {
            "taskArn": f"arn:berth:ecs:local:000000000000:task/prod/{ident}",
            "serviceName": "web",
            "taskDefinitionArn": TD_ARN,
            "lastStatus": "RUNNING",
            "desiredStatus": "RUNNING",
            "containerInstanceArn": INSTANCE,
            "containers": [{"name": "app", "networkBindings": [{"containerPort": 8080, "hostPort": 32768}]}],
            **fields,
        },
    )


def listen(w: World) -> None:
    w.put(
        w.catalog.listeners,
        keys.lb_listener("front", 80),
        parse(
            elb_pb2.Listener,
            {
                "listenerArn": LB_ARN.replace(":loadbalancer/", ":listener/") + "/00000000000000aa",
                "loadBalancerArn": LB_ARN,
                "port": 80,
                "protocol": "HTTP",
                "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
            },
        ),
    )


def test_config_follows_listeners_services_and_tasks() -> None:
    w = build()
    config = w.catalog.config("front")
    assert config is not None and config.load_balancer.load_balancer_name == "front"
    assert list(config.target_groups) == []  # no listener yet
    changed = w.catalog.watch("front")
    listen(w)
    assert changed.is_set()
    config = w.catalog.config("front")
    assert config is not None and [x.port for x in config.listeners] == [80]
    [group] = config.target_groups
    assert group.target_group.target_group_name == "web" and not group.target_group.registered
    assert list(group.target_group.load_balancer_arns) == [LB_ARN]
    assert [(t.id, t.address, t.port, t.task_arn) for t in group.targets] == [
        ("i-one", "192.0.2.10", 9000, "")
    ]
    changed.clear()
    w.put(w.state.tasks, keys.task("prod", "t1"), task("t1"))
    assert changed.is_set()
    config = w.catalog.config("front")
    assert config is not None
    assert [(t.id, t.port, t.task_arn.rsplit("/", 1)[-1]) for t in config.target_groups[0].targets] == [
        ("i-one", 9000, ""),
        ("i-one", 32768, "t1"),
    ]
    changed.clear()
    w.put(w.state.tasks, keys.task("other", "x"), task("x", serviceName="api"))
    assert not changed.is_set()  # a service behind no load balancer wakes nobody
    w.put(
        w.state.services,
        keys.service("prod", "web"),
        parse(
            types_pb2.Service,
            {
                "serviceName": "web",
                "status": "ACTIVE",
                "desiredCount": 3,
                "loadBalancers": [{"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8080}],
            },
        ),
    )
    assert not changed.is_set()  # the same loadBalancers[]: nothing changed for the load balancer
    w.catalog.unwatch("front", changed)
    assert w.catalog.config("nope") is None


def test_task_health_and_drain_for_the_scheduler() -> None:
    w = build()
    listen(w)
    t1 = task("t1")
    w.put(w.state.tasks, keys.task("prod", "t1"), t1)
    assert w.catalog.task_lb_health(t1.task_arn) == "initial"
    w.put(
        w.catalog.health,
        keys.lb_health("web", "i-one", 32768),
        parse(
            elb_pb2.TargetHealthRecord,
            {
                "targetGroupArn": TG_ARN,
                "target": {"id": "i-one", "port": 32768},
                "targetHealth": {"state": "healthy"},
            },
        ),
    )
    assert w.catalog.task_lb_health(t1.task_arn) == "healthy"
    w.put(w.state.tasks, keys.task("prod", "t2"), task("t2", serviceName="api"))
    assert w.catalog.task_lb_health("arn:berth:ecs:local:000000000000:task/prod/t2") is None
    assert w.catalog.task_lb_health("arn:berth:ecs:local:000000000000:task/prod/missing") is None
    service = w.state.services.get(keys.service("prod", "web"))
    assert service is not None and w.catalog.drain_seconds(service) == 7
    assert w.catalog.drain_seconds(types_pb2.Service()) == 0


def test_describe_health_without_a_node_and_with_one() -> None:
    w = build()
    listen(w)
    tg = w.catalog.target_group("web")
    assert tg is not None
    [d] = w.catalog.describe_health(tg)
    assert d.target_health.state == "unavailable"
    lb = w.catalog.load_balancer("front")
    assert lb is not None
    lb.node_id = "lb-1"
    w.put(w.catalog.load_balancers, keys.lb_load_balancer("front"), lb)
    [d] = w.catalog.describe_health(tg)
    assert (d.target.id, d.target.port, d.target_health.state) == ("i-one", 9000, "initial")
