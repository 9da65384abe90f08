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
