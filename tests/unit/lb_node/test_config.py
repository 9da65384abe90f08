"""The haproxy.cfg renderer: structure, health checks, slots, and the reload fingerprint."""

from __future__ import annotations

import pytest

from agent.lb.config import (
    MIN_SLOTS,
    ConfigError,
    NodeSettings,
    Slot,
    health_check,
    render,
    slot_count,
    structure,
    structure_of,
)
from berth.v1 import elb_pb2
from tests.support.lbnode import lb_config, target_group

SETTINGS = NodeSettings(data_dir="/var/lib/berth-lb", listen_address="0.0.0.0", metrics_port=8405)


def config(**tg: object) -> elb_pb2.LoadBalancerConfig:
    return lb_config("web", {80: "app"}, [target_group("app", **tg)])  # type: ignore[arg-type]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_global_defaults_frontend_backend_and_metrics() -> None:
    out = lines(render(config(), SETTINGS, {}))
    assert "stats socket /var/lib/berth-lb/admin.sock mode 600 level admin expose-fd listeners" in out
    assert "server-state-file /var/lib/berth-lb/server-state" in out
    assert "load-server-state-from-file global" in out
    assert "option redispatch" in out and "retries 3" in out
    assert "option http-server-close" not in out
    i = out.index("frontend ln-web-80")
    assert out[i + 1 : i + 5] == [
        "mode http",
        "bind 0.0.0.0:80",
        "option forwardfor",
        "default_backend tg-app",
    ]
    j = out.index("backend tg-app")
    assert "option httpchk GET /health" in out[j:]
    assert "http-check expect status 200" in out[j:]
    assert "default-server weight 100 check inter 1s fall 2 rise 2" in out[j:]
    assert "timeout check 1s" in out[j:]
    assert sum(1 for line in out if line.startswith("server srv")) == MIN_SLOTS
    assert "server srv1 0.0.0.0:0 disabled" in out
    k = out.index("frontend berth-metrics")
    assert "bind 127.0.0.1:8405" in out[k:]
    assert "http-request use-service prometheus-exporter if { path /metrics }" in out[k:]


def test_elb_defaults_fill_unset_health_check_fields() -> None:
    tg = elb_pb2.TargetGroup(target_group_name="app", protocol="HTTP")
    hc = health_check(tg)
    assert (hc.enabled, hc.path, hc.matcher, hc.interval, hc.timeout, hc.healthy, hc.unhealthy) == (
        True,
        "/",
        "200",
        30,
        5,
        5,
        2,
    )


@pytest.mark.parametrize("matcher", ["200", "200,202", "200-299", "200-299,302"])
def test_matchers_lists_and_ranges(matcher: str) -> None:
    out = lines(render(config(matcher=elb_pb2.Matcher(http_code=matcher)), SETTINGS, {}))
    assert f"http-check expect status {matcher}" in out


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"matcher": elb_pb2.Matcher(http_code="2xx")}, "matcher.httpCode '2xx'"),
        ({"path": "/x y"}, "healthCheckPath '/x y'"),
        ({"path": "/a\nbackend evil"}, "healthCheckPath"),
        ({"health_check_port": "http"}, "healthCheckPort 'http'"),
        ({"interval": 0}, "healthCheckIntervalSeconds 0"),
        ({"health_check_protocol": "HTTPS"}, "healthCheckProtocol 'HTTPS'"),
    ],
    ids=["matcher", "path-space", "path-newline", "port", "interval", "protocol"],
)
def test_bad_settings_name_the_field_and_value(settings: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match="targetGroup app") as e:
        render(config(**settings), SETTINGS, {})
    assert field in str(e.value)


def test_tcp_listener_and_check_and_slow_start_and_check_port() -> None:
    cfg = lb_config(
        "db",
        {5432: "pg"},
        [
            target_group(
                "pg",
                protocol="TCP",
                health_check_protocol="TCP",
                health_check_port="9000",
                slow_start_seconds=30,
            )
        ],
        protocol="TCP",
    )
    out = lines(render(cfg, SETTINGS, {}))
    i = out.index("frontend ln-db-5432")
    assert out[i + 1] == "mode tcp"
    j = out.index("backend tg-pg")
    assert "option httpchk GET /health" not in out[j:]
    assert "default-server weight 100 check inter 1s fall 2 rise 2 port 9000 slowstart 30s" in out[j:]


def test_disabled_health_check_has_no_check() -> None:
    out = lines(render(config(health_check_enabled=False), SETTINGS, {}))
    assert "default-server weight 100" in out
    assert not [line for line in out if line.startswith("option httpchk")]


def test_protocol_mismatch_is_refused() -> None:
    cfg = lb_config("web", {80: "app"}, [target_group("app", protocol="TCP")], protocol="HTTP")
    with pytest.raises(ConfigError, match="protocol HTTP cannot forward to targetGroup app of protocol TCP"):
        render(cfg, SETTINGS, {})


def test_slots_hold_their_targets_new_ones_disabled() -> None:
    slots = [Slot("10.0.0.1", 8080), Slot("10.0.0.2", 8081, enabled=False), *[Slot()] * 62]
    out = lines(render(config(), SETTINGS, {"tg-app": slots}))
    assert "server srv1 10.0.0.1:8080" in out
    assert "server srv2 10.0.0.2:8081 disabled" in out
    assert "server srv3 0.0.0.0:0 disabled" in out
    with pytest.raises(ConfigError, match=r"target address '10\.0\.0\.300'"):
        render(config(), SETTINGS, {"tg-app": [Slot("10.0.0.300", 1)]})


def test_structure_ignores_targets_but_not_listeners_settings_or_slot_counts() -> None:
    base = structure(config(), SETTINGS, {"tg-app": 64})
    with_targets = render(config(), SETTINGS, {"tg-app": [Slot("10.0.0.1", 80)] + [Slot()] * 63})
    assert structure_of(with_targets) == base
    assert structure(config(), SETTINGS, {"tg-app": 128}) != base
    assert structure(config(interval=5), SETTINGS, {"tg-app": 64}) != base
    two = lb_config("web", {80: "app", 81: "app"}, [target_group("app")])
    assert structure(two, SETTINGS, {"tg-app": 64}) != base
    assert structure_of("global\n") == ""


@pytest.mark.parametrize(
    ("targets", "current", "expected"),
    [(0, 0, 64), (1, 0, 64), (64, 64, 64), (65, 64, 128), (3, 128, 128), (300, 64, 512)],
)
def test_slot_count_grows_in_powers_of_two_and_never_shrinks(
    targets: int, current: int, expected: int
) -> None:
    assert slot_count(targets, current) == expected
