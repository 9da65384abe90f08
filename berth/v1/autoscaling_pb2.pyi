from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SuspendedState(_message.Message):
    __slots__ = ("dynamic_scaling_in_suspended", "dynamic_scaling_out_suspended", "scheduled_scaling_suspended")
    DYNAMIC_SCALING_IN_SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_SCALING_OUT_SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_SCALING_SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    dynamic_scaling_in_suspended: bool
    dynamic_scaling_out_suspended: bool
    scheduled_scaling_suspended: bool
    def __init__(self, dynamic_scaling_in_suspended: _Optional[bool] = ..., dynamic_scaling_out_suspended: _Optional[bool] = ..., scheduled_scaling_suspended: _Optional[bool] = ...) -> None: ...

class ScalableTarget(_message.Message):
    __slots__ = ("service_namespace", "resource_id", "scalable_dimension", "min_capacity", "max_capacity", "role_arn", "creation_time", "suspended_state", "scalable_target_arn")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MIN_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    MAX_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_STATE_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_TARGET_ARN_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    min_capacity: int
    max_capacity: int
    role_arn: str
    creation_time: float
    suspended_state: SuspendedState
    scalable_target_arn: str
    def __init__(self, service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., min_capacity: _Optional[int] = ..., max_capacity: _Optional[int] = ..., role_arn: _Optional[str] = ..., creation_time: _Optional[float] = ..., suspended_state: _Optional[_Union[SuspendedState, _Mapping]] = ..., scalable_target_arn: _Optional[str] = ...) -> None: ...

class RegisterScalableTargetRequest(_message.Message):
    __slots__ = ("service_namespace", "resource_id", "scalable_dimension", "min_capacity", "max_capacity", "role_arn", "suspended_state")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MIN_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    MAX_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_STATE_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    min_capacity: int
    max_capacity: int
    role_arn: str
    suspended_state: SuspendedState
    def __init__(self, service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., min_capacity: _Optional[int] = ..., max_capacity: _Optional[int] = ..., role_arn: _Optional[str] = ..., suspended_state: _Optional[_Union[SuspendedState, _Mapping]] = ...) -> None: ...

class RegisterScalableTargetResponse(_message.Message):
    __slots__ = ("scalable_target_arn",)
    SCALABLE_TARGET_ARN_FIELD_NUMBER: _ClassVar[int]
    scalable_target_arn: str
    def __init__(self, scalable_target_arn: _Optional[str] = ...) -> None: ...

