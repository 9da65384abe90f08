"""The servicer of `berth.v1.ApplicationAutoScaling`: scalable targets, scaling policies,
scheduled actions and scaling activities, stored in etcd (keys in `records`).

Only the records are written here; the leader's Autoscaler (`runner`) acts on them. Every write
is one CAS transaction, so a failed call writes nothing: deregistering a target deletes it with
its policies and scheduled actions at once, and a policy or action is only written while its
target is still at the revision that was checked.
"""

from __future__ import annotations

import uuid

from berth.arn import ArnFactory
from berth.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, shown
from berth.v1 import autoscaling_pb2 as pb
from berth.v1 import types_pb2
from controlplane.api.base import ApiBase, collect
from controlplane.api.context import CallContext
from controlplane.autoscale import decide, records
from controlplane.state.cluster_state import State
from controlplane.store import Check, Delete, EtcdStore, Put, Versioned, keys

MAX_POLICIES = 50  # per scalable target (AWS: 50 step + target tracking policies)
MAX_SCHEDULED = 50  # per scalable target (AWS: 200); a target and all its objects fit one etcd txn
NOT_FOUND = "ObjectNotFoundException"
VALIDATION = "ValidationException"


def no_target(rid: str) -> NotFound:
    return NotFound(
        f"No scalable target registered for service namespace: ecs, resource ID: {rid}, "
        f"scalable dimension: {records.DIMENSION}",
        ecs_type=NOT_FOUND,
    )


