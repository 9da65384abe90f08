from berth.v1 import autoscaling_pb2 as _autoscaling_pb2
from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RotateCaRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeCaRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CaStatus(_message.Message):
    __slots__ = ("phase", "ca_fingerprint", "trusted_fingerprints", "next_phase_at")
    PHASE_FIELD_NUMBER: _ClassVar[int]
    CA_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    TRUSTED_FINGERPRINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PHASE_AT_FIELD_NUMBER: _ClassVar[int]
    phase: str
    ca_fingerprint: str
    trusted_fingerprints: _containers.RepeatedScalarFieldContainer[str]
    next_phase_at: float
    def __init__(self, phase: _Optional[str] = ..., ca_fingerprint: _Optional[str] = ..., trusted_fingerprints: _Optional[_Iterable[str]] = ..., next_phase_at: _Optional[float] = ...) -> None: ...

class RotateJoinTokenRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetJoinTokenRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class JoinTokenResponse(_message.Message):
    __slots__ = ("join_token", "ca_fingerprint")
    JOIN_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CA_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    join_token: str
    ca_fingerprint: str
    def __init__(self, join_token: _Optional[str] = ..., ca_fingerprint: _Optional[str] = ...) -> None: ...

class WatchServiceEventsRequest(_message.Message):
    __slots__ = ("cluster", "services", "include_existing")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EXISTING_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    services: _containers.RepeatedScalarFieldContainer[str]
    include_existing: bool
    def __init__(self, cluster: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., include_existing: _Optional[bool] = ...) -> None: ...

class ServiceEventMessage(_message.Message):
    __slots__ = ("service_arn", "service_name", "event")
    SERVICE_ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    service_arn: str
    service_name: str
    event: _types_pb2.ServiceEvent
    def __init__(self, service_arn: _Optional[str] = ..., service_name: _Optional[str] = ..., event: _Optional[_Union[_types_pb2.ServiceEvent, _Mapping]] = ...) -> None: ...

