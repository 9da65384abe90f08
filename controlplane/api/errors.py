"""The one table from berth's error tree to gRPC status codes, and the rich status we send."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from berth import errors

GRPC_CODES: dict[type[errors.BerthError], grpc.StatusCode] = {
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Conflict: grpc.StatusCode.ABORTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Throttled: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
}

ERROR_DOMAIN = "berth.dev"


def grpc_code(error: errors.BerthError) -> grpc.StatusCode:
    for cls in type(error).__mro__:
        code = GRPC_CODES.get(cls)  # type: ignore[call-overload]
        if code is not None:
            return code
    return grpc.StatusCode.INTERNAL


def to_status(error: errors.BerthError, request_id: str) -> status_pb2.Status:
    """A google.rpc.Status with ErrorInfo (the ECS exception name) and BadRequest field paths."""
    code = grpc_code(error)
    info = error_details_pb2.ErrorInfo(
        reason=error.ecs_type, domain=ERROR_DOMAIN, metadata={"requestId": request_id}
    )
    details = [_pack(info)]
    if isinstance(error, errors.InvalidArgument):
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in error.violations
            ]
        )
        details.append(_pack(bad))
    return status_pb2.Status(code=code.value[0], message=error.message, details=details)


def internal_status(request_id: str) -> status_pb2.Status:
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"internal error; the control plane log has the details under requestId {request_id}",
        details=[
            _pack(
                error_details_pb2.ErrorInfo(
                    reason="ServerException", domain=ERROR_DOMAIN, metadata={"requestId": request_id}
                )
            )
        ],
    )


def _pack(message: error_details_pb2.ErrorInfo | error_details_pb2.BadRequest) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed
