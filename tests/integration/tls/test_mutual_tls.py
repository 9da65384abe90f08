"""TLS on a real control plane: agents join over mutual TLS and their certificates act only for
their own instance, are refused once revoked (deregistration, registering again), expired or from
another CA; the join token names the CA and rotates; the CA key is not in etcd in the clear; a
real agent renews its certificate and keeps working; --insecure still serves plaintext."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from berth import Client, tls
from berth.v1 import agent_pb2, ecs_messages_pb2, store_pb2
from controlplane.store import Put, keys
from controlplane.tls.authority import AgentName, Authority, agent_name
from tests.support import fakeagent
from tests.support.agents import AgentProcess, wait_for, wait_task
from tests.support.controlplane import InProcessControlPlane

pytestmark = pytest.mark.etcd


def register(controlplane: Any, cluster: str, name: str = "fake") -> fakeagent.FakeAgent:
    return fakeagent.register(
        controlplane, ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=cluster, name=name)
    )


def goodbye(agent: fakeagent.FakeAgent) -> grpc.StatusCode:
    """An Agent call only an agent may make: OK, or the code it was refused with."""
    try:
        agent.stub.Goodbye(
            agent_pb2.GoodbyeRequest(container_instance_arn=agent.instance_arn, reason="probe"),
            metadata=agent.metadata,
            timeout=10,
        )
        return grpc.StatusCode.OK
    except grpc.RpcError as e:
        return e.code()  # type: ignore[no-any-return]


def agent_port(agent: fakeagent.FakeAgent) -> str:
    return agent.response.certificate.agent_endpoints[0]


def test_the_join_token_names_the_ca_that_signs_the_control_planes_certificate(
    controlplane: Any, client: Client
) -> None:
    token = fakeagent.join_token(controlplane)
    _secret, fingerprint = tls.split_join_token(token)
    ca = controlplane.ca_file.read_bytes()
    assert fingerprint == tls.fingerprint(ca)
    assert client.get_join_token().ca_fingerprint == fingerprint
    # What an agent does with it: read the chain without trusting it, keep the CA it names.
    assert tls.bootstrap_ca([controlplane.endpoint], fingerprint) == tls.certificates(ca)[0].public_bytes(
        Encoding.PEM
    )
    with pytest.raises(tls.TlsError, match="no certificate in its chain"):
        tls.bootstrap_ca([controlplane.endpoint], "sha256:" + "0" * 64)


def test_an_agent_certificate_acts_only_for_its_own_instance(
    controlplane: Any, client: Client, cluster: str
) -> None:
    with register(controlplane, cluster, "a") as a, register(controlplane, cluster, "b") as b:
        assert goodbye(a) == grpc.StatusCode.OK
        # Not for another instance...
        with pytest.raises(grpc.RpcError) as e:
            a.stub.Goodbye(
                agent_pb2.GoodbyeRequest(container_instance_arn=b.instance_arn, reason="lies"), timeout=10
            )
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # ...not for the user API...
        with pytest.raises(grpc.RpcError) as e:
            a.channel.unary_unary(
                "/berth.v1.ECS/ListClusters",
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=ecs_messages_pb2.ListClustersResponse.FromString,
            )(ecs_messages_pb2.ListClustersRequest(), timeout=10)
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # ...and not for another cluster's secrets (a task that is not on its instance).
        with pytest.raises(grpc.RpcError) as e:
            a.stub.GetTaskSecrets(
                agent_pb2.GetTaskSecretsRequest(
                    task_arn=f"arn:berth:ecs:local:000000000000:task/other/{'0' * 32}"
                ),
                timeout=10,
            )
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_agent_port_takes_only_certificates_of_the_cluster_ca(controlplane: Any, cluster: str) -> None:
    with register(controlplane, cluster) as real:
        ca = real.response.certificate.ca_bundle_pem.encode()
        endpoint = agent_port(real)
        key = tls.new_private_key()
        csr = tls.new_csr(key, "x").decode()
        name = fakeagent_name(real)
        cases = {
            "no certificate": (None, None),
            "another CA": (key, Authority.new(time.time()).sign_agent(csr, name, time.time(), 600)),
            "expired": (
                key,
                controlplane.cp.tls.tls.authority.sign_agent(csr, name, time.time() - 7200, 3600),
            ),
        }
        for why, (k, cert) in cases.items():
            with (
                fakeagent.agent_channel([endpoint], ca, k or b"", cert or b"")
                if cert
                else grpc.secure_channel(
                    endpoint, tls.channel_credentials(ca), options=tls.server_name_options(tls.SERVER_NAME)
                ) as channel
            ):
                probe = fakeagent.FakeAgent(real.instance_arn, real.response, channel, ())
                assert goodbye(probe) == grpc.StatusCode.UNAVAILABLE, why  # the handshake fails
        # Plaintext to the user port fails too: nothing is served in the clear.
        with grpc.insecure_channel(controlplane.endpoint) as channel:
            with pytest.raises(grpc.RpcError) as e:
                channel.unary_unary("/berth.v1.ECS/ListClusters")(b"", timeout=3)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE


def fakeagent_name(agent: fakeagent.FakeAgent) -> AgentName:
    name = agent_name(agent.response.certificate.certificate_pem.encode())
    assert name is not None
    return name


def test_deregistering_cuts_the_session_and_revokes_the_certificate(
    controlplane: Any, client: Client, cluster: str
) -> None:
    with register(controlplane, cluster) as agent:

        def messages() -> Iterator[agent_pb2.AgentMessage]:
            yield agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=agent.instance_arn))
            for _ in range(60):
                time.sleep(0.5)
                yield agent_pb2.AgentMessage(heartbeat=agent_pb2.Heartbeat(sent_at=time.time()))

        session = agent.stub.Session(messages(), timeout=40)
        assert next(session).HasField("manifest")
        client.deregister_container_instance(
            cluster=cluster, containerInstance=agent.instance_arn, force=True
        )
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as e:
            for _ in session:
                pass
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert time.monotonic() - started < 3  # within a heartbeat, not the grace period
        assert goodbye(agent) == grpc.StatusCode.UNAUTHENTICATED


def test_registering_the_instance_again_revokes_its_earlier_certificate(
    controlplane: Any, cluster: str
) -> None:
    with register(controlplane, cluster) as first:
        request = ecs_messages_pb2.RegisterContainerInstanceRequest(
            cluster=cluster, name="fake", container_instance_arn=first.instance_arn
        )
        with fakeagent.register(controlplane, request) as second:
            assert second.instance_arn == first.instance_arn
            # The cache of generations lasts a few seconds on other replicas; here it is dropped.
            assert goodbye(first) == grpc.StatusCode.UNAUTHENTICATED
            assert goodbye(second) == grpc.StatusCode.OK


def test_a_rotated_join_token_stops_working_at_once(controlplane: Any, client: Client, cluster: str) -> None:
    old = fakeagent.join_token(controlplane)
    try:
        new = client.rotate_join_token()
        # The replica keeps its <data-dir>/join-token current.
        assert fakeagent.join_token(controlplane) == new.join_token
        assert (
            new.join_token != old and tls.split_join_token(new.join_token)[1] == tls.split_join_token(old)[1]
        )
        request = ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=cluster, name="late")
        with pytest.raises(grpc.RpcError) as e:
            fakeagent.register(controlplane, request, old)
        assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with fakeagent.register(controlplane, request, new.join_token) as agent:
            assert goodbye(agent) == grpc.StatusCode.OK
    finally:
        # Put the fixture's token back for the other tests of the session.
        secret = tls.split_join_token(old)[0]
        store = controlplane.cp.store
        record = controlplane.run(store.get(keys.JOIN_TOKEN, store_pb2.AccessKey))
        record.value.secret_access_key = secret
        controlplane.run(store.commit(Put(keys.JOIN_TOKEN, record.value, record.mod_revision)))
        controlplane.cp.authenticator.forget_join_token()
        (controlplane.data_dir / "join-token").write_text(old + "\n")


def test_etcd_holds_no_private_key_in_the_clear(controlplane: Any) -> None:
    raw = controlplane.run(controlplane.cp.store.raw(""))
    assert raw, "the keyspace scan saw nothing"
    assert not [k for k, v in raw if b"PRIVATE KEY" in v]


def run_sleeper(client: Client, cluster: str, family: str) -> str:
    """A task that sleeps, RUNNING on the cluster's agent; its ARN."""
    td = client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "c", "image": "berth/busybox:latest", "memory": 16, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition.task_definition_arn
    task = str(client.run_task(cluster=cluster, taskDefinition=td).tasks[0].task_arn)
    wait_task(client, cluster, task, "RUNNING")
    return task


