"""EtcdStore: protobuf records in etcd with compare-and-swap writes (etcd3aio underneath)."""

from __future__ import annotations

import asyncio
import builtins
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import etcd3aio
import grpc
import structlog
from etcd3aio._protobuf import RequestOp, TxnRequest
from etcd3aio.kv import KVService, prefix_range_end
from google.protobuf.message import Message

from berth.errors import Conflict, Unavailable
from controlplane import metrics
from controlplane.store.group import GroupCommit
from controlplane.store.leases import SharedKeepAlive
from controlplane.store.tls import EtcdTls
from controlplane.store.txn import MAX_TXN_OPS, Unit

M = TypeVar("M", bound=Message)

# Transactions are not retried by the client library: a CAS write that timed out may still have been
# committed, and a blind retry would then report a conflict with itself. The caller decides.
log = structlog.get_logger("berth.store")

_TXN_ATTEMPTS = 1
_READ_ATTEMPTS = 3
_MAX_RECEIVE = 256 * 1024 * 1024
_WATCH_TRANSIENT = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_WATCH_BACKOFF = 0.25
_WATCH_MAX_BACKOFF = 5.0
_WATCH_GIVE_UP_SECONDS = 30.0  # then Unavailable: the caller decides (the mirrors re-list)


@dataclass(frozen=True)
class Versioned(Generic[M]):
    """A record as read: its key (relative to the prefix), value and etcd revisions."""

    key: str
    value: M
    mod_revision: int
    create_revision: int


@dataclass(frozen=True)
class Put:
    """Write `value` at `key` if the key's mod_revision is still `expect` (0: the key must not exist)."""

    key: str
    value: Message
    expect: int
    lease: int = 0


@dataclass(frozen=True)
class Delete:
    """Delete `key` if its mod_revision is still `expect`."""

    key: str
    expect: int


@dataclass(frozen=True)
class Check:
    """Write nothing, but fail the transaction unless `key` is still at mod_revision `expect`."""

    key: str
    expect: int


Op = Put | Delete | Check


@dataclass(frozen=True)
class WatchEvent:
    kind: str  # "put" | "delete"
    key: str
    value: bytes
    mod_revision: int
    prev_value: bytes | None = None  # the value before this change (watch(prev_kv=True)); None: absent


class WatchCompacted(Exception):
    """The watch's start revision was compacted away: re-list, then watch from the new revision."""

    def __init__(self, compact_revision: int) -> None:
        super().__init__(f"watch start revision compacted (compacted at {compact_revision})")
        self.compact_revision = compact_revision


