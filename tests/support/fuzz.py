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

import http.client
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import grpc
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import strategies as st

from berth import Client, tls
from berth.client import channel as user_channel
from berth.endpoints import grpc_target
from berth.v1 import (
    agent_pb2,
    autoscaling_pb2,
    berth_pb2,
    ecs_messages_pb2,
    ecs_pb2,
    elb_pb2,
    iam_pb2,
    secretsmanager_pb2,
    servicediscovery_pb2,
)
from tests.support.infra import tls_context

SERVICES = (
    ecs_pb2.DESCRIPTOR.services_by_name["ECS"],
    berth_pb2.DESCRIPTOR.services_by_name["Berth"],
    agent_pb2.DESCRIPTOR.services_by_name["Agent"],
    servicediscovery_pb2.DESCRIPTOR.services_by_name["ServiceDiscovery"],
    autoscaling_pb2.DESCRIPTOR.services_by_name["ApplicationAutoScaling"],
    iam_pb2.DESCRIPTOR.services_by_name["IAM"],
    secretsmanager_pb2.DESCRIPTOR.services_by_name["SecretsManager"],
    elb_pb2.DESCRIPTOR.services_by_name["ElasticLoadBalancing"],
    elb_pb2.DESCRIPTOR.services_by_name["LoadBalancerNode"],
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


def strings(known: Sequence[str] = (), lean: bool = False) -> st.SearchStrategy[str]:
    parts = [st.sampled_from([*NAMES_SEEN, *known]), st.text(max_size=40), st.text(max_size=300)]
    return st.one_of(*parts) if lean else st.one_of(*parts, _big_string())


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


def scalar(fd: FieldDescriptor, known: Sequence[str], lean: bool = False) -> st.SearchStrategy[Any]:
    t = fd.type
    if t == FieldDescriptor.TYPE_STRING:
        return strings(known, lean)
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

    def message(
        self, descriptor: Descriptor, depth: int = 0, lean: bool = False
    ) -> st.SearchStrategy[Message]:
        """A random `descriptor` message. A `lean` one has no huge strings and no huge lists: it is
        what a 10,000-element list repeats, so that the request stays within memory."""
        return st.deferred(lambda: self._message(descriptor, depth, lean))

    def _message(self, descriptor: Descriptor, depth: int, lean: bool) -> st.SearchStrategy[Message]:
        cls = message_factory.GetMessageClass(descriptor)
        if depth >= _MAX_DEPTH or not descriptor.fields:
            return st.builds(cls)
        chosen = st.lists(st.sampled_from(list(descriptor.fields)), unique_by=lambda f: f.number, max_size=8)
        lean = lean or depth >= 2

        @st.composite
        def build(draw: st.DrawFn) -> Message:
            msg = cls()
            for fd in draw(chosen):
                self._set(draw, msg, fd, depth, lean)
            return msg

        return build()

    def _element(self, fd: FieldDescriptor, depth: int, lean: bool) -> st.SearchStrategy[Any]:
        if fd.message_type is not None:
            return self.message(fd.message_type, depth + 1, lean)
        return scalar(fd, self.known, lean)

    def _set(self, draw: st.DrawFn, msg: Message, fd: FieldDescriptor, depth: int, lean: bool) -> None:
        target = getattr(msg, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            key_fd, value_fd = fd.message_type.fields_by_name["key"], fd.message_type.fields_by_name["value"]
            for key in draw(st.lists(scalar(key_fd, self.known, lean), max_size=5)):
                value = draw(self._element(value_fd, depth, lean))
                if value_fd.message_type is not None:
                    target[key].CopyFrom(value)
                else:
                    target[key] = value
            return
        element = self._element(fd, depth, lean)
        if not fd.is_repeated:
            if fd.message_type is not None:
                target.CopyFrom(draw(element))
            else:
                setattr(msg, fd.name, draw(element))
            return
        values = st.lists(element, max_size=4)
        if not lean:
            # One lean element repeated: a 10,000-element list without drawing 10,000 values.
            repeated = st.builds(lambda x: [x] * _BIG_LIST, self._element(fd, depth, lean=True))
            values = st.one_of(values, values, repeated)
        drawn = draw(values)
        if fd.message_type is not None:
            for value in drawn:
                target.add().CopyFrom(value)
        else:
            target.extend(drawn)


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

    def __init__(self, channel: grpc.Channel, tokens: dict[str, str], probe: Probe | None = None) -> None:
        self.channel = channel
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


# -- a control plane to fuzz -----------------------------------------------------------------------


@dataclass
class Target:
    """What the fuzzer needs of a control plane: where it is, its credentials, and names of objects
    that exist (a cluster, a task definition, a registered container instance with its agent token)."""

    endpoint: str
    http: str
    admin: str
    join: str
    agent: str  # the agent's bearer token (insecure clusters; "" with a certificate)
    instance_arn: str
    known: list[str]
    region: str
    access_key_id: str
    secret_access_key: str
    ca_file: str = ""  # the control plane's CA bundle ("": plaintext)
    agent_credentials: tuple[list[str], bytes, bytes, bytes] | None = None  # endpoints, CA, key, cert
    probe: Probe | None = None

    def token(self, service: str, method: MethodDescriptor) -> str:
        if service != "berth.v1.Agent":
            return self.admin
        return self.join if method.name == "RegisterContainerInstance" else self.agent

    def channel(self, service: str, method: MethodDescriptor) -> grpc.Channel:
        """Where a call goes: the agent port with the agent's certificate for its own Agent
        RPCs on a TLS cluster, else the gRPC port."""
        options = [("grpc.max_send_message_length", 256 * 1024 * 1024)]
        if (
            service == "berth.v1.Agent"
            and method.name != "RegisterContainerInstance"
            and self.agent_credentials is not None
        ):
            endpoints, ca, key, cert = self.agent_credentials
            return grpc.secure_channel(
                grpc_target(",".join(endpoints)),
                tls.channel_credentials(ca, key, cert),
                options=options + tls.server_name_options(tls.SERVER_NAME),
            )
        if not self.ca_file:
            return grpc.insecure_channel(self.endpoint, options=options)
        return grpc.secure_channel(
            grpc_target(self.endpoint),
            tls.channel_credentials(tls.read_bundle(self.ca_file)),
            options=options,
        )

    def fuzzer(self, service: str, method: MethodDescriptor) -> GrpcFuzzer:
        return GrpcFuzzer(
            self.channel(service, method), {service: self.token(service, method)}, probe=self.probe
        )


def prepare(endpoint: str, http: str, data_dir: Path, ca_file: Path | None = None) -> Target:
    """Create the objects the fuzzer aims at in a fresh control plane (its data dir holds the
    admin config and the join token) and register one container instance."""
    cfg = json.loads((data_dir / "config").read_text())
    join = (data_dir / "join-token").read_text().strip()
    with Client(endpoint, cfg["token"], ca_file=ca_file or "") as c:
        c.create_cluster(clusterName="fuzz")
        c.register_task_definition(
            {
                "family": "fuzzweb",
                "containerDefinitions": [{"name": "web", "image": "berth/busybox", "memory": 32}],
            }
        )
        lb = c.elb("CreateLoadBalancer", name="fuzzlb").load_balancers[0].load_balancer_arn
        tg = (
            c.elb("CreateTargetGroup", name="fuzztg", protocol="HTTP", port=80)
            .target_groups[0]
            .target_group_arn
        )
        forward = [{"type": "forward", "targetGroupArn": tg}]
        listener = c.elb("CreateListener", loadBalancerArn=lb, port=80, defaultActions=forward).listeners[0]
    request = ecs_messages_pb2.RegisterContainerInstanceRequest(cluster="fuzz", name="fuzzhost")
    for name, value in (("CPU", 2048), ("MEMORY", 4096)):
        request.total_resources.add(name=name, type="INTEGER", integer_value=value)
    key = b""
    if ca_file:
        key = tls.new_private_key()
        request.csr_pem = tls.new_csr(key, "fuzzhost").decode()
    join = tls.split_join_token(join)[0]
    with user_channel(endpoint, str(ca_file or "")) as channel:
        call = channel.unary_unary(
            "/berth.v1.Agent/RegisterContainerInstance",
            request_serializer=ecs_messages_pb2.RegisterContainerInstanceRequest.SerializeToString,
            response_deserializer=ecs_messages_pb2.RegisterContainerInstanceResponse.FromString,
        )
        registered = call(request, metadata=(("authorization", f"Bearer {join}"),), timeout=10)
    instance_arn = registered.container_instance.container_instance_arn
    cert = registered.certificate
    agent_credentials = (
        (list(cert.agent_endpoints), cert.ca_bundle_pem.encode(), key, cert.certificate_pem.encode())
        if ca_file
        else None
    )
    return Target(
        endpoint,
        http,
        cfg["token"],
        join,
        registered.agent_token,
        instance_arn,
        [
            "fuzz",
            "fuzzweb",
            "fuzzweb:1",
            "web",
            instance_arn,
            "ecs",
            "ecs:service:DesiredCount",
            "service/fuzz/web",
            "fuzzlb",
            lb,
            tg,
            listener.listener_arn,
            "deregistration_delay.timeout_seconds",
        ],
        cfg["region"],
        cfg["accessKeyId"],
        cfg["secretAccessKey"],
        ca_file=str(ca_file or ""),
        agent_credentials=agent_credentials,
    )


def request_bodies(method: MethodDescriptor, target: Target) -> st.SearchStrategy[list[bytes]]:
    """The bodies of one call: one message (or garbage) for a unary or server-streaming RPC; for a
    bidirectional one, a few (on the agent session, sometimes after a proper Hello so that the
    session gets past it)."""
    valid = MessageStrategies(target.known).message(method.input_type)
    one = st.one_of(valid.map(lambda m: m.SerializeToString()), garbage(valid))
    if not method.client_streaming:
        return one.map(lambda b: [b])
    start: st.SearchStrategy[list[bytes]] = st.just([])
    if method.input_type.full_name == agent_pb2.AgentMessage.DESCRIPTOR.full_name:
        hello = agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=target.instance_arn))
        start = st.sampled_from([[], [hello.SerializeToString()]])
    return st.builds(lambda s, rest: s + rest, start, st.lists(one, max_size=6))


