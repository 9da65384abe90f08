"""Clusters and tags through the real API on a real etcd."""

from __future__ import annotations

from typing import Any

import pytest

from berth import ApiError, Client
from berth.v1 import types_pb2

pytestmark = pytest.mark.etcd


def test_create_describe_list_delete(client: Client, unique: str) -> None:
    name = f"c-{unique}"
    created = client.create_cluster(clusterName=name, tags=[{"key": "env", "value": "test"}]).cluster
    assert created.status == "ACTIVE" and created.cluster_arn.endswith(f":cluster/{name}")
    assert [t.key for t in created.tags] == ["env"]
    again = client.create_cluster(clusterName=name).cluster  # idempotent, as in ECS
    assert again.cluster_arn == created.cluster_arn
    described = client.describe_clusters(
        clusters=[name, created.cluster_arn, f"nope-{unique}"], include=["TAGS"]
    )
    assert [c.cluster_name for c in described.clusters] == [name, name]
    assert described.clusters[0].running_tasks_count == 0 and described.clusters[0].HasField(
        "running_tasks_count"
    )
    assert [(f.reason, f.arn.rsplit("/", 1)[1]) for f in described.failures] == [
        ("MISSING", f"nope-{unique}")
    ]
    assert created.cluster_arn in list_all_clusters(client)
    deleted = client.delete_cluster(cluster=name).cluster
    assert deleted.status == "INACTIVE"
    assert created.cluster_arn not in list_all_clusters(client)
    assert client.describe_clusters(clusters=[name]).clusters[0].status == "INACTIVE"
    assert client.create_cluster(clusterName=name).cluster.status == "ACTIVE"


def list_all_clusters(client: Client) -> list[str]:
    arns: list[str] = []
    token = ""
    while True:
        page = client.list_clusters(maxResults=3, nextToken=token)
        arns += page.cluster_arns
        token = page.next_token
        if not token:
            return arns


def test_delete_refused_while_cluster_holds_something(client: Client, controlplane: Any, unique: str) -> None:
    from controlplane.store import Put, keys

    name = f"busy-{unique}"
    client.create_cluster(clusterName=name)
    instance = types_pb2.ContainerInstance(container_instance_arn="x", status="ACTIVE")
    store = controlplane.cp.store
    controlplane.run(store.commit(Put(keys.instance(name, "i1"), instance, 0)))
    with pytest.raises(ApiError) as e:
        client.delete_cluster(cluster=name)
    assert e.value.code == "FAILED_PRECONDITION"
    assert e.value.ecs_type == "ClusterContainsContainerInstancesException"
    assert client.describe_clusters(clusters=[name]).clusters[0].status == "ACTIVE"


def test_unknown_cluster_and_bad_names(client: Client, unique: str) -> None:
    with pytest.raises(ApiError) as e:
        client.delete_cluster(cluster=f"ghost-{unique}")
    assert (e.value.code, e.value.ecs_type) == ("NOT_FOUND", "ClusterNotFoundException")
    with pytest.raises(ApiError) as e:
        client.create_cluster(clusterName="bad name!")
    assert e.value.violations[0].field == "clusterName"
    with pytest.raises(ApiError) as e:
        client.list_clusters(maxResults=500)
    assert e.value.violations[0].field == "maxResults"


def test_tag_untag_list(client: Client, webapp_td: dict[str, Any], unique: str) -> None:
    arn = client.create_cluster(clusterName=f"t-{unique}").cluster.cluster_arn
    client.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    client.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "3"}])
    client.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert [(t.key, t.value) for t in client.list_tags_for_resource(resourceArn=arn).tags] == [("a", "3")]
    webapp_td["family"] = f"t-{unique}"
    td_arn = client.register_task_definition(webapp_td).task_definition.task_definition_arn
    client.tag_resource(resourceArn=td_arn, tags=[{"key": "owner", "value": "me"}])
    assert [t.key for t in client.list_tags_for_resource(resourceArn=td_arn).tags] == ["owner"]
    with pytest.raises(ApiError) as e:
        client.tag_resource(resourceArn=td_arn.replace(":1", ":9"), tags=[{"key": "x", "value": "y"}])
    assert e.value.code == "NOT_FOUND"
    with pytest.raises(ApiError) as e:
        client.tag_resource(resourceArn=arn, tags=[{"key": "aws:x", "value": "y"}])
    assert e.value.violations[0].field == "tags[0].key"
