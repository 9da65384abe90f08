"""The cluster certificate authority: TLS for the control plane's ports and agents' client
certificates (mutual TLS on the agent port). `authority` decides and signs (no I/O), `store` keeps
the CA in etcd with its key sealed, `serving` turns it into what the servers listen with."""
