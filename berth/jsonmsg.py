"""ECS JSON <-> berth protobuf messages.

The messages in `berth.v1` are shaped so that an ECS JSON document parses straight into them with
protobuf's JSON mapping and prints back unchanged. This module adds what json_format lacks: an
error that names the offending field path (`containerDefinitions[1].cpu`) instead of a nested
message, so the CLI, the client and the ECS JSON endpoint can all say exactly what is wrong.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from berth.errors import FieldViolation, InvalidArgument

M = TypeVar("M", bound=Message)

_PREFIX = re.compile(r"^(Failed to parse \S+ field: )+")


def parse(value: Any, cls: type[M], path: str = "") -> M:
    """Parse an ECS-shaped dict into a message of `cls`; InvalidArgument naming the field if not."""
    if not isinstance(value, dict):
        raise InvalidArgument.field(path, f"must be a JSON object, not {type(value).__name__}")
    try:
        return json_format.ParseDict(value, cls())
    except json_format.ParseError as e:
        raise InvalidArgument([locate_error(value, cls.DESCRIPTOR, path, str(e))]) from None  # type: ignore[arg-type]


def to_dict(message: Message) -> dict[str, Any]:
    """The ECS JSON form of a message (lowerCamelCase names, unset fields left out)."""
    return json_format.MessageToDict(message)


def locate_error(value: dict[str, Any], descriptor: Descriptor, path: str, fallback: str) -> FieldViolation:
    """Find the first field of `value` that json_format refuses, by parsing one field at a time."""
    cls = message_factory.GetMessageClass(descriptor)
    by_name = {f.json_name: f for f in descriptor.fields} | {f.name: f for f in descriptor.fields}
    for key, item in value.items():
        try:
            json_format.ParseDict({key: item}, cls())
            continue
        except json_format.ParseError as e:
            error = str(e)
        field_path = f"{path}.{key}" if path else key
        fd = by_name.get(key)
        if fd is None:
            known = ", ".join(sorted(f.json_name for f in descriptor.fields))
            return FieldViolation(field_path, f"unknown field {key!r}; known fields: {known}")
        inner = _locate_in_field(fd, item, field_path)
        if inner is not None:
            return inner
        return FieldViolation(field_path, _describe(fd, item, error))
    return FieldViolation(path, _clean(fallback))


def _locate_in_field(fd: FieldDescriptor, item: Any, path: str) -> FieldViolation | None:
    sub = fd.message_type
    if sub is None or sub.GetOptions().map_entry:
        if fd.is_repeated and sub is None and isinstance(item, list):
            return _locate_scalar_in_list(fd, item, path)
        return None
    if fd.is_repeated:
        if not isinstance(item, list):
            return FieldViolation(path, f"must be a JSON array, not {type(item).__name__}")
        for i, element in enumerate(item):
            if not isinstance(element, dict):
                return FieldViolation(f"{path}[{i}]", f"must be a JSON object, not {type(element).__name__}")
            found = _try(element, sub, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if isinstance(item, dict):
        return _try(item, sub, path)
    return FieldViolation(path, f"must be a JSON object, not {type(item).__name__}")


def _locate_scalar_in_list(fd: FieldDescriptor, items: list[Any], path: str) -> FieldViolation | None:
    assert fd.containing_type is not None
    cls = message_factory.GetMessageClass(fd.containing_type)
    for i, element in enumerate(items):
        try:
            json_format.ParseDict({fd.json_name: [element]}, cls())
        except json_format.ParseError as e:
            return FieldViolation(f"{path}[{i}]", _describe(fd, element, str(e), element=True))
    return None


def _try(value: dict[str, Any], descriptor: Descriptor, path: str) -> FieldViolation | None:
    cls = message_factory.GetMessageClass(descriptor)
    try:
        json_format.ParseDict(value, cls())
        return None
    except json_format.ParseError as e:
        return locate_error(value, descriptor, path, str(e))


_KINDS = {
    FieldDescriptor.TYPE_STRING: "a string",
    FieldDescriptor.TYPE_INT32: "an integer",
    FieldDescriptor.TYPE_INT64: "an integer",
    FieldDescriptor.TYPE_BOOL: "true or false",
    FieldDescriptor.TYPE_DOUBLE: "a number",
}


def _describe(fd: FieldDescriptor, value: Any, error: str, *, element: bool = False) -> str:
    if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
        if not isinstance(value, dict):
            return f"must be a JSON object, not {type(value).__name__}"
        return "values must be strings"
    if fd.is_repeated and not element and not isinstance(value, list):
        return f"must be a JSON array, not {type(value).__name__}"
    kind = _KINDS.get(fd.type)
    if kind is None:
        return _clean(error)
    return f"expected {kind}, got {value!r}"


def _clean(error: str) -> str:
    error = _PREFIX.sub("", error.strip()).rstrip(".")
    return error.split("\n")[0] or "invalid value"
