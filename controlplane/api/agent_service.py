"""The servicer of `berth.v1.Agent`: registration and the agent session stream.

Registration (join token, or the agent's own token to re-register the same instance) writes the
container instance, an empty allocation and the agent's access key. The session then:
- marks the instance connected with a liveness key on an etcd lease, refreshed by each heartbeat,
  so an agent that falls silent (or a control plane replica that dies) is seen as disconnected
  after the grace period without anyone writing anything;
- sends the complete list of the instance's tasks, then every change to them (from the tasks
  mirror, coalesced per task);
- applies the agent's task state changes (only for its own tasks, forward only) and acknowledges
  each sequence number once it is stored.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator

import structlog

from berth import arn as arns
from berth.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from berth.v1 import agent_pb2, ecs_messages_pb2, secretsmanager_pb2, store_pb2, types_pb2
from controlplane import auth, metrics
from controlplane.api.base import ApiBase
from controlplane.api.context import CallContext
from controlplane.api.execrelay import ExecRelay
from controlplane.api.logrelay import LogRelay
from controlplane.iam import sessions
from controlplane.iam.directory import Directory
from controlplane.secrets import changes, resolve
from controlplane.secrets.store import SecretStore
from controlplane.state.cluster_state import State, instance_id
from controlplane.statemetrics import observe_task_change
from controlplane.store import Check, Delete, Put, keys
from controlplane.taskstate import apply_state_change, usage
from controlplane.tls.agents import AgentCertificates, new_generation
from controlplane.tls.authority import AgentName, check_csr
from controlplane.utilization import UtilizationStore

log = structlog.get_logger("berth.agent_session")

_TD_CACHE = 2000
HELLO_TIMEOUT = 30  # seconds an opened session may wait for the agent's Hello


class AgentServicer(ApiBase):
    utilization: UtilizationStore | None = None  # where sessions put the agents' task stats
    # What GetTaskSecrets reads with: the secret store and the roles (set by the control plane).
    secrets: SecretStore | None = None
    directory: Directory | None = None
    # TLS clusters: what signs agents' client certificates (None: agents get bearer tokens).
    certificates: AgentCertificates | None = None
    # How long the task role credentials GetTaskCredentials issues live.
    task_credentials_ttl: float = sessions.DEFAULT_TTL_SECONDS

    def __init__(
        self,
        *args: object,
        state: State,
        authenticator: auth.Authenticator,
        grace_seconds: float,
        replica: str,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.state = state
        self.authenticator = authenticator
        self.grace = grace_seconds
        self.replica = replica
        self.sessions: dict[str, AgentSession] = {}
        # The resolver tasks get by default (the service discovery DNS server), told at registration.
        self.dns_servers: list[str] = []
        self._task_definitions: OrderedDict[str, types_pb2.TaskDefinition] = OrderedDict()
        state.tasks.subscribe(self._on_task)
        state.instances.subscribe(self._on_instance)

    # -- registration ----------------------------------------------------------------------------

    async def RegisterContainerInstance(
        self, req: ecs_messages_pb2.RegisterContainerInstanceRequest, ctx: CallContext
    ) -> ecs_messages_pb2.RegisterContainerInstanceResponse:
        principal = ctx.principal
        if req.pool:
            if req.pool not in keys.POOLS:
                raise InvalidArgument.field(
                    "pool", f"{req.pool!r} is not a pool (known: {', '.join(keys.POOLS)})"
                )
            cluster = keys.POOLS[req.pool]
        else:
            cluster = arns.cluster_name(req.cluster)
            await self._ensure_cluster(cluster, ctx.now())
        ident = ""
        if req.container_instance_arn:
            ref_cluster, ident = arns.scoped_id(
                req.container_instance_arn, "container-instance", "containerInstanceArn"
            )
            if ref_cluster is not None and ref_cluster != cluster:
                raise InvalidArgument.field(
                    "containerInstanceArn", f"{req.container_instance_arn!r} is in another cluster"
                )
        if principal.kind == "agent" and principal.name != f"{cluster}/{ident}":
            raise PermissionDenied("an agent may only re-register its own container instance")
        if principal.kind not in ("agent", "join"):
            raise PermissionDenied("registering a container instance needs the agent join token")
        if self.certificates is not None:
            if not req.csr_pem:
                raise InvalidArgument.field(
                    "csrPem",
                    "this cluster uses TLS: an agent joins with a certificate signing request "
                    "(upgrade the agent)",
                )
            check_csr(req.csr_pem)  # before anything is written
        for _ in range(20):
            existing = (
                await self.store.get(keys.instance(cluster, ident), types_pb2.ContainerInstance)
                if ident
                else None
            )
            if ident and existing is None and principal.kind == "agent":
                raise NotFound(
                    f"container instance {ident} was deregistered", ecs_type="InvalidParameterException"
                )
            if existing is None:
                ident = ident or arns.new_id()
            instance = self._instance_record(
                cluster, ident, req, existing.value if existing else None, ctx.now()
            )
            ops: list[Put | Delete | Check] = [
                Put(keys.instance(cluster, ident), instance, existing.mod_revision if existing else 0)
            ]
            key: store_pb2.AccessKey | None = None
            if self.certificates is None:
                key = auth.new_access_key(f"agent:{cluster}/{ident}", ())
                identity = store_pb2.AgentIdentity(
                    container_instance_arn=instance.container_instance_arn, access_key_id=key.access_key_id
                )
                ops.append(Put(keys.access_key(key.access_key_id), key, 0))
            else:
                # A certificate's generation is its registration: this one revokes earlier ones.
                identity = store_pb2.AgentIdentity(
                    container_instance_arn=instance.container_instance_arn, cert_generation=new_generation()
                )
            old_identity = await self.store.get(keys.agent(cluster, ident), store_pb2.AgentIdentity)
            ops.append(
                Put(keys.agent(cluster, ident), identity, old_identity.mod_revision if old_identity else 0)
            )
            if old_identity is not None and old_identity.value.access_key_id:
                old_key_rev = await self.store.revision_of(keys.access_key(old_identity.value.access_key_id))
                if old_key_rev:
                    ops.append(Delete(keys.access_key(old_identity.value.access_key_id), old_key_rev))
            if not await self.store.revision_of(keys.allocation(cluster, ident)):
                ops.append(Put(keys.allocation(cluster, ident), store_pb2.InstanceAllocation(), 0))
            try:
                revision = await self.store.commit(*ops)
            except Conflict:
                continue
            if old_identity is not None:
                self.authenticator.forget(old_identity.value.access_key_id)
            self.authenticator.forget_agent(cluster, ident)
            self.state.note_commit(ops, revision)
            log.info(
                "instance_registered",
                cluster=cluster,
                instance=ident,
                name=req.name,
                again=existing is not None,
            )
            response = ecs_messages_pb2.RegisterContainerInstanceResponse(
                container_instance=instance, dns_servers=self.dns_servers
            )
            if key is not None:
                response.agent_token = auth.bearer_token(key)
            else:
                assert self.certificates is not None
                response.certificate.CopyFrom(
                    await self.certificates.issue(
                        req.csr_pem, AgentName(cluster, ident, identity.cert_generation)
                    )
                )
            return response
        raise Conflict("the container instance is being registered concurrently; retry")

    async def _ensure_cluster(self, cluster: str, now: float) -> None:
        record = await self.store.get(keys.cluster(cluster), types_pb2.Cluster)
        if record is not None and record.value.status == "ACTIVE":
            return
        if cluster != "default":
            raise NotFound(
                f"cluster {cluster!r} not found; create it first", ecs_type="ClusterNotFoundException"
            )
        # ECS creates the default cluster when the first instance registers into it.
        fresh = types_pb2.Cluster(
            cluster_arn=self.arns.cluster(cluster), cluster_name=cluster, status="ACTIVE"
        )
        try:
            await self.store.commit(Put(keys.cluster(cluster), fresh, record.mod_revision if record else 0))
        except Conflict:
            pass

    def _instance_record(
        self,
        cluster: str,
        ident: str,
        req: ecs_messages_pb2.RegisterContainerInstanceRequest,
        existing: types_pb2.ContainerInstance | None,
        now: float,
    ) -> types_pb2.ContainerInstance:
        instance = types_pb2.ContainerInstance(
            container_instance_arn=self.arns.container_instance(cluster, ident),
            ec2_instance_id=req.name or ident,
            version=(existing.version + 1) if existing else 1,
            version_info=req.version_info,
            registered_resources=req.total_resources,
            status=existing.status if existing else "ACTIVE",
            agent_connected=False,
            registered_at=existing.registered_at if existing else now,
            pool=req.pool,
            metrics_endpoint=req.metrics_endpoint,
            host_address=req.host_address,
            capacity_provider_name="FARGATE" if req.pool == "fargate" else "",
        )
        # The agent's own attributes are refreshed on every registration; custom ones it sends only
        # count the first time (as ECS_INSTANCE_ATTRIBUTES); PutAttributes ones are kept.
        attrs: dict[str, types_pb2.Attribute] = {}
        if existing is not None:
            attrs = {a.name: a for a in existing.attributes}
        for a in req.attributes:
            if existing is None or a.name.startswith("ecs."):
                attrs[a.name] = types_pb2.Attribute(name=a.name, value=a.value)
        instance.attributes.extend(attrs.values())
        return instance

    # -- session ---------------------------------------------------------------------------------

    async def Session(
        self, requests: AsyncIterator[agent_pb2.AgentMessage], ctx: CallContext
    ) -> AsyncIterator[agent_pb2.ServerMessage]:
        if ctx.principal.kind != "agent":
            raise PermissionDenied("the session needs the agent's own token (register first)")
        cluster, _, ident = ctx.principal.name.partition("/")
        session = AgentSession(self, cluster, ident)
        previous = self.sessions.get(session.instance_arn)
        if previous is not None:
            previous.close("replaced by a new session")
        self.sessions[session.instance_arn] = session
        try:
            async for message in session.run(requests):
                yield message
        finally:
            if self.sessions.get(session.instance_arn) is session:
                del self.sessions[session.instance_arn]

    async def _own_task(self, task_arn: str, ctx: CallContext, what: str) -> types_pb2.Task:
        """The task `task_arn`, when the caller is the agent of the instance it is placed on."""
        if ctx.principal.kind != "agent":
            raise PermissionDenied(f"only the agent running a task may {what}")
        cluster, task_id = arns.scoped_id(task_arn, "task", "taskArn")
        record = await self.state.editable(self.state.tasks, keys.task(cluster, task_id)) if cluster else None
        task = record.value if record is not None else None
        agent_cluster, _, ident = ctx.principal.name.partition("/")
        if task is None or task.container_instance_arn != self.arns.container_instance(agent_cluster, ident):
            raise PermissionDenied(f"task {task_arn} is not placed on this agent's container instance")
        return task

    async def GetTaskSecrets(
        self, req: agent_pb2.GetTaskSecretsRequest, ctx: CallContext
    ) -> agent_pb2.GetTaskSecretsResponse:
        """A task's secrets, for the agent of the instance the task is placed on, while it starts."""
        task = await self._own_task(req.task_arn, ctx, "read its secrets")
        if task.desired_status == "STOPPED" or task.last_status == "STOPPED":
            raise FailedPrecondition(f"task {req.task_arn} is stopping: its secrets are not given out")
        if self.secrets is None or self.directory is None:
            raise FailedPrecondition("this control plane has no secret store")
        td = await self.task_definition(task.task_definition_arn)
        containers = await resolve.task_secrets(td, self.secrets, self.directory)
        self._log_secrets(task, containers)
        return agent_pb2.GetTaskSecretsResponse(containers=containers)

    async def GetTaskCredentials(
        self, req: agent_pb2.GetTaskCredentialsRequest, ctx: CallContext
    ) -> agent_pb2.GetTaskCredentialsResponse:
        """New temporary credentials of a task's role, for the agent of the instance the task is
        placed on. Stored (on a lease that ends after they expire) before they are given out."""
        task = await self._own_task(req.task_arn, ctx, "get its role credentials")
        td = await self.task_definition(task.task_definition_arn)
        role_arn = sessions.role_of(task, td)
        exists = self.directory is not None and self.directory.role(role_arn) is not None
        sessions.check_issuable(task, role_arn, exists)
        now = ctx.now()
        issued = sessions.issue(task.task_arn, role_arn, now=now, ttl=self.task_credentials_ttl)
        lease = await self.store.grant_lease(sessions.lease_seconds(issued, now))
        await self.store.commit(Put(keys.task_credentials(issued.access_key_id), issued, 0, lease=lease))
        log.info(
            "task_credentials_issued",
            task=task.task_arn,
            role=role_arn,
            access_key_id=issued.access_key_id,
            expiration=issued.expiration,
        )
        return agent_pb2.GetTaskCredentialsResponse(
            access_key_id=issued.access_key_id,
            secret_access_key=issued.secret_access_key,
            session_token=issued.session_token,
            expiration=issued.expiration,
            role_arn=role_arn,
        )

    async def task_status(self, task_arn: str) -> str | None:
        """A task's lastStatus (None: no such task): the mirror's, else etcd's (the mirror may not
        have a task just placed by another replica)."""
        try:
            cluster, task_id = arns.scoped_id(task_arn, "task", "taskArn")
        except InvalidArgument:
            return None
        if cluster is None:
            return None
        key = keys.task(cluster, task_id)
        task = self.state.tasks.get(key)
        if task is None:
            record = await self.store.get(key, types_pb2.Task)
            task = record.value if record is not None else None
        return task.last_status if task is not None else None

    @staticmethod
    def _log_secrets(task: types_pb2.Task, containers: list[agent_pb2.ContainerSecrets]) -> None:
        # Names only: a value never reaches a log line.
        log.info(
            "task_secrets_given",
            task=task.task_arn,
            variables=sorted(f"{c.container_name}.{kv.name}" for c in containers for kv in c.environment),
            files=sorted(f"{c.container_name}:{f.path}" for c in containers for f in c.files),
            registry_auth=sorted(c.container_name for c in containers if c.HasField("registry_auth")),
        )

    async def RenewCertificate(
        self, req: agent_pb2.RenewCertificateRequest, ctx: CallContext
    ) -> agent_pb2.RenewCertificateResponse:
        """A new client certificate for the calling agent's own instance and registration
        (the caller authenticated with its current, still valid, certificate)."""
        if self.certificates is None:
            raise FailedPrecondition(
                "this cluster does not use TLS (--insecure): agents have no certificates"
            )
        if ctx.principal.kind != "agent" or not ctx.principal.generation:
            raise PermissionDenied("only an agent renews its certificate, over its own certificate")
        cluster, _, ident = ctx.principal.name.partition("/")
        certificate = await self.certificates.issue(
            req.csr_pem, AgentName(cluster, ident, ctx.principal.generation)
        )
        log.info(
            "agent_certificate_renewed", cluster=cluster, instance=ident, expires_at=certificate.expires_at
        )
        return agent_pb2.RenewCertificateResponse(certificate=certificate)

    def secrets_changed(self, record: secretsmanager_pb2.SecretRecord) -> None:
        """A secret has a new current value: tell the agents of the sessions this replica holds
        which of their tasks read it as a file (controlplane.secrets.changes)."""
        for session in list(self.sessions.values()):
            tasks = changes.tasks_to_tell(
                self.state.instance_tasks(session.instance_arn), self._known_task_definition, record.name
            )
            if tasks:
                session.send_secrets_changed(tasks, record.arn)

    def _known_task_definition(self, td_arn: str) -> types_pb2.TaskDefinition | None:
        cached = self._task_definitions.get(td_arn)
        if cached is not None:
            return cached
        family, revision = arns.task_definition_ref(td_arn)
        return self.state.task_definitions.get(keys.task_definition(family, revision or 0))

    async def Goodbye(self, req: agent_pb2.GoodbyeRequest, ctx: CallContext) -> agent_pb2.GoodbyeResponse:
        if ctx.principal.kind != "agent":
            raise PermissionDenied("only an agent says goodbye")
        cluster, _, ident = ctx.principal.name.partition("/")
        if req.container_instance_arn and req.container_instance_arn != self.arns.container_instance(
            cluster, ident
        ):
            raise PermissionDenied("an agent may only say goodbye for its own container instance")
        key = keys.liveness(cluster, ident)
        for _ in range(10):
            revision = await self.store.revision_of(key)
            if not revision:
                break
            try:
                op = Delete(key, revision)
                self.state.note_commit([op], await self.store.commit(op))
                break
            except Conflict:
                continue
        session = self.sessions.get(self.arns.container_instance(cluster, ident))
        if session is not None:
            session.close(req.reason or "the agent said goodbye")
        log.info("agent_goodbye", cluster=cluster, instance=ident, reason=req.reason)
        return agent_pb2.GoodbyeResponse()

    def _on_task(self, key: str, old: types_pb2.Task | None, new: types_pb2.Task | None) -> None:
        if (
            old is not None
            and new is not None
            and old.container_instance_arn == new.container_instance_arn
            and old.desired_status == new.desired_status
            and old.deactivate_until == new.deactivate_until
        ):
            return  # the agent's own report, or bookkeeping: nothing the agent acts on
        for task in (old, new):
            if task is not None and task.container_instance_arn:
                session = self.sessions.get(task.container_instance_arn)
                if session is not None:
                    session.dirty(key)

    def _on_instance(
        self, key: str, old: types_pb2.ContainerInstance | None, new: types_pb2.ContainerInstance | None
    ) -> None:
        record = new or old
        if record is not None:
            # Registered again or deregistered: certificates are checked afresh (no stale cache).
            cluster, ident = arns.scoped_id(record.container_instance_arn, "container-instance", "arn")
            self.authenticator.forget_agent(cluster or "", ident)
        if new is None and old is not None:
            session = self.sessions.get(old.container_instance_arn)
            if session is not None:
                session.close("the container instance was deregistered")

    async def task_definition(self, td_arn: str) -> types_pb2.TaskDefinition:
        cached = self._task_definitions.get(td_arn)
        if cached is not None:
            self._task_definitions.move_to_end(td_arn)
            return cached
        family, revision = arns.task_definition_ref(td_arn)
        record = await self.store.get(keys.task_definition(family, revision or 0), types_pb2.TaskDefinition)
        td = record.value if record else types_pb2.TaskDefinition(task_definition_arn=td_arn)
        self._task_definitions[td_arn] = td
        if len(self._task_definitions) > _TD_CACHE:
            self._task_definitions.popitem(last=False)
        return td


