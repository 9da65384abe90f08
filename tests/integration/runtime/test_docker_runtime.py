"""DockerRuntime and TaskCgroup against the real dockerd of this machine.

Everything a test creates carries `berth.test=<run id>` and a per-test `berth.test-case` label, and
a fixture finalizer removes it by those labels (containers, volumes) or by a per-run cgroup parent,
whether the test passed or not. Containers of anybody else are never listed or touched: every
query filters on our labels. Waiting is done on the runtime's own event stream where the test is
about events, and by polling inspect (tests may poll; the agent does not) elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.runtime import spec
from agent.runtime.cgroups import CgroupError, TaskCgroup
from agent.runtime.docker import DockerRuntime, EventStream
from agent.runtime.errors import (
    CannotPullContainerError,
    CannotStartContainerError,
    ImageNotPresent,
    RuntimeConflict,
)
from agent.runtime.model import ContainerState, DockerEvent
from berth import jsonmsg
from berth.v1 import types_pb2
from tests.support import infra

pytestmark = [pytest.mark.docker, pytest.mark.timeout(60)]

RUN = uuid.uuid4().hex[:10]
TEST_LABEL = "berth.test"
CASE_LABEL = "berth.test-case"
BUSYBOX = "berth/busybox:latest"
PAUSE = "berth/pause:latest"
MISSING_IMAGE = f"berth/does-not-exist-{RUN}:latest"
CGROUP_PARENT = f"berth-test-{RUN}"
DOCKER_SOCKET = Path("/var/run/docker.sock")
HOG = "x=a; while true; do x=$x$x; done"  # doubles a shell string until the memory limit kills it


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk() -> Iterator[Any]:
    """The raw SDK client, for checks and cleanup only; swept of this run's leftovers at the end."""
    client = infra.docker_client()  # type: ignore[no-untyped-call]
    for image in (BUSYBOX, PAUSE):
        try:
            client.images.get(image)
        except Exception:
            pytest.fail(f"image {image} is missing: run `make images`", pytrace=False)
    yield client
    _remove_labelled(client, f"{TEST_LABEL}={RUN}")
    for volume in client.volumes.list(filters={"label": f"{TEST_LABEL}={RUN}"}):
        with contextlib.suppress(Exception):
            volume.remove(force=True)
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        parent = hierarchy / CGROUP_PARENT
        if parent.is_dir():
            for d in sorted(parent.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):
                    d.rmdir()
            with contextlib.suppress(OSError):
                parent.rmdir()
    client.close()


def _remove_labelled(client: Any, *labels: str) -> None:
    for c in client.containers.list(all=True, filters={"label": list(labels)}):
        with contextlib.suppress(Exception):
            c.remove(force=True, v=True)


