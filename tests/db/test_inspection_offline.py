"""The appraiser's checklist keeps working when the shared PostgreSQL drops.

The app reaches the real server through a TCP proxy that the test cuts and
restores (the server itself is shared by other runs and never stopped).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db.engine import Database
from db.enums import Role
from db.models import AppliedOperation, InspectionItem, InspectionPhoto, ItemResult
from db.sync.outbox import Outbox
from showroom.clock import utcnow
from showroom.services import audit
from showroom.services import inspections as insp
from showroom.sync import operations
from showroom.sync.service import SyncService
from tests.factories import make_staff, make_store
from tests.tcp_proxy import TcpProxy


def _wait(predicate: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class Desk:
    """An appraiser's inspection, and this PC's sync service behind a cuttable proxy."""

    def __init__(self, pg: Database, tmp_path: Path) -> None:
        self.pg = pg
        store_id = make_store(pg)
        staff = make_staff(pg, store_id, "app1", Role.APPRAISER, display_name="周评估")
        self.actor = audit.Actor("周评估", staff, store_id)
        with pg.write() as session:
            self.inspection_id = insp.start(session, self.actor, store_id, plate="京A00001")
            self.items = [i.id for i in insp.load(session, self.inspection_id).items]
        self.proxy = TcpProxy()
        url = make_url(pg.engine.url.render_as_string(hide_password=False)).set(
            host="127.0.0.1", port=self.proxy.port
        )
        self.app_db = Database.from_url(url)
        self.box = Outbox(tmp_path / "outbox.sqlite3")
        self.service = SyncService(self.app_db, self.box)

    def start(self) -> None:
        self.service.start()
        assert _wait(lambda: self.service.online is True)

    def cut(self) -> None:
        self.proxy.cut()
        assert _wait(lambda: self.service.online is False)

    def restore_and_replay(self) -> None:
        self.proxy.restore()
        assert _wait(lambda: self.service.online is True)
        assert _wait(lambda: self.service.state().pending == 0 and not self.service.replaying, 30)

    def close(self) -> None:
        self.service.stop()
        self.app_db.dispose()
        self.proxy.close()


@pytest.fixture
def desk(postgresql_database: Database, tmp_path: Path) -> Iterator[Desk]:
    """Fault tests cut the network to the shared server: PostgreSQL only."""
    d = Desk(postgresql_database, tmp_path)
    try:
        yield d
    finally:
        d.close()


def _photo() -> insp.PreparedPhoto:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 40, 40)).save(out, "JPEG")
    return insp.prepare_photo(out.getvalue())


def test_offline_item_note_and_photo_are_stored_exactly_once_after_restore(desk: Desk) -> None:
    desk.start()
    desk.cut()
    dent, scratch = desk.items[1], desk.items[2]
    photo = _photo()
    queued = [
        desk.service.submit(
            "inspection.set_item",
            operations.inspection_item_payload(desk.inspection_id, dent, "defect", 2, None),
        ),
        # The note typed after the tap: sent with what the buttons show (defect, 一般).
        desk.service.submit(
            "inspection.set_item",
            operations.inspection_item_payload(
                desk.inspection_id, dent, "defect", 2, "左前翼子板凹陷约 5 cm"
            ),
        ),
        desk.service.submit(
            "inspection.set_item",
            operations.inspection_item_payload(desk.inspection_id, scratch, "ok", None, None),
        ),
        desk.service.submit(
            "inspection.add_photo",
            operations.inspection_photo_payload(desk.inspection_id, dent, photo),
        ),
        desk.service.submit(
            "inspection.set_valuation",
            operations.inspection_valuation_payload(
                desk.inspection_id, Decimal("68000"), Decimal("72000"), "参考同款成交价"
            ),
        ),
    ]
    assert all(s.queued for s in queued)
    assert desk.service.state().pending == 5
    with desk.pg.read() as session:  # nothing reached the server while cut
        assert session.get_one(InspectionItem, dent).result is ItemResult.NOT_CHECKED
    assert _count(desk.pg, InspectionPhoto) == 0

    desk.restore_and_replay()
    with desk.pg.read() as session:
        view = insp.load(session, desk.inspection_id)
        stored = insp.media(session, view.photos[0].image_sha)
    item = next(i for i in view.items if i.id == dent)
    assert (item.result, item.severity, item.note) == (
        ItemResult.DEFECT,
        2,
        "左前翼子板凹陷约 5 cm",
    )
    assert next(i for i in view.items if i.id == scratch).result is ItemResult.OK
    assert [p.item_id for p in view.photos] == [dent]
    assert stored == photo.jpeg  # the prepared bytes, as queued
    assert (view.valuation_low, view.valuation_high) == (Decimal("68000"), Decimal("72000"))
    assert _count(desk.pg, AppliedOperation) == 5
    assert desk.service.state().problems == 0

    # A replay that runs again (crash before marking done) changes nothing.
    for op in desk.box.all():
        with desk.pg.write() as session:
            again = operations.apply(
                session,
                op.id,
                op.kind,
                op.payload,
                created_at=utcnow(),
                origin="test",
            )
        assert again.already
    assert _count(desk.pg, InspectionPhoto) == 1
    assert _count(desk.pg, AppliedOperation) == 5


def test_an_inspection_finalised_meanwhile_makes_the_offline_edit_a_sync_problem(
    desk: Desk,
) -> None:
    with desk.pg.write() as session:
        for item_id in desk.items:
            insp.set_item(session, desk.inspection_id, item_id, result=ItemResult.OK)
    desk.start()
    desk.cut()
    late = desk.service.submit(
        "inspection.set_item",
        operations.inspection_item_payload(
            desk.inspection_id, desk.items[0], "defect", 3, "后备箱底板褶皱"
        ),
    )
    photo = desk.service.submit(
        "inspection.add_photo",
        operations.inspection_photo_payload(desk.inspection_id, desk.items[0], _photo()),
    )
    assert late.queued and photo.queued
    with desk.pg.write() as session:  # another PC finalises while this one is cut off
        insp.finalise(session, desk.actor, desk.inspection_id)

    desk.restore_and_replay()
    problems = desk.service.problems()
    assert [p.id for p in problems] == [late.op_id, photo.op_id]
    assert all("已定稿，离线修改未应用" in p.message for p in problems)
    with desk.pg.read() as session:
        item = session.get_one(InspectionItem, desk.items[0])
    assert (item.result, item.note) == (ItemResult.OK, "")
    assert _count(desk.pg, InspectionPhoto) == 0
    assert _count(desk.pg, AppliedOperation) == 0
