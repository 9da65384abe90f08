"""Cluster RPCs: CreateCluster, DescribeClusters, ListClusters, DeleteCluster.

A deleted cluster stays describable as INACTIVE and CreateCluster of the same name brings it back,
as in ECS. DeleteCluster first marks the cluster DEPROVISIONING (a CAS write), so nothing new can
be created in it, then checks it is empty, then marks it INACTIVE; if it is not empty the status
goes back to ACTIVE and the call fails with FAILED_PRECONDITION.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from berth import arn, taskstatus
from berth.errors import Conflict, FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from berth.v1 import ecs_messages_pb2 as ecs
from berth.v1 import store_pb2, types_pb2
from controlplane.api.base import ApiBase, collect, page_size
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.scheduler.capacity import MAX_ITEMS, ProviderItem, validate_strategy
from controlplane.state.cluster_state import State
from controlplane.store import Check, Put, Versioned, keys

LIVE_STATUSES = ("ACTIVE", "PROVISIONING", "DEPROVISIONING")
INCLUDE_VALUES = ("ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS")


def cluster_not_found(name: str) -> NotFound:
    return NotFound(f"cluster {name!r} not found", ecs_type="ClusterNotFoundException")


class ClusterApi(ApiBase):
    state: State

    async def active_cluster(self, ref: str, field: str = "cluster") -> Versioned[types_pb2.Cluster]:
        """The cluster named by `ref` (name or ARN, default "default"), which must be ACTIVE."""
        name = arn.cluster_name(ref, field)
        record = await self.store.get(keys.cluster(name), types_pb2.Cluster)
        if record is None or record.value.status != "ACTIVE":
            raise cluster_not_found(name)
        return record

    async def CreateCluster(
        self, req: ecs.CreateClusterRequest, ctx: CallContext
    ) -> ecs.CreateClusterResponse:
        name = arn.check_name(req.cluster_name or "default", "clusterName", "cluster name")
        check_tags(req.tags)
        check_capacity_providers(req.capacity_providers, req.default_capacity_provider_strategy)
        for i, setting in enumerate(req.settings):
            if setting.name != "containerInsights" or setting.value not in (
                "enabled",
                "disabled",
                "enhanced",
            ):
                raise InvalidArgument.field(
                    f"settings[{i}]", f"unsupported setting {setting.name}={setting.value!r}"
                )
        key = keys.cluster(name)
        for _ in range(10):
            current = await self.store.get(key, types_pb2.Cluster)
            if current is not None and current.value.status in LIVE_STATUSES:
                # ECS answers a CreateCluster of an existing cluster with that cluster.
                return ecs.CreateClusterResponse(
                    cluster=await self._view(current.value, list(INCLUDE_VALUES))
                )
            cluster = types_pb2.Cluster(
                cluster_arn=self.arns.cluster(name),
                cluster_name=name,
                status="ACTIVE",
                settings=req.settings,
                capacity_providers=req.capacity_providers,
                default_capacity_provider_strategy=req.default_capacity_provider_strategy,
            )
            if req.HasField("configuration"):
                cluster.configuration.CopyFrom(req.configuration)
            tags_key = keys.tags(cluster.cluster_arn)
            old_tags = await self.store.get(tags_key, store_pb2.TagSet)
            ops: list[Put | Check] = [Put(key, cluster, current.mod_revision if current else 0)]
            tag_set = store_pb2.TagSet(resource_arn=cluster.cluster_arn, tags=req.tags)
            ops.append(Put(tags_key, tag_set, old_tags.mod_revision if old_tags else 0))
            try:
                await self.store.commit(*ops)
            except Conflict:
                continue
            return ecs.CreateClusterResponse(
                cluster=await self._view(cluster, ["SETTINGS", "CONFIGURATIONS"], req.tags)
            )
        raise Conflict(f"cluster {name!r} is being changed concurrently; retry")

    async def DescribeClusters(
        self, req: ecs.DescribeClustersRequest, ctx: CallContext
    ) -> ecs.DescribeClustersResponse:
        refs = list(req.clusters) or ["default"]
        if len(refs) > 100:
            raise InvalidArgument.field("clusters", f"{len(refs)} clusters given; at most 100")
        for i, value in enumerate(req.include):
            if value not in INCLUDE_VALUES:
                raise InvalidArgument.field(
                    f"include[{i}]", f"{value!r} is not one of {', '.join(INCLUDE_VALUES)}"
                )
        names = [arn.cluster_name(r, f"clusters[{i}]") for i, r in enumerate(refs)]
        records = await self.store.get_many([keys.cluster(n) for n in names], types_pb2.Cluster)
        resp = ecs.DescribeClustersResponse()
        for ref, name, record in zip(refs, names, records, strict=True):
            if record is None:
                resp.failures.add(
                    arn=self.arns.cluster(name) if not ref.startswith("arn:") else ref, reason="MISSING"
                )
            else:
                resp.clusters.append(await self._view(record.value, list(req.include)))
        return resp

    async def ListClusters(self, req: ecs.ListClustersRequest, ctx: CallContext) -> ecs.ListClustersResponse:
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        records, token = await collect(
            self.store,
            keys.CLUSTERS,
            types_pb2.Cluster,
            token=req.next_token,
            limit=limit,
            keep=lambda c: c.status in LIVE_STATUSES,
        )
        return ecs.ListClustersResponse(cluster_arns=[r.value.cluster_arn for r in records], next_token=token)

    async def DeleteCluster(
        self, req: ecs.DeleteClusterRequest, ctx: CallContext
    ) -> ecs.DeleteClusterResponse:
        name = arn.cluster_name(req.cluster)
        current = await self.active_cluster(name)
        # A cluster that holds something is refused before anything is written. One that looks
        # empty is marked DEPROVISIONING (no new placements) and looked at again, closing the race
        # with a RunTask or registration that was under way.
        await self._refuse_unless_empty(name)
        marked = types_pb2.Cluster()
        marked.CopyFrom(current.value)
        marked.status = "DEPROVISIONING"
        rev = await self.store.commit(Put(current.key, marked, current.mod_revision))
        try:
            await self._refuse_unless_empty(name)
        except FailedPrecondition:
            await self.store.update(current.key, types_pb2.Cluster, lambda c: _with_status(c, "ACTIVE"))
            raise
        inactive = types_pb2.Cluster()
        inactive.CopyFrom(marked)
        inactive.status = "INACTIVE"
        await self.store.commit(Put(current.key, inactive, rev))
        return ecs.DeleteClusterResponse(cluster=await self._view(inactive, []))

    async def _refuse_unless_empty(self, name: str) -> None:
        holding, ecs_type = await self._contents(name)
        if holding:
            raise FailedPrecondition(
                f"cluster {name!r} still holds {holding}; deregister its container instances, "
                "delete its services and stop its tasks first",
                ecs_type=ecs_type,
            )

    async def _contents(self, name: str) -> tuple[str, str]:
        """What still lives in the cluster, in words ("" when empty), and the ECS exception name."""
        found = [
            (await self.store.count(keys.instances_of(name)), "container instance(s)", "ContainerInstances"),
            (await self._live_services(name), "service(s)", "Services"),
            (await self._live_tasks(name), "task(s) not stopped", "Tasks"),
        ]
        holding = [(n, what, kind) for n, what, kind in found if n]
        if not holding:
            return "", ""
        return ", ".join(f"{n} {what}" for n, what, _ in holding), f"ClusterContains{holding[0][2]}Exception"

    async def _live_services(self, cluster: str) -> int:
        records, _ = await self.store.list(keys.services_of(cluster), types_pb2.Service)
        return sum(1 for r in records if r.value.status in ("ACTIVE", "DRAINING"))

    async def _live_tasks(self, cluster: str) -> int:
        records, _ = await self.store.list(keys.tasks_of(cluster), types_pb2.Task)
        return sum(1 for r in records if r.value.last_status != "STOPPED")

    async def _view(
        self, cluster: types_pb2.Cluster, include: list[str], tags: Iterable[types_pb2.Tag] | None = None
    ) -> types_pb2.Cluster:
        """The cluster as DescribeClusters shows it: counts filled in, optional parts on request.

        Tags live in their own record (`keys.tags`); `tags` passes them in when already known.
        """
        out = types_pb2.Cluster()
        out.CopyFrom(cluster)
        if "SETTINGS" not in include:
            del out.settings[:]
        if "CONFIGURATIONS" not in include:
            out.ClearField("configuration")
        # Counts from the watch-fed state: a describe costs no scan of etcd.
        name = cluster.cluster_name
        tasks = self.state.tasks.values(keys.tasks_of(name))
        out.registered_container_instances_count = len(self.state.cluster_instances(name))
        out.running_tasks_count = sum(1 for t in tasks if t.last_status == "RUNNING")
        out.pending_tasks_count = sum(1 for t in tasks if t.last_status in taskstatus.PENDING_STATES)
        out.active_services_count = sum(
            1 for s in self.state.services.values(keys.services_of(name)) if s.status == "ACTIVE"
        )
        if tags is not None:
            out.tags.extend(tags)
        elif "TAGS" in include:
            tag_set = await self.store.get(keys.tags(cluster.cluster_arn), store_pb2.TagSet)
            if tag_set is not None:
                out.tags.extend(tag_set.value.tags)
        return out


def _with_status(cluster: types_pb2.Cluster | None, status: str) -> types_pb2.Cluster | None:
    if cluster is None:
        return None
    cluster.status = status
    return cluster


def check_capacity_providers(
    providers: Sequence[str], strategy: Sequence[types_pb2.CapacityProviderStrategyItem]
) -> None:
    """A cluster's capacity providers (names, at most MAX_ITEMS) and its default strategy, which
    may only name providers of the cluster (ECS's rules)."""
    problems: list[FieldViolation] = []
    if len(providers) > MAX_ITEMS:
        problems.append(FieldViolation("capacityProviders", f"{len(providers)} given; at most {MAX_ITEMS}"))
    else:
        for i, name in enumerate(providers):
            try:
                arn.check_name(name, f"capacityProviders[{i}]", "capacity provider name")
            except InvalidArgument as e:
                problems.extend(e.violations)
            if name in providers[:i]:
                problems.append(FieldViolation(f"capacityProviders[{i}]", f"{name!r} is given twice"))
    items = [ProviderItem.of(i) for i in strategy]
    problems += validate_strategy(items, "defaultCapacityProviderStrategy")
    if len(items) <= MAX_ITEMS:
        for i, item in enumerate(items):
            if item.provider and item.provider not in providers:
                problems.append(
                    FieldViolation(
                        f"defaultCapacityProviderStrategy[{i}].capacityProvider",
                        f"{item.provider!r} is not one of the cluster's capacityProviders",
                    )
                )
    if problems:
        raise InvalidArgument(problems)
