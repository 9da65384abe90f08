"""Secrets as files in containers, rewritten in place when the secret changes (a berth extension).

A container definition's `secrets[]` entry whose name is an absolute path
(`{"name": "/run/secrets/db-password", "valueFrom": "db"}`) is delivered as a read-only file at
that path instead of an environment variable. The agent writes the values on the host, in a tmpfs
of its own (`--secrets-dir`, `/run/berth-agent/secrets` by default, mounted by the agent when it is
not a tmpfs already), one directory per task, and bind-mounts each file into its container. When the
control plane says a secret changed (SecretsChanged), the agent asks for the task's secrets again
and writes the new value into the same inode, so the running container reads it at once, with no
restart. The files go when the task stops; a restarted agent sweeps directories of tasks it does
not run.

- `layout`: pure: where a file lives on the host, who owns it, which files a container has.
- `store`: the I/O: the tmpfs, writing in place, removing.
"""

from agent.secretfiles.layout import Owner, container_paths, host_path, owner
from agent.secretfiles.store import SecretFiles, SecretFilesUnavailable

__all__ = ["Owner", "SecretFiles", "SecretFilesUnavailable", "container_paths", "host_path", "owner"]
