"""Random requests for every RPC, generated from the proto descriptors, and the checks on the answers.

The strategies walk a method's request descriptor, so an RPC or a field added to proto/ is fuzzed
with no change here: strings (empty, huge, unicode, NUL, ARN-shaped, names the fuzzer created),
integers at their bounds, NaN and infinities, unknown enum numbers, nested messages, maps, and
lists of up to 10,000 elements; `garbage` makes byte strings that are not valid messages (random
bytes, truncated messages, invalid UTF-8, nesting deeper than protobuf allows).

`GrpcFuzzer` sends them over a real channel as raw bytes and `check_status` states what any answer
must satisfy: never UNKNOWN/INTERNAL/DATA_LOSS, and an INVALID_ARGUMENT that names the offending
field (or, for a request that is not a message at all, the message type expected). Used by
tests/integration/api/test_fuzz.py (short) and bench/fuzz_bench.py (`make fuzz`, long).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import strategies as st

from berth.v1 import agent_pb2, berth_pb2, ecs_pb2

SERVICES = (
    ecs_pb2.DESCRIPTOR.services_by_name["ECS"],
    berth_pb2.DESCRIPTOR.services_by_name["Berth"],
    agent_pb2.DESCRIPTOR.services_by_name["Agent"],
)

# Codes that mean "the server did not cope", whatever the request.
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.DATA_LOSS}

_BIG_LIST = 10_000
_MAX_DEPTH = 5

NAMES_SEEN = [
    "",
    " ",
    "default",
    "\x00",
    "a\x00b",
    "ü名🚀",
    "\u202e\ufeff",
    "*",
    "%s%n%x",
    "../../etc/passwd",
    "-1",
    "0",
    "RUNNING",
    "STOPPED",
    "ACTIVE",
    "DRAINING",
    "bridge",
    "awsvpc",
    "host",
    "none",
    "FARGATE",
    "EC2",
    "REPLICA",
    "DAEMON",
    "berth/busybox",
    "arn:berth:ecs:local:000000000000:cluster/default",
    "arn:berth:ecs:local:000000000000:task/default/0123456789abcdef0123456789abcdef",
    "arn:berth:ecs:local:000000000000:task-definition/web:1",
    "arn:berth:ecs:local:000000000000:service/default/web",
    "arn:berth:ecs:local:000000000000:container-instance/default/x",
    "arn:aws:ecs:us-east-1:123456789012:task/other/abc",
    "arn:berth:ecs:local:000000000000:",
    "arn:::::",
    "web:1",
    "web:0",
    "web:-1",
    "web:99999999999999999999",
    "attribute:ecs.os-type == linux",
    "not(",
    "task:group == service:web and",
]


def _big_string() -> st.SearchStrategy[str]:
    return st.builds(lambda c, n: c * n, st.sampled_from(["a", "ü", "\x00", "名"]), st.integers(256, 70_000))


def strings(known: Sequence[str] = ()) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([*NAMES_SEEN, *known]),
        st.text(max_size=40),
        st.text(max_size=300),
        _big_string(),
    )


_INT_BOUNDS = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_FAMOUS_INTS = (0, 1, -1, 2, 6, 10, 100, 128, 256, 512, 1024, 65535, 65536, 10_000)


def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    famous = [n for n in (*_FAMOUS_INTS, lo, hi, lo + 1, hi - 1) if lo <= n <= hi]
    return st.one_of(st.sampled_from(famous), st.integers(lo, hi))


def scalar(fd: FieldDescriptor, known: Sequence[str]) -> st.SearchStrategy[Any]:
    t = fd.type
    if t == FieldDescriptor.TYPE_STRING:
        return strings(known)
    if t == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=300)
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        width = 32 if t == FieldDescriptor.TYPE_FLOAT else 64
        return st.one_of(
            st.sampled_from([0.0, -1.0, math.nan, math.inf, -math.inf, 1e300 if width == 64 else 3e38]),
            st.floats(width=width),
        )
    if t == FieldDescriptor.TYPE_ENUM:
        numbers = [v.number for v in list(fd.enum_type.values)]
        return st.one_of(st.sampled_from(numbers), st.integers(-(2**31), 2**31 - 1))
    lo, hi = _INT_BOUNDS[t]
    return _integers(lo, hi)


@dataclass
class MessageStrategies:
    """Hypothesis strategies for any message type; `known` strings (names of objects that exist)
    are mixed into every string so that requests also reach code past the NOT_FOUND checks."""

    known: list[str] = field(default_factory=list)

    def message(self, descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
        return st.deferred(lambda: self._message(descriptor, depth))

    def _message(self, descriptor: Descriptor, depth: int) -> st.SearchStrategy[Message]:
        cls = message_factory.GetMessageClass(descriptor)
        if depth >= _MAX_DEPTH or not descriptor.fields:
            return st.builds(cls)
        chosen = st.lists(st.sampled_from(list(descriptor.fields)), unique_by=lambda f: f.number, max_size=8)

        @st.composite
        def build(draw: st.DrawFn) -> Message:
            msg = cls()
            for fd in draw(chosen):
                self._set(draw, msg, fd, depth)
            return msg

        return build()

    def _set(self, draw: st.DrawFn, msg: Message, fd: FieldDescriptor, depth: int) -> None:
        target = getattr(msg, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            key_fd, value_fd = fd.message_type.fields_by_name["key"], fd.message_type.fields_by_name["value"]
            for key in draw(st.lists(scalar(key_fd, self.known), max_size=5)):
                if value_fd.message_type is not None:
                    target[key].CopyFrom(draw(self.message(value_fd.message_type, depth + 1)))
                else:
                    target[key] = draw(scalar(value_fd, self.known))
            return
        element = self.message(fd.message_type, depth + 1) if fd.message_type else scalar(fd, self.known)
        if fd.is_repeated:
            values = draw(self._list(element, depth))
            if fd.message_type is not None:
                for value in values:
                    target.add().CopyFrom(value)
            else:
                target.extend(values)
        elif fd.message_type is not None:
            target.CopyFrom(draw(element))
        else:
            setattr(msg, fd.name, draw(element))

    @staticmethod
    def _list(element: st.SearchStrategy[Any], depth: int) -> st.SearchStrategy[list[Any]]:
        small = st.lists(element, max_size=4)
        if depth > 1:
            return small
        # One drawn element repeated: a 10,000-element list without drawing 10,000 values.
        return st.one_of(small, small, st.builds(lambda x: [x] * _BIG_LIST, element))


def _nested(depth: int) -> bytes:
    """A length-delimited field nested `depth` times: deeper than protobuf's recursion limit."""
    data = b""
    for _ in range(depth):
        data = b"\x0a" + _varint(len(data)) + data
    return data


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def garbage(valid: st.SearchStrategy[Message]) -> st.SearchStrategy[bytes]:
    """Byte strings that mostly do not decode as the request message."""
    truncated = st.builds(
        lambda m, cut: m.SerializeToString()[:-cut] if m.ByteSize() > cut else b"\xff",
        valid,
        st.integers(1, 4),
    )
    return st.one_of(
        st.binary(min_size=1, max_size=200),
        truncated,
        st.sampled_from(
            [
                b"\x0a\x02\xff\xfe",  # field 1, a string of invalid UTF-8
                b"\x0a\x7f",  # a length that runs past the end
                b"\x08",  # a varint with no bytes
                b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # an 11-byte varint
                b"\x07",  # wire type 7 does not exist
                b"\x00\x00",  # field number 0
                b"\x0b\x0c",  # an end-group with no start
                _nested(200),
                _nested(5_000),
            ]
        ),
    )


