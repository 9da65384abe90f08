"""The DNS server of service discovery (the Route 53 private hosted zone stand-in), on dnslib.

Listens on UDP and TCP on each `--dns-addr` (default 127.0.0.1:8600) in the control plane's event
loop and answers from the catalog:

- `<service>.<namespace>` A: the addresses of up to 8 healthy instances, chosen at random (one for
  a WEIGHTED service), with the TTL of the service's A record;
- `<service>.<namespace>` SRV: `1 1 <port> <instance>.<service>.<namespace>.` per instance, with
  the targets' A records in the additional section; `<instance>.<service>.<namespace>` A: that one;
- the namespace apex: SOA; any other name in a namespace: NXDOMAIN; a known name without records of
  the asked type: NOERROR with no answers (both with the SOA in the authority section);
- a name outside every namespace is forwarded to `upstream` (the host's resolv.conf nameserver by
  default), or REFUSED when there is none.

`Answerer.respond` is the decision, on parsed messages and without sockets, for unit tests.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, cast

import structlog
from dnslib import QTYPE, RCODE, RR, SOA, SRV, A, DNSError, DNSRecord

from controlplane import metrics
from controlplane.discovery.catalog import Catalog, Resolution
from controlplane.discovery.validate import DEFAULT_TTL

log = structlog.get_logger("berth.dns")

FORWARD_TIMEOUT = 2.0
MAX_UDP = 512


def ttl_of(resolution: Resolution, record_type: str) -> int:
    if resolution.service is not None:
        for record in resolution.service.dns_config.dns_records:
            if record.type == record_type:
                return int(record.ttl) if record.HasField("ttl") else DEFAULT_TTL
    return DEFAULT_TTL


class Answerer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def respond(self, request: DNSRecord) -> DNSRecord | None:
        """The reply to `request`, or None when it is for a name outside our namespaces."""
        if not request.questions:
            reply = request.reply()
            reply.header.rcode = RCODE.FORMERR
            return reply
        question = request.q
        qname = str(question.qname)
        resolution = self.catalog.resolve(qname)
        if resolution.kind == "foreign":
            return None
        reply = request.reply(ra=1, aa=1)
        qtype = question.qtype
        types = {r.type for r in resolution.service.dns_config.dns_records} if resolution.service else set()
        if resolution.kind == "nxdomain":
            reply.header.rcode = RCODE.NXDOMAIN
        elif resolution.kind == "zone" and qtype in (QTYPE.SOA, QTYPE.ANY):
            reply.add_answer(self._soa(resolution))
        elif resolution.kind == "service":
            if qtype in (QTYPE.A, QTYPE.ANY) and "A" in types:
                ttl = ttl_of(resolution, "A")
                for i in resolution.instances:
                    reply.add_answer(RR(qname, QTYPE.A, rdata=A(i.ipv4), ttl=ttl))
            if qtype in (QTYPE.SRV, QTYPE.ANY) and "SRV" in types:
                ttl = ttl_of(resolution, "SRV")
                base = qname.rstrip(".")
                for i in resolution.instances:
                    if not i.port:
                        continue
                    target = f"{i.instance_id}.{base}."
                    reply.add_answer(
                        RR(
                            qname,
                            QTYPE.SRV,
                            rdata=SRV(priority=1, weight=1, port=i.port, target=target),
                            ttl=ttl,
                        )
                    )
                    reply.add_ar(RR(target, QTYPE.A, rdata=A(i.ipv4), ttl=ttl))
        elif resolution.kind == "instance" and qtype in (QTYPE.A, QTYPE.ANY):
            ttl = ttl_of(resolution, "SRV" if "SRV" in types else "A")
            reply.add_answer(RR(qname, QTYPE.A, rdata=A(resolution.instances[0].ipv4), ttl=ttl))
        if not reply.rr:
            reply.add_auth(self._soa(resolution))
        return reply

    @staticmethod
    def _soa(resolution: Resolution) -> RR:
        zone = resolution.zone
        times = (1, 7200, 900, 1209600, resolution.soa_ttl)
        return RR(
            f"{zone}.",
            QTYPE.SOA,
            rdata=SOA(f"ns.{zone}.", f"hostmaster.{zone}.", times),
            ttl=resolution.soa_ttl,
        )


def default_upstream(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """The first nameserver of the host's resolv.conf as host:53 ("" if there is none)."""
    try:
        for line in resolv_conf.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                return f"[{parts[1]}]:53" if ":" in parts[1] else f"{parts[1]}:53"
    except OSError:
        pass
    return ""


def split_addr(addr: str, default_port: int = 53) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep:
        return addr, default_port
    return host.strip("[]") or "0.0.0.0", int(port)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        answer = self.server.answer_local(data, udp=True)
        if answer is not None:
            if self.transport is not None:
                self.transport.sendto(answer, addr)
            return
        self.server.spawn(self._forward(data, addr))

    async def _forward(self, data: bytes, addr: tuple[str | object, int]) -> None:
        answer = await self.server.forward(data, tcp=False)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


class _UpstreamUdp(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)


