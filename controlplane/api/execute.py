"""ECS Exec: ExecuteCommand (berth.v1.ECS) and ExecuteCommandStream (berth.v1.Berth).

ExecuteCommandStream is the session itself: after the caller's `start`, the command runs through
the agent session this replica holds for the task's host (`ExecRelay`), stdin and resizes go one
way, output the other, and the exit code ends it. Both RPCs are authorized as
ecs:ExecuteCommand and check the request as ECS does: the task must have been started with
enableExecuteCommand (ECS's InvalidParameterException otherwise), be RUNNING, and the container
must be one of the task's and running. ECS's unary ExecuteCommand hands out an SSM session;
berth has none, so after the same checks it points the caller to the stream.

Every session is recorded under `execs/<cluster>/<session id>` (on a lease, deleted once it has
ended): written when the command starts and again when it ends, which the event stream shows
as "ECS Exec Session" events naming the principal, task, container and command.
"""

from __future__ import annotations

import asyncio
import shlex
import uuid
from collections.abc import AsyncIterator

import structlog

from berth.errors import BerthError, FailedPrecondition, InvalidArgument, shown
from berth.v1 import agent_pb2, berth_pb2, types_pb2
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.api.context import CallContext
from controlplane.api.execrelay import RelayedExec
from controlplane.api.observability import ObservabilityApi
from controlplane.store import Put, keys

log = structlog.get_logger("berth.exec")

MAX_COMMAND_CHARS = 4096
MAX_TERMINAL = 10_000  # rows or columns
START_SECONDS = 30.0  # how long a caller may take to send `start`
# The record of a session whose end was never written (the replica died) goes with its lease.
RECORD_TTL = 24 * 3600
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run or "
    "the execute command agent isn’t running. Wait and try again or run a new task with execute "  # noqa: RUF001 (ECS says so)
    "command enabled and try again."
)
STREAM_HINT = (
    "berth does not hand out SSM sessions: run the command through berth's gRPC stream, "
    "berth.v1.Berth/ExecuteCommandStream, for example `berth execute-command --cluster C --task T "
    "--container NAME --interactive --command sh`"
)
# Writes of ended sessions' records still under way (kept so that they are not collected).
_FINISHING: set[asyncio.Task[None]] = set()


def split_command(command: str) -> list[str]:
    """ECS's one-string command as argv, split into words as a shell would (no shell runs it:
    `sh -c '...'` for pipes and variables)."""
    if not command.strip():
        raise InvalidArgument.field("command", "is empty: give the command to run, such as sh")
    if len(command) > MAX_COMMAND_CHARS:
        raise InvalidArgument.field("command", f"is limited to {MAX_COMMAND_CHARS} characters")
    try:
        return shlex.split(command)
    except ValueError as e:
        raise InvalidArgument.field("command", f"{shown(command)} cannot be split into words ({e})") from None


def exec_container(task: types_pb2.Task, name: str) -> types_pb2.Container:
    """The container of `task` to run a command in, if ECS would let one run there."""
    task_id = task.task_arn.rsplit("/", 1)[-1]
    if not task.enable_execute_command:
        raise FailedPrecondition(NOT_ENABLED, ecs_type="InvalidParameterException")
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        raise FailedPrecondition(
            f"task {task_id} is {task.last_status} (desired {task.desired_status}): commands run only "
            "in RUNNING tasks",
            ecs_type="InvalidParameterException",
        )
    names = [c.name for c in task.containers]
    if not name:
        if len(names) != 1:
            raise InvalidArgument.field(
                "container", f"task {task_id} has {len(names)} containers ({', '.join(names)}): name one"
            )
        name = names[0]
    container = next((c for c in task.containers if c.name == name), None)
    if container is None:
        raise InvalidArgument.field(
            "container", f"task {task_id} has no container {shown(name)} (it has {', '.join(names)})"
        )
    if container.last_status != "RUNNING":
        raise FailedPrecondition(
            f"container {name} of task {task_id} is {container.last_status or 'not started'}, not RUNNING",
            ecs_type="InvalidParameterException",
        )
    return container


def check_size(size: berth_pb2.TerminalSize, field: str) -> None:
    for part in ("rows", "cols"):
        value = getattr(size, part)
        if not 0 <= value <= MAX_TERMINAL:
            raise InvalidArgument.field(f"{field}.{part}", f"{value} is out of range: 0 to {MAX_TERMINAL}")


