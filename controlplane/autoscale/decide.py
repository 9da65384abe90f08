"""Pure scaling decisions: (metric history, policy, capacity, last scaling times, now) -> a new
desired count and the cause, in words, or None to leave the service as it is.

Target tracking (AWS semantics, made quicker and steadier):
- The metric is an average over the service's sampled tasks (CPU or memory utilisation, requests
  per target), so the load is `tasks x metric` and the count that brings the metric to the target
  is `ceil(tasks x metric / target)`. The count comes from the tasks that were sampled, not from
  desiredCount: tasks still starting have no load yet and must not be counted twice.
- Scale out fast: one sample over the target (by more than TOLERANCE) is enough. Within the
  scale-out cooldown a further scale-out waits until every task of the previous one reports (the
  sample covers at least desiredCount tasks): the data must include what was already added.
- Scale in slowly: only when the last SCALE_IN_SAMPLES samples taken since the last scaling
  activity are all below the target by SCALE_IN_MARGIN, once the scale-in cooldown after the last
  activity (in or out) has passed, every running task reports, and never by more than half at once.
  It scales in to the count that keeps the highest of those loads at most (1 - margin) x target,
  so the metric lands below the scale-out threshold: no flapping between two counts.
- DisableScaleIn: never scales in.

Step scaling: the metric (a PromQL query in berth, a CloudWatch alarm in AWS) is aggregated over
the series of the latest reading (Average, Minimum or Maximum); the step whose interval holds
`value - threshold` gives the adjustment (ChangeInCapacity, PercentChangeInCapacity with
MinAdjustmentMagnitude, or ExactCapacity). No step matches: no action. Nothing happens within
the policy's cooldown after the target's last scaling activity.

Several policies on one target: scale out if any asks for it (the largest count wins); scale in
only if every policy asks for it (the largest of their counts). The result is always clamped to
[MinCapacity, MaxCapacity], and a desiredCount outside that range is brought back into it first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TOLERANCE = 0.02  # a metric within 2 % over the target is on target
SCALE_IN_MARGIN = 0.10  # scale in only below 90 % of the target, and aim for it
SCALE_IN_SAMPLES = 3
STALE_SECONDS = 60.0  # an older sample is no data
MAX_SCALE_IN_FRACTION = 0.5

CPU = "ECSServiceAverageCPUUtilization"
MEMORY = "ECSServiceAverageMemoryUtilization"
REQUESTS = "ALBRequestCountPerTarget"
PREDEFINED = (CPU, MEMORY, REQUESTS)

CHANGE = "ChangeInCapacity"
PERCENT = "PercentChangeInCapacity"
EXACT = "ExactCapacity"
ADJUSTMENT_TYPES = (CHANGE, PERCENT, EXACT)
AGGREGATIONS = ("Average", "Minimum", "Maximum")


@dataclass(frozen=True)
class Sample:
    """One reading of a metric: `value` averaged over `tasks` tasks (for a PromQL series, tasks is 0)."""

    at: float
    value: float
    tasks: int = 0


@dataclass(frozen=True)
class Capacity:
    minimum: int
    maximum: int
    desired: int
    running: int | None = None  # the service's runningCount (None: as desired)

    @property
    def reporting(self) -> int:
        """How many tasks a complete sample covers: the desired ones that run."""
        return self.desired if self.running is None else min(self.desired, self.running)


@dataclass(frozen=True)
class LastScaling:
    """When the target was last scaled out and in (0: never)."""

    scale_out: float = 0.0
    scale_in: float = 0.0

    @property
    def any(self) -> float:
        return max(self.scale_out, self.scale_in)


@dataclass(frozen=True)
class TargetTracking:
    name: str
    metric: str
    target: float
    scale_out_cooldown: float = 300.0
    scale_in_cooldown: float = 300.0
    disable_scale_in: bool = False


@dataclass(frozen=True)
class Step:
    lower: float | None
    upper: float | None
    adjustment: int

    def holds(self, x: float) -> bool:
        return (self.lower is None or x >= self.lower) and (self.upper is None or x < self.upper)


@dataclass(frozen=True)
class StepScaling:
    name: str
    threshold: float
    steps: tuple[Step, ...]
    adjustment_type: str = CHANGE
    cooldown: float = 300.0
    aggregation: str = "Average"
    min_adjustment_magnitude: int | None = None


Policy = TargetTracking | StepScaling


@dataclass(frozen=True)
class Decision:
    desired: int
    cause: str

    def direction(self, current: int) -> str:
        return "out" if self.desired > current else "in" if self.desired < current else "none"


def clamp(n: int, capacity: Capacity) -> int:
    return max(capacity.minimum, min(capacity.maximum, n))


def within_range(capacity: Capacity) -> Decision | None:
    """desiredCount brought back into [min, max] (after a new range, or a manual change)."""
    if capacity.desired < capacity.minimum:
        return Decision(
            capacity.minimum, f"minimum capacity {capacity.minimum} is above desired count {capacity.desired}"
        )
    if capacity.desired > capacity.maximum:
        return Decision(
            capacity.maximum, f"maximum capacity {capacity.maximum} is below desired count {capacity.desired}"
        )
    return None


def _fmt(x: float) -> str:
    return f"{x:.1f}" if abs(x) < 1e6 else f"{x:.3g}"


def _capped(wanted: int, capacity: Capacity) -> tuple[int, str]:
    got = clamp(wanted, capacity)
    if got < wanted:
        return got, f", capped at maximum capacity {capacity.maximum}"
    if got > wanted:
        return got, f", held at minimum capacity {capacity.minimum}"
    return got, ""


def track_target(
    samples: Sequence[Sample], policy: TargetTracking, capacity: Capacity, last: LastScaling, now: float
) -> Decision | None:
    """One target tracking policy's decision (`samples` oldest first)."""
    fresh = [s for s in samples if now - s.at <= STALE_SECONDS and s.tasks > 0]
    if not fresh or policy.target <= 0:
        return None
    latest = fresh[-1]
    desired = capacity.desired
    metric = f"{policy.metric} {_fmt(latest.value)} over {latest.tasks} task(s), target {_fmt(policy.target)}"

    over = latest.tasks * latest.value / (policy.target * (1 + TOLERANCE))
    if math.ceil(over) > desired:
        if desired >= capacity.maximum:
            return None
        in_cooldown = now - last.scale_out < policy.scale_out_cooldown
        if in_cooldown and latest.tasks < desired:  # the previous scale-out is not in the data yet
            return None
        exact = math.ceil(latest.tasks * latest.value / policy.target)
        new, note = _capped(exact, capacity)
        return Decision(
            new,
            f"policy {policy.name}: {metric}: needs {exact} task(s) "
            f"(ceil({latest.tasks} x {_fmt(latest.value)} / {_fmt(policy.target)})){note}",
        )

    if policy.disable_scale_in or desired <= capacity.minimum:
        return None
    if now - last.any < policy.scale_in_cooldown:
        return None
    since = [s for s in fresh if s.at > last.any]
    window = since[-SCALE_IN_SAMPLES:]
    low = policy.target * (1 - SCALE_IN_MARGIN)
    if len(window) < SCALE_IN_SAMPLES or any(s.value >= low for s in window):
        return None
    if latest.tasks < capacity.reporting:  # a running task that does not report yet may carry load
        return None
    peak = max(s.tasks * s.value for s in window)
    wanted = math.ceil(peak / low) if peak > 0 else 0
    floor = desired - max(1, math.floor(desired * MAX_SCALE_IN_FRACTION))
    step_note = ""
    if wanted < floor:
        wanted, step_note = floor, f", at most {desired - floor} at once"
    new, note = _capped(wanted, capacity)
    if new >= desired:
        return None
    return Decision(
        new,
        f"policy {policy.name}: {policy.metric} below {_fmt(low)} for the last {len(window)} samples "
        f"(latest {_fmt(latest.value)} over {latest.tasks} task(s), target {_fmt(policy.target)}); "
        f"the highest load needs {math.ceil(peak / low) if peak > 0 else 0} task(s){step_note}{note}",
    )


