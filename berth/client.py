"""`berth.Client`: a thin, typed Python client over the gRPC API.

    from berth import Client
    ecs = Client()                                   # $BERTH_CONFIG or ~/.berth/config
    ecs.register_task_definition({"family": "web", "containerDefinitions": [...]})  # an ECS-shaped dict
    td = ecs.describe_task_definition(taskDefinition="web:1").task_definition

Every method takes the request as a message, as an ECS-shaped dict, or as keyword arguments
(ECS camelCase or snake_case names), and returns the response message (`berth.jsonmsg.to_dict`
turns it into ECS JSON). Failures raise `berth.ApiError` with the status code, the ECS exception
name and, for invalid input, the offending field paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from berth import config, jsonmsg, tls
from berth.endpoints import grpc_target
from berth.errors import ApiError, FieldViolation, InvalidArgument
from berth.v1 import (
    autoscaling_pb2,
    autoscaling_pb2_grpc,
    berth_pb2,
    berth_pb2_grpc,
    ecs_pb2_grpc,
    elb_pb2,
    elb_pb2_grpc,
    iam_pb2,
    iam_pb2_grpc,
    secretsmanager_pb2,
    secretsmanager_pb2_grpc,
    servicediscovery_pb2,
    servicediscovery_pb2_grpc,
)
from berth.v1 import ecs_messages_pb2 as ecs

R = TypeVar("R", bound=Message)
Request = Message | Mapping[str, Any] | None


class Client:
    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        config_path: str | Path | None = None,
        ca_file: str | Path | None = None,
        timeout: float = 30.0,
        session_token: str | None = None,
    ) -> None:
        """`ca_file`: the CA bundle the control plane's TLS is verified with (default: the
        config's `caFile`; "" in both: plaintext, for an --insecure cluster)."""
        cfg = config.load(Path(config_path) if config_path else None)
        self.endpoint = endpoint or cfg.endpoint
        self.token = token if token is not None else cfg.token
        self.timeout = timeout
        self.ca_file = str(ca_file if ca_file is not None else cfg.caFile)
        # Temporary credentials (a task role's, token "<ASIA...>.<secret>") carry a session token.
        self.session_token = session_token
        self._channel = channel(self.endpoint, self.ca_file)
        self._ecs = ecs_pb2_grpc.ECSStub(self._channel)  # type: ignore[no-untyped-call]
        self._berth = berth_pb2_grpc.BerthStub(self._channel)  # type: ignore[no-untyped-call]
        self._discovery = servicediscovery_pb2_grpc.ServiceDiscoveryStub(self._channel)  # type: ignore[no-untyped-call]
        self._autoscaling = autoscaling_pb2_grpc.ApplicationAutoScalingStub(self._channel)  # type: ignore[no-untyped-call]
        self._iam = iam_pb2_grpc.IAMStub(self._channel)  # type: ignore[no-untyped-call]
        self._secrets = secretsmanager_pb2_grpc.SecretsManagerStub(self._channel)  # type: ignore[no-untyped-call]
        self._elb = elb_pb2_grpc.ElasticLoadBalancingStub(self._channel)  # type: ignore[no-untyped-call]
        self._lb_node = elb_pb2_grpc.LoadBalancerNodeStub(self._channel)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        if not self.token:
            return ()
        if self.session_token:
            return (("authorization", f"Bearer {self.token}"), ("x-amz-security-token", self.session_token))
        return (("authorization", f"Bearer {self.token}"),)

    def call(self, method: str, request: Request = None, **fields: Any) -> Message:
        """Call any unary ECS RPC by name (`"DescribeTasks"`) with a message, dict or keywords."""
        if not hasattr(self._ecs, method):
            raise AttributeError(f"berth.v1.ECS has no RPC {method!r}")
        response_cls: type[Message] = getattr(ecs, f"{method}Response")
        return self._unary(method, response_cls, request, fields)

    def _service(
        self, stub: Any, module: Any, service: str, method: str, request: Request, fields: Any
    ) -> Any:
        """Call a unary RPC of another berth.v1 service by name, the request as a message, an
        AWS-shaped dict (`{"ResourceId": ...}`) or keywords."""
        md = module.DESCRIPTOR.services_by_name[service].methods_by_name.get(method)
        if md is None:
            raise AttributeError(f"berth.v1.{service} has no RPC {method!r}")
        message = build_request(getattr(module, md.input_type.name), request, fields)
        try:
            return getattr(stub, method)(message, metadata=self.metadata, timeout=self.timeout)
        except grpc.RpcError as e:
            raise api_error(e) from None

    def servicediscovery(self, method: str, request: Request = None, **fields: Any) -> Any:
        """Call a berth.v1.ServiceDiscovery RPC (the Cloud Map stand-in) by name:
        `servicediscovery("CreatePrivateDnsNamespace", name="prod.local")`."""
        return self._service(
            self._discovery, servicediscovery_pb2, "ServiceDiscovery", method, request, fields
        )

    def autoscaling(self, method: str, request: Request = None, **fields: Any) -> Any:
        """Call a berth.v1.ApplicationAutoScaling RPC by name (`"PutScalingPolicy"`)."""
        return self._service(
            self._autoscaling, autoscaling_pb2, "ApplicationAutoScaling", method, request, fields
        )

    def secretsmanager(self, method: str, request: Request = None, **fields: Any) -> Any:
        """Call a berth.v1.SecretsManager RPC by name: `secretsmanager("GetSecretValue", secretId="db")`."""
        return self._service(self._secrets, secretsmanager_pb2, "SecretsManager", method, request, fields)

    def iam(self, method: str, request: Request = None, **fields: Any) -> Any:
        """Call a berth.v1.IAM RPC by name: `iam("PutUserPolicy", userName="ann", ...)`."""
        return self._service(self._iam, iam_pb2, "IAM", method, request, fields)

    def elb(self, method: str, request: Request = None, **fields: Any) -> Any:
        """Call a berth.v1.ElasticLoadBalancing RPC (the ELBv2 stand-in) by name:
        `elb("CreateTargetGroup", name="web", protocol="HTTP", port=80)`."""
        return self._service(self._elb, elb_pb2, "ElasticLoadBalancing", method, request, fields)

    def lb_node(
        self, method: str, request: Request = None, *, stream_timeout: float | None = None, **fields: Any
    ) -> Any:
        """Call a berth.v1.LoadBalancerNode RPC (what berth-lb calls). WatchLoadBalancer returns
        the stream (iterate it; `.cancel()` ends it; `stream_timeout` bounds it), ReportTargetHealth
        its response."""
        md = elb_pb2.DESCRIPTOR.services_by_name["LoadBalancerNode"].methods_by_name.get(method)
        if md is not None and md.server_streaming:
            message = build_request(getattr(elb_pb2, md.input_type.name), request, fields)
            return getattr(self._lb_node, method)(message, metadata=self.metadata, timeout=stream_timeout)
        return self._service(self._lb_node, elb_pb2, "LoadBalancerNode", method, request, fields)

    def list_all(self, method: str, field: str, **fields: Any) -> list[Any]:
        """Every item of a paged List call, following nextToken:
        `list_all("ListTasks", "task_arns", cluster="prod")`."""
        items: list[Any] = []
        token = ""
        while True:
            page: Any = self.call(method, **fields, nextToken=token)
            items.extend(getattr(page, field))
            token = page.next_token
            if not token:
                return items

    def _unary(self, method: str, response_cls: type[R], request: Request, fields: dict[str, Any]) -> R:
        message = build_request(getattr(ecs, f"{method}Request"), request, fields)
        try:
            result = getattr(self._ecs, method)(message, metadata=self.metadata, timeout=self.timeout)
        except grpc.RpcError as e:
            raise api_error(e) from None
        assert isinstance(result, response_cls)
        return result

    def _berth_unary(self, method: str, response_cls: type[R], request: Request, fields: dict[str, Any]) -> R:
        message = build_request(getattr(berth_pb2, f"{method}Request"), request, fields)
        try:
            result = getattr(self._berth, method)(message, metadata=self.metadata, timeout=self.timeout)
        except grpc.RpcError as e:
            raise api_error(e) from None
        assert isinstance(result, response_cls)
        return result

    def _stream(
        self,
        stub: Callable[..., Any],
        request_cls: type[Message],
        request: Request,
        fields: dict[str, Any],
        timeout: float | None = None,
    ) -> Iterator[Any]:
        message = build_request(request_cls, request, fields)
        yield from self._responses(stub(message, metadata=self.metadata, timeout=timeout))

    @staticmethod
    def _responses(call: Any) -> Iterator[Any]:
        """The responses of a streaming call; ApiError for a failure, cancelled when dropped."""
        try:
            yield from call
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.CANCELLED:
                return
            raise api_error(e) from None
        finally:
            call.cancel()

    # -- clusters --------------------------------------------------------------------------------
    def create_cluster(self, request: Request = None, **fields: Any) -> ecs.CreateClusterResponse:
        return self._unary("CreateCluster", ecs.CreateClusterResponse, request, fields)

    def describe_clusters(self, request: Request = None, **fields: Any) -> ecs.DescribeClustersResponse:
        return self._unary("DescribeClusters", ecs.DescribeClustersResponse, request, fields)

    def list_clusters(self, request: Request = None, **fields: Any) -> ecs.ListClustersResponse:
        return self._unary("ListClusters", ecs.ListClustersResponse, request, fields)

    def delete_cluster(self, request: Request = None, **fields: Any) -> ecs.DeleteClusterResponse:
        return self._unary("DeleteCluster", ecs.DeleteClusterResponse, request, fields)

    # -- task definitions ------------------------------------------------------------------------
    def register_task_definition(
        self, request: Request = None, **fields: Any
    ) -> ecs.RegisterTaskDefinitionResponse:
        return self._unary("RegisterTaskDefinition", ecs.RegisterTaskDefinitionResponse, request, fields)

    def describe_task_definition(
        self, request: Request = None, **fields: Any
    ) -> ecs.DescribeTaskDefinitionResponse:
        return self._unary("DescribeTaskDefinition", ecs.DescribeTaskDefinitionResponse, request, fields)

    def list_task_definitions(
        self, request: Request = None, **fields: Any
    ) -> ecs.ListTaskDefinitionsResponse:
        return self._unary("ListTaskDefinitions", ecs.ListTaskDefinitionsResponse, request, fields)

    def list_task_definition_families(
        self, request: Request = None, **fields: Any
    ) -> ecs.ListTaskDefinitionFamiliesResponse:
        return self._unary(
            "ListTaskDefinitionFamilies", ecs.ListTaskDefinitionFamiliesResponse, request, fields
        )

    def deregister_task_definition(
        self, request: Request = None, **fields: Any
    ) -> ecs.DeregisterTaskDefinitionResponse:
        return self._unary("DeregisterTaskDefinition", ecs.DeregisterTaskDefinitionResponse, request, fields)

    def delete_task_definitions(
        self, request: Request = None, **fields: Any
    ) -> ecs.DeleteTaskDefinitionsResponse:
        return self._unary("DeleteTaskDefinitions", ecs.DeleteTaskDefinitionsResponse, request, fields)

    # -- container instances ----------------------------------------------------------------
    def list_container_instances(
        self, request: Request = None, **fields: Any
    ) -> ecs.ListContainerInstancesResponse:
        return self._unary("ListContainerInstances", ecs.ListContainerInstancesResponse, request, fields)

    def describe_container_instances(
        self, request: Request = None, **fields: Any
    ) -> ecs.DescribeContainerInstancesResponse:
        return self._unary(
            "DescribeContainerInstances", ecs.DescribeContainerInstancesResponse, request, fields
        )

    def update_container_instances_state(
        self, request: Request = None, **fields: Any
    ) -> ecs.UpdateContainerInstancesStateResponse:
        return self._unary(
            "UpdateContainerInstancesState", ecs.UpdateContainerInstancesStateResponse, request, fields
        )

    def deregister_container_instance(
        self, request: Request = None, **fields: Any
    ) -> ecs.DeregisterContainerInstanceResponse:
        return self._unary(
            "DeregisterContainerInstance", ecs.DeregisterContainerInstanceResponse, request, fields
        )

    def put_attributes(self, request: Request = None, **fields: Any) -> ecs.PutAttributesResponse:
        return self._unary("PutAttributes", ecs.PutAttributesResponse, request, fields)

    def delete_attributes(self, request: Request = None, **fields: Any) -> ecs.DeleteAttributesResponse:
        return self._unary("DeleteAttributes", ecs.DeleteAttributesResponse, request, fields)

    def list_attributes(self, request: Request = None, **fields: Any) -> ecs.ListAttributesResponse:
        return self._unary("ListAttributes", ecs.ListAttributesResponse, request, fields)

    # -- tasks ------------------------------------------------------------------------------
    def run_task(self, request: Request = None, **fields: Any) -> ecs.RunTaskResponse:
        return self._unary("RunTask", ecs.RunTaskResponse, request, fields)

    def start_task(self, request: Request = None, **fields: Any) -> ecs.StartTaskResponse:
        return self._unary("StartTask", ecs.StartTaskResponse, request, fields)

    def stop_task(self, request: Request = None, **fields: Any) -> ecs.StopTaskResponse:
        return self._unary("StopTask", ecs.StopTaskResponse, request, fields)

    def describe_tasks(self, request: Request = None, **fields: Any) -> ecs.DescribeTasksResponse:
        return self._unary("DescribeTasks", ecs.DescribeTasksResponse, request, fields)

    def list_tasks(self, request: Request = None, **fields: Any) -> ecs.ListTasksResponse:
        return self._unary("ListTasks", ecs.ListTasksResponse, request, fields)

    # -- services --------------------------------------------------------------------------------
    def create_service(self, request: Request = None, **fields: Any) -> ecs.CreateServiceResponse:
        return self._unary("CreateService", ecs.CreateServiceResponse, request, fields)

    def update_service(self, request: Request = None, **fields: Any) -> ecs.UpdateServiceResponse:
        return self._unary("UpdateService", ecs.UpdateServiceResponse, request, fields)

    def delete_service(self, request: Request = None, **fields: Any) -> ecs.DeleteServiceResponse:
        return self._unary("DeleteService", ecs.DeleteServiceResponse, request, fields)

    def describe_services(self, request: Request = None, **fields: Any) -> ecs.DescribeServicesResponse:
        return self._unary("DescribeServices", ecs.DescribeServicesResponse, request, fields)

    def list_services(self, request: Request = None, **fields: Any) -> ecs.ListServicesResponse:
        return self._unary("ListServices", ecs.ListServicesResponse, request, fields)

    def watch_service_events(
        self, request: Request = None, *, timeout: float | None = None, **fields: Any
    ) -> Iterator[berth_pb2.ServiceEventMessage]:
        """Service events as they happen (server streaming); iterate, break to stop."""
        return self._stream(
            self._berth.WatchServiceEvents, berth_pb2.WatchServiceEventsRequest, request, fields, timeout
        )

    # -- logs and events -------------------------------------------------------------------------
    def get_task_logs(
        self, request: Request = None, *, timeout: float | None = None, **fields: Any
    ) -> Iterator[berth_pb2.GetTaskLogsResponse]:
        """A task's container output in batches of lines (server streaming; with follow=True it
        runs until the containers stop or you stop iterating)."""
        return self._stream(self._berth.GetTaskLogs, berth_pb2.GetTaskLogsRequest, request, fields, timeout)

    def watch_events(
        self, request: Request = None, *, timeout: float | None = None, **fields: Any
    ) -> Iterator[berth_pb2.Event]:
        """ECS-shaped events (server streaming); keep the last `id` to resume with afterId."""
        return self._stream(self._berth.WatchEvents, berth_pb2.WatchEventsRequest, request, fields, timeout)

    # -- exec ------------------------------------------------------------------------------------
    def execute_command_stream(
        self, requests: Iterable[berth_pb2.ExecuteCommandStreamRequest], *, timeout: float | None = None
    ) -> Iterator[berth_pb2.ExecuteCommandStreamResponse]:
        """ECS Exec (bidirectional): send `start` first, then stdin, resizes and `stdin_closed`;
        the responses are `session`, then stdout/stderr, then `exit`. Stop iterating to hang up
        (the command is killed)."""
        call = self._berth.ExecuteCommandStream(iter(requests), metadata=self.metadata, timeout=timeout)
        return self._responses(call)

    # -- the FARGATE pool (operators) ------------------------------------------------------------
    def describe_pool(self, request: Request = None, **fields: Any) -> berth_pb2.DescribePoolResponse:
        return self._berth_unary("DescribePool", berth_pb2.DescribePoolResponse, request, fields)

    def get_join_token(self) -> berth_pb2.JoinTokenResponse:
        """The agent join token (on a TLS cluster it names the CA's fingerprint)."""
        return self._berth_unary("GetJoinToken", berth_pb2.JoinTokenResponse, None, {})

    def rotate_join_token(self) -> berth_pb2.JoinTokenResponse:
        """A new agent join token; the old one is refused from now on."""
        return self._berth_unary("RotateJoinToken", berth_pb2.JoinTokenResponse, None, {})

    def rotate_ca(self) -> berth_pb2.CaStatus:
        """Start replacing the cluster CA; agents and replicas move over by themselves."""
        return self._berth_unary("RotateCa", berth_pb2.CaStatus, None, {})

    def describe_ca(self) -> berth_pb2.CaStatus:
        """The cluster CA: its fingerprint, those trusted, and the rotation's phase."""
        return self._berth_unary("DescribeCa", berth_pb2.CaStatus, None, {})

    def deregister_pool_instance(
        self, request: Request = None, **fields: Any
    ) -> berth_pb2.DeregisterPoolInstanceResponse:
        return self._berth_unary(
            "DeregisterPoolInstance", berth_pb2.DeregisterPoolInstanceResponse, request, fields
        )

    def get_service_utilization(
        self, request: Request = None, **fields: Any
    ) -> berth_pb2.GetServiceUtilizationResponse:
        """Services' CPU and memory utilisation (percent of what their tasks reserve), as ECS reports
        CPUUtilization and MemoryUtilization."""
        return self._berth_unary(
            "GetServiceUtilization", berth_pb2.GetServiceUtilizationResponse, request, fields
        )

    # -- tags ------------------------------------------------------------------------------------
    def tag_resource(self, request: Request = None, **fields: Any) -> ecs.TagResourceResponse:
        return self._unary("TagResource", ecs.TagResourceResponse, request, fields)

    def untag_resource(self, request: Request = None, **fields: Any) -> ecs.UntagResourceResponse:
        return self._unary("UntagResource", ecs.UntagResourceResponse, request, fields)

    def list_tags_for_resource(
        self, request: Request = None, **fields: Any
    ) -> ecs.ListTagsForResourceResponse:
        return self._unary("ListTagsForResource", ecs.ListTagsForResourceResponse, request, fields)


