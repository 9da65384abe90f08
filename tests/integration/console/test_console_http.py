"""The console's guards over plain HTTP, against a real control plane: no page without a session,
no action without the session's CSRF token or from another origin, a tampered cookie is no session,
a login only sends the user on to a page of the console, and errors say what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from berth import Client
from controlplane.console import session
from tests.integration.services.test_services import sleeper

pytestmark = pytest.mark.etcd


def logged_in(controlplane: Any) -> requests.Session:
    config = json.loads(controlplane.config_path.read_text())
    s = requests.Session()
    s.verify = str(controlplane.ca_file or True)  # the control plane's TLS, verified with its CA
    s.trust_env = False  # else $REQUESTS_CA_BUNDLE wins over the session's verify
    r = s.post(
        f"{controlplane.http}/ui/login",
        data={"accessKeyId": config["accessKeyId"], "secretAccessKey": config["secretAccessKey"]},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 303 and r.headers["Location"] == "/ui/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
    return s


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def test_pages_need_a_session_and_a_login_only_goes_on_within_the_console(controlplane: Any) -> None:
    http = controlplane.http
    verify = str(controlplane.ca_file or True)
    r = requests.get(
        verify=verify,
        url=f"{http}/ui/clusters/default/tasks?status=STOPPED",
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 303 and r.headers["Location"].startswith("/ui/login?")
    assert parse_qs(urlsplit(r.headers["Location"]).query)["next"] == [
        "/ui/clusters/default/tasks?status=STOPPED"
    ]
    # htmx polling with an expired session is sent to the login page too.
    r = requests.get(
        verify=verify, url=f"{http}/ui/clusters/default/live", headers={"HX-Request": "true"}, timeout=10
    )
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/ui/login?next=")
    r = requests.post(
        verify=verify,
        url=f"{http}/ui/login",
        data={"accessKeyId": "BKIANOPE", "secretAccessKey": "x"},
        timeout=10,
    )
    assert r.status_code == 401 and "not valid" in r.text
    config = json.loads(controlplane.config_path.read_text())
    for target, lands in (("//evil.example/", "/ui/"), ("https://evil.example/", "/ui/"), ("/ui/x", "/ui/x")):
        r = requests.post(
            verify=verify,
            url=f"{http}/ui/login",
            data={**{k: config[k] for k in ("accessKeyId", "secretAccessKey")}, "next": target},
            allow_redirects=False,
            timeout=10,
        )
        assert r.headers["Location"] == lands, target
    # A cookie that was altered is no session.
    s = logged_in(controlplane)
    value = s.cookies[session.COOKIE]
    forged = value.rsplit(".", 1)[0] + "." + "0" * 64
    r = requests.get(
        verify=verify, url=f"{http}/ui/", cookies={session.COOKIE: forged}, allow_redirects=False, timeout=10
    )
    assert r.status_code == 303 and r.headers["Location"].startswith("/ui/login")
    page = s.get(f"{http}/ui/", timeout=10)
    assert page.status_code == 200
    assert (
        page.headers["X-Frame-Options"] == "DENY"
        and "default-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert s.get(f"{http}/ui/static/htmx-2.0.11.min.js", timeout=10).status_code == 200


def test_actions_need_the_csrf_token_and_the_same_origin(
    controlplane: Any, client: Client, cluster: str, unique: str
) -> None:
    family = sleeper(client, f"csrf-{unique}")
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=0)
    http = controlplane.http
    s = logged_in(controlplane)
    page = s.get(f"{http}/ui/clusters/{cluster}/services/web", timeout=10)
    assert page.status_code == 200 and "Service web" in page.text
    token = csrf_of(page.text)
    scale = f"{http}/ui/clusters/{cluster}/services/web/scale"

    r = s.post(scale, data={"desiredCount": "3"}, allow_redirects=False, timeout=10)
    assert r.status_code == 403 and "CSRF" in r.text
    r = s.post(
        scale,
        data={"desiredCount": "3", "csrf": token},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 403 and "cross-origin" in r.text
    assert client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 0

    r = s.post(scale, data={"desiredCount": "3", "csrf": token}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and "done=" in r.headers["Location"]
    assert client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 3
    # htmx sends the token as a header instead.
    r = s.post(
        scale, data={"desiredCount": "0"}, headers={"X-CSRF-Token": token}, allow_redirects=False, timeout=10
    )
    assert r.status_code == 303
    assert client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 0
    # What the API refuses comes back as the page's error, naming what was wrong.
    r = s.post(
        f"{http}/ui/clusters/{cluster}/tasks/0123456789abcdef0123456789abcdef/stop",
        data={"csrf": token},
        timeout=10,
    )
    assert r.status_code == 404 and 'id="flash-error"' in r.text and "0123456789abcdef" in r.text
    # Every page and live part renders, with and without tasks.
    base = f"{http}/ui/clusters/{cluster}"
    for path in (
        "",
        "/live",
        "/services/web/live",
        "/tasks",
        "/tasks?status=STOPPED",
        "/tasks/live",
        "/instances",
        "/instances/live",
        "/events",
    ):
        assert s.get(base + path, timeout=10).status_code == 200, path
    r = s.get(f"{http}/ui/clusters/nope-{unique}", timeout=10)
    assert r.status_code == 404 and f"nope-{unique}" in r.text
