"""The AWS JSON 1.1 wire protocol of ECS, as pure functions on plain values.

    POST /    X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>
              Content-Type: application/x-amz-json-1.1
              body: the ECS request as JSON       ->  200, the ECS response as JSON
                                                  ->  4xx/500, {"__type": "<Exception>", "message": "..."}

This module decides what a request asks for (`operation_name`, `check_content_type`, `decode_body`),
how an error looks on the wire (`error_status`, `error_body`) and how a response message becomes
ECS JSON (`ecs_json`: berth extension fields, numbered from 1000, are dropped so that an ECS client
sees only ECS members; the response's own lists are always sent, empty or not, as ECS does).
The aiohttp handler in `gateway.endpoint` does the I/O around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from berth import errors
from berth.errors import clip

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113"
CONTENT_TYPE = "application/x-amz-json-1.1"
REQUEST_ID_HEADER = "x-amzn-RequestId"
MAX_BODY_BYTES = 1024 * 1024  # ECS's largest request, a task definition, is limited to 64 KiB
EXTENSION_FIELD_MIN = 1000  # berth-only fields carry numbers >= 1000 (see proto/berth/v1)


class ProtocolError(Exception):
    """A request the gateway refuses before it reaches the API: bad framing, not a bad value."""

    def __init__(self, ecs_type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.ecs_type = ecs_type
        self.message = message
        self.status = status


def operation_name(target: str | None, known: Iterable[str]) -> str:
    """The ECS operation an X-Amz-Target names; UnknownOperationException as AWS answers otherwise."""
    if not target:
        raise ProtocolError(
            "UnknownOperationException",
            f"the request has no X-Amz-Target header naming the operation ({TARGET_PREFIX}.<Operation>)",
        )
    prefix, _, name = target.partition(".")
    if prefix != TARGET_PREFIX or name not in known:
        raise ProtocolError("UnknownOperationException", f"unknown operation {target!r}")
    return name


def check_content_type(value: str | None) -> None:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    if media_type != CONTENT_TYPE:
        raise ProtocolError(
            "UnsupportedMediaTypeException",
            f"Content-Type must be {CONTENT_TYPE}, not {value or 'absent'!r}",
            status=415,
        )


def too_large(size: int | None = None) -> ProtocolError:
    what = f"{size} bytes" if size is not None else "the request body"
    return ProtocolError(
        "RequestEntityTooLargeException", f"{what} exceeds the limit of {MAX_BODY_BYTES} bytes", status=413
    )


def decode_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body (an empty body is `{}`); SerializationException if not one."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProtocolError("SerializationException", f"the request body is not valid JSON: {e}") from None
    except RecursionError:
        raise ProtocolError("SerializationException", "the request body nests JSON too deeply") from None
    if not isinstance(value, dict):
        raise ProtocolError(
            "SerializationException", f"the request body must be a JSON object, not {type(value).__name__}"
        )
    return value


def error_status(error: errors.BerthError) -> int:
    """HTTP status of an API error. AWS JSON services answer every client error, authentication and
    throttling included, with 400, and their own failures (ServerException) with 500."""
    return 500 if error.ecs_type == "ServerException" else 400


MAX_ERROR_MESSAGE_BYTES = 2048  # an error quoting a huge value quotes its start


def error_body(ecs_type: str, message: str) -> bytes:
    body = {"__type": ecs_type, "message": clip(message, MAX_ERROR_MESSAGE_BYTES)}
    return json.dumps(body, separators=(",", ":")).encode()


def internal_error_message(request_id: str) -> str:
    return f"internal error; the control plane log has the details under requestId {request_id}"


def ecs_json(message: Message) -> bytes:
    """The response body: the message as ECS JSON without berth extension fields."""
    if _has_extensions(message.DESCRIPTOR):
        stripped = type(message)()
        stripped.CopyFrom(message)
        _strip_extensions(stripped)
        message = stripped
    # int64 fields print as numbers (ECS "Long" shapes are numbers), not as JSON strings.
    value = json_format.MessageToDict(message, unquote_int64_if_possible=True)
    for name in _result_lists(message.DESCRIPTOR):
        value.setdefault(name, [])
    return json.dumps(value, separators=(",", ":")).encode()


@cache
def _result_lists(descriptor: Descriptor) -> tuple[str, ...]:
    """JSON names of the list members of a response. ECS always sends these, empty or not
    (`{"clusterArns": []}`), and code written against ECS indexes them without a check."""
    return tuple(
        f.json_name
        for f in descriptor.fields
        if f.is_repeated
        and not (f.message_type is not None and f.message_type.GetOptions().map_entry)
        and f.number < EXTENSION_FIELD_MIN
    )


@cache
def _has_extensions(descriptor: Descriptor) -> bool:
    """Whether messages of this type can hold a berth extension field, directly or nested."""
    return _reaches_extension(descriptor, set())


def _reaches_extension(descriptor: Descriptor, seen: set[str]) -> bool:
    if descriptor.full_name in seen:
        return False
    seen.add(descriptor.full_name)
    for field in descriptor.fields:
        if field.number >= EXTENSION_FIELD_MIN:
            return True
        if field.message_type is not None and _reaches_extension(field.message_type, seen):
            return True
    return False


def _strip_extensions(message: Message) -> None:
    for field, value in message.ListFields():
        if field.number >= EXTENSION_FIELD_MIN:
            message.ClearField(field.name)
            continue
        sub = field.message_type
        if sub is None or not _has_extensions(sub):
            continue
        if sub.GetOptions().map_entry:
            value_field = sub.fields_by_name["value"]
            if value_field.message_type is not None:
                for item in value.values():
                    _strip_extensions(item)
        elif field.is_repeated:
            for item in value:
                _strip_extensions(item)
        else:
            _strip_extensions(value)
