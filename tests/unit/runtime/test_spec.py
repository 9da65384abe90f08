"""create_kwargs and friends: every ECS container field that maps to Docker, table by table.

Definitions are written as ECS JSON and parsed with berth.jsonmsg, as the control plane does. The
last test feeds every table row through the Docker SDK's own argument conversion, so a kwarg the
SDK would refuse fails here in milliseconds instead of at container create.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.runtime import spec
from agent.runtime.errors import CannotCreateContainerError
from agent.runtime.model import Binding
from berth import jsonmsg
from berth.v1 import types_pb2

MIB = 1024 * 1024
S = 1_000_000_000


def ctx(**changes: Any) -> spec.TaskContext:
    base: dict[str, Any] = {
        "task_arn": "arn:berth:ecs:local:000000000000:task/prod/0123abcd",
        "task_id": "0123abcd",
        "cluster": "prod",
        "family": "web",
        "revision": 7,
        "instance_arn": "arn:berth:ecs:local:000000000000:container-instance/prod/i-1",
        "network_mode": "bridge",
    }
    base.update(changes)
    return spec.TaskContext(**base)


def definition(**fields: Any) -> types_pb2.ContainerDefinition:
    return jsonmsg.parse(
        {"name": "app", "image": "berth/busybox:latest", **fields}, types_pb2.ContainerDefinition
    )


def override(**fields: Any) -> types_pb2.ContainerOverride:
    return jsonmsg.parse({"name": "app", **fields}, types_pb2.ContainerOverride)


# (id, definition fields, override fields or None, context changes, expected kwargs subset, absent keys)
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any], dict[str, Any], list[str]]] = [
    (
        "minimal",
        {},
        None,
        {},
        {
            "image": "berth/busybox:latest",
            "name": "berth-0123abcd-app",
            "network_mode": "bridge",
            "cpu_shares": 2,
            "log_config": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}},
        },
        [
            "command",
            "entrypoint",
            "environment",
            "ports",
            "mem_limit",
            "restart_policy",
            "stop_signal",
            "cgroup_parent",
            "healthcheck",
            "hostname",
            "privileged",
            "read_only",
        ],
    ),
    ("command", {"command": ["sh", "-c", "echo hi"]}, None, {}, {"command": ["sh", "-c", "echo hi"]}, []),
    ("entry-point", {"entryPoint": ["/bin/sh", "-c"]}, None, {}, {"entrypoint": ["/bin/sh", "-c"]}, []),
    (
        "override-command-wins",
        {"command": ["a"]},
        {"command": ["b", "c"]},
        {},
        {"command": ["b", "c"]},
        [],
    ),
    (
        "empty-override-command-keeps-definition",
        {"command": ["a"]},
        {"command": []},
        {},
        {"command": ["a"]},
        [],
    ),
    (
        "environment",
        {"environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"environment": [{"name": "B", "value": "override"}, {"name": "C", "value": "3"}]},
        {},
        {"environment": {"A": "1", "B": "override", "C": "3"}},
        [],
    ),
    (
        "working-directory-user",
        {"workingDirectory": "/srv", "user": "1000:1000"},
        None,
        {},
        {"working_dir": "/srv", "user": "1000:1000"},
        [],
    ),
    ("hostname-bridge", {"hostname": "web1"}, None, {}, {"hostname": "web1"}, []),
    ("hostname-none", {"hostname": "web1"}, None, {"network_mode": "none"}, {"hostname": "web1"}, []),
    ("hostname-not-in-host-mode", {"hostname": "web1"}, None, {"network_mode": "host"}, {}, ["hostname"]),
    (
        "hostname-not-in-awsvpc",
        {"hostname": "web1"},
        None,
        {"network_mode": "awsvpc"},
        {},
        ["hostname"],
    ),
    ("empty-network-mode-is-bridge", {}, None, {"network_mode": ""}, {"network_mode": "bridge"}, []),
    ("host-network", {}, None, {"network_mode": "host"}, {"network_mode": "host"}, []),
    ("none-network", {}, None, {"network_mode": "none"}, {"network_mode": "none"}, []),
    (
        "awsvpc-joins-default-pause",
        {},
        None,
        {"network_mode": "awsvpc"},
        {"network_mode": "container:berth-0123abcd.pause"},
        [],
    ),
    (
        "awsvpc-joins-named-pause",
        {},
        None,
        {"network_mode": "awsvpc", "pause_container": "warm-sandbox-3"},
        {"network_mode": "container:warm-sandbox-3"},
        [],
    ),
    (
        "bridge-ports-dynamic-static-udp",
        {
            "portMappings": [
                {"containerPort": 8080},
                {"containerPort": 9090, "hostPort": 0},
                {"containerPort": 53, "hostPort": 5353, "protocol": "udp"},
                {"containerPort": 443, "hostPort": 8443, "protocol": "tcp"},
            ]
        },
        None,
        {},
        {
            "ports": {
                "8080/tcp": ("0.0.0.0", None),
                "9090/tcp": ("0.0.0.0", None),
                "53/udp": ("0.0.0.0", 5353),
                "443/tcp": ("0.0.0.0", 8443),
            }
        },
        [],
    ),
    (
        "bridge-ports-on-publish-ip",
        {"portMappings": [{"containerPort": 80}]},
        None,
        {"publish_ip": "127.0.0.1"},
        {"ports": {"80/tcp": ("127.0.0.1", None)}},
        [],
    ),
    (
        "same-container-port-twice",
        {"portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 80, "hostPort": 8081}]},
        None,
        {},
        {"ports": {"80/tcp": [("0.0.0.0", 8080), ("0.0.0.0", 8081)]}},
        [],
    ),
    (
        "container-port-range",
        {"portMappings": [{"containerPortRange": "7000-7002", "protocol": "udp"}]},
        None,
        {},
        {
            "ports": {
                "7000/udp": ("0.0.0.0", None),
                "7001/udp": ("0.0.0.0", None),
                "7002/udp": ("0.0.0.0", None),
            }
        },
        [],
    ),
    (
        "no-publishing-in-host-mode",
        {"portMappings": [{"containerPort": 80, "hostPort": 80}]},
        None,
        {"network_mode": "host"},
        {},
        ["ports"],
    ),
    (
        "no-publishing-in-awsvpc",
        {"portMappings": [{"containerPort": 80, "hostPort": 80}]},
        None,
        {"network_mode": "awsvpc"},
        {},
        ["ports"],
    ),
    (
        "no-publishing-in-none",
        {"portMappings": [{"containerPort": 80}]},
        None,
        {"network_mode": "none"},
        {},
        ["ports"],
    ),
    ("cpu-0-is-2-shares", {"cpu": 0}, None, {}, {"cpu_shares": 2}, []),
    ("cpu-1-is-2-shares", {"cpu": 1}, None, {}, {"cpu_shares": 2}, []),
    ("cpu-512", {"cpu": 512}, None, {}, {"cpu_shares": 512}, []),
    ("cpu-override", {"cpu": 512}, {"cpu": 256}, {}, {"cpu_shares": 256}, []),
    (
        "memory-and-reservation",
        {"memory": 512, "memoryReservation": 128},
        None,
        {},
        {"mem_limit": 512 * MIB, "mem_reservation": 128 * MIB},
        [],
    ),
    ("reservation-only", {"memoryReservation": 64}, None, {}, {"mem_reservation": 64 * MIB}, ["mem_limit"]),
    (
        "memory-override",
        {"memory": 512, "memoryReservation": 128},
        {"memory": 1024, "memoryReservation": 256},
        {},
        {"mem_limit": 1024 * MIB, "mem_reservation": 256 * MIB},
        [],
    ),
    (
        "ulimits",
        {
            "ulimits": [
                {"name": "nofile", "softLimit": 1024, "hardLimit": 4096},
                {"name": "core", "softLimit": 0, "hardLimit": 0},
            ]
        },
        None,
        {},
        {"ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 4096}, {"Name": "core", "Soft": 0, "Hard": 0}]},
        [],
    ),
    (
        "mount-points",
        {
            "mountPoints": [
                {"sourceVolume": "data", "containerPath": "/data"},
                {"sourceVolume": "conf", "containerPath": "/etc/app", "readOnly": True},
                {"sourceVolume": "scratch", "containerPath": "/tmp/shared"},
            ]
        },
        None,
        {
            "volumes": {
                "data": spec.VolumeSource("volume", "berth-0123abcd-data"),
                "conf": spec.VolumeSource("bind", "/srv/conf"),
                "scratch": spec.VolumeSource("tmp", "berth-0123abcd-scratch"),
            }
        },
        {
            "volumes": [
                "berth-0123abcd-data:/data:rw",
                "/srv/conf:/etc/app:ro",
                "berth-0123abcd-scratch:/tmp/shared:rw",
            ]
        },
        ["mounts"],
    ),
    (
        "anonymous-scratch-volume",
        {"mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch", "readOnly": True}]},
        None,
        {"volumes": {"scratch": spec.VolumeSource("tmp")}},
        {"mounts": [{"Type": "volume", "Target": "/scratch", "ReadOnly": True}]},
        ["volumes"],
    ),
    (
        "volumes-from",
        {"volumesFrom": [{"sourceContainer": "data"}, {"sourceContainer": "conf", "readOnly": True}]},
        None,
        {},
        {"volumes_from": ["berth-0123abcd-data:rw", "berth-0123abcd-conf:ro"]},
        [],
    ),
    (
        "links-in-bridge",
        {"links": ["db", "cache:redis"]},
        None,
        {},
        {"links": {"berth-0123abcd-db": "db", "berth-0123abcd-cache": "redis"}},
        [],
    ),
    ("no-links-in-awsvpc", {"links": ["db"]}, None, {"network_mode": "awsvpc"}, {}, ["links"]),
    (
        "flags",
        {"privileged": True, "readonlyRootFilesystem": True, "interactive": True, "pseudoTerminal": True},
        None,
        {},
        {"privileged": True, "read_only": True, "stdin_open": True, "tty": True},
        [],
    ),
    (
        "false-flags-left-out",
        {"privileged": False, "readonlyRootFilesystem": False, "essential": False},
        None,
        {},
        {},
        ["privileged", "read_only"],
    ),
    ("disable-networking", {"disableNetworking": True}, None, {}, {"network_disabled": True}, []),
    (
        "dns-and-hosts",
        {
            "extraHosts": [{"hostname": "db.local", "ipAddress": "10.0.0.5"}],
            "dnsServers": ["10.0.0.2"],
            "dnsSearchDomains": ["corp.local"],
        },
        None,
        {},
        {"extra_hosts": ["db.local:10.0.0.5"], "dns": ["10.0.0.2"], "dns_search": ["corp.local"]},
        [],
    ),
    (
        "no-dns-or-hosts-in-awsvpc",
        {"extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}], "dnsServers": ["10.0.0.2"]},
        None,
        {"network_mode": "awsvpc"},
        {},
        ["extra_hosts", "dns", "dns_search"],
    ),
    (
        "security-options-and-sysctls",
        {
            "dockerSecurityOptions": ["no-new-privileges"],
            "systemControls": [{"namespace": "net.core.somaxconn", "value": "1024"}],
        },
        None,
        {},
        {"security_opt": ["no-new-privileges"], "sysctls": {"net.core.somaxconn": "1024"}},
        [],
    ),
    (
        "linux-parameters",
        {
            "memory": 256,
            "linuxParameters": {
                "capabilities": {"add": ["NET_ADMIN"], "drop": ["MKNOD"]},
                "initProcessEnabled": True,
                "tmpfs": [{"containerPath": "/run", "size": 64, "mountOptions": ["rw", "noexec"]}],
                "sharedMemorySize": 128,
                "devices": [
                    {"hostPath": "/dev/fuse"},
                    {"hostPath": "/dev/null", "containerPath": "/dev/mynull", "permissions": ["read"]},
                ],
                "maxSwap": 512,
                "swappiness": 10,
            },
        },
        None,
        {},
        {
            "cap_add": ["NET_ADMIN"],
            "cap_drop": ["MKNOD"],
            "init": True,
            "tmpfs": {"/run": "rw,noexec,size=64m"},
            "shm_size": 128 * MIB,
            "devices": ["/dev/fuse:/dev/fuse:rwm", "/dev/null:/dev/mynull:r"],
            "memswap_limit": (256 + 512) * MIB,
            "mem_swappiness": 10,
        },
        [],
    ),
    (
        "max-swap-zero-disables-swap-default-swappiness",
        {"memory": 128, "linuxParameters": {"maxSwap": 0}},
        None,
        {},
        {"memswap_limit": 128 * MIB, "mem_swappiness": 60},
        [],
    ),
    (
        "swappiness-alone-is-ignored",
        {"memory": 128, "linuxParameters": {"swappiness": 10}},
        None,
        {},
        {},
        ["memswap_limit", "mem_swappiness"],
    ),
    (
        "health-check-with-defaults",
        {"healthCheck": {"command": ["CMD-SHELL", "wget -q -O- localhost || exit 1"]}},
        None,
        {},
        {
            "healthcheck": {
                "test": ["CMD-SHELL", "wget -q -O- localhost || exit 1"],
                "interval": 30 * S,
                "timeout": 5 * S,
                "retries": 3,
                "start_period": 0,
            }
        },
        [],
    ),
    (
        "health-check",
        {
            "healthCheck": {
                "command": ["CMD", "true"],
                "interval": 5,
                "timeout": 2,
                "retries": 1,
                "startPeriod": 10,
            }
        },
        None,
        {},
        {
            "healthcheck": {
                "test": ["CMD", "true"],
                "interval": 5 * S,
                "timeout": 2 * S,
                "retries": 1,
                "start_period": 10 * S,
            }
        },
        [],
    ),
    (
        "log-configuration",
        {"logConfiguration": {"logDriver": "syslog", "options": {"syslog-address": "udp://127.0.0.1:514"}}},
        None,
        {},
        {"log_config": {"Type": "syslog", "Config": {"syslog-address": "udp://127.0.0.1:514"}}},
        [],
    ),
    (
        "cgroup-parent",
        {},
        None,
        {"cgroup_parent": "/berth/0123abcd"},
        {"cgroup_parent": "/berth/0123abcd"},
        [],
    ),
    (
        "pid-ipc-host",
        {},
        None,
        {"pid_mode": "host", "ipc_mode": "host"},
        {"pid_mode": "host", "ipc_mode": "host"},
        [],
    ),
    (
        "pid-ipc-task-in-awsvpc",
        {},
        None,
        {"network_mode": "awsvpc", "pid_mode": "task", "ipc_mode": "task"},
        {"pid_mode": "container:berth-0123abcd.pause", "ipc_mode": "container:berth-0123abcd.pause"},
        [],
    ),
    (
        "pid-ipc-task-ignored-in-bridge",
        {},
        None,
        {"pid_mode": "task", "ipc_mode": "task"},
        {},
        ["pid_mode", "ipc_mode"],
    ),
    ("ipc-none", {}, None, {"ipc_mode": "none"}, {"ipc_mode": "none"}, []),
]


@pytest.mark.parametrize(
    ("fields", "override_fields", "context", "expected", "absent"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_create_kwargs(
    fields: dict[str, Any],
    override_fields: dict[str, Any] | None,
    context: dict[str, Any],
    expected: dict[str, Any],
    absent: list[str],
) -> None:
    kwargs = spec.create_kwargs(
        ctx(**context),
        definition(**fields),
        override(**override_fields) if override_fields is not None else None,
    )
    for key, value in expected.items():
        assert kwargs.get(key) == value, key
    for key in absent:
        assert key not in kwargs, key


def test_labels_carry_task_identity_and_user_labels_but_not_overrides() -> None:
    d = definition(dockerLabels={"team": "payments", "berth.task-arn": "forged", "berth.custom": "x"})
    labels = spec.create_kwargs(ctx(service_name="api"), d)["labels"]
    assert labels == {
        "team": "payments",
        "berth.task-arn": "arn:berth:ecs:local:000000000000:task/prod/0123abcd",
        "berth.task-id": "0123abcd",
        "berth.container-name": "app",
        "berth.cluster": "prod",
        "berth.family": "web",
        "berth.revision": "7",
        "berth.instance-arn": "arn:berth:ecs:local:000000000000:container-instance/prod/i-1",
        "berth.service": "api",
    }
    assert "berth.service" not in spec.labels(ctx(), "app")


def test_extra_env_wins_over_definition_and_override() -> None:
    kwargs = spec.create_kwargs(
        ctx(),
        definition(environment=[{"name": "A", "value": "def"}]),
        override(environment=[{"name": "A", "value": "override"}]),
        extra_env={"A": "secret", "B": "meta"},
    )
    assert kwargs["environment"] == {"A": "secret", "B": "meta"}


def test_names_are_deterministic_and_pause_never_collides() -> None:
    assert spec.container_name("abc", "web") == "berth-abc-web"
    assert spec.pause_name("abc") == "berth-abc.pause"
    assert spec.container_name("abc", "pause") != spec.pause_name("abc")
    assert spec.task_volume_name("abc", "data") == "berth-abc-data"


@pytest.mark.parametrize(
    ("fields", "volumes", "message"),
    [
        pytest.param(
            {"mountPoints": [{"sourceVolume": "x", "containerPath": "/x"}]},
            {},
            "'x' of container 'app'",
            id="unknown-volume",
        ),
        pytest.param(
            {"mountPoints": [{"sourceVolume": "x", "containerPath": "/x"}]},
            {"x": spec.VolumeSource("nfs", "h:/x")},
            "unknown kind 'nfs'",
            id="unknown-kind",
        ),
        pytest.param(
            {"portMappings": [{"containerPortRange": "80-x"}]}, {}, "containerPortRange", id="bad-range"
        ),
    ],
)
def test_unusable_definitions_raise_cannot_create(
    fields: dict[str, Any], volumes: dict[str, spec.VolumeSource], message: str
) -> None:
    with pytest.raises(CannotCreateContainerError, match=message) as exc:
        spec.create_kwargs(ctx(volumes=volumes), definition(**fields))
    assert exc.value.message.startswith("CannotCreateContainerError: ")


def test_unknown_network_mode_is_refused() -> None:
    with pytest.raises(CannotCreateContainerError, match="network mode 'nat'"):
        spec.create_kwargs(ctx(network_mode="nat"), definition())


def test_pause_kwargs() -> None:
    c = ctx(network_mode="awsvpc", cgroup_parent="/berth/0123abcd", publish_ip="127.0.0.1", ipc_mode="task")
    mappings = [
        types_pb2.PortMapping(container_port=80),
        types_pb2.PortMapping(container_port=53, protocol="udp"),
    ]
    kw = spec.pause_kwargs(c, port_mappings=mappings)
    assert kw["image"] == "berth/pause:latest"
    assert kw["name"] == "berth-0123abcd.pause"
    assert kw["network_mode"] == "bridge"
    assert kw["cgroup_parent"] == "/berth/0123abcd"
    assert kw["ports"] == {"80/tcp": ("127.0.0.1", None), "53/udp": ("127.0.0.1", None)}
    assert kw["labels"]["berth.container-name"] == "~pause"
    assert kw["labels"]["berth.task-id"] == "0123abcd"
    assert kw["ipc_mode"] == "shareable"
    assert "restart_policy" not in kw
    assert spec.pause_kwargs(ctx(network_mode="awsvpc"), "my/pause:1")["image"] == "my/pause:1"


def test_network_bindings_from_inspect() -> None:
    ports = {
        "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}, {"HostIp": "::", "HostPort": "49153"}],
        "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}],
        "81/tcp": None,
    }
    assert spec.network_bindings(ports) == [
        Binding("127.0.0.1", 53, 5353, "udp"),
        Binding("0.0.0.0", 80, 49153, "tcp"),
        Binding("::", 80, 49153, "tcp"),
    ]
    assert spec.network_bindings(None) == []
    assert spec.network_bindings({}) == []
    proto = Binding("0.0.0.0", 80, 49153, "tcp").to_proto()
    assert jsonmsg.to_dict(proto) == {
        "bindIP": "0.0.0.0",
        "containerPort": 80,
        "hostPort": 49153,
        "protocol": "tcp",
    }


def test_network_bindings_from_list_summary() -> None:
    ports = [
        {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 49153, "Type": "tcp"},
        {"PrivatePort": 81, "Type": "tcp"},
    ]
    assert spec.network_bindings_from_summary(ports) == [Binding("0.0.0.0", 80, 49153, "tcp")]


@pytest.mark.parametrize(
    ("fields", "override_fields", "context"),
    [pytest.param(*case[1:4], id=case[0]) for case in CASES],
)
def test_docker_sdk_accepts_every_case(
    fields: dict[str, Any], override_fields: dict[str, Any] | None, context: dict[str, Any]
) -> None:
    """The SDK converts the kwargs exactly as `containers.create()` would (no daemon involved)."""
    from docker.models.containers import _create_container_args

    kwargs = spec.create_kwargs(
        ctx(**context),
        definition(**fields),
        override(**override_fields) if override_fields is not None else None,
    )
    args = _create_container_args(dict(kwargs, version="1.41"))
    assert args["name"] == kwargs["name"]
    host_config = args["host_config"]
    assert "RestartPolicy" not in host_config
    if "ports" in kwargs:
        assert set(host_config["PortBindings"]) == set(kwargs["ports"])


def test_berth_dns_is_the_default_resolver() -> None:
    dns = ("172.17.0.1",)
    assert spec.create_kwargs(ctx(dns_servers=dns), definition())["dns"] == ["172.17.0.1"]
    host = ctx(dns_servers=dns, network_mode="host")
    assert spec.create_kwargs(host, definition())["dns"] == ["172.17.0.1"]
    own = definition(dnsServers=["10.0.0.2"])
    assert spec.create_kwargs(ctx(dns_servers=dns), own)["dns"] == ["10.0.0.2"]  # the definition's win
    assert "dns" not in spec.create_kwargs(ctx(dns_servers=dns, network_mode="none"), definition())
    assert "dns" not in spec.create_kwargs(ctx(), definition())
    awsvpc = ctx(dns_servers=dns, network_mode="awsvpc")
    assert "dns" not in spec.create_kwargs(awsvpc, definition())  # it joins the pause container's
    assert spec.pause_kwargs(awsvpc)["dns"] == ["172.17.0.1"]


def test_secret_files_are_read_only_binds_after_the_volumes() -> None:
    kwargs = spec.create_kwargs(
        ctx(volumes={"conf": spec.VolumeSource("bind", "/srv/conf")}),
        definition(mountPoints=[{"sourceVolume": "conf", "containerPath": "/etc/app"}]),
        secret_files=[("/run/berth-agent/secrets/i/t/app/db-1", "/run/secrets/db")],
    )
    assert kwargs["volumes"] == [
        "/srv/conf:/etc/app:rw",
        "/run/berth-agent/secrets/i/t/app/db-1:/run/secrets/db:ro",
    ]
    alone = spec.create_kwargs(ctx(), definition(), secret_files=[("/h/f", "/run/secrets/f")])
    assert alone["volumes"] == ["/h/f:/run/secrets/f:ro"]
    assert "volumes" not in spec.create_kwargs(ctx(), definition())
