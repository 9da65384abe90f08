"""The ECS cluster query language: `subject operator [argument]`, combined with and/or/not.

Used by `memberOf` placement constraints and by the ListContainerInstances `filter`. `parse()` turns
an expression into an `Expr` once (the result is cached, so callers may parse freely); `Expr.evaluate`
then answers it for any `QuerySubject` with a compiled closure, cheaply enough to run per instance
per placement call. Errors are `QueryError`s naming the offending token and its 0-based position.

Grammar (precedence: not > and > or; parentheses group):

    expr       := or
    or         := and (("or" | "||") and)*
    and        := unary (("and" | "&&") unary)*
    unary      := ("not" | "!") unary | "(" expr ")" | comparison
    comparison := subject operator [argument | "[" argument ("," argument)* "]"]

Subjects: `agentConnected`, `agentVersion`, `attribute:<name>`, `ec2InstanceId`, `instanceId` (the
container instance id), `registeredAt`, `runningTasksCount`, `task:group`. Operators:
`== != > >= < <= exists !exists in !in =~ !~` and their word forms (`equals`, `not_equals`,
`greater_than`, `greater_than_equal`, `less_than`, `less_than_equal`, `not_exists`, `not_in`,
`matches`, `not_matches`). Arguments are bare words (anything but blanks, `( ) [ ] , ' "` and the
operator characters `= ! < > & |`) or quoted with ' or " (a backslash escapes only the quote).

Semantics, where ECS leaves room:
- `=~` is anchored like Java's `Pattern.matches` (Python `re.fullmatch`).
- `==`/`!=`/`in` compare strings exactly; `runningTasksCount` and `registeredAt` compare as numbers
  (registeredAt takes ISO-8601 times, naive ones being UTC, or epoch seconds); `agentConnected` takes
  true/false in any case. Ordering operators compare numerically when both sides are numbers,
  `agentVersion` compares dotted versions part by part, anything else compares as strings.
- Every negated operator (`!=`, `!in`, `!~`, `!exists`) is exactly `not` of its positive form, so
  an instance without the attribute satisfies `attribute:x != a`. Value-less attributes exist but
  equal nothing.
- `task:group` is the set of task groups with a live task on the instance: `== g` means "has a task
  of group g", `=~` means "has a task whose group matches", `exists` means "runs any task".
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

__all__ = [
    "And",
    "Comparison",
    "Expr",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "QuerySubject",
    "Subject",
    "parse",
    "validate",
]

MAX_EXPRESSION_LENGTH = 2000  # ECS's limit on a placement constraint expression


class QueryError(ValueError):
    """An expression that does not parse. `position` is the 0-based offset of the offending token."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


class QuerySubject(Protocol):
    """What an expression can ask about a container instance."""

    @property
    def instance_id(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, str | None]: ...
    @property
    def agent_connected(self) -> bool: ...
    @property
    def agent_version(self) -> str: ...
    @property
    def ec2_instance_id(self) -> str: ...
    @property
    def registered_at(self) -> float: ...
    @property
    def running_tasks_count(self) -> int: ...
    @property
    def task_groups(self) -> Collection[str]: ...


@dataclass(frozen=True)
class Subject:
    """A plain `QuerySubject`, e.g. built from a stored container instance for ListContainerInstances."""

    instance_id: str
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    agent_connected: bool = True
    agent_version: str = ""
    ec2_instance_id: str = ""
    registered_at: float = 0.0
    running_tasks_count: int = 0
    task_groups: Collection[str] = frozenset()


# --- syntax tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """`subject operator arguments`; subject and operator in canonical spelling (`==`, `!in`, ...)."""

    subject: str
    operator: str
    arguments: tuple[str, ...] = ()
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


Node = Comparison | And | Or | Not

Predicate = Callable[[QuerySubject], bool]


@dataclass(frozen=True)
class Expr:
    """A parsed expression: its tree, and the predicate compiled from it."""

    source: str
    root: Node
    _predicate: Predicate = field(repr=False, compare=False)

    def evaluate(self, subject: QuerySubject) -> bool:
        return self._predicate(subject)

    @property
    def dynamic(self) -> bool:
        """True when the answer depends on the tasks on the instance (task:group, runningTasksCount),
        so it can change as tasks are placed; otherwise it is fixed for a given instance."""
        return _is_dynamic(self.root)

    def __str__(self) -> str:
        return self.source


def _is_dynamic(node: Node) -> bool:
    match node:
        case Comparison(subject=subject):
            return subject in _DYNAMIC_SUBJECTS
        case And(left=left, right=right) | Or(left=left, right=right):
            return _is_dynamic(left) or _is_dynamic(right)
        case Not(operand=operand):
            return _is_dynamic(operand)
    raise AssertionError(node)  # pragma: no cover


