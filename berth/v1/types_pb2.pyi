from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tag(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ClusterSetting(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ExecuteCommandLogConfiguration(_message.Message):
    __slots__ = ("cloud_watch_log_group_name", "cloud_watch_encryption_enabled", "s3_bucket_name", "s3_encryption_enabled", "s3_key_prefix")
    CLOUD_WATCH_LOG_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    CLOUD_WATCH_ENCRYPTION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    S3_BUCKET_NAME_FIELD_NUMBER: _ClassVar[int]
    S3_ENCRYPTION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    S3_KEY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    cloud_watch_log_group_name: str
    cloud_watch_encryption_enabled: bool
    s3_bucket_name: str
    s3_encryption_enabled: bool
    s3_key_prefix: str
    def __init__(self, cloud_watch_log_group_name: _Optional[str] = ..., cloud_watch_encryption_enabled: _Optional[bool] = ..., s3_bucket_name: _Optional[str] = ..., s3_encryption_enabled: _Optional[bool] = ..., s3_key_prefix: _Optional[str] = ...) -> None: ...

class ExecuteCommandConfiguration(_message.Message):
    __slots__ = ("kms_key_id", "logging", "log_configuration")
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    LOGGING_FIELD_NUMBER: _ClassVar[int]
    LOG_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    kms_key_id: str
    logging: str
    log_configuration: ExecuteCommandLogConfiguration
    def __init__(self, kms_key_id: _Optional[str] = ..., logging: _Optional[str] = ..., log_configuration: _Optional[_Union[ExecuteCommandLogConfiguration, _Mapping]] = ...) -> None: ...

class ManagedStorageConfiguration(_message.Message):
    __slots__ = ("kms_key_id", "fargate_ephemeral_storage_kms_key_id")
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    FARGATE_EPHEMERAL_STORAGE_KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    kms_key_id: str
    fargate_ephemeral_storage_kms_key_id: str
    def __init__(self, kms_key_id: _Optional[str] = ..., fargate_ephemeral_storage_kms_key_id: _Optional[str] = ...) -> None: ...

class ClusterConfiguration(_message.Message):
    __slots__ = ("execute_command_configuration", "managed_storage_configuration")
    EXECUTE_COMMAND_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    MANAGED_STORAGE_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    execute_command_configuration: ExecuteCommandConfiguration
    managed_storage_configuration: ManagedStorageConfiguration
    def __init__(self, execute_command_configuration: _Optional[_Union[ExecuteCommandConfiguration, _Mapping]] = ..., managed_storage_configuration: _Optional[_Union[ManagedStorageConfiguration, _Mapping]] = ...) -> None: ...

class CapacityProviderStrategyItem(_message.Message):
    __slots__ = ("capacity_provider", "weight", "base")
    CAPACITY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    BASE_FIELD_NUMBER: _ClassVar[int]
    capacity_provider: str
    weight: int
    base: int
    def __init__(self, capacity_provider: _Optional[str] = ..., weight: _Optional[int] = ..., base: _Optional[int] = ...) -> None: ...

class ClusterServiceConnectDefaultsRequest(_message.Message):
    __slots__ = ("namespace",)
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    def __init__(self, namespace: _Optional[str] = ...) -> None: ...

class KeyValuePair(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("id", "type", "status", "details")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    status: str
    details: _containers.RepeatedCompositeFieldContainer[KeyValuePair]
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ..., status: _Optional[str] = ..., details: _Optional[_Iterable[_Union[KeyValuePair, _Mapping]]] = ...) -> None: ...

class ClusterServiceConnectDefaults(_message.Message):
    __slots__ = ("namespace",)
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    def __init__(self, namespace: _Optional[str] = ...) -> None: ...

class Cluster(_message.Message):
    __slots__ = ("cluster_arn", "cluster_name", "configuration", "status", "registered_container_instances_count", "running_tasks_count", "pending_tasks_count", "active_services_count", "statistics", "tags", "settings", "capacity_providers", "default_capacity_provider_strategy", "attachments", "attachments_status", "service_connect_defaults")
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_CONTAINER_INSTANCES_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TASKS_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_TASKS_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SERVICES_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_STATUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    cluster_arn: str
    cluster_name: str
    configuration: ClusterConfiguration
    status: str
    registered_container_instances_count: int
    running_tasks_count: int
    pending_tasks_count: int
    active_services_count: int
    statistics: _containers.RepeatedCompositeFieldContainer[KeyValuePair]
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    settings: _containers.RepeatedCompositeFieldContainer[ClusterSetting]
    capacity_providers: _containers.RepeatedScalarFieldContainer[str]
    default_capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[CapacityProviderStrategyItem]
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    attachments_status: str
    service_connect_defaults: ClusterServiceConnectDefaults
    def __init__(self, cluster_arn: _Optional[str] = ..., cluster_name: _Optional[str] = ..., configuration: _Optional[_Union[ClusterConfiguration, _Mapping]] = ..., status: _Optional[str] = ..., registered_container_instances_count: _Optional[int] = ..., running_tasks_count: _Optional[int] = ..., pending_tasks_count: _Optional[int] = ..., active_services_count: _Optional[int] = ..., statistics: _Optional[_Iterable[_Union[KeyValuePair, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., settings: _Optional[_Iterable[_Union[ClusterSetting, _Mapping]]] = ..., capacity_providers: _Optional[_Iterable[str]] = ..., default_capacity_provider_strategy: _Optional[_Iterable[_Union[CapacityProviderStrategyItem, _Mapping]]] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., attachments_status: _Optional[str] = ..., service_connect_defaults: _Optional[_Union[ClusterServiceConnectDefaults, _Mapping]] = ...) -> None: ...

class Failure(_message.Message):
    __slots__ = ("arn", "reason", "detail")
    ARN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    arn: str
    reason: str
    detail: str
    def __init__(self, arn: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class Resource(_message.Message):
    __slots__ = ("name", "type", "double_value", "long_value", "integer_value", "string_set_value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    LONG_VALUE_FIELD_NUMBER: _ClassVar[int]
    INTEGER_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_SET_VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    double_value: float
    long_value: int
    integer_value: int
    string_set_value: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., double_value: _Optional[float] = ..., long_value: _Optional[int] = ..., integer_value: _Optional[int] = ..., string_set_value: _Optional[_Iterable[str]] = ...) -> None: ...

class VersionInfo(_message.Message):
    __slots__ = ("agent_version", "agent_hash", "docker_version")
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    AGENT_HASH_FIELD_NUMBER: _ClassVar[int]
    DOCKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    agent_version: str
    agent_hash: str
    docker_version: str
    def __init__(self, agent_version: _Optional[str] = ..., agent_hash: _Optional[str] = ..., docker_version: _Optional[str] = ...) -> None: ...

class Attribute(_message.Message):
    __slots__ = ("name", "value", "target_type", "target_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    target_type: str
    target_id: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., target_type: _Optional[str] = ..., target_id: _Optional[str] = ...) -> None: ...

class PlatformDevice(_message.Message):
    __slots__ = ("id", "type")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class InstanceHealthCheckResult(_message.Message):
    __slots__ = ("type", "status", "status_reason", "last_updated", "last_status_change")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_CHANGE_FIELD_NUMBER: _ClassVar[int]
    type: str
    status: str
    status_reason: str
    last_updated: float
    last_status_change: float
    def __init__(self, type: _Optional[str] = ..., status: _Optional[str] = ..., status_reason: _Optional[str] = ..., last_updated: _Optional[float] = ..., last_status_change: _Optional[float] = ...) -> None: ...

class ContainerInstanceHealthStatus(_message.Message):
    __slots__ = ("overall_status", "details")
    OVERALL_STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    overall_status: str
    details: _containers.RepeatedCompositeFieldContainer[InstanceHealthCheckResult]
    def __init__(self, overall_status: _Optional[str] = ..., details: _Optional[_Iterable[_Union[InstanceHealthCheckResult, _Mapping]]] = ...) -> None: ...

class ContainerInstance(_message.Message):
    __slots__ = ("container_instance_arn", "ec2_instance_id", "capacity_provider_name", "version", "version_info", "remaining_resources", "registered_resources", "status", "status_reason", "agent_connected", "running_tasks_count", "pending_tasks_count", "agent_update_status", "attributes", "registered_at", "attachments", "tags", "health_status", "pool", "metrics_endpoint", "host_address", "warm_sandboxes")
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    EC2_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_INFO_FIELD_NUMBER: _ClassVar[int]
    REMAINING_RESOURCES_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_RESOURCES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    AGENT_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TASKS_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_TASKS_COUNT_FIELD_NUMBER: _ClassVar[int]
    AGENT_UPDATE_STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    METRICS_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    HOST_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WARM_SANDBOXES_FIELD_NUMBER: _ClassVar[int]
    container_instance_arn: str
    ec2_instance_id: str
    capacity_provider_name: str
    version: int
    version_info: VersionInfo
    remaining_resources: _containers.RepeatedCompositeFieldContainer[Resource]
    registered_resources: _containers.RepeatedCompositeFieldContainer[Resource]
    status: str
    status_reason: str
    agent_connected: bool
    running_tasks_count: int
    pending_tasks_count: int
    agent_update_status: str
    attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    registered_at: float
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    health_status: ContainerInstanceHealthStatus
    pool: str
    metrics_endpoint: str
    host_address: str
    warm_sandboxes: int
    def __init__(self, container_instance_arn: _Optional[str] = ..., ec2_instance_id: _Optional[str] = ..., capacity_provider_name: _Optional[str] = ..., version: _Optional[int] = ..., version_info: _Optional[_Union[VersionInfo, _Mapping]] = ..., remaining_resources: _Optional[_Iterable[_Union[Resource, _Mapping]]] = ..., registered_resources: _Optional[_Iterable[_Union[Resource, _Mapping]]] = ..., status: _Optional[str] = ..., status_reason: _Optional[str] = ..., agent_connected: _Optional[bool] = ..., running_tasks_count: _Optional[int] = ..., pending_tasks_count: _Optional[int] = ..., agent_update_status: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ..., registered_at: _Optional[float] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., health_status: _Optional[_Union[ContainerInstanceHealthStatus, _Mapping]] = ..., pool: _Optional[str] = ..., metrics_endpoint: _Optional[str] = ..., host_address: _Optional[str] = ..., warm_sandboxes: _Optional[int] = ...) -> None: ...

class RepositoryCredentials(_message.Message):
    __slots__ = ("credentials_parameter",)
    CREDENTIALS_PARAMETER_FIELD_NUMBER: _ClassVar[int]
    credentials_parameter: str
    def __init__(self, credentials_parameter: _Optional[str] = ...) -> None: ...

class PortMapping(_message.Message):
    __slots__ = ("container_port", "host_port", "protocol", "name", "app_protocol", "container_port_range")
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    APP_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_RANGE_FIELD_NUMBER: _ClassVar[int]
    container_port: int
    host_port: int
    protocol: str
    name: str
    app_protocol: str
    container_port_range: str
    def __init__(self, container_port: _Optional[int] = ..., host_port: _Optional[int] = ..., protocol: _Optional[str] = ..., name: _Optional[str] = ..., app_protocol: _Optional[str] = ..., container_port_range: _Optional[str] = ...) -> None: ...

class ContainerRestartPolicy(_message.Message):
    __slots__ = ("enabled", "ignored_exit_codes", "restart_attempt_period")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    IGNORED_EXIT_CODES_FIELD_NUMBER: _ClassVar[int]
    RESTART_ATTEMPT_PERIOD_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    ignored_exit_codes: _containers.RepeatedScalarFieldContainer[int]
    restart_attempt_period: int
    def __init__(self, enabled: _Optional[bool] = ..., ignored_exit_codes: _Optional[_Iterable[int]] = ..., restart_attempt_period: _Optional[int] = ...) -> None: ...

class EnvironmentFile(_message.Message):
    __slots__ = ("value", "type")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    value: str
    type: str
    def __init__(self, value: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class MountPoint(_message.Message):
    __slots__ = ("source_volume", "container_path", "read_only")
    SOURCE_VOLUME_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    source_volume: str
    container_path: str
    read_only: bool
    def __init__(self, source_volume: _Optional[str] = ..., container_path: _Optional[str] = ..., read_only: _Optional[bool] = ...) -> None: ...

class VolumeFrom(_message.Message):
    __slots__ = ("source_container", "read_only")
    SOURCE_CONTAINER_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    source_container: str
    read_only: bool
    def __init__(self, source_container: _Optional[str] = ..., read_only: _Optional[bool] = ...) -> None: ...

class KernelCapabilities(_message.Message):
    __slots__ = ("add", "drop")
    ADD_FIELD_NUMBER: _ClassVar[int]
    DROP_FIELD_NUMBER: _ClassVar[int]
    add: _containers.RepeatedScalarFieldContainer[str]
    drop: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, add: _Optional[_Iterable[str]] = ..., drop: _Optional[_Iterable[str]] = ...) -> None: ...

class Device(_message.Message):
    __slots__ = ("host_path", "container_path", "permissions")
    HOST_PATH_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    host_path: str
    container_path: str
    permissions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, host_path: _Optional[str] = ..., container_path: _Optional[str] = ..., permissions: _Optional[_Iterable[str]] = ...) -> None: ...

class Tmpfs(_message.Message):
    __slots__ = ("container_path", "size", "mount_options")
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    MOUNT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    container_path: str
    size: int
    mount_options: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, container_path: _Optional[str] = ..., size: _Optional[int] = ..., mount_options: _Optional[_Iterable[str]] = ...) -> None: ...

class LinuxParameters(_message.Message):
    __slots__ = ("capabilities", "devices", "init_process_enabled", "shared_memory_size", "tmpfs", "max_swap", "swappiness")
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    INIT_PROCESS_ENABLED_FIELD_NUMBER: _ClassVar[int]
    SHARED_MEMORY_SIZE_FIELD_NUMBER: _ClassVar[int]
    TMPFS_FIELD_NUMBER: _ClassVar[int]
    MAX_SWAP_FIELD_NUMBER: _ClassVar[int]
    SWAPPINESS_FIELD_NUMBER: _ClassVar[int]
    capabilities: KernelCapabilities
    devices: _containers.RepeatedCompositeFieldContainer[Device]
    init_process_enabled: bool
    shared_memory_size: int
    tmpfs: _containers.RepeatedCompositeFieldContainer[Tmpfs]
    max_swap: int
    swappiness: int
    def __init__(self, capabilities: _Optional[_Union[KernelCapabilities, _Mapping]] = ..., devices: _Optional[_Iterable[_Union[Device, _Mapping]]] = ..., init_process_enabled: _Optional[bool] = ..., shared_memory_size: _Optional[int] = ..., tmpfs: _Optional[_Iterable[_Union[Tmpfs, _Mapping]]] = ..., max_swap: _Optional[int] = ..., swappiness: _Optional[int] = ...) -> None: ...

class Secret(_message.Message):
    __slots__ = ("name", "value_from")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FROM_FIELD_NUMBER: _ClassVar[int]
    name: str
    value_from: str
    def __init__(self, name: _Optional[str] = ..., value_from: _Optional[str] = ...) -> None: ...

class ContainerDependency(_message.Message):
    __slots__ = ("container_name", "condition")
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    container_name: str
    condition: str
    def __init__(self, container_name: _Optional[str] = ..., condition: _Optional[str] = ...) -> None: ...

class HostEntry(_message.Message):
    __slots__ = ("hostname", "ip_address")
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    ip_address: str
    def __init__(self, hostname: _Optional[str] = ..., ip_address: _Optional[str] = ...) -> None: ...

class Ulimit(_message.Message):
    __slots__ = ("name", "soft_limit", "hard_limit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOFT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    HARD_LIMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    soft_limit: int
    hard_limit: int
    def __init__(self, name: _Optional[str] = ..., soft_limit: _Optional[int] = ..., hard_limit: _Optional[int] = ...) -> None: ...

class LogConfiguration(_message.Message):
    __slots__ = ("log_driver", "options", "secret_options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LOG_DRIVER_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SECRET_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    log_driver: str
    options: _containers.ScalarMap[str, str]
    secret_options: _containers.RepeatedCompositeFieldContainer[Secret]
    def __init__(self, log_driver: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ..., secret_options: _Optional[_Iterable[_Union[Secret, _Mapping]]] = ...) -> None: ...

class HealthCheck(_message.Message):
    __slots__ = ("command", "interval", "timeout", "retries", "start_period")
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    START_PERIOD_FIELD_NUMBER: _ClassVar[int]
    command: _containers.RepeatedScalarFieldContainer[str]
    interval: int
    timeout: int
    retries: int
    start_period: int
    def __init__(self, command: _Optional[_Iterable[str]] = ..., interval: _Optional[int] = ..., timeout: _Optional[int] = ..., retries: _Optional[int] = ..., start_period: _Optional[int] = ...) -> None: ...

class SystemControl(_message.Message):
    __slots__ = ("namespace", "value")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    value: str
    def __init__(self, namespace: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ResourceRequirement(_message.Message):
    __slots__ = ("value", "type")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    value: str
    type: str
    def __init__(self, value: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class FirelensConfiguration(_message.Message):
    __slots__ = ("type", "options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    type: str
    options: _containers.ScalarMap[str, str]
    def __init__(self, type: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ContainerDefinition(_message.Message):
    __slots__ = ("name", "image", "repository_credentials", "cpu", "memory", "memory_reservation", "links", "port_mappings", "essential", "restart_policy", "entry_point", "command", "environment", "environment_files", "mount_points", "volumes_from", "linux_parameters", "secrets", "depends_on", "start_timeout", "stop_timeout", "version_consistency", "hostname", "user", "working_directory", "disable_networking", "privileged", "readonly_root_filesystem", "dns_servers", "dns_search_domains", "extra_hosts", "docker_security_options", "interactive", "pseudo_terminal", "docker_labels", "ulimits", "log_configuration", "health_check", "system_controls", "resource_requirements", "firelens_configuration", "credential_specs")
    class DockerLabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REPOSITORY_CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    MEMORY_RESERVATION_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    PORT_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    ESSENTIAL_FIELD_NUMBER: _ClassVar[int]
    RESTART_POLICY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_POINT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FILES_FIELD_NUMBER: _ClassVar[int]
    MOUNT_POINTS_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FROM_FIELD_NUMBER: _ClassVar[int]
    LINUX_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    SECRETS_FIELD_NUMBER: _ClassVar[int]
    DEPENDS_ON_FIELD_NUMBER: _ClassVar[int]
    START_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    STOP_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    VERSION_CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    WORKING_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    DISABLE_NETWORKING_FIELD_NUMBER: _ClassVar[int]
    PRIVILEGED_FIELD_NUMBER: _ClassVar[int]
    READONLY_ROOT_FILESYSTEM_FIELD_NUMBER: _ClassVar[int]
    DNS_SERVERS_FIELD_NUMBER: _ClassVar[int]
    DNS_SEARCH_DOMAINS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_HOSTS_FIELD_NUMBER: _ClassVar[int]
    DOCKER_SECURITY_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    PSEUDO_TERMINAL_FIELD_NUMBER: _ClassVar[int]
    DOCKER_LABELS_FIELD_NUMBER: _ClassVar[int]
    ULIMITS_FIELD_NUMBER: _ClassVar[int]
    LOG_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_CONTROLS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    FIRELENS_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_SPECS_FIELD_NUMBER: _ClassVar[int]
    name: str
    image: str
    repository_credentials: RepositoryCredentials
    cpu: int
    memory: int
    memory_reservation: int
    links: _containers.RepeatedScalarFieldContainer[str]
    port_mappings: _containers.RepeatedCompositeFieldContainer[PortMapping]
    essential: bool
    restart_policy: ContainerRestartPolicy
    entry_point: _containers.RepeatedScalarFieldContainer[str]
    command: _containers.RepeatedScalarFieldContainer[str]
    environment: _containers.RepeatedCompositeFieldContainer[KeyValuePair]
    environment_files: _containers.RepeatedCompositeFieldContainer[EnvironmentFile]
    mount_points: _containers.RepeatedCompositeFieldContainer[MountPoint]
    volumes_from: _containers.RepeatedCompositeFieldContainer[VolumeFrom]
    linux_parameters: LinuxParameters
    secrets: _containers.RepeatedCompositeFieldContainer[Secret]
    depends_on: _containers.RepeatedCompositeFieldContainer[ContainerDependency]
    start_timeout: int
    stop_timeout: int
    version_consistency: str
    hostname: str
    user: str
    working_directory: str
    disable_networking: bool
    privileged: bool
    readonly_root_filesystem: bool
    dns_servers: _containers.RepeatedScalarFieldContainer[str]
    dns_search_domains: _containers.RepeatedScalarFieldContainer[str]
    extra_hosts: _containers.RepeatedCompositeFieldContainer[HostEntry]
    docker_security_options: _containers.RepeatedScalarFieldContainer[str]
    interactive: bool
    pseudo_terminal: bool
    docker_labels: _containers.ScalarMap[str, str]
    ulimits: _containers.RepeatedCompositeFieldContainer[Ulimit]
    log_configuration: LogConfiguration
    health_check: HealthCheck
    system_controls: _containers.RepeatedCompositeFieldContainer[SystemControl]
    resource_requirements: _containers.RepeatedCompositeFieldContainer[ResourceRequirement]
    firelens_configuration: FirelensConfiguration
    credential_specs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., image: _Optional[str] = ..., repository_credentials: _Optional[_Union[RepositoryCredentials, _Mapping]] = ..., cpu: _Optional[int] = ..., memory: _Optional[int] = ..., memory_reservation: _Optional[int] = ..., links: _Optional[_Iterable[str]] = ..., port_mappings: _Optional[_Iterable[_Union[PortMapping, _Mapping]]] = ..., essential: _Optional[bool] = ..., restart_policy: _Optional[_Union[ContainerRestartPolicy, _Mapping]] = ..., entry_point: _Optional[_Iterable[str]] = ..., command: _Optional[_Iterable[str]] = ..., environment: _Optional[_Iterable[_Union[KeyValuePair, _Mapping]]] = ..., environment_files: _Optional[_Iterable[_Union[EnvironmentFile, _Mapping]]] = ..., mount_points: _Optional[_Iterable[_Union[MountPoint, _Mapping]]] = ..., volumes_from: _Optional[_Iterable[_Union[VolumeFrom, _Mapping]]] = ..., linux_parameters: _Optional[_Union[LinuxParameters, _Mapping]] = ..., secrets: _Optional[_Iterable[_Union[Secret, _Mapping]]] = ..., depends_on: _Optional[_Iterable[_Union[ContainerDependency, _Mapping]]] = ..., start_timeout: _Optional[int] = ..., stop_timeout: _Optional[int] = ..., version_consistency: _Optional[str] = ..., hostname: _Optional[str] = ..., user: _Optional[str] = ..., working_directory: _Optional[str] = ..., disable_networking: _Optional[bool] = ..., privileged: _Optional[bool] = ..., readonly_root_filesystem: _Optional[bool] = ..., dns_servers: _Optional[_Iterable[str]] = ..., dns_search_domains: _Optional[_Iterable[str]] = ..., extra_hosts: _Optional[_Iterable[_Union[HostEntry, _Mapping]]] = ..., docker_security_options: _Optional[_Iterable[str]] = ..., interactive: _Optional[bool] = ..., pseudo_terminal: _Optional[bool] = ..., docker_labels: _Optional[_Mapping[str, str]] = ..., ulimits: _Optional[_Iterable[_Union[Ulimit, _Mapping]]] = ..., log_configuration: _Optional[_Union[LogConfiguration, _Mapping]] = ..., health_check: _Optional[_Union[HealthCheck, _Mapping]] = ..., system_controls: _Optional[_Iterable[_Union[SystemControl, _Mapping]]] = ..., resource_requirements: _Optional[_Iterable[_Union[ResourceRequirement, _Mapping]]] = ..., firelens_configuration: _Optional[_Union[FirelensConfiguration, _Mapping]] = ..., credential_specs: _Optional[_Iterable[str]] = ...) -> None: ...

class HostVolumeProperties(_message.Message):
    __slots__ = ("source_path",)
    SOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
    source_path: str
    def __init__(self, source_path: _Optional[str] = ...) -> None: ...

class DockerVolumeConfiguration(_message.Message):
    __slots__ = ("scope", "autoprovision", "driver", "driver_opts", "labels")
    class DriverOptsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    AUTOPROVISION_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    DRIVER_OPTS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    scope: str
    autoprovision: bool
    driver: str
    driver_opts: _containers.ScalarMap[str, str]
    labels: _containers.ScalarMap[str, str]
    def __init__(self, scope: _Optional[str] = ..., autoprovision: _Optional[bool] = ..., driver: _Optional[str] = ..., driver_opts: _Optional[_Mapping[str, str]] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class EFSAuthorizationConfig(_message.Message):
    __slots__ = ("access_point_id", "iam")
    ACCESS_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    IAM_FIELD_NUMBER: _ClassVar[int]
    access_point_id: str
    iam: str
    def __init__(self, access_point_id: _Optional[str] = ..., iam: _Optional[str] = ...) -> None: ...

class EFSVolumeConfiguration(_message.Message):
    __slots__ = ("file_system_id", "root_directory", "transit_encryption", "transit_encryption_port", "authorization_config")
    FILE_SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_ENCRYPTION_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_ENCRYPTION_PORT_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    file_system_id: str
    root_directory: str
    transit_encryption: str
    transit_encryption_port: int
    authorization_config: EFSAuthorizationConfig
    def __init__(self, file_system_id: _Optional[str] = ..., root_directory: _Optional[str] = ..., transit_encryption: _Optional[str] = ..., transit_encryption_port: _Optional[int] = ..., authorization_config: _Optional[_Union[EFSAuthorizationConfig, _Mapping]] = ...) -> None: ...

class S3FilesVolumeConfiguration(_message.Message):
    __slots__ = ("file_system_arn", "root_directory", "transit_encryption_port", "access_point_arn")
    FILE_SYSTEM_ARN_FIELD_NUMBER: _ClassVar[int]
    ROOT_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_ENCRYPTION_PORT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_POINT_ARN_FIELD_NUMBER: _ClassVar[int]
    file_system_arn: str
    root_directory: str
    transit_encryption_port: int
    access_point_arn: str
    def __init__(self, file_system_arn: _Optional[str] = ..., root_directory: _Optional[str] = ..., transit_encryption_port: _Optional[int] = ..., access_point_arn: _Optional[str] = ...) -> None: ...

class FSxWindowsFileServerAuthorizationConfig(_message.Message):
    __slots__ = ("credentials_parameter", "domain")
    CREDENTIALS_PARAMETER_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    credentials_parameter: str
    domain: str
    def __init__(self, credentials_parameter: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class FSxWindowsFileServerVolumeConfiguration(_message.Message):
    __slots__ = ("file_system_id", "root_directory", "authorization_config")
    FILE_SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    file_system_id: str
    root_directory: str
    authorization_config: FSxWindowsFileServerAuthorizationConfig
    def __init__(self, file_system_id: _Optional[str] = ..., root_directory: _Optional[str] = ..., authorization_config: _Optional[_Union[FSxWindowsFileServerAuthorizationConfig, _Mapping]] = ...) -> None: ...

class Volume(_message.Message):
    __slots__ = ("name", "host", "docker_volume_configuration", "efs_volume_configuration", "s3files_volume_configuration", "fsx_windows_file_server_volume_configuration", "configured_at_launch")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    DOCKER_VOLUME_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    EFS_VOLUME_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    S3FILES_VOLUME_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    FSX_WINDOWS_FILE_SERVER_VOLUME_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CONFIGURED_AT_LAUNCH_FIELD_NUMBER: _ClassVar[int]
    name: str
    host: HostVolumeProperties
    docker_volume_configuration: DockerVolumeConfiguration
    efs_volume_configuration: EFSVolumeConfiguration
    s3files_volume_configuration: S3FilesVolumeConfiguration
    fsx_windows_file_server_volume_configuration: FSxWindowsFileServerVolumeConfiguration
    configured_at_launch: bool
    def __init__(self, name: _Optional[str] = ..., host: _Optional[_Union[HostVolumeProperties, _Mapping]] = ..., docker_volume_configuration: _Optional[_Union[DockerVolumeConfiguration, _Mapping]] = ..., efs_volume_configuration: _Optional[_Union[EFSVolumeConfiguration, _Mapping]] = ..., s3files_volume_configuration: _Optional[_Union[S3FilesVolumeConfiguration, _Mapping]] = ..., fsx_windows_file_server_volume_configuration: _Optional[_Union[FSxWindowsFileServerVolumeConfiguration, _Mapping]] = ..., configured_at_launch: _Optional[bool] = ...) -> None: ...

class TaskDefinitionPlacementConstraint(_message.Message):
    __slots__ = ("type", "expression")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    type: str
    expression: str
    def __init__(self, type: _Optional[str] = ..., expression: _Optional[str] = ...) -> None: ...

class ProxyConfiguration(_message.Message):
    __slots__ = ("type", "container_name", "properties")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    type: str
    container_name: str
    properties: _containers.RepeatedCompositeFieldContainer[KeyValuePair]
    def __init__(self, type: _Optional[str] = ..., container_name: _Optional[str] = ..., properties: _Optional[_Iterable[_Union[KeyValuePair, _Mapping]]] = ...) -> None: ...

class InferenceAccelerator(_message.Message):
    __slots__ = ("device_name", "device_type")
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    device_name: str
    device_type: str
    def __init__(self, device_name: _Optional[str] = ..., device_type: _Optional[str] = ...) -> None: ...

class EphemeralStorage(_message.Message):
    __slots__ = ("size_in_gi_b",)
    SIZE_IN_GI_B_FIELD_NUMBER: _ClassVar[int]
    size_in_gi_b: int
    def __init__(self, size_in_gi_b: _Optional[int] = ...) -> None: ...

class RuntimePlatform(_message.Message):
    __slots__ = ("cpu_architecture", "operating_system_family")
    CPU_ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    OPERATING_SYSTEM_FAMILY_FIELD_NUMBER: _ClassVar[int]
    cpu_architecture: str
    operating_system_family: str
    def __init__(self, cpu_architecture: _Optional[str] = ..., operating_system_family: _Optional[str] = ...) -> None: ...

class TaskDefinition(_message.Message):
    __slots__ = ("task_definition_arn", "container_definitions", "family", "task_role_arn", "execution_role_arn", "network_mode", "revision", "volumes", "status", "requires_attributes", "placement_constraints", "compatibilities", "runtime_platform", "requires_compatibilities", "cpu", "memory", "inference_accelerators", "pid_mode", "ipc_mode", "proxy_configuration", "registered_at", "deregistered_at", "delete_requested_at", "registered_by", "ephemeral_storage", "enable_fault_injection")
    TASK_DEFINITION_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    TASK_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    NETWORK_MODE_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITIES_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_PLATFORM_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_COMPATIBILITIES_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ACCELERATORS_FIELD_NUMBER: _ClassVar[int]
    PID_MODE_FIELD_NUMBER: _ClassVar[int]
    IPC_MODE_FIELD_NUMBER: _ClassVar[int]
    PROXY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    DEREGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    DELETE_REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_FAULT_INJECTION_FIELD_NUMBER: _ClassVar[int]
    task_definition_arn: str
    container_definitions: _containers.RepeatedCompositeFieldContainer[ContainerDefinition]
    family: str
    task_role_arn: str
    execution_role_arn: str
    network_mode: str
    revision: int
    volumes: _containers.RepeatedCompositeFieldContainer[Volume]
    status: str
    requires_attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    placement_constraints: _containers.RepeatedCompositeFieldContainer[TaskDefinitionPlacementConstraint]
    compatibilities: _containers.RepeatedScalarFieldContainer[str]
    runtime_platform: RuntimePlatform
    requires_compatibilities: _containers.RepeatedScalarFieldContainer[str]
    cpu: str
    memory: str
    inference_accelerators: _containers.RepeatedCompositeFieldContainer[InferenceAccelerator]
    pid_mode: str
    ipc_mode: str
    proxy_configuration: ProxyConfiguration
    registered_at: float
    deregistered_at: float
    delete_requested_at: float
    registered_by: str
    ephemeral_storage: EphemeralStorage
    enable_fault_injection: bool
    def __init__(self, task_definition_arn: _Optional[str] = ..., container_definitions: _Optional[_Iterable[_Union[ContainerDefinition, _Mapping]]] = ..., family: _Optional[str] = ..., task_role_arn: _Optional[str] = ..., execution_role_arn: _Optional[str] = ..., network_mode: _Optional[str] = ..., revision: _Optional[int] = ..., volumes: _Optional[_Iterable[_Union[Volume, _Mapping]]] = ..., status: _Optional[str] = ..., requires_attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ..., placement_constraints: _Optional[_Iterable[_Union[TaskDefinitionPlacementConstraint, _Mapping]]] = ..., compatibilities: _Optional[_Iterable[str]] = ..., runtime_platform: _Optional[_Union[RuntimePlatform, _Mapping]] = ..., requires_compatibilities: _Optional[_Iterable[str]] = ..., cpu: _Optional[str] = ..., memory: _Optional[str] = ..., inference_accelerators: _Optional[_Iterable[_Union[InferenceAccelerator, _Mapping]]] = ..., pid_mode: _Optional[str] = ..., ipc_mode: _Optional[str] = ..., proxy_configuration: _Optional[_Union[ProxyConfiguration, _Mapping]] = ..., registered_at: _Optional[float] = ..., deregistered_at: _Optional[float] = ..., delete_requested_at: _Optional[float] = ..., registered_by: _Optional[str] = ..., ephemeral_storage: _Optional[_Union[EphemeralStorage, _Mapping]] = ..., enable_fault_injection: _Optional[bool] = ...) -> None: ...

class AwsVpcConfiguration(_message.Message):
    __slots__ = ("subnets", "security_groups", "assign_public_ip")
    SUBNETS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_PUBLIC_IP_FIELD_NUMBER: _ClassVar[int]
    subnets: _containers.RepeatedScalarFieldContainer[str]
    security_groups: _containers.RepeatedScalarFieldContainer[str]
    assign_public_ip: str
    def __init__(self, subnets: _Optional[_Iterable[str]] = ..., security_groups: _Optional[_Iterable[str]] = ..., assign_public_ip: _Optional[str] = ...) -> None: ...

class NetworkConfiguration(_message.Message):
    __slots__ = ("awsvpc_configuration",)
    AWSVPC_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    awsvpc_configuration: AwsVpcConfiguration
    def __init__(self, awsvpc_configuration: _Optional[_Union[AwsVpcConfiguration, _Mapping]] = ...) -> None: ...

class ContainerOverride(_message.Message):
    __slots__ = ("name", "command", "environment", "environment_files", "cpu", "memory", "memory_reservation", "resource_requirements")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FILES_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    MEMORY_RESERVATION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    command: _containers.RepeatedScalarFieldContainer[str]
    environment: _containers.RepeatedCompositeFieldContainer[KeyValuePair]
    environment_files: _containers.RepeatedCompositeFieldContainer[EnvironmentFile]
    cpu: int
    memory: int
    memory_reservation: int
    resource_requirements: _containers.RepeatedCompositeFieldContainer[ResourceRequirement]
    def __init__(self, name: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., environment: _Optional[_Iterable[_Union[KeyValuePair, _Mapping]]] = ..., environment_files: _Optional[_Iterable[_Union[EnvironmentFile, _Mapping]]] = ..., cpu: _Optional[int] = ..., memory: _Optional[int] = ..., memory_reservation: _Optional[int] = ..., resource_requirements: _Optional[_Iterable[_Union[ResourceRequirement, _Mapping]]] = ...) -> None: ...

class InferenceAcceleratorOverride(_message.Message):
    __slots__ = ("device_name", "device_type")
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    device_name: str
    device_type: str
    def __init__(self, device_name: _Optional[str] = ..., device_type: _Optional[str] = ...) -> None: ...

class TaskOverride(_message.Message):
    __slots__ = ("container_overrides", "cpu", "inference_accelerator_overrides", "execution_role_arn", "memory", "task_role_arn", "ephemeral_storage")
    CONTAINER_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ACCELERATOR_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    TASK_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    container_overrides: _containers.RepeatedCompositeFieldContainer[ContainerOverride]
    cpu: str
    inference_accelerator_overrides: _containers.RepeatedCompositeFieldContainer[InferenceAcceleratorOverride]
    execution_role_arn: str
    memory: str
    task_role_arn: str
    ephemeral_storage: EphemeralStorage
    def __init__(self, container_overrides: _Optional[_Iterable[_Union[ContainerOverride, _Mapping]]] = ..., cpu: _Optional[str] = ..., inference_accelerator_overrides: _Optional[_Iterable[_Union[InferenceAcceleratorOverride, _Mapping]]] = ..., execution_role_arn: _Optional[str] = ..., memory: _Optional[str] = ..., task_role_arn: _Optional[str] = ..., ephemeral_storage: _Optional[_Union[EphemeralStorage, _Mapping]] = ...) -> None: ...

class PlacementConstraint(_message.Message):
    __slots__ = ("type", "expression")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    type: str
    expression: str
    def __init__(self, type: _Optional[str] = ..., expression: _Optional[str] = ...) -> None: ...

class PlacementStrategy(_message.Message):
    __slots__ = ("type", "field")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    type: str
    field: str
    def __init__(self, type: _Optional[str] = ..., field: _Optional[str] = ...) -> None: ...

class EBSTagSpecification(_message.Message):
    __slots__ = ("resource_type", "tags", "propagate_tags")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    propagate_tags: str
    def __init__(self, resource_type: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., propagate_tags: _Optional[str] = ...) -> None: ...

class TaskManagedEBSVolumeTerminationPolicy(_message.Message):
    __slots__ = ("delete_on_termination",)
    DELETE_ON_TERMINATION_FIELD_NUMBER: _ClassVar[int]
    delete_on_termination: bool
    def __init__(self, delete_on_termination: _Optional[bool] = ...) -> None: ...

class TaskManagedEBSVolumeConfiguration(_message.Message):
    __slots__ = ("encrypted", "kms_key_id", "volume_type", "size_in_gi_b", "snapshot_id", "volume_initialization_rate", "iops", "throughput", "tag_specifications", "role_arn", "termination_policy", "filesystem_type")
    ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_IN_GI_B_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_INITIALIZATION_RATE_FIELD_NUMBER: _ClassVar[int]
    IOPS_FIELD_NUMBER: _ClassVar[int]
    THROUGHPUT_FIELD_NUMBER: _ClassVar[int]
    TAG_SPECIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_POLICY_FIELD_NUMBER: _ClassVar[int]
    FILESYSTEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    encrypted: bool
    kms_key_id: str
    volume_type: str
    size_in_gi_b: int
    snapshot_id: str
    volume_initialization_rate: int
    iops: int
    throughput: int
    tag_specifications: _containers.RepeatedCompositeFieldContainer[EBSTagSpecification]
    role_arn: str
    termination_policy: TaskManagedEBSVolumeTerminationPolicy
    filesystem_type: str
    def __init__(self, encrypted: _Optional[bool] = ..., kms_key_id: _Optional[str] = ..., volume_type: _Optional[str] = ..., size_in_gi_b: _Optional[int] = ..., snapshot_id: _Optional[str] = ..., volume_initialization_rate: _Optional[int] = ..., iops: _Optional[int] = ..., throughput: _Optional[int] = ..., tag_specifications: _Optional[_Iterable[_Union[EBSTagSpecification, _Mapping]]] = ..., role_arn: _Optional[str] = ..., termination_policy: _Optional[_Union[TaskManagedEBSVolumeTerminationPolicy, _Mapping]] = ..., filesystem_type: _Optional[str] = ...) -> None: ...

class TaskVolumeConfiguration(_message.Message):
    __slots__ = ("name", "managed_ebs_volume")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MANAGED_EBS_VOLUME_FIELD_NUMBER: _ClassVar[int]
    name: str
    managed_ebs_volume: TaskManagedEBSVolumeConfiguration
    def __init__(self, name: _Optional[str] = ..., managed_ebs_volume: _Optional[_Union[TaskManagedEBSVolumeConfiguration, _Mapping]] = ...) -> None: ...

class NetworkBinding(_message.Message):
    __slots__ = ("bind_ip", "container_port", "host_port", "protocol", "container_port_range", "host_port_range")
    BIND_IP_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_RANGE_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_RANGE_FIELD_NUMBER: _ClassVar[int]
    bind_ip: str
    container_port: int
    host_port: int
    protocol: str
    container_port_range: str
    host_port_range: str
    def __init__(self, bind_ip: _Optional[str] = ..., container_port: _Optional[int] = ..., host_port: _Optional[int] = ..., protocol: _Optional[str] = ..., container_port_range: _Optional[str] = ..., host_port_range: _Optional[str] = ...) -> None: ...

class NetworkInterface(_message.Message):
    __slots__ = ("attachment_id", "private_ipv4_address", "ipv6_address")
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_IPV4_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IPV6_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    attachment_id: str
    private_ipv4_address: str
    ipv6_address: str
    def __init__(self, attachment_id: _Optional[str] = ..., private_ipv4_address: _Optional[str] = ..., ipv6_address: _Optional[str] = ...) -> None: ...

class ManagedAgent(_message.Message):
    __slots__ = ("last_started_at", "name", "reason", "last_status")
    LAST_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    last_started_at: float
    name: str
    reason: str
    last_status: str
    def __init__(self, last_started_at: _Optional[float] = ..., name: _Optional[str] = ..., reason: _Optional[str] = ..., last_status: _Optional[str] = ...) -> None: ...

class Container(_message.Message):
    __slots__ = ("container_arn", "task_arn", "name", "image", "image_digest", "runtime_id", "last_status", "exit_code", "reason", "network_bindings", "network_interfaces", "health_status", "managed_agents", "cpu", "memory", "memory_reservation", "gpu_ids", "restart_count", "started_at", "finished_at")
    CONTAINER_ARN_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NETWORK_BINDINGS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_INTERFACES_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    MANAGED_AGENTS_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    MEMORY_RESERVATION_FIELD_NUMBER: _ClassVar[int]
    GPU_IDS_FIELD_NUMBER: _ClassVar[int]
    RESTART_COUNT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    container_arn: str
    task_arn: str
    name: str
    image: str
    image_digest: str
    runtime_id: str
    last_status: str
    exit_code: int
    reason: str
    network_bindings: _containers.RepeatedCompositeFieldContainer[NetworkBinding]
    network_interfaces: _containers.RepeatedCompositeFieldContainer[NetworkInterface]
    health_status: str
    managed_agents: _containers.RepeatedCompositeFieldContainer[ManagedAgent]
    cpu: str
    memory: str
    memory_reservation: str
    gpu_ids: _containers.RepeatedScalarFieldContainer[str]
    restart_count: int
    started_at: float
    finished_at: float
    def __init__(self, container_arn: _Optional[str] = ..., task_arn: _Optional[str] = ..., name: _Optional[str] = ..., image: _Optional[str] = ..., image_digest: _Optional[str] = ..., runtime_id: _Optional[str] = ..., last_status: _Optional[str] = ..., exit_code: _Optional[int] = ..., reason: _Optional[str] = ..., network_bindings: _Optional[_Iterable[_Union[NetworkBinding, _Mapping]]] = ..., network_interfaces: _Optional[_Iterable[_Union[NetworkInterface, _Mapping]]] = ..., health_status: _Optional[str] = ..., managed_agents: _Optional[_Iterable[_Union[ManagedAgent, _Mapping]]] = ..., cpu: _Optional[str] = ..., memory: _Optional[str] = ..., memory_reservation: _Optional[str] = ..., gpu_ids: _Optional[_Iterable[str]] = ..., restart_count: _Optional[int] = ..., started_at: _Optional[float] = ..., finished_at: _Optional[float] = ...) -> None: ...

class TaskEphemeralStorage(_message.Message):
    __slots__ = ("size_in_gi_b", "kms_key_id")
    SIZE_IN_GI_B_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    size_in_gi_b: int
    kms_key_id: str
    def __init__(self, size_in_gi_b: _Optional[int] = ..., kms_key_id: _Optional[str] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("attachments", "attributes", "availability_zone", "capacity_provider_name", "cluster_arn", "connectivity", "connectivity_at", "container_instance_arn", "containers", "cpu", "created_at", "desired_status", "enable_execute_command", "execution_stopped_at", "group", "health_status", "inference_accelerators", "last_status", "launch_type", "memory", "overrides", "platform_version", "platform_family", "pull_started_at", "pull_stopped_at", "started_at", "started_by", "stop_code", "stopped_at", "stopped_reason", "stopping_at", "tags", "task_arn", "task_definition_arn", "version", "ephemeral_storage", "fargate_ephemeral_storage", "service_name", "reservation", "launch_timing", "usage", "restart_count", "deactivate_until")
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    CONNECTIVITY_FIELD_NUMBER: _ClassVar[int]
    CONNECTIVITY_AT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_INSTANCE_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DESIRED_STATUS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HEALTH_STATUS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ACCELERATORS_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FAMILY_FIELD_NUMBER: _ClassVar[int]
    PULL_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    PULL_STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    STOP_CODE_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_REASON_FIELD_NUMBER: _ClassVar[int]
    STOPPING_AT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TASK_ARN_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_ARN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    FARGATE_EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TIMING_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    RESTART_COUNT_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    availability_zone: str
    capacity_provider_name: str
    cluster_arn: str
    connectivity: str
    connectivity_at: float
    container_instance_arn: str
    containers: _containers.RepeatedCompositeFieldContainer[Container]
    cpu: str
    created_at: float
    desired_status: str
    enable_execute_command: bool
    execution_stopped_at: float
    group: str
    health_status: str
    inference_accelerators: _containers.RepeatedCompositeFieldContainer[InferenceAccelerator]
    last_status: str
    launch_type: str
    memory: str
    overrides: TaskOverride
    platform_version: str
    platform_family: str
    pull_started_at: float
    pull_stopped_at: float
    started_at: float
    started_by: str
    stop_code: str
    stopped_at: float
    stopped_reason: str
    stopping_at: float
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    task_arn: str
    task_definition_arn: str
    version: int
    ephemeral_storage: EphemeralStorage
    fargate_ephemeral_storage: TaskEphemeralStorage
    service_name: str
    reservation: Reservation
    launch_timing: LaunchTiming
    usage: TaskUsage
    restart_count: int
    deactivate_until: float
    def __init__(self, attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ..., availability_zone: _Optional[str] = ..., capacity_provider_name: _Optional[str] = ..., cluster_arn: _Optional[str] = ..., connectivity: _Optional[str] = ..., connectivity_at: _Optional[float] = ..., container_instance_arn: _Optional[str] = ..., containers: _Optional[_Iterable[_Union[Container, _Mapping]]] = ..., cpu: _Optional[str] = ..., created_at: _Optional[float] = ..., desired_status: _Optional[str] = ..., enable_execute_command: _Optional[bool] = ..., execution_stopped_at: _Optional[float] = ..., group: _Optional[str] = ..., health_status: _Optional[str] = ..., inference_accelerators: _Optional[_Iterable[_Union[InferenceAccelerator, _Mapping]]] = ..., last_status: _Optional[str] = ..., launch_type: _Optional[str] = ..., memory: _Optional[str] = ..., overrides: _Optional[_Union[TaskOverride, _Mapping]] = ..., platform_version: _Optional[str] = ..., platform_family: _Optional[str] = ..., pull_started_at: _Optional[float] = ..., pull_stopped_at: _Optional[float] = ..., started_at: _Optional[float] = ..., started_by: _Optional[str] = ..., stop_code: _Optional[str] = ..., stopped_at: _Optional[float] = ..., stopped_reason: _Optional[str] = ..., stopping_at: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., task_arn: _Optional[str] = ..., task_definition_arn: _Optional[str] = ..., version: _Optional[int] = ..., ephemeral_storage: _Optional[_Union[EphemeralStorage, _Mapping]] = ..., fargate_ephemeral_storage: _Optional[_Union[TaskEphemeralStorage, _Mapping]] = ..., service_name: _Optional[str] = ..., reservation: _Optional[_Union[Reservation, _Mapping]] = ..., launch_timing: _Optional[_Union[LaunchTiming, _Mapping]] = ..., usage: _Optional[_Union[TaskUsage, _Mapping]] = ..., restart_count: _Optional[int] = ..., deactivate_until: _Optional[float] = ...) -> None: ...

class AdvancedConfiguration(_message.Message):
    __slots__ = ("alternate_target_group_arn", "production_listener_rule", "test_listener_rule", "role_arn")
    ALTERNATE_TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_LISTENER_RULE_FIELD_NUMBER: _ClassVar[int]
    TEST_LISTENER_RULE_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    alternate_target_group_arn: str
    production_listener_rule: str
    test_listener_rule: str
    role_arn: str
    def __init__(self, alternate_target_group_arn: _Optional[str] = ..., production_listener_rule: _Optional[str] = ..., test_listener_rule: _Optional[str] = ..., role_arn: _Optional[str] = ...) -> None: ...

class LoadBalancer(_message.Message):
    __slots__ = ("target_group_arn", "load_balancer_name", "container_name", "container_port", "advanced_configuration")
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    ADVANCED_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    target_group_arn: str
    load_balancer_name: str
    container_name: str
    container_port: int
    advanced_configuration: AdvancedConfiguration
    def __init__(self, target_group_arn: _Optional[str] = ..., load_balancer_name: _Optional[str] = ..., container_name: _Optional[str] = ..., container_port: _Optional[int] = ..., advanced_configuration: _Optional[_Union[AdvancedConfiguration, _Mapping]] = ...) -> None: ...

class ServiceRegistry(_message.Message):
    __slots__ = ("registry_arn", "port", "container_name", "container_port")
    REGISTRY_ARN_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    registry_arn: str
    port: int
    container_name: str
    container_port: int
    def __init__(self, registry_arn: _Optional[str] = ..., port: _Optional[int] = ..., container_name: _Optional[str] = ..., container_port: _Optional[int] = ...) -> None: ...

class DeploymentCircuitBreaker(_message.Message):
    __slots__ = ("enable", "rollback")
    ENABLE_FIELD_NUMBER: _ClassVar[int]
    ROLLBACK_FIELD_NUMBER: _ClassVar[int]
    enable: bool
    rollback: bool
    def __init__(self, enable: _Optional[bool] = ..., rollback: _Optional[bool] = ...) -> None: ...

class DeploymentAlarms(_message.Message):
    __slots__ = ("alarm_names", "rollback", "enable")
    ALARM_NAMES_FIELD_NUMBER: _ClassVar[int]
    ROLLBACK_FIELD_NUMBER: _ClassVar[int]
    ENABLE_FIELD_NUMBER: _ClassVar[int]
    alarm_names: _containers.RepeatedScalarFieldContainer[str]
    rollback: bool
    enable: bool
    def __init__(self, alarm_names: _Optional[_Iterable[str]] = ..., rollback: _Optional[bool] = ..., enable: _Optional[bool] = ...) -> None: ...

class HookDetails(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeploymentLifecycleHookTimeoutConfiguration(_message.Message):
    __slots__ = ("timeout_in_minutes", "action")
    TIMEOUT_IN_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    timeout_in_minutes: int
    action: str
    def __init__(self, timeout_in_minutes: _Optional[int] = ..., action: _Optional[str] = ...) -> None: ...

class DeploymentLifecycleHook(_message.Message):
    __slots__ = ("target_type", "hook_target_arn", "role_arn", "lifecycle_stages", "hook_details", "timeout_configuration")
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    HOOK_TARGET_ARN_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    LIFECYCLE_STAGES_FIELD_NUMBER: _ClassVar[int]
    HOOK_DETAILS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    target_type: str
    hook_target_arn: str
    role_arn: str
    lifecycle_stages: _containers.RepeatedScalarFieldContainer[str]
    hook_details: HookDetails
    timeout_configuration: DeploymentLifecycleHookTimeoutConfiguration
    def __init__(self, target_type: _Optional[str] = ..., hook_target_arn: _Optional[str] = ..., role_arn: _Optional[str] = ..., lifecycle_stages: _Optional[_Iterable[str]] = ..., hook_details: _Optional[_Union[HookDetails, _Mapping]] = ..., timeout_configuration: _Optional[_Union[DeploymentLifecycleHookTimeoutConfiguration, _Mapping]] = ...) -> None: ...

class LinearConfiguration(_message.Message):
    __slots__ = ("step_percent", "step_bake_time_in_minutes")
    STEP_PERCENT_FIELD_NUMBER: _ClassVar[int]
    STEP_BAKE_TIME_IN_MINUTES_FIELD_NUMBER: _ClassVar[int]
    step_percent: float
    step_bake_time_in_minutes: int
    def __init__(self, step_percent: _Optional[float] = ..., step_bake_time_in_minutes: _Optional[int] = ...) -> None: ...

class CanaryConfiguration(_message.Message):
    __slots__ = ("canary_percent", "canary_bake_time_in_minutes")
    CANARY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CANARY_BAKE_TIME_IN_MINUTES_FIELD_NUMBER: _ClassVar[int]
    canary_percent: float
    canary_bake_time_in_minutes: int
    def __init__(self, canary_percent: _Optional[float] = ..., canary_bake_time_in_minutes: _Optional[int] = ...) -> None: ...

class DeploymentConfiguration(_message.Message):
    __slots__ = ("deployment_circuit_breaker", "maximum_percent", "minimum_healthy_percent", "alarms", "strategy", "bake_time_in_minutes", "lifecycle_hooks", "linear_configuration", "canary_configuration")
    DEPLOYMENT_CIRCUIT_BREAKER_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_HEALTHY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ALARMS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    BAKE_TIME_IN_MINUTES_FIELD_NUMBER: _ClassVar[int]
    LIFECYCLE_HOOKS_FIELD_NUMBER: _ClassVar[int]
    LINEAR_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CANARY_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    deployment_circuit_breaker: DeploymentCircuitBreaker
    maximum_percent: int
    minimum_healthy_percent: int
    alarms: DeploymentAlarms
    strategy: str
    bake_time_in_minutes: int
    lifecycle_hooks: _containers.RepeatedCompositeFieldContainer[DeploymentLifecycleHook]
    linear_configuration: LinearConfiguration
    canary_configuration: CanaryConfiguration
    def __init__(self, deployment_circuit_breaker: _Optional[_Union[DeploymentCircuitBreaker, _Mapping]] = ..., maximum_percent: _Optional[int] = ..., minimum_healthy_percent: _Optional[int] = ..., alarms: _Optional[_Union[DeploymentAlarms, _Mapping]] = ..., strategy: _Optional[str] = ..., bake_time_in_minutes: _Optional[int] = ..., lifecycle_hooks: _Optional[_Iterable[_Union[DeploymentLifecycleHook, _Mapping]]] = ..., linear_configuration: _Optional[_Union[LinearConfiguration, _Mapping]] = ..., canary_configuration: _Optional[_Union[CanaryConfiguration, _Mapping]] = ...) -> None: ...

class DeploymentController(_message.Message):
    __slots__ = ("type",)
    TYPE_FIELD_NUMBER: _ClassVar[int]
    type: str
    def __init__(self, type: _Optional[str] = ...) -> None: ...

class ServiceConnectTestTrafficHeaderMatchRules(_message.Message):
    __slots__ = ("exact",)
    EXACT_FIELD_NUMBER: _ClassVar[int]
    exact: str
    def __init__(self, exact: _Optional[str] = ...) -> None: ...

class ServiceConnectTestTrafficHeaderRules(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: ServiceConnectTestTrafficHeaderMatchRules
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[ServiceConnectTestTrafficHeaderMatchRules, _Mapping]] = ...) -> None: ...

class ServiceConnectTestTrafficRules(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ServiceConnectTestTrafficHeaderRules
    def __init__(self, header: _Optional[_Union[ServiceConnectTestTrafficHeaderRules, _Mapping]] = ...) -> None: ...

class ServiceConnectClientAlias(_message.Message):
    __slots__ = ("port", "dns_name", "test_traffic_rules")
    PORT_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    TEST_TRAFFIC_RULES_FIELD_NUMBER: _ClassVar[int]
    port: int
    dns_name: str
    test_traffic_rules: ServiceConnectTestTrafficRules
    def __init__(self, port: _Optional[int] = ..., dns_name: _Optional[str] = ..., test_traffic_rules: _Optional[_Union[ServiceConnectTestTrafficRules, _Mapping]] = ...) -> None: ...

class TimeoutConfiguration(_message.Message):
    __slots__ = ("idle_timeout_seconds", "per_request_timeout_seconds")
    IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PER_REQUEST_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    idle_timeout_seconds: int
    per_request_timeout_seconds: int
    def __init__(self, idle_timeout_seconds: _Optional[int] = ..., per_request_timeout_seconds: _Optional[int] = ...) -> None: ...

class ServiceConnectTlsCertificateAuthority(_message.Message):
    __slots__ = ("aws_pca_authority_arn",)
    AWS_PCA_AUTHORITY_ARN_FIELD_NUMBER: _ClassVar[int]
    aws_pca_authority_arn: str
    def __init__(self, aws_pca_authority_arn: _Optional[str] = ...) -> None: ...

class ServiceConnectTlsConfiguration(_message.Message):
    __slots__ = ("issuer_certificate_authority", "kms_key", "role_arn")
    ISSUER_CERTIFICATE_AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    issuer_certificate_authority: ServiceConnectTlsCertificateAuthority
    kms_key: str
    role_arn: str
    def __init__(self, issuer_certificate_authority: _Optional[_Union[ServiceConnectTlsCertificateAuthority, _Mapping]] = ..., kms_key: _Optional[str] = ..., role_arn: _Optional[str] = ...) -> None: ...

class ServiceConnectService(_message.Message):
    __slots__ = ("port_name", "discovery_name", "client_aliases", "ingress_port_override", "timeout", "tls")
    PORT_NAME_FIELD_NUMBER: _ClassVar[int]
    DISCOVERY_NAME_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ALIASES_FIELD_NUMBER: _ClassVar[int]
    INGRESS_PORT_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    port_name: str
    discovery_name: str
    client_aliases: _containers.RepeatedCompositeFieldContainer[ServiceConnectClientAlias]
    ingress_port_override: int
    timeout: TimeoutConfiguration
    tls: ServiceConnectTlsConfiguration
    def __init__(self, port_name: _Optional[str] = ..., discovery_name: _Optional[str] = ..., client_aliases: _Optional[_Iterable[_Union[ServiceConnectClientAlias, _Mapping]]] = ..., ingress_port_override: _Optional[int] = ..., timeout: _Optional[_Union[TimeoutConfiguration, _Mapping]] = ..., tls: _Optional[_Union[ServiceConnectTlsConfiguration, _Mapping]] = ...) -> None: ...

class ServiceConnectAccessLogConfiguration(_message.Message):
    __slots__ = ("format", "include_query_parameters")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_QUERY_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    format: str
    include_query_parameters: str
    def __init__(self, format: _Optional[str] = ..., include_query_parameters: _Optional[str] = ...) -> None: ...

class ServiceConnectConfiguration(_message.Message):
    __slots__ = ("enabled", "namespace", "services", "log_configuration", "access_log_configuration")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    LOG_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    ACCESS_LOG_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    namespace: str
    services: _containers.RepeatedCompositeFieldContainer[ServiceConnectService]
    log_configuration: LogConfiguration
    access_log_configuration: ServiceConnectAccessLogConfiguration
    def __init__(self, enabled: _Optional[bool] = ..., namespace: _Optional[str] = ..., services: _Optional[_Iterable[_Union[ServiceConnectService, _Mapping]]] = ..., log_configuration: _Optional[_Union[LogConfiguration, _Mapping]] = ..., access_log_configuration: _Optional[_Union[ServiceConnectAccessLogConfiguration, _Mapping]] = ...) -> None: ...

class ServiceManagedEBSVolumeConfiguration(_message.Message):
    __slots__ = ("encrypted", "kms_key_id", "volume_type", "size_in_gi_b", "snapshot_id", "volume_initialization_rate", "iops", "throughput", "tag_specifications", "role_arn", "filesystem_type")
    ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_IN_GI_B_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_INITIALIZATION_RATE_FIELD_NUMBER: _ClassVar[int]
    IOPS_FIELD_NUMBER: _ClassVar[int]
    THROUGHPUT_FIELD_NUMBER: _ClassVar[int]
    TAG_SPECIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    FILESYSTEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    encrypted: bool
    kms_key_id: str
    volume_type: str
    size_in_gi_b: int
    snapshot_id: str
    volume_initialization_rate: int
    iops: int
    throughput: int
    tag_specifications: _containers.RepeatedCompositeFieldContainer[EBSTagSpecification]
    role_arn: str
    filesystem_type: str
    def __init__(self, encrypted: _Optional[bool] = ..., kms_key_id: _Optional[str] = ..., volume_type: _Optional[str] = ..., size_in_gi_b: _Optional[int] = ..., snapshot_id: _Optional[str] = ..., volume_initialization_rate: _Optional[int] = ..., iops: _Optional[int] = ..., throughput: _Optional[int] = ..., tag_specifications: _Optional[_Iterable[_Union[EBSTagSpecification, _Mapping]]] = ..., role_arn: _Optional[str] = ..., filesystem_type: _Optional[str] = ...) -> None: ...

class ServiceVolumeConfiguration(_message.Message):
    __slots__ = ("name", "managed_ebs_volume")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MANAGED_EBS_VOLUME_FIELD_NUMBER: _ClassVar[int]
    name: str
    managed_ebs_volume: ServiceManagedEBSVolumeConfiguration
    def __init__(self, name: _Optional[str] = ..., managed_ebs_volume: _Optional[_Union[ServiceManagedEBSVolumeConfiguration, _Mapping]] = ...) -> None: ...

class VpcLatticeConfiguration(_message.Message):
    __slots__ = ("role_arn", "target_group_arn", "port_name")
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    PORT_NAME_FIELD_NUMBER: _ClassVar[int]
    role_arn: str
    target_group_arn: str
    port_name: str
    def __init__(self, role_arn: _Optional[str] = ..., target_group_arn: _Optional[str] = ..., port_name: _Optional[str] = ...) -> None: ...

class Scale(_message.Message):
    __slots__ = ("value", "unit")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    value: float
    unit: str
    def __init__(self, value: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...

class DeploymentEphemeralStorage(_message.Message):
    __slots__ = ("kms_key_id",)
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    kms_key_id: str
    def __init__(self, kms_key_id: _Optional[str] = ...) -> None: ...

class TaskSet(_message.Message):
    __slots__ = ("id", "task_set_arn", "service_arn", "cluster_arn", "started_by", "external_id", "status", "task_definition", "computed_desired_count", "pending_count", "running_count", "created_at", "updated_at", "launch_type", "capacity_provider_strategy", "platform_version", "platform_family", "network_configuration", "load_balancers", "service_registries", "scale", "stability_status", "stability_status_at", "tags", "fargate_ephemeral_storage")
    ID_FIELD_NUMBER: _ClassVar[int]
    TASK_SET_ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ARN_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FAMILY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_REGISTRIES_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    STABILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    STABILITY_STATUS_AT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    FARGATE_EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    task_set_arn: str
    service_arn: str
    cluster_arn: str
    started_by: str
    external_id: str
    status: str
    task_definition: str
    computed_desired_count: int
    pending_count: int
    running_count: int
    created_at: float
    updated_at: float
    launch_type: str
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[CapacityProviderStrategyItem]
    platform_version: str
    platform_family: str
    network_configuration: NetworkConfiguration
    load_balancers: _containers.RepeatedCompositeFieldContainer[LoadBalancer]
    service_registries: _containers.RepeatedCompositeFieldContainer[ServiceRegistry]
    scale: Scale
    stability_status: str
    stability_status_at: float
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    fargate_ephemeral_storage: DeploymentEphemeralStorage
    def __init__(self, id: _Optional[str] = ..., task_set_arn: _Optional[str] = ..., service_arn: _Optional[str] = ..., cluster_arn: _Optional[str] = ..., started_by: _Optional[str] = ..., external_id: _Optional[str] = ..., status: _Optional[str] = ..., task_definition: _Optional[str] = ..., computed_desired_count: _Optional[int] = ..., pending_count: _Optional[int] = ..., running_count: _Optional[int] = ..., created_at: _Optional[float] = ..., updated_at: _Optional[float] = ..., launch_type: _Optional[str] = ..., capacity_provider_strategy: _Optional[_Iterable[_Union[CapacityProviderStrategyItem, _Mapping]]] = ..., platform_version: _Optional[str] = ..., platform_family: _Optional[str] = ..., network_configuration: _Optional[_Union[NetworkConfiguration, _Mapping]] = ..., load_balancers: _Optional[_Iterable[_Union[LoadBalancer, _Mapping]]] = ..., service_registries: _Optional[_Iterable[_Union[ServiceRegistry, _Mapping]]] = ..., scale: _Optional[_Union[Scale, _Mapping]] = ..., stability_status: _Optional[str] = ..., stability_status_at: _Optional[float] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., fargate_ephemeral_storage: _Optional[_Union[DeploymentEphemeralStorage, _Mapping]] = ...) -> None: ...

class ServiceConnectServiceResource(_message.Message):
    __slots__ = ("discovery_name", "discovery_arn")
    DISCOVERY_NAME_FIELD_NUMBER: _ClassVar[int]
    DISCOVERY_ARN_FIELD_NUMBER: _ClassVar[int]
    discovery_name: str
    discovery_arn: str
    def __init__(self, discovery_name: _Optional[str] = ..., discovery_arn: _Optional[str] = ...) -> None: ...

class Deployment(_message.Message):
    __slots__ = ("id", "status", "task_definition", "desired_count", "pending_count", "running_count", "failed_tasks", "created_at", "updated_at", "capacity_provider_strategy", "launch_type", "platform_version", "platform_family", "network_configuration", "rollout_state", "rollout_state_reason", "service_connect_configuration", "service_connect_resources", "volume_configurations", "fargate_ephemeral_storage", "vpc_lattice_configurations", "last_healthy_at", "rollback_from", "completed_at", "launched_tasks")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILED_TASKS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FAMILY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_STATE_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CONNECT_RESOURCES_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    FARGATE_EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    VPC_LATTICE_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_HEALTHY_AT_FIELD_NUMBER: _ClassVar[int]
    ROLLBACK_FROM_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    LAUNCHED_TASKS_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: str
    task_definition: str
    desired_count: int
    pending_count: int
    running_count: int
    failed_tasks: int
    created_at: float
    updated_at: float
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[CapacityProviderStrategyItem]
    launch_type: str
    platform_version: str
    platform_family: str
    network_configuration: NetworkConfiguration
    rollout_state: str
    rollout_state_reason: str
    service_connect_configuration: ServiceConnectConfiguration
    service_connect_resources: _containers.RepeatedCompositeFieldContainer[ServiceConnectServiceResource]
    volume_configurations: _containers.RepeatedCompositeFieldContainer[ServiceVolumeConfiguration]
    fargate_ephemeral_storage: DeploymentEphemeralStorage
    vpc_lattice_configurations: _containers.RepeatedCompositeFieldContainer[VpcLatticeConfiguration]
    last_healthy_at: float
    rollback_from: str
    completed_at: float
    launched_tasks: int
    def __init__(self, id: _Optional[str] = ..., status: _Optional[str] = ..., task_definition: _Optional[str] = ..., desired_count: _Optional[int] = ..., pending_count: _Optional[int] = ..., running_count: _Optional[int] = ..., failed_tasks: _Optional[int] = ..., created_at: _Optional[float] = ..., updated_at: _Optional[float] = ..., capacity_provider_strategy: _Optional[_Iterable[_Union[CapacityProviderStrategyItem, _Mapping]]] = ..., launch_type: _Optional[str] = ..., platform_version: _Optional[str] = ..., platform_family: _Optional[str] = ..., network_configuration: _Optional[_Union[NetworkConfiguration, _Mapping]] = ..., rollout_state: _Optional[str] = ..., rollout_state_reason: _Optional[str] = ..., service_connect_configuration: _Optional[_Union[ServiceConnectConfiguration, _Mapping]] = ..., service_connect_resources: _Optional[_Iterable[_Union[ServiceConnectServiceResource, _Mapping]]] = ..., volume_configurations: _Optional[_Iterable[_Union[ServiceVolumeConfiguration, _Mapping]]] = ..., fargate_ephemeral_storage: _Optional[_Union[DeploymentEphemeralStorage, _Mapping]] = ..., vpc_lattice_configurations: _Optional[_Iterable[_Union[VpcLatticeConfiguration, _Mapping]]] = ..., last_healthy_at: _Optional[float] = ..., rollback_from: _Optional[str] = ..., completed_at: _Optional[float] = ..., launched_tasks: _Optional[int] = ...) -> None: ...

class ServiceEvent(_message.Message):
    __slots__ = ("id", "created_at", "message")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    created_at: float
    message: str
    def __init__(self, id: _Optional[str] = ..., created_at: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class ServiceCurrentRevisionSummary(_message.Message):
    __slots__ = ("arn", "requested_task_count", "running_task_count", "pending_task_count")
    ARN_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_TASK_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TASK_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_TASK_COUNT_FIELD_NUMBER: _ClassVar[int]
    arn: str
    requested_task_count: int
    running_task_count: int
    pending_task_count: int
    def __init__(self, arn: _Optional[str] = ..., requested_task_count: _Optional[int] = ..., running_task_count: _Optional[int] = ..., pending_task_count: _Optional[int] = ...) -> None: ...

class Service(_message.Message):
    __slots__ = ("service_arn", "service_name", "cluster_arn", "load_balancers", "service_registries", "status", "desired_count", "running_count", "pending_count", "launch_type", "capacity_provider_strategy", "platform_version", "platform_family", "task_definition", "deployment_configuration", "task_sets", "deployments", "role_arn", "events", "created_at", "current_service_deployment", "current_service_revisions", "placement_constraints", "placement_strategy", "network_configuration", "health_check_grace_period_seconds", "scheduling_strategy", "deployment_controller", "tags", "created_by", "enable_ecs_managed_tags", "propagate_tags", "enable_execute_command", "availability_zone_rebalancing", "resource_management_type", "last_completed", "steady_since")
    SERVICE_ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ARN_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_REGISTRIES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DESIRED_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FAMILY_FIELD_NUMBER: _ClassVar[int]
    TASK_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    TASK_SETS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SERVICE_DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SERVICE_REVISIONS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_GRACE_PERIOD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULING_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_CONTROLLER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ECS_MANAGED_TAGS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_EXECUTE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_REBALANCING_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_MANAGEMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    LAST_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    STEADY_SINCE_FIELD_NUMBER: _ClassVar[int]
    service_arn: str
    service_name: str
    cluster_arn: str
    load_balancers: _containers.RepeatedCompositeFieldContainer[LoadBalancer]
    service_registries: _containers.RepeatedCompositeFieldContainer[ServiceRegistry]
    status: str
    desired_count: int
    running_count: int
    pending_count: int
    launch_type: str
    capacity_provider_strategy: _containers.RepeatedCompositeFieldContainer[CapacityProviderStrategyItem]
    platform_version: str
    platform_family: str
    task_definition: str
    deployment_configuration: DeploymentConfiguration
    task_sets: _containers.RepeatedCompositeFieldContainer[TaskSet]
    deployments: _containers.RepeatedCompositeFieldContainer[Deployment]
    role_arn: str
    events: _containers.RepeatedCompositeFieldContainer[ServiceEvent]
    created_at: float
    current_service_deployment: str
    current_service_revisions: _containers.RepeatedCompositeFieldContainer[ServiceCurrentRevisionSummary]
    placement_constraints: _containers.RepeatedCompositeFieldContainer[PlacementConstraint]
    placement_strategy: _containers.RepeatedCompositeFieldContainer[PlacementStrategy]
    network_configuration: NetworkConfiguration
    health_check_grace_period_seconds: int
    scheduling_strategy: str
    deployment_controller: DeploymentController
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    created_by: str
    enable_ecs_managed_tags: bool
    propagate_tags: str
    enable_execute_command: bool
    availability_zone_rebalancing: str
    resource_management_type: str
    last_completed: Deployment
    steady_since: float
    def __init__(self, service_arn: _Optional[str] = ..., service_name: _Optional[str] = ..., cluster_arn: _Optional[str] = ..., load_balancers: _Optional[_Iterable[_Union[LoadBalancer, _Mapping]]] = ..., service_registries: _Optional[_Iterable[_Union[ServiceRegistry, _Mapping]]] = ..., status: _Optional[str] = ..., desired_count: _Optional[int] = ..., running_count: _Optional[int] = ..., pending_count: _Optional[int] = ..., launch_type: _Optional[str] = ..., capacity_provider_strategy: _Optional[_Iterable[_Union[CapacityProviderStrategyItem, _Mapping]]] = ..., platform_version: _Optional[str] = ..., platform_family: _Optional[str] = ..., task_definition: _Optional[str] = ..., deployment_configuration: _Optional[_Union[DeploymentConfiguration, _Mapping]] = ..., task_sets: _Optional[_Iterable[_Union[TaskSet, _Mapping]]] = ..., deployments: _Optional[_Iterable[_Union[Deployment, _Mapping]]] = ..., role_arn: _Optional[str] = ..., events: _Optional[_Iterable[_Union[ServiceEvent, _Mapping]]] = ..., created_at: _Optional[float] = ..., current_service_deployment: _Optional[str] = ..., current_service_revisions: _Optional[_Iterable[_Union[ServiceCurrentRevisionSummary, _Mapping]]] = ..., placement_constraints: _Optional[_Iterable[_Union[PlacementConstraint, _Mapping]]] = ..., placement_strategy: _Optional[_Iterable[_Union[PlacementStrategy, _Mapping]]] = ..., network_configuration: _Optional[_Union[NetworkConfiguration, _Mapping]] = ..., health_check_grace_period_seconds: _Optional[int] = ..., scheduling_strategy: _Optional[str] = ..., deployment_controller: _Optional[_Union[DeploymentController, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., created_by: _Optional[str] = ..., enable_ecs_managed_tags: _Optional[bool] = ..., propagate_tags: _Optional[str] = ..., enable_execute_command: _Optional[bool] = ..., availability_zone_rebalancing: _Optional[str] = ..., resource_management_type: _Optional[str] = ..., last_completed: _Optional[_Union[Deployment, _Mapping]] = ..., steady_since: _Optional[float] = ...) -> None: ...

class Reservation(_message.Message):
    __slots__ = ("cpu", "memory", "ports_tcp", "ports_udp")
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    PORTS_TCP_FIELD_NUMBER: _ClassVar[int]
    PORTS_UDP_FIELD_NUMBER: _ClassVar[int]
    cpu: int
    memory: int
    ports_tcp: _containers.RepeatedScalarFieldContainer[int]
    ports_udp: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, cpu: _Optional[int] = ..., memory: _Optional[int] = ..., ports_tcp: _Optional[_Iterable[int]] = ..., ports_udp: _Optional[_Iterable[int]] = ...) -> None: ...

class LaunchTiming(_message.Message):
    __slots__ = ("pending_seconds", "pull_seconds", "sandbox_seconds", "start_seconds", "total_seconds", "warm_sandbox")
    PENDING_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PULL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_SECONDS_FIELD_NUMBER: _ClassVar[int]
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WARM_SANDBOX_FIELD_NUMBER: _ClassVar[int]
    pending_seconds: float
    pull_seconds: float
    sandbox_seconds: float
    start_seconds: float
    total_seconds: float
    warm_sandbox: bool
    def __init__(self, pending_seconds: _Optional[float] = ..., pull_seconds: _Optional[float] = ..., sandbox_seconds: _Optional[float] = ..., start_seconds: _Optional[float] = ..., total_seconds: _Optional[float] = ..., warm_sandbox: _Optional[bool] = ...) -> None: ...

class TaskUsage(_message.Message):
    __slots__ = ("vcpu_seconds", "gb_seconds", "billed_seconds")
    VCPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GB_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BILLED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    vcpu_seconds: float
    gb_seconds: float
    billed_seconds: float
    def __init__(self, vcpu_seconds: _Optional[float] = ..., gb_seconds: _Optional[float] = ..., billed_seconds: _Optional[float] = ...) -> None: ...
