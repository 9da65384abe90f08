"""Field presence: empty strings and zeros a user gives come back as given (ECS's shape), absent stay absent.

Through the Python client (gRPC, then protobuf's JSON mapping) and through the `berth` CLI's JSON
output; the ECS JSON endpoint has its own test in tests/integration/gateway/test_field_presence.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from berth import Client, jsonmsg
from tests.integration.api.test_cli import berth

pytestmark = pytest.mark.etcd


def sparse_td(family: str) -> dict[str, Any]:
    """A task definition with given-empty values next to absent ones."""
    return {
        "family": family,
        "containerDefinitions": [
            {
                "name": "web",
                "image": "berth/busybox",
                "memory": 64,
                "cpu": 0,
                "environment": [
                    {"name": "EMPTY", "value": ""},
                    {"name": "UNSET"},
                    {"name": "SET", "value": "1"},
                ],
                "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                "systemControls": [{"namespace": "net.core.somaxconn", "value": ""}],
                "dockerLabels": {"empty": ""},
            }
        ],
    }


def test_empty_and_zero_values_round_trip_through_the_client(client: Client, unique: str) -> None:
    td = sparse_td(f"presence-{unique}")
    client.register_task_definition(td, tags=[{"key": "empty", "value": ""}])
    described = client.describe_task_definition(taskDefinition=td["family"], include=["TAGS"])
    container = jsonmsg.to_dict(described.task_definition)["containerDefinitions"][0]
    for key, value in td["containerDefinitions"][0].items():
        assert container[key] == value, key
    assert [jsonmsg.to_dict(t) for t in described.tags] == [{"key": "empty", "value": ""}]


def test_empty_values_in_cli_json_output(controlplane: Any, client: Client, unique: str) -> None:
    td = sparse_td(f"presence-cli-{unique}")
    client.register_task_definition(td)
    out = berth(controlplane, "describe-task-definition", "--task-definition", td["family"])
    assert out.returncode == 0, out.stderr
    container = json.loads(out.stdout)["taskDefinition"]["containerDefinitions"][0]
    assert container["environment"] == td["containerDefinitions"][0]["environment"]
    assert container["portMappings"][0]["hostPort"] == 0
