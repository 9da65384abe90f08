"""Authentication and authorization (the IAM stand-in).

Callers present an access key: over gRPC as `authorization: Bearer <accessKeyId>.<secret>`, on the
ECS JSON endpoint as an AWS SigV4 signature made with the same key. Both resolve to a `Principal`.
A task's temporary role credentials (controlplane.iam.sessions) add their session token
(`x-amz-security-token` metadata, SigV4's X-Amz-Security-Token) and resolve to a "role" principal,
decided by the role's policies.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from google.protobuf.message import Message

from berth.arn import ArnFactory
from berth.errors import AlreadyExists, Conflict, PermissionDenied, Unauthenticated
from berth.v1 import store_pb2
from controlplane.iam import resources, sessions
from controlplane.iam.directory import Directory
from controlplane.iam.evaluate import EXPLICIT_DENY, Decision, PolicySet
from controlplane.store import EtcdStore, Put, keys
from controlplane.tls.authority import AgentName, agent_name

ADMIN = "admin"
ADMIN_POLICY = "AdministratorAccess"
_CACHE_SECONDS = 5.0
V = TypeVar("V")
JOIN_PREFIX = "bjt_"
REPLICA_PREFIX = "brt_"
# A call forwarded by another replica (controlplane.replicas) names the principal it acts for, and
# the replica that forwarded it.
FORWARDED_FOR = "x-berth-forwarded-for"
FORWARDED_BY = "x-berth-forwarded-by"
# The session token of temporary (task role) credentials, beside the bearer token on gRPC.
SECURITY_TOKEN = "x-amz-security-token"
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
    "join" for a caller holding only the agent join token, "role" for a task acting with its task
    role's temporary credentials (`name` is then the assumed-role ARN)."""

    name: str
    kind: str = "user"
    access_key_id: str = ""
    policies: tuple[str, ...] = ()
    instance_arn: str = ""
    via: str = ""  # the replica that forwarded this call, if one did
    generation: str = ""  # an agent's, from its certificate (TLS clusters)
    role_arn: str = ""  # kind "role": the role, and the task whose credentials these are
    task_arn: str = ""

    @property
    def arn(self) -> str:
        if self.kind == "role":
            return self.name
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
            "roleArn": p.role_arn,
            "taskArn": p.task_arn,
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
            role_arn=str(d.get("roleArn", "")),
            task_arn=str(d.get("taskArn", "")),
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


