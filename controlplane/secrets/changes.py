"""Secret changes, told to the agents of the running tasks that read them as files.

Every replica watches the secrets (a watch-fed mirror of `secrets/`; the records are sealed, so
nothing in memory is a value in plain text). When a secret's AWSCURRENT version changes
(PutSecretValue, RotateSecret, or the secret made again under its name), `on_change` is called
with the record; the agent servicer then sends a SecretsChanged to each agent whose session this
replica holds, naming the tasks of its instance that read the secret as a file
(`tasks_to_tell`). The agent asks for those tasks' secrets again and rewrites the files in place.
The message carries no value. An agent that was disconnected meanwhile refreshes its files when
it reconnects (agent.secretfiles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from berth.v1 import secretsmanager_pb2 as pb
from berth.v1 import types_pb2
from controlplane.secrets import refs
from controlplane.state.mirror import Mirror
from controlplane.store import EtcdStore, keys


def current_version(record: pb.SecretRecord) -> str:
    """The id of the version staged AWSCURRENT ("" when there is none)."""
    for version in record.versions:
        if refs.CURRENT in version.version_stages:
            return version.version_id
    return ""


def tasks_to_tell(
    tasks: Iterable[types_pb2.Task],
    task_definition: Callable[[str], types_pb2.TaskDefinition | None],
    secret_name: str,
) -> list[str]:
    """The ARNs of the tasks that run (or are starting) and read `secret_name` as a file."""
    reads: dict[str, bool] = {}
    out = []
    for task in tasks:
        if task.desired_status != "RUNNING" or task.last_status == "STOPPED":
            continue
        arn = task.task_definition_arn
        if arn not in reads:
            td = task_definition(arn)
            reads[arn] = td is not None and refs.reads_as_file(td, secret_name)
        if reads[arn]:
            out.append(task.task_arn)
    return out


class SecretChanges:
    def __init__(self, store: EtcdStore, on_change: Callable[[pb.SecretRecord], None]) -> None:
        self.mirror = Mirror(store, keys.SECRETS, pb.SecretRecord)
        self.on_change = on_change
        self.mirror.subscribe(self._changed)

    async def run(self) -> None:
        await self.mirror.run()

    def _changed(self, key: str, old: pb.SecretRecord | None, new: pb.SecretRecord | None) -> None:
        # The first listing (before `ready`) is what exists, not a change.
        if new is None or not self.mirror.ready.is_set():
            return
        if old is not None and current_version(old) == current_version(new):
            return  # a description, tags, or a version staged elsewhere
        self.on_change(new)