class DescribeScalableTargetsRequest(_message.Message):
    __slots__ = ("service_namespace", "resource_ids", "scalable_dimension", "max_results", "next_token")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_IDS_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    resource_ids: _containers.RepeatedScalarFieldContainer[str]
    scalable_dimension: str
    max_results: int
    next_token: str
    def __init__(self, service_namespace: _Optional[str] = ..., resource_ids: _Optional[_Iterable[str]] = ..., scalable_dimension: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeScalableTargetsResponse(_message.Message):
    __slots__ = ("scalable_targets", "next_token")
    SCALABLE_TARGETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scalable_targets: _containers.RepeatedCompositeFieldContainer[ScalableTarget]
    next_token: str
    def __init__(self, scalable_targets: _Optional[_Iterable[_Union[ScalableTarget, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeregisterScalableTargetRequest(_message.Message):
    __slots__ = ("service_namespace", "resource_id", "scalable_dimension")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    def __init__(self, service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ...) -> None: ...

class DeregisterScalableTargetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PredefinedMetricSpecification(_message.Message):
    __slots__ = ("predefined_metric_type", "resource_label")
    PREDEFINED_METRIC_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_LABEL_FIELD_NUMBER: _ClassVar[int]
    predefined_metric_type: str
    resource_label: str
    def __init__(self, predefined_metric_type: _Optional[str] = ..., resource_label: _Optional[str] = ...) -> None: ...

class TargetTrackingScalingPolicyConfiguration(_message.Message):
    __slots__ = ("target_value", "predefined_metric_specification", "scale_out_cooldown", "scale_in_cooldown", "disable_scale_in")
    TARGET_VALUE_FIELD_NUMBER: _ClassVar[int]
    PREDEFINED_METRIC_SPECIFICATION_FIELD_NUMBER: _ClassVar[int]
    SCALE_OUT_COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    SCALE_IN_COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    DISABLE_SCALE_IN_FIELD_NUMBER: _ClassVar[int]
    target_value: float
    predefined_metric_specification: PredefinedMetricSpecification
    scale_out_cooldown: int
    scale_in_cooldown: int
    disable_scale_in: bool
    def __init__(self, target_value: _Optional[float] = ..., predefined_metric_specification: _Optional[_Union[PredefinedMetricSpecification, _Mapping]] = ..., scale_out_cooldown: _Optional[int] = ..., scale_in_cooldown: _Optional[int] = ..., disable_scale_in: _Optional[bool] = ...) -> None: ...

class StepAdjustment(_message.Message):
    __slots__ = ("metric_interval_lower_bound", "metric_interval_upper_bound", "scaling_adjustment")
    METRIC_INTERVAL_LOWER_BOUND_FIELD_NUMBER: _ClassVar[int]
    METRIC_INTERVAL_UPPER_BOUND_FIELD_NUMBER: _ClassVar[int]
    SCALING_ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    metric_interval_lower_bound: float
    metric_interval_upper_bound: float
    scaling_adjustment: int
    def __init__(self, metric_interval_lower_bound: _Optional[float] = ..., metric_interval_upper_bound: _Optional[float] = ..., scaling_adjustment: _Optional[int] = ...) -> None: ...

class PrometheusMetric(_message.Message):
    __slots__ = ("query", "threshold")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    query: str
    threshold: float
    def __init__(self, query: _Optional[str] = ..., threshold: _Optional[float] = ...) -> None: ...

class StepScalingPolicyConfiguration(_message.Message):
    __slots__ = ("adjustment_type", "step_adjustments", "min_adjustment_magnitude", "cooldown", "metric_aggregation_type", "metric")
    ADJUSTMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    MIN_ADJUSTMENT_MAGNITUDE_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    METRIC_AGGREGATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    adjustment_type: str
    step_adjustments: _containers.RepeatedCompositeFieldContainer[StepAdjustment]
    min_adjustment_magnitude: int
    cooldown: int
    metric_aggregation_type: str
    metric: PrometheusMetric
    def __init__(self, adjustment_type: _Optional[str] = ..., step_adjustments: _Optional[_Iterable[_Union[StepAdjustment, _Mapping]]] = ..., min_adjustment_magnitude: _Optional[int] = ..., cooldown: _Optional[int] = ..., metric_aggregation_type: _Optional[str] = ..., metric: _Optional[_Union[PrometheusMetric, _Mapping]] = ...) -> None: ...

class ScalingPolicy(_message.Message):
    __slots__ = ("policy_arn", "policy_name", "service_namespace", "resource_id", "scalable_dimension", "policy_type", "step_scaling_policy_configuration", "target_tracking_scaling_policy_configuration", "creation_time")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_SCALING_POLICY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    TARGET_TRACKING_SCALING_POLICY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    policy_name: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    policy_type: str
    step_scaling_policy_configuration: StepScalingPolicyConfiguration
    target_tracking_scaling_policy_configuration: TargetTrackingScalingPolicyConfiguration
    creation_time: float
    def __init__(self, policy_arn: _Optional[str] = ..., policy_name: _Optional[str] = ..., service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., policy_type: _Optional[str] = ..., step_scaling_policy_configuration: _Optional[_Union[StepScalingPolicyConfiguration, _Mapping]] = ..., target_tracking_scaling_policy_configuration: _Optional[_Union[TargetTrackingScalingPolicyConfiguration, _Mapping]] = ..., creation_time: _Optional[float] = ...) -> None: ...

class PutScalingPolicyRequest(_message.Message):
    __slots__ = ("policy_name", "service_namespace", "resource_id", "scalable_dimension", "policy_type", "step_scaling_policy_configuration", "target_tracking_scaling_policy_configuration")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_SCALING_POLICY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    TARGET_TRACKING_SCALING_POLICY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    policy_type: str
    step_scaling_policy_configuration: StepScalingPolicyConfiguration
    target_tracking_scaling_policy_configuration: TargetTrackingScalingPolicyConfiguration
    def __init__(self, policy_name: _Optional[str] = ..., service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., policy_type: _Optional[str] = ..., step_scaling_policy_configuration: _Optional[_Union[StepScalingPolicyConfiguration, _Mapping]] = ..., target_tracking_scaling_policy_configuration: _Optional[_Union[TargetTrackingScalingPolicyConfiguration, _Mapping]] = ...) -> None: ...

class PutScalingPolicyResponse(_message.Message):
    __slots__ = ("policy_arn",)
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    def __init__(self, policy_arn: _Optional[str] = ...) -> None: ...

class DescribeScalingPoliciesRequest(_message.Message):
    __slots__ = ("service_namespace", "policy_names", "resource_id", "scalable_dimension", "max_results", "next_token")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    resource_id: str
    scalable_dimension: str
    max_results: int
    next_token: str
    def __init__(self, service_namespace: _Optional[str] = ..., policy_names: _Optional[_Iterable[str]] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeScalingPoliciesResponse(_message.Message):
    __slots__ = ("scaling_policies", "next_token")
    SCALING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scaling_policies: _containers.RepeatedCompositeFieldContainer[ScalingPolicy]
    next_token: str
    def __init__(self, scaling_policies: _Optional[_Iterable[_Union[ScalingPolicy, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteScalingPolicyRequest(_message.Message):
    __slots__ = ("policy_name", "service_namespace", "resource_id", "scalable_dimension")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    def __init__(self, policy_name: _Optional[str] = ..., service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ...) -> None: ...

class DeleteScalingPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ScalableTargetAction(_message.Message):
    __slots__ = ("min_capacity", "max_capacity")
    MIN_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    MAX_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    min_capacity: int
    max_capacity: int
    def __init__(self, min_capacity: _Optional[int] = ..., max_capacity: _Optional[int] = ...) -> None: ...

class ScheduledAction(_message.Message):
    __slots__ = ("scheduled_action_name", "scheduled_action_arn", "service_namespace", "schedule", "timezone", "resource_id", "scalable_dimension", "start_time", "end_time", "scalable_target_action", "creation_time", "last_run_time")
    SCHEDULED_ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_ACTION_ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_TARGET_ACTION_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    scheduled_action_name: str
    scheduled_action_arn: str
    service_namespace: str
    schedule: str
    timezone: str
    resource_id: str
    scalable_dimension: str
    start_time: float
    end_time: float
    scalable_target_action: ScalableTargetAction
    creation_time: float
    last_run_time: float
    def __init__(self, scheduled_action_name: _Optional[str] = ..., scheduled_action_arn: _Optional[str] = ..., service_namespace: _Optional[str] = ..., schedule: _Optional[str] = ..., timezone: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., start_time: _Optional[float] = ..., end_time: _Optional[float] = ..., scalable_target_action: _Optional[_Union[ScalableTargetAction, _Mapping]] = ..., creation_time: _Optional[float] = ..., last_run_time: _Optional[float] = ...) -> None: ...

class PutScheduledActionRequest(_message.Message):
    __slots__ = ("service_namespace", "schedule", "timezone", "scheduled_action_name", "resource_id", "scalable_dimension", "start_time", "end_time", "scalable_target_action")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_TARGET_ACTION_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    schedule: str
    timezone: str
    scheduled_action_name: str
    resource_id: str
    scalable_dimension: str
    start_time: float
    end_time: float
    scalable_target_action: ScalableTargetAction
    def __init__(self, service_namespace: _Optional[str] = ..., schedule: _Optional[str] = ..., timezone: _Optional[str] = ..., scheduled_action_name: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., start_time: _Optional[float] = ..., end_time: _Optional[float] = ..., scalable_target_action: _Optional[_Union[ScalableTargetAction, _Mapping]] = ...) -> None: ...

class PutScheduledActionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeScheduledActionsRequest(_message.Message):
    __slots__ = ("scheduled_action_names", "service_namespace", "resource_id", "scalable_dimension", "max_results", "next_token")
    SCHEDULED_ACTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scheduled_action_names: _containers.RepeatedScalarFieldContainer[str]
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    max_results: int
    next_token: str
    def __init__(self, scheduled_action_names: _Optional[_Iterable[str]] = ..., service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeScheduledActionsResponse(_message.Message):
    __slots__ = ("scheduled_actions", "next_token")
    SCHEDULED_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scheduled_actions: _containers.RepeatedCompositeFieldContainer[ScheduledAction]
    next_token: str
    def __init__(self, scheduled_actions: _Optional[_Iterable[_Union[ScheduledAction, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteScheduledActionRequest(_message.Message):
    __slots__ = ("service_namespace", "scheduled_action_name", "resource_id", "scalable_dimension")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    scheduled_action_name: str
    resource_id: str
    scalable_dimension: str
    def __init__(self, service_namespace: _Optional[str] = ..., scheduled_action_name: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ...) -> None: ...

class DeleteScheduledActionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ScalingActivity(_message.Message):
    __slots__ = ("activity_id", "service_namespace", "resource_id", "scalable_dimension", "description", "cause", "start_time", "end_time", "status_code", "status_message", "details")
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    description: str
    cause: str
    start_time: float
    end_time: float
    status_code: str
    status_message: str
    details: str
    def __init__(self, activity_id: _Optional[str] = ..., service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., description: _Optional[str] = ..., cause: _Optional[str] = ..., start_time: _Optional[float] = ..., end_time: _Optional[float] = ..., status_code: _Optional[str] = ..., status_message: _Optional[str] = ..., details: _Optional[str] = ...) -> None: ...

class DescribeScalingActivitiesRequest(_message.Message):
    __slots__ = ("service_namespace", "resource_id", "scalable_dimension", "max_results", "next_token")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCALABLE_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    max_results: int
    next_token: str
    def __init__(self, service_namespace: _Optional[str] = ..., resource_id: _Optional[str] = ..., scalable_dimension: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeScalingActivitiesResponse(_message.Message):
    __slots__ = ("scaling_activities", "next_token")
    SCALING_ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scaling_activities: _containers.RepeatedCompositeFieldContainer[ScalingActivity]
    next_token: str
    def __init__(self, scaling_activities: _Optional[_Iterable[_Union[ScalingActivity, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...
