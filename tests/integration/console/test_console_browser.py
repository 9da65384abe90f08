"""The web console in a real headless Chromium, against a real control plane and agent.

A user logs in with an access key, looks at the cluster, scales a service and forces a new
deployment, follows a task's logs, stops it, drains and re-activates an instance, and watches the
events stream. Each step checks what the page shows, live (htmx polling and server-sent events),
and what the API says afterwards. Screenshots of each page go to .test-output/console/.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from tests.conftest import REPO
from tests.integration.services.test_services import sleeper, steady
from tests.support.agents import wait_task
from tests.support.browser import chromium

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.browser]

SHOTS = REPO / ".test-output" / "console"
WAIT = 45.0


@pytest.fixture
def browser(controlplane: Any) -> Iterator[Any]:
    with chromium(controlplane.ca_file) as driver:
        yield driver


def until(driver: Any, check: Callable[[Any], Any], what: str, timeout: float = WAIT) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
            check
        )
    except TimeoutException:
        shot(driver, "failed")
        raise AssertionError(
            f"the page never showed {what}; it shows:\n{text(driver, 'main')[:3000]}"
        ) from None


def text(driver: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    return "\n".join(str(e.text) for e in found)


def click(driver: Any, css: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, css).click()


def shot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def login(driver: Any, http: str, key_id: str, secret: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "accessKeyId").clear()
    driver.find_element(By.ID, "accessKeyId").send_keys(key_id)
    driver.find_element(By.ID, "secretAccessKey").send_keys(secret)
    click(driver, "#login")


def test_a_user_runs_a_cluster_from_the_console(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    host = agents(name=f"console-{unique}")
    instance = host.wait_connected(client)
    family = sleeper(client, f"console-{unique}")
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=1)
    ticker = client.register_task_definition(
        {
            "family": f"ticker-{unique}",
            "containerDefinitions": [
                {
                    "name": "tick",
                    "image": "berth/busybox:latest",
                    "memory": 16,
                    "command": ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done"],
                }
            ],
        }
    ).task_definition.task_definition_arn
    (task,) = client.run_task(cluster=cluster, taskDefinition=ticker).tasks
    task_id = task.task_arn.rsplit("/", 1)[1]
    wait_task(client, cluster, task.task_arn, "RUNNING")
    steady(client, cluster, "web", 1)

    config = json.loads(controlplane.config_path.read_text())
    http = controlplane.http
    base = f"{http}/ui/clusters/{cluster}"

    # Not logged in: the login page, which refuses a wrong secret.
    browser.get(f"{base}/services/web")
    assert "/ui/login" in browser.current_url
    login(browser, http, config["accessKeyId"], "not-the-secret")
    until(browser, lambda d: "not valid" in text(d, "#login-error"), "the refused login")
    shot(browser, "login-refused")
    # The right one goes on to the page first asked for.
    login(browser, http, config["accessKeyId"], config["secretAccessKey"])
    until(
        browser, lambda d: d.current_url.endswith(f"/ui/clusters/{cluster}/services/web"), "the service page"
    )

    # The clusters page lists the cluster; its overview shows the service and the instance.
    browser.get(f"{http}/ui/")
    until(browser, lambda d: cluster in text(d, "#clusters"), "the cluster in the list")
    click(browser, f"a[href='/ui/clusters/{cluster}']")
    until(browser, lambda d: "web" in text(d, "#services"), "the service on the overview")
    assert host.name in text(browser, "#instances") and "connected" in text(browser, "#instances")
    assert "free of" in text(browser, "#instances")
    shot(browser, "cluster")

    # Scale the service from its page: the flash says so, the live part follows to 2 running.
    browser.get(f"{base}/services/web")
    field = browser.find_element(By.ID, "desiredCount")
    field.clear()
    field.send_keys("2")
    click(browser, "#scale")
    until(browser, lambda d: "set to 2" in text(d, "#flash-done"), "the scale confirmation")
    until(browser, lambda d: text(d, "#running-count") == "2", "2 running tasks", timeout=60)
    assert client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 2
    # A bad count is refused with the field and the value.
    field = browser.find_element(By.ID, "desiredCount")
    browser.execute_script("arguments[0].removeAttribute('min'); arguments[0].value = '-1'", field)
    click(browser, "#scale")
    until(browser, lambda d: "desiredCount" in text(d, "#flash-error"), "the refused count")
    # Force a new deployment: a second deployment shows up, and the service settles on it.
    before = {
        d.id for d in client.describe_services(cluster=cluster, services=["web"]).services[0].deployments
    }
    click(browser, "#redeploy")
    until(browser, lambda d: "new deployment" in text(d, "#flash-done"), "the deployment confirmation")
    deployments = client.describe_services(cluster=cluster, services=["web"]).services[0].deployments
    assert {d.id for d in deployments} - before, "no new deployment was started"
    until(browser, lambda d: "PRIMARY" in text(d, "#deployments"), "the deployments table")
    shot(browser, "service")
    steady(client, cluster, "web", 2)

    # A task's page: its timing phases, its containers, and its logs following live.
    browser.get(f"{base}/tasks")
    until(browser, lambda d: task_id[:12] in text(d, "#tasks"), "the ticker in the task list")
    click(browser, f"a[href='/ui/clusters/{cluster}/tasks/{task_id}']")
    until(browser, lambda d: "running" in text(d, "#phases"), "the running phase")
    assert "tick" in text(browser, "#containers")
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#loglines .line")) >= 3, "log lines")
    seen = len(browser.find_elements(By.CSS_SELECTOR, "#loglines .line"))
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#loglines .line")) > seen, "new log lines")
    assert "tick" in text(browser, "#loglines")
    shot(browser, "task")
    # Stop it: the page follows it to STOPPED and the log stream says it has ended.
    click(browser, "#stop-task")
    until(browser, lambda d: "is stopping" in text(d, "#flash-done"), "the stop confirmation")
    until(browser, lambda d: "STOPPED" in text(d, "#task-status"), "the stopped task", timeout=60)
    until(browser, lambda d: "end of the logs" in text(d, "#logs"), "the end of the logs")
    stopped = client.describe_tasks(cluster=cluster, tasks=[task.task_arn]).tasks[0]
    assert stopped.last_status == "STOPPED" and "console" in stopped.stopped_reason

    # Drain the instance and make it ACTIVE again.
    browser.get(f"{base}/instances")
    click(browser, "button.drain")
    until(browser, lambda d: "DRAINING" in text(d, "td.instance-status"), "the draining instance")
    described = client.describe_container_instances(cluster=cluster, containerInstances=[instance])
    assert described.container_instances[0].status == "DRAINING"
    shot(browser, "instances")
    click(browser, "button.activate")
    until(browser, lambda d: "ACTIVE" in text(d, "td.instance-status"), "the active instance")

    # The events page: the history, then new events as they happen.
    browser.get(f"{base}/events")
    until(browser, lambda d: "instance" in text(d, "#event-rows"), "the event history")
    rows = len(browser.find_elements(By.CSS_SELECTOR, "#event-rows tr"))
    client.update_service(cluster=cluster, service="web", desiredCount=1)
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#event-rows tr")) > rows, "a new event")
    shot(browser, "events")

    # Log out: the session is gone, pages go back to the login.
    click(browser, "#logout")
    until(browser, lambda d: "/ui/login" in d.current_url, "the login page after logging out")
    browser.get(f"{base}/services/web")
    assert "/ui/login" in browser.current_url
