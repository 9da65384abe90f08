"""botocore's ECS service model as the reference for what the JSON endpoint sends.

`violations(shape, value)` walks a JSON value next to a botocore shape and lists every place where
they disagree: unknown structure members, wrong JSON types, enum values ECS does not have,
timestamps that are not epoch-second numbers. `check_response` applies it to one HTTP response of
the gateway: a success body against the operation's output shape, an error body against the AWS
error shape, and the request id header on both.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.session import get_session

# AWS-wide errors that are not in the ECS model but that every AWS JSON service may answer.
COMMON_ERRORS = frozenset(
    {
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "UnrecognizedClientException",
        "ThrottlingException",
        "SerializationException",
        "UnknownOperationException",
        "UnsupportedMediaTypeException",
        "RequestEntityTooLargeException",
    }
)


@cache
def ecs_model() -> ServiceModel:
    return get_session().get_service_model("ecs")


def error_types() -> frozenset[str]:
    model = ecs_model()
    return (
        frozenset(n for n in model.shape_names if model.shape_for(n).metadata.get("exception"))
        | COMMON_ERRORS
    )


def violations(shape: Shape, value: Any, path: str = "$") -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if not isinstance(value, dict):
            return [f"{path}: expected an object ({shape.name}), got {type(value).__name__}"]
        out = []
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                out.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                out.extend(violations(member, item, f"{path}.{key}"))
        return out
    if kind == "list":
        assert isinstance(shape, ListShape)
        if not isinstance(value, list):
            return [f"{path}: expected an array, got {type(value).__name__}"]
        return [v for i, item in enumerate(value) for v in violations(shape.member, item, f"{path}[{i}]")]
    if kind == "map":
        assert isinstance(shape, MapShape)
        if not isinstance(value, dict):
            return [f"{path}: expected an object (map), got {type(value).__name__}"]
        return [
            v
            for key, item in value.items()
            for v in violations(shape.key, key, f"{path}<key>")
            + violations(shape.value, item, f"{path}[{key!r}]")
        ]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        enum = shape.enum
        if enum and value not in enum:
            return [f"{path}: {value!r} is not one of {shape.name} {sorted(enum)}"]
        return []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected true or false, got {value!r}"]
    if kind in ("double", "float", "timestamp"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        what = "epoch seconds (a number)" if kind == "timestamp" else "a number"
        return [] if ok else [f"{path}: expected {what}, got {value!r}"]
    if kind == "blob":
        return [] if isinstance(value, str) else [f"{path}: expected base64 text, got {value!r}"]
    return [f"{path}: shape type {kind} is not handled by this validator"]


def check_response(operation: OperationModel | None, status: int, headers: Any, body: bytes) -> None:
    """Assert that one gateway response conforms (AssertionError listing every violation if not)."""
    request_id = headers.get("x-amzn-RequestId") or headers.get("x-amzn-requestid")
    assert request_id, f"no x-amzn-RequestId header (status {status})"
    value = json.loads(body) if body else {}
    if status == 200:
        assert operation is not None
        shape = operation.output_shape
        problems = (
            violations(shape, value) if shape is not None else ([] if value == {} else ["$: no output"])
        )
        assert not problems, f"{operation.name} response does not conform to the ECS model:\n" + "\n".join(
            problems
        )
        return
    assert isinstance(value, dict) and set(value) == {"__type", "message"}, (
        f"not an AWS error body: {value!r}"
    )
    assert isinstance(value["message"], str) and value["message"], value
    assert value["__type"] in error_types(), f"{value['__type']} is neither an ECS nor a common AWS error"
    assert (status == 500) == (value["__type"] == "ServerException"), (status, value)
