"""Logs and events: GetTaskLogs and WatchEvents (berth.v1.Berth).

GetTaskLogs finds the task's container instance and streams through the agent session this replica
holds for it (`LogRelay`). An agent's session lives on one replica; when it is on another one, the
call is forwarded there (`controlplane.replicas`), once. A disconnected agent is
FAILED_PRECONDITION: its logs stay on the host until it is back.

WatchEvents streams ECS-shaped events derived from etcd's history (`controlplane.events`). The
audit trail (type "audit") is sent only when asked for, and only to a caller also allowed
berth:WatchAuditEvents: it tells who did what, which ecs:WatchEvents alone does not grant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from berth import arn
from berth.errors import FailedPrecondition, InvalidArgument
from berth.v1 import agent_pb2, berth_pb2, types_pb2
from controlplane.api.context import CallContext
from controlplane.api.instances import InstanceApi
from controlplane.api.tasks import TaskApi
from controlplane.audit import WATCH_AUDIT_EVENTS
from controlplane.auth import Authorizer
from controlplane.events import EventFeed, EventFilter, EventId
from controlplane.events.derive import ALL_TYPES, AUDIT, TYPES
from controlplane.store import keys

if TYPE_CHECKING:
    from controlplane.api.agent_service import AgentServicer, AgentSession
    from controlplane.replicas import Forwarder


class ObservabilityApi(TaskApi, InstanceApi):
    agents: AgentServicer | None = None
    event_feed: EventFeed | None = None
    forwarder: Forwarder | None = None  # to the replica holding an agent's session
    authorizer: Authorizer | None = None  # for what a call asks beyond its own action (the audit trail)

    def attach_agents(self, agents: AgentServicer, *, event_history_seconds: float) -> None:
        """Wire in this replica's agent sessions (for logs) and set up the event feed."""
        self.agents = agents
        self.event_feed = EventFeed(
            self.store,
            self._event_instance_view,
            account=self.arns.account,
            region=self.arns.region,
            history_seconds=event_history_seconds,
        )

    # -- logs ------------------------------------------------------------------------------------

    async def GetTaskLogs(
        self, req: berth_pb2.GetTaskLogsRequest, ctx: CallContext
    ) -> AsyncIterator[berth_pb2.GetTaskLogsResponse]:
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        task = (await self.task_record(cluster, req.task)).value
        task_id = task.task_arn.rsplit("/", 1)[-1]
        names = [c.name for c in task.containers]
        if req.container_name:
            if req.container_name not in names:
                raise InvalidArgument.field(
                    "containerName",
                    f"task {task_id} has no container {req.container_name!r} (it has {', '.join(names)})",
                )
            names = [req.container_name]
        if req.tail < 0:
            raise InvalidArgument.field("tail", f"{req.tail} is negative")
        if req.since < 0:
            raise InvalidArgument.field("since", f"{req.since} is negative")
        if not task.container_instance_arn:
            raise FailedPrecondition(f"task {task_id} was never placed on a host, so it has no logs")
        session = self._session(task.container_instance_arn, ctx)
        if isinstance(session, str):
            assert self.forwarder is not None
            async for response in self.forwarder.logs(session, req, ctx.principal):
                yield response
            return
        request = agent_pb2.LogRequest(
            task_arn=task.task_arn, containers=names, since=req.since, tail=req.tail, follow=req.follow
        )
        async for chunk in session.logs.stream(request):
            if chunk.lines:
                yield berth_pb2.GetTaskLogsResponse(
                    events=[
                        berth_pb2.LogEvent(
                            container_name=line.container_name,
                            stream=line.stream,
                            timestamp=line.timestamp,
                            message=line.message,
                        )
                        for line in chunk.lines
                    ]
                )

    def _session(
        self,
        instance_arn: str,
        ctx: CallContext,
        purpose: str = "logs are",
        meanwhile: str = "the task's logs stay on its host and can be read once the agent is back",
    ) -> AgentSession | str:
        """The agent session this replica holds for the instance, or the name of the replica that
        holds it (to forward the call to), or FailedPrecondition saying why neither (`purpose` and
        `meanwhile` fit the message to what the caller wanted)."""
        session = self.agents.sessions.get(instance_arn) if self.agents is not None else None
        if session is not None:
            return session
        instance_cluster, ident = arn.scoped_id(instance_arn, "container-instance", "containerInstanceArn")
        liveness = self.state.liveness.get(keys.liveness(instance_cluster or "", ident))
        here = self.agents.replica if self.agents is not None else ""
        if liveness is not None and liveness.replica and liveness.replica != here:
            if self.forwarder is not None and not ctx.principal.via:
                return liveness.replica
            raise FailedPrecondition(
                f"the agent of container instance {ident} is connected to control plane replica "
                f"{liveness.replica}, not to this one ({here}); {purpose} served by the replica that "
                "holds the agent's session"
                + (
                    f" (this call was forwarded here by {ctx.principal.via}: retry)"
                    if ctx.principal.via
                    else ""
                )
            )
        raise FailedPrecondition(f"the agent of container instance {ident} is not connected; {meanwhile}")

    # -- events ----------------------------------------------------------------------------------

    async def WatchEvents(
        self, req: berth_pb2.WatchEventsRequest, ctx: CallContext
    ) -> AsyncIterator[berth_pb2.Event]:
        if req.cluster and set(req.types) == {AUDIT}:
            # The audit trail also tells of calls on clusters that are gone or never were.
            parsed = arn.parse(req.cluster)
            cluster = parsed.resource if parsed is not None else req.cluster
        else:
            cluster = (await self.active_cluster(req.cluster)).value.cluster_name if req.cluster else ""
        services = frozenset(
            arn.scoped_id(ref, "service", f"services[{i}]")[1] for i, ref in enumerate(req.services)
        )
        for i, kind in enumerate(req.types):
            if kind not in ALL_TYPES:
                raise InvalidArgument.field(f"types[{i}]", f"{kind!r} is not one of {', '.join(ALL_TYPES)}")
        if AUDIT in req.types:
            if self.authorizer is None:
                raise FailedPrecondition("the audit trail is not set up on this replica")
            self.authorizer.check(ctx.principal, WATCH_AUDIT_EVENTS)
        after = EventId.parse(req.after_id) if req.after_id else None
        flt = EventFilter(cluster, services, frozenset(req.types or TYPES))
        if self.event_feed is None:
            raise FailedPrecondition("the event feed is not set up on this replica")
        async for event in self.event_feed.events(
            flt, after=after, from_oldest=req.from_oldest, follow=req.follow
        ):
            yield event

    def _event_instance_view(
        self, cluster: str, ident: str, record: types_pb2.ContainerInstance | None
    ) -> types_pb2.ContainerInstance | None:
        if record is None:
            record = self.state.instances.get(keys.instance(cluster, ident))
            if record is None:
                return None
        return self.instance_view(cluster, record)
