"""The berth agent: registers a host as a container instance and runs its tasks through Docker."""
