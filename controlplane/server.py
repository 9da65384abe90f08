"""One control plane replica: wires the store, auth, API, gRPC and HTTP servers, and runs them.

Start-up order: connect to etcd (waiting for it up to `etcd_wait_seconds`), create the admin access
key and the agent join token on the very first start, write the client config and join token into
the data dir, then listen. Shutdown is graceful: the gRPC server finishes in-flight calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import grpc
import structlog
from aiohttp import web
from grpc_health.v1 import health_pb2
from prometheus_client import CollectorRegistry

from berth import config
from berth import tls as berth_tls
from berth.arn import ArnFactory
from berth.errors import BerthError, Unavailable
from berth.httpserve import start_http
from berth.v1 import (
    agent_pb2,
    autoscaling_pb2,
    berth_pb2,
    ecs_messages_pb2,
    ecs_pb2,
    elb_pb2,
    iam_pb2,
    secretsmanager_pb2,
    servicediscovery_pb2,
)
from controlplane import auth
from controlplane.api.agent_service import AgentServicer
from controlplane.api.context import CallContext
from controlplane.api.dispatch import Api
from controlplane.api.ecs_service import EcsServicer
from controlplane.api.grpc_server import build_server
from controlplane.audit import AuditTrail
from controlplane.autoscale.api import AutoScalingApi
from controlplane.autoscale.runner import Autoscaler
from controlplane.console import Console
from controlplane.discovery.runner import Discovery
from controlplane.gateway import Gateway
from controlplane.http import build_app
from controlplane.iam.api import IamServicer
from controlplane.iam.directory import Directory
from controlplane.launch import Launcher
from controlplane.lb.api import ElasticLoadBalancingServicer, LoadBalancerNodeServicer
from controlplane.lb.catalog import Catalog as LbCatalog
from controlplane.leader import Leadership, replica_name
from controlplane.promsd import agent_targets
from controlplane.reconcile.controller import ServiceController
from controlplane.reconcile.janitor import Janitor
from controlplane.reconcile.service_plan import PlanSettings
from controlplane.replicas import Forwarder, ReplicaRegistry
from controlplane.secrets.api import SecretsManagerServicer
from controlplane.secrets.changes import SecretChanges
from controlplane.secrets.store import SecretStore
from controlplane.settings import Settings
from controlplane.state.cluster_state import State
from controlplane.statemetrics import StateCollector, count_failed_deployments
from controlplane.store import EtcdStore
from controlplane.taskstate import DrainSeconds, TargetHealth
from controlplane.tls.agents import AgentCertificates
from controlplane.tls.live import LiveTls
from controlplane.tls.serving import ServerTls
from controlplane.utilization import UtilizationStore

# How often a replica checks that its <data-dir>/join-token is the cluster's current token.
JOIN_TOKEN_FILE_SECONDS = 5.0

log = structlog.get_logger("berth.controlplane")


class ControlPlane:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = EtcdStore(settings.etcd_endpoints, prefix=settings.etcd_prefix, tls=settings.etcd_tls)
        self.arns = ArnFactory(settings.region, settings.account)
        self._join_token_written = ""
        self.replicas: ReplicaRegistry | None = None
        self.authenticator = auth.Authenticator(self.store)
        self.directory = Directory(self.store)
        self.secrets = SecretStore(self.store, None, settings.region, settings.account)
        self.authorizer = auth.Authorizer(self.directory, self.arns)
        self.api = Api(self.authorizer)
        self.state = State(self.store)
        self.launcher = Launcher(self.store, self.state, self.arns)
        self.utilization = UtilizationStore(
            self.store, self.state, min_interval=settings.stats_min_interval_seconds
        )
        self.discovery = Discovery(self.store, self.arns, self.state, settings)
        # Load balancers: the catalog also answers the service scheduler (task_lb_health, drain_seconds).
        self.lb = LbCatalog(self.state)
        self.lb.on_health_change = self.target_health_changed
        self.registry = CollectorRegistry()  # this replica's scrape-time gauges (statemetrics)
        self.replica = replica_name()
        self.audit: AuditTrail | None = None
        if settings.audit_events:
            self.audit = AuditTrail(self.store, self.replica, ttl_seconds=settings.event_history_seconds)
            self.api.audit = self.audit.record
        self.api.replica = self.replica
        self._background: list[asyncio.Task[None]] = []
        self.leadership: Leadership | None = None
        self._ecs: EcsServicer | None = None
        self.forwarder: Forwarder | None = None
        self.failed = asyncio.Event()  # a background loop crashed: the process must not go on half-alive
        self.grpc_port = 0
        self.http_port = 0
        self.agent_port = 0
        self.tls: LiveTls | None = None
        self._grpc: grpc.aio.Server | None = None
        self._http: web.AppRunner | None = None
        self._stopped = asyncio.Event()
        # Load balancers: a service's deregistration delay and a task's target state
        # (controlplane.taskstate's DrainSeconds / TargetHealth), from the ELB catalog (tests may
        # put stubs here before start()).
        self.drain_seconds: DrainSeconds | None = self.lb.drain_seconds
        self.target_health: TargetHealth | None = self.lb.task_lb_health
        self.services: ServiceController | None = None  # the leader's, while it leads

    @property
    def grpc_endpoint(self) -> str:
        host = Settings.client_host(self.settings.grpc_addr).rpartition(":")[0]
        return f"{host}:{self.grpc_port}"

    @property
    def http_endpoint(self) -> str:
        host = Settings.client_host(self.settings.http_addr).rpartition(":")[0]
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://{host}:{self.http_port}"

    @property
    def agent_endpoint(self) -> str:
        """Where agents reach this replica's agent port ("" on an insecure cluster)."""
        if self.tls is None:
            return ""
        if self.settings.agent_advertise_addr:
            return self.settings.agent_advertise_addr
        host = Settings.client_host(self.settings.agent_addr).rpartition(":")[0]
        return f"{host}:{self.agent_port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA bundle clients verify this cluster's TLS with (None: insecure, or none to give)."""
        return (
            Path(self.settings.data_dir) / "ca.pem"
            if self.tls is not None and self.tls.tls.bundle_pem
            else None
        )

    def join_token(self, secret: str) -> str:
        return berth_tls.join_token(secret, self.tls.tls.authority.fingerprint if self.tls else "")

    async def _wait_for_etcd(self) -> None:
        deadline = time.monotonic() + self.settings.etcd_wait_seconds
        delay = 0.1
        while True:
            try:
                await self.store.ping()
                return
            except Unavailable as e:
                if time.monotonic() > deadline:
                    raise
                log.warning("etcd_unavailable", endpoints=self.settings.etcd_endpoints, error=str(e))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def start(self) -> None:
        await self.store.start()
        await self._wait_for_etcd()
        admin = await auth.ensure_admin_key(self.store)
        join_token = await auth.ensure_join_token(self.store)
        await auth.ensure_replica_token(self.store)
        await self.secrets.open_key(
            self.settings.secrets_key_file or Path(self.settings.data_dir) / "secrets.key"
        )
        if not self.settings.insecure:
            s = self.settings
            self.tls = LiveTls(
                self.store,
                self.secrets.sealer,
                [s.grpc_addr, s.http_addr, s.advertise_addr, s.agent_addr, s.agent_advertise_addr],
                agent_cert_ttl=s.agent_cert_ttl_seconds,
                extra_names=s.tls_san,
                cert_file=s.tls_cert_file,
                key_file=s.tls_key_file,
                ca_file=s.tls_ca_file,
            )
            await self.tls.start()
            self.tls.on_change = self._tls_changed
            self._run_in_background(self.tls.run(), "tls")
            self.authenticator.agent_keys = False

        if self.audit is not None:
            self._run_in_background(self.audit.run(), "audit")
        self._run_in_background(self.state.run(), "state")
        self._run_in_background(self.utilization.run(), "utilization")
        await asyncio.wait_for(self.state.ready(), timeout=self.settings.etcd_wait_seconds)
        self._run_in_background(self.directory.run(), "iam")
        await asyncio.wait_for(self.directory.ready(), timeout=self.settings.etcd_wait_seconds)
        self.api.register(
            iam_pb2.DESCRIPTOR.services_by_name["IAM"],
            IamServicer(self.store, self.arns, self.authenticator, self.directory),
            action_prefix="iam",
        )
        self._run_in_background(self.discovery.catalog.run(), "discovery")
        await asyncio.wait_for(self.discovery.catalog.ready.wait(), timeout=self.settings.etcd_wait_seconds)
        await self.discovery.start_dns()
        self._run_in_background(self.lb.run(), "lb")
        await asyncio.wait_for(self.lb.ready.wait(), timeout=self.settings.etcd_wait_seconds)
        self.api.register(
            elb_pb2.DESCRIPTOR.services_by_name["ElasticLoadBalancing"],
            ElasticLoadBalancingServicer(self.store, self.arns, self.lb),
            action_prefix="elasticloadbalancing",
        )
        self.api.register(
            elb_pb2.DESCRIPTOR.services_by_name["LoadBalancerNode"],
            LoadBalancerNodeServicer(self.store, self.lb),
            action_prefix="elasticloadbalancing",
        )
        self.api.register(
            servicediscovery_pb2.DESCRIPTOR.services_by_name["ServiceDiscovery"],
            self.discovery.servicer,
            action_prefix="servicediscovery",
        )
        ecs_servicer = EcsServicer(
            self.store, self.arns, state=self.state, launcher=self.launcher, drain_seconds=self.drain_seconds
        )
        ecs_servicer.utilization = self.utilization
        ecs_servicer.authenticator = self.authenticator
        ecs_servicer.ca_fingerprint = self.tls.tls.authority.fingerprint if self.tls else ""
        ecs_servicer.live_tls = self.tls
        ecs_servicer.write_join_token = self._write_join_token
        ecs_servicer.authorizer = self.authorizer
        self.api.register(ecs_pb2.DESCRIPTOR.services_by_name["ECS"], ecs_servicer, action_prefix="ecs")
        self.api.register(berth_pb2.DESCRIPTOR.services_by_name["Berth"], ecs_servicer, action_prefix="ecs")
        self.agents = AgentServicer(
            self.store,
            self.arns,
            state=self.state,
            authenticator=self.authenticator,
            grace_seconds=self.settings.agent_grace_seconds,
            replica=self.replica,
        )
        self.agents.utilization = self.utilization
        self.agents.secrets, self.agents.directory = self.secrets, self.directory
        self.agents.task_credentials_ttl = self.settings.task_credentials_ttl_seconds
        self.authenticator.task_status = self.agents.task_status
        self.agents.dns_servers = self.discovery.advertised
        ecs_servicer.attach_agents(self.agents, event_history_seconds=self.settings.event_history_seconds)
        self.api.register(agent_pb2.DESCRIPTOR.services_by_name["Agent"], self.agents, action_prefix="agent")
        self.api.register(
            autoscaling_pb2.DESCRIPTOR.services_by_name["ApplicationAutoScaling"],
            AutoScalingApi(
                self.store, self.arns, state=self.state, prometheus_url=self.settings.prometheus_url
            ),
            action_prefix="application-autoscaling",
        )
        self._ecs = ecs_servicer
        # New values of secrets that running tasks read as files reach their agents.
        self._run_in_background(
            SecretChanges(self.store, self.agents.secrets_changed).run(), "secret-changes"
        )
        self.api.register(
            secretsmanager_pb2.DESCRIPTOR.services_by_name["SecretsManager"],
            SecretsManagerServicer(self.secrets, self.state, restart=self._restart_service),
            action_prefix="secretsmanager",
        )
        self.registry.register(
            StateCollector(
                self.state,
                is_leader=self.is_leader,
                sessions=lambda: len(self.agents.sessions),
                utilization=self.utilization,
            )
        )
        count_failed_deployments(self.state, self.is_leader)
        listening = await build_server(
            self.api, self.authenticator, self.settings.grpc_addr, self.tls, self.settings.agent_addr
        )
        server, self.grpc_port, self.agent_port, health = (
            listening.server,
            listening.port,
            listening.agent_port,
            listening.health,
        )
        await server.start()
        self._grpc = server
        replicas = ReplicaRegistry(
            self.store,
            self.replica,
            self.settings.advertise_addr or self.grpc_endpoint,
            agent_endpoint=self.agent_endpoint,
        )
        self._run_in_background(replicas.run(), "replicas")
        self.replicas = replicas
        if self.tls is not None:
            self.agents.certificates = AgentCertificates(
                self.tls, self.settings.agent_cert_ttl_seconds, replicas.agent_endpoints
            )
        self.forwarder = ecs_servicer.forwarder = Forwarder(
            replicas,
            self.authenticator,
            self._forwarding_roots(),
            server_name="" if self.settings.tls_cert_file else berth_tls.SERVER_NAME,
        )
        gateway = Gateway(self.api, self.authenticator, region=self.settings.region)
        app = build_app(
            self.store,
            gateway,
            authenticator=self.authenticator,
            authorizer=self.authorizer,
            registry=self.registry,
            sd_targets=lambda: agent_targets(self.state.instances.values()),
            console=Console(self.api, self.authenticator),
        )
        self._http, self.http_port = await start_http(
            app, self.settings.http_addr, self.tls.ssl_context() if self.tls is not None else None
        )
        if self.settings.controllers:
            self.leadership = Leadership(self.store, self.replica)
            self._run_in_background(self.leadership.run(self._lead), "leadership")
        for name in (
            "",
            "berth.v1.ECS",
            "berth.v1.Berth",
            "berth.v1.Agent",
            "berth.v1.ApplicationAutoScaling",
            "berth.v1.ServiceDiscovery",
            "berth.v1.IAM",
            "berth.v1.SecretsManager",
            "berth.v1.ElasticLoadBalancing",
            "berth.v1.LoadBalancerNode",
        ):
            await health.set(name, health_pb2.HealthCheckResponse.SERVING)

        data_dir = Path(self.settings.data_dir)
        if self.ca_file is not None and self.tls is not None:
            config.write_file(self.ca_file, self.tls.tls.bundle_pem, mode=0o644)
        config.write(
            data_dir / "config",
            config.ClientConfig(
                endpoint=self.grpc_endpoint,
                token=auth.bearer_token(admin),
                accessKeyId=admin.access_key_id,
                secretAccessKey=admin.secret_access_key,
                region=self.settings.region,
                httpEndpoint=self.http_endpoint,
                caFile=str(self.ca_file or ""),
            ),
        )
        self._write_join_token(join_token)
        self._run_in_background(self._keep_join_token_file(), "join-token")
        log.info(
            "controlplane_started",
            grpc=self.grpc_endpoint,
            http=self.http_endpoint,
            agents=self.agent_endpoint or "(insecure: the gRPC port)",
            ca=self.tls.tls.authority.fingerprint if self.tls else "none (insecure)",
            etcd=",".join(self.settings.etcd_endpoints),
            config=str(data_dir / "config"),
        )

    def _forwarding_roots(self) -> bytes | None:
        """What replicas' gRPC ports are verified with when a call is forwarded."""
        return (self.tls.tls.bundle_pem + self.tls.tls.trusted_pem) if self.tls is not None else None

    async def _tls_changed(self, tls: ServerTls) -> None:
        """The cluster CA moved (a rotation step): clients, agents joining and forwarded calls get
        the CAs trusted now."""
        if self.ca_file is not None:
            config.write_file(self.ca_file, tls.bundle_pem, mode=0o644)
        if self._ecs is not None:
            self._ecs.ca_fingerprint = tls.authority.fingerprint
        self._write_join_token(await self.authenticator.join_token())
        if self.forwarder is not None:
            self.forwarder.reset(self._forwarding_roots())

    def _write_join_token(self, secret: str) -> None:
        """`<data-dir>/join-token`: what a new agent on this host joins with (rewritten when it
        changes: rotated on any replica, or the CA it names replaced)."""
        token = self.join_token(secret)
        if secret and token != self._join_token_written:
            config.write_secret(Path(self.settings.data_dir) / "join-token", token)
            self._join_token_written = token

    async def _keep_join_token_file(self) -> None:
        while True:
            await asyncio.sleep(JOIN_TOKEN_FILE_SECONDS)
            try:
                self._write_join_token(await self.authenticator.join_token())
            except BerthError as e:  # etcd away for a moment: the file in hand stays
                log.info("join_token_file_retry", error=e.message)

    def _run_in_background(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._check_background)
        self._background.append(task)

    def _check_background(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background_loop_crashed", loop=task.get_name(), error=repr(task.exception()))
            self.failed.set()

    def is_leader(self) -> bool:
        return self.leadership is not None and self.leadership.is_leader

    async def _lead(self) -> None:
        """What the leader runs: the service controller, the janitor and the autoscaler. A crash in one ends
        leadership (and is logged), so no half-alive leader stays in charge."""
        services = ServiceController(
            self.store,
            self.state,
            self.launcher,
            self.arns,
            settings=PlanSettings(settle_seconds=self.settings.settle_seconds),
            drain_seconds=self.drain_seconds,
            target_health=self.target_health,
        )
        self.services = services
        janitor = Janitor(
            self.store,
            self.state,
            retention_seconds=self.settings.task_retention_seconds,
            history_seconds=self.settings.event_history_seconds,
        )
        assert self._ecs is not None
        autoscaler = Autoscaler(
            self.store,
            self.state,
            self.utilization,
            self._ecs.UpdateService,
            interval=self.settings.autoscale_interval_seconds,
            prometheus_url=self.settings.prometheus_url,
        )
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(services.run(), name="service-controller")
                tg.create_task(janitor.run(), name="janitor")
                tg.create_task(autoscaler.run(), name="autoscaler")
        finally:
            self.services = None

    async def _restart_service(self, cluster: str, service_name: str) -> None:
        """A new deployment of a service (RotateSecret --restart-services), as UpdateService
        --force-new-deployment makes one."""
        assert self._ecs is not None
        ctx = CallContext(
            request_id="rotate-secret", principal=auth.Principal(auth.ADMIN), method="RotateSecret"
        )
        await self._ecs.UpdateService(
            ecs_messages_pb2.UpdateServiceRequest(
                cluster=cluster, service=service_name, force_new_deployment=True
            ),
            ctx,
        )

    def target_health_changed(self, cluster: str, service_name: str) -> None:
        """The ELB catalog's hook: a target of the service changed state, so the leader's service
        controller plans the service again (a replica that does not lead has nothing to do)."""
        if self.services is not None:
            self.services.target_health_changed(cluster, service_name)

    async def stop(self, grace: float = 5.0) -> None:
        if self._grpc is not None:
            await self._grpc.stop(grace)
            self._grpc = None
        if self._http is not None:
            await self._http.cleanup()
            self._http = None
        await self.discovery.stop()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        if self.replicas is not None:
            await self.replicas.leave()
        if self.audit is not None:  # the calls served until now, best effort
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.audit.flush(), timeout=2.0)
        if self.forwarder is not None:
            await self.forwarder.close()
        await self.store.close()
        self._stopped.set()

    async def wait(self) -> None:
        await self._stopped.wait()
