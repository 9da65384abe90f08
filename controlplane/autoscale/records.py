"""Autoscaling records: their etcd keys, request validation, and the pure policies decide() takes.

Keys (relative to the store prefix), one per object:
- `autoscaling/targets/<cluster>/<service>`: the ScalableTarget
- `autoscaling/policies/<cluster>/<service>/<policy name>`: a ScalingPolicy
- `autoscaling/scheduled/<cluster>/<service>/<action name>`: a ScheduledAction
- `autoscaling/activities/<cluster>/<service>/<start ms, 15 digits>-<id>`: a ScalingActivity (the
  last MAX_ACTIVITIES per target are kept)

Validation is pure (no I/O): every function raises InvalidArgument naming the JSON field (AWS
names, such as `TargetTrackingScalingPolicyConfiguration.TargetValue`) and the value.
"""

from __future__ import annotations

import itertools
import math
import re

from berth.errors import FieldViolation, InvalidArgument, shown
from berth.v1 import autoscaling_pb2 as pb
from controlplane.autoscale import decide, schedule

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
TARGET_TRACKING = "TargetTrackingScaling"
STEP = "StepScaling"
POLICY_TYPES = (TARGET_TRACKING, STEP)

PREFIX = "autoscaling/"
TARGETS = PREFIX + "targets/"
POLICIES = PREFIX + "policies/"
SCHEDULED = PREFIX + "scheduled/"
ACTIVITIES = PREFIX + "activities/"

MAX_ACTIVITIES = 100
MAX_CAPACITY = 100_000
MAX_COOLDOWN = 86_400
MAX_STEPS = 20
MAX_QUERY = 2048
MAX_TARGET_VALUE = 1e9
DEFAULT_COOLDOWN = 300

_SERVICE_PART = r"[A-Za-z0-9_-]{1,255}"
RESOURCE_RE = re.compile(rf"^service/({_SERVICE_PART})/({_SERVICE_PART})$")
OBJECT_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


def target_key(cluster: str, service: str) -> str:
    return f"{TARGETS}{cluster}/{service}"


def policy_key(cluster: str, service: str, name: str) -> str:
    return f"{POLICIES}{cluster}/{service}/{name}"


def policies_of(cluster: str, service: str) -> str:
    return f"{POLICIES}{cluster}/{service}/"


def scheduled_key(cluster: str, service: str, name: str) -> str:
    return f"{SCHEDULED}{cluster}/{service}/{name}"


def scheduled_of(cluster: str, service: str) -> str:
    return f"{SCHEDULED}{cluster}/{service}/"


def activity_key(cluster: str, service: str, start: float, activity_id: str) -> str:
    return f"{ACTIVITIES}{cluster}/{service}/{int(start * 1000):015d}-{activity_id}"


def activities_of(cluster: str, service: str) -> str:
    return f"{ACTIVITIES}{cluster}/{service}/"


def resource_of(key: str, prefix: str) -> tuple[str, str]:
    """(cluster, service) of a key under one of the prefixes above."""
    cluster, _, rest = key[len(prefix) :].partition("/")
    return cluster, rest.partition("/")[0]


# -- validation -------------------------------------------------------------------------------------


def check_namespace(value: str, field: str = "ServiceNamespace") -> None:
    if value != NAMESPACE:
        raise InvalidArgument.field(
            field, f"{shown(value)} is not supported: berth scales ECS services only (ServiceNamespace ecs)"
        )


def check_dimension(value: str, field: str = "ScalableDimension") -> None:
    if value != DIMENSION:
        raise InvalidArgument.field(field, f"{shown(value)} is not supported: use {DIMENSION}")


def parse_resource(value: str, field: str = "ResourceId") -> tuple[str, str]:
    m = RESOURCE_RE.match(value)
    if not m:
        raise InvalidArgument.field(
            field, f"{shown(value)} is not an ECS service resource id (service/<cluster>/<service>)"
        )
    return m.group(1), m.group(2)


