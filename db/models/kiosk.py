"""What the customer kiosk leaves for staff: booking codes handed out, self check-ins.

``booking_codes`` holds every test-drive and inspection-day code ever issued. Its
key makes a code unique across both kinds and every store, so the code a customer
shows can only ever mean one booking (the tables of each kind keep their own unique
constraint as well). ``kiosk_arrivals`` is one self check-in at a kiosk: the desk's
board lists those not yet received, and chimes when one arrives. A number typed at
the kiosk is kept only as its last four digits; a known customer is linked by id.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity, utcnow


class BookingCode(Base):
    """One issued booking code (``kind``: ``test_drive`` or ``registration``)."""

    __tablename__ = "booking_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KioskArrival(Entity, Base):
    """A self check-in at a kiosk, waiting to be received by the desk.

    ``via`` is ``phone`` (a number alone: nobody is checked in until staff greet
    them) or ``code`` (a booking code or QR: the visit exists, ``visit_id``), or
    ``refused`` (a code that checks nobody in; kept only to pace and flag guessing).
    ``flagged`` marks a check-in from a kiosk that took many unrelated numbers or
    wrong codes in a short time. ``outcome`` is set when staff handle it:
    ``received`` (greeted, visit logged) or ``dismissed`` (nobody there).
    """

    __tablename__ = "kiosk_arrivals"
    __table_args__ = (
        Index("ix_kiosk_arrivals_store_arrived", "store_id", "arrived_at"),
        Index("ix_kiosk_arrivals_kiosk_arrived", "kiosk", "arrived_at"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    kiosk: Mapped[str] = mapped_column(String(40))
    arrived_at: Mapped[datetime] = mapped_column()
    via: Mapped[str] = mapped_column(String(10))
    phone_tail: Mapped[str] = mapped_column(String(4), default="")
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), default=None)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"), default=None)
    flagged: Mapped[bool] = mapped_column(default=False)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    handled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    outcome: Mapped[str] = mapped_column(String(12), default="")
