"""The cluster a CLI command works on when given full ARNs (berth.cli.scope)."""

from __future__ import annotations

import pytest

from berth.cli.scope import cluster_for, cluster_in, request_cluster

TASK = "arn:berth:ecs:local:000000000000:task/prod/0123456789abcdef0123456789abcdef"
SERVICE = "arn:berth:ecs:local:000000000000:service/prod/web"
INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/prod/fedcba9876543210"
CLUSTER = "arn:berth:ecs:local:000000000000:cluster/prod"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (TASK, "prod"),
        (SERVICE, "prod"),
        (INSTANCE, "prod"),
        ("0123456789abcdef", None),
        ("web", None),
        ("arn:berth:ecs:local:000000000000:task/0123456789abcdef", None),  # old style, no cluster
        ("arn:berth:ecs:local:000000000000:cluster/prod", None),
        ("arn:berth:ecs:local:000000000000:task-definition/web:1", None),
    ],
    ids=["task", "service", "instance", "id", "name", "old-style", "cluster", "task-definition"],
)
def test_cluster_in(ref: str, expected: str | None) -> None:
    assert cluster_in(ref) == expected


@pytest.mark.parametrize(
    ("cluster", "refs", "expected"),
    [
        ("", [("TASK", TASK)], "prod"),
        ("prod", [("TASK", TASK)], "prod"),
        (CLUSTER, [("TASK", TASK)], CLUSTER),
        ("", [("TASK", "0123")], ""),
        ("dev", [("TASK", "0123")], "dev"),
        ("", [("--tasks", TASK), ("--tasks", "0123")], "prod"),
    ],
    ids=["from-arn", "agreeing", "agreeing-cluster-arn", "plain-id", "plain-id-with-cluster", "mixed"],
)
def test_cluster_for(cluster: str, refs: list[tuple[str, str]], expected: str) -> None:
    assert cluster_for(cluster, refs) == expected


def test_a_contradicting_cluster_is_refused_naming_both() -> None:
    with pytest.raises(ValueError, match=r"--cluster 'default' contradicts TASK .* cluster 'prod'"):
        cluster_for("default", [("TASK", TASK)])


def test_arns_of_several_clusters_are_refused() -> None:
    other = TASK.replace("/prod/", "/dev/")
    with pytest.raises(ValueError, match=r"several clusters.*'prod'.*'dev'"):
        cluster_for("", [("--tasks", TASK), ("--tasks", other)])


def test_request_cluster_reads_the_scoped_fields() -> None:
    assert request_cluster({"tasks": [TASK]}) == "prod"
    assert request_cluster({"service": SERVICE, "cluster": ""}) == "prod"
    assert request_cluster({"containerInstances": [INSTANCE]}) == "prod"
    assert request_cluster({"cluster": "dev", "tasks": ["0123"]}) == "dev"
    with pytest.raises(ValueError, match="--container-instance"):
        request_cluster({"cluster": "dev", "containerInstance": INSTANCE})