def aggregate(values: Sequence[float], how: str) -> float:
    if how == "Minimum":
        return min(values)
    if how == "Maximum":
        return max(values)
    return sum(values) / len(values)


def _percent_change(desired: int, percent: int, magnitude: int | None) -> int:
    change = desired * percent / 100
    if 0 < change < 1:
        step = 1
    elif -1 < change < 0:
        step = -1
    else:
        step = math.trunc(change)
    if magnitude is not None and 0 < abs(step) < magnitude:
        step = magnitude if step > 0 else -magnitude
    return desired + step


def step_scale(
    samples: Sequence[Sample], policy: StepScaling, capacity: Capacity, last: LastScaling, now: float
) -> Decision | None:
    """One step scaling policy's decision (`samples` oldest first; the latest reading's series are
    the samples sharing the newest time)."""
    if not samples or now - samples[-1].at > STALE_SECONDS:
        return None
    if now - last.any < policy.cooldown:
        return None
    newest = samples[-1].at
    value = aggregate([s.value for s in samples if s.at == newest], policy.aggregation)
    diff = value - policy.threshold
    step = next((s for s in policy.steps if s.holds(diff)), None)
    if step is None:
        return None
    desired = capacity.desired
    if policy.adjustment_type == EXACT:
        wanted = step.adjustment
    elif policy.adjustment_type == PERCENT:
        wanted = _percent_change(desired, step.adjustment, policy.min_adjustment_magnitude)
    else:
        wanted = desired + step.adjustment
    new, note = _capped(max(wanted, 0), capacity)
    if new == desired:
        return None
    return Decision(
        new,
        f"policy {policy.name}: metric {policy.aggregation} {_fmt(value)}, threshold "
        f"{_fmt(policy.threshold)}: step {_bounds(step)} applies {policy.adjustment_type} "
        f"{step.adjustment}{note}",
    )


