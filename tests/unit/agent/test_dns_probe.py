"""answering_dns: the agent keeps only the DNS servers that answer from its host."""

from __future__ import annotations

import asyncio
import socket

from agent.host import answering_dns


async def test_keeps_the_servers_that_answer() -> None:
    loop = asyncio.get_running_loop()

    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
            self.transport.sendto(data[:2] + b"\x81\x85" + data[4:], addr)  # type: ignore[attr-defined]

    transport, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    try:
        assert await answering_dns(["127.0.0.1"], port=port, timeout=1) == ["127.0.0.1"]
    finally:
        transport.close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        silent = s.getsockname()[1]  # bound, never answers
        assert await answering_dns(["127.0.0.1"], port=silent, timeout=0.3) == []
    assert await answering_dns([], timeout=0.3) == []
