from berth.v1 import ecs_messages_pb2 as _ecs_messages_pb2
from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RenewCertificateRequest(_message.Message):
    __slots__ = ("csr_pem",)
    CSR_PEM_FIELD_NUMBER: _ClassVar[int]
    csr_pem: str
    def __init__(self, csr_pem: _Optional[str] = ...) -> None: ...

class RenewCertificateResponse(_message.Message):
    __slots__ = ("certificate",)
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    certificate: _ecs_messages_pb2.AgentCertificate
    def __init__(self, certificate: _Optional[_Union[_ecs_messages_pb2.AgentCertificate, _Mapping]] = ...) -> None: ...

class GetTaskCredentialsRequest(_message.Message):
    __slots__ = ("task_arn",)
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    task_arn: str
    def __init__(self, task_arn: _Optional[str] = ...) -> None: ...

class GetTaskCredentialsResponse(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "session_token", "expiration", "role_arn")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float
    role_arn: str
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., session_token: _Optional[str] = ..., expiration: _Optional[float] = ..., role_arn: _Optional[str] = ...) -> None: ...

class GetTaskSecretsRequest(_message.Message):
    __slots__ = ("task_arn",)
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    task_arn: str
    def __init__(self, task_arn: _Optional[str] = ...) -> None: ...

class ContainerSecrets(_message.Message):
    __slots__ = ("container_name", "environment", "files", "registry_auth")
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_AUTH_FIELD_NUMBER: _ClassVar[int]
    container_name: str
    environment: _containers.RepeatedCompositeFieldContainer[_types_pb2.KeyValuePair]
    files: _containers.RepeatedCompositeFieldContainer[SecretFile]
    registry_auth: RegistryAuth
    def __init__(self, container_name: _Optional[str] = ..., environment: _Optional[_Iterable[_Union[_types_pb2.KeyValuePair, _Mapping]]] = ..., files: _Optional[_Iterable[_Union[SecretFile, _Mapping]]] = ..., registry_auth: _Optional[_Union[RegistryAuth, _Mapping]] = ...) -> None: ...