def method_path(service: str, method: MethodDescriptor) -> str:
    return f"/{service}/{method.name}"


def every_method() -> Iterator[tuple[str, MethodDescriptor]]:
    for service in SERVICES:
        for method in service.methods:
            yield service.full_name, method


@dataclass
class Outcome:
    code: grpc.StatusCode
    message: str = ""
    violations: list[tuple[str, str]] = field(default_factory=list)


def outcome_of(error: grpc.RpcError) -> Outcome:
    code = error.code()  # type: ignore[attr-defined]
    out = Outcome(code, error.details() or "")  # type: ignore[attr-defined]
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:  # details that disagree with the code: not a status berth sent
        return out
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.violations = [(v.field, v.description) for v in bad.field_violations]
    return out


def check_status(outcome: Outcome, request_type: str) -> str | None:
    """What is wrong with this answer to a fuzzed request, or None if it is acceptable."""
    if outcome.code in NEVER:
        return f"{outcome.code.name}: {outcome.message}"
    if outcome.code == grpc.StatusCode.RESOURCE_EXHAUSTED and not outcome.message:
        return "RESOURCE_EXHAUSTED with no message"
    if outcome.code != grpc.StatusCode.INVALID_ARGUMENT:
        return None
    if not outcome.message:
        return "INVALID_ARGUMENT with no message"
    if not outcome.violations:
        return f"INVALID_ARGUMENT without field violations: {outcome.message}"
    if request_type in outcome.message:  # the request as a whole: not a message, or too large
        return None
    # Every violation names its field, but for a limit on the whole request (stated in bytes) and
    # the count of violations left out when there are many.
    unnamed = [d for f, d in outcome.violations if not f and " bytes" not in d and not d.startswith("(and ")]
    if unnamed:
        return f"INVALID_ARGUMENT names no field: {unnamed[0]}"
    return None


