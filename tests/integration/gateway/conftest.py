"""Fixtures for the ECS JSON endpoint tests: boto3 clients pointed at the session's control plane.

Every client made by `ecs_client` checks each HTTP response it gets against botocore's ECS model
(tests/support/ecs_model.py) before botocore parses it, and records which operations succeeded,
so a test cannot pass on a response that a stricter ECS client would reject.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from tests.support.ecs_model import check_response

ANSWERED: Counter[str] = Counter()  # operation name -> successful calls seen, for the whole session


@dataclass(frozen=True)
class AwsTarget:
    endpoint: str
    region: str
    access_key_id: str
    secret_access_key: str
    ca_bundle: str | bool = True  # the control plane's CA bundle, as boto3's verify=


@pytest.fixture(scope="session")
def aws_target(controlplane: Any) -> AwsTarget:
    cfg = json.loads(controlplane.config_path.read_text())
    return AwsTarget(
        controlplane.http,
        cfg["region"],
        cfg["accessKeyId"],
        cfg["secretAccessKey"],
        cfg.get("caFile") or True,
    )


def conformance_hook(http_response: Any, model: Any, **_: Any) -> None:
    check_response(model, http_response.status_code, http_response.headers, http_response.content)
    if http_response.status_code == 200:
        ANSWERED[model.name] += 1


def ecs_client(target: AwsTarget, **overrides: Any) -> Any:
    """A boto3 ECS client for `target` (overrides: any boto3.client keyword), checking conformance."""
    kwargs: dict[str, Any] = {
        "endpoint_url": target.endpoint,
        "region_name": target.region,
        "aws_access_key_id": target.access_key_id,
        "aws_secret_access_key": target.secret_access_key,
        "verify": target.ca_bundle,
        "config": Config(retries={"total_max_attempts": 1}),
    } | overrides
    client = boto3.session.Session().client("ecs", **kwargs)
    client.meta.events.register("after-call.ecs", conformance_hook)
    return client


@pytest.fixture(scope="session")
def ecs(aws_target: AwsTarget) -> Iterator[Any]:
    client = ecs_client(aws_target)
    yield client
    client.close()


def connection(target: AwsTarget, timeout: float = 10) -> http.client.HTTPConnection:
    """A raw HTTP(S) connection to the target's ECS JSON endpoint (verified with its CA bundle)."""
    url = urlsplit(target.endpoint)
    host, port = url.hostname or "127.0.0.1", url.port
    if url.scheme != "https":
        return http.client.HTTPConnection(host, port, timeout=timeout)
    cafile = target.ca_bundle if isinstance(target.ca_bundle, str) else None
    return http.client.HTTPSConnection(
        host, port, timeout=timeout, context=ssl.create_default_context(cafile=cafile)
    )
