"""berth's benchmarks: `make bench` (or `python -m bench [name ...]`) prints their figures.

Each benchmark compares against a baseline measured in the same run (raw etcd, a bare `docker run`)
and reports ratios, because absolute times on shared machines drift.
"""
