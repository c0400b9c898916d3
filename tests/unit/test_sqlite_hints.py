"""A table hint for SQLite reaches SQLite (SQLAlchemy's own compiler drops it)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from db.models import Vehicle
from showroom.services.vehicles import VehicleFilter, _browse


def test_the_inventory_browse_names_its_covering_index_on_sqlite_only() -> None:
    stmt = _browse(select(func.count()).select_from(Vehicle), VehicleFilter(brand="丰田"), "sqlite")
    on_sqlite = str(stmt.compile(dialect=sqlite.dialect()))
    assert "FROM vehicles INDEXED BY ix_vehicles_browse" in on_sqlite
    assert "INDEXED BY" not in str(stmt.compile(dialect=postgresql.dialect()))
    # A statement without the hint is left as it was.
    plain = str(select(Vehicle.id).compile(dialect=sqlite.dialect()))
    assert "INDEXED BY" not in plain


def test_a_model_read_through_a_named_index_on_sqlite_only() -> None:
    from db.models import Visit
    from db.sqlite_hints import indexed_by

    visit = indexed_by(Visit, "ix_visits_customer_cover")
    stmt = select(visit.customer_id).where(visit.arrived_at.is_not(None))
    on_sqlite = str(stmt.compile(dialect=sqlite.dialect()))
    assert "FROM visits AS ix_visits_customer_cover INDEXED BY ix_visits_customer_cover" in (
        on_sqlite
    )
    assert "INDEXED BY" not in str(stmt.compile(dialect=postgresql.dialect()))
