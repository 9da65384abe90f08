"""The catalog fed through real mirrors (no etcd: records applied as a replica applies its own
writes), and the DNS answers built from it: A, SRV with additional A, NXDOMAIN, NODATA, forwarding,
truncation, and a real UDP and TCP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dnslib import QTYPE, RCODE, DNSRecord

from berth import jsonmsg
from berth.v1 import servicediscovery_pb2 as sd
from berth.v1 import types_pb2
from controlplane.discovery.catalog import Catalog
from controlplane.discovery.dns import Answerer, DnsServer, default_upstream
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore, keys

NS = "ns-aaaaaaaaaaaaaaaa"
WEB = "srv-wwwwwwwwwwwwwwww"
API = "srv-pppppppppppppppp"
INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/prod/i1"


class World:
    def __init__(self) -> None:
        self.state = State(EtcdStore(["127.0.0.1:1"]))
        self.catalog = Catalog(self.state, region="local")
        self.revision = 0
        self.catalog._start()

    def put(self, mirror: Any, key: str, value: Any) -> None:
        self.revision += 1
        mirror.apply_local(key, value, self.revision)

    def delete(self, mirror: Any, key: str) -> None:
        self.revision += 1
        mirror.apply_local(key, None, self.revision)


def service_arn(ident: str) -> str:
    return f"arn:berth:servicediscovery:local:000000000000:service/{ident}"


@pytest.fixture
def world() -> World:
    return build_world()


def build_world() -> World:
    """A catalog with namespace prod.local, services web (SRV, bridge) and api (A+SRV, awsvpc)."""
    w = World()
    w.put(
        w.catalog.namespaces,
        keys.discovery_namespace(NS),
        sd.Namespace(id=NS, name="prod.local", type="DNS_PRIVATE"),
    )
    for ident, name, records in ((WEB, "web", [("SRV", 10)]), (API, "api", [("A", 30), ("SRV", 20)])):
        config = sd.DnsConfig(routing_policy="MULTIVALUE")
        for kind, ttl in records:
            config.dns_records.add(type=kind, ttl=ttl)
        w.put(
            w.catalog.services,
            keys.discovery_service(ident),
            sd.DiscoveryService(id=ident, name=name, namespace_id=NS, dns_config=config),
        )
    w.put(
        w.state.task_definitions,
        keys.task_definition("web", 1),
        jsonmsg.parse(
            {
                "family": "web",
                "revision": 1,
                "containerDefinitions": [{"name": "app", "portMappings": [{"containerPort": 80}]}],
            },
            types_pb2.TaskDefinition,
        ),
    )
    w.put(
        w.state.task_definitions,
        keys.task_definition("api", 1),
        jsonmsg.parse(
            {
                "family": "api",
                "revision": 1,
                "networkMode": "awsvpc",
                "containerDefinitions": [{"name": "app"}],
            },
            types_pb2.TaskDefinition,
        ),
    )
    w.put(
        w.state.instances,
        keys.instance("prod", "i1"),
        types_pb2.ContainerInstance(container_instance_arn=INSTANCE, host_address="10.0.0.5"),
    )
    ecs_service(w, "web", service_arn(WEB), container=True)
    ecs_service(w, "api", service_arn(API), container=True)
    return w


def ecs_service(w: World, name: str, registry: str, *, container: bool) -> None:
    s = types_pb2.Service(service_name=name, status="ACTIVE")
    r = s.service_registries.add(registry_arn=registry)
    if container:
        r.container_name = "app"
        r.container_port = 80
    w.put(w.state.services, keys.service("prod", name), s)


def task(w: World, service: str, ident: str, *, port: int = 0, ip: str = "", status: str = "RUNNING") -> str:
    t = types_pb2.Task(
        task_arn=f"arn:berth:ecs:local:000000000000:task/prod/{ident}",
        cluster_arn="arn:berth:ecs:local:000000000000:cluster/prod",
        task_definition_arn=f"arn:berth:ecs:local:000000000000:task-definition/{service}:1",
        container_instance_arn=INSTANCE,
        last_status=status,
        desired_status="RUNNING" if status == "RUNNING" else "STOPPED",
        service_name=service,
    )
    c = t.containers.add(name="app")
    if port:
        c.network_bindings.add(container_port=80, host_port=port, protocol="tcp")
    if ip:
        t.attachments.add(type="ElasticNetworkInterface").details.add(name="privateIPv4Address", value=ip)
    key = keys.task("prod", ident)
    w.put(w.state.tasks, key, t)
    return key


def ask(w: World, name: str, qtype: str = "A") -> DNSRecord:
    reply = Answerer(w.catalog).respond(DNSRecord.question(name, qtype))
    assert reply is not None
    return reply


def test_srv_with_host_ports_and_additional_a(world: World) -> None:
    task(world, "web", "t1", port=49153)
    task(world, "web", "t2", port=49160)
    reply = ask(world, "web.prod.local", "SRV")
    assert reply.header.rcode == RCODE.NOERROR and reply.header.aa
    got = sorted((r.rdata.port, str(r.rdata.target), r.ttl) for r in reply.rr)
    assert got == [(49153, "t1.web.prod.local.", 10), (49160, "t2.web.prod.local.", 10)]
    assert sorted((str(r.rname), str(r.rdata)) for r in reply.ar) == [
        ("t1.web.prod.local.", "10.0.0.5"),
        ("t2.web.prod.local.", "10.0.0.5"),
    ]
    target = ask(world, "T1.Web.Prod.Local.")  # names are case-insensitive
    assert [str(r.rdata) for r in target.rr] == ["10.0.0.5"]
    # web has no A record type: NODATA with the SOA, not NXDOMAIN
    nodata = ask(world, "web.prod.local", "A")
    assert nodata.header.rcode == RCODE.NOERROR and not nodata.rr
    assert nodata.auth[0].rtype == QTYPE.SOA


def test_a_records_of_awsvpc_tasks_with_ttl(world: World) -> None:
    task(world, "api", "a1", ip="172.17.0.8")
    task(world, "api", "a2", ip="172.17.0.9")
    reply = ask(world, "api.prod.local")
    assert sorted(str(r.rdata) for r in reply.rr) == ["172.17.0.8", "172.17.0.9"]
    assert {r.ttl for r in reply.rr} == {30}
    srv = ask(world, "api.prod.local", "SRV")
    assert {r.rdata.port for r in srv.rr} == {80}


def test_a_stopping_task_leaves_at_once(world: World) -> None:
    key = task(world, "api", "a1", ip="172.17.0.8")
    task(world, "api", "a2", ip="172.17.0.9")
    t = types_pb2.Task()
    t.CopyFrom(world.state.tasks.get(key))  # type: ignore[arg-type]
    t.desired_status = "STOPPED"  # the agent has not even been told yet
    world.put(world.state.tasks, key, t)
    assert [str(r.rdata) for r in ask(world, "api.prod.local").rr] == ["172.17.0.9"]
    world.delete(world.state.tasks, keys.task("prod", "a2"))
    empty = ask(world, "api.prod.local")
    assert empty.header.rcode == RCODE.NOERROR and not empty.rr


def test_nxdomain_zone_and_foreign(world: World) -> None:
    nx = ask(world, "nope.prod.local")
    assert nx.header.rcode == RCODE.NXDOMAIN and nx.auth[0].rtype == QTYPE.SOA
    assert ask(world, "gone.web.prod.local").header.rcode == RCODE.NXDOMAIN
    soa = ask(world, "prod.local", "SOA")
    assert soa.rr[0].rtype == QTYPE.SOA
    assert Answerer(world.catalog).respond(DNSRecord.question("example.com")) is None


def test_at_most_eight_answers_chosen_at_random(world: World) -> None:
    for i in range(20):
        task(world, "api", f"a{i}", ip=f"172.17.1.{i}")
    seen: set[str] = set()
    for _ in range(20):
        rr = ask(world, "api.prod.local").rr
        assert len(rr) == 8
        seen.update(str(r.rdata) for r in rr)
    assert len(seen) > 8


def test_registries_changes_and_unrelated_service_writes(world: World) -> None:
    task(world, "web", "t1", port=49153)
    before = world.catalog.events
    s = types_pb2.Service()
    s.CopyFrom(world.state.services.get(keys.service("prod", "web")))  # type: ignore[arg-type]
    s.running_count = 5  # what the controller rewrites all the time
    world.put(world.state.services, keys.service("prod", "web"), s)
    assert world.catalog.events == before  # no work for a write that leaves the registries alone
    del s.service_registries[:]
    world.put(world.state.services, keys.service("prod", "web"), s)
    assert ask(world, "web.prod.local", "SRV").rr == []


def test_host_address_change_moves_bridge_records(world: World) -> None:
    task(world, "web", "t1", port=49153)
    world.put(
        world.state.instances,
        keys.instance("prod", "i1"),
        types_pb2.ContainerInstance(container_instance_arn=INSTANCE, host_address="10.0.0.7"),
    )
    assert [str(r.rdata) for r in ask(world, "web.prod.local", "SRV").ar] == ["10.0.0.7"]


def test_ten_thousand_task_events_are_cheap(world: World) -> None:
    start = time.perf_counter()
    for i in range(10_000):
        task(world, "api", f"b{i}", ip=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    elapsed = time.perf_counter() - start
    assert len(world.catalog.instances(API)) == 10_000
    assert len(ask(world, "api.prod.local").rr) == 8
    start = time.perf_counter()
    for i in range(1000):  # one change after another, each followed by a query
        world.delete(world.state.tasks, keys.task("prod", f"b{i}"))
        ask(world, "api.prod.local")
    churn = time.perf_counter() - start
    assert len(world.catalog.instances(API)) == 9000
    # generous bounds for a shared 2-core machine: per event and per query, well under a millisecond
    assert elapsed < 10 and churn < 10, (elapsed, churn)


def test_custom_instances(world: World) -> None:
    world.put(
        world.catalog.custom,
        keys.discovery_instance(API, "db1"),
        sd.CustomInstance(
            service_id=API,
            instance_id="db1",
            attributes={"AWS_INSTANCE_IPV4": "10.9.9.9", "AWS_INSTANCE_PORT": "5432"},
        ),
    )
    assert [str(r.rdata) for r in ask(world, "api.prod.local").rr] == ["10.9.9.9"]
    assert [str(r.rdata) for r in ask(world, "db1.api.prod.local").rr] == ["10.9.9.9"]
    world.put(
        world.catalog.custom,
        keys.discovery_instance(API, "Db2"),
        sd.CustomInstance(service_id=API, instance_id="Db2", attributes={"AWS_INSTANCE_IPV4": "10.9.9.8"}),
    )
    assert [str(r.rdata) for r in ask(world, "DB2.api.prod.local").rr] == ["10.9.9.8"]
    world.delete(world.catalog.custom, keys.discovery_instance(API, "Db2"))
    world.delete(world.catalog.custom, keys.discovery_instance(API, "db1"))
    assert ask(world, "api.prod.local").rr == []


def test_udp_reply_over_512_bytes_is_truncated(world: World) -> None:
    for i in range(20):
        task(world, "web", f"long-task-identifier-number-{i:04d}", port=40000 + i)
    server = DnsServer(world.catalog, [])
    raw = server.answer_local(DNSRecord.question("web.prod.local", "SRV").pack(), udp=True)
    assert raw is not None and len(raw) <= 512
    reply = DNSRecord.parse(raw)
    assert reply.header.tc or not reply.ar  # additional records dropped first, then TC
    full = server.answer_local(DNSRecord.question("web.prod.local", "SRV").pack())
    assert full is not None and len(DNSRecord.parse(full).rr) == 8


def test_garbage_is_formerr(world: World) -> None:
    raw = DnsServer(world.catalog, []).answer_local(b"\x12\x34garbage")
    assert raw is not None and raw[:2] == b"\x12\x34" and raw[3] & 0x0F == RCODE.FORMERR


def test_default_upstream(tmp_path: Any) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("search x\nnameserver 10.255.255.53\nnameserver 8.8.8.8\n")
    assert default_upstream(conf) == "10.255.255.53:53"
    conf.write_text("")
    assert default_upstream(conf) == ""


@pytest.fixture
def upstream() -> Iterator[tuple[str, int]]:
    """A bare dnslib-answered upstream on 127.0.0.1 that says 192.0.2.1 for everything."""
    import socket
    import threading

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        from dnslib import RR, A

        while not stop.is_set():
            try:
                data, addr = sock.recvfrom(4096)
            except TimeoutError:
                continue
            q = DNSRecord.parse(data)
            r = q.reply()
            r.add_answer(RR(q.q.qname, QTYPE.A, rdata=A("192.0.2.1"), ttl=5))
            sock.sendto(r.pack(), addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()
    stop.set()
    thread.join(2)
    sock.close()


async def test_real_udp_and_tcp_server_and_forwarding(world: World, upstream: tuple[str, int]) -> None:
    task(world, "api", "a1", ip="172.17.0.8")
    server = DnsServer(world.catalog, ["127.0.0.1:0"], upstream=f"{upstream[0]}:{upstream[1]}")
    await server.start()
    try:
        host, port = server.bound[0]
        loop = asyncio.get_running_loop()

        async def udp(name: str) -> DNSRecord:
            return DNSRecord.parse(
                await loop.run_in_executor(None, lambda: DNSRecord.question(name).send(host, port, timeout=3))
            )

        assert [str(r.rdata) for r in (await udp("api.prod.local")).rr] == ["172.17.0.8"]
        assert [str(r.rdata) for r in (await udp("example.com")).rr] == ["192.0.2.1"]  # forwarded
        reader, writer = await asyncio.open_connection(host, port)
        for name, want in (("api.prod.local", "172.17.0.8"), ("example.org", "192.0.2.1")):
            q = DNSRecord.question(name).pack()
            writer.write(struct.pack("!H", len(q)) + q)
            (n,) = struct.unpack("!H", await reader.readexactly(2))
            assert [str(r.rdata) for r in DNSRecord.parse(await reader.readexactly(n)).rr] == [want]
        writer.close()
    finally:
        await server.stop()


async def test_no_upstream_refuses(world: World) -> None:
    server = DnsServer(world.catalog, ["127.0.0.1:0"], upstream="")
    await server.start()
    try:
        host, port = server.bound[0]
        loop = asyncio.get_running_loop()
        raw = await loop.run_in_executor(
            None, lambda: DNSRecord.question("example.com").send(host, port, timeout=3)
        )
        assert DNSRecord.parse(raw).header.rcode == RCODE.REFUSED
    finally:
        await server.stop()
