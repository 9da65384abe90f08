"""State in etcd: the only package that imports the etcd client.

`EtcdStore` reads and writes protobuf records under one key prefix. Every write is a transaction
whose compares pin each touched key to the mod_revision the caller read (0: must not exist), so a
lost race surfaces as `Conflict` and is retried by re-reading, never by overwriting. Small frequent
writes use `commit_grouped`, which shares etcd requests between concurrent callers (store/group.py).
Key layout: `controlplane.store.keys`.
"""

from controlplane.store import keys
from controlplane.store.etcd import Check, Delete, EtcdStore, Put, Versioned, WatchCompacted, WatchEvent
from controlplane.store.txn import MAX_TXN_OPS, chunked

__all__ = [
    "MAX_TXN_OPS",
    "Check",
    "Delete",
    "EtcdStore",
    "Put",
    "Versioned",
    "WatchCompacted",
    "WatchEvent",
    "chunked",
    "keys",
]
