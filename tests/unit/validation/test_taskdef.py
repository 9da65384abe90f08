"""Task definition validation: one table of invalid definitions with the field path each must name,
valid definitions that must pass, the size parsers, and properties of the dependsOn graph check."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from berth import jsonmsg
from berth.errors import FieldViolation, InvalidArgument
from berth.v1 import ecs_messages_pb2
from controlplane.validation.taskdef import (
    MAX_TASK_DEFINITION_BYTES,
    compatibilities,
    normalized_cpu_memory,
    parse_cpu,
    parse_memory,
    validate_task_definition,
)

WEBAPP = Path(__file__).parents[3] / "deploy" / "examples" / "webapp.json"
DIGEST = "sha256:" + "ab" * 32
DELETE = object()

# A valid EC2 definition that exercises most areas; every table case changes one thing in it.
BASE: dict[str, Any] = {
    "family": "shop",
    "executionRoleArn": "arn:aws:iam::000000000000:role/shop-execution",
    "networkMode": "bridge",
    "requiresCompatibilities": ["EC2"],
    "cpu": "1024",
    "memory": "2048",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "nginx:1.27",
            "cpu": 512,
            "memory": 512,
            "memoryReservation": 256,
            "essential": True,
            "portMappings": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp", "name": "http"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 30},
            "environment": [{"name": "MODE", "value": "prod"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:1:parameter/db"}],
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
            "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
            "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"}},
            "linuxParameters": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["CAP_MKNOD"]}},
            "restartPolicy": {"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60},
        },
        {
            "name": "worker",
            "image": f"registry.example.com:5000/team/worker:v2@{DIGEST}",
            "memory": 256,
            "essential": False,
            "links": ["web:frontend"],
            "dependsOn": [{"containerName": "web", "condition": "HEALTHY"}],
            "volumesFrom": [{"sourceContainer": "web", "readOnly": True}],
            "stopTimeout": 10,
        },
    ],
    "volumes": [
        {"name": "data", "host": {"sourcePath": "/srv/data"}},
        {"name": "cache", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}},
    ],
    "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
    "tags": [{"key": "team", "value": "shop"}],
}


def patched(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of `doc` with dotted paths ("containerDefinitions.0.memory") set, appended, or DELETEd."""
    doc = copy.deepcopy(doc)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            index = int(last)
            if value is DELETE:
                del node[index]
            elif index == len(node):
                node.append(copy.deepcopy(value))
            else:
                node[index] = copy.deepcopy(value)
        elif value is DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return doc


def request(doc: dict[str, Any]) -> ecs_messages_pb2.RegisterTaskDefinitionRequest:
    return jsonmsg.parse(doc, ecs_messages_pb2.RegisterTaskDefinitionRequest)


def validate(doc: dict[str, Any]) -> list[FieldViolation]:
    return validate_task_definition(request(doc))