# -- the ECS JSON endpoint ---------------------------------------------------------------------------

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
JSON_11 = "application/x-amz-json-1.1"
ECS_METHODS = list(SERVICES[0].methods)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | strings(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=20,
)


@dataclass(frozen=True)
class JsonCase:
    body: bytes
    headers: dict[str, str]
    signing: str  # good | none | wrong-secret | tampered (signed, then half the body sent)

    def __str__(self) -> str:
        return f"{self.headers} signing={self.signing} body={self.body[:120]!r}"


@st.composite
def json_cases(draw: st.DrawFn, known: list[str]) -> JsonCase:
    """An ECS JSON request, mostly well framed and signed, with a body that is a random request
    message as JSON, random JSON, random bytes, or a truncated request."""
    method = draw(st.sampled_from(ECS_METHODS))
    shape = draw(st.sampled_from(["message", "json", "bytes", "truncated", "deep"]))
    valid = json.dumps(json_format.MessageToDict(draw(MessageStrategies(known).message(method.input_type))))
    body = {
        "message": valid.encode(),
        "json": json.dumps(draw(json_values)).encode(),
        "bytes": draw(st.binary(max_size=300)),
        "truncated": valid[: max(1, len(valid) // 2)].encode(),
        "deep": draw(st.sampled_from([b"[", b'{"a":', b'{"clusterName":[']))
        * draw(st.integers(900, 100_000)),
    }[shape]
    operation = TARGET_PREFIX + method.name
    target = draw(st.sampled_from([operation, operation, "", "Nope.ListClusters", TARGET_PREFIX + "Nope"]))
    content_type = draw(st.sampled_from([JSON_11, JSON_11, "application/json", "text/plain", ""]))
    signing = draw(st.sampled_from(["good", "good", "good", "none", "wrong-secret", "tampered"]))
    return JsonCase(body, {"X-Amz-Target": target, "Content-Type": content_type}, signing)


def post_json(target: Target, case: JsonCase) -> tuple[int, bytes]:
    request = AWSRequest(method="POST", url=target.http + "/", data=case.body, headers=case.headers)
    if case.signing != "none":
        secret = target.secret_access_key if case.signing != "wrong-secret" else "x" * 40
        SigV4Auth(Credentials(target.access_key_id, secret), "ecs", target.region).add_auth(request)
    sent = case.body[: len(case.body) // 2] if case.signing == "tampered" else case.body
    url = urlsplit(target.http)
    conn = (
        http.client.HTTPSConnection(
            url.hostname or "127.0.0.1", url.port, timeout=20, context=tls_context(target.ca_file)
        )
        if url.scheme == "https"
        else http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=20)
    )
    try:
        conn.request("POST", "/", body=sent, headers=dict(request.headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class JsonFuzzer:
    """Sends JSON cases and checks: no 5xx, every error has an ECS `__type` and a message, and a
    refused request leaves the keyspace as it was."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.statuses: dict[int, int] = {}
        self.problems: list[str] = []

    def send(self, case: JsonCase) -> int:
        probe = self.target.probe
        before = probe() if probe else None
        status, reply = post_json(self.target, case)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.problems.append(f"{status} for {case}: {reply[:300]!r}")
        elif status != 200:
            error = json.loads(reply)
            if not error.get("__type") or not error.get("message"):
                self.problems.append(f"error without __type/message for {case}: {reply[:300]!r}")
            if probe and probe() != before:
                self.problems.append(f"{status} changed the keyspace for {case}")
        return status
