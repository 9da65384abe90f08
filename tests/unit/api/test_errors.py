"""The wire form of errors: bounded whatever the request quoted, and undecodable requests refused."""

from __future__ import annotations

from google.rpc import error_details_pb2

from berth import errors
from berth.v1 import ecs_messages_pb2
from controlplane.api.errors import MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, to_status
from controlplane.api.grpc_server import Undecodable, request_decoder


def _bad_request(status: object) -> error_details_pb2.BadRequest:
    bad = error_details_pb2.BadRequest()
    for detail in status.details:  # type: ignore[attr-defined]
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            detail.Unpack(bad)
    return bad


def test_a_huge_value_in_an_error_is_clipped_to_fit_grpc_metadata() -> None:
    violations = [errors.FieldViolation(f"tags[{i}].value", "名" * 5000) for i in range(500)]
    status = to_status(errors.InvalidArgument(violations), "req-1")
    assert len(status.message.encode()) <= MAX_MESSAGE_BYTES
    bad = _bad_request(status)
    assert sum(v.ByteSize() for v in bad.field_violations) <= MAX_DETAILS_BYTES
    assert bad.field_violations[0].field == "tags[0].value"
    assert bad.field_violations[-1].description.startswith("(and ")
    assert status.ByteSize() < 8192 // 2  # percent/base64 encoding stays under gRPC's 8 KiB


def test_clip_keeps_utf8_whole() -> None:
    assert errors.clip("short", 10) == "short"
    clipped = errors.clip("ü" * 100, 11)
    assert clipped.endswith("...") and len(clipped.encode()) <= 11
    assert errors.shown("x" * 100, 10) == repr("x" * 7 + "...")


def test_the_decoder_refuses_what_is_not_a_message_naming_its_type() -> None:
    decode = request_decoder(ecs_messages_pb2.CreateClusterRequest, limit=100)
    assert decode(b"\x0a\x03abc") == ecs_messages_pb2.CreateClusterRequest(cluster_name="abc")
    refused = decode(b"\x0a\x02\xff\xfe")
    assert isinstance(refused, Undecodable)
    assert "not a valid berth.v1.CreateClusterRequest" in refused.error.message
    too_big = decode(b"\x0a\x7f" + b"a" * 127)
    assert isinstance(too_big, Undecodable)
    assert "at most 100 bytes" in too_big.error.message
