"""Services on real agents and dockerd: steady state, self-healing, rolling deployments within the
limits, circuit breaker with rollback, DAEMON, lost hosts, draining, deletion."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.agents import wait_for

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def sleeper(client: Client, family: str, *, image: str = IMAGE, memory: int = 32) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "app", "image": image, "memory": memory, "command": ["sleep", "3600"]}
            ],
        }
    ).task_definition.task_definition_arn


def service(client: Client, cluster: str, name: str) -> Any:
    return client.describe_services(cluster=cluster, services=[name]).services[0]


def live_tasks(client: Client, cluster: str, name: str) -> list[Any]:
    arns = client.list_tasks(cluster=cluster, serviceName=name).task_arns
    if not arns:
        return []
    return [t for t in client.describe_tasks(cluster=cluster, tasks=arns).tasks if t.last_status != "STOPPED"]


def steady(client: Client, cluster: str, name: str, desired: int) -> Any:
    def check() -> Any:
        s = service(client, cluster, name)
        active = [d for d in s.deployments if d.status != "INACTIVE"]
        ok = (
            s.running_count == desired
            and len(active) == 1
            and active[0].rollout_state == "COMPLETED"
            and len(live_tasks(client, cluster, name)) == desired
        )
        return s if ok else None

    return wait_for(check, timeout=90, interval=0.5, message=f"service {name} did not reach a steady state")


@pytest.fixture
def three(client: Client, cluster: str, agents: Any) -> list[Any]:
    started = [agents(name=f"h{i}", extra=["--availability-zone", f"zone-{i}"]) for i in range(3)]
    for a in started:
        a.wait_connected(client)
    return started


def test_steady_state_spread_and_crash_replacement(
    client: Client, cluster: str, three: list[Any], unique: str, docker: Any
) -> None:
    td = sleeper(client, f"svc-{unique}")
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=3)
    s = steady(client, cluster, "web", 3)
    assert any("has reached a steady state" in e.message for e in s.events)
    tasks = live_tasks(client, cluster, "web")
    assert len({t.container_instance_arn for t in tasks}) == 3  # spread over instances (and zones)
    victim = tasks[0]
    killed_at = time.time()
    docker.containers.get(victim.containers[0].runtime_id).kill()

    def replaced() -> Any:
        now = [t for t in live_tasks(client, cluster, "web") if t.last_status == "RUNNING"]
        return now if len(now) == 3 and victim.task_arn not in {t.task_arn for t in now} else None

    now_running = wait_for(replaced, timeout=60, interval=0.2)
    replacement = next(t for t in now_running if t.task_arn not in {x.task_arn for x in tasks})
    print(f"crash-to-replacement RUNNING: {replacement.started_at - killed_at:.2f} s")


def test_rolling_update_respects_min_50_max_150(
    controlplane: Any, client: Client, cluster: str, three: list[Any], unique: str
) -> None:
    old = sleeper(client, f"roll-{unique}")
    new = sleeper(client, f"roll-{unique}")
    client.create_service(
        cluster=cluster,
        serviceName="roll",
        taskDefinition=old,
        desiredCount=4,
        deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 150},
    )
    steady(client, cluster, "roll", 4)
    samples: list[tuple[int, int]] = []
    stop = threading.Event()
    sampler_client = Client(config_path=controlplane.config_path)

    def sample() -> None:
        while not stop.is_set():
            tasks = live_tasks(sampler_client, cluster, "roll")
            running = sum(1 for t in tasks if t.last_status == "RUNNING" and t.desired_status == "RUNNING")
            samples.append((running, len(tasks)))
            time.sleep(0.1)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        client.update_service(cluster=cluster, service="roll", taskDefinition=new)
        s = steady(client, cluster, "roll", 4)
    finally:
        stop.set()
        thread.join(10)
        sampler_client.close()
    assert samples
    assert min(r for r, _ in samples) >= 2, samples
    assert max(n for _, n in samples) <= 6, samples
    primary = s.deployments[0]
    assert primary.task_definition == new and primary.rollout_state == "COMPLETED"
    assert Counter(t.task_definition_arn for t in live_tasks(client, cluster, "roll")) == {new: 4}


def test_circuit_breaker_rolls_back_without_a_hot_loop(
    client: Client, cluster: str, three: list[Any], unique: str
) -> None:
    good = sleeper(client, f"cb-{unique}")
    bad = sleeper(client, f"cb-{unique}", image="registry.invalid/berth/nothing:1")
    client.create_service(
        cluster=cluster,
        serviceName="cb",
        taskDefinition=good,
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    steady(client, cluster, "cb", 2)
    failed = client.update_service(cluster=cluster, service="cb", taskDefinition=bad).service.deployments[0]
    s = steady(client, cluster, "cb", 2)
    by_id = {d.id: d for d in s.deployments}
    assert s.deployments[0].task_definition == good
    assert s.deployments[0].rollback_from == failed.id
    assert any("rolling back" in e.message for e in s.events)
    assert any(f"deployment {failed.id}" in e.message and "failed" in e.message for e in s.events)
    failed_now = by_id.get(failed.id)
    if failed_now is not None:
        assert failed_now.rollout_state == "FAILED"
    bad_tasks = [
        a
        for d in (client.list_tasks(cluster=cluster, serviceName="cb", desiredStatus="STOPPED"),)
        for a in d.task_arns
    ]
    described = client.describe_tasks(cluster=cluster, tasks=bad_tasks).tasks if bad_tasks else []
    launched_bad = [t for t in described if t.task_definition_arn == bad]
    # threshold clamp(ceil(0.5*2), 3, 200) = 3: a few launches, not a hot loop
    assert 3 <= len(launched_bad) <= 6, len(launched_bad)


def test_daemon_follows_instances(
    client: Client, cluster: str, three: list[Any], agents: Any, unique: str
) -> None:
    td = sleeper(client, f"daemon-{unique}")
    client.create_service(cluster=cluster, serviceName="d", taskDefinition=td, schedulingStrategy="DAEMON")
    wait_for(
        lambda: (
            len(
                {
                    t.container_instance_arn
                    for t in live_tasks(client, cluster, "d")
                    if t.last_status == "RUNNING"
                }
            )
            == 3
        ),
        timeout=60,
    )
    fourth = agents(name="h3")
    arn = fourth.wait_connected(client)
    wait_for(
        lambda: (
            arn
            in {
                t.container_instance_arn
                for t in live_tasks(client, cluster, "d")
                if t.last_status == "RUNNING"
            }
        ),
        timeout=60,
    )
    client.update_container_instances_state(cluster=cluster, containerInstances=[arn], status="DRAINING")
    wait_for(
        lambda: arn not in {t.container_instance_arn for t in live_tasks(client, cluster, "d")}, timeout=60
    )
    assert len(live_tasks(client, cluster, "d")) == 3


def test_lost_host_tasks_are_replaced_and_stale_copies_stopped(
    client: Client, cluster: str, three: list[Any], unique: str, docker: Any
) -> None:
    td = sleeper(client, f"lost-{unique}")
    client.create_service(cluster=cluster, serviceName="lost", taskDefinition=td, desiredCount=3)
    steady(client, cluster, "lost", 3)
    victim = three[0]
    victim_arn = victim.instance_arn
    on_victim = [t for t in live_tasks(client, cluster, "lost") if t.container_instance_arn == victim_arn]
    assert on_victim
    victim.signal(signal.SIGSTOP)
    try:

        def replaced() -> bool:
            tasks = [
                t
                for t in live_tasks(client, cluster, "lost")
                if t.desired_status == "RUNNING" and t.last_status == "RUNNING"
            ]
            return len([t for t in tasks if t.container_instance_arn != victim_arn]) == 3

        wait_for(replaced, timeout=60, message="tasks of the lost host were not replaced")
    finally:
        victim.signal(signal.SIGCONT)
    # Back again: it is told to stop its stale copies; the service settles at 3.
    wait_for(
        lambda: (
            not [
                c
                for c in docker.containers.list(filters={"label": f"berth.instance-arn={victim_arn}"})
                if c.labels.get("berth.task-arn") in {t.task_arn for t in on_victim}
            ]
        ),
        timeout=60,
    )
    steady(client, cluster, "lost", 3)


def test_draining_moves_service_tasks_and_keeps_standalone(
    client: Client, cluster: str, three: list[Any], unique: str
) -> None:
    td = sleeper(client, f"drain-{unique}")
    client.create_service(
        cluster=cluster,
        serviceName="dr",
        taskDefinition=td,
        desiredCount=3,
        placementStrategy=[{"type": "spread", "field": "instanceId"}],
    )
    steady(client, cluster, "dr", 3)
    target = three[1].instance_arn
    standalone = client.start_task(cluster=cluster, taskDefinition=td, containerInstances=[target]).tasks[0]
    client.update_container_instances_state(cluster=cluster, containerInstances=[target], status="DRAINING")
    wait_for(
        lambda: all(t.container_instance_arn != target for t in live_tasks(client, cluster, "dr")), timeout=60
    )
    steady(client, cluster, "dr", 3)
    still = client.describe_tasks(cluster=cluster, tasks=[standalone.task_arn]).tasks[0]
    assert still.desired_status == "RUNNING" and still.last_status == "RUNNING"
    client.stop_task(cluster=cluster, task=standalone.task_arn)


def test_delete_service_needs_force_then_drains(
    client: Client, cluster: str, three: list[Any], unique: str
) -> None:
    td = sleeper(client, f"del-{unique}")
    client.create_service(cluster=cluster, serviceName="gone", taskDefinition=td, desiredCount=2)
    steady(client, cluster, "gone", 2)
    with pytest.raises(ApiError) as e:
        client.delete_service(cluster=cluster, service="gone")
    assert e.value.code == "FAILED_PRECONDITION"
    assert client.delete_service(cluster=cluster, service="gone", force=True).service.status == "DRAINING"
    wait_for(lambda: service(client, cluster, "gone").status == "INACTIVE", timeout=60)
    assert not live_tasks(client, cluster, "gone")
    assert "service/" + cluster + "/gone" not in " ".join(client.list_services(cluster=cluster).service_arns)


def test_berth_deploy_follows_to_steady_and_fails_on_rollback(
    controlplane: Any, client: Client, cluster: str, three: list[Any], unique: str
) -> None:
    import subprocess
    import sys

    good = sleeper(client, f"dep-{unique}")
    newer = sleeper(client, f"dep-{unique}")
    bad = sleeper(client, f"dep-{unique}", image="registry.invalid/berth/nothing:1")
    client.create_service(
        cluster=cluster,
        serviceName="dep",
        taskDefinition=good,
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    steady(client, cluster, "dep", 2)
    events: list[str] = []
    watcher = Client(config_path=controlplane.config_path)

    def watch() -> None:
        try:
            for message in watcher.watch_service_events(cluster=cluster, services=["dep"], timeout=120):
                events.append(message.event.message)
        except ApiError:
            pass

    threading.Thread(target=watch, daemon=True).start()

    def deploy(td: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "berth.cli",
                "--config",
                str(controlplane.config_path),
                "deploy",
                "dep",
                "--cluster",
                cluster,
                "--task-definition",
                td,
                "--timeout",
                "120",
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=150,
        )

    ok = deploy(newer)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "steady state" in ok.stdout
    assert "deploying" in ok.stderr and "deploying" not in ok.stdout  # progress on stderr
    failed = deploy(bad, "--output", "json")  # quiet: only the outcome, as JSON
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stderr == ""
    assert json.loads(failed.stdout)["service"]["taskDefinition"] == newer
    assert service(client, cluster, "dep").task_definition == newer
    wait_for(
        lambda: any("has started" in e for e in events) and any("rolling back" in e for e in events),
        timeout=10,
    )
    watcher.close()
