"""The AWS JSON 1.1 framing and the ECS JSON of responses, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from berth import errors
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.gateway import protocol

KNOWN = {"CreateCluster", "ListClusters"}


def test_operation_name_from_target() -> None:
    assert protocol.operation_name("AmazonEC2ContainerServiceV20141113.ListClusters", KNOWN) == "ListClusters"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "ListClusters",
        "AmazonEC2ContainerServiceV20141113.Frobnicate",
        "DynamoDB_20120810.ListClusters",
        "AmazonEC2ContainerServiceV20141113.",
    ],
)
def test_unknown_or_missing_targets(target: str | None) -> None:
    with pytest.raises(protocol.ProtocolError) as e:
        protocol.operation_name(target, KNOWN)
    assert (e.value.status, e.value.ecs_type) == (400, "UnknownOperationException")


@pytest.mark.parametrize("value", ["application/x-amz-json-1.1", "application/X-Amz-Json-1.1; charset=utf-8"])
def test_content_type_accepted(value: str) -> None:
    protocol.check_content_type(value)


@pytest.mark.parametrize("value", [None, "", "application/json", "application/x-amz-json-1.0", "text/plain"])
def test_content_type_refused(value: str | None) -> None:
    with pytest.raises(protocol.ProtocolError) as e:
        protocol.check_content_type(value)
    assert e.value.status == 415


@pytest.mark.parametrize(("body", "expected"), [(b"", {}), (b"  ", {}), (b'{"a": [1]}', {"a": [1]})])
def test_decode_body(body: bytes, expected: dict[str, Any]) -> None:
    assert protocol.decode_body(body) == expected


@pytest.mark.parametrize(
    "body", [b"{", b"[1, 2]", b'"x"', b"\xff\xfe", b"null", b"[" * 100_000, b'{"a":' * 50_000]
)
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(protocol.ProtocolError) as e:
        protocol.decode_body(body)
    assert (e.value.status, e.value.ecs_type) == (400, "SerializationException")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.NotFound("x", ecs_type="ClusterNotFoundException"), 400),
        (errors.InvalidArgument.field("a.b", "bad"), 400),
        (errors.Unauthenticated("x", ecs_type="InvalidSignatureException"), 400),
        (errors.PermissionDenied("x"), 400),
        (errors.Throttled("x"), 400),
        (errors.Unavailable("etcd"), 500),
    ],
)
def test_error_status(error: errors.BerthError, status: int) -> None:
    assert protocol.error_status(error) == status


def test_error_body_is_aws_shaped() -> None:
    assert json.loads(protocol.error_body("ClientException", "m")) == {
        "__type": "ClientException",
        "message": "m",
    }


def test_ecs_json_of_a_response() -> None:
    resp = ecs.ListClustersResponse(cluster_arns=["arn:a"], next_token="t")
    assert json.loads(protocol.ecs_json(resp)) == {"clusterArns": ["arn:a"], "nextToken": "t"}


def test_the_lists_of_a_response_are_sent_even_when_empty() -> None:
    assert json.loads(protocol.ecs_json(ecs.ListClustersResponse())) == {"clusterArns": []}
    assert json.loads(protocol.ecs_json(ecs.DescribeClustersResponse())) == {"clusters": [], "failures": []}


def _extended_types() -> tuple[type[Message], type[Message]]:
    """Outer{inner: Inner, items: [Inner], byKey: map<string, Inner>, berthOnly (1000)} with Inner{name,
    count: int64, berthNote (1001)}: messages shaped like berth's, with extension fields."""
    file = descriptor_pb2.FileDescriptorProto(name="ext_test.proto", package="ext", syntax="proto3")
    label, opt = descriptor_pb2.FieldDescriptorProto, descriptor_pb2.FieldDescriptorProto
    inner = file.message_type.add(name="Inner")
    inner.field.add(name="name", number=1, type=opt.TYPE_STRING, label=label.LABEL_OPTIONAL, json_name="name")
    inner.field.add(
        name="count", number=2, type=opt.TYPE_INT64, label=label.LABEL_OPTIONAL, json_name="count"
    )
    inner.field.add(
        name="berth_note",
        number=1001,
        type=opt.TYPE_STRING,
        label=label.LABEL_OPTIONAL,
        json_name="berthNote",
    )
    outer = file.message_type.add(name="Outer")
    entry = outer.nested_type.add(name="ByKeyEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=opt.TYPE_STRING, label=label.LABEL_OPTIONAL, json_name="key")
    entry.field.add(
        name="value",
        number=2,
        type=opt.TYPE_MESSAGE,
        type_name=".ext.Inner",
        label=label.LABEL_OPTIONAL,
        json_name="value",
    )
    outer.field.add(
        name="inner",
        number=1,
        type=opt.TYPE_MESSAGE,
        type_name=".ext.Inner",
        label=label.LABEL_OPTIONAL,
        json_name="inner",
    )
    outer.field.add(
        name="items",
        number=2,
        type=opt.TYPE_MESSAGE,
        type_name=".ext.Inner",
        label=label.LABEL_REPEATED,
        json_name="items",
    )
    outer.field.add(
        name="by_key",
        number=3,
        type=opt.TYPE_MESSAGE,
        type_name=".ext.Outer.ByKeyEntry",
        label=label.LABEL_REPEATED,
        json_name="byKey",
    )
    outer.field.add(
        name="berth_only",
        number=1000,
        type=opt.TYPE_STRING,
        label=label.LABEL_OPTIONAL,
        json_name="berthOnly",
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return (
        message_factory.GetMessageClass(pool.FindMessageTypeByName("ext.Outer")),
        message_factory.GetMessageClass(pool.FindMessageTypeByName("ext.Inner")),
    )


def test_ecs_json_drops_berth_extension_fields_at_any_depth() -> None:
    outer_cls, _ = _extended_types()
    message: Any = outer_cls()
    message.berth_only = "x"
    message.inner.name, message.inner.count, message.inner.berth_note = "a", 2**40, "n"
    message.items.add(name="b", berth_note="n")
    message.by_key["k"].name = "c"
    message.by_key["k"].berth_note = "n"
    assert json.loads(protocol.ecs_json(message)) == {
        "inner": {"name": "a", "count": 2**40},
        "items": [{"name": "b"}],
        "byKey": {"k": {"name": "c"}},
    }
    assert message.berth_only == "x" and message.inner.berth_note == "n", "the original is left alone"
