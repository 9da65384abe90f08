"""A real Prometheus (Debian's `prometheus` package) for tests: configured from deploy/prometheus
with the test's ports, on a free loopback port, storage in a temporary directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.infra import free_port, http_ok, missing

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "prometheus"
DASHBOARD = REPO / "deploy" / "grafana" / "berth.json"


def binary(name: str) -> str:
    """The path of `prometheus` or `promtool`; skips (fails under BERTH_REQUIRE_INFRA=1) without it."""
    path = shutil.which(name)
    if path is None:
        missing(f"the {name} binary (Debian package prometheus)")
    assert path is not None
    return path


CREDENTIALS = "/etc/prometheus/berth-token"  # the credentials_file deploy/prometheus names


def scrape_config(
    controlplane_http: str,
    *,
    etcd: str | None,
    credentials_file: Path,
    scrape_interval: str = "1s",
    rules: Path | None = None,
    ca_file: Path | None = None,
) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with the addresses of a test installation (`controlplane_http`:
    HOST:PORT; `ca_file`: its CA bundle, None for an insecure one) and `credentials_file` (a bearer
    token for the control plane) where it names one."""
    tls = {"tls_config": {"ca_file": str(ca_file)}} if ca_file else {}
    scheme = "https" if ca_file else "http"
    config: dict[str, Any] = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval}
    config["rule_files"] = [str(rules or DEPLOY / "alerts.yml")]
    kept = []
    for job in config["scrape_configs"]:
        if job["job_name"] == "berth-controlplane":
            job["static_configs"] = [{"targets": [controlplane_http]}]
            job.pop("tls_config", None)
            job |= {"scheme": scheme} | tls
        elif job["job_name"] in ("berth-agents", "berth-lb"):
            path = "/sd/agents" if job["job_name"] == "berth-agents" else "/sd/loadbalancers"
            for sd in job["http_sd_configs"]:
                sd.pop("tls_config", None)
                sd |= {"url": f"{scheme}://{controlplane_http}{path}", "refresh_interval": scrape_interval}
                sd |= tls
        elif job["job_name"] == "etcd":
            if etcd is None:
                continue
            job["static_configs"] = [{"targets": [etcd]}]
        kept.append(job)
    config["scrape_configs"] = kept
    return _with_credentials(config, str(credentials_file))


def _with_credentials(node: Any, path: str) -> Any:
    if isinstance(node, dict):
        return {k: path if k == "credentials_file" else _with_credentials(v, path) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_credentials(v, path) for v in node]
    return node


def credentials_file(directory: Path, token: str) -> Path:
    """`token` in a file only its owner reads, as Prometheus's credentials_file."""
    path = directory / "berth-token"
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return path


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every panel target of the Grafana dashboard, with the dashboard's
    variables replaced by values any series matches."""
    dashboard = json.loads(DASHBOARD.read_text())
    out = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for var in ("$cluster", "$service", "$host"):
                expr = expr.replace(var, ".*")
            out.append((panel["title"], expr))
    return out


@dataclass
class PrometheusServer:
    config: dict[str, Any]
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> PrometheusServer:
        exe = binary("prometheus")
        self.workdir = Path(tempfile.mkdtemp(prefix="berth-prometheus-"))
        self.port = self.port or free_port()
        config_path = self.workdir / "prometheus.yml"
        config_path.write_text(json.dumps(self.config))  # JSON is YAML
        log = open(self.workdir / "prometheus.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                exe,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not http_ok(f"{self.url}/-/ready"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not start:\n{self.log_tail()}")
            time.sleep(0.1)
        return self

    def log_tail(self, lines: int = 30) -> str:
        assert self.workdir is not None
        try:
            text = (self.workdir / "prometheus.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as e:
            body = json.loads(e.read())
        if body.get("status") != "success":
            raise AssertionError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.api("query", query=expr)
        result: list[dict[str, Any]] = data["result"] if data["resultType"] == "vector" else []
        return result

    def targets(self) -> list[dict[str, Any]]:
        return list(self.api("targets")["activeTargets"])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
