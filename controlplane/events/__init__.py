"""The event stream (the EventBridge stand-in): `derive` turns one record change into ECS-shaped
events (pure), `EventFeed` reads etcd's history and serves them, resumable by event id."""

from controlplane.events.derive import EventFilter, EventId, derive
from controlplane.events.feed import EventFeed

__all__ = ["EventFeed", "EventFilter", "EventId", "derive"]
