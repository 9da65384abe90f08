"""berth.v1.Berth's RotateJoinToken and GetJoinToken: the token agents join with, as operators
hand it out (on a TLS cluster it names the CA's fingerprint, see berth.tls); RotateCa and
DescribeCa: the cluster CA (controlplane.tls)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from berth import tls
from berth.errors import FailedPrecondition
from berth.v1 import berth_pb2
from controlplane import auth
from controlplane.api.base import ApiBase
from controlplane.api.context import CallContext

if TYPE_CHECKING:
    from controlplane.tls.live import LiveTls


class JoinTokenApi(ApiBase):
    authenticator: auth.Authenticator | None = None
    ca_fingerprint = ""  # "" on an insecure cluster
    # Rewrites this replica's <data-dir>/join-token from a new secret.
    write_join_token: Callable[[str], None] | None = None
    live_tls: LiveTls | None = None  # the cluster CA (None on an insecure cluster)

    def _join_token_response(self, secret: str) -> berth_pb2.JoinTokenResponse:
        return berth_pb2.JoinTokenResponse(
            join_token=tls.join_token(secret, self.ca_fingerprint), ca_fingerprint=self.ca_fingerprint
        )

    async def GetJoinToken(
        self, req: berth_pb2.GetJoinTokenRequest, ctx: CallContext
    ) -> berth_pb2.JoinTokenResponse:
        return self._join_token_response(await auth.ensure_join_token(self.store))

    async def RotateJoinToken(
        self, req: berth_pb2.RotateJoinTokenRequest, ctx: CallContext
    ) -> berth_pb2.JoinTokenResponse:
        """A new join token; the old one is refused from now on (other replicas within their few
        seconds of cache). Agents that joined keep working: they hold certificates (or, on an
        insecure cluster, their own tokens), not the join token."""
        secret = await auth.rotate_join_token(self.store)
        if self.authenticator is not None:
            self.authenticator.forget_join_token()
        response = self._join_token_response(secret)
        if self.write_join_token is not None:
            self.write_join_token(secret)
        return response

    def _live_tls(self) -> LiveTls:
        if self.live_tls is None:
            raise FailedPrecondition("this cluster does not use TLS (--insecure): it has no CA")
        return self.live_tls

    async def RotateCa(self, req: berth_pb2.RotateCaRequest, ctx: CallContext) -> berth_pb2.CaStatus:
        """Start replacing the cluster CA (controlplane.tls.rotation): trusted at once, signing
        once every agent has renewed, the old one dropped after that."""
        return await self._live_tls().rotate()

    async def DescribeCa(self, req: berth_pb2.DescribeCaRequest, ctx: CallContext) -> berth_pb2.CaStatus:
        return self._live_tls().status()
