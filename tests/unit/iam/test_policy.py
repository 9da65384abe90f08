"""Policy documents: what parse() accepts, and what it refuses naming the JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from berth.errors import InvalidArgument
from controlplane.iam.policy import MAX_DOCUMENT_BYTES, Glob, parse, substitute


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def test_a_single_statement_object_and_json_text() -> None:
    p = parse("p", json.dumps({"Version": "2012-10-17", "Statement": ALLOW_ALL}))
    assert len(p.statements) == 1 and p.statements[0].allow
    assert p.statements[0].where == "p Statement"


@pytest.mark.parametrize(
    ("document", "path", "words"),
    [
        ("{", "PolicyDocument", "is not JSON"),
        ([], "PolicyDocument", "JSON object"),
        ({"Version": "2012-10-17"}, "Statement", "is required"),
        ({"Version": "2020-01-01", "Statement": [ALLOW_ALL]}, "Version", "2012-10-17"),
        ({"Statement": [ALLOW_ALL], "Extra": 1}, "Extra", "not a policy element"),
        (doc({**ALLOW_ALL, "Effect": "allow"}), "Statement[0].Effect", '"Allow" or "Deny"'),
        (doc({"Effect": "Allow", "Resource": "*"}), "Statement[0].Action", "is required"),
        (doc({**ALLOW_ALL, "NotAction": "ecs:RunTask"}), "Statement[0].NotAction", "cannot be given"),
        (
            doc({**ALLOW_ALL, "Action": ["ecs:RunTask", "RunTask"]}),
            "Statement[0].Action[1]",
            "service:Action",
        ),
        (doc({**ALLOW_ALL, "Action": []}), "Statement[0].Action", "must not be empty"),
        (doc({**ALLOW_ALL, "Action": [3]}), "Statement[0].Action[0]", "non-empty string"),
        (doc({**ALLOW_ALL, "Resource": "cluster/a"}), "Statement[0].Resource[0]", "must be an ARN"),
        (doc({**ALLOW_ALL, "Principal": "*"}), "Statement[0].Principal", "identity policy"),
        (doc({**ALLOW_ALL, "Sid": "a b"}), "Statement[0].Sid", "letters and digits"),
        (doc({**ALLOW_ALL, "Sid": "A"}, {**ALLOW_ALL, "Sid": "A"}), "Statement[1].Sid", "used twice"),
        (
            doc({**ALLOW_ALL, "Condition": {"StringEqualz": {"ecs:cluster": "a"}}}),
            "Statement[0].Condition.StringEqualz",
            "unknown condition operator",
        ),
        (
            doc({**ALLOW_ALL, "Condition": {"ForSome:StringEquals": {"ecs:cluster": "a"}}}),
            "Statement[0].Condition.ForSome:StringEquals",
            "set operator",
        ),
        (
            doc({**ALLOW_ALL, "Condition": {"NumericLessThan": {"ecs:count": "many"}}}),
            "Statement[0].Condition.NumericLessThan.ecs:count[0]",
            "must be a number",
        ),
        (
            doc({**ALLOW_ALL, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}),
            "Statement[0].Condition.Bool.aws:SecureTransport[0]",
            '"true" or "false"',
        ),
        (
            doc({**ALLOW_ALL, "Condition": {"StringEquals": {"cluster": "a"}}}),
            "Statement[0].Condition.StringEquals.cluster",
            "condition key",
        ),
        (
            doc({**ALLOW_ALL, "Condition": {"StringEquals": {}}}),
            "Statement[0].Condition.StringEquals",
            "keys",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_refused_naming_the_path(document: Any, path: str, words: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        parse("p", document)
    fields = {v.field: v.description for v in e.value.violations}
    assert path in fields, fields
    assert words in fields[path]
    assert e.value.ecs_type in ("MalformedPolicyDocumentException", "InvalidParameterException")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgument) as e:
        parse("p", doc({"Effect": "Maybe", "Action": "x", "Resource": "y"}))
    assert {v.field for v in e.value.violations} == {
        "Statement[0].Effect",
        "Statement[0].Action[0]",
        "Statement[0].Resource[0]",
    }


def test_size_limit() -> None:
    big = json.dumps(doc(*[{**ALLOW_ALL, "Sid": f"S{i}"} for i in range(200)]))
    assert len(big) > MAX_DOCUMENT_BYTES
    with pytest.raises(InvalidArgument, match="bytes"):
        parse("p", big)


@pytest.mark.parametrize(
    ("pattern", "value", "ignore_case", "hit"),
    [
        ("*", "anything/at:all", False, True),
        ("ecs:describe*", "ecs:describetasks", True, True),
        ("ecs:describe*", "ecs:runtask", True, False),
        ("arn:aws:ecs:*:*:cluster/a", "arn:aws:ecs:local:1:cluster/a", False, True),
        ("arn:aws:ecs:*:*:cluster/a", "arn:aws:ecs:local:1:cluster/ab", False, False),
        ("arn:aws:ecs:*:*:cluster/?", "arn:aws:ecs:local:1:cluster/b", False, True),
        ("arn:aws:ecs:*:*:cluster/A", "arn:aws:ecs:local:1:cluster/a", False, False),
        ("a.b", "axb", False, False),
    ],
)
def test_globs(pattern: str, value: str, ignore_case: bool, hit: bool) -> None:
    assert Glob(pattern, ignore_case=ignore_case).match(value) is hit


def test_policy_variables() -> None:
    assert substitute("arn:x:user/${aws:username}/*", {"aws:username": "ann"}) == "arn:x:user/ann/*"
    assert substitute("${aws:username}", {}) is None
    assert substitute("a${*}b${?}${$}", {}) == "a*b?$"
