"""Fuzzing every RPC of every service, and the ECS JSON endpoint, with structured and raw bad input.

A control plane of its own (controllers off, so nothing writes to its keyspace but the calls we
make) gets random requests built from the proto descriptors (tests/support/fuzz.py). Every answer
must be a proper status: no UNKNOWN/INTERNAL, no 5xx, an INVALID_ARGUMENT names its field, a call
that fails leaves the keyspace as it was, and the server keeps serving. This is the short run;
`make fuzz` runs the same generators for 10,000+ requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings

from berth import Client
from berth.v1 import ecs_messages_pb2
from controlplane.api.grpc_server import MAX_REQUEST_BYTES
from tests.support import fuzz
from tests.support.controlplane import InProcessControlPlane

pytestmark = pytest.mark.etcd

FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
METHODS = list(fuzz.every_method())
IDS = [f"{service.split('.')[-1]}.{m.name}" for service, m in METHODS]
CREATE_CLUSTER = next(m for _, m in METHODS if m.name == "CreateCluster")


@pytest.fixture(scope="module")
def target(etcd_endpoint: str) -> Iterator[fuzz.Target]:
    # The audit trail writes for every mutating call by design, refused ones too (it has tests of
    # its own, tests/integration/audit): off here, so that "a failed call writes nothing" holds.
    cp = InProcessControlPlane((etcd_endpoint,), controllers=False, audit_events=False).start()
    target = fuzz.prepare(cp.endpoint, cp.http, cp.data_dir, cp.ca_file)
    store = cp.cp.store
    # (keys under the prefix, their highest mod revision): any write or delete changes it.
    target.probe = lambda: (cp.run(store.count("")), cp.run(store.last_modified(""))[0])
    yield target
    cp.stop()


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_every_rpc_answers_bad_input_with_a_proper_status(
    target: fuzz.Target, service: str, method: Any
) -> None:
    fuzzer = target.fuzzer(service, method)

    @settings(FUZZ, max_examples=8 if method.server_streaming else 40)
    @given(bodies=fuzz.request_bodies(method, target))
    def run(bodies: list[bytes]) -> None:
        fuzzer.send(service, method, bodies)

    try:
        run()
        assert not fuzzer.problems, "\n".join(fuzzer.problems[:20])
        with Client(target.endpoint, target.admin, ca_file=target.ca_file) as c:  # still serving
            assert c.describe_clusters(clusters=["fuzz"]).clusters[0].cluster_name == "fuzz"
    finally:
        fuzzer.close()


@pytest.mark.parametrize(
    "body",
    [b"\x0a\x02\xff\xfe", b"\x0a\x7f", fuzz._nested(5_000)],
    ids=["bad-utf8", "overrun", "deep"],
)
def test_undecodable_bytes_are_invalid_argument_naming_the_message(target: fuzz.Target, body: bytes) -> None:
    fuzzer = target.fuzzer("berth.v1.ECS", CREATE_CLUSTER)
    try:
        outcome = fuzzer.unary("berth.v1.ECS", CREATE_CLUSTER, body)
    finally:
        fuzzer.close()
    assert outcome.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid berth.v1.CreateClusterRequest" in outcome.message


def test_a_request_over_the_size_limit_says_so(target: fuzz.Target) -> None:
    fuzzer = target.fuzzer("berth.v1.ECS", CREATE_CLUSTER)
    request = ecs_messages_pb2.CreateClusterRequest(cluster_name="x" * (MAX_REQUEST_BYTES + 10))
    try:
        outcome = fuzzer.unary("berth.v1.ECS", CREATE_CLUSTER, request.SerializeToString())
    finally:
        fuzzer.close()
    assert outcome.code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"at most {MAX_REQUEST_BYTES} bytes" in outcome.message


def test_the_ecs_json_endpoint_answers_bad_input_with_4xx(target: fuzz.Target) -> None:
    fuzzer = fuzz.JsonFuzzer(target)

    @settings(FUZZ, max_examples=300)
    @given(case=fuzz.json_cases(target.known))
    def run(case: fuzz.JsonCase) -> None:
        fuzzer.send(case)

    run()
    assert not fuzzer.problems, "\n".join(fuzzer.problems[:20])
    assert fuzzer.statuses.get(200), fuzzer.statuses  # some requests were valid enough to succeed