def container(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": "busybox", "memory": 64, **fields}


def description(violations: list[FieldViolation], field: str) -> str:
    return next(v.description for v in violations if v.field == field)


C0, C1 = "containerDefinitions.0", "containerDefinitions.1"
P0, P1 = "containerDefinitions[0]", "containerDefinitions[1]"
AWSVPC = {"networkMode": "awsvpc", f"{C1}.links": DELETE}

INVALID = [
    pytest.param({"family": DELETE}, "family", id="family-missing"),
    pytest.param({"family": "shop v2"}, "family", id="family-bad-chars"),
    pytest.param({"family": "f" * 256}, "family", id="family-too-long"),
    pytest.param({"networkMode": "nat"}, "networkMode", id="network-mode-unknown"),
    pytest.param({"requiresCompatibilities": ["EXTERNAL"], **AWSVPC}, "networkMode", id="external-awsvpc"),
    pytest.param({"containerDefinitions": []}, "containerDefinitions", id="no-containers"),
    pytest.param(
        {"containerDefinitions": [container(f"c{i}") for i in range(11)]},
        "containerDefinitions",
        id="eleven-containers",
    ),
    pytest.param({f"{C0}.essential": False}, "containerDefinitions", id="no-essential-container"),
    pytest.param({f"{C1}.name": DELETE}, f"{P1}.name", id="container-name-missing"),
    pytest.param({f"{C1}.name": "worker.1"}, f"{P1}.name", id="container-name-bad-chars"),
    pytest.param(
        {f"{C1}.name": "web", f"{C1}.dependsOn": DELETE}, f"{P1}.name", id="container-name-duplicate"
    ),
    pytest.param({f"{C0}.image": DELETE}, f"{P0}.image", id="image-missing"),
    pytest.param({f"{C0}.image": "Foo/Bar"}, f"{P0}.image", id="image-uppercase-repository"),
    pytest.param({f"{C0}.image": "nginx latest"}, f"{P0}.image", id="image-whitespace"),
    pytest.param({f"{C0}.image": "nginx:" + "t" * 129}, f"{P0}.image", id="image-tag-too-long"),
    pytest.param({f"{C0}.image": "nginx:-dev"}, f"{P0}.image", id="image-tag-bad-start"),
    pytest.param({f"{C0}.image": "nginx@sha256:abc"}, f"{P0}.image", id="image-short-digest"),
    pytest.param({f"{C0}.image": "a" * 256}, f"{P0}.image", id="image-too-long"),
    pytest.param({f"{C0}.cpu": -1}, f"{P0}.cpu", id="container-cpu-negative"),
    pytest.param({f"{C0}.memory": 4}, f"{P0}.memory", id="container-memory-below-minimum"),
    pytest.param(
        {f"{C0}.memoryReservation": 512}, f"{P0}.memoryReservation", id="reservation-not-below-memory"
    ),
    pytest.param({f"{C0}.memoryReservation": 2}, f"{P0}.memoryReservation", id="reservation-below-minimum"),
    pytest.param({"memory": DELETE, f"{C1}.memory": DELETE}, f"{P1}.memory", id="container-memory-missing"),
    pytest.param({f"{C1}.links.0": "db"}, f"{P1}.links[0]", id="link-unknown-container"),
    pytest.param({"networkMode": "host"}, f"{P1}.links", id="links-outside-bridge"),
    pytest.param(
        {f"{C0}.portMappings.0.containerPort": DELETE},
        f"{P0}.portMappings[0].containerPort",
        id="port-missing",
    ),
    pytest.param(
        {f"{C0}.portMappings.0.containerPort": 70000}, f"{P0}.portMappings[0].containerPort", id="port-70000"
    ),
    pytest.param(
        {f"{C0}.portMappings.0.hostPort": -1}, f"{P0}.portMappings[0].hostPort", id="host-port-negative"
    ),
    pytest.param(
        {f"{C0}.portMappings.0.protocol": "sctp"}, f"{P0}.portMappings[0].protocol", id="protocol-sctp"
    ),
    pytest.param(
        {f"{C0}.portMappings.0.appProtocol": "ws"}, f"{P0}.portMappings[0].appProtocol", id="app-protocol-ws"
    ),
    pytest.param(AWSVPC, f"{P0}.portMappings[0].hostPort", id="awsvpc-host-port-differs"),
    pytest.param({"networkMode": "host"}, f"{P0}.portMappings[0].hostPort", id="host-mode-host-port-differs"),
    pytest.param({"networkMode": "none", f"{C1}.links": DELETE}, f"{P0}.portMappings", id="none-mode-ports"),
    pytest.param(
        {f"{C1}.portMappings": [{"containerPort": 9000, "hostPort": 8080}]},
        f"{P1}.portMappings[0].hostPort",
        id="host-port-taken-by-other-container",
    ),
    pytest.param(
        {f"{C0}.portMappings.1": {"containerPort": 81, "hostPort": 8080}},
        f"{P0}.portMappings[1].hostPort",
        id="host-port-taken-in-same-container",
    ),
    pytest.param(
        {f"{C0}.portMappings.1": {"containerPort": 80}},
        f"{P0}.portMappings[1].containerPort",
        id="container-port-mapped-twice",
    ),
    pytest.param(
        {**AWSVPC, f"{C0}.portMappings.0.hostPort": DELETE, f"{C1}.portMappings": [{"containerPort": 80}]},
        f"{P1}.portMappings[0].containerPort",
        id="awsvpc-containers-share-port",
    ),
    pytest.param(
        {f"{C1}.portMappings": [{"containerPort": 9000, "name": "http"}]},
        f"{P1}.portMappings[0].name",
        id="port-name-duplicate",
    ),
    pytest.param({f"{C0}.portMappings.0.name": "-http"}, f"{P0}.portMappings[0].name", id="port-name-bad"),
    pytest.param(
        {
            f"{C0}.portMappings.0.containerPort": DELETE,
            f"{C0}.portMappings.0.containerPortRange": "8000-8010",
        },
        f"{P0}.portMappings[0].hostPort",
        id="port-range-with-host-port",
    ),
    pytest.param(
        {f"{C0}.portMappings.0": {"containerPortRange": "9000-8000"}},
        f"{P0}.portMappings[0].containerPortRange",
        id="port-range-reversed",
    ),
    pytest.param(
        {f"{C0}.portMappings.1": {"containerPortRange": "70-90"}},
        f"{P0}.portMappings[1].containerPortRange",
        id="port-range-overlaps-port",
    ),
    pytest.param(
        {f"{C1}.dependsOn.0.containerName": "db"}, f"{P1}.dependsOn[0].containerName", id="depends-unknown"
    ),
    pytest.param(
        {f"{C1}.dependsOn.0.containerName": "worker"}, f"{P1}.dependsOn[0].containerName", id="depends-self"
    ),
    pytest.param(
        {f"{C1}.dependsOn.0.condition": "READY"}, f"{P1}.dependsOn[0].condition", id="depends-bad-condition"
    ),
    pytest.param(
        {f"{C1}.dependsOn.0.condition": ""}, f"{P1}.dependsOn[0].condition", id="depends-no-condition"
    ),
    pytest.param(
        {f"{C1}.dependsOn.0.condition": "SUCCESS"}, f"{P1}.dependsOn[0].condition", id="success-on-essential"
    ),
    pytest.param({f"{C0}.healthCheck": DELETE}, f"{P1}.dependsOn[0].condition", id="healthy-without-check"),
    pytest.param(
        {f"{C0}.dependsOn": [{"containerName": "worker", "condition": "START"}]},
        f"{P0}.dependsOn",
        id="dependency-cycle",
    ),
    pytest.param({f"{C0}.healthCheck.command": []}, f"{P0}.healthCheck.command", id="health-command-empty"),
    pytest.param(
        {f"{C0}.healthCheck.command": ["curl"]}, f"{P0}.healthCheck.command", id="health-command-kind"
    ),
    pytest.param(
        {f"{C0}.healthCheck.command": ["CMD"]}, f"{P0}.healthCheck.command", id="health-command-alone"
    ),
    pytest.param({f"{C0}.healthCheck.interval": 4}, f"{P0}.healthCheck.interval", id="health-interval"),
    pytest.param({f"{C0}.healthCheck.timeout": 61}, f"{P0}.healthCheck.timeout", id="health-timeout"),
    pytest.param({f"{C0}.healthCheck.retries": 0}, f"{P0}.healthCheck.retries", id="health-retries"),
    pytest.param(
        {f"{C0}.healthCheck.startPeriod": 301}, f"{P0}.healthCheck.startPeriod", id="health-start-period"
    ),
    pytest.param({**AWSVPC, f"{C0}.hostname": "web"}, f"{P0}.hostname", id="hostname-in-awsvpc"),
    pytest.param({f"{C0}.startTimeout": 0}, f"{P0}.startTimeout", id="start-timeout-zero"),
    pytest.param({f"{C1}.stopTimeout": 0}, f"{P1}.stopTimeout", id="stop-timeout-zero"),
    pytest.param(
        {f"{C0}.restartPolicy.restartAttemptPeriod": 30},
        f"{P0}.restartPolicy.restartAttemptPeriod",
        id="restart-period-short",
    ),
    pytest.param(
        {f"{C0}.restartPolicy.ignoredExitCodes": list(range(51))},
        f"{P0}.restartPolicy.ignoredExitCodes",
        id="restart-too-many-exit-codes",
    ),
    pytest.param({f"{C0}.environment.1": {"value": "x"}}, f"{P0}.environment[1].name", id="env-name-missing"),
    pytest.param({f"{C0}.environment.1": {"name": "MODE"}}, f"{P0}.environment[1].name", id="env-duplicate"),
    pytest.param(
        {f"{C0}.secrets.0.valueFrom": DELETE}, f"{P0}.secrets[0].valueFrom", id="secret-value-missing"
    ),
    pytest.param({f"{C0}.ulimits.0.name": "files"}, f"{P0}.ulimits[0].name", id="ulimit-unknown"),
    pytest.param(
        {f"{C0}.ulimits.0.softLimit": 8192}, f"{P0}.ulimits[0].softLimit", id="ulimit-soft-above-hard"
    ),
    pytest.param(
        {f"{C0}.ulimits.0.hardLimit": DELETE}, f"{P0}.ulimits[0].hardLimit", id="ulimit-hard-missing"
    ),
    pytest.param(
        {f"{C0}.logConfiguration.logDriver": "loki"},
        f"{P0}.logConfiguration.logDriver",
        id="log-driver-unknown",
    ),
    pytest.param(
        {f"{C0}.mountPoints.0.sourceVolume": "logs"},
        f"{P0}.mountPoints[0].sourceVolume",
        id="mount-unknown-volume",
    ),
    pytest.param(
        {f"{C0}.mountPoints.0.containerPath": "data"},
        f"{P0}.mountPoints[0].containerPath",
        id="mount-relative",
    ),
    pytest.param(
        {f"{C1}.volumesFrom.0.sourceContainer": "db"},
        f"{P1}.volumesFrom[0].sourceContainer",
        id="volumes-from-unknown",
    ),
    pytest.param(
        {f"{C0}.linuxParameters.capabilities.add.0": "NET_FOO"},
        f"{P0}.linuxParameters.capabilities.add[0]",
        id="capability-unknown",
    ),
    pytest.param(
        {f"{C0}.linuxParameters.sharedMemorySize": 0}, f"{P0}.linuxParameters.sharedMemorySize", id="shm-zero"
    ),
    pytest.param(
        {f"{C0}.linuxParameters.tmpfs": [{"containerPath": "/tmp", "size": 0}]},
        f"{P0}.linuxParameters.tmpfs[0].size",
        id="tmpfs-size-zero",
    ),
    pytest.param(
        {f"{C0}.linuxParameters.swappiness": 101}, f"{P0}.linuxParameters.swappiness", id="swappiness"
    ),
    pytest.param(
        {f"{C0}.linuxParameters.maxSwap": -1}, f"{P0}.linuxParameters.maxSwap", id="max-swap-negative"
    ),
    pytest.param({"volumes.0.name": DELETE}, "volumes[0].name", id="volume-name-missing"),
    pytest.param({"volumes.1.name": "data"}, "volumes[1].name", id="volume-name-duplicate"),
    pytest.param(
        {"volumes.0.host.sourcePath": "srv/data"}, "volumes[0].host.sourcePath", id="host-path-relative"
    ),
    pytest.param(
        {"volumes.1.dockerVolumeConfiguration.scope": "global"},
        "volumes[1].dockerVolumeConfiguration.scope",
        id="docker-volume-scope",
    ),
    pytest.param(
        {"volumes.1.dockerVolumeConfiguration.scope": "task"},
        "volumes[1].dockerVolumeConfiguration.autoprovision",
        id="autoprovision-task-scope",
    ),
    pytest.param(
        {"placementConstraints.0.type": "distinctInstance"},
        "placementConstraints[0].type",
        id="constraint-type",
    ),
    pytest.param(
        {"placementConstraints.0.expression": ""},
        "placementConstraints[0].expression",
        id="constraint-expression",
    ),
    pytest.param(
        {"placementConstraints": [{"type": "memberOf", "expression": "agentConnected == true"}] * 11},
        "placementConstraints",
        id="eleven-constraints",
    ),
    pytest.param(
        {"requiresCompatibilities": ["EC2", "LAMBDA"]}, "requiresCompatibilities[1]", id="compat-unknown"
    ),
    pytest.param({"cpu": "lots"}, "cpu", id="task-cpu-unparsable"),
    pytest.param({"cpu": "64"}, "cpu", id="task-cpu-below-range"),
    pytest.param({"cpu": "200 vCPU"}, "cpu", id="task-cpu-above-range"),
    pytest.param({f"{C0}.cpu": 2048}, "cpu", id="container-cpu-exceeds-task"),
    pytest.param({"memory": "2TB"}, "memory", id="task-memory-unparsable"),
    pytest.param({"memory": "4"}, "memory", id="task-memory-below-minimum"),
    pytest.param({f"{C0}.memory": 4096}, "memory", id="container-memory-exceeds-task"),
    pytest.param(
        {f"{C1}.memory": DELETE, f"{C1}.memoryReservation": 1800}, "memory", id="reservations-exceed-task"
    ),
    pytest.param({"tags": [{"key": f"k{i}"} for i in range(51)]}, "tags", id="too-many-tags"),
    pytest.param({"tags.1": {"key": "aws:owner"}}, "tags[1].key", id="tag-reserved-prefix"),
    pytest.param({"tags.1": {"key": "team"}}, "tags[1].key", id="tag-duplicate"),
    pytest.param({"tags.0.key": "k" * 129}, "tags[0].key", id="tag-key-too-long"),
    pytest.param({"tags.0.value": "v" * 257}, "tags[0].value", id="tag-value-too-long"),
    pytest.param({"pidMode": "container"}, "pidMode", id="pid-mode"),
    pytest.param({"ipcMode": "shareable"}, "ipcMode", id="ipc-mode"),
    pytest.param(
        {"proxyConfiguration": {"type": "APPMESH", "containerName": "envoy"}},
        "proxyConfiguration.containerName",
        id="proxy-unknown-container",
    ),
    pytest.param(
        {"ephemeralStorage": {"sizeInGiB": 20}}, "ephemeralStorage.sizeInGiB", id="ephemeral-storage"
    ),
    pytest.param(
        {"runtimePlatform": {"cpuArchitecture": "RISCV"}}, "runtimePlatform.cpuArchitecture", id="cpu-arch"
    ),
    pytest.param(
        {f"{C0}.environment.1": {"name": "BIG", "value": "x" * MAX_TASK_DEFINITION_BYTES}}, "", id="too-big"
    ),
]


def test_base_definition_is_valid() -> None:
    assert validate(BASE) == []


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_invalid_definition_names_the_field(changes: dict[str, Any], field: str) -> None:
    violations = validate(patched(BASE, changes))
    assert field in [v.field for v in violations], violations


def test_the_table_is_large_and_distinct() -> None:
    assert len(INVALID) >= 40
    assert len({case.id for case in INVALID}) == len(INVALID)


def test_webapp_example_is_valid() -> None:
    doc = json.loads(WEBAPP.read_text())
    assert validate(doc) == []


def test_realistic_fargate_definition_is_valid() -> None:
    doc = {
        "family": "api",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "1 vCPU",
        "memory": "4GB",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "ephemeralStorage": {"sizeInGiB": 40},
        "containerDefinitions": [
            container(
                "app",
                image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2024-06-01",
                portMappings=[
                    {"containerPort": 8080, "hostPort": 8080, "name": "api", "appProtocol": "http"}
                ],
                healthCheck={"command": ["CMD", "/bin/health"], "interval": 10, "timeout": 2, "retries": 3},
                dependsOn=[{"containerName": "migrate", "condition": "SUCCESS"}],
                logConfiguration={"logDriver": "awslogs", "options": {"awslogs-group": "api"}},
                linuxParameters={"capabilities": {"add": ["SYS_PTRACE"]}, "initProcessEnabled": True},
                stopTimeout=120,
            ),
            container("migrate", image="public.ecr.aws/acme/migrate:1", essential=False),
        ],
        "volumes": [{"name": "scratch"}],
    }
    assert validate(doc) == []


def test_every_violation_is_reported_in_field_order() -> None:
    doc = patched(
        BASE,
        {
            "tags.0.key": "aws:x",
            "cpu": "lots",
            f"{C1}.image": "Bad Image",
            f"{C0}.healthCheck.interval": 1,
            f"{C0}.image": "",
            "family": "",
        },
    )
    assert [v.field for v in validate(doc)] == [
        "family",
        f"{P0}.image",
        f"{P0}.healthCheck.interval",
        f"{P1}.image",
        "cpu",
        "tags[0].key",
    ]


def test_violations_feed_invalid_argument() -> None:
    error = InvalidArgument(validate(patched(BASE, {"family": ""})))
    assert error.violations == [FieldViolation("family", "family is required")]


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        pytest.param(
            AWSVPC, f"{P0}.portMappings[0].hostPort", "hostPort 8080 must equal containerPort 80 in awsvpc"
        ),
        pytest.param({"family": "a b"}, "family", "family 'a b'"),
        pytest.param({f"{C0}.image": "Foo/Bar"}, f"{P0}.image", "'Foo/Bar'"),
        pytest.param({f"{C0}.healthCheck.interval": 4}, f"{P0}.healthCheck.interval", "interval 4 s"),
        pytest.param({f"{C0}.cpu": 2048}, "cpu", "adds up to 2048 units, more than the task cpu 1024"),
        pytest.param(
            {f"{C0}.memoryReservation": 600}, f"{P0}.memoryReservation", "memory 512 MiB must be greater"
        ),
        pytest.param(
            {f"{C1}.portMappings": [{"containerPort": 9000, "hostPort": 8080}]},
            f"{P1}.portMappings[0].hostPort",
            f"8080/tcp is already used by {P0}.portMappings[0]",
        ),
    ],
)
def test_messages_name_the_value(changes: dict[str, Any], field: str, text: str) -> None:
    assert text in description(validate(patched(BASE, changes)), field)


