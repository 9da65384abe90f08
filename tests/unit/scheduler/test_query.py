"""The cluster query language: parsing, errors with positions, every operator, precedence, quoting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controlplane.scheduler.query import And, Comparison, Not, Or, QueryError, Subject, parse, validate

REGISTERED = datetime(2018, 6, 18, 22, 28, 28, tzinfo=UTC).timestamp()

SUBJECT = Subject(
    instance_id="3f2a9c",
    attributes={
        "ecs.instance-type": "g2.2xlarge",
        "ecs.availability-zone": "us-east-1a",
        "ecs.os-type": "linux",
        "stack": "prod",
        "size": "10",
        "name with space": "a b",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19": None,
    },
    agent_connected=True,
    agent_version="1.14.5",
    ec2_instance_id="i-abcd1234",
    registered_at=REGISTERED,
    running_tasks_count=3,
    task_groups=frozenset({"service:production", "family:batch"}),
)


EVALUATIONS = [
    # the ECS documentation's examples
    ("attribute:ecs.instance-type =~ g2.*", True),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
    ("task:group == service:production", True),
    ("not(task:group == database)", True),
    ("agentConnected == true", True),
    ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", True),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", True),
    ("runningTasksCount == 3", True),
    ("agentVersion != 1.5.0", True),
    # == and !=
    ("attribute:stack == prod", True),
    ("attribute:stack == Prod", False),
    ("attribute:stack != prod", False),
    ("attribute:missing == prod", False),
    ("attribute:missing != prod", True),
    ("attribute:com.amazonaws.ecs.capability.docker-remote-api.1.19 == ''", False),
    ("instanceId == 3f2a9c", True),
    ("ec2InstanceId == 3f2a9c", False),
    ("agentConnected == TRUE", True),
    ("agentConnected != false", True),
    # ordering
    ("attribute:size > 9", True),  # numeric, not "10" < "9"
    ("attribute:size >= 10.0", True),
    ("attribute:size < 9", False),
    ("attribute:stack > prob", True),  # strings compare as strings
    ("attribute:stack <= prod", True),
    ("attribute:missing < 100", False),
    ("agentVersion > 1.9.0", True),  # versions part by part, not as strings
    ("agentVersion >= 1.14.5", True),
    ("agentVersion < 1.14.10", True),
    ("runningTasksCount > 2", True),
    ("runningTasksCount <= 2", False),
    ("runningTasksCount != 3", False),
    # registeredAt: ISO-8601 in every ECS-documented form, or epoch seconds
    ("registeredAt == 2018-06-18T22:28:28+00:00", True),
    ("registeredAt == 2018-06-18T22:28:28Z", True),
    ("registeredAt == 2018-06-18T22:28:28", True),
    ("registeredAt > 2018-06-18", True),
    ("registeredAt < 2018-06-19", True),
    ("registeredAt >= 1529360908", True),
    ("registeredAt > 1529360908", False),
    # exists
    ("attribute:stack exists", True),
    ("attribute:com.amazonaws.ecs.capability.docker-remote-api.1.19 exists", True),
    ("attribute:missing exists", False),
    ("attribute:missing !exists", True),
    ("task:group exists", True),
    ("task:group !exists", False),
    # in
    ("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]", False),
    ("attribute:ecs.availability-zone !in [us-east-1b, us-east-1c]", True),
    ("attribute:ecs.availability-zone in us-east-1a", True),
    ("task:group in [service:other, family:batch]", True),
    ("task:group !in [service:other]", True),
    ("runningTasksCount in [1, 3]", True),
    ("agentConnected in [false]", False),
    # =~ and !~ are anchored like Java's matches()
    ("attribute:ecs.instance-type =~ g2", False),
    ("attribute:ecs.instance-type =~ .*xlarge", True),
    ("attribute:ecs.instance-type !~ t2.*", True),
    ("attribute:missing =~ .*", False),
    ("attribute:missing !~ .*", True),
    ("attribute:com.amazonaws.ecs.capability.docker-remote-api.1.19 =~ .*", False),
    ("task:group =~ service:.*", True),
    ("task:group !~ family:.*", False),
    ("agentConnected =~ t.*", True),
    ("attribute:ecs.instance-type =~ '(g2|p3)\\..*'", True),
    # word forms of the operators
    ("attribute:stack equals prod", True),
    ("attribute:stack not_equals prod", False),
    ("attribute:size greater_than 9", True),
    ("attribute:size greater_than_equal 10", True),
    ("attribute:size less_than 10", False),
    ("attribute:size less_than_equal 10", True),
    ("attribute:missing not_exists", True),
    ("attribute:stack in [prod]", True),
    ("attribute:stack not_in [prod]", False),
    ("attribute:stack matches p.*", True),
    ("attribute:stack not_matches p.*", False),
    # combinations and their precedence: not > and > or
    ("attribute:stack == dev or attribute:stack == prod", True),
    ("attribute:stack == dev || attribute:os == linux && attribute:stack == prod", False),
    ("attribute:stack == prod or attribute:stack == dev and attribute:stack == dev", True),
    ("(attribute:stack == prod or attribute:stack == dev) and attribute:stack == dev", False),
    ("not attribute:stack == dev and attribute:stack == prod", True),
    ("!attribute:stack == prod || attribute:stack == prod", True),
    ("!(attribute:stack == prod || attribute:stack == dev)", False),
    ("not not attribute:stack == prod", True),
    ("NOT attribute:stack == dev AND attribute:stack == prod", True),
    # quoting
    ('attribute:stack == "prod"', True),
    ("attribute:stack in ['dev', \"prod\"]", True),
    ("attribute:stack == 'it\\'s'", False),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [pytest.param(e, x, id=e) for e, x in EVALUATIONS],
)
def test_evaluate(expression: str, expected: bool) -> None:
    assert parse(expression).evaluate(SUBJECT) is expected


def test_quoted_values_keep_spaces_and_escaped_quotes() -> None:
    subject = Subject("i", attributes={"owner": "team a", "quote": "it's", "path": 'C:\\x"y'})
    assert parse("attribute:owner == 'team a'").evaluate(subject)
    assert parse("attribute:quote == 'it\\'s'").evaluate(subject)
    assert parse('attribute:quote == "it\'s"').evaluate(subject)
    assert parse("attribute:path == 'C:\\x\"y'").evaluate(subject)  # other backslashes stay
    assert parse("attribute:owner == 'and'").root == Comparison("attribute:owner", "==", ("and",))


def eq(subject: str, value: str) -> Comparison:
    return Comparison(subject, "==", (value,))


A, B, C = eq("attribute:a", "1"), eq("attribute:b", "1"), eq("attribute:c", "1")

PRECEDENCE = [
    (
        "and-binds-tighter-than-or",
        "attribute:a == 1 or attribute:b == 1 and attribute:c == 1",
        Or(A, And(B, C)),
    ),
    ("not-binds-tighter-than-and", "not attribute:a == 1 and attribute:b == 1", And(Not(A), B)),
    ("parentheses", "not (attribute:a == 1 and attribute:b == 1)", Not(And(A, B))),
    ("left-associative", "attribute:a == 1 and attribute:b == 1 and attribute:c == 1", And(And(A, B), C)),
    (
        "symbols-without-spaces",
        "task:group==service:web&&!(runningTasksCount>0)",
        And(eq("task:group", "service:web"), Not(Comparison("runningTasksCount", ">", ("0",)))),
    ),
    ("word-operator", "attribute:x not_in [a,b]", Comparison("attribute:x", "!in", ("a", "b"))),
    ("subject-case", "AGENTCONNECTED == true", eq("agentConnected", "true")),
]


@pytest.mark.parametrize(("expression", "tree"), [pytest.param(e, t, id=i) for i, e, t in PRECEDENCE])
def test_tree(expression: str, tree: object) -> None:
    assert parse(expression).root == tree


ERRORS = [
    ("empty", "", 0, "empty expression"),
    ("blank", "   ", 0, "empty expression"),
    ("unknown subject", "color == red", 0, "unknown subject 'color'"),
    ("no attribute name", "attribute: == x", 0, "missing attribute name"),
    ("no operator", "attribute:stack", 15, "expected an operator after 'attribute:stack'"),
    (
        "unknown operator",
        "attribute:stack is prod",
        16,
        "expected an operator after 'attribute:stack', found 'is'",
    ),
    ("single =", "attribute:stack = prod", 16, "did you mean '=='"),
    ("single &", "attribute:a == 1 & attribute:b == 2", 17, "did you mean '&&'"),
    ("single |", "attribute:a == 1 | attribute:b == 2", 17, "did you mean '||'"),
    ("no value", "attribute:stack ==", 18, "expected a value after '=='"),
    ("list for ==", "attribute:stack == [a]", 19, "takes one value, not a list"),
    ("no list", "attribute:stack in (a)", 19, "expected a list like [a, b]"),
    ("unclosed list", "attribute:stack in [a, b", 24, "unclosed '[' (opened at position 19)"),
    ("empty list item", "attribute:stack in [a,,b]", 22, "expected a list value, found ','"),
    ("list without comma", "attribute:stack in [a b]", 22, "expected ',' or ']'"),
    ("empty list", "attribute:stack in []", 20, "expected a list value, found ']'"),
    ("unclosed paren", "(attribute:a == 1", 17, "expected ')' for the '(' opened at position 0"),
    ("stray paren", "attribute:a == 1)", 16, "unexpected ')'"),
    ("missing connective", "attribute:a == 1 attribute:b == 2", 17, "expected 'and', 'or' or the end"),
    ("dangling and", "attribute:a == 1 and", 20, "expected a subject, found the end"),
    ("unterminated string", "attribute:a == 'abc", 15, "unterminated string"),
    ("bad regex", "attribute:a =~ '(ab'", 15, "invalid regular expression"),
    ("bad time", "registeredAt > yesterday", 15, "invalid time 'yesterday'"),
    ("bad number", "runningTasksCount > many", 20, "invalid number 'many'"),
    ("bad number in list", "runningTasksCount in [1, x]", 25, "invalid number 'x'"),
    ("bad boolean", "agentConnected == yes", 18, "takes true or false"),
    ("operator not for subject", "registeredAt =~ 2018.*", 13, "cannot be used with 'registeredAt'"),
    ("exists not for subject", "agentVersion exists", 13, "cannot be used with 'agentVersion'"),
    ("quoted subject", "'attribute:a' == 1", 0, "expected a subject, found string"),
    ("too long", "attribute:a == " + "x" * 2000, 2000, "longer than 2000"),
]


@pytest.mark.parametrize(
    ("expression", "position", "message"), [pytest.param(e, p, m, id=i) for i, e, p, m in ERRORS]
)
def test_errors_name_the_token_and_position(expression: str, position: int, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse(expression)
    assert raised.value.position == position
    assert message in raised.value.message
    assert str(raised.value).endswith(f"at position {position}")
    with pytest.raises(ValueError):  # API code may catch QueryError as ValueError
        validate(expression)


@pytest.mark.parametrize(
    ("expression", "dynamic"),
    [
        pytest.param("attribute:a == 1", False, id="attribute"),
        pytest.param("registeredAt > 0 and agentVersion > 1", False, id="static-fields"),
        pytest.param("attribute:a == 1 or not task:group == x", True, id="task-group"),
        pytest.param("runningTasksCount < 5", True, id="running-tasks"),
    ],
)
def test_dynamic(expression: str, dynamic: bool) -> None:
    assert parse(expression).dynamic is dynamic


def test_parse_is_cached_and_validate_accepts_valid_expressions() -> None:
    assert parse("attribute:a == 1") is parse("attribute:a == 1")
    assert validate("attribute:a == 1") is None
    assert str(parse("attribute:a == 1")) == "attribute:a == 1"
