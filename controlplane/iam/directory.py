"""The users and policies the authorizer decides with, kept in memory from etcd.

Mirrors of `keys.IAM_USERS`, `keys.IAM_POLICIES` and `keys.TAGS` (for `aws:ResourceTag/*`) on every
replica. A user's policies (inline ones and attached managed ones, the built-in ones included) are
parsed once into a `PolicySet` and kept until a user or a managed policy changes, so a decision
costs no etcd read and no JSON parse.
"""

from __future__ import annotations

import json

import structlog

from berth.errors import InvalidArgument
from berth.v1 import iam_pb2, store_pb2
from controlplane.iam.evaluate import PolicySet
from controlplane.iam.policy import Policy, parse
from controlplane.state.mirror import Mirror, MirrorSet
from controlplane.store import EtcdStore, keys

log = structlog.get_logger("berth.iam")

BUILTIN_ACCOUNT = "aws"
_ALL_USER_SERVICES = [
    "ecs:*",
    "servicediscovery:*",
    "application-autoscaling:*",
    "elasticloadbalancing:*",
    "berth:*",
]
_READ = [
    "ecs:Describe*",
    "ecs:List*",
    "ecs:Get*",
    "ecs:Watch*",
    "servicediscovery:Get*",
    "servicediscovery:List*",
    "servicediscovery:Discover*",
    "application-autoscaling:Describe*",
    "elasticloadbalancing:Describe*",
    "iam:Get*",
    "iam:List*",
    "berth:Get*",
    "berth:List*",
    "berth:Watch*",
]
# The managed policies every account has (AWS's names), as (description, document).
BUILTIN: dict[str, tuple[str, dict[str, object]]] = {
    "AdministratorAccess": (
        "Full access to everything, IAM included",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    ),
    "AmazonECS_FullAccess": (
        "Full access to ECS, service discovery, autoscaling and load balancers (not IAM)",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": _ALL_USER_SERVICES, "Resource": "*"}],
        },
    ),
    "ReadOnlyAccess": (
        "Describe, list, get and watch everything",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": _READ, "Resource": "*"}]},
    ),
}


def builtin_arn(name: str) -> str:
    return f"arn:aws:iam::{BUILTIN_ACCOUNT}:policy/{name}"


_BUILTIN_PARSED = {builtin_arn(name): parse(name, doc) for name, (_, doc) in BUILTIN.items()}


def builtin_policies() -> list[iam_pb2.ManagedPolicy]:
    return [
        iam_pb2.ManagedPolicy(
            policy_name=name,
            policy_id=f"ANPA{name.upper()[:16]}",
            arn=builtin_arn(name),
            description=description,
            policy_document=json.dumps(doc),
        )
        for name, (description, doc) in BUILTIN.items()
    ]


class Directory(MirrorSet):
    def __init__(self, store: EtcdStore) -> None:
        self.users = Mirror(store, keys.IAM_USERS, iam_pb2.User)
        self.roles = Mirror(store, keys.IAM_ROLES, iam_pb2.Role)
        self.policies = Mirror(store, keys.IAM_POLICIES, iam_pb2.ManagedPolicy)
        self.tags = Mirror(store, keys.TAGS, store_pb2.TagSet)
        self.mirrors: list[Mirror] = [self.users, self.roles, self.policies, self.tags]  # type: ignore[type-arg]
        self._sets: dict[str, PolicySet] = {}
        self.users.subscribe(self._forget)
        self.roles.subscribe(self._forget)
        self.policies.subscribe(self._forget)

    def _forget(self, key: str, old: object, new: object) -> None:
        self._sets.clear()  # users and policies change rarely; decisions are rebuilt lazily

    def user(self, name: str) -> iam_pb2.User | None:
        record = self.users.items.get(keys.iam_user(name))
        return record.value if record is not None else None

    def managed(self, policy_arn: str) -> Policy | None:
        """A managed policy by ARN, parsed (the built-in ones included); None when there is none."""
        if policy_arn in _BUILTIN_PARSED:
            return _BUILTIN_PARSED[policy_arn]
        name = policy_arn.rsplit("/", 1)[-1]
        record = self.policies.items.get(keys.iam_policy(name))
        if record is None or record.value.arn != policy_arn:
            return None
        try:
            return parse(name, record.value.policy_document)
        except InvalidArgument as e:
            log.warning("iam_policy_unreadable", policy=policy_arn, error=e.message)
            return None

    def policy_set(self, user_name: str) -> PolicySet | None:
        """The parsed policies of a user; None when there is no such user."""
        return self._policy_set(keys.iam_user(user_name), self.users)

    def role(self, role_arn: str) -> iam_pb2.Role | None:
        """A role by ARN; None when there is none."""
        record = self.roles.items.get(keys.iam_role(role_arn.rsplit("/", 1)[-1]))
        return record.value if record is not None and record.value.arn == role_arn else None

    def role_policy_set(self, role_arn: str) -> PolicySet | None:
        """The parsed policies of a role (by ARN); None when there is no such role."""
        if self.role(role_arn) is None:
            return None
        return self._policy_set(keys.iam_role(role_arn.rsplit("/", 1)[-1]), self.roles)

    def _policy_set(self, key: str, mirror: Mirror) -> PolicySet | None:  # type: ignore[type-arg]
        cached = self._sets.get(key)
        if cached is not None:
            return cached
        record = mirror.items.get(key)
        if record is None:
            return None
        holder = record.value
        policies = []
        for name, document in sorted(holder.inline_policies.items()):
            try:
                policies.append(parse(name, document))
            except InvalidArgument as e:  # checked when stored; a bad one allows nothing
                log.warning("iam_policy_unreadable", holder=key, policy=name, error=e.message)
        for policy_arn in holder.attached_policy_arns:
            managed = self.managed(policy_arn)
            if managed is not None:
                policies.append(managed)
        found = self._sets[key] = PolicySet(policies)
        return found

    def resource_tags(self, resource_arn: str) -> dict[str, str]:
        record = self.tags.items.get(keys.tags(resource_arn))
        return {t.key: t.value for t in record.value.tags} if record is not None else {}
