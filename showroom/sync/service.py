"""The sync service of one running app: outbox, replay, live feed, online state.

``submit`` applies an operation that can wait: at once when the shared
database answers, else it goes to the outbox and the caller learns it is
queued (the UI marks it 待同步). ``replay`` applies the outbox in order, each
operation once (see ``operations.apply``); it stops at the first connection
failure and leaves the rest queued. Refusals become problems, listed until
staff retry or discard them.

What a failure means is decided by ``db.faults.classify``: a deadlock, a
serialization failure or a lock timeout is retried (the whole transaction,
``Database.run``) and never makes the PC offline; only a lost connection does.

``start`` runs the feed watcher: other PCs' changes are published on the
context's bus, the online state is reported to ``subscribe``rs, and going back
online replays the outbox. While offline the watcher tries the server every
second, so the PC comes back by itself; ``sync_now`` (立即同步) tries at once.
No Qt here; the UI listens through ``subscribe``.

Replay is built for speed without holding the store's shared locks for long:
operations go in short transactions (at most ``REPLAY_BATCH`` operations or
``REPLAY_BATCH_SECONDS``), with one look-up of ``applied_operations`` and one
insert of their marks per transaction, and no savepoint per operation unless an
operation of the batch is refused (then the batch is redone with one savepoint
per operation, so a refusal undoes only itself).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from showroom.clock import utcnow
from showroom.errors import DatabaseUnavailable, ShowroomError

if TYPE_CHECKING:
    from db.engine import Database
    from db.sync.outbox import Operation, Outbox
    from db.sync.replica import Keeper, ReadReplica
    from db.sync.watch import FeedWatcher
    from showroom.changes import ChangeBus

log = logging.getLogger("showroom.sync")

OUTBOX_FILE = "outbox.sqlite3"
# Topics refreshed after a replay: the screens that show what can be queued.
REPLAY_TOPICS = frozenset(
    {"visits", "customers", "test_drives", "vehicles", "follow_ups", "inspections", "sync"}
)

# A replay transaction ends after this many operations or this long, whichever comes
# first: a store's visit counter (taken by each check-in) is then held only briefly.
REPLAY_BATCH = 100
REPLAY_BATCH_SECONDS = 0.15
# How often a long replay tells the status bar how many still wait.
ANNOUNCE_EVERY_S = 0.5

NEEDS_CONNECTION = (
    "需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额必须立即确认，"
    "请在网络恢复后再试；到店登记、新建客户、试驾还车、回访记录和检测记录（项目、照片、估价）可以离线保存，恢复后自动同步。"
)
BUSY = "数据库正忙：其他电脑正在同时保存，这次没有保存成功。请再试一次，已填写的内容都还在。"


@dataclass(frozen=True)
class SyncState:
    online: bool | None
    pending: int
    problems: int
    replaying: bool
    # When the local read cache last matched the shared database (None: no cache).
    cached_at: datetime | None = None


@dataclass(frozen=True)
class Submitted:
    """What became of an operation: applied now (``value``) or queued (``queued``)."""

    op_id: uuid.UUID
    queued: bool
    value: Any = None
    outcome: str = ""


@dataclass(frozen=True)
class ReplayReport:
    applied: int
    already: int
    problems: int
    remaining: int
    stopped_offline: bool


def plain_database_error(exc: BaseException) -> ShowroomError | None:
    """The sentence for a database failure the user can act on, or None (a bug).

    Offline: what can wait and what needs the connection. Busy (retries used up): try
    again. Both keep what the user typed; neither is a traceback.
    """
    from db import faults

    if isinstance(exc, ShowroomError):
        return None
    fault = faults.classify(exc)
    if fault is faults.OFFLINE:
        return DatabaseUnavailable("db.offline", NEEDS_CONNECTION)
    if fault is faults.TRANSIENT:
        return DatabaseUnavailable("db.busy", BUSY, reason=faults.reason(exc))
    return None


class _Refused(Exception):
    """An operation of an optimistic replay batch was refused: redo the batch carefully."""


class SyncService:
    def __init__(self, database: Database, outbox: Outbox, bus: ChangeBus | None = None) -> None:
        self.database = database
        self.outbox = outbox
        self.bus = bus
        self.online: bool | None = None
        self.replaying = False
        self._replay_lock = threading.Lock()
        self._listeners: list[Callable[[SyncState], None]] = []
        self._watcher: FeedWatcher | None = None
        # The shared database's read cache (set by ``for_context`` for PostgreSQL).
        self.replica: ReadReplica | None = None
        self._keeper: Keeper | None = None
        # Set by a PC that started while the server was down: checked (schema version)
        # before anything is written on the first contact; False holds the queue.
        self.first_contact: Callable[[], bool] | None = None

    @classmethod
    def for_context(cls, context: Any) -> SyncService:
        from db.sync.outbox import Outbox

        service = cls(context.database, Outbox(context.paths.data_dir / OUTBOX_FILE), context.bus)
        if context.database.kind == "postgresql":
            from db.sync import replica

            service.replica = replica.ReadReplica(context.paths.data_dir / replica.FILE)
        return service

    # --- state ------------------------------------------------------------------------------

    def state(self) -> SyncState:
        counts = self.outbox.counts()
        return SyncState(
            self.online,
            counts.get("pending", 0),
            counts.get("problem", 0),
            self.replaying,
            self.replica.synced_at() if self.replica is not None else None,
        )

    def subscribe(self, listener: Callable[[SyncState], None]) -> None:
        self._listeners.append(listener)

    def _announce(self) -> None:
        state = self.state()
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:  # one broken listener must not stop sync
                log.exception("sync state listener failed")

    # --- submitting -------------------------------------------------------------------------

    def submit(
        self, kind: str, payload: dict[str, Any], *, op_id: uuid.UUID | None = None
    ) -> Submitted:
        """Apply now if the database answers, else queue; refusals raise as usual.

        A transient failure (deadlock...) is retried by ``Database.run``; if it keeps
        failing the user is told the database is busy (``db.busy``), and the PC stays
        online. Only a lost connection queues the operation and marks the PC offline.
        """
        from db import faults
        from showroom.sync import operations

        fresh = op_id is None
        op_id = op_id or uuid.uuid4()
        created = utcnow()
        payload = {**payload, "now": payload.get("now") or created.isoformat()}
        can_wait = operations.REGISTRY[kind].can_wait
        if self.online is False and not can_wait:
            raise DatabaseUnavailable("db.offline", NEEDS_CONNECTION)
        if self.online is not False and self._first_contact_made():

            def work(session: Any) -> operations.Applied:
                return operations.apply(
                    session,
                    op_id,
                    kind,
                    payload,
                    created_at=created,
                    origin=self.database.origin,
                    fresh=fresh,
                )

            try:
                done = self.database.run(work)
                return Submitted(op_id, False, done.value, done.outcome)
            except Exception as exc:
                fault = faults.classify(exc)
                if fault is faults.TRANSIENT:
                    raise DatabaseUnavailable("db.busy", BUSY, reason=faults.reason(exc)) from exc
                if fault is not faults.OFFLINE:
                    raise
                self._set_online(False)
                if not can_wait:
                    raise DatabaseUnavailable("db.offline", NEEDS_CONNECTION) from exc
                log.info("database unreachable; %s queued", kind)
        if not can_wait:  # e.g. a PC started offline whose first contact is still pending
            raise DatabaseUnavailable("db.offline", NEEDS_CONNECTION)
        self.outbox.add(kind, payload, op_id=op_id, created_at=created)
        self._announce()
        return Submitted(op_id, True)

    def queue(self, kind: str, payload: dict[str, Any]) -> Submitted:
        """Put an operation in the outbox without trying the server (known offline)."""
        from showroom.sync import operations

        if not operations.REGISTRY[kind].can_wait:
            raise DatabaseUnavailable("db.offline", NEEDS_CONNECTION)
        created = utcnow()
        payload = {**payload, "now": payload.get("now") or created.isoformat()}
        op = self.outbox.add(kind, payload, created_at=created)
        self._announce()
        return Submitted(op.id, True)

    def _ready_to_write(self) -> bool:
        """The first contact of a PC started offline: is the server's schema this app's?"""
        check = self.first_contact
        if check is None:
            return True
        if not check():
            log.warning("queue held: the shared database's schema does not match this app")
            return False
        self.first_contact = None
        return True

    # --- replay -----------------------------------------------------------------------------

    def replay(self) -> ReplayReport:
        """Apply the queued operations in order; one replay at a time."""
        with self._replay_lock:
            self.replaying = True
            self._announce()
            try:
                report = self._replay()
            finally:
                self.replaying = False
                self._announce()
                if self.bus is not None:
                    self.bus.publish(REPLAY_TOPICS)
        if not report.stopped_offline and (report.applied or report.already or report.problems):
            # It answered: whatever said offline is out of date.
            self._set_online(True, replay=False)
        return report

    def sync_now(self) -> ReplayReport:
        """立即同步: try the server now (whatever the last state said), then replay."""
        if not self.probe(replay=False):  # the replay runs here, not on another thread
            return ReplayReport(0, 0, 0, self.outbox.counts().get("pending", 0), True)
        if self._keeper is not None:
            self._keeper.poke()
        return self.replay()

    def probe(self, *, replay: bool = True) -> bool:
        """Ask the server one trivial question; set the online state from the answer.

        Back online, the outbox replays on a thread of its own unless ``replay`` is False.
        """
        from sqlalchemy import text

        from db import faults

        try:
            with self.database.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            if not faults.is_offline(exc):
                raise
            self._set_online(False)
            return False
        self._set_online(True, replay=replay)
        return True

    def _first_contact_made(self) -> bool:
        """``_ready_to_write``, with an unreachable server meaning "not yet" (queue it)."""
        from db import faults

        try:
            return self._ready_to_write()
        except Exception as exc:
            if not faults.is_offline(exc):
                raise
            self._set_online(False)
            return False

    def _replay(self) -> ReplayReport:
        from db import faults

        applied = already = problems = 0
        pending = self.outbox.pending()
        if pending and not self._first_contact_made():
            return ReplayReport(0, 0, 0, len(pending), self.online is False)
        done = 0
        unsettled: list[tuple[uuid.UUID, str, str | None]] = []
        settled_at = time.monotonic()
        while done < len(pending) or self._more_queued(pending, unsettled):
            if done >= len(pending):  # queued while this replay ran (the PC was offline)
                pending, done = self.outbox.pending(), 0
            chunk = pending[done : done + REPLAY_BATCH]
            try:
                results = self._apply_batch(chunk)
            except Exception as exc:
                fault = faults.classify(exc)
                if fault is faults.OTHER:
                    raise
                self._settle(unsettled)
                if fault is faults.TRANSIENT:  # busy even after the retries: later, not lost
                    log.warning("replay paused: the database stayed busy (%s)", faults.reason(exc))
                    return ReplayReport(applied, already, problems, len(pending) - done, False)
                self._set_online(False)
                return ReplayReport(applied, already, problems, len(pending) - done, True)
            done += len(results)
            for op, result, error in results:
                if error is not None:
                    problems += 1
                    unsettled.append((op.id, "", _problem_text(error)))
                    continue
                if result.already:
                    already += 1
                else:
                    applied += 1
                unsettled.append((op.id, result.outcome, None))
            if time.monotonic() - settled_at >= ANNOUNCE_EVERY_S:
                # Marking them done locally can lag: applied_operations already says so.
                self._settle(unsettled)
                settled_at = time.monotonic()
                self._announce()
        self._settle(unsettled)
        return ReplayReport(applied, already, problems, 0, False)

    def _more_queued(
        self, pending: list[Operation], unsettled: list[tuple[uuid.UUID, str, str | None]]
    ) -> bool:
        self._settle(unsettled)
        return bool(pending) and bool(self.outbox.counts().get("pending", 0))

    def _settle(self, results: list[tuple[uuid.UUID, str, str | None]]) -> None:
        if results:
            self.outbox.settle(results)
            results.clear()

    def _apply_batch(self, chunk: list[Operation]) -> list[tuple[Operation, Any, Exception | None]]:
        """A prefix of ``chunk`` in one short transaction; retried whole when transient.

        First without a savepoint per operation; if one is refused, the transaction is
        rolled back and the same operations run again, each in its own savepoint.
        """
        try:
            return self.database.run(lambda session: self._batch(session, chunk, careful=False))
        except _Refused:
            return self.database.run(lambda session: self._batch(session, chunk, careful=True))

    def _batch(
        self, session: Any, chunk: list[Operation], *, careful: bool
    ) -> list[tuple[Operation, Any, Exception | None]]:
        from db import faults
        from showroom.sync import operations

        started = time.monotonic()
        already = operations.applied_ids(session, [op.id for op in chunk])
        marks: list[dict[str, Any]] | None = None if careful else []
        results: list[tuple[Operation, Any, Exception | None]] = []
        for op in chunk:
            if results and time.monotonic() - started >= REPLAY_BATCH_SECONDS:
                break
            try:
                if careful:
                    with session.begin_nested():
                        done = self._apply(session, op, already, None)
                else:
                    done = self._apply(session, op, already, marks)
            except Exception as exc:
                if faults.classify(exc) is not faults.OTHER:
                    raise  # transient: the runner retries the batch; offline: stop
                if not careful:
                    raise _Refused() from exc
                results.append((op, None, exc))
                continue
            results.append((op, done, None))
        if marks:
            operations.insert_marks(session, marks)
        return results

    def _apply(
        self,
        session: Any,
        op: Operation,
        already: frozenset[uuid.UUID],
        marks: list[dict[str, Any]] | None,
    ) -> Any:
        from showroom.sync import operations

        return operations.apply(
            session,
            op.id,
            op.kind,
            op.payload,
            created_at=op.created_at,
            origin=self.database.origin,
            already=already,
            marks=marks,
            replay=True,
        )

    def problems(self) -> list[Operation]:
        return self.outbox.problems()

    def retry(self, op_id: uuid.UUID) -> None:
        self.outbox.retry(op_id)
        self._announce()

    def discard(self, op_id: uuid.UUID, reason: str) -> None:
        self.outbox.discard(op_id, reason)
        self._announce()

    # --- live feed --------------------------------------------------------------------------

    def _seq_key(self) -> str:
        return "last_seq:" + self.database.engine.url.render_as_string(hide_password=True)

    def start(self) -> None:
        from db.sync.watch import FeedWatcher

        saved = self.outbox.get_state(self._seq_key())
        self._watcher = FeedWatcher(
            self.database,
            self._publish,
            on_online=self._set_online,
            on_seq=lambda seq: self.outbox.set_state(self._seq_key(), str(seq)),
            last_seq=int(saved) if saved else None,
        )
        self._watcher.start()
        if self.replica is not None:
            from db.sync.replica import Keeper

            self._keeper = Keeper(self.replica, self.database)
            self._keeper.start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._keeper is not None:
            self._keeper.stop()
            self._keeper = None
        if self.replica is not None:
            self.replica.dispose()

    def _publish(self, topics: frozenset[str]) -> None:
        if self._keeper is not None:
            self._keeper.poke()  # other PCs' changes reach the read cache at once
        if self.bus is not None:
            self.bus.publish(topics)

    def _set_online(self, online: bool, *, replay: bool = True) -> None:
        if online == self.online:
            return
        self.online = online
        self._announce()
        if online and self._keeper is not None:
            self._keeper.poke()
        if online and replay and self.outbox.pending():
            threading.Thread(target=self._replay_quietly, name="outbox-replay", daemon=True).start()

    def _replay_quietly(self) -> None:
        try:
            report = self.replay()
            log.info("outbox replay: %s", report)
        except Exception:
            log.exception("outbox replay failed")


def _problem_text(exc: BaseException) -> str:
    if isinstance(exc, ShowroomError):
        return exc.message
    log.error("replay of an operation failed", exc_info=exc)
    return f"同步时出错（{type(exc).__name__}），详情已写入日志。"
