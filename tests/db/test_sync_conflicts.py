"""A second, stale save shows both versions instead of overwriting the first."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from db.engine import Database
from db.enums import Title
from db.models import Customer
from showroom.sync.conflicts import EditConflict, save_edit
from tests.factories import make_store


def test_the_second_of_two_edits_meets_a_conflict_with_both_versions(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        customer = Customer(store_id=store_id, name="原名", title=Title.MR, phone="13900000001")
        session.add(customer)
        session.flush()
        customer_id, version = customer.id, customer.row_version
    # Both PCs loaded version 1; the first saves.
    with database.write() as session:
        assert save_edit(session, Customer, customer_id, version, {"name": "甲改"}) == version + 1
    with pytest.raises(EditConflict) as caught, database.write() as session:
        save_edit(session, Customer, customer_id, version, {"name": "乙改"}, {"name": "姓名"})
    assert caught.value.params["fields"] == {"name": {"theirs": "甲改", "yours": "乙改"}}
    assert "姓名：已保存为“甲改”，你填写的是“乙改”" in caught.value.message
    with database.read() as session:
        assert session.get_one(Customer, customer_id).name == "甲改"


def test_a_stale_orm_save_is_refused_by_the_version_column(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        session.add(Customer(store_id=store_id, name="原", title=Title.MR, phone="13900000002"))
    with database.read() as session:
        stale = session.query(Customer).one()
        session.expunge(stale)
    with database.write() as session:
        session.query(Customer).one().name = "先"
    with pytest.raises(StaleDataError), database.write() as session:
        session.merge(stale, load=False).name = "后"
