"""The ElasticLoadBalancing API and the LoadBalancerNode protocol on a real control plane and etcd:
load balancers, target groups and listeners with their errors; a node's watch getting a new
configuration when a target is registered; reported health in DescribeTargetHealth; ECS
CreateService/UpdateService checking loadBalancers[]; the CLI."""

from __future__ import annotations

import json
import time
from typing import Any

import grpc
import pytest

from berth import ApiError, Client

pytestmark = [pytest.mark.etcd]


def elb(client: Client, method: str, **fields: Any) -> Any:
    return client.elb(method, **fields)


def stack(
    client: Client, unique: str, protocol: str = "HTTP", target_type: str = "ip"
) -> tuple[Any, Any, Any]:
    """A load balancer, a target group and a listener forwarding to it."""
    kind = "application" if protocol == "HTTP" else "network"
    lb = elb(client, "CreateLoadBalancer", name=f"lb-{unique}", type=kind).load_balancers[0]
    tg = elb(
        client, "CreateTargetGroup", name=f"tg-{unique}", protocol=protocol, port=8080, targetType=target_type
    ).target_groups[0]
    listener = elb(
        client,
        "CreateListener",
        loadBalancerArn=lb.load_balancer_arn,
        port=8000,
        defaultActions=[{"type": "forward", "targetGroupArn": tg.target_group_arn}],
    ).listeners[0]
    return lb, tg, listener


def test_lifecycle(client: Client, unique: str) -> None:
    lb = elb(client, "CreateLoadBalancer", name=f"lb-{unique}").load_balancers[0]
    assert lb.load_balancer_arn.startswith(
        "arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/"
    )
    assert lb.state.code == "provisioning" and lb.type == "application" and lb.scheme == "internet-facing"
    with pytest.raises(ApiError) as e:
        elb(client, "CreateLoadBalancer", name=f"lb-{unique}")
    assert e.value.code == "ALREADY_EXISTS" and e.value.ecs_type == "DuplicateLoadBalancerName"
    tg = elb(client, "CreateTargetGroup", name=f"tg-{unique}", protocol="HTTP", port=80).target_groups[0]
    assert tg.target_type == "instance" and tg.health_check_path == "/" and tg.matcher.http_code == "200"
    assert list(tg.load_balancer_arns) == []
    with pytest.raises(ApiError) as e:
        elb(client, "CreateTargetGroup", name=f"tg-{unique}", protocol="HTTP", port=80)
    assert e.value.ecs_type == "DuplicateTargetGroupName"
    listener = elb(
        client,
        "CreateListener",
        loadBalancerArn=lb.load_balancer_arn,
        port=8000,
        defaultActions=[{"type": "forward", "targetGroupArn": tg.target_group_arn}],
    ).listeners[0]
    assert listener.protocol == "HTTP" and f"/lb-{unique}/" in listener.listener_arn
    with pytest.raises(ApiError) as e:
        elb(
            client,
            "CreateListener",
            loadBalancerArn=lb.load_balancer_arn,
            port=8000,
            defaultActions=[{"type": "forward", "targetGroupArn": tg.target_group_arn}],
        )
    assert e.value.ecs_type == "DuplicateListener"
    described = elb(client, "DescribeTargetGroups", names=[f"tg-{unique}"]).target_groups[0]
    assert list(described.load_balancer_arns) == [lb.load_balancer_arn]
    by_lb = elb(client, "DescribeTargetGroups", loadBalancerArn=lb.load_balancer_arn).target_groups
    assert [g.target_group_name for g in by_lb] == [f"tg-{unique}"]
    assert [
        x.listener_arn
        for x in elb(client, "DescribeListeners", loadBalancerArn=lb.load_balancer_arn).listeners
    ] == [listener.listener_arn]
    assert elb(client, "DescribeLoadBalancers", names=[f"lb-{unique}"]).load_balancers[0] == lb
    with pytest.raises(ApiError) as e:
        elb(client, "DescribeLoadBalancers", names=[f"lb-{unique}", f"no-{unique}"])
    assert e.value.code == "NOT_FOUND" and e.value.ecs_type == "LoadBalancerNotFound"
    assert f"no-{unique}" in e.value.message
    with pytest.raises(ApiError) as e:
        elb(client, "DeleteTargetGroup", targetGroupArn=tg.target_group_arn)
    assert e.value.code == "FAILED_PRECONDITION" and e.value.ecs_type == "ResourceInUse"
    attrs = elb(
        client,
        "ModifyTargetGroupAttributes",
        targetGroupArn=tg.target_group_arn,
        attributes=[{"key": "deregistration_delay.timeout_seconds", "value": "5"}],
    ).attributes
    assert {a.key: a.value for a in attrs}["deregistration_delay.timeout_seconds"] == "5"
    modified = elb(
        client, "ModifyTargetGroup", targetGroupArn=tg.target_group_arn, healthCheckPath="/healthz"
    ).target_groups[0]
    assert modified.health_check_path == "/healthz"
    elb(client, "DeleteLoadBalancer", loadBalancerArn=lb.load_balancer_arn)  # takes its listener along
    with pytest.raises(ApiError) as e:
        elb(client, "DescribeListeners", listenerArns=[listener.listener_arn])
    assert e.value.ecs_type == "ListenerNotFound"
    elb(client, "DeleteLoadBalancer", loadBalancerArn=lb.load_balancer_arn)  # gone already: fine
    elb(client, "DeleteTargetGroup", targetGroupArn=tg.target_group_arn)
    with pytest.raises(ApiError) as e:
        elb(client, "DescribeTargetGroups", targetGroupArns=[tg.target_group_arn])
    assert e.value.ecs_type == "TargetGroupNotFound"
    again = elb(client, "CreateTargetGroup", name=f"tg-{unique}", protocol="HTTP", port=80).target_groups[0]
    assert again.target_group_arn != tg.target_group_arn  # a new id: the old ARN names nothing


