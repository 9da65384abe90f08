"""The ECS-compatible JSON endpoint: `aws ecs --endpoint-url` and boto3 against berth, unchanged.

`Gateway` serves every unary RPC of `berth.v1.ECS` with the AWS JSON 1.1 protocol (`protocol`) and
authenticates requests by AWS Signature Version 4 made with berth access keys (`sigv4`).
"""

from controlplane.gateway.endpoint import Gateway, operations
from controlplane.gateway.protocol import CONTENT_TYPE, TARGET_PREFIX

__all__ = ["CONTENT_TYPE", "TARGET_PREFIX", "Gateway", "operations"]
