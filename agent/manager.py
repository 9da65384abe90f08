"""TaskManager: the tasks of this instance, reconciled against what the control plane assigns.

A complete manifest is the whole truth: tasks in it get a runner (adopting containers already on
the host), containers of tasks not in it are stopped. Incremental manifests update single tasks.
Docker events are routed to the runner of their task. Stopped tasks' containers, pause containers
and task volumes are removed after the cleanup wait (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION).

Secret files (agent.secretfiles): a SecretsChanged names the tasks whose files to rewrite; after a
complete manifest (a new session: changes may have been missed meanwhile) every running task
rewrites its files, and the files of tasks this agent does not run are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict

import structlog

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import ContainerRuntime, ContainerState, DockerEvent
from agent.taskrunner import RunnerDeps, TaskRunner
from berth import taskstatus
from berth.v1 import agent_pb2

log = structlog.get_logger("berth.agent.manager")


class TaskManager:
    def __init__(self, deps: RunnerDeps) -> None:
        self.deps = deps
        self.runtime: ContainerRuntime = deps.runtime
        self.runners: dict[str, TaskRunner] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cleanup: dict[str, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    async def apply(self, manifest: agent_pb2.TaskManifest) -> None:
        """Reconcile with a manifest from the control plane."""
        async with self._lock:
            local = await self._local_containers() if manifest.complete else {}
            assigned = {a.task.task_arn: a for a in manifest.tasks}
            for arn, entry in assigned.items():
                self._assign(entry, local.get(arn, []))
            if manifest.complete:
                for arn, containers in local.items():
                    if arn not in assigned and arn not in self.runners:
                        await self._orphan(arn, containers)
                if self.deps.credentials is not None:
                    await self.deps.credentials.prune(set(assigned))
            for arn in manifest.removed:
                runner = self.runners.get(arn)
                if runner is not None and not runner.finished.is_set():
                    runner.request_stop(reason="the task is no longer assigned to this instance")
            if manifest.complete:
                await self._resync_secret_files()

    def secrets_changed(self, message: agent_pb2.SecretsChanged) -> None:
        """Secrets these tasks read as files have new values: the tasks rewrite their files."""
        for arn in message.task_arns:
            runner = self.runners.get(arn)
            if runner is not None:
                runner.refresh_secret_files()

    async def _resync_secret_files(self) -> None:
        store = self.deps.secret_files
        if store is None:
            return
        for runner in self.runners.values():
            if taskstatus.rank(runner.last_status) >= taskstatus.rank("RUNNING"):
                runner.refresh_secret_files()
        live = {r.task_id for r in self.runners.values() if not r.finished.is_set()}
        gone = await asyncio.to_thread(store.sweep, live)
        if gone:
            log.info("secret_files_swept", tasks=gone)

    def _assign(self, entry: agent_pb2.AssignedTask, adopted: list[ContainerState]) -> None:
        arn = entry.task.task_arn
        runner = self.runners.get(arn)
        if runner is not None:
            runner.update(entry)
            return
        if entry.task.last_status == "STOPPED":
            return
        runner = TaskRunner(entry, self.deps, adopted)
        self.runners[arn] = runner
        self._tasks[arn] = asyncio.create_task(self._run(runner), name=f"task-{runner.task_id}")

    async def _run(self, runner: TaskRunner) -> None:
        await runner.run()
        wait = self.deps.settings.container_cleanup_wait_seconds
        self._cleanup[runner.task_arn] = asyncio.create_task(self._remove_later(runner.task_arn, wait))

    async def _remove_later(self, task_arn: str, wait: float) -> None:
        await asyncio.sleep(wait)
        runner = self.runners.pop(task_arn, None)
        self._tasks.pop(task_arn, None)
        self._cleanup.pop(task_arn, None)
        containers = (await self._local_containers()).get(task_arn, [])
        await self._remove(task_arn, containers, runner.task_volumes if runner else [])

    async def _remove(self, task_arn: str, containers: list[ContainerState], volumes: list[str]) -> None:
        for c in containers:
            with contextlib.suppress(ContainerRuntimeError):
                await self.runtime.remove(c.id, force=True)
        for v in volumes:
            with contextlib.suppress(ContainerRuntimeError):
                await self.runtime.remove_volume(v)
        if self.deps.secret_files is not None:
            await asyncio.to_thread(self.deps.secret_files.remove, task_arn.rsplit("/", 1)[-1])
        if self.deps.sandboxes is not None:
            await self.deps.sandboxes.release(task_arn)
        if self.deps.cgroups is not None:
            task_id = task_arn.rsplit("/", 1)[-1]
            if self.deps.cgroups.exists(task_id):
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.deps.cgroups.remove, task_id)
        log.debug("task_cleaned_up", task=task_arn)

    async def _orphan(self, task_arn: str, containers: list[ContainerState]) -> None:
        """Containers of a task the control plane no longer assigns here: stop what runs; remove
        what stopped once the cleanup wait has passed since it finished."""
        running = [c for c in containers if c.running]
        if running:
            log.info("orphan_task_stopped", task=task_arn, containers=len(running))
            await asyncio.gather(*(self._stop_quietly(c) for c in running))
        if task_arn in self._cleanup:
            return
        finished = [c.finished_at or 0.0 for c in containers if not c.running]
        age = time.time() - max(finished, default=0.0) if finished else 0.0
        wait = max(0.0, self.deps.settings.container_cleanup_wait_seconds - age)
        self._cleanup[task_arn] = asyncio.create_task(self._remove_later(task_arn, wait))

    async def _stop_quietly(self, c: ContainerState) -> None:
        with contextlib.suppress(ContainerRuntimeError):
            await self.runtime.stop(c.id, self.deps.settings.stop_timeout_seconds)

    async def _local_containers(self) -> dict[str, list[ContainerState]]:
        by_task: defaultdict[str, list[ContainerState]] = defaultdict(list)
        for c in await self.runtime.list_managed(self.deps.instance_arn):
            if c.task_arn:
                by_task[c.task_arn].append(c)
        return by_task

    async def watch_events(self) -> None:
        """Route Docker events to the runners; after the event stream was re-established, resync."""
        stream = self.runtime.events(self.deps.instance_arn)
        try:
            async for event in stream:
                if event.kind == "reconnected":
                    await self._resync()
                    continue
                runner = self.runners.get(event.task_arn)
                if runner is not None:
                    runner.on_event(event)
        finally:
            await stream.aclose()

    async def _resync(self) -> None:
        local = await self._local_containers()
        for arn, runner in self.runners.items():
            for c in local.get(arn, []):
                if not c.running and c.exit_code is not None:
                    runner.on_event(
                        DockerEvent(
                            "die",
                            c.id,
                            arn,
                            c.container_name,
                            c.finished_at or time.time(),
                            exit_code=c.exit_code,
                        )
                    )

    def live_service_tasks(self) -> int:
        """Tasks of services that this instance still runs (they move away while it drains)."""
        return sum(
            1
            for r in self.runners.values()
            if r.task.group.startswith("service:") and not r.finished.is_set()
        )

    def snapshot(self) -> list[dict[str, object]]:
        """The tasks as the introspection endpoint shows them."""
        return [
            {
                "taskArn": arn,
                "lastStatus": r.last_status,
                "desiredStatus": r.desired,
                "containers": [
                    {"name": c.name, "dockerId": c.docker_id, "status": c.status, "exitCode": c.exit_code}
                    for c in r.containers.values()
                ],
            }
            for arn, r in self.runners.items()
        ]

    async def close(self) -> None:
        for task in [*self._tasks.values(), *self._cleanup.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks.values(), *self._cleanup.values(), return_exceptions=True)
