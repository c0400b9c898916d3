"""The sync service of one running app: outbox, replay, live feed, online state.

``submit`` applies an operation that can wait: at once when the shared
database answers, else it goes to the outbox and the caller learns it is
queued (the UI marks it 待同步). ``replay`` applies the outbox in order, each
operation once (see ``operations.apply``); it stops at the first connection
failure and leaves the rest queued. Refusals become problems, listed until
staff retry or discard them.

``start`` runs the feed watcher: other PCs' changes are published on the
context's bus, the online state is reported to ``subscribe``rs, and going back
online replays the outbox. No Qt here; the UI listens through ``subscribe``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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

# Operations replayed per transaction (each in its own savepoint).
REPLAY_BATCH = 50

NEEDS_CONNECTION = (
    "需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额必须立即确认，"
    "请在网络恢复后再试；到店登记、新建客户、试驾还车、回访记录和检测记录（项目、照片、估价）可以离线保存，恢复后自动同步。"
)


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


def is_connection_error(exc: BaseException) -> bool:
    """The database could not be reached (as opposed to a refusal or a bug)."""
    from sqlalchemy.exc import DisconnectionError, IntegrityError, InterfaceError, OperationalError

    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, IntegrityError):
        return False
    return isinstance(exc, (OperationalError, InterfaceError, DisconnectionError, OSError))


class _Offline(Exception):
    """The database went away in the middle of a replay."""


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
        """Apply now if the database answers, else queue; refusals raise as usual."""
        from showroom.sync import operations

        op_id = op_id or uuid.uuid4()
        created = datetime.now(UTC)
        payload = {**payload, "now": payload.get("now") or created.isoformat()}
        if self.online is not False:
            try:
                with self.database.write() as session:
                    done = operations.apply(
                        session,
                        op_id,
                        kind,
                        payload,
                        created_at=created,
                        origin=self.database.origin,
                    )
                return Submitted(op_id, False, done.value, done.outcome)
            except Exception as exc:
                if not is_connection_error(exc):
                    raise
                log.info("database unreachable; %s queued", kind)
                self._set_online(False)
        self.outbox.add(kind, payload, op_id=op_id, created_at=created)
        self._announce()
        return Submitted(op_id, True)

    # --- replay -----------------------------------------------------------------------------

    def replay(self) -> ReplayReport:
        """Apply the queued operations in order; one replay at a time."""
        with self._replay_lock:
            self.replaying = True
            self._announce()
            try:
                return self._replay()
            finally:
                self.replaying = False
                self._announce()
                if self.bus is not None:
                    self.bus.publish(REPLAY_TOPICS)

    def _replay(self) -> ReplayReport:
        applied = already = problems = 0
        pending = self.outbox.pending()
        for start in range(0, len(pending), REPLAY_BATCH):
            chunk = pending[start : start + REPLAY_BATCH]
            try:
                results = self._apply_batch(chunk)
            except Exception as exc:  # noqa: BLE001 - sorted out below
                if is_connection_error(exc):
                    self._set_online(False)
                    return ReplayReport(applied, already, problems, len(pending) - start, True)
                # The batch's commit itself failed: apply its operations one by one.
                try:
                    results = [self._apply_one(op) for op in chunk]
                except _Offline:
                    self._set_online(False)
                    return ReplayReport(applied, already, problems, len(pending) - start, True)
            self.outbox.settle(
                [
                    (op.id, done.outcome if done else "", _problem_text(exc) if exc else None)
                    for op, done, exc in results
                ]
            )
            for _op, done, exc in results:
                if exc is not None:
                    problems += 1
                elif done is not None and done.already:
                    already += 1
                else:
                    applied += 1
        return ReplayReport(applied, already, problems, 0, False)

    def _apply(self, session: Any, op: Operation) -> Any:
        from showroom.sync import operations

        return operations.apply(
            session,
            op.id,
            op.kind,
            op.payload,
            created_at=op.created_at,
            origin=self.database.origin,
        )

    def _apply_batch(self, chunk: list[Operation]) -> list[tuple[Operation, Any, Exception | None]]:
        """Several operations in one transaction (far fewer commits), each in its savepoint
        so that a refusal undoes only itself."""
        results: list[tuple[Operation, Any, Exception | None]] = []
        with self.database.write() as session:
            for op in chunk:
                try:
                    with session.begin_nested():
                        results.append((op, self._apply(session, op), None))
                except Exception as exc:
                    if is_connection_error(exc):
                        raise
                    results.append((op, None, exc))
        return results

    def _apply_one(self, op: Operation) -> tuple[Operation, Any, Exception | None]:
        try:
            with self.database.write() as session:
                return op, self._apply(session, op), None
        except Exception as exc:
            if is_connection_error(exc):
                raise _Offline from exc
            return op, None, exc

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

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        self._announce()
        if online and self._keeper is not None:
            self._keeper.poke()
        if online and self.outbox.pending():
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
