"""Service RPCs: CreateService, UpdateService, DeleteService, DescribeServices, ListServices, and
WatchServiceEvents.

These only record what the user wants (the service record with its deployments); the service
controller on the leader (`controlplane.reconcile`) makes it so. A change of task definition (or
forceNewDeployment, or a new network configuration) appends a PRIMARY deployment and turns the
previous one ACTIVE; the controller rolls tasks over within the deployment limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from berth import arn
from berth.errors import (
    AlreadyExists,
    Conflict,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from berth.v1 import berth_pb2, store_pb2, types_pb2
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.api.base import check_filter, collect, page_size
from controlplane.api.clusters import ClusterApi
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.api.taskdefs import TaskDefinitionApi
from controlplane.discovery.api import check_service_registries
from controlplane.lb.api import check_service_load_balancers
from controlplane.scheduler import Constraint, Strategy, validate_placement
from controlplane.scheduler.capacity import LAUNCH_TYPES, capacity_strategy, check_launch, is_pool
from controlplane.state.cluster_state import State
from controlplane.store import Check, Put, Versioned, keys

MAX_EVENTS = 100
LIVE = ("ACTIVE", "DRAINING")


def service_not_found(name: str) -> NotFound:
    return NotFound(f"service {name!r} not found", ecs_type="ServiceNotFoundException")


def deployment_configuration(
    given: types_pb2.DeploymentConfiguration | None, daemon: bool, field: str = "deploymentConfiguration"
) -> types_pb2.DeploymentConfiguration:
    """The configuration with ECS's defaults filled in (REPLICA 100/200, DAEMON 0/100), validated."""
    out = types_pb2.DeploymentConfiguration()
    if given is not None:
        out.CopyFrom(given)
    if not out.HasField("minimum_healthy_percent"):
        out.minimum_healthy_percent = 0 if daemon else 100
    if not out.HasField("maximum_percent"):
        out.maximum_percent = 100 if daemon else 200
    problems = []
    if not 0 <= out.minimum_healthy_percent <= 100:
        problems.append(
            FieldViolation(
                f"{field}.minimumHealthyPercent", f"{out.minimum_healthy_percent} is out of range 0 to 100"
            )
        )
    if not 100 <= out.maximum_percent <= 200:
        problems.append(
            FieldViolation(f"{field}.maximumPercent", f"{out.maximum_percent} is out of range 100 to 200")
        )
    if daemon and out.maximum_percent != 100:
        problems.append(FieldViolation(f"{field}.maximumPercent", "must be 100 for a DAEMON service"))
    if problems:
        raise InvalidArgument(problems)
    return out


def check_placement(constraints: list[Constraint], strategies: list[Strategy]) -> None:
    violations = validate_placement(constraints, strategies)
    if violations:
        raise InvalidArgument([FieldViolation(p, t) for p, t in violations])


