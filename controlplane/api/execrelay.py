"""ExecRelay: the ExecuteCommandStream sessions open through one agent session.

`open()` sends an ExecRequest down the session and waits for the agent's first answer
(ExecOutput{started}, or an error: no such container, not running). The session then carries
output one way and stdin, resizes and the end of stdin the other, both flow-controlled by credit:
the agent sends at most `WINDOW` output messages ahead, each one the caller has taken returns a
credit; the relay sends at most `WINDOW` stdin chunks ahead of the agent's stdin credits, so a
command that does not read its stdin holds the caller back instead of filling memory. Closing a
session that has not exited sends ExecInput.cancel (the agent kills the command); when the agent
session ends, every open exec fails with a clear error.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

from berth.errors import BerthError, FailedPrecondition, NotFound
from berth.v1 import agent_pb2

WINDOW = 8
STDIN_CHUNK = 64 * 1024
# How long the agent may take to start the command and say so.
ANSWER_SECONDS = 30.0
# An agent that ignores its window is cut off once this many messages wait for the caller.
_OVERRUN = WINDOW * 4
MISSING = "missing:"  # ExecOutput.error texts that mean "no such container there" (NotFound)

_Item = agent_pb2.ExecOutput | BerthError | None  # None: the agent session ended


class RelayedExec:
    """One exec session as its caller drives it."""

    def __init__(self, relay: ExecRelay, session_id: str) -> None:
        self.relay = relay
        self.session_id = session_id
        self.queue: asyncio.Queue[_Item] = asyncio.Queue()
        self.stdin_credits = asyncio.Semaphore(WINDOW)
        self.exited = False
        self._stdin_closed = False
        self._closed = False

    async def outputs(self) -> AsyncIterator[agent_pb2.ExecOutput]:
        """The agent's output, up to and including the ExecOutput with exited=true."""
        while not self.exited:
            item = await self.queue.get()
            if item is None:
                raise self.relay.lost()
            if isinstance(item, BerthError):
                raise item
            if item.exited:
                self.exited = True
                if item.error:
                    raise FailedPrecondition(f"the command's session broke off on the agent: {item.error}")
            yield item
            if not item.exited:
                self._input(credits=1)

    async def write(self, data: bytes) -> None:
        """Send stdin, waiting for credit (a command that does not read holds this back)."""
        for at in range(0, len(data), STDIN_CHUNK):
            await self.stdin_credits.acquire()
            if self._stdin_closed or self._closed:
                return
            self._input(stdin=data[at : at + STDIN_CHUNK])

    def close_stdin(self) -> None:
        if not self._stdin_closed:
            self._stdin_closed = True
            self._input(stdin_closed=True)

    def resize(self, rows: int, cols: int) -> None:
        self._input(rows=rows, cols=cols)

    def fail(self, error: BerthError) -> None:
        """End the session with this error (the caller sent something wrong)."""
        self.queue.put_nowait(error)

    def close(self) -> None:
        """Done with the session: a command still running is killed. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.relay.forget(self)
        if not self.exited:
            self._input(cancel=True)

    def _input(self, **fields: object) -> None:
        if self.relay.closed is None:
            self.relay.send(
                agent_pb2.ServerMessage(
                    exec_input=agent_pb2.ExecInput(session_id=self.session_id, **fields)  # type: ignore[arg-type]
                )
            )


class ExecRelay:
    def __init__(self, send: Callable[[agent_pb2.ServerMessage], None], instance_arn: str) -> None:
        self.send = send
        self._ident = instance_arn.rsplit("/", 1)[-1]
        self._sessions: dict[str, RelayedExec] = {}
        self.closed: str | None = None

    @property
    def open_sessions(self) -> int:
        return len(self._sessions)

    async def open(self, request: agent_pb2.ExecRequest) -> RelayedExec:
        """Start the command on the agent; returns once it runs (its session_id and window are
        filled in here). NotFound / FailedPrecondition when the agent cannot run it."""
        if self.closed is not None:
            raise self.lost()
        request.session_id = request.session_id or uuid.uuid4().hex
        request.window = WINDOW
        relayed = RelayedExec(self, request.session_id)
        self._sessions[request.session_id] = relayed
        try:
            self.send(agent_pb2.ServerMessage(exec_request=request))
            try:
                first = await asyncio.wait_for(relayed.queue.get(), ANSWER_SECONDS)
            except TimeoutError:
                raise FailedPrecondition(
                    f"the agent of container instance {self._ident} did not start the command within "
                    f"{ANSWER_SECONDS:g} s (an agent older than this control plane?)"
                ) from None
            if first is None:
                raise self.lost()
            if isinstance(first, BerthError):
                raise first
            if first.error:
                relayed.exited = True
                if first.error.startswith(MISSING):
                    raise NotFound(first.error[len(MISSING) :].strip(), ecs_type="InvalidParameterException")
                raise FailedPrecondition(f"the agent could not run the command: {first.error}")
            if not first.started:
                raise FailedPrecondition("the agent answered the exec request out of order")
        except BaseException:
            relayed.close()
            raise
        return relayed

    def deliver(self, output: agent_pb2.ExecOutput) -> None:
        """A message from the agent (those of sessions already gone are dropped)."""
        relayed = self._sessions.get(output.session_id)
        if relayed is None:
            return
        for _ in range(min(max(0, output.stdin_credits), WINDOW)):
            relayed.stdin_credits.release()
        if not (output.started or output.stdout or output.stderr or output.exited):
            return
        if relayed.queue.qsize() >= _OVERRUN:
            relayed.fail(FailedPrecondition("the agent overran its window"))
            relayed.close()
            return
        relayed.queue.put_nowait(output)

    def forget(self, relayed: RelayedExec) -> None:
        if self._sessions.get(relayed.session_id) is relayed:
            del self._sessions[relayed.session_id]

    def close(self, reason: str) -> None:
        """The agent session ended: every open exec fails."""
        self.closed = reason
        for relayed in self._sessions.values():
            relayed.queue.put_nowait(None)

    def lost(self) -> FailedPrecondition:
        return FailedPrecondition(
            f"the agent of container instance {self._ident} disconnected ({self.closed}); the "
            "command was stopped: run it again once the agent is back"
        )