class AutoScalingApi(ApiBase):
    def __init__(self, store: EtcdStore, arns: ArnFactory, *, state: State, prometheus_url: str = "") -> None:
        super().__init__(store, arns)
        self.state = state
        self.prometheus_url = prometheus_url

    def _arn(self, kind: str, rest: str) -> str:
        return f"arn:berth:{kind}:{self.arns.region}:{self.arns.account}:{rest}"

    async def _active_service(self, cluster: str, service: str) -> Versioned[types_pb2.Service]:
        record = await self.store.get(keys.service(cluster, service), types_pb2.Service)
        if record is None or record.value.status != "ACTIVE":
            raise InvalidArgument.field(
                "ResourceId",
                f"ECS service {service!r} does not exist (or is not ACTIVE) in cluster {cluster!r}",
                ecs_type=VALIDATION,
            )
        if record.value.scheduling_strategy == "DAEMON":
            raise InvalidArgument.field(
                "ResourceId", f"service {service!r} is a DAEMON service: it has no desiredCount to scale"
            )
        return record

    async def _target(self, ns: str, rid: str, dim: str) -> tuple[str, str, Versioned[pb.ScalableTarget]]:
        cluster, service = records.check_target_request(ns, rid, dim)
        target = await self.store.get(records.target_key(cluster, service), pb.ScalableTarget)
        if target is None:
            raise no_target(rid)
        return cluster, service, target

    # -- scalable targets ---------------------------------------------------------------------------

    async def RegisterScalableTarget(
        self, req: pb.RegisterScalableTargetRequest, ctx: CallContext
    ) -> pb.RegisterScalableTargetResponse:
        cluster, service = records.check_target_request(
            req.service_namespace, req.resource_id, req.scalable_dimension
        )
        key = records.target_key(cluster, service)
        for _ in range(10):
            existing = await self.store.get(key, pb.ScalableTarget)
            target = records.merged_target(req, existing.value if existing else None)
            svc = await self._active_service(cluster, service)
            if existing is None:
                target.service_namespace = records.NAMESPACE
                target.resource_id = records.resource_id(cluster, service)
                target.scalable_dimension = records.DIMENSION
                target.creation_time = ctx.now()
                target.scalable_target_arn = self._arn(
                    "application-autoscaling", f"scalable-target/{cluster}/{service}"
                )
            try:
                await self.store.commit(
                    Check(svc.key, svc.mod_revision),
                    Put(key, target, existing.mod_revision if existing else 0),
                )
                return pb.RegisterScalableTargetResponse(scalable_target_arn=target.scalable_target_arn)
            except Conflict:
                continue
        raise Conflict(f"scalable target {req.resource_id} is being changed concurrently; retry")

    async def DescribeScalableTargets(
        self, req: pb.DescribeScalableTargetsRequest, ctx: CallContext
    ) -> pb.DescribeScalableTargetsResponse:
        records.check_namespace(req.service_namespace)
        if req.scalable_dimension:
            records.check_dimension(req.scalable_dimension)
        if len(req.resource_ids) > 50:
            raise InvalidArgument.field("ResourceIds", f"{len(req.resource_ids)} given; at most 50")
        wanted = {records.parse_resource(r, f"ResourceIds[{i}]") for i, r in enumerate(req.resource_ids)}
        limit = records.check_max_results(req.max_results if req.HasField("max_results") else None)
        found, token = await collect(
            self.store,
            records.TARGETS,
            pb.ScalableTarget,
            token=req.next_token,
            limit=limit,
            keep=lambda t: not wanted or records.parse_resource(t.resource_id) in wanted,
        )
        return pb.DescribeScalableTargetsResponse(scalable_targets=[r.value for r in found], next_token=token)

    async def DeregisterScalableTarget(
        self, req: pb.DeregisterScalableTargetRequest, ctx: CallContext
    ) -> pb.DeregisterScalableTargetResponse:
        for _ in range(10):
            cluster, service, target = await self._target(
                req.service_namespace, req.resource_id, req.scalable_dimension
            )
            policies, _ = await self.store.list(records.policies_of(cluster, service), pb.ScalingPolicy)
            actions, _ = await self.store.list(records.scheduled_of(cluster, service), pb.ScheduledAction)
            ops = [Delete(target.key, target.mod_revision)]
            ops += [Delete(r.key, r.mod_revision) for r in policies]
            ops += [Delete(r.key, r.mod_revision) for r in actions]
            try:
                await self.store.commit(*ops)
                return pb.DeregisterScalableTargetResponse()
            except Conflict:
                continue
        raise Conflict(f"scalable target {req.resource_id} is being changed concurrently; retry")

    # -- scaling policies ---------------------------------------------------------------------------

    async def PutScalingPolicy(
        self, req: pb.PutScalingPolicyRequest, ctx: CallContext
    ) -> pb.PutScalingPolicyResponse:
        cluster, service = records.check_target_request(
            req.service_namespace, req.resource_id, req.scalable_dimension
        )
        policy = records.policy_record(req)
        tt = policy.target_tracking_scaling_policy_configuration
        needs_prometheus = policy.policy_type == records.STEP
        if tt.predefined_metric_specification.predefined_metric_type == decide.REQUESTS:
            svc = await self._active_service(cluster, service)
            if not svc.value.load_balancers:
                raise InvalidArgument.field(
                    "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
                    f"{decide.REQUESTS} needs a load balancer, and service {service!r} has none "
                    "(its loadBalancers is empty); track ECSServiceAverageCPUUtilization or "
                    "ECSServiceAverageMemoryUtilization instead",
                    ecs_type=VALIDATION,
                )
            needs_prometheus = True
        if needs_prometheus and not self.prometheus_url:
            raise FailedPrecondition(
                f"policy {policy.policy_name!r} reads its metric from Prometheus, and this control plane "
                "has no --prometheus-url configured",
                ecs_type=VALIDATION,
            )
        for _ in range(10):
            cluster, service, target = await self._target(
                req.service_namespace, req.resource_id, req.scalable_dimension
            )
            key = records.policy_key(cluster, service, policy.policy_name)
            existing = await self.store.get(key, pb.ScalingPolicy)
            if existing is None:
                count = len(
                    (
                        await self.store.list_keys(
                            records.policies_of(cluster, service), limit=MAX_POLICIES + 1
                        )
                    )[0]
                )
                if count >= MAX_POLICIES:
                    raise FailedPrecondition(
                        f"scalable target {req.resource_id} already has {count} scaling policies; "
                        f"at most {MAX_POLICIES}",
                        ecs_type="LimitExceededException",
                    )
                policy.creation_time = ctx.now()
                policy.policy_arn = self._arn(
                    "autoscaling",
                    f"scalingPolicy:{uuid.uuid4()}:resource/ecs/service/{cluster}/{service}:policyName/{policy.policy_name}",
                )
            else:
                policy.creation_time = existing.value.creation_time
                policy.policy_arn = existing.value.policy_arn
            policy.resource_id = records.resource_id(cluster, service)
            try:
                await self.store.commit(
                    Check(target.key, target.mod_revision),
                    Put(key, policy, existing.mod_revision if existing else 0),
                )
                return pb.PutScalingPolicyResponse(policy_arn=policy.policy_arn)
            except Conflict:
                continue
        raise Conflict(f"scaling policy {policy.policy_name!r} is being changed concurrently; retry")

    async def DescribeScalingPolicies(
        self, req: pb.DescribeScalingPoliciesRequest, ctx: CallContext
    ) -> pb.DescribeScalingPoliciesResponse:
        records.check_namespace(req.service_namespace)
        if req.scalable_dimension:
            records.check_dimension(req.scalable_dimension)
        prefix = records.POLICIES
        if req.resource_id:
            prefix = records.policies_of(*records.parse_resource(req.resource_id))
        if len(req.policy_names) > 50:
            raise InvalidArgument.field("PolicyNames", f"{len(req.policy_names)} given; at most 50")
        names = set(req.policy_names)
        limit = records.check_max_results(req.max_results if req.HasField("max_results") else None)
        found, token = await collect(
            self.store,
            prefix,
            pb.ScalingPolicy,
            token=req.next_token,
            limit=limit,
            keep=lambda p: not names or p.policy_name in names,
        )
        return pb.DescribeScalingPoliciesResponse(scaling_policies=[r.value for r in found], next_token=token)

    async def DeleteScalingPolicy(
        self, req: pb.DeleteScalingPolicyRequest, ctx: CallContext
    ) -> pb.DeleteScalingPolicyResponse:
        cluster, service = records.check_target_request(
            req.service_namespace, req.resource_id, req.scalable_dimension
        )
        name = records.check_object_name(req.policy_name, "PolicyName")
        for _ in range(10):
            existing = await self.store.get(records.policy_key(cluster, service, name), pb.ScalingPolicy)
            if existing is None:
                raise NotFound(
                    f"No scaling policy found for service namespace: ecs, resource ID: {req.resource_id}, "
                    f"scalable dimension: {records.DIMENSION}, policy name: {name}",
                    ecs_type=NOT_FOUND,
                )
            try:
                await self.store.commit(Delete(existing.key, existing.mod_revision))
                return pb.DeleteScalingPolicyResponse()
            except Conflict:
                continue
        raise Conflict(f"scaling policy {name!r} is being changed concurrently; retry")

    # -- scheduled actions --------------------------------------------------------------------------

    async def PutScheduledAction(
        self, req: pb.PutScheduledActionRequest, ctx: CallContext
    ) -> pb.PutScheduledActionResponse:
        cluster, service = records.check_target_request(
            req.service_namespace, req.resource_id, req.scalable_dimension
        )
        name = records.check_object_name(req.scheduled_action_name, "ScheduledActionName")
        for _ in range(10):
            cluster, service, target = await self._target(
                req.service_namespace, req.resource_id, req.scalable_dimension
            )
            key = records.scheduled_key(cluster, service, name)
            existing = await self.store.get(key, pb.ScheduledAction)
            action = records.merged_scheduled_action(req, existing.value if existing else None)
            action.resource_id = records.resource_id(cluster, service)
            if existing is None:
                count = len(
                    (
                        await self.store.list_keys(
                            records.scheduled_of(cluster, service), limit=MAX_SCHEDULED + 1
                        )
                    )[0]
                )
                if count >= MAX_SCHEDULED:
                    raise FailedPrecondition(
                        f"scalable target {req.resource_id} already has {count} scheduled actions; "
                        f"at most {MAX_SCHEDULED}",
                        ecs_type="LimitExceededException",
                    )
                action.creation_time = ctx.now()
                action.scheduled_action_arn = self._arn(
                    "autoscaling",
                    f"scheduledAction:{uuid.uuid4()}:resource/ecs/service/{cluster}/{service}:scheduledActionName/{name}",
                )
            try:
                await self.store.commit(
                    Check(target.key, target.mod_revision),
                    Put(key, action, existing.mod_revision if existing else 0),
                )
                return pb.PutScheduledActionResponse()
            except Conflict:
                continue
        raise Conflict(f"scheduled action {name!r} is being changed concurrently; retry")

    async def DescribeScheduledActions(
        self, req: pb.DescribeScheduledActionsRequest, ctx: CallContext
    ) -> pb.DescribeScheduledActionsResponse:
        records.check_namespace(req.service_namespace)
        if req.scalable_dimension:
            records.check_dimension(req.scalable_dimension)
        prefix = records.SCHEDULED
        if req.resource_id:
            prefix = records.scheduled_of(*records.parse_resource(req.resource_id))
        if len(req.scheduled_action_names) > 50:
            raise InvalidArgument.field(
                "ScheduledActionNames", f"{len(req.scheduled_action_names)} given; at most 50"
            )
        names = set(req.scheduled_action_names)
        limit = records.check_max_results(req.max_results if req.HasField("max_results") else None)
        found, token = await collect(
            self.store,
            prefix,
            pb.ScheduledAction,
            token=req.next_token,
            limit=limit,
            keep=lambda a: not names or a.scheduled_action_name in names,
        )
        return pb.DescribeScheduledActionsResponse(
            scheduled_actions=[r.value for r in found], next_token=token
        )

    async def DeleteScheduledAction(
        self, req: pb.DeleteScheduledActionRequest, ctx: CallContext
    ) -> pb.DeleteScheduledActionResponse:
        cluster, service = records.check_target_request(
            req.service_namespace, req.resource_id, req.scalable_dimension
        )
        name = records.check_object_name(req.scheduled_action_name, "ScheduledActionName")
        for _ in range(10):
            existing = await self.store.get(records.scheduled_key(cluster, service, name), pb.ScheduledAction)
            if existing is None:
                raise NotFound(
                    f"No scheduled action found for service namespace: ecs, resource ID: "
                    f"{req.resource_id}, scheduled action name: {shown(name)}",
                    ecs_type=NOT_FOUND,
                )
            try:
                await self.store.commit(Delete(existing.key, existing.mod_revision))
                return pb.DeleteScheduledActionResponse()
            except Conflict:
                continue
        raise Conflict(f"scheduled action {name!r} is being changed concurrently; retry")

    # -- activities ---------------------------------------------------------------------------------

    async def DescribeScalingActivities(
        self, req: pb.DescribeScalingActivitiesRequest, ctx: CallContext
    ) -> pb.DescribeScalingActivitiesResponse:
        records.check_namespace(req.service_namespace)
        if req.scalable_dimension:
            records.check_dimension(req.scalable_dimension)
        prefix = records.ACTIVITIES
        if req.resource_id:
            prefix = records.activities_of(*records.parse_resource(req.resource_id))
        limit = records.check_max_results(req.max_results if req.HasField("max_results") else None)
        found, token = await collect(
            self.store, prefix, pb.ScalingActivity, token=req.next_token, limit=limit, reverse=True
        )
        return pb.DescribeScalingActivitiesResponse(
            scaling_activities=[r.value for r in found], next_token=token
        )
