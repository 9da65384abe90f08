"""The AWS CLI (awscli from PyPI) with the profile `berth configure-aws --write` made: the same ECS
calls give the same results as the berth CLI.

`same_result` lists commands that are read-only and spelled the same for both CLIs (`aws ecs X ...`
and `berth X ...`); each is run through both and the JSON outputs must be equal. Commands of later
issues (run-task, describe-tasks) are added as further entries.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from berth import jsonmsg
from berth.v1.ecs_messages_pb2 import DescribeTasksResponse
from controlplane.gateway.protocol import ecs_json

pytestmark = pytest.mark.etcd

PROFILE = "berth"


def start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def result(proc: subprocess.Popen[str]) -> Any:
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, f"{' '.join(map(str, proc.args[:6]))} ...: {stderr}"  # type: ignore[index]
    return json.loads(stdout) if stdout.strip() else None


def berth_cli(cp: Any, *args: str) -> subprocess.Popen[str]:
    return start([sys.executable, "-m", "berth.cli", "--config", str(cp.config_path), *args])


@pytest.fixture(scope="module")
def aws_env(controlplane: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A HOME of its own, with the AWS files written by `berth configure-aws --write`."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_PAGER": "",
    }
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text("[profile other]\nregion = eu-west-1\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "berth.cli",
            "--config",
            str(controlplane.config_path),
            "configure-aws",
            "--write",
            "--profile",
            PROFILE,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    for name in ("config", "credentials"):
        path = home / ".aws" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} holds a secret"
    assert "[profile other]" in (home / ".aws" / "config").read_text(), "other profiles are kept"
    return env


def aws(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return start(
        [sys.executable, "-m", "awscli", "--profile", PROFILE, "--output", "json", "ecs", *args], env
    )


def same_form(response: Any) -> Any:
    """The JSON endpoint always sends a response's lists, as ECS does; the berth CLI leaves out the
    empty ones. Equal results either way."""
    return {k: v for k, v in response.items() if v != []} if isinstance(response, dict) else response


def test_configure_aws_prints_a_profile(controlplane: Any) -> None:
    cfg = json.loads(controlplane.config_path.read_text())
    out = subprocess.run(
        [sys.executable, "-m", "berth.cli", "--config", str(controlplane.config_path), "configure-aws"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    for expected in (
        "[berth]",
        "[profile berth]",
        cfg["accessKeyId"],
        cfg["secretAccessKey"],
        f"endpoint_url = {cfg['httpEndpoint']}",
        f"region = {cfg['region']}",
    ):
        assert expected in out.stdout


def test_aws_cli_and_berth_cli_agree(
    controlplane: Any, aws_env: dict[str, str], webapp_td: dict[str, Any], unique: str, tmp_path: Path
) -> None:
    family = f"awscli-{unique}"
    td_file = tmp_path / "td.json"
    td_file.write_text(json.dumps(webapp_td | {"family": family}))

    registered = result(aws(aws_env, "register-task-definition", "--cli-input-json", f"file://{td_file}"))
    assert registered["taskDefinition"]["revision"] == 1
    by_berth = berth_cli(controlplane, "register-task-definition", "--cli-input-json", f"file://{td_file}")
    described = berth_cli(controlplane, "describe-task-definition", "--task-definition", f"{family}:1")
    assert result(described) == {"taskDefinition": registered["taskDefinition"]}
    by_berth_td = result(by_berth)
    assert by_berth_td["taskDefinition"]["revision"] == 2
    assert same_form(
        result(aws(aws_env, "describe-task-definition", "--task-definition", f"{family}:2"))
    ) == {"taskDefinition": by_berth_td["taskDefinition"]}

    same_result = [
        ["list-task-definitions", "--family-prefix", family],
        ["list-task-definition-families", "--family-prefix", family],
        # with issue #3: ["describe-tasks", "--cluster", cluster, "--tasks", task_arn], ["list-tasks", ...]
    ]
    running = [
        (command, aws(aws_env, *command), berth_cli(controlplane, *command)) for command in same_result
    ]
    outputs = {}
    for command, by_aws, by_berth in running:
        outputs[command[0]] = result(by_berth)
        assert same_form(result(by_aws)) == outputs[command[0]], command
    arns = outputs["list-task-definitions"]["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[1] for a in arns] == ["1", "2"]


def test_aws_cli_reports_berth_errors(aws_env: dict[str, str], unique: str) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "--profile",
            PROFILE,
            "ecs",
            "delete-cluster",
            "--cluster",
            f"nowhere-{unique}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=aws_env,
    )
    assert out.returncode == 255  # AWS CLI v1's status for a service error
    assert "ClusterNotFoundException" in out.stderr and f"nowhere-{unique}" in out.stderr


def test_run_task_and_describe_tasks_agree(
    controlplane: Any, aws_env: dict[str, str], client: Any, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    td = client.register_task_definition(
        {
            "family": f"awscli-run-{unique}",
            "containerDefinitions": [
                {"name": "app", "image": "berth/busybox:latest", "memory": 16, "command": ["sleep", "3600"]}
            ],
        }
    )
    run = result(aws(aws_env, "run-task", "--cluster", cluster, "--task-definition", f"awscli-run-{unique}"))
    arn = run["tasks"][0]["taskArn"]
    assert run["tasks"][0]["taskDefinitionArn"] == td.task_definition.task_definition_arn
    result(aws(aws_env, "wait", "tasks-running", "--cluster", cluster, "--tasks", arn))
    describe = ["describe-tasks", "--cluster", cluster, "--tasks", arn]
    by_berth = json.loads(
        ecs_json(jsonmsg.parse(result(berth_cli(controlplane, *describe)), DescribeTasksResponse))
    )
    assert result(aws(aws_env, *describe)) == by_berth  # the same task, less berth's extension fields
    listing = ["list-tasks", "--cluster", cluster]
    assert same_form(result(aws(aws_env, *listing))) == result(berth_cli(controlplane, *listing))
    stopped = result(aws(aws_env, "stop-task", "--cluster", cluster, "--task", arn))
    assert stopped["task"]["desiredStatus"] == "STOPPED"
