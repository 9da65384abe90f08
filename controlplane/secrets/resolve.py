"""The secrets a task starts with, as its agent asks for them (Agent/GetTaskSecrets).

Every secret a container reads (`environmentFiles[]`, then `secrets[]`, which win on a clash, as
variables or files; `repositoryCredentials` for its image pull) must be allowed to the task's
executionRoleArn (`secretsmanager:GetSecretValue` on the secret's ARN), as ECS has the agent fetch
secrets with the execution role. Anything missing, unreadable or not
allowed fails the whole task before a container is made, with ECS's ResourceInitializationError
naming the secret; a task is never started with some of its secrets.
"""

from __future__ import annotations

from berth.errors import BerthError, FailedPrecondition, shown
from berth.v1 import agent_pb2, types_pb2
from controlplane.iam.directory import Directory
from controlplane.secrets import refs
from controlplane.secrets.store import SecretStore

ACTION = "secretsmanager:GetSecretValue"
PREFIX = "ResourceInitializationError: unable to pull secrets or registry auth"


def _fail(reason: str) -> FailedPrecondition:
    return FailedPrecondition(f"{PREFIX}: {reason}", ecs_type="ResourceInitializationError")


async def task_secrets(
    td: types_pb2.TaskDefinition, secrets: SecretStore, directory: Directory
) -> list[agent_pb2.ContainerSecrets]:
    uses = list(refs.uses(td))
    if not uses:
        return []
    bad = [u for u in uses if not isinstance(u, refs.Use)]
    if bad:
        raise _fail("; ".join(f"{v.field}: {v.description}" for v in bad))  # type: ignore[union-attr]
    role = td.execution_role_arn
    policies = directory.role_policy_set(role) if role else None
    if policies is None:
        raise _fail(
            f"the task definition's executionRoleArn {shown(role)!r} is not a role"
            if role
            else "the task definition reads secrets (secrets, environmentFiles or repositoryCredentials) "
            "but has no executionRoleArn to fetch them with"
        )
    out: dict[str, agent_pb2.ContainerSecrets] = {}
    for use in uses:
        assert isinstance(use, refs.Use)
        try:
            record = (await secrets.find(use.ref)).value
        except BerthError:
            raise _fail(f"secret {use.ref.shown} ({use.field}) does not exist") from None
        decision = policies.decide(ACTION, record.arn, {"aws:PrincipalArn": role})
        if not decision.allowed:
            raise _fail(f"{role} is not authorized to perform {ACTION} on secret {record.arn} ({use.field})")
        try:
            _, value = secrets.open(
                record, version_id=use.ref.version_id, version_stage=use.ref.version_stage
            )
            value = refs.select(value, use.ref)
        except (BerthError, LookupError) as e:
            raise _fail(f"secret {use.ref.shown} ({use.field}): {getattr(e, 'message', e)}") from None
        container = out.setdefault(use.container, agent_pb2.ContainerSecrets(container_name=use.container))
        if use.kind == refs.FILE:
            container.files.append(agent_pb2.SecretFile(path=use.target, value=value))
        elif use.kind == refs.REGISTRY:
            try:
                username, password = refs.registry_auth(value, use.ref)
            except LookupError as e:
                raise _fail(f"{e} ({use.field})") from None
            container.registry_auth.CopyFrom(agent_pb2.RegistryAuth(username=username, password=password))
        else:
            pairs = refs.env_file(value) if use.kind == refs.ENV_FILE else [(use.target, value)]
            container.environment.extend(types_pb2.KeyValuePair(name=k, value=v) for k, v in pairs)
    return list(out.values())