def channel(endpoint: str, ca_file: str = "") -> grpc.Channel:
    """A channel to the control plane at `endpoint` (one address or several replicas): TLS
    verified with `ca_file`, or plaintext without one. With several endpoints every replica's
    certificate must name the same server name, which the cluster CA's all do."""
    options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", 16 * 1024 * 1024),
        ("grpc.enable_retries", 1),
    ]
    target = grpc_target(endpoint)
    if not ca_file:
        return grpc.insecure_channel(target, options=options)
    if "," in endpoint:
        options += tls.server_name_options(tls.SERVER_NAME)
    return grpc.secure_channel(target, tls.channel_credentials(tls.read_bundle(ca_file)), options=options)


def aio_channel(
    endpoint: str, ca_file: str = "", options: list[tuple[str, Any]] | None = None
) -> grpc.aio.Channel:
    """`channel`, for asyncio (berth-lb)."""
    options = list(options or [])
    target = grpc_target(endpoint)
    if not ca_file:
        return grpc.aio.insecure_channel(target, options=options)
    if "," in endpoint:
        options += tls.server_name_options(tls.SERVER_NAME)
    return grpc.aio.secure_channel(target, tls.channel_credentials(tls.read_bundle(ca_file)), options=options)


def build_request(cls: type[Message], request: Request, fields: dict[str, Any]) -> Message:
    """A request message from a message, an ECS-shaped dict and/or keyword fields."""
    if isinstance(request, Message):
        if fields:
            extra = jsonmsg.parse(fields, cls)
            merged = cls()
            merged.CopyFrom(request)
            merged.MergeFrom(extra)
            return merged
        return request
    data = dict(request or {})
    data.update({k: _plain(v) for k, v in fields.items()})
    try:
        return jsonmsg.parse(data, cls)
    except InvalidArgument as e:
        raise ApiError("INVALID_ARGUMENT", e.message, "InvalidParameterException", e.violations) from None


def _plain(value: Any) -> Any:
    """Keyword values may be messages or repeated fields taken from earlier responses."""
    if isinstance(value, Message):
        return jsonmsg.to_dict(value)
    if isinstance(value, (str, bytes, dict, int, float)):
        return value
    try:
        return [_plain(v) for v in iter(value)]
    except TypeError:
        return value


def api_error(e: grpc.RpcError) -> ApiError:
    """Decode a gRPC error into an ApiError, reading the rich status details berth sends."""
    code = e.code().name if hasattr(e, "code") else "UNKNOWN"
    message = e.details() if hasattr(e, "details") else str(e)
    error = ApiError(code=code, message=message or code)
    status = rpc_status.from_call(e) if hasattr(e, "trailing_metadata") else None
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            error.ecs_type = info.reason
            error.request_id = info.metadata.get("requestId", "")
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            error.violations = [FieldViolation(v.field, v.description) for v in bad.field_violations]
    return error
