"""Control plane replicas finding and trusting each other.

Every replica is a full control plane sharing etcd; one leads the controllers (`controlplane.leader`).
An agent's session lives on one replica, so a stream that needs the agent (GetTaskLogs,
ExecuteCommandStream) reaching another replica is forwarded to the one holding the session:
`registry` keeps each replica's address in etcd on a lease, `forward` opens the forwarded call
with the replicas' shared token, naming the principal it acts for (authorized again there).
"""

from controlplane.replicas.forward import Forwarder
from controlplane.replicas.registry import ReplicaRegistry

__all__ = ["Forwarder", "ReplicaRegistry"]
