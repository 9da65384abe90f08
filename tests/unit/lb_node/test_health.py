"""HAProxy check results as ELB target health, and the runtime API's output parsed."""

from __future__ import annotations

import pytest

from agent.lb.haproxy import keep_state, parse_csv, servers_from_stat
from agent.lb.health import CHECKING, CHECKS_OFF, DRAINING_HEALTH, REGISTERING, Health, target_health
from agent.lb.plan import MAINT, READY, ServerState


def server(status: str, check: str = "", code: str = "", desc: str = "") -> ServerState:
    return ServerState(
        1, "10.0.0.1", 80, READY, status=status, check_status=check, check_code=code, check_desc=desc
    )


@pytest.mark.parametrize(
    ("srv", "expected"),
    [
        (server("UP", "L7OK", "200"), Health("healthy")),
        (server("UP 1/2", "L7STS", "500"), Health("healthy")),
        (server("DOWN", "INI"), CHECKING),
        (server("DOWN 1/2", "L7OK", "200"), CHECKING),
        (
            server("DOWN", "L7STS", "503", "HTTP status check returned code <3C>503<3E>"),
            Health(
                "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]"
            ),
        ),
        (
            server("DOWN", "L4TOUT", desc="Layer4 timeout"),
            Health("unhealthy", "Target.Timeout", "Request timed out (Layer4 timeout)"),
        ),
        (server("DOWN", "* L7TOUT"), Health("unhealthy", "Target.Timeout", "Request timed out (L7TOUT)")),
        (
            server("DOWN", "L4CON", desc="Connection refused"),
            Health("unhealthy", "Target.FailedHealthChecks", "Health checks failed (Connection refused)"),
        ),
        (server("MAINT"), REGISTERING),
    ],
    ids=["up", "up-going-down", "ini", "rising", "l7sts", "l4tout", "l7tout-running", "l4con", "maint"],
)
def test_states_and_reasons(srv: ServerState, expected: Health) -> None:
    assert target_health(srv, draining=False, checks=True) == expected


def test_draining_wins_and_missing_server_is_registering_and_checks_off_unavailable() -> None:
    assert target_health(server("UP", "L7OK"), draining=True, checks=True) == DRAINING_HEALTH
    assert target_health(None, draining=False, checks=True) == REGISTERING
    assert target_health(server("UP"), draining=False, checks=False) == CHECKS_OFF


def test_a_recovering_target_stays_unhealthy_until_it_is_up() -> None:
    failed = Health("unhealthy", "Target.Timeout", "Request timed out")
    rising = server("DOWN 1/2", "L7OK", "200")
    assert target_health(rising, draining=False, checks=True, previous=failed) == failed
    assert target_health(server("UP", "L7OK"), draining=False, checks=True, previous=failed) == Health(
        "healthy"
    )


STAT = """# pxname,svname,status,weight,uweight,check_status,check_code,last_chk,addr
tg-app,srv1,UP,50,100,L7OK,200,HTTP status check returned code <3C>200<3E>,10.0.0.1:8080
tg-app,srv2,MAINT,100,100,,,,0.0.0.0:0
tg-app,srv3,DRAIN,0,100,L7OK,200,,10.0.0.3:8080
tg-app,BACKEND,UP,100,100,,,,
ln-web-80,FRONTEND,OPEN,,,,,,
"""


def test_show_stat_becomes_server_states() -> None:
    got = servers_from_stat(parse_csv(STAT))
    assert list(got) == ["tg-app"]
    s1, s2, s3 = got["tg-app"]
    assert (s1.slot, s1.address, s1.port, s1.admin, s1.weight, s1.check_status) == (
        1,
        "10.0.0.1",
        8080,
        READY,
        100,
        "L7OK",
    )
    assert (s2.admin, s2.free) == (MAINT, True)
    assert s3.admin == "drain"
    assert parse_csv("") == [] and parse_csv("Unknown command\n") == []


def test_state_file_keeps_only_unchanged_servers() -> None:
    dump = "1\n# be_id be_name srv_id srv_name srv_addr\n3 tg-app 1 srv1 10.0.0.1\n3 tg-app 2 srv2 10.0.0.2\n"
    assert (
        keep_state(dump, {("tg-app", "srv2")})
        == "1\n# be_id be_name srv_id srv_name srv_addr\n3 tg-app 2 srv2 10.0.0.2\n"
    )
