"""The berth control plane: the gRPC API, the ECS JSON endpoint and the controllers; state in etcd."""
