"""Container instances registered the way an agent does, with no agent behind them: for tests
that speak the Agent API themselves (sessions, lies, many hosts).

On a TLS control plane the registration sends a certificate request and the instance's calls go
to the agent port over mutual TLS with the certificate it got back; on an --insecure one they go
to the gRPC port with the agent's bearer token. Tests use `channel` and `metadata` either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from agent.certs import files
from berth import tls
from berth.client import channel as user_channel
from berth.endpoints import grpc_target
from berth.v1 import agent_pb2_grpc, ecs_messages_pb2


def join_token(controlplane: Any) -> str:
    return str((controlplane.data_dir / "join-token").read_text().strip())


def agent_channel(endpoints: list[str] | tuple[str, ...], ca: bytes, key: bytes, cert: bytes) -> grpc.Channel:
    return grpc.secure_channel(
        grpc_target(",".join(endpoints)),
        tls.channel_credentials(ca, key, cert),
        options=tls.server_name_options(tls.SERVER_NAME),
    )


@dataclass
class FakeAgent:
    instance_arn: str
    response: ecs_messages_pb2.RegisterContainerInstanceResponse
    channel: grpc.Channel
    metadata: tuple[tuple[str, str], ...]

    @property
    def stub(self) -> agent_pb2_grpc.AgentStub:
        return agent_pb2_grpc.AgentStub(self.channel)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> FakeAgent:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def register(
    controlplane: Any, request: ecs_messages_pb2.RegisterContainerInstanceRequest, token: str | None = None
) -> FakeAgent:
    """Register with the join token (or `token`) as an agent would; raises grpc.RpcError if refused."""
    secret, _ = tls.split_join_token(token if token is not None else join_token(controlplane))
    ca_file = controlplane.ca_file
    key = b""
    if ca_file:
        key = tls.new_private_key()
        request.csr_pem = tls.new_csr(key, request.name or "fake").decode()
    with user_channel(controlplane.endpoint, str(ca_file or "")) as channel:
        response = agent_pb2_grpc.AgentStub(channel).RegisterContainerInstance(  # type: ignore[no-untyped-call]
            request, metadata=(("authorization", f"Bearer {secret}"),), timeout=10
        )
    arn = response.container_instance.container_instance_arn
    if not ca_file:
        own = grpc.insecure_channel(controlplane.endpoint)
        return FakeAgent(arn, response, own, (("authorization", f"Bearer {response.agent_token}"),))
    cert = response.certificate
    own = agent_channel(
        list(cert.agent_endpoints), cert.ca_bundle_pem.encode(), key, cert.certificate_pem.encode()
    )
    return FakeAgent(arn, response, own, ())


def real_agent_channel(data_dir: Path, endpoint: str) -> tuple[grpc.Channel, tuple[tuple[str, str], ...]]:
    """A channel that calls as the real agent whose data dir this is: its client certificate on
    the agent port, or its bearer token on `endpoint` (an insecure cluster)."""
    certs = files.load(data_dir)
    if certs is not None:
        return agent_channel(certs.endpoints, certs.cluster_ca_pem, certs.key_pem, certs.cert_pem), ()
    token = json.loads((data_dir / "identity.json").read_text())["token"]
    return grpc.insecure_channel(endpoint), (("authorization", f"Bearer {token}"),)