def test_dependency_cycle_message_names_the_cycle() -> None:
    doc = patched(BASE, {f"{C0}.dependsOn": [{"containerName": "worker", "condition": "START"}]})
    assert description(validate(doc), f"{P0}.dependsOn") == "dependency cycle web -> worker -> web"


def test_unset_optionals_take_ecs_defaults() -> None:
    # essential unset is true; hostPort unset or 0 is dynamic (bridge) or the container port (awsvpc).
    doc = {
        "family": "defaults",
        "containerDefinitions": [
            container("a", portMappings=[{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}])
        ],
    }
    assert validate(doc) == []
    assert validate({**doc, "networkMode": "awsvpc"}) == []
    assert validate(patched(doc, {"containerDefinitions.0.essential": False})) != []


def test_dynamic_host_ports_never_collide() -> None:
    doc = {
        "family": "dyn",
        "containerDefinitions": [
            container("a", portMappings=[{"containerPort": 80}]),
            container("b", portMappings=[{"containerPort": 80, "hostPort": 0}]),
        ],
    }
    assert validate(doc) == []


def test_same_port_on_tcp_and_udp_is_fine() -> None:
    doc = patched(BASE, {f"{C0}.portMappings.1": {"containerPort": 80, "hostPort": 8080, "protocol": "udp"}})
    assert validate(doc) == []


