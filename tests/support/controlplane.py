"""A control plane running inside the test process (on its own event loop thread), for fast API tests."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from controlplane.server import ControlPlane
from controlplane.settings import Settings
from tests.support.infra import secrets_key_file

T = TypeVar("T")


class InProcessControlPlane:
    def __init__(
        self, etcd_endpoints: tuple[str, ...], *, prefix: str | None = None, **settings: Any
    ) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="berth-cp-"))
        etcd_prefix = prefix or f"/berth-test-{uuid.uuid4().hex[:12]}/"
        self.settings = Settings(
            data_dir=self.data_dir,
            secrets_key_file=secrets_key_file(etcd_prefix),
            grpc_addr="127.0.0.1:0",
            http_addr="127.0.0.1:0",
            agent_addr="127.0.0.1:0",
            etcd_endpoints=etcd_endpoints,
            etcd_prefix=etcd_prefix,
            etcd_wait_seconds=10,
            **settings,
        )
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="controlplane", daemon=True)
        self.cp = ControlPlane(self.settings)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> InProcessControlPlane:
        self._thread.start()
        self.run(self.cp.start())
        return self

    def stop(self) -> None:
        self.run(self.cp.stop(grace=1))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    @property
    def endpoint(self) -> str:
        return self.cp.grpc_endpoint

    @property
    def http(self) -> str:
        return self.cp.http_endpoint

    @property
    def config_path(self) -> Path:
        return self.data_dir / "config"

    @property
    def ca_file(self) -> Path | None:
        """The CA bundle clients verify this control plane with (None on an insecure one)."""
        return self.cp.ca_file
