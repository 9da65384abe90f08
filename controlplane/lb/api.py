"""The `berth.v1.ElasticLoadBalancing` servicer (load balancers, target groups, listeners, targets,
shaped like ELBv2) and the `berth.v1.LoadBalancerNode` servicer that berth-lb nodes talk to.

Load balancers and target groups are records keyed by name (`keys.lb_load_balancer`,
`keys.lb_target_group`), listeners by their load balancer and port (`keys.lb_listener`); every
write is a CAS, so two creates of one name (or of one listener port) cannot both win. A listener's
create rewrites its load balancer and target group records unchanged, so DeleteLoadBalancer and
DeleteTargetGroup (CASes on those records) cannot race a new listener onto them. Targets of ECS
services are never written: the catalog derives them from the tasks. Hand-registered targets live in
their target group's record (`registered`).

Reads that must see every replica's writes at once (Describe*) read etcd; what is derived from the
tasks (targets, health) comes from the catalog.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence

import structlog

from berth.arn import ArnFactory
from berth.errors import (
    AlreadyExists,
    Conflict,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    shown,
)
from berth.v1 import elb_pb2, types_pb2
from controlplane.api.base import decode_token, encode_token, page_size
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.lb import targets as tgt
from controlplane.lb import validate
from controlplane.lb.catalog import Catalog
from controlplane.store import MAX_TXN_OPS, Check, Delete, EtcdStore, Put, Versioned, keys

log = structlog.get_logger("berth.lb")

Op = Put | Delete | Check
COALESCE_SECONDS = 0.05  # at most one configuration per 50 ms to a node
MAX_HEALTH_CLEANUP = 50  # stale health records deleted per report, at most


def load_balancer_not_found(ref: str) -> NotFound:
    return NotFound(f"load balancer {ref!r} not found", ecs_type="LoadBalancerNotFound")


def target_group_not_found(ref: str) -> NotFound:
    return NotFound(f"target group {ref!r} not found", ecs_type="TargetGroupNotFound")


def listener_not_found(ref: str) -> NotFound:
    return NotFound(f"listener {ref!r} not found", ecs_type="ListenerNotFound")


async def check_service_load_balancers(
    store: EtcdStore,
    entries: Sequence[types_pb2.LoadBalancer],
    td: types_pb2.TaskDefinition,
    field: str = "loadBalancers",
) -> None:
    """ECS CreateService/UpdateService: the target groups must exist, be behind a load balancer and
    fit the task definition."""
    if not entries:
        return
    parts = validate.service_target_groups(entries, field)
    records = await store.get_many([keys.lb_target_group(p.name) for p in parts], elb_pb2.TargetGroup)
    groups: dict[str, elb_pb2.TargetGroup | None] = {}
    attached: dict[str, bool] = {}
    listeners, _ = await store.list(keys.LB_LISTENERS, elb_pb2.Listener)
    forwarded = {a.target_group_arn for r in listeners for a in r.value.default_actions}
    for entry, record in zip(entries, records, strict=True):
        arn = entry.target_group_arn
        groups[arn] = record.value if record is not None and record.value.target_group_arn == arn else None
        attached[arn] = arn in forwarded
    validate.require(validate.check_service_load_balancers(entries, td, groups, attached, field))


def _page(names: list[str], marker: str, scope: str, limit: int) -> tuple[list[str], str]:
    after = decode_token(marker, scope, field="marker")
    rest = [n for n in names if n > after]
    page = rest[:limit]
    return page, encode_token(scope, page[-1]) if len(rest) > limit else ""


class ElasticLoadBalancingServicer:
    def __init__(self, store: EtcdStore, arns: ArnFactory, catalog: Catalog) -> None:
        self.store = store
        self.arns = arns
        self.catalog = catalog

    async def _commit(self, *ops: Op) -> int:
        revision = await self.store.commit(*ops)
        for op in ops:  # our own writes are in the catalog before the call returns
            if not isinstance(op, Check):
                self.catalog.apply_local(op.key, op.value if isinstance(op, Put) else None, revision)
        return revision

    # -- lookups ---------------------------------------------------------------------------------

    async def _load_balancer(
        self, ref: str, field: str = "loadBalancerArn"
    ) -> Versioned[elb_pb2.ElbLoadBalancer]:
        parts = validate.parse_arn(ref, "loadbalancer", field)
        record = await self.store.get(keys.lb_load_balancer(parts.name), elb_pb2.ElbLoadBalancer)
        if record is None or record.value.load_balancer_arn != ref:
            raise load_balancer_not_found(ref)
        return record

    async def _target_group(self, ref: str, field: str = "targetGroupArn") -> Versioned[elb_pb2.TargetGroup]:
        parts = validate.parse_arn(ref, "targetgroup", field)
        record = await self.store.get(keys.lb_target_group(parts.name), elb_pb2.TargetGroup)
        if record is None or record.value.target_group_arn != ref:
            raise target_group_not_found(ref)
        return record

    async def _listener(self, ref: str, field: str = "listenerArn") -> Versioned[elb_pb2.Listener]:
        parts = validate.parse_arn(ref, "listener", field)
        records, _ = await self.store.list(f"{keys.LB_LISTENERS}{parts.name}/", elb_pb2.Listener)
        for record in records:
            if record.value.listener_arn == ref:
                return record
        raise listener_not_found(ref)

    def _shown_group(self, tg: elb_pb2.TargetGroup) -> elb_pb2.TargetGroup:
        out = elb_pb2.TargetGroup()
        out.CopyFrom(tg)
        out.ClearField("registered")
        del out.load_balancer_arns[:]
        out.load_balancer_arns.extend(self.catalog.load_balancer_arns(tg.target_group_name))
        return out

    # -- load balancers --------------------------------------------------------------------------

    async def CreateLoadBalancer(
        self, req: elb_pb2.CreateLoadBalancerRequest, ctx: CallContext
    ) -> elb_pb2.CreateLoadBalancerResponse:
        scheme, lb_type, problems = validate.check_load_balancer(req)
        validate.require(problems)
        check_tags(req.tags)
        key = keys.lb_load_balancer(req.name)
        lb = elb_pb2.ElbLoadBalancer(
            load_balancer_arn=validate.load_balancer_arn(
                self.arns.region, self.arns.account, lb_type, req.name, validate.new_id()
            ),
            load_balancer_name=req.name,
            scheme=scheme,
            type=lb_type,
            state=elb_pb2.LoadBalancerState(code="provisioning", reason="no berth-lb node has connected yet"),
            created_time=ctx.now(),
            tags=req.tags,
        )
        try:
            await self._commit(Put(key, lb, 0))
        except Conflict:
            raise AlreadyExists(
                f"a load balancer named {req.name!r} already exists", ecs_type="DuplicateLoadBalancerName"
            ) from None
        return elb_pb2.CreateLoadBalancerResponse(load_balancers=[lb])

    async def DescribeLoadBalancers(
        self, req: elb_pb2.DescribeLoadBalancersRequest, ctx: CallContext
    ) -> elb_pb2.DescribeLoadBalancersResponse:
        limit = page_size(
            req.page_size if req.HasField("page_size") else None, field="pageSize", maximum=validate.MAX_PAGE
        )
        if req.load_balancer_arns and req.names:
            raise InvalidArgument.field("names", "give loadBalancerArns or names, not both")
        if req.load_balancer_arns or req.names:
            wanted: list[tuple[str, str]] = []  # (name, ARN or "")
            for i, ref in enumerate(req.load_balancer_arns):
                wanted.append((validate.parse_arn(ref, "loadbalancer", f"loadBalancerArns[{i}]").name, ref))
            for i, name in enumerate(req.names):
                validate.require(validate.name_problems(name, f"names[{i}]", "load balancer"))
                wanted.append((name, ""))
            if len(wanted) > 20:
                raise InvalidArgument.field("names" if req.names else "loadBalancerArns", "at most 20")
            records = await self.store.get_many(
                [keys.lb_load_balancer(n) for n, _ in wanted], elb_pb2.ElbLoadBalancer
            )
            out = []
            for (name, ref), record in zip(wanted, records, strict=True):
                if record is None or (ref and record.value.load_balancer_arn != ref):
                    raise load_balancer_not_found(ref or name)
                out.append(record.value)
            return elb_pb2.DescribeLoadBalancersResponse(load_balancers=out)
        every, _ = await self.store.list(keys.LB_LOADBALANCERS, elb_pb2.ElbLoadBalancer)
        by_name = {r.value.load_balancer_name: r.value for r in every}
        names, marker = _page(sorted(by_name), req.marker, "loadbalancers", limit)
        return elb_pb2.DescribeLoadBalancersResponse(
            load_balancers=[by_name[n] for n in names], next_marker=marker
        )

    async def DeleteLoadBalancer(
        self, req: elb_pb2.DeleteLoadBalancerRequest, ctx: CallContext
    ) -> elb_pb2.DeleteLoadBalancerResponse:
        for _ in range(10):
            try:
                record = await self._load_balancer(req.load_balancer_arn)
            except NotFound:
                return elb_pb2.DeleteLoadBalancerResponse()  # ELB: deleting what is gone succeeds
            name = record.value.load_balancer_name
            listeners, _ = await self.store.list(f"{keys.LB_LISTENERS}{name}/", elb_pb2.Listener)
            ops: list[Op] = [Delete(record.key, record.mod_revision)]
            ops += [Delete(r.key, r.mod_revision) for r in listeners]
            try:
                await self._commit(*ops[:MAX_TXN_OPS])
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return elb_pb2.DeleteLoadBalancerResponse()
        raise Conflict(f"load balancer {req.load_balancer_arn!r} is being changed concurrently; retry")

    # -- target groups ---------------------------------------------------------------------------

    async def CreateTargetGroup(
        self, req: elb_pb2.CreateTargetGroupRequest, ctx: CallContext
    ) -> elb_pb2.CreateTargetGroupResponse:
        tg, problems = validate.check_target_group(req)
        validate.require(problems)
        check_tags(req.tags)
        tg.target_group_arn = validate.target_group_arn(
            self.arns.region, self.arns.account, req.name, validate.new_id()
        )
        tg.created_time = ctx.now()
        tg.tags.extend(req.tags)
        try:
            await self._commit(Put(keys.lb_target_group(req.name), tg, 0))
        except Conflict:
            raise AlreadyExists(
                f"a target group named {req.name!r} already exists", ecs_type="DuplicateTargetGroupName"
            ) from None
        return elb_pb2.CreateTargetGroupResponse(target_groups=[self._shown_group(tg)])

    async def DescribeTargetGroups(
        self, req: elb_pb2.DescribeTargetGroupsRequest, ctx: CallContext
    ) -> elb_pb2.DescribeTargetGroupsResponse:
        limit = page_size(
            req.page_size if req.HasField("page_size") else None, field="pageSize", maximum=validate.MAX_PAGE
        )
        given = [bool(req.load_balancer_arn), bool(req.target_group_arns), bool(req.names)]
        if sum(given) > 1:
            raise InvalidArgument.field(
                "targetGroupArns", "give one of loadBalancerArn, targetGroupArns and names"
            )
        if req.target_group_arns or req.names:
            wanted: list[tuple[str, str]] = []
            for i, ref in enumerate(req.target_group_arns):
                wanted.append((validate.parse_arn(ref, "targetgroup", f"targetGroupArns[{i}]").name, ref))
            for i, name in enumerate(req.names):
                validate.require(validate.name_problems(name, f"names[{i}]", "target group"))
                wanted.append((name, ""))
            if len(wanted) > 100:
                raise InvalidArgument.field("names" if req.names else "targetGroupArns", "at most 100")
            records = await self.store.get_many(
                [keys.lb_target_group(n) for n, _ in wanted], elb_pb2.TargetGroup
            )
            out = []
            for (name, ref), record in zip(wanted, records, strict=True):
                if record is None or (ref and record.value.target_group_arn != ref):
                    raise target_group_not_found(ref or name)
                out.append(self._shown_group(record.value))
            return elb_pb2.DescribeTargetGroupsResponse(target_groups=out)
        groups, _ = await self.store.list(keys.LB_TARGETGROUPS, elb_pb2.TargetGroup)
        by_name = {r.value.target_group_name: r.value for r in groups}
        scope = "targetgroups"
        if req.load_balancer_arn:
            lb = (await self._load_balancer(req.load_balancer_arn)).value
            listeners, _ = await self.store.list(
                f"{keys.LB_LISTENERS}{lb.load_balancer_name}/", elb_pb2.Listener
            )
            forwarded = {a.target_group_arn for r in listeners for a in r.value.default_actions}
            by_name = {n: tg for n, tg in by_name.items() if tg.target_group_arn in forwarded}
            scope = f"targetgroups|{lb.load_balancer_name}"
        names, marker = _page(sorted(by_name), req.marker, scope, limit)
        return elb_pb2.DescribeTargetGroupsResponse(
            target_groups=[self._shown_group(by_name[n]) for n in names], next_marker=marker
        )

    async def _update_group(
        self, ref: str, change: object, field: str = "targetGroupArn"
    ) -> elb_pb2.TargetGroup:
        """Read, change (`change(tg) -> tg`, raising on bad input) and CAS-write a target group."""
        for _ in range(10):
            record = await self._target_group(ref, field)
            updated = change(record.value)  # type: ignore[operator]
            if updated == record.value:
                return record.value
            try:
                await self._commit(Put(record.key, updated, record.mod_revision))
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return updated  # type: ignore[no-any-return]
        raise Conflict(f"target group {ref!r} is being changed concurrently; retry")

    async def ModifyTargetGroup(
        self, req: elb_pb2.ModifyTargetGroupRequest, ctx: CallContext
    ) -> elb_pb2.ModifyTargetGroupResponse:
        def change(current: elb_pb2.TargetGroup) -> elb_pb2.TargetGroup:
            tg, problems = validate.modify_target_group(current, req)
            validate.require(problems)
            return tg

        tg = await self._update_group(req.target_group_arn, change)
        return elb_pb2.ModifyTargetGroupResponse(target_groups=[self._shown_group(tg)])

    async def DeleteTargetGroup(
        self, req: elb_pb2.DeleteTargetGroupRequest, ctx: CallContext
    ) -> elb_pb2.DeleteTargetGroupResponse:
        for _ in range(10):
            record = await self._target_group(req.target_group_arn)
            tg = record.value
            listeners, _ = await self.store.list(keys.LB_LISTENERS, elb_pb2.Listener)
            for listener in listeners:
                if any(a.target_group_arn == tg.target_group_arn for a in listener.value.default_actions):
                    raise FailedPrecondition(
                        f"target group {tg.target_group_name!r} is in use by listener "
                        f"{listener.value.listener_arn}; delete the listener first",
                        ecs_type="ResourceInUse",
                    )
            services, _ = await self.store.list(keys.SERVICES, types_pb2.Service)
            for service in services:
                if service.value.status != "INACTIVE" and any(
                    lb.target_group_arn == tg.target_group_arn for lb in service.value.load_balancers
                ):
                    raise FailedPrecondition(
                        f"target group {tg.target_group_name!r} is in use by ECS service "
                        f"{service.value.service_arn}; delete the service (or its loadBalancers) first",
                        ecs_type="ResourceInUse",
                    )
            health, _ = await self.store.list(
                f"{keys.LB_HEALTH}{tg.target_group_name}/",
                elb_pb2.TargetHealthRecord,
                limit=MAX_TXN_OPS - 1,
            )
            ops: list[Op] = [Delete(record.key, record.mod_revision)]
            ops += [Delete(r.key, r.mod_revision) for r in health]
            try:
                await self._commit(*ops)
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return elb_pb2.DeleteTargetGroupResponse()
        raise Conflict(f"target group {req.target_group_arn!r} is being changed concurrently; retry")

    async def DescribeTargetGroupAttributes(
        self, req: elb_pb2.DescribeTargetGroupAttributesRequest, ctx: CallContext
    ) -> elb_pb2.DescribeTargetGroupAttributesResponse:
        tg = (await self._target_group(req.target_group_arn)).value
        return elb_pb2.DescribeTargetGroupAttributesResponse(attributes=validate.attributes(tg))

    async def ModifyTargetGroupAttributes(
        self, req: elb_pb2.ModifyTargetGroupAttributesRequest, ctx: CallContext
    ) -> elb_pb2.ModifyTargetGroupAttributesResponse:
        def change(current: elb_pb2.TargetGroup) -> elb_pb2.TargetGroup:
            tg, problems = validate.apply_attributes(current, req.attributes)
            validate.require(problems)
            return tg

        tg = await self._update_group(req.target_group_arn, change)
        return elb_pb2.ModifyTargetGroupAttributesResponse(attributes=validate.attributes(tg))

    # -- listeners -------------------------------------------------------------------------------

    async def CreateListener(
        self, req: elb_pb2.CreateListenerRequest, ctx: CallContext
    ) -> elb_pb2.CreateListenerResponse:
        check_tags(req.tags)
        for _ in range(10):
            lb = await self._load_balancer(req.load_balancer_arn)
            target, problems = validate.check_listener(req, lb.value)
            validate.require(problems)
            assert target is not None
            tg = await self._target_group(
                req.default_actions[0].target_group_arn, "defaultActions[0].targetGroupArn"
            )
            want = validate.LB_TYPES.get(lb.value.type, "HTTP")
            if tg.value.protocol != want:
                raise InvalidArgument.field(
                    "defaultActions[0].targetGroupArn",
                    f"target group {tg.value.target_group_name!r} has protocol {tg.value.protocol}; "
                    f"an {lb.value.type} load balancer forwards {want}",
                )
            key = keys.lb_listener(lb.value.load_balancer_name, req.port)
            listener = elb_pb2.Listener(
                listener_arn=validate.listener_arn(lb.value.load_balancer_arn, validate.new_id()),
                load_balancer_arn=lb.value.load_balancer_arn,
                port=req.port,
                protocol=req.protocol or want,
                default_actions=[elb_pb2.Action(type="forward", target_group_arn=tg.value.target_group_arn)],
            )
            taken, _ = await self.store.list(
                f"{keys.LB_LISTENERS}{lb.value.load_balancer_name}/", elb_pb2.Listener
            )
            if len(taken) >= validate.MAX_LISTENERS and not any(r.key == key for r in taken):
                raise FailedPrecondition(
                    f"load balancer {lb.value.load_balancer_name!r} has {len(taken)} listeners, "
                    "the most it may have",
                    ecs_type="TooManyListeners",
                )
            if any(r.key == key for r in taken):
                raise AlreadyExists(
                    f"load balancer {lb.value.load_balancer_name!r} already has a listener on port "
                    f"{req.port}",
                    ecs_type="DuplicateListener",
                )
            try:
                await self._commit(
                    Put(lb.key, lb.value, lb.mod_revision),
                    Put(tg.key, tg.value, tg.mod_revision),
                    Put(key, listener, 0),
                )
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return elb_pb2.CreateListenerResponse(listeners=[listener])
        raise Conflict(f"load balancer {req.load_balancer_arn!r} is being changed concurrently; retry")

    async def DescribeListeners(
        self, req: elb_pb2.DescribeListenersRequest, ctx: CallContext
    ) -> elb_pb2.DescribeListenersResponse:
        limit = page_size(
            req.page_size if req.HasField("page_size") else None, field="pageSize", maximum=validate.MAX_PAGE
        )
        if req.listener_arns:
            if req.load_balancer_arn:
                raise InvalidArgument.field("listenerArns", "give loadBalancerArn or listenerArns, not both")
            out = [
                (await self._listener(ref, f"listenerArns[{i}]")).value
                for i, ref in enumerate(req.listener_arns)
            ]
            return elb_pb2.DescribeListenersResponse(listeners=out)
        if not req.load_balancer_arn:
            raise InvalidArgument.field("loadBalancerArn", "give loadBalancerArn or listenerArns")
        lb = (await self._load_balancer(req.load_balancer_arn)).value
        records, _ = await self.store.list(f"{keys.LB_LISTENERS}{lb.load_balancer_name}/", elb_pb2.Listener)
        by_port = {f"{r.value.port:05d}": r.value for r in records}
        ports, marker = _page(sorted(by_port), req.marker, f"listeners|{lb.load_balancer_name}", limit)
        return elb_pb2.DescribeListenersResponse(listeners=[by_port[p] for p in ports], next_marker=marker)

    async def DeleteListener(
        self, req: elb_pb2.DeleteListenerRequest, ctx: CallContext
    ) -> elb_pb2.DeleteListenerResponse:
        record = await self._listener(req.listener_arn)
        try:
            await self._commit(Delete(record.key, record.mod_revision))
        except Conflict:
            raise Conflict(f"listener {req.listener_arn!r} is being changed concurrently; retry") from None
        return elb_pb2.DeleteListenerResponse()

    # -- targets ---------------------------------------------------------------------------------

    async def RegisterTargets(
        self, req: elb_pb2.RegisterTargetsRequest, ctx: CallContext
    ) -> elb_pb2.RegisterTargetsResponse:
        def change(current: elb_pb2.TargetGroup) -> elb_pb2.TargetGroup:
            given = validate.check_targets(req.targets, current)
            if current.target_type == "instance":
                missing = [
                    FieldViolation(
                        f"targets[{i}].id", f"{shown(t.id)} is not a registered container instance"
                    )
                    for i, t in enumerate(given)
                    if not self.catalog.instance_known(t.id)
                ]
                validate.require(missing)
            tg = elb_pb2.TargetGroup()
            tg.CopyFrom(current)
            have = {(t.id, t.port) for t in tg.registered}
            for t in given:
                if (t.id, t.port) not in have:
                    have.add((t.id, t.port))
                    tg.registered.append(t)
            if len(tg.registered) > 1000:
                raise InvalidArgument.field("targets", "a target group holds at most 1000 targets")
            return tg

        await self._update_group(req.target_group_arn, change)
        return elb_pb2.RegisterTargetsResponse()

    async def DeregisterTargets(
        self, req: elb_pb2.DeregisterTargetsRequest, ctx: CallContext
    ) -> elb_pb2.DeregisterTargetsResponse:
        def change(current: elb_pb2.TargetGroup) -> elb_pb2.TargetGroup:
            if not req.targets:
                raise InvalidArgument.field("targets", "give at least one target")
            gone = set()
            for i, t in enumerate(req.targets):
                port = t.port if t.HasField("port") else current.port
                if not any(r.id == t.id and r.port == port for r in current.registered):
                    tasks = {(x.id, x.port) for x in self.catalog.targets(current) if x.task_arn}
                    why = (
                        "is the target of an ECS task: it leaves when the task stops"
                        if (t.id, port) in tasks
                        else "is not registered in the target group"
                    )
                    raise InvalidArgument.field(
                        f"targets[{i}]", f"{t.id}:{port} {why}", ecs_type="InvalidTarget"
                    )
                gone.add((t.id, port))
            tg = elb_pb2.TargetGroup()
            tg.CopyFrom(current)
            keep = [r for r in tg.registered if (r.id, r.port) not in gone]
            del tg.registered[:]
            tg.registered.extend(keep)
            return tg

        await self._update_group(req.target_group_arn, change)
        return elb_pb2.DeregisterTargetsResponse()

    async def DescribeTargetHealth(
        self, req: elb_pb2.DescribeTargetHealthRequest, ctx: CallContext
    ) -> elb_pb2.DescribeTargetHealthResponse:
        tg = (await self._target_group(req.target_group_arn)).value
        for i, t in enumerate(req.targets):
            if not t.id:
                raise InvalidArgument.field(f"targets[{i}].id", "is required")
        return elb_pb2.DescribeTargetHealthResponse(
            target_health_descriptions=self.catalog.describe_health(tg, list(req.targets))
        )


class LoadBalancerNodeServicer:
    """What a berth-lb node calls: the configuration stream of its load balancer, and health reports."""

    def __init__(self, store: EtcdStore, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog
        self._nodes: dict[str, list[str]] = {}  # lb name -> node ids watching on this replica
        self._background: set[asyncio.Task[None]] = set()

    async def _commit(self, *ops: Op) -> int:
        revision = await self.store.commit(*ops)
        for op in ops:
            if not isinstance(op, Check):
                self.catalog.apply_local(op.key, op.value if isinstance(op, Put) else None, revision)
        return revision

    async def _find(self, ref: str, field: str) -> Versioned[elb_pb2.ElbLoadBalancer]:
        if not ref:
            raise InvalidArgument.field(field, "is required")
        name = validate.parse_arn(ref, "loadbalancer", field).name if ref.startswith("arn:") else ref
        if not ref.startswith("arn:"):
            validate.require(validate.name_problems(ref, field, "load balancer"))
        record = await self.store.get(keys.lb_load_balancer(name), elb_pb2.ElbLoadBalancer)
        if record is None or (ref.startswith("arn:") and record.value.load_balancer_arn != ref):
            raise load_balancer_not_found(ref)
        return record

    async def _mark(self, name: str, req: elb_pb2.WatchLoadBalancerRequest | None, node_id: str) -> None:
        """Write who serves the load balancer: `req`'s node (connected), or nobody when `node_id`,
        which served it, left and no other node watches here."""
        for _ in range(10):
            record = await self.store.get(keys.lb_load_balancer(name), elb_pb2.ElbLoadBalancer)
            if record is None:
                return
            lb = elb_pb2.ElbLoadBalancer()
            lb.CopyFrom(record.value)
            if req is not None:
                lb.node_id = req.node_id
                lb.dns_name = req.dns_name
                lb.metrics_address = req.metrics_address
                lb.state.code, lb.state.reason = "active", ""
            else:
                if lb.node_id != node_id:
                    return  # another node took over
                others = self._nodes.get(name, [])
                if others:
                    lb.node_id = others[-1]
                else:
                    lb.node_id = ""
                    lb.state.code = "provisioning"
                    lb.state.reason = f"no berth-lb node is connected (the last one, {node_id!r}, left)"
            if lb == record.value:
                return
            try:
                await self._commit(Put(record.key, lb, record.mod_revision))
                return
            except Conflict:
                await asyncio.sleep(0.005)
        log.warning("lb_node_mark_lost", load_balancer=name, node=node_id)

    def _left(self, name: str, node_id: str) -> None:
        nodes = self._nodes.get(name, [])
        if node_id in nodes:
            nodes.remove(node_id)
        if not nodes:
            self._nodes.pop(name, None)
        task = asyncio.get_running_loop().create_task(self._mark(name, None, node_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def WatchLoadBalancer(
        self, req: elb_pb2.WatchLoadBalancerRequest, ctx: CallContext
    ) -> AsyncIterator[elb_pb2.LoadBalancerConfig]:
        record = await self._find(req.load_balancer_name, "loadBalancerName")
        if not req.node_id:
            raise InvalidArgument.field("nodeId", "is required: a stable name for this berth-lb")
        name = record.value.load_balancer_name
        changed = self.catalog.watch(name)
        self._nodes.setdefault(name, []).append(req.node_id)
        log.info("lb_node_connected", load_balancer=name, node=req.node_id, dns_name=req.dns_name)
        try:
            await self._mark(name, req, req.node_id)
            last: elb_pb2.LoadBalancerConfig | None = None
            while True:
                changed.clear()
                now = time.time()
                config = self.catalog.config(name, now)
                if config is None:
                    raise load_balancer_not_found(req.load_balancer_name)
                if not config.load_balancer.node_id:
                    # The node that was named left (maybe through another replica): we serve it.
                    await self._mark(name, req, req.node_id)
                    await asyncio.sleep(COALESCE_SECONDS)  # never a hot loop on a stale mirror
                    continue
                same = last is not None and _without_revision(last) == _without_revision(config)
                if not same:
                    yield config
                    last = config
                deadline = min(
                    (
                        d
                        for d in (tgt.next_deadline(g.targets) for g in config.target_groups)
                        if d is not None
                    ),
                    default=None,
                )
                timeout = None if deadline is None else max(0.0, deadline - time.time()) + 0.01
                try:
                    await asyncio.wait_for(changed.wait(), timeout)
                except TimeoutError:
                    pass
                await asyncio.sleep(COALESCE_SECONDS)  # a burst of changes makes one message
        finally:
            self.catalog.unwatch(name, changed)
            log.info("lb_node_disconnected", load_balancer=name, node=req.node_id)
            self._left(name, req.node_id)

    async def ReportTargetHealth(
        self, req: elb_pb2.ReportTargetHealthRequest, ctx: CallContext
    ) -> elb_pb2.ReportTargetHealthResponse:
        lb = (await self._find(req.load_balancer_arn, "loadBalancerArn")).value
        problems = []
        for i, report in enumerate(req.reports):
            state = report.target_health.state
            if state not in tgt.STATES:
                problems.append(
                    FieldViolation(
                        f"reports[{i}].targetHealth.state",
                        f"{shown(state)} is not one of {', '.join(tgt.STATES)}",
                    )
                )
        validate.require(problems)
        config = self.catalog.config(lb.load_balancer_name)
        if config is None:
            raise load_balancer_not_found(req.load_balancer_arn)
        served = {
            g.target_group.target_group_arn: (
                g.target_group.target_group_name,
                {(t.id, t.port): t for t in g.targets},
            )
            for g in config.target_groups
        }
        now = time.time()
        for _ in range(10):
            ops: list[Op] = []
            for report in req.reports:
                group = served.get(report.target_group_arn)
                if group is None:
                    continue
                tg_name, targets = group
                target = targets.get((report.target.id, report.target.port))
                if target is None:
                    continue  # not in the configuration (any more): ignored
                key = keys.lb_health(tg_name, target.id, target.port)
                current = self.catalog.health.items.get(key)
                record = elb_pb2.TargetHealthRecord(
                    target_group_arn=report.target_group_arn,
                    target=elb_pb2.TargetDescription(id=target.id, port=target.port),
                    target_health=report.target_health,
                    since=now,
                    task_arn=target.task_arn,
                )
                if current is not None:
                    same_group = current.value.target_group_arn == record.target_group_arn
                    if same_group and current.value.target_health.state == report.target_health.state:
                        record.since = current.value.since
                    if current.value == record:
                        continue
                ops.append(Put(key, record, current.mod_revision if current else 0))
            ops += _stale_ops(self.catalog.health.items, served.values())
            try:
                for start in range(0, len(ops), MAX_TXN_OPS):
                    await self._commit(*ops[start : start + MAX_TXN_OPS])
            except Conflict:
                for prefix in {f"{keys.LB_HEALTH}{n}/" for n, _ in served.values()}:
                    records, revision = await self.store.snapshot(prefix, elb_pb2.TargetHealthRecord)
                    self.catalog.health.merge(prefix, records, revision)
                continue
            return elb_pb2.ReportTargetHealthResponse()
        raise Conflict("target health is being reported concurrently; retry")


def _stale_ops(
    records: Mapping[str, Versioned[elb_pb2.TargetHealthRecord]],
    groups: Iterable[tuple[str, Mapping[tuple[str, int], elb_pb2.NodeTarget]]],
    limit: int = MAX_HEALTH_CLEANUP,
) -> list[Op]:
    """Deletes of the health records (at most `limit`) of targets the groups no longer have."""
    prefixes = {f"{keys.LB_HEALTH}{name}/": targets for name, targets in groups}
    out: list[Op] = []
    for key, item in records.items():
        prefix = key[: key.rfind("/") + 1]
        targets = prefixes.get(prefix)
        if targets is not None and (item.value.target.id, item.value.target.port) not in targets:
            out.append(Delete(key, item.mod_revision))
            if len(out) >= limit:
                break
    return out


def _without_revision(config: elb_pb2.LoadBalancerConfig) -> bytes:
    copy = elb_pb2.LoadBalancerConfig()
    copy.CopyFrom(config)
    copy.revision = 0
    return copy.SerializeToString(deterministic=True)
