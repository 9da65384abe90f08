from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SOA(_message.Message):
    __slots__ = ("ttl",)
    TTL_FIELD_NUMBER: _ClassVar[int]
    ttl: int
    def __init__(self, ttl: _Optional[int] = ...) -> None: ...

class PrivateDnsPropertiesMutable(_message.Message):
    __slots__ = ("soa",)
    SOA_FIELD_NUMBER: _ClassVar[int]
    soa: SOA
    def __init__(self, soa: _Optional[_Union[SOA, _Mapping]] = ...) -> None: ...

class PrivateDnsNamespaceProperties(_message.Message):
    __slots__ = ("dns_properties",)
    DNS_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    dns_properties: PrivateDnsPropertiesMutable
    def __init__(self, dns_properties: _Optional[_Union[PrivateDnsPropertiesMutable, _Mapping]] = ...) -> None: ...

class DnsProperties(_message.Message):
    __slots__ = ("hosted_zone_id", "soa")
    HOSTED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    SOA_FIELD_NUMBER: _ClassVar[int]
    hosted_zone_id: str
    soa: SOA
    def __init__(self, hosted_zone_id: _Optional[str] = ..., soa: _Optional[_Union[SOA, _Mapping]] = ...) -> None: ...

class NamespaceProperties(_message.Message):
    __slots__ = ("dns_properties",)
    DNS_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    dns_properties: DnsProperties
    def __init__(self, dns_properties: _Optional[_Union[DnsProperties, _Mapping]] = ...) -> None: ...

class Namespace(_message.Message):
    __slots__ = ("id", "arn", "name", "type", "description", "service_count", "properties", "create_date", "creator_request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    name: str
    type: str
    description: str
    service_count: int
    properties: NamespaceProperties
    create_date: float
    creator_request_id: str
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., description: _Optional[str] = ..., service_count: _Optional[int] = ..., properties: _Optional[_Union[NamespaceProperties, _Mapping]] = ..., create_date: _Optional[float] = ..., creator_request_id: _Optional[str] = ...) -> None: ...

class CreatePrivateDnsNamespaceRequest(_message.Message):
    __slots__ = ("name", "creator_request_id", "description", "vpc", "tags", "properties")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VPC_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    creator_request_id: str
    description: str
    vpc: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    properties: PrivateDnsNamespaceProperties
    def __init__(self, name: _Optional[str] = ..., creator_request_id: _Optional[str] = ..., description: _Optional[str] = ..., vpc: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., properties: _Optional[_Union[PrivateDnsNamespaceProperties, _Mapping]] = ...) -> None: ...

class CreatePrivateDnsNamespaceResponse(_message.Message):
    __slots__ = ("operation_id", "namespace")
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    namespace: Namespace
    def __init__(self, operation_id: _Optional[str] = ..., namespace: _Optional[_Union[Namespace, _Mapping]] = ...) -> None: ...

class GetNamespaceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetNamespaceResponse(_message.Message):
    __slots__ = ("namespace",)
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    namespace: Namespace
    def __init__(self, namespace: _Optional[_Union[Namespace, _Mapping]] = ...) -> None: ...

class NamespaceFilter(_message.Message):
    __slots__ = ("name", "values", "condition")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: _containers.RepeatedScalarFieldContainer[str]
    condition: str
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ..., condition: _Optional[str] = ...) -> None: ...

class ListNamespacesRequest(_message.Message):
    __slots__ = ("next_token", "max_results", "filters")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    filters: _containers.RepeatedCompositeFieldContainer[NamespaceFilter]
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ..., filters: _Optional[_Iterable[_Union[NamespaceFilter, _Mapping]]] = ...) -> None: ...

