"""Agents' client certificates: issued at registration and renewal, for the instance and
registration generation the control plane decided (never what the request asks for)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from berth.v1 import ecs_messages_pb2
from controlplane.tls.authority import AgentName

if TYPE_CHECKING:
    from controlplane.tls.live import LiveTls


def new_generation() -> str:
    return secrets.token_hex(8)


class AgentCertificates:
    def __init__(
        self, live: LiveTls, ttl_seconds: float, agent_endpoints: Callable[[], Awaitable[list[str]]]
    ) -> None:
        self.live = live
        self.ttl = ttl_seconds
        self._endpoints = agent_endpoints

    async def issue(self, csr_pem: str, name: AgentName) -> ecs_messages_pb2.AgentCertificate:
        now = time.time()
        tls = self.live.tls  # the CA that signs now, and every cluster CA trusted now
        cert = tls.authority.sign_agent(csr_pem, name, now, self.ttl)
        return ecs_messages_pb2.AgentCertificate(
            certificate_pem=cert.decode(),
            ca_bundle_pem=tls.trusted_pem.decode(),
            expires_at=now + self.ttl,
            agent_endpoints=await self._endpoints(),
        )
