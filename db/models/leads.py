"""Leads (线索): people who phoned or enquired on a listing platform before their first visit.

A lead is not a customer yet: the customer record (and its PIPL consent) is made at
the desk when the person walks in, and the lead is then linked to it
(``customer_id``), so its calls become the start of that customer's timeline. A
lead whose number already belongs to a customer is linked at once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Computed, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.customers import PHONE_TAIL
from db.models.enums import LeadStatus, SourceChannel, Title, enum_type


class Lead(Entity, Base):
    """One enquiry to answer before ``due_at`` (the store's response deadline)."""

    __tablename__ = "leads"
    __table_args__ = (
        # The lead list: a store's open leads by deadline, overdue first.
        Index("ix_leads_store_status_due", "store_id", "status", "due_at"),
        Index("ix_leads_phone", "phone"),
        # The dashboard's response times of the leads received in a range (0022).
        Index("ix_leads_received_cover", "received_at", "store_id", "due_at", "first_contact_at"),
        # The dashboard's platforms of the leads linked to a customer, in customer order (0022).
        Index("ix_leads_customer_platform", "customer_id", "platform"),
        Index("ix_leads_phone_tail", "phone_tail", "phone"),
        # One open lead per number: a second enquiry is logged on the first.
        Index(
            "uq_leads_phone_open",
            "phone",
            unique=True,
            sqlite_where=text("status IN ('new', 'contacted')"),
            postgresql_where=text("status IN ('new', 'contacted')"),
        ),
        # The follow-up list's leads: those with a next contact planned (migration 0021).
        Index(
            "ix_leads_store_next_contact",
            "store_id",
            "next_contact_on",
            sqlite_where=text("next_contact_on IS NOT NULL"),
            postgresql_where=text("next_contact_on IS NOT NULL"),
        ),
        # Importing the same platform export twice finds the rows it already made.
        Index(
            "uq_leads_platform_ref",
            "platform",
            "external_ref",
            unique=True,
            sqlite_where=text("external_ref <> ''"),
            postgresql_where=text("external_ref <> ''"),
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    phone: Mapped[str] = mapped_column(String(20))
    phone_tail: Mapped[str | None] = mapped_column(String(4), Computed(PHONE_TAIL, persisted=True))
    name: Mapped[str] = mapped_column(String(20), default="")  # as given; may be empty
    title: Mapped[Title] = mapped_column(enum_type(Title), default=Title.NONE)
    source_channel: Mapped[SourceChannel] = mapped_column(enum_type(SourceChannel))
    platform: Mapped[str] = mapped_column(String(20), default="")  # 懂车帝, 瓜子, 58同城 …
    external_ref: Mapped[str] = mapped_column(String(60), default="")  # the platform's id
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), default=None)
    vehicle_text: Mapped[str] = mapped_column(String(100), default="")  # the car asked about
    message: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    received_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    first_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[LeadStatus] = mapped_column(enum_type(LeadStatus), default=LeadStatus.NEW)
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), index=True, default=None
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    # 回访节奏 for a lead contacted but not yet a customer (migration 0021): the grade chosen
    # at the call, and when and why to call next. Only a contacted lead without a customer
    # record has a next contact (a CHECK on PostgreSQL, a trigger pair on SQLite): once
    # linked, the customer's own cadence takes over.
    intent_grade: Mapped[str | None] = mapped_column(String(1), default=None)
    next_contact_on: Mapped[date | None] = mapped_column(Date, default=None)
    next_contact_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    # 战败原因 (from the store's list) of a lead closed as lost; only on a closed lead.
    lost_reason: Mapped[str | None] = mapped_column(String(40), default=None)
