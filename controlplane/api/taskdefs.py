"""Task definition RPCs.

Revisions are per family, start at 1, only grow and are never reused: a family record
(`keys.family`) holds the last revision handed out, and registering writes the family record and
the new revision in one CAS transaction. Registrations of one family in this process queue on a
lock so they do not spin on each other; across replicas the CAS keeps them apart.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from berth import arn
from berth.errors import Conflict, InvalidArgument, NotFound
from berth.v1 import ecs_messages_pb2 as ecs
from berth.v1 import store_pb2, types_pb2
from controlplane.api.base import ApiBase, collect, page_size
from controlplane.api.context import CallContext
from controlplane.state.cluster_state import State
from controlplane.store import Put, Versioned, keys
from controlplane.validation.taskdef import compatibilities, normalized_cpu_memory, validate_task_definition

TD_STATUSES = ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")
_COPIED = tuple(
    f.name
    for f in ecs.RegisterTaskDefinitionRequest.DESCRIPTOR.fields
    if f.name in types_pb2.TaskDefinition.DESCRIPTOR.fields_by_name
)


def task_definition_not_found(ref: str) -> NotFound:
    return NotFound(f"unable to find task definition {ref!r}", ecs_type="ClientException")


def build_task_definition(req: ecs.RegisterTaskDefinitionRequest) -> types_pb2.TaskDefinition:
    """The TaskDefinition a valid request registers (revision, ARN and timestamps still unset)."""
    td = types_pb2.TaskDefinition()
    for name in _COPIED:
        value = getattr(req, name)
        field = req.DESCRIPTOR.fields_by_name[name]
        if field.is_repeated:
            getattr(td, name).extend(value)
        elif field.message_type is not None:
            if req.HasField(name):
                getattr(td, name).CopyFrom(value)
        elif not field.has_presence or req.HasField(name):
            setattr(td, name, value)
    td.cpu, td.memory = normalized_cpu_memory(req)
    td.compatibilities.extend(compatibilities(req))
    return td


def _copy(family: store_pb2.TaskDefinitionFamily) -> store_pb2.TaskDefinitionFamily:
    out = store_pb2.TaskDefinitionFamily()
    out.CopyFrom(family)
    return out


def _own(record: Versioned[types_pb2.TaskDefinition] | None) -> Versioned[types_pb2.TaskDefinition] | None:
    """A copy of a mirror record, which callers may change (the mirror's own must stay as read)."""
    if record is None:
        return None
    value = types_pb2.TaskDefinition()
    value.CopyFrom(record.value)
    return Versioned(record.key, value, record.mod_revision, record.create_revision)


class TaskDefinitionApi(ApiBase):
    state: State

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._family_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def resolve_task_definition(
        self, ref: str, field: str = "taskDefinition", *, active_only: bool = False
    ) -> Versioned[types_pb2.TaskDefinition]:
        """`family` (latest ACTIVE revision), `family:revision` or an ARN, as ECS resolves them."""
        family, revision = arn.task_definition_ref(ref, field)
        if revision is not None:
            key = keys.task_definition(family, revision)
            # From memory when this replica has seen it (as ECS, reads are eventually consistent
            # across replicas); a revision registered elsewhere a moment ago is read from etcd.
            record = _own(self.state.task_definitions.items.get(key)) or await self.store.get(
                key, types_pb2.TaskDefinition
            )
            if record is None:
                raise task_definition_not_found(ref)
            if active_only and record.value.status != "ACTIVE":
                raise InvalidArgument.field(field, f"task definition {ref!r} is {record.value.status}")
            return record
        latest = _own(self.state.latest_active(family))
        if latest is not None:
            return latest
        after = ""
        while True:
            batch, more = await self.store.list(
                keys.task_definitions_of(family),
                types_pb2.TaskDefinition,
                start_after=after,
                limit=10,
                reverse=True,
            )
            for record in batch:
                if record.value.status == "ACTIVE":
                    return record
            if not more or not batch:
                raise task_definition_not_found(ref)
            after = batch[-1].key

    async def RegisterTaskDefinition(
        self, req: ecs.RegisterTaskDefinitionRequest, ctx: CallContext
    ) -> ecs.RegisterTaskDefinitionResponse:
        violations = validate_task_definition(req)
        if violations:
            raise InvalidArgument(violations, ecs_type="ClientException")
        td = build_task_definition(req)
        td.status = "ACTIVE"
        td.registered_at = ctx.now()
        td.registered_by = ctx.principal.arn
        async with self._family_locks[req.family]:
            for attempt in range(50):
                # The mirror's family record first; after a lost race, etcd's.
                family = (
                    self.state.families.items.get(keys.family(req.family))
                    if attempt == 0
                    else await self.store.get(keys.family(req.family), store_pb2.TaskDefinitionFamily)
                )
                if family is not None and attempt == 0:
                    family = Versioned(
                        family.key, _copy(family.value), family.mod_revision, family.create_revision
                    )
                counter = family.value if family else store_pb2.TaskDefinitionFamily(family=req.family)
                counter.last_revision += 1
                counter.active_revisions += 1
                td.revision = counter.last_revision
                td.task_definition_arn = self.arns.task_definition(req.family, td.revision)
                ops = [
                    Put(keys.family(req.family), counter, family.mod_revision if family else 0),
                    Put(keys.task_definition(req.family, td.revision), td, 0),
                ]
                if req.tags:
                    tag_set = store_pb2.TagSet(resource_arn=td.task_definition_arn, tags=req.tags)
                    ops.append(Put(keys.tags(td.task_definition_arn), tag_set, 0))
                try:
                    self.state.note_commit(ops, await self.store.commit_grouped(*ops))
                    break
                except Conflict:
                    await asyncio.sleep(min(0.001 * 2**attempt, 0.05))
            else:
                raise Conflict(f"family {req.family!r} is being registered concurrently too often; retry")
        return ecs.RegisterTaskDefinitionResponse(task_definition=td, tags=req.tags)

    async def DescribeTaskDefinition(
        self, req: ecs.DescribeTaskDefinitionRequest, ctx: CallContext
    ) -> ecs.DescribeTaskDefinitionResponse:
        record = await self.resolve_task_definition(req.task_definition)
        resp = ecs.DescribeTaskDefinitionResponse(task_definition=record.value)
        for i, value in enumerate(req.include):
            if value != "TAGS":
                raise InvalidArgument.field(f"include[{i}]", f"{value!r} is not TAGS")
            tags = await self.store.get(keys.tags(record.value.task_definition_arn), store_pb2.TagSet)
            if tags is not None:
                resp.tags.extend(tags.value.tags)
        return resp

    async def ListTaskDefinitions(
        self, req: ecs.ListTaskDefinitionsRequest, ctx: CallContext
    ) -> ecs.ListTaskDefinitionsResponse:
        status = req.status or "ACTIVE"
        if status not in ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"):
            raise InvalidArgument.field("status", f"{status!r} is not ACTIVE, INACTIVE or DELETE_IN_PROGRESS")
        if req.sort not in ("", "ASC", "DESC"):
            raise InvalidArgument.field("sort", f"{req.sort!r} is not ASC or DESC")
        prefix = keys.TASK_DEFINITIONS
        if req.family_prefix:
            prefix = keys.task_definitions_of(arn.check_name(req.family_prefix, "familyPrefix", "family"))
        records, token = await collect(
            self.store,
            prefix,
            types_pb2.TaskDefinition,
            token=req.next_token,
            limit=page_size(req.max_results if req.HasField("max_results") else None),
            keep=lambda td: td.status == status,
            reverse=req.sort == "DESC",
        )
        return ecs.ListTaskDefinitionsResponse(
            task_definition_arns=[r.value.task_definition_arn for r in records], next_token=token
        )

    async def ListTaskDefinitionFamilies(
        self, req: ecs.ListTaskDefinitionFamiliesRequest, ctx: CallContext
    ) -> ecs.ListTaskDefinitionFamiliesResponse:
        status = req.status or "ALL"
        wanted = {
            "ALL": lambda f: True,
            "ACTIVE": lambda f: f.active_revisions > 0,
            "INACTIVE": lambda f: f.active_revisions == 0,
        }.get(status)
        if wanted is None:
            raise InvalidArgument.field("status", f"{status!r} is not ACTIVE, INACTIVE or ALL")
        if req.family_prefix and not arn.NAME_RE.match(req.family_prefix):
            raise InvalidArgument.field("familyPrefix", f"{req.family_prefix!r} is not a valid family prefix")
        records, token = await collect(
            self.store,
            keys.family(req.family_prefix),
            store_pb2.TaskDefinitionFamily,
            token=req.next_token,
            limit=page_size(req.max_results if req.HasField("max_results") else None),
            keep=wanted,
        )
        return ecs.ListTaskDefinitionFamiliesResponse(
            families=[r.value.family for r in records], next_token=token
        )

    async def DeregisterTaskDefinition(
        self, req: ecs.DeregisterTaskDefinitionRequest, ctx: CallContext
    ) -> ecs.DeregisterTaskDefinitionResponse:
        family, revision = arn.task_definition_ref(req.task_definition)
        if revision is None:
            raise InvalidArgument.field(
                "taskDefinition", f"{req.task_definition!r} must name a revision (family:revision)"
            )
        for _ in range(50):
            record = await self.resolve_task_definition(req.task_definition)
            td = record.value
            if td.status != "ACTIVE":
                return ecs.DeregisterTaskDefinitionResponse(task_definition=td)
            counter = await self.store.get(keys.family(family), store_pb2.TaskDefinitionFamily)
            assert counter is not None, f"family record of {family} missing"
            counter.value.active_revisions = max(0, counter.value.active_revisions - 1)
            td.status = "INACTIVE"
            td.deregistered_at = ctx.now()
            ops = [
                Put(record.key, td, record.mod_revision),
                Put(keys.family(family), counter.value, counter.mod_revision),
            ]
            try:
                # Into this replica's memory now: a describe right after must not see it ACTIVE.
                self.state.note_commit(ops, await self.store.commit(*ops))
                return ecs.DeregisterTaskDefinitionResponse(task_definition=td)
            except Conflict:
                await asyncio.sleep(0.002)
        raise Conflict(f"task definition {req.task_definition!r} is being changed concurrently; retry")

    async def DeleteTaskDefinitions(
        self, req: ecs.DeleteTaskDefinitionsRequest, ctx: CallContext
    ) -> ecs.DeleteTaskDefinitionsResponse:
        if not 1 <= len(req.task_definitions) <= 10:
            raise InvalidArgument.field("taskDefinitions", "give between 1 and 10 task definitions")
        resp = ecs.DeleteTaskDefinitionsResponse()
        for i, ref in enumerate(req.task_definitions):
            field = f"taskDefinitions[{i}]"
            family, revision = arn.task_definition_ref(ref, field)
            if revision is None:
                raise InvalidArgument.field(field, f"{ref!r} must name a revision (family:revision)")
            td_arn = self.arns.task_definition(family, revision)

            def mark(td: types_pb2.TaskDefinition | None) -> types_pb2.TaskDefinition | None:
                if td is None or td.status != "INACTIVE":
                    return None
                td.status = "DELETE_IN_PROGRESS"
                td.delete_requested_at = ctx.now()
                return td

            written = await self.store.update(
                keys.task_definition(family, revision), types_pb2.TaskDefinition, mark
            )
            if written is not None:
                resp.task_definitions.append(written)
                continue
            current = await self.store.get(keys.task_definition(family, revision), types_pb2.TaskDefinition)
            if current is None:
                resp.failures.add(arn=td_arn, reason="MISSING", detail="The task definition does not exist")
            elif current.value.status == "DELETE_IN_PROGRESS":
                resp.task_definitions.append(current.value)
            else:
                resp.failures.add(
                    arn=td_arn,
                    reason="TASK_DEFINITION_NOT_INACTIVE",
                    detail="The task definition must be deregistered (INACTIVE) before it can be deleted",
                )
        return resp
