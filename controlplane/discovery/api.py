"""The `berth.v1.ServiceDiscovery` servicer: namespaces, services and instances, shaped like Cloud Map.

Namespaces and services are records in etcd (`keys.discovery_*`) written with CAS; their names are
claimed by a name record in the same transaction, so two concurrent creates of one name cannot both
win, and a namespace keeps the count of its services in its record, so DeleteNamespace (a CAS on
it) cannot race a CreateService into it. Cloud Map answers the namespace and instance calls with an
operation id (the work is asynchronous there); here the work is done when the call returns.

Instances of ECS services are not written anywhere: the catalog derives them from the tasks. Reads
of instances (DiscoverInstances, ListInstances, GetInstancesHealthStatus) come from the catalog.
"""

from __future__ import annotations

import asyncio
import secrets
import string
from collections.abc import Sequence

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
from berth.v1 import servicediscovery_pb2 as sd
from berth.v1 import store_pb2, types_pb2
from controlplane.api.base import collect, decode_token, encode_token, page_size
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.discovery import validate
from controlplane.discovery.catalog import Catalog
from controlplane.store import Check, Delete, EtcdStore, Put, Versioned, keys


def namespace_not_found(ident: str) -> NotFound:
    return NotFound(f"namespace {ident!r} not found", ecs_type="NamespaceNotFound")


def service_not_found(ident: str) -> NotFound:
    return NotFound(f"service {ident!r} not found", ecs_type="ServiceNotFound")


async def discovery_services(store: EtcdStore, ids: Sequence[str]) -> dict[str, sd.DiscoveryService | None]:
    """The discovery services with these ids, as etcd has them now (None: no such service)."""
    records = await store.get_many([keys.discovery_service(i) for i in ids], sd.DiscoveryService)
    return {i: (r.value if r is not None else None) for i, r in zip(ids, records, strict=True)}


async def check_service_registries(
    store: EtcdStore,
    registries: Sequence[types_pb2.ServiceRegistry],
    td: types_pb2.TaskDefinition,
    field: str = "serviceRegistries",
) -> None:
    """ECS CreateService/UpdateService: the registries must exist and fit the task definition."""
    if not registries:
        return
    ids = validate.registry_service_ids(registries, field)
    services = await discovery_services(store, ids)
    validate.require(validate.check_service_registries(registries, td, services, field))


