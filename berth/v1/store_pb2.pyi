from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TaskDefinitionFamily(_message.Message):
    __slots__ = ("family", "last_revision", "active_revisions")
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    LAST_REVISION_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_REVISIONS_FIELD_NUMBER: _ClassVar[int]
    family: str
    last_revision: int
    active_revisions: int
    def __init__(self, family: _Optional[str] = ..., last_revision: _Optional[int] = ..., active_revisions: _Optional[int] = ...) -> None: ...

class AccessKey(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "principal", "status", "created_at", "policies")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    principal: str
    status: str
    created_at: float
    policies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., principal: _Optional[str] = ..., status: _Optional[str] = ..., created_at: _Optional[float] = ..., policies: _Optional[_Iterable[str]] = ...) -> None: ...

class TagSet(_message.Message):
    __slots__ = ("resource_arn", "tags")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, resource_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class InstanceAllocation(_message.Message):
    __slots__ = ("tasks",)
    class TasksEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Reservation
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Reservation, _Mapping]] = ...) -> None: ...
    TASKS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.MessageMap[str, _types_pb2.Reservation]
    def __init__(self, tasks: _Optional[_Mapping[str, _types_pb2.Reservation]] = ...) -> None: ...

class IdempotencyRecord(_message.Message):
    __slots__ = ("request_hash", "task_arns", "created_at")
    REQUEST_HASH_FIELD_NUMBER: _ClassVar[int]
    TASK_ARNS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    request_hash: str
    task_arns: _containers.RepeatedScalarFieldContainer[str]
    created_at: float
    def __init__(self, request_hash: _Optional[str] = ..., task_arns: _Optional[_Iterable[str]] = ..., created_at: _Optional[float] = ...) -> None: ...

class AgentLiveness(_message.Message):
    __slots__ = ("container_instance_arn", "connected_at", "replica", "warm_sandboxes")
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_AT_FIELD_NUMBER: _ClassVar[int]
    REPLICA_FIELD_NUMBER: _ClassVar[int]
    WARM_SANDBOXES_FIELD_NUMBER: _ClassVar[int]
    container_instance_arn: str
    connected_at: float
    replica: str
    warm_sandboxes: int
    def __init__(self, container_instance_arn: _Optional[str] = ..., connected_at: _Optional[float] = ..., replica: _Optional[str] = ..., warm_sandboxes: _Optional[int] = ...) -> None: ...

class ReplicaRecord(_message.Message):
    __slots__ = ("replica", "grpc_endpoint", "started_at", "agent_endpoint")
    REPLICA_FIELD_NUMBER: _ClassVar[int]
    GRPC_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    replica: str
    grpc_endpoint: str
    started_at: float
    agent_endpoint: str
    def __init__(self, replica: _Optional[str] = ..., grpc_endpoint: _Optional[str] = ..., started_at: _Optional[float] = ..., agent_endpoint: _Optional[str] = ...) -> None: ...

class AgentIdentity(_message.Message):
    __slots__ = ("container_instance_arn", "access_key_id", "cert_generation")
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    CERT_GENERATION_FIELD_NUMBER: _ClassVar[int]
    container_instance_arn: str
    access_key_id: str
    cert_generation: str
    def __init__(self, container_instance_arn: _Optional[str] = ..., access_key_id: _Optional[str] = ..., cert_generation: _Optional[str] = ...) -> None: ...

class ClusterCa(_message.Message):
    __slots__ = ("certificate_pem", "sealed_key", "created_at", "next_certificate_pem", "next_sealed_key", "previous_certificate_pem", "phase_since")
    CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    SEALED_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    NEXT_SEALED_KEY_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    PHASE_SINCE_FIELD_NUMBER: _ClassVar[int]
    certificate_pem: str
    sealed_key: bytes
    created_at: float
    next_certificate_pem: str
    next_sealed_key: bytes
    previous_certificate_pem: str
    phase_since: float
    def __init__(self, certificate_pem: _Optional[str] = ..., sealed_key: _Optional[bytes] = ..., created_at: _Optional[float] = ..., next_certificate_pem: _Optional[str] = ..., next_sealed_key: _Optional[bytes] = ..., previous_certificate_pem: _Optional[str] = ..., phase_since: _Optional[float] = ...) -> None: ...

class Leader(_message.Message):
    __slots__ = ("replica", "since")
    REPLICA_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    replica: str
    since: float
    def __init__(self, replica: _Optional[str] = ..., since: _Optional[float] = ...) -> None: ...

class TaskCredentials(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "session_token", "task_arn", "role_arn", "issued_at", "expiration")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    session_token: str
    task_arn: str
    role_arn: str
    issued_at: float
    expiration: float
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., session_token: _Optional[str] = ..., task_arn: _Optional[str] = ..., role_arn: _Optional[str] = ..., issued_at: _Optional[float] = ..., expiration: _Optional[float] = ...) -> None: ...
