"""CreateCluster's capacity providers and default strategy, checked before anything is written."""

from __future__ import annotations

import pytest

from berth.errors import InvalidArgument
from berth.v1 import types_pb2
from controlplane.api.clusters import check_capacity_providers


def item(provider: str, weight: int = 1, base: int | None = None) -> types_pb2.CapacityProviderStrategyItem:
    out = types_pb2.CapacityProviderStrategyItem(capacity_provider=provider, weight=weight)
    if base is not None:
        out.base = base
    return out


def fields(providers: list[str], strategy: list[types_pb2.CapacityProviderStrategyItem]) -> list[str]:
    with pytest.raises(InvalidArgument) as e:
        check_capacity_providers(providers, strategy)
    return [v.field for v in e.value.violations]


def test_valid_providers_and_strategy_pass() -> None:
    check_capacity_providers(["FARGATE", "my-asg"], [item("FARGATE", 1, base=2), item("my-asg", 3)])
    check_capacity_providers([], [])


@pytest.mark.parametrize(
    ("providers", "strategy", "expected"),
    [
        (["x"] * 21, [], ["capacityProviders"]),
        (["FARGATE", "bad name!"], [], ["capacityProviders[1]"]),
        (["FARGATE", "FARGATE"], [], ["capacityProviders[1]"]),
        (["FARGATE"], [item("other")], ["defaultCapacityProviderStrategy[0].capacityProvider"]),
        (["FARGATE"], [item("FARGATE", weight=5000)], ["defaultCapacityProviderStrategy[0].weight"]),
    ],
    ids=["too-many", "bad-name", "twice", "not-in-cluster", "weight-range"],
)
def test_bad_providers_name_the_field(
    providers: list[str], strategy: list[types_pb2.CapacityProviderStrategyItem], expected: list[str]
) -> None:
    assert fields(providers, strategy) == expected
