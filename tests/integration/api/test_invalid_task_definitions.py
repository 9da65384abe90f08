"""Invalid task definitions are refused with INVALID_ARGUMENT naming the field, and write nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from berth import ApiError, Client

pytestmark = pytest.mark.etcd

Edit = Callable[[dict[str, Any]], None]


def c(i: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda td: td["containerDefinitions"][i]


CASES: list[tuple[str, Edit, str]] = [
    ("family-bad-chars", lambda td: td.update(family="web app"), "family"),
    ("family-too-long", lambda td: td.update(family="x" * 256), "family"),
    ("no-containers", lambda td: td.update(containerDefinitions=[]), "containerDefinitions"),
    ("container-no-name", lambda td: c(0)(td).pop("name"), "containerDefinitions[0].name"),
    ("container-duplicate-name", lambda td: c(1)(td).update(name="web"), "containerDefinitions[1].name"),
    ("image-missing", lambda td: c(1)(td).pop("image"), "containerDefinitions[1].image"),
    ("image-uppercase", lambda td: c(0)(td).update(image="Berth/BusyBox"), "containerDefinitions[0].image"),
    ("image-space", lambda td: c(0)(td).update(image="busy box"), "containerDefinitions[0].image"),
    (
        "memory-below-reservation",
        lambda td: c(0)(td).update(memory=16, memoryReservation=32),
        "containerDefinitions[0].memoryReservation",
    ),
    ("memory-too-small", lambda td: c(1)(td).update(memory=2), "containerDefinitions[1].memory"),
    (
        "no-memory-anywhere",
        lambda td: (td.pop("memory"), c(1)(td).pop("memory")),
        "containerDefinitions[1].memory",
    ),
    ("network-mode-unknown", lambda td: td.update(networkMode="overlay"), "networkMode"),
    (
        "host-port-awsvpc",
        lambda td: (td.update(networkMode="awsvpc"), c(0)(td)["portMappings"][0].update(hostPort=9090)),
        "containerDefinitions[0].portMappings[0].hostPort",
    ),
    ("ports-with-none", lambda td: td.update(networkMode="none"), "containerDefinitions[0].portMappings"),
    (
        "container-port-zero",
        lambda td: c(0)(td)["portMappings"][0].update(containerPort=0),
        "containerDefinitions[0].portMappings[0].containerPort",
    ),
    (
        "protocol-unknown",
        lambda td: c(0)(td)["portMappings"][0].update(protocol="sctp"),
        "containerDefinitions[0].portMappings[0].protocol",
    ),
    ("no-essential", lambda td: c(0)(td).update(essential=False), "containerDefinitions"),
    (
        "depends-on-missing",
        lambda td: c(1)(td)["dependsOn"][0].update(containerName="db"),
        "containerDefinitions[1].dependsOn[0].containerName",
    ),
    (
        "depends-on-cycle",
        lambda td: c(0)(td).update(dependsOn=[{"containerName": "sidecar", "condition": "START"}]),
        "containerDefinitions[0].dependsOn",
    ),
    (
        "complete-on-essential",
        lambda td: c(1)(td)["dependsOn"][0].update(condition="COMPLETE"),
        "containerDefinitions[1].dependsOn[0].condition",
    ),
    (
        "healthy-without-check",
        lambda td: c(0)(td).pop("healthCheck"),
        "containerDefinitions[1].dependsOn[0].condition",
    ),
    (
        "health-interval",
        lambda td: c(0)(td)["healthCheck"].update(interval=1),
        "containerDefinitions[0].healthCheck.interval",
    ),
    (
        "health-retries",
        lambda td: c(0)(td)["healthCheck"].update(retries=11),
        "containerDefinitions[0].healthCheck.retries",
    ),
    (
        "health-no-command",
        lambda td: c(0)(td)["healthCheck"].update(command=[]),
        "containerDefinitions[0].healthCheck.command",
    ),
    ("task-cpu-garbage", lambda td: td.update(cpu="lots"), "cpu"),
    ("task-memory-garbage", lambda td: td.update(memory="2 TB please"), "memory"),
    (
        "ulimit-name",
        lambda td: c(0)(td)["ulimits"][0].update(name="files"),
        "containerDefinitions[0].ulimits[0].name",
    ),
    (
        "ulimit-soft-over-hard",
        lambda td: c(0)(td)["ulimits"][0].update(softLimit=9999),
        "containerDefinitions[0].ulimits[0].softLimit",
    ),
    (
        "mount-unknown-volume",
        lambda td: c(0)(td)["mountPoints"][0].update(sourceVolume="nope"),
        "containerDefinitions[0].mountPoints[0].sourceVolume",
    ),
    (
        "log-driver",
        lambda td: c(0)(td)["logConfiguration"].update(logDriver="carrier-pigeon"),
        "containerDefinitions[0].logConfiguration.logDriver",
    ),
    ("unknown-field", lambda td: td.update(colour="blue"), "colour"),
    ("wrong-type", lambda td: c(0)(td).update(cpu="lots"), "containerDefinitions[0].cpu"),
    (
        "fargate-bad-pair",
        lambda td: td.update(
            requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="4096"
        ),
        "memory",
    ),
    (
        "too-big",
        lambda td: c(0)(td).update(environment=[{"name": f"V{i}", "value": "x" * 100} for i in range(700)]),
        "",
    ),
]


@pytest.mark.parametrize(("edit", "path"), [(e, p) for _, e, p in CASES], ids=[n for n, _, _ in CASES])
def test_invalid_task_definition_is_refused_naming_the_field(
    client: Client, webapp_td: dict[str, Any], unique: str, edit: Edit, path: str
) -> None:
    td = copy.deepcopy(webapp_td)
    td["family"] = f"bad-{unique}"
    edit(td)
    with pytest.raises(ApiError) as e:
        client.register_task_definition(td)
    assert e.value.code == "INVALID_ARGUMENT"
    fields = [v.field for v in e.value.violations]
    if path:
        assert path in fields, (fields, e.value.message)
    else:
        assert fields
    assert not client.list_task_definitions(familyPrefix=f"bad-{unique}").task_definition_arns
    assert not client.list_task_definition_families(familyPrefix=f"bad-{unique}").families
