"""ExecService: the agent's side of ExecuteCommandStream (ECS Exec).

For each ExecRequest from the control plane it finds the task's container (by its deterministic
Docker name, checking the task label), runs the command in it through the runtime and answers
with ExecOutput{started}, then relays the process's output (at most `window` messages ahead of
the control plane's credits) and feeds it the ExecInputs in order (stdin, the end of stdin,
resizes), returning one stdin credit per chunk written. When the output ends, the exit code goes
out as the last message.

A session ends when the process exits, on ExecInput.cancel (the caller hung up), or when the
agent's session to the control plane ends; in the last two cases the process is killed. Every
session is one asyncio task, so none outlives the agent (`close()`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.execstream import coalesce
from agent.runtime.model import ContainerRuntime, ExecProcess
from agent.runtime.spec import container_name
from berth.v1 import agent_pb2

log = structlog.get_logger("berth.agent.execs")

DEFAULT_WINDOW = 8
CHUNK_BYTES = 64 * 1024
MISSING = "missing:"  # an error the control plane reports as NotFound


@dataclass
class _Running:
    credits: asyncio.Semaphore
    inputs: asyncio.Queue[agent_pb2.ExecInput] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


class ExecService:
    def __init__(self, runtime: ContainerRuntime, send: Callable[[agent_pb2.ExecOutput], None]) -> None:
        self.runtime = runtime
        self.send = send
        self._sessions: dict[str, _Running] = {}

    @property
    def active(self) -> int:
        return len(self._sessions)

    def handle(self, message: agent_pb2.ServerMessage) -> None:
        """An exec_request or exec_input from the control plane."""
        kind = message.WhichOneof("body")
        if kind == "exec_request":
            request = message.exec_request
            if request.session_id in self._sessions:
                return
            running = _Running(asyncio.Semaphore(request.window or DEFAULT_WINDOW))
            running.task = asyncio.create_task(
                self._serve(request, running), name=f"exec-{request.session_id}"
            )
            self._sessions[request.session_id] = running
            running.task.add_done_callback(lambda _: self._forget(request.session_id, running))
        elif kind == "exec_input":
            feed = message.exec_input
            target = self._sessions.get(feed.session_id)
            if target is None:
                return
            if feed.cancel:
                target.cancel()
                return
            for _ in range(max(0, feed.credits)):
                target.credits.release()
            if feed.stdin or feed.stdin_closed or (feed.rows > 0 and feed.cols > 0):
                target.inputs.put_nowait(feed)

    def _forget(self, session_id: str, running: _Running) -> None:
        if self._sessions.get(session_id) is running:
            del self._sessions[session_id]

    def cancel_all(self) -> None:
        """The session to the control plane ended: nobody reads these any more."""
        for running in self._sessions.values():
            running.cancel()

    async def close(self) -> None:
        tasks = [r.task for r in self._sessions.values() if r.task is not None]
        self.cancel_all()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- one session -----------------------------------------------------------------------------

    async def _serve(self, request: agent_pb2.ExecRequest, running: _Running) -> None:
        sid = request.session_id
        process: ExecProcess | None = None
        feeder: asyncio.Task[None] | None = None
        try:
            container_id = await self._container(request)
            process = await self.runtime.exec(
                container_id, request.command, tty=request.tty, rows=request.rows, cols=request.cols
            )
            self.send(agent_pb2.ExecOutput(session_id=sid, started=True))
            log.info("exec_started", task=request.task_arn, container=request.container_name, session=sid)
            feeder = asyncio.create_task(self._feed(sid, process, running.inputs))
            async for batch in process:
                for stream, data in coalesce(batch, CHUNK_BYTES):
                    await running.credits.acquire()
                    out = agent_pb2.ExecOutput(session_id=sid)
                    setattr(out, stream, data)
                    self.send(out)
            code = await process.wait()
            self.send(agent_pb2.ExecOutput(session_id=sid, exited=True, exit_code=code))
            log.info("exec_exited", session=sid, exit_code=code)
        except ContainerRuntimeError as e:
            self.send(agent_pb2.ExecOutput(session_id=sid, exited=True, error=e.message))
        except asyncio.CancelledError:
            log.info("exec_cancelled", session=sid)
            raise
        except Exception as e:
            log.exception("exec_failed", session=sid)
            self.send(agent_pb2.ExecOutput(session_id=sid, exited=True, error=f"internal error: {e}"))
        finally:
            if feeder is not None:
                feeder.cancel()
                await asyncio.gather(feeder, return_exceptions=True)
            if process is not None:
                await process.aclose()

    async def _container(self, request: agent_pb2.ExecRequest) -> str:
        task_id = request.task_arn.rsplit("/", 1)[-1]
        state = await self.runtime.inspect(container_name(task_id, request.container_name))
        if state is None or state.task_arn != request.task_arn:
            raise ContainerRuntimeError(
                f"{MISSING} container {request.container_name!r} of task {task_id} is not on its host "
                "(not created yet, or removed)"
            )
        if state.status != "running":
            raise ContainerRuntimeError(
                f"container {request.container_name!r} of task {task_id} is not running "
                f"(Docker status {state.status})"
            )
        return state.id

    async def _feed(self, sid: str, process: ExecProcess, inputs: asyncio.Queue[agent_pb2.ExecInput]) -> None:
        """The control plane's inputs, in order, into the process."""
        while True:
            feed = await inputs.get()
            if feed.stdin:
                await process.write(feed.stdin)
                self.send(agent_pb2.ExecOutput(session_id=sid, stdin_credits=1))
            if feed.stdin_closed:
                await process.close_stdin()
            if feed.rows > 0 and feed.cols > 0:
                try:
                    await process.resize(feed.rows, feed.cols)
                except ContainerRuntimeError as e:  # the process just exited: nothing to resize
                    log.debug("exec_resize_failed", session=sid, error=e.message)