def resource_id(cluster: str, service: str) -> str:
    return f"service/{cluster}/{service}"


def check_target_request(ns: str, rid: str, dim: str) -> tuple[str, str]:
    """The (cluster, service) of a request's ServiceNamespace, ResourceId and ScalableDimension."""
    check_namespace(ns)
    cluster, service = parse_resource(rid)
    check_dimension(dim)
    return cluster, service


def check_object_name(value: str, field: str) -> str:
    if not OBJECT_NAME_RE.match(value):
        raise InvalidArgument.field(
            field, f"{shown(value)} is invalid: up to 255 letters, numbers, '.', '-' and '_'"
        )
    return value


def check_max_results(value: int | None, maximum: int = 50, field: str = "MaxResults") -> int:
    if value is None:
        return maximum
    if not 1 <= value <= maximum:
        raise InvalidArgument.field(field, f"{value} is out of range 1 to {maximum}")
    return value


def merged_target(
    req: pb.RegisterScalableTargetRequest, existing: pb.ScalableTarget | None
) -> pb.ScalableTarget:
    """The target after a RegisterScalableTarget (creating it needs both capacities)."""
    problems: list[FieldViolation] = []
    target = pb.ScalableTarget()
    if existing is not None:
        target.CopyFrom(existing)
    else:
        for name, given in (
            ("MinCapacity", req.HasField("min_capacity")),
            ("MaxCapacity", req.HasField("max_capacity")),
        ):
            if not given:
                problems.append(FieldViolation(name, "is required to register a new scalable target"))
    if req.HasField("min_capacity"):
        target.min_capacity = req.min_capacity
    if req.HasField("max_capacity"):
        target.max_capacity = req.max_capacity
    for name, value in (("MinCapacity", target.min_capacity), ("MaxCapacity", target.max_capacity)):
        if not 0 <= value <= MAX_CAPACITY:
            problems.append(FieldViolation(name, f"{value} is out of range 0 to {MAX_CAPACITY}"))
    if not problems and target.min_capacity > target.max_capacity:
        problems.append(
            FieldViolation("MinCapacity", f"{target.min_capacity} is above MaxCapacity {target.max_capacity}")
        )
    if problems:
        raise InvalidArgument(problems)
    if req.role_arn:
        target.role_arn = req.role_arn
    if req.HasField("suspended_state"):
        s = req.suspended_state
        for name in (
            "dynamic_scaling_in_suspended",
            "dynamic_scaling_out_suspended",
            "scheduled_scaling_suspended",
        ):
            if s.HasField(name):
                setattr(target.suspended_state, name, getattr(s, name))
    return target


def _cooldown(value: int, field: str) -> None:
    if not 0 <= value <= MAX_COOLDOWN:
        raise InvalidArgument.field(field, f"{value} is out of range 0 to {MAX_COOLDOWN} seconds")


def check_target_tracking(c: pb.TargetTrackingScalingPolicyConfiguration, field: str) -> None:
    problems: list[FieldViolation] = []
    if not c.HasField("target_value"):
        problems.append(FieldViolation(f"{field}.TargetValue", "is required"))
    elif not (math.isfinite(c.target_value) and 0 < c.target_value <= MAX_TARGET_VALUE):
        problems.append(
            FieldViolation(
                f"{field}.TargetValue", f"{c.target_value} must be above 0 and at most {MAX_TARGET_VALUE:g}"
            )
        )
    spec = f"{field}.PredefinedMetricSpecification"
    kind = c.predefined_metric_specification.predefined_metric_type
    if not c.HasField("predefined_metric_specification"):
        problems.append(FieldViolation(spec, f"is required (one of {', '.join(decide.PREDEFINED)})"))
    elif kind not in decide.PREDEFINED:
        problems.append(
            FieldViolation(
                f"{spec}.PredefinedMetricType", f"{shown(kind)} is not one of {', '.join(decide.PREDEFINED)}"
            )
        )
    elif kind == decide.REQUESTS and not c.predefined_metric_specification.resource_label:
        problems.append(FieldViolation(f"{spec}.ResourceLabel", f"is required for {decide.REQUESTS}"))
    elif kind != decide.REQUESTS and c.predefined_metric_specification.resource_label:
        problems.append(FieldViolation(f"{spec}.ResourceLabel", f"is only for {decide.REQUESTS}"))
    if problems:
        raise InvalidArgument(problems)
    if c.HasField("scale_out_cooldown"):
        _cooldown(c.scale_out_cooldown, f"{field}.ScaleOutCooldown")
    if c.HasField("scale_in_cooldown"):
        _cooldown(c.scale_in_cooldown, f"{field}.ScaleInCooldown")


