"""Field presence through the ECS JSON endpoint: boto3 gets back the empty strings and zeros it sent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.test_field_presence import sparse_td

pytestmark = pytest.mark.etcd


def test_empty_and_zero_values_round_trip_through_boto3(ecs: Any, unique: str) -> None:
    td = sparse_td(f"presence-gw-{unique}")
    ecs.register_task_definition(**td, tags=[{"key": "empty", "value": ""}])
    described = ecs.describe_task_definition(taskDefinition=td["family"], include=["TAGS"])
    container = described["taskDefinition"]["containerDefinitions"][0]
    for key, value in td["containerDefinitions"][0].items():
        assert container[key] == value, key
    assert described["tags"] == [{"key": "empty", "value": ""}]
