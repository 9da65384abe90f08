"""IAM users for tests: made through the API with one inline policy (or none) and one access key,
and deleted again afterwards (key, policy, user)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

# The least-privilege user the README gives Prometheus: scrape /metrics, read /sd/*, nothing else.
METRICS_READER = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["berth:GetMetrics", "berth:ListScrapeTargets"], "Resource": "*"}
    ],
}


@contextlib.contextmanager
def iam_user(client: Any, policy: dict[str, Any] | None, prefix: str = "u") -> Iterator[tuple[str, str]]:
    """(user name, bearer token `<accessKeyId>.<secret>`) of a new user with `policy` inline."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    client.iam("CreateUser", userName=name)
    key_id = ""
    try:
        if policy is not None:
            client.iam("PutUserPolicy", userName=name, policyName="p", policyDocument=json.dumps(policy))
        key = client.iam("CreateAccessKey", userName=name).access_key
        key_id = key.access_key_id
        yield name, f"{key.access_key_id}.{key.secret_access_key}"
    finally:
        if key_id:
            client.iam("DeleteAccessKey", userName=name, accessKeyId=key_id)
        if policy is not None:
            client.iam("DeleteUserPolicy", userName=name, policyName="p")
        client.iam("DeleteUser", userName=name)
