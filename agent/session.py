"""The agent's link to the control plane: registration and the session stream.

Registration uses the agent's own credential when it has one (a restart re-registers the same
instance), else the join token. On a TLS cluster that credential is a client certificate for the
agent port (mutual TLS), renewed halfway through its life (agent.certs); on an --insecure one it
is a bearer token. The session sends Hello, heartbeats and task state changes;
every state change carries a sequence number and stays in the outbox until the control plane
acknowledges it, so none is lost across reconnects (a newer snapshot of the same task replaces
an older unsent one). The control plane sends task manifests, which go to the TaskManager.
Disconnects are retried with exponential backoff (250 ms, x1.5, up to 30 s, with jitter).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog
from cryptography.hazmat.primitives.serialization import Encoding
from google.protobuf.message import Message

from agent import host, identity
from agent.certs import files, renewal
from agent.execs import ExecService
from agent.logs import LogService
from agent.runtime.model import RuntimeInfo
from agent.settings import AGENT_VERSION, AgentSettings
from berth import tls
from berth.endpoints import grpc_target
from berth.v1 import agent_pb2, agent_pb2_grpc, ecs_messages_pb2

R = TypeVar("R", bound=Message)

log = structlog.get_logger("berth.agent.session")

CHANNEL_OPTIONS = [
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    # With several replicas, a dead one is left for the next within seconds, not minutes.
    ("grpc.max_reconnect_backoff_ms", 5_000),
]


class Deregistered(Exception):
    """The control plane no longer knows this container instance."""


class Backoff:
    def __init__(
        self, first: float = 0.25, factor: float = 1.5, cap: float = 30.0, jitter: float = 0.2
    ) -> None:
        self.first, self.factor, self.cap, self.jitter = first, factor, cap, jitter
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    async def sleep(self) -> None:
        await asyncio.sleep(self.delay * random.uniform(1 - self.jitter, 1 + self.jitter))
        self.delay = min(self.delay * self.factor, self.cap)


class Session:
    def __init__(self, settings: AgentSettings, channel: grpc.aio.Channel | None = None) -> None:
        self.settings = settings
        self.identity = identity.load(settings.data_dir)
        # TLS clusters (the join token names the CA, --ca-file, or the agent already holds a
        # certificate): join over the user port with the join token, then hold the session over
        # the agent port with the agent's client certificate. A shared channel (simulated agents
        # run many sessions on one connection) means an insecure cluster.
        self.certs = files.load(settings.data_dir) if channel is None else None
        self.tls = channel is None and bool(
            settings.ca_file or tls.split_join_token(settings.join_token)[1] or self.certs
        )
        self.channel: grpc.aio.Channel | None = channel
        if self.channel is None and not self.tls:
            self.channel = grpc.aio.insecure_channel(grpc_target(settings.endpoint), options=CHANNEL_OPTIONS)
        elif self.tls and self.certs is not None and self.certs.valid():
            self.channel = self._agent_channel(self.certs)
        self._user: grpc.aio.Channel | None = None
        self._retired: list[grpc.aio.Channel] = []  # replaced by a renewed certificate's channel
        self.renewals = 0
        self._registration: tuple[RuntimeInfo, str, str] | None = None
        self._seq = 0
        self._outbox: dict[tuple[str, str], agent_pb2.TaskStateChange] = {}  # (task, status) -> latest
        self._wake = asyncio.Event()
        self.connected = False
        self.last_manifest_at = 0.0
        self._stats: agent_pb2.TaskStatsReport | None = None  # the latest, not yet sent
        self.warm_count: Callable[[], int] = lambda: 0  # pool agents: ready sandboxes, for heartbeats
        self.logs: LogService | None = None  # serves GetTaskLogs requests (agent.logs)
        self.execs: ExecService | None = None  # serves ExecuteCommandStream sessions (agent.execs)
        # Log chunks and exec output for the current session (dropped when it ends).
        self._relayed: deque[agent_pb2.AgentMessage] = deque()
        self.dns_servers: list[str] = []  # the resolver tasks get by default (from registration)
        # Told which tasks' secret files to rewrite (SecretsChanged; agent.secretfiles).
        self.on_secrets_changed: Callable[[agent_pb2.SecretsChanged], None] | None = None

    @property
    def stub(self) -> agent_pb2_grpc.AgentStub:
        if self.channel is None:
            raise RuntimeError("the agent is not registered yet")
        return agent_pb2_grpc.AgentStub(self.channel)  # type: ignore[no-untyped-call]

    def call_metadata(self) -> tuple[tuple[str, str], ...]:
        """What the agent's own calls carry: its bearer token (insecure clusters); nothing on TLS
        clusters, where its client certificate says who it is."""
        return () if self.tls else (("authorization", f"Bearer {self.identity.token}"),)

    # -- channels (TLS clusters) -----------------------------------------------------------------

    def _agent_channel(self, certs: files.AgentCerts) -> grpc.aio.Channel:
        return grpc.aio.secure_channel(
            grpc_target(",".join(certs.endpoints)),
            tls.channel_credentials(certs.cluster_ca_pem, certs.key_pem, certs.cert_pem),
            options=CHANNEL_OPTIONS + tls.server_name_options(tls.SERVER_NAME),
        )

    async def _user_channel(self) -> grpc.aio.Channel:
        """The channel to the user port, for joining with the join token: verified with --ca-file,
        or with the CA whose fingerprint the join token names (read from the control plane's
        certificate chain once, then kept in the data dir)."""
        if self._user is not None:
            return self._user
        data_dir = self.settings.data_dir
        if self.settings.ca_file:
            ca = tls.read_bundle(self.settings.ca_file)
        else:
            ca = files.server_ca(data_dir)
            wanted = tls.split_join_token(self.settings.join_token)[1]
            if wanted and wanted not in trusted_fingerprints(ca):
                endpoints = [e.strip() for e in self.settings.endpoint.split(",") if e.strip()]
                ca = await asyncio.to_thread(tls.bootstrap_ca, endpoints, wanted)
                files.save_server_ca(data_dir, ca)
                log.info("control_plane_ca_trusted", fingerprint=wanted)
            if not ca:
                raise SystemExit(
                    "berth-agent: no CA to verify the control plane with: pass the join token the "
                    "control plane printed (it names the CA) or --ca-file"
                )
        self._user = grpc.aio.secure_channel(
            grpc_target(self.settings.endpoint),
            tls.channel_credentials(ca),
            options=CHANNEL_OPTIONS
            + tls.server_name_options("" if self.settings.ca_file else tls.SERVER_NAME),
        )
        return self._user

    async def _use(self, key: bytes, cert: ecs_messages_pb2.AgentCertificate) -> None:
        """Hold the session over a new certificate (for `key`): new calls use a new channel; a
        session on the old one ends cleanly (the agent half-closes it) and run() reconnects at
        once, then closes the old channel once its calls in flight are done."""
        endpoints = self.settings.agent_endpoints or files.reachable(
            list(cert.agent_endpoints), self.settings.endpoint
        )
        if not endpoints and self.certs is not None:
            endpoints = self.certs.endpoints
        certs = files.AgentCerts(
            key,
            cert.certificate_pem.encode(),
            cert.ca_bundle_pem.encode(),
            endpoints,
            received_at=time.time(),
        )
        files.save(self.settings.data_dir, certs)
        old, self.certs = self.channel, certs
        self.channel = self._agent_channel(certs)
        if old is not None:
            self._retired.append(old)
            self._wake.set()

    # -- registration ----------------------------------------------------------------------------

    async def register(
        self, info: RuntimeInfo, *, metrics_endpoint: str, host_address: str
    ) -> identity.Identity:
        """Register (or re-register) until it works; returns the identity, saved to the data dir."""
        self._registration = (info, metrics_endpoint, host_address)
        backoff = Backoff()
        while True:
            try:
                if self.tls:
                    return await self._register_tls(info, metrics_endpoint, host_address)
                return await self._register_once(info, metrics_endpoint, host_address)
            except tls.UntrustedServer as e:
                raise SystemExit(f"berth-agent: {e}") from e
            except tls.TlsError as e:
                log.warning("registration_failed", error=str(e))
                await backoff.sleep()
            except grpc.aio.AioRpcError as e:
                if e.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED) or (
                    e.code() == grpc.StatusCode.UNAUTHENTICATED and not self.identity.container_instance_arn
                ):
                    raise SystemExit(
                        f"berth-agent: registration refused: {e.code().name}: {e.details()}"
                    ) from e
                log.warning("registration_failed", code=e.code().name, error=e.details())
                await backoff.sleep()

    def _request(
        self, info: RuntimeInfo, metrics_endpoint: str, host_address: str
    ) -> ecs_messages_pb2.RegisterContainerInstanceRequest:
        previous = self.identity
        same_cluster = previous.cluster == (self.settings.pool or self.settings.cluster)
        return host.registration(
            self.settings,
            info,
            instance_arn=previous.container_instance_arn if same_cluster else "",
            metrics_endpoint=metrics_endpoint,
            host_address=host_address,
        )

    async def _register_tls(
        self, info: RuntimeInfo, metrics_endpoint: str, host_address: str
    ) -> identity.Identity:
        """Re-register over the agent port with a valid certificate, else join over the user port
        with the join token; either way with a new key, and the response's certificate."""
        request = self._request(info, metrics_endpoint, host_address)
        key = tls.new_private_key()
        request.csr_pem = tls.new_csr(key, request.name or "agent").decode()
        resp = None
        if self.certs is not None and self.certs.valid() and request.container_instance_arn:
            if self.channel is None:
                self.channel = self._agent_channel(self.certs)
            try:
                resp = await self.stub.RegisterContainerInstance(request, timeout=30)
            except grpc.aio.AioRpcError as e:
                if e.code() not in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND):
                    raise
                log.warning(
                    "certificate_revoked_joining_again",
                    instance=request.container_instance_arn,
                    error=e.details(),
                )
                files.forget(self.settings.data_dir)
                request.container_instance_arn = ""
        if resp is None:
            secret, _ = tls.split_join_token(self.settings.join_token)
            if not secret:
                raise SystemExit(
                    "berth-agent: no join token: pass --join-token (the control plane writes it to "
                    "<data-dir>/join-token)"
                )
            user_channel = await self._user_channel()
            user = agent_pb2_grpc.AgentStub(user_channel)  # type: ignore[no-untyped-call]
            try:
                resp = await user.RegisterContainerInstance(
                    request, metadata=(("authorization", f"Bearer {secret}"),), timeout=30
                )
            finally:
                # Only for joining: the agent's calls go to the agent port from now on.
                self._user = None
                await user_channel.close()
        if not resp.HasField("certificate"):
            raise SystemExit(
                "berth-agent: the control plane gave no certificate (is it running with --insecure?)"
            )
        await self._use(key, resp.certificate)
        return await self._registered(resp, token="", again=bool(request.container_instance_arn))

    async def _registered(
        self, resp: ecs_messages_pb2.RegisterContainerInstanceResponse, token: str, again: bool
    ) -> identity.Identity:
        self.identity = identity.Identity(
            container_instance_arn=resp.container_instance.container_instance_arn,
            token=token,
            cluster=self.settings.pool or self.settings.cluster,
        )
        identity.save(self.settings.data_dir, self.identity)
        # Kept in place (RunnerDeps holds this list): a re-registration updates it for new tasks.
        self.dns_servers[:] = await host.answering_dns(list(resp.dns_servers))
        if len(self.dns_servers) < len(resp.dns_servers):
            log.warning("dns_server_unreachable", offered=list(resp.dns_servers), using=self.dns_servers)
        log.info("registered", instance=self.identity.container_instance_arn, again=again, tls=self.tls)
        return self.identity

    async def _register_once(
        self, info: RuntimeInfo, metrics_endpoint: str, host_address: str
    ) -> identity.Identity:
        previous = self.identity
        request = self._request(info, metrics_endpoint, host_address)
        arn = request.container_instance_arn
        token = previous.token if (previous.token and arn) else self.settings.join_token
        try:
            resp = await self._call_register(request, token)
        except grpc.aio.AioRpcError as e:
            if token != self.settings.join_token and e.code() in (
                grpc.StatusCode.UNAUTHENTICATED,
                grpc.StatusCode.NOT_FOUND,
            ):
                # Our instance was deregistered (its key is gone): join again as a new instance.
                log.warning("instance_deregistered_joining_again", instance=arn)
                request.container_instance_arn = ""
                resp = await self._call_register(request, self.settings.join_token)
            else:
                raise
        return await self._registered(resp, token=resp.agent_token, again=bool(arn))

    async def _call_register(
        self, request: ecs_messages_pb2.RegisterContainerInstanceRequest, token: str
    ) -> ecs_messages_pb2.RegisterContainerInstanceResponse:
        if not token:
            raise SystemExit(
                "berth-agent: no join token: pass --join-token (the control plane writes it to "
                "<data-dir>/join-token)"
            )
        resp: ecs_messages_pb2.RegisterContainerInstanceResponse = await self.stub.RegisterContainerInstance(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=30
        )
        return resp

    async def keep_certificate(self) -> None:
        """Renew the client certificate halfway through its life, forever (TLS clusters). A
        refused renewal means the instance's certificates were revoked (Deregistered); an
        expired certificate (the control plane was out of reach too long) joins again."""
        failures = 0
        while True:
            certs = self.certs
            assert certs is not None
            now = time.time()
            when = (
                renewal.renew_at(certs.received_at, certs.not_after)
                if not failures
                else now + renewal.retry_after(now, certs.not_after, failures)
            )
            await asyncio.sleep(max(0.0, when - now))
            if not certs.valid(margin=1.0) and self._registration is not None:
                info, metrics_endpoint, host_address = self._registration
                log.warning("certificate_expired_joining_again")
                await self.register(info, metrics_endpoint=metrics_endpoint, host_address=host_address)
                failures = 0
                continue
            key = tls.new_private_key()
            try:
                resp = await self.stub.RenewCertificate(
                    agent_pb2.RenewCertificateRequest(csr_pem=tls.new_csr(key, "agent").decode()), timeout=15
                )
            except grpc.aio.AioRpcError as e:
                if e.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
                    raise Deregistered(f"certificate renewal refused: {e.code().name}: {e.details()}") from e
                failures += 1
                log.warning(
                    "certificate_renewal_failed", code=e.code().name, error=e.details(), failures=failures
                )
                continue
            cert = resp.certificate
            await self._use(key, cert)
            failures = 0
            self.renewals += 1
            log.info("certificate_renewed", expires_at=cert.expires_at)

    # -- state changes ---------------------------------------------------------------------------

    def report(self, change: agent_pb2.TaskStateChange) -> None:
        """Queue a snapshot of a task. A newer snapshot at the same status replaces an unsent one;
        one at a new status is kept beside it, so every status the task went through is reported
        (a short task that is RUNNING for a moment still shows RUNNING before STOPPED)."""
        self._seq += 1
        change.seq = self._seq
        self._outbox[(change.task_arn, change.last_status)] = change
        self._wake.set()

    def _acknowledge(self, seq: int) -> None:
        for key in [k for k, c in self._outbox.items() if c.seq <= seq]:
            del self._outbox[key]

    def send_stats(self, report: agent_pb2.TaskStatsReport) -> None:
        """Send the tasks' usage with the next message (best effort: a newer report replaces it)."""
        self._stats = report
        self._wake.set()

    @property
    def unacknowledged(self) -> int:
        return len(self._outbox)

    # -- the stream ------------------------------------------------------------------------------

    async def run(self, on_manifest: Callable[[agent_pb2.TaskManifest], Awaitable[None]]) -> None:
        """Hold the session forever, reconnecting with backoff."""
        backoff = Backoff()
        while True:
            try:
                await self._stream(on_manifest, backoff)
                if self._retired:
                    await self._close_retired()
                    continue  # moved to the renewed certificate's channel
                log.info("session_closed_by_control_plane")
            except grpc.aio.AioRpcError as e:
                if e.code() in (
                    grpc.StatusCode.UNAUTHENTICATED,
                    grpc.StatusCode.NOT_FOUND,
                    grpc.StatusCode.PERMISSION_DENIED,
                ):
                    raise Deregistered(f"{e.code().name}: {e.details()}") from e
                log.warning("session_lost", code=e.code().name, error=e.details())
            finally:
                self.connected = False
                if self.logs is not None:
                    self.logs.cancel_all()  # the control plane forgot them with the session
                if self.execs is not None:
                    self.execs.cancel_all()  # and these are killed: nobody reads them any more
            await backoff.sleep()

    async def _stream(
        self, on_manifest: Callable[[agent_pb2.TaskManifest], Awaitable[None]], backoff: Backoff
    ) -> None:
        metadata = self.call_metadata()
        self._relayed.clear()
        call: Any = self.stub.Session(self._outgoing(), metadata=metadata)
        async for message in call:
            kind = message.WhichOneof("body")
            if kind == "manifest":
                self.connected = True
                self.last_manifest_at = time.time()
                backoff.reset()
                await on_manifest(message.manifest)
            elif kind == "ack":
                self._acknowledge(message.ack.seq)
            elif kind in ("log_request", "log_cancel", "log_credit") and self.logs is not None:
                self.logs.handle(message)
            elif kind in ("exec_request", "exec_input") and self.execs is not None:
                self.execs.handle(message)
            elif kind == "secrets_changed" and self.on_secrets_changed is not None:
                self.on_secrets_changed(message.secrets_changed)

    async def _close_retired(self) -> None:
        while self._retired:
            await self._retired.pop().close(grace=10.0)

    async def _outgoing(self) -> AsyncIterator[agent_pb2.AgentMessage]:
        retired = len(self._retired)
        yield agent_pb2.AgentMessage(
            hello=agent_pb2.Hello(
                container_instance_arn=self.identity.container_instance_arn, agent_version=AGENT_VERSION
            )
        )
        sent = 0
        next_heartbeat = time.monotonic() + self.settings.heartbeat_seconds
        while True:
            if len(self._retired) > retired:
                return  # a renewed certificate: end this session, run() opens the next one
            # Everything not yet acknowledged goes out (again, after a reconnect), oldest first.
            for change in sorted(self._outbox.values(), key=lambda c: c.seq):
                if change.seq > sent:
                    yield agent_pb2.AgentMessage(task_state_change=change)
                    sent = change.seq
            if self._stats is not None:
                stats, self._stats = self._stats, None
                yield agent_pb2.AgentMessage(task_stats=stats)
            while self._relayed:
                yield self._relayed.popleft()
            now = time.monotonic()
            if now >= next_heartbeat:
                yield agent_pb2.AgentMessage(
                    heartbeat=agent_pb2.Heartbeat(sent_at=time.time(), warm_sandboxes=self.warm_count())
                )
                next_heartbeat = now + self.settings.heartbeat_seconds
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_heartbeat - time.monotonic()))
            except TimeoutError:
                pass
            self._wake.clear()

    def send_log(self, chunk: agent_pb2.LogChunk) -> None:
        """Queue a LogChunk for the current session (dropped if the session ends first)."""
        self._relayed.append(agent_pb2.AgentMessage(log_chunk=chunk))
        self._wake.set()

    def send_exec(self, output: agent_pb2.ExecOutput) -> None:
        """Queue exec output for the current session (dropped if the session ends first)."""
        self._relayed.append(agent_pb2.AgentMessage(exec_output=output))
        self._wake.set()

    async def task_secrets(self, task_arn: str) -> agent_pb2.GetTaskSecretsResponse | str:
        """A task's secrets (Agent/GetTaskSecrets), or why they are refused."""
        request = agent_pb2.GetTaskSecretsRequest(task_arn=task_arn)
        failure = "unable to pull secrets or registry auth"
        return await self._for_task(
            self.stub.GetTaskSecrets, request, failure, agent_pb2.GetTaskSecretsResponse
        )

    async def task_credentials(self, task_arn: str) -> agent_pb2.GetTaskCredentialsResponse | str:
        """A task's role credentials (Agent/GetTaskCredentials), or why they are refused."""
        request = agent_pb2.GetTaskCredentialsRequest(task_arn=task_arn)
        failure = "unable to get task role credentials"
        return await self._for_task(
            self.stub.GetTaskCredentials, request, failure, agent_pb2.GetTaskCredentialsResponse
        )

    async def _for_task(self, rpc: Any, request: Message, failure: str, cls: type[R]) -> R | str:
        """What a starting task needs from the control plane: the response, or the reason it is
        refused as a ResourceInitializationError. Retried while the control plane is unreachable,
        for up to about 30 s. `cls` is the response's type (the generated stubs are untyped)."""
        delay = 0.5
        for attempt in range(8):
            try:
                response: R = await rpc(request, metadata=self.call_metadata(), timeout=10)
                return response
            except grpc.aio.AioRpcError as e:
                retry = e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
                if not retry or attempt == 7:
                    reason = str(e.details() or e.code().name)
                    if not reason.startswith("ResourceInitializationError"):
                        reason = f"ResourceInitializationError: {failure}: {reason}"
                    return reason
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        return f"ResourceInitializationError: {failure}"

    async def goodbye(self, reason: str) -> None:
        """Tell the control plane this agent is going away (best effort, quickly)."""
        if not self.identity.container_instance_arn or self.channel is None:
            return
        try:
            await self.stub.Goodbye(
                agent_pb2.GoodbyeRequest(
                    container_instance_arn=self.identity.container_instance_arn, reason=reason
                ),
                metadata=self.call_metadata(),
                timeout=2,
            )
        except grpc.aio.AioRpcError as e:
            log.info("goodbye_not_delivered", code=e.code().name)

    async def close(self) -> None:
        for channel in (self.channel, self._user):
            if channel is not None:
                await channel.close()


def trusted_fingerprints(bundle: bytes) -> set[str]:
    """The fingerprints of the certificates in a CA bundle (none for an empty one)."""
    if not bundle:
        return set()
    return {tls.der_fingerprint(c.public_bytes(Encoding.DER)) for c in tls.certificates(bundle)}
