"""The `berth.v1.IAM` servicer: users, access keys, inline and managed policies, the simulator.

Records live in etcd (`keys.iam_user`, `keys.iam_policy`; access keys at `keys.access_key` as the
admin key's do) and every change is one CAS transaction: a user's record counts its access keys and
a managed policy its attachments, so DeleteUser and DeletePolicy cannot race a CreateAccessKey or
an AttachUserPolicy. Refusals follow IAM: NoSuchEntity, EntityAlreadyExists, DeleteConflict,
LimitExceeded, MalformedPolicyDocument (naming the JSON path). Policy documents are checked with
`controlplane.iam.policy.parse` before they are stored.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from berth.arn import ArnFactory
from berth.errors import AlreadyExists, Conflict, FailedPrecondition, InvalidArgument, NotFound, shown
from berth.v1 import iam_pb2 as pb
from berth.v1 import store_pb2
from controlplane.api.context import CallContext
from controlplane.api.tags import check_tags
from controlplane.auth import ADMIN, Authenticator, new_access_key
from controlplane.iam.directory import BUILTIN, Directory, builtin_policies
from controlplane.iam.evaluate import PolicySet
from controlplane.iam.policy import parse
from controlplane.store import Delete, EtcdStore, Put, Versioned, keys

USER_NAME = re.compile(r"[\w+=,.@-]{1,64}")
ROLE_NAME = USER_NAME
POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}")
MAX_ACCESS_KEYS = 2  # IAM's limit per user
MAX_INLINE_POLICIES = 10
MAX_ATTACHED_POLICIES = 10  # IAM's default quota of managed policies per user
MAX_SIMULATED = 100  # actions x resources of one simulation


# What a task's role trusts when CreateRole is given no trust policy: ECS tasks.
DEFAULT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
Holder = pb.User | pb.Role


@dataclass(frozen=True)
class _Kind:
    """Users and roles hold policies the same way."""

    what: str  # user | role
    field: str  # the request field naming one
    cls: type[pb.User] | type[pb.Role]
    key: Callable[[str], str]
    pattern: re.Pattern[str]


USER = _Kind("user", "userName", pb.User, keys.iam_user, USER_NAME)
ROLE = _Kind("role", "roleName", pb.Role, keys.iam_role, ROLE_NAME)


def _name(value: str, field: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.fullmatch(value):
        longest = 64 if pattern is USER_NAME else 128
        raise InvalidArgument.field(
            field, f"{what} {shown(value)!r} must be 1 to {longest} of A-Z a-z 0-9 +=,.@_-"
        )
    return value


def _user_name(value: str, field: str = "userName") -> str:
    return _name(value, field, USER_NAME, "user name")


def _document(name: str, text: str) -> str:
    if not text:
        raise InvalidArgument.field("policyDocument", "is required")
    parse(name, text)  # raises naming the JSON path
    return text


class IamServicer:
    def __init__(
        self, store: EtcdStore, arns: ArnFactory, authenticator: Authenticator, directory: Directory
    ) -> None:
        self.store = store
        self.arns = arns
        self.authenticator = authenticator
        self.directory = directory

    async def _commit(self, *ops: Put | Delete) -> None:
        """Commit, and show our own writes to this replica's authorizer before the call returns."""
        self.directory.note_commit(ops, await self.store.commit(*ops))

    def _user_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.arns.account}:user/{name}"

    def _policy_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.arns.account}:policy/{name}"

    async def _holder(self, kind: _Kind, name: str, field: str = "") -> Versioned[Holder]:
        _name(name, field or kind.field, kind.pattern, f"{kind.what} name")
        record = await self.store.get(kind.key(name), kind.cls)
        if record is None:
            raise NotFound(f"The {kind.what} with name {name} cannot be found.", ecs_type="NoSuchEntity")
        return record

    async def _user(self, name: str, field: str = "userName") -> Versioned[pb.User]:
        return await self._holder(USER, name, field)  # type: ignore[return-value]

    async def _change(self, kind: _Kind, name: str, change: Callable[[Holder], None]) -> None:
        """Read-modify-write a user or role with CAS; `change` edits it in place or raises."""
        for _ in range(20):
            record = await self._holder(kind, name)
            holder = copy.deepcopy(record.value)
            change(holder)
            try:
                await self._commit(Put(record.key, holder, record.mod_revision))
                return
            except Conflict:
                continue
        raise Conflict(f"{kind.what} {name} is being changed concurrently; retry")

    async def _put_policy(self, kind: _Kind, name: str, policy_name: str, text: str) -> None:
        policy_name = _name(policy_name, "policyName", POLICY_NAME, "policy name")
        document = _document(policy_name, text)

        def change(holder: Holder) -> None:
            if (
                policy_name not in holder.inline_policies
                and len(holder.inline_policies) >= MAX_INLINE_POLICIES
            ):
                raise FailedPrecondition(
                    f"Cannot exceed quota for inline policies per {kind.what}: {MAX_INLINE_POLICIES}",
                    ecs_type="LimitExceeded",
                )
            holder.inline_policies[policy_name] = document

        await self._change(kind, name, change)

    async def _inline(self, kind: _Kind, name: str, policy_name: str) -> str:
        holder = (await self._holder(kind, name)).value
        if policy_name not in holder.inline_policies:
            raise NotFound(
                f"The {kind.what} policy with name {shown(policy_name)} cannot be found.",
                ecs_type="NoSuchEntity",
            )
        return holder.inline_policies[policy_name]

    async def _delete_policy(self, kind: _Kind, name: str, policy_name: str) -> None:
        def change(holder: Holder) -> None:
            if policy_name not in holder.inline_policies:
                raise NotFound(
                    f"The {kind.what} policy with name {shown(policy_name)} cannot be found.",
                    ecs_type="NoSuchEntity",
                )
            del holder.inline_policies[policy_name]

        await self._change(kind, name, change)

    async def _attached(self, kind: _Kind, name: str) -> list[pb.AttachedPolicy]:
        holder = (await self._holder(kind, name)).value
        return [
            pb.AttachedPolicy(policy_name=a.rsplit("/", 1)[-1], policy_arn=a)
            for a in holder.attached_policy_arns
        ]

    # --- users ---

    async def CreateUser(self, req: pb.CreateUserRequest, ctx: CallContext) -> pb.CreateUserResponse:
        name = _user_name(req.user_name)
        if name == ADMIN:
            raise InvalidArgument.field(
                "userName", "'admin' is berth's bootstrap administrator; pick another name"
            )
        check_tags(req.tags)
        user = pb.User(
            user_name=name,
            user_id="AIDA" + secrets.token_hex(8).upper(),
            arn=self._user_arn(name),
            create_date=ctx.now(),
            tags=req.tags,
        )
        try:
            await self._commit(Put(keys.iam_user(name), user, 0))
        except Conflict:
            raise AlreadyExists(
                f"User with name {name} already exists.", ecs_type="EntityAlreadyExists"
            ) from None
        return pb.CreateUserResponse(user=user)

    async def GetUser(self, req: pb.GetUserRequest, ctx: CallContext) -> pb.GetUserResponse:
        return pb.GetUserResponse(user=(await self._user(req.user_name)).value)

    async def ListUsers(self, req: pb.ListUsersRequest, ctx: CallContext) -> pb.ListUsersResponse:
        limit = _max_items(req)
        after = keys.iam_user(_user_name(req.marker, "marker")) if req.marker else ""
        records, more = await self.store.list(keys.IAM_USERS, pb.User, start_after=after, limit=limit)
        users = [r.value for r in records]
        marker = users[-1].user_name if more and users else ""
        return pb.ListUsersResponse(users=users, marker=marker, is_truncated=bool(marker))

    async def DeleteUser(self, req: pb.DeleteUserRequest, ctx: CallContext) -> pb.DeleteUserResponse:
        record = await self._user(req.user_name)
        user = record.value
        if user.access_key_count or user.inline_policies or user.attached_policy_arns:
            raise FailedPrecondition(
                f"Cannot delete user {user.user_name}: it still has {user.access_key_count} access key(s), "
                f"{len(user.inline_policies)} inline and {len(user.attached_policy_arns)} attached "
                "policies; delete and detach them first.",
                ecs_type="DeleteConflict",
            )
        try:
            await self._commit(Delete(record.key, record.mod_revision))
        except Conflict:
            raise Conflict(f"user {user.user_name} changed meanwhile; retry") from None
        return pb.DeleteUserResponse()

    # --- access keys ---

    async def _keys_of(self, user_name: str) -> list[Versioned[store_pb2.AccessKey]]:
        out, after = [], ""
        while True:
            batch, more = await self.store.list(
                keys.ACCESS_KEYS, store_pb2.AccessKey, start_after=after, limit=500
            )
            out += [r for r in batch if r.value.principal == user_name]
            if not more or not batch:
                return out
            after = batch[-1].key

    async def CreateAccessKey(
        self, req: pb.CreateAccessKeyRequest, ctx: CallContext
    ) -> pb.CreateAccessKeyResponse:
        for _ in range(20):
            record = await self._user(req.user_name)
            user = pb.User()
            user.CopyFrom(record.value)
            if user.access_key_count >= MAX_ACCESS_KEYS:
                raise FailedPrecondition(
                    f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}", ecs_type="LimitExceeded"
                )
            user.access_key_count += 1
            key = new_access_key(user.user_name, ())
            try:
                await self._commit(
                    Put(record.key, user, record.mod_revision),
                    Put(keys.access_key(key.access_key_id), key, 0),
                )
            except Conflict:
                continue
            return pb.CreateAccessKeyResponse(
                access_key=pb.AccessKeyWithSecret(
                    user_name=user.user_name,
                    access_key_id=key.access_key_id,
                    secret_access_key=key.secret_access_key,
                    status=key.status,
                    create_date=key.created_at,
                )
            )
        raise Conflict(f"user {req.user_name} is being changed concurrently; retry")

    async def ListAccessKeys(
        self, req: pb.ListAccessKeysRequest, ctx: CallContext
    ) -> pb.ListAccessKeysResponse:
        user = (await self._user(req.user_name)).value
        return pb.ListAccessKeysResponse(
            access_key_metadata=[
                pb.AccessKeyMetadata(
                    user_name=user.user_name,
                    access_key_id=r.value.access_key_id,
                    status=r.value.status,
                    create_date=r.value.created_at,
                )
                for r in await self._keys_of(user.user_name)
            ]
        )

    async def _key(self, user_name: str, key_id: str) -> Versioned[store_pb2.AccessKey]:
        await self._user(user_name)
        if not key_id:
            raise InvalidArgument.field("accessKeyId", "is required")
        record = await self.store.get(keys.access_key(key_id), store_pb2.AccessKey)
        if record is None or record.value.principal != user_name:
            raise NotFound(
                f"The Access Key with id {shown(key_id)} cannot be found for user {user_name}.",
                ecs_type="NoSuchEntity",
            )
        return record

    async def UpdateAccessKey(
        self, req: pb.UpdateAccessKeyRequest, ctx: CallContext
    ) -> pb.UpdateAccessKeyResponse:
        if req.status not in ("Active", "Inactive"):
            raise InvalidArgument.field(
                "status", f'must be "Active" or "Inactive", got {shown(req.status)!r}'
            )
        record = await self._key(req.user_name, req.access_key_id)
        key = store_pb2.AccessKey()
        key.CopyFrom(record.value)
        key.status = req.status
        try:
            await self._commit(Put(record.key, key, record.mod_revision))
        except Conflict:
            raise Conflict(f"access key {req.access_key_id} changed meanwhile; retry") from None
        self.authenticator.forget(req.access_key_id)
        return pb.UpdateAccessKeyResponse()

    async def DeleteAccessKey(
        self, req: pb.DeleteAccessKeyRequest, ctx: CallContext
    ) -> pb.DeleteAccessKeyResponse:
        for _ in range(20):
            key = await self._key(req.user_name, req.access_key_id)
            user_record = await self._user(req.user_name)
            user = pb.User()
            user.CopyFrom(user_record.value)
            user.access_key_count = max(0, user.access_key_count - 1)
            try:
                await self._commit(
                    Delete(key.key, key.mod_revision), Put(user_record.key, user, user_record.mod_revision)
                )
            except Conflict:
                continue
            self.authenticator.forget(req.access_key_id)
            return pb.DeleteAccessKeyResponse()
        raise Conflict(f"user {req.user_name} is being changed concurrently; retry")

    # --- inline policies ---

    async def PutUserPolicy(self, req: pb.PutUserPolicyRequest, ctx: CallContext) -> pb.PutUserPolicyResponse:
        await self._put_policy(USER, req.user_name, req.policy_name, req.policy_document)
        return pb.PutUserPolicyResponse()

    async def GetUserPolicy(self, req: pb.GetUserPolicyRequest, ctx: CallContext) -> pb.GetUserPolicyResponse:
        document = await self._inline(USER, req.user_name, req.policy_name)
        return pb.GetUserPolicyResponse(
            user_name=req.user_name, policy_name=req.policy_name, policy_document=document
        )

    async def ListUserPolicies(
        self, req: pb.ListUserPoliciesRequest, ctx: CallContext
    ) -> pb.ListUserPoliciesResponse:
        user = (await self._user(req.user_name)).value
        return pb.ListUserPoliciesResponse(policy_names=sorted(user.inline_policies))

    async def DeleteUserPolicy(
        self, req: pb.DeleteUserPolicyRequest, ctx: CallContext
    ) -> pb.DeleteUserPolicyResponse:
        await self._delete_policy(USER, req.user_name, req.policy_name)
        return pb.DeleteUserPolicyResponse()

    # --- roles ---

    async def CreateRole(self, req: pb.CreateRoleRequest, ctx: CallContext) -> pb.CreateRoleResponse:
        name = _name(req.role_name, "roleName", ROLE_NAME, "role name")
        check_tags(req.tags)
        trust = req.assume_role_policy_document or json.dumps(DEFAULT_TRUST)
        try:
            json.loads(trust)
        except ValueError as e:
            raise InvalidArgument.field("assumeRolePolicyDocument", f"is not JSON: {e}") from None
        duration = req.max_session_duration if req.HasField("max_session_duration") else 3600
        if not 3600 <= duration <= 43200:
            raise InvalidArgument.field(
                "maxSessionDuration", f"must be 3600 to 43200 seconds, got {duration}"
            )
        if len(req.description) > 1000:
            raise InvalidArgument.field("description", "must be at most 1,000 characters")
        role = pb.Role(
            role_name=name,
            role_id="AROA" + secrets.token_hex(8).upper(),
            arn=f"arn:aws:iam::{self.arns.account}:role/{name}",
            create_date=ctx.now(),
            assume_role_policy_document=trust,
            description=req.description,
            max_session_duration=duration,
            tags=req.tags,
        )
        try:
            await self._commit(Put(keys.iam_role(name), role, 0))
        except Conflict:
            raise AlreadyExists(
                f"Role with name {name} already exists.", ecs_type="EntityAlreadyExists"
            ) from None
        return pb.CreateRoleResponse(role=role)

    async def GetRole(self, req: pb.GetRoleRequest, ctx: CallContext) -> pb.GetRoleResponse:
        return pb.GetRoleResponse(role=(await self._holder(ROLE, req.role_name)).value)  # type: ignore[arg-type]

    async def ListRoles(self, req: pb.ListRolesRequest, ctx: CallContext) -> pb.ListRolesResponse:
        limit = _max_items(req)
        after = keys.iam_role(_name(req.marker, "marker", ROLE_NAME, "role name")) if req.marker else ""
        records, more = await self.store.list(keys.IAM_ROLES, pb.Role, start_after=after, limit=limit)
        roles = [r.value for r in records]
        marker = roles[-1].role_name if more and roles else ""
        return pb.ListRolesResponse(roles=roles, marker=marker, is_truncated=bool(marker))

    async def DeleteRole(self, req: pb.DeleteRoleRequest, ctx: CallContext) -> pb.DeleteRoleResponse:
        record = await self._holder(ROLE, req.role_name)
        role = record.value
        if role.inline_policies or role.attached_policy_arns:
            raise FailedPrecondition(
                f"Cannot delete role {req.role_name}: it still has {len(role.inline_policies)} inline and "
                f"{len(role.attached_policy_arns)} attached policies; delete and detach them first.",
                ecs_type="DeleteConflict",
            )
        try:
            await self._commit(Delete(record.key, record.mod_revision))
        except Conflict:
            raise Conflict(f"role {req.role_name} changed meanwhile; retry") from None
        return pb.DeleteRoleResponse()

    async def PutRolePolicy(self, req: pb.PutRolePolicyRequest, ctx: CallContext) -> pb.PutRolePolicyResponse:
        await self._put_policy(ROLE, req.role_name, req.policy_name, req.policy_document)
        return pb.PutRolePolicyResponse()

    async def GetRolePolicy(self, req: pb.GetRolePolicyRequest, ctx: CallContext) -> pb.GetRolePolicyResponse:
        document = await self._inline(ROLE, req.role_name, req.policy_name)
        return pb.GetRolePolicyResponse(
            role_name=req.role_name, policy_name=req.policy_name, policy_document=document
        )

    async def ListRolePolicies(
        self, req: pb.ListRolePoliciesRequest, ctx: CallContext
    ) -> pb.ListRolePoliciesResponse:
        role = (await self._holder(ROLE, req.role_name)).value
        return pb.ListRolePoliciesResponse(policy_names=sorted(role.inline_policies))

    async def DeleteRolePolicy(
        self, req: pb.DeleteRolePolicyRequest, ctx: CallContext
    ) -> pb.DeleteRolePolicyResponse:
        await self._delete_policy(ROLE, req.role_name, req.policy_name)
        return pb.DeleteRolePolicyResponse()

    async def AttachRolePolicy(
        self, req: pb.AttachRolePolicyRequest, ctx: CallContext
    ) -> pb.AttachRolePolicyResponse:
        await self._attachment(ROLE, req.role_name, req.policy_arn, attach=True)
        return pb.AttachRolePolicyResponse()

    async def DetachRolePolicy(
        self, req: pb.DetachRolePolicyRequest, ctx: CallContext
    ) -> pb.DetachRolePolicyResponse:
        await self._attachment(ROLE, req.role_name, req.policy_arn, attach=False)
        return pb.DetachRolePolicyResponse()

    async def ListAttachedRolePolicies(
        self, req: pb.ListAttachedRolePoliciesRequest, ctx: CallContext
    ) -> pb.ListAttachedRolePoliciesResponse:
        return pb.ListAttachedRolePoliciesResponse(
            attached_policies=await self._attached(ROLE, req.role_name)
        )

    # --- managed policies ---

    async def _managed(self, policy_arn: str) -> tuple[pb.ManagedPolicy, Versioned[pb.ManagedPolicy] | None]:
        """A managed policy by ARN: (policy, its record; None for a built-in one)."""
        for builtin in builtin_policies():
            if builtin.arn == policy_arn:
                return builtin, None
        if not policy_arn.startswith(f"arn:aws:iam::{self.arns.account}:policy/"):
            raise InvalidArgument.field(
                "policyArn", f"{shown(policy_arn)!r} is not a policy ARN of this account"
            )
        name = policy_arn.rsplit("/", 1)[-1]
        record = await self.store.get(keys.iam_policy(name), pb.ManagedPolicy)
        if record is None:
            raise NotFound(f"Policy {shown(policy_arn)} does not exist.", ecs_type="NoSuchEntity")
        return record.value, record

    async def CreatePolicy(self, req: pb.CreatePolicyRequest, ctx: CallContext) -> pb.CreatePolicyResponse:
        name = _name(req.policy_name, "policyName", POLICY_NAME, "policy name")
        if name in BUILTIN:
            raise AlreadyExists(f"A policy called {name} is built in.", ecs_type="EntityAlreadyExists")
        if len(req.description) > 1000:
            raise InvalidArgument.field("description", "must be at most 1,000 characters")
        policy = pb.ManagedPolicy(
            policy_name=name,
            policy_id="ANPA" + secrets.token_hex(8).upper(),
            arn=self._policy_arn(name),
            description=req.description,
            create_date=ctx.now(),
            policy_document=_document(name, req.policy_document),
        )
        try:
            await self._commit(Put(keys.iam_policy(name), policy, 0))
        except Conflict:
            raise AlreadyExists(
                f"A policy called {name} already exists.", ecs_type="EntityAlreadyExists"
            ) from None
        return pb.CreatePolicyResponse(policy=policy)

    async def GetPolicy(self, req: pb.GetPolicyRequest, ctx: CallContext) -> pb.GetPolicyResponse:
        policy, _ = await self._managed(req.policy_arn)
        return pb.GetPolicyResponse(policy=policy)

    async def ListPolicies(self, req: pb.ListPoliciesRequest, ctx: CallContext) -> pb.ListPoliciesResponse:
        scope = req.scope or "All"
        if scope not in ("All", "AWS", "Local"):
            raise InvalidArgument.field("scope", f'must be "All", "AWS" or "Local", got {shown(scope)!r}')
        limit = _max_items(req)
        policies = builtin_policies() if scope != "Local" else []
        if scope != "AWS":
            policies += [r.value for r in (await self.store.list(keys.IAM_POLICIES, pb.ManagedPolicy))[0]]
        policies.sort(key=lambda p: p.arn)
        start = next((i + 1 for i, p in enumerate(policies) if p.arn == req.marker), 0) if req.marker else 0
        page = policies[start : start + limit]
        more = start + limit < len(policies)
        return pb.ListPoliciesResponse(policies=page, marker=page[-1].arn if more else "", is_truncated=more)

    async def DeletePolicy(self, req: pb.DeletePolicyRequest, ctx: CallContext) -> pb.DeletePolicyResponse:
        policy, record = await self._managed(req.policy_arn)
        if record is None:
            raise InvalidArgument.field("policyArn", f"{policy.arn} is built in and cannot be deleted")
        if policy.attachment_count:
            raise FailedPrecondition(
                f"Cannot delete a policy attached to entities ({policy.attachment_count}); detach it first.",
                ecs_type="DeleteConflict",
            )
        try:
            await self._commit(Delete(record.key, record.mod_revision))
        except Conflict:
            raise Conflict(f"policy {policy.arn} changed meanwhile; retry") from None
        return pb.DeletePolicyResponse()

    async def _attachment(self, kind: _Kind, name: str, policy_arn: str, *, attach: bool) -> None:
        for _ in range(20):
            holder_record = await self._holder(kind, name)
            policy, record = await self._managed(policy_arn)
            holder = copy.deepcopy(holder_record.value)
            attached = policy.arn in holder.attached_policy_arns
            if attach == attached:
                if not attach:
                    raise NotFound(
                        f"Policy {policy.arn} is not attached to {kind.what} {name}.", ecs_type="NoSuchEntity"
                    )
                return  # attaching twice changes nothing, as in IAM
            if attach:
                if len(holder.attached_policy_arns) >= MAX_ATTACHED_POLICIES:
                    raise FailedPrecondition(
                        f"Cannot exceed quota for PoliciesPer{kind.what.title()}: {MAX_ATTACHED_POLICIES}",
                        ecs_type="LimitExceeded",
                    )
                holder.attached_policy_arns.append(policy.arn)
            else:
                holder.attached_policy_arns.remove(policy.arn)
            ops: list[Put] = [Put(holder_record.key, holder, holder_record.mod_revision)]
            if record is not None:
                counted = pb.ManagedPolicy()
                counted.CopyFrom(record.value)
                counted.attachment_count = max(0, counted.attachment_count + (1 if attach else -1))
                ops.append(Put(record.key, counted, record.mod_revision))
            try:
                await self._commit(*ops)
                return
            except Conflict:
                continue
        raise Conflict(f"{kind.what} {name} is being changed concurrently; retry")

    async def AttachUserPolicy(
        self, req: pb.AttachUserPolicyRequest, ctx: CallContext
    ) -> pb.AttachUserPolicyResponse:
        await self._attachment(USER, req.user_name, req.policy_arn, attach=True)
        return pb.AttachUserPolicyResponse()

    async def DetachUserPolicy(
        self, req: pb.DetachUserPolicyRequest, ctx: CallContext
    ) -> pb.DetachUserPolicyResponse:
        await self._attachment(USER, req.user_name, req.policy_arn, attach=False)
        return pb.DetachUserPolicyResponse()

    async def ListAttachedUserPolicies(
        self, req: pb.ListAttachedUserPoliciesRequest, ctx: CallContext
    ) -> pb.ListAttachedUserPoliciesResponse:
        return pb.ListAttachedUserPoliciesResponse(
            attached_policies=await self._attached(USER, req.user_name)
        )

    # --- the simulator ---

    async def SimulatePrincipalPolicy(
        self, req: pb.SimulatePrincipalPolicyRequest, ctx: CallContext
    ) -> pb.SimulatePrincipalPolicyResponse:
        source = req.policy_source_arn
        if ":role/" in source:
            role = (await self._holder(ROLE, source.rsplit("/", 1)[-1], "policySourceArn")).value
            assert isinstance(role, pb.Role)
            evaluator = self.directory.role_policy_set(role.arn) or PolicySet(())
            principal_name, principal_arn = role.role_name, role.arn
        else:
            name = source.rsplit("user/", 1)[-1] if source.startswith("arn:") else source
            user = (await self._user(name, "policySourceArn")).value
            evaluator = self.directory.policy_set(user.user_name) or PolicySet(
                ()
            )  # as the authorizer sees it
            principal_name, principal_arn = user.user_name, user.arn
        if not req.action_names:
            raise InvalidArgument.field("actionNames", "at least one action is required")
        resources = list(req.resource_arns) or ["*"]
        if len(req.action_names) * len(resources) > MAX_SIMULATED:
            raise InvalidArgument.field(
                "actionNames",
                f"{len(req.action_names)} actions x {len(resources)} resources; at most {MAX_SIMULATED}",
            )
        context: dict[str, str | list[str]] = {
            "aws:username": principal_name,
            "aws:PrincipalArn": principal_arn,
        }
        for entry in req.context_entries:
            values = list(entry.context_key_values)
            context[entry.context_key_name] = values[0] if len(values) == 1 else values
        results = []
        for action in req.action_names:
            for resource in resources:
                decision = evaluator.decide(action, resource, context)
                results.append(
                    pb.EvaluationResult(
                        eval_action_name=action,
                        eval_resource_name=resource,
                        eval_decision=decision.outcome,
                        matched_statements=[decision.statement] if decision.statement else [],
                        explanation=decision.explain(),
                    )
                )
        return pb.SimulatePrincipalPolicyResponse(evaluation_results=results)


def _max_items(req: pb.ListUsersRequest | pb.ListRolesRequest | pb.ListPoliciesRequest) -> int:
    if not req.HasField("max_items"):
        return 100
    if not 1 <= req.max_items <= 1000:
        raise InvalidArgument.field("maxItems", f"must be 1 to 1,000, got {req.max_items}")
    return req.max_items
