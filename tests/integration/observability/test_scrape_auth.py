"""/metrics and /sd/* on the control plane's HTTP port answer only callers the authorizer allows
(berth:GetMetrics, berth:ListScrapeTargets): the admin, a least-privilege metrics reader; not a
user with no policy, nor a caller without a credential. /healthz stays open. A real Prometheus
scrapes and discovers with the reader's token in a credentials file, and fails with the other's."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.agents import wait_for
from tests.support.prometheus import PrometheusServer, credentials_file, scrape_config
from tests.support.scrape import config_token, get
from tests.support.users import METRICS_READER, iam_user

pytestmark = pytest.mark.etcd

PATHS = {
    "/metrics": "berth:GetMetrics",
    "/sd/agents": "berth:ListScrapeTargets",
    "/sd/loadbalancers": "berth:ListScrapeTargets",
}


@pytest.fixture
def reader(client: Any) -> Iterator[str]:
    with iam_user(client, METRICS_READER, "metrics-reader") as (_, token):
        yield token


@pytest.fixture
def nobody(client: Any) -> Iterator[str]:
    with iam_user(client, None, "nobody") as (_, token):
        yield token


def refusal(status: int, body: bytes) -> tuple[int, str, str]:
    doc = json.loads(body)
    return status, doc["code"], doc["action"]


@pytest.mark.parametrize("path", list(PATHS))
def test_the_admin_and_the_metrics_reader_may_read(controlplane: Any, reader: str, path: str) -> None:
    for token in (config_token(controlplane.config_path), reader):
        status, body = get(f"{controlplane.http}{path}", token, controlplane.ca_file)
        assert status == 200, body
        if path == "/metrics":
            assert b"berth_api_requests_total" in body
        else:
            assert isinstance(json.loads(body), list)


@pytest.mark.parametrize(("path", "action"), list(PATHS.items()))
def test_no_credential_a_bad_one_and_a_user_without_policy_are_refused_naming_the_action(
    controlplane: Any, nobody: str, path: str, action: str
) -> None:
    url = f"{controlplane.http}{path}"
    assert refusal(*get(url, "", controlplane.ca_file)) == (401, "UNAUTHENTICATED", action)
    assert refusal(*get(url, "BKIA0000000000000000.wrong", controlplane.ca_file)) == (
        401,
        "UNAUTHENTICATED",
        action,
    )
    status, body = get(url, nobody, controlplane.ca_file)
    assert refusal(status, body) == (403, "PERMISSION_DENIED", action)
    assert f"is not authorized to perform: {action}" in json.loads(body)["message"]
    join_token = (controlplane.data_dir / "join-token").read_text().strip()
    assert refusal(*get(url, join_token, controlplane.ca_file))[:2] == (403, "PERMISSION_DENIED")


def test_healthz_stays_open(controlplane: Any) -> None:
    status, body = get(f"{controlplane.http}/healthz", "", controlplane.ca_file)
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_the_metrics_reader_can_do_nothing_else(controlplane: Any, reader: str) -> None:
    with Client(controlplane.endpoint, reader, ca_file=controlplane.ca_file, timeout=10) as c:
        for call in (lambda: c.list_clusters(), lambda: c.create_cluster(clusterName="reader-made")):
            with pytest.raises(ApiError) as e:
                call()
            assert e.value.code == "PERMISSION_DENIED"


def test_prometheus_scrapes_and_discovers_with_the_readers_credentials_file(
    controlplane: Any, reader: str, nobody: str
) -> None:
    address = controlplane.http.split("://", 1)[1]
    servers = []
    try:
        for token in (reader, nobody):
            work = Path(tempfile.mkdtemp(prefix="berth-prom-token-"))
            config = scrape_config(
                address,
                etcd=None,
                credentials_file=credentials_file(work, token),
                ca_file=controlplane.ca_file,
            )
            servers.append((PrometheusServer(config).start(), work))
        (allowed, _), (refused, _) = servers

        def controlplane_target(prom: PrometheusServer) -> dict[str, Any] | None:
            return next(
                (
                    t
                    for t in prom.targets()
                    if t["labels"]["job"] == "berth-controlplane" and t["health"] != "unknown"
                ),
                None,
            )

        up = wait_for(lambda: controlplane_target(allowed), timeout=20, interval=0.3, message="no scrape")
        assert up["health"] == "up", up
        wait_for(
            lambda: allowed.query('berth_api_requests_total{job="berth-controlplane"}'),
            timeout=20,
            interval=0.3,
            message="the reader's Prometheus has no control plane series",
        )
        down = wait_for(lambda: controlplane_target(refused), timeout=20, interval=0.3, message="no scrape")
        assert down["health"] == "down" and "403" in down["lastError"], down

        # HTTP service discovery: the reader's refreshes succeed, the other's fail.
        # Prometheus's own metrics are not scraped here; read them from its /metrics instead.
        def own(prom: PrometheusServer, name: str) -> float:
            status, body = get(f"{prom.url}/metrics")
            assert status == 200
            return sum(
                float(line.rsplit(" ", 1)[1])
                for line in body.decode().splitlines()
                if line.startswith(name) and not line.startswith("#")
            )

        wait_for(
            lambda: own(refused, "prometheus_sd_http_failures_total") >= 2,
            timeout=20,
            interval=0.3,
            message="the refused Prometheus's SD did not fail",
        )
        assert own(allowed, "prometheus_sd_http_failures_total") == 0
    finally:
        for prom, work in servers:
            prom.stop()
            shutil.rmtree(work, ignore_errors=True)