class EtcdStore:
    """Reads and CAS writes of protobuf records under `prefix`; keys passed in are relative to it."""

    def __init__(
        self,
        endpoints: Sequence[str],
        *,
        prefix: str = "/berth/",
        timeout: float = 5.0,
        tls: EtcdTls | None = None,
    ) -> None:
        if not prefix.endswith("/"):
            prefix += "/"
        self.endpoints = list(endpoints)
        self.prefix = prefix
        self.timeout = timeout
        if tls is None:
            self._client = etcd3aio.Etcd3Client(self.endpoints, rpc_max_attempts=_READ_ATTEMPTS)
        else:
            self._client = etcd3aio.Etcd3Client(
                self.endpoints,
                rpc_max_attempts=_READ_ATTEMPTS,
                tls_server_name=tls.server_name,
                ca_cert=tls.ca_pem,
                cert_chain=tls.cert_pem,
                cert_key=tls.key_pem,
            )
        # gRPC's default 4 MiB receive limit is too small for a watch response that carries a big
        # batch of events (etcd sends up to its own request limit per event, several per response).
        self._client._manager.grpc_options.append(("grpc.max_receive_message_length", _MAX_RECEIVE))
        self._connected = False
        self._keepalive = SharedKeepAlive(self._open_keepalive)
        self._group: GroupCommit[Op] = GroupCommit(self._commit_together, _unit)

    async def start(self) -> None:
        await self._client.connect()
        self._connected = True

    async def close(self) -> None:
        await self._group.close()
        await self._keepalive.close()
        if self._connected:
            await self._client.close()
            self._connected = False

    @property
    def _kv(self) -> KVService:
        assert self._client.kv is not None, "EtcdStore.start() was not called"
        return self._client.kv

    def _abs(self, key: str) -> bytes:
        return (self.prefix + key).encode()

    def _rel(self, key: bytes) -> str:
        return key.decode()[len(self.prefix) :]

    @asynccontextmanager
    async def _op(self, operation: str) -> AsyncIterator[None]:
        start = time.perf_counter()
        try:
            yield
        except (etcd3aio.EtcdError, grpc.aio.AioRpcError, TimeoutError, OSError) as e:
            metrics.ETCD_ERRORS.labels(operation, "unavailable").inc()
            raise Unavailable(f"etcd is unavailable ({operation}): {_brief(e)}") from e
        finally:
            metrics.ETCD_LATENCY.labels(operation).observe(time.perf_counter() - start)

    # -- reads -----------------------------------------------------------------------------------

    async def ping(self) -> int:
        """The current etcd revision; Unavailable if etcd cannot be reached."""
        async with self._op("get"):
            resp = await self._kv.get(self._abs("__ping__"), count_only=True, timeout=self.timeout)
        return int(resp.header.revision)

    async def get(self, key: str, cls: type[M]) -> Versioned[M] | None:
        async with self._op("get"):
            resp = await self._kv.get(self._abs(key), timeout=self.timeout)
        if not resp.kvs:
            return None
        return self._decode(resp.kvs[0], cls)

    async def revision_of(self, key: str) -> int:
        """The key's mod_revision, 0 if it does not exist."""
        async with self._op("get"):
            resp = await self._kv.get(self._abs(key), keys_only=True, timeout=self.timeout)
        return int(resp.kvs[0].mod_revision) if resp.kvs else 0

    async def get_many(self, keys: Sequence[str], cls: type[M]) -> builtins.list[Versioned[M] | None]:
        """Several keys read at one revision (a single transaction of range reads). Its callers
        are bounded by ECS's request limits (at most 100 ARNs), under `MAX_TXN_OPS`."""
        if not keys:
            return []
        if len(keys) > MAX_TXN_OPS:
            raise ValueError(f"a read of {len(keys)} keys exceeds etcd's limit of {MAX_TXN_OPS} per txn")
        ops = [KVService.txn_op_get(self._abs(k)) for k in keys]
        async with self._op("get"):
            resp = await self._kv.txn([], ops, timeout=self.timeout)
        out: builtins.list[Versioned[M] | None] = []
        for r in resp.responses:
            kvs = r.response_range.kvs
            out.append(self._decode(kvs[0], cls) if kvs else None)
        return out

    async def list(
        self, prefix: str, cls: type[M], *, start_after: str = "", limit: int = 0, reverse: bool = False
    ) -> tuple[builtins.list[Versioned[M]], bool]:
        """Records under `prefix` in key order (or reverse), after `start_after`; (records, more)."""
        start, end = self._abs(prefix), prefix_range_end(self._abs(prefix))
        if start_after:
            if reverse:
                end = self._abs(start_after)
            else:
                start = self._abs(start_after) + b"\x00"
        order = etcd3aio.SortOrder.DESCEND if reverse else etcd3aio.SortOrder.ASCEND
        async with self._op("list"):
            resp = await self._kv.get(
                start,
                end,
                limit=limit,
                sort_order=order,
                sort_target=etcd3aio.SortTarget.KEY,
                timeout=self.timeout,
            )
        return [self._decode(kv, cls) for kv in resp.kvs], bool(resp.more)

    async def snapshot(
        self, prefix: str, cls: type[M], *, page: int = 1000
    ) -> tuple[builtins.list[Versioned[M]], int]:
        """Every record under `prefix`, read at one etcd revision (paged); (records, revision)."""
        start, end = self._abs(prefix), prefix_range_end(self._abs(prefix))
        out: builtins.list[Versioned[M]] = []
        revision = 0
        while True:
            async with self._op("list"):
                resp = await self._kv.get(
                    start,
                    end,
                    revision=revision,
                    limit=page,
                    sort_order=etcd3aio.SortOrder.ASCEND,
                    sort_target=etcd3aio.SortTarget.KEY,
                    timeout=self.timeout,
                )
            revision = revision or int(resp.header.revision)
            out.extend(self._decode(kv, cls) for kv in resp.kvs)
            if not resp.more or not resp.kvs:
                return out, revision
            start = bytes(resp.kvs[-1].key) + b"\x00"

    async def raw(self, prefix: str = "") -> builtins.list[tuple[str, bytes]]:
        """Every (key, stored bytes) under `prefix`, undecoded: for scans of what etcd holds
        (such as "no secret value in plain text")."""
        start, end = self._abs(prefix), prefix_range_end(self._abs(prefix))
        out: builtins.list[tuple[str, bytes]] = []
        while True:
            async with self._op("list"):
                resp = await self._kv.get(start, end, limit=1000, timeout=self.timeout)
            out.extend((self._rel(bytes(kv.key)), bytes(kv.value)) for kv in resp.kvs)
            if not resp.more or not resp.kvs:
                return out
            start = bytes(resp.kvs[-1].key) + b"\x00"

    async def list_keys(
        self, prefix: str, *, start_after: str = "", limit: int = 0
    ) -> tuple[builtins.list[str], bool]:
        start, end = self._abs(prefix), prefix_range_end(self._abs(prefix))
        if start_after:
            start = self._abs(start_after) + b"\x00"
        async with self._op("list"):
            resp = await self._kv.get(
                start,
                end,
                limit=limit,
                keys_only=True,
                sort_order=etcd3aio.SortOrder.ASCEND,
                timeout=self.timeout,
            )
        return [self._rel(kv.key) for kv in resp.kvs], bool(resp.more)

    async def last_modified(self, prefix: str) -> tuple[int, int]:
        """(the highest mod_revision of a key under `prefix`, 0 if none; etcd's current revision).
        Deletes leave no key behind, so they do not count."""
        async with self._op("list"):
            resp = await self._kv.get(
                self._abs(prefix),
                prefix_range_end(self._abs(prefix)),
                limit=1,
                keys_only=True,
                sort_order=etcd3aio.SortOrder.DESCEND,
                sort_target=etcd3aio.SortTarget.MOD,
                timeout=self.timeout,
            )
        return (int(resp.kvs[0].mod_revision) if resp.kvs else 0), int(resp.header.revision)

    async def count(self, prefix: str) -> int:
        async with self._op("count"):
            resp = await self._kv.get(
                self._abs(prefix), prefix_range_end(self._abs(prefix)), count_only=True, timeout=self.timeout
            )
        return int(resp.count)

    # -- writes ----------------------------------------------------------------------------------

    async def commit(self, *ops: Op) -> int:
        """Apply `ops` atomically if every touched key is still at its expected revision.

        Returns the new etcd revision. Raises Conflict if any compare failed (nothing is written),
        Unavailable if etcd could not be reached (the outcome is then unknown). More than
        `MAX_TXN_OPS` ops is a bug of the caller (etcd would refuse them): ValueError.
        """
        _check_size(ops)
        compares, actions = self._txn_parts(ops)
        async with self._op("txn"):
            resp = await self._kv.txn(compares, actions, timeout=self.timeout, max_attempts=_TXN_ATTEMPTS)
        return _outcome(resp.succeeded, int(resp.header.revision))

    async def commit_grouped(self, *ops: Op) -> int:
        """`commit`, sharing an etcd request with other callers' concurrent transactions.

        The same guarantees and errors as `commit` (the ops are applied all or none, on their own
        compares); under concurrency many such commits cost etcd one request and one revision.
        For small, frequent, independent writes (see store/group.py).
        """
        _check_size(ops)
        return _outcome_of(await self._group.commit(ops))

    async def _commit_together(self, units: builtins.list[Sequence[Op]]) -> builtins.list[int | None]:
        if len(units) == 1:
            compares, actions = self._txn_parts(units[0])
            async with self._op("txn"):
                resp = await self._kv.txn(compares, actions, timeout=self.timeout, max_attempts=_TXN_ATTEMPTS)
            return [int(resp.header.revision) if resp.succeeded else None]
        nested = []
        for ops in units:
            compares, actions = self._txn_parts(ops)
            nested.append(RequestOp(request_txn=TxnRequest(compare=compares, success=actions)))
        async with self._op("txn_grouped"):
            resp = await self._kv.txn([], nested, timeout=self.timeout, max_attempts=_TXN_ATTEMPTS)
        revision = int(resp.header.revision)
        return [revision if r.response_txn.succeeded else None for r in resp.responses]

    def _txn_parts(self, ops: Sequence[Op]) -> tuple[builtins.list[Any], builtins.list[Any]]:
        compares = []
        actions = []
        for op in ops:
            key = self._abs(op.key)
            compares.append(
                KVService.txn_compare_create_revision(key, 0)
                if op.expect == 0
                else _mod_equal(key, op.expect)
            )
            if isinstance(op, Put):
                actions.append(KVService.txn_op_put(key, op.value.SerializeToString(), lease=op.lease))
            elif isinstance(op, Delete):
                actions.append(KVService.txn_op_delete(key))
        return compares, actions

    async def update(
        self,
        key: str,
        cls: type[M],
        change: Callable[[M | None], M | None] | Callable[[M | None], Awaitable[M | None]],
        *,
        attempts: int = 20,
    ) -> M | None:
        """Read-modify-write `key` with CAS, re-reading and re-applying `change` on a lost race.

        `change` gets the current value (None if absent) and returns the new value, or None to
        leave the key as it is. It may raise to abort. Returns what was written (or None).
        """
        for attempt in range(attempts):
            current = await self.get(key, cls)
            result = change(current.value if current else None)
            new: M | None = await result if inspect.isawaitable(result) else result  # type: ignore[assignment]
            if new is None:
                return None
            try:
                await self.commit(Put(key, new, current.mod_revision if current else 0))
                return new
            except Conflict:
                await asyncio.sleep(min(0.001 * 2**attempt, 0.05))
        raise Conflict(f"{key}: too many concurrent changes; retry the request")

    async def compact(self, revision: int) -> None:
        """Drop etcd's history before `revision` (a revision already compacted is fine)."""
        async with self._op("compact"):
            try:
                await self._kv.compact(revision, timeout=self.timeout)
            except grpc.aio.AioRpcError as e:
                if "compacted" not in (e.details() or ""):
                    raise

    # -- leases and watches ----------------------------------------------------------------------

    async def grant_lease(self, ttl: int) -> int:
        assert self._client.lease is not None
        async with self._op("lease"):
            resp = await self._client.lease.grant(ttl, timeout=self.timeout)
        return int(resp.ID)

    async def refresh_lease(self, lease_id: int) -> int:
        """Keep a lease alive once; returns its remaining TTL (<= 0 once it expired)."""
        assert self._client.lease is not None
        async with self._op("lease"):
            return await self._keepalive.refresh(lease_id, self.timeout)

    def _open_keepalive(self, requests: AsyncIterator[Any]) -> Any:
        lease = self._client.lease  # the current connection's (it changes when etcd fails over)
        assert lease is not None
        return lease._stub.LeaseKeepAlive(requests, metadata=lease._metadata or None)

    async def revoke_lease(self, lease_id: int) -> None:
        assert self._client.lease is not None
        async with self._op("lease"):
            await self._client.lease.revoke(lease_id, timeout=self.timeout)

    async def watch(
        self, prefix: str, start_revision: int, *, prev_kv: bool = False
    ) -> AsyncIterator[builtins.list[WatchEvent]]:
        """Batches of events under `prefix` from `start_revision` on (one batch per etcd watch
        response, so a transaction's writes arrive together); WatchCompacted if that revision is gone.
        `prev_kv`: each event also carries the key's previous value.

        A broken stream (etcd restarted, failed over, a network blip) is resumed here from the
        revision after the last event delivered, so no event is skipped or delivered twice. The
        client library's own resume is switched off (see __init__): it resumes from the last
        response's header revision, which is etcd's current revision and skips whatever a watcher
        catching up on history had not received yet. Unavailable once etcd stays away.
        """
        watch = self._client.watch
        assert watch is not None
        # `watch` resumes from the right revision below; the library must not resume on its own
        # from a later one, which it does for transient errors before this loop would see them.
        watch._is_transient_error = lambda exc: False  # type: ignore[method-assign]
        key = self._abs(prefix)
        next_revision = start_revision
        backoff = _WATCH_BACKOFF
        deadline: float | None = None
        while True:
            try:
                async for resp in watch.watch(
                    key, prefix_range_end(key), start_revision=next_revision, prev_kv=prev_kv
                ):
                    if resp.canceled or resp.compact_revision:
                        raise WatchCompacted(int(resp.compact_revision))
                    backoff, deadline = _WATCH_BACKOFF, None
                    if resp.events:
                        batch = [
                            WatchEvent(
                                "delete" if ev.type == 1 else "put",
                                self._rel(ev.kv.key),
                                bytes(ev.kv.value),
                                int(ev.kv.mod_revision),
                                bytes(ev.prev_kv.value) if prev_kv and ev.HasField("prev_kv") else None,
                            )
                            for ev in resp.events
                        ]
                        next_revision = batch[-1].mod_revision + 1
                        yield batch
                return
            except (etcd3aio.EtcdError, grpc.aio.AioRpcError) as e:
                transient = isinstance(e, grpc.aio.AioRpcError) and e.code() in _WATCH_TRANSIENT
                now = time.monotonic()
                deadline = deadline or now + _WATCH_GIVE_UP_SECONDS
                if not transient or now > deadline:
                    raise Unavailable(f"etcd watch of {prefix} failed: {_brief(e)}") from e
                log.info("etcd_watch_resuming", prefix=prefix, revision=next_revision, error=_brief(e))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _WATCH_MAX_BACKOFF)

    def _decode(self, kv: Any, cls: type[M]) -> Versioned[M]:
        return Versioned(
            self._rel(kv.key), cls.FromString(kv.value), int(kv.mod_revision), int(kv.create_revision)
        )


