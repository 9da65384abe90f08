"""Task RPCs: RunTask, StartTask, StopTask, DescribeTasks, ListTasks."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from berth import arn, taskstatus
from berth.errors import AlreadyExists, Conflict, FieldViolation, InvalidArgument, NotFound
from berth.v1 import ecs_messages_pb2 as ecs
from berth.v1 import store_pb2, types_pb2
from controlplane.api.base import check_filter, collect, page_size
from controlplane.api.clusters import ClusterApi
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.api.taskdefs import TaskDefinitionApi
from controlplane.launch import Launcher, LaunchResult, LaunchSpec, launch_on_providers
from controlplane.scheduler import Constraint, Strategy, validate_placement
from controlplane.scheduler.capacity import LAUNCH_TYPES, ProviderItem, capacity_strategy, check_launch
from controlplane.state.cluster_state import State
from controlplane.store import Check, Put, Versioned, keys
from controlplane.taskstate import DrainSeconds, drain_for, mark_stopped, no_drain, request_stop, usage

MAX_OVERRIDE_CHARS = 8192


def public(task: types_pb2.Task) -> types_pb2.Task:
    """A task as users see it: a FARGATE task shows no container instance (the pool is hidden);
    its metered usage is up to date while it runs."""
    if task.launch_type != "FARGATE":
        return task
    out = types_pb2.Task()
    out.CopyFrom(task)
    out.container_instance_arn = ""
    if out.last_status != "STOPPED":
        out.usage.CopyFrom(usage(task, time.time()))
    return out


class TaskApi(ClusterApi, TaskDefinitionApi):
    state: State
    launcher: Launcher
    # The deregistration delay of a service's load balancers (the ELB catalog's; none by default):
    # StopTask on a RUNNING target lets it drain that long before SIGTERM.
    drain_seconds: DrainSeconds | None = None

    # -- helpers ---------------------------------------------------------------------------------

    async def task_record(self, cluster: str, ref: str, field: str = "task") -> Versioned[types_pb2.Task]:
        task_id = arn.id_in_cluster(ref, "task", cluster, field)
        record = await self.store.get(keys.task(cluster, task_id), types_pb2.Task)
        if record is None:
            raise NotFound(
                f"task {ref!r} not found in cluster {cluster!r}", ecs_type="InvalidParameterException"
            )
        return record

    def _launch_spec(
        self, req: Any, cluster: Versioned[types_pb2.Cluster], td: types_pb2.TaskDefinition
    ) -> LaunchSpec:
        for i, o in enumerate(req.overrides.container_overrides):
            if o.name not in {c.name for c in td.container_definitions}:
                raise InvalidArgument.field(
                    f"overrides.containerOverrides[{i}].name",
                    f"container {o.name!r} is not in task definition {td.family}:{td.revision}",
                )
        if len(req.overrides.SerializeToString()) > MAX_OVERRIDE_CHARS:
            raise InvalidArgument.field(
                "overrides", f"overrides are limited to {MAX_OVERRIDE_CHARS} characters"
            )
        if len(req.started_by) > 128:
            raise InvalidArgument.field("startedBy", "is limited to 128 characters")
        check_tags(req.tags)
        constraints = [Constraint(c.type, c.expression) for c in getattr(req, "placement_constraints", [])]
        strategies = [Strategy(s.type, s.field) for s in getattr(req, "placement_strategy", [])]
        violations = validate_placement(constraints, strategies)
        if violations:
            raise InvalidArgument([FieldViolation(path, text) for path, text in violations])
        tags = list(req.tags)
        return LaunchSpec(
            cluster=cluster,
            task_definition=td,
            count=1,
            overrides=req.overrides,
            group=req.group or f"family:{td.family}",
            started_by=req.started_by,
            tags=tags,
            launch_type=getattr(req, "launch_type", "") or "EC2",
            constraints=constraints,
            strategies=strategies,
            enable_execute_command=req.enable_execute_command,
        )

    async def _with_task_definition_tags(self, spec: LaunchSpec, propagate: str) -> None:
        if propagate == "TASK_DEFINITION":
            tag_set = await self.store.get(
                keys.tags(spec.task_definition.task_definition_arn), store_pb2.TagSet
            )
            existing = {t.key for t in spec.tags}
            extra = [t for t in (tag_set.value.tags if tag_set else []) if t.key not in existing]
            spec.tags = [*spec.tags, *extra]
        elif propagate not in ("", "NONE"):
            raise InvalidArgument.field(
                "propagateTags", f"{propagate!r} is not TASK_DEFINITION or NONE for a task"
            )

    # -- RPCs ------------------------------------------------------------------------------------

    async def RunTask(self, req: ecs.RunTaskRequest, ctx: CallContext) -> ecs.RunTaskResponse:
        cluster = await self.active_cluster(req.cluster)
        count = req.count if req.HasField("count") else 1
        if not 1 <= count <= 10:
            raise InvalidArgument.field("count", f"{count} is out of range: 1 to 10 tasks per call")
        td = (await self.resolve_task_definition(req.task_definition, active_only=True)).value
        spec = self._launch_spec(req, cluster, td)
        spec.count = count
        items = capacity_strategy(req.launch_type, req.capacity_provider_strategy, cluster.value)
        check_launch(td, req.launch_type, items, req.overrides, spec.constraints, spec.strategies)
        await self._with_task_definition_tags(spec, req.propagate_tags)
        name = cluster.value.cluster_name
        if not req.client_token:
            result = await self._launch(spec, items, ctx.now())
            return ecs.RunTaskResponse(tasks=[public(t) for t in result.tasks], failures=result.failures)
        if len(req.client_token) > 64:
            raise InvalidArgument.field("clientToken", "is limited to 64 characters")
        digest = hashlib.sha256(req.SerializeToString(deterministic=True)).hexdigest()
        previous = await self._idempotent(name, req.client_token, digest)
        if previous is not None:
            return previous
        key = keys.idempotency(name, req.client_token)

        def remember(tasks: list[types_pb2.Task]) -> list[Put | Check]:
            record = store_pb2.IdempotencyRecord(
                request_hash=digest, task_arns=[t.task_arn for t in tasks], created_at=ctx.now()
            )
            return [Put(key, record, 0)]

        spec.extra_ops = remember
        try:
            result = await self._launch(spec, items, ctx.now())
        except Conflict:
            # A concurrent call with the same token won; answer with its tasks.
            previous = await self._idempotent(name, req.client_token, digest)
            if previous is None:
                raise
            return previous
        return ecs.RunTaskResponse(tasks=[public(t) for t in result.tasks], failures=result.failures)

    async def _launch(self, spec: LaunchSpec, items: list[ProviderItem], now: float) -> LaunchResult:
        """On the cluster's instances, on the FARGATE pool, or split over a provider strategy."""
        if not items:
            return await self.launcher.launch(spec, now)
        return await launch_on_providers(self.launcher, spec, items, {}, now)

    async def _idempotent(self, cluster: str, token: str, digest: str) -> ecs.RunTaskResponse | None:
        """The answer to an earlier RunTask with this clientToken, if there was one."""
        existing = await self.store.get(keys.idempotency(cluster, token), store_pb2.IdempotencyRecord)
        if existing is None:
            return None
        if existing.value.request_hash != digest:
            raise AlreadyExists(
                f"clientToken {token!r} was already used with different parameters",
                ecs_type="ConflictException",
            )
        records = await self.store.get_many(
            [keys.task(cluster, a.rsplit("/", 1)[1]) for a in existing.value.task_arns], types_pb2.Task
        )
        return ecs.RunTaskResponse(tasks=[public(r.value) for r in records if r is not None])

    async def StartTask(self, req: ecs.StartTaskRequest, ctx: CallContext) -> ecs.StartTaskResponse:
        cluster = await self.active_cluster(req.cluster)
        if not 1 <= len(req.container_instances) <= 10:
            raise InvalidArgument.field("containerInstances", "give between 1 and 10 container instances")
        name = cluster.value.cluster_name
        ids = [
            arn.id_in_cluster(ref, "container-instance", name, f"containerInstances[{i}]")
            for i, ref in enumerate(req.container_instances)
        ]
        td = (await self.resolve_task_definition(req.task_definition, active_only=True)).value
        spec = self._launch_spec(req, cluster, td)
        spec.instance_ids = ids
        spec.count = len(ids)
        await self._with_task_definition_tags(spec, req.propagate_tags)
        result = await self.launcher.launch(spec, ctx.now())
        return ecs.StartTaskResponse(tasks=[public(t) for t in result.tasks], failures=result.failures)

    async def StopTask(self, req: ecs.StopTaskRequest, ctx: CallContext) -> ecs.StopTaskResponse:
        cluster = await self.active_cluster(req.cluster)
        name = cluster.value.cluster_name
        if len(req.reason) > 1024:
            raise InvalidArgument.field("reason", "is limited to 1024 characters")
        reason = req.reason or "Task stopped by user"
        for _ in range(20):
            record = await self.task_record(name, req.task)
            task = record.value
            instance_cluster, ident = arn.scoped_id(task.container_instance_arn, "container-instance", "task")
            instance_key = keys.instance(instance_cluster or name, ident)
            instance_rev = await self.store.revision_of(instance_key)
            ops: list[Put | Check] = []
            if instance_rev == 0 and task.last_status != "STOPPED":
                # Nothing can stop it any more: its instance is gone. Record it as stopped.
                mark_stopped(task, stop_code=taskstatus.USER_INITIATED, reason=reason, now=ctx.now())
                ops.append(Check(instance_key, 0))
            elif not request_stop(
                task,
                stop_code=taskstatus.USER_INITIATED,
                reason=reason,
                now=ctx.now(),
                drain_seconds=self._drain_of(name, task),
            ):
                return ecs.StopTaskResponse(task=public(task))
            try:
                ops.insert(0, Put(record.key, task, record.mod_revision))
                self.state.note_commit(ops, await self.store.commit(*ops))
                return ecs.StopTaskResponse(task=public(task))
            except Conflict:
                continue
        raise Conflict(f"task {req.task!r} is being changed concurrently; retry")

    def _drain_of(self, cluster: str, task: types_pb2.Task) -> float:
        if not task.service_name or task.last_status != "RUNNING":
            return 0.0
        record = self.state.services.items.get(keys.service(cluster, task.service_name))
        return drain_for(self.drain_seconds or no_drain, record.value if record is not None else None)

    async def DescribeTasks(
        self, req: ecs.DescribeTasksRequest, ctx: CallContext
    ) -> ecs.DescribeTasksResponse:
        cluster = await self.active_cluster(req.cluster)
        name = cluster.value.cluster_name
        if not 1 <= len(req.tasks) <= 100:
            raise InvalidArgument.field("tasks", "give between 1 and 100 tasks")
        for i, value in enumerate(req.include):
            if value != "TAGS":
                raise InvalidArgument.field(f"include[{i}]", f"{value!r} is not TAGS")
        refs = []
        for i, ref in enumerate(req.tasks):
            ref_cluster, task_id = arn.scoped_id(ref, "task", f"tasks[{i}]")
            refs.append((ref, task_id, ref_cluster in (None, name)))
        records = await self.store.get_many([keys.task(name, t) for _, t, _ in refs], types_pb2.Task)
        resp = ecs.DescribeTasksResponse()
        for (ref, task_id, same_cluster), record in zip(refs, records, strict=True):
            if record is None or not same_cluster:
                resp.failures.add(
                    arn=ref if ref.startswith("arn:") else self.arns.task(name, task_id), reason="MISSING"
                )
                continue
            task = record.value
            if "TAGS" not in req.include:
                del task.tags[:]
            resp.tasks.append(public(task))
        return resp

    async def ListTasks(self, req: ecs.ListTasksRequest, ctx: CallContext) -> ecs.ListTasksResponse:
        cluster = await self.active_cluster(req.cluster)
        name = cluster.value.cluster_name
        desired = req.desired_status or "RUNNING"
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            raise InvalidArgument.field("desiredStatus", f"{desired!r} is not RUNNING, PENDING or STOPPED")
        check_filter(req.launch_type, LAUNCH_TYPES, "launchType")
        if req.started_by and (req.family or req.service_name or req.container_instance):
            raise InvalidArgument.field("startedBy", "startedBy must be the only filter when it is given")
        instance_arn = ""
        if req.container_instance:
            _, ident = arn.scoped_id(req.container_instance, "container-instance", "containerInstance")
            instance_arn = self.arns.container_instance(name, ident)
        family = arn.check_name(req.family, "family", "family") if req.family else ""
        limit = page_size(req.max_results if req.HasField("max_results") else None)

        def keep(task: types_pb2.Task) -> bool:
            return (
                task.desired_status == desired
                and (not instance_arn or task.container_instance_arn == instance_arn)
                and (not family or task.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family)
                and (not req.started_by or task.started_by == req.started_by)
                and (not req.service_name or task.service_name == req.service_name)
                and (not req.launch_type or task.launch_type == req.launch_type)
            )

        records, token = await collect(
            self.store, keys.tasks_of(name), types_pb2.Task, token=req.next_token, limit=limit, keep=keep
        )
        return ecs.ListTasksResponse(task_arns=[r.value.task_arn for r in records], next_token=token)
