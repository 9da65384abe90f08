"""The berth control plane: the gRPC API, the ECS JSON endpoint and the controllers, with all state in etcd."""