def _check_size(ops: Sequence[Op]) -> None:
    if len(ops) > MAX_TXN_OPS:
        raise ValueError(f"a transaction of {len(ops)} ops exceeds etcd's limit of {MAX_TXN_OPS}")


def _outcome(succeeded: bool, revision: int) -> int:
    if not succeeded:
        metrics.ETCD_ERRORS.labels("txn", "conflict").inc()
        raise Conflict("the resource was changed concurrently; retry the request")
    return revision


def _outcome_of(revision: int | None) -> int:
    return _outcome(revision is not None, revision or 0)


def _unit(ops: Sequence[Op]) -> Unit:
    """What the group commit needs to know of a transaction: its keys, ops and about its bytes."""
    size = sum(len(op.key) + 32 + (op.value.ByteSize() if isinstance(op, Put) else 0) for op in ops)
    return Unit(frozenset(op.key for op in ops), len(ops), size)


def _mod_equal(key: bytes, revision: int) -> Any:
    from etcd3aio._protobuf import Compare

    return Compare(result=Compare.EQUAL, target=Compare.MOD, key=key, mod_revision=revision)


def _brief(e: BaseException) -> str:
    if isinstance(e, grpc.aio.AioRpcError):
        return f"{e.code().name}: {e.details()}"
    return str(e) or type(e).__name__