class ServiceDiscoveryServicer:
    def __init__(self, store: EtcdStore, arns: ArnFactory, catalog: Catalog) -> None:
        self.store = store
        self.arns = arns
        self.catalog = catalog

    def _arn(self, kind: str, ident: str) -> str:
        return validate.arn(self.arns.region, self.arns.account, kind, ident)

    async def _commit(self, *ops: Put | Delete | Check) -> None:
        revision = await self.store.commit(*ops)
        for op in ops:  # our own writes are in the catalog before the call returns
            if isinstance(op, Check):
                continue
            for mirror in self.catalog.mirrors:
                if op.key.startswith(mirror.prefix):
                    mirror.apply_local(op.key, op.value if isinstance(op, Put) else None, revision)

    async def _namespace(self, ref: str, field: str = "id") -> Versioned[sd.Namespace]:
        if not ref:
            raise InvalidArgument.field(field, "is required")
        ident = validate.parse_id(ref, "namespace", field)
        record = await self.store.get(keys.discovery_namespace(ident), sd.Namespace)
        if record is None:
            raise namespace_not_found(ident)
        return record

    async def _service(self, ref: str, field: str = "id") -> Versioned[sd.DiscoveryService]:
        if not ref:
            raise InvalidArgument.field(field, "is required")
        ident = validate.parse_id(ref, "service", field)
        record = await self.store.get(keys.discovery_service(ident), sd.DiscoveryService)
        if record is None:
            raise service_not_found(ident)
        return record

    def _with_count(self, service: sd.DiscoveryService) -> sd.DiscoveryService:
        out = sd.DiscoveryService()
        out.CopyFrom(service)
        out.instance_count = len(self.catalog.instances(service.id))
        return out

    # -- namespaces ------------------------------------------------------------------------------

    async def CreatePrivateDnsNamespace(
        self, req: sd.CreatePrivateDnsNamespaceRequest, ctx: CallContext
    ) -> sd.CreatePrivateDnsNamespaceResponse:
        name, problems = validate.check_namespace(req)
        validate.require(problems)
        check_tags(req.tags)
        claim_key = keys.discovery_name("", name)
        for _ in range(10):
            claim = await self.store.get(claim_key, sd.DiscoveryNameClaim)
            if claim is not None:
                existing = await self.store.get(keys.discovery_namespace(claim.value.id), sd.Namespace)
                if (
                    existing is not None
                    and req.creator_request_id
                    and (existing.value.creator_request_id == req.creator_request_id)
                ):
                    return sd.CreatePrivateDnsNamespaceResponse(
                        operation_id=validate.new_operation_id(), namespace=existing.value
                    )
                raise AlreadyExists(f"namespace {name!r} already exists", ecs_type="NamespaceAlreadyExists")
            ident = validate.new_id("namespace")
            namespace = sd.Namespace(
                id=ident,
                arn=self._arn("namespace", ident),
                name=name,
                type=validate.NAMESPACE_TYPE,
                description=req.description,
                service_count=0,
                create_date=ctx.now(),
                creator_request_id=req.creator_request_id,
            )
            namespace.properties.dns_properties.hosted_zone_id = "Z" + "".join(
                secrets.choice(string.ascii_uppercase + string.digits) for _ in range(20)
            )
            soa = req.properties.dns_properties.soa
            namespace.properties.dns_properties.soa.ttl = soa.ttl if soa.HasField("ttl") else 15
            try:
                await self._commit(
                    Put(claim_key, sd.DiscoveryNameClaim(id=ident), 0),
                    Put(keys.discovery_namespace(ident), namespace, 0),
                    Put(
                        keys.tags(namespace.arn),
                        store_pb2.TagSet(resource_arn=namespace.arn, tags=req.tags),
                        0,
                    ),
                )
            except Conflict:
                continue
            return sd.CreatePrivateDnsNamespaceResponse(
                operation_id=validate.new_operation_id(), namespace=namespace
            )
        raise Conflict(f"namespace {name!r} is being created concurrently; retry")

    async def GetNamespace(self, req: sd.GetNamespaceRequest, ctx: CallContext) -> sd.GetNamespaceResponse:
        return sd.GetNamespaceResponse(namespace=(await self._namespace(req.id)).value)

    async def ListNamespaces(
        self, req: sd.ListNamespacesRequest, ctx: CallContext
    ) -> sd.ListNamespacesResponse:
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        checks = []
        for i, f in enumerate(req.filters):
            path = f"filters[{i}]"
            condition = f.condition or "EQ"
            if f.name not in ("TYPE", "NAME"):
                raise InvalidArgument.field(f"{path}.name", f"{shown(f.name)} is not TYPE or NAME")
            if condition not in ("EQ", "IN", "BEGINS_WITH"):
                raise InvalidArgument.field(
                    f"{path}.condition", f"{shown(condition)} is not EQ, IN or BEGINS_WITH"
                )
            if not f.values or (condition != "IN" and len(f.values) != 1):
                raise InvalidArgument.field(f"{path}.values", "give one value (several with IN)")
            checks.append((f.name, condition, [v.lower() if f.name == "NAME" else v for v in f.values]))

        def keep(ns: sd.Namespace) -> bool:
            for name, condition, values in checks:
                have = ns.type if name == "TYPE" else ns.name
                if condition == "BEGINS_WITH" and not have.startswith(values[0]):
                    return False
                if condition != "BEGINS_WITH" and have not in values:
                    return False
            return True

        records, token = await collect(
            self.store, keys.DISCOVERY_NAMESPACES, sd.Namespace, token=req.next_token, limit=limit, keep=keep
        )
        return sd.ListNamespacesResponse(namespaces=[r.value for r in records], next_token=token)

    async def DeleteNamespace(
        self, req: sd.DeleteNamespaceRequest, ctx: CallContext
    ) -> sd.DeleteNamespaceResponse:
        for _ in range(10):
            record = await self._namespace(req.id)
            if record.value.service_count > 0:
                raise FailedPrecondition(
                    f"namespace {record.value.name!r} still has {record.value.service_count} service(s); "
                    "delete them first",
                    ecs_type="ResourceInUse",
                )
            claim_key = keys.discovery_name("", record.value.name)
            claim = await self.store.get(claim_key, sd.DiscoveryNameClaim)
            ops: list[Put | Delete | Check] = [Delete(record.key, record.mod_revision)]
            if claim is not None and claim.value.id == record.value.id:
                ops.append(Delete(claim_key, claim.mod_revision))
            tags = await self.store.get(keys.tags(record.value.arn), store_pb2.TagSet)
            if tags is not None:
                ops.append(Delete(tags.key, tags.mod_revision))
            try:
                await self._commit(*ops)
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return sd.DeleteNamespaceResponse(operation_id=validate.new_operation_id())
        raise Conflict(f"namespace {req.id!r} is being changed concurrently; retry")

    # -- services --------------------------------------------------------------------------------

    async def CreateService(
        self, req: sd.CreateDiscoveryServiceRequest, ctx: CallContext
    ) -> sd.CreateDiscoveryServiceResponse:
        name, config, problems = validate.check_service(req)
        namespace_ref = req.namespace_id or req.dns_config.namespace_id
        if not namespace_ref:
            problems.append(FieldViolation("namespaceId", "is required"))
        validate.require(problems)
        check_tags(req.tags)
        config.namespace_id = ""  # deprecated in Cloud Map: the service's namespaceId says it
        for _ in range(10):
            namespace = await self._namespace(namespace_ref, "namespaceId")
            ns = namespace.value
            claim_key = keys.discovery_name(ns.id, name)
            claim = await self.store.get(claim_key, sd.DiscoveryNameClaim)
            if claim is not None:
                existing = await self.store.get(keys.discovery_service(claim.value.id), sd.DiscoveryService)
                if (
                    existing is not None
                    and req.creator_request_id
                    and (existing.value.creator_request_id == req.creator_request_id)
                ):
                    return sd.CreateDiscoveryServiceResponse(service=self._with_count(existing.value))
                raise AlreadyExists(
                    f"service {name!r} already exists in namespace {ns.name!r}",
                    ecs_type="ServiceAlreadyExists",
                )
            ident = validate.new_id("service")
            service = sd.DiscoveryService(
                id=ident,
                arn=self._arn("service", ident),
                name=name,
                namespace_id=ns.id,
                description=req.description,
                instance_count=0,
                dns_config=config,
                type=validate.SERVICE_TYPE,
                create_date=ctx.now(),
                creator_request_id=req.creator_request_id,
            )
            if req.HasField("health_check_custom_config"):
                service.health_check_custom_config.CopyFrom(req.health_check_custom_config)
            counted = sd.Namespace()
            counted.CopyFrom(ns)
            counted.service_count = ns.service_count + 1
            try:
                await self._commit(
                    Put(namespace.key, counted, namespace.mod_revision),
                    Put(claim_key, sd.DiscoveryNameClaim(id=ident), 0),
                    Put(keys.discovery_service(ident), service, 0),
                    Put(keys.tags(service.arn), store_pb2.TagSet(resource_arn=service.arn, tags=req.tags), 0),
                )
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return sd.CreateDiscoveryServiceResponse(service=service)
        raise Conflict(f"namespace {namespace_ref!r} is being changed concurrently; retry")

    async def GetService(
        self, req: sd.GetDiscoveryServiceRequest, ctx: CallContext
    ) -> sd.GetDiscoveryServiceResponse:
        return sd.GetDiscoveryServiceResponse(service=self._with_count((await self._service(req.id)).value))

    async def ListServices(
        self, req: sd.ListDiscoveryServicesRequest, ctx: CallContext
    ) -> sd.ListDiscoveryServicesResponse:
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        namespaces: set[str] = set()
        for i, f in enumerate(req.filters):
            path = f"filters[{i}]"
            condition = f.condition or "EQ"
            if f.name != "NAMESPACE_ID":
                raise InvalidArgument.field(f"{path}.name", f"{shown(f.name)} is not NAMESPACE_ID")
            if condition not in ("EQ", "IN"):
                raise InvalidArgument.field(f"{path}.condition", f"{shown(condition)} is not EQ or IN")
            if not f.values or (condition == "EQ" and len(f.values) != 1):
                raise InvalidArgument.field(f"{path}.values", "give one value (several with IN)")
            namespaces.update(
                validate.parse_id(v, "namespace", f"{path}.values[{j}]") for j, v in enumerate(f.values)
            )
        records, token = await collect(
            self.store,
            keys.DISCOVERY_SERVICES,
            sd.DiscoveryService,
            token=req.next_token,
            limit=limit,
            keep=lambda s: not namespaces or s.namespace_id in namespaces,
        )
        return sd.ListDiscoveryServicesResponse(
            services=[self._with_count(r.value) for r in records], next_token=token
        )

    async def DeleteService(
        self, req: sd.DeleteDiscoveryServiceRequest, ctx: CallContext
    ) -> sd.DeleteDiscoveryServiceResponse:
        for _ in range(10):
            record = await self._service(req.id)
            service = record.value
            registered = len(self.catalog.instances(service.id))
            if registered:
                raise FailedPrecondition(
                    f"service {service.name!r} still has {registered} instance(s) registered; stop the ECS "
                    "service's tasks (or deregister the instances) first",
                    ecs_type="ResourceInUse",
                )
            ops: list[Put | Delete | Check] = [Delete(record.key, record.mod_revision)]
            namespace = await self.store.get(keys.discovery_namespace(service.namespace_id), sd.Namespace)
            if namespace is not None:
                counted = sd.Namespace()
                counted.CopyFrom(namespace.value)
                counted.service_count = max(0, namespace.value.service_count - 1)
                ops.append(Put(namespace.key, counted, namespace.mod_revision))
            claim_key = keys.discovery_name(service.namespace_id, service.name)
            claim = await self.store.get(claim_key, sd.DiscoveryNameClaim)
            if claim is not None and claim.value.id == service.id:
                ops.append(Delete(claim_key, claim.mod_revision))
            tags = await self.store.get(keys.tags(service.arn), store_pb2.TagSet)
            if tags is not None:
                ops.append(Delete(tags.key, tags.mod_revision))
            try:
                await self._commit(*ops)
            except Conflict:
                await asyncio.sleep(0.005)
                continue
            return sd.DeleteDiscoveryServiceResponse()
        raise Conflict(f"service {req.id!r} is being changed concurrently; retry")

    # -- instances -------------------------------------------------------------------------------

    async def RegisterInstance(
        self, req: sd.RegisterInstanceRequest, ctx: CallContext
    ) -> sd.RegisterInstanceResponse:
        record = await self._service(req.service_id, "serviceId")
        validate.require(validate.check_instance(req, record.value))
        key = keys.discovery_instance(record.value.id, req.instance_id)
        taken = self.catalog.instances(record.value.id).get(req.instance_id)
        if taken is not None and self.catalog.custom.get(key) is None:
            raise FailedPrecondition(
                f"instance {req.instance_id!r} is a task registered by ECS; it cannot be replaced",
                ecs_type="ResourceInUse",
            )
        for _ in range(10):
            current = await self.store.get(key, sd.CustomInstance)
            instance = sd.CustomInstance(
                service_id=record.value.id,
                instance_id=req.instance_id,
                creator_request_id=req.creator_request_id,
                attributes=dict(req.attributes),
            )
            try:
                await self._commit(
                    Check(record.key, record.mod_revision),
                    Put(key, instance, current.mod_revision if current else 0),
                )
            except Conflict:
                record = await self._service(req.service_id, "serviceId")
                continue
            return sd.RegisterInstanceResponse(operation_id=validate.new_operation_id())
        raise Conflict(f"instance {req.instance_id!r} is being changed concurrently; retry")

    async def DeregisterInstance(
        self, req: sd.DeregisterInstanceRequest, ctx: CallContext
    ) -> sd.DeregisterInstanceResponse:
        record = await self._service(req.service_id, "serviceId")
        if not req.instance_id:
            raise InvalidArgument.field("instanceId", "is required")
        key = keys.discovery_instance(record.value.id, req.instance_id)
        current = await self.store.get(key, sd.CustomInstance)
        if current is None:
            if req.instance_id in self.catalog.instances(record.value.id):
                raise FailedPrecondition(
                    f"instance {req.instance_id!r} is an ECS task: it leaves when the task stops",
                    ecs_type="ResourceInUse",
                )
            raise NotFound(f"instance {req.instance_id!r} not found", ecs_type="InstanceNotFound")
        try:
            await self._commit(Delete(key, current.mod_revision))
        except Conflict:
            raise Conflict(f"instance {req.instance_id!r} is being changed concurrently; retry") from None
        return sd.DeregisterInstanceResponse(operation_id=validate.new_operation_id())

    async def DiscoverInstances(
        self, req: sd.DiscoverInstancesRequest, ctx: CallContext
    ) -> sd.DiscoverInstancesResponse:
        problems = []
        namespace, more = validate.dns_name(req.namespace_name, "namespaceName", one_label=False)
        problems += more
        name, more = validate.dns_name(req.service_name, "serviceName", one_label=True)
        problems += more
        health = req.health_status or "HEALTHY"
        if health not in validate.HEALTH_FILTERS:
            problems.append(
                FieldViolation(
                    "healthStatus", f"{shown(health)} is not one of {', '.join(validate.HEALTH_FILTERS)}"
                )
            )
        if req.HasField("max_results") and not 1 <= req.max_results <= 1000:
            problems.append(FieldViolation("maxResults", f"{req.max_results} is out of range 1 to 1000"))
        validate.require(problems)
        limit = req.max_results if req.HasField("max_results") else 100
        service = self.catalog.service_by_name(namespace, name)
        if service is None:
            if not self.catalog.has_namespace(namespace):
                raise namespace_not_found(namespace)
            raise service_not_found(f"{name}.{namespace}")
        every = list(self.catalog.instances(service.id).values())
        if health == "ALL":
            chosen = every
        elif health == "UNHEALTHY":
            chosen = [i for i in every if i.health != "HEALTHY"]
        else:
            chosen = [i for i in every if i.health == "HEALTHY"]
            if not chosen and health == "HEALTHY_OR_ELSE_ALL":
                chosen = every
        wanted = {**req.query_parameters, **req.optional_parameters}
        if req.query_parameters:
            chosen = [
                i
                for i in chosen
                if all(dict(i.attributes).get(k) == v for k, v in req.query_parameters.items())
            ]
        if req.optional_parameters:
            narrowed = [i for i in chosen if all(dict(i.attributes).get(k) == v for k, v in wanted.items())]
            chosen = narrowed or chosen
        chosen.sort(key=lambda i: i.instance_id)
        return sd.DiscoverInstancesResponse(
            instances=[
                sd.HttpInstanceSummary(
                    instance_id=i.instance_id,
                    namespace_name=namespace,
                    service_name=name,
                    health_status=i.health,
                    attributes=dict(i.attributes),
                )
                for i in chosen[:limit]
            ],
            instances_revision=self.catalog.revision(service.id),
        )

    def _page(
        self, service_id: str, token: str, limit: int, field: str = "nextToken"
    ) -> tuple[list[str], str]:
        scope = f"instances|{service_id}"
        after = decode_token(token, scope, field=field)
        ids = sorted(i for i in self.catalog.instances(service_id) if i > after)
        page = ids[:limit]
        return page, encode_token(scope, page[-1]) if len(ids) > limit else ""

    async def ListInstances(self, req: sd.ListInstancesRequest, ctx: CallContext) -> sd.ListInstancesResponse:
        service = (await self._service(req.service_id, "serviceId")).value
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        ids, token = self._page(service.id, req.next_token, limit)
        instances = self.catalog.instances(service.id)
        return sd.ListInstancesResponse(
            instances=[sd.InstanceSummary(id=i, attributes=dict(instances[i].attributes)) for i in ids],
            next_token=token,
        )

    async def GetInstancesHealthStatus(
        self, req: sd.GetInstancesHealthStatusRequest, ctx: CallContext
    ) -> sd.GetInstancesHealthStatusResponse:
        service = (await self._service(req.service_id, "serviceId")).value
        limit = page_size(req.max_results if req.HasField("max_results") else None)
        instances = self.catalog.instances(service.id)
        if req.instances:
            if len(req.instances) > 100:
                raise InvalidArgument.field("instances", f"{len(req.instances)} given; at most 100")
            missing = [i for i in req.instances if i not in instances]
            if missing:
                raise NotFound(f"instance {missing[0]!r} not found", ecs_type="InstanceNotFound")
            return sd.GetInstancesHealthStatusResponse(status={i: instances[i].health for i in req.instances})
        ids, token = self._page(service.id, req.next_token, limit)
        return sd.GetInstancesHealthStatusResponse(
            status={i: instances[i].health for i in ids}, next_token=token
        )