def test_paging(client: Client, unique: str) -> None:
    for i in range(3):
        elb(client, "CreateTargetGroup", name=f"p{i}-{unique}", protocol="TCP", port=80)
    seen: list[str] = []
    marker = ""
    for _ in range(100):
        page = elb(client, "DescribeTargetGroups", pageSize=2, marker=marker)
        assert len(page.target_groups) <= 2
        seen += [g.target_group_name for g in page.target_groups]
        marker = page.next_marker
        if not marker:
            break
    assert {f"p{i}-{unique}" for i in range(3)} <= set(seen) and len(seen) == len(set(seen))
    with pytest.raises(ApiError) as e:
        elb(client, "DescribeTargetGroups", marker="garbage")
    assert [v.field for v in e.value.violations] == ["marker"]


def test_bad_input_names_the_field(client: Client, unique: str) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("CreateLoadBalancer", {"name": "-bad"}, "name"),
        ("CreateTargetGroup", {"name": f"x-{unique}", "protocol": "HTTPS", "port": 80}, "protocol"),
        (
            "CreateTargetGroup",
            {"name": f"x-{unique}", "protocol": "HTTP", "port": 80, "healthCheckIntervalSeconds": 400},
            "healthCheckIntervalSeconds",
        ),
        (
            "CreateTargetGroup",
            {"name": f"x-{unique}", "protocol": "HTTP", "port": 80, "matcher": {"httpCode": "600"}},
            "matcher.httpCode",
        ),
        ("DescribeTargetGroups", {"targetGroupArns": ["web"]}, "targetGroupArns[0]"),
        ("DeleteListener", {"listenerArn": "nope"}, "listenerArn"),
    ]
    for method, fields, field in cases:
        with pytest.raises(ApiError) as e:
            elb(client, method, **fields)
        assert e.value.code == "INVALID_ARGUMENT", (method, e.value)
        assert [v.field for v in e.value.violations] == [field], (method, e.value.violations)
    _, tg, _ = stack(client, unique)
    with pytest.raises(ApiError) as e:
        elb(
            client,
            "ModifyTargetGroupAttributes",
            targetGroupArn=tg.target_group_arn,
            attributes=[{"key": "stickiness.enabled", "value": "true"}],
        )
    assert [v.field for v in e.value.violations] == ["attributes[0].key"]
    assert "stickiness.enabled" in e.value.violations[0].description
    with pytest.raises(ApiError) as e:
        elb(client, "RegisterTargets", targetGroupArn=tg.target_group_arn, targets=[{"id": "i-123"}])
    assert [v.field for v in e.value.violations] == ["targets[0].id"]
    tcp = elb(client, "CreateTargetGroup", name=f"t-{unique}", protocol="TCP", port=80).target_groups[0]
    lb = elb(client, "DescribeLoadBalancers", names=[f"lb-{unique}"]).load_balancers[0]
    with pytest.raises(ApiError) as e:
        elb(
            client,
            "CreateListener",
            loadBalancerArn=lb.load_balancer_arn,
            port=9000,
            defaultActions=[{"type": "forward", "targetGroupArn": tcp.target_group_arn}],
        )
    assert [v.field for v in e.value.violations] == ["defaultActions[0].targetGroupArn"]