class _Recent(Generic[V]):
    """What etcd said of a key in the last _CACHE_SECONDS; emptied when it holds more than `limit`."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: dict[str, tuple[float, V]] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[V]]) -> V:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        value = await load()
        if len(self._items) > self._limit:
            self._items.clear()
        self._items[key] = (now, value)
        return value

    def forget(self, key: str) -> None:
        self._items.pop(key, None)


class Authenticator:
    """Resolves credentials to principals, with a short cache so the hot path skips etcd.

    `task_status` (set by the control plane) gives a task's lastStatus by ARN (None: no such
    task), so that task role credentials stop working the moment their task is STOPPED."""

    task_status: Callable[[str], Awaitable[str | None]] | None = None

    def __init__(self, store: EtcdStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        self._keys: _Recent[store_pb2.AccessKey | None] = _Recent(10_000)
        self._sessions: _Recent[store_pb2.TaskCredentials | None] = _Recent(10_000)
        self._join: tuple[float, str] | None = None
        self._replica: tuple[float, str] | None = None
        # TLS clusters set this False: agents then authenticate with their certificates only.
        self.agent_keys = True
        self._certs: dict[bytes, AgentName | None] = {}
        self._generations: _Recent[str | None] = _Recent(100_000)

    async def access_key(self, key_id: str) -> store_pb2.AccessKey | None:
        async def load() -> store_pb2.AccessKey | None:
            record = await self._store.get(keys.access_key(key_id), store_pb2.AccessKey)
            return record.value if record and record.value.status == "Active" else None

        return await self._keys.get(key_id, load)

    async def task_credentials(self, key_id: str) -> store_pb2.TaskCredentials | None:
        async def load() -> store_pb2.TaskCredentials | None:
            record = await self._store.get(keys.task_credentials(key_id), store_pb2.TaskCredentials)
            return record.value if record is not None else None

        return await self._sessions.get(key_id, load)

    async def session(self, key_id: str, session_token: str | None) -> store_pb2.TaskCredentials:
        """Task role credentials a call may be made with (their secret still to be checked), or
        Unauthenticated: unknown, wrong token, expired, or their task STOPPED."""
        record = await self.task_credentials(key_id)
        status = None
        if record is not None and self.task_status is not None:
            status = await self.task_status(record.task_arn)
        return sessions.check_usable(
            record, access_key_id=key_id, session_token=session_token, task_status=status, now=self._clock()
        )

    async def join_token(self) -> str:
        now = time.monotonic()
        if self._join is None or now - self._join[0] > _CACHE_SECONDS:
            record = await self._store.get(keys.JOIN_TOKEN, store_pb2.AccessKey)
            self._join = (now, record.value.secret_access_key if record else "")
        return self._join[1]

    def forget_join_token(self) -> None:
        self._join = None

    async def replica_token(self) -> str:
        if self._replica is None or not self._replica[1]:
            record = await self._store.get(keys.REPLICA_TOKEN, store_pb2.AccessKey)
            self._replica = (time.monotonic(), record.value.secret_access_key if record else "")
        return self._replica[1]

    def forget(self, key_id: str) -> None:
        """Drop a cached key (it was just deleted or replaced)."""
        self._keys.forget(key_id)

    def forget_agent(self, cluster: str, ident: str) -> None:
        """Drop a cached agent generation (the instance registered again or was deregistered)."""
        self._generations.forget(f"{cluster}/{ident}")

    async def _generation(self, cluster: str, ident: str) -> str | None:
        """The instance's current registration generation (None: not registered)."""

        async def load() -> str | None:
            record = await self._store.get(keys.agent(cluster, ident), store_pb2.AgentIdentity)
            return (
                record.value.cert_generation if record is not None and record.value.cert_generation else None
            )

        return await self._generations.get(f"{cluster}/{ident}", load)

    async def from_certificate(self, cert_pem: bytes) -> Principal:
        """The agent a verified client certificate (the agent port's) belongs to, while its
        instance is registered with the generation the certificate names."""
        name = self._certs.get(cert_pem, ...)
        if name is ...:
            name = agent_name(cert_pem)
            if len(self._certs) > 100_000:
                self._certs.clear()
            self._certs[cert_pem] = name
        if name is None:
            raise Unauthenticated("the client certificate names no agent")
        current = await self._generation(name.cluster, name.ident)
        if current is None:
            raise Unauthenticated(
                f"container instance {name.ident} is not registered (deregistered?): "
                "its certificate is revoked"
            )
        if current != name.generation:
            raise Unauthenticated(
                f"the certificate is from an earlier registration of container instance {name.ident}: "
                "it is revoked"
            )
        return Principal(name=f"{name.cluster}/{name.ident}", kind="agent", generation=name.generation)

    async def from_bearer(
        self,
        authorization: str | None,
        forwarded_for: str | None = None,
        forwarded_by: str | None = None,
        security_token: str | None = None,
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
            secret = token.rpartition(".")[0] if "." in token else token  # without the CA fingerprint
            expected = await self.join_token()
            if expected and hmac.compare_digest(expected.encode(), secret.encode()):
                return Principal("agents", kind="join")
            raise Unauthenticated("the join token is not valid")
        key_id, _, secret = token.partition(".")
        if sessions.is_session_key(key_id) and secret:
            record = await self.session(key_id, security_token)
            if not hmac.compare_digest(record.secret_access_key.encode(), secret.encode()):
                raise Unauthenticated("the token is not valid")
            return principal_of_session(record)
        key = await self.access_key(key_id) if key_id and secret else None
        if key is None or not hmac.compare_digest(key.secret_access_key.encode(), secret.encode()):
            raise Unauthenticated("the token is not valid")
        principal = principal_of(key)
        if principal.kind == "agent" and not self.agent_keys:
            raise Unauthenticated("on this cluster agents authenticate with their client certificates")
        return principal


def principal_of(key: store_pb2.AccessKey) -> Principal:
    """ "admin" is the user admin; "agent:<cluster>/<instanceId>" the agent of that instance."""
    kind, _, name = key.principal.partition(":") if ":" in key.principal else ("user", "", key.principal)
    return Principal(name=name, kind=kind, access_key_id=key.access_key_id, policies=tuple(key.policies))


def principal_of_session(record: store_pb2.TaskCredentials) -> Principal:
    """The principal of a task's role credentials: the role, as the task's assumed-role session."""
    return Principal(
        name=sessions.assumed_role_arn(record.role_arn, record.task_arn),
        kind="role",
        access_key_id=record.access_key_id,
        role_arn=record.role_arn,
        task_arn=record.task_arn,
    )


class Authorizer:
    """Decides whether a principal may perform an action on the resources of a request.

    The admin access key (AdministratorAccess) may do every action of USER_SERVICES; agents
    `agent:` actions and AGENT_ECS_ACTIONS. IAM users, and tasks acting with their task role, are
    decided by their (the role's) policies (controlplane.iam): every resource the request names
    must be allowed, an explicit Deny wins, and nothing is allowed unless a policy allows it."""

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
            for decision in self.decide_for(principal, action, request):
                if not decision.allowed:
                    raise PermissionDenied(denied_message(self.principal_arn(principal), decision))
            return
        raise PermissionDenied(f"{principal.arn} is not authorized to perform {action}")

    def decides_on_resources(self, principal: Principal) -> bool:
        """Whether `principal`'s calls are decided by policies on what they act on (IAM users),
        rather than by who it is (the admin key, agents)."""
        if self.directory is None:
            return False
        return (principal.kind == "user" and not principal.policies) or principal.kind == "role"

    def user_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.arns.account}:user/{name}"

    def principal_arn(self, principal: Principal) -> str:
        """The ARN IAM names the caller by: the user's, or the task's assumed-role session."""
        return principal.name if principal.kind == "role" else self.user_arn(principal.name)

    def decide(self, user_name: str, action: str, request: Message | None) -> list[Decision]:
        """The decision on each resource of the request, for user `user_name` (all implicit denies
        when there is no such user)."""
        return self.decide_for(Principal(user_name), action, request)

    def decide_for(self, principal: Principal, action: str, request: Message | None) -> list[Decision]:
        """The decision on each resource of the request, for an IAM user or a task role session
        (all implicit denies when the user or role does not exist)."""
        assert self.directory is not None
        if principal.kind == "role":
            policies = self.directory.role_policy_set(principal.role_arn) or PolicySet(())
            base = {"aws:PrincipalArn": principal.name}
        else:
            policies = self.directory.policy_set(principal.name) or PolicySet(())
            base = {"aws:username": principal.name, "aws:PrincipalArn": self.user_arn(principal.name)}
        out = []
        for target in resources.targets(action, request, self.arns):
            context: dict[str, str] = dict(base)
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


async def rotate_join_token(store: EtcdStore) -> str:
    """Replace the join token with a new one; returns it."""
    token = store_pb2.AccessKey(
        access_key_id="join",
        secret_access_key=JOIN_PREFIX + secrets.token_urlsafe(30),
        principal="join:agents",
        status="Active",
        created_at=time.time(),
    )
    for _ in range(10):
        try:
            await store.commit(Put(keys.JOIN_TOKEN, token, await store.revision_of(keys.JOIN_TOKEN)))
            return token.secret_access_key
        except Conflict:
            continue
    raise Conflict("the join token is being rotated concurrently; retry")


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