class DescribePoolRequest(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: str
    def __init__(self, pool: _Optional[str] = ...) -> None: ...

class DescribePoolResponse(_message.Message):
    __slots__ = ("container_instances",)
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    container_instances: _containers.RepeatedCompositeFieldContainer[_types_pb2.ContainerInstance]
    def __init__(self, container_instances: _Optional[_Iterable[_Union[_types_pb2.ContainerInstance, _Mapping]]] = ...) -> None: ...

class DeregisterPoolInstanceRequest(_message.Message):
    __slots__ = ("pool", "container_instance", "force")
    POOL_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    pool: str
    container_instance: str
    force: bool
    def __init__(self, pool: _Optional[str] = ..., container_instance: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DeregisterPoolInstanceResponse(_message.Message):
    __slots__ = ("container_instance",)
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    container_instance: _types_pb2.ContainerInstance
    def __init__(self, container_instance: _Optional[_Union[_types_pb2.ContainerInstance, _Mapping]] = ...) -> None: ...

class GetServiceUtilizationRequest(_message.Message):
    __slots__ = ("cluster", "services")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cluster: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ...) -> None: ...

class ServiceUtilization(_message.Message):
    __slots__ = ("service_arn", "service_name", "cpu_utilization_percent", "memory_utilization_percent", "task_count", "sampled_at")
    SERVICE_ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    CPU_UTILIZATION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_UTILIZATION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TASK_COUNT_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_AT_FIELD_NUMBER: _ClassVar[int]
    service_arn: str
    service_name: str
    cpu_utilization_percent: float
    memory_utilization_percent: float
    task_count: int
    sampled_at: float
    def __init__(self, service_arn: _Optional[str] = ..., service_name: _Optional[str] = ..., cpu_utilization_percent: _Optional[float] = ..., memory_utilization_percent: _Optional[float] = ..., task_count: _Optional[int] = ..., sampled_at: _Optional[float] = ...) -> None: ...

class GetServiceUtilizationResponse(_message.Message):
    __slots__ = ("services", "failures")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[ServiceUtilization]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, services: _Optional[_Iterable[_Union[ServiceUtilization, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class GetTaskLogsRequest(_message.Message):
    __slots__ = ("cluster", "task", "container_name", "since", "tail", "follow")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    TAIL_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    task: str
    container_name: str
    since: float
    tail: int
    follow: bool
    def __init__(self, cluster: _Optional[str] = ..., task: _Optional[str] = ..., container_name: _Optional[str] = ..., since: _Optional[float] = ..., tail: _Optional[int] = ..., follow: _Optional[bool] = ...) -> None: ...

class LogEvent(_message.Message):
    __slots__ = ("container_name", "stream", "timestamp", "message")
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    container_name: str
    stream: str
    timestamp: float
    message: str
    def __init__(self, container_name: _Optional[str] = ..., stream: _Optional[str] = ..., timestamp: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class GetTaskLogsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[LogEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[LogEvent, _Mapping]]] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("cluster", "services", "types", "after_id", "from_oldest", "follow")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_OLDEST_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    services: _containers.RepeatedScalarFieldContainer[str]
    types: _containers.RepeatedScalarFieldContainer[str]
    after_id: str
    from_oldest: bool
    follow: bool
    def __init__(self, cluster: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., types: _Optional[_Iterable[str]] = ..., after_id: _Optional[str] = ..., from_oldest: _Optional[bool] = ..., follow: _Optional[bool] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("id", "detail_type", "source", "account", "region", "time", "resources", "task", "container_instance", "service_action", "deployment_state_change", "exec_session", "scaling_activity", "audit", "type", "cluster", "service_name", "summary")
    ID_FIELD_NUMBER: _ClassVar[int]
    DETAIL_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ACTION_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_STATE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    EXEC_SESSION_FIELD_NUMBER: _ClassVar[int]
    SCALING_ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    id: str
    detail_type: str
    source: str
    account: str
    region: str
    time: float
    resources: _containers.RepeatedScalarFieldContainer[str]
    task: _types_pb2.Task
    container_instance: _types_pb2.ContainerInstance
    service_action: ServiceAction
    deployment_state_change: DeploymentStateChange
    exec_session: ExecSession
    scaling_activity: _autoscaling_pb2.ScalingActivity
    audit: AuditRecord
    type: str
    cluster: str
    service_name: str
    summary: str
    def __init__(self, id: _Optional[str] = ..., detail_type: _Optional[str] = ..., source: _Optional[str] = ..., account: _Optional[str] = ..., region: _Optional[str] = ..., time: _Optional[float] = ..., resources: _Optional[_Iterable[str]] = ..., task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ..., container_instance: _Optional[_Union[_types_pb2.ContainerInstance, _Mapping]] = ..., service_action: _Optional[_Union[ServiceAction, _Mapping]] = ..., deployment_state_change: _Optional[_Union[DeploymentStateChange, _Mapping]] = ..., exec_session: _Optional[_Union[ExecSession, _Mapping]] = ..., scaling_activity: _Optional[_Union[_autoscaling_pb2.ScalingActivity, _Mapping]] = ..., audit: _Optional[_Union[AuditRecord, _Mapping]] = ..., type: _Optional[str] = ..., cluster: _Optional[str] = ..., service_name: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class AuditRecord(_message.Message):
    __slots__ = ("request_id", "time", "principal", "access_key_id", "action", "resources", "cluster", "outcome", "error_code", "source_address", "replica", "via")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REPLICA_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    time: float
    principal: str
    access_key_id: str
    action: str
    resources: _containers.RepeatedScalarFieldContainer[str]
    cluster: str
    outcome: str
    error_code: str
    source_address: str
    replica: str
    via: str
    def __init__(self, request_id: _Optional[str] = ..., time: _Optional[float] = ..., principal: _Optional[str] = ..., access_key_id: _Optional[str] = ..., action: _Optional[str] = ..., resources: _Optional[_Iterable[str]] = ..., cluster: _Optional[str] = ..., outcome: _Optional[str] = ..., error_code: _Optional[str] = ..., source_address: _Optional[str] = ..., replica: _Optional[str] = ..., via: _Optional[str] = ...) -> None: ...

class AuditBatch(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[AuditRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[AuditRecord, _Mapping]]] = ...) -> None: ...

class ServiceAction(_message.Message):
    __slots__ = ("event_type", "event_name", "cluster_arn", "created_at", "reason", "desired_count", "message")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_NAME_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    event_name: str
    cluster_arn: str
    created_at: float
    reason: str
    desired_count: int
    message: str
    def __init__(self, event_type: _Optional[str] = ..., event_name: _Optional[str] = ..., cluster_arn: _Optional[str] = ..., created_at: _Optional[float] = ..., reason: _Optional[str] = ..., desired_count: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class DeploymentStateChange(_message.Message):
    __slots__ = ("event_type", "event_name", "deployment_id", "updated_at", "reason")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_NAME_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    event_name: str
    deployment_id: str
    updated_at: float
    reason: str
    def __init__(self, event_type: _Optional[str] = ..., event_name: _Optional[str] = ..., deployment_id: _Optional[str] = ..., updated_at: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class ExecuteCommandStreamRequest(_message.Message):
    __slots__ = ("start", "stdin", "stdin_closed", "resize")
    START_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    STDIN_CLOSED_FIELD_NUMBER: _ClassVar[int]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    start: ExecStart
    stdin: bytes
    stdin_closed: bool
    resize: TerminalSize
    def __init__(self, start: _Optional[_Union[ExecStart, _Mapping]] = ..., stdin: _Optional[bytes] = ..., stdin_closed: _Optional[bool] = ..., resize: _Optional[_Union[TerminalSize, _Mapping]] = ...) -> None: ...

class ExecStart(_message.Message):
    __slots__ = ("cluster", "task", "container", "command", "interactive", "tty", "size")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    TTY_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    task: str
    container: str
    command: str
    interactive: bool
    tty: bool
    size: TerminalSize
    def __init__(self, cluster: _Optional[str] = ..., task: _Optional[str] = ..., container: _Optional[str] = ..., command: _Optional[str] = ..., interactive: _Optional[bool] = ..., tty: _Optional[bool] = ..., size: _Optional[_Union[TerminalSize, _Mapping]] = ...) -> None: ...

class TerminalSize(_message.Message):
    __slots__ = ("rows", "cols")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    rows: int
    cols: int
    def __init__(self, rows: _Optional[int] = ..., cols: _Optional[int] = ...) -> None: ...

class ExecuteCommandStreamResponse(_message.Message):
    __slots__ = ("session", "stdout", "stderr", "exit")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    session: ExecSession
    stdout: bytes
    stderr: bytes
    exit: ExecExit
    def __init__(self, session: _Optional[_Union[ExecSession, _Mapping]] = ..., stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit: _Optional[_Union[ExecExit, _Mapping]] = ...) -> None: ...

class ExecExit(_message.Message):
    __slots__ = ("exit_code",)
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    def __init__(self, exit_code: _Optional[int] = ...) -> None: ...

class ExecSession(_message.Message):
    __slots__ = ("session_id", "cluster_arn", "task_arn", "container_name", "container_arn", "command", "interactive", "tty", "principal", "status", "started_at", "stopped_at", "exit_code", "reason", "container_instance_arn")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_ARN_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    TTY_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    cluster_arn: str
    task_arn: str
    container_name: str
    container_arn: str
    command: str
    interactive: bool
    tty: bool
    principal: str
    status: str
    started_at: float
    stopped_at: float
    exit_code: int
    reason: str
    container_instance_arn: str
    def __init__(self, session_id: _Optional[str] = ..., cluster_arn: _Optional[str] = ..., task_arn: _Optional[str] = ..., container_name: _Optional[str] = ..., container_arn: _Optional[str] = ..., command: _Optional[str] = ..., interactive: _Optional[bool] = ..., tty: _Optional[bool] = ..., principal: _Optional[str] = ..., status: _Optional[str] = ..., started_at: _Optional[float] = ..., stopped_at: _Optional[float] = ..., exit_code: _Optional[int] = ..., reason: _Optional[str] = ..., container_instance_arn: _Optional[str] = ...) -> None: ...