class SecretFile(_message.Message):
    __slots__ = ("path", "value")
    PATH_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    path: str
    value: str
    def __init__(self, path: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class RegistryAuth(_message.Message):
    __slots__ = ("username", "password")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    username: str
    password: str
    def __init__(self, username: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class GetTaskSecretsResponse(_message.Message):
    __slots__ = ("containers",)
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    containers: _containers.RepeatedCompositeFieldContainer[ContainerSecrets]
    def __init__(self, containers: _Optional[_Iterable[_Union[ContainerSecrets, _Mapping]]] = ...) -> None: ...

class GoodbyeRequest(_message.Message):
    __slots__ = ("container_instance_arn", "reason")
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    container_instance_arn: str
    reason: str
    def __init__(self, container_instance_arn: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GoodbyeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AgentMessage(_message.Message):
    __slots__ = ("hello", "heartbeat", "task_state_change", "log_chunk", "exec_output", "task_stats")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    TASK_STATE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    LOG_CHUNK_FIELD_NUMBER: _ClassVar[int]
    EXEC_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    TASK_STATS_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    heartbeat: Heartbeat
    task_state_change: TaskStateChange
    log_chunk: LogChunk
    exec_output: ExecOutput
    task_stats: TaskStatsReport
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., task_state_change: _Optional[_Union[TaskStateChange, _Mapping]] = ..., log_chunk: _Optional[_Union[LogChunk, _Mapping]] = ..., exec_output: _Optional[_Union[ExecOutput, _Mapping]] = ..., task_stats: _Optional[_Union[TaskStatsReport, _Mapping]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("container_instance_arn", "agent_version")
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    container_instance_arn: str
    agent_version: str
    def __init__(self, container_instance_arn: _Optional[str] = ..., agent_version: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("sent_at", "warm_sandboxes")
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    WARM_SANDBOXES_FIELD_NUMBER: _ClassVar[int]
    sent_at: float
    warm_sandboxes: int
    def __init__(self, sent_at: _Optional[float] = ..., warm_sandboxes: _Optional[int] = ...) -> None: ...

class TaskStateChange(_message.Message):
    __slots__ = ("seq", "task_arn", "last_status", "containers", "stop_code", "stopped_reason", "health_status", "pull_started_at", "pull_stopped_at", "started_at", "stopping_at", "execution_stopped_at", "stopped_at", "attachments", "launch_timing", "usage", "restart_count", "connectivity_at")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    STOP_CODE_FIELD_NUMBER: _ClassVar[int]
    STOPPED_REASON_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    PULL_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    PULL_STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPING_AT_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TIMING_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    RESTART_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONNECTIVITY_AT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    task_arn: str
    last_status: str
    containers: _containers.RepeatedCompositeFieldContainer[_types_pb2.Container]
    stop_code: str
    stopped_reason: str
    health_status: str
    pull_started_at: float
    pull_stopped_at: float
    started_at: float
    stopping_at: float
    execution_stopped_at: float
    stopped_at: float
    attachments: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attachment]
    launch_timing: _types_pb2.LaunchTiming
    usage: _types_pb2.TaskUsage
    restart_count: int
    connectivity_at: float
    def __init__(self, seq: _Optional[int] = ..., task_arn: _Optional[str] = ..., last_status: _Optional[str] = ..., containers: _Optional[_Iterable[_Union[_types_pb2.Container, _Mapping]]] = ..., stop_code: _Optional[str] = ..., stopped_reason: _Optional[str] = ..., health_status: _Optional[str] = ..., pull_started_at: _Optional[float] = ..., pull_stopped_at: _Optional[float] = ..., started_at: _Optional[float] = ..., stopping_at: _Optional[float] = ..., execution_stopped_at: _Optional[float] = ..., stopped_at: _Optional[float] = ..., attachments: _Optional[_Iterable[_Union[_types_pb2.Attachment, _Mapping]]] = ..., launch_timing: _Optional[_Union[_types_pb2.LaunchTiming, _Mapping]] = ..., usage: _Optional[_Union[_types_pb2.TaskUsage, _Mapping]] = ..., restart_count: _Optional[int] = ..., connectivity_at: _Optional[float] = ...) -> None: ...

class ServerMessage(_message.Message):
    __slots__ = ("manifest", "ack", "heartbeat", "log_request", "log_cancel", "log_credit", "exec_request", "exec_input", "secrets_changed")
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    LOG_REQUEST_FIELD_NUMBER: _ClassVar[int]
    LOG_CANCEL_FIELD_NUMBER: _ClassVar[int]
    LOG_CREDIT_FIELD_NUMBER: _ClassVar[int]
    EXEC_REQUEST_FIELD_NUMBER: _ClassVar[int]
    EXEC_INPUT_FIELD_NUMBER: _ClassVar[int]
    SECRETS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    manifest: TaskManifest
    ack: Ack
    heartbeat: Heartbeat
    log_request: LogRequest
    log_cancel: LogCancel
    log_credit: LogCredit
    exec_request: ExecRequest
    exec_input: ExecInput
    secrets_changed: SecretsChanged
    def __init__(self, manifest: _Optional[_Union[TaskManifest, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., log_request: _Optional[_Union[LogRequest, _Mapping]] = ..., log_cancel: _Optional[_Union[LogCancel, _Mapping]] = ..., log_credit: _Optional[_Union[LogCredit, _Mapping]] = ..., exec_request: _Optional[_Union[ExecRequest, _Mapping]] = ..., exec_input: _Optional[_Union[ExecInput, _Mapping]] = ..., secrets_changed: _Optional[_Union[SecretsChanged, _Mapping]] = ...) -> None: ...

class SecretsChanged(_message.Message):
    __slots__ = ("task_arns", "secret_arn")
    TASK_ARNS_FIELD_NUMBER: _ClassVar[int]
    SECRET_ARN_FIELD_NUMBER: _ClassVar[int]
    task_arns: _containers.RepeatedScalarFieldContainer[str]
    secret_arn: str
    def __init__(self, task_arns: _Optional[_Iterable[str]] = ..., secret_arn: _Optional[str] = ...) -> None: ...

class AssignedTask(_message.Message):
    __slots__ = ("task", "task_definition")
    TASK_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    task_definition: _types_pb2.TaskDefinition
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ..., task_definition: _Optional[_Union[_types_pb2.TaskDefinition, _Mapping]] = ...) -> None: ...

class TaskManifest(_message.Message):
    __slots__ = ("complete", "revision", "tasks", "removed")
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    complete: bool
    revision: int
    tasks: _containers.RepeatedCompositeFieldContainer[AssignedTask]
    removed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, complete: _Optional[bool] = ..., revision: _Optional[int] = ..., tasks: _Optional[_Iterable[_Union[AssignedTask, _Mapping]]] = ..., removed: _Optional[_Iterable[str]] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("seq",)
    SEQ_FIELD_NUMBER: _ClassVar[int]
    seq: int
    def __init__(self, seq: _Optional[int] = ...) -> None: ...

class LogRequest(_message.Message):
    __slots__ = ("request_id", "task_arn", "containers", "since", "tail", "follow", "window")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    TAIL_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    task_arn: str
    containers: _containers.RepeatedScalarFieldContainer[str]
    since: float
    tail: int
    follow: bool
    window: int
    def __init__(self, request_id: _Optional[str] = ..., task_arn: _Optional[str] = ..., containers: _Optional[_Iterable[str]] = ..., since: _Optional[float] = ..., tail: _Optional[int] = ..., follow: _Optional[bool] = ..., window: _Optional[int] = ...) -> None: ...

class LogCancel(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class LogCredit(_message.Message):
    __slots__ = ("request_id", "chunks")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    chunks: int
    def __init__(self, request_id: _Optional[str] = ..., chunks: _Optional[int] = ...) -> None: ...

class LogChunk(_message.Message):
    __slots__ = ("request_id", "lines", "end", "error")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    lines: _containers.RepeatedCompositeFieldContainer[LogLine]
    end: bool
    error: str
    def __init__(self, request_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[LogLine, _Mapping]]] = ..., end: _Optional[bool] = ..., error: _Optional[str] = ...) -> None: ...

class LogLine(_message.Message):
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

class TaskStatsReport(_message.Message):
    __slots__ = ("sampled_at", "tasks")
    SAMPLED_AT_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    sampled_at: float
    tasks: _containers.RepeatedCompositeFieldContainer[TaskStats]
    def __init__(self, sampled_at: _Optional[float] = ..., tasks: _Optional[_Iterable[_Union[TaskStats, _Mapping]]] = ...) -> None: ...

class TaskStats(_message.Message):
    __slots__ = ("task_arn", "cpu_seconds", "cpu_cores", "memory_bytes", "reserved_cpu", "reserved_memory", "service_name", "sampled_at")
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    CPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    RESERVED_CPU_FIELD_NUMBER: _ClassVar[int]
    RESERVED_MEMORY_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_AT_FIELD_NUMBER: _ClassVar[int]
    task_arn: str
    cpu_seconds: float
    cpu_cores: float
    memory_bytes: int
    reserved_cpu: int
    reserved_memory: int
    service_name: str
    sampled_at: float
    def __init__(self, task_arn: _Optional[str] = ..., cpu_seconds: _Optional[float] = ..., cpu_cores: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., reserved_cpu: _Optional[int] = ..., reserved_memory: _Optional[int] = ..., service_name: _Optional[str] = ..., sampled_at: _Optional[float] = ...) -> None: ...

class ExecRequest(_message.Message):
    __slots__ = ("session_id", "task_arn", "container_name", "command", "tty", "rows", "cols", "window")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    TTY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    task_arn: str
    container_name: str
    command: _containers.RepeatedScalarFieldContainer[str]
    tty: bool
    rows: int
    cols: int
    window: int
    def __init__(self, session_id: _Optional[str] = ..., task_arn: _Optional[str] = ..., container_name: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., tty: _Optional[bool] = ..., rows: _Optional[int] = ..., cols: _Optional[int] = ..., window: _Optional[int] = ...) -> None: ...

class ExecInput(_message.Message):
    __slots__ = ("session_id", "stdin", "stdin_closed", "rows", "cols", "credits", "cancel")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    STDIN_CLOSED_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    stdin: bytes
    stdin_closed: bool
    rows: int
    cols: int
    credits: int
    cancel: bool
    def __init__(self, session_id: _Optional[str] = ..., stdin: _Optional[bytes] = ..., stdin_closed: _Optional[bool] = ..., rows: _Optional[int] = ..., cols: _Optional[int] = ..., credits: _Optional[int] = ..., cancel: _Optional[bool] = ...) -> None: ...

class ExecOutput(_message.Message):
    __slots__ = ("session_id", "started", "stdout", "stderr", "stdin_credits", "exited", "exit_code", "error")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    STDIN_CREDITS_FIELD_NUMBER: _ClassVar[int]
    EXITED_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    started: bool
    stdout: bytes
    stderr: bytes
    stdin_credits: int
    exited: bool
    exit_code: int
    error: str
    def __init__(self, session_id: _Optional[str] = ..., started: _Optional[bool] = ..., stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., stdin_credits: _Optional[int] = ..., exited: _Optional[bool] = ..., exit_code: _Optional[int] = ..., error: _Optional[str] = ...) -> None: ...
