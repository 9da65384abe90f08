"""Authentication and authorization (the IAM stand-in).

Callers present an access key: over gRPC as `authorization: Bearer <accessKeyId>.<secret>`, on the
ECS JSON endpoint as an AWS SigV4 signature made with the same key. Both resolve to a `Principal`.
Authorization is a separate step (`Authorizer.check`) given the principal and an IAM-style action
(`ecs:CreateCluster`), so that policies can be attached to principals without touching callers.

On first start the control plane creates an admin access key (exactly once, even with several
replicas starting together: create-if-absent in etcd) and an agent join token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass

from google.protobuf.message import Message

from berth.arn import ArnFactory
from berth.errors import AlreadyExists, Conflict, PermissionDenied, Unauthenticated
from berth.v1 import store_pb2
from controlplane.iam import resources
from controlplane.iam.directory import Directory
from controlplane.iam.evaluate import EXPLICIT_DENY, Decision, PolicySet
from controlplane.store import EtcdStore, Put, keys

ADMIN = "admin"
ADMIN_POLICY = "AdministratorAccess"
_CACHE_SECONDS = 5.0
JOIN_PREFIX = "bjt_"
REPLICA_PREFIX = "brt_"
# A call forwarded by another replica (controlplane.replicas) names the principal it acts for, and
# the replica that forwarded it.
FORWARDED_FOR = "x-berth-forwarded-for"
FORWARDED_BY = "x-berth-forwarded-by"
# The API services whose actions (`<service>:<Rpc>`) AdministratorAccess allows.
# `berth:` names berth's own actions that no AWS service has: the HTTP port's /metrics and /sd/*
# (controlplane.http) and reading the audit trail (controlplane.audit).
USER_SERVICES = frozenset(
    {
        "ecs",
        "servicediscovery",
        "application-autoscaling",
        "elasticloadbalancing",
        "iam",
        "secretsmanager",
        "berth",
    }
)
# ECS actions an agent may perform, on its own container instance only (the handlers check that):
# `berth-agent --drain-on-stop` drains its instance when it stops and makes it ACTIVE again later.
AGENT_ECS_ACTIONS = frozenset({"ecs:DescribeContainerInstances", "ecs:UpdateContainerInstancesState"})


@dataclass(frozen=True)
class Principal:
    """Who is calling. `kind` is "user" for access keys, "agent" for a container instance's agent,
    "join" for a caller holding only the agent join token."""

    name: str
    kind: str = "user"
    access_key_id: str = ""
    policies: tuple[str, ...] = ()
    instance_arn: str = ""
    via: str = ""  # the replica that forwarded this call, if one did

    @property
    def arn(self) -> str:
        return f"arn:berth:iam::{self.kind}/{self.name}"


ANONYMOUS = Principal("anonymous", kind="anonymous")


def encode_principal(p: Principal) -> str:
    return json.dumps(
        {
            "name": p.name,
            "kind": p.kind,
            "accessKeyId": p.access_key_id,
            "policies": list(p.policies),
            "instanceArn": p.instance_arn,
        },
        separators=(",", ":"),
    )


def decode_principal(value: str, via: str) -> Principal:
    try:
        d = json.loads(value)
        return Principal(
            name=str(d["name"]),
            kind=str(d["kind"]),
            access_key_id=str(d.get("accessKeyId", "")),
            policies=tuple(str(x) for x in d.get("policies", ())),
            instance_arn=str(d.get("instanceArn", "")),
            via=via or "a replica",
        )
    except (ValueError, KeyError, TypeError):
        raise Unauthenticated(f"the forwarded principal ({FORWARDED_FOR}) is not valid") from None


def new_access_key(principal: str, policies: tuple[str, ...]) -> store_pb2.AccessKey:
    return store_pb2.AccessKey(
        access_key_id="BKIA" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30),
        principal=principal,
        status="Active",
        created_at=time.time(),
        policies=list(policies),
    )


def bearer_token(key: store_pb2.AccessKey) -> str:
    return f"{key.access_key_id}.{key.secret_access_key}"


class Authenticator:
    """Resolves credentials to principals, with a short cache so the hot path skips etcd."""

    def __init__(self, store: EtcdStore) -> None:
        self._store = store
        self._cache: dict[str, tuple[float, store_pb2.AccessKey | None]] = {}
        self._join: tuple[float, str] | None = None
        self._replica: tuple[float, str] | None = None

    async def access_key(self, key_id: str) -> store_pb2.AccessKey | None:
        now = time.monotonic()
        hit = self._cache.get(key_id)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        record = await self._store.get(keys.access_key(key_id), store_pb2.AccessKey)
        value = record.value if record and record.value.status == "Active" else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_id] = (now, value)
        return value

    async def join_token(self) -> str:
        now = time.monotonic()
        if self._join is None or now - self._join[0] > _CACHE_SECONDS:
            record = await self._store.get(keys.JOIN_TOKEN, store_pb2.AccessKey)
            self._join = (now, record.value.secret_access_key if record else "")
        return self._join[1]

    async def replica_token(self) -> str:
        if self._replica is None or not self._replica[1]:
            record = await self._store.get(keys.REPLICA_TOKEN, store_pb2.AccessKey)
            self._replica = (time.monotonic(), record.value.secret_access_key if record else "")
        return self._replica[1]

    def forget(self, key_id: str) -> None:
        """Drop a cached key (it was just deleted or replaced)."""
        self._cache.pop(key_id, None)

    async def from_bearer(
        self, authorization: str | None, forwarded_for: str | None = None, forwarded_by: str | None = None
    ) -> Principal:
        """The caller of a gRPC call. A call another replica forwarded (its token and the
        principal it acts for) is that principal's, marked with the replica it came through."""
        if not authorization:
            raise Unauthenticated("missing credentials: send the header 'authorization: Bearer <token>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("the authorization header must be 'Bearer <token>'")
        token = token.strip()
        if token.startswith(REPLICA_PREFIX):
            expected = await self.replica_token()
            if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
                raise Unauthenticated("the replica token is not valid")
            if not forwarded_for:
                raise Unauthenticated(
                    f"a replica's call must name the principal it acts for ({FORWARDED_FOR})"
                )
            return decode_principal(forwarded_for, forwarded_by or "")
        if token.startswith(JOIN_PREFIX):
            if await self.join_token() == token:
                return Principal("agents", kind="join")
            raise Unauthenticated("the join token is not valid")
        key_id, _, secret = token.partition(".")
        key = await self.access_key(key_id) if key_id and secret else None
        if key is None or not hmac.compare_digest(key.secret_access_key.encode(), secret.encode()):
            raise Unauthenticated("the token is not valid")
        return principal_of(key)


def principal_of(key: store_pb2.AccessKey) -> Principal:
    """ "admin" is the user admin; "agent:<cluster>/<instanceId>" the agent of that instance."""
    kind, _, name = key.principal.partition(":") if ":" in key.principal else ("user", "", key.principal)
    return Principal(name=name, kind=kind, access_key_id=key.access_key_id, policies=tuple(key.policies))


class Authorizer:
    """Decides whether a principal may perform an action on the resources of a request.

    The admin access key (AdministratorAccess) may do every action of USER_SERVICES; agents
    `agent:` actions and AGENT_ECS_ACTIONS. IAM users are decided by their policies
    (controlplane.iam): every resource the request names must be allowed, an explicit Deny wins,
    and nothing is allowed unless a policy allows it."""

    def __init__(self, directory: Directory | None = None, arns: ArnFactory | None = None) -> None:
        self.directory = directory
        self.arns = arns or ArnFactory()

    def check(self, principal: Principal, action: str, request: Message | None = None) -> None:
        service = action.split(":", 1)[0]
        if principal.kind == "user" and service in USER_SERVICES and ADMIN_POLICY in principal.policies:
            return
        if principal.kind in ("agent", "join") and service == "agent":
            return
        if principal.kind == "agent" and action in AGENT_ECS_ACTIONS:
            return
        if self.decides_on_resources(principal):
            for decision in self.decide(principal.name, action, request):
                if not decision.allowed:
                    raise PermissionDenied(denied_message(self.user_arn(principal.name), decision))
            return
        raise PermissionDenied(f"{principal.arn} is not authorized to perform {action}")

    def decides_on_resources(self, principal: Principal) -> bool:
        """Whether `principal`'s calls are decided by policies on what they act on (IAM users),
        rather than by who it is (the admin key, agents)."""
        return principal.kind == "user" and self.directory is not None and not principal.policies

    def user_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.arns.account}:user/{name}"

    def decide(self, user_name: str, action: str, request: Message | None) -> list[Decision]:
        """The decision on each resource of the request, for user `user_name` (all implicit denies
        when there is no such user)."""
        assert self.directory is not None
        policies = self.directory.policy_set(user_name) or PolicySet(())
        out = []
        for target in resources.targets(action, request, self.arns):
            context: dict[str, str] = {
                "aws:username": user_name,
                "aws:PrincipalArn": self.user_arn(user_name),
            }
            if target.cluster:
                context[resources.CLUSTER_KEY] = target.cluster
            if target.resource != resources.ANY:
                for key, value in self.directory.resource_tags(target.resource).items():
                    context[f"aws:ResourceTag/{key}"] = value
            out.append(policies.decide(action, target.resource, context))
        return out


