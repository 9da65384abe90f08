"""The agent's link to the control plane: registration and the session stream.

Registration uses the agent's own token when it has one (a restart re-registers the same
instance), else the join token. The session sends Hello, heartbeats and task state changes;
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
from typing import Any

import grpc
import structlog

from agent import host, identity
from agent.execs import ExecService
from agent.logs import LogService
from agent.runtime.model import RuntimeInfo
from agent.settings import AGENT_VERSION, AgentSettings
from berth.endpoints import grpc_target
from berth.v1 import agent_pb2, agent_pb2_grpc, ecs_messages_pb2

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
        # A channel may be shared (simulated agents run many sessions on one connection).
        self.channel = channel or grpc.aio.insecure_channel(
            grpc_target(settings.endpoint), options=CHANNEL_OPTIONS
        )
        self.stub = agent_pb2_grpc.AgentStub(self.channel)  # type: ignore[no-untyped-call]
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

    # -- registration ----------------------------------------------------------------------------

    async def register(
        self, info: RuntimeInfo, *, metrics_endpoint: str, host_address: str
    ) -> identity.Identity:
        """Register (or re-register) until it works; returns the identity, saved to the data dir."""
        backoff = Backoff()
        while True:
            try:
                return await self._register_once(info, metrics_endpoint, host_address)
            except grpc.aio.AioRpcError as e:
                if e.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED) or (
                    e.code() == grpc.StatusCode.UNAUTHENTICATED and not self.identity.token
                ):
                    raise SystemExit(
                        f"berth-agent: registration refused: {e.code().name}: {e.details()}"
                    ) from e
                log.warning("registration_failed", code=e.code().name, error=e.details())
                await backoff.sleep()

    async def _register_once(
        self, info: RuntimeInfo, metrics_endpoint: str, host_address: str
    ) -> identity.Identity:
        previous = self.identity
        same_cluster = previous.cluster == (self.settings.pool or self.settings.cluster)
        arn = previous.container_instance_arn if same_cluster else ""
        request = host.registration(
            self.settings,
            info,
            instance_arn=arn,
            metrics_endpoint=metrics_endpoint,
            host_address=host_address,
        )
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
        self.identity = identity.Identity(
            container_instance_arn=resp.container_instance.container_instance_arn,
            token=resp.agent_token,
            cluster=self.settings.pool or self.settings.cluster,
        )
        identity.save(self.settings.data_dir, self.identity)
        # Kept in place (RunnerDeps holds this list): a re-registration updates it for new tasks.
        self.dns_servers[:] = await host.answering_dns(list(resp.dns_servers))
        if len(self.dns_servers) < len(resp.dns_servers):
            log.warning("dns_server_unreachable", offered=list(resp.dns_servers), using=self.dns_servers)
        log.info("registered", instance=self.identity.container_instance_arn, again=bool(arn))
        return self.identity

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
        metadata = (("authorization", f"Bearer {self.identity.token}"),)
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

    async def _outgoing(self) -> AsyncIterator[agent_pb2.AgentMessage]:
        yield agent_pb2.AgentMessage(
            hello=agent_pb2.Hello(
                container_instance_arn=self.identity.container_instance_arn, agent_version=AGENT_VERSION
            )
        )
        sent = 0
        next_heartbeat = time.monotonic() + self.settings.heartbeat_seconds
        while True:
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
        """A task's secrets (Agent/GetTaskSecrets), or why they are refused. Retried while the
        control plane is unreachable, for up to about 30 s."""
        delay = 0.5
        for attempt in range(8):
            try:
                response: agent_pb2.GetTaskSecretsResponse = await self.stub.GetTaskSecrets(
                    agent_pb2.GetTaskSecretsRequest(task_arn=task_arn),
                    metadata=(("authorization", f"Bearer {self.identity.token}"),),
                    timeout=10,
                )
                return response
            except grpc.aio.AioRpcError as e:
                retry = e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
                if not retry or attempt == 7:
                    reason = str(e.details() or e.code().name)
                    if not reason.startswith("ResourceInitializationError"):
                        reason = (
                            f"ResourceInitializationError: unable to pull secrets or registry auth: {reason}"
                        )
                    return reason
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        return "ResourceInitializationError: unable to pull secrets or registry auth"

    async def goodbye(self, reason: str) -> None:
        """Tell the control plane this agent is going away (best effort, quickly)."""
        if not self.identity.token:
            return
        try:
            await self.stub.Goodbye(
                agent_pb2.GoodbyeRequest(
                    container_instance_arn=self.identity.container_instance_arn, reason=reason
                ),
                metadata=(("authorization", f"Bearer {self.identity.token}"),),
                timeout=2,
            )
        except grpc.aio.AioRpcError as e:
            log.info("goodbye_not_delivered", code=e.code().name)

    async def close(self) -> None:
        await self.channel.close()
