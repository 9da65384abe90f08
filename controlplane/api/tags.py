"""Tag RPCs: TagResource, UntagResource, ListTagsForResource, on any berth resource by ARN.

Tags live in one record per resource (`keys.tags(arn)`), written with a CAS on that record and a
check that the resource still exists, so tagging never resurrects a deleted resource.
"""

from __future__ import annotations

from collections.abc import Sequence

from berth import arn
from berth.errors import Conflict, InvalidArgument, NotFound
from berth.v1 import ecs_messages_pb2 as ecs
from berth.v1 import store_pb2, types_pb2
from controlplane.api.base import ApiBase
from controlplane.api.context import CallContext
from controlplane.store import Check, Put, keys

MAX_TAGS = 50


def check_tags(tags: Sequence[types_pb2.Tag], field: str = "tags") -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidArgument.field(field, f"{len(tags)} tags given; at most {MAX_TAGS} per resource")
    seen: set[str] = set()
    for i, tag in enumerate(tags):
        if not 1 <= len(tag.key) <= 128:
            raise InvalidArgument.field(
                f"{field}[{i}].key", f"tag key {tag.key!r} must be 1 to 128 characters"
            )
        if len(tag.value) > 256:
            raise InvalidArgument.field(f"{field}[{i}].value", "tag value must be at most 256 characters")
        if tag.key.lower().startswith("aws:"):
            raise InvalidArgument.field(
                f"{field}[{i}].key", f"tag key {tag.key!r} uses the reserved prefix aws:"
            )
        if tag.key in seen:
            raise InvalidArgument.field(f"{field}[{i}].key", f"tag key {tag.key!r} is given twice")
        seen.add(tag.key)


def resource_key(resource_arn: str, field: str = "resourceArn") -> str:
    """The store key of the resource an ARN names."""
    parsed = arn.parse(resource_arn)
    if parsed is None:
        raise InvalidArgument.field(field, f"{resource_arn!r} is not an ARN")
    kind = parsed.resource_type
    if kind == "cluster":
        return keys.cluster(arn.check_name(parsed.resource, field, "cluster name"))
    if kind == "task-definition":
        family, revision = arn.task_definition_ref(resource_arn, field)
        if revision is None:
            raise InvalidArgument.field(field, f"{resource_arn!r} has no revision")
        return keys.task_definition(family, revision)
    scoped = {"task": keys.task, "service": keys.service, "container-instance": keys.instance}
    if kind in scoped:
        cluster, name = arn.scoped_id(resource_arn, kind, field)
        if cluster is None:
            raise InvalidArgument.field(field, f"{resource_arn!r} does not name its cluster")
        return scoped[kind](cluster, name)
    raise InvalidArgument.field(field, f"resource type {kind!r} cannot be tagged")


class TagApi(ApiBase):
    async def _existing(self, resource_arn: str) -> tuple[str, int]:
        key = resource_key(resource_arn)
        revision = await self.store.revision_of(key)
        if not revision:
            raise NotFound(f"resource {resource_arn!r} not found", ecs_type="ResourceNotFoundException")
        return key, revision

    async def _change_tags(self, resource_arn: str, change: dict[str, str | None]) -> None:
        for _ in range(20):
            key, revision = await self._existing(resource_arn)
            current = await self.store.get(keys.tags(resource_arn), store_pb2.TagSet)
            tags = {t.key: t.value for t in current.value.tags} if current else {}
            for k, v in change.items():
                if v is None:
                    tags.pop(k, None)
                else:
                    tags[k] = v
            new = store_pb2.TagSet(
                resource_arn=resource_arn, tags=[types_pb2.Tag(key=k, value=v) for k, v in tags.items()]
            )
            check_tags(new.tags)
            try:
                await self.store.commit(
                    Check(key, revision),
                    Put(keys.tags(resource_arn), new, current.mod_revision if current else 0),
                )
                return
            except Conflict:
                continue
        raise Conflict(f"the tags of {resource_arn} are being changed concurrently; retry")

    async def TagResource(self, req: ecs.TagResourceRequest, ctx: CallContext) -> ecs.TagResourceResponse:
        if not req.tags:
            raise InvalidArgument.field("tags", "at least one tag is required")
        check_tags(req.tags)
        await self._change_tags(req.resource_arn, {t.key: t.value for t in req.tags})
        return ecs.TagResourceResponse()

    async def UntagResource(
        self, req: ecs.UntagResourceRequest, ctx: CallContext
    ) -> ecs.UntagResourceResponse:
        if not req.tag_keys:
            raise InvalidArgument.field("tagKeys", "at least one tag key is required")
        await self._change_tags(req.resource_arn, dict.fromkeys(req.tag_keys))
        return ecs.UntagResourceResponse()

    async def ListTagsForResource(
        self, req: ecs.ListTagsForResourceRequest, ctx: CallContext
    ) -> ecs.ListTagsForResourceResponse:
        await self._existing(req.resource_arn)
        current = await self.store.get(keys.tags(req.resource_arn), store_pb2.TagSet)
        return ecs.ListTagsForResourceResponse(tags=current.value.tags if current else [])