@pytest.fixture
def short_certs(etcd_endpoint: str) -> Iterator[InProcessControlPlane]:
    cp = InProcessControlPlane((etcd_endpoint,), agent_grace_seconds=4, agent_cert_ttl_seconds=8).start()
    yield cp
    cp.stop()


def test_a_real_agent_renews_its_certificate_and_keeps_running_tasks(
    short_certs: InProcessControlPlane, docker: Any, unique: str
) -> None:
    with Client(config_path=short_certs.config_path) as client:
        cluster = f"renew-{unique}"
        client.create_cluster(clusterName=cluster)
        agent = AgentProcess(
            short_certs.endpoint, fakeagent.join_token(short_certs), cluster, "renewer", {}, []
        ).start()
        try:
            agent.wait_connected(client)
            first = (agent.data_dir / "agent.crt").read_bytes()
            task = run_sleeper(client, cluster, f"renew-{unique}")
            # 8 s certificates are renewed about every 4 s; after three renewals the agent still
            # serves its instance: a stop reaches it.
            seen = {first}
            wait_for(
                lambda: seen.add((agent.data_dir / "agent.crt").read_bytes()) or len(seen) >= 4,
                timeout=30,
                interval=0.5,
                message="the agent did not renew its certificate",
            )
            described = client.describe_container_instances(
                cluster=cluster, containerInstances=[agent.instance_arn]
            )
            assert described.container_instances[0].agent_connected
            client.stop_task(cluster=cluster, task=task)
            wait_task(client, cluster, task, "STOPPED")
            assert agent.proc is not None and agent.proc.poll() is None
        finally:
            agent.cleanup(docker)


