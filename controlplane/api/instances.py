"""Container instance RPCs: List/Describe/UpdateState/Deregister, and Put/Delete/ListAttributes.

remainingResources, agentConnected and the task counts are computed from the watch-fed State
(allocations, liveness, tasks); the instance record holds what the agent registered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from berth import arn, taskstatus
from berth.errors import (
    Conflict,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from berth.v1 import berth_pb2, store_pb2, types_pb2
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.api.base import collect, page_size
from controlplane.api.clusters import ClusterApi
from controlplane.api.context import CallContext
from controlplane.scheduler import Instance, query
from controlplane.state.cluster_state import State, instance_id
from controlplane.store import MAX_TXN_OPS, Check, Delete, Put, Versioned, chunked, keys
from controlplane.taskstate import mark_stopped

INSTANCE_STATUSES = ("ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED")
MAX_ATTRIBUTES = 10  # custom attributes per PutAttributes call (ECS)
_ATTR_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./@")


def _subject(view: Instance) -> query.Subject:
    """An instance as the cluster query language sees it."""
    return query.Subject(
        instance_id=view.id,
        attributes=view.attributes,
        agent_connected=view.agent_connected,
        agent_version=view.agent_version,
        ec2_instance_id=view.ec2_instance_id,
        registered_at=view.registered_at,
        running_tasks_count=view.running_tasks_count,
        task_groups=frozenset(g for g, n in view.task_groups.items() if n > 0),
    )


class InstanceApi(ClusterApi):
    state: State

    def instance_ref(self, cluster: str, ref: str, field: str) -> str:
        return arn.id_in_cluster(ref, "container-instance", cluster, field)

    @staticmethod
    def own_instances_only(ctx: CallContext, cluster: str, idents: list[str]) -> None:
        """An agent (auth.AGENT_ECS_ACTIONS) may look at and drain its own instance, no other."""
        for ident in idents:
            if ctx.principal.kind == "agent" and ctx.principal.name != f"{cluster}/{ident}":
                raise PermissionDenied(
                    f"{ctx.principal.arn} may act on its own container instance only, not {ident}"
                )

    def instance_view(
        self, cluster: str, instance: types_pb2.ContainerInstance
    ) -> types_pb2.ContainerInstance:
        """The instance as DescribeContainerInstances shows it."""
        out = types_pb2.ContainerInstance()
        out.CopyFrom(instance)
        cpu, memory, tcp, udp = self.state.remaining(cluster, instance)
        del out.remaining_resources[:]
        out.remaining_resources.add(name="CPU", type="INTEGER", integer_value=cpu)
        out.remaining_resources.add(name="MEMORY", type="INTEGER", integer_value=memory)
        out.remaining_resources.add(
            name="PORTS", type="STRINGSET", string_set_value=[str(p) for p in sorted(tcp)]
        )
        out.remaining_resources.add(
            name="PORTS_UDP", type="STRINGSET", string_set_value=[str(p) for p in sorted(udp)]
        )
        ident = instance_id(instance.container_instance_arn)
        out.agent_connected = self.state.connected(cluster, ident)
        running, pending = self.state.counts(instance.container_instance_arn)
        out.running_tasks_count = running
        out.pending_tasks_count = pending
        return out

    async def _instance(self, cluster: str, ident: str) -> Versioned[types_pb2.ContainerInstance]:
        record = await self.store.get(keys.instance(cluster, ident), types_pb2.ContainerInstance)
        if record is None:
            raise NotFound(
                f"container instance {ident!r} not found in cluster {cluster!r}",
                ecs_type="InvalidParameterException",
            )
        return record

    async def ListContainerInstances(
        self, req: ecs.ListContainerInstancesRequest, ctx: CallContext
    ) -> ecs.ListContainerInstancesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if req.status and req.status not in INSTANCE_STATUSES:
            raise InvalidArgument.field(
                "status", f"{req.status!r} is not one of {', '.join(INSTANCE_STATUSES)}"
            )
        expr = None
        if req.filter:
            try:
                expr = query.parse(req.filter)
            except query.QueryError as e:
                raise InvalidArgument.field("filter", str(e)) from None

        def keep(instance: types_pb2.ContainerInstance) -> bool:
            if req.status and instance.status != req.status:
                return False
            if expr is not None:
                return expr.evaluate(_subject(self.state.instance_view(cluster, instance)))
            return True

        records, token = await collect(
            self.store,
            keys.instances_of(cluster),
            types_pb2.ContainerInstance,
            token=req.next_token,
            limit=page_size(req.max_results if req.HasField("max_results") else None),
            keep=keep,
        )
        return ecs.ListContainerInstancesResponse(
            container_instance_arns=[r.value.container_instance_arn for r in records], next_token=token
        )

    async def DescribeContainerInstances(
        self, req: ecs.DescribeContainerInstancesRequest, ctx: CallContext
    ) -> ecs.DescribeContainerInstancesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if not 1 <= len(req.container_instances) <= 100:
            raise InvalidArgument.field("containerInstances", "give between 1 and 100 container instances")
        ids = [
            self.instance_ref(cluster, r, f"containerInstances[{i}]")
            for i, r in enumerate(req.container_instances)
        ]
        self.own_instances_only(ctx, cluster, ids)
        records = await self.store.get_many(
            [keys.instance(cluster, i) for i in ids], types_pb2.ContainerInstance
        )
        resp = ecs.DescribeContainerInstancesResponse()
        for ident, record in zip(ids, records, strict=True):
            if record is None:
                resp.failures.add(arn=self.arns.container_instance(cluster, ident), reason="MISSING")
            else:
                view = self.instance_view(cluster, record.value)
                if "TAGS" in req.include:
                    tags = await self.store.get(keys.tags(view.container_instance_arn), store_pb2.TagSet)
                    view.tags.extend(tags.value.tags if tags else [])
                resp.container_instances.append(view)
        return resp

    async def UpdateContainerInstancesState(
        self, req: ecs.UpdateContainerInstancesStateRequest, ctx: CallContext
    ) -> ecs.UpdateContainerInstancesStateResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if req.status not in ("ACTIVE", "DRAINING"):
            raise InvalidArgument.field("status", f"{req.status!r} is not ACTIVE or DRAINING")
        if not 1 <= len(req.container_instances) <= 10:
            raise InvalidArgument.field("containerInstances", "give between 1 and 10 container instances")
        resp = ecs.UpdateContainerInstancesStateResponse()
        idents = [
            self.instance_ref(cluster, ref, f"containerInstances[{i}]")
            for i, ref in enumerate(req.container_instances)
        ]
        self.own_instances_only(ctx, cluster, idents)
        for ident in idents:

            def change(
                instance: types_pb2.ContainerInstance | None, ident: str = ident
            ) -> types_pb2.ContainerInstance | None:
                if instance is None or instance.status == req.status:
                    return None
                if instance.status not in ("ACTIVE", "DRAINING"):
                    raise FailedPrecondition(f"container instance {ident} is {instance.status}")
                instance.status = req.status
                instance.version += 1
                return instance

            written = await self.store.update(
                keys.instance(cluster, ident), types_pb2.ContainerInstance, change
            )
            current = written or (
                await self.store.get(keys.instance(cluster, ident), types_pb2.ContainerInstance)
            )
            if current is None:
                resp.failures.add(arn=self.arns.container_instance(cluster, ident), reason="MISSING")
            else:
                value = current if isinstance(current, types_pb2.ContainerInstance) else current.value
                resp.container_instances.append(self.instance_view(cluster, value))
        return resp

    async def DeregisterContainerInstance(
        self, req: ecs.DeregisterContainerInstanceRequest, ctx: CallContext
    ) -> ecs.DeregisterContainerInstanceResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        ident = self.instance_ref(cluster, req.container_instance, "containerInstance")
        instance = await self._deregister(cluster, ident, force=req.force, now=ctx.now())
        return ecs.DeregisterContainerInstanceResponse(container_instance=instance)

    async def _deregister(
        self, cluster: str, ident: str, *, force: bool, now: float
    ) -> types_pb2.ContainerInstance:
        """Remove an instance with its allocation, liveness and agent key. Its tasks that are not
        stopped refuse it, unless `force`: then they are recorded as STOPPED (nothing runs them)."""
        for attempt in range(20):
            record = await self._instance(cluster, ident)
            instance = record.value
            tasks = [
                r
                for r in (await self.store.list(keys.TASKS, types_pb2.Task))[0]
                if r.value.container_instance_arn == instance.container_instance_arn
                and r.value.last_status != "STOPPED"
            ]
            if tasks and not force:
                raise FailedPrecondition(
                    f"container instance {ident} still has {len(tasks)} task(s) that are not stopped; "
                    "stop them, drain the instance, or deregister with force",
                    ecs_type="ClientException",
                )
            stopped: list[Put] = []
            for t in tasks:
                task = t.value
                mark_stopped(
                    task,
                    stop_code=taskstatus.INFRASTRUCTURE_HEALTH,
                    reason="Container instance deregistered",
                    now=now,
                )
                stopped.append(Put(t.key, task, t.mod_revision))
            ops: list[Put | Delete | Check] = [Delete(record.key, record.mod_revision)]
            for key in (
                keys.allocation(cluster, ident),
                keys.liveness(cluster, ident),
                keys.agent(cluster, ident),
                keys.tags(instance.container_instance_arn),
            ):
                revision = await self.store.revision_of(key)
                if revision:
                    ops.append(Delete(key, revision))
            identity = await self.store.get(keys.agent(cluster, ident), store_pb2.AgentIdentity)
            if identity is not None:
                key_rev = await self.store.revision_of(keys.access_key(identity.value.access_key_id))
                if key_rev:
                    ops.append(Delete(keys.access_key(identity.value.access_key_id), key_rev))
            # The instance goes with the last batch of its tasks. Earlier batches (more tasks than
            # one transaction holds) need no atomicity with it: their tasks run on an instance
            # being force-deregistered and are recorded stopped either way; the allocation still
            # counts them until the last batch deletes it, and that delete is pinned to the
            # allocation's revision, so a task placed here meanwhile fails it and we start over.
            batches = list(chunked(stopped, MAX_TXN_OPS - len(ops))) or [[]]
            try:
                for batch in batches[:-1]:
                    self.state.note_commit(batch, await self.store.commit(*batch))
                ops.extend(batches[-1])
                self.state.note_commit(ops, await self.store.commit(*ops))
            except Conflict:
                # Typically the service controller stopping the same tasks: let it get ahead.
                await asyncio.sleep(min(0.001 * 2**attempt, 0.05))
                continue
            instance.status = "INACTIVE"
            instance.agent_connected = False
            return instance
        raise Conflict(f"container instance {ident} is being changed concurrently; retry")

    # -- the FARGATE pool (operators) -------------------------------------------------------------

    @staticmethod
    def _pool(name: str) -> str:
        pool = keys.POOLS.get(name or "fargate")
        if pool is None:
            raise InvalidArgument.field("pool", f"{name!r} is not a pool (known: {', '.join(keys.POOLS)})")
        return pool

    async def DescribePool(
        self, req: berth_pb2.DescribePoolRequest, ctx: CallContext
    ) -> berth_pb2.DescribePoolResponse:
        pool = self._pool(req.pool)
        resp = berth_pb2.DescribePoolResponse()
        for instance in sorted(self.state.cluster_instances(pool), key=lambda i: i.ec2_instance_id):
            view = self.instance_view(pool, instance)
            liveness = self.state.liveness.get(
                keys.liveness(pool, instance_id(instance.container_instance_arn))
            )
            view.warm_sandboxes = liveness.warm_sandboxes if liveness else 0
            resp.container_instances.append(view)
        return resp

    async def DeregisterPoolInstance(
        self, req: berth_pb2.DeregisterPoolInstanceRequest, ctx: CallContext
    ) -> berth_pb2.DeregisterPoolInstanceResponse:
        pool = self._pool(req.pool)
        ident = self.instance_ref(pool, req.container_instance, "containerInstance")
        instance = await self._deregister(pool, ident, force=req.force, now=ctx.now())
        return berth_pb2.DeregisterPoolInstanceResponse(container_instance=instance)

    # -- attributes ------------------------------------------------------------------------------

    def _target(self, cluster: str, attribute: types_pb2.Attribute, field: str) -> str:
        if attribute.target_type not in ("", "container-instance"):
            raise InvalidArgument.field(
                f"{field}.targetType", f"{attribute.target_type!r} is not container-instance"
            )
        if not attribute.target_id:
            raise InvalidArgument.field(f"{field}.targetId", "is required (a container instance id or ARN)")
        return self.instance_ref(cluster, attribute.target_id, f"{field}.targetId")

    async def PutAttributes(
        self, req: ecs.PutAttributesRequest, ctx: CallContext
    ) -> ecs.PutAttributesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if not 1 <= len(req.attributes) <= MAX_ATTRIBUTES:
            raise InvalidArgument.field("attributes", f"give between 1 and {MAX_ATTRIBUTES} attributes")
        by_target: dict[str, list[types_pb2.Attribute]] = {}
        for i, a in enumerate(req.attributes):
            _check_attribute(a, f"attributes[{i}]")
            by_target.setdefault(self._target(cluster, a, f"attributes[{i}]"), []).append(a)
        for ident, attrs in by_target.items():
            updates = {a.name: types_pb2.Attribute(name=a.name, value=a.value) for a in attrs}
            await self._edit_attributes(cluster, ident, updates)
        return ecs.PutAttributesResponse(attributes=req.attributes)

    async def DeleteAttributes(
        self, req: ecs.DeleteAttributesRequest, ctx: CallContext
    ) -> ecs.DeleteAttributesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if not 1 <= len(req.attributes) <= MAX_ATTRIBUTES:
            raise InvalidArgument.field("attributes", f"give between 1 and {MAX_ATTRIBUTES} attributes")
        for i, a in enumerate(req.attributes):
            ident = self._target(cluster, a, f"attributes[{i}]")
            if a.name.startswith("ecs."):
                raise InvalidArgument.field(
                    f"attributes[{i}].name", f"{a.name!r} is set by the agent and cannot be deleted"
                )

            await self._edit_attributes(cluster, ident, {a.name: None})
        return ecs.DeleteAttributesResponse(attributes=req.attributes)

    async def _edit_attributes(
        self, cluster: str, ident: str, changes: Mapping[str, types_pb2.Attribute | None]
    ) -> None:
        """Set (or, for None, delete) attributes of an instance with a CAS write; none if unchanged."""

        def change(instance: types_pb2.ContainerInstance | None) -> types_pb2.ContainerInstance | None:
            if instance is None:
                raise NotFound(f"container instance {ident!r} not found", ecs_type="TargetNotFoundException")
            current = {a.name: a for a in instance.attributes}
            before = [(a.name, a.value) for a in current.values()]
            for name, attribute in changes.items():
                if attribute is None:
                    current.pop(name, None)
                else:
                    current[name] = attribute
            if [(a.name, a.value) for a in current.values()] == before:
                return None
            del instance.attributes[:]
            instance.attributes.extend(current.values())
            instance.version += 1
            return instance

        await self._instance(cluster, ident)
        await self.store.update(keys.instance(cluster, ident), types_pb2.ContainerInstance, change)

    async def ListAttributes(
        self, req: ecs.ListAttributesRequest, ctx: CallContext
    ) -> ecs.ListAttributesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if req.target_type != "container-instance":
            raise InvalidArgument.field("targetType", f"{req.target_type!r} is not container-instance")
        if req.attribute_value and not req.attribute_name:
            raise InvalidArgument.field("attributeValue", "needs attributeName")
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        records, token = await collect(
            self.store,
            keys.instances_of(cluster),
            types_pb2.ContainerInstance,
            token=req.next_token,
            limit=limit,
            keep=lambda i: any(_attribute_matches(a, req) for a in i.attributes),
        )
        resp = ecs.ListAttributesResponse(next_token=token)
        for record in records:
            for a in record.value.attributes:
                if _attribute_matches(a, req):
                    resp.attributes.add(
                        name=a.name,
                        value=a.value,
                        target_type="container-instance",
                        target_id=record.value.container_instance_arn,
                    )
        return resp


def _attribute_matches(a: types_pb2.Attribute, req: ecs.ListAttributesRequest) -> bool:
    return (not req.attribute_name or a.name == req.attribute_name) and (
        not req.attribute_value or a.value == req.attribute_value
    )


def _check_attribute(a: types_pb2.Attribute, field: str) -> None:
    problems = []
    if not 1 <= len(a.name) <= 128 or not set(a.name) <= _ATTR_NAME_CHARS:
        problems.append(FieldViolation(f"{field}.name", f"{a.name!r}: 1 to 128 letters, digits, - _ . / @"))
    if len(a.value) > 128:
        problems.append(FieldViolation(f"{field}.value", "at most 128 characters"))
    if a.name.startswith("ecs."):
        problems.append(
            FieldViolation(f"{field}.name", f"{a.name!r}: the ecs. prefix is reserved for the agent")
        )
    if problems:
        raise InvalidArgument(problems)
