"""Control plane endpoints as agents and clients are given them: one address, or several replicas.

`--endpoint 10.0.0.1:7410,10.0.0.2:7410,10.0.0.3:7410` (or a config's "endpoint" with commas)
becomes a gRPC target over all of them: the channel connects to the first that answers and, when
that replica dies, to the next (gRPC's pick_first over an address list). A DNS name that resolves
to every replica (`dns:///controlplane.internal:7410`) works the same and is passed through.
"""

from __future__ import annotations

import ipaddress


def grpc_target(endpoints: str) -> str:
    """The gRPC target for one endpoint or a comma-separated list of IP:port endpoints."""
    parts = [p.strip() for p in endpoints.split(",") if p.strip()]
    if len(parts) <= 1:
        return parts[0] if parts else endpoints
    families = set()
    for part in parts:
        host, sep, port = part.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"endpoint {part!r} has no port")
        host = host.strip("[]")
        try:
            families.add(ipaddress.ip_address(host).version)
        except ValueError:
            raise ValueError(
                f"endpoint {part!r}: several endpoints must be IP:port (or use one DNS name that "
                "resolves to every replica, e.g. dns:///controlplane.internal:7410)"
            ) from None
    if len(families) > 1:
        raise ValueError(f"endpoints {endpoints!r} mix IPv4 and IPv6 addresses")
    return ("ipv4:" if families == {4} else "ipv6:") + ",".join(parts)