class AgentSession:
    """One agent's stream: liveness, task manifests out, state changes in."""

    def __init__(self, servicer: AgentServicer, cluster: str, ident: str) -> None:
        self.servicer = servicer
        self.store = servicer.store
        self.state = servicer.state
        self.cluster = cluster
        self.ident = ident
        self.instance_arn = servicer.arns.container_instance(cluster, ident)
        self.pooled = cluster in keys.POOLS.values()
        self._outbound: asyncio.Queue[agent_pb2.ServerMessage] = asyncio.Queue()
        self._dirty: OrderedDict[str, None] = OrderedDict()
        self._wake = asyncio.Event()
        self._closed: str | None = None
        self._lease = 0
        self._refreshed = time.monotonic()  # when the liveness lease was last granted or refreshed
        self._liveness = store_pb2.AgentLiveness()
        self._log = log.bind(cluster=cluster, instance=ident)
        self.logs = LogRelay(self._send, self.instance_arn)  # GetTaskLogs streams through this agent
        self.execs = ExecRelay(self._send, self.instance_arn)  # and ExecuteCommandStream sessions

    def send_secrets_changed(self, task_arns: list[str], secret_arn: str) -> None:
        self._log.info("secrets_changed_sent", secret=secret_arn, tasks=len(task_arns))
        self._send(
            agent_pb2.ServerMessage(
                secrets_changed=agent_pb2.SecretsChanged(task_arns=task_arns, secret_arn=secret_arn)
            )
        )

    def dirty(self, task_key: str) -> None:
        self._dirty[task_key] = None
        self._wake.set()

    def close(self, reason: str) -> None:
        self._closed = reason
        self._wake.set()

    async def run(
        self, requests: AsyncIterator[agent_pb2.AgentMessage]
    ) -> AsyncIterator[agent_pb2.ServerMessage]:
        try:
            hello = await asyncio.wait_for(anext(requests), timeout=HELLO_TIMEOUT)
        except StopAsyncIteration:
            raise InvalidArgument.field("hello", "the session ended before the agent's Hello") from None
        except TimeoutError:
            raise InvalidArgument.field(
                "hello", f"no Hello within {HELLO_TIMEOUT} s of opening the session"
            ) from None
        if not hello.HasField("hello") or hello.hello.container_instance_arn != self.instance_arn:
            raise PermissionDenied("the session must start with a Hello naming the agent's own instance")
        if await self.store.get(keys.instance(self.cluster, self.ident), types_pb2.ContainerInstance) is None:
            raise NotFound(
                f"container instance {self.ident} is not registered", ecs_type="InvalidParameterException"
            )
        await self._connect()
        reader = asyncio.create_task(self._read(requests))
        waiter: asyncio.Task[bool] | None = None
        self._log.info("agent_connected", agent_version=hello.hello.agent_version)
        try:
            yield await self._manifest()
            while True:
                if self._closed is not None:
                    raise PermissionDenied(f"session closed: {self._closed}")
                if reader.done():
                    reader.result()  # re-raise what ended the reading side
                    return
                while not self._outbound.empty():
                    yield self._outbound.get_nowait()
                if self._dirty:
                    yield await self._changes()
                    continue
                self._wake.clear()
                if self._outbound.empty() and not self._dirty and self._closed is None:
                    waiter = asyncio.create_task(self._wake.wait())
                    await asyncio.wait({waiter, reader}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
        finally:
            reader.cancel()
            if waiter is not None:
                waiter.cancel()
            self.logs.close(self._closed or "stream closed")
            self.execs.close(self._closed or "stream closed")
            self._log.info("agent_session_ended", reason=self._closed or "stream closed")

    async def _read(self, requests: AsyncIterator[agent_pb2.AgentMessage]) -> None:
        async for message in requests:
            kind = message.WhichOneof("body")
            if kind == "heartbeat":
                await self._heartbeat(message.heartbeat)
                continue
            if time.monotonic() - self._refreshed > self.servicer.grace / 4:
                # Any message proves the stream alive. When this side falls behind a burst of
                # state changes, the agent's heartbeats wait in the stream behind them; the
                # agent must not be shown disconnected for our backlog. (The message itself is
                # handled below as usual.)
                await self._heartbeat(agent_pb2.Heartbeat(warm_sandboxes=self._liveness.warm_sandboxes))
            if kind == "log_chunk":
                self.logs.deliver(message.log_chunk)
            elif kind == "exec_output":
                self.execs.deliver(message.exec_output)
            elif kind == "task_state_change":
                await self._state_change(message.task_state_change)
                self._send(agent_pb2.ServerMessage(ack=agent_pb2.Ack(seq=message.task_state_change.seq)))
            elif kind == "task_stats" and self.servicer.utilization is not None:
                await self.servicer.utilization.record(
                    self.cluster, self.ident, self.instance_arn, message.task_stats, self._lease
                )

    def _send(self, message: agent_pb2.ServerMessage) -> None:
        self._outbound.put_nowait(message)
        self._wake.set()

    async def _connect(self) -> None:
        """Liveness: a key on a fresh lease of `grace` seconds."""
        self._lease = await self.store.grant_lease(max(2, round(self.servicer.grace)))
        self._refreshed = time.monotonic()
        self._liveness = store_pb2.AgentLiveness(
            container_instance_arn=self.instance_arn,
            connected_at=time.time(),
            replica=self.servicer.replica,
            warm_sandboxes=self._liveness.warm_sandboxes,
        )
        await self._write_liveness()

    async def _write_liveness(self) -> None:
        key = keys.liveness(self.cluster, self.ident)
        record = self._liveness
        for _ in range(10):
            revision = await self.store.revision_of(key)
            try:
                op = Put(key, record, revision, lease=self._lease)
                self.state.note_commit([op], await self.store.commit_grouped(op))
                return
            except Conflict:
                continue
        raise Conflict("could not record the agent's liveness; retry")

    async def _heartbeat(self, heartbeat: agent_pb2.Heartbeat) -> None:
        self._refreshed = time.monotonic()
        ttl = await self.store.refresh_lease(self._lease)
        if ttl <= 0:
            # We were silent past the grace: the instance was shown disconnected, and tasks may
            # have been replaced meanwhile. Reconnect and resend the whole list.
            self._log.info("agent_reconnected_after_grace")
            metrics.HEARTBEAT_MISSES.labels(self.cluster).inc()
            self._liveness.warm_sandboxes = heartbeat.warm_sandboxes
            await self._connect()
            self._send(await self._manifest())
        elif heartbeat.warm_sandboxes != self._liveness.warm_sandboxes:
            self._liveness.warm_sandboxes = heartbeat.warm_sandboxes
            await self._write_liveness()

    async def _manifest(self) -> agent_pb2.ServerMessage:
        """The complete manifest. It must not miss a task this instance runs (the agent would stop
        it as an orphan), and the mirror may lag (a task placed by another replica just now): the
        instance's allocation record in etcd names its live tasks, and when the mirror lacks one
        of them, the cluster is read again from etcd. (Reading only one small record keeps 1,000
        agents connecting at once from reading the whole cluster 1,000 times.)"""
        self._dirty.clear()
        alloc = await self.store.get(keys.allocation(self.cluster, self.ident), store_pb2.InstanceAllocation)
        known = {instance_id(t.task_arn) for t in self.state.instance_tasks(self.instance_arn)}
        if alloc is not None and not known.issuperset(alloc.value.tasks):
            await self.state.refresh_cluster(self.cluster, all_tasks=self.pooled)
        tasks = [t for t in self.state.instance_tasks(self.instance_arn) if t.last_status != "STOPPED"]
        manifest = agent_pb2.TaskManifest(complete=True, revision=self.state.tasks.revision)
        for task in tasks:
            manifest.tasks.append(await self._assigned(task))
        return agent_pb2.ServerMessage(manifest=manifest)

    async def _changes(self) -> agent_pb2.ServerMessage:
        manifest = agent_pb2.TaskManifest(complete=False, revision=self.state.tasks.revision)
        while self._dirty:
            key, _ = self._dirty.popitem(last=False)
            task = self.state.tasks.get(key)
            if task is None or task.container_instance_arn != self.instance_arn:
                manifest.removed.append(self.servicer.arns.task(*keys.split(key)))
            else:
                manifest.tasks.append(await self._assigned(task))
        return agent_pb2.ServerMessage(manifest=manifest)

    async def _assigned(self, task: types_pb2.Task) -> agent_pb2.AssignedTask:
        td = await self.servicer.task_definition(task.task_definition_arn)
        return agent_pb2.AssignedTask(task=task, task_definition=td)

    async def _state_change(self, change: agent_pb2.TaskStateChange) -> None:
        task_cluster, task_id = arns.scoped_id(change.task_arn, "task", "taskArn")
        # A pool instance runs tasks of every cluster; any other only those of its own.
        if task_cluster is None or (task_cluster != self.cluster and not self.pooled):
            self._log.warning("foreign_task_report", task=change.task_arn)
            return
        key = keys.task(task_cluster, task_id)
        for attempt in range(20):
            # The watch-fed copy first (no round trip): the CAS below catches a stale one, and
            # then etcd is read.
            record = await self.state.editable(self.state.tasks, key, fresh=attempt > 0)
            if record is None:
                return
            task = record.value
            if task.container_instance_arn != self.instance_arn:
                self._log.warning(
                    "foreign_task_report", task=change.task_arn, owner=task.container_instance_arn
                )
                return
            was = task.last_status
            if not apply_state_change(task, change):
                return
            if task.last_status == "STOPPED" and was != "STOPPED" and task.launch_type == "FARGATE":
                task.usage.CopyFrom(usage(task, time.time()))
            ops: list[Put | Check] = [Put(key, task, record.mod_revision)]
            if task.last_status == "STOPPED" and was != "STOPPED":
                alloc_key = keys.allocation(self.cluster, instance_id(self.instance_arn))
                alloc = await self.state.editable(self.state.allocations, alloc_key, fresh=attempt > 0)
                if alloc is not None and task_id in alloc.value.tasks:
                    del alloc.value.tasks[task_id]
                    ops.append(Put(alloc_key, alloc.value, alloc.mod_revision))
            try:
                revision = await self.store.commit_grouped(*ops)
                self.state.note_commit(ops, revision)
                observe_task_change(was, task)
                self._log.debug("task_state_changed", task=task_id, status=task.last_status)
                if task.last_status == "STOPPED" and was != "STOPPED" and task.launch_type == "FARGATE":
                    family = task.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")[0]
                    metrics.FARGATE_VCPU_SECONDS.labels(task_cluster, family).inc(task.usage.vcpu_seconds)
                    metrics.FARGATE_GB_SECONDS.labels(task_cluster, family).inc(task.usage.gb_seconds)
                return
            except Conflict:
                continue
        raise Conflict(f"task {task_id} is being changed concurrently")
