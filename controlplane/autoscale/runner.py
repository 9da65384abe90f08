"""The Autoscaler: the leader's loop that applies scheduled actions and scaling policies.

Every `interval` seconds (default 5) it reads the scalable targets, policies and scheduled
actions from etcd and, for each target whose service is ACTIVE:
1. applies the scheduled actions that are due (new MinCapacity/MaxCapacity on the target, CAS);
2. takes a reading of each policy's metric: the service's CPU or memory utilisation from the
   agents' stats (`controlplane.utilization`, what GetServiceUtilization answers), or a PromQL
   query against `--prometheus-url` (step policies, ALBRequestCountPerTarget), and keeps the last
   readings in memory;
3. asks `decide()` for a new desired count and, if there is one, sets it through UpdateService
   (the same CAS path a user's call takes), then records the scaling activity in etcd (which the
   event stream turns into an "Application Auto Scaling Scaling Activity" event).

History lives in memory: a new leader starts with none, so it cannot scale in before it has
taken SCALE_IN_SAMPLES readings; the last scaling times come from the stored activities.
An unexpected error while handling one target is logged and that target skipped for the tick, so
one bad record cannot stop the others (or the leader's other controllers).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
from prometheus_client import Counter

from berth.errors import BerthError, Conflict
from berth.v1 import autoscaling_pb2 as pb
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.api.context import CallContext
from controlplane.auth import Principal
from controlplane.autoscale import decide, records, schedule
from controlplane.lb.targets import label_backend
from controlplane.state.cluster_state import State
from controlplane.store import Delete, EtcdStore, Put, Versioned, keys
from controlplane.utilization import ServiceUsage, UtilizationStore

log = structlog.get_logger("berth.autoscale")

HISTORY = 30  # readings kept per policy
PRINCIPAL = Principal("application-autoscaling", kind="service")

ACTIVITIES = Counter(
    "berth_autoscaling_activities_total",
    "Scaling activities that changed a service's desiredCount, by direction (out, in).",
    ["direction"],
)
METRIC_ERRORS = Counter(
    "berth_autoscaling_metric_errors_total",
    "Prometheus queries of scaling policies that failed (the policy had no reading that time).",
)

UpdateService = Callable[[ecs.UpdateServiceRequest, CallContext], Awaitable[Any]]


class Prometheus:
    """Instant queries against the Prometheus HTTP API (`/api/v1/query`)."""

    def __init__(self, url: str, timeout: float = 3.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def query(self, promql: str) -> list[float]:
        """The values of the result's series (a scalar is one value); [] when there are none."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        async with self._session.get(f"{self.url}/api/v1/query", params={"query": promql}) as resp:
            body = await resp.json(content_type=None)
        if body.get("status") != "success":
            raise ValueError(f"Prometheus refused the query: {body.get('error', body)}")
        data = body["data"]
        if data["resultType"] == "scalar":
            return [float(data["result"][1])]
        if data["resultType"] != "vector":
            raise ValueError(f"the query gives a {data['resultType']}, not an instant vector or a scalar")
        return [float(series["value"][1]) for series in data["result"]]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass
class Readings:
    samples: deque[decide.Sample]

    def add(self, reading: list[decide.Sample]) -> None:
        """One reading (a PromQL query's series share its time); a repeat of the last is dropped."""
        if reading and (not self.samples or reading[0].at > self.samples[-1].at):
            self.samples.extend(reading)


