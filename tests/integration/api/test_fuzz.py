"""Fuzzing every RPC of every service, and the ECS JSON endpoint, with structured and raw bad input.

A control plane of its own (controllers off, so nothing writes to its keyspace but the calls we
make) gets random requests built from the proto descriptors (tests/support/fuzz.py). Every answer
must be a proper status: no UNKNOWN/INTERNAL, no 5xx, an INVALID_ARGUMENT names its field, a call
that fails leaves the keyspace as it was, and the server keeps serving. This is the short run;
`make fuzz` runs the same generators for 10,000+ requests.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import grpc
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from berth import Client
from berth.v1 import agent_pb2, ecs_messages_pb2
from tests.support import fuzz
from tests.support.controlplane import InProcessControlPlane

pytestmark = pytest.mark.etcd

FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
METHODS = list(fuzz.every_method())
IDS = [f"{service.split('.')[-1]}.{m.name}" for service, m in METHODS]


@dataclass
class Target:
    cp: InProcessControlPlane
    admin: str
    join: str
    agent: str
    instance_arn: str
    known: list[str]
    http: str
    region: str
    access_key_id: str
    secret_access_key: str

    def fingerprint(self) -> tuple[int, int]:
        """(keys under the prefix, their highest mod revision): any write or delete changes it."""
        store = self.cp.cp.store
        return self.cp.run(store.count("")), self.cp.run(store.last_modified(""))[0]


@pytest.fixture(scope="module")
def target(etcd_endpoint: str) -> Iterator[Target]:
    cp = InProcessControlPlane((etcd_endpoint,), controllers=False).start()
    cfg = json.loads(cp.config_path.read_text())
    join = (cp.data_dir / "join-token").read_text().strip()
    with Client(config_path=cp.config_path) as c:
        c.create_cluster(clusterName="fuzz")
        c.register_task_definition(
            {
                "family": "fuzzweb",
                "containerDefinitions": [{"name": "web", "image": "berth/busybox", "memory": 32}],
            }
        )
    instance = _register(cp.endpoint, join)
    known = ["fuzz", "fuzzweb", "fuzzweb:1", "web", instance.container_instance.container_instance_arn]
    yield Target(
        cp,
        cfg["token"],
        join,
        instance.agent_token,
        instance.container_instance.container_instance_arn,
        known,
        cp.http,
        cfg["region"],
        cfg["accessKeyId"],
        cfg["secretAccessKey"],
    )
    cp.stop()


def _register(endpoint: str, join: str) -> ecs_messages_pb2.RegisterContainerInstanceResponse:
    request = ecs_messages_pb2.RegisterContainerInstanceRequest(cluster="fuzz", name="fuzzhost")
    for name, value in (("CPU", 2048), ("MEMORY", 4096)):
        request.total_resources.add(name=name, type="INTEGER", integer_value=value)
    with grpc.insecure_channel(endpoint) as channel:
        call = channel.unary_unary(
            "/berth.v1.Agent/RegisterContainerInstance",
            request_serializer=ecs_messages_pb2.RegisterContainerInstanceRequest.SerializeToString,
            response_deserializer=ecs_messages_pb2.RegisterContainerInstanceResponse.FromString,
        )
        response: ecs_messages_pb2.RegisterContainerInstanceResponse = call(
            request, metadata=(("authorization", f"Bearer {join}"),), timeout=10
        )
        return response


def _fuzzer(target: Target, service: str, method: Any) -> fuzz.GrpcFuzzer:
    token = target.admin
    if service == "berth.v1.Agent":
        token = target.join if method.name == "RegisterContainerInstance" else target.agent
    return fuzz.GrpcFuzzer(target.cp.endpoint, {service: token}, probe=target.fingerprint)


def _examples(method: Any) -> int:
    return 8 if method.server_streaming else 25


def _bodies(target: Target, method: Any) -> st.SearchStrategy[list[bytes]]:
    strategies = fuzz.MessageStrategies(target.known)
    valid = strategies.message(method.input_type)
    one = st.one_of(valid.map(lambda m: m.SerializeToString()), fuzz.garbage(valid))
    if not method.client_streaming:
        return one.map(lambda b: [b])
    hello = agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=target.instance_arn))
    start = st.sampled_from([[], [hello.SerializeToString()]])
    return st.builds(lambda s, rest: s + rest, start, st.lists(one, max_size=6))


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_every_rpc_answers_bad_input_with_a_proper_status(target: Target, service: str, method: Any) -> None:
    fuzzer = _fuzzer(target, service, method)

    @settings(FUZZ, max_examples=_examples(method))
    @given(bodies=_bodies(target, method))
    def run(bodies: list[bytes]) -> None:
        fuzzer.send(service, method, bodies)

    try:
        run()
        assert not fuzzer.problems, "\n".join(fuzzer.problems[:20])
        # Still serving, and the session's own agent token still works.
        with Client(target.cp.endpoint, target.admin) as c:
            assert c.describe_clusters(clusters=["fuzz"]).clusters[0].cluster_name == "fuzz"
    finally:
        fuzzer.close()


@pytest.mark.parametrize(
    "body",
    [b"", b"\x0a\x02\xff\xfe", b"\x0a\x7f", fuzz._nested(5_000)],
    ids=["empty", "bad-utf8", "overrun", "deep"],
)
def test_undecodable_bytes_are_invalid_argument_naming_the_message(target: Target, body: bytes) -> None:
    fuzzer = fuzz.GrpcFuzzer(target.cp.endpoint, {"berth.v1.ECS": target.admin})
    method = next(m for s, m in METHODS if m.name == "CreateCluster")
    try:
        outcome = fuzzer.unary("berth.v1.ECS", method, body)
    finally:
        fuzzer.close()
    if body == b"":  # an empty body is a valid empty message
        assert outcome.code == grpc.StatusCode.OK
        return
    assert outcome.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid berth.v1.CreateClusterRequest" in outcome.message


def test_a_request_over_the_size_limit_says_so(target: Target) -> None:
    from controlplane.api.grpc_server import MAX_REQUEST_BYTES

    fuzzer = fuzz.GrpcFuzzer(target.cp.endpoint, {"berth.v1.ECS": target.admin})
    method = next(m for s, m in METHODS if m.name == "CreateCluster")
    request = ecs_messages_pb2.CreateClusterRequest(cluster_name="x" * (MAX_REQUEST_BYTES + 10))
    try:
        outcome = fuzzer.unary("berth.v1.ECS", method, request.SerializeToString())
    finally:
        fuzzer.close()
    assert outcome.code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"at most {MAX_REQUEST_BYTES} bytes" in outcome.message


# -- the ECS JSON endpoint ------------------------------------------------------------------------

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
JSON_11 = "application/x-amz-json-1.1"
ECS_METHODS = [m for s, m in METHODS if s == "berth.v1.ECS"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | fuzz.strings(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=20,
)


def _post(target: Target, body: bytes, headers: dict[str, str], signing: str) -> tuple[int, bytes]:
    request = AWSRequest(method="POST", url=target.http + "/", data=body, headers=headers)
    if signing != "none":
        secret = target.secret_access_key if signing != "wrong-secret" else "x" * 40
        SigV4Auth(Credentials(target.access_key_id, secret), "ecs", target.region).add_auth(request)
    sent = body[: len(body) // 2] if signing == "tampered" else body
    url = urlsplit(target.http)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=20)
    try:
        conn.request("POST", "/", body=sent, headers=dict(request.headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@st.composite
def ecs_json_requests(draw: st.DrawFn, known: list[str]) -> tuple[bytes, dict[str, str], str]:
    method = draw(st.sampled_from(ECS_METHODS))
    shape = draw(st.sampled_from(["message", "json", "bytes", "truncated"]))
    message = draw(fuzz.MessageStrategies(known).message(method.input_type))
    valid = json.dumps(json_format.MessageToDict(message)).encode()
    body = {
        "message": valid,
        "json": json.dumps(draw(json_values)).encode(),
        "bytes": draw(st.binary(max_size=300)),
        "truncated": valid[: max(1, len(valid) // 2)],
    }[shape]
    target_header = draw(
        st.sampled_from(
            [
                TARGET_PREFIX + method.name,
                TARGET_PREFIX + method.name,
                "",
                "Nope.ListClusters",
                TARGET_PREFIX + "Nope",
            ]
        )
    )
    content_type = draw(st.sampled_from([JSON_11, JSON_11, "application/json", "text/plain", ""]))
    headers = {"X-Amz-Target": target_header, "Content-Type": content_type}
    signing = draw(st.sampled_from(["good", "good", "good", "none", "wrong-secret", "tampered"]))
    return body, headers, signing


def test_the_ecs_json_endpoint_answers_bad_input_with_4xx(target: Target) -> None:
    problems: list[str] = []
    statuses: dict[int, int] = {}

    @settings(FUZZ, max_examples=100)
    @given(case=ecs_json_requests(target.known))
    def run(case: tuple[bytes, dict[str, str], str]) -> None:
        body, headers, signing = case
        before = target.fingerprint()
        status, reply = _post(target, body, headers, signing)
        statuses[status] = statuses.get(status, 0) + 1
        where = f"{headers} {signing} {body[:120]!r}"
        if status >= 500:
            problems.append(f"{status} for {where}: {reply[:300]!r}")
        elif status != 200:
            error = json.loads(reply)
            if not error.get("__type") or not error.get("message"):
                problems.append(f"error without __type/message for {where}: {reply[:300]!r}")
            if target.fingerprint() != before:
                problems.append(f"{status} changed the keyspace for {where}")

    run()
    assert not problems, "\n".join(problems[:20])
    assert statuses.get(200), statuses  # some requests were valid enough to succeed
