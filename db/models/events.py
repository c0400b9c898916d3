"""Inspection days (透明检测日) and registrations with seats and a wait-list."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import EventStatus, RegistrationStatus, enum_type


class InspectionEvent(Entity, Base):
    __tablename__ = "inspection_events"
    __table_args__ = (
        # An inspection day has at least one seat; lowering the seats below a seat
        # already given is refused by a trigger (migration 0018), a CHECK cannot see it.
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("bays >= 1", name="bays_positive"),
        CheckConstraint("ends_at > starts_at", name="time_order"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    event_date: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    bays: Mapped[int] = mapped_column(Integer, default=2)
    seats: Mapped[int] = mapped_column(Integer, default=20)
    offer: Mapped[str] = mapped_column(Text, default="")  # what is free
    status: Mapped[EventStatus] = mapped_column(enum_type(EventStatus), default=EventStatus.OPEN)
    # Days created together as a monthly series share this id.
    series_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Registration(Entity, Base):
    """报名: a customer's car for one event, seated (``seat_no``) or wait-listed.

    Unique (event, seat_no) makes the database refuse a double-given seat; a trigger
    (migration 0008) refuses a seat number above the event's seats, another (0018)
    an event's seats lowered below a seat already given.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        Index("uq_registrations_event_seat", "event_id", "seat_no", unique=True),
        Index(
            "uq_registrations_event_plate_live",
            "event_id",
            "plate",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        CheckConstraint("seat_no IS NULL OR seat_no >= 1", name="seat_positive"),
        # Who holds a seat has its number; the wait-list and the cancelled hold none
        # (a no-show keeps the seat it did not use, for the record).
        CheckConstraint(
            "(status IN ('seated', 'checked_in', 'inspected') AND seat_no IS NOT NULL)"
            " OR (status IN ('waitlisted', 'cancelled') AND seat_no IS NULL)"
            " OR status = 'no_show'",
            name="seat_matches_status",
        ),
        CheckConstraint(
            "status <> 'waitlisted' OR waitlist_position IS NOT NULL", name="waitlist_position"
        ),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspection_events.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    booking_code: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus))
    seat_no: Mapped[int | None] = mapped_column(Integer, default=None)
    waitlist_position: Mapped[int | None] = mapped_column(Integer, default=None)
    needs_call: Mapped[bool] = mapped_column(default=False)  # the desk must phone them
    # Why: None or "promoted" (from the wait-list), "rescheduled", "event_cancelled".
    call_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    plate: Mapped[str] = mapped_column(String(10))
    brand: Mapped[str] = mapped_column(String(40), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    mileage_km: Mapped[int | None] = mapped_column(Integer, default=None)
    vin: Mapped[str | None] = mapped_column(String(17), default=None)
    concerns: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20), default="desk")  # desk / kiosk
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    bay: Mapped[int | None] = mapped_column(Integer, default=None)  # queue given at check-in
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
