"""Use cases: one function per user action.

Each takes a SQLAlchemy ``Session`` (the caller owns the transaction: the UI
task runner or the CLI opens ``Database.write()``) and plain arguments, and
returns a small frozen dataclass or raises ``ShowroomError``. ORM objects never
leave this package.
"""
