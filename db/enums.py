"""Closed vocabularies of the domain: stable English codes the UI translates.

Plain ``StrEnum``s with no SQLAlchemy, so that screens can use them without
loading the database layer; ``db.models.enums`` turns them into column types.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person may do. A person holds one or more roles (``staff_roles``)."""

    RECEPTION = "reception"
    SALES = "sales"
    APPRAISER = "appraiser"
    MANAGER = "manager"
    GROUP_MANAGER = "group_manager"  # 集团管理: every store of the dealer group


class RosterStatus(StrEnum):
    """A day that differs from a person's weekly pattern (排班例外)."""

    ON_DUTY = "on_duty"  # 加班/调班: works on a day the pattern has off
    DAY_OFF = "day_off"  # 调休: off on a day the pattern has on
    LEAVE = "leave"  # 休假
    SICK = "sick"  # 病假
    OFF_SITE = "off_site"  # 外出 (training, collecting a car): not on the floor


class Title(StrEnum):
    MR = "mr"  # 先生
    MS = "ms"  # 女士
    NONE = "none"


class IntentGrade(StrEnum):
    A = "A"  # 7 天内可成交
    B = "B"
    C = "C"
    D = "D"


class VisitPurpose(StrEnum):
    BUY = "buy"
    SELL = "sell"
    TRADE_IN = "trade_in"
    TEST_DRIVE = "test_drive"
    INSPECTION_DAY = "inspection_day"
    AFTER_SALES = "after_sales"
    OTHER = "other"


class SourceChannel(StrEnum):
    WALK_IN = "walk_in"
    ONLINE_BOOKING = "online_booking"
    REFERRAL = "referral"
    SHORT_VIDEO = "short_video"
    LISTING_PLATFORM = "listing_platform"
    PHONE = "phone"
    OTHER = "other"


class VisitStatus(StrEnum):
    WAITING = "waiting"
    WITH_CONSULTANT = "with_consultant"
    TEST_DRIVING = "test_driving"
    LEFT = "left"


class VisitOutcome(StrEnum):
    DEAL = "deal"
    DEPOSIT = "deposit"
    FOLLOW_UP = "follow_up"
    NO_INTEREST = "no_interest"


class ConsentPurpose(StrEnum):
    SERVICE = "service"  # handling this visit and the customer's bookings
    MARKETING = "marketing"  # contact for offers and events


class VehicleStatus(StrEnum):
    PREPARING = "preparing"
    ON_SALE = "on_sale"
    RESERVED = "reserved"
    TEST_DRIVE = "test_drive"
    SOLD = "sold"


class Energy(StrEnum):
    PETROL = "petrol"
    DIESEL = "diesel"
    HYBRID = "hybrid"
    PHEV = "phev"
    EV = "ev"


class Transmission(StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"


class PhotoCategory(StrEnum):
    """A car photo's section of the archive, in the order customers see them.

    ``DOCUMENTS`` (证件: registration certificate, licence, nameplate) is never public.
    """

    EXTERIOR = "exterior"  # 外观
    INTERIOR = "interior"  # 内饰
    ENGINE = "engine"  # 发动机舱
    CHASSIS = "chassis"  # 底盘
    DETAIL = "detail"  # 细节
    DEFECT = "defect"  # 瑕疵
    DOCUMENTS = "documents"  # 证件


class Acquisition(StrEnum):
    """Where a car in stock came from (收车来源)."""

    CUSTOMER = "customer"  # 个人收购
    TRADE_IN = "trade_in"  # 置换
    AUCTION = "auction"  # 拍卖
    DEALER = "dealer"  # 同行调车
    OTHER = "other"


class HistoryKind(StrEnum):
    COLLISION = "collision"
    FLOOD = "flood"
    FIRE = "fire"
    OTHER = "other"


class TestDriveStatus(StrEnum):
    __test__ = False  # not a pytest test class despite the name

    BOOKED = "booked"
    CHECKED_OUT = "checked_out"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class EventStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    SEATED = "seated"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"
    INSPECTED = "inspected"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class InspectionStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class InspectionSection(StrEnum):
    """GB/T 30323-2013 order."""

    BODY = "body"  # 车身
    ENGINE_BAY = "engine_bay"  # 发动机舱
    CABIN = "cabin"  # 驾驶舱
    START = "start"  # 启动
    ROAD_TEST = "road_test"  # 路试
    CHASSIS = "chassis"  # 底盘


class ItemResult(StrEnum):
    OK = "ok"
    DEFECT = "defect"
    NOT_CHECKED = "not_checked"


class ConditionGrade(StrEnum):
    ONE = "1"  # 一级 >= 90
    TWO = "2"  # 二级 60-89
    THREE = "3"  # 三级 20-59
    FOUR = "4"  # 四级 < 20
    FIVE = "5"  # 五级: accident car


class PaymentMethod(StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK_CARD = "bank_card"
    TRANSFER = "transfer"


class DepositStatus(StrEnum):
    ACTIVE = "active"
    APPLIED = "applied"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"
    EXPIRED = "expired"


class ContractKind(StrEnum):
    SALE = "sale"  # 二手车买卖合同
    CONDITION = "condition"  # 车况确认书
    AFTER_SALES = "after_sales"  # 售后服务协议
    AMENDMENT = "amendment"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    VOID = "void"


class DocumentKind(StrEnum):
    TEST_DRIVE_AGREEMENT = "test_drive_agreement"
    DEPOSIT_RECEIPT = "deposit_receipt"
    CONTRACT = "contract"
    INSPECTION_REPORT = "inspection_report"
    CAR_SHEET = "car_sheet"
    COMPARISON = "comparison"
    REGISTRATION_SLIP = "registration_slip"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class InteractionChannel(StrEnum):
    IN_STORE = "in_store"
    PHONE = "phone"
    WECHAT = "wechat"
    SMS = "sms"
    ONLINE_CHAT = "online_chat"  # a listing platform's or the store's web chat
    OTHER = "other"


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"  # 个人
    COMPANY = "company"  # 单位（公司名称另记）


class CustomerRole(StrEnum):
    BUYER = "buyer"  # 买车
    SELLER = "seller"  # 卖车
    TRADE_IN = "trade_in"  # 置换（卖旧买新）


class PaymentPreference(StrEnum):
    FULL = "full"  # 全款
    LOAN = "loan"  # 贷款


class LeadStatus(StrEnum):
    """A lead before the first visit (线索): answered within the response deadline or overdue."""

    NEW = "new"  # 待响应
    CONTACTED = "contacted"  # 已联系
    VISITED = "visited"  # 已到店（成为到店客户）
    CLOSED = "closed"  # 已关闭（无效、重复、已买车……）