class ServiceApi(ClusterApi, TaskDefinitionApi):
    state: State

    async def _service(self, cluster: str, ref: str, field: str = "service") -> Versioned[types_pb2.Service]:
        name = arn.id_in_cluster(ref, "service", cluster, field)
        record = await self.store.get(keys.service(cluster, name), types_pb2.Service)
        if record is None:
            raise service_not_found(name)
        return record

    def _deployment(
        self, service: types_pb2.Service, task_definition: str, now: float
    ) -> types_pb2.Deployment:
        return types_pb2.Deployment(
            id=arn.new_deployment_id(),
            status="PRIMARY",
            task_definition=task_definition,
            desired_count=service.desired_count,
            pending_count=0,
            running_count=0,
            failed_tasks=0,
            created_at=now,
            updated_at=now,
            launch_type=service.launch_type,
            network_configuration=service.network_configuration
            if service.HasField("network_configuration")
            else None,
            rollout_state="IN_PROGRESS",
            rollout_state_reason="ECS deployment in progress.",
        )

    async def CreateService(
        self, req: ecs.CreateServiceRequest, ctx: CallContext
    ) -> ecs.CreateServiceResponse:
        cluster = await self.active_cluster(req.cluster)
        name = arn.check_name(req.service_name, "serviceName", "service name")
        strategy = req.scheduling_strategy or "REPLICA"
        if strategy not in ("REPLICA", "DAEMON"):
            raise InvalidArgument.field("schedulingStrategy", f"{strategy!r} is not REPLICA or DAEMON")
        daemon = strategy == "DAEMON"
        if daemon and req.HasField("desired_count"):
            raise InvalidArgument.field(
                "desiredCount", "a DAEMON service runs one task per instance; leave it out"
            )
        desired = req.desired_count if req.HasField("desired_count") else 0
        if desired < 0:
            raise InvalidArgument.field("desiredCount", f"{desired} is negative")
        if (
            req.HasField("health_check_grace_period_seconds")
            and not 0 <= req.health_check_grace_period_seconds <= 2147483647
        ):
            raise InvalidArgument.field("healthCheckGracePeriodSeconds", "must not be negative")
        if req.propagate_tags not in ("", "SERVICE", "TASK_DEFINITION", "NONE"):
            raise InvalidArgument.field(
                "propagateTags", f"{req.propagate_tags!r} is not SERVICE, TASK_DEFINITION or NONE"
            )
        if req.deployment_controller.type not in ("", "ECS"):
            raise InvalidArgument.field(
                "deploymentController.type", "only the ECS deployment controller is supported"
            )
        check_tags(req.tags)
        constraints = [Constraint(c.type, c.expression) for c in req.placement_constraints]
        strategies = [Strategy(s.type, s.field) for s in req.placement_strategy]
        check_placement(constraints, strategies)
        td = (await self.resolve_task_definition(req.task_definition, active_only=True)).value
        items = capacity_strategy(req.launch_type, req.capacity_provider_strategy, cluster.value)
        if daemon and any(is_pool(i.provider) for i in items):
            raise InvalidArgument.field("schedulingStrategy", "DAEMON services cannot run on FARGATE")
        check_launch(td, req.launch_type, items, types_pb2.TaskOverride(), constraints, strategies)
        await check_service_registries(self.store, req.service_registries, td)
        await check_service_load_balancers(self.store, req.load_balancers, td)
        config = deployment_configuration(
            req.deployment_configuration if req.HasField("deployment_configuration") else None, daemon
        )
        cluster_name = cluster.value.cluster_name
        key = keys.service(cluster_name, name)
        existing = await self.store.get(key, types_pb2.Service)
        if existing is not None and existing.value.status in LIVE:
            raise AlreadyExists(
                f"service {name!r} already exists in cluster {cluster_name!r}; "
                "creation of service was not idempotent",
                ecs_type="InvalidParameterException",
            )
        now = ctx.now()
        service = types_pb2.Service(
            service_arn=self.arns.service(cluster_name, name),
            service_name=name,
            cluster_arn=cluster.value.cluster_arn,
            status="ACTIVE",
            desired_count=desired,
            running_count=0,
            pending_count=0,
            launch_type=req.launch_type or ("" if req.capacity_provider_strategy else "EC2"),
            capacity_provider_strategy=req.capacity_provider_strategy,
            task_definition=td.task_definition_arn,
            deployment_configuration=config,
            created_at=now,
            placement_constraints=req.placement_constraints,
            placement_strategy=req.placement_strategy,
            scheduling_strategy=strategy,
            deployment_controller=types_pb2.DeploymentController(type="ECS"),
            created_by=ctx.principal.arn,
            enable_ecs_managed_tags=req.enable_ecs_managed_tags,
            propagate_tags=req.propagate_tags or "NONE",
            load_balancers=req.load_balancers,
            service_registries=req.service_registries,
            role_arn=req.role,
            availability_zone_rebalancing=req.availability_zone_rebalancing or "ENABLED",
            enable_execute_command=req.enable_execute_command,
        )
        if req.HasField("network_configuration"):
            service.network_configuration.CopyFrom(req.network_configuration)
        if req.HasField("health_check_grace_period_seconds"):
            service.health_check_grace_period_seconds = req.health_check_grace_period_seconds
        service.deployments.append(self._deployment(service, td.task_definition_arn, now))
        ops: list[Put | Check] = [
            Check(cluster.key, cluster.mod_revision),
            Put(key, service, existing.mod_revision if existing else 0),
        ]
        tags_key = keys.tags(service.service_arn)
        old_tags = await self.store.get(tags_key, store_pb2.TagSet)
        ops.append(
            Put(
                tags_key,
                store_pb2.TagSet(resource_arn=service.service_arn, tags=req.tags),
                old_tags.mod_revision if old_tags else 0,
            )
        )
        try:
            self.state.note_commit(ops, await self.store.commit(*ops))
        except Conflict:
            raise AlreadyExists(
                f"service {name!r} was created concurrently", ecs_type="InvalidParameterException"
            ) from None
        service.tags.extend(req.tags)
        return ecs.CreateServiceResponse(service=service)

    async def UpdateService(
        self, req: ecs.UpdateServiceRequest, ctx: CallContext
    ) -> ecs.UpdateServiceResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        td_arn = ""
        new_definition: types_pb2.TaskDefinition | None = None
        if req.task_definition:
            new_definition = (await self.resolve_task_definition(req.task_definition, active_only=True)).value
            td_arn = new_definition.task_definition_arn
        if req.HasField("desired_count") and req.desired_count < 0:
            raise InvalidArgument.field("desiredCount", f"{req.desired_count} is negative")
        constraints = [Constraint(c.type, c.expression) for c in req.placement_constraints]
        strategies = [Strategy(s.type, s.field) for s in req.placement_strategy]
        check_placement(constraints, strategies)
        for _ in range(20):
            record = await self._service(cluster, req.service)
            service = record.value
            if service.status != "ACTIVE":
                raise FailedPrecondition(
                    f"service {service.service_name!r} is {service.status}",
                    ecs_type="ServiceNotActiveException",
                )
            daemon = service.scheduling_strategy == "DAEMON"
            if req.HasField("desired_count"):
                if daemon:
                    raise InvalidArgument.field("desiredCount", "a DAEMON service has no desiredCount")
                service.desired_count = req.desired_count
            if req.HasField("deployment_configuration"):
                service.deployment_configuration.CopyFrom(
                    deployment_configuration(req.deployment_configuration, daemon)
                )
            if req.HasField("health_check_grace_period_seconds"):
                service.health_check_grace_period_seconds = req.health_check_grace_period_seconds
            if req.HasField("enable_execute_command"):  # for the tasks it starts from now on
                service.enable_execute_command = req.enable_execute_command
            if req.placement_constraints:
                del service.placement_constraints[:]
                service.placement_constraints.extend(req.placement_constraints)
            if req.placement_strategy:
                del service.placement_strategy[:]
                service.placement_strategy.extend(req.placement_strategy)
            network_changed = (
                req.HasField("network_configuration")
                and req.network_configuration != service.network_configuration
            )
            if network_changed:
                service.network_configuration.CopyFrom(req.network_configuration)
            registries_changed = bool(req.service_registries) and list(req.service_registries) != list(
                service.service_registries
            )
            if registries_changed or (new_definition is not None and service.service_registries):
                # The registries must fit the task definition the service runs from now on (ECS).
                td = new_definition or (await self.resolve_task_definition(service.task_definition)).value
                registries = req.service_registries if registries_changed else service.service_registries
                await check_service_registries(self.store, registries, td)
            if registries_changed:
                del service.service_registries[:]
                service.service_registries.extend(req.service_registries)
            balancers_changed = bool(req.load_balancers) and list(req.load_balancers) != list(
                service.load_balancers
            )
            if balancers_changed or (new_definition is not None and service.load_balancers):
                # As the registries: the target groups must fit the task definition from now on.
                td = new_definition or (await self.resolve_task_definition(service.task_definition)).value
                balancers = req.load_balancers if balancers_changed else service.load_balancers
                await check_service_load_balancers(self.store, balancers, td)
            if balancers_changed:
                del service.load_balancers[:]
                service.load_balancers.extend(req.load_balancers)
            new_td = td_arn and td_arn != service.task_definition
            if td_arn:
                service.task_definition = td_arn
            now = ctx.now()
            changed = network_changed or registries_changed or balancers_changed
            if new_td or req.force_new_deployment or changed:
                for d in service.deployments:
                    if d.status == "PRIMARY":
                        d.status = "ACTIVE"
                        d.updated_at = now
                service.deployments.insert(0, self._deployment(service, service.task_definition, now))
                service.steady_since = 0
            for d in service.deployments:
                if d.status == "PRIMARY":
                    d.desired_count = service.desired_count
            try:
                op = Put(record.key, service, record.mod_revision)
                self.state.note_commit([op], await self.store.commit(op))
                return ecs.UpdateServiceResponse(service=service)
            except Conflict:
                await asyncio.sleep(0.005)
        raise Conflict(f"service {req.service!r} is being changed concurrently; retry")

    async def DeleteService(
        self, req: ecs.DeleteServiceRequest, ctx: CallContext
    ) -> ecs.DeleteServiceResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        for _ in range(20):
            record = await self._service(cluster, req.service)
            service = record.value
            if service.status != "ACTIVE":
                if service.status == "DRAINING":
                    return ecs.DeleteServiceResponse(service=service)
                raise FailedPrecondition(
                    f"service {service.service_name!r} is {service.status}",
                    ecs_type="ServiceNotActiveException",
                )
            live = [
                t
                for t in self.state.service_tasks(cluster, service.service_name)
                if t.last_status != "STOPPED"
            ]
            daemon = service.scheduling_strategy == "DAEMON"
            if not req.force and ((service.desired_count > 0 and not daemon) or live):
                raise FailedPrecondition(
                    f"service {service.service_name!r} still has desiredCount {service.desired_count} and "
                    f"{len(live)} task(s); scale it to 0 first or delete it with force",
                    ecs_type="InvalidParameterException",
                )
            service.status = "DRAINING"
            service.desired_count = 0
            for d in service.deployments:
                d.desired_count = 0
            try:
                op = Put(record.key, service, record.mod_revision)
                self.state.note_commit([op], await self.store.commit(op))
                return ecs.DeleteServiceResponse(service=service)
            except Conflict:
                await asyncio.sleep(0.005)
        raise Conflict(f"service {req.service!r} is being changed concurrently; retry")

    async def DescribeServices(
        self, req: ecs.DescribeServicesRequest, ctx: CallContext
    ) -> ecs.DescribeServicesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        if not 1 <= len(req.services) <= 10:
            raise InvalidArgument.field("services", "give between 1 and 10 services")
        names = []
        for i, ref in enumerate(req.services):
            ref_cluster, name = arn.scoped_id(ref, "service", f"services[{i}]")
            names.append((ref, name, ref_cluster in (None, cluster)))
        records = await self.store.get_many(
            [keys.service(cluster, n) for _, n, _ in names], types_pb2.Service
        )
        resp = ecs.DescribeServicesResponse()
        for (ref, name, same), record in zip(names, records, strict=True):
            if record is None or not same:
                resp.failures.add(
                    arn=ref if ref.startswith("arn:") else self.arns.service(cluster, name), reason="MISSING"
                )
                continue
            service = record.value
            # ECS shows the PRIMARY and ACTIVE deployments (the ServicesStable waiter counts them).
            kept = [d for d in service.deployments if d.status != "INACTIVE"]
            del service.deployments[:]
            service.deployments.extend(kept)
            if "TAGS" in req.include:
                tags = await self.store.get(keys.tags(service.service_arn), store_pb2.TagSet)
                service.tags.extend(tags.value.tags if tags else [])
            resp.services.append(service)
        return resp

    async def ListServices(self, req: ecs.ListServicesRequest, ctx: CallContext) -> ecs.ListServicesResponse:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        check_filter(req.launch_type, LAUNCH_TYPES, "launchType")
        check_filter(req.scheduling_strategy, ("REPLICA", "DAEMON"), "schedulingStrategy")
        check_filter(req.resource_management_type, ("CUSTOMER", "ECS"), "resourceManagementType")

        def keep(s: types_pb2.Service) -> bool:
            return (
                s.status in LIVE
                and (not req.launch_type or s.launch_type == req.launch_type)
                and (not req.scheduling_strategy or s.scheduling_strategy == req.scheduling_strategy)
            )

        records, token = await collect(
            self.store,
            keys.services_of(cluster),
            types_pb2.Service,
            token=req.next_token,
            limit=page_size(req.max_results if req.HasField("max_results") else None, maximum=100),
            keep=keep,
        )
        return ecs.ListServicesResponse(service_arns=[r.value.service_arn for r in records], next_token=token)

    async def WatchServiceEvents(
        self, req: berth_pb2.WatchServiceEventsRequest, ctx: CallContext
    ) -> AsyncIterator[berth_pb2.ServiceEventMessage]:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        names = {arn.scoped_id(r, "service", f"services[{i}]")[1] for i, r in enumerate(req.services)}
        queue: asyncio.Queue[berth_pb2.ServiceEventMessage] = asyncio.Queue(maxsize=10_000)
        prefix = keys.services_of(cluster)

        def on_change(key: str, old: types_pb2.Service | None, new: types_pb2.Service | None) -> None:
            if new is None or not key.startswith(prefix) or (names and new.service_name not in names):
                return
            seen = {e.id for e in old.events} if old is not None else set()
            for event in reversed(new.events):  # stored newest first
                if event.id not in seen and not queue.full():
                    queue.put_nowait(
                        berth_pb2.ServiceEventMessage(
                            service_arn=new.service_arn, service_name=new.service_name, event=event
                        )
                    )

        unsubscribe = self.state.services.subscribe(on_change)
        try:
            if req.include_existing:
                for service in self.state.services.values(prefix):
                    if not names or service.service_name in names:
                        for event in reversed(service.events):
                            yield berth_pb2.ServiceEventMessage(
                                service_arn=service.service_arn,
                                service_name=service.service_name,
                                event=event,
                            )
            while True:
                yield await queue.get()
        finally:
            unsubscribe()
