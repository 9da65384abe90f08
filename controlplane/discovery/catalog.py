"""Catalog: the discovery instances of every service, derived on each replica from watch-fed mirrors.

Nothing is written to etcd per task: every replica mirrors the namespaces, discovery services and
custom instances (its own mirrors) and already mirrors tasks, ECS services, task definitions and
container instances (`controlplane.state`). Mirror listeners keep the catalog current as etcd
changes arrive, and the work is incremental, so a 10,000-task service costs no more per event than
a small one:

- a task change recomputes that one task's instances (`registrations.task_instances`);
- an ECS service change recomputes its tasks only when its `serviceRegistries` changed;
- a container instance change recomputes its tasks only when its host address changed.

Queries (`resolve`, `instances`) read a per-service dict; the healthy instances DNS answers with are
kept apart in a list with a position index (swap-remove), so a change and a random pick of 8 are
O(1) whatever the size of the service.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import structlog

from berth.v1 import servicediscovery_pb2 as sd
from berth.v1 import types_pb2
from controlplane.discovery.registrations import (
    HEALTHY,
    Instance,
    Registry,
    TaskFacts,
    custom_instance,
    definition_facts,
    task_instances,
)
from controlplane.discovery.validate import parse_id
from controlplane.state.cluster_state import State
from controlplane.state.mirror import Mirror
from controlplane.store import keys

log = structlog.get_logger("berth.discovery")

# Route 53 answers a multivalue query with up to 8 healthy records, chosen at random.
MAX_ANSWERS = 8

Kind = Literal["service", "instance", "zone", "nxdomain", "foreign"]


@dataclass
class _Service:
    record: sd.DiscoveryService
    fqdn: str = ""
    instances: dict[str, Instance] = field(default_factory=dict)
    revision: int = 0


class _HealthySet:
    """Healthy instances in a list (for random picks) with each one's position (for O(1) removal)."""

    def __init__(self) -> None:
        self.items: list[Instance] = []
        self._pos: dict[str, int] = {}

    def add(self, instance: Instance) -> None:
        self._pos[instance.instance_id] = len(self.items)
        self.items.append(instance)

    def discard(self, instance_id: str) -> None:
        pos = self._pos.pop(instance_id, None)
        if pos is None:
            return
        last = self.items.pop()
        if pos < len(self.items):
            self.items[pos] = last
            self._pos[last.instance_id] = pos


@dataclass(frozen=True)
class Resolution:
    """What a DNS name is to us: a service, one instance of one (an SRV target), a namespace apex,
    a name in a namespace that does not exist, or a name outside every namespace."""

    kind: Kind
    zone: str = ""
    service: sd.DiscoveryService | None = None
    instances: tuple[Instance, ...] = ()
    soa_ttl: int = 60


