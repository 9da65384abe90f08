"""Which cluster a CLI command works on when it is given full ARNs.

A task, service or container instance ARN names its cluster (`task/<cluster>/<id>`), so
`berth logs <task ARN>` needs no `--cluster`: the cluster comes from the ARN. A `--cluster` that
says otherwise, or ARNs of several clusters in one call, are refused with an error naming both.
Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from berth import arn
from berth.cli.rpc import kebab

SCOPED_TYPES = ("task", "service", "container-instance")

# Request fields (ECS JSON names) that take task, service or container instance ids or ARNs.
SCOPED_FIELDS = ("task", "tasks", "service", "services", "containerInstance", "containerInstances")


def cluster_in(ref: str) -> str | None:
    """The cluster a task, service or container instance ARN names; None for a name, an id or an
    old-style ARN without the cluster."""
    parsed = arn.parse(ref)
    if parsed is None or parsed.resource_type not in SCOPED_TYPES:
        return None
    cluster, sep, _ = parsed.resource.partition("/")
    return cluster if sep and cluster else None


def cluster_for(cluster: str, refs: Iterable[tuple[str, str]]) -> str:
    """The cluster to call: `cluster` (the --cluster value, "" when not given), else the one the
    ARNs among `refs` ((flag, value) pairs) name. ValueError when they disagree."""
    named: dict[str, tuple[str, str]] = {}
    for flag, value in refs:
        found = cluster_in(value)
        if found is not None:
            named.setdefault(found, (flag, value))
    if len(named) > 1:
        shown = ", ".join(f"{flag} {value} (cluster {c!r})" for c, (flag, value) in named.items())
        raise ValueError(f"ARNs of several clusters in one command: {shown}; give one cluster's at a time")
    if not named:
        return cluster
    ((found, (flag, value)),) = named.items()
    if cluster and _name(cluster) != found:
        raise ValueError(
            f"--cluster {cluster!r} contradicts {flag} {value}, which is in cluster {found!r}; "
            "leave --cluster out or give the ARN's cluster"
        )
    return cluster or found


def request_cluster(request: dict[str, object]) -> str:
    """`cluster_for` over an ECS request dict: its `cluster` and its task/service/instance fields."""
    refs: list[tuple[str, str]] = []
    for name in SCOPED_FIELDS:
        value = request.get(name)
        values = value if isinstance(value, list) else [value]
        refs += [(f"--{kebab(name)}", v) for v in values if isinstance(v, str)]
    cluster = request.get("cluster", "")
    return cluster_for(cluster if isinstance(cluster, str) else "", refs)


def _name(cluster: str) -> str:
    parsed = arn.parse(cluster)
    return parsed.resource if parsed is not None and parsed.resource_type == "cluster" else cluster