def check_step_scaling(c: pb.StepScalingPolicyConfiguration, field: str) -> None:
    problems: list[FieldViolation] = []
    if c.adjustment_type not in decide.ADJUSTMENT_TYPES:
        problems.append(
            FieldViolation(
                f"{field}.AdjustmentType",
                f"{shown(c.adjustment_type)} is not one of {', '.join(decide.ADJUSTMENT_TYPES)}",
            )
        )
    if c.metric_aggregation_type and c.metric_aggregation_type not in decide.AGGREGATIONS:
        problems.append(
            FieldViolation(
                f"{field}.MetricAggregationType",
                f"{shown(c.metric_aggregation_type)} is not one of {', '.join(decide.AGGREGATIONS)}",
            )
        )
    if c.HasField("min_adjustment_magnitude"):
        if c.adjustment_type != decide.PERCENT:
            problems.append(
                FieldViolation(f"{field}.MinAdjustmentMagnitude", f"only applies with {decide.PERCENT}")
            )
        elif not 1 <= c.min_adjustment_magnitude <= MAX_CAPACITY:
            problems.append(
                FieldViolation(
                    f"{field}.MinAdjustmentMagnitude",
                    f"{c.min_adjustment_magnitude} is out of range 1 to {MAX_CAPACITY}",
                )
            )
    if c.HasField("cooldown") and not 0 <= c.cooldown <= MAX_COOLDOWN:
        problems.append(
            FieldViolation(f"{field}.Cooldown", f"{c.cooldown} is out of range 0 to {MAX_COOLDOWN} seconds")
        )
    query = c.metric.query.strip()
    if not query:
        problems.append(FieldViolation(f"{field}.Metric.Query", "is required: the PromQL query to scale on"))
    elif len(c.metric.query) > MAX_QUERY:
        problems.append(
            FieldViolation(
                f"{field}.Metric.Query", f"is {len(c.metric.query)} characters; at most {MAX_QUERY}"
            )
        )
    if not c.metric.HasField("threshold"):
        problems.append(
            FieldViolation(f"{field}.Metric.Threshold", "is required: what the steps' bounds count from")
        )
    elif not math.isfinite(c.metric.threshold):
        problems.append(
            FieldViolation(f"{field}.Metric.Threshold", f"{c.metric.threshold} is not a finite number")
        )
    if not 1 <= len(c.step_adjustments) <= MAX_STEPS:
        problems.append(
            FieldViolation(
                f"{field}.StepAdjustments", f"give 1 to {MAX_STEPS} steps, not {len(c.step_adjustments)}"
            )
        )
    for i, s in enumerate(c.step_adjustments):
        path = f"{field}.StepAdjustments[{i}]"
        if not s.HasField("scaling_adjustment"):
            problems.append(FieldViolation(f"{path}.ScalingAdjustment", "is required"))
        elif abs(s.scaling_adjustment) > MAX_CAPACITY:
            problems.append(
                FieldViolation(f"{path}.ScalingAdjustment", f"{s.scaling_adjustment} is out of range")
            )
        for name, has, value in (
            (
                "MetricIntervalLowerBound",
                s.HasField("metric_interval_lower_bound"),
                s.metric_interval_lower_bound,
            ),
            (
                "MetricIntervalUpperBound",
                s.HasField("metric_interval_upper_bound"),
                s.metric_interval_upper_bound,
            ),
        ):
            if has and not math.isfinite(value):
                problems.append(FieldViolation(f"{path}.{name}", f"{value} is not a finite number"))
        if (
            s.HasField("metric_interval_lower_bound")
            and s.HasField("metric_interval_upper_bound")
            and s.metric_interval_lower_bound >= s.metric_interval_upper_bound
        ):
            problems.append(
                FieldViolation(
                    f"{path}.MetricIntervalUpperBound",
                    f"{s.metric_interval_upper_bound} must be above the lower bound "
                    f"{s.metric_interval_lower_bound}",
                )
            )
    if problems:
        raise InvalidArgument(problems)
    spans = sorted(
        (
            s.metric_interval_lower_bound if s.HasField("metric_interval_lower_bound") else -math.inf,
            s.metric_interval_upper_bound if s.HasField("metric_interval_upper_bound") else math.inf,
            i,
        )
        for i, s in enumerate(c.step_adjustments)
    )
    for (_, hi, _), (lo, _, j) in itertools.pairwise(spans):
        if lo < hi:
            raise InvalidArgument.field(f"{field}.StepAdjustments[{j}]", "overlaps another step's interval")


