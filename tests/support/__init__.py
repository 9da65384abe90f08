"""Helpers shared by berth's tests: finding (or starting) etcd and Docker, running control planes."""
