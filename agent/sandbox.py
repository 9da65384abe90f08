"""SandboxPool: warm FARGATE sandboxes and a warm image cache on a pool agent.

A FARGATE task runs in its own sandbox: a network namespace held by a pause container (its
address is the task's ENI address) and a cgroup that caps the task's cpu and memory. Creating
them costs about a `docker run`; a pool agent keeps `warm` of them ready, so a task only claims
one: the cgroup gets the task's limits and the pause container is renamed after the task. The
pool refills in the background and shrinks to one sandbox when no FARGATE task came for
`idle_seconds`.

Which sandbox a task claimed is kept in `<data-dir>/sandboxes.json`, so a restarted agent still
finds (and cleans up) it. Images of recently started tasks are refreshed in the background, so a
FARGATE start does not wait for a registry round trip (AWS Fargate re-pulls every image: #696).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import structlog

from agent.runtime import spec
from agent.runtime.cgroups import CgroupError, TaskCgroup
from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import (
    LABEL_CONTAINER_NAME,
    LABEL_INSTANCE_ARN,
    PAUSE_CONTAINER_NAME,
    ContainerRuntime,
)

log = structlog.get_logger("berth.agent.sandbox")

LABEL_WARM = "berth.warm"  # sandbox id of a warm (not yet claimed) pause container
IMAGE_REFRESH_SECONDS = 300.0
IMAGE_FORGET_SECONDS = 3600.0


@dataclass
class Sandbox:
    id: str  # also the name of its cgroup under the berth cgroup parent
    pause_id: str
    address: str

    @property
    def cgroup_id(self) -> str:
        return f"warm-{self.id}"


class SandboxPool:
    def __init__(
        self,
        runtime: ContainerRuntime,
        cgroups: TaskCgroup | None,
        *,
        instance_arn: str,
        data_dir: Path,
        warm: int,
        idle_seconds: float = 600.0,
        pause_image: str = "berth/pause:latest",
    ) -> None:
        self.runtime = runtime
        self.cgroups = cgroups
        self.instance_arn = instance_arn
        self.path = data_dir / "sandboxes.json"
        self.warm = warm
        self.idle_seconds = idle_seconds
        self.pause_image = pause_image
        self.ready: list[Sandbox] = []
        self.claimed: dict[str, Sandbox] = self._load()
        self.recent_images: dict[str, float] = {}
        self._last_claim = time.monotonic()
        self._wake = asyncio.Event()

    # -- claims ----------------------------------------------------------------------------------

    def target(self) -> int:
        """How many sandboxes to keep ready: all of them while busy, one when idle."""
        idle = time.monotonic() - self._last_claim > self.idle_seconds
        return min(self.warm, 1) if idle else self.warm

    async def claim(self, task_arn: str, task_id: str, cpu: int | None, memory: int | None) -> Sandbox | None:
        """A ready sandbox for the task, with the task's limits; None when none is ready."""
        self._last_claim = time.monotonic()
        self._wake.set()
        while self.ready:
            sandbox = self.ready.pop(0)
            try:
                if self.cgroups is not None:
                    await asyncio.to_thread(
                        self.cgroups.create, sandbox.cgroup_id, cpu_units=cpu, memory_mib=memory
                    )
                await self.runtime.rename(sandbox.pause_id, spec.pause_name(task_id))
            except (ContainerRuntimeError, CgroupError, OSError) as e:
                log.warning("warm_sandbox_unusable", sandbox=sandbox.id, error=str(e))
                await self._destroy(sandbox)
                continue
            self.claimed[task_arn] = sandbox
            self._save()
            return sandbox
        return None

    def claimed_by(self, task_arn: str) -> Sandbox | None:
        return self.claimed.get(task_arn)

    async def release(self, task_arn: str) -> None:
        """The task is gone: remove its sandbox (pause container and cgroup)."""
        sandbox = self.claimed.pop(task_arn, None)
        if sandbox is not None:
            self._save()
            await self._destroy(sandbox)

    def note_image(self, image: str) -> None:
        self.recent_images[image] = time.monotonic()

    def is_warm_image(self, image: str) -> bool:
        """An image a recent task used: the cache holds it and the refresher keeps it current."""
        used = self.recent_images.get(image)
        return used is not None and time.monotonic() - used < IMAGE_FORGET_SECONDS

    # -- the background loop ---------------------------------------------------------------------

    async def run(self) -> None:
        await self._discard_stale()
        next_refresh = time.monotonic() + IMAGE_REFRESH_SECONDS
        while True:
            target = self.target()
            while len(self.ready) < target:
                sandbox = await self._create()
                if sandbox is None:
                    break
                self.ready.append(sandbox)
            while len(self.ready) > target:
                await self._destroy(self.ready.pop())
            if time.monotonic() >= next_refresh:
                await self._refresh_images()
                next_refresh = time.monotonic() + IMAGE_REFRESH_SECONDS
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 5.0)

    async def _create(self) -> Sandbox | None:
        ident = secrets.token_hex(6)
        sandbox = Sandbox(ident, "", "")
        try:
            parent = ""
            if self.cgroups is not None:
                parent = await asyncio.to_thread(
                    self.cgroups.create, sandbox.cgroup_id, cpu_units=None, memory_mib=None
                )
            kwargs = {
                "image": self.pause_image,
                "name": f"berth-warm-{ident}.pause",
                "detach": True,
                "network_mode": "bridge",
                "cpu_shares": 2,
                "log_config": dict(spec.DEFAULT_LOG_CONFIG),
                "labels": {
                    LABEL_INSTANCE_ARN: self.instance_arn,
                    LABEL_WARM: ident,
                    LABEL_CONTAINER_NAME: PAUSE_CONTAINER_NAME,
                },
            }
            if parent:
                kwargs["cgroup_parent"] = parent
            sandbox.pause_id = await self.runtime.create(kwargs)
            await self.runtime.start(sandbox.pause_id)
            state = await self.runtime.inspect(sandbox.pause_id)
            sandbox.address = state.ip_address if state else ""
            return sandbox
        except (ContainerRuntimeError, CgroupError, OSError) as e:
            log.warning("warm_sandbox_failed", error=str(e))
            await self._destroy(sandbox)
            await asyncio.sleep(5)
            return None

    async def _destroy(self, sandbox: Sandbox) -> None:
        if sandbox.pause_id:
            with contextlib.suppress(ContainerRuntimeError):
                await self.runtime.remove(sandbox.pause_id, force=True)
        if self.cgroups is not None:
            with contextlib.suppress(CgroupError, OSError):
                await asyncio.to_thread(self.cgroups.remove, sandbox.cgroup_id)

    async def _discard_stale(self) -> None:
        """Warm sandboxes a previous agent process left unclaimed are removed (new ones follow)."""
        claimed = {s.pause_id for s in self.claimed.values()}
        for c in await self.runtime.list_managed(self.instance_arn):
            warm = c.labels.get(LABEL_WARM)
            if warm and c.id not in claimed:
                await self._destroy(Sandbox(warm, c.id, ""))

    async def _refresh_images(self) -> None:
        now = time.monotonic()
        for image, used in list(self.recent_images.items()):
            if now - used > IMAGE_FORGET_SECONDS:
                del self.recent_images[image]
                continue
            with contextlib.suppress(ContainerRuntimeError):
                await self.runtime.ensure_image(image, "default", True)

    async def close(self) -> None:
        """Unclaimed sandboxes go with the agent; claimed ones stay with their tasks."""
        for sandbox in self.ready:
            await self._destroy(sandbox)
        self.ready.clear()

    # -- persistence -----------------------------------------------------------------------------

    def _load(self) -> dict[str, Sandbox]:
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return {arn: Sandbox(**value) for arn, value in data.items()}

    def _save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({arn: asdict(s) for arn, s in self.claimed.items()}))
        os.replace(tmp, self.path)
