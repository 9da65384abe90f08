from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class User(_message.Message):
    __slots__ = ("user_name", "user_id", "arn", "create_date", "tags", "inline_policies", "attached_policy_arns", "access_key_count")
    class InlinePoliciesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    INLINE_POLICIES_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_COUNT_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    user_id: str
    arn: str
    create_date: float
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    inline_policies: _containers.ScalarMap[str, str]
    attached_policy_arns: _containers.RepeatedScalarFieldContainer[str]
    access_key_count: int
    def __init__(self, user_name: _Optional[str] = ..., user_id: _Optional[str] = ..., arn: _Optional[str] = ..., create_date: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., inline_policies: _Optional[_Mapping[str, str]] = ..., attached_policy_arns: _Optional[_Iterable[str]] = ..., access_key_count: _Optional[int] = ...) -> None: ...

class Role(_message.Message):
    __slots__ = ("role_name", "role_id", "arn", "create_date", "assume_role_policy_document", "description", "max_session_duration", "tags", "inline_policies", "attached_policy_arns")
    class InlinePoliciesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    ASSUME_ROLE_POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_DURATION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    INLINE_POLICIES_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    role_id: str
    arn: str
    create_date: float
    assume_role_policy_document: str
    description: str
    max_session_duration: int
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    inline_policies: _containers.ScalarMap[str, str]
    attached_policy_arns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, role_name: _Optional[str] = ..., role_id: _Optional[str] = ..., arn: _Optional[str] = ..., create_date: _Optional[float] = ..., assume_role_policy_document: _Optional[str] = ..., description: _Optional[str] = ..., max_session_duration: _Optional[int] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., inline_policies: _Optional[_Mapping[str, str]] = ..., attached_policy_arns: _Optional[_Iterable[str]] = ...) -> None: ...

class ManagedPolicy(_message.Message):
    __slots__ = ("policy_name", "policy_id", "arn", "description", "create_date", "attachment_count", "policy_document")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_id: str
    arn: str
    description: str
    create_date: float
    attachment_count: int
    policy_document: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_id: _Optional[str] = ..., arn: _Optional[str] = ..., description: _Optional[str] = ..., create_date: _Optional[float] = ..., attachment_count: _Optional[int] = ..., policy_document: _Optional[str] = ...) -> None: ...

