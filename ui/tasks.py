"""Run service calls off the UI thread and deliver the result back on it.

Writes go through a single-thread pool so two saves never race; reads run in
parallel on another pool. Each task opens its own session through the
``Database`` it is given; only plain data crosses threads. Tests use
``inline=True`` so a task completes before ``run`` returns.

Results for a receiver that has been deleted (a closed screen) are dropped.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

from showroom.clock import utcnow
from showroom.errors import DatabaseUnavailable

if TYPE_CHECKING:
    # Names only: the first screen paints before SQLAlchemy is loaded.
    from sqlalchemy.orm import Session

    from db.engine import Database
    from showroom.sync.service import Submitted, SyncService

log = logging.getLogger("showroom.ui.tasks")

Work = Callable[["Session"], Any]


class _Relay(QObject):
    """Lives on the UI thread; its signals carry results across threads.

    Signals: ``succeeded(object)``, ``failed(object)`` (the exception).
    """

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
            exc.__showroom_trace__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs work in the background; see the module docstring."""

    def __init__(
        self, database: Database | None, *, inline: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.inline = inline
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(4)
        self._relays: set[_Relay] = set()
        # Set when the app runs with sync: operations that can wait are queued offline.
        self.sync: SyncService | None = None

    def read(
        self,
        work: Work,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work(session)`` in a read-only session."""

        def call() -> Any:
            # Looked up when the task runs: the database may open after the task is queued.
            database = self._require_database()
            cache = self._read_cache()
            if cache is not None and self.sync is not None and self.sync.online is False:
                with cache.read() as session:  # known offline: no wait for a timeout
                    return work(session)
            try:
                with _offline_said_plainly(), database.read() as session:
                    return work(session)
            except DatabaseUnavailable as exc:
                if exc.code != "db.offline" or cache is None:
                    raise
            # The shared database just went away: answer from the local read cache.
            with cache.read() as session:
                return work(session)

        self.call(call, on_success, on_failure, pool=self._reads)

    def _read_cache(self) -> Database | None:
        """The local read cache of the shared database, once it holds a copy."""
        replica = self.sync.replica if self.sync is not None else None
        if replica is None or not replica.ready:
            return None
        return replica.database

    def write(
        self,
        work: Work,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work(session)`` in one transaction, one write at a time."""

        def call() -> Any:
            # Looked up when the task runs: the database may open after the task is queued.
            database = self._require_database()
            with _offline_said_plainly():
                # A deadlock or lock timeout re-runs the whole ``work`` (db.faults).
                return database.run(work)

        self.call(call, on_success, on_failure, pool=self._writes)

    def submit(
        self,
        kind: str,
        payload: dict[str, Any],
        on_success: Callable[[Any], None],
        on_queued: Callable[[Submitted], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """A write described once as an operation (``showroom.sync.operations``).

        With sync (the shared database) it is applied now or, offline, queued:
        ``on_queued`` gets the queued operation and the UI marks it 待同步. Without
        sync (the embedded database, tests) the very same operation is applied in a
        plain write, so both databases run one code path.
        """
        sync = self.sync
        if sync is None:
            self.write(
                lambda session: _apply_now(self, session, kind, payload), on_success, on_failure
            )
            return

        def done(result: Submitted) -> None:
            if result.queued:
                if _receiver_alive(on_queued):
                    on_queued(result)
            elif _receiver_alive(on_success):
                on_success(result.value)

        self.call(lambda: sync.submit(kind, payload), done, on_failure, pool=self._writes)

    def call(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        pool: QThreadPool | None = None,
    ) -> None:
        """Run any slow function (rendering, connecting) off the UI thread."""
        relay = _Relay()
        self._relays.add(relay)

        def done(result: Any) -> None:
            self._relays.discard(relay)
            if _receiver_alive(on_success):
                on_success(result)

        def fail(exc: BaseException) -> None:
            self._relays.discard(relay)
            if on_failure is not None and _receiver_alive(on_failure):
                on_failure(exc)
            elif on_failure is None:
                log.error(
                    "background task failed:\n%s", getattr(exc, "__showroom_trace__", repr(exc))
                )

        relay.succeeded.connect(done)
        relay.failed.connect(fail)
        job = _Job(fn, relay)
        if self.inline:
            job.run()
        else:
            (pool or self._reads).start(job)

    def _require_database(self) -> Database:
        if self.database is None:
            from showroom.errors import DatabaseUnavailable

            raise DatabaseUnavailable("db.connecting", "正在连接数据库，请稍候再试。")
        return self.database

    def wait(self, msecs: int = 30_000) -> bool:
        """Drain both pools (on quit, so that no save is lost)."""
        return self._writes.waitForDone(msecs) and self._reads.waitForDone(msecs)


def _apply_now(runner: TaskRunner, session: Session, kind: str, payload: dict[str, Any]) -> Any:
    """An operation applied in the caller's write, as ``SyncService.submit`` applies it."""
    import uuid

    from showroom.sync import operations

    made = utcnow()  # the UI's clock, as the sync service stamps its operations
    done = operations.apply(
        session,
        uuid.uuid4(),
        kind,
        {**payload, "now": payload.get("now") or made.isoformat()},
        created_at=made,
        origin=runner._require_database().origin,
    )
    return done.value


@contextmanager
def _offline_said_plainly() -> Iterator[None]:
    """A lost shared database, or one too busy after the retries, becomes one sentence."""
    try:
        yield
    except Exception as exc:
        from showroom.sync.service import plain_database_error

        plain = plain_database_error(exc)
        if plain is None:
            raise  # a refusal, a bug, or a local file's own fault (ui.errors says it)
        raise plain from exc


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject):
        return isValid(owner)
    return True