Probe = Callable[[], object]


class GrpcFuzzer:
    """Sends raw request bytes to any method over one channel and checks each answer.

    `probe` returns a fingerprint of the control plane's keyspace; a unary call that fails must leave
    it unchanged (nothing partial written)."""

    def __init__(self, endpoint: str, tokens: dict[str, str], probe: Probe | None = None) -> None:
        self.channel = grpc.insecure_channel(
            endpoint, options=[("grpc.max_send_message_length", 256 * 1024 * 1024)]
        )
        self.tokens = tokens  # service full name -> bearer token
        self.probe = probe
        self.codes: dict[str, int] = {}
        self.problems: list[str] = []
        self.sent = 0

    def close(self) -> None:
        self.channel.close()

    def _metadata(self, service: str) -> tuple[tuple[str, str], ...]:
        token = self.tokens.get(service, "")
        return (("authorization", f"Bearer {token}"),) if token else ()

    def _record(self, where: str, request_type: str, outcome: Outcome) -> None:
        self.sent += 1
        self.codes[outcome.code.name] = self.codes.get(outcome.code.name, 0) + 1
        problem = check_status(outcome, request_type)
        if problem is not None:
            self.problems.append(f"{where}: {problem}")

    def unary(self, service: str, method: MethodDescriptor, body: bytes, timeout: float = 20) -> Outcome:
        before = self.probe() if self.probe else None
        call = self.channel.unary_unary(method_path(service, method))
        try:
            call(body, metadata=self._metadata(service), timeout=timeout)
            outcome = Outcome(grpc.StatusCode.OK)
        except grpc.RpcError as e:
            outcome = outcome_of(e)
        self._record(f"{service}/{method.name}", method.input_type.full_name, outcome)
        if self.probe and outcome.code != grpc.StatusCode.OK and self.probe() != before:
            self.problems.append(
                f"{service}/{method.name}: failed with {outcome.code.name} but changed the keyspace"
            )
        return outcome

    def server_stream(
        self, service: str, method: MethodDescriptor, body: bytes, timeout: float = 1.0
    ) -> Outcome:
        """Reads at most a few answers: a watch that is still open at the deadline is a success."""
        call = self.channel.unary_stream(method_path(service, method))
        return self._drain(service, method, call(body, metadata=self._metadata(service), timeout=timeout))

    def bidi(
        self, service: str, method: MethodDescriptor, bodies: Sequence[bytes], timeout: float = 3.0
    ) -> Outcome:
        call = self.channel.stream_stream(method_path(service, method))
        return self._drain(
            service, method, call(iter(bodies), metadata=self._metadata(service), timeout=timeout)
        )

    def _drain(self, service: str, method: MethodDescriptor, responses: Any) -> Outcome:
        try:
            for n, _ in enumerate(responses):
                if n >= 20:
                    responses.cancel()
                    break
            outcome = Outcome(grpc.StatusCode.OK)
        except grpc.RpcError as e:
            outcome = outcome_of(e)
            if outcome.code in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
                outcome = Outcome(grpc.StatusCode.OK)
        self._record(f"{service}/{method.name}", method.input_type.full_name, outcome)
        return outcome

    def send(self, service: str, method: MethodDescriptor, bodies: Sequence[bytes]) -> Outcome:
        """One call of `method` whatever its kind (a unary or server-streaming call takes bodies[0])."""
        if method.client_streaming:
            return self.bidi(service, method, bodies)
        if method.server_streaming:
            return self.server_stream(service, method, bodies[0])
        return self.unary(service, method, bodies[0])