class Autoscaler:
    def __init__(
        self,
        store: EtcdStore,
        state: State,
        utilization: UtilizationStore,
        update_service: UpdateService,
        *,
        interval: float = 5.0,
        prometheus_url: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.state = state
        self.utilization = utilization
        self.update_service = update_service
        self.interval = interval
        self.prometheus = Prometheus(prometheus_url) if prometheus_url else None
        self.clock = clock
        self.readings: dict[str, Readings] = {}  # policy key -> readings
        self.last: dict[str, decide.LastScaling] = {}  # target key -> last scaling times
        self._warned: dict[str, float] = {}

    async def run(self) -> None:
        try:
            while True:
                started = time.monotonic()
                try:
                    await self.tick()
                except BerthError as e:  # etcd unreachable: try again next time
                    log.warning("autoscale_tick_failed", error=str(e))
                await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - started)))
        finally:
            if self.prometheus is not None:
                await self.prometheus.close()

    async def tick(self) -> None:
        targets, _ = await self.store.snapshot(records.TARGETS, pb.ScalableTarget)
        if not targets:
            return
        policies, _ = await self.store.snapshot(records.POLICIES, pb.ScalingPolicy)
        actions, _ = await self.store.snapshot(records.SCHEDULED, pb.ScheduledAction)
        now = self.clock()
        usage = self.utilization.by_service(now)
        by_target: dict[tuple[str, str], list[Versioned[pb.ScalingPolicy]]] = {}
        for p in policies:
            by_target.setdefault(records.resource_of(p.key, records.POLICIES), []).append(p)
        scheduled: dict[tuple[str, str], list[Versioned[pb.ScheduledAction]]] = {}
        for a in actions:
            scheduled.setdefault(records.resource_of(a.key, records.SCHEDULED), []).append(a)
        live = {p.key for p in policies}
        for key in [k for k in self.readings if k not in live]:
            del self.readings[key]
        for target in targets:
            resource = records.resource_of(target.key, records.TARGETS)
            try:
                await self._scale(
                    target, scheduled.get(resource, []), by_target.get(resource, []), usage, now
                )
            except Conflict as e:  # somebody else changed it meanwhile: next tick sees the new state
                log.info("autoscale_conflict", target=target.value.resource_id, error=str(e))
            except BerthError:
                raise
            except Exception:
                # A bug tied to one target's records must not stop the others' scaling, nor (by
                # crashing the leader's task group) the service controller: logged, skipped.
                log.exception("autoscale_target_failed", target=target.value.resource_id)

    async def _scale(
        self,
        target: Versioned[pb.ScalableTarget],
        actions: list[Versioned[pb.ScheduledAction]],
        policies: list[Versioned[pb.ScalingPolicy]],
        usage: dict[tuple[str, str], ServiceUsage],
        now: float,
    ) -> None:
        cluster, name = records.resource_of(target.key, records.TARGETS)
        service = self.state.services.get(keys.service(cluster, name))
        if service is None or service.status != "ACTIVE" or service.scheduling_strategy == "DAEMON":
            return
        t = target.value
        suspended = t.suspended_state
        causes: list[str] = []
        if actions and not suspended.scheduled_scaling_suspended:
            target, causes = await self._scheduled(target, actions, now)
            t = target.value
        last = await self._last(target.key, cluster, name)
        histories: dict[str, Sequence[decide.Sample]] = {}
        pure: list[decide.Policy] = []
        for p in policies:
            policy = records.policy_of(p.value)
            pure.append(policy)
            readings = self.readings.setdefault(p.key, Readings(deque(maxlen=HISTORY)))
            readings.add(
                await self._read(p.value, policy, usage.get((cluster, name)), service.running_count, now)
            )
            histories[policy.name] = list(readings.samples)
        capacity = decide.Capacity(
            t.min_capacity, t.max_capacity, service.desired_count, service.running_count
        )
        decision = decide.decide(
            histories,
            pure,
            capacity,
            last,
            now,
            scale_out_suspended=suspended.dynamic_scaling_out_suspended,
            scale_in_suspended=suspended.dynamic_scaling_in_suspended,
        )
        log.debug(
            "autoscale_evaluated",
            target=t.resource_id,
            desired=service.desired_count,
            latest={k: v[-1] for k, v in histories.items() if v},
            samples={k: len(v) for k, v in histories.items()},
            last=last,
            decision=decision,
        )
        if decision is None:
            return
        if causes:
            decision = decide.Decision(decision.desired, "; ".join([*causes, decision.cause]))
        await self._apply(target, cluster, name, service.desired_count, decision, now)

    async def _scheduled(
        self, target: Versioned[pb.ScalableTarget], actions: list[Versioned[pb.ScheduledAction]], now: float
    ) -> tuple[Versioned[pb.ScalableTarget], list[str]]:
        """Apply the due scheduled actions to the target's range; (the target now, what was done)."""
        causes = []
        for a in sorted(actions, key=lambda a: a.value.scheduled_action_name):
            action = a.value
            try:
                tz = schedule.timezone(action.timezone)
                fire = schedule.due(
                    schedule.parse(action.schedule),
                    since=max(action.last_run_time, action.creation_time),
                    now=now,
                    tz=tz,
                    start_time=action.start_time,
                    end_time=action.end_time,
                    anchor=action.start_time or action.creation_time,
                )
            except ValueError as e:  # validated when written; a record from elsewhere may not be
                log.warning("scheduled_action_invalid", action=action.scheduled_action_name, error=str(e))
                continue
            if fire is None:
                continue
            new = pb.ScalableTarget()
            new.CopyFrom(target.value)
            wanted = action.scalable_target_action
            if wanted.HasField("min_capacity"):
                new.min_capacity = wanted.min_capacity
            if wanted.HasField("max_capacity"):
                new.max_capacity = wanted.max_capacity
            if new.min_capacity > new.max_capacity:  # one bound given: the other follows, as AWS does
                if wanted.HasField("min_capacity"):
                    new.max_capacity = new.min_capacity
                else:
                    new.min_capacity = new.max_capacity
            ran = pb.ScheduledAction()
            ran.CopyFrom(action)
            ran.last_run_time = now
            revision = await self.store.commit(
                Put(target.key, new, target.mod_revision), Put(a.key, ran, a.mod_revision)
            )
            target = Versioned(target.key, new, revision, target.create_revision)
            causes.append(
                f"scheduled action {action.scheduled_action_name} ({action.schedule}) set min capacity "
                f"{new.min_capacity} and max capacity {new.max_capacity}"
            )
            log.info(
                "scheduled_action_applied",
                action=action.scheduled_action_name,
                target=new.resource_id,
                min=new.min_capacity,
                max=new.max_capacity,
            )
        return target, causes

    async def _read(
        self,
        record: pb.ScalingPolicy,
        policy: decide.Policy,
        usage: ServiceUsage | None,
        running: int,
        now: float,
    ) -> list[decide.Sample]:
        """This tick's reading of the policy's metric (empty: none new)."""
        if isinstance(policy, decide.TargetTracking):
            if policy.metric == decide.REQUESTS:
                spec = record.target_tracking_scaling_policy_configuration.predefined_metric_specification
                backend = label_backend(spec.resource_label)  # the HAProxy backend of the target group
                values = await self._query(
                    record, f'sum(rate(haproxy_backend_http_requests_total{{proxy="{backend}"}}[1m])) * 60'
                )
                if not values or running <= 0:
                    return []
                return [decide.Sample(now, sum(values) / running, running)]
            if usage is None:
                return []
            value = usage.cpu_percent if policy.metric == decide.CPU else usage.memory_percent
            if value is None:
                return []
            return [decide.Sample(usage.sampled_at, value, usage.task_count)]
        values = await self._query(record, record.step_scaling_policy_configuration.metric.query)
        return [decide.Sample(now, v) for v in values]

    async def _query(self, record: pb.ScalingPolicy, promql: str) -> list[float]:
        if self.prometheus is None:
            self._warn(record.policy_arn, "autoscale_no_prometheus", "no --prometheus-url configured")
            return []
        try:
            return await self.prometheus.query(promql)
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, TypeError, IndexError) as e:
            self._warn(record.policy_arn, "autoscale_metric_unavailable", f"{type(e).__name__}: {e}")
            METRIC_ERRORS.inc()
            return []

    def _warn(self, key: str, event: str, error: str) -> None:
        now = time.monotonic()
        if now - self._warned.get(key, float("-inf")) > 60:
            self._warned[key] = now
            log.warning(event, policy=key, error=error)

    async def _last(self, target_key: str, cluster: str, service: str) -> decide.LastScaling:
        """The target's last scale-out and scale-in times, from the stored activities the first time."""
        if target_key not in self.last:
            found, _ = await self.store.list(
                records.activities_of(cluster, service), pb.ScalingActivity, limit=50, reverse=True
            )
            out = into = 0.0
            for a in found:
                if a.value.status_code != "Successful":
                    continue
                direction = a.value.details.partition(" ")[0]
                if direction == "out" and not out:
                    out = a.value.start_time
                if direction == "in" and not into:
                    into = a.value.start_time
            self.last[target_key] = decide.LastScaling(out, into)
        return self.last[target_key]

    async def _apply(
        self,
        target: Versioned[pb.ScalableTarget],
        cluster: str,
        service: str,
        current: int,
        decision: decide.Decision,
        now: float,
    ) -> None:
        direction = decision.direction(current)
        activity = pb.ScalingActivity(
            activity_id=str(uuid.uuid4()),
            service_namespace=records.NAMESPACE,
            resource_id=target.value.resource_id,
            scalable_dimension=records.DIMENSION,
            description=decide.description(decision.desired),
            cause=decision.cause,
            start_time=now,
            details=f"{direction} {current} -> {decision.desired}",
        )
        ctx = CallContext(
            request_id=f"autoscale-{activity.activity_id}", principal=PRINCIPAL, method="autoscale"
        )
        try:
            await self.update_service(
                ecs.UpdateServiceRequest(cluster=cluster, service=service, desired_count=decision.desired),
                ctx,
            )
            activity.status_code = "Successful"
            activity.status_message = decide.status_message(decision.desired)
            last = self.last.get(target.key, decide.LastScaling())
            self.last[target.key] = (
                decide.LastScaling(now, last.scale_in)
                if direction == "out"
                else decide.LastScaling(last.scale_out, now)
            )
            ACTIVITIES.labels(direction).inc()
        except BerthError as e:
            activity.status_code = "Failed"
            activity.status_message = f"Failed to set desired count to {decision.desired}. {e.message}"
        activity.end_time = self.clock()
        log.info(
            "scaling_activity",
            target=target.value.resource_id,
            desired=decision.desired,
            previous=current,
            status=activity.status_code,
            cause=decision.cause,
        )
        await self._record(cluster, service, activity)

    async def _record(self, cluster: str, service: str, activity: pb.ScalingActivity) -> None:
        key = records.activity_key(cluster, service, activity.start_time, activity.activity_id[:8])
        try:
            await self.store.commit(Put(key, activity, 0))
            old, _ = await self.store.list(
                records.activities_of(cluster, service), pb.ScalingActivity, limit=records.MAX_ACTIVITIES + 20
            )
            surplus = old[: max(0, len(old) - records.MAX_ACTIVITIES)]
            if surplus:
                await self.store.commit(*(Delete(r.key, r.mod_revision) for r in surplus))
        except BerthError as e:  # the count itself was set; only the record is lost
            log.warning("scaling_activity_not_recorded", error=str(e))
