"""An agent whose stream keeps delivering stays connected even when no heartbeat gets through.

When the control plane falls behind a burst of task state changes, the agent's heartbeats wait in
the stream behind them; the soak benchmark once showed such an agent disconnected (and its tasks
refused with AGENT) while it was alive and talking. Any message now counts as a sign of life.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from berth.v1 import agent_pb2, ecs_messages_pb2
from tests.support import fakeagent

pytestmark = pytest.mark.etcd

GRACE = 4  # the session control plane's agent grace (tests/conftest.py)


def _register(controlplane: Any, cluster: str) -> fakeagent.FakeAgent:
    request = ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=cluster, name="talker")
    return fakeagent.register(controlplane, request)


def _state_changes_only(
    instance_arn: str, cluster: str, seconds: float, sent: list[int]
) -> Iterator[agent_pb2.AgentMessage]:
    yield agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=instance_arn))
    deadline = time.monotonic() + seconds
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        sent.append(seq)
        task_arn = f"arn:berth:ecs:local:000000000000:task/{cluster}/{uuid.uuid4().hex}"
        yield agent_pb2.AgentMessage(
            task_state_change=agent_pb2.TaskStateChange(seq=seq, task_arn=task_arn, last_status="RUNNING")
        )
        time.sleep(0.25)


def test_state_changes_without_heartbeats_keep_the_agent_connected(
    controlplane: Any, client: Any, cluster: str
) -> None:
    registered = _register(controlplane, cluster)
    instance_arn = registered.instance_arn
    talk_for = 2.5 * GRACE
    with registered as agent:
        session = agent.channel.stream_stream(
            "/berth.v1.Agent/Session",
            request_serializer=agent_pb2.AgentMessage.SerializeToString,
            response_deserializer=agent_pb2.ServerMessage.FromString,
        )
        sent: list[int] = []
        responses = session(
            _state_changes_only(instance_arn, cluster, talk_for, sent),
            metadata=agent.metadata,
            timeout=talk_for + 10,
        )
        acks: list[int] = []
        connected_late = None
        started = time.monotonic()
        for message in responses:
            if message.HasField("ack"):
                acks.append(message.ack.seq)
            if connected_late is None and time.monotonic() - started > 2 * GRACE:
                described = client.describe_container_instances(
                    cluster=cluster, containerInstances=[instance_arn]
                )
                connected_late = described.container_instances[0].agent_connected
        assert len(sent) > 10
        # Every change was handled and acknowledged, also those that stood in for a heartbeat
        # (they were once swallowed, losing a task's RUNNING report until the agent reconnected).
        assert acks == sent
        assert connected_late is True, "shown disconnected while its stream was delivering"
