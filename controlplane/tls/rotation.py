"""Rotating the cluster CA, as decisions on its etcd record (no I/O).

Phases: `steady` (one CA); `distributing` (the next CA is trusted beside the signing one, so that
agents, renewing halfway through their certificates' life, all come to trust it before anything
it signs is presented); `retiring` (the next CA signs, the replaced one stays trusted until every
agent certificate it signed has been renewed); then `steady` again. Each phase lasts `hold` of
the agent certificate lifetime: every agent renews within 60 % of it (50 % ± 10 % jitter).
"""

from __future__ import annotations

from berth.v1 import store_pb2

STEADY, DISTRIBUTING, RETIRING = "steady", "distributing", "retiring"


def phase(record: store_pb2.ClusterCa) -> str:
    if record.next_certificate_pem:
        return DISTRIBUTING
    if record.previous_certificate_pem:
        return RETIRING
    return STEADY


def hold(agent_cert_ttl: float) -> float:
    """How long a phase lasts: until every agent has renewed once (plus a margin for a slow one)."""
    return agent_cert_ttl * 0.6 + 5.0


def next_phase_at(record: store_pb2.ClusterCa, agent_cert_ttl: float) -> float:
    return 0.0 if phase(record) == STEADY else record.phase_since + hold(agent_cert_ttl)


def due(record: store_pb2.ClusterCa, now: float, agent_cert_ttl: float) -> bool:
    return phase(record) != STEADY and now >= next_phase_at(record, agent_cert_ttl)


def start(record: store_pb2.ClusterCa, cert_pem: str, sealed_key: bytes, now: float) -> store_pb2.ClusterCa:
    """The record with a new CA being distributed (ValueError while a rotation is under way)."""
    if phase(record) != STEADY:
        raise ValueError(f"a CA rotation is already under way ({phase(record)})")
    out = store_pb2.ClusterCa()
    out.CopyFrom(record)
    out.next_certificate_pem, out.next_sealed_key, out.phase_since = cert_pem, sealed_key, now
    return out


def advance(record: store_pb2.ClusterCa, now: float) -> store_pb2.ClusterCa:
    """The record one phase on: the next CA signs (the old one still trusted), or the old one goes."""
    out = store_pb2.ClusterCa()
    out.CopyFrom(record)
    if phase(record) == DISTRIBUTING:
        out.previous_certificate_pem = record.certificate_pem
        out.certificate_pem, out.sealed_key = record.next_certificate_pem, record.next_sealed_key
        out.next_certificate_pem, out.next_sealed_key = "", b""
    elif phase(record) == RETIRING:
        out.previous_certificate_pem = ""
    out.phase_since = now
    return out


def trusted(record: store_pb2.ClusterCa) -> list[str]:
    """The CA certificates that are trusted now, the signing one first."""
    return [
        p for p in (record.certificate_pem, record.next_certificate_pem, record.previous_certificate_pem) if p
    ]
