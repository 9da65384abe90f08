"""IAM policy documents: parsed and checked once, then matched many times. Pure: no I/O, no clock.

berth takes identity policies exactly as IAM writes them:

    {"Version": "2012-10-17",
     "Statement": [{"Sid": "RunOnA", "Effect": "Allow", "Action": ["ecs:RunTask", "ecs:Describe*"],
                    "Resource": "arn:aws:ecs:*:*:cluster/a",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}}]}

`parse()` refuses a malformed document with every problem at once, each named by its JSON path
(`Statement[1].Effect`). What it returns is compiled for matching: globs (`*`, `?`) become regular
expressions once; action names match case-insensitively, resources case-sensitively, as IAM does.
Policy variables (`${aws:username}`, `${ecs:cluster}`, and the `${*}` `${?}` `${$}` escapes) in
resources and condition values are filled from the request context when a request is matched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from berth.errors import FieldViolation, InvalidArgument, shown

VERSIONS = ("2012-10-17", "2008-10-17")
MAX_DOCUMENT_BYTES = 6144  # IAM's limit for a managed policy (inline user policies: 2,048)
# A context value: one string, or several for a multi-valued key (aws:TagKeys).
ContextValue = str | Sequence[str]
Context = Mapping[str, ContextValue]

_STRING_OPS = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
}
_NUMERIC_OPS = {
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
}
OPERATORS = frozenset(_STRING_OPS | _NUMERIC_OPS | {"Bool", "Null"})
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Glob:
    """An IAM wildcard pattern: `*` any run of characters (`/` and `:` included), `?` one."""

    __slots__ = ("_any", "_literal", "_regex", "_tail", "text")

    def __init__(self, text: str, *, ignore_case: bool) -> None:
        self.text = text
        self._any = text == "*"
        wild = "*" in text or "?" in text
        self._literal: str | None = None if wild else (text.lower() if ignore_case else text)
        self._regex: re.Pattern[str] | None = None
        # What follows the last wildcard: a cheap test that turns most misses away before the regex.
        tail = re.split(r"[*?]", text)[-1]
        self._tail = tail.lower() if ignore_case else tail
        if wild and not self._any:
            body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
            self._regex = re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))

    def match(self, value: str) -> bool:
        """`value` already lower-cased by the caller when the glob ignores case."""
        if self._any:
            return True
        if self._literal is not None:
            return value == self._literal
        assert self._regex is not None
        return value.endswith(self._tail) and self._regex.fullmatch(value) is not None

    @property
    def literal(self) -> str | None:
        return self._literal


def substitute(text: str, context: Context) -> str | None:
    """`text` with its policy variables filled in from `context`; None when one has no value."""
    if "${" not in text:
        return text
    missing = False

    def fill(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        if name in _ESCAPES:
            return _ESCAPES[name]
        value = context.get(name)
        if not isinstance(value, str):
            missing = True
            return ""
        return value

    out = _VARIABLE.sub(fill, text)
    return None if missing else out


@dataclass(frozen=True, slots=True)
class Condition:
    """One `"Operator": {"key": values}` pair of a Condition block (all of a block's pairs must hold)."""

    operator: str  # the base operator: StringEquals, NumericLessThan, Bool, Null, ...
    key: str
    values: tuple[str, ...]
    if_exists: bool = False
    quantifier: str = ""  # "", ForAnyValue or ForAllValues

    def holds(self, context: Context) -> bool:
        raw = context.get(self.key)
        if self.operator == "Null":
            absent = raw is None or (not isinstance(raw, str) and len(raw) == 0)
            return any((v.lower() == "true") == absent for v in self.values)
        negated = "Not" in self.operator
        if raw is None:
            if self.quantifier == "ForAllValues":
                return True  # every one of no values matches
            return self.if_exists or negated
        present = [raw] if isinstance(raw, str) else list(raw)
        if self.quantifier == "ForAllValues":
            return all(self._one(v, context) for v in present)
        return any(self._one(v, context) for v in present)

    def _one(self, value: str, context: Context) -> bool:
        """Whether one context value satisfies the operator against the condition's values."""
        op = self.operator
        if op == "Bool":
            return any(value.lower() == v.lower() for v in self.values)
        if op in _NUMERIC_OPS:
            try:
                number = float(value)
            except ValueError:
                return False
            found = any(_compare(op, number, float(v)) for v in self.values)
            return not found if op == "NumericNotEquals" else found
        negated = "Not" in op
        base = op.replace("Not", "")
        hit = False
        for raw in self.values:
            wanted = substitute(raw, context)
            if wanted is None:
                continue
            if base == "StringEqualsIgnoreCase":
                hit = value.lower() == wanted.lower()
            elif base in ("StringLike", "ArnLike", "ArnEquals"):
                hit = Glob(wanted, ignore_case=False).match(value)
            else:
                hit = value == wanted
            if hit:
                break
        return not hit if negated else hit


def _compare(op: str, a: float, b: float) -> bool:
    if op in ("NumericEquals", "NumericNotEquals"):
        return a == b
    if op == "NumericLessThan":
        return a < b
    if op == "NumericLessThanEquals":
        return a <= b
    if op == "NumericGreaterThan":
        return a > b
    return a >= b


@dataclass(frozen=True, slots=True)
class Statement:
    where: str  # "<policy name> Statement[2]" (or the Sid), for explanations
    allow: bool
    actions: tuple[Glob, ...]
    not_action: bool
    resources: tuple[Glob, ...]
    not_resource: bool
    conditions: tuple[Condition, ...]
    variables: bool  # some resource has a policy variable

    def matches_action(self, action_lower: str) -> bool:
        hit = any(g.match(action_lower) for g in self.actions)
        return not hit if self.not_action else hit

    def matches_resource(self, resource: str, context: Context) -> bool:
        if self.variables:
            hit = False
            for g in self.resources:
                text = substitute(g.text, context)
                if text is not None and Glob(text, ignore_case=False).match(resource):
                    hit = True
                    break
        else:
            hit = any(g.match(resource) for g in self.resources)
        return not hit if self.not_resource else hit

    def matches_conditions(self, context: Context) -> bool:
        return all(c.holds(context) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]


def parse(name: str, document: str | Mapping[str, Any]) -> Policy:
    """A policy document (JSON text or already decoded), checked and compiled; InvalidArgument
    naming every bad JSON path otherwise."""
    problems: list[FieldViolation] = []
    if isinstance(document, str):
        if len(document.encode()) > MAX_DOCUMENT_BYTES:
            raise InvalidArgument.field(
                "PolicyDocument", f"is {len(document.encode())} bytes; at most {MAX_DOCUMENT_BYTES}"
            )
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as e:
            raise InvalidArgument.field("PolicyDocument", f"is not JSON: {e}") from None
    if not isinstance(document, Mapping):
        raise InvalidArgument.field("PolicyDocument", "must be a JSON object")
    for key in document:
        if key not in ("Version", "Id", "Statement"):
            problems.append(FieldViolation(str(key), "is not a policy element (Version, Id, Statement)"))
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        problems.append(
            FieldViolation("Version", f"must be one of {', '.join(VERSIONS)}, got {_show(version)}")
        )
    raw = document.get("Statement")
    if raw is None:
        problems.append(FieldViolation("Statement", "is required"))
        raw = []
    listed = raw if isinstance(raw, list) else [raw]
    if not listed and "Statement" in document:
        problems.append(FieldViolation("Statement", "must hold at least one statement"))
    statements = []
    sids: set[str] = set()
    for i, s in enumerate(listed):
        path = f"Statement[{i}]" if isinstance(raw, list) else "Statement"
        statement = _statement(name, path, s, problems)
        if statement is not None:
            sid = s.get("Sid") if isinstance(s, Mapping) else None
            if isinstance(sid, str) and sid:
                if sid in sids:
                    problems.append(FieldViolation(f"{path}.Sid", f"{sid!r} is used twice"))
                sids.add(sid)
            statements.append(statement)
    if problems:
        raise InvalidArgument(problems, ecs_type="MalformedPolicyDocumentException")
    return Policy(name, tuple(statements))


def _show(value: object) -> str:
    return shown(json.dumps(value)) if not isinstance(value, str) else repr(shown(value))


def _strings(path: str, value: object, problems: list[FieldViolation]) -> list[str] | None:
    items = value if isinstance(value, list) else [value]
    if not items:
        problems.append(FieldViolation(path, "must not be empty"))
        return None
    out = []
    for j, item in enumerate(items):
        if not isinstance(item, str) or not item:
            where = f"{path}[{j}]" if isinstance(value, list) else path
            problems.append(FieldViolation(where, f"must be a non-empty string, got {_show(item)}"))
            return None
        out.append(item)
    return out


def _statement(policy: str, path: str, s: object, problems: list[FieldViolation]) -> Statement | None:
    if not isinstance(s, Mapping):
        problems.append(FieldViolation(path, "must be a JSON object"))
        return None
    before = len(problems)
    allowed = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
    for key in s:
        if key in ("Principal", "NotPrincipal"):
            problems.append(FieldViolation(f"{path}.{key}", "has no place in an identity policy"))
        elif key not in allowed:
            problems.append(FieldViolation(f"{path}.{key}", "is not a statement element"))
    sid = s.get("Sid", "")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9]*", sid):
        problems.append(FieldViolation(f"{path}.Sid", f"must be letters and digits, got {_show(sid)}"))
    effect = s.get("Effect")
    if effect not in ("Allow", "Deny"):
        problems.append(FieldViolation(f"{path}.Effect", f'must be "Allow" or "Deny", got {_show(effect)}'))
    actions, not_action = _pair(path, s, "Action", problems)
    action_globs = []
    for j, a in enumerate(actions or []):
        if a != "*" and not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+", a):
            problems.append(
                FieldViolation(
                    f"{path}.{'NotAction' if not_action else 'Action'}[{j}]",
                    f"must be service:Action (globs * and ? allowed), got {a!r}",
                )
            )
        action_globs.append(Glob(a.lower(), ignore_case=True))
    resources, not_resource = _pair(path, s, "Resource", problems)
    for j, r in enumerate(resources or []):
        if r != "*" and not r.startswith("arn:"):
            problems.append(
                FieldViolation(
                    f"{path}.{'NotResource' if not_resource else 'Resource'}[{j}]",
                    f'must be an ARN (arn:…) or "*", got {r!r}',
                )
            )
    conditions = _conditions(f"{path}.Condition", s.get("Condition"), problems)
    if len(problems) > before or actions is None or resources is None:
        return None
    where = f"{policy} {path}" + (f" ({sid})" if sid else "")
    return Statement(
        where=where,
        allow=effect == "Allow",
        actions=tuple(action_globs),
        not_action=not_action,
        resources=tuple(Glob(r, ignore_case=False) for r in resources),
        not_resource=not_resource,
        conditions=conditions,
        variables=any("${" in r for r in resources),
    )