def test_an_insecure_control_plane_serves_plaintext_with_bearer_agents(
    etcd_endpoint: str, unique: str
) -> None:
    cp = InProcessControlPlane((etcd_endpoint,), insecure=True, controllers=False).start()
    try:
        assert cp.ca_file is None and cp.http.startswith("http://")
        token = fakeagent.join_token(cp)
        assert tls.split_join_token(token)[1] == ""  # no CA to name
        with Client(config_path=cp.config_path) as client:
            client.create_cluster(clusterName=f"plain-{unique}")
            request = ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=f"plain-{unique}", name="p")
            with fakeagent.register(cp, request) as agent:
                assert agent.metadata and goodbye(agent) == grpc.StatusCode.OK
    finally:
        cp.stop()


def issued_by(cert_pem: bytes, ca_pem: bytes) -> bool:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    try:
        x509.load_pem_x509_certificate(cert_pem).verify_directly_issued_by(
            x509.load_pem_x509_certificate(ca_pem)
        )
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def test_a_ca_rotation_moves_agents_and_clients_to_the_new_ca_without_a_restart(
    short_certs: InProcessControlPlane, docker: Any, unique: str
) -> None:
    cp = short_certs
    old_ca = cp.ca_file.read_bytes()  # type: ignore[union-attr]
    with Client(config_path=cp.config_path) as client:
        cluster = f"rotate-{unique}"
        client.create_cluster(clusterName=cluster)
        agent = AgentProcess(cp.endpoint, fakeagent.join_token(cp), cluster, "rotator", {}, []).start()
        try:
            arn = agent.wait_connected(client)
            task = run_sleeper(client, cluster, f"rotate-{unique}")

            started = client.rotate_ca()
            assert started.phase == "distributing" and len(started.trusted_fingerprints) == 2
            with pytest.raises(Exception, match="already under way"):
                client.rotate_ca()
            new_fp = started.trusted_fingerprints[1]
            lowest = [1]

            def finished() -> bool:
                with Client(config_path=cp.config_path) as fresh:  # rereads ca.pem, as a new client does
                    described = fresh.describe_container_instances(cluster=cluster, containerInstances=[arn])
                    lowest[0] = min(lowest[0], int(described.container_instances[0].agent_connected))
                    return fresh.describe_ca().phase == "steady"

            wait_for(finished, timeout=60, interval=1.0, message="the rotation did not finish")
            with Client(config_path=cp.config_path) as fresh:
                status = fresh.describe_ca()
            assert status.ca_fingerprint == new_fp and list(status.trusted_fingerprints) == [new_fp]
            assert lowest[0] == 1, "the agent was shown disconnected during the rotation"
            new_ca = cp.ca_file.read_bytes()  # type: ignore[union-attr]
            assert tls.fingerprint(new_ca) == new_fp and new_ca != old_ca
            # The agent renewed onto the new CA and still serves its instance.
            wait_for(
                lambda: issued_by((agent.data_dir / "agent.crt").read_bytes(), new_ca),
                timeout=20,
                interval=0.5,
                message="the agent's certificate is not from the new CA",
            )
            with Client(config_path=cp.config_path) as fresh:
                fresh.stop_task(cluster=cluster, task=task)
                wait_task(fresh, cluster, task, "STOPPED")
            assert agent.proc is not None and agent.proc.poll() is None
            # The old CA is no longer trusted: a join token naming it finds nothing to bootstrap from.
            with pytest.raises(tls.UntrustedServer):
                tls.bootstrap_ca([cp.endpoint], tls.fingerprint(old_ca))
            assert tls.split_join_token(fakeagent.join_token(cp))[1] == new_fp
        finally:
            agent.cleanup(docker)
