"""CredentialsService: each task's role credentials, fetched, refreshed, served and forgotten.

A task with a role gets a random id when it starts (`start`); its containers get the endpoint's
URI for that id in their environment. The credentials come from the control plane
(Agent/GetTaskCredentials) before the containers are made, and are replaced at 80 % of their life
(a failed refresh is retried every few seconds while the old ones still hold). When the task stops
(`forget`) the id answers 404, as does any id never given out; nothing else is served.

Which id each task has, and the port when any was asked for (port 0), are kept in
`<data-dir>/task-credentials.json` (mode 0600; ids only, never credentials), so a restarted agent
that adopts a running task serves it at the same URI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog
from aiohttp import web

from agent.credentials import model
from agent.credentials.address import AddressError, ensure_local
from berth.httpserve import start_http
from berth.v1 import agent_pb2

log = structlog.get_logger("berth.agent.credentials")

Fetch = Callable[[str], Awaitable[agent_pb2.GetTaskCredentialsResponse | str]]


class CredentialsService:
    def __init__(self, fetch: Fetch, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self._fetch = fetch
        self._clock = clock
        self._path = data_dir / "task-credentials.json"
        self._ids: dict[str, str] = {}  # task ARN -> credentials id
        self._saved_port = 0
        self._load()
        self._creds: dict[str, agent_pb2.GetTaskCredentialsResponse] = {}  # id -> credentials
        self._refreshers: dict[str, asyncio.Task[None]] = {}
        self._runner: web.AppRunner | None = None
        self.host = ""
        self.port = 0
        self.unavailable = "the credentials endpoint is not started"

    # -- the endpoint ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(model.PATH_PREFIX + "{id}", self._serve)
        return app

    async def _serve(self, request: web.Request) -> web.Response:
        creds = self._creds.get(request.match_info["id"])
        if creds is None or not model.usable(creds, self._clock()):
            return web.json_response(model.not_found_json(), status=404)
        return web.json_response(model.credentials_json(creds))

    async def listen(self, address: str) -> None:
        """Serve on `address` (HOST:PORT; port 0 picks one). A failure is logged, not raised: the
        agent runs on, and tasks with a role fail to start saying why."""
        try:
            host, port = model.parse_address(address)
            await asyncio.to_thread(ensure_local, host)
            self._runner, self.port = await self._bind(host, port)
        except (ValueError, AddressError, OSError) as e:
            self.unavailable = f"the agent's credentials endpoint {address} is not serving: {e}"
            log.warning("credentials_endpoint_unavailable", address=address, error=str(e))
            return
        self.host = host
        self.unavailable = ""
        if self.port != self._saved_port:
            self._saved_port = self.port
            await asyncio.to_thread(self._save)
        log.info("credentials_endpoint_listening", host=self.host, port=self.port)

    async def _bind(self, host: str, port: int) -> tuple[web.AppRunner, int]:
        """Serve on `port`; when any was asked for, on the one the last run had if it is free (the
        containers it served have it in their environment)."""
        if port == 0 and self._saved_port:
            try:
                return await start_http(self.app(), f"{host}:{self._saved_port}")
            except OSError:
                log.info("credentials_port_taken", port=self._saved_port)
        return await start_http(self.app(), f"{host}:{port}")

    # -- tasks -----------------------------------------------------------------------------------

    async def start(self, task_arn: str) -> dict[str, str] | str:
        """Credentials for a starting (or adopted) task: the containers' environment, or why
        there are none (ResourceInitializationError ...)."""
        if self.unavailable:
            return f"ResourceInitializationError: {self.unavailable}"
        ident = self._ids.get(task_arn) or model.new_id()
        creds = await self._fetch(task_arn)
        if isinstance(creds, str):
            return creds
        if self._ids.get(task_arn) != ident:
            self._ids[task_arn] = ident
            await asyncio.to_thread(self._save)
        self._creds[ident] = creds
        old = self._refreshers.pop(task_arn, None)
        if old is not None:
            old.cancel()
        self._refreshers[task_arn] = asyncio.create_task(self._refresh(task_arn, ident, self._clock()))
        log.info("task_credentials_ready", task=task_arn, role=creds.role_arn, expiration=creds.expiration)
        return model.container_env(ident, self.host, self.port)

    async def forget(self, task_arn: str) -> None:
        """The task stopped: its path answers 404 from now on."""
        refresher = self._refreshers.pop(task_arn, None)
        if refresher is not None:
            refresher.cancel()
        ident = self._ids.pop(task_arn, None)
        if ident is None:
            return
        self._creds.pop(ident, None)
        await asyncio.to_thread(self._save)
        log.info("task_credentials_forgotten", task=task_arn)

    async def prune(self, tasks: set[str]) -> None:
        """Forget every task not in `tasks` (the complete list this instance runs)."""
        for task_arn in [t for t in self._ids if t not in tasks]:
            await self.forget(task_arn)

    def served(self) -> int:
        return len(self._creds)

    async def _refresh(self, task_arn: str, ident: str, issued_at: float) -> None:
        while True:
            current = self._creds.get(ident)
            if current is None:
                return
            await asyncio.sleep(model.refresh_delay(self._clock(), issued_at, current.expiration))
            fresh = await self._fetch(task_arn)
            if isinstance(fresh, str):
                log.warning("task_credentials_refresh_failed", task=task_arn, reason=fresh)
                if not model.usable(current, self._clock() + model.RETRY_SECONDS):
                    return  # they expire before another try; the path answers 404 after that
                await asyncio.sleep(model.RETRY_SECONDS)  # then the (passed) due time says: at once
                continue
            if ident in self._creds:
                self._creds[ident] = fresh
            issued_at = self._clock()
            log.debug("task_credentials_refreshed", task=task_arn, expiration=fresh.expiration)

    # -- the ids file ----------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            data = json.loads(self._path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            tasks = data.get("tasks")
            self._ids = {str(k): str(v) for k, v in tasks.items()} if isinstance(tasks, dict) else {}
            port = data.get("port")
            self._saved_port = port if isinstance(port, int) else 0

    def _save(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"port": self._saved_port, "tasks": self._ids}, f)
        os.replace(tmp, self._path)

    async def close(self) -> None:
        for task in self._refreshers.values():
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self._refreshers.values(), return_exceptions=True)
        self._refreshers.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