class AccessKeyMetadata(_message.Message):
    __slots__ = ("user_name", "access_key_id", "status", "create_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    status: str
    create_date: float
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., status: _Optional[str] = ..., create_date: _Optional[float] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("user_name", "tags")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, user_name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("marker", "max_items")
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    marker: str
    max_items: int
    def __init__(self, marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users", "marker", "is_truncated")
    USERS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    marker: str
    is_truncated: bool
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ..., marker: _Optional[str] = ..., is_truncated: _Optional[bool] = ...) -> None: ...

class DeleteUserRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class DeleteUserResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateAccessKeyRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class AccessKeyWithSecret(_message.Message):
    __slots__ = ("user_name", "access_key_id", "secret_access_key", "status", "create_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    secret_access_key: str
    status: str
    create_date: float
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., status: _Optional[str] = ..., create_date: _Optional[float] = ...) -> None: ...

class CreateAccessKeyResponse(_message.Message):
    __slots__ = ("access_key",)
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    access_key: AccessKeyWithSecret
    def __init__(self, access_key: _Optional[_Union[AccessKeyWithSecret, _Mapping]] = ...) -> None: ...

class ListAccessKeysRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class ListAccessKeysResponse(_message.Message):
    __slots__ = ("access_key_metadata",)
    ACCESS_KEY_METADATA_FIELD_NUMBER: _ClassVar[int]
    access_key_metadata: _containers.RepeatedCompositeFieldContainer[AccessKeyMetadata]
    def __init__(self, access_key_metadata: _Optional[_Iterable[_Union[AccessKeyMetadata, _Mapping]]] = ...) -> None: ...

class UpdateAccessKeyRequest(_message.Message):
    __slots__ = ("user_name", "access_key_id", "status")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    status: str
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class UpdateAccessKeyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteAccessKeyRequest(_message.Message):
    __slots__ = ("user_name", "access_key_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ...) -> None: ...

class DeleteAccessKeyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PutUserPolicyRequest(_message.Message):
    __slots__ = ("user_name", "policy_name", "policy_document")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_name: str
    policy_document: str
    def __init__(self, user_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class PutUserPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetUserPolicyRequest(_message.Message):
    __slots__ = ("user_name", "policy_name")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_name: str
    def __init__(self, user_name: _Optional[str] = ..., policy_name: _Optional[str] = ...) -> None: ...

class GetUserPolicyResponse(_message.Message):
    __slots__ = ("user_name", "policy_name", "policy_document")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_name: str
    policy_document: str
    def __init__(self, user_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class ListUserPoliciesRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class ListUserPoliciesResponse(_message.Message):
    __slots__ = ("policy_names",)
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteUserPolicyRequest(_message.Message):
    __slots__ = ("user_name", "policy_name")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_name: str
    def __init__(self, user_name: _Optional[str] = ..., policy_name: _Optional[str] = ...) -> None: ...

class DeleteUserPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreatePolicyRequest(_message.Message):
    __slots__ = ("policy_name", "policy_document", "description")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_document: str
    description: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CreatePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: ManagedPolicy
    def __init__(self, policy: _Optional[_Union[ManagedPolicy, _Mapping]] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("policy_arn",)
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    def __init__(self, policy_arn: _Optional[str] = ...) -> None: ...

class GetPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: ManagedPolicy
    def __init__(self, policy: _Optional[_Union[ManagedPolicy, _Mapping]] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = ("scope", "marker", "max_items")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    scope: str
    marker: str
    max_items: int
    def __init__(self, scope: _Optional[str] = ..., marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ("policies", "marker", "is_truncated")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[ManagedPolicy]
    marker: str
    is_truncated: bool
    def __init__(self, policies: _Optional[_Iterable[_Union[ManagedPolicy, _Mapping]]] = ..., marker: _Optional[str] = ..., is_truncated: _Optional[bool] = ...) -> None: ...

class DeletePolicyRequest(_message.Message):
    __slots__ = ("policy_arn",)
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    def __init__(self, policy_arn: _Optional[str] = ...) -> None: ...

class DeletePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AttachUserPolicyRequest(_message.Message):
    __slots__ = ("user_name", "policy_arn")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_arn: str
    def __init__(self, user_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class AttachUserPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DetachUserPolicyRequest(_message.Message):
    __slots__ = ("user_name", "policy_arn")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    policy_arn: str
    def __init__(self, user_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class DetachUserPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AttachedPolicy(_message.Message):
    __slots__ = ("policy_name", "policy_arn")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_arn: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class ListAttachedUserPoliciesRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class ListAttachedUserPoliciesResponse(_message.Message):
    __slots__ = ("attached_policies",)
    ATTACHED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    attached_policies: _containers.RepeatedCompositeFieldContainer[AttachedPolicy]
    def __init__(self, attached_policies: _Optional[_Iterable[_Union[AttachedPolicy, _Mapping]]] = ...) -> None: ...

class CreateRoleRequest(_message.Message):
    __slots__ = ("role_name", "assume_role_policy_document", "description", "max_session_duration", "tags")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    ASSUME_ROLE_POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_DURATION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    assume_role_policy_document: str
    description: str
    max_session_duration: int
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, role_name: _Optional[str] = ..., assume_role_policy_document: _Optional[str] = ..., description: _Optional[str] = ..., max_session_duration: _Optional[int] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateRoleResponse(_message.Message):
    __slots__ = ("role",)
    ROLE_FIELD_NUMBER: _ClassVar[int]
    role: Role
    def __init__(self, role: _Optional[_Union[Role, _Mapping]] = ...) -> None: ...

class GetRoleRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class GetRoleResponse(_message.Message):
    __slots__ = ("role",)
    ROLE_FIELD_NUMBER: _ClassVar[int]
    role: Role
    def __init__(self, role: _Optional[_Union[Role, _Mapping]] = ...) -> None: ...

class ListRolesRequest(_message.Message):
    __slots__ = ("marker", "max_items")
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    marker: str
    max_items: int
    def __init__(self, marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class ListRolesResponse(_message.Message):
    __slots__ = ("roles", "marker", "is_truncated")
    ROLES_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedCompositeFieldContainer[Role]
    marker: str
    is_truncated: bool
    def __init__(self, roles: _Optional[_Iterable[_Union[Role, _Mapping]]] = ..., marker: _Optional[str] = ..., is_truncated: _Optional[bool] = ...) -> None: ...

class DeleteRoleRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class DeleteRoleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PutRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_name", "policy_document")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_name: str
    policy_document: str
    def __init__(self, role_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class PutRolePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_name")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_name: str
    def __init__(self, role_name: _Optional[str] = ..., policy_name: _Optional[str] = ...) -> None: ...

class GetRolePolicyResponse(_message.Message):
    __slots__ = ("role_name", "policy_name", "policy_document")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_name: str
    policy_document: str
    def __init__(self, role_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class ListRolePoliciesRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class ListRolePoliciesResponse(_message.Message):
    __slots__ = ("policy_names",)
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_name")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_name: str
    def __init__(self, role_name: _Optional[str] = ..., policy_name: _Optional[str] = ...) -> None: ...

class DeleteRolePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AttachRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_arn")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_arn: str
    def __init__(self, role_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class AttachRolePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DetachRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_arn")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_arn: str
    def __init__(self, role_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class DetachRolePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAttachedRolePoliciesRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class ListAttachedRolePoliciesResponse(_message.Message):
    __slots__ = ("attached_policies",)
    ATTACHED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    attached_policies: _containers.RepeatedCompositeFieldContainer[AttachedPolicy]
    def __init__(self, attached_policies: _Optional[_Iterable[_Union[AttachedPolicy, _Mapping]]] = ...) -> None: ...

class ContextEntry(_message.Message):
    __slots__ = ("context_key_name", "context_key_values")
    CONTEXT_KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_KEY_VALUES_FIELD_NUMBER: _ClassVar[int]
    context_key_name: str
    context_key_values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, context_key_name: _Optional[str] = ..., context_key_values: _Optional[_Iterable[str]] = ...) -> None: ...

class SimulatePrincipalPolicyRequest(_message.Message):
    __slots__ = ("policy_source_arn", "action_names", "resource_arns", "context_entries")
    POLICY_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    ACTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ARNS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    policy_source_arn: str
    action_names: _containers.RepeatedScalarFieldContainer[str]
    resource_arns: _containers.RepeatedScalarFieldContainer[str]
    context_entries: _containers.RepeatedCompositeFieldContainer[ContextEntry]
    def __init__(self, policy_source_arn: _Optional[str] = ..., action_names: _Optional[_Iterable[str]] = ..., resource_arns: _Optional[_Iterable[str]] = ..., context_entries: _Optional[_Iterable[_Union[ContextEntry, _Mapping]]] = ...) -> None: ...

class EvaluationResult(_message.Message):
    __slots__ = ("eval_action_name", "eval_resource_name", "eval_decision", "matched_statements", "explanation")
    EVAL_ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    EVAL_DECISION_FIELD_NUMBER: _ClassVar[int]
    MATCHED_STATEMENTS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    eval_action_name: str
    eval_resource_name: str
    eval_decision: str
    matched_statements: _containers.RepeatedScalarFieldContainer[str]
    explanation: str
    def __init__(self, eval_action_name: _Optional[str] = ..., eval_resource_name: _Optional[str] = ..., eval_decision: _Optional[str] = ..., matched_statements: _Optional[_Iterable[str]] = ..., explanation: _Optional[str] = ...) -> None: ...

class SimulatePrincipalPolicyResponse(_message.Message):
    __slots__ = ("evaluation_results",)
    EVALUATION_RESULTS_FIELD_NUMBER: _ClassVar[int]
    evaluation_results: _containers.RepeatedCompositeFieldContainer[EvaluationResult]
    def __init__(self, evaluation_results: _Optional[_Iterable[_Union[EvaluationResult, _Mapping]]] = ...) -> None: ...
