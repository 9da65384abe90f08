"""Every RPC refuses a call without a valid token, before doing anything."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from berth.client import channel as user_channel
from berth.v1 import ecs_messages_pb2, ecs_pb2

pytestmark = pytest.mark.etcd

METHODS = [m for m in ecs_pb2.DESCRIPTOR.services_by_name["ECS"].methods]


@pytest.mark.parametrize("method", METHODS, ids=[m.name for m in METHODS])
@pytest.mark.parametrize(
    "metadata",
    [(), (("authorization", "Bearer BKIA0.wrong"),), (("authorization", "Basic x"),)],
    ids=["no-token", "wrong-token", "wrong-scheme"],
)
def test_every_rpc_without_valid_token_is_unauthenticated(
    controlplane: Any, method: Any, metadata: Any
) -> None:
    request_cls = getattr(ecs_messages_pb2, method.input_type.name)
    response_cls = getattr(ecs_messages_pb2, method.output_type.name)
    with user_channel(controlplane.endpoint, str(controlplane.ca_file or "")) as channel:
        call = channel.unary_unary(
            f"/berth.v1.ECS/{method.name}",
            request_serializer=request_cls.SerializeToString,
            response_deserializer=response_cls.FromString,
        )
        with pytest.raises(grpc.RpcError) as e:
            call(request_cls(), metadata=metadata, timeout=10)
    assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
