"""`DockerRuntime`: the agent's asyncio facade over the Docker SDK. The only module that imports `docker`.

Threading. The SDK is synchronous: every call runs on a bounded ThreadPoolExecutor (8 workers by
default) and is awaited with `run_in_executor`. Calls that block for as long as a container or a
registry takes (stop() sits out the grace period; pulls) use a second pool (32 workers), so tasks
stopping with a 30 s stopTimeout never queue the create/start of a new task behind them (ECS's
"one slow-stopping task keeps other tasks PENDING", containers-roadmap #555). A Docker call cannot
be interrupted, so a cancelled caller waits for its call to finish before the cancellation
propagates: no call outlives its caller to race a later one (a cancelled create() cannot land
after the remove() that follows it). Each `events()` stream owns one dedicated thread that reads
dockerd's event stream and feeds an asyncio.Queue through `loop.call_soon_threadsafe`; nothing polls.

Idempotency. Names and labels are deterministic (see `spec`), so: create() of a name that already
exists for the same task returns the existing id; start() of a running container, stop()/kill() of a
stopped or missing one, remove() and remove_volume() of missing ones all succeed.

Errors. Docker and `requests` exceptions never leave this module; they become the tree in
`agent.runtime.errors` (dockerd unreachable -> RuntimeUnavailable, which is temporary).

Hot path. create() is one POST (no image inspect; a missing image comes back as ImageNotPresent) and
start() one more, the same round trips as `docker run -d`. The client negotiates the API version
(`version="auto"`) lazily on first use, so constructing a DockerRuntime does no I/O and the agent
may start before dockerd does.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import docker
import docker.errors
import requests.exceptions
import structlog
from docker.models.containers import _create_container_args

from agent.runtime.errors import (
    CannotCreateContainerError,
    CannotPullContainerError,
    CannotStartContainerError,
    ContainerRuntimeError,
    ImageNotPresent,
    RuntimeConflict,
    RuntimeUnavailable,
)
from agent.runtime.execstream import ExecStream, RawExec
from agent.runtime.logstream import LogStream, RawLogs
from agent.runtime.model import (
    LABEL_CONTAINER_NAME,
    LABEL_INSTANCE_ARN,
    LABEL_TASK_ARN,
    ContainerRuntime,
    ContainerState,
    DockerEvent,
    ExecStatus,
    Health,
    PullOutcome,
    RuntimeInfo,
)
from agent.runtime.spec import network_bindings, network_bindings_from_summary

__all__ = ["EVENT_ACTIONS", "PULL_BEHAVIORS", "DockerRuntime", "EventStream"]

log = structlog.get_logger("berth.agent.runtime")

T = TypeVar("T")
# Told of every Docker API call: (operation, seconds, succeeded). Called on the worker thread.
CallObserver = Callable[[str, float, bool], None]
MIB = 1024 * 1024
PULL_BEHAVIORS = ("default", "always", "once", "prefer-cached")
_HEALTH: dict[str, Health] = {"healthy": "HEALTHY", "unhealthy": "UNHEALTHY"}
_SUMMARY_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")
_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")
# The container events the agent acts on. Docker matches "health_status" against
# "health_status: healthy" etc.
EVENT_ACTIONS = (
    "create",
    "start",
    "restart",
    "die",
    "oom",
    "kill",
    "stop",
    "health_status",
    "pause",
    "unpause",
    "destroy",
)
# States a container list entry describes completely; others need an inspect (exit code, OOM flag).
_SUMMARY_COMPLETE = ("running", "created", "paused")


class DockerRuntime:
    """Runs containers through dockerd. Construct, use from one event loop, `await close()`."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        workers: int = 8,
        slow_workers: int = 32,
        timeout: float = 60.0,
        on_call: CallObserver | None = None,
    ) -> None:
        """`base_url` defaults to $DOCKER_HOST or the local socket. `workers` threads serve the quick
        calls, `slow_workers` the ones that wait on containers or registries (stop, pulls).
        `timeout` bounds each API call (stop() adds its grace period; event streams have none).
        `on_call(operation, seconds, ok)` is told of every call (on its worker thread; for metrics)."""
        self._on_call = on_call
        self._base_url = base_url
        self._timeout = timeout
        self._workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="berth-docker")
        self._slow_pool = ThreadPoolExecutor(max_workers=slow_workers, thread_name_prefix="berth-docker-slow")
        self._slow_workers = slow_workers
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._closed = False
        self._readers: set[_EventReader] = set()
        self._log_streams: set[LogStream] = set()
        self._exec_streams: set[ExecStream] = set()

    # -- plumbing -------------------------------------------------------------------------------

    def _docker(self) -> Any:
        """The SDK client, created (and the API version negotiated) on first use. Worker threads only."""
        with self._client_lock:
            if self._closed:
                raise ContainerRuntimeError("the Docker runtime is closed")
            if self._client is None:
                # Room for every worker plus a few event streams, each holding a connection.
                opts: dict[str, Any] = {
                    "version": "auto",
                    "timeout": self._timeout,
                    "max_pool_size": self._workers + self._slow_workers + 4,
                }
                try:
                    if self._base_url:
                        self._client = docker.DockerClient(base_url=self._base_url, **opts)
                    else:
                        self._client = docker.from_env(**opts)
                except docker.errors.DockerException as e:
                    raise RuntimeUnavailable(f"cannot reach dockerd: {e}") from e
            return self._client

    def _api(self) -> Any:
        return self._docker().api

    async def _call(self, fn: Callable[[], T], *, slow: bool = False) -> T:
        """Run `fn` on a pool, mapping transport errors; waits for it even when cancelled.
        `slow` calls (waiting on containers or registries) get their own pool."""
        if self._closed:
            raise ContainerRuntimeError("the Docker runtime is closed")
        pool = self._slow_pool if slow else self._pool
        if self._on_call is not None:
            fn = _observed(fn, self._on_call)
        future = asyncio.get_running_loop().run_in_executor(pool, _guard_transport, fn)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The thread cannot be stopped: let the call land before the caller moves on.
            await asyncio.wait({future})
            raise

    # -- engine ---------------------------------------------------------------------------------

    async def info(self) -> RuntimeInfo:
        def run() -> RuntimeInfo:
            api = self._api()
            i = api.info()
            return RuntimeInfo(
                docker_version=str(i.get("ServerVersion", "")),
                api_version=str(api.api_version),
                cpus=int(i.get("NCPU", 0)),
                memory_mib=int(i.get("MemTotal", 0)) // MIB,
                os_type=str(i.get("OSType", "")),
                architecture=str(i.get("Architecture", "")),
                storage_driver=str(i.get("Driver", "")),
                cgroup_driver=str(i.get("CgroupDriver", "")),
                cgroup_version=str(i.get("CgroupVersion", "")),
                kernel_version=str(i.get("KernelVersion", "")),
            )

        return await self._call(run)

    # -- images ---------------------------------------------------------------------------------

    async def ensure_image(
        self,
        ref: str,
        behavior: str = "default",
        pulled_before: bool = False,
        *,
        auth_config: Mapping[str, str] | None = None,
    ) -> PullOutcome:
        """Make `ref` available locally following ECS_IMAGE_PULL_BEHAVIOR.

        "default": pull; if the pull fails use the cached image when there is one.
        "always": pull or fail. "once": pull unless `pulled_before` and the image is still cached.
        "prefer-cached": use the cached image when present, else pull.
        CannotPullContainerError (with Docker's reason) when no usable image results.
        """
        if behavior not in PULL_BEHAVIORS:
            raise ValueError(f"unknown image pull behavior {behavior!r}; expected one of {PULL_BEHAVIORS}")
        auth = dict(auth_config) if auth_config else None

        def run() -> PullOutcome:
            api = self._api()
            if behavior == "prefer-cached" or (behavior == "once" and pulled_before):
                cached = _inspect_image(api, ref)
                if cached is not None:
                    return _outcome(ref, cached, pulled=False)
            try:
                _pull(api, ref, auth)
            except _PullFailed as e:
                if behavior == "default":
                    cached = _inspect_image(api, ref)
                    if cached is not None:
                        log.info("image_pull_failed_using_cache", image=ref, reason=e.reason)
                        return _outcome(ref, cached, pulled=False, pull_error=e.reason)
                raise CannotPullContainerError(f"pull {ref}: {e.reason}") from None
            pulled = _inspect_image(api, ref)
            if pulled is None:
                raise CannotPullContainerError(f"pull {ref}: the image is not present after the pull")
            return _outcome(ref, pulled, pulled=True)

        return await self._call(run, slow=True)

    # -- containers -----------------------------------------------------------------------------

    async def create(self, kwargs: Mapping[str, Any]) -> str:
        """Create a container from `spec.create_kwargs()` output; returns its id.

        If the name exists and belongs to the same task and container (labels), returns that id
        (re-create after an agent restart); if it belongs to something else, RuntimeConflict.
        ImageNotPresent (a CannotCreateContainerError) when the image is not cached locally.
        """
        kwargs = dict(kwargs)

        def run() -> str:
            api = self._api()
            args = dict(kwargs, version=api.api_version)
            try:
                create_args = _create_container_args(args)
            except (TypeError, ValueError, docker.errors.DockerException) as e:
                raise CannotCreateContainerError(f"invalid container options: {e}") from None
            for _attempt in range(3):
                try:
                    return str(api.create_container(**create_args)["Id"])
                except docker.errors.ImageNotFound as e:
                    image = str(kwargs.get("image", ""))
                    raise ImageNotPresent(f"{image}: {_reason(e)}", image=image) from None
                except docker.errors.APIError as e:
                    if e.status_code != 409:
                        raise CannotCreateContainerError(_reason(e)) from None
                existing = _adopt(api, kwargs)
                if existing is not None:
                    return existing
                # The holder of the name vanished between the 409 and the inspect: try again.
            raise RuntimeConflict(f"container name {kwargs.get('name')!r} keeps changing hands")

        return await self._call(run)

    async def start(self, container_id: str) -> None:
        """Start a created container (a running one is fine). CannotStartContainerError otherwise."""

        def run() -> None:
            try:
                self._api().start(container_id)
            except docker.errors.NotFound:
                raise CannotStartContainerError(f"no such container: {container_id}") from None
            except docker.errors.APIError as e:
                raise CannotStartContainerError(_reason(e)) from None

        await self._call(run)

    async def stop(self, container_id: str, timeout: float) -> None:
        """SIGTERM (or the image's stop signal), wait `timeout` seconds, SIGKILL. Returns when the
        container has exited; a stopped or missing container is fine."""
        grace = max(0, math.ceil(timeout))  # Docker takes whole seconds: never cut the grace short

        def run() -> None:
            try:
                self._api().stop(container_id, timeout=grace)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as e:
                raise ContainerRuntimeError(f"stop {container_id}: {_reason(e)}") from None

        await self._call(run, slow=True)

    async def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        """Send a signal; a stopped or missing container is fine."""

        def run() -> None:
            try:
                self._api().kill(container_id, signal=signal)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as e:
                if e.status_code == 409:  # "is not running"
                    return
                raise ContainerRuntimeError(f"kill {container_id}: {_reason(e)}") from None

        await self._call(run)

    async def remove(self, container_id: str, force: bool = True) -> None:
        """Remove a container and its anonymous volumes; a missing one is fine."""

        def run() -> None:
            try:
                self._api().remove_container(container_id, v=True, force=force)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as e:
                if e.status_code == 409 and "already in progress" in _reason(e):
                    return
                if e.status_code == 409:
                    raise RuntimeConflict(f"remove {container_id}: {_reason(e)}") from None
                raise ContainerRuntimeError(f"remove {container_id}: {_reason(e)}") from None

        await self._call(run)

    async def rename(self, container_id: str, name: str) -> None:
        """Give a container a new name (a warm sandbox's pause container takes its task's name)."""

        def run() -> None:
            try:
                self._api().rename(container_id, name)
            except docker.errors.NotFound:
                raise ContainerRuntimeError(f"rename {container_id}: no such container") from None
            except docker.errors.APIError as e:
                if e.status_code == 409:
                    raise RuntimeConflict(f"rename {container_id} to {name}: {_reason(e)}") from None
                raise ContainerRuntimeError(f"rename {container_id}: {_reason(e)}") from None

        await self._call(run)

    async def inspect(self, container_id: str) -> ContainerState | None:
        """The container's state by id or name; None when it does not exist."""
        return await self._call(lambda: _inspect_container(self._api(), container_id))

    async def list_managed(self, instance_arn: str) -> list[ContainerState]:
        """Every container (running or not) labelled with this container instance.

        One list call; only containers the list cannot describe fully (exited, dead, restarting,
        removing: exit code and OOM flag) are inspected, concurrently.
        """
        label = f"{LABEL_INSTANCE_ARN}={instance_arn}"
        summaries: list[dict[str, Any]] = await self._call(
            lambda: list(self._api().containers(all=True, filters={"label": label}))
        )
        complete = [_state_from_summary(s) for s in summaries if s.get("State") in _SUMMARY_COMPLETE]
        to_inspect = [str(s["Id"]) for s in summaries if s.get("State") not in _SUMMARY_COMPLETE]
        inspected = await asyncio.gather(*(self.inspect(cid) for cid in to_inspect))
        return complete + [s for s in inspected if s is not None]

    # -- volumes --------------------------------------------------------------------------------

    async def create_volume(
        self,
        name: str,
        driver: str = "local",
        driver_opts: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> str:
        """Create a Docker volume; an existing one with the same driver is returned as is."""

        def run() -> str:
            try:
                result = self._api().create_volume(
                    name,
                    driver=driver or "local",
                    driver_opts=dict(driver_opts or {}),
                    labels=dict(labels or {}),
                )
            except docker.errors.APIError as e:
                if e.status_code == 409:
                    raise RuntimeConflict(f"volume {name}: {_reason(e)}") from None
                raise ContainerRuntimeError(f"create volume {name}: {_reason(e)}") from None
            return str(result.get("Name", name))

        return await self._call(run)

    async def remove_volume(self, name: str) -> None:
        """Remove a Docker volume; a missing one is fine, one still in use is RuntimeConflict."""

        def run() -> None:
            try:
                self._api().remove_volume(name)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as e:
                if e.status_code == 409:
                    raise RuntimeConflict(f"remove volume {name}: {_reason(e)}") from None
                raise ContainerRuntimeError(f"remove volume {name}: {_reason(e)}") from None

        await self._call(run)

    # -- events ---------------------------------------------------------------------------------

    def events(self, instance_arn: str, *, actions: Sequence[str] | None = EVENT_ACTIONS) -> EventStream:
        """Container events of this container instance, as they happen, from the moment of the call.

        One thread reads dockerd's event stream (filtered by type and instance label) and hands the
        events to the returned async iterator. The stream starts at the time of this call (events
        that happen while it connects are replayed), so: call `events()`, then `list_managed()`,
        and nothing falls between the two. When the stream breaks (dockerd restarted) the thread
        reconnects with backoff, resuming after the last event seen, and yields a synthetic
        `kind="reconnected"` event: events may have been lost, resynchronise with `list_managed()`.
        Close the stream (`async with`, or `aclose()`) to stop its thread; `close()` stops them all.
        `actions` limits the stream to those Docker actions (default EVENT_ACTIONS, which leaves out
        the exec_* events every health check probe generates); None passes everything.
        Must be called from the event loop that will consume it.
        """
        if self._closed:
            raise ContainerRuntimeError("the Docker runtime is closed")
        queue: asyncio.Queue[DockerEvent] = asyncio.Queue()
        filters = {"type": ["container"], "label": [f"{LABEL_INSTANCE_ARN}={instance_arn}"]}
        if actions is not None:
            filters["event"] = list(actions)
        reader = _EventReader(self, filters, queue, since_nano=time.time_ns())
        self._readers.add(reader)
        reader.start(asyncio.get_running_loop())
        return EventStream(reader, queue, on_close=self._readers.discard)

    # -- logs -----------------------------------------------------------------------------------

    def logs(
        self,
        container_id: str,
        *,
        since_ns: int = 0,
        until_ns: int = 0,
        tail: int | None = None,
        follow: bool = False,
    ) -> LogStream:
        """The container's stdout and stderr lines (json-file or local driver), in order, as batches.

        `since_ns`/`until_ns` bound the lines by Docker's timestamps (epoch nanoseconds, both
        inclusive; 0: unbounded), `tail` keeps the last N (per container, before `until`), and
        `follow` keeps streaming until the container stops or the stream is closed. One thread
        per stream (see `agent.runtime.logstream`); close it (`aclose()`) to stop it. Errors (no
        such container, a driver that cannot be read back) end the iteration with a
        ContainerRuntimeError. Must be called from the event loop that consumes it.
        """
        if self._closed:
            raise ContainerRuntimeError("the Docker runtime is closed")
        params: dict[str, Any] = {
            "stdout": 1,
            "stderr": 1,
            "timestamps": 1,
            "follow": int(follow),
            "tail": "all" if tail is None else max(0, tail),
        }
        if since_ns:
            params["since"] = _since(since_ns)
        if until_ns:
            params["until"] = _since(until_ns)

        def open_logs() -> RawLogs:
            def run() -> RawLogs:
                api = self._api()
                # The SDK's logs() merges stdout and stderr: read the frames ourselves.
                tty = bool(api.inspect_container(container_id)["Config"].get("Tty"))
                url = api._url("/containers/{0}/logs", container_id)
                response = api._get(url, params=params, stream=True)
                api._raise_for_status(response)
                api._disable_socket_timeout(api._get_raw_response_socket(response))  # follow may idle
                closer = docker.types.daemon.CancellableStream(iter(()), response)
                return RawLogs(read=response.raw.read, multiplexed=not tty, close=closer.close)

            try:
                return _guard_transport(run)
            except ContainerRuntimeError as e:
                raise ContainerRuntimeError(f"logs of {container_id}: {e}") from None

        stream = LogStream(open_logs, on_close=self._log_streams.discard)
        self._log_streams.add(stream)
        return stream.start(asyncio.get_running_loop())

    # -- exec -----------------------------------------------------------------------------------

    async def exec(
        self, container_id: str, command: Sequence[str], *, tty: bool, rows: int = 0, cols: int = 0
    ) -> ExecStream:
        """Run `command` in the running container (`docker exec -i`, with `-t` when `tty`): the
        process's output, stdin, resize and exit code (see `agent.runtime.execstream`). A TTY gets
        its first size before this returns. Close the stream (`aclose()`): that kills the process
        unless it exited."""

        def run() -> tuple[str, RawExec]:
            api = self._api()
            created = api.exec_create(
                container_id, list(command), stdin=True, stdout=True, stderr=True, tty=tty
            )
            exec_id = created["Id"]
            sock = api.exec_start(exec_id, tty=tty, socket=True)
            api._disable_socket_timeout(sock)  # an exec may be quiet for hours
            # Read through the HTTP response's buffer: it may already hold the first output.
            reader = sock._response.raw._fp.fp
            conn = sock._sock

            def close() -> None:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                sock._response.close()

            raw = RawExec(
                read=reader.read1,
                write=conn.sendall,
                close_write=lambda: conn.shutdown(socket.SHUT_WR),
                close=close,
                multiplexed=not tty,
            )
            return exec_id, raw

        exec_id, raw = await self._call(run)

        # (Named so that the call metrics say exec_inspect and exec_resize.)
        async def exec_inspect() -> ExecStatus:
            attrs = await self._call(lambda: self._api().exec_inspect(exec_id))
            code = attrs.get("ExitCode")
            return ExecStatus(
                running=bool(attrs.get("Running")),
                exit_code=-1 if code is None else int(code),
                pid=int(attrs.get("Pid") or 0),
            )

        async def exec_resize(rows: int, cols: int) -> None:
            await self._call(lambda: self._api().exec_resize(exec_id, height=rows, width=cols))

        stream = ExecStream(
            raw,
            container_id=container_id,
            exec_id=exec_id,
            inspect=exec_inspect,
            resize=exec_resize,
            on_close=self._exec_streams.discard,
        )
        self._exec_streams.add(stream)
        stream.start(asyncio.get_running_loop())
        if tty and rows > 0 and cols > 0:
            try:
                await exec_resize(rows, cols)
            except BaseException:
                await stream.aclose()
                raise
        return stream

    # -- lifecycle ------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop event readers, wait for in-flight calls, close the client. Idempotent."""
        if self._closed:
            return
        self._closed = True
        readers = list(self._readers)
        for reader in readers:
            reader.stop()
        for stream in list(self._log_streams):
            await stream.aclose()
        for execution in list(self._exec_streams):
            await execution.aclose()
        await asyncio.to_thread(self._pool.shutdown, wait=True)
        await asyncio.to_thread(self._slow_pool.shutdown, wait=True)
        for reader in readers:
            await asyncio.to_thread(reader.join, 2.0)
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


# -- helpers (run on worker threads) --------------------------------------------------------------


def operation_name(fn: Callable[..., object]) -> str:
    """The DockerRuntime method a call belongs to, from its function's qualified name
    (`DockerRuntime.create.<locals>.run` -> "create")."""
    outer = fn.__qualname__.rsplit(".<locals>", 1)[0]
    return outer.rsplit(".", 1)[-1]


def _observed(fn: Callable[[], T], observe: CallObserver) -> Callable[[], T]:
    operation = operation_name(fn)

    def run() -> T:
        start = time.perf_counter()
        ok = False
        try:
            result = fn()
            ok = True
            return result
        finally:
            observe(operation, time.perf_counter() - start, ok)

    return run


def _guard_transport(fn: Callable[[], T]) -> T:
    """Turn "cannot talk to dockerd" into RuntimeUnavailable, whatever the call."""
    try:
        return fn()
    except ContainerRuntimeError:
        raise
    except docker.errors.APIError as e:
        raise ContainerRuntimeError(_reason(e)) from None
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as e:
        raise RuntimeUnavailable(f"dockerd unreachable: {e}") from None
    except docker.errors.DockerException as e:
        raise ContainerRuntimeError(str(e)) from None


def _reason(e: Exception) -> str:
    explanation = getattr(e, "explanation", None)
    if explanation:
        return str(explanation).strip()
    return str(e).strip()


class _PullFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _pull(api: Any, ref: str, auth: dict[str, str] | None) -> None:
    """Pull `ref` (tag "latest" when it names none). Errors reported inside the stream count too."""
    try:
        for chunk in api.pull(ref, stream=True, decode=True, auth_config=auth):
            if isinstance(chunk, dict) and chunk.get("error"):
                raise _PullFailed(str(chunk["error"]).strip())
    except docker.errors.APIError as e:
        raise _PullFailed(_reason(e)) from None


def _inspect_image(api: Any, ref: str) -> dict[str, Any] | None:
    try:
        return dict(api.inspect_image(ref))
    except docker.errors.NotFound:  # ImageNotFound is a NotFound
        return None


def _outcome(ref: str, attrs: Mapping[str, Any], *, pulled: bool, pull_error: str = "") -> PullOutcome:
    digests = attrs.get("RepoDigests") or []
    return PullOutcome(
        image=ref,
        pulled=pulled,
        cached=not pulled,
        image_id=str(attrs.get("Id", "")),
        digest=str(digests[0]) if digests else "",
        pull_error=pull_error,
    )


def _adopt(api: Any, kwargs: Mapping[str, Any]) -> str | None:
    """The id of the container holding kwargs' name if it is this task's container, None if gone."""
    name = str(kwargs.get("name", ""))
    try:
        attrs = api.inspect_container(name)
    except docker.errors.NotFound:
        return None
    have = (attrs.get("Config") or {}).get("Labels") or {}
    want = kwargs.get("labels") or {}
    key = (LABEL_TASK_ARN, LABEL_CONTAINER_NAME)
    if want.get(LABEL_TASK_ARN) and all(have.get(k) == want.get(k) for k in key):
        log.info("container_adopted", container=name, container_id=attrs["Id"][:12])
        return str(attrs["Id"])
    raise RuntimeConflict(
        f"container name {name!r} is taken by container {attrs['Id'][:12]} of task "
        f"{have.get(LABEL_TASK_ARN) or '(not a berth container)'}"
    )


def _inspect_container(api: Any, container_id: str) -> ContainerState | None:
    try:
        attrs = api.inspect_container(container_id)
    except docker.errors.NotFound:
        return None
    return _state_from_inspect(attrs)


def _state_from_inspect(attrs: Mapping[str, Any]) -> ContainerState:
    state = attrs.get("State") or {}
    config = attrs.get("Config") or {}
    settings = attrs.get("NetworkSettings") or {}
    status = str(state.get("Status", ""))
    health = (state.get("Health") or {}).get("Status", "")
    networks = settings.get("Networks") or {}
    ip = next((str(n.get("IPAddress") or "") for n in networks.values()), "")
    started_at, finished_at = parse_time(state.get("StartedAt")), parse_time(state.get("FinishedAt"))
    if started_at is not None and finished_at is not None and finished_at < started_at:
        # Docker records StartedAt after runc returns, which can be after a quick process already
        # exited: never report a container that stopped before it started.
        finished_at = started_at
    return ContainerState(
        id=str(attrs["Id"]),
        name=str(attrs.get("Name", "")).lstrip("/"),
        labels=dict(config.get("Labels") or {}),
        status=status,
        running=bool(state.get("Running", False)),
        exit_code=int(state.get("ExitCode", 0)) if status in ("exited", "dead") else None,
        oom_killed=bool(state.get("OOMKilled", False)),
        error=str(state.get("Error") or ""),
        started_at=started_at,
        finished_at=finished_at,
        health=_HEALTH.get(health, "UNKNOWN"),
        network_bindings=tuple(network_bindings(settings.get("Ports"))),
        ip_address=ip,
        image_id=str(attrs.get("Image", "")),
        image=str(config.get("Image", "")),
        pid=int(state.get("Pid") or 0) if state.get("Running") else 0,
    )


def _state_from_summary(s: Mapping[str, Any]) -> ContainerState:
    """A ContainerState from a list entry (running/created/paused: nothing missing but times)."""
    names = s.get("Names") or [""]
    networks = (s.get("NetworkSettings") or {}).get("Networks") or {}
    status = str(s.get("State", ""))
    match = _SUMMARY_HEALTH.search(str(s.get("Status", "")))
    return ContainerState(
        id=str(s["Id"]),
        name=str(names[0]).lstrip("/"),
        labels=dict(s.get("Labels") or {}),
        status=status,
        running=status in ("running", "paused"),
        exit_code=None,
        oom_killed=False,
        error="",
        started_at=None,
        finished_at=None,
        health=_HEALTH.get(match.group(1), "UNKNOWN") if match else "UNKNOWN",
        network_bindings=tuple(network_bindings_from_summary(s.get("Ports"))),
        ip_address=next((str(n.get("IPAddress") or "") for n in networks.values()), ""),
        image_id=str(s.get("ImageID", "")),
        image=str(s.get("Image", "")),
    )


def parse_time(value: object) -> float | None:
    """Docker's RFC 3339 time (nanoseconds, "Z") as epoch seconds; None for its zero time."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    m = _RFC3339.match(value)
    if m is None:
        return None
    offset = "+00:00" if m.group(3) == "Z" else m.group(3)
    whole = datetime.fromisoformat(m.group(1) + offset).timestamp()
    return whole + (float("0" + m.group(2)) if m.group(2) else 0.0)


# -- events ---------------------------------------------------------------------------------------

_CLOSED = "~closed"  # internal sentinel kind: the reader gave up (runtime closed)
_BACKOFF_FIRST, _BACKOFF_MAX = 0.1, 5.0


class EventStream:
    """An async iterator of DockerEvents, fed by one reader thread (see `DockerRuntime.events`)."""

    def __init__(
        self,
        reader: _EventReader,
        queue: asyncio.Queue[DockerEvent],
        *,
        on_close: Callable[[_EventReader], None],
    ) -> None:
        self._reader = reader
        self._queue = queue
        self._on_close = on_close
        self._done = False

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> DockerEvent:
        if self._done:
            raise StopAsyncIteration
        event = await self._queue.get()
        if event.kind == _CLOSED:
            self._done = True
            raise StopAsyncIteration
        return event

    async def aclose(self) -> None:
        """Stop the reader thread; iteration ends. Idempotent."""
        self._done = True
        self._reader.stop()
        self._on_close(self._reader)

    async def __aenter__(self) -> EventStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _EventReader:
    """One thread reading dockerd's event stream into an asyncio queue, reconnecting as needed."""

    def __init__(
        self,
        runtime: DockerRuntime,
        filters: dict[str, list[str]],
        queue: asyncio.Queue[DockerEvent],
        *,
        since_nano: int,
    ) -> None:
        self._runtime = runtime
        self._filters = filters
        self._queue = queue
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._stream: Any = None
        self._thread = threading.Thread(target=self._run, name="berth-docker-events", daemon=True)
        # Where the stream (re)starts, and the events already delivered at that instant.
        self._last_nano = since_nano
        self._seen_at_last: set[tuple[str, str]] = set()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread.start()

    def stop(self) -> None:
        """Make the thread exit (closing the stream's socket unblocks its read) and end the
        iterator that consumes the queue. Safe from any thread, more than once."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, _synthetic(_CLOSED))
            except RuntimeError:
                pass
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # already closed by the other side
                pass

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = _BACKOFF_FIRST
        connected_before = False
        while not self._stopping.is_set():
            try:
                api = self._runtime._docker()
                stream = api.api.events(decode=True, filters=self._filters, since=_since(self._last_nano))
                with self._lock:
                    if self._stopping.is_set():
                        stream.close()
                        break
                    self._stream = stream
                if connected_before:
                    log.info("docker_events_reconnected")
                    self._push(_synthetic("reconnected"))
                connected_before, delay = True, _BACKOFF_FIRST
                for raw in stream:
                    event = self._accept(raw)
                    if event is not None:
                        self._push(event)
            except _LoopClosed:
                return
            except Exception as e:  # dockerd gone, socket reset, bad JSON: reconnect
                if not self._stopping.is_set():
                    log.warning("docker_events_stream_error", error=str(e) or type(e).__name__)
            finally:
                with self._lock:
                    self._stream = None
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, _BACKOFF_MAX)

    def _accept(self, raw: Any) -> DockerEvent | None:
        if not isinstance(raw, dict):
            return None
        nano = int(raw.get("timeNano") or int(raw.get("time") or 0) * 10**9)
        key = (str(raw.get("id", "")), str(raw.get("Action") or raw.get("status") or ""))
        if nano < self._last_nano or (nano == self._last_nano and key in self._seen_at_last):
            return None  # replayed by `since` after a reconnect
        if nano > self._last_nano:
            self._last_nano, self._seen_at_last = nano, set()
        self._seen_at_last.add(key)
        return parse_event(raw)

    def _push(self, event: DockerEvent) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            raise _LoopClosed
        try:
            loop.call_soon_threadsafe(self._queue.put_nowait, event)
        except RuntimeError:  # loop closed meanwhile
            raise _LoopClosed from None


class _LoopClosed(Exception):
    pass


def _synthetic(kind: str) -> DockerEvent:
    return DockerEvent(kind=kind, container_id="", task_arn="", container_name="", time=0.0)


def _since(nano: int) -> str | None:
    """Docker's `since` for resuming at epoch nanoseconds `nano` ("seconds.nanoseconds")."""
    return f"{nano // 10**9}.{nano % 10**9:09d}" if nano else None


def parse_event(raw: Mapping[str, Any]) -> DockerEvent:
    """A DockerEvent from one decoded Docker event message."""
    actor = raw.get("Actor") or {}
    attrs = {str(k): str(v) for k, v in (actor.get("Attributes") or {}).items()}
    action = str(raw.get("Action") or raw.get("status") or "")
    kind, _, detail = action.partition(":")
    exit_code = None
    if kind == "die" and attrs.get("exitCode", "").lstrip("-").isdigit():
        exit_code = int(attrs["exitCode"])
    health: Health | None = _HEALTH.get(detail.strip(), "UNKNOWN") if kind == "health_status" else None
    nano = raw.get("timeNano")
    return DockerEvent(
        kind=kind.strip(),
        container_id=str(actor.get("ID") or raw.get("id") or ""),
        task_arn=attrs.get(LABEL_TASK_ARN, ""),
        container_name=attrs.get(LABEL_CONTAINER_NAME, ""),
        time=int(nano) / 1e9 if nano else float(raw.get("time") or 0),
        exit_code=exit_code,
        health=health,
        attributes=attrs,
    )


if TYPE_CHECKING:  # mypy proves that DockerRuntime implements the interface the agent codes against
    _implements: type[ContainerRuntime] = DockerRuntime