def next_config(stream: Any, want: Any, seconds: float = 10.0) -> Any:
    """Read configurations until one satisfies `want` (bounded in count and by the stream deadline)."""
    deadline = time.monotonic() + seconds
    for _ in range(50):
        config = next(stream)
        if want(config):
            return config
        assert time.monotonic() < deadline, "no configuration matched in time"
    raise AssertionError("no configuration matched")


def test_node_watch_and_health(client: Client, controlplane: Any, unique: str) -> None:
    lb, tg, _ = stack(client, unique)
    stream = client.lb_node(
        "WatchLoadBalancer",
        loadBalancerName=lb.load_balancer_name,
        nodeId=f"node-{unique}",
        dnsName="127.0.0.1",
        metricsAddress="127.0.0.1:8405",
        stream_timeout=30,
    )
    try:
        first = next(stream)
        assert [x.port for x in first.listeners] == [8000]
        [group] = first.target_groups
        assert group.target_group.target_group_arn == tg.target_group_arn and list(group.targets) == []
        active = elb(client, "DescribeLoadBalancers", loadBalancerArns=[lb.load_balancer_arn]).load_balancers[
            0
        ]
        assert (active.state.code, active.node_id, active.dns_name, active.metrics_address) == (
            "active",
            f"node-{unique}",
            "127.0.0.1",
            "127.0.0.1:8405",
        )
        elb(client, "RegisterTargets", targetGroupArn=tg.target_group_arn, targets=[{"id": "127.0.0.1"}])
        config = next_config(stream, lambda c: len(c.target_groups[0].targets) == 1)
        target = config.target_groups[0].targets[0]
        assert (target.id, target.address, target.port, target.task_arn) == (
            "127.0.0.1",
            "127.0.0.1",
            8080,
            "",
        )
        health = elb(
            client, "DescribeTargetHealth", targetGroupArn=tg.target_group_arn
        ).target_health_descriptions
        assert [(h.target.id, h.target.port, h.target_health.state) for h in health] == [
            ("127.0.0.1", 8080, "initial")
        ]
        client.lb_node(
            "ReportTargetHealth",
            loadBalancerArn=lb.load_balancer_arn,
            nodeId=f"node-{unique}",
            reports=[
                {
                    "targetGroupArn": tg.target_group_arn,
                    "target": {"id": "127.0.0.1", "port": 8080},
                    "targetHealth": {"state": "healthy"},
                },
                {  # not in the configuration: ignored
                    "targetGroupArn": tg.target_group_arn,
                    "target": {"id": "10.9.9.9", "port": 1},
                    "targetHealth": {"state": "healthy"},
                },
            ],
        )
        health = elb(
            client, "DescribeTargetHealth", targetGroupArn=tg.target_group_arn
        ).target_health_descriptions
        assert [(h.target.id, h.target_health.state) for h in health] == [("127.0.0.1", "healthy")]
        with pytest.raises(ApiError) as e:
            client.lb_node(
                "ReportTargetHealth",
                loadBalancerArn=lb.load_balancer_arn,
                reports=[{"targetGroupArn": tg.target_group_arn, "targetHealth": {"state": "fine"}}],
            )
        assert [v.field for v in e.value.violations] == ["reports[0].targetHealth.state"]
        elb(client, "DeregisterTargets", targetGroupArn=tg.target_group_arn, targets=[{"id": "127.0.0.1"}])
        next_config(stream, lambda c: len(c.target_groups[0].targets) == 0)
        stale = f"lb/health/{tg.target_group_name}/"
        assert any(k.startswith(stale) for k in list(controlplane.cp.lb.health.items))
        client.lb_node("ReportTargetHealth", loadBalancerArn=lb.load_balancer_arn, nodeId=f"node-{unique}")
        assert not any(k.startswith(stale) for k in list(controlplane.cp.lb.health.items))  # cleaned up
        assert (
            elb(client, "DescribeTargetHealth", targetGroupArn=tg.target_group_arn).target_health_descriptions
            == []
        )
    finally:
        stream.cancel()
    with pytest.raises(grpc.RpcError):
        next(stream)
    for _ in range(100):  # the node left: nobody serves the load balancer any more
        now = elb(client, "DescribeLoadBalancers", loadBalancerArns=[lb.load_balancer_arn]).load_balancers[0]
        if not now.node_id:
            break
        time.sleep(0.05)
    assert now.node_id == "" and now.state.code == "provisioning"


