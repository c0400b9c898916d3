"""Working through a lost connection: queued operations, their replay, sync state.

``operations`` is the registry of what may wait (kind -> handler applying it
idempotently through the existing services); ``service.SyncService`` ties the
outbox, the replay and the feed watcher to an ``AppContext``.
"""
