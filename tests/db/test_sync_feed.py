"""The change feed: every write notes what it changed; other PCs hear of it."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select, update

from db.engine import Database
from db.models import ChangeFeedEntry, Store
from db.sync import feed
from db.sync.watch import FeedWatcher
from tests.factories import make_store


def _entries(database: Database) -> list[ChangeFeedEntry]:
    with database.read() as session:
        return list(session.scalars(select(ChangeFeedEntry).order_by(ChangeFeedEntry.seq)))


def test_a_write_appends_its_rows_to_the_feed_in_the_same_transaction(database: Database) -> None:
    store_id = make_store(database)
    entries = _entries(database)
    assert [(e.table_name, e.row_id, e.topic) for e in entries] == [
        ("stores", str(store_id), "stores")
    ]
    assert entries[0].origin == database.origin
    # A write that fails leaves no feed entry behind.
    try:
        with database.write() as session:
            session.add(Store(code="SH01", name="上海", address="x"))
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert len(_entries(database)) == 1


def test_a_bulk_update_is_fed_as_its_table(database: Database) -> None:
    make_store(database)
    with database.write() as session:
        session.execute(update(Store).values(name="改名"))
    last = _entries(database)[-1]
    assert (last.table_name, last.row_id) == ("stores", None)


def test_changes_since_gives_topics_of_other_pcs_only(database: Database) -> None:
    other = Database(database.engine)  # a second PC: same server, its own origin
    store_id = make_store(database)
    with database.read() as session:
        start = feed.latest_seq(session)
    make_store(other, code="SH01")
    with database.read() as session:
        mine = feed.changes_since(session, 0, exclude_origin=database.origin)
        after = feed.changes_since(session, start)
    assert "stores" in mine.topics
    assert f"store:{store_id}" not in mine.topics
    assert after.count == 1 and after.last_seq > start


def test_another_pcs_commit_reaches_the_watcher(database: Database) -> None:
    other = Database.from_url(database.engine.url)
    heard: list[frozenset[str]] = []
    online: list[bool] = []
    got = threading.Event()

    def on_topics(topics: frozenset[str]) -> None:
        heard.append(topics)
        got.set()

    watcher = FeedWatcher(database, on_topics, on_online=online.append, poll_s=0.05)
    watcher.start()
    try:
        deadline = time.monotonic() + 10
        while watcher.last_seq is None and time.monotonic() < deadline:
            time.sleep(0.02)
        mine = make_store(database, code="ME01")  # this PC's own change is not echoed
        store_id = make_store(other, code="SH01")
        assert got.wait(10)
    finally:
        watcher.stop()
        other.dispose()
    assert online[0] is True
    assert any(f"store:{store_id}" in topics for topics in heard)
    assert all(f"store:{mine}" not in topics for topics in heard)
    with database.read() as session:
        assert watcher.last_seq == session.scalar(select(func.max(ChangeFeedEntry.seq)))
