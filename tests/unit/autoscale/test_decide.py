"""decide(): target tracking and step scaling, by table and by property (never outside [min, max],
no flapping under a steady load)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.autoscale.decide import (
    CPU,
    EXACT,
    PERCENT,
    SCALE_IN_SAMPLES,
    Capacity,
    LastScaling,
    Sample,
    Step,
    StepScaling,
    TargetTracking,
    decide,
    status_message,
    step_scale,
    track_target,
)

NOW = 10_000.0
CPU50 = TargetTracking("cpu50", CPU, 50.0, scale_out_cooldown=60, scale_in_cooldown=60)


def samples(*values: float, tasks: int = 2, every: float = 5.0, end: float = NOW) -> list[Sample]:
    n = len(values)
    return [Sample(end - (n - 1 - i) * every, v, tasks) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("history", "capacity", "last", "expected"),
    [
        (samples(100.0), Capacity(1, 10, 2), LastScaling(), 4),  # ceil(2 x 100 / 50)
        (samples(51.0), Capacity(1, 10, 2), LastScaling(), None),  # within tolerance
        (samples(60.0), Capacity(1, 10, 2), LastScaling(), 3),
        (samples(400.0), Capacity(1, 6, 2), LastScaling(), 6),  # capped at max
        (samples(100.0), Capacity(1, 2, 2), LastScaling(), None),  # already at max
        (
            samples(100.0, tasks=2),
            Capacity(1, 10, 4),
            LastScaling(scale_out=NOW - 10),
            None,
        ),  # waits for the new tasks
        (
            samples(100.0, tasks=4),
            Capacity(1, 10, 4),
            LastScaling(scale_out=NOW - 10),
            8,
        ),  # they report: go on
        (
            samples(100.0, tasks=2),
            Capacity(1, 10, 4),
            LastScaling(scale_out=NOW - 61),
            None,
        ),  # needs 4 = desired
        (samples(100.0, tasks=2), Capacity(1, 10, 3), LastScaling(scale_out=NOW - 61), 4),
        (samples(), Capacity(1, 10, 2), LastScaling(), None),  # no data
        (samples(100.0, end=NOW - 120), Capacity(1, 10, 2), LastScaling(), None),  # stale data
    ],
    ids=[
        "out-ceil",
        "within-tolerance",
        "out-by-one",
        "out-capped",
        "at-max",
        "cooldown-waits",
        "cooldown-data-complete",
        "needs-desired",
        "after-cooldown",
        "no-data",
        "stale",
    ],
)
def test_target_tracking_scale_out(
    history: list[Sample], capacity: Capacity, last: LastScaling, expected: int | None
) -> None:
    d = track_target(history, CPU50, capacity, last, NOW)
    got = None if d is None or d.desired == capacity.desired else d.desired
    assert got == expected, d


def test_scale_out_cause_explains_the_arithmetic() -> None:
    d = track_target(samples(180.0), CPU50, Capacity(1, 6, 2), LastScaling(), NOW)
    assert d is not None and d.desired == 6
    assert (
        "cpu50" in d.cause
        and "ceil(2 x 180.0 / 50.0)" in d.cause
        and "capped at maximum capacity 6" in d.cause
    )


@pytest.mark.parametrize(
    ("history", "capacity", "last", "expected"),
    [
        (samples(5.0, 5.0, 5.0, tasks=4), Capacity(1, 10, 4), LastScaling(), 2),  # at most half at once
        (samples(20.0, 20.0, 20.0, tasks=4), Capacity(1, 10, 4), LastScaling(), 2),  # ceil(80 / 45)
        (samples(40.0, 40.0, 40.0, tasks=4), Capacity(1, 10, 4), LastScaling(), None),  # ceil(160/45) = 4
        (samples(5.0, 5.0, tasks=4), Capacity(1, 10, 4), LastScaling(), None),  # too few samples
        (samples(5.0, 48.0, 5.0, tasks=4), Capacity(1, 10, 4), LastScaling(), None),  # one near target
        (
            samples(5.0, 5.0, 5.0, tasks=4),
            Capacity(1, 10, 4),
            LastScaling(scale_out=NOW - 30),
            None,
        ),  # cooldown
        (samples(5.0, 5.0, 5.0, tasks=3), Capacity(1, 10, 4), LastScaling(), None),  # a task not reporting
        (samples(0.0, 0.0, 0.0, tasks=2), Capacity(0, 10, 2), LastScaling(), 1),
        (samples(0.0, 0.0, 0.0, tasks=1), Capacity(0, 10, 1), LastScaling(), 0),
        (samples(5.0, 5.0, 5.0, tasks=2), Capacity(2, 10, 2), LastScaling(), None),  # at min
    ],
    ids=[
        "half-at-once",
        "to-needed",
        "not-enough-room",
        "few-samples",
        "one-high",
        "cooldown",
        "missing-report",
        "toward-zero",
        "to-zero",
        "at-min",
    ],
)
def test_target_tracking_scale_in(
    history: list[Sample], capacity: Capacity, last: LastScaling, expected: int | None
) -> None:
    d = track_target(history, CPU50, capacity, last, NOW)
    got = None if d is None else d.desired
    assert got == expected, d


def test_scale_in_only_counts_samples_since_the_last_activity() -> None:
    history = samples(5.0, 5.0, 5.0, 5.0, tasks=4, every=40)
    last = LastScaling(scale_out=NOW - 61)  # cooldown over, but only 2 samples are newer
    assert track_target(history, CPU50, Capacity(1, 10, 4), last, NOW) is None


def test_scale_in_counts_the_tasks_that_run() -> None:
    """A task that keeps failing does not report; the ones that run decide."""
    history = samples(5.0, 5.0, 5.0, tasks=3)
    assert track_target(history, CPU50, Capacity(1, 10, 4), LastScaling(), NOW) is None
    d = track_target(history, CPU50, Capacity(1, 10, 4, running=3), LastScaling(), NOW)
    assert d is not None and d.desired == 2


def test_disable_scale_in() -> None:
    policy = TargetTracking("cpu50", CPU, 50.0, disable_scale_in=True)
    assert (
        track_target(samples(1.0, 1.0, 1.0, tasks=4), policy, Capacity(1, 10, 4), LastScaling(), NOW) is None
    )


STEPS = StepScaling(
    "queue",
    threshold=100.0,
    steps=(Step(None, -50.0, -1), Step(0.0, 100.0, 1), Step(100.0, None, 3)),
    cooldown=60,
)


@pytest.mark.parametrize(
    ("value", "desired", "expected"),
    [(150.0, 2, 3), (250.0, 2, 5), (99.0, 2, None), (20.0, 2, 1), (20.0, 1, None), (1000.0, 9, 10)],
    ids=["step1", "step2", "no-step", "in", "in-at-min", "capped"],
)
def test_step_scaling(value: float, desired: int, expected: int | None) -> None:
    d = step_scale([Sample(NOW, value)], STEPS, Capacity(1, 10, desired), LastScaling(), NOW)
    assert (None if d is None else d.desired) == expected


def test_step_scaling_aggregates_the_series_of_the_latest_reading() -> None:
    reading = [Sample(NOW - 5, 500.0), Sample(NOW, 120.0), Sample(NOW, 300.0)]
    for how, expected in (("Average", 5), ("Minimum", 3), ("Maximum", 5)):
        policy = StepScaling("q", 100.0, STEPS.steps, aggregation=how)
        d = step_scale(reading, policy, Capacity(1, 10, 2), LastScaling(), NOW)
        assert d is not None and d.desired == expected, how


def test_step_scaling_cooldown() -> None:
    d = step_scale([Sample(NOW, 150.0)], STEPS, Capacity(1, 10, 2), LastScaling(scale_in=NOW - 10), NOW)
    assert d is None


@pytest.mark.parametrize(
    ("adjustment_type", "adjustment", "magnitude", "desired", "expected"),
    [
        (PERCENT, 50, None, 4, 6),
        (PERCENT, 10, None, 4, 5),  # 0.4 rounds to 1
        (PERCENT, -10, None, 4, 3),
        (PERCENT, 150, None, 3, 7),  # 4.5 -> 4
        (PERCENT, 10, 3, 4, 7),
        (EXACT, 7, None, 2, 7),
        (EXACT, 70, None, 2, 10),
    ],
)
def test_adjustment_types(
    adjustment_type: str, adjustment: int, magnitude: int | None, desired: int, expected: int
) -> None:
    policy = StepScaling(
        "p",
        0.0,
        (Step(None, None, adjustment),),
        adjustment_type=adjustment_type,
        min_adjustment_magnitude=magnitude,
    )
    d = step_scale([Sample(NOW, 1.0)], policy, Capacity(0, 10, desired), LastScaling(), NOW)
    assert d is not None and d.desired == expected


def test_out_of_range_desired_count_is_brought_back_first() -> None:
    d = decide({}, [CPU50], Capacity(3, 5, 1), LastScaling(), NOW)
    assert d is not None and d.desired == 3 and "minimum capacity 3" in d.cause
    d = decide({}, [CPU50], Capacity(0, 5, 9), LastScaling(), NOW)
    assert d is not None and d.desired == 5


def test_any_policy_scales_out_all_must_agree_to_scale_in() -> None:
    mem = TargetTracking("mem70", "ECSServiceAverageMemoryUtilization", 70.0, scale_in_cooldown=60)
    low_cpu = samples(5.0, 5.0, 5.0, tasks=4)
    high_mem = samples(90.0, tasks=4)
    d = decide({"cpu50": low_cpu, "mem70": high_mem}, [CPU50, mem], Capacity(1, 10, 4), LastScaling(), NOW)
    assert d is not None and d.desired == 6  # ceil(4 x 90 / 70)
    mid_mem = samples(65.0, 65.0, 65.0, tasks=4)
    assert (
        decide({"cpu50": low_cpu, "mem70": mid_mem}, [CPU50, mem], Capacity(1, 10, 4), LastScaling(), NOW)
        is None
    )


def test_suspended_scaling() -> None:
    hot = {"cpu50": samples(100.0)}
    assert decide(hot, [CPU50], Capacity(1, 10, 2), LastScaling(), NOW, scale_out_suspended=True) is None
    cold = {"cpu50": samples(1.0, 1.0, 1.0, tasks=4)}
    assert decide(cold, [CPU50], Capacity(1, 10, 4), LastScaling(), NOW, scale_in_suspended=True) is None


def test_status_message_is_worded_as_aws() -> None:
    assert status_message(6) == "Successfully set desired count to 6. Change successfully fulfilled by ecs."


# -- properties -------------------------------------------------------------------------------------

policies = st.one_of(
    st.builds(
        TargetTracking,
        name=st.just("tt"),
        metric=st.just(CPU),
        target=st.floats(0.5, 500),
        scale_out_cooldown=st.floats(0, 600),
        scale_in_cooldown=st.floats(0, 600),
        disable_scale_in=st.booleans(),
    ),
    st.builds(
        StepScaling,
        name=st.just("tt"),
        threshold=st.floats(-1e3, 1e3),
        steps=st.lists(
            st.builds(
                Step,
                lower=st.none() | st.floats(-1e3, 1e3),
                upper=st.none() | st.floats(-1e3, 1e3),
                adjustment=st.integers(-1000, 1000),
            ),
            max_size=4,
        ).map(tuple),
        adjustment_type=st.sampled_from(["ChangeInCapacity", PERCENT, EXACT]),
        cooldown=st.floats(0, 600),
        aggregation=st.sampled_from(["Average", "Minimum", "Maximum"]),
        min_adjustment_magnitude=st.none() | st.integers(1, 100),
    ),
)


@st.composite
def capacities(draw: st.DrawFn) -> Capacity:
    lo = draw(st.integers(0, 50))
    hi = draw(st.integers(lo, 100))
    return Capacity(lo, hi, draw(st.integers(0, 150)))


history = st.lists(
    st.builds(Sample, at=st.floats(NOW - 200, NOW), value=st.floats(0, 1e4), tasks=st.integers(0, 200)),
    max_size=12,
).map(lambda xs: sorted(xs, key=lambda s: s.at))


@settings(max_examples=500, deadline=None)
@given(
    pols=st.lists(policies, min_size=1, max_size=3),
    capacity=capacities(),
    hist=history,
    out=st.floats(0, NOW),
    into=st.floats(0, NOW),
)
def test_never_outside_min_max(
    pols: list[TargetTracking | StepScaling], capacity: Capacity, hist: list[Sample], out: float, into: float
) -> None:
    named = [type(p)(**{**p.__dict__, "name": f"p{i}"}) for i, p in enumerate(pols)]
    d = decide({p.name: hist for p in named}, named, capacity, LastScaling(out, into), NOW)
    if d is not None:
        assert capacity.minimum <= d.desired <= capacity.maximum
        assert d.desired != capacity.desired
        assert d.cause


@settings(max_examples=300, deadline=None)
@given(
    load=st.floats(0.01, 5_000),  # total load, in percent of one task's reservation
    target=st.floats(10, 100),
    start=st.integers(1, 30),
)
def test_a_steady_load_settles_without_flapping(load: float, target: float, start: int) -> None:
    """Under a constant load, the count converges and then never changes again."""
    policy = TargetTracking("tt", CPU, target, scale_out_cooldown=0, scale_in_cooldown=0)
    capacity = Capacity(1, 200, start)
    last = LastScaling()
    hist: list[Sample] = []
    changes: list[int] = []
    t = NOW
    for _ in range(60):
        t += 5
        hist.append(Sample(t, load / capacity.desired, capacity.desired))
        d = decide({"tt": hist[-SCALE_IN_SAMPLES - 2 :]}, [policy], capacity, last, t)
        if d is not None:
            changes.append(d.desired)
            last = (
                LastScaling(t, last.scale_in)
                if d.desired > capacity.desired
                else LastScaling(last.scale_out, t)
            )
            capacity = Capacity(1, 200, d.desired)
    final = capacity.desired
    assert final >= math.ceil(load / (target * 1.02) - 1e-9) or final == 200
    assert load / final <= target * 1.02 + 1e-6 or final == 200
    # once settled, the last changes never go back up after going down (no oscillation)
    for a, b, c in zip(changes, changes[1:], changes[2:], strict=False):
        assert not (a < b > c and b != final) and not (a > b < c), changes
