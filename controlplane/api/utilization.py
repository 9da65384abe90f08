"""GetServiceUtilization: services' CPU and memory utilisation, as ECS reports them to CloudWatch.

Answered from this replica's mirror of the agents' latest stats reports (`controlplane.utilization`),
so any replica gives the same answer whichever replica holds the agents' sessions.
"""

from __future__ import annotations

from berth import arn
from berth.errors import InvalidArgument, Unavailable
from berth.v1 import berth_pb2, types_pb2
from controlplane.api.clusters import ClusterApi
from controlplane.api.context import CallContext
from controlplane.state.cluster_state import State
from controlplane.store import keys
from controlplane.utilization import UtilizationStore

LIVE = ("ACTIVE", "DRAINING")
MAX_SERVICES = 100


class UtilizationApi(ClusterApi):
    state: State
    utilization: UtilizationStore | None = None  # set by the server

    async def GetServiceUtilization(
        self, req: berth_pb2.GetServiceUtilizationRequest, ctx: CallContext
    ) -> berth_pb2.GetServiceUtilizationResponse:
        if self.utilization is None:
            raise Unavailable("service utilisation is not available on this control plane")
        cluster = (await self.active_cluster(req.cluster)).value.cluster_name
        resp = berth_pb2.GetServiceUtilizationResponse()
        services: list[types_pb2.Service] = []
        if len(req.services) > MAX_SERVICES:
            raise InvalidArgument.field(
                "services", f"{len(req.services)} services given; at most {MAX_SERVICES}"
            )
        if req.services:
            for i, ref in enumerate(req.services):
                _, name = arn.scoped_id(ref, "service", f"services[{i}]")
                service = self.state.services.get(keys.service(cluster, name))
                if service is None or service.status not in LIVE:
                    resp.failures.add(arn=self.arns.service(cluster, name), reason="MISSING")
                else:
                    services.append(service)
        else:
            services = [s for s in self.state.services.values(keys.services_of(cluster)) if s.status in LIVE]
        usage = self.utilization.by_service(ctx.now())
        for service in services:
            entry = resp.services.add(service_arn=service.service_arn, service_name=service.service_name)
            found = usage.get((cluster, service.service_name))
            if found is None:
                continue
            if found.cpu_percent is not None:
                entry.cpu_utilization_percent = found.cpu_percent
            if found.memory_percent is not None:
                entry.memory_utilization_percent = found.memory_percent
            entry.task_count = found.task_count
            entry.sampled_at = found.sampled_at
        return resp
