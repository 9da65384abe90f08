from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
