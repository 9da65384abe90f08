"""The agent's side of mutual TLS: its key, certificate and the CAs it trusts, on disk (`files`),
and when to renew (`renewal`). agent.session uses them to join and to hold its session."""
