"""SigV4 on the JSON endpoint: refused requests get the AWS error shapes and change nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from controlplane import metrics
from tests.integration.gateway.conftest import AwsTarget, ecs_client

pytestmark = pytest.mark.etcd


@contextmanager
def clock_off_by(minutes: float) -> Iterator[None]:
    """botocore signs as if its clock were `minutes` off."""
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    with mock.patch("botocore.auth.get_current_datetime", return_value=skewed):
        yield


CASES: dict[str, tuple[dict[str, Any], Any, str, str]] = {
    # name: (client overrides, context, ECS exception name, words in the message)
    "wrong-secret": (
        {"aws_secret_access_key": "not-the-secret"},
        nullcontext,
        "InvalidSignatureException",
        "signature",
    ),
    "unknown-key": (
        {"aws_access_key_id": "BKIA0000000000000000"},
        nullcontext,
        "UnrecognizedClientException",
        "BKIA0000000000000000",
    ),
    "replayed-6-min-later": ({}, lambda: clock_off_by(-6), "InvalidSignatureException", "Signature expired"),
    "date-6-min-ahead": ({}, lambda: clock_off_by(6), "InvalidSignatureException", "not yet current"),
    "other-region": ({"region_name": "eu-west-1"}, nullcontext, "InvalidSignatureException", "region"),
    "unsigned": (
        {"config": Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})},
        nullcontext,
        "MissingAuthenticationTokenException",
        "Signature",
    ),
}


def ok_calls(method: str) -> float:
    return sum(
        s.value
        for m in metrics.API_REQUESTS.collect()
        for s in m.samples
        if s.name.endswith("_total") and s.labels["method"] == method and s.labels["code"] == "OK"
    )


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_request_changes_nothing(aws_target: AwsTarget, ecs: Any, unique: str, case: str) -> None:
    overrides, context, ecs_type, words = CASES[case]
    refused = ecs_client(aws_target, **overrides)
    name = f"gw-refused-{case}-{unique}"
    before = ok_calls("CreateCluster")
    with context(), pytest.raises(ClientError) as e:
        refused.create_cluster(clusterName=name, tags=[{"key": "k", "value": "v"}])
    response = e.value.response
    assert response["Error"]["Code"] == ecs_type
    assert words in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]
    assert ok_calls("CreateCluster") == before, "the handler ran"
    assert ecs.describe_clusters(clusters=[name])["failures"][0]["reason"] == "MISSING"
    assert not any(a.endswith(f"/{name}") for a in ecs.list_clusters()["clusterArns"])


def test_a_small_clock_difference_is_accepted(aws_target: AwsTarget, unique: str) -> None:
    with clock_off_by(-4):
        arns = ecs_client(aws_target).list_clusters()["clusterArns"]
    assert isinstance(arns, list)