# --- subjects and operators ----------------------------------------------------------------------

_EQ = ("==", "!=")
_ORDER = (">", ">=", "<", "<=")
_SET = ("in", "!in")
_MATCH = ("=~", "!~")
_EXISTS = ("exists", "!exists")

# Valid operators per subject: the ECS documentation's lists, plus in/!in and =~/!~ where they are
# harmless (agentVersion, runningTasksCount in a list).
_SUBJECT_OPERATORS: dict[str, tuple[str, ...]] = {
    "agentConnected": _EQ + _SET + _MATCH,
    "agentVersion": _EQ + _ORDER + _SET + _MATCH,
    "ec2InstanceId": _EQ + _SET + _MATCH,
    "instanceId": _EQ + _SET + _MATCH,
    "registeredAt": _EQ + _ORDER,
    "runningTasksCount": _EQ + _ORDER + _SET,
    "task:group": _EQ + _SET + _MATCH + _EXISTS,
    "attribute:": _EQ + _ORDER + _SET + _MATCH + _EXISTS,
}
_SUBJECTS_BY_LOWER = {name.lower(): name for name in _SUBJECT_OPERATORS if name != "attribute:"}
_DYNAMIC_SUBJECTS = frozenset({"task:group", "runningTasksCount"})

_WORD_OPERATORS = {
    "equals": "==",
    "not_equals": "!=",
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
    "exists": "exists",
    "not_exists": "!exists",
    "in": "in",
    "not_in": "!in",
    "matches": "=~",
    "not_matches": "!~",
}
_NEGATED = {"!=": "==", "!in": "in", "!~": "=~", "!exists": "exists"}


# --- lexer ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD STRING OP AND OR NOT ( ) [ ] , END
    text: str
    position: int


_PUNCTUATION = "()[],"
_OPERATOR_CHARS = "=!<>&|"
_WORD_STOP = frozenset(" \t\r\n\f\v'\"" + _PUNCTUATION + _OPERATOR_CHARS)
_TWO_CHAR = {"==": "OP", "!=": "OP", ">=": "OP", "<=": "OP", "=~": "OP", "!~": "OP", "&&": "AND", "||": "OR"}


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
            continue
        if char in _PUNCTUATION:
            tokens.append(_Token(char, char, i))
            i += 1
            continue
        if char in "'\"":
            i = _read_string(source, i, tokens)
            continue
        if char in _OPERATOR_CHARS:
            pair = source[i : i + 2]
            if pair in _TWO_CHAR:
                tokens.append(_Token(_TWO_CHAR[pair], pair, i))
                i += 2
            elif char == "!":
                # `!in` / `!exists` are operators; `!` before anything else is "not".
                word_end = _word_end(source, i + 1)
                if source[i + 1 : word_end] in ("in", "exists"):
                    tokens.append(_Token("OP", source[i:word_end], i))
                    i = word_end
                else:
                    tokens.append(_Token("NOT", "!", i))
                    i += 1
            elif char in "<>":
                tokens.append(_Token("OP", char, i))
                i += 1
            else:
                hint = {"=": "==", "&": "&&", "|": "||"}[char]
                raise QueryError(f"unexpected '{char}' (did you mean '{hint}'?)", i)
            continue
        end = _word_end(source, i)
        tokens.append(_Token("WORD", source[i:end], i))
        i = end
    tokens.append(_Token("END", "", n))
    return tokens


def _word_end(source: str, start: int) -> int:
    end = start
    while end < len(source) and source[end] not in _WORD_STOP and not source[end].isspace():
        end += 1
    return end


def _read_string(source: str, start: int, tokens: list[_Token]) -> int:
    quote = source[start]
    chars: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == "\\" and source[i + 1 : i + 2] == quote:
            chars.append(quote)
            i += 2
            continue
        if char == quote:
            tokens.append(_Token("STRING", "".join(chars), start))
            return i + 1
        chars.append(char)
        i += 1
    raise QueryError(f"unterminated string {source[start : start + 20]!r}", start)


