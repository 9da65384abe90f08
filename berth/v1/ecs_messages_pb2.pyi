from berth.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateClusterRequest(_message.Message):
    __slots__ = ("cluster_name", "tags", "settings", "configuration", "capacity_providers", "default_capacity_provider_strategy", "service_connect_defaults")
    CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    cluster_name: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    settings: _containers.RepeatedCompositeFieldContainer[_types_pb2.ClusterSetting]
    configuration: _types_pb2.ClusterConfiguration
    capacity_providers: _containers.RepeatedScalarFieldContainer[str]
    default_capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.CapacityProviderStrategyItem]
    service_connect_defaults: _types_pb2.ClusterServiceConnectDefaultsRequest
    def __init__(self, cluster_name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., settings: _Optional[_Iterable[_Union[_types_pb2.ClusterSetting, _Mapping]]] = ..., configuration: _Optional[_Union[_types_pb2.ClusterConfiguration, _Mapping]] = ..., capacity_providers: _Optional[_Iterable[str]] = ..., default_capacity_provider_strategy: _Optional[_Iterable[_Union[_types_pb2.CapacityProviderStrategyItem, _Mapping]]] = ..., service_connect_defaults: _Optional[_Union[_types_pb2.ClusterServiceConnectDefaultsRequest, _Mapping]] = ...) -> None: ...

class CreateClusterResponse(_message.Message):
    __slots__ = ("cluster",)
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cluster: _types_pb2.Cluster
    def __init__(self, cluster: _Optional[_Union[_types_pb2.Cluster, _Mapping]] = ...) -> None: ...

class DeleteClusterRequest(_message.Message):
    __slots__ = ("cluster",)
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    def __init__(self, cluster: _Optional[str] = ...) -> None: ...

class DeleteClusterResponse(_message.Message):
    __slots__ = ("cluster",)
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cluster: _types_pb2.Cluster
    def __init__(self, cluster: _Optional[_Union[_types_pb2.Cluster, _Mapping]] = ...) -> None: ...

