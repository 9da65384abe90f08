"""TaskRunner: one task's life on this host, following ECS's lifecycle.

    PENDING      pull images, set up the sandbox (task volumes, task cgroup, awsvpc pause
                 container), create every container, start them in dependsOn order
    RUNNING      supervise: exits, health, in-place restarts (restartPolicy)
    DEACTIVATING asked to stop while a load balancer target: the containers keep running until
                 the task's deactivate_until (its targets drain meanwhile), then STOPPING
    STOPPING     stop containers in reverse dependsOn order (SIGTERM, stopTimeout, SIGKILL)
    DEPROVISIONING  tear the sandbox down
    STOPPED      report exit codes and reasons; the manager removes the containers later

One asyncio task per task runs `run()`; everything about the task happens there, one step at a
time, so there are no races inside a task. The manager feeds it Docker events (`on_event`) and
the control plane's desired status (`update`); both only enqueue and wake it. Every report is a
full snapshot of the task, so a repeated or reordered report does no harm.

A runner may start from containers found on the host (`adopted`): a restarted agent re-adopts
what is running, and a container that exited meanwhile is reported with its exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog

from agent import secretfiles
from agent.credentials.service import CredentialsService
from agent.runtime import spec
from agent.runtime.cgroups import CgroupError, TaskCgroup
from agent.runtime.errors import ContainerRuntimeError, ImageNotPresent
from agent.runtime.model import (
    LABEL_INSTANCE_ARN,
    LABEL_TASK_ARN,
    PAUSE_CONTAINER_NAME,
    Binding,
    ContainerRuntime,
    ContainerState,
    DockerEvent,
)
from agent.sandbox import Sandbox, SandboxPool
from agent.settings import AgentSettings
from berth import taskstatus
from berth.units import parse_cpu, parse_memory
from berth.v1 import agent_pb2, types_pb2

log = structlog.get_logger("berth.agent.task")

OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
ESSENTIAL_EXITED = "Essential container in task exited"
DEFAULT_START_TIMEOUT = 180.0  # ECS: 3 min to resolve a container's dependencies


class StartFailure(Exception):
    """The task cannot start; `reason` becomes its stoppedReason (and the container's reason)."""

    def __init__(
        self, reason: str, container: str = "", stop_code: str = taskstatus.TASK_FAILED_TO_START
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.container = container
        self.stop_code = stop_code


class Aborted(Exception):
    """The control plane asked for the task to stop before it was running."""


@dataclass
class ContainerView:
    """What the agent knows of one container of the task."""

    definition: types_pb2.ContainerDefinition
    override: types_pb2.ContainerOverride | None
    docker_id: str = ""
    status: str = "PENDING"  # as reported: PENDING, RUNNING, STOPPED
    started: bool = False  # has been started at least once
    exit_code: int | None = None
    reason: str = ""
    health: str = "UNKNOWN"
    bindings: Sequence[Binding] = ()
    started_at: float = 0.0
    finished_at: float = 0.0
    restart_count: int = 0
    oom_kills: int = 0  # Docker "oom" events seen (metrics)
    pid: int = 0  # main process while running, for the stats reader (agent.stats)
    last_start_mono: float = 0.0
    image_digest: str = ""

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def essential(self) -> bool:
        return not self.definition.HasField("essential") or self.definition.essential

    def to_proto(self) -> types_pb2.Container:
        c = types_pb2.Container(
            name=self.name,
            image=self.definition.image,
            runtime_id=self.docker_id,
            last_status=self.status,
            reason=self.reason[:1024],
            health_status=self.health,
            image_digest=self.image_digest,
            network_bindings=[b.to_proto() for b in self.bindings],
            restart_count=self.restart_count,
            started_at=self.started_at,
            finished_at=self.finished_at,
        )
        if self.exit_code is not None:
            c.exit_code = self.exit_code
        return c


@dataclass
class RunnerDeps:
    """What a runner needs from its agent."""

    runtime: ContainerRuntime
    settings: AgentSettings
    instance_arn: str
    report: Callable[[agent_pb2.TaskStateChange], None]
    pulled_images: set[str] = field(default_factory=set)
    cgroups: TaskCgroup | None = None  # per-task cgroups for task-level cpu/memory, when enabled
    sandboxes: SandboxPool | None = None  # pool agents: warm FARGATE sandboxes and images
    # The resolver for containers without dnsServers, as the control plane said at registration.
    dns_servers: list[str] = field(default_factory=list)
    # A task's secrets from the control plane (Agent/GetTaskSecrets): the response, or the reason
    # they are refused (ResourceInitializationError ...). None: this agent cannot fetch secrets.
    fetch_secrets: Callable[[str], Awaitable[agent_pb2.GetTaskSecretsResponse | str]] | None = None
    # Task role credentials (agent.credentials): served to the containers of tasks with a role.
    credentials: CredentialsService | None = None
    # Where secrets read as files are kept on this host (agent.secretfiles); None: nowhere.
    secret_files: secretfiles.SecretFiles | None = None


def start_waves(definitions: Sequence[types_pb2.ContainerDefinition]) -> list[list[str]]:
    """Containers grouped in dependsOn order: every container comes after all it depends on."""
    remaining = {d.name: {dep.container_name for dep in d.depends_on} for d in definitions}
    waves: list[list[str]] = []
    done: set[str] = set()
    while remaining:
        ready = [n for n, deps in remaining.items() if deps <= done]
        if not ready:  # a cycle: validation refuses these; start the rest together rather than hang
            ready = list(remaining)
        waves.append(ready)
        done.update(ready)
        for n in ready:
            del remaining[n]
    return waves


class TaskRunner:
    def __init__(
        self, assigned: agent_pb2.AssignedTask, deps: RunnerDeps, adopted: Sequence[ContainerState] = ()
    ) -> None:
        self.task = assigned.task
        self.definition = assigned.task_definition
        self.deps = deps
        self.task_arn = self.task.task_arn
        self.task_id = self.task_arn.rsplit("/", 1)[-1]
        self.cluster = self.task_arn.rsplit("/", 2)[-2]
        self.desired = self.task.desired_status
        self.secret_env: dict[str, dict[str, str]] = {}  # container -> its secrets, until created
        # The task role (RunTask's override, else the definition's) and the credentials endpoint
        # variables every container of the task gets.
        self.role_arn = self.task.overrides.task_role_arn or self.definition.task_role_arn
        self.role_env: dict[str, str] = {}
        # container -> the auth of its image's pull (repositoryCredentials), until created
        self.registry_auth: dict[str, dict[str, str]] = {}
        # container -> its secret files (paths in the container), written on the host
        self.secret_file_paths = {
            d.name: secretfiles.container_paths(d)
            for d in self.definition.container_definitions
            if secretfiles.container_paths(d)
        }
        self._secret_files_stale = False  # a secret they read changed: fetch and rewrite
        # Unix time until which a stop waits for the task's load balancer targets to drain; the
        # control plane sets it from its own clock, so this assumes host clocks agree (NTP) to well
        # within a deregistration delay. 0: stop at once.
        self.deactivate_until = self.task.deactivate_until if self.desired == "STOPPED" else 0.0
        overrides = {o.name: o for o in self.task.overrides.container_overrides}
        self.containers = {
            d.name: ContainerView(d, overrides.get(d.name)) for d in self.definition.container_definitions
        }
        self.adopted = list(adopted)
        self.last_status = (
            self.task.last_status if self.task.last_status != "PROVISIONING" else "PROVISIONING"
        )
        self.stop_code = ""
        self.stopped_reason = ""
        self.timestamps: dict[str, float] = {}
        self.timing = types_pb2.LaunchTiming()
        self.attachments: list[types_pb2.Attachment] = []
        self.pause_id = ""
        self.cgroup_parent = ""
        self.cgroup_id = ""  # the task's cgroup: its task id, or the warm sandbox's it claimed
        self.fargate = self.task.launch_type == "FARGATE"
        self.task_volumes: list[str] = []
        self.received_at = time.time()
        self._events: asyncio.Queue[DockerEvent] = asyncio.Queue()
        self._pending_refresh: set[str] = set()  # containers whose exit needs an inspect (OOM flag)
        self._last_report = b""
        self._wake = asyncio.Event()
        self.finished = asyncio.Event()
        self._log = log.bind(task=self.task_id)

    # -- inputs from the manager -----------------------------------------------------------------

    def update(self, assigned: agent_pb2.AssignedTask) -> None:
        task = assigned.task
        if task.desired_status == "STOPPED":
            self.request_stop(task.stop_code, task.stopped_reason, deactivate_until=task.deactivate_until)

    def request_stop(self, stop_code: str = "", reason: str = "", *, deactivate_until: float = 0.0) -> None:
        """Stop the task; with `deactivate_until`, not before then (its targets drain). Only the
        first request counts: a later one neither extends nor shortens the drain."""
        if self.desired != "STOPPED":
            self.desired = "STOPPED"
            self.stop_code = self.stop_code or stop_code
            self.stopped_reason = self.stopped_reason or reason
            self.deactivate_until = deactivate_until
            self._wake.set()

    def refresh_secret_files(self) -> None:
        """A secret the task reads as a file may have changed: fetch and rewrite them (in place)."""
        if self.secret_file_paths and not self.finished.is_set():
            self._secret_files_stale = True
            self._wake.set()

    def on_event(self, event: DockerEvent) -> None:
        self._events.put_nowait(event)
        self._wake.set()

    # -- the life of the task --------------------------------------------------------------------

    async def run(self) -> None:
        try:
            if self.adopted or taskstatus.rank(self.last_status) >= taskstatus.rank("RUNNING"):
                await self._adopt()
            if self.desired == "RUNNING" and taskstatus.rank(self.last_status) < taskstatus.rank("RUNNING"):
                try:
                    await self._launch()
                except StartFailure as e:
                    self._log.info("task_failed_to_start", reason=e.reason)
                    self.stop_code = self.stop_code or e.stop_code
                    self.stopped_reason = self.stopped_reason or e.reason
                    if e.container and e.container in self.containers:
                        self.containers[e.container].reason = e.reason
                except Aborted:
                    pass
            if self.desired == "RUNNING" and self.last_status == "RUNNING":
                await self._supervise()
            await self._deactivate()
            await self._shutdown()
        except asyncio.CancelledError:
            raise  # the agent is exiting: containers keep running, the next agent adopts them
        except Exception:
            self._log.exception("task_runner_failed")
            self.stop_code = self.stop_code or taskstatus.TASK_FAILED_TO_START
            self.stopped_reason = self.stopped_reason or "berth agent error while running the task"
            with contextlib.suppress(Exception):
                await self._shutdown()
        finally:
            self.finished.set()

    # -- PENDING -> RUNNING ----------------------------------------------------------------------

    async def _launch(self) -> None:
        self.timing.pending_seconds = max(0.0, self.received_at - self.task.created_at)
        self._set_status("PENDING")
        await self._fetch_secrets()
        await self._task_credentials()
        await self._pull_images()
        await self._check_desired()
        sandbox_start = time.time()
        await self._sandbox()
        self.timing.sandbox_seconds = time.time() - sandbox_start
        await self._check_desired()
        start_start = time.time()
        await self._create_containers()
        for wave in start_waves(self.definition.container_definitions):
            for name in wave:
                await self._wait_for_dependencies(self.containers[name])
            await asyncio.gather(
                *(self._start(self.containers[n]) for n in wave if not self.containers[n].started)
            )
            self._check_essential_alive()
        self.timing.start_seconds = time.time() - start_start
        now = time.time()
        self.timestamps["started_at"] = now
        self.timestamps["connectivity_at"] = now
        self.timing.total_seconds = max(0.0, now - self.task.created_at)
        self._set_status("RUNNING")

    async def _fetch_secrets(self) -> None:
        """The values of the containers' `secrets[]`, `environmentFiles[]` and
        `repositoryCredentials`, from the control plane, before anything is pulled or made: a task
        never starts with some of its secrets missing. Secret files are written at once; the other
        values are kept only until the containers are created, and never logged."""
        if not any(
            c.definition.secrets
            or c.definition.environment_files
            or c.definition.repository_credentials.credentials_parameter
            for c in self.containers.values()
        ):
            return
        if self.deps.fetch_secrets is None:
            raise StartFailure("ResourceInitializationError: this agent cannot fetch secrets")
        response = await self.deps.fetch_secrets(self.task_arn)
        if isinstance(response, str):
            raise StartFailure(response)
        self.secret_env = {
            c.container_name: {kv.name: kv.value for kv in c.environment} for c in response.containers
        }
        self.registry_auth = {
            c.container_name: {"username": c.registry_auth.username, "password": c.registry_auth.password}
            for c in response.containers
            if c.HasField("registry_auth")
        }
        if self.secret_file_paths:
            try:
                await self._write_secret_files(response)
            except (OSError, secretfiles.SecretFilesUnavailable) as e:
                raise StartFailure(f"ResourceInitializationError: cannot write the secret files: {e}") from e

    async def _write_secret_files(self, response: agent_pb2.GetTaskSecretsResponse) -> int:
        """Write (or rewrite in place) every secret file of the task from a GetTaskSecrets answer."""
        store = self.deps.secret_files
        if store is None:
            raise secretfiles.SecretFilesUnavailable("this agent keeps no secret files")
        given = {c.container_name: {f.path: f.value for f in c.files} for c in response.containers}
        files: dict[str, dict[str, str]] = {}
        for container, paths in self.secret_file_paths.items():
            missing = [p for p in paths if p not in given.get(container, {})]
            if missing:
                raise secretfiles.SecretFilesUnavailable(
                    f"the control plane gave no value for {container}:{missing[0]}"
                )
            files[container] = {p: given[container][p] for p in paths}
        owners = {name: secretfiles.owner(self.containers[name].definition.user) for name in files}
        return await asyncio.to_thread(store.write, self.task_id, files, owners)

    async def _refresh_secret_files(self) -> None:
        """Fetch the task's secrets again and rewrite its files in place: the running containers
        read the new values, no restart. A refusal keeps the files as they are (and says so)."""
        self._secret_files_stale = False
        if self.deps.fetch_secrets is None:
            return
        response = await self.deps.fetch_secrets(self.task_arn)
        if isinstance(response, str):
            self._log.warning("secret_files_not_refreshed", reason=response)
            return
        try:
            written = await self._write_secret_files(response)
        except (OSError, secretfiles.SecretFilesUnavailable) as e:
            self._log.warning("secret_files_not_refreshed", reason=str(e))
            return
        self._log.info("secret_files_refreshed", files=written)

    def _secret_binds(self, container: str) -> list[tuple[str, str]]:
        store = self.deps.secret_files
        if store is None:
            return []
        return [
            (str(store.path(self.task_id, container, p)), p)
            for p in self.secret_file_paths.get(container, [])
        ]

    async def _task_credentials(self) -> None:
        """A task with a role starts only once its credentials are served (agent.credentials)."""
        if not self.role_arn:
            return
        if self.deps.credentials is None:
            raise StartFailure("ResourceInitializationError: this agent serves no task role credentials")
        env = await self.deps.credentials.start(self.task_arn)
        if isinstance(env, str):
            raise StartFailure(env)
        self.role_env = env

    async def _check_desired(self) -> None:
        await self._absorb()
        if self.desired == "STOPPED":
            raise Aborted

    async def _pull_images(self) -> None:
        images = sorted({c.definition.image for c in self.containers.values()})
        started = time.time()
        self.timestamps["pull_started_at"] = started
        behavior = self.deps.settings.image_pull_behavior

        sandboxes = self.deps.sandboxes

        async def pull(image: str) -> None:
            # A pool agent keeps recently used images current in the background: no pull here.
            warm = sandboxes is not None and sandboxes.is_warm_image(image)
            try:
                outcome = await self.deps.runtime.ensure_image(
                    image,
                    "prefer-cached" if warm else behavior,
                    image in self.deps.pulled_images,
                    auth_config=self._image_auth(image),
                )
            except ContainerRuntimeError as e:
                names = [c.name for c in self.containers.values() if c.definition.image == image]
                raise StartFailure(e.message, container=names[0] if names else "") from e
            if outcome.pulled:
                self.deps.pulled_images.add(image)
            if sandboxes is not None and self._image_auth(image) is None:
                # (The pool refreshes images without credentials: not the private ones.)
                sandboxes.note_image(image)
            for c in self.containers.values():
                if c.definition.image == image:
                    c.image_digest = outcome.digest.rpartition("@")[2] if outcome.digest else ""

        await asyncio.gather(*(pull(i) for i in images))
        self.timestamps["pull_stopped_at"] = time.time()
        self.timing.pull_seconds = self.timestamps["pull_stopped_at"] - started

    def _image_auth(self, image: str) -> dict[str, str] | None:
        """The pull's registry auth: the repositoryCredentials of a container with this image."""
        for c in self.containers.values():
            if c.definition.image == image and c.name in self.registry_auth:
                return self.registry_auth[c.name]
        return None

    def _context(self) -> spec.TaskContext:
        family, _, revision = self.definition.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")
        return spec.TaskContext(
            task_arn=self.task_arn,
            task_id=self.task_id,
            cluster=self.cluster,
            family=family,
            revision=int(revision or 0),
            instance_arn=self.deps.instance_arn,
            network_mode=self.definition.network_mode or "bridge",
            publish_ip=self.deps.settings.publish_ip,
            cgroup_parent=self.cgroup_parent,
            volumes=self._volume_sources(),
            pid_mode=self.definition.pid_mode,
            ipc_mode=self.definition.ipc_mode,
            service_name=self.task.service_name,
            dns_servers=tuple(self.deps.dns_servers),
        )

    def _volume_sources(self) -> dict[str, spec.VolumeSource]:
        sources: dict[str, spec.VolumeSource] = {}
        for v in self.definition.volumes:
            if v.HasField("docker_volume_configuration"):
                scope = v.docker_volume_configuration.scope or "task"
                name = spec.task_volume_name(self.task_id, v.name) if scope == "task" else v.name
                sources[v.name] = spec.VolumeSource("volume", name)
            elif v.HasField("host") and v.host.source_path:
                sources[v.name] = spec.VolumeSource("bind", v.host.source_path)
            else:
                sources[v.name] = spec.VolumeSource("tmp", spec.task_volume_name(self.task_id, v.name))
        return sources

    async def _sandbox(self) -> None:
        """Task volumes, the task cgroup (task-level cpu/memory) and, for awsvpc, the pause container."""
        runtime = self.deps.runtime
        labels = {LABEL_TASK_ARN: self.task_arn, LABEL_INSTANCE_ARN: self.deps.instance_arn}
        for v in self.definition.volumes:
            if v.HasField("docker_volume_configuration"):
                cfg = v.docker_volume_configuration
                scope = cfg.scope or "task"
                if scope == "task" or cfg.autoprovision:
                    name = spec.task_volume_name(self.task_id, v.name) if scope == "task" else v.name
                    volume_labels = {**cfg.labels, **labels} if scope == "task" else dict(cfg.labels)
                    await self._runtime_call(
                        runtime.create_volume(
                            name, cfg.driver or "local", dict(cfg.driver_opts), volume_labels
                        )
                    )
                    if scope == "task":
                        self.task_volumes.append(name)
            elif not (v.HasField("host") and v.host.source_path):
                name = spec.task_volume_name(self.task_id, v.name)
                await self._runtime_call(runtime.create_volume(name, labels=labels))
                self.task_volumes.append(name)
        cpu, memory = self._task_limits()
        if self.fargate and self.deps.sandboxes is not None:
            sandbox = await self.deps.sandboxes.claim(self.task_arn, self.task_id, cpu, memory)
            if sandbox is not None:
                self._use_sandbox(sandbox)
                self.timing.warm_sandbox = True
                return
        if self.deps.cgroups is not None and (cpu or memory):
            try:
                self.cgroup_parent = self.deps.cgroups.create(self.task_id, cpu_units=cpu, memory_mib=memory)
                self.cgroup_id = self.task_id
            except (CgroupError, OSError) as e:
                raise StartFailure(f"ResourceInitializationError: cannot create the task cgroup: {e}") from e
        if (self.definition.network_mode or "bridge") == "awsvpc":
            # FARGATE tasks publish no host ports: like an ENI, the task's own address answers.
            containers = self.definition.container_definitions
            ports = [] if self.fargate else [pm for c in containers for pm in c.port_mappings]
            kwargs = spec.pause_kwargs(self._context(), self.deps.settings.pause_image, port_mappings=ports)
            try:
                self.pause_id = await self._create(kwargs)
                await runtime.start(self.pause_id)
                state = await runtime.inspect(self.pause_id)
            except ContainerRuntimeError as e:
                raise StartFailure(f"ResourceInitializationError: {e.message}") from e
            self.attachments = [self._attachment(state.ip_address if state else "")]

    def _use_sandbox(self, sandbox: Sandbox) -> None:
        self.pause_id = sandbox.pause_id
        self.cgroup_id = sandbox.cgroup_id
        if self.deps.cgroups is not None:
            self.cgroup_parent = self.deps.cgroups.cgroup_parent(sandbox.cgroup_id)
        self.attachments = [self._attachment(sandbox.address)]

    def _attachment(self, address: str) -> types_pb2.Attachment:
        """The task's network namespace, shown as ECS shows an awsvpc task's ENI."""
        return types_pb2.Attachment(
            id=self.task_id,
            type="ElasticNetworkInterface",
            status="ATTACHED",
            details=[
                types_pb2.KeyValuePair(name="networkInterfaceId", value=f"eni-{self.task_id[:17]}"),
                types_pb2.KeyValuePair(name="privateIPv4Address", value=address),
            ],
        )

    def _task_limits(self) -> tuple[int | None, int | None]:
        """Task-level cpu units and memory MiB (overrides win), None where the task sets none."""
        cpu = self.task.overrides.cpu or self.definition.cpu
        memory = self.task.overrides.memory or self.definition.memory
        return (parse_cpu(cpu) if cpu else None), (parse_memory(memory) if memory else None)

    async def _runtime_call(self, call: Awaitable[object]) -> object:
        try:
            return await call
        except ContainerRuntimeError as e:
            raise StartFailure(e.message) from e

    async def _create(self, kwargs: dict[str, object]) -> str:
        try:
            return await self.deps.runtime.create(kwargs)
        except ImageNotPresent:
            # The image vanished between the pull and the create (image cleanup): pull once more.
            image = str(kwargs["image"])
            await self.deps.runtime.ensure_image(
                image, "prefer-cached", False, auth_config=self._image_auth(image)
            )
            return await self.deps.runtime.create(kwargs)

    async def _create_containers(self) -> None:
        ctx = self._context()

        async def create(c: ContainerView) -> None:
            if c.docker_id:
                return
            kwargs = spec.create_kwargs(
                ctx,
                c.definition,
                c.override,
                extra_env={**self.role_env, **self.secret_env.get(c.name, {})} or None,
                secret_files=self._secret_binds(c.name),
            )
            try:
                c.docker_id = await self._create(kwargs)
            except ContainerRuntimeError as e:
                raise StartFailure(e.message, container=c.name) from e

        try:
            await asyncio.gather(*(create(c) for c in self.containers.values()))
        finally:
            self.secret_env = {}  # in the containers now; not kept in this process
            self.registry_auth = {}

    async def _wait_for_dependencies(self, c: ContainerView) -> None:
        timeout = (
            c.definition.start_timeout if c.definition.HasField("start_timeout") else DEFAULT_START_TIMEOUT
        )
        deadline = time.monotonic() + timeout
        while True:
            await self._check_desired()
            self._check_essential_alive()
            waiting = self._unmet(c)
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise StartFailure(
                    f"CannotStartContainerError: {c.name} gave up waiting for {waiting} "
                    f"after {timeout:.0f} s",
                    container=c.name,
                )
            await self._sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def _unmet(self, c: ContainerView) -> str:
        """The first dependency of `c` that is not met yet ("" when all are); raises if one never will be."""
        for dep in c.definition.depends_on:
            target = self.containers[dep.container_name]
            condition = dep.condition or "START"
            if condition == "START":
                if not target.started:
                    return f"{target.name} to start"
            elif condition in ("COMPLETE", "SUCCESS"):
                if target.status != "STOPPED":
                    return f"{target.name} to complete"
                if condition == "SUCCESS" and target.exit_code != 0:
                    raise StartFailure(
                        f"CannotStartContainerError: dependency {target.name} exited with "
                        f"{target.exit_code}, "
                        f"{c.name} needs it to succeed",
                        container=c.name,
                    )
            elif condition == "HEALTHY":
                if target.health == "UNHEALTHY" or target.status == "STOPPED":
                    raise StartFailure(
                        f"CannotStartContainerError: dependency {target.name} is not healthy, "
                        f"{c.name} needs it",
                        container=c.name,
                    )
                if target.health != "HEALTHY":
                    return f"{target.name} to be healthy"
        return ""

    def _check_essential_alive(self) -> None:
        for c in self.containers.values():
            if c.essential and c.status == "STOPPED":
                raise StartFailure(ESSENTIAL_EXITED, stop_code=taskstatus.ESSENTIAL_CONTAINER_EXITED)

    async def _start(self, c: ContainerView) -> None:
        try:
            await self.deps.runtime.start(c.docker_id)
        except ContainerRuntimeError as e:
            raise StartFailure(e.message, container=c.name) from e
        c.started = True
        c.last_start_mono = time.monotonic()
        await self._refresh(c)

    async def _refresh(self, c: ContainerView) -> None:
        """Read a container's state from Docker (bindings, times, exit)."""
        state = await self.deps.runtime.inspect(c.docker_id) if c.docker_id else None
        if state is None:
            if c.started and c.status != "STOPPED":
                c.status = "STOPPED"
                c.reason = c.reason or "the container disappeared"
            return
        self._apply_state(c, state)

    def _apply_state(self, c: ContainerView, state: ContainerState) -> None:
        c.pid = state.pid
        if state.running:
            c.status = "RUNNING"
            c.started = True
            c.bindings = state.network_bindings or c.bindings
            c.started_at = state.started_at or c.started_at or time.time()
            if state.health != "UNKNOWN" or c.definition.HasField("health_check"):
                c.health = state.health
        elif state.exit_code is not None and (state.started_at or c.started):
            c.status = "STOPPED"
            c.started = True
            c.exit_code = state.exit_code
            c.finished_at = state.finished_at or time.time()
            if state.oom_killed:
                c.reason = OOM_REASON
            elif state.error and not c.reason:
                c.reason = state.error

    # -- RUNNING ---------------------------------------------------------------------------------

    async def _supervise(self) -> None:
        while True:
            await self._absorb()
            if self.desired == "STOPPED":
                return
            for c in self.containers.values():
                if c.status == "STOPPED" and c.docker_id and await self._maybe_restart(c):
                    continue
            for c in self.containers.values():
                if c.status == "STOPPED" and c.essential:
                    self.stop_code = self.stop_code or taskstatus.ESSENTIAL_CONTAINER_EXITED
                    self.stopped_reason = self.stopped_reason or ESSENTIAL_EXITED
                    return
            if self._secret_files_stale:
                await self._refresh_secret_files()
                continue
            self._report()
            await self._sleep(None)

    async def _maybe_restart(self, c: ContainerView) -> bool:
        """restartPolicy: restart in place unless the exit code is ignored or it ran too briefly."""
        policy = c.definition.restart_policy
        if not policy.enabled or self.desired != "RUNNING":
            return False
        if c.exit_code is not None and c.exit_code in policy.ignored_exit_codes:
            return False
        period = policy.restart_attempt_period if policy.HasField("restart_attempt_period") else 300
        if time.monotonic() - c.last_start_mono < period:
            return False
        c.restart_count += 1
        c.exit_code = None
        c.reason = ""
        self._log.info("container_restarted", container=c.name, restarts=c.restart_count)
        await self._start(c)
        return c.status == "RUNNING"

    # -- DEACTIVATING ----------------------------------------------------------------------------

    async def _deactivate(self) -> None:
        """A running task asked to stop with a drain deadline: keep its containers running (and
        report them) until then, so in-flight requests through its load balancer targets finish.
        An essential container that exits meanwhile ends the wait; the agent exiting leaves the
        containers running, and the next agent, told the same deadline, goes on waiting."""
        if self.deactivate_until <= 0 or self.last_status not in ("RUNNING", "DEACTIVATING"):
            return
        self._set_status("DEACTIVATING")
        while True:
            await self._absorb()
            if any(c.essential and c.status == "STOPPED" for c in self.containers.values()):
                return
            if self._secret_files_stale:
                await self._refresh_secret_files()
            self._report()
            remaining = self.deactivate_until - time.time()
            if remaining <= 0:
                return
            await self._sleep(remaining)

    # -- STOPPING -> STOPPED ---------------------------------------------------------------------

    async def _shutdown(self) -> None:
        await self._absorb()
        running = [c for c in self.containers.values() if c.docker_id and c.status != "STOPPED" and c.started]
        if running or self.last_status in ("RUNNING", "DEACTIVATING"):
            self.timestamps.setdefault("stopping_at", time.time())
            self._set_status("STOPPING")
        for wave in reversed(start_waves(self.definition.container_definitions)):
            await asyncio.gather(*(self._stop(self.containers[n]) for n in wave))
        if self.role_arn and self.deps.credentials is not None:
            await self.deps.credentials.forget(self.task_arn)
        self.timestamps["execution_stopped_at"] = time.time()
        if self.secret_file_paths and self.deps.secret_files is not None:
            await asyncio.to_thread(self.deps.secret_files.remove, self.task_id)
        if self.pause_id or self.cgroup_parent:
            self._set_status("DEPROVISIONING")
            if self.pause_id:
                with contextlib.suppress(ContainerRuntimeError):
                    await self.deps.runtime.stop(self.pause_id, 5)
            if self.cgroup_id and self.deps.cgroups is not None:
                try:
                    await asyncio.to_thread(self.deps.cgroups.remove, self.cgroup_id)
                except (CgroupError, OSError) as e:
                    self._log.warning("task_cgroup_not_removed", error=str(e))
        for c in self.containers.values():
            if c.status != "STOPPED":
                c.status = "STOPPED"
                if not c.started and not c.reason:
                    c.reason = self.stopped_reason or "the task stopped before the container started"
        if not self.stop_code and self.desired == "STOPPED":
            self.stop_code = taskstatus.USER_INITIATED
        self.timestamps["stopped_at"] = time.time()
        self._set_status("STOPPED")

    async def _stop(self, c: ContainerView) -> None:
        if not c.docker_id or c.status == "STOPPED" or not c.started:
            return
        timeout = (
            c.definition.stop_timeout
            if c.definition.HasField("stop_timeout")
            else self.deps.settings.stop_timeout_seconds
        )
        try:
            await self.deps.runtime.stop(c.docker_id, timeout)
        except ContainerRuntimeError as e:
            self._log.warning("container_stop_failed", container=c.name, error=e.message)
        await self._refresh(c)
        if c.status != "STOPPED":
            c.status = "STOPPED"

    # -- adoption after an agent restart ---------------------------------------------------------

    async def _adopt(self) -> None:
        by_name = {s.container_name: s for s in self.adopted}
        pause = by_name.pop(PAUSE_CONTAINER_NAME, None)
        if pause is not None:
            self.pause_id = pause.id
            full = await self.deps.runtime.inspect(pause.id)
            if full is not None and full.ip_address:
                self.attachments = [self._attachment(full.ip_address)]
        if self.deps.cgroups is not None and self.deps.cgroups.exists(self.task_id):
            self.cgroup_parent = self.deps.cgroups.cgroup_parent(self.task_id)
            self.cgroup_id = self.task_id
        claimed = self.deps.sandboxes.claimed_by(self.task_arn) if self.deps.sandboxes else None
        if claimed is not None:
            self._use_sandbox(claimed)
        for c in self.containers.values():
            state = by_name.get(c.name)
            if state is None:
                continue
            c.docker_id = state.id
            full = await self.deps.runtime.inspect(state.id)
            if full is not None:
                self._apply_state(c, full)
                if full.running:
                    c.last_start_mono = time.monotonic() - max(
                        0.0, time.time() - (full.started_at or time.time())
                    )
        self.task_volumes = [
            v.source for v in self._volume_sources().values() if v.source.startswith(f"berth-{self.task_id}-")
        ]
        if self.role_arn and self.deps.credentials is not None and self.desired == "RUNNING":
            # Its containers know their credentials path already: serve it again (same id).
            env = await self.deps.credentials.start(self.task_arn)
            if isinstance(env, str):
                self._log.warning("task_credentials_not_restored", reason=env)
            else:
                self.role_env = env
        if taskstatus.rank(self.last_status) >= taskstatus.rank("RUNNING"):
            # The task was running: a container that is not on the host any more has stopped.
            for c in self.containers.values():
                if not c.docker_id:
                    c.status, c.started = "STOPPED", True
                    c.reason = c.reason or "the container was gone when the agent restarted"
        # Otherwise the launch resumes where it was: it creates and starts only what is missing.

    # -- helpers ---------------------------------------------------------------------------------

    async def _absorb(self) -> None:
        """Apply the Docker events that arrived since the last step; inspect containers that exited
        (Docker's die event lacks the OOM flag and exact finish time)."""
        self._drain()
        for name in list(self._pending_refresh):
            self._pending_refresh.discard(name)
            await self._refresh(self.containers[name])

    def _drain(self) -> None:
        while not self._events.empty():
            event = self._events.get_nowait()
            c = self.containers.get(event.container_name)
            if c is None or (c.docker_id and event.container_id != c.docker_id):
                continue
            if event.kind == "die":
                c.status = "STOPPED"
                c.exit_code = event.exit_code
                c.finished_at = event.time
                self._pending_refresh.add(c.name)
            elif event.kind == "oom":
                c.reason = OOM_REASON
                c.oom_kills += 1
            elif event.kind == "health_status" and event.health:
                c.health = event.health
            elif event.kind == "start" and c.status != "RUNNING" and c.docker_id:
                c.status = "RUNNING"
                c.started = True

    async def _sleep(self, timeout: float | None) -> None:
        """Wait for a Docker event, a desired-status change, or the timeout."""
        # The flag is cleared only after waking, so a wake-up that came while the caller was busy
        # (an event, a desired-status change) ends this wait at once instead of being lost.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()
        await self._absorb()

    def _set_status(self, status: str) -> None:
        if taskstatus.rank(status) < taskstatus.rank(self.last_status):
            return
        self.last_status = status
        self._report()

    def _report(self) -> None:
        essential = [c.health for c in self.containers.values() if c.essential]
        change = agent_pb2.TaskStateChange(
            task_arn=self.task_arn,
            last_status=self.last_status,
            containers=[c.to_proto() for c in self.containers.values()],
            stop_code=self.stop_code if self.last_status == "STOPPED" else "",
            stopped_reason=self.stopped_reason if self.last_status == "STOPPED" else "",
            health_status=taskstatus.task_health(essential),
            attachments=self.attachments,
            restart_count=sum(c.restart_count for c in self.containers.values()),
        )
        for name, value in self.timestamps.items():
            setattr(change, name, value)
        if self.timing.ListFields():
            change.launch_timing.CopyFrom(self.timing)
        snapshot = change.SerializeToString(deterministic=True)
        if snapshot != self._last_report:
            self._last_report = snapshot
            self.deps.report(change)