class DnsServer:
    def __init__(self, catalog: Catalog, addrs: Sequence[str], *, upstream: str = "") -> None:
        self.answerer = Answerer(catalog)
        self.addrs = list(addrs)
        self.upstream = upstream
        self.bound: list[tuple[str, int]] = []  # (host, port) actually listened on, in addrs order
        self._transports: list[asyncio.BaseTransport] = []
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._clients: set[asyncio.StreamWriter] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self, *, optional: bool = False) -> None:
        """Listen on every address; one that cannot be had is skipped with a warning when
        `optional` (the defaults), else the OSError is raised."""
        loop = asyncio.get_running_loop()
        for addr in self.addrs:
            host, port = split_addr(addr)
            server = None
            try:
                # TCP first: with port 0 it picks the port, and UDP takes the same one.
                server = await asyncio.start_server(self._tcp_client, host, port)
                port = server.sockets[0].getsockname()[1]
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Udp(self), local_addr=(host, port)
                )
            except OSError as e:
                if server is not None:
                    server.close()
                if not optional:
                    raise OSError(f"cannot listen for DNS on {addr}: {e}") from e
                log.warning("dns_not_listening", addr=addr, error=str(e))
                continue
            self._servers.append(server)
            self._transports.append(transport)
            self.bound.append((host, port))
        log.info("dns_listening", addrs=[f"{h}:{p}" for h, p in self.bound], upstream=self.upstream or None)

    async def stop(self) -> None:
        for transport in self._transports:
            transport.close()
        for server in self._servers:
            server.close()
        for writer in list(self._clients):  # their handlers end on the closed stream
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._clients:
            await asyncio.sleep(0.05)
        self._transports.clear()
        self._servers.clear()

    def answer_local(self, data: bytes, *, udp: bool = False) -> bytes | None:
        """The packed reply to a query about our names; None to forward it. Over UDP a reply
        larger than the client takes (512 bytes, or its EDNS size) loses its additional records,
        then is truncated (TC: ask again over TCP)."""
        try:
            request = DNSRecord.parse(data)
        except (DNSError, struct.error, ValueError, IndexError, UnicodeDecodeError):
            metrics.DNS_QUERIES.labels("FORMERR").inc()
            if len(data) < 2:
                return None  # not even an id to answer to
            return data[:2] + b"\x81\x01" + b"\x00" * 8  # FORMERR, no sections
        reply = self.answerer.respond(request)
        if reply is None:
            return None
        metrics.DNS_QUERIES.labels(RCODE.get(reply.header.rcode)).inc()
        packed: bytes = reply.pack()
        if udp:
            limit = max([MAX_UDP] + [int(rr.rclass) for rr in request.ar if rr.rtype == QTYPE.OPT])
            if len(packed) > limit:
                reply.ar = []
                packed = reply.pack()
            if len(packed) > limit:
                short = request.reply(ra=1, aa=1)
                short.header.tc = 1
                short.header.rcode = reply.header.rcode
                packed = short.pack()
        return packed

    async def forward(self, data: bytes, *, tcp: bool) -> bytes | None:
        """The upstream's answer to a query about another name (REFUSED without an upstream,
        SERVFAIL when it does not answer in time)."""
        try:
            request = DNSRecord.parse(data)
        except (DNSError, struct.error, ValueError, IndexError, UnicodeDecodeError):
            return None
        if not self.upstream:
            metrics.DNS_QUERIES.labels("REFUSED").inc()
            reply = request.reply()
            reply.header.rcode = RCODE.REFUSED
            out: bytes = reply.pack()
            return out
        host, port = split_addr(self.upstream)
        try:
            async with asyncio.timeout(FORWARD_TIMEOUT):
                answer = await self._forward_udp(data, host, port)
                if tcp and len(answer) > 2 and answer[2] & 0x02:  # truncated: the client can take it all
                    answer = await self._forward_tcp(data, host, port)
            metrics.DNS_QUERIES.labels("FORWARDED").inc()
            return answer
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as e:
            log.info("dns_forward_failed", upstream=self.upstream, error=repr(e))
            metrics.DNS_QUERIES.labels("SERVFAIL").inc()
            reply = request.reply()
            reply.header.rcode = RCODE.SERVFAIL
            failed: bytes = reply.pack()
            return failed

    @staticmethod
    async def _forward_udp(data: bytes, host: str, port: int) -> bytes:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(_UpstreamUdp, remote_addr=(host, port))
        try:
            transport.sendto(data)
            return await protocol.answer
        finally:
            transport.close()

    @staticmethod
    async def _forward_tcp(data: bytes, host: str, port: int) -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(struct.pack("!H", len(data)) + data)
            await writer.drain()
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            return await reader.readexactly(length)
        finally:
            writer.close()

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while True:
                async with asyncio.timeout(30):
                    (length,) = struct.unpack("!H", await reader.readexactly(2))
                    data = await reader.readexactly(length)
                answer = self.answer_local(data)
                if answer is None:
                    answer = await self.forward(data, tcp=True)
                if answer is None:
                    return
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            self._clients.discard(writer)
            writer.close()
