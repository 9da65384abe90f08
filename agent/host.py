"""What the agent registers about its host: resources (ECS units) and attributes."""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import struct

from agent.runtime.model import RuntimeInfo
from agent.settings import AGENT_VERSION, AgentSettings
from berth.v1 import ecs_messages_pb2, types_pb2

LOG_DRIVERS = ("json-file", "local", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "none")


def architecture(machine: str) -> str:
    """ECS's ecs.cpu-architecture value: x86_64 or arm64."""
    return {"aarch64": "arm64", "amd64": "x86_64"}.get(machine, machine)


def resources(settings: AgentSettings, info: RuntimeInfo) -> list[types_pb2.Resource]:
    cpu = settings.cpu_units or 1024 * (info.cpus or os.cpu_count() or 1)
    memory = (settings.memory_mib or info.memory_mib) - settings.reserved_memory_mib
    return [
        types_pb2.Resource(name="CPU", type="INTEGER", integer_value=cpu),
        types_pb2.Resource(name="MEMORY", type="INTEGER", integer_value=max(memory, 0)),
        types_pb2.Resource(
            name="PORTS", type="STRINGSET", string_set_value=[str(p) for p in settings.reserved_ports]
        ),
        types_pb2.Resource(
            name="PORTS_UDP", type="STRINGSET", string_set_value=[str(p) for p in settings.reserved_ports_udp]
        ),
    ]


def attributes(settings: AgentSettings, info: RuntimeInfo) -> list[types_pb2.Attribute]:
    attrs: dict[str, str] = {
        "ecs.os-type": info.os_type or "linux",
        "ecs.os-family": "LINUX",
        "ecs.cpu-architecture": architecture(info.architecture or platform.machine()),
        "ecs.availability-zone": settings.availability_zone,
        "ecs.instance-type": settings.instance_type,
        "ecs.capability.task-eni": "",
        "ecs.capability.container-health-check": "",
        "ecs.capability.container-ordering": "",
        "com.amazonaws.ecs.capability.privileged-container": "",
        f"com.amazonaws.ecs.capability.docker-remote-api.{info.api_version}": "",
    }
    if settings.task_cgroups:
        attrs["ecs.capability.task-cpu-mem-limit"] = ""
    for driver in LOG_DRIVERS:
        attrs[f"com.amazonaws.ecs.capability.logging-driver.{driver}"] = ""
    attrs.update(settings.attributes)
    return [types_pb2.Attribute(name=k, value=v) for k, v in attrs.items()]


def registration(
    settings: AgentSettings, info: RuntimeInfo, *, instance_arn: str, metrics_endpoint: str, host_address: str
) -> ecs_messages_pb2.RegisterContainerInstanceRequest:
    return ecs_messages_pb2.RegisterContainerInstanceRequest(
        cluster=settings.cluster,
        container_instance_arn=instance_arn,
        total_resources=resources(settings, info),
        version_info=types_pb2.VersionInfo(
            agent_version=AGENT_VERSION,
            agent_hash="berth",
            docker_version=f"DockerVersion: {info.docker_version}",
        ),
        attributes=attributes(settings, info),
        name=settings.name or platform.node(),
        pool=settings.pool,
        metrics_endpoint=metrics_endpoint,
        host_address=host_address,
    )


async def answering_dns(servers: list[str], *, port: int = 53, timeout: float = 1.0) -> list[str]:
    """The DNS servers (IPv4 addresses, port 53) that answer a query from this host. The control
    plane's DNS is only worth giving to tasks where they can reach it: on another host than the
    control plane, a bridge-gateway address such as 172.17.0.1 names that host's own bridge."""

    async def probe(server: str) -> bool:
        # A query for the root's NS records (id, RD, one question; root name, type NS, class IN):
        # any DNS server answers it, if only with REFUSED.
        query = (
            struct.pack("!HHHHHH", secrets.randbits(16), 0x0100, 1, 0, 0, 0)
            + b"\x00"
            + struct.pack("!HH", 2, 1)
        )
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[bool] = loop.create_future()

        class Probe(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
                if data[:2] == query[:2] and not answered.done():
                    answered.set_result(True)

            def error_received(self, exc: Exception) -> None:
                if not answered.done():
                    answered.set_result(False)

        try:
            transport, _ = await loop.create_datagram_endpoint(Probe, remote_addr=(server, port))
        except OSError:
            return False
        try:
            transport.sendto(query)
            async with asyncio.timeout(timeout):
                return await answered
        except TimeoutError:
            return False
        finally:
            transport.close()

    results = await asyncio.gather(*(probe(s) for s in servers))
    return [s for s, ok in zip(servers, results, strict=True) if ok]
