"""Requests that are not well-formed ECS calls get a clean 4xx with an AWS error body, never reach
the API call chain, and leave the server serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from controlplane import metrics
from tests.integration.gateway.conftest import AwsTarget, connection
from tests.support.ecs_model import check_response

pytestmark = pytest.mark.etcd

TARGET = "AmazonEC2ContainerServiceV20141113."
JSON_11 = "application/x-amz-json-1.1"


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    @property
    def error(self) -> dict[str, str]:
        return json.loads(self.body)  # type: ignore[no-any-return]


def send(
    target: AwsTarget, body: bytes, headers: dict[str, str], *, sign: bool = True, chunked: bool = False
) -> Reply:
    """POST / with `headers`, signed by botocore with the admin key (so only the framing is wrong)."""
    request = AWSRequest(method="POST", url=target.endpoint + "/", data=body, headers=headers)
    if sign:
        SigV4Auth(Credentials(target.access_key_id, target.secret_access_key), "ecs", target.region).add_auth(
            request
        )
    conn = connection(target, timeout=10)
    try:
        if chunked:
            pieces: Iterator[bytes] = (body[i : i + 65536] for i in range(0, len(body), 65536))
            conn.request("POST", "/", body=pieces, headers=dict(request.headers), encode_chunked=True)
        else:
            conn.request("POST", "/", body=body, headers=dict(request.headers))
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def api_calls() -> float:
    return sum(
        s.value for m in metrics.API_REQUESTS.collect() for s in m.samples if s.name.endswith("_total")
    )


def headers(operation: str = "ListClusters", content_type: str = JSON_11) -> dict[str, str]:
    return {"X-Amz-Target": TARGET + operation, "Content-Type": content_type}


BIG = json.dumps({"clusterName": "x" * (2 * 1024 * 1024)}).encode()

CASES = {
    # name: (body, headers, send options, status, ECS exception name)
    "malformed-json": (b'{"clusterName": "a",', headers("CreateCluster"), {}, 400, "SerializationException"),
    "not-an-object": (b'["a"]', headers("CreateCluster"), {}, 400, "SerializationException"),
    "unknown-field": (b'{"clusterNom": "a"}', headers("CreateCluster"), {}, 400, "InvalidParameterException"),
    "wrong-type": (b'{"maxResults": "many"}', headers(), {}, 400, "InvalidParameterException"),
    "wrong-content-type": (
        b"{}",
        headers(content_type="application/json"),
        {},
        415,
        "UnsupportedMediaTypeException",
    ),
    "no-content-type": (
        b"{}",
        {"X-Amz-Target": TARGET + "ListClusters"},
        {},
        415,
        "UnsupportedMediaTypeException",
    ),
    "unknown-target": (b"{}", headers("Frobnicate"), {}, 400, "UnknownOperationException"),
    "other-service-target": (
        b"{}",
        {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": JSON_11},
        {},
        400,
        "UnknownOperationException",
    ),
    "no-target": (b"{}", {"Content-Type": JSON_11}, {}, 400, "UnknownOperationException"),
    "oversize": (BIG, headers("CreateCluster"), {}, 413, "RequestEntityTooLargeException"),
    "oversize-chunked": (
        BIG,
        headers("CreateCluster"),
        {"chunked": True},
        413,
        "RequestEntityTooLargeException",
    ),
    "unsigned-garbage": (
        b"\xff\x00garbage",
        headers("CreateCluster"),
        {"sign": False},
        400,
        "MissingAuthenticationTokenException",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_request_gets_a_clean_aws_error(aws_target: AwsTarget, ecs: Any, case: str) -> None:
    body, request_headers, options, status, ecs_type = CASES[case]
    before = api_calls()
    reply = send(aws_target, body, request_headers, **options)
    assert (reply.status, reply.error["__type"]) == (status, ecs_type), reply.error
    check_response(None, reply.status, reply.headers, reply.body)
    if ecs_type != "MissingAuthenticationTokenException":  # a refused signature is counted by the chain
        assert api_calls() == before, "the request reached the API call chain"
    assert isinstance(ecs.list_clusters()["clusterArns"], list), "the server keeps serving"


def test_a_field_error_names_the_field(aws_target: AwsTarget) -> None:
    reply = send(aws_target, b'{"clusters": ["a"], "include": "TAGS"}', headers("DescribeClusters"))
    assert reply.status == 400 and "include" in reply.error["message"]


def test_an_empty_body_is_an_empty_request(aws_target: AwsTarget) -> None:
    reply = send(aws_target, b"", headers())
    assert reply.status == 200 and "clusterArns" in json.loads(reply.body)
