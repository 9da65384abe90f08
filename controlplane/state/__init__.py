"""In-memory, watch-fed views of etcd that controllers, the scheduler and agent sessions read.

API reads that must see a caller's own writes go to etcd directly; these mirrors are for decisions
that CAS writes guard anyway (a stale view only costs a retry, never a wrong write).
"""
