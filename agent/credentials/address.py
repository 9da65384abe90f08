"""Puts the credentials endpoint's address on the loopback interface (as root), so that the
host, containers on Docker's bridge (through their default gateway, the host) and awsvpc tasks'
sandboxes (which sit on the bridge too) all reach it. The address is shared by every agent on
the host and left in place when one stops (another may still serve on it)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import subprocess


class AddressError(Exception):
    pass


def is_local(host: str) -> bool:
    """Whether `host` is an address of this machine (it can be bound)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
        return True
    except OSError as e:
        if e.errno == errno.EADDRNOTAVAIL:
            return False
        raise


def ensure_local(host: str, device: str = "lo") -> None:
    """Add `host`/32 to `device` unless it is already an address of this machine. Only
    link-local addresses (169.254.0.0/16, as ECS's 169.254.170.2) are added."""
    try:
        ip = ipaddress.IPv4Address(host)
    except ValueError:
        return  # a name or IPv6: used as given
    if ip.is_unspecified or ip.is_loopback or is_local(host):
        return
    if not ip.is_link_local:
        # Only the link-local ECS-style addresses are ours to add; any other must exist already.
        raise AddressError(f"{host} is not an address of this host")
    result = subprocess.run(
        ["ip", "addr", "add", f"{host}/32", "dev", device], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 and not is_local(host):
        raise AddressError(f"cannot add {host}/32 to {device}: {result.stderr.strip() or result.returncode}")
