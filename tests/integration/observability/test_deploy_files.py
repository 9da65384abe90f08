"""deploy/prometheus and deploy/grafana: the scrape config and the alert rules pass promtool, every
rule has a `promtool test rules` case, every dashboard query parses, and every berth metric they
name is one berth exports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml
from prometheus_client import REGISTRY
from prometheus_client.core import Metric

from agent.metrics import Snapshot, families
from controlplane import metrics as _controlplane_metrics  # noqa: F401 - registers the metrics
from controlplane.statemetrics import (
    StateCollector,
    instance_families,
    service_families,
    task_families,
    utilization_families,
)
from tests.support.prometheus import (
    CREDENTIALS,
    DASHBOARD,
    DEPLOY,
    binary,
    credentials_file,
    dashboard_queries,
)

NAME = re.compile(r"\bberth_[a-z0-9_]+")


def promtool(*args: str | Path) -> str:
    done = subprocess.run([binary("promtool"), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"promtool {' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_config_and_rules_pass_promtool(tmp_path: Path) -> None:
    # promtool wants the credentials file the config names to exist: check a copy naming one here.
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    config["rule_files"] = [str(DEPLOY / f) for f in config["rule_files"]]
    named = [
        sd["authorization"]["credentials_file"]
        for job in config["scrape_configs"]
        for sd in [job, *job.get("http_sd_configs", [])]
        if "authorization" in sd
    ]
    assert named == [CREDENTIALS] * 3  # the control plane's scrape and both SD configs
    copy = tmp_path / "prometheus.yml"
    copy.write_text(json.dumps(config).replace(CREDENTIALS, str(credentials_file(tmp_path, "id.secret"))))
    promtool("check", "config", copy)  # also loads alerts.yml
    promtool("check", "rules", DEPLOY / "alerts.yml")


def test_every_rule_has_a_passing_test_case() -> None:
    tests = sorted((DEPLOY / "tests").glob("*.yml"))
    assert tests
    promtool("test", "rules", *tests)
    rules = {
        r["alert"] for g in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"] for r in g["rules"]
    }
    tested = {
        case["alertname"]
        for path in tests
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert rules == tested, f"rules without a firing test case: {sorted(rules - tested)}"


def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    queries = dashboard_queries()
    assert len(queries) >= 30
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:q{i}", "expr": e} for i, (_, e) in enumerate(queries)],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(json.dumps(rules))
    promtool("check", "rules", path)
    dashboard = json.loads(DASHBOARD.read_text())
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    assert rows == ["Cluster overview", "Service detail", "Host detail", "Load balancers"]


def series_names(family: Metric) -> set[str]:
    if family.type == "counter":
        return {f"{family.name}_total"}
    if family.type == "histogram":
        return {f"{family.name}_{suffix}" for suffix in ("bucket", "sum", "count")}
    return {family.name}


def exported() -> set[str]:
    collected: list[Metric] = [
        *REGISTRY.collect(),
        *families(Snapshot(0.0, ())),
        *task_families([]),
        *service_families([]),
        *instance_families([]),
        *utilization_families({}),
        *StateCollector(None, is_leader=lambda: False, sessions=lambda: 0).collect(),  # type: ignore[arg-type]
    ]
    return {name for family in collected for name in series_names(family)}


def test_queries_name_only_metrics_berth_exports() -> None:
    names = exported()
    used = set(NAME.findall(DASHBOARD.read_text())) | set(NAME.findall((DEPLOY / "alerts.yml").read_text()))
    assert used, "no berth metric found in the dashboard and rules"
    assert used <= names, f"unknown metrics: {sorted(used - names)}"