def policy_record(req: pb.PutScalingPolicyRequest) -> pb.ScalingPolicy:
    """The policy a PutScalingPolicy describes (without ARN and time), validated."""
    name = check_object_name(req.policy_name, "PolicyName")
    kind = req.policy_type or STEP
    if kind not in POLICY_TYPES:
        raise InvalidArgument.field("PolicyType", f"{shown(kind)} is not one of {', '.join(POLICY_TYPES)}")
    tt, st = "TargetTrackingScalingPolicyConfiguration", "StepScalingPolicyConfiguration"
    policy = pb.ScalingPolicy(
        policy_name=name,
        service_namespace=req.service_namespace,
        resource_id=req.resource_id,
        scalable_dimension=req.scalable_dimension,
        policy_type=kind,
    )
    if kind == TARGET_TRACKING:
        if req.HasField("step_scaling_policy_configuration"):
            raise InvalidArgument.field(st, f"does not go with PolicyType {TARGET_TRACKING}")
        if not req.HasField("target_tracking_scaling_policy_configuration"):
            raise InvalidArgument.field(tt, f"is required with PolicyType {TARGET_TRACKING}")
        check_target_tracking(req.target_tracking_scaling_policy_configuration, tt)
        policy.target_tracking_scaling_policy_configuration.CopyFrom(
            req.target_tracking_scaling_policy_configuration
        )
    else:
        if req.HasField("target_tracking_scaling_policy_configuration"):
            raise InvalidArgument.field(tt, f"does not go with PolicyType {STEP}")
        if not req.HasField("step_scaling_policy_configuration"):
            raise InvalidArgument.field(st, f"is required with PolicyType {STEP}")
        check_step_scaling(req.step_scaling_policy_configuration, st)
        policy.step_scaling_policy_configuration.CopyFrom(req.step_scaling_policy_configuration)
    return policy


