"""The API layer: servicers for `berth.v1.ECS` and `berth.v1.Agent`, and the call chain around them.

Every call, whether it arrives over gRPC or on the ECS JSON endpoint, goes through one chain
(`dispatch.Api`): request id, authentication, authorization, structured log, metrics, and the
mapping of berth's error tree to the transport's error shape.
"""