def test_watch_of_an_unknown_load_balancer_is_not_found(client: Client, unique: str) -> None:
    stream = client.lb_node(
        "WatchLoadBalancer", loadBalancerName=f"no-{unique}", nodeId="n", stream_timeout=10
    )
    with pytest.raises(grpc.RpcError) as e:
        next(stream)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]


def test_ecs_service_load_balancers_are_checked(client: Client, cluster: str, unique: str) -> None:
    lb, tg, _ = stack(client, unique, target_type="instance")
    lonely = elb(client, "CreateTargetGroup", name=f"l-{unique}", protocol="HTTP", port=80).target_groups[0]
    td = client.register_task_definition(
        {
            "family": f"lb-{unique}",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "berth/busybox",
                    "memory": 16,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    ).task_definition.task_definition_arn

    def create(name: str, entries: list[dict[str, Any]]) -> Any:
        return client.create_service(
            cluster=cluster, serviceName=name, taskDefinition=td, desiredCount=0, loadBalancers=entries
        )

    good = {"targetGroupArn": tg.target_group_arn, "containerName": "web", "containerPort": 80}
    with pytest.raises(ApiError) as e:
        create("bad-port", [{**good, "containerPort": 8080}])
    assert e.value.code == "INVALID_ARGUMENT"
    assert [v.field for v in e.value.violations] == ["loadBalancers[0].containerPort"]
    assert "8080" in e.value.violations[0].description
    with pytest.raises(ApiError) as e:
        create("lonely", [{**good, "targetGroupArn": lonely.target_group_arn}])
    assert "does not have an associated load balancer" in e.value.violations[0].description
    with pytest.raises(ApiError) as e:
        create(
            "gone",
            [
                {
                    **good,
                    "targetGroupArn": tg.target_group_arn[:-1]
                    + ("1" if tg.target_group_arn.endswith("0") else "0"),
                }
            ],
        )
    assert [v.field for v in e.value.violations] == ["loadBalancers[0].targetGroupArn"]
    with pytest.raises(ApiError) as e:
        create("many", [good] * 6)
    assert [v.field for v in e.value.violations] == ["loadBalancers"]
    service = create("web", [good]).service
    assert service.load_balancers[0].target_group_arn == tg.target_group_arn
    with pytest.raises(ApiError) as e:
        client.update_service(cluster=cluster, service="web", loadBalancers=[{**good, "containerName": "db"}])
    assert [v.field for v in e.value.violations] == ["loadBalancers[0].containerName"]
    elb(
        client,
        "DeleteListener",
        listenerArn=elb(client, "DescribeListeners", loadBalancerArn=lb.load_balancer_arn)
        .listeners[0]
        .listener_arn,
    )
    with pytest.raises(ApiError) as e:
        elb(client, "DeleteTargetGroup", targetGroupArn=tg.target_group_arn)
    assert e.value.ecs_type == "ResourceInUse" and "ECS service" in e.value.message


def test_cli(controlplane: Any, unique: str, capsys: pytest.CaptureFixture[str]) -> None:
    from berth.cli import main

    config = ["--config", str(controlplane.config_path)]

    def run(*args: str) -> Any:
        assert main(["elb", *args, *config]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        return json.loads(out) if out.startswith("{") else out

    lb = run("create-load-balancer", "--name", f"c-{unique}")["loadBalancers"][0]
    tg = run(
        "create-target-group",
        "--name",
        f"c-{unique}",
        "--protocol",
        "HTTP",
        "--port",
        "8080",
        "--target-type",
        "ip",
        "--health-check-path",
        "/healthz",
    )["targetGroups"][0]
    assert tg["healthCheckPath"] == "/healthz"
    listener = run(
        "create-listener",
        "--load-balancer-arn",
        lb["loadBalancerArn"],
        "--port",
        "8000",
        "--default-actions",
        f"Type=forward,TargetGroupArn={tg['targetGroupArn']}",
    )["listeners"][0]
    assert listener["defaultActions"] == [{"type": "forward", "targetGroupArn": tg["targetGroupArn"]}]
    run(
        "register-targets",
        "--target-group-arn",
        tg["targetGroupArn"],
        "--targets",
        "Id=127.0.0.1,Port=9001",
        "Id=127.0.0.2",
    )
    attrs = run(
        "modify-target-group-attributes",
        "--target-group-arn",
        tg["targetGroupArn"],
        "--attributes",
        "Key=deregistration_delay.timeout_seconds,Value=5",
    )["attributes"]
    assert {"key": "deregistration_delay.timeout_seconds", "value": "5"} in attrs
    health = run("describe-target-health", "--target-group-arn", tg["targetGroupArn"])
    assert sorted((d["target"]["id"], d["target"]["port"]) for d in health["targetHealthDescriptions"]) == [
        ("127.0.0.1", 9001),
        ("127.0.0.2", 8080),
    ]
    table = run("describe-target-health", "--target-group-arn", tg["targetGroupArn"], "--output", "table")
    assert "STATE" in table and "127.0.0.2" in table and "unavailable" in table
    table = run("describe-load-balancers", "--names", f"c-{unique}", "--output", "table")
    assert "LOAD_BALANCER_NAME" in table and f"c-{unique}" in table
    table = run("describe-target-groups", "--names", f"c-{unique}", "--output", "table")
    assert f"c-{unique}" in table and "/healthz" in table
    assert (
        main(["elb", "create-target-group", "--name=-x", "--protocol", "HTTP", "--port", "1", *config]) == 1
    )
    assert "name" in capsys.readouterr().err
    run("delete-listener", "--listener-arn", listener["listenerArn"])
    run("delete-target-group", "--target-group-arn", tg["targetGroupArn"])
    run("delete-load-balancer", "--load-balancer-arn", lb["loadBalancerArn"])


def test_concurrent_creates_of_one_name_make_one(client: Client, unique: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def create(_: int) -> str:
        try:
            elb(client, "CreateTargetGroup", name=f"race-{unique}", protocol="TCP", port=80)
            return "ok"
        except ApiError as e:
            return e.ecs_type

    with ThreadPoolExecutor(5) as pool:
        outcomes = sorted(pool.map(create, range(5)))
    assert outcomes == ["DuplicateTargetGroupName"] * 4 + ["ok"]


def test_a_load_balancer_stays_served_while_any_node_watches(
    controlplane: Any, client: Client, unique: str
) -> None:
    """Node a watches through one replica, node b through another; when b leaves, its replica
    clears the record and a's replica names a again."""
    from tests.support.controlplane import InProcessControlPlane

    lb, _, _ = stack(client, unique)
    other = InProcessControlPlane(
        controlplane.settings.etcd_endpoints, prefix=controlplane.settings.etcd_prefix, controllers=False
    ).start()
    try:
        with Client(other.endpoint, client.token, ca_file=other.ca_file) as second:

            def node_id() -> str:
                found = elb(client, "DescribeLoadBalancers", names=[lb.load_balancer_name]).load_balancers[0]
                return str(found.node_id)

            def wait_node(want: str) -> None:
                for _ in range(200):
                    if node_id() == want:
                        return
                    time.sleep(0.05)
                assert node_id() == want

            a = client.lb_node(
                "WatchLoadBalancer", loadBalancerName=lb.load_balancer_name, nodeId="a", stream_timeout=30
            )
            next(a)
            wait_node("a")
            b = second.lb_node(
                "WatchLoadBalancer", loadBalancerName=lb.load_balancer_name, nodeId="b", stream_timeout=30
            )
            next(b)
            wait_node("b")
            b.cancel()
            wait_node("a")
            a.cancel()
            wait_node("")
    finally:
        other.stop()


def test_a_draining_task_target_leaves_at_its_deadline(
    controlplane: Any, client: Client, cluster: str, unique: str
) -> None:
    """A task asked to stop with `deactivateUntil` ahead (what the service scheduler sets) is a
    draining target with that deadline; the watch sends a configuration without it once the
    deadline passes, with no other change to wake it."""
    from berth import jsonmsg
    from berth.v1 import types_pb2
    from controlplane.store import Put, keys

    lb, tg, _ = stack(client, unique, target_type="ip")
    td = client.register_task_definition(
        {
            "family": f"drain-{unique}",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "berth/busybox",
                    "memory": 16,
                    "portMappings": [{"containerPort": 8080}],
                }
            ],
        }
    ).task_definition.task_definition_arn
    entry = {"targetGroupArn": tg.target_group_arn, "containerName": "web", "containerPort": 8080}
    client.create_service(
        cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=0, loadBalancers=[entry]
    )
    deadline = time.time() + 1.5
    task = jsonmsg.parse(
        {
            "taskArn": f"arn:berth:ecs:local:000000000000:task/{cluster}/{unique}",
            "clusterArn": f"arn:berth:ecs:local:000000000000:cluster/{cluster}",
            "taskDefinitionArn": td,
            "serviceName": "web",
            "group": "service:web",
            "lastStatus": "DEACTIVATING",
            "desiredStatus": "STOPPED",
            "deactivateUntil": deadline,
            "attachments": [{"details": [{"name": "privateIPv4Address", "value": "10.200.0.9"}]}],
        },
        types_pb2.Task,
    )
    stream = client.lb_node(
        "WatchLoadBalancer", loadBalancerName=lb.load_balancer_name, nodeId="d", stream_timeout=30
    )
    try:
        next(stream)
        store = controlplane.cp.store
        controlplane.run(store.commit(Put(keys.task(cluster, unique), task, 0)))
        config = next_config(stream, lambda c: len(c.target_groups[0].targets) == 1)
        [target] = config.target_groups[0].targets
        assert (target.id, target.port, target.draining) == ("10.200.0.9", 8080, True)
        assert target.drain_deadline == pytest.approx(deadline)
        health = elb(
            client, "DescribeTargetHealth", targetGroupArn=tg.target_group_arn
        ).target_health_descriptions
        assert [(h.target_health.state, h.task_arn) for h in health] == [("draining", task.task_arn)]
        gone = next_config(stream, lambda c: len(c.target_groups[0].targets) == 0)
        assert (
            time.time() >= deadline
            and gone.target_groups[0].target_group.target_group_arn == tg.target_group_arn
        )
    finally:
        stream.cancel()
