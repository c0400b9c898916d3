"""All tables, importable from one place (``from db.models import Vehicle``)."""

from db.base import Base
from db.models.audit import AuditEntry, AuditHead, NumberSequence
from db.models.customers import Consent, Customer, FollowUp, GradeChange, Interaction, Visit
from db.models.documents import Document, Signature
from db.models.drives import TestDrive
from db.models.enums import *  # noqa: F403 - the vocabularies belong with the tables
from db.models.events import InspectionEvent, Registration
from db.models.inspections import (
    Inspection,
    InspectionChecklist,
    InspectionItem,
    InspectionPhoto,
)
from db.models.org import Staff, Store
from db.models.sales import Contract, Deposit
from db.models.sync import AppliedOperation, ChangeFeedEntry
from db.models.vehicles import (
    HistoryRecord,
    MaintenanceRecord,
    Media,
    PriceItem,
    Vehicle,
    VehiclePhoto,
)

__all__ = [
    "AppliedOperation",
    "AuditEntry",
    "AuditHead",
    "Base",
    "ChangeFeedEntry",
    "Consent",
    "Contract",
    "Customer",
    "Deposit",
    "Document",
    "FollowUp",
    "GradeChange",
    "HistoryRecord",
    "Inspection",
    "InspectionChecklist",
    "InspectionEvent",
    "InspectionItem",
    "InspectionPhoto",
    "Interaction",
    "MaintenanceRecord",
    "Media",
    "NumberSequence",
    "PriceItem",
    "Registration",
    "Signature",
    "Staff",
    "Store",
    "TestDrive",
    "Vehicle",
    "VehiclePhoto",
    "Visit",
]
