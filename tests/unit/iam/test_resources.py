"""Which resources a request acts on, for every shape of ECS request."""

from __future__ import annotations

import pytest
from google.protobuf.message import Message

from berth.arn import ArnFactory
from berth.v1 import autoscaling_pb2, berth_pb2, iam_pb2
from berth.v1 import ecs_messages_pb2 as ecs
from controlplane.iam.resources import ANY, Target, targets

F = ArnFactory("local", "000000000000")
A = F.cluster("a")


@pytest.mark.parametrize(
    ("action", "request_", "expected"),
    [
        ("ecs:ListClusters", ecs.ListClustersRequest(), [Target(ANY)]),
        ("ecs:RegisterTaskDefinition", ecs.RegisterTaskDefinitionRequest(family="web"), [Target(ANY)]),
        ("ecs:ListTasks", ecs.ListTasksRequest(cluster="a"), [Target(A, A)]),
        ("ecs:ListTasks", ecs.ListTasksRequest(), [Target(F.cluster("default"), F.cluster("default"))]),
        ("ecs:ListTasks", ecs.ListTasksRequest(cluster=A), [Target(A, A)]),
        (
            "ecs:DescribeClusters",
            ecs.DescribeClustersRequest(clusters=["a", F.cluster("b")]),
            [Target(A, A), Target(F.cluster("b"), F.cluster("b"))],
        ),
        (
            "ecs:DescribeTasks",
            ecs.DescribeTasksRequest(cluster="a", tasks=["t1", F.task("a", "t2")]),
            [Target(F.task("a", "t1"), A), Target(F.task("a", "t2"), A)],
        ),
        ("ecs:StopTask", ecs.StopTaskRequest(cluster="a", task="t1"), [Target(F.task("a", "t1"), A)]),
        (
            "ecs:RunTask",
            ecs.RunTaskRequest(cluster="a", task_definition="web:3"),
            [Target(F.task_definition("web", 3), A)],
        ),
        (
            "ecs:RunTask",
            ecs.RunTaskRequest(cluster="a", task_definition="web"),
            [Target("arn:berth:ecs:local:000000000000:task-definition/web:*", A)],
        ),
        (
            "ecs:CreateService",
            ecs.CreateServiceRequest(cluster="a", service_name="web"),
            [Target(F.service("a", "web"), A)],
        ),
        (
            "ecs:UpdateService",
            ecs.UpdateServiceRequest(cluster="a", service="web"),
            [Target(F.service("a", "web"), A)],
        ),
        (
            "ecs:TagResource",
            ecs.TagResourceRequest(resource_arn=F.service("a", "web")),
            [Target(F.service("a", "web"), A)],
        ),
        (
            "ecs:GetTaskLogs",
            berth_pb2.GetTaskLogsRequest(cluster="a", task="t1"),
            [Target(F.task("a", "t1"), A)],
        ),
        ("ecs:ExecuteCommandStream", None, [Target(ANY)]),
        (
            "iam:PutUserPolicy",
            iam_pb2.PutUserPolicyRequest(user_name="ann"),
            [Target("arn:aws:iam::000000000000:user/ann")],
        ),
        (
            "application-autoscaling:PutScalingPolicy",
            autoscaling_pb2.PutScalingPolicyRequest(),
            [Target(ANY)],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_targets(action: str, request_: Message | None, expected: list[Target]) -> None:
    assert targets(action, request_, F) == expected
