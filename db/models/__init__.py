"""All tables, importable from one place (``from db.models import Vehicle``)."""

from db.base import Base
from db.models.after_sales import Complaint, VehiclePurchase, VehicleReturn, WarrantyClaim
from db.models.audit import AuditEntry, AuditHead, NumberSequence
from db.models.customers import (
    Consent,
    Customer,
    CustomerTag,
    CustomerTagLink,
    FollowUp,
    FollowUpCadence,
    GradeChange,
    Interaction,
    LostReason,
    Referral,
    ReminderLog,
    Visit,
)
from db.models.documents import Document, Signature
from db.models.drives import TestDrive
from db.models.enums import *  # noqa: F403 - the vocabularies belong with the tables
from db.models.events import InspectionEvent, Registration
from db.models.grants import StoreGrant
from db.models.inspections import (
    Inspection,
    InspectionChecklist,
    InspectionItem,
    InspectionPhoto,
)
from db.models.kiosk import BookingCode, KioskArrival
from db.models.leads import Lead
from db.models.org import ConsultantTarget, DashboardTarget, RosterDay, Staff, StaffRole, Store
from db.models.sales import Contract, Deposit
from db.models.sync import AppliedOperation, ChangeFeedEntry
from db.models.vehicles import (
    HistoryRecord,
    MaintenanceInterval,
    MaintenanceRecord,
    Media,
    MileageReading,
    PriceItem,
    Vehicle,
    VehiclePhoto,
)

__all__ = [
    "AppliedOperation",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BookingCode",
    "ChangeFeedEntry",
    "Complaint",
    "Consent",
    "ConsultantTarget",
    "Contract",
    "Customer",
    "CustomerTag",
    "CustomerTagLink",
    "DashboardTarget",
    "Deposit",
    "Document",
    "FollowUp",
    "FollowUpCadence",
    "GradeChange",
    "HistoryRecord",
    "Inspection",
    "InspectionChecklist",
    "InspectionEvent",
    "InspectionItem",
    "InspectionPhoto",
    "Interaction",
    "KioskArrival",
    "Lead",
    "LostReason",
    "MaintenanceInterval",
    "MaintenanceRecord",
    "Media",
    "MileageReading",
    "NumberSequence",
    "PriceItem",
    "Referral",
    "Registration",
    "ReminderLog",
    "RosterDay",
    "Signature",
    "Staff",
    "StaffRole",
    "Store",
    "StoreGrant",
    "TestDrive",
    "Vehicle",
    "VehiclePhoto",
    "VehiclePurchase",
    "VehicleReturn",
    "Visit",
    "WarrantyClaim",
]
