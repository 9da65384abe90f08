"""Decisions: explicit Deny wins, nothing is allowed unless allowed, conditions and variables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controlplane.iam.evaluate import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, PolicySet
from controlplane.iam.policy import Context, parse

A = "arn:aws:ecs:local:000000000000:cluster/a"
B = "arn:aws:ecs:local:000000000000:cluster/b"
TASK_A = "arn:aws:ecs:local:000000000000:task/a/0123"


def policies(*statements: dict[str, Any]) -> PolicySet:
    return PolicySet(
        [parse(f"p{i}", {"Version": "2012-10-17", "Statement": [s]}) for i, s in enumerate(statements)]
    )


RUN_ON_A = {
    "Effect": "Allow",
    "Action": ["ecs:RunTask", "ecs:Describe*"],
    "Resource": "arn:aws:ecs:*:*:cluster/a",
}


@pytest.mark.parametrize(
    ("statements", "action", "resource", "context", "outcome"),
    [
        ([], "ecs:RunTask", A, {}, IMPLICIT_DENY),
        ([RUN_ON_A], "ecs:RunTask", A, {}, ALLOWED),
        ([RUN_ON_A], "ecs:runtask", A, {}, ALLOWED),  # actions ignore case
        ([RUN_ON_A], "ecs:RunTask", B, {}, IMPLICIT_DENY),
        ([RUN_ON_A], "ecs:DescribeClusters", A, {}, ALLOWED),
        ([RUN_ON_A], "ecs:DeleteService", A, {}, IMPLICIT_DENY),
        (
            [RUN_ON_A, {"Effect": "Deny", "Action": "ecs:*", "Resource": "*"}],
            "ecs:RunTask",
            A,
            {},
            EXPLICIT_DENY,
        ),
        (
            [{"Effect": "Allow", "NotAction": "ecs:Delete*", "Resource": "*"}],
            "ecs:DeleteCluster",
            A,
            {},
            IMPLICIT_DENY,
        ),
        ([{"Effect": "Allow", "NotAction": "ecs:Delete*", "Resource": "*"}], "ecs:RunTask", A, {}, ALLOWED),
        ([{"Effect": "Allow", "Action": "*", "NotResource": B}], "ecs:RunTask", A, {}, ALLOWED),
        ([{"Effect": "Allow", "Action": "*", "NotResource": B}], "ecs:RunTask", B, {}, IMPLICIT_DENY),
        (
            [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}],
            "logs:GetLogEvents",
            A,
            {},
            IMPLICIT_DENY,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "ecs:StopTask",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ecs:cluster": A}},
                }
            ],
            "ecs:StopTask",
            TASK_A,
            {"ecs:cluster": A},
            ALLOWED,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "ecs:StopTask",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ecs:cluster": A}},
                }
            ],
            "ecs:StopTask",
            TASK_A,
            {"ecs:cluster": B},
            IMPLICIT_DENY,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "ecs:StopTask",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ecs:cluster": A}},
                }
            ],
            "ecs:StopTask",
            TASK_A,
            {},
            IMPLICIT_DENY,  # key absent: a positive operator does not hold
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:ResourceTag/team": "web-*"}},
                }
            ],
            "ecs:UpdateService",
            A,
            {"aws:ResourceTag/team": "web-front"},
            ALLOWED,
        ),
        (
            [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "web"}},
                },
            ],
            "ecs:UpdateService",
            A,
            {},
            EXPLICIT_DENY,  # a negated operator holds when the key is absent
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/team": "web"}},
                }
            ],
            "ecs:UpdateService",
            A,
            {},
            ALLOWED,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Null": {"aws:ResourceTag/team": "true"}},
                }
            ],
            "ecs:TagResource",
            A,
            {},
            ALLOWED,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}},
                }
            ],
            "ecs:TagResource",
            A,
            {"aws:TagKeys": ["team", "owner"]},
            IMPLICIT_DENY,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
                }
            ],
            "ecs:TagResource",
            A,
            {"aws:TagKeys": ["team", "owner"]},
            ALLOWED,
        ),
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NumericLessThanEquals": {"ecs:count": 5}},
                }
            ],
            "ecs:RunTask",
            A,
            {"ecs:count": "6"},
            IMPLICIT_DENY,
        ),
        (
            [{"Effect": "Allow", "Action": "ecs:*", "Resource": "arn:aws:ecs:*:*:cluster/${aws:username}"}],
            "ecs:RunTask",
            A,
            {"aws:username": "a"},
            ALLOWED,
        ),
        (
            [{"Effect": "Allow", "Action": "ecs:*", "Resource": "arn:aws:ecs:*:*:cluster/${aws:username}"}],
            "ecs:RunTask",
            A,
            {"aws:username": "b"},
            IMPLICIT_DENY,
        ),
        (
            [{"Effect": "Allow", "Action": "ecs:*", "Resource": "arn:aws:ecs:*:*:cluster/${aws:username}"}],
            "ecs:RunTask",
            A,
            {},
            IMPLICIT_DENY,
        ),
    ],
)
def test_decisions(
    statements: list[dict[str, Any]], action: str, resource: str, context: Context, outcome: str
) -> None:
    decision = policies(*statements).decide(action, resource, context)
    assert decision.outcome == outcome, decision.explain()


def test_the_decision_names_its_statement() -> None:
    allow = policies(RUN_ON_A).decide("ecs:RunTask", A)
    assert allow.statement == "p0 Statement[0]" and "allowed by p0" in allow.explain()
    deny = policies(
        RUN_ON_A, {"Sid": "NoRun", "Effect": "Deny", "Action": "ecs:RunTask", "Resource": "*"}
    ).decide("ecs:RunTask", A)
    assert deny.statement == "p1 Statement[0] (NoRun)" and "denied explicitly" in deny.explain()
    assert "no policy allows it" in policies().decide("ecs:RunTask", A).explain()


ACTIONS = st.sampled_from(["ecs:RunTask", "ecs:DescribeTasks", "ecs:DeleteService", "logs:GetLogEvents"])
PATTERNS = st.sampled_from(["*", "ecs:*", "ecs:Describe*", "ecs:RunTask", "logs:*", "ecs:?unTask"])
RESOURCES = st.sampled_from(["*", "arn:aws:ecs:*:*:cluster/a", "arn:aws:ecs:*:*:cluster/*", B])
STATEMENTS = st.builds(
    lambda allow, actions, resource: {
        "Effect": "Allow" if allow else "Deny",
        "Action": actions,
        "Resource": resource,
    },
    st.booleans(),
    st.lists(PATTERNS, min_size=1, max_size=3),
    RESOURCES,
)


@given(st.lists(STATEMENTS, max_size=8), ACTIONS, st.sampled_from([A, B]))
def test_index_agrees_with_a_plain_scan(statements: list[dict[str, Any]], action: str, resource: str) -> None:
    """The action index never changes an outcome: the same as looking at every statement."""
    decision = policies(*statements).decide(action, resource)
    every = [s for p in policies(*statements).policies for s in p.statements]
    matching = [s for s in every if s.matches_action(action.lower()) and s.matches_resource(resource, {})]
    expected = EXPLICIT_DENY if any(not s.allow for s in matching) else ALLOWED if matching else IMPLICIT_DENY
    assert decision.outcome == expected


@given(st.lists(STATEMENTS, max_size=8), ACTIONS, st.sampled_from([A, B]))
def test_a_matching_deny_always_wins(statements: list[dict[str, Any]], action: str, resource: str) -> None:
    deny = {"Effect": "Deny", "Action": action, "Resource": resource}
    assert policies(*statements, deny).decide(action, resource).outcome == EXPLICIT_DENY
