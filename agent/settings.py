"""Settings of one agent (from flags; frozen once started)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path


def _version() -> str:
    try:
        return metadata.version("berth")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0.0.0"


# The installed package's version: an upgrade in place (deploy/install-agent.sh) shows in
# DescribeContainerInstances' versionInfo.agentVersion.
AGENT_VERSION = _version()
PULL_BEHAVIORS = ("default", "always", "once", "prefer-cached")
# ECS reserves these TCP ports on every instance (ssh, Docker's API, the ECS agent's own).
DEFAULT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)
# The tmpfs for secrets read as files (agent.secretfiles); mounted by the agent when it is not one.
DEFAULT_SECRETS_DIR = Path("/run/berth-agent/secrets")


@dataclass(frozen=True)
class AgentSettings:
    endpoint: str
    data_dir: Path
    cluster: str = "default"
    join_token: str = ""
    ca_file: Path | None = None  # verifies the control plane's user port (default: from the join token)
    agent_endpoints: tuple[str, ...] = ()  # where to hold the session (default: what the control plane says)
    name: str = ""
    pool: str = ""  # "fargate": join the hidden FARGATE pool instead of a cluster
    attributes: dict[str, str] = field(default_factory=dict)
    availability_zone: str = "local"
    instance_type: str = "berth"
    http_addr: str = "127.0.0.1:0"
    cpu_units: int = 0  # 0: 1024 per core
    memory_mib: int = 0  # 0: the host's memory
    reserved_memory_mib: int = 0
    reserved_ports: tuple[int, ...] = DEFAULT_RESERVED_PORTS
    reserved_ports_udp: tuple[int, ...] = ()
    publish_ip: str = "0.0.0.0"
    image_pull_behavior: str = "default"
    heartbeat_seconds: float = 3.0
    stop_timeout_seconds: float = 30.0
    container_cleanup_wait_seconds: float = 3 * 3600.0
    docker_url: str = ""
    pause_image: str = "berth/pause:latest"
    cgroup_root: str = "/sys/fs/cgroup"
    task_cgroups: bool = True  # per-task cgroups for task-level cpu/memory limits
    stats_interval_seconds: float = 10.0  # how often tasks' usage goes to the control plane
    warm_sandboxes: int = 0  # FARGATE sandboxes kept ready (pool agents)
    warm_idle_seconds: float = 600.0  # with no FARGATE task for this long, keep just one ready
    drain_on_stop: bool = False  # on SIGTERM: DRAINING, wait for service tasks to move, then exit
    drain_timeout_seconds: float = 300.0  # the longest a stop waits for that
    # Where task role credentials are served (agent.credentials); "": nowhere (tasks with a
    # taskRoleArn then fail to start).
    credentials_addr: str = "169.254.170.2:80"
    secrets_dir: Path = DEFAULT_SECRETS_DIR
