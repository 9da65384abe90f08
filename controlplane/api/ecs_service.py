"""The servicer of `berth.v1.ECS`: one class composed of the per-area APIs."""

from __future__ import annotations

from controlplane.api.clusters import ClusterApi
from controlplane.api.tags import TagApi
from controlplane.api.taskdefs import TaskDefinitionApi


class EcsServicer(ClusterApi, TaskDefinitionApi, TagApi):
    """Handlers for every RPC of berth.v1.ECS, named as the RPCs are."""
