"""What the console's pages show, shaped from described objects. Pure: no I/O, the clock is given.

The templates only lay these out; everything that needs a decision (a task's timing phases, a
deployment's rollout progress, a usage bar, a sparkline) is computed and tested here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from berth.cli.pool import resource
from berth.cli.ps import age, ports

__all__ = ["age", "ports", "resource"]


def short(arn: str, n: int = 12) -> str:
    """The id at the end of an ARN, cut to `n` characters (as `berth ps` prints it)."""
    return arn.rsplit("/", 1)[-1][:n]


def revision(arn: str) -> str:
    """`webapp:3` from a task definition ARN."""
    return arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Phase:
    name: str  # provisioning | pulling | starting | running | stopping
    start: float
    end: float
    ongoing: bool  # the task is in this phase now

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


def phases(task: Any, now: float) -> list[Phase]:
    """The phases a task went through, from its timestamps, in order; the last may be ongoing.

    provisioning: created until the image pull began (or the containers started, without a pull);
    pulling: the image pull; starting: pull done until RUNNING; running: until asked to stop;
    stopping: until the containers exited."""
    stopped = task.execution_stopped_at or task.stopped_at
    marks = [
        ("provisioning", task.created_at),
        ("pulling", task.pull_started_at),
        ("starting", task.pull_stopped_at),
        ("running", task.started_at),
        ("stopping", task.stopping_at),
    ]
    known = [(name, at) for name, at in marks if at]
    out: list[Phase] = []
    for i, (name, at) in enumerate(known):
        end = known[i + 1][1] if i + 1 < len(known) else (stopped or now)
        if name == "stopping" and not stopped:
            end = now
        ongoing = i + 1 == len(known) and not stopped and task.last_status != "STOPPED"
        out.append(Phase(name, at, max(at, end), ongoing))
    return out


@dataclass(frozen=True)
class Progress:
    running: int
    pending: int
    desired: int
    failed: int

    @property
    def percent(self) -> int:
        if self.desired <= 0:
            return 100 if self.running == 0 else 0
        return min(100, round(100 * self.running / self.desired))

    @property
    def pending_percent(self) -> int:
        if self.desired <= 0:
            return 0
        return min(100 - self.percent, round(100 * self.pending / self.desired))


def progress(deployment: Any) -> Progress:
    return Progress(
        running=deployment.running_count,
        pending=deployment.pending_count,
        desired=deployment.desired_count,
        failed=deployment.failed_tasks,
    )


def active_deployments(service: Any) -> list[Any]:
    """PRIMARY first, then the ACTIVE ones still draining, newest first."""
    active = [d for d in service.deployments if d.status != "INACTIVE"]
    return sorted(active, key=lambda d: (d.status != "PRIMARY", -d.created_at))


@dataclass(frozen=True)
class Usage:
    used: int
    total: int

    @property
    def percent(self) -> int:
        return 0 if self.total <= 0 else min(100, round(100 * self.used / self.total))


def usage(instance: Any, name: str) -> Usage:
    """How much of an instance's registered CPU or MEMORY is reserved by its tasks."""
    total = resource(instance, name, "registered_resources")
    return Usage(total - resource(instance, name), total)


SCALES = (5.0, 10.0, 25.0, 50.0, 100.0)


def scale(values: list[float | None]) -> float:
    """The top of a sparkline's axis: the smallest of SCALES that holds every value, or the peak
    (a task may use more CPU than it reserves), so that low usage is not a flat line."""
    peak = max([0.0, *(v for v in values if v is not None)])
    return next((s for s in SCALES if peak <= s), peak)


def sparkline(values: list[float | None], width: int = 160, height: int = 32) -> str:
    """SVG polyline points for `values` (percentages; None for a gap, drawn as 0) on a
    `width` x `height` box, newest at the right, from 0 to `scale(values)`."""
    if not values:
        return ""
    top = scale(values)
    step = width / max(1, len(values) - 1)
    points = []
    for i, v in enumerate(values):
        y = height - (height * (v or 0.0) / top)
        points.append(f"{i * step:.1f},{y:.1f}")
    return " ".join(points)


@dataclass(frozen=True)
class Sample:
    at: float
    cpu: float | None
    memory: float | None


class History:
    """The last `size` utilisation samples of each service, at most one per `every` seconds.

    The console fills it while someone looks at a service; it lives in this replica's memory.
    Services not sampled for `forget_after` seconds are dropped."""

    def __init__(self, size: int = 120, every: float = 5.0, forget_after: float = 1800.0) -> None:
        self.size = size
        self.every = every
        self.forget_after = forget_after
        self._samples: dict[str, deque[Sample]] = {}

    def due(self, key: str, now: float) -> bool:
        samples = self._samples.get(key)
        return not samples or now - samples[-1].at >= self.every

    def record(self, key: str, sample: Sample) -> None:
        for stale in [k for k, s in self._samples.items() if sample.at - s[-1].at > self.forget_after]:
            del self._samples[stale]
        self._samples.setdefault(key, deque(maxlen=self.size)).append(sample)

    def samples(self, key: str) -> list[Sample]:
        return list(self._samples.get(key, ()))


def event_line(event: Any) -> dict[str, str]:
    """One event as the events page lists it: what changed and to what."""
    kind = event.type
    what, text = "", ""
    if event.HasField("task"):
        t = event.task
        what = f"task {short(t.task_arn)} ({revision(t.task_definition_arn)})"
        text = t.last_status
        if t.last_status == "STOPPED" and t.stopped_reason:
            text += f": {t.stopped_reason}"
    elif event.HasField("container_instance"):
        i = event.container_instance
        what = f"instance {i.ec2_instance_id or short(i.container_instance_arn)}"
        text = f"{i.status}, agent {'connected' if i.agent_connected else 'disconnected'}"
    elif event.HasField("service_action"):
        a = event.service_action
        what = f"service {short(event.resources[0], 64) if event.resources else ''}"
        text = a.message or a.event_name + (f": {a.reason}" if a.reason else "")
    elif event.HasField("deployment_state_change"):
        d = event.deployment_state_change
        what = f"deployment {d.deployment_id}"
        text = d.event_name + (f": {d.reason}" if d.reason else "")
    elif event.HasField("exec_session"):
        x = event.exec_session
        what = f"exec in task {short(x.task_arn)} ({x.container_name})"
        text = f"{x.status}: {x.command} by {x.principal}"
    return {"id": event.id, "type": kind, "cluster": event.cluster, "what": what, "text": text}
