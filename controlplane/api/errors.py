"""The one table from berth's error tree to gRPC status codes, and the rich status we send."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from berth import errors
from berth.errors import clip

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

# gRPC refuses response metadata over 8 KiB (the client's default), and the status message and its
# details travel as metadata, percent- and base64-encoded. An error that quotes a huge value must
# still arrive, so what goes on the wire is clipped to these budgets (in UTF-8 bytes).
MAX_MESSAGE_BYTES = 600
MAX_VIOLATION_BYTES = 300
MAX_DETAILS_BYTES = 3000


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
        details.append(_pack(_bad_request(error.violations)))
    return status_pb2.Status(
        code=code.value[0], message=clip(error.message, MAX_MESSAGE_BYTES), details=details
    )


def _bad_request(violations: list[errors.FieldViolation]) -> error_details_pb2.BadRequest:
    """The violations that fit in the details budget, the rest counted in a last entry."""
    bad = error_details_pb2.BadRequest()
    for n, v in enumerate(violations):
        entry = error_details_pb2.BadRequest.FieldViolation(
            field=clip(v.field, MAX_VIOLATION_BYTES // 2),
            description=clip(v.description, MAX_VIOLATION_BYTES),
        )
        if bad.ByteSize() + entry.ByteSize() > MAX_DETAILS_BYTES - 100:
            bad.field_violations.add(description=f"(and {len(violations) - n} more)")
            break
        bad.field_violations.append(entry)
    return bad


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