class ExecApi(ObservabilityApi):
    async def _exec_target(
        self, cluster_ref: str, task_ref: str, container: str, command: str
    ) -> tuple[str, types_pb2.Task, types_pb2.Container, list[str]]:
        cluster = (await self.active_cluster(cluster_ref)).value.cluster_name
        if not task_ref:
            raise InvalidArgument.field("task", "is required: the id or ARN of a running task")
        task = (await self.task_record(cluster, task_ref)).value
        argv = split_command(command)
        return cluster, task, exec_container(task, container), argv

    async def ExecuteCommand(
        self, req: ecs.ExecuteCommandRequest, ctx: CallContext
    ) -> ecs.ExecuteCommandResponse:
        await self._exec_target(req.cluster, req.task, req.container, req.command)
        raise FailedPrecondition(STREAM_HINT)

    async def ExecuteCommandStream(
        self, requests: AsyncIterator[berth_pb2.ExecuteCommandStreamRequest], ctx: CallContext
    ) -> AsyncIterator[berth_pb2.ExecuteCommandStreamResponse]:
        try:
            first = await asyncio.wait_for(anext(requests), START_SECONDS)
        except StopAsyncIteration:
            raise InvalidArgument.field("start", "the stream ended before its start message") from None
        except TimeoutError:
            raise InvalidArgument.field("start", f"no start message within {START_SECONDS:g} s") from None
        if not first.HasField("start"):
            raise InvalidArgument.field("start", "the first message must be start (cluster, task, command)")
        start = first.start
        check_size(start.size, "start.size")
        cluster, task, container, argv = await self._exec_target(
            start.cluster, start.task, start.container, start.command
        )
        session = self._session(
            task.container_instance_arn, ctx, "exec sessions are", "retry once the agent is back"
        )
        if isinstance(session, str):  # the replica holding the agent runs (and records) the session
            assert self.forwarder is not None
            async for response in self.forwarder.execute(session, first, requests, ctx.principal):
                yield response
            return
        record = berth_pb2.ExecSession(
            session_id=uuid.uuid4().hex,
            cluster_arn=task.cluster_arn,
            task_arn=task.task_arn,
            container_name=container.name,
            container_arn=container.container_arn,
            command=start.command,
            interactive=start.interactive,
            tty=start.tty,
            principal=ctx.principal.arn,
            status="RUNNING",
            started_at=ctx.now(),
            # (A FARGATE task's host is the hidden pool's: not shown, as in DescribeTasks.)
            container_instance_arn=task.container_instance_arn if task.launch_type != "FARGATE" else "",
        )
        relayed = await session.execs.open(
            agent_pb2.ExecRequest(
                session_id=record.session_id,
                task_arn=task.task_arn,
                container_name=container.name,
                command=argv,
                tty=start.tty,
                rows=start.size.rows,
                cols=start.size.cols,
            )
        )
        pump: asyncio.Task[None] | None = None
        lease = 0
        reason = "the caller hung up"
        try:
            lease = await self._record_start(cluster, record)
            log.info(
                "exec_started",
                session=record.session_id,
                task=task.task_arn,
                container=container.name,
                command=start.command,
            )
            pump = asyncio.create_task(_forward_input(requests, relayed))
            yield berth_pb2.ExecuteCommandStreamResponse(session=record)
            async for out in relayed.outputs():
                if out.exited:
                    record.exit_code, reason = out.exit_code, ""
                    yield berth_pb2.ExecuteCommandStreamResponse(
                        exit=berth_pb2.ExecExit(exit_code=out.exit_code)
                    )
                    return
                if out.stdout:
                    yield berth_pb2.ExecuteCommandStreamResponse(stdout=out.stdout)
                if out.stderr:
                    yield berth_pb2.ExecuteCommandStreamResponse(stderr=out.stderr)
        except BerthError as e:
            reason = e.message
            raise
        finally:
            if pump is not None:
                pump.cancel()
            relayed.close()
            record.status, record.stopped_at, record.reason = "STOPPED", ctx.now(), reason
            if lease:
                self._record_end(cluster, record, lease)

    # -- the record --------------------------------------------------------------------------------

    async def _record_start(self, cluster: str, record: berth_pb2.ExecSession) -> int:
        lease = await self.store.grant_lease(RECORD_TTL)
        await self.store.commit(Put(keys.exec_session(cluster, record.session_id), record, 0, lease=lease))
        return lease

    def _record_end(self, cluster: str, record: berth_pb2.ExecSession, lease: int) -> None:
        """Write the end in the background: the caller may be gone, and its call cancelled."""
        task = asyncio.create_task(self._write_end(cluster, record, lease))
        _FINISHING.add(task)
        task.add_done_callback(_FINISHING.discard)

    async def _write_end(self, cluster: str, record: berth_pb2.ExecSession, lease: int) -> None:
        key = keys.exec_session(cluster, record.session_id)
        try:
            revision = await self.store.revision_of(key)
            if revision:  # (else its lease ran out)
                await self.store.commit(Put(key, record, revision, lease=lease))
            await self.store.revoke_lease(lease)  # which deletes the record: the events stay
        except BerthError as e:
            log.warning("exec_record_not_written", session=record.session_id, error=str(e))
        log.info(
            "exec_ended",
            session=record.session_id,
            exit_code=record.exit_code if record.HasField("exit_code") else None,
            reason=record.reason,
        )


async def _forward_input(
    requests: AsyncIterator[berth_pb2.ExecuteCommandStreamRequest], relayed: RelayedExec
) -> None:
    """The caller's messages after `start`, in order, to the agent; its end closes stdin."""
    try:
        async for message in requests:
            kind = message.WhichOneof("body")
            if kind == "stdin":
                await relayed.write(message.stdin)
            elif kind == "stdin_closed":
                relayed.close_stdin()
            elif kind == "resize":
                check_size(message.resize, "resize")
                if message.resize.rows and message.resize.cols:
                    relayed.resize(message.resize.rows, message.resize.cols)
            elif kind == "start":
                raise InvalidArgument.field("start", "only the first message may be start")
        relayed.close_stdin()
    except BerthError as e:
        relayed.fail(e)
    except Exception as e:  # the call is going away
        log.debug("exec_input_ended", error=str(e) or type(e).__name__)