def test_fargate_rules_apply_only_when_requested_and_are_not_repeated() -> None:
    assert validate(BASE) == []
    fargate = validate(patched(BASE, {"requiresCompatibilities": ["EC2", "FARGATE"]}))
    assert "networkMode" in [v.field for v in fargate]
    bad_cpu = validate(patched(BASE, {"requiresCompatibilities": ["FARGATE"], "cpu": "lots"}))
    assert [v.field for v in bad_cpu].count("cpu") == 1


def test_oversized_definition_is_reported_alone() -> None:
    doc = patched(BASE, {"family": "", f"{C0}.environment.1": {"name": "BIG", "value": "x" * 70_000}})
    violations = validate(doc)
    assert [v.field for v in violations] == [""]
    assert "65536" in violations[0].description


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "nginx:1.27-alpine",
        "library/nginx:latest",
        "docker.io/library/nginx:1.27",
        "localhost:5000/team/app:v1",
        "[::1]:5000/app",
        "Registry.Example.com/app",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app__x/y.z:2024_06",
        f"nginx@{DIGEST}",
        f"ghcr.io/acme/app:v1@{DIGEST}",
    ],
)
def test_valid_image_references(image: str) -> None:
    assert validate(patched(BASE, {f"{C0}.image": image})) == []


@pytest.mark.parametrize(
    "image",
    [
        " nginx",
        "nginx:",
        "nginx:a/b",
        "-nginx",
        "nginx..x",
        "nginx/",
        "//nginx",
        "a@sha256:" + "A" * 64,
        "ng#inx",
    ],
)
def test_invalid_image_references(image: str) -> None:
    assert f"{P0}.image" in [v.field for v in validate(patched(BASE, {f"{C0}.image": image}))]


