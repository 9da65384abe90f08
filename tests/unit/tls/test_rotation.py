"""The CA rotation's phases as decisions on the record (controlplane.tls.rotation)."""

from __future__ import annotations

import pytest

from berth.v1 import store_pb2
from controlplane.tls import rotation

TTL = 100.0  # agent certificates' lifetime: a phase lasts 0.6 of it plus 5 s


def test_a_rotation_trusts_the_next_ca_first_then_signs_with_it_then_drops_the_old_one() -> None:
    record = store_pb2.ClusterCa(certificate_pem="A", sealed_key=b"a")
    assert rotation.phase(record) == rotation.STEADY and rotation.trusted(record) == ["A"]
    assert not rotation.due(record, 1e9, TTL) and rotation.next_phase_at(record, TTL) == 0

    record = rotation.start(record, "B", b"b", now=1000.0)
    assert rotation.phase(record) == rotation.DISTRIBUTING
    assert rotation.trusted(record) == ["A", "B"] and record.certificate_pem == "A"  # A still signs
    assert rotation.next_phase_at(record, TTL) == 1065.0
    assert not rotation.due(record, 1064.9, TTL) and rotation.due(record, 1065.0, TTL)

    record = rotation.advance(record, now=1065.0)
    assert rotation.phase(record) == rotation.RETIRING
    assert (record.certificate_pem, record.sealed_key) == ("B", b"b")  # B signs
    assert rotation.trusted(record) == ["B", "A"]  # A still trusted: agents' A certificates

    record = rotation.advance(record, now=1130.0)
    assert rotation.phase(record) == rotation.STEADY and rotation.trusted(record) == ["B"]


def test_one_rotation_at_a_time() -> None:
    record = rotation.start(store_pb2.ClusterCa(certificate_pem="A"), "B", b"b", now=0.0)
    with pytest.raises(ValueError, match="already under way"):
        rotation.start(record, "C", b"c", now=1.0)
    with pytest.raises(ValueError, match="retiring"):
        rotation.start(rotation.advance(record, 70.0), "C", b"c", now=71.0)


def test_a_phase_outlasts_every_agents_renewal() -> None:
    # Agents renew at 50 % +- 10 % of their certificates' life: all within 60 %.
    for ttl in (8.0, 3600.0, 86400.0):
        assert rotation.hold(ttl) > 0.6 * ttl
