"""Task definitions through the real API on a real etcd: round trip, revisions, listing, states."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest

from berth import ApiError, Client, jsonmsg

pytestmark = pytest.mark.etcd


def with_family(td: dict[str, Any], family: str) -> dict[str, Any]:
    out = copy.deepcopy(td)
    out["family"] = family
    return out


def test_register_and_describe_round_trip_field_for_field(
    client: Client, webapp_td: dict[str, Any], unique: str
) -> None:
    td = with_family(webapp_td, f"web-{unique}")
    registered = client.register_task_definition(td, tags=[{"key": "team", "value": "web"}])
    described = client.describe_task_definition(taskDefinition=td["family"], include=["TAGS"])
    out = jsonmsg.to_dict(described.task_definition)
    for key, value in td.items():
        assert out[key] == value, key
    assert out["revision"] == 1
    assert out["status"] == "ACTIVE"
    assert out["taskDefinitionArn"] == f"arn:berth:ecs:local:000000000000:task-definition/{td['family']}:1"
    assert out["registeredAt"] > 1_700_000_000
    assert out["compatibilities"] == ["EC2", "EXTERNAL"]
    assert set(out) - set(td) == {
        "taskDefinitionArn",
        "revision",
        "status",
        "registeredAt",
        "registeredBy",
        "compatibilities",
    }
    assert jsonmsg.to_dict(registered.task_definition) == out
    assert [(t.key, t.value) for t in described.tags] == [("team", "web")]


def test_family_revision_and_arn_resolve_as_in_ecs(
    client: Client, webapp_td: dict[str, Any], unique: str
) -> None:
    family = f"res-{unique}"
    for _ in range(3):
        client.register_task_definition(with_family(webapp_td, family))
    client.deregister_task_definition(taskDefinition=f"{family}:3")
    assert client.describe_task_definition(taskDefinition=family).task_definition.revision == 2
    assert client.describe_task_definition(taskDefinition=f"{family}:3").task_definition.status == "INACTIVE"
    arn = f"arn:berth:ecs:local:000000000000:task-definition/{family}:1"
    assert client.describe_task_definition(taskDefinition=arn).task_definition.revision == 1
    with pytest.raises(ApiError) as e:
        client.describe_task_definition(taskDefinition=f"{family}:9")
    assert e.value.code == "NOT_FOUND"
    with pytest.raises(ApiError) as e:
        client.describe_task_definition(taskDefinition=f"{family}:x")
    assert e.value.code == "INVALID_ARGUMENT" and e.value.violations[0].field == "taskDefinition"


def test_revisions_never_reused_after_deregister_and_delete(
    client: Client, webapp_td: dict[str, Any], unique: str
) -> None:
    family = f"reuse-{unique}"
    client.register_task_definition(with_family(webapp_td, family))
    client.deregister_task_definition(taskDefinition=f"{family}:1")
    deleted = client.delete_task_definitions(taskDefinitions=[f"{family}:1"])
    assert [td.status for td in deleted.task_definitions] == ["DELETE_IN_PROGRESS"]
    assert client.register_task_definition(with_family(webapp_td, family)).task_definition.revision == 2


def test_delete_refuses_active_revisions(client: Client, webapp_td: dict[str, Any], unique: str) -> None:
    family = f"del-{unique}"
    client.register_task_definition(with_family(webapp_td, family))
    resp = client.delete_task_definitions(taskDefinitions=[f"{family}:1", f"{family}:7"])
    assert not resp.task_definitions
    assert sorted(f.reason for f in resp.failures) == ["MISSING", "TASK_DEFINITION_NOT_INACTIVE"]


def test_fifty_concurrent_registrations_get_revisions_1_to_50(
    controlplane: Any, webapp_td: dict[str, Any], unique: str
) -> None:
    family = f"conc-{unique}"
    td = with_family(webapp_td, family)
    revisions: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def register() -> None:
        with Client(config_path=controlplane.config_path) as c:
            barrier.wait()
            try:
                revisions.append(c.register_task_definition(td).task_definition.revision)
            except BaseException as e:  # collected and asserted below
                errors.append(e)

    threads = [threading.Thread(target=register) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(revisions) == list(range(1, 51))
    with Client(config_path=controlplane.config_path) as c:
        listed = c.list_task_definitions(familyPrefix=family, maxResults=100).task_definition_arns
    assert [a.rsplit(":", 1)[1] for a in listed] == [str(i) for i in range(1, 51)]


def test_list_task_definitions_pages_and_sorts(
    client: Client, webapp_td: dict[str, Any], unique: str
) -> None:
    family = f"page-{unique}"
    for _ in range(7):
        client.register_task_definition(with_family(webapp_td, family))
    client.deregister_task_definition(taskDefinition=f"{family}:4")
    seen: list[str] = []
    token = ""
    while True:
        page = client.list_task_definitions(familyPrefix=family, maxResults=2, nextToken=token)
        assert len(page.task_definition_arns) <= 2
        seen += page.task_definition_arns
        token = page.next_token
        if not token:
            break
    assert [a.rsplit(":", 1)[1] for a in seen] == ["1", "2", "3", "5", "6", "7"]
    desc = client.list_task_definitions(familyPrefix=family, sort="DESC", maxResults=3).task_definition_arns
    assert [a.rsplit(":", 1)[1] for a in desc] == ["7", "6", "5"]
    inactive = client.list_task_definitions(familyPrefix=family, status="INACTIVE").task_definition_arns
    assert [a.rsplit(":", 1)[1] for a in inactive] == ["4"]
    with pytest.raises(ApiError) as e:
        client.list_task_definitions(familyPrefix=family, nextToken="garbage")
    assert e.value.violations[0].field == "nextToken"


def test_list_families_by_status(client: Client, webapp_td: dict[str, Any], unique: str) -> None:
    client.register_task_definition(with_family(webapp_td, f"fam-{unique}-a"))
    client.register_task_definition(with_family(webapp_td, f"fam-{unique}-b"))
    client.deregister_task_definition(taskDefinition=f"fam-{unique}-b:1")
    prefix = f"fam-{unique}"
    assert list(client.list_task_definition_families(familyPrefix=prefix).families) == [
        f"{prefix}-a",
        f"{prefix}-b",
    ]
    assert list(client.list_task_definition_families(familyPrefix=prefix, status="ACTIVE").families) == [
        f"{prefix}-a"
    ]
    assert list(client.list_task_definition_families(familyPrefix=prefix, status="INACTIVE").families) == [
        f"{prefix}-b"
    ]
