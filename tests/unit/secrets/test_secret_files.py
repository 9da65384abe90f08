"""Secrets read as files and registry credentials, on the control plane's side (pure): how a task
definition reads each secret, the registry credentials' JSON, and which running tasks are told
when a secret changes."""

from __future__ import annotations

import pytest

from berth import jsonmsg
from berth.v1 import secretsmanager_pb2 as pb
from berth.v1 import types_pb2
from controlplane.secrets import changes, refs

TD_ARN = "arn:berth:ecs:local:000000000000:task-definition/app:1"
OTHER_TD = "arn:berth:ecs:local:000000000000:task-definition/other:1"


def task_definition(containers: list[dict[str, object]], arn: str = TD_ARN) -> types_pb2.TaskDefinition:
    return jsonmsg.parse(
        {"taskDefinitionArn": arn, "family": "app", "containerDefinitions": containers},
        types_pb2.TaskDefinition,
    )


APP = task_definition(
    [
        {
            "name": "app",
            "image": "registry.local:5000/app:1",
            "repositoryCredentials": {"credentialsParameter": "registry"},
            "environmentFiles": [{"value": "settings", "type": "s3"}],
            "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": "db"},
                {"name": "/run/secrets/db-password", "valueFrom": "db"},
                {"name": "/etc/tls/key.pem", "valueFrom": "tls"},
            ],
        },
        {"name": "sidecar", "image": "busybox", "secrets": [{"name": "TOKEN", "valueFrom": "token"}]},
    ]
)


def test_every_use_has_its_kind_and_field() -> None:
    found = [(u.container, u.kind, u.target, u.ref.name, u.field) for u in refs.uses(APP)]  # type: ignore[union-attr]
    assert found == [
        (
            "app",
            refs.REGISTRY,
            "",
            "registry",
            "containerDefinitions[0].repositoryCredentials.credentialsParameter",
        ),
        ("app", refs.ENV_FILE, "", "settings", "containerDefinitions[0].environmentFiles[0].value"),
        ("app", refs.VARIABLE, "DB_PASSWORD", "db", "containerDefinitions[0].secrets[0].valueFrom"),
        ("app", refs.FILE, "/run/secrets/db-password", "db", "containerDefinitions[0].secrets[1].valueFrom"),
        ("app", refs.FILE, "/etc/tls/key.pem", "tls", "containerDefinitions[0].secrets[2].valueFrom"),
        ("sidecar", refs.VARIABLE, "TOKEN", "token", "containerDefinitions[1].secrets[0].valueFrom"),
    ]


def test_reads_as_file() -> None:
    assert refs.reads_as_file(APP, "db") and refs.reads_as_file(APP, "tls")
    assert not refs.reads_as_file(APP, "token")  # a variable only
    assert not refs.reads_as_file(APP, "registry") and not refs.reads_as_file(APP, "settings")


def test_registry_credentials_are_username_and_password_json() -> None:
    ref = refs.Ref("registry")
    assert refs.registry_auth('{"username": "alice", "password": "pw"}', ref) == ("alice", "pw")
    for bad in ("alice:pw", '{"username": "alice"}', '{"username": "", "password": "p"}', '["a"]'):
        with pytest.raises(LookupError) as e:
            refs.registry_auth(bad, ref)
        assert "registry" in str(e.value) and "pw" not in str(e.value) and "alice" not in str(e.value)


def task(arn: str, td: str = TD_ARN, desired: str = "RUNNING", last: str = "RUNNING") -> types_pb2.Task:
    return types_pb2.Task(task_arn=arn, task_definition_arn=td, desired_status=desired, last_status=last)


def test_only_running_tasks_that_read_the_secret_as_a_file_are_told() -> None:
    other = task_definition([{"name": "x", "image": "busybox"}], OTHER_TD)
    tds = {TD_ARN: APP, OTHER_TD: other}
    tasks = [
        task("t-running"),
        task("t-pending", last="PENDING"),
        task("t-stopping", desired="STOPPED"),
        task("t-stopped", last="STOPPED"),
        task("t-other", td=OTHER_TD),
        task("t-unknown-td", td="arn:berth:ecs:local:000000000000:task-definition/gone:3"),
    ]
    assert changes.tasks_to_tell(tasks, tds.get, "db") == ["t-running", "t-pending"]
    assert changes.tasks_to_tell(tasks, tds.get, "token") == []


def record(*versions: tuple[str, list[str]]) -> pb.SecretRecord:
    return pb.SecretRecord(
        name="db", versions=[pb.SealedVersion(version_id=v, version_stages=s) for v, s in versions]
    )


def test_a_change_is_a_new_current_version_after_the_first_listing() -> None:
    told: list[str] = []
    watcher = changes.SecretChanges(None, lambda r: told.append(r.name))  # type: ignore[arg-type]
    one = record(("v1", ["AWSCURRENT"]))
    two = record(("v2", ["AWSCURRENT"]), ("v1", ["AWSPREVIOUS"]))
    staged = record(("v3", ["TEST"]), ("v2", ["AWSCURRENT"]), ("v1", ["AWSPREVIOUS"]))
    watcher._changed("secrets/db", None, one)  # the first listing: what exists
    assert told == []
    watcher.mirror.ready.set()
    watcher._changed("secrets/db", one, two)
    watcher._changed("secrets/db", two, staged)  # AWSCURRENT did not move
    watcher._changed("secrets/db", staged, None)  # deleted: the files keep their value
    watcher._changed("secrets/db", None, one)  # made again under its name
    assert told == ["db", "db"]
    assert changes.current_version(staged) == "v2" and changes.current_version(pb.SecretRecord()) == ""
