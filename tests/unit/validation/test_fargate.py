"""Fargate rules: the cpu/memory table row by row, the settings Fargate refuses, and how
`validate_task_definition` and `compatibilities` use them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from berth import jsonmsg
from berth.errors import FieldViolation
from berth.v1 import ecs_messages_pb2, types_pb2
from controlplane.validation.fargate import FARGATE_CPU_MEMORY, valid_fargate_pair, validate_fargate
from controlplane.validation.taskdef import compatibilities, validate_task_definition

# ecs-semantics.md §6, written out independently of the implementation: cpu -> (first, last, step).
TABLE = {
    256: (512, 2048, None),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}

BASE: dict[str, Any] = {
    "family": "api",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "ghcr.io/acme/api:1.4",
            "portMappings": [{"containerPort": 8080, "hostPort": 8080}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "api"}},
            "linuxParameters": {"capabilities": {"add": ["SYS_PTRACE"]}, "initProcessEnabled": True},
            "stopTimeout": 120,
        }
    ],
    "volumes": [{"name": "scratch"}],
}


def definition(**changes: Any) -> ecs_messages_pb2.RegisterTaskDefinitionRequest:
    doc = copy.deepcopy(BASE)
    app = doc["containerDefinitions"][0]
    for key, value in changes.items():
        if key.startswith("app_"):
            app[key.removeprefix("app_")] = value
        elif key.startswith("lp_"):
            app["linuxParameters"][key.removeprefix("lp_")] = value
        else:
            doc[key] = value
    return jsonmsg.parse(doc, ecs_messages_pb2.RegisterTaskDefinitionRequest)


def fields(violations: list[FieldViolation]) -> list[str]:
    return [v.field for v in violations]


# --- the table --------------------------------------------------------------------------------


def test_table_matches_the_reference() -> None:
    assert set(FARGATE_CPU_MEMORY) == set(TABLE)
    assert FARGATE_CPU_MEMORY[256] == (512, 1024, 2048)
    for cpu, (first, last, step) in TABLE.items():
        if step is not None:
            assert FARGATE_CPU_MEMORY[cpu] == tuple(range(first, last + 1, step)), cpu


def _edges() -> list[Any]:
    cases = []
    for cpu, (first, last, step) in TABLE.items():
        gap = step or 512
        cases += [
            pytest.param(cpu, first, True, id=f"{cpu}-first-{first}"),
            pytest.param(cpu, last, True, id=f"{cpu}-last-{last}"),
            pytest.param(cpu, first - gap, False, id=f"{cpu}-below-{first - gap}"),
            pytest.param(cpu, last + gap, False, id=f"{cpu}-above-{last + gap}"),
            pytest.param(cpu, first + gap // 2, False, id=f"{cpu}-off-step-{first + gap // 2}"),
        ]
    return cases


@pytest.mark.parametrize(("cpu", "memory", "valid"), _edges())
def test_row_edges(cpu: int, memory: int, valid: bool) -> None:
    assert valid_fargate_pair(cpu, memory) is valid


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [(256, 1536), (128, 512), (384, 1024), (3072, 8192), (32768, 65536), (0, 0), (1024, 1024), (512, 512)],
)
def test_invalid_pairs(cpu: int, memory: int) -> None:
    assert not valid_fargate_pair(cpu, memory)


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=40000), st.integers(min_value=0, max_value=200_000))
def test_valid_pairs_give_two_to_eight_gb_per_vcpu(cpu: int, memory: int) -> None:
    if valid_fargate_pair(cpu, memory):
        assert 2 * cpu <= memory <= 8 * cpu


# --- validate_fargate -------------------------------------------------------------------------


def test_base_is_valid_on_fargate() -> None:
    assert validate_fargate(definition()) == []
    assert validate_task_definition(definition()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"networkMode": "bridge"}, "networkMode", id="bridge"),
        pytest.param({"networkMode": ""}, "networkMode", id="network-mode-unset"),
        pytest.param({"cpu": ""}, "cpu", id="cpu-missing"),
        pytest.param({"memory": ""}, "memory", id="memory-missing"),
        pytest.param({"cpu": "300"}, "cpu", id="cpu-not-a-size"),
        pytest.param({"cpu": "abc"}, "cpu", id="cpu-unparsable"),
        pytest.param({"memory": "8GB"}, "memory", id="pair-invalid"),
        pytest.param(
            {"cpu": "512", "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}},
            "cpu",
            id="windows-half-vcpu",
        ),
        pytest.param({"app_privileged": True}, "containerDefinitions[0].privileged", id="privileged"),
        pytest.param({"app_links": ["db"]}, "containerDefinitions[0].links", id="links"),
        pytest.param(
            {"volumes": [{"name": "v", "host": {"sourcePath": "/srv"}}]},
            "volumes[0].host.sourcePath",
            id="host-source-path",
        ),
        pytest.param(
            {"volumes": [{"name": "v", "dockerVolumeConfiguration": {"scope": "task"}}]},
            "volumes[0].dockerVolumeConfiguration",
            id="docker-volume",
        ),
        pytest.param(
            {"placementConstraints": [{"type": "memberOf", "expression": "attribute:a == b"}]},
            "placementConstraints",
            id="placement-constraints",
        ),
        pytest.param({"pidMode": "host"}, "pidMode", id="pid-host"),
        pytest.param({"ipcMode": "task"}, "ipcMode", id="ipc-task"),
        pytest.param(
            {"app_dnsServers": ["10.0.0.2"]}, "containerDefinitions[0].dnsServers", id="dns-servers"
        ),
        pytest.param(
            {"app_dnsSearchDomains": ["corp"]}, "containerDefinitions[0].dnsSearchDomains", id="dns-search"
        ),
        pytest.param(
            {"app_extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.3"}]},
            "containerDefinitions[0].extraHosts",
            id="extra-hosts",
        ),
        pytest.param(
            {"app_disableNetworking": True}, "containerDefinitions[0].disableNetworking", id="no-network"
        ),
        pytest.param(
            {"app_dockerSecurityOptions": ["no-new-privileges"]},
            "containerDefinitions[0].dockerSecurityOptions",
            id="security-options",
        ),
        pytest.param(
            {"lp_devices": [{"hostPath": "/dev/fuse"}]},
            "containerDefinitions[0].linuxParameters.devices",
            id="devices",
        ),
        pytest.param(
            {"lp_sharedMemorySize": 64}, "containerDefinitions[0].linuxParameters.sharedMemorySize", id="shm"
        ),
        pytest.param(
            {"lp_maxSwap": 0}, "containerDefinitions[0].linuxParameters.maxSwap", id="max-swap-zero"
        ),
        pytest.param(
            {"lp_swappiness": 0}, "containerDefinitions[0].linuxParameters.swappiness", id="swappiness-zero"
        ),
        pytest.param(
            {"lp_capabilities": {"add": ["SYS_PTRACE", "NET_ADMIN"]}},
            "containerDefinitions[0].linuxParameters.capabilities.add[1]",
            id="cap-add-net-admin",
        ),
        pytest.param({"app_stopTimeout": 121}, "containerDefinitions[0].stopTimeout", id="stop-timeout-121"),
        pytest.param(
            {"app_resourceRequirements": [{"type": "GPU", "value": "1"}]},
            "containerDefinitions[0].resourceRequirements[0]",
            id="gpu",
        ),
        pytest.param(
            {"app_logConfiguration": {"logDriver": "syslog"}},
            "containerDefinitions[0].logConfiguration.logDriver",
            id="log-driver-syslog",
        ),
    ],
)
def test_refused_on_fargate(changes: dict[str, Any], field: str) -> None:
    assert field in fields(validate_fargate(definition(**changes)))
    assert field in fields(validate_task_definition(definition(**changes)))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"volumes": [{"name": "v", "host": {}}]}, id="host-volume-without-path"),
        pytest.param({"lp_capabilities": {"add": ["CAP_SYS_PTRACE"], "drop": ["ALL"]}}, id="cap-prefix"),
        pytest.param({"app_logConfiguration": {"logDriver": "json-file"}}, id="json-file-on-berth"),
        pytest.param({"app_logConfiguration": {"logDriver": "awsfirelens"}}, id="firelens"),
        pytest.param({"pidMode": "task"}, id="pid-task"),
        pytest.param({"app_disableNetworking": False, "app_privileged": False}, id="explicit-false"),
        pytest.param({"cpu": "0.25 vCPU", "memory": "0.5GB"}, id="smallest-in-units"),
        pytest.param({"cpu": "16 vCPU", "memory": "120GB"}, id="largest-in-units"),
        pytest.param(
            {
                "cpu": "4096",
                "memory": "30720",
                "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"},
            },
            id="windows-four-vcpu",
        ),
    ],
)
def test_allowed_on_fargate(changes: dict[str, Any]) -> None:
    assert validate_fargate(definition(**changes)) == []


def test_invalid_pair_message_names_both_values() -> None:
    [violation] = validate_fargate(definition(cpu="256", memory="4096"))
    assert violation.field == "memory"
    assert "memory 4096 MiB" in violation.description and "cpu 256" in violation.description
    assert "512, 1024 or 2048" in violation.description


def test_violations_come_out_in_field_order() -> None:
    violations = validate_fargate(
        definition(networkMode="bridge", app_privileged=True, pidMode="host", memory="", ipcMode="host")
    )
    assert fields(violations) == [
        "networkMode",
        "containerDefinitions[0].privileged",
        "memory",
        "pidMode",
        "ipcMode",
    ]


def test_accepts_a_stored_task_definition() -> None:
    stored = jsonmsg.parse(jsonmsg.to_dict(definition()), types_pb2.TaskDefinition)
    assert validate_fargate(stored) == []
    stored.network_mode = "bridge"
    assert fields(validate_fargate(stored)) == ["networkMode"]


def test_fargate_rules_only_run_when_requested() -> None:
    ec2_only = definition(requiresCompatibilities=["EC2"], networkMode="bridge", app_privileged=True)
    assert validate_task_definition(ec2_only) == []
    assert compatibilities(ec2_only) == ["EC2", "EXTERNAL"]


def test_compatibilities_include_fargate_when_the_rules_pass() -> None:
    assert compatibilities(definition()) == ["EC2", "FARGATE"]
    assert compatibilities(definition(memory="8GB")) == ["EC2"]
