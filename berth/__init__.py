"""berth: a self-hosted container orchestrator that follows the Amazon ECS model.

The public surface of this package is the Python client (`berth.Client`) and the error type it
raises (`berth.ApiError`); `berth.v1` holds the generated protobuf and gRPC code.
"""

from berth.client import Client
from berth.errors import ApiError

__all__ = ["ApiError", "Client"]
