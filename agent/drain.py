"""`--drain-on-stop`: a stopping agent hands its service tasks over before it exits.

On SIGTERM (what `systemctl stop` sends) the agent sets its container instance DRAINING, so the
control plane starts replacements on other instances within the services' deployment limits and
then stops the copies here; the agent keeps its session (and its tasks) up meanwhile and exits
once no service task of its own is left and every report is acknowledged, or after the drain
timeout. Standalone tasks are left running, as ECS leaves them on a draining instance. SIGINT, or
a second SIGTERM, stops at once without draining; SIGUSR1 (a restart: deploy/install-agent.sh
upgrading) neither drains nor says goodbye, so the tasks stay and the next start adopts them.

The agent writes a marker into its data dir when it drains; the next start makes the instance
ACTIVE again and removes the marker, so a host that was stopped takes tasks again when it comes
back, and a drain an operator ordered (no marker) is kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import structlog

from agent.session import Session
from berth.v1 import ecs_messages_pb2, ecs_pb2_grpc

log = structlog.get_logger("berth.agent.drain")

MARKER = "drained-on-stop"


def marker(data_dir: Path) -> Path:
    return data_dir / MARKER


def _stub(session: Session) -> ecs_pb2_grpc.ECSStub:
    assert session.channel is not None
    return ecs_pb2_grpc.ECSStub(session.channel)  # type: ignore[no-untyped-call]


def _auth(session: Session) -> tuple[tuple[str, str], ...]:
    return session.call_metadata()


async def current_status(session: Session) -> str:
    """This agent's instance status (ACTIVE, DRAINING, ...), or "" when the call fails."""
    request = ecs_messages_pb2.DescribeContainerInstancesRequest(
        cluster=session.settings.cluster, container_instances=[session.identity.container_instance_arn]
    )
    try:
        resp = await _stub(session).DescribeContainerInstances(request, metadata=_auth(session), timeout=10)
    except grpc.aio.AioRpcError as e:
        log.warning("instance_status_unknown", code=e.code().name, error=e.details())
        return ""
    return str(resp.container_instances[0].status) if resp.container_instances else ""


async def set_status(session: Session, status: str) -> bool:
    """UpdateContainerInstancesState for this agent's own instance, with its own token."""
    request = ecs_messages_pb2.UpdateContainerInstancesStateRequest(
        cluster=session.settings.cluster,
        container_instances=[session.identity.container_instance_arn],
        status=status,
    )
    try:
        await _stub(session).UpdateContainerInstancesState(request, metadata=_auth(session), timeout=10)
    except grpc.aio.AioRpcError as e:
        log.warning("instance_state_not_changed", status=status, code=e.code().name, error=e.details())
        return False
    log.info("instance_state_changed", status=status, instance=session.identity.container_instance_arn)
    return True


async def reactivate(session: Session) -> None:
    """At start: undo a drain of our own making (the marker), leave an operator's drain alone."""
    path = marker(session.settings.data_dir)
    if path.exists() and await set_status(session, "ACTIVE"):
        path.unlink(missing_ok=True)


async def drain(session: Session, service_tasks: Callable[[], int], abort: asyncio.Event) -> None:
    """DRAINING, then wait until `service_tasks()` is 0 and the control plane has every report,
    for at most the drain timeout or until `abort` is set."""
    settings = session.settings
    status = await current_status(session)
    if status == "ACTIVE":
        if not await set_status(session, "DRAINING"):
            return
        marker(settings.data_dir).write_text("the agent drained this instance when it stopped\n")
    elif status != "DRAINING":
        return
    deadline = time.monotonic() + settings.drain_timeout_seconds
    while service_tasks() or session.unacknowledged:
        left = deadline - time.monotonic()
        if left <= 0:
            log.warning("drain_timed_out", service_tasks=service_tasks())
            return
        try:
            await asyncio.wait_for(abort.wait(), min(0.5, left))
            log.warning("drain_aborted", service_tasks=service_tasks())
            return
        except TimeoutError:
            pass
    log.info("drained")
