"""The `berth.v1.SecretsManager` servicer, shaped like AWS Secrets Manager.

Values go into etcd sealed (`SecretStore`); no response but GetSecretValue carries one, and no log
line, event or metric names one. RotateSecret puts a new value and, with restartServices, starts
a rolling deployment of every ECS service whose task definition reads the secret into environment
variables, so containers that read their secrets once at start get the new value without
downtime. Secrets read as files need no restart: every new value reaches the agents of the tasks
that read them (`controlplane.secrets.changes`), which rewrite the files in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from berth import arn as arns
from berth.errors import Conflict, InvalidArgument, shown
from berth.v1 import secretsmanager_pb2 as pb
from berth.v1 import types_pb2
from controlplane.api.base import decode_token, encode_token
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.secrets import refs
from controlplane.secrets.store import SecretStore, new_version_id
from controlplane.state.cluster_state import State
from controlplane.store import Delete, Put, keys

log = structlog.get_logger("berth.secrets")

# Restart one ECS service with a new deployment (cluster name, service name).
Restart = Callable[[str, str], Awaitable[None]]


def _ref(secret_id: str) -> refs.Ref:
    if not secret_id:
        raise InvalidArgument.field("secretId", "is required")
    ref = refs.parse(secret_id, "secretId")
    if not isinstance(ref, refs.Ref):
        raise InvalidArgument([ref])
    return ref


def _stages(record: pb.SecretRecord) -> dict[str, pb.StageList]:
    return {v.version_id: pb.StageList(stages=v.version_stages) for v in record.versions}


class SecretsManagerServicer:
    def __init__(self, secrets: SecretStore, state: State, restart: Restart | None = None) -> None:
        self.secrets = secrets
        self.store = secrets.store
        self.state = state
        self.restart = restart

    async def CreateSecret(self, req: pb.CreateSecretRequest, ctx: CallContext) -> pb.CreateSecretResponse:
        if not refs.NAME_RE.fullmatch(req.name) or refs.parse(req.name, "name") != refs.Ref(req.name):
            raise InvalidArgument.field(
                "name", f"{shown(req.name)!r} must be 1 to 512 of A-Z a-z 0-9 /_+=.@-"
            )
        if len(req.description) > 2048:
            raise InvalidArgument.field("description", "must be at most 2,048 characters")
        check_tags(req.tags)
        record = pb.SecretRecord(
            arn=self.secrets.new_arn(req.name),
            name=req.name,
            description=req.description,
            created_date=ctx.now(),
            tags=req.tags,
        )
        version_id = ""
        if req.secret_string:
            version_id = new_version_id(req.client_request_token)
            self.secrets.seal(record, req.secret_string, version_id, [refs.CURRENT], ctx.now())
        try:
            await self.store.commit(Put(keys.secret(req.name), record, 0))
        except Conflict:
            raise Conflict(
                f"The operation failed because the secret {req.name} already exists.",
                ecs_type="ResourceExistsException",
            ) from None
        log.info("secret_created", secret=record.arn)
        return pb.CreateSecretResponse(arn=record.arn, name=record.name, version_id=version_id)

    async def _new_value(
        self, secret_id: str, value: str, token: str, stages: list[str], now: float
    ) -> tuple[pb.SecretRecord, str]:
        if not value:
            raise InvalidArgument.field("secretString", "is required")
        for bad in stages:
            if not 1 <= len(bad) <= 256:
                raise InvalidArgument.field(
                    "versionStages", f"stage {shown(bad)!r} must be 1 to 256 characters"
                )
        version_id = new_version_id(token)
        for _ in range(20):
            current = await self.secrets.find(_ref(secret_id))
            record = pb.SecretRecord()
            record.CopyFrom(current.value)
            self.secrets.seal(record, value, version_id, stages or [refs.CURRENT], now)
            try:
                await self.store.commit(Put(current.key, record, current.mod_revision))
            except Conflict:
                continue
            log.info("secret_value_put", secret=record.arn, version=version_id)
            return record, version_id
        raise Conflict(f"secret {shown(secret_id)} is being changed concurrently; retry")

    async def PutSecretValue(
        self, req: pb.PutSecretValueRequest, ctx: CallContext
    ) -> pb.PutSecretValueResponse:
        record, version_id = await self._new_value(
            req.secret_id, req.secret_string, req.client_request_token, list(req.version_stages), ctx.now()
        )
        stages = next(v.version_stages for v in record.versions if v.version_id == version_id)
        return pb.PutSecretValueResponse(
            arn=record.arn, name=record.name, version_id=version_id, version_stages=stages
        )

    async def GetSecretValue(
        self, req: pb.GetSecretValueRequest, ctx: CallContext
    ) -> pb.GetSecretValueResponse:
        record = (await self.secrets.find(_ref(req.secret_id))).value
        version, value = self.secrets.open(record, version_id=req.version_id, version_stage=req.version_stage)
        return pb.GetSecretValueResponse(
            arn=record.arn,
            name=record.name,
            version_id=version.version_id,
            secret_string=value,
            version_stages=version.version_stages,
            created_date=version.created_date,
        )

    async def DescribeSecret(
        self, req: pb.DescribeSecretRequest, ctx: CallContext
    ) -> pb.DescribeSecretResponse:
        record = (await self.secrets.find(_ref(req.secret_id))).value
        return pb.DescribeSecretResponse(
            arn=record.arn,
            name=record.name,
            description=record.description,
            created_date=record.created_date,
            last_changed_date=record.last_changed_date,
            tags=record.tags,
            version_ids_to_stages=_stages(record),
        )

    async def ListSecrets(self, req: pb.ListSecretsRequest, ctx: CallContext) -> pb.ListSecretsResponse:
        limit = req.max_results if req.HasField("max_results") else 100
        if not 1 <= limit <= 100:
            raise InvalidArgument.field("maxResults", f"must be 1 to 100, got {limit}")
        after = decode_token(req.next_token, keys.SECRETS) if req.next_token else ""
        records, more = await self.store.list(keys.SECRETS, pb.SecretRecord, start_after=after, limit=limit)
        entries = [
            pb.SecretListEntry(
                arn=r.value.arn,
                name=r.value.name,
                description=r.value.description,
                created_date=r.value.created_date,
                last_changed_date=r.value.last_changed_date,
                tags=r.value.tags,
            )
            for r in records
        ]
        token = encode_token(keys.SECRETS, records[-1].key) if more and records else ""
        return pb.ListSecretsResponse(secret_list=entries, next_token=token)

    async def ListSecretVersionIds(
        self, req: pb.ListSecretVersionIdsRequest, ctx: CallContext
    ) -> pb.ListSecretVersionIdsResponse:
        record = (await self.secrets.find(_ref(req.secret_id))).value
        return pb.ListSecretVersionIdsResponse(
            arn=record.arn,
            name=record.name,
            versions=[
                pb.SecretVersionsListEntry(
                    version_id=v.version_id, version_stages=v.version_stages, created_date=v.created_date
                )
                for v in record.versions
            ],
        )

    async def DeleteSecret(self, req: pb.DeleteSecretRequest, ctx: CallContext) -> pb.DeleteSecretResponse:
        if req.HasField("recovery_window_in_days") and not 7 <= req.recovery_window_in_days <= 30:
            raise InvalidArgument.field(
                "recoveryWindowInDays", f"must be 7 to 30, got {req.recovery_window_in_days}"
            )
        current = await self.secrets.find(_ref(req.secret_id))
        try:
            await self.store.commit(Delete(current.key, current.mod_revision))
        except Conflict:
            raise Conflict(f"secret {shown(req.secret_id)} changed meanwhile; retry") from None
        log.info("secret_deleted", secret=current.value.arn)
        return pb.DeleteSecretResponse(
            arn=current.value.arn, name=current.value.name, deletion_date=ctx.now()
        )

    async def RotateSecret(self, req: pb.RotateSecretRequest, ctx: CallContext) -> pb.RotateSecretResponse:
        record, version_id = await self._new_value(req.secret_id, req.secret_string, "", [], ctx.now())
        restarted = []
        if req.restart_services:
            if self.restart is None:
                raise InvalidArgument.field("restartServices", "this control plane cannot restart services")
            for service in self._readers(record):
                cluster = service.cluster_arn.rsplit("/", 1)[-1]
                await self.restart(cluster, service.service_name)
                restarted.append(service.service_arn)
            log.info("secret_rotated", secret=record.arn, version=version_id, restarted=len(restarted))
        return pb.RotateSecretResponse(
            arn=record.arn, name=record.name, version_id=version_id, restarted_services=restarted
        )

    def _readers(self, record: pb.SecretRecord) -> list[types_pb2.Service]:
        """The ACTIVE services whose current task definition reads the secret into variables."""
        out = []
        for service in self.state.services.values():
            if service.status != "ACTIVE":
                continue
            family, revision = arns.task_definition_ref(service.task_definition)
            td = self.state.task_definitions.get(keys.task_definition(family, revision or 0))
            if td is None:
                continue
            for use in refs.uses(td):
                # Files are rewritten in place and pulls are done: only variables need a restart.
                if (
                    isinstance(use, refs.Use)
                    and use.kind in (refs.VARIABLE, refs.ENV_FILE)
                    and use.ref.name == record.name
                ):
                    out.append(service)
                    break
        return out