@pytest.mark.parametrize(
    ("value", "units"),
    [
        ("1024", 1024),
        ("256", 256),
        ("0", 0),
        ("1 vCPU", 1024),
        ("1 vcpu", 1024),
        ("1vCPU", 1024),
        ("0.25 vCPU", 256),
        ("0.5 VCPU", 512),
        ("16 vCPU", 16384),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("1.5", None),
        (" 1024", None),
        ("0.1 vCPU", None),
        ("1 cpu", None),
        ("1  vCPU", None),
        ("\uff11\uff10\uff12\uff14", None),  # full-width digits
        ("9" * 5000, None),
    ],
)
def test_parse_cpu(value: str, units: int | None) -> None:
    assert parse_cpu(value) == units


@pytest.mark.parametrize(
    ("value", "mib"),
    [
        ("2048", 2048),
        ("512", 512),
        ("2GB", 2048),
        ("2 GB", 2048),
        ("2 gb", 2048),
        ("0.5GB", 512),
        ("0.25 GB", 256),
        ("30GB", 30720),
        ("", None),
        ("2 MB", None),
        ("2GiB", None),
        ("0.3GB", None),
        ("-2GB", None),
        ("2 G B", None),
    ],
)
def test_parse_memory(value: str, mib: int | None) -> None:
    assert parse_memory(value) == mib


