"""The servicer of `berth.v1.ECS`: one class composed of the per-area APIs."""

from __future__ import annotations

from berth.arn import ArnFactory
from controlplane.api.execute import ExecApi
from controlplane.api.instances import InstanceApi
from controlplane.api.jointoken import JoinTokenApi
from controlplane.api.services import ServiceApi
from controlplane.api.tags import TagApi
from controlplane.api.tasks import TaskApi
from controlplane.api.utilization import UtilizationApi
from controlplane.launch import Launcher
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore
from controlplane.taskstate import DrainSeconds


class EcsServicer(ExecApi, TaskApi, InstanceApi, ServiceApi, TagApi, UtilizationApi, JoinTokenApi):
    """Handlers for every RPC of berth.v1.ECS, named as the RPCs are."""

    def __init__(
        self,
        store: EtcdStore,
        arns: ArnFactory,
        *,
        state: State,
        launcher: Launcher,
        drain_seconds: DrainSeconds | None = None,
    ) -> None:
        super().__init__(store, arns)
        self.state = state
        self.launcher = launcher
        if drain_seconds is not None:
            self.drain_seconds = drain_seconds
