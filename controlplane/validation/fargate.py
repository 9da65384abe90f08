"""Fargate rules for a task definition: the cpu/memory table and what Fargate refuses.

`validate_fargate` runs when a definition lists FARGATE in `requiresCompatibilities`, and later for
RunTask/CreateService with launchType FARGATE on any registered definition, so it accepts a
`RegisterTaskDefinitionRequest` or a stored `TaskDefinition` (same field names). The task size
parsers (`parse_cpu`, `parse_memory`) live here because the table is keyed by their results;
`taskdef` re-exports them. Checks are written in proto field order, so violations come out in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final, TypeAlias

from berth.errors import FieldViolation
from berth.units import parse_cpu, parse_memory
from berth.v1 import ecs_messages_pb2, types_pb2

TaskDefinitionLike: TypeAlias = ecs_messages_pb2.RegisterTaskDefinitionRequest | types_pb2.TaskDefinition


def _steps(first: int, last: int, step: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1, step))


# Task cpu units -> the memory sizes (MiB) Fargate accepts with it (ecs-semantics.md §6).
FARGATE_CPU_MEMORY: Final[Mapping[int, tuple[int, ...]]] = MappingProxyType(
    {
        256: (512, 1024, 2048),
        512: _steps(1024, 4096, 1024),
        1024: _steps(2048, 8192, 1024),
        2048: _steps(4096, 16384, 1024),
        4096: _steps(8192, 30720, 1024),
        8192: _steps(16384, 61440, 4096),
        16384: _steps(32768, 122880, 8192),
    }
)
WINDOWS_FARGATE_CPU: Final = (1024, 2048, 4096)
FARGATE_LOG_DRIVERS: Final = (
    "awslogs",
    "splunk",
    "awsfirelens",
    "json-file",
)  # json-file: berth's pool hosts
MAX_FARGATE_STOP_TIMEOUT: Final = 120

# ASCII digits only (`\d` would take other scripts), and few of them, so int() never sees a huge string.


def valid_fargate_pair(cpu: int, memory: int) -> bool:
    """Whether Fargate runs a task of `cpu` units and `memory` MiB."""
    return memory in FARGATE_CPU_MEMORY.get(cpu, ())


def validate_fargate(req: TaskDefinitionLike) -> list[FieldViolation]:
    """Every reason the definition cannot run on Fargate, in field order; empty when it can."""
    violations: list[FieldViolation] = []
    if req.network_mode != "awsvpc":
        shown = repr(req.network_mode) if req.network_mode else "unset (bridge)"
        violations.append(
            FieldViolation("networkMode", f"networkMode {shown} is not supported on Fargate; use awsvpc")
        )
    for i, container in enumerate(req.container_definitions):
        violations.extend(_check_container(container, f"containerDefinitions[{i}]"))
    for i, volume in enumerate(req.volumes):
        if volume.HasField("host") and volume.host.source_path:
            violations.append(
                FieldViolation(
                    f"volumes[{i}].host.sourcePath",
                    f"host sourcePath {volume.host.source_path!r} is not supported on Fargate; "
                    "leave it out for a task-scoped volume",
                )
            )
        if volume.HasField("docker_volume_configuration"):
            violations.append(
                FieldViolation(
                    f"volumes[{i}].dockerVolumeConfiguration",
                    "dockerVolumeConfiguration is not supported on Fargate",
                )
            )
    if req.placement_constraints:
        violations.append(
            FieldViolation("placementConstraints", "placementConstraints are not supported on Fargate")
        )
    violations.extend(_check_task_size(req))
    if req.pid_mode == "host":
        violations.append(FieldViolation("pidMode", "pidMode 'host' is not supported on Fargate"))
    if req.ipc_mode:
        violations.append(FieldViolation("ipcMode", f"ipcMode {req.ipc_mode!r} is not supported on Fargate"))
    return violations


def _check_container(c: types_pb2.ContainerDefinition, path: str) -> Iterator[FieldViolation]:
    if c.links:
        yield FieldViolation(f"{path}.links", "links are not supported on Fargate")
    if c.HasField("linux_parameters"):
        yield from _check_linux_parameters(c.linux_parameters, f"{path}.linuxParameters")
    if c.stop_timeout > MAX_FARGATE_STOP_TIMEOUT:
        yield FieldViolation(
            f"{path}.stopTimeout",
            f"stopTimeout {c.stop_timeout} exceeds the Fargate maximum of {MAX_FARGATE_STOP_TIMEOUT} seconds",
        )
    # Booleans only matter when true: an explicit false asks for the default.
    if c.disable_networking:
        yield FieldViolation(f"{path}.disableNetworking", "disableNetworking is not supported on Fargate")
    if c.privileged:
        yield FieldViolation(f"{path}.privileged", "privileged containers are not supported on Fargate")
    lists: tuple[tuple[str, int], ...] = (
        ("dnsServers", len(c.dns_servers)),
        ("dnsSearchDomains", len(c.dns_search_domains)),
        ("extraHosts", len(c.extra_hosts)),
        ("dockerSecurityOptions", len(c.docker_security_options)),
    )
    for name, count in lists:
        if count:
            yield FieldViolation(f"{path}.{name}", f"{name} is not supported on Fargate")
    driver = c.log_configuration.log_driver
    if c.HasField("log_configuration") and driver and driver not in FARGATE_LOG_DRIVERS:
        yield FieldViolation(
            f"{path}.logConfiguration.logDriver",
            f"logDriver {driver!r} is not supported on Fargate; use one of {', '.join(FARGATE_LOG_DRIVERS)}",
        )
    for k, requirement in enumerate(c.resource_requirements):
        if requirement.type == "GPU":
            yield FieldViolation(f"{path}.resourceRequirements[{k}]", "GPUs are not supported on Fargate")


def _check_linux_parameters(lp: types_pb2.LinuxParameters, path: str) -> Iterator[FieldViolation]:
    for k, capability in enumerate(lp.capabilities.add):
        if capability.removeprefix("CAP_") != "SYS_PTRACE":
            yield FieldViolation(
                f"{path}.capabilities.add[{k}]",
                f"capability {capability!r} cannot be added on Fargate; only SYS_PTRACE can",
            )
    if lp.devices:
        yield FieldViolation(f"{path}.devices", "devices are not supported on Fargate")
    if lp.HasField("shared_memory_size"):
        yield FieldViolation(f"{path}.sharedMemorySize", "sharedMemorySize is not supported on Fargate")
    if lp.HasField("max_swap"):
        yield FieldViolation(f"{path}.maxSwap", "maxSwap is not supported on Fargate")
    if lp.HasField("swappiness"):
        yield FieldViolation(f"{path}.swappiness", "swappiness is not supported on Fargate")


def _check_task_size(req: TaskDefinitionLike) -> Iterator[FieldViolation]:
    cpu = parse_cpu(req.cpu)
    memory = parse_memory(req.memory)
    windows = req.runtime_platform.operating_system_family.startswith("WINDOWS")
    sizes = WINDOWS_FARGATE_CPU if windows else tuple(FARGATE_CPU_MEMORY)
    if not req.cpu:
        yield FieldViolation("cpu", "cpu is required on Fargate")
    elif cpu is None:
        yield FieldViolation("cpu", f"cpu {req.cpu!r} is not a valid task cpu")
    elif cpu not in sizes:
        platform = "Windows tasks on Fargate" if windows else "Fargate"
        yield FieldViolation(
            "cpu", f"cpu {cpu} is not a task size {platform} offers; use one of {_join(sizes)} CPU units"
        )
    if not req.memory:
        yield FieldViolation("memory", "memory is required on Fargate")
    elif memory is None:
        yield FieldViolation("memory", f"memory {req.memory!r} is not a valid task memory")
    elif cpu in sizes and not valid_fargate_pair(cpu, memory):
        yield FieldViolation(
            "memory",
            f"memory {memory} MiB is not valid with cpu {cpu} on Fargate; "
            f"cpu {cpu} takes {_describe_memory(FARGATE_CPU_MEMORY[cpu])} MiB",
        )


def _describe_memory(options: tuple[int, ...]) -> str:
    steps = {b - a for a, b in itertools.pairwise(options)}
    if len(options) > 3 and len(steps) == 1:
        return f"{options[0]} to {options[-1]} in steps of {steps.pop()}"
    return _join(options)


def _join(values: tuple[int, ...]) -> str:
    return ", ".join(map(str, values[:-1])) + f" or {values[-1]}" if len(values) > 1 else str(values[0])