@settings(max_examples=40)
@given(st.integers(min_value=0, max_value=4 * 192))
def test_quarter_vcpus_parse_to_units(quarters: int) -> None:
    assert parse_cpu(f"{quarters / 4} vCPU") == quarters * 256


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        ("1 vCPU", "2GB", ("1024", "2048")),
        ("0.25 vcpu", "0.5GB", ("256", "512")),
        ("512", "1024", ("512", "1024")),
        ("", "", ("", "")),
        ("", "1GB", ("", "1024")),
        ("lots", "2GB", ("lots", "2048")),
    ],
)
def test_normalized_cpu_memory(cpu: str, memory: str, expected: tuple[str, str]) -> None:
    req = ecs_messages_pb2.RegisterTaskDefinitionRequest(cpu=cpu, memory=memory)
    assert normalized_cpu_memory(req) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, ["EC2", "EXTERNAL"], id="bridge"),
        pytest.param({"networkMode": "awsvpc"}, ["EC2"], id="awsvpc-without-fargate-size"),
        pytest.param(
            {"networkMode": "awsvpc", "cpu": "256", "memory": "512"}, ["EC2", "FARGATE"], id="fargate-ready"
        ),
    ],
)
def test_compatibilities(changes: dict[str, Any], expected: list[str]) -> None:
    doc = {"family": "c", "containerDefinitions": [container("a")], **changes}
    assert compatibilities(request(doc)) == expected


