"""A real Prometheus scraping a running berth: the control plane by static config, the agents through
/sd/agents; PromQL finds a running task's CPU and memory series with its labels, the service's
running count and the API request counter; every alert rule loads and evaluates; every dashboard
query parses and runs. Also GetServiceUtilization and the SD document, on the same installation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.agents import wait_for
from tests.support.prometheus import PrometheusServer, credentials_file, dashboard_queries, scrape_config
from tests.support.scrape import config_token, get_json
from tests.support.users import METRICS_READER, iam_user

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
# A little CPU every 50 ms, so utilisation is not just zero.
BUSY = "while true; do i=0; while [ $i -lt 200 ]; do i=$((i+1)); done; sleep 0.05; done"


@pytest.fixture
def prometheus(
    controlplane: Any, client: Client, etcd_endpoint: str, tmp_path: Path
) -> Iterator[PrometheusServer]:
    """A Prometheus with the least-privilege metrics reader's token (README, "Prometheus")."""
    address = controlplane.http.split("://", 1)[1]
    with iam_user(client, METRICS_READER, "metrics-reader") as (_, token):
        config = scrape_config(
            address,
            etcd=etcd_endpoint,
            credentials_file=credentials_file(tmp_path, token),
            ca_file=controlplane.ca_file,
        )
        server = PrometheusServer(config).start()
        yield server
        server.stop()


def one(prom: PrometheusServer, expr: str, timeout: float = 30) -> dict[str, Any]:
    result = wait_for(
        lambda: prom.query(expr), timeout=timeout, interval=0.5, message=f"no result for {expr}"
    )
    assert len(result) == 1, result
    return dict(result[0])