def merged_scheduled_action(
    req: pb.PutScheduledActionRequest, existing: pb.ScheduledAction | None
) -> pb.ScheduledAction:
    """The scheduled action after a PutScheduledAction (a new one needs a Schedule and an action;
    on an update only the given fields change), validated."""
    action = pb.ScheduledAction()
    if existing is not None:
        action.CopyFrom(existing)
    action.scheduled_action_name = check_object_name(req.scheduled_action_name, "ScheduledActionName")
    problems: list[FieldViolation] = []
    if req.schedule:
        try:
            schedule.parse(req.schedule)
            action.schedule = req.schedule
        except ValueError as e:
            problems.append(FieldViolation("Schedule", str(e)))
    elif existing is None:
        problems.append(FieldViolation("Schedule", "is required: at(...), rate(...) or cron(...)"))
    if req.timezone:
        try:
            schedule.timezone(req.timezone)
            action.timezone = req.timezone
        except ValueError as e:
            problems.append(FieldViolation("Timezone", str(e)))
    for name, has, value in (
        ("StartTime", req.HasField("start_time"), req.start_time),
        ("EndTime", req.HasField("end_time"), req.end_time),
    ):
        if has and not (math.isfinite(value) and 0 <= value < 1e11):
            problems.append(FieldViolation(name, f"{value} is not a time in seconds since the epoch"))
    if problems:
        raise InvalidArgument(problems)
    if req.HasField("start_time"):
        action.start_time = req.start_time
    if req.HasField("end_time"):
        action.end_time = req.end_time
    if action.start_time and action.end_time and action.start_time >= action.end_time:
        raise InvalidArgument.field(
            "EndTime", f"{action.end_time} is not after StartTime {action.start_time}"
        )
    if req.HasField("scalable_target_action"):
        a = req.scalable_target_action
        for name, has, value in (
            ("MinCapacity", a.HasField("min_capacity"), a.min_capacity),
            ("MaxCapacity", a.HasField("max_capacity"), a.max_capacity),
        ):
            if has and not 0 <= value <= MAX_CAPACITY:
                problems.append(
                    FieldViolation(
                        f"ScalableTargetAction.{name}", f"{value} is out of range 0 to {MAX_CAPACITY}"
                    )
                )
        if not a.HasField("min_capacity") and not a.HasField("max_capacity"):
            problems.append(FieldViolation("ScalableTargetAction", "give MinCapacity, MaxCapacity or both"))
        if (
            not problems
            and a.HasField("min_capacity")
            and a.HasField("max_capacity")
            and a.min_capacity > a.max_capacity
        ):
            problems.append(
                FieldViolation(
                    "ScalableTargetAction.MinCapacity",
                    f"{a.min_capacity} is above MaxCapacity {a.max_capacity}",
                )
            )
        if problems:
            raise InvalidArgument(problems)
        action.scalable_target_action.CopyFrom(a)
    elif existing is None:
        raise InvalidArgument.field(
            "ScalableTargetAction", "is required: the MinCapacity and/or MaxCapacity to set"
        )
    action.service_namespace = req.service_namespace
    action.resource_id = req.resource_id
    action.scalable_dimension = req.scalable_dimension
    return action


# -- records -> decide() ------------------------------------------------------------------------------


def policy_of(record: pb.ScalingPolicy) -> decide.Policy:
    if record.policy_type == TARGET_TRACKING:
        c = record.target_tracking_scaling_policy_configuration
        return decide.TargetTracking(
            name=record.policy_name,
            metric=c.predefined_metric_specification.predefined_metric_type,
            target=c.target_value,
            scale_out_cooldown=float(
                c.scale_out_cooldown if c.HasField("scale_out_cooldown") else DEFAULT_COOLDOWN
            ),
            scale_in_cooldown=float(
                c.scale_in_cooldown if c.HasField("scale_in_cooldown") else DEFAULT_COOLDOWN
            ),
            disable_scale_in=c.disable_scale_in,
        )
    s = record.step_scaling_policy_configuration
    return decide.StepScaling(
        name=record.policy_name,
        threshold=s.metric.threshold,
        steps=tuple(
            decide.Step(
                a.metric_interval_lower_bound if a.HasField("metric_interval_lower_bound") else None,
                a.metric_interval_upper_bound if a.HasField("metric_interval_upper_bound") else None,
                a.scaling_adjustment,
            )
            for a in s.step_adjustments
        ),
        adjustment_type=s.adjustment_type,
        cooldown=float(s.cooldown if s.HasField("cooldown") else DEFAULT_COOLDOWN),
        aggregation=s.metric_aggregation_type or "Average",
        min_adjustment_magnitude=s.min_adjustment_magnitude
        if s.HasField("min_adjustment_magnitude")
        else None,
    )
