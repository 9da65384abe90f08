"""Pure validation of ECS requests, reporting every violation with its ECS JSON field path.

`taskdef` checks RegisterTaskDefinition requests; `fargate` holds the Fargate cpu/memory table and
the rules Fargate adds. No I/O, no clock, no gRPC: callers raise `InvalidArgument(violations)`.
"""
