"""The key layout in etcd, relative to the store's prefix (default `/berth/`).

One key per object. Names and ids are restricted to `[A-Za-z0-9_-]`, so `/` separates levels
unambiguously; task definition revisions are zero-padded so keys sort by revision.
"""

from __future__ import annotations

CLUSTERS = "clusters/"
TASK_DEFINITIONS = "taskdefs/"
FAMILIES = "families/"
TAGS = "tags/"
ACCESS_KEYS = "auth/keys/"
JOIN_TOKEN = "auth/join-token"
# The secret replicas present to each other when they forward a stream (controlplane.replicas).
REPLICA_TOKEN = "auth/replica-token"
REPLICAS = "replicas/"
ADMIN_KEY = "auth/admin"
# The cluster certificate authority (controlplane.tls), its key sealed with the secrets key.
TLS_CA = "tls/ca"
# Temporary credentials of task roles (controlplane.iam.sessions), by access key id, on leases.
TASK_CREDENTIALS = "auth/task-credentials/"
# The hidden cluster that holds the FARGATE pool's container instances ("@" cannot start a user's
# cluster name, so it never collides with one).
FARGATE_POOL = "@fargate"
POOLS = {"fargate": FARGATE_POOL}  # a copy of the admin access key, written once at bootstrap
TASKS = "tasks/"
SERVICES = "services/"
INSTANCES = "instances/"
ALLOCATIONS = "alloc/"
LIVENESS = "liveness/"
AGENTS = "agents/"
IDEMPOTENCY = "idempotency/"
# ECS Exec sessions while they run (controlplane.api.execute), on a lease.
EXECS = "execs/"
# The latest task stats report of each connected agent, on its liveness lease (controlplane.utilization).
STATS = "stats/"


def cluster(name: str) -> str:
    return f"{CLUSTERS}{name}"


def family(name: str) -> str:
    return f"{FAMILIES}{name}"


def task_definition(family: str, revision: int) -> str:
    return f"{TASK_DEFINITIONS}{family}/{revision:010d}"


def task_definitions_of(family: str) -> str:
    return f"{TASK_DEFINITIONS}{family}/"


def tags(arn: str) -> str:
    return f"{TAGS}{arn}"


def access_key(key_id: str) -> str:
    return f"{ACCESS_KEYS}{key_id}"


def task_credentials(key_id: str) -> str:
    return f"{TASK_CREDENTIALS}{key_id}"


def tasks_of(cluster: str) -> str:
    return f"{TASKS}{cluster}/"


def services_of(cluster: str) -> str:
    return f"{SERVICES}{cluster}/"


def instances_of(cluster: str) -> str:
    return f"{INSTANCES}{cluster}/"


def task(cluster: str, task_id: str) -> str:
    return f"{TASKS}{cluster}/{task_id}"


def service(cluster: str, name: str) -> str:
    return f"{SERVICES}{cluster}/{name}"


def instance(cluster: str, instance_id: str) -> str:
    return f"{INSTANCES}{cluster}/{instance_id}"


def allocation(cluster: str, instance_id: str) -> str:
    return f"{ALLOCATIONS}{cluster}/{instance_id}"


def replica(name: str) -> str:
    return f"{REPLICAS}{name}"


def liveness(cluster: str, instance_id: str) -> str:
    return f"{LIVENESS}{cluster}/{instance_id}"


def agent(cluster: str, instance_id: str) -> str:
    return f"{AGENTS}{cluster}/{instance_id}"


def idempotency(cluster: str, token: str) -> str:
    return f"{IDEMPOTENCY}{cluster}/{token}"


def exec_session(cluster: str, session_id: str) -> str:
    return f"{EXECS}{cluster}/{session_id}"


def stats(cluster: str, instance_id: str) -> str:
    return f"{STATS}{cluster}/{instance_id}"


def split(key: str) -> tuple[str, str]:
    """(cluster, id) of a cluster-scoped key such as `tasks/<cluster>/<id>`."""
    _, cluster, ident = key.split("/", 2)
    return cluster, ident


# Service discovery (controlplane.discovery): namespaces, services and custom instances by id, and
# the name claims that keep namespace names (and service names within a namespace) unique.
DISCOVERY_NAMESPACES = "discovery/namespaces/"
DISCOVERY_SERVICES = "discovery/services/"
DISCOVERY_INSTANCES = "discovery/instances/"
DISCOVERY_NAMES = "discovery/names/"


def discovery_namespace(namespace_id: str) -> str:
    return f"{DISCOVERY_NAMESPACES}{namespace_id}"


def discovery_service(service_id: str) -> str:
    return f"{DISCOVERY_SERVICES}{service_id}"


def discovery_instance(service_id: str, instance_id: str) -> str:
    return f"{DISCOVERY_INSTANCES}{service_id}/{instance_id}"


def discovery_name(namespace_id: str, name: str) -> str:
    """The claim on a name: a namespace's (`namespace_id` "") or a service's within its namespace."""
    return f"{DISCOVERY_NAMES}{namespace_id or '@'}/{name}"


# Load balancers (controlplane.lb): load balancers and target groups by name, listeners by their
# load balancer and port, and the target health that berth-lb nodes report.
LB_LOADBALANCERS = "lb/loadbalancers/"
LB_TARGETGROUPS = "lb/targetgroups/"
LB_LISTENERS = "lb/listeners/"
LB_HEALTH = "lb/health/"


def lb_load_balancer(name: str) -> str:
    return f"{LB_LOADBALANCERS}{name}"


def lb_target_group(name: str) -> str:
    return f"{LB_TARGETGROUPS}{name}"


def lb_listener(load_balancer_name: str, port: int) -> str:
    return f"{LB_LISTENERS}{load_balancer_name}/{port}"


def lb_health(target_group_name: str, target_id: str, port: int) -> str:
    return f"{LB_HEALTH}{target_group_name}/{target_id}:{port}"


# IAM (controlplane.iam): users, roles and managed policies by name.
IAM_USERS = "iam/users/"
IAM_ROLES = "iam/roles/"
IAM_POLICIES = "iam/policies/"


def iam_user(name: str) -> str:
    return f"{IAM_USERS}{name}"


def iam_role(name: str) -> str:
    return f"{IAM_ROLES}{name}"


def iam_policy(name: str) -> str:
    return f"{IAM_POLICIES}{name}"


# Secrets (controlplane.secrets): records by name, values sealed; the check value of the key.
SECRETS = "secrets/"
SECRETS_KEY_CHECK = "auth/secrets-key-check"


def secret(name: str) -> str:
    return f"{SECRETS}{name}"


# The audit trail (controlplane.audit): one key per flush of one replica's pending records, on a
# lease that outlives the event history.
AUDIT = "audit/"


def audit_batch(replica: str, run: str, seq: int) -> str:
    return f"{AUDIT}{replica}/{run}-{seq:012d}"
