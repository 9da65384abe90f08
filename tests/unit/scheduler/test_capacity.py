"""Capacity provider strategy: base first, then weights; assignment of new tasks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controlplane.scheduler.capacity import ProviderItem, assign, targets, validate_strategy


@pytest.mark.parametrize(
    ("items", "total", "expected"),
    [
        ([ProviderItem("FARGATE", weight=1)], 5, {"FARGATE": 5}),
        (
            [ProviderItem("FARGATE", base=2, weight=1), ProviderItem("ec2", weight=1)],
            6,
            {"FARGATE": 4, "ec2": 2},
        ),
        (
            [ProviderItem("FARGATE", base=2, weight=0), ProviderItem("ec2", weight=1)],
            6,
            {"FARGATE": 2, "ec2": 4},
        ),
        ([ProviderItem("FARGATE", weight=1), ProviderItem("ec2", weight=3)], 8, {"FARGATE": 2, "ec2": 6}),
        (
            [ProviderItem("FARGATE", base=10, weight=1), ProviderItem("ec2", weight=1)],
            3,
            {"FARGATE": 3, "ec2": 0},
        ),
        ([ProviderItem("a", weight=1), ProviderItem("b", weight=1)], 3, {"a": 2, "b": 1}),
    ],
    ids=["one", "base-then-even", "base-weight-0", "1-to-3", "base-bigger-than-total", "remainder-order"],
)
def test_targets(items: list[ProviderItem], total: int, expected: dict[str, int]) -> None:
    assert targets(items, total) == expected


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 5)), min_size=1, max_size=4), st.integers(0, 40))
def test_targets_add_up_and_honour_base(pairs: list[tuple[int, int]], total: int) -> None:
    items = [ProviderItem(f"p{i}", base=b if i == 0 else 0, weight=w) for i, (b, w) in enumerate(pairs)]
    result = targets(items, total)
    assert sum(result.values()) == total
    assert result["p0"] >= min(items[0].base, total)


def test_assign_fills_the_deficit() -> None:
    items = [ProviderItem("FARGATE", base=1, weight=1), ProviderItem("ec2", weight=1)]
    assert sorted(assign(items, {}, 4)) == ["FARGATE", "FARGATE", "FARGATE", "ec2"]
    assert assign(items, {"FARGATE": 3, "ec2": 0}, 2) == ["ec2", "ec2"]


def test_validation() -> None:
    bad = validate_strategy([ProviderItem("FARGATE", base=1, weight=0), ProviderItem("x", base=2, weight=0)])
    assert {v.field for v in bad} == {"capacityProviderStrategy"}
    assert (
        validate_strategy([ProviderItem("FARGATE", weight=2000)])[0].field
        == "capacityProviderStrategy[0].weight"
    )
    assert not validate_strategy([ProviderItem("FARGATE", base=1, weight=1)])
