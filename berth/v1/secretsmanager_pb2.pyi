from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SealedVersion(_message.Message):
    __slots__ = ("version_id", "version_stages", "created_date", "sealed")
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    SEALED_FIELD_NUMBER: _ClassVar[int]
    version_id: str
    version_stages: _containers.RepeatedScalarFieldContainer[str]
    created_date: float
    sealed: bytes
    def __init__(self, version_id: _Optional[str] = ..., version_stages: _Optional[_Iterable[str]] = ..., created_date: _Optional[float] = ..., sealed: _Optional[bytes] = ...) -> None: ...

class SecretRecord(_message.Message):
    __slots__ = ("arn", "name", "description", "created_date", "last_changed_date", "tags", "versions")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    description: str
    created_date: float
    last_changed_date: float
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    versions: _containers.RepeatedCompositeFieldContainer[SealedVersion]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., created_date: _Optional[float] = ..., last_changed_date: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., versions: _Optional[_Iterable[_Union[SealedVersion, _Mapping]]] = ...) -> None: ...

class StageList(_message.Message):
    __slots__ = ("stages",)
    STAGES_FIELD_NUMBER: _ClassVar[int]
    stages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stages: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateSecretRequest(_message.Message):
    __slots__ = ("name", "description", "secret_string", "tags", "client_request_token", "kms_key_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SECRET_STRING_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_REQUEST_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    secret_string: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    client_request_token: str
    kms_key_id: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., secret_string: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., client_request_token: _Optional[str] = ..., kms_key_id: _Optional[str] = ...) -> None: ...

class CreateSecretResponse(_message.Message):
    __slots__ = ("arn", "name", "version_id")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    version_id: str
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class PutSecretValueRequest(_message.Message):
    __slots__ = ("secret_id", "secret_string", "client_request_token", "version_stages")
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_STRING_FIELD_NUMBER: _ClassVar[int]
    CLIENT_REQUEST_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGES_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    secret_string: str
    client_request_token: str
    version_stages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, secret_id: _Optional[str] = ..., secret_string: _Optional[str] = ..., client_request_token: _Optional[str] = ..., version_stages: _Optional[_Iterable[str]] = ...) -> None: ...

class PutSecretValueResponse(_message.Message):
    __slots__ = ("arn", "name", "version_id", "version_stages")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGES_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    version_id: str
    version_stages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., version_id: _Optional[str] = ..., version_stages: _Optional[_Iterable[str]] = ...) -> None: ...

class GetSecretValueRequest(_message.Message):
    __slots__ = ("secret_id", "version_id", "version_stage")
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGE_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    version_id: str
    version_stage: str
    def __init__(self, secret_id: _Optional[str] = ..., version_id: _Optional[str] = ..., version_stage: _Optional[str] = ...) -> None: ...

class GetSecretValueResponse(_message.Message):
    __slots__ = ("arn", "name", "version_id", "secret_string", "version_stages", "created_date")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_STRING_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    version_id: str
    secret_string: str
    version_stages: _containers.RepeatedScalarFieldContainer[str]
    created_date: float
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., version_id: _Optional[str] = ..., secret_string: _Optional[str] = ..., version_stages: _Optional[_Iterable[str]] = ..., created_date: _Optional[float] = ...) -> None: ...

class DescribeSecretRequest(_message.Message):
    __slots__ = ("secret_id",)
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    def __init__(self, secret_id: _Optional[str] = ...) -> None: ...

class DescribeSecretResponse(_message.Message):
    __slots__ = ("arn", "name", "description", "created_date", "last_changed_date", "tags", "version_ids_to_stages")
    class VersionIdsToStagesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: StageList
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[StageList, _Mapping]] = ...) -> None: ...
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    VERSION_IDS_TO_STAGES_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    description: str
    created_date: float
    last_changed_date: float
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    version_ids_to_stages: _containers.MessageMap[str, StageList]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., created_date: _Optional[float] = ..., last_changed_date: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., version_ids_to_stages: _Optional[_Mapping[str, StageList]] = ...) -> None: ...

class ListSecretsRequest(_message.Message):
    __slots__ = ("max_results", "next_token")
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    max_results: int
    next_token: str
    def __init__(self, max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class SecretListEntry(_message.Message):
    __slots__ = ("arn", "name", "description", "created_date", "last_changed_date", "tags")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    description: str
    created_date: float
    last_changed_date: float
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., created_date: _Optional[float] = ..., last_changed_date: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class ListSecretsResponse(_message.Message):
    __slots__ = ("secret_list", "next_token")
    SECRET_LIST_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    secret_list: _containers.RepeatedCompositeFieldContainer[SecretListEntry]
    next_token: str
    def __init__(self, secret_list: _Optional[_Iterable[_Union[SecretListEntry, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListSecretVersionIdsRequest(_message.Message):
    __slots__ = ("secret_id",)
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    def __init__(self, secret_id: _Optional[str] = ...) -> None: ...

class SecretVersionsListEntry(_message.Message):
    __slots__ = ("version_id", "version_stages", "created_date")
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_STAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    version_id: str
    version_stages: _containers.RepeatedScalarFieldContainer[str]
    created_date: float
    def __init__(self, version_id: _Optional[str] = ..., version_stages: _Optional[_Iterable[str]] = ..., created_date: _Optional[float] = ...) -> None: ...

class ListSecretVersionIdsResponse(_message.Message):
    __slots__ = ("arn", "name", "versions")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    versions: _containers.RepeatedCompositeFieldContainer[SecretVersionsListEntry]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[SecretVersionsListEntry, _Mapping]]] = ...) -> None: ...

class DeleteSecretRequest(_message.Message):
    __slots__ = ("secret_id", "force_delete_without_recovery", "recovery_window_in_days")
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_DELETE_WITHOUT_RECOVERY_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_WINDOW_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    force_delete_without_recovery: bool
    recovery_window_in_days: int
    def __init__(self, secret_id: _Optional[str] = ..., force_delete_without_recovery: _Optional[bool] = ..., recovery_window_in_days: _Optional[int] = ...) -> None: ...

class DeleteSecretResponse(_message.Message):
    __slots__ = ("arn", "name", "deletion_date")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DELETION_DATE_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    deletion_date: float
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., deletion_date: _Optional[float] = ...) -> None: ...

class RotateSecretRequest(_message.Message):
    __slots__ = ("secret_id", "secret_string", "restart_services")
    SECRET_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_STRING_FIELD_NUMBER: _ClassVar[int]
    RESTART_SERVICES_FIELD_NUMBER: _ClassVar[int]
    secret_id: str
    secret_string: str
    restart_services: bool
    def __init__(self, secret_id: _Optional[str] = ..., secret_string: _Optional[str] = ..., restart_services: _Optional[bool] = ...) -> None: ...

class RotateSecretResponse(_message.Message):
    __slots__ = ("arn", "name", "version_id", "restarted_services")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    RESTARTED_SERVICES_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    version_id: str
    restarted_services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., version_id: _Optional[str] = ..., restarted_services: _Optional[_Iterable[str]] = ...) -> None: ...

class SecretsKeyCheck(_message.Message):
    __slots__ = ("hmac_sha256", "next_hmac_sha256")
    HMAC_SHA256_FIELD_NUMBER: _ClassVar[int]
    NEXT_HMAC_SHA256_FIELD_NUMBER: _ClassVar[int]
    hmac_sha256: str
    next_hmac_sha256: str
    def __init__(self, hmac_sha256: _Optional[str] = ..., next_hmac_sha256: _Optional[str] = ...) -> None: ...