# --- dependsOn graphs -------------------------------------------------------------------------


def _graph_definition(edges: list[list[int]]) -> dict[str, Any]:
    return {
        "family": "graph",
        "containerDefinitions": [
            container(f"c{i}", dependsOn=[{"containerName": f"c{j}", "condition": "START"} for j in targets])
            for i, targets in enumerate(edges)
        ],
    }


def _reachable(edges: list[list[int]], start: int) -> set[int]:
    seen: set[int] = set()
    todo = list(edges[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges[node])
    return seen


@st.composite
def graphs(draw: st.DrawFn, *, acyclic: bool) -> list[list[int]]:
    n = draw(st.integers(min_value=1, max_value=7))
    edges = []
    for i in range(n):
        candidates = list(range(i)) if acyclic else [j for j in range(n) if j != i]
        edges.append(draw(st.lists(st.sampled_from(candidates), unique=True)) if candidates else [])
    if not acyclic:
        return edges
    # Hide the topological order behind a random numbering.
    order = draw(st.permutations(range(n)))
    renumbered: list[list[int]] = [[] for _ in range(n)]
    for i, targets in enumerate(edges):
        renumbered[order[i]] = [order[j] for j in targets]
    return renumbered


@settings(max_examples=40, deadline=None)
@given(graphs(acyclic=True))
def test_any_acyclic_dependency_graph_is_accepted(edges: list[list[int]]) -> None:
    assert validate(_graph_definition(edges)) == []


@settings(max_examples=40, deadline=None)
@given(graphs(acyclic=False))
def test_cycles_are_refused_once_per_cyclic_component(edges: list[list[int]]) -> None:
    reach = [_reachable(edges, i) for i in range(len(edges))]
    cyclic_components = {
        min({i} | {j for j in reach[i] if i in reach[j]}) for i in range(len(edges)) if i in reach[i]
    }
    violations = validate(_graph_definition(edges))
    assert {int(v.field.split("[")[1].split("]")[0]) for v in violations} == cyclic_components
    for v in violations:
        assert v.field.endswith(".dependsOn")
        names = v.description.removeprefix("dependency cycle ").split(" -> ")
        nodes = [int(name[1:]) for name in names]
        assert nodes[0] == nodes[-1] and len(nodes) == len(set(nodes)) + 1
        assert all(b in edges[a] for a, b in itertools.pairwise(nodes))
