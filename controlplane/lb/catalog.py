"""Catalog: every load balancer's configuration, derived on each replica from watch-fed mirrors.

Each replica mirrors the load balancers, target groups, listeners and reported target health (its
own mirrors) and already mirrors tasks, ECS services, task definitions and container instances
(`controlplane.state`). Targets are never written per task: `config()` computes them from the
mirrors when a berth-lb node needs the configuration.

To wake a node's watch cheaply the catalog keeps small indexes — which load balancers a target
group feeds (through listeners), which target groups an ECS service's `loadBalancers[]` name — and
sets a per-load-balancer signal when anything its configuration is made of changes: a task of a
service behind it, the service's `loadBalancers[]`, a target group, a listener, the load balancer,
or the address of a container instance (rare; wakes all). Health records change no configuration.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable

import structlog

from berth.v1 import elb_pb2, types_pb2
from controlplane.discovery.registrations import TaskFacts, definition_facts
from controlplane.lb import targets as tgt
from controlplane.state.cluster_state import State
from controlplane.state.mirror import Mirror
from controlplane.store import keys

log = structlog.get_logger("berth.lb")

Entry = tuple[str, str, int]  # (target group name, container name, container port)


def service_entries(service: types_pb2.Service) -> tuple[Entry, ...]:
    """The target groups a service's loadBalancers[] name, by name (malformed ARNs are skipped:
    they are validated on the way in)."""
    if service.status == "INACTIVE":
        return ()
    out = []
    for lb in service.load_balancers:
        resource = lb.target_group_arn.partition(":targetgroup/")[2]
        name = resource.split("/")[0]
        if name and lb.container_name:
            out.append((name, lb.container_name, lb.container_port))
    return tuple(out)


class Catalog:
    def __init__(self, state: State, *, clock: Callable[[], float] = time.time) -> None:
        self.state = state
        self.clock = clock
        store = state.store
        self.load_balancers = Mirror(store, keys.LB_LOADBALANCERS, elb_pb2.ElbLoadBalancer)
        self.target_groups = Mirror(store, keys.LB_TARGETGROUPS, elb_pb2.TargetGroup)
        self.listeners = Mirror(store, keys.LB_LISTENERS, elb_pb2.Listener)
        self.health = Mirror(store, keys.LB_HEALTH, elb_pb2.TargetHealthRecord)
        self.mirrors: list[Mirror] = [  # type: ignore[type-arg]
            self.load_balancers,
            self.target_groups,
            self.listeners,
            self.health,
        ]
        self._entries: dict[tuple[str, str], tuple[Entry, ...]] = {}  # (cluster, service) -> entries
        self._services_of: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)  # tg -> services
        self._groups_of: defaultdict[str, set[str]] = defaultdict(set)  # lb name -> tg names
        self._lbs_of: defaultdict[str, set[str]] = defaultdict(set)  # tg name -> lb names
        self._definition_facts: dict[str, tuple[str, bool]] = {}
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        # Told (cluster, service name) when a target of the service changes health: the service
        # scheduler plans the service again (ControlPlane.target_health_changed).
        self.on_health_change: Callable[[str, str], None] | None = None
        self.ready = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for mirror in self.mirrors:
                tg.create_task(mirror.run())
            for mirror in self.mirrors:
                await mirror.ready.wait()
            await self.state.ready()
            self._start()

    def _start(self) -> None:
        self.health.subscribe(self._on_health)
        self.listeners.subscribe(self._on_listener)
        self.load_balancers.subscribe(self._on_load_balancer)
        self.target_groups.subscribe(self._on_target_group)
        self.state.services.subscribe(self._on_service)
        self.state.tasks.subscribe(self._on_task)
        self.state.instances.subscribe(self._on_instance)
        for key, record in list(self.listeners.items.items()):
            self._on_listener(key, None, record.value)
        for key, svc in list(self.state.services.items.items()):
            self._on_service(key, None, svc.value)
        log.info("lb_catalog_ready", load_balancers=len(self.load_balancers.items))
        self.ready.set()

    def apply_local(self, key: str, value: object, revision: int) -> None:
        """Our own committed write: into the mirror it belongs to, now."""
        for mirror in self.mirrors:
            if key.startswith(mirror.prefix):
                mirror.apply_local(key, value, revision)  # type: ignore[arg-type]

    # -- change signals --------------------------------------------------------------------------

    def watch(self, lb_name: str) -> asyncio.Event:
        """An event set whenever the configuration of `lb_name` may have changed (clear it before
        reading the configuration; `unwatch` when done)."""
        event = asyncio.Event()
        self._waiters[lb_name].add(event)
        return event

    def unwatch(self, lb_name: str, event: asyncio.Event) -> None:
        waiters = self._waiters.get(lb_name)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                del self._waiters[lb_name]

    def _notify(self, lb_name: str) -> None:
        for event in self._waiters.get(lb_name, ()):
            event.set()

    def _notify_group(self, tg_name: str) -> None:
        for lb_name in self._lbs_of.get(tg_name, ()):
            self._notify(lb_name)

    def _on_load_balancer(
        self, key: str, old: elb_pb2.ElbLoadBalancer | None, new: elb_pb2.ElbLoadBalancer | None
    ) -> None:
        self._notify(key[len(keys.LB_LOADBALANCERS) :])

    def _on_target_group(
        self, key: str, old: elb_pb2.TargetGroup | None, new: elb_pb2.TargetGroup | None
    ) -> None:
        self._notify_group(key[len(keys.LB_TARGETGROUPS) :])

    def _on_health(
        self, key: str, old: elb_pb2.TargetHealthRecord | None, new: elb_pb2.TargetHealthRecord | None
    ) -> None:
        record = new or old
        if record is None or not record.task_arn or self.on_health_change is None:
            return
        if old is not None and new is not None and old.target_health.state == new.target_health.state:
            return
        _, _, resource = record.task_arn.partition(":task/")
        cluster, _, ident = resource.partition("/")
        task = self.state.tasks.get(keys.task(cluster, ident)) if ident else None
        if task is not None and task.service_name:
            self.on_health_change(cluster, task.service_name)

    def _on_listener(self, key: str, old: elb_pb2.Listener | None, new: elb_pb2.Listener | None) -> None:
        lb_name = key[len(keys.LB_LISTENERS) :].rpartition("/")[0]
        self._reindex_load_balancer(lb_name)
        self._notify(lb_name)

    def _reindex_load_balancer(self, lb_name: str) -> None:
        for tg_name in self._groups_of.pop(lb_name, set()):
            self._lbs_of[tg_name].discard(lb_name)
            if not self._lbs_of[tg_name]:
                del self._lbs_of[tg_name]
        groups = set()
        for listener in self.listeners.values(f"{keys.LB_LISTENERS}{lb_name}/"):
            for action in listener.default_actions:
                name = action.target_group_arn.partition(":targetgroup/")[2].split("/")[0]
                if name:
                    groups.add(name)
        if groups:
            self._groups_of[lb_name] = groups
            for tg_name in groups:
                self._lbs_of[tg_name].add(lb_name)

    def _on_service(self, key: str, old: types_pb2.Service | None, new: types_pb2.Service | None) -> None:
        ident = keys.split(key)
        entries = service_entries(new) if new is not None else ()
        before = self._entries.get(ident, ())
        if entries == before:
            return  # the controller rewrites services all the time; only loadBalancers[] matter here
        for name, _, _ in before:
            self._services_of[name].discard(ident)
            self._notify_group(name)
        if entries:
            self._entries[ident] = entries
        else:
            self._entries.pop(ident, None)
        for name, _, _ in entries:
            self._services_of[name].add(ident)
            self._notify_group(name)

    def _on_task(self, key: str, old: types_pb2.Task | None, new: types_pb2.Task | None) -> None:
        task = new if new is not None else old
        if task is None or not task.service_name:
            return
        for name, _, _ in self._entries.get((keys.split(key)[0], task.service_name), ()):
            self._notify_group(name)

    def _on_instance(
        self, key: str, old: types_pb2.ContainerInstance | None, new: types_pb2.ContainerInstance | None
    ) -> None:
        if old is not None and new is not None and old.host_address == new.host_address:
            return
        for lb_name in list(self._waiters):
            self._notify(lb_name)

    # -- queries ---------------------------------------------------------------------------------

    def load_balancer(self, name: str) -> elb_pb2.ElbLoadBalancer | None:
        return self.load_balancers.get(keys.lb_load_balancer(name))

    def target_group(self, name: str) -> elb_pb2.TargetGroup | None:
        return self.target_groups.get(keys.lb_target_group(name))

    def load_balancers_of(self, tg_name: str) -> list[str]:
        """The names of the load balancers whose listeners forward to a target group."""
        return sorted(self._lbs_of.get(tg_name, ()))

    def services_of(self, tg_name: str) -> list[tuple[str, str]]:
        """(cluster, service name) of the ECS services whose loadBalancers[] name a target group."""
        return sorted(self._services_of.get(tg_name, ()))

    def _facts(self, task: types_pb2.Task) -> TaskFacts:
        facts = self._definition_facts.get(task.task_definition_arn)
        if facts is None:
            family, _, revision = task.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")
            td = self.state.task_definitions.get(
                keys.task_definition(family, int(revision) if revision.isdigit() else 0)
            )
            if td is None:
                return TaskFacts()
            facts = self._definition_facts[task.task_definition_arn] = definition_facts(td)
        host = ""
        if facts[0] != "awsvpc" and task.container_instance_arn:
            cluster, ident = task.container_instance_arn.rsplit("/", 2)[-2:]
            instance = self.state.instances.get(keys.instance(cluster, ident))
            host = instance.host_address if instance is not None else ""
        return TaskFacts(network_mode=facts[0], has_health_check=facts[1], host_address=host)

    def _members(self, tg_name: str) -> list[tgt.Member]:
        out = []
        for cluster, service in self.services_of(tg_name):
            for name, container, port in self._entries.get((cluster, service), ()):
                if name != tg_name:
                    continue
                for task in self.state.service_tasks(cluster, service):
                    out.append(tgt.Member(task, self._facts(task), container, port))
        return out

    def _hosts(self, tg: elb_pb2.TargetGroup) -> dict[str, str]:
        if tg.target_type == "ip" or not tg.registered:
            return {}
        wanted = {t.id for t in tg.registered}
        return {
            i.container_instance_arn.rsplit("/", 1)[-1]: i.host_address
            for i in self.state.instances.values()
            if i.container_instance_arn.rsplit("/", 1)[-1] in wanted
        }

    def instance_known(self, ident: str) -> bool:
        return any(
            i.container_instance_arn.rsplit("/", 1)[-1] == ident for i in self.state.instances.values()
        )

    def targets(self, tg: elb_pb2.TargetGroup, now: float | None = None) -> list[elb_pb2.NodeTarget]:
        """The targets a target group has now."""
        now = self.clock() if now is None else now
        return tgt.node_targets(tg, self._members(tg.target_group_name), self._hosts(tg), now)

    def revision(self) -> int:
        mirrors = [*self.mirrors, self.state.tasks, self.state.services, self.state.instances]
        return max(m.revision for m in mirrors)

    def config(self, lb_name: str, now: float | None = None) -> elb_pb2.LoadBalancerConfig | None:
        """The whole configuration of a load balancer (None: there is none)."""
        lb = self.load_balancer(lb_name)
        if lb is None:
            return None
        now = self.clock() if now is None else now
        config = elb_pb2.LoadBalancerConfig(load_balancer=lb, revision=self.revision())
        listeners = self.listeners.values(f"{keys.LB_LISTENERS}{lb_name}/")
        config.listeners.extend(sorted(listeners, key=lambda x: x.port))
        for tg_name in sorted(self._groups_of.get(lb_name, ())):
            tg = self.target_group(tg_name)
            if tg is None:
                continue
            group = config.target_groups.add()
            group.target_group.CopyFrom(tg)
            group.target_group.ClearField("registered")
            del group.target_group.load_balancer_arns[:]
            group.target_group.load_balancer_arns.extend(self.load_balancer_arns(tg_name))
            group.targets.extend(tgt.node_targets(tg, self._members(tg_name), self._hosts(tg), now))
        return config

    def load_balancer_arns(self, tg_name: str) -> list[str]:
        out = []
        for name in self.load_balancers_of(tg_name):
            lb = self.load_balancer(name)
            if lb is not None:
                out.append(lb.load_balancer_arn)
        return out

    def records(self, tg: elb_pb2.TargetGroup) -> dict[tgt.Key, elb_pb2.TargetHealthRecord]:
        """The health records of a target group, by (target id, port); those left by an older
        target group of the same name are not its."""
        out = {}
        for record in self.health.values(f"{keys.LB_HEALTH}{tg.target_group_name}/"):
            if record.target_group_arn == tg.target_group_arn:
                out[(record.target.id, record.target.port)] = record
        return out

    def served_by(self, tg_name: str) -> str:
        """A berth-lb node serving a load balancer the target group is behind ("" none)."""
        for name in self.load_balancers_of(tg_name):
            lb = self.load_balancer(name)
            if lb is not None and lb.node_id:
                return lb.node_id
        return ""

    def describe_health(
        self, tg: elb_pb2.TargetGroup, wanted: list[elb_pb2.TargetDescription] | None = None
    ) -> list[elb_pb2.TargetHealthDescription]:
        name = tg.target_group_name
        return tgt.describe_health(
            tg,
            self.targets(tg),
            self.records(tg),
            attached=bool(self.load_balancers_of(name)),
            served_by=self.served_by(name),
            wanted=wanted or (),
        )

    # -- for the service scheduler (controlplane.lb is asked, never calls out) ---------------------

    def task_lb_health(self, task_arn: str) -> str | None:
        """ "initial" | "healthy" | "unhealthy" for a task behind load balancers; None when its
        service is in no target group (or the task is not known here)."""
        _, _, resource = task_arn.partition(":task/")
        cluster, _, ident = resource.partition("/")
        task = self.state.tasks.get(keys.task(cluster, ident)) if ident else None
        if task is None or not task.service_name:
            return None
        entries = self._entries.get((cluster, task.service_name), ())
        facts = self._facts(task)
        now = self.clock()
        groups = []
        records: dict[tuple[str, str, int], elb_pb2.TargetHealthRecord] = {}
        for name, container, port in entries:
            tg = self.target_group(name)
            if tg is None:
                continue
            target = tgt.task_target(tg, tgt.Member(task, facts, container, port), now)
            found = [target] if target is not None else []
            groups.append((tg, found))
            for t in found:
                record = self.health.get(keys.lb_health(name, t.id, t.port))
                if record is not None and record.target_group_arn == tg.target_group_arn:
                    records[(name, t.id, t.port)] = record
        return tgt.task_lb_health(task_arn, groups, records)

    def drain_seconds(self, service: types_pb2.Service) -> int:
        """How long a stopping task of the service drains (0: it is behind no target group)."""
        groups = {}
        for lb in service.load_balancers:
            name = lb.target_group_arn.partition(":targetgroup/")[2].split("/")[0]
            tg = self.target_group(name) if name else None
            if tg is not None and tg.target_group_arn == lb.target_group_arn:
                groups[lb.target_group_arn] = tg
        return tgt.drain_seconds(service, groups)
