"""Endpoint lists become one gRPC target over every replica."""

from __future__ import annotations

import pytest

from berth.endpoints import grpc_target


def test_one_endpoint_is_passed_through() -> None:
    assert grpc_target("127.0.0.1:7410") == "127.0.0.1:7410"
    assert grpc_target("cp.internal:7410") == "cp.internal:7410"
    assert grpc_target("dns:///cp.internal:7410") == "dns:///cp.internal:7410"


def test_several_ip_endpoints_become_one_address_list() -> None:
    assert grpc_target("10.0.0.1:7410, 10.0.0.2:7410") == "ipv4:10.0.0.1:7410,10.0.0.2:7410"
    assert grpc_target("[::1]:7410,[::2]:7410") == "ipv6:[::1]:7410,[::2]:7410"


@pytest.mark.parametrize(
    ("endpoints", "says"),
    [
        ("a.internal:7410,b.internal:7410", "must be IP:port"),
        ("10.0.0.1:7410,10.0.0.2", "has no port"),
        ("10.0.0.1:7410,[::1]:7410", "mix IPv4 and IPv6"),
    ],
)
def test_what_cannot_be_one_target_is_refused_naming_it(endpoints: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        grpc_target(endpoints)