def denied_message(user_arn: str, decision: Decision) -> str:
    """IAM's wording: who, what, on which resource, and why."""
    why = (
        f"with an explicit deny in an identity-based policy ({decision.statement})"
        if decision.outcome == EXPLICIT_DENY
        else f"because no identity-based policy allows the {decision.action} action"
    )
    return (
        f"User: {user_arn} is not authorized to perform: {decision.action} on resource: "
        f"{decision.resource} {why}"
    )


async def ensure_admin_key(store: EtcdStore) -> store_pb2.AccessKey:
    """The admin access key, created on the first start of the first replica."""
    bootstrap = keys.ADMIN_KEY
    existing = await store.get(bootstrap, store_pb2.AccessKey)
    if existing is not None:
        return existing.value
    key = new_access_key(ADMIN, (ADMIN_POLICY,))
    try:
        await store.commit(Put(bootstrap, key, 0), Put(keys.access_key(key.access_key_id), key, 0))
        return key
    except (Conflict, AlreadyExists):
        again = await store.get(bootstrap, store_pb2.AccessKey)
        assert again is not None
        return again.value


async def ensure_join_token(store: EtcdStore) -> str:
    """The token agents present to join; created once, shared by every replica."""
    return await _ensure_secret(store, keys.JOIN_TOKEN, JOIN_PREFIX, "join:agents")


async def ensure_replica_token(store: EtcdStore) -> str:
    """The token replicas present to each other when they forward a call; created once."""
    return await _ensure_secret(store, keys.REPLICA_TOKEN, REPLICA_PREFIX, "replica:replicas")


async def _ensure_secret(store: EtcdStore, key: str, prefix: str, principal: str) -> str:
    existing = await store.get(key, store_pb2.AccessKey)
    if existing is not None:
        return existing.value.secret_access_key
    token = store_pb2.AccessKey(
        access_key_id=principal.partition(":")[0],
        secret_access_key=prefix + secrets.token_urlsafe(30),
        principal=principal,
        status="Active",
        created_at=time.time(),
    )
    try:
        await store.commit(Put(key, token, 0))
        return token.secret_access_key
    except Conflict:
        again = await store.get(key, store_pb2.AccessKey)
        assert again is not None
        return again.value.secret_access_key
