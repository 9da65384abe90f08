"""The `berth` CLI against a running control plane: aws-ecs-style commands, JSON and tables, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.etcd


def berth(cp: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berth.cli", "--config", str(cp.config_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_register_from_file_and_describe(
    controlplane: Any, webapp_td: dict[str, Any], unique: str, tmp_path: Path
) -> None:
    webapp_td["family"] = f"cli-{unique}"
    path = tmp_path / "td.json"
    path.write_text(json.dumps(webapp_td))
    out = berth(controlplane, "register-task-definition", "--cli-input-json", f"file://{path}")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["taskDefinition"]["revision"] == 1
    out = berth(controlplane, "describe-task-definition", "--task-definition", f"cli-{unique}:1")
    described = json.loads(out.stdout)["taskDefinition"]
    assert {k: described[k] for k in webapp_td} == webapp_td
    table = berth(
        controlplane, "--output", "table", "describe-task-definition", "--task-definition", f"cli-{unique}"
    )
    assert table.returncode == 0 and f"cli-{unique}" in table.stdout and "FIELD" in table.stdout


def test_structured_flags_take_json(controlplane: Any, unique: str) -> None:
    out = berth(
        controlplane,
        "create-cluster",
        "--cluster-name",
        f"cli-{unique}",
        "--tags",
        '[{"key":"k","value":"v"}]',
    )
    assert out.returncode == 0, out.stderr
    out = berth(controlplane, "describe-clusters", "--clusters", f"cli-{unique}", "--include", "TAGS")
    assert json.loads(out.stdout)["clusters"][0]["tags"] == [{"key": "k", "value": "v"}]
    table = berth(controlplane, "--output", "table", "list-clusters")
    assert f"cluster/cli-{unique}" in table.stdout


def test_error_is_one_line_naming_the_field(
    controlplane: Any, webapp_td: dict[str, Any], unique: str
) -> None:
    webapp_td["family"] = f"cli-bad-{unique}"
    webapp_td["containerDefinitions"][0]["memory"] = 1
    out = berth(controlplane, "register-task-definition", "--cli-input-json", json.dumps(webapp_td))
    assert out.returncode == 1
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "containerDefinitions[0].memory" in lines[0]
    out = berth(controlplane, "describe-clusters", "--clusters", "x", "--bogus")
    assert out.returncode == 2
    out = berth(controlplane, "register-task-definition", "--cli-input-json", '{"family": "x", "colour": 1}')
    assert out.returncode == 1 and "colour" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_global_options_after_the_command(controlplane: Any, client: Any, unique: str) -> None:
    client.create_cluster(clusterName=f"cli-late-{unique}")
    out = berth(controlplane, "services", "--cluster", f"cli-late-{unique}", "--output", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"services": []}
    out = berth(controlplane, "ps", "--cluster", f"cli-late-{unique}", "--output", "json")
    assert json.loads(out.stdout) == {"tasks": []}
    out = berth(controlplane, "list-clusters", "--output", "table")
    assert out.returncode == 0 and f"cluster/cli-late-{unique}" in out.stdout and "{" not in out.stdout