# --- parser --------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, kind: str) -> bool:
        token = self.token
        return token.kind == kind or (token.kind == "WORD" and token.text.lower() == kind.lower())

    def parse(self) -> Node:
        if self.token.kind == "END":
            raise QueryError("empty expression", 0)
        node = self.parse_or()
        if self.token.kind != "END":
            raise QueryError(
                f"unexpected {_describe(self.token)}; expected 'and', 'or' or the end", self.token.position
            )
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at_keyword("OR"):
            self.advance()
            node = Or(node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_unary()
        while self.at_keyword("AND"):
            self.advance()
            node = And(node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.at_keyword("NOT"):
            self.advance()
            return Not(self.parse_unary())
        if self.token.kind == "(":
            opening = self.advance()
            node = self.parse_or()
            if self.token.kind != ")":
                found = _describe(self.token)
                raise QueryError(
                    f"expected ')' for the '(' opened at position {opening.position}, found {found}",
                    self.token.position,
                )
            self.advance()
            return node
        return self.parse_comparison()

    def parse_comparison(self) -> Comparison:
        token = self.advance()
        if token.kind != "WORD":
            raise QueryError(f"expected a subject, found {_describe(token)}", token.position)
        subject, allowed = _subject(token)
        op_token = self.advance()
        op = _operator(op_token)
        if op is None:
            raise QueryError(
                f"expected an operator after '{token.text}', found {_describe(op_token)}", op_token.position
            )
        if op not in allowed:
            raise QueryError(
                f"operator '{op_token.text}' cannot be used with '{token.text}' "
                f"(valid: {', '.join(allowed)})",
                op_token.position,
            )
        if op in _EXISTS:
            arguments: tuple[str, ...] = ()
        elif op in _SET:
            values = self.parse_list(op_token)
            for value in values:
                _check_argument(subject, op, value)
            arguments = tuple(value.text for value in values)
        else:
            value = self.advance()
            if value.kind == "[":
                raise QueryError(f"operator '{op_token.text}' takes one value, not a list", value.position)
            if value.kind not in ("WORD", "STRING"):
                raise QueryError(
                    f"expected a value after '{op_token.text}', found {_describe(value)}", value.position
                )
            arguments = (value.text,)
            _check_argument(subject, op, value)
        return Comparison(subject, op, arguments, token.position)

    def parse_list(self, op_token: _Token) -> list[_Token]:
        if self.token.kind in ("WORD", "STRING"):  # a lone value is a one-element list
            return [self.advance()]
        opening = self.advance()
        if opening.kind != "[":
            raise QueryError(
                f"expected a list like [a, b] after '{op_token.text}', found {_describe(opening)}",
                opening.position,
            )
        values: list[_Token] = []
        while True:
            value = self.advance()
            if value.kind not in ("WORD", "STRING"):
                if value.kind == "END":
                    raise QueryError(f"unclosed '[' (opened at position {opening.position})", value.position)
                raise QueryError(f"expected a list value, found {_describe(value)}", value.position)
            values.append(value)
            separator = self.advance()
            if separator.kind == "]":
                return values
            if separator.kind != ",":
                if separator.kind == "END":
                    raise QueryError(
                        f"unclosed '[' (opened at position {opening.position})", separator.position
                    )
                raise QueryError(
                    f"expected ',' or ']' in list, found {_describe(separator)}", separator.position
                )


def _describe(token: _Token) -> str:
    if token.kind == "END":
        return "the end of the expression"
    if token.kind == "STRING":
        return f"string {token.text!r}"
    return f"'{token.text}'"


def _subject(token: _Token) -> tuple[str, tuple[str, ...]]:
    text = token.text
    if text[:10].lower() == "attribute:":
        name = text[10:]
        if not name:
            raise QueryError("missing attribute name after 'attribute:'", token.position)
        return "attribute:" + name, _SUBJECT_OPERATORS["attribute:"]
    canonical = _SUBJECTS_BY_LOWER.get(text.lower())
    if canonical is None:
        raise QueryError(
            f"unknown subject '{text}' (expected attribute:<name>, "
            f"{', '.join(sorted(_SUBJECTS_BY_LOWER.values()))})",
            token.position,
        )
    return canonical, _SUBJECT_OPERATORS[canonical]


def _operator(token: _Token) -> str | None:
    if token.kind == "OP":
        return token.text
    if token.kind == "WORD":
        return _WORD_OPERATORS.get(token.text.lower())
    return None


def _check_argument(subject: str, op: str, value: _Token) -> None:
    """Reject at parse time what could never compare: bad regexes, times, numbers, booleans."""
    text = value.text
    if op in _MATCH:
        try:
            re.compile(text)
        except re.error as e:
            raise QueryError(f"invalid regular expression {text!r}: {e.msg}", value.position) from None
    elif subject == "registeredAt" and _timestamp(text) is None:
        raise QueryError(
            f"invalid time {text!r} (use ISO-8601 like 2018-06-18T22:28:28Z or epoch seconds)", value.position
        )
    elif subject == "runningTasksCount" and _number(text) is None:
        raise QueryError(f"invalid number {text!r}", value.position)
    elif subject == "agentConnected" and text.lower() not in ("true", "false"):
        raise QueryError(f"agentConnected takes true or false, not {text!r}", value.position)


# --- values --------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_VERSION_RE = re.compile(r"v?(\d+(?:\.\d+)*)")


def _number(text: str) -> float | None:
    return float(text) if _NUMBER_RE.fullmatch(text) else None


def _version(text: str) -> tuple[int, ...] | None:
    match = _VERSION_RE.fullmatch(text)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def _timestamp(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _ordering_key(subject: str) -> Callable[[str], object]:
    """How ordering operators read a string: as a version for agentVersion, else as a number.

    When the key returns None for either side, the two sides are compared as plain strings."""
    if subject == "agentVersion":
        return _version
    return _number


# --- compiler ------------------------------------------------------------------------------------


def _compile(node: Node) -> Predicate:
    match node:
        case And(left=left, right=right):
            lhs, rhs = _compile(left), _compile(right)
            return lambda s: lhs(s) and rhs(s)
        case Or(left=left, right=right):
            lhs, rhs = _compile(left), _compile(right)
            return lambda s: lhs(s) or rhs(s)
        case Not(operand=operand):
            inner = _compile(operand)
            return lambda s: not inner(s)
        case Comparison(operator=op) if op in _NEGATED:
            positive = _compile_comparison(Comparison(node.subject, _NEGATED[op], node.arguments))
            return lambda s: not positive(s)
        case Comparison():
            return _compile_comparison(node)
    raise AssertionError(node)  # pragma: no cover


def _compile_comparison(c: Comparison) -> Predicate:
    if c.subject == "task:group":
        return _compile_groups(c)
    if c.subject in ("runningTasksCount", "registeredAt"):
        return _compile_numeric(c)
    if c.subject.startswith("attribute:") and c.operator == "exists":
        name = c.subject[10:]
        return lambda s: name in s.attributes
    return _compile_scalar(c)


def _compile_groups(c: Comparison) -> Predicate:
    op, args = c.operator, c.arguments
    if op == "==":
        wanted = args[0]
        return lambda s: wanted in s.task_groups
    if op == "in":
        return lambda s: any(group in s.task_groups for group in args)
    if op == "=~":
        pattern = re.compile(args[0])
        return lambda s: any(pattern.fullmatch(group) for group in s.task_groups)
    assert op == "exists", op
    return lambda s: len(s.task_groups) > 0


def _compile_numeric(c: Comparison) -> Predicate:
    convert = _timestamp if c.subject == "registeredAt" else _number
    values = [convert(a) for a in c.arguments]
    numbers = [v for v in values if v is not None]
    getter: Callable[[QuerySubject], float]
    if c.subject == "registeredAt":
        getter = operator.attrgetter("registered_at")
    else:
        getter = operator.attrgetter("running_tasks_count")
    op = c.operator
    if op in ("==", "in"):
        return lambda s: any(math.isclose(getter(s), n, rel_tol=0.0, abs_tol=1e-9) for n in numbers)
    compare = _ORDERING_OPS[op]
    number = numbers[0]
    return lambda s: compare(getter(s), number)


_ORDERING_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _scalar_getter(subject: str) -> Callable[[QuerySubject], str | None]:
    if subject.startswith("attribute:"):
        name = subject[10:]
        return lambda s: s.attributes.get(name)
    if subject == "agentConnected":
        return lambda s: "true" if s.agent_connected else "false"
    attribute = {
        "agentVersion": "agent_version",
        "ec2InstanceId": "ec2_instance_id",
        "instanceId": "instance_id",
    }
    return operator.attrgetter(attribute[subject])


def _compile_scalar(c: Comparison) -> Predicate:
    get = _scalar_getter(c.subject)
    op = c.operator
    args = (
        tuple(a.lower() for a in c.arguments) if c.subject == "agentConnected" and op != "=~" else c.arguments
    )
    if op == "==":
        wanted = args[0]
        return lambda s: get(s) == wanted
    if op == "in":
        allowed = frozenset(args)
        return lambda s: get(s) in allowed
    if op == "=~":
        pattern = re.compile(args[0])

        def matches(s: QuerySubject) -> bool:
            value = get(s)
            return value is not None and pattern.fullmatch(value) is not None

        return matches
    compare = _ORDERING_OPS[op]
    key = _ordering_key(c.subject)
    argument = args[0]
    argument_key = key(argument)

    def ordered(s: QuerySubject) -> bool:
        value = get(s)
        if value is None:
            return False
        value_key = key(value) if argument_key is not None else None
        if value_key is not None:
            return compare(value_key, argument_key)
        return compare(value, argument)

    return ordered


# --- entry points --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> Expr:
    """Parse and compile `expression`; raises QueryError. Cached: parsing the same text is free."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise QueryError(
            f"expression is longer than {MAX_EXPRESSION_LENGTH} characters", MAX_EXPRESSION_LENGTH
        )
    root = _Parser(expression).parse()
    return Expr(expression, root, _compile(root))


def validate(expression: str) -> None:
    """Raise QueryError when `expression` is not a valid cluster query (for API validation)."""
    parse(expression)
