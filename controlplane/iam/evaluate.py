"""Authorization decisions over a set of policies, as IAM evaluates identity policies. Pure.

A request is an action (`ecs:RunTask`), a resource ARN and a context (`ecs:cluster`,
`aws:ResourceTag/team`, `aws:username`, ...). The decision:

1. an explicit Deny in any statement that matches wins;
2. otherwise an Allow that matches allows;
3. otherwise the request is denied implicitly: nothing is allowed unless a policy allows it.

A statement matches when its Action (or NotAction), its Resource (or NotResource) and every one of
its conditions match. `Decision` says which statement decided, for error messages and the policy
simulator. `PolicySet` indexes its statements by action name, so a principal with many policies
is not scanned whole for every call: only the statements whose actions can match are looked at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from controlplane.iam.policy import Context, Policy, Statement

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # allowed | explicitDeny | implicitDeny
    action: str
    resource: str
    statement: str = ""  # where the deciding statement is ("" for an implicit deny)

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOWED

    def explain(self) -> str:
        if self.outcome == ALLOWED:
            return f"{self.action} on {self.resource} is allowed by {self.statement}"
        if self.outcome == EXPLICIT_DENY:
            return f"{self.action} on {self.resource} is denied explicitly by {self.statement}"
        return f"{self.action} on {self.resource} is denied: no policy allows it"


class PolicySet:
    """The policies of one principal, indexed for decisions."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies = tuple(policies)
        # Statements in document order, each under the one key that finds it: the literal action
        # (lower case), the service of an action glob ("ecs"), or "" (matches any action).
        self._by_action: defaultdict[str, list[tuple[int, Statement]]] = defaultdict(list)
        self._by_service: defaultdict[str, list[tuple[int, Statement]]] = defaultdict(list)
        self._always: list[tuple[int, Statement]] = []
        order = 0
        for policy in self.policies:
            for statement in policy.statements:
                self._index(order, statement)
                order += 1
        self._cache: dict[str, list[Statement]] = {}

    def _index(self, order: int, statement: Statement) -> None:
        entry = (order, statement)
        if statement.not_action:
            self._always.append(entry)
            return
        for glob in statement.actions:
            literal = glob.literal
            if literal is not None:
                self._by_action[literal].append(entry)
                continue
            service, _, rest = glob.text.partition(":")
            if "*" in service or "?" in service or not rest:
                self._always.append(entry)
            else:
                self._by_service[service].append(entry)

    def candidates(self, action_lower: str) -> list[Statement]:
        """The statements whose Action can match `action_lower`, in document order, once each."""
        found = self._cache.get(action_lower)
        if found is None:
            service = action_lower.partition(":")[0]
            entries = self._by_action.get(action_lower, []) + self._by_service.get(service, []) + self._always
            seen: set[int] = set()
            found = []
            for order, statement in sorted(entries, key=lambda e: e[0]):
                if order not in seen and statement.matches_action(action_lower):
                    seen.add(order)
                    found.append(statement)
            if len(self._cache) < 4096:
                self._cache[action_lower] = found
        return found

    def decide(self, action: str, resource: str, context: Context | None = None) -> Decision:
        context = context or {}
        allowed_by: Statement | None = None
        for statement in self.candidates(action.lower()):
            if allowed_by is not None and statement.allow:
                continue  # already allowed: only a Deny can change the outcome
            if not statement.matches_resource(resource, context):
                continue
            if not statement.matches_conditions(context):
                continue
            if not statement.allow:
                return Decision(EXPLICIT_DENY, action, resource, statement.where)
            allowed_by = statement
        if allowed_by is not None:
            return Decision(ALLOWED, action, resource, allowed_by.where)
        return Decision(IMPLICIT_DENY, action, resource)
