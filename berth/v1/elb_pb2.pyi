from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LoadBalancerState(_message.Message):
    __slots__ = ("code", "reason")
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: str
    reason: str
    def __init__(self, code: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ElbLoadBalancer(_message.Message):
    __slots__ = ("load_balancer_arn", "load_balancer_name", "dns_name", "scheme", "type", "state", "created_time", "tags", "node_id", "metrics_address")
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    METRICS_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    load_balancer_name: str
    dns_name: str
    scheme: str
    type: str
    state: LoadBalancerState
    created_time: float
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    node_id: str
    metrics_address: str
    def __init__(self, load_balancer_arn: _Optional[str] = ..., load_balancer_name: _Optional[str] = ..., dns_name: _Optional[str] = ..., scheme: _Optional[str] = ..., type: _Optional[str] = ..., state: _Optional[_Union[LoadBalancerState, _Mapping]] = ..., created_time: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., node_id: _Optional[str] = ..., metrics_address: _Optional[str] = ...) -> None: ...

class Matcher(_message.Message):
    __slots__ = ("http_code",)
    HTTP_CODE_FIELD_NUMBER: _ClassVar[int]
    http_code: str
    def __init__(self, http_code: _Optional[str] = ...) -> None: ...

class TargetGroup(_message.Message):
    __slots__ = ("target_group_arn", "target_group_name", "protocol", "port", "target_type", "health_check_protocol", "health_check_port", "health_check_enabled", "health_check_interval_seconds", "health_check_timeout_seconds", "healthy_threshold_count", "unhealthy_threshold_count", "health_check_path", "matcher", "load_balancer_arns", "tags", "created_time", "deregistration_delay_seconds", "slow_start_seconds", "registered")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PORT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_ENABLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PATH_FIELD_NUMBER: _ClassVar[int]
    MATCHER_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ARNS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    DEREGISTRATION_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SLOW_START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    target_group_name: str
    protocol: str
    port: int
    target_type: str
    health_check_protocol: str
    health_check_port: str
    health_check_enabled: bool
    health_check_interval_seconds: int
    health_check_timeout_seconds: int
    healthy_threshold_count: int
    unhealthy_threshold_count: int
    health_check_path: str
    matcher: Matcher
    load_balancer_arns: _containers.RepeatedScalarFieldContainer[str]
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    created_time: float
    deregistration_delay_seconds: int
    slow_start_seconds: int
    registered: _containers.RepeatedCompositeFieldContainer[TargetDescription]
    def __init__(self, target_group_arn: _Optional[str] = ..., target_group_name: _Optional[str] = ..., protocol: _Optional[str] = ..., port: _Optional[int] = ..., target_type: _Optional[str] = ..., health_check_protocol: _Optional[str] = ..., health_check_port: _Optional[str] = ..., health_check_enabled: _Optional[bool] = ..., health_check_interval_seconds: _Optional[int] = ..., health_check_timeout_seconds: _Optional[int] = ..., healthy_threshold_count: _Optional[int] = ..., unhealthy_threshold_count: _Optional[int] = ..., health_check_path: _Optional[str] = ..., matcher: _Optional[_Union[Matcher, _Mapping]] = ..., load_balancer_arns: _Optional[_Iterable[str]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., created_time: _Optional[float] = ..., deregistration_delay_seconds: _Optional[int] = ..., slow_start_seconds: _Optional[int] = ..., registered: _Optional[_Iterable[_Union[TargetDescription, _Mapping]]] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("type", "target_group_arn")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    type: str
    target_group_arn: str
    def __init__(self, type: _Optional[str] = ..., target_group_arn: _Optional[str] = ...) -> None: ...

class Listener(_message.Message):
    __slots__ = ("listener_arn", "load_balancer_arn", "port", "protocol", "default_actions")
    LISTENER_ARN_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    listener_arn: str
    load_balancer_arn: str
    port: int
    protocol: str
    default_actions: _containers.RepeatedCompositeFieldContainer[Action]
    def __init__(self, listener_arn: _Optional[str] = ..., load_balancer_arn: _Optional[str] = ..., port: _Optional[int] = ..., protocol: _Optional[str] = ..., default_actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ...) -> None: ...

class TargetDescription(_message.Message):
    __slots__ = ("id", "port", "availability_zone")
    ID_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    id: str
    port: int
    availability_zone: str
    def __init__(self, id: _Optional[str] = ..., port: _Optional[int] = ..., availability_zone: _Optional[str] = ...) -> None: ...

class TargetHealth(_message.Message):
    __slots__ = ("state", "reason", "description")
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    state: str
    reason: str
    description: str
    def __init__(self, state: _Optional[str] = ..., reason: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class TargetHealthDescription(_message.Message):
    __slots__ = ("target", "health_check_port", "target_health", "task_arn")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PORT_FIELD_NUMBER: _ClassVar[int]
    TARGET_HEALTH_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    target: TargetDescription
    health_check_port: str
    target_health: TargetHealth
    task_arn: str
    def __init__(self, target: _Optional[_Union[TargetDescription, _Mapping]] = ..., health_check_port: _Optional[str] = ..., target_health: _Optional[_Union[TargetHealth, _Mapping]] = ..., task_arn: _Optional[str] = ...) -> None: ...

class TargetHealthRecord(_message.Message):
    __slots__ = ("target_group_arn", "target", "target_health", "since", "task_arn")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGET_HEALTH_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    target: TargetDescription
    target_health: TargetHealth
    since: float
    task_arn: str
    def __init__(self, target_group_arn: _Optional[str] = ..., target: _Optional[_Union[TargetDescription, _Mapping]] = ..., target_health: _Optional[_Union[TargetHealth, _Mapping]] = ..., since: _Optional[float] = ..., task_arn: _Optional[str] = ...) -> None: ...

class TargetGroupAttribute(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class CreateLoadBalancerRequest(_message.Message):
    __slots__ = ("name", "scheme", "type", "tags")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    scheme: str
    type: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, name: _Optional[str] = ..., scheme: _Optional[str] = ..., type: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateLoadBalancerResponse(_message.Message):
    __slots__ = ("load_balancers",)
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    load_balancers: _containers.RepeatedCompositeFieldContainer[ElbLoadBalancer]
    def __init__(self, load_balancers: _Optional[_Iterable[_Union[ElbLoadBalancer, _Mapping]]] = ...) -> None: ...

class DescribeLoadBalancersRequest(_message.Message):
    __slots__ = ("load_balancer_arns", "names", "marker", "page_size")
    LOAD_BALANCER_ARNS_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arns: _containers.RepeatedScalarFieldContainer[str]
    names: _containers.RepeatedScalarFieldContainer[str]
    marker: str
    page_size: int
    def __init__(self, load_balancer_arns: _Optional[_Iterable[str]] = ..., names: _Optional[_Iterable[str]] = ..., marker: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class DescribeLoadBalancersResponse(_message.Message):
    __slots__ = ("load_balancers", "next_marker")
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    load_balancers: _containers.RepeatedCompositeFieldContainer[ElbLoadBalancer]
    next_marker: str
    def __init__(self, load_balancers: _Optional[_Iterable[_Union[ElbLoadBalancer, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class DeleteLoadBalancerRequest(_message.Message):
    __slots__ = ("load_balancer_arn",)
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    def __init__(self, load_balancer_arn: _Optional[str] = ...) -> None: ...

class DeleteLoadBalancerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateTargetGroupRequest(_message.Message):
    __slots__ = ("name", "protocol", "port", "target_type", "health_check_protocol", "health_check_port", "health_check_enabled", "health_check_path", "health_check_interval_seconds", "health_check_timeout_seconds", "healthy_threshold_count", "unhealthy_threshold_count", "matcher", "tags", "vpc_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PORT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_ENABLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PATH_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    MATCHER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    VPC_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    protocol: str
    port: int
    target_type: str
    health_check_protocol: str
    health_check_port: str
    health_check_enabled: bool
    health_check_path: str
    health_check_interval_seconds: int
    health_check_timeout_seconds: int
    healthy_threshold_count: int
    unhealthy_threshold_count: int
    matcher: Matcher
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    vpc_id: str
    def __init__(self, name: _Optional[str] = ..., protocol: _Optional[str] = ..., port: _Optional[int] = ..., target_type: _Optional[str] = ..., health_check_protocol: _Optional[str] = ..., health_check_port: _Optional[str] = ..., health_check_enabled: _Optional[bool] = ..., health_check_path: _Optional[str] = ..., health_check_interval_seconds: _Optional[int] = ..., health_check_timeout_seconds: _Optional[int] = ..., healthy_threshold_count: _Optional[int] = ..., unhealthy_threshold_count: _Optional[int] = ..., matcher: _Optional[_Union[Matcher, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., vpc_id: _Optional[str] = ...) -> None: ...

class CreateTargetGroupResponse(_message.Message):
    __slots__ = ("target_groups",)
    TARGET_GROUPS_FIELD_NUMBER: _ClassVar[int]
    target_groups: _containers.RepeatedCompositeFieldContainer[TargetGroup]
    def __init__(self, target_groups: _Optional[_Iterable[_Union[TargetGroup, _Mapping]]] = ...) -> None: ...

class DescribeTargetGroupsRequest(_message.Message):
    __slots__ = ("load_balancer_arn", "target_group_arns", "names", "marker", "page_size")
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_ARNS_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    target_group_arns: _containers.RepeatedScalarFieldContainer[str]
    names: _containers.RepeatedScalarFieldContainer[str]
    marker: str
    page_size: int
    def __init__(self, load_balancer_arn: _Optional[str] = ..., target_group_arns: _Optional[_Iterable[str]] = ..., names: _Optional[_Iterable[str]] = ..., marker: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class DescribeTargetGroupsResponse(_message.Message):
    __slots__ = ("target_groups", "next_marker")
    TARGET_GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    target_groups: _containers.RepeatedCompositeFieldContainer[TargetGroup]
    next_marker: str
    def __init__(self, target_groups: _Optional[_Iterable[_Union[TargetGroup, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class ModifyTargetGroupRequest(_message.Message):
    __slots__ = ("target_group_arn", "health_check_protocol", "health_check_port", "health_check_path", "health_check_enabled", "health_check_interval_seconds", "health_check_timeout_seconds", "healthy_threshold_count", "unhealthy_threshold_count", "matcher")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PORT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_PATH_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_ENABLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_THRESHOLD_COUNT_FIELD_NUMBER: _ClassVar[int]
    MATCHER_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    health_check_protocol: str
    health_check_port: str
    health_check_path: str
    health_check_enabled: bool
    health_check_interval_seconds: int
    health_check_timeout_seconds: int
    healthy_threshold_count: int
    unhealthy_threshold_count: int
    matcher: Matcher
    def __init__(self, target_group_arn: _Optional[str] = ..., health_check_protocol: _Optional[str] = ..., health_check_port: _Optional[str] = ..., health_check_path: _Optional[str] = ..., health_check_enabled: _Optional[bool] = ..., health_check_interval_seconds: _Optional[int] = ..., health_check_timeout_seconds: _Optional[int] = ..., healthy_threshold_count: _Optional[int] = ..., unhealthy_threshold_count: _Optional[int] = ..., matcher: _Optional[_Union[Matcher, _Mapping]] = ...) -> None: ...

class ModifyTargetGroupResponse(_message.Message):
    __slots__ = ("target_groups",)
    TARGET_GROUPS_FIELD_NUMBER: _ClassVar[int]
    target_groups: _containers.RepeatedCompositeFieldContainer[TargetGroup]
    def __init__(self, target_groups: _Optional[_Iterable[_Union[TargetGroup, _Mapping]]] = ...) -> None: ...

class DeleteTargetGroupRequest(_message.Message):
    __slots__ = ("target_group_arn",)
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    def __init__(self, target_group_arn: _Optional[str] = ...) -> None: ...

class DeleteTargetGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeTargetGroupAttributesRequest(_message.Message):
    __slots__ = ("target_group_arn",)
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    def __init__(self, target_group_arn: _Optional[str] = ...) -> None: ...

class DescribeTargetGroupAttributesResponse(_message.Message):
    __slots__ = ("attributes",)
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[TargetGroupAttribute]
    def __init__(self, attributes: _Optional[_Iterable[_Union[TargetGroupAttribute, _Mapping]]] = ...) -> None: ...

class ModifyTargetGroupAttributesRequest(_message.Message):
    __slots__ = ("target_group_arn", "attributes")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    attributes: _containers.RepeatedCompositeFieldContainer[TargetGroupAttribute]
    def __init__(self, target_group_arn: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[TargetGroupAttribute, _Mapping]]] = ...) -> None: ...

class ModifyTargetGroupAttributesResponse(_message.Message):
    __slots__ = ("attributes",)
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[TargetGroupAttribute]
    def __init__(self, attributes: _Optional[_Iterable[_Union[TargetGroupAttribute, _Mapping]]] = ...) -> None: ...

class CreateListenerRequest(_message.Message):
    __slots__ = ("load_balancer_arn", "protocol", "port", "default_actions", "tags")
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    protocol: str
    port: int
    default_actions: _containers.RepeatedCompositeFieldContainer[Action]
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, load_balancer_arn: _Optional[str] = ..., protocol: _Optional[str] = ..., port: _Optional[int] = ..., default_actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateListenerResponse(_message.Message):
    __slots__ = ("listeners",)
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    def __init__(self, listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ...) -> None: ...

class DescribeListenersRequest(_message.Message):
    __slots__ = ("load_balancer_arn", "listener_arns", "marker", "page_size")
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    LISTENER_ARNS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    listener_arns: _containers.RepeatedScalarFieldContainer[str]
    marker: str
    page_size: int
    def __init__(self, load_balancer_arn: _Optional[str] = ..., listener_arns: _Optional[_Iterable[str]] = ..., marker: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class DescribeListenersResponse(_message.Message):
    __slots__ = ("listeners", "next_marker")
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    next_marker: str
    def __init__(self, listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class DeleteListenerRequest(_message.Message):
    __slots__ = ("listener_arn",)
    LISTENER_ARN_FIELD_NUMBER: _ClassVar[int]
    listener_arn: str
    def __init__(self, listener_arn: _Optional[str] = ...) -> None: ...

class DeleteListenerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RegisterTargetsRequest(_message.Message):
    __slots__ = ("target_group_arn", "targets")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    targets: _containers.RepeatedCompositeFieldContainer[TargetDescription]
    def __init__(self, target_group_arn: _Optional[str] = ..., targets: _Optional[_Iterable[_Union[TargetDescription, _Mapping]]] = ...) -> None: ...

class RegisterTargetsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeregisterTargetsRequest(_message.Message):
    __slots__ = ("target_group_arn", "targets")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    targets: _containers.RepeatedCompositeFieldContainer[TargetDescription]
    def __init__(self, target_group_arn: _Optional[str] = ..., targets: _Optional[_Iterable[_Union[TargetDescription, _Mapping]]] = ...) -> None: ...

class DeregisterTargetsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeTargetHealthRequest(_message.Message):
    __slots__ = ("target_group_arn", "targets")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    targets: _containers.RepeatedCompositeFieldContainer[TargetDescription]
    def __init__(self, target_group_arn: _Optional[str] = ..., targets: _Optional[_Iterable[_Union[TargetDescription, _Mapping]]] = ...) -> None: ...

class DescribeTargetHealthResponse(_message.Message):
    __slots__ = ("target_health_descriptions",)
    TARGET_HEALTH_DESCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    target_health_descriptions: _containers.RepeatedCompositeFieldContainer[TargetHealthDescription]
    def __init__(self, target_health_descriptions: _Optional[_Iterable[_Union[TargetHealthDescription, _Mapping]]] = ...) -> None: ...

class WatchLoadBalancerRequest(_message.Message):
    __slots__ = ("load_balancer_name", "node_id", "dns_name", "metrics_address")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    METRICS_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    node_id: str
    dns_name: str
    metrics_address: str
    def __init__(self, load_balancer_name: _Optional[str] = ..., node_id: _Optional[str] = ..., dns_name: _Optional[str] = ..., metrics_address: _Optional[str] = ...) -> None: ...

class NodeTarget(_message.Message):
    __slots__ = ("id", "address", "port", "task_arn", "draining", "drain_deadline")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    DRAINING_FIELD_NUMBER: _ClassVar[int]
    DRAIN_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    id: str
    address: str
    port: int
    task_arn: str
    draining: bool
    drain_deadline: float
    def __init__(self, id: _Optional[str] = ..., address: _Optional[str] = ..., port: _Optional[int] = ..., task_arn: _Optional[str] = ..., draining: _Optional[bool] = ..., drain_deadline: _Optional[float] = ...) -> None: ...

class NodeTargetGroup(_message.Message):
    __slots__ = ("target_group", "targets")
    TARGET_GROUP_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    target_group: TargetGroup
    targets: _containers.RepeatedCompositeFieldContainer[NodeTarget]
    def __init__(self, target_group: _Optional[_Union[TargetGroup, _Mapping]] = ..., targets: _Optional[_Iterable[_Union[NodeTarget, _Mapping]]] = ...) -> None: ...

class LoadBalancerConfig(_message.Message):
    __slots__ = ("load_balancer", "listeners", "target_groups", "revision")
    LOAD_BALANCER_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUPS_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    load_balancer: ElbLoadBalancer
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    target_groups: _containers.RepeatedCompositeFieldContainer[NodeTargetGroup]
    revision: int
    def __init__(self, load_balancer: _Optional[_Union[ElbLoadBalancer, _Mapping]] = ..., listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ..., target_groups: _Optional[_Iterable[_Union[NodeTargetGroup, _Mapping]]] = ..., revision: _Optional[int] = ...) -> None: ...

class TargetHealthReport(_message.Message):
    __slots__ = ("target_group_arn", "target", "target_health")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGET_HEALTH_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    target: TargetDescription
    target_health: TargetHealth
    def __init__(self, target_group_arn: _Optional[str] = ..., target: _Optional[_Union[TargetDescription, _Mapping]] = ..., target_health: _Optional[_Union[TargetHealth, _Mapping]] = ...) -> None: ...

class ReportTargetHealthRequest(_message.Message):
    __slots__ = ("load_balancer_arn", "node_id", "reports")
    LOAD_BALANCER_ARN_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_arn: str
    node_id: str
    reports: _containers.RepeatedCompositeFieldContainer[TargetHealthReport]
    def __init__(self, load_balancer_arn: _Optional[str] = ..., node_id: _Optional[str] = ..., reports: _Optional[_Iterable[_Union[TargetHealthReport, _Mapping]]] = ...) -> None: ...

class ReportTargetHealthResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
