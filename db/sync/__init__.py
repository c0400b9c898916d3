"""Sync between the PCs of a store: change feed, notifications, offline outbox.

``feed`` records, in the same transaction as every write, which rows changed
(generic: it watches the session, so new tables need nothing); ``watch``
turns new feed entries into change-bus topics (PostgreSQL LISTEN/NOTIFY, a
cheap poll on SQLite); ``outbox`` keeps operations made while the shared
database was unreachable and replays them once, in order.
"""