class Env:
    """One test's view: a runtime, its own instance ARN and label, helpers to build containers."""

    def __init__(self, rt: DockerRuntime, case: str) -> None:
        self.rt = rt
        self.case = case
        self.instance_arn = f"arn:berth:ecs:local:000000000000:container-instance/test-{RUN}/{case}"

    def ctx(self, **changes: Any) -> spec.TaskContext:
        task_id = uuid.uuid4().hex[:16]
        fields: dict[str, Any] = {
            "task_arn": f"arn:berth:ecs:local:000000000000:task/test/{task_id}",
            "task_id": task_id,
            "cluster": "test",
            "family": "runtime-test",
            "revision": 1,
            "instance_arn": self.instance_arn,
            "network_mode": "bridge",
            "publish_ip": "127.0.0.1",
        }
        fields.update(changes)
        return spec.TaskContext(**fields)

    def label(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["labels"].update({TEST_LABEL: RUN, CASE_LABEL: self.case})
        return kwargs

    def kwargs(self, ctx: spec.TaskContext, **fields: Any) -> dict[str, Any]:
        definition = jsonmsg.parse({"name": "app", "image": BUSYBOX, **fields}, types_pb2.ContainerDefinition)
        return self.label(spec.create_kwargs(ctx, definition))

    async def run(self, ctx: spec.TaskContext, **fields: Any) -> str:
        cid = await self.rt.create(self.kwargs(ctx, **fields))
        await self.rt.start(cid)
        return cid


@pytest.fixture
async def env(sdk: Any) -> AsyncIterator[Env]:
    case = uuid.uuid4().hex[:10]
    rt = DockerRuntime()
    try:
        yield Env(rt, case)
    finally:
        await rt.close()
        _remove_labelled(sdk, f"{TEST_LABEL}={RUN}", f"{CASE_LABEL}={case}")


# -- helpers --------------------------------------------------------------------------------------


async def wait_until(
    check: Callable[[], Awaitable[Any]], within: float = 10.0, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


async def exited(rt: DockerRuntime, cid: str, within: float = 10.0) -> ContainerState:
    async def check() -> ContainerState | None:
        state = await rt.inspect(cid)
        return state if state is not None and state.exit_code is not None else None

    result: ContainerState = await wait_until(check, within, f"container {cid[:12]} to exit")
    return result


async def next_event(
    events: EventStream, match: Callable[[DockerEvent], bool], within: float = 10.0
) -> DockerEvent:
    async def find() -> DockerEvent:
        async for event in events:
            if match(event):
                return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(find(), within)


def http_get(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
        return str(r.read().decode())


async def http_ok(port: int) -> str | None:
    try:
        return await asyncio.to_thread(http_get, port)
    except OSError:
        return None


HTTPD = "mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 8080 -h /www"


# -- containers -----------------------------------------------------------------------------------


async def test_create_start_dynamic_port_answers_and_create_is_idempotent(env: Env) -> None:
    ctx = env.ctx()
    kwargs = env.kwargs(ctx, command=["sh", "-c", HTTPD], portMappings=[{"containerPort": 8080}])
    cid = await env.rt.create(kwargs)
    assert await env.rt.create(kwargs) == cid  # an agent restarting mid-launch re-creates: same container
    await env.rt.start(cid)
    await env.rt.start(cid)  # starting a running container is fine

    state = await env.rt.inspect(cid)
    assert state is not None and state.running and state.status == "running"
    assert state.name == spec.container_name(ctx.task_id, "app")
    assert state.task_arn == ctx.task_arn and state.container_name == "app"
    assert state.started_at is not None and state.finished_at is None and state.exit_code is None
    assert state.image_id.startswith("sha256:") and state.image == BUSYBOX
    [binding] = state.network_bindings
    assert (binding.bind_ip, binding.container_port, binding.protocol) == ("127.0.0.1", 8080, "tcp")
    assert binding.host_port > 0
    body = await wait_until(lambda: http_ok(binding.host_port), 10, "httpd on the published port")
    assert body.strip() == "hello-from-berth"

    # The same name held by another task's container is a conflict, never adopted.
    stranger = dict(kwargs, labels=dict(kwargs["labels"], **{"berth.task-arn": "arn:other"}))
    with pytest.raises(RuntimeConflict, match="is taken by container"):
        await env.rt.create(stranger)


async def test_exit_code_through_events_and_inspect(env: Env) -> None:
    async with env.rt.events(env.instance_arn) as events:
        cid = await env.run(env.ctx(), command=["sh", "-c", "exit 3"])
        start = await next_event(events, lambda e: e.kind == "start")
        die = await next_event(events, lambda e: e.kind == "die")
    assert start.container_id == cid and start.container_name == "app"
    assert die.container_id == cid and die.exit_code == 3 and die.time >= start.time
    state = await exited(env.rt, cid)
    assert (state.status, state.exit_code, state.oom_killed, state.running) == ("exited", 3, False, False)
    assert state.finished_at is not None and state.started_at is not None
    assert state.finished_at >= state.started_at


async def test_oom_kill_is_reported(env: Env) -> None:
    async with env.rt.events(env.instance_arn) as events:
        cid = await env.run(env.ctx(), command=["sh", "-c", HOG], memory=8)
        die = await next_event(events, lambda e: e.kind == "die" and e.container_id == cid, within=20)
    assert die.exit_code == 137
    state = await exited(env.rt, cid)
    assert state.oom_killed and state.exit_code == 137


async def test_stop_waits_the_grace_period_before_sigkill(env: Env) -> None:
    cid = await env.run(env.ctx(), command=["sh", "-c", "trap '' TERM; sleep 600"])
    await asyncio.sleep(0.2)  # let the shell install its trap
    started = time.monotonic()
    await env.rt.stop(cid, timeout=2)
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 4.5, elapsed
    state = await env.rt.inspect(cid)
    assert state is not None and state.exit_code == 137 and not state.running

    # Stopping, killing and removing are idempotent.
    await env.rt.stop(cid, timeout=1)
    await env.rt.kill(cid)
    await env.rt.remove(cid)
    await env.rt.remove(cid)
    assert await env.rt.inspect(cid) is None
    await env.rt.stop(cid, timeout=1)
    await env.rt.kill(cid)


async def test_stop_of_a_well_behaved_container_is_quick(env: Env) -> None:
    cid = await env.run(env.ctx(), command=["sleep", "600"])  # PID 1 without a handler: TERM does nothing
    pause = await env.rt.create(env.label(spec.pause_kwargs(env.ctx(network_mode="awsvpc"))))
    await env.rt.start(pause)
    started = time.monotonic()
    await env.rt.stop(pause, timeout=10)  # berth/pause exits on SIGTERM
    assert time.monotonic() - started < 3
    state = await env.rt.inspect(pause)
    assert state is not None and state.exit_code is not None and not state.running
    await env.rt.kill(cid)
    assert (await exited(env.rt, cid)).exit_code == 137


async def test_slow_stops_do_not_hold_up_a_launch(env: Env) -> None:
    # More stubborn containers stopping at once than the quick pool has workers.
    stubborn = await asyncio.gather(
        *(env.run(env.ctx(), command=["sh", "-c", "trap '' TERM; sleep 600"]) for _ in range(9))
    )
    await asyncio.sleep(0.2)
    stopping = asyncio.gather(*(env.rt.stop(cid, timeout=3) for cid in stubborn))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    cid = await env.run(env.ctx(), command=["sleep", "600"])
    assert time.monotonic() - started < 2.0  # not queued behind the 3 s grace periods
    assert not stopping.done()
    await stopping
    states = await asyncio.gather(*(env.rt.inspect(c) for c in stubborn))
    assert all(s is not None and s.exit_code == 137 for s in states)
    await env.rt.kill(cid)


async def test_a_cancelled_call_still_lands_before_the_caller_moves_on(env: Env) -> None:
    cid = await env.run(env.ctx(), command=["sh", "-c", "trap '' TERM; sleep 600"])
    await asyncio.sleep(0.2)
    stop = asyncio.ensure_future(env.rt.stop(cid, timeout=1))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    stop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stop
    assert time.monotonic() - started > 0.5  # the cancellation waited for the Docker call
    state = await env.rt.inspect(cid)
    assert state is not None and not state.running


async def test_start_failure_is_cannot_start(env: Env) -> None:
    cid = await env.rt.create(env.kwargs(env.ctx(), command=["/bin/definitely-not-here"]))
    with pytest.raises(CannotStartContainerError) as exc:
        await env.rt.start(cid)
    assert exc.value.message.startswith("CannotStartContainerError: ")
    assert "definitely-not-here" in exc.value.message
    state = await env.rt.inspect(cid)
    assert state is not None and not state.running and state.error


async def test_health_status_events(env: Env) -> None:
    health = {"command": ["CMD-SHELL", "[ ! -e /bad ]"], "interval": 1, "timeout": 1, "retries": 1}
    async with env.rt.events(env.instance_arn) as events:
        cid = await env.run(
            env.ctx(), command=["sh", "-c", "sleep 2; : > /bad; exec sleep 600"], healthCheck=health
        )
        healthy = await next_event(events, lambda e: e.kind == "health_status")
        assert healthy.health == "HEALTHY" and healthy.container_id == cid
        [listed] = await env.rt.list_managed(env.instance_arn)
        assert listed.health == "HEALTHY" and listed.running
        unhealthy = await next_event(events, lambda e: e.kind == "health_status" and e.health != "HEALTHY")
    assert unhealthy.health == "UNHEALTHY"
    state = await env.rt.inspect(cid)
    assert state is not None and state.health == "UNHEALTHY"


async def test_list_managed_filters_by_instance(env: Env) -> None:
    other_instance = env.instance_arn + "-other"
    running = await env.run(env.ctx(), command=["sleep", "600"], portMappings=[{"containerPort": 8080}])
    failed = await env.run(env.ctx(), command=["sh", "-c", "exit 4"])
    created = await env.rt.create(env.kwargs(env.ctx(), command=["true"]))
    foreign = await env.run(env.ctx(instance_arn=other_instance), command=["sleep", "600"])
    await exited(env.rt, failed)

    mine = {s.id: s for s in await env.rt.list_managed(env.instance_arn)}
    assert set(mine) == {running, failed, created}
    assert mine[running].running and mine[running].exit_code is None
    assert mine[running].network_bindings and mine[running].network_bindings[0].container_port == 8080
    assert mine[running].ip_address
    assert mine[failed].exit_code == 4 and mine[failed].finished_at is not None and not mine[failed].running
    assert mine[created].status == "created" and mine[created].exit_code is None
    assert all(s.labels["berth.instance-arn"] == env.instance_arn for s in mine.values())
    assert [s.id for s in await env.rt.list_managed(other_instance)] == [foreign]
    assert await env.rt.list_managed(env.instance_arn + "-nobody") == []


# -- images ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("behavior", ["default", "always", "once", "prefer-cached"])
async def test_missing_image_fails_fast_under_every_behavior(env: Env, behavior: str) -> None:
    started = time.monotonic()
    with pytest.raises(CannotPullContainerError) as exc:
        await env.rt.ensure_image(MISSING_IMAGE, behavior, pulled_before=True)
    assert time.monotonic() - started < 10
    assert exc.value.message.startswith(f"CannotPullContainerError: pull {MISSING_IMAGE}: ")
    assert (
        len(exc.value.message) > len(f"CannotPullContainerError: pull {MISSING_IMAGE}: ") + 5
    )  # Docker's reason


@pytest.mark.parametrize(
    ("behavior", "pulled_before"), [("default", False), ("prefer-cached", False), ("once", True)]
)
async def test_cached_image_is_used_without_a_registry(env: Env, behavior: str, pulled_before: bool) -> None:
    outcome = await env.rt.ensure_image(BUSYBOX, behavior, pulled_before)
    assert outcome.cached and not outcome.pulled
    assert outcome.image_id.startswith("sha256:")
    assert bool(outcome.pull_error) == (behavior == "default")  # only "default" tried the registry


async def test_always_and_first_once_need_the_registry(env: Env) -> None:
    for behavior in ("always", "once"):
        with pytest.raises(CannotPullContainerError):
            await env.rt.ensure_image(BUSYBOX, behavior, pulled_before=False)


async def test_create_without_the_image_says_so(env: Env) -> None:
    with pytest.raises(ImageNotPresent) as exc:
        await env.rt.create(env.kwargs(env.ctx(), image=MISSING_IMAGE))
    assert exc.value.image == MISSING_IMAGE
    assert exc.value.message.startswith("CannotCreateContainerError: ")


# -- awsvpc-style sandbox -------------------------------------------------------------------------


async def test_awsvpc_containers_share_the_pause_netns(env: Env) -> None:
    ctx = env.ctx(network_mode="awsvpc")
    mapping = types_pb2.PortMapping(container_port=8080)
    pause = await env.rt.create(env.label(spec.pause_kwargs(ctx, port_mappings=[mapping])))
    await env.rt.start(pause)
    web = await env.run(ctx, command=["sh", "-c", HTTPD])
    probe = env.kwargs(
        ctx,
        name="probe",
        command=[
            "sh",
            "-c",
            "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- "
            "http://127.0.0.1:8080/ && exit 0; sleep 0.2; done; exit 1",
        ],
    )
    probe_id = await env.rt.create(probe)
    await env.rt.start(probe_id)
    assert (await exited(env.rt, probe_id)).exit_code == 0

    pause_state = await env.rt.inspect(pause)
    assert pause_state is not None and pause_state.ip_address and pause_state.container_name == "~pause"
    [binding] = pause_state.network_bindings  # the task's port, published through the pause container
    assert await wait_until(lambda: http_ok(binding.host_port), 10, "httpd via the pause container")
    web_state = await env.rt.inspect(web)
    assert web_state is not None and web_state.running and web_state.ip_address == ""


# -- volumes --------------------------------------------------------------------------------------


async def test_volumes_create_share_remove(env: Env) -> None:
    name = f"berth-test-{RUN}-{env.case}"
    labels = {TEST_LABEL: RUN, CASE_LABEL: env.case}
    assert await env.rt.create_volume(name, "local", {}, labels) == name
    assert await env.rt.create_volume(name, "local", {}, labels) == name  # idempotent
    ctx = env.ctx(volumes={"data": spec.VolumeSource("volume", name)})
    mount = [{"sourceVolume": "data", "containerPath": "/data"}]
    writer = await env.run(
        ctx, name="writer", command=["sh", "-c", "echo shared > /data/f"], mountPoints=mount
    )
    assert (await exited(env.rt, writer)).exit_code == 0
    reader = await env.run(
        ctx, name="reader", command=["sh", "-c", 'read x < /data/f; [ "$x" = shared ]'], mountPoints=mount
    )
    assert (await exited(env.rt, reader)).exit_code == 0
    with pytest.raises(RuntimeConflict):
        await env.rt.remove_volume(name)  # still used by the (stopped) containers
    await env.rt.remove(writer)
    await env.rt.remove(reader)
    await env.rt.remove_volume(name)
    await env.rt.remove_volume(name)  # missing is fine


# -- events: reconnect ----------------------------------------------------------------------------


class SocketProxy:
    """A unix socket forwarding to dockerd that a test can cut, to play a dockerd restart."""

    def __init__(self, path: Path, target: Path = DOCKER_SOCKET) -> None:
        self.path = path
        self.target = target
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.server = await asyncio.start_unix_server(self._serve, path=str(self.path))

    async def cut(self) -> None:
        """Stop listening and drop every connection."""
        assert self.server is not None
        self.server.close()
        for w in list(self.writers):
            w.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(str(self.target))
        self.writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers.difference_update((writer, up_writer))


@pytest.mark.skipif(not DOCKER_SOCKET.exists(), reason="dockerd is not on /var/run/docker.sock")
async def test_event_stream_reconnects_and_misses_nothing(env: Env, tmp_path: Path) -> None:
    proxy = SocketProxy(tmp_path / "docker.sock")
    await proxy.start()
    rt = DockerRuntime(base_url=f"unix://{proxy.path}")
    try:
        events = rt.events(env.instance_arn)
        cid = await env.run(env.ctx(), command=["sleep", "600"])
        assert (await next_event(events, lambda e: e.kind == "start")).container_id == cid

        await proxy.cut()  # "dockerd went away"; meanwhile the container dies
        await env.rt.kill(cid)
        await exited(env.rt, cid)
        await asyncio.sleep(0.3)
        await proxy.start()  # "dockerd is back"

        reconnected = await next_event(events, lambda e: e.kind in ("reconnected", "die"))
        assert reconnected.kind == "reconnected"
        die = await next_event(events, lambda e: e.kind == "die")  # replayed from where the stream broke
        assert die.container_id == cid and die.exit_code == 137

        pending = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.05)
        await rt.close()  # closing the runtime ends every stream
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(pending, 5)
    finally:
        await rt.close()
        with contextlib.suppress(Exception):
            await proxy.cut()


# -- cgroups --------------------------------------------------------------------------------------


def leftover_dirs(root: Path, task_id: str) -> list[Path]:
    return [h / CGROUP_PARENT / task_id for h in root.iterdir() if (h / CGROUP_PARENT / task_id).exists()]


@pytest.fixture
def cgroups(sdk: Any) -> TaskCgroup:
    root = Path("/sys/fs/cgroup")
    if not (root / "memory" / "memory.limit_in_bytes").exists():
        pytest.skip("cgroup v1 memory controller not mounted")
    return TaskCgroup(root, parent=CGROUP_PARENT)


async def test_task_cgroup_limits_and_task_level_oom(env: Env, cgroups: TaskCgroup) -> None:
    task_id = uuid.uuid4().hex[:16]
    parent = cgroups.create(task_id, cpu_units=512, memory_mib=16)
    assert parent == f"/{CGROUP_PARENT}/{task_id}"
    assert cgroups.create(task_id, cpu_units=512, memory_mib=16) == parent  # idempotent
    root = Path("/sys/fs/cgroup")

    def read(controller: str, name: str) -> int:
        return int((root / controller / CGROUP_PARENT / task_id / name).read_text().split()[0])

    assert read("memory", "memory.limit_in_bytes") == 16 * 1024 * 1024
    assert read("cpu", "cpu.cfs_period_us") == 100_000
    assert read("cpu", "cpu.cfs_quota_us") == 50_000
    assert read("cpu", "cpu.shares") == 512
    assert cgroups.exists(task_id)

    # Two containers with no limits of their own: the task's 16 MiB is what stops the hog.
    ctx = env.ctx(task_id=task_id, cgroup_parent=parent)
    idle = await env.run(ctx, name="idle", command=["sleep", "600"])
    hog = await env.run(ctx, name="hog", command=["sh", "-c", HOG])
    state = await exited(env.rt, hog, within=20)
    assert state.exit_code == 137 and state.oom_killed
    usage = cgroups.usage(task_id)
    assert usage.memory_limit_bytes == 16 * 1024 * 1024
    # The task hit its limit. (Kernel failcnt/oom_kill counters do not propagate up in cgroup v1, and
    # the hog's own cgroup is gone, so the peak is what shows it at task level.)
    assert 15 * 1024 * 1024 <= usage.memory_max_usage_bytes <= 16 * 1024 * 1024
    assert usage.cpu_usage_ns > 0 and usage.memory_usage_bytes < 16 * 1024 * 1024
    container_cgroup = root / "memory" / CGROUP_PARENT / task_id / idle
    assert container_cgroup.is_dir()  # runc nested the container under the task

    with pytest.raises(CgroupError, match="cannot remove"):
        cgroups.remove(task_id, timeout=0.2)  # a container still runs in it
    await env.rt.remove(idle)
    await env.rt.remove(hog)
    cgroups.remove(task_id)
    assert not cgroups.exists(task_id)
    assert not leftover_dirs(root, task_id)
    cgroups.remove(task_id)  # missing is fine