def test_prometheus_scrapes_berth(
    client: Client, cluster: str, agents: Any, controlplane: Any, prometheus: PrometheusServer
) -> None:
    agent = agents(name="prom-host", extra=["--stats-interval", "1"])
    instance_arn = agent.wait_connected(client)
    td = client.register_task_definition(
        {
            "family": f"{cluster}-busy",
            "containerDefinitions": [
                {"name": "app", "image": IMAGE, "cpu": 128, "memory": 32, "command": ["sh", "-c", BUSY]}
            ],
        }
    ).task_definition
    client.create_service(
        cluster=cluster, serviceName="web", taskDefinition=td.task_definition_arn, desiredCount=1
    )

    def running_task() -> Any:
        arns = client.list_tasks(cluster=cluster, serviceName="web", desiredStatus="RUNNING").task_arns
        tasks = client.describe_tasks(cluster=cluster, tasks=arns).tasks if arns else []
        return next((t for t in tasks if t.last_status == "RUNNING"), None)

    task = wait_for(running_task, timeout=60, interval=0.3, message="the service's task did not start")
    task_id = task.task_arn.rsplit("/", 1)[-1]

    # The agent is discovered through /sd/agents, with the instance's labels.
    target = wait_for(
        lambda: next(
            (
                t
                for t in prometheus.targets()
                if t["labels"].get("container_instance_arn") == instance_arn and t["health"] == "up"
            ),
            None,
        ),
        timeout=30,
        interval=0.5,
        message="the agent was not discovered and scraped",
    )
    assert target["labels"]["job"] == "berth-agents"
    assert target["labels"]["cluster"] == cluster
    assert target["labels"]["instance_name"] == "prom-host"

    # A running task's CPU and memory, labelled like the task.
    family = td.family
    expected = {
        "cluster": cluster,
        "service": "web",
        "family": family,
        "revision": str(td.revision),
        "task_id": task_id,
        "container": "app",
        "instance_name": "prom-host",
        "container_instance_arn": instance_arn,
    }
    memory = one(prometheus, f'berth_container_memory_usage_bytes{{task_id="{task_id}"}}')
    assert {k: memory["metric"].get(k) for k in expected} == expected
    assert float(memory["value"][1]) > 0
    cpu = one(prometheus, f'berth_container_cpu_seconds_total{{task_id="{task_id}"}}')
    assert {k: cpu["metric"].get(k) for k in expected} == expected
    limit = one(prometheus, f'berth_container_memory_limit_bytes{{task_id="{task_id}"}}')
    assert float(limit["value"][1]) == 32 * 1024 * 1024
    one(prometheus, f'berth_task_memory_usage_bytes{{task_id="{task_id}", service="web"}}')
    one(prometheus, f'berth_task_cpu_utilization_ratio{{task_id="{task_id}"}}')

    # The service's running count (from the leader), the API request counter, Docker latency.
    running = one(prometheus, f'berth_service_running_tasks{{cluster="{cluster}", service="web"}} == 1')
    assert running["metric"]["job"] == "berth-controlplane"
    requests = one(
        prometheus,
        'sum(berth_api_requests_total{service="berth.v1.ECS", method="CreateService", code="OK"})',
    )
    assert float(requests["value"][1]) >= 1
    wait_for(
        lambda: prometheus.query(f'berth_agent_docker_request_duration_seconds_count{{cluster="{cluster}"}}'),
        timeout=10,
        message="no Docker API latency series",
    )
    one(prometheus, f'berth_agent_task_launches_total{{cluster="{cluster}", outcome="started"}}')
    one(prometheus, f'berth_task_scheduling_delay_seconds_count{{cluster="{cluster}"}}')

    # Service utilisation: agents -> etcd -> every replica, as a gauge and through the API.
    cpu_util = one(
        prometheus, f'berth_service_cpu_utilization_percent{{cluster="{cluster}", service="web"}}', timeout=40
    )
    assert float(cpu_util["value"][1]) >= 0
    one(prometheus, f'berth_service_memory_utilization_percent{{cluster="{cluster}", service="web"}} > 0')
    usage = client.get_service_utilization(cluster=cluster, services=["web", "nope"])
    assert [s.service_name for s in usage.services] == ["web"]
    web = usage.services[0]
    assert web.task_count == 1
    assert web.HasField("cpu_utilization_percent") and web.HasField("memory_utilization_percent")
    assert 0 < web.memory_utilization_percent < 100
    assert [f.reason for f in usage.failures] == ["MISSING"]
    everything = client.get_service_utilization(cluster=cluster)
    assert [s.service_name for s in everything.services] == ["web"]
    with pytest.raises(ApiError) as e:
        client.get_service_utilization(cluster="no-such-cluster")
    assert e.value.code == "NOT_FOUND"

    # Every alert rule loaded and evaluates without error.
    rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
    assert len(rules) >= 8
    wait_for(
        lambda: all(r.get("health") == "ok" for g in prometheus.api("rules")["groups"] for r in g["rules"]),
        timeout=10,
        message="an alert rule does not evaluate",
    )

    # Every dashboard query parses and runs (alert-like panels may well be empty).
    for title, expr in dashboard_queries():
        try:
            prometheus.api("query", query=expr)
        except AssertionError as err:
            raise AssertionError(f"dashboard panel {title!r}: {expr}: {err}") from None
    # And the panels about what runs here have data.
    for expr in (
        f'sum by (last_status) (berth_tasks{{cluster="{cluster}"}})',
        f'sum by (task_id) (rate(berth_task_cpu_seconds_total{{cluster="{cluster}"}}[5m]))',
        "sum by (code) (rate(berth_api_requests_total[5m]))",
    ):
        wait_for(lambda e=expr: prometheus.query(e), timeout=10, message=f"no data for {expr}")  # type: ignore[misc]

    # The SD document itself.
    groups = get_json(
        f"{controlplane.http}/sd/agents", config_token(controlplane.config_path), controlplane.ca_file
    )
    mine = [g for g in groups if g["labels"]["container_instance_arn"] == instance_arn]
    assert len(mine) == 1
    assert mine[0]["targets"][0].startswith("127.0.0.1:")
    assert mine[0]["labels"] == {
        "cluster": cluster,
        "container_instance_arn": instance_arn,
        "instance_name": "prom-host",
        "pool": "",
    }

    client.delete_service(cluster=cluster, service="web", force=True)
