"""State: the mirrors of tasks, container instances, allocations and agent liveness, with the
indexes the scheduler and the agent sessions need, kept up to date by etcd watches."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TypeVar

from google.protobuf.message import Message

from berth import taskstatus
from berth.v1 import store_pb2, types_pb2
from controlplane.scheduler import Instance
from controlplane.state.mirror import Mirror, MirrorSet
from controlplane.store import EtcdStore, Versioned, keys

M = TypeVar("M", bound=Message)


def resource(instance: types_pb2.ContainerInstance, name: str) -> types_pb2.Resource | None:
    for r in instance.registered_resources:
        if r.name == name:
            return r
    return None


def registered_int(instance: types_pb2.ContainerInstance, name: str) -> int:
    r = resource(instance, name)
    return int(r.integer_value) if r is not None else 0


def registered_ports(instance: types_pb2.ContainerInstance, name: str) -> frozenset[int]:
    r = resource(instance, name)
    return frozenset(int(p) for p in r.string_set_value) if r is not None else frozenset()


def instance_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def live(task: types_pb2.Task) -> bool:
    """A task that holds (or will hold) resources on its instance."""
    return task.last_status != "STOPPED"


class State(MirrorSet):
    def __init__(self, store: EtcdStore) -> None:
        self.store = store
        self.tasks = Mirror(store, keys.TASKS, types_pb2.Task)
        self.instances = Mirror(store, keys.INSTANCES, types_pb2.ContainerInstance)
        self.allocations = Mirror(store, keys.ALLOCATIONS, store_pb2.InstanceAllocation)
        self.liveness = Mirror(store, keys.LIVENESS, store_pb2.AgentLiveness)
        self.services = Mirror(store, keys.SERVICES, types_pb2.Service)
        # Task definitions are read far more than written: describes are served from memory.
        self.task_definitions = Mirror(store, keys.TASK_DEFINITIONS, types_pb2.TaskDefinition)
        self.families = Mirror(store, keys.FAMILIES, store_pb2.TaskDefinitionFamily)
        self.mirrors: list[Mirror] = [  # type: ignore[type-arg]
            self.tasks,
            self.instances,
            self.allocations,
            self.liveness,
            self.services,
            self.task_definitions,
            self.families,
        ]
        # instance ARN -> keys of its tasks (any status); (cluster, service name) -> keys of its tasks
        self.tasks_by_instance: defaultdict[str, set[str]] = defaultdict(set)
        self.tasks_by_service: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self.tasks.subscribe(self._index_task)
        # instance ARN -> a counter bumped on every change of its tasks; views cached against it
        self._task_versions: defaultdict[str, int] = defaultdict(int)
        self._views: dict[str, tuple[tuple[int, int, bool, int], Instance]] = {}
        self.instances.subscribe(self._forget_view)
        # family -> its revisions present in the mirror, ascending
        self.revisions: defaultdict[str, list[int]] = defaultdict(list)
        self.task_definitions.subscribe(self._index_revision)

    def _forget_view(
        self, key: str, old: types_pb2.ContainerInstance | None, new: types_pb2.ContainerInstance | None
    ) -> None:
        if new is None:
            self._views.pop(key, None)

    def _index_revision(
        self, key: str, old: types_pb2.TaskDefinition | None, new: types_pb2.TaskDefinition | None
    ) -> None:
        family, _, number = key[len(keys.TASK_DEFINITIONS) :].rpartition("/")
        revisions = self.revisions[family]
        revision = int(number)
        if new is None:
            if revision in revisions:
                revisions.remove(revision)
        elif old is None and revision not in revisions:
            bisect.insort(revisions, revision)

    def latest_active(self, family: str) -> Versioned[types_pb2.TaskDefinition] | None:
        """The newest ACTIVE revision of a family in the mirror (None: not known here)."""
        for revision in reversed(self.revisions.get(family, ())):
            record = self.task_definitions.items.get(keys.task_definition(family, revision))
            if record is not None and record.value.status == "ACTIVE":
                return record
        return None

    def _index_task(self, key: str, old: types_pb2.Task | None, new: types_pb2.Task | None) -> None:
        cluster = key.split("/", 2)[1]
        for task in (old, new):
            if task is not None and task.container_instance_arn:
                self._task_versions[task.container_instance_arn] += 1
        if old is not None:
            if old.container_instance_arn:
                self.tasks_by_instance[old.container_instance_arn].discard(key)
            if old.service_name:
                self.tasks_by_service[(cluster, old.service_name)].discard(key)
        if new is not None:
            if new.container_instance_arn:
                self.tasks_by_instance[new.container_instance_arn].add(key)
            if new.service_name:
                self.tasks_by_service[(cluster, new.service_name)].add(key)

    async def refresh_cluster(self, cluster: str, *, all_tasks: bool = False) -> None:
        """Re-read a cluster's instances, allocations and tasks from etcd (after a lost race).

        A pool's tasks live in their users' clusters: `all_tasks` re-reads every task.
        """
        await self._refresh(self.instances, keys.instances_of(cluster))
        await self._refresh(self.allocations, f"{keys.ALLOCATIONS}{cluster}/")
        await self._refresh(self.tasks, keys.TASKS if all_tasks else keys.tasks_of(cluster))

    async def _refresh(self, mirror: Mirror[M], prefix: str) -> None:
        records, revision = await self.store.snapshot(prefix, mirror.cls)
        mirror.merge(prefix, records, revision)

    async def editable(self, mirror: Mirror[M], key: str, *, fresh: bool = False) -> Versioned[M] | None:
        """A record to change and write back with a CAS on its revision: a copy of the mirror's
        (no round trip), or etcd's when `fresh` (after a lost race) or the mirror lacks it."""
        known = None if fresh else mirror.items.get(key)
        if known is None:
            return await self.store.get(key, mirror.cls)
        value = mirror.cls()
        value.CopyFrom(known.value)
        return replace(known, value=value)

    def connected(self, cluster: str, instance: str) -> bool:
        return keys.liveness(cluster, instance) in self.liveness.items

    def _tasks(self, task_keys: set[str] | None) -> list[types_pb2.Task]:
        return [t for t in (self.tasks.get(k) for k in task_keys or ()) if t is not None]

    def instance_tasks(self, instance_arn: str) -> list[types_pb2.Task]:
        return self._tasks(self.tasks_by_instance.get(instance_arn))

    def service_tasks(self, cluster: str, service: str) -> list[types_pb2.Task]:
        """Every task of a service still in etcd, stopped ones included."""
        return self._tasks(self.tasks_by_service.get((cluster, service)))

    def cluster_instances(self, cluster: str) -> list[types_pb2.ContainerInstance]:
        prefix = keys.instances_of(cluster)
        return [r.value for k, r in self.instances.items.items() if k.startswith(prefix)]

    def remaining(
        self, cluster: str, instance: types_pb2.ContainerInstance
    ) -> tuple[int, int, frozenset[int], frozenset[int]]:
        """cpu, memory, used tcp ports, used udp ports of an instance after its allocations."""
        ident = instance_id(instance.container_instance_arn)
        alloc = self.allocations.get(keys.allocation(cluster, ident))
        cpu, memory = registered_int(instance, "CPU"), registered_int(instance, "MEMORY")
        tcp, udp = set(registered_ports(instance, "PORTS")), set(registered_ports(instance, "PORTS_UDP"))
        if alloc is not None:
            for r in alloc.tasks.values():
                cpu -= r.cpu
                memory -= r.memory
                tcp.update(r.ports_tcp)
                udp.update(r.ports_udp)
        return cpu, memory, frozenset(tcp), frozenset(udp)

    def instance_view(self, cluster: str, instance: types_pb2.ContainerInstance) -> Instance:
        """The instance as placement sees it. Views of the mirror's records are cached until the
        instance, its allocation, its liveness or any of its tasks change (a service of 10,000
        tasks is planned over all instances every pass)."""
        ident = instance_id(instance.container_instance_arn)
        key = keys.instance(cluster, ident)
        record = self.instances.items.get(key)
        if record is None or record.value is not instance:
            return self._instance_view(cluster, instance)
        alloc = self.allocations.items.get(keys.allocation(cluster, ident))
        stamp = (
            record.mod_revision,
            alloc.mod_revision if alloc is not None else 0,
            self.connected(cluster, ident),
            self._task_versions[instance.container_instance_arn],
        )
        cached = self._views.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        view = self._instance_view(cluster, instance)
        self._views[key] = (stamp, view)
        return view

    def _instance_view(self, cluster: str, instance: types_pb2.ContainerInstance) -> Instance:
        ident = instance_id(instance.container_instance_arn)
        cpu, memory, tcp, udp = self.remaining(cluster, instance)
        tasks = [t for t in self.instance_tasks(instance.container_instance_arn) if live(t)]
        groups = Counter(t.group for t in tasks)
        return Instance(
            id=ident,
            arn=instance.container_instance_arn,
            status=instance.status,
            agent_connected=self.connected(cluster, ident),
            attributes={a.name: (a.value if a.value else None) for a in instance.attributes},
            remaining_cpu=cpu,
            remaining_memory=memory,
            used_ports_tcp=tcp,
            used_ports_udp=udp,
            running_tasks_count=sum(1 for t in tasks if t.desired_status == "RUNNING"),
            registered_at=instance.registered_at,
            task_groups=dict(groups),
            ec2_instance_id=instance.ec2_instance_id,
            agent_version=instance.version_info.agent_version,
        )

    def instance_views(self, cluster: str) -> list[Instance]:
        return [self.instance_view(cluster, i) for i in self.cluster_instances(cluster)]

    def counts(self, instance_arn: str) -> tuple[int, int]:
        """(running, pending) task counts of an instance, as ECS reports them."""
        tasks = self.instance_tasks(instance_arn)
        running = sum(1 for t in tasks if t.last_status == "RUNNING" and t.desired_status == "RUNNING")
        pending = sum(
            1 for t in tasks if t.last_status in taskstatus.PENDING_STATES and t.desired_status == "RUNNING"
        )
        return running, pending
