"""The HTTP port's and the audit trail's actions: who the one authorizer lets perform them."""

from __future__ import annotations

import pytest

from berth.errors import PermissionDenied
from controlplane.audit import WATCH_AUDIT_EVENTS
from controlplane.auth import ADMIN, ADMIN_POLICY, Authorizer, Principal
from controlplane.http import GET_METRICS, LIST_SCRAPE_TARGETS
from controlplane.iam.directory import BUILTIN
from controlplane.iam.evaluate import ALLOWED, PolicySet
from controlplane.iam.policy import parse
from tests.support.users import METRICS_READER

ACTIONS = (GET_METRICS, LIST_SCRAPE_TARGETS, WATCH_AUDIT_EVENTS)


def test_the_actions_are_named_under_berth() -> None:
    assert ACTIONS == ("berth:GetMetrics", "berth:ListScrapeTargets", "berth:WatchAuditEvents")


@pytest.mark.parametrize("action", ACTIONS)
def test_the_admin_key_may_perform_them(action: str) -> None:
    Authorizer().check(Principal(ADMIN, policies=(ADMIN_POLICY,)), action)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", ["agent", "join", "anonymous"])
def test_agents_and_join_token_holders_may_not(action: str, kind: str) -> None:
    with pytest.raises(PermissionDenied, match=action):
        Authorizer().check(Principal("x", kind=kind), action)


@pytest.mark.parametrize("policy", ["AdministratorAccess", "AmazonECS_FullAccess", "ReadOnlyAccess"])
@pytest.mark.parametrize("action", ACTIONS)
def test_the_built_in_policies_allow_them(policy: str, action: str) -> None:
    policies = PolicySet([parse(policy, BUILTIN[policy][1])])
    assert policies.decide(action, "*", {}).outcome == ALLOWED


def test_the_metrics_reader_may_scrape_and_discover_and_nothing_else() -> None:
    reader = PolicySet([parse("metrics-reader", METRICS_READER)])
    assert reader.decide(GET_METRICS, "*", {}).allowed
    assert reader.decide(LIST_SCRAPE_TARGETS, "*", {}).allowed
    for other in (WATCH_AUDIT_EVENTS, "ecs:ListClusters", "ecs:WatchEvents", "ecs:RunTask"):
        assert not reader.decide(other, "*", {}).allowed, other