class DescribeClustersRequest(_message.Message):
    __slots__ = ("clusters", "include")
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    clusters: _containers.RepeatedScalarFieldContainer[str]
    include: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, clusters: _Optional[_Iterable[str]] = ..., include: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeClustersResponse(_message.Message):
    __slots__ = ("clusters", "failures")
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    clusters: _containers.RepeatedCompositeFieldContainer[_types_pb2.Cluster]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, clusters: _Optional[_Iterable[_Union[_types_pb2.Cluster, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class ListClustersRequest(_message.Message):
    __slots__ = ("next_token", "max_results")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListClustersResponse(_message.Message):
    __slots__ = ("cluster_arns", "next_token")
    CLUSTER_ARNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cluster_arns: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, cluster_arns: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class UpdateClusterRequest(_message.Message):
    __slots__ = ("cluster", "settings", "configuration", "service_connect_defaults")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    settings: _containers.RepeatedCompositeFieldContainer[_types_pb2.ClusterSetting]
    configuration: _types_pb2.ClusterConfiguration
    service_connect_defaults: _types_pb2.ClusterServiceConnectDefaultsRequest
    def __init__(self, cluster: _Optional[str] = ..., settings: _Optional[_Iterable[_Union[_types_pb2.ClusterSetting, _Mapping]]] = ..., configuration: _Optional[_Union[_types_pb2.ClusterConfiguration, _Mapping]] = ..., service_connect_defaults: _Optional[_Union[_types_pb2.ClusterServiceConnectDefaultsRequest, _Mapping]] = ...) -> None: ...

class UpdateClusterResponse(_message.Message):
    __slots__ = ("cluster",)
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cluster: _types_pb2.Cluster
    def __init__(self, cluster: _Optional[_Union[_types_pb2.Cluster, _Mapping]] = ...) -> None: ...

class RegisterContainerInstanceRequest(_message.Message):
    __slots__ = ("cluster", "instance_identity_document", "instance_identity_document_signature", "total_resources", "version_info", "container_instance_arn", "attributes", "platform_devices", "tags", "name", "pool", "metrics_endpoint", "host_address", "csr_pem")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_IDENTITY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_IDENTITY_DOCUMENT_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RESOURCES_FIELD_NUMBER: _ClassVar[int]
    VERSION_INFO_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_DEVICES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    METRICS_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    HOST_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CSR_PEM_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    instance_identity_document: str
    instance_identity_document_signature: str
    total_resources: _containers.RepeatedCompositeFieldContainer[_types_pb2.Resource]
    version_info: _types_pb2.VersionInfo
    container_instance_arn: str
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    platform_devices: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlatformDevice]
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    name: str
    pool: str
    metrics_endpoint: str
    host_address: str
    csr_pem: str
    def __init__(self, cluster: _Optional[str] = ..., instance_identity_document: _Optional[str] = ..., instance_identity_document_signature: _Optional[str] = ..., total_resources: _Optional[_Iterable[_Union[_types_pb2.Resource, _Mapping]]] = ..., version_info: _Optional[_Union[_types_pb2.VersionInfo, _Mapping]] = ..., container_instance_arn: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ..., platform_devices: _Optional[_Iterable[_Union[_types_pb2.PlatformDevice, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., name: _Optional[str] = ..., pool: _Optional[str] = ..., metrics_endpoint: _Optional[str] = ..., host_address: _Optional[str] = ..., csr_pem: _Optional[str] = ...) -> None: ...

class RegisterContainerInstanceResponse(_message.Message):
    __slots__ = ("container_instance", "agent_token", "dns_servers", "certificate")
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    AGENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DNS_SERVERS_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    container_instance: _types_pb2.ContainerInstance
    agent_token: str
    dns_servers: _containers.RepeatedScalarFieldContainer[str]
    certificate: AgentCertificate
    def __init__(self, container_instance: _Optional[_Union[_types_pb2.ContainerInstance, _Mapping]] = ..., agent_token: _Optional[str] = ..., dns_servers: _Optional[_Iterable[str]] = ..., certificate: _Optional[_Union[AgentCertificate, _Mapping]] = ...) -> None: ...

class AgentCertificate(_message.Message):
    __slots__ = ("certificate_pem", "ca_bundle_pem", "expires_at", "agent_endpoints")
    CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    CA_BUNDLE_PEM_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    certificate_pem: str
    ca_bundle_pem: str
    expires_at: float
    agent_endpoints: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, certificate_pem: _Optional[str] = ..., ca_bundle_pem: _Optional[str] = ..., expires_at: _Optional[float] = ..., agent_endpoints: _Optional[_Iterable[str]] = ...) -> None: ...

class DeregisterContainerInstanceRequest(_message.Message):
    __slots__ = ("cluster", "container_instance", "force")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container_instance: str
    force: bool
    def __init__(self, cluster: _Optional[str] = ..., container_instance: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DeregisterContainerInstanceResponse(_message.Message):
    __slots__ = ("container_instance",)
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    container_instance: _types_pb2.ContainerInstance
    def __init__(self, container_instance: _Optional[_Union[_types_pb2.ContainerInstance, _Mapping]] = ...) -> None: ...

class DescribeContainerInstancesRequest(_message.Message):
    __slots__ = ("cluster", "container_instances", "include")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container_instances: _containers.RepeatedScalarFieldContainer[str]
    include: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cluster: _Optional[str] = ..., container_instances: _Optional[_Iterable[str]] = ..., include: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeContainerInstancesResponse(_message.Message):
    __slots__ = ("container_instances", "failures")
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    container_instances: _containers.RepeatedCompositeFieldContainer[_types_pb2.ContainerInstance]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, container_instances: _Optional[_Iterable[_Union[_types_pb2.ContainerInstance, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class ListContainerInstancesRequest(_message.Message):
    __slots__ = ("cluster", "filter", "next_token", "max_results", "status")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    filter: str
    next_token: str
    max_results: int
    status: str
    def __init__(self, cluster: _Optional[str] = ..., filter: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class ListContainerInstancesResponse(_message.Message):
    __slots__ = ("container_instance_arns", "next_token")
    CONTAINER_INSTANCE_ARNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    container_instance_arns: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, container_instance_arns: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class UpdateContainerInstancesStateRequest(_message.Message):
    __slots__ = ("cluster", "container_instances", "status")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container_instances: _containers.RepeatedScalarFieldContainer[str]
    status: str
    def __init__(self, cluster: _Optional[str] = ..., container_instances: _Optional[_Iterable[str]] = ..., status: _Optional[str] = ...) -> None: ...

class UpdateContainerInstancesStateResponse(_message.Message):
    __slots__ = ("container_instances", "failures")
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    container_instances: _containers.RepeatedCompositeFieldContainer[_types_pb2.ContainerInstance]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, container_instances: _Optional[_Iterable[_Union[_types_pb2.ContainerInstance, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class RegisterTaskDefinitionRequest(_message.Message):
    __slots__ = ("family", "task_role_arn", "execution_role_arn", "network_mode", "container_definitions", "volumes", "placement_constraints", "requires_compatibilities", "cpu", "memory", "tags", "pid_mode", "ipc_mode", "proxy_configuration", "inference_accelerators", "ephemeral_storage", "runtime_platform", "enable_fault_injection")
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    TASK_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    NETWORK_MODE_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_COMPATIBILITIES_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PID_MODE_FIELD_NUMBER: _ClassVar[int]
    IPC_MODE_FIELD_NUMBER: _ClassVar[int]
    PROXY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ACCELERATORS_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_PLATFORM_FIELD_NUMBER: _ClassVar[int]
    ENABLE_FAULT_INJECTION_FIELD_NUMBER: _ClassVar[int]
    family: str
    task_role_arn: str
    execution_role_arn: str
    network_mode: str
    container_definitions: _containers.RepeatedCompositeFieldContainer[_types_pb2.ContainerDefinition]
    volumes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Volume]
    placement_constraints: _containers.RepeatedCompositeFieldContainer[_types_pb2.TaskDefinitionPlacementConstraint]
    requires_compatibilities: _containers.RepeatedScalarFieldContainer[str]
    cpu: str
    memory: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    pid_mode: str
    ipc_mode: str
    proxy_configuration: _types_pb2.ProxyConfiguration
    inference_accelerators: _containers.RepeatedCompositeFieldContainer[_types_pb2.InferenceAccelerator]
    ephemeral_storage: _types_pb2.EphemeralStorage
    runtime_platform: _types_pb2.RuntimePlatform
    enable_fault_injection: bool
    def __init__(self, family: _Optional[str] = ..., task_role_arn: _Optional[str] = ..., execution_role_arn: _Optional[str] = ..., network_mode: _Optional[str] = ..., container_definitions: _Optional[_Iterable[_Union[_types_pb2.ContainerDefinition, _Mapping]]] = ..., volumes: _Optional[_Iterable[_Union[_types_pb2.Volume, _Mapping]]] = ..., placement_constraints: _Optional[_Iterable[_Union[_types_pb2.TaskDefinitionPlacementConstraint, _Mapping]]] = ..., requires_compatibilities: _Optional[_Iterable[str]] = ..., cpu: _Optional[str] = ..., memory: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., pid_mode: _Optional[str] = ..., ipc_mode: _Optional[str] = ..., proxy_configuration: _Optional[_Union[_types_pb2.ProxyConfiguration, _Mapping]] = ..., inference_accelerators: _Optional[_Iterable[_Union[_types_pb2.InferenceAccelerator, _Mapping]]] = ..., ephemeral_storage: _Optional[_Union[_types_pb2.EphemeralStorage, _Mapping]] = ..., runtime_platform: _Optional[_Union[_types_pb2.RuntimePlatform, _Mapping]] = ..., enable_fault_injection: _Optional[bool] = ...) -> None: ...

class RegisterTaskDefinitionResponse(_message.Message):
    __slots__ = ("task_definition", "tags")
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    task_definition: _types_pb2.TaskDefinition
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, task_definition: _Optional[_Union[_types_pb2.TaskDefinition, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class DeregisterTaskDefinitionRequest(_message.Message):
    __slots__ = ("task_definition",)
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    task_definition: str
    def __init__(self, task_definition: _Optional[str] = ...) -> None: ...

class DeregisterTaskDefinitionResponse(_message.Message):
    __slots__ = ("task_definition",)
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    task_definition: _types_pb2.TaskDefinition
    def __init__(self, task_definition: _Optional[_Union[_types_pb2.TaskDefinition, _Mapping]] = ...) -> None: ...

class DescribeTaskDefinitionRequest(_message.Message):
    __slots__ = ("task_definition", "include")
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    task_definition: str
    include: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, task_definition: _Optional[str] = ..., include: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeTaskDefinitionResponse(_message.Message):
    __slots__ = ("task_definition", "tags")
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    task_definition: _types_pb2.TaskDefinition
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, task_definition: _Optional[_Union[_types_pb2.TaskDefinition, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class ListTaskDefinitionsRequest(_message.Message):
    __slots__ = ("family_prefix", "status", "sort", "next_token", "max_results")
    FAMILY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    family_prefix: str
    status: str
    sort: str
    next_token: str
    max_results: int
    def __init__(self, family_prefix: _Optional[str] = ..., status: _Optional[str] = ..., sort: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListTaskDefinitionsResponse(_message.Message):
    __slots__ = ("task_definition_arns", "next_token")
    TASK_DEFINITION_ARNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    task_definition_arns: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, task_definition_arns: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListTaskDefinitionFamiliesRequest(_message.Message):
    __slots__ = ("family_prefix", "status", "next_token", "max_results")
    FAMILY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    family_prefix: str
    status: str
    next_token: str
    max_results: int
    def __init__(self, family_prefix: _Optional[str] = ..., status: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListTaskDefinitionFamiliesResponse(_message.Message):
    __slots__ = ("families", "next_token")
    FAMILIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    families: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, families: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteTaskDefinitionsRequest(_message.Message):
    __slots__ = ("task_definitions",)
    TASK_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    task_definitions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, task_definitions: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteTaskDefinitionsResponse(_message.Message):
    __slots__ = ("task_definitions", "failures")
    TASK_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    task_definitions: _containers.RepeatedCompositeFieldContainer[_types_pb2.TaskDefinition]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, task_definitions: _Optional[_Iterable[_Union[_types_pb2.TaskDefinition, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class RunTaskRequest(_message.Message):
    __slots__ = ("capacity_provider_strategy", "cluster", "count", "enable_ecs_managed_tags", "enable_execute_command", "group", "launch_type", "network_configuration", "overrides", "placement_constraints", "placement_strategy", "platform_version", "propagate_tags", "reference_id", "started_by", "tags", "task_definition", "client_token", "volume_configurations")
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ECS_MANAGED_TAGS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.CapacityProviderStrategyItem]
    cluster: str
    count: int
    enable_ecs_managed_tags: bool
    enable_execute_command: bool
    group: str
    launch_type: str
    network_configuration: _types_pb2.NetworkConfiguration
    overrides: _types_pb2.TaskOverride
    placement_constraints: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementConstraint]
    placement_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementStrategy]
    platform_version: str
    propagate_tags: str
    reference_id: str
    started_by: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    task_definition: str
    client_token: str
    volume_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.TaskVolumeConfiguration]
    def __init__(self, capacity_provider_strategy: _Optional[_Iterable[_Union[_types_pb2.CapacityProviderStrategyItem, _Mapping]]] = ..., cluster: _Optional[str] = ..., count: _Optional[int] = ..., enable_ecs_managed_tags: _Optional[bool] = ..., enable_execute_command: _Optional[bool] = ..., group: _Optional[str] = ..., launch_type: _Optional[str] = ..., network_configuration: _Optional[_Union[_types_pb2.NetworkConfiguration, _Mapping]] = ..., overrides: _Optional[_Union[_types_pb2.TaskOverride, _Mapping]] = ..., placement_constraints: _Optional[_Iterable[_Union[_types_pb2.PlacementConstraint, _Mapping]]] = ..., placement_strategy: _Optional[_Iterable[_Union[_types_pb2.PlacementStrategy, _Mapping]]] = ..., platform_version: _Optional[str] = ..., propagate_tags: _Optional[str] = ..., reference_id: _Optional[str] = ..., started_by: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., task_definition: _Optional[str] = ..., client_token: _Optional[str] = ..., volume_configurations: _Optional[_Iterable[_Union[_types_pb2.TaskVolumeConfiguration, _Mapping]]] = ...) -> None: ...

class RunTaskResponse(_message.Message):
    __slots__ = ("tasks", "failures")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class StartTaskRequest(_message.Message):
    __slots__ = ("cluster", "container_instances", "enable_ecs_managed_tags", "enable_execute_command", "group", "network_configuration", "overrides", "propagate_tags", "reference_id", "started_by", "tags", "task_definition", "volume_configurations")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ECS_MANAGED_TAGS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container_instances: _containers.RepeatedScalarFieldContainer[str]
    enable_ecs_managed_tags: bool
    enable_execute_command: bool
    group: str
    network_configuration: _types_pb2.NetworkConfiguration
    overrides: _types_pb2.TaskOverride
    propagate_tags: str
    reference_id: str
    started_by: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    task_definition: str
    volume_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.TaskVolumeConfiguration]
    def __init__(self, cluster: _Optional[str] = ..., container_instances: _Optional[_Iterable[str]] = ..., enable_ecs_managed_tags: _Optional[bool] = ..., enable_execute_command: _Optional[bool] = ..., group: _Optional[str] = ..., network_configuration: _Optional[_Union[_types_pb2.NetworkConfiguration, _Mapping]] = ..., overrides: _Optional[_Union[_types_pb2.TaskOverride, _Mapping]] = ..., propagate_tags: _Optional[str] = ..., reference_id: _Optional[str] = ..., started_by: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., task_definition: _Optional[str] = ..., volume_configurations: _Optional[_Iterable[_Union[_types_pb2.TaskVolumeConfiguration, _Mapping]]] = ...) -> None: ...

class StartTaskResponse(_message.Message):
    __slots__ = ("tasks", "failures")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class StopTaskRequest(_message.Message):
    __slots__ = ("cluster", "task", "reason")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    task: str
    reason: str
    def __init__(self, cluster: _Optional[str] = ..., task: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class StopTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class DescribeTasksRequest(_message.Message):
    __slots__ = ("cluster", "tasks", "include")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    tasks: _containers.RepeatedScalarFieldContainer[str]
    include: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cluster: _Optional[str] = ..., tasks: _Optional[_Iterable[str]] = ..., include: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeTasksResponse(_message.Message):
    __slots__ = ("tasks", "failures")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("cluster", "container_instance", "family", "next_token", "max_results", "started_by", "service_name", "desired_status", "launch_type", "daemon_name")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    DESIRED_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    DAEMON_NAME_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container_instance: str
    family: str
    next_token: str
    max_results: int
    started_by: str
    service_name: str
    desired_status: str
    launch_type: str
    daemon_name: str
    def __init__(self, cluster: _Optional[str] = ..., container_instance: _Optional[str] = ..., family: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ..., started_by: _Optional[str] = ..., service_name: _Optional[str] = ..., desired_status: _Optional[str] = ..., launch_type: _Optional[str] = ..., daemon_name: _Optional[str] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("task_arns", "next_token")
    TASK_ARNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    task_arns: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, task_arns: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ExecuteCommandRequest(_message.Message):
    __slots__ = ("cluster", "container", "command", "interactive", "task")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    container: str
    command: str
    interactive: bool
    task: str
    def __init__(self, cluster: _Optional[str] = ..., container: _Optional[str] = ..., command: _Optional[str] = ..., interactive: _Optional[bool] = ..., task: _Optional[str] = ...) -> None: ...

class ExecuteCommandSession(_message.Message):
    __slots__ = ("session_id", "stream_url", "token_value")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STREAM_URL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_VALUE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    stream_url: str
    token_value: str
    def __init__(self, session_id: _Optional[str] = ..., stream_url: _Optional[str] = ..., token_value: _Optional[str] = ...) -> None: ...

class ExecuteCommandResponse(_message.Message):
    __slots__ = ("cluster_arn", "container_arn", "container_name", "interactive", "session", "task_arn")
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    cluster_arn: str
    container_arn: str
    container_name: str
    interactive: bool
    session: ExecuteCommandSession
    task_arn: str
    def __init__(self, cluster_arn: _Optional[str] = ..., container_arn: _Optional[str] = ..., container_name: _Optional[str] = ..., interactive: _Optional[bool] = ..., session: _Optional[_Union[ExecuteCommandSession, _Mapping]] = ..., task_arn: _Optional[str] = ...) -> None: ...

class CreateServiceRequest(_message.Message):
    __slots__ = ("cluster", "service_name", "task_definition", "availability_zone_rebalancing", "load_balancers", "service_registries", "desired_count", "client_token", "launch_type", "capacity_provider_strategy", "platform_version", "role", "deployment_configuration", "placement_constraints", "placement_strategy", "network_configuration", "health_check_grace_period_seconds", "scheduling_strategy", "deployment_controller", "tags", "enable_ecs_managed_tags", "propagate_tags", "enable_execute_command", "service_connect_configuration", "volume_configurations", "vpc_lattice_configurations")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_REBALANCING_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_REGISTRIES_FIELD_NUMBER: _ClassVar[int]
    DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_GRACE_PERIOD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULING_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONTROLLER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ECS_MANAGED_TAGS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    VPC_LATTICE_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    service_name: str
    task_definition: str
    availability_zone_rebalancing: str
    load_balancers: _containers.RepeatedCompositeFieldContainer[_types_pb2.LoadBalancer]
    service_registries: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServiceRegistry]
    desired_count: int
    client_token: str
    launch_type: str
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.CapacityProviderStrategyItem]
    platform_version: str
    role: str
    deployment_configuration: _types_pb2.DeploymentConfiguration
    placement_constraints: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementConstraint]
    placement_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementStrategy]
    network_configuration: _types_pb2.NetworkConfiguration
    health_check_grace_period_seconds: int
    scheduling_strategy: str
    deployment_controller: _types_pb2.DeploymentController
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    enable_ecs_managed_tags: bool
    propagate_tags: str
    enable_execute_command: bool
    service_connect_configuration: _types_pb2.ServiceConnectConfiguration
    volume_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServiceVolumeConfiguration]
    vpc_lattice_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.VpcLatticeConfiguration]
    def __init__(self, cluster: _Optional[str] = ..., service_name: _Optional[str] = ..., task_definition: _Optional[str] = ..., availability_zone_rebalancing: _Optional[str] = ..., load_balancers: _Optional[_Iterable[_Union[_types_pb2.LoadBalancer, _Mapping]]] = ..., service_registries: _Optional[_Iterable[_Union[_types_pb2.ServiceRegistry, _Mapping]]] = ..., desired_count: _Optional[int] = ..., client_token: _Optional[str] = ..., launch_type: _Optional[str] = ..., capacity_provider_strategy: _Optional[_Iterable[_Union[_types_pb2.CapacityProviderStrategyItem, _Mapping]]] = ..., platform_version: _Optional[str] = ..., role: _Optional[str] = ..., deployment_configuration: _Optional[_Union[_types_pb2.DeploymentConfiguration, _Mapping]] = ..., placement_constraints: _Optional[_Iterable[_Union[_types_pb2.PlacementConstraint, _Mapping]]] = ..., placement_strategy: _Optional[_Iterable[_Union[_types_pb2.PlacementStrategy, _Mapping]]] = ..., network_configuration: _Optional[_Union[_types_pb2.NetworkConfiguration, _Mapping]] = ..., health_check_grace_period_seconds: _Optional[int] = ..., scheduling_strategy: _Optional[str] = ..., deployment_controller: _Optional[_Union[_types_pb2.DeploymentController, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ..., enable_ecs_managed_tags: _Optional[bool] = ..., propagate_tags: _Optional[str] = ..., enable_execute_command: _Optional[bool] = ..., service_connect_configuration: _Optional[_Union[_types_pb2.ServiceConnectConfiguration, _Mapping]] = ..., volume_configurations: _Optional[_Iterable[_Union[_types_pb2.ServiceVolumeConfiguration, _Mapping]]] = ..., vpc_lattice_configurations: _Optional[_Iterable[_Union[_types_pb2.VpcLatticeConfiguration, _Mapping]]] = ...) -> None: ...

class CreateServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _types_pb2.Service
    def __init__(self, service: _Optional[_Union[_types_pb2.Service, _Mapping]] = ...) -> None: ...

class UpdateServiceRequest(_message.Message):
    __slots__ = ("cluster", "service", "desired_count", "task_definition", "capacity_provider_strategy", "deployment_configuration", "availability_zone_rebalancing", "network_configuration", "placement_constraints", "placement_strategy", "platform_version", "force_new_deployment", "health_check_grace_period_seconds", "deployment_controller", "enable_execute_command", "enable_ecs_managed_tags", "load_balancers", "propagate_tags", "service_registries", "service_connect_configuration", "volume_configurations", "vpc_lattice_configurations")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_REBALANCING_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    FORCE_NEW_DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_GRACE_PERIOD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONTROLLER_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ECS_MANAGED_TAGS_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_REGISTRIES_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    VPC_LATTICE_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    service: str
    desired_count: int
    task_definition: str
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.CapacityProviderStrategyItem]
    deployment_configuration: _types_pb2.DeploymentConfiguration
    availability_zone_rebalancing: str
    network_configuration: _types_pb2.NetworkConfiguration
    placement_constraints: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementConstraint]
    placement_strategy: _containers.RepeatedCompositeFieldContainer[_types_pb2.PlacementStrategy]
    platform_version: str
    force_new_deployment: bool
    health_check_grace_period_seconds: int
    deployment_controller: _types_pb2.DeploymentController
    enable_execute_command: bool
    enable_ecs_managed_tags: bool
    load_balancers: _containers.RepeatedCompositeFieldContainer[_types_pb2.LoadBalancer]
    propagate_tags: str
    service_registries: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServiceRegistry]
    service_connect_configuration: _types_pb2.ServiceConnectConfiguration
    volume_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServiceVolumeConfiguration]
    vpc_lattice_configurations: _containers.RepeatedCompositeFieldContainer[_types_pb2.VpcLatticeConfiguration]
    def __init__(self, cluster: _Optional[str] = ..., service: _Optional[str] = ..., desired_count: _Optional[int] = ..., task_definition: _Optional[str] = ..., capacity_provider_strategy: _Optional[_Iterable[_Union[_types_pb2.CapacityProviderStrategyItem, _Mapping]]] = ..., deployment_configuration: _Optional[_Union[_types_pb2.DeploymentConfiguration, _Mapping]] = ..., availability_zone_rebalancing: _Optional[str] = ..., network_configuration: _Optional[_Union[_types_pb2.NetworkConfiguration, _Mapping]] = ..., placement_constraints: _Optional[_Iterable[_Union[_types_pb2.PlacementConstraint, _Mapping]]] = ..., placement_strategy: _Optional[_Iterable[_Union[_types_pb2.PlacementStrategy, _Mapping]]] = ..., platform_version: _Optional[str] = ..., force_new_deployment: _Optional[bool] = ..., health_check_grace_period_seconds: _Optional[int] = ..., deployment_controller: _Optional[_Union[_types_pb2.DeploymentController, _Mapping]] = ..., enable_execute_command: _Optional[bool] = ..., enable_ecs_managed_tags: _Optional[bool] = ..., load_balancers: _Optional[_Iterable[_Union[_types_pb2.LoadBalancer, _Mapping]]] = ..., propagate_tags: _Optional[str] = ..., service_registries: _Optional[_Iterable[_Union[_types_pb2.ServiceRegistry, _Mapping]]] = ..., service_connect_configuration: _Optional[_Union[_types_pb2.ServiceConnectConfiguration, _Mapping]] = ..., volume_configurations: _Optional[_Iterable[_Union[_types_pb2.ServiceVolumeConfiguration, _Mapping]]] = ..., vpc_lattice_configurations: _Optional[_Iterable[_Union[_types_pb2.VpcLatticeConfiguration, _Mapping]]] = ...) -> None: ...

class UpdateServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _types_pb2.Service
    def __init__(self, service: _Optional[_Union[_types_pb2.Service, _Mapping]] = ...) -> None: ...

class DeleteServiceRequest(_message.Message):
    __slots__ = ("cluster", "service", "force")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    service: str
    force: bool
    def __init__(self, cluster: _Optional[str] = ..., service: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DeleteServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _types_pb2.Service
    def __init__(self, service: _Optional[_Union[_types_pb2.Service, _Mapping]] = ...) -> None: ...

class DescribeServicesRequest(_message.Message):
    __slots__ = ("cluster", "services", "include")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    services: _containers.RepeatedScalarFieldContainer[str]
    include: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cluster: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., include: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeServicesResponse(_message.Message):
    __slots__ = ("services", "failures")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[_types_pb2.Service]
    failures: _containers.RepeatedCompositeFieldContainer[_types_pb2.Failure]
    def __init__(self, services: _Optional[_Iterable[_Union[_types_pb2.Service, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[_types_pb2.Failure, _Mapping]]] = ...) -> None: ...

class ListServicesRequest(_message.Message):
    __slots__ = ("cluster", "next_token", "max_results", "launch_type", "scheduling_strategy", "resource_management_type")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULING_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_MANAGEMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    next_token: str
    max_results: int
    launch_type: str
    scheduling_strategy: str
    resource_management_type: str
    def __init__(self, cluster: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ..., launch_type: _Optional[str] = ..., scheduling_strategy: _Optional[str] = ..., resource_management_type: _Optional[str] = ...) -> None: ...

class ListServicesResponse(_message.Message):
    __slots__ = ("service_arns", "next_token")
    SERVICE_ARNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    service_arns: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, service_arns: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class PutAttributesRequest(_message.Message):
    __slots__ = ("cluster", "attributes")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    def __init__(self, cluster: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ...) -> None: ...

class PutAttributesResponse(_message.Message):
    __slots__ = ("attributes",)
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    def __init__(self, attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ...) -> None: ...

class DeleteAttributesRequest(_message.Message):
    __slots__ = ("cluster", "attributes")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    def __init__(self, cluster: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ...) -> None: ...

class DeleteAttributesResponse(_message.Message):
    __slots__ = ("attributes",)
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    def __init__(self, attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ...) -> None: ...

class ListAttributesRequest(_message.Message):
    __slots__ = ("cluster", "target_type", "attribute_name", "attribute_value", "next_token", "max_results")
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_VALUE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    cluster: str
    target_type: str
    attribute_name: str
    attribute_value: str
    next_token: str
    max_results: int
    def __init__(self, cluster: _Optional[str] = ..., target_type: _Optional[str] = ..., attribute_name: _Optional[str] = ..., attribute_value: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListAttributesResponse(_message.Message):
    __slots__ = ("attributes", "next_token")
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Attribute]
    next_token: str
    def __init__(self, attributes: _Optional[_Iterable[_Union[_types_pb2.Attribute, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class TagResourceRequest(_message.Message):
    __slots__ = ("resource_arn", "tags")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, resource_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...

class TagResourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UntagResourceRequest(_message.Message):
    __slots__ = ("resource_arn", "tag_keys")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resource_arn: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class UntagResourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTagsForResourceRequest(_message.Message):
    __slots__ = ("resource_arn",)
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    def __init__(self, resource_arn: _Optional[str] = ...) -> None: ...

class ListTagsForResourceResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tag]
    def __init__(self, tags: _Optional[_Iterable[_Union[_types_pb2.Tag, _Mapping]]] = ...) -> None: ...