class ListNamespacesResponse(_message.Message):
    __slots__ = ("namespaces", "next_token")
    NAMESPACES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    namespaces: _containers.RepeatedCompositeFieldContainer[Namespace]
    next_token: str
    def __init__(self, namespaces: _Optional[_Iterable[_Union[Namespace, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteNamespaceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteNamespaceResponse(_message.Message):
    __slots__ = ("operation_id",)
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    def __init__(self, operation_id: _Optional[str] = ...) -> None: ...

class DnsRecord(_message.Message):
    __slots__ = ("type", "ttl")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    type: str
    ttl: int
    def __init__(self, type: _Optional[str] = ..., ttl: _Optional[int] = ...) -> None: ...

class DnsConfig(_message.Message):
    __slots__ = ("namespace_id", "routing_policy", "dns_records")
    NAMESPACE_ID_FIELD_NUMBER: _ClassVar[int]
    ROUTING_POLICY_FIELD_NUMBER: _ClassVar[int]
    DNS_RECORDS_FIELD_NUMBER: _ClassVar[int]
    namespace_id: str
    routing_policy: str
    dns_records: _containers.RepeatedCompositeFieldContainer[DnsRecord]
    def __init__(self, namespace_id: _Optional[str] = ..., routing_policy: _Optional[str] = ..., dns_records: _Optional[_Iterable[_Union[DnsRecord, _Mapping]]] = ...) -> None: ...

class HealthCheckCustomConfig(_message.Message):
    __slots__ = ("failure_threshold",)
    FAILURE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    failure_threshold: int
    def __init__(self, failure_threshold: _Optional[int] = ...) -> None: ...

class DiscoveryService(_message.Message):
    __slots__ = ("id", "arn", "name", "namespace_id", "description", "instance_count", "dns_config", "type", "health_check_custom_config", "create_date", "creator_request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DNS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_CUSTOM_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    name: str
    namespace_id: str
    description: str
    instance_count: int
    dns_config: DnsConfig
    type: str
    health_check_custom_config: HealthCheckCustomConfig
    create_date: float
    creator_request_id: str
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ..., name: _Optional[str] = ..., namespace_id: _Optional[str] = ..., description: _Optional[str] = ..., instance_count: _Optional[int] = ..., dns_config: _Optional[_Union[DnsConfig, _Mapping]] = ..., type: _Optional[str] = ..., health_check_custom_config: _Optional[_Union[HealthCheckCustomConfig, _Mapping]] = ..., create_date: _Optional[float] = ..., creator_request_id: _Optional[str] = ...) -> None: ...

class CreateDiscoveryServiceRequest(_message.Message):
    __slots__ = ("name", "namespace_id", "creator_request_id", "description", "dns_config", "health_check_custom_config", "tags", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DNS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_CUSTOM_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    namespace_id: str
    creator_request_id: str
    description: str
    dns_config: DnsConfig
    health_check_custom_config: HealthCheckCustomConfig
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    type: str
    def __init__(self, name: _Optional[str] = ..., namespace_id: _Optional[str] = ..., creator_request_id: _Optional[str] = ..., description: _Optional[str] = ..., dns_config: _Optional[_Union[DnsConfig, _Mapping]] = ..., health_check_custom_config: _Optional[_Union[HealthCheckCustomConfig, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., type: _Optional[str] = ...) -> None: ...

class CreateDiscoveryServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: DiscoveryService
    def __init__(self, service: _Optional[_Union[DiscoveryService, _Mapping]] = ...) -> None: ...

class GetDiscoveryServiceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetDiscoveryServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: DiscoveryService
    def __init__(self, service: _Optional[_Union[DiscoveryService, _Mapping]] = ...) -> None: ...

class ServiceFilter(_message.Message):
    __slots__ = ("name", "values", "condition")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: _containers.RepeatedScalarFieldContainer[str]
    condition: str
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ..., condition: _Optional[str] = ...) -> None: ...

class ListDiscoveryServicesRequest(_message.Message):
    __slots__ = ("next_token", "max_results", "filters")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    filters: _containers.RepeatedCompositeFieldContainer[ServiceFilter]
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ..., filters: _Optional[_Iterable[_Union[ServiceFilter, _Mapping]]] = ...) -> None: ...

class ListDiscoveryServicesResponse(_message.Message):
    __slots__ = ("services", "next_token")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[DiscoveryService]
    next_token: str
    def __init__(self, services: _Optional[_Iterable[_Union[DiscoveryService, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteDiscoveryServiceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteDiscoveryServiceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CustomInstance(_message.Message):
    __slots__ = ("service_id", "instance_id", "creator_request_id", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    instance_id: str
    creator_request_id: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, service_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., creator_request_id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RegisterInstanceRequest(_message.Message):
    __slots__ = ("service_id", "instance_id", "creator_request_id", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    instance_id: str
    creator_request_id: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, service_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., creator_request_id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RegisterInstanceResponse(_message.Message):
    __slots__ = ("operation_id",)
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    def __init__(self, operation_id: _Optional[str] = ...) -> None: ...

class DeregisterInstanceRequest(_message.Message):
    __slots__ = ("service_id", "instance_id")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    instance_id: str
    def __init__(self, service_id: _Optional[str] = ..., instance_id: _Optional[str] = ...) -> None: ...

class DeregisterInstanceResponse(_message.Message):
    __slots__ = ("operation_id",)
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    def __init__(self, operation_id: _Optional[str] = ...) -> None: ...

class DiscoverInstancesRequest(_message.Message):
    __slots__ = ("namespace_name", "service_name", "max_results", "query_parameters", "optional_parameters", "health_status")
    class QueryParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class OptionalParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAMESPACE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    QUERY_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    OPTIONAL_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    namespace_name: str
    service_name: str
    max_results: int
    query_parameters: _containers.ScalarMap[str, str]
    optional_parameters: _containers.ScalarMap[str, str]
    health_status: str
    def __init__(self, namespace_name: _Optional[str] = ..., service_name: _Optional[str] = ..., max_results: _Optional[int] = ..., query_parameters: _Optional[_Mapping[str, str]] = ..., optional_parameters: _Optional[_Mapping[str, str]] = ..., health_status: _Optional[str] = ...) -> None: ...

class HttpInstanceSummary(_message.Message):
    __slots__ = ("instance_id", "namespace_name", "service_name", "health_status", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    namespace_name: str
    service_name: str
    health_status: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, instance_id: _Optional[str] = ..., namespace_name: _Optional[str] = ..., service_name: _Optional[str] = ..., health_status: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DiscoverInstancesResponse(_message.Message):
    __slots__ = ("instances", "instances_revision")
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_REVISION_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[HttpInstanceSummary]
    instances_revision: int
    def __init__(self, instances: _Optional[_Iterable[_Union[HttpInstanceSummary, _Mapping]]] = ..., instances_revision: _Optional[int] = ...) -> None: ...

class ListInstancesRequest(_message.Message):
    __slots__ = ("service_id", "next_token", "max_results")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    next_token: str
    max_results: int
    def __init__(self, service_id: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class InstanceSummary(_message.Message):
    __slots__ = ("id", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListInstancesResponse(_message.Message):
    __slots__ = ("instances", "next_token")
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[InstanceSummary]
    next_token: str
    def __init__(self, instances: _Optional[_Iterable[_Union[InstanceSummary, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class GetInstancesHealthStatusRequest(_message.Message):
    __slots__ = ("service_id", "instances", "max_results", "next_token")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    instances: _containers.RepeatedScalarFieldContainer[str]
    max_results: int
    next_token: str
    def __init__(self, service_id: _Optional[str] = ..., instances: _Optional[_Iterable[str]] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class GetInstancesHealthStatusResponse(_message.Message):
    __slots__ = ("status", "next_token")
    class StatusEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _containers.ScalarMap[str, str]
    next_token: str
    def __init__(self, status: _Optional[_Mapping[str, str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DiscoveryNameClaim(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...
