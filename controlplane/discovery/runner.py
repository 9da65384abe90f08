"""Service discovery on one replica: its catalog, its API servicer and its DNS server, started and
stopped together by the control plane (`controlplane.server`)."""

from __future__ import annotations

import ipaddress

import structlog

from berth.arn import ArnFactory
from controlplane.discovery.api import ServiceDiscoveryServicer
from controlplane.discovery.catalog import Catalog
from controlplane.discovery.dns import DnsServer, default_upstream, split_addr
from controlplane.settings import Settings
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore

log = structlog.get_logger("berth.discovery")


def advertised(settings: Settings, bound: list[tuple[str, int]]) -> list[str]:
    """The resolver address tasks get: --dns-advertise, else the first listen address on port 53
    that a container can reach (not loopback, not a wildcard); none otherwise."""
    if settings.dns_advertise:
        return [a.strip() for a in settings.dns_advertise.split(",") if a.strip()]
    for host, port in bound:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            continue
        if port == 53 and not address.is_loopback and not address.is_unspecified:
            return [host]
    return []


class Discovery:
    def __init__(self, store: EtcdStore, arns: ArnFactory, state: State, settings: Settings) -> None:
        self.settings = settings
        self.catalog = Catalog(state, region=settings.region)
        self.servicer = ServiceDiscoveryServicer(store, arns, self.catalog)
        self.dns: DnsServer | None = None
        self.advertised: list[str] = []

    async def start_dns(self) -> None:
        addrs = [a.strip() for a in self.settings.dns_addr.split(",") if a.strip()]
        if not addrs:
            return
        upstream = default_upstream() if self.settings.dns_upstream is None else self.settings.dns_upstream
        if upstream and split_addr(upstream) in [split_addr(a) for a in addrs]:
            upstream = ""  # never forward to ourselves
        dns = DnsServer(self.catalog, addrs, upstream=upstream)
        try:
            await dns.start()
        except OSError as e:
            await dns.stop()
            if not self.settings.dns_optional:
                raise SystemExit(
                    f"berth-controlplane: cannot listen for DNS on {self.settings.dns_addr}: {e}"
                ) from e
            log.warning("dns_not_listening", addrs=addrs, error=str(e))
            return
        self.dns = dns
        self.advertised = advertised(self.settings, dns.bound)
        if not self.advertised:
            log.info(
                "dns_not_advertised",
                reason="no --dns-advertise and no container-reachable address on port 53",
            )

    async def stop(self) -> None:
        if self.dns is not None:
            await self.dns.stop()
            self.dns = None
