"""A real image registry for tests: Debian's `docker-registry` (distribution 2.x) on 127.0.0.1 with
htpasswd (bcrypt) authentication, its storage in a temporary directory. dockerd treats registries on
127.0.0.0/8 as insecure-allowed, so plain HTTP needs no daemon setting."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docker.errors import ImageNotFound

from tests.support.infra import free_port, missing


@dataclass
class Registry:
    username: str = "berth-test"
    password: str = field(default_factory=lambda: f"pw-{uuid.uuid4().hex}")
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="berth-registry-")))
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> Registry:
        binary, htpasswd = shutil.which("docker-registry"), shutil.which("htpasswd")
        if binary is None or htpasswd is None:
            missing("docker-registry and htpasswd (Debian docker-registry, apache2-utils)")
        assert binary is not None and htpasswd is not None
        line = subprocess.run(
            [htpasswd, "-Bbn", self.username, self.password], check=True, capture_output=True, text=True
        ).stdout
        (self.directory / "htpasswd").write_text(line)
        (self.directory / "config.yml").write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.directory / 'data'}\n"
            f"http:\n  addr: {self.address}\n"
            f"auth:\n  htpasswd:\n    realm: berth-test\n    path: {self.directory / 'htpasswd'}\n"
        )
        log = open(self.directory / "registry.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [binary, "serve", str(self.directory / "config.yml")], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"docker-registry exited: {(self.directory / 'registry.log').read_text()}"
                )
            try:
                urllib.request.urlopen(f"http://{self.address}/v2/", timeout=1)
            except urllib.error.HTTPError as e:
                if e.code == 401:  # up, and asking for credentials
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"docker-registry did not answer on {self.address}")

    @property
    def auth(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}

    def push(self, docker: Any, local_image: str, repository: str) -> str:
        """Push `local_image` as `<registry>/<repository>:<unique tag>` and drop the local tag, so
        that only a pull can bring it back. Returns the reference."""
        tag = uuid.uuid4().hex[:10]
        ref = f"{self.address}/{repository}"
        docker.images.get(local_image).tag(ref, tag)
        try:
            for chunk in docker.api.push(ref, tag, stream=True, decode=True, auth_config=self.auth):
                if chunk.get("error"):
                    raise AssertionError(f"push {ref}:{tag}: {chunk['error']}")
        finally:
            untag(docker, f"{ref}:{tag}")
        return f"{ref}:{tag}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def untag(docker: Any, ref: str) -> None:
    """Remove a tag (the image stays while other tags, such as the local original, name it)."""
    try:
        docker.images.remove(ref)
    except ImageNotFound:
        pass
