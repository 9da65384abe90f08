"""Validation of secrets read as files (secrets[].name an absolute path) and of
repositoryCredentials: each bad definition names its field and value."""

from __future__ import annotations

from typing import Any

import pytest

from berth import jsonmsg
from berth.v1 import ecs_messages_pb2
from controlplane.validation.taskdef import validate_task_definition

ROLE = "arn:aws:iam::000000000000:role/app-execution"


def definition(secrets: list[dict[str, str]], **container: Any) -> dict[str, Any]:
    return {
        "family": "app",
        "executionRoleArn": ROLE,
        "volumes": [{"name": "data", "host": {"sourcePath": "/srv/data"}}],
        "containerDefinitions": [
            {
                "name": "app",
                "image": "busybox",
                "memory": 64,
                "secrets": secrets,
                "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
                "linuxParameters": {"tmpfs": [{"containerPath": "/scratch", "size": 8}]},
                **container,
            }
        ],
    }


def violations(doc: dict[str, Any]) -> dict[str, str]:
    req = jsonmsg.parse(doc, ecs_messages_pb2.RegisterTaskDefinitionRequest)
    return {v.field: v.description for v in validate_task_definition(req)}


def s(name: str, value_from: str = "db") -> dict[str, str]:
    return {"name": name, "valueFrom": value_from}


def test_files_and_variables_side_by_side_are_valid() -> None:
    doc = definition(
        [s("DB_PASSWORD"), s("/run/secrets/db-password"), s("/etc/app/api.key", "api"), s("/data2/x")],
        repositoryCredentials={"credentialsParameter": "registry"},
    )
    assert violations(doc) == {}


F1 = "containerDefinitions[0].secrets[1].name"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param("/run/secrets/../etc/passwd", "no '..'", id="dotdot"),
        pytest.param("/run/./secrets/x", "no '..', '.' or '//'", id="dot"),
        pytest.param("/run//secrets/x", "'//'", id="double-slash"),
        pytest.param("/run/secrets/", "not end with '/'", id="directory"),
        pytest.param("/", "not end with '/'", id="root"),
        pytest.param("/run/secrets/a\nb", "control characters", id="newline"),
        pytest.param("/" + "a" * 4096, "4,096", id="too-long"),
        pytest.param("/data", "collides with mountPoints[0].containerPath '/data'", id="on-a-volume"),
        pytest.param("/data/db-password", "collides with mountPoints[0].containerPath", id="in-a-volume"),
        pytest.param("/scratch/x", "linuxParameters.tmpfs[0].containerPath '/scratch'", id="in-a-tmpfs"),
        pytest.param("/run/secrets/db", "already used by secrets[0]", id="duplicate"),
        pytest.param(
            "/run/secrets/db/x", "collides with secrets[0].name '/run/secrets/db'", id="under-a-file"
        ),
        pytest.param("/run", "collides with secrets[0].name", id="over-a-file"),
    ],
)
def test_bad_secret_files_name_the_field_and_value(name: str, words: str) -> None:
    found = violations(definition([s("/run/secrets/db"), s(name)]))
    assert F1 in found, found
    assert words in found[F1], found[F1]
    assert list(found) == [F1]


def test_repository_credentials_need_a_parameter_and_an_execution_role() -> None:
    doc = definition([], repositoryCredentials={"credentialsParameter": ""})
    assert (
        "credentialsParameter is required"
        in violations(doc)["containerDefinitions[0].repositoryCredentials.credentialsParameter"]
    )
    doc = definition([], repositoryCredentials={"credentialsParameter": "registry"})
    del doc["executionRoleArn"]
    assert "repositoryCredentials" in violations(doc)["executionRoleArn"]
    doc = definition([s("/run/secrets/db")])
    del doc["executionRoleArn"]
    assert "secrets" in violations(doc)["executionRoleArn"]