class Catalog:
    def __init__(self, state: State, *, region: str = "") -> None:
        self.state = state
        self.region = region
        store = state.store
        self.namespaces = Mirror(store, keys.DISCOVERY_NAMESPACES, sd.Namespace)
        self.services = Mirror(store, keys.DISCOVERY_SERVICES, sd.DiscoveryService)
        self.custom = Mirror(store, keys.DISCOVERY_INSTANCES, sd.CustomInstance)
        self.mirrors: list[Mirror] = [self.namespaces, self.services, self.custom]  # type: ignore[type-arg]
        self._services: dict[str, _Service] = {}
        self._zones: dict[str, sd.Namespace] = {}  # namespace name -> namespace
        self._by_name: dict[str, str] = {}  # service fqdn -> service id
        self._instances: defaultdict[str, dict[str, Instance]] = defaultdict(dict)
        self._healthy: defaultdict[str, _HealthySet] = defaultdict(_HealthySet)
        self._mixed_case: dict[tuple[str, str], str] = {}  # (service id, lowercased id) -> instance id
        self._task_entries: dict[
            str, tuple[tuple[str, str], ...]
        ] = {}  # task key -> (service id, instance id)
        self._registries: dict[tuple[str, str], tuple[Registry, ...]] = {}  # (cluster, ECS service)
        self._definition_facts: dict[
            str, tuple[str, bool]
        ] = {}  # task definition ARN -> (mode, health check)
        self._listeners: list[Callable[[str], None]] = []
        self.ready = asyncio.Event()
        self.events = 0  # mirror events handled (for the benchmark)

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Run the discovery mirrors; once they and the state are ready, build and follow."""
        async with asyncio.TaskGroup() as tg:
            for mirror in self.mirrors:
                tg.create_task(mirror.run())
            for mirror in self.mirrors:
                await mirror.ready.wait()
            await self.state.ready()
            self._start()

    def _start(self) -> None:
        self.namespaces.subscribe(self._on_namespace)
        self.services.subscribe(self._on_service)
        self.custom.subscribe(self._on_custom)
        self.state.services.subscribe(self._on_ecs_service)
        self.state.tasks.subscribe(self._on_task)
        self.state.instances.subscribe(self._on_container_instance)
        for ns_key, ns in list(self.namespaces.items.items()):
            self._on_namespace(ns_key, None, ns.value)
        for srv_key, srv in list(self.services.items.items()):
            self._on_service(srv_key, None, srv.value)
        for inst_key, inst in list(self.custom.items.items()):
            self._on_custom(inst_key, None, inst.value)
        for svc_key, svc in list(self.state.services.items.items()):
            self._on_ecs_service(svc_key, None, svc.value)
        log.info("discovery_catalog_ready", services=len(self._services), tasks=len(self._task_entries))
        self.ready.set()

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call `listener(service_id)` whenever a service's instances change."""
        self._listeners.append(listener)

    # -- queries ---------------------------------------------------------------------------------

    def service(self, service_id: str) -> sd.DiscoveryService | None:
        entry = self._services.get(service_id)
        return entry.record if entry else None

    def instances(self, service_id: str) -> dict[str, Instance]:
        """Every instance of a service (any health), by instance id."""
        return self._instances.get(service_id, {})

    def revision(self, service_id: str) -> int:
        entry = self._services.get(service_id)
        return entry.revision if entry else 0

    def has_namespace(self, name: str) -> bool:
        return name.lower().removesuffix(".") in self._zones

    def service_by_name(self, namespace: str, name: str) -> sd.DiscoveryService | None:
        ident = self._by_name.get(f"{name.lower()}.{namespace.lower().removesuffix('.')}")
        return self.service(ident) if ident else None

    def healthy(self, service_id: str) -> list[Instance]:
        """The healthy instances of a service (do not change the list)."""
        return self._healthy[service_id].items if service_id in self._healthy else []

    def resolve(self, qname: str, *, limit: int = MAX_ANSWERS) -> Resolution:
        """What `qname` (any case, trailing dot or not) is in our namespaces."""
        name = qname.lower().removesuffix(".")
        labels = name.split(".")
        zone = None
        for i in range(len(labels)):
            candidate = ".".join(labels[i:])
            if candidate in self._zones:
                zone = candidate
                break
        if zone is None:
            return Resolution("foreign")
        namespace = self._zones[zone]
        soa = namespace.properties.dns_properties.soa
        soa_ttl = int(soa.ttl) if soa.HasField("ttl") else 15
        if name == zone:
            return Resolution("zone", zone=zone, soa_ttl=soa_ttl)
        ident = self._by_name.get(name)
        if ident is not None:
            entry = self._services[ident]
            healthy = self.healthy(ident)
            count = 1 if entry.record.dns_config.routing_policy == "WEIGHTED" else limit
            chosen = tuple(random.sample(healthy, count)) if len(healthy) > count else tuple(healthy)
            return Resolution("service", zone=zone, service=entry.record, instances=chosen, soa_ttl=soa_ttl)
        first, _, rest = name.partition(".")
        ident = self._by_name.get(rest)
        if ident is not None:
            # Instance ids are kept as given (task ids are lowercase); DNS names are not case-sensitive.
            given = self._mixed_case.get((ident, first), first)
            instance = self.instances(ident).get(given)
            if instance is not None and instance.health == HEALTHY:
                service = self._services[ident].record
                return Resolution(
                    "instance", zone=zone, service=service, instances=(instance,), soa_ttl=soa_ttl
                )
        return Resolution("nxdomain", zone=zone, soa_ttl=soa_ttl)

    # -- discovery records -------------------------------------------------------------------------

    def _on_namespace(self, key: str, old: sd.Namespace | None, new: sd.Namespace | None) -> None:
        if old is not None:
            self._zones.pop(old.name, None)
        if new is not None:
            self._zones[new.name] = new
        for entry in self._services.values():  # rare: re-derive the names of its services
            if (old and entry.record.namespace_id == old.id) or (new and entry.record.namespace_id == new.id):
                self._index_name(entry)

    def _index_name(self, entry: _Service) -> None:
        if entry.fqdn and self._by_name.get(entry.fqdn) == entry.record.id:
            del self._by_name[entry.fqdn]
        namespace = self.namespaces.get(keys.discovery_namespace(entry.record.namespace_id))
        entry.fqdn = f"{entry.record.name}.{namespace.name}" if namespace else ""
        if entry.fqdn:
            self._by_name[entry.fqdn] = entry.record.id

    def _on_service(self, key: str, old: sd.DiscoveryService | None, new: sd.DiscoveryService | None) -> None:
        ident = key.rsplit("/", 1)[-1]
        if new is None:
            entry = self._services.pop(ident, None)
            if entry is not None and entry.fqdn and self._by_name.get(entry.fqdn) == ident:
                del self._by_name[entry.fqdn]
            return
        entry = self._services.get(ident)
        if entry is None:
            entry = self._services[ident] = _Service(new)
        entry.record = new
        self._index_name(entry)
        self._changed(ident)

    def _on_custom(self, key: str, old: sd.CustomInstance | None, new: sd.CustomInstance | None) -> None:
        self.events += 1
        if old is not None:
            self._set(old.service_id, old.instance_id, None)
        if new is not None:
            self._set(
                new.service_id,
                new.instance_id,
                custom_instance(new.service_id, new.instance_id, dict(new.attributes)),
            )

    # -- ECS objects -------------------------------------------------------------------------------

    def _on_ecs_service(self, key: str, old: types_pb2.Service | None, new: types_pb2.Service | None) -> None:
        cluster, name = keys.split(key)
        regs = registries(new) if new is not None else ()
        if regs == self._registries.get((cluster, name), ()):
            return  # the controller rewrites services all the time; only registries matter here
        self.events += 1
        if regs:
            self._registries[(cluster, name)] = regs
        else:
            self._registries.pop((cluster, name), None)
        for task_key in list(self.state.tasks_by_service.get((cluster, name), ())):
            self._update_task(task_key, self.state.tasks.get(task_key), regs)

    def _on_task(self, key: str, old: types_pb2.Task | None, new: types_pb2.Task | None) -> None:
        task = new if new is not None else old
        if task is None or not task.service_name:
            return
        regs = self._registries.get((keys.split(key)[0], task.service_name), ())
        if not regs and key not in self._task_entries:
            return
        self.events += 1
        self._update_task(key, new, regs)

    def _on_container_instance(
        self, key: str, old: types_pb2.ContainerInstance | None, new: types_pb2.ContainerInstance | None
    ) -> None:
        if old is not None and new is not None and old.host_address == new.host_address:
            return
        record = new if new is not None else old
        arn = record.container_instance_arn if record is not None else ""
        for task_key in list(self.state.tasks_by_instance.get(arn, ())):
            task = self.state.tasks.get(task_key)
            if task is not None and task.service_name:
                regs = self._registries.get((keys.split(task_key)[0], task.service_name), ())
                if regs or task_key in self._task_entries:
                    self._update_task(task_key, task, regs)

    def _facts(self, task: types_pb2.Task) -> TaskFacts:
        facts = self._definition_facts.get(task.task_definition_arn)
        if facts is None:
            family, _, revision = task.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")
            td = self.state.task_definitions.get(keys.task_definition(family, int(revision or 0)))
            if td is None:
                return TaskFacts(region=self.region)  # not mirrored yet: the next event retries
            facts = self._definition_facts[task.task_definition_arn] = definition_facts(td)
        host = ""
        if facts[0] != "awsvpc" and task.container_instance_arn:
            cluster, ident = task.container_instance_arn.rsplit("/", 2)[-2:]
            instance = self.state.instances.get(keys.instance(cluster, ident))
            host = instance.host_address if instance is not None else ""
        return TaskFacts(
            network_mode=facts[0], has_health_check=facts[1], host_address=host, region=self.region
        )

    def _update_task(self, key: str, task: types_pb2.Task | None, regs: tuple[Registry, ...]) -> None:
        fresh = task_instances(task, regs, self._facts(task)) if task is not None and regs else []
        previous = self._task_entries.pop(key, ())
        now = {(i.service_id, i.instance_id) for i in fresh}
        for service_id, instance_id in previous:
            if (service_id, instance_id) not in now:
                self._set(service_id, instance_id, None)
        for instance in fresh:
            if self._instances[instance.service_id].get(instance.instance_id) != instance:
                self._set(instance.service_id, instance.instance_id, instance)
        if fresh:
            self._task_entries[key] = tuple(sorted(now))

    def _set(self, service_id: str, instance_id: str, instance: Instance | None) -> None:
        bucket = self._instances[service_id]
        healthy = self._healthy[service_id]
        healthy.discard(instance_id)
        if instance_id != instance_id.lower():
            if instance is None:
                self._mixed_case.pop((service_id, instance_id.lower()), None)
            else:
                self._mixed_case[(service_id, instance_id.lower())] = instance_id
        if instance is None:
            bucket.pop(instance_id, None)
        else:
            bucket[instance_id] = instance
            if instance.health == HEALTHY:
                healthy.add(instance)
        self._changed(service_id)

    def _changed(self, service_id: str) -> None:
        entry = self._services.get(service_id)
        if entry is not None:
            entry.revision += 1
        for listener in self._listeners:
            listener(service_id)


def registries(service: types_pb2.Service) -> tuple[Registry, ...]:
    """The service's registries as the catalog keys them (malformed ARNs are skipped: validated on
    the way in, so only records older than validation can have them)."""
    out = []
    for r in service.service_registries:
        try:
            ident = parse_id(r.registry_arn, "service", "registryArn")
        except Exception:
            continue
        out.append(
            Registry(
                service_id=ident,
                port=r.port if r.HasField("port") else None,
                container_name=r.container_name,
                container_port=r.container_port if r.HasField("container_port") else None,
            )
        )
    return tuple(out)
