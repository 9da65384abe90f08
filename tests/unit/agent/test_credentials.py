"""The agent's credentials endpoint: the JSON boto3 reads, the refresh schedule, the containers'
environment, and the service serving, refreshing and forgetting a task's credentials (over real
HTTP on 127.0.0.1, with a fake control plane)."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import aiohttp
import pytest

from agent.credentials import model
from agent.credentials.service import CredentialsService
from berth.v1 import agent_pb2

TASK = "arn:berth:ecs:local:000000000000:task/prod/0123abcd"
ROLE = "arn:aws:iam::000000000000:role/reader"


def creds(n: int = 1, expiration: float = 1_800_003_600.0) -> agent_pb2.GetTaskCredentialsResponse:
    return agent_pb2.GetTaskCredentialsResponse(
        access_key_id=f"ASIA{n}",
        secret_access_key=f"secret{n}",
        session_token=f"token{n}",
        expiration=expiration,
        role_arn=ROLE,
    )


def test_json_is_what_botocore_reads() -> None:
    assert model.credentials_json(creds()) == {
        "RoleArn": ROLE,
        "AccessKeyId": "ASIA1",
        "SecretAccessKey": "secret1",
        "Token": "token1",
        "Expiration": "2027-01-15T09:00:00Z",
    }


def test_refresh_at_80_percent_of_the_life() -> None:
    assert model.refresh_delay(1000.0, 1000.0, 2000.0) == pytest.approx(800.0)
    assert model.refresh_delay(1500.0, 1000.0, 2000.0) == pytest.approx(300.0)
    assert model.refresh_delay(1900.0, 1000.0, 2000.0) == model.MIN_REFRESH_SECONDS


def test_container_env() -> None:
    assert model.container_env("abc", "169.254.170.2", 80) == {
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"
    }
    assert model.container_env("abc", "169.254.170.2", 4711) == {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.2:4711/v2/credentials/abc"
    }


def test_ids_are_random_and_long() -> None:
    ids = {model.new_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 32 for i in ids)


@pytest.mark.parametrize("bad", ["169.254.170.2", ":80", "host:port", "h:70000"])
def test_bad_address_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match=bad.replace(".", r"\.")):
        model.parse_address(bad)


class FakeControlPlane:
    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.calls = 0
        self.refuse = ""
        self.clock = 1_800_000_000.0

    async def fetch(self, task_arn: str) -> agent_pb2.GetTaskCredentialsResponse | str:
        self.calls += 1
        if self.refuse:
            return self.refuse
        return creds(self.calls, expiration=self.clock + self.lifetime)


async def get(url: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, json.loads(await r.text())


async def test_serves_refreshes_and_forgets(tmp_path: Path) -> None:
    cp = FakeControlPlane(lifetime=2.0)
    service = CredentialsService(cp.fetch, tmp_path, clock=lambda: cp.clock)
    await service.listen("127.0.0.1:0")
    try:
        env = await service.start(TASK)
        assert isinstance(env, dict)
        url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        assert url.startswith(f"http://127.0.0.1:{service.port}/v2/credentials/")
        status, body = await get(url)
        assert status == 200 and body["AccessKeyId"] == "ASIA1" and body["Token"] == "token1"

        # Unknown ids and other paths answer 404 and say nothing else.
        base = f"http://127.0.0.1:{service.port}"
        assert (await get(base + "/v2/credentials/" + model.new_id()))[0] == 404
        async with aiohttp.ClientSession() as s, s.get(base + "/v1/tasks") as r:
            assert r.status == 404

        # At 80 % of the (2 s) life: new credentials at the same path.
        for _ in range(50):
            await asyncio.sleep(0.1)
            if cp.calls >= 2:
                break
        await asyncio.sleep(0.05)
        status, body = await get(url)
        assert status == 200 and body["AccessKeyId"] == "ASIA2"

        # The ids file (ids only, owner-only) lets a restarted agent serve the same path.
        saved = tmp_path / "task-credentials.json"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert "secret" not in saved.read_text()
        again = CredentialsService(cp.fetch, tmp_path, clock=lambda: cp.clock)
        again.host, again.port, again.unavailable = service.host, service.port, ""
        assert await again.start(TASK) == env
        await again.close()

        await service.forget(TASK)
        assert (await get(url))[0] == 404
        assert json.loads(saved.read_text())["tasks"] == {}
    finally:
        await service.close()


async def test_expired_credentials_answer_404(tmp_path: Path) -> None:
    cp = FakeControlPlane(lifetime=3600.0)
    service = CredentialsService(cp.fetch, tmp_path, clock=lambda: cp.clock)
    await service.listen("127.0.0.1:0")
    try:
        env = await service.start(TASK)
        assert isinstance(env, dict)
        cp.clock += 3600
        assert (await get(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]))[0] == 404
    finally:
        await service.close()


async def test_refusals_and_no_endpoint(tmp_path: Path) -> None:
    cp = FakeControlPlane(lifetime=3600.0)
    service = CredentialsService(cp.fetch, tmp_path)
    assert "not started" in str(await service.start(TASK))
    await service.listen(
        "192.0.2.1:0"
    )  # TEST-NET: not an address of this host, and only link-local ones are added
    try:
        reason = await service.start(TASK)
        assert isinstance(reason, str) and reason.startswith("ResourceInitializationError")
    finally:
        await service.close()
    service = CredentialsService(cp.fetch, tmp_path)
    await service.listen("127.0.0.1:0")
    try:
        cp.refuse = "ResourceInitializationError: unable to get task role credentials: no role"
        assert await service.start(TASK) == cp.refuse
        await service.prune(set())
    finally:
        await service.close()


async def test_a_restarted_agent_keeps_the_port_it_picked(tmp_path: Path) -> None:
    cp = FakeControlPlane(lifetime=3600.0)
    first = CredentialsService(cp.fetch, tmp_path)
    await first.listen("127.0.0.1:0")
    port = first.port
    await first.close()
    again = CredentialsService(cp.fetch, tmp_path)
    await again.listen("127.0.0.1:0")
    try:
        assert again.port == port
    finally:
        await again.close()