def _bounds(step: Step) -> str:
    lo = "-inf" if step.lower is None else _fmt(step.lower)
    hi = "+inf" if step.upper is None else _fmt(step.upper)
    return f"[{lo}, {hi})"


def decide(
    histories: dict[str, Sequence[Sample]],
    policies: Sequence[Policy],
    capacity: Capacity,
    last: LastScaling,
    now: float,
    *,
    scale_out_suspended: bool = False,
    scale_in_suspended: bool = False,
) -> Decision | None:
    """The target's new desired count from all its policies (`histories`: policy name -> samples),
    or None to leave it. Never outside [min, max]."""
    ranged = within_range(capacity)
    if ranged is not None:
        return ranged
    outs: list[Decision] = []
    ins: list[Decision] = []
    holds = 0
    for policy in policies:
        samples = histories.get(policy.name, ())
        if isinstance(policy, TargetTracking):
            d = track_target(samples, policy, capacity, last, now)
        else:
            d = step_scale(samples, policy, capacity, last, now)
        if d is None or d.desired == capacity.desired:
            holds += 1
        elif d.desired > capacity.desired:
            outs.append(d)
        else:
            ins.append(d)
    if outs and not scale_out_suspended:
        return max(outs, key=lambda d: d.desired)
    if ins and not holds and not outs and not scale_in_suspended:
        return max(ins, key=lambda d: d.desired)
    return None


def status_message(desired: int) -> str:
    return f"Successfully set desired count to {desired}. Change successfully fulfilled by ecs."


def description(desired: int) -> str:
    return f"Setting desired count to {desired}."
