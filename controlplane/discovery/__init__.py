"""Service discovery, the AWS Cloud Map stand-in: private DNS namespaces and services
(`api`, validated by `validate`), the instances ECS services' tasks stand for (`registrations`,
pure), derived on every replica from the mirrors (`catalog`), and answered by DNS (`dns`)."""