def _pair(
    path: str, s: Mapping[str, Any], element: str, problems: list[FieldViolation]
) -> tuple[list[str] | None, bool]:
    """The values of `element` or of `Not<element>` (exactly one of them must be there)."""
    has, has_not = element in s, f"Not{element}" in s
    if has and has_not:
        problems.append(FieldViolation(f"{path}.Not{element}", f"cannot be given with {element}"))
        return None, False
    if not has and not has_not:
        problems.append(FieldViolation(f"{path}.{element}", "is required (or Not" + element + ")"))
        return None, False
    key = element if has else f"Not{element}"
    return _strings(f"{path}.{key}", s[key], problems), has_not


def _conditions(path: str, block: object, problems: list[FieldViolation]) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        problems.append(FieldViolation(path, "must be a JSON object of operators"))
        return ()
    out = []
    for op_text, pairs in block.items():
        where = f"{path}.{op_text}"
        quantifier, _, op = str(op_text).rpartition(":")
        if quantifier not in ("", "ForAnyValue", "ForAllValues"):
            problems.append(
                FieldViolation(where, f"unknown set operator {quantifier!r} (ForAnyValue, ForAllValues)")
            )
            continue
        if_exists = op.endswith("IfExists") and op != "IfExists"
        base = op.removesuffix("IfExists") if if_exists else op
        if base not in OPERATORS or (if_exists and base == "Null"):
            problems.append(FieldViolation(where, f"unknown condition operator {op!r}"))
            continue
        if not isinstance(pairs, Mapping) or not pairs:
            problems.append(FieldViolation(where, "must be a JSON object of condition keys"))
            continue
        for key, value in pairs.items():
            key_path = f"{where}.{key}"
            if not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9/_.:+=@-]+", str(key)):
                problems.append(FieldViolation(key_path, "must be a condition key such as ecs:cluster"))
                continue
            values = value if isinstance(value, list) else [value]
            if not values:
                problems.append(FieldViolation(key_path, "must have at least one value"))
                continue
            texts = []
            for j, v in enumerate(values):
                if isinstance(v, bool):
                    v = "true" if v else "false"
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    v = str(v)
                if not isinstance(v, str):
                    problems.append(FieldViolation(f"{key_path}[{j}]", f"must be a string, got {_show(v)}"))
                    break
                if base in _NUMERIC_OPS and not _is_number(v):
                    problems.append(FieldViolation(f"{key_path}[{j}]", f"must be a number, got {v!r}"))
                    break
                if base in ("Bool", "Null") and v.lower() not in ("true", "false"):
                    problems.append(
                        FieldViolation(f"{key_path}[{j}]", f'must be "true" or "false", got {v!r}')
                    )
                    break
                texts.append(v)
            else:
                out.append(Condition(base, str(key), tuple(texts), if_exists, quantifier))
    return tuple(out)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
