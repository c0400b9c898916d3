"""The manager's dashboard figures (经营看板): one read, every chart's numbers out.

Everything is aggregated in SQL (GROUP BY) so that a year of a ten-store group
(about 500,000 visits) is summed by the database, not looped over in Python; what
comes back is a few hundred small rows. Over a long range the independent parts run
at once on a few read connections of their own (``_run_parts``).

Dates are the stores' calendar days. Times are stored in UTC, so a visit at
2026-11-23T17:30Z is counted on 11-24 at 01:30 in Beijing. China has one zone and
no daylight saving, so the shift is a fixed offset taken from ``zone`` and done in
SQL: ``strftime(..., '+28800 seconds')`` on SQLite, ``AT TIME ZONE 'UTC' +
interval`` on PostgreSQL.

Definitions (the dealer's playbook, made exact):

- **到店 (traffic)**: visits whose ``arrived_at`` falls in the range, any purpose.
- **意向客户 (intent customers)**: distinct customers with a visit in the range whose
  purpose is to buy (``buy``, ``trade_in`` or ``test_drive``). Sellers, inspection-day
  and after-sales visitors are traffic, not buyers.
- **试驾 (test drives)**: drives whose slot starts in the range and that actually
  went out (``checked_out`` or ``returned``); bookings that were cancelled or not
  turned up are not part of the funnel.
- **意向金 (deposits)**: deposits taken in the range, whatever became of them later.
- **成交 (deals)**: signed sale contracts (``kind = sale``) signed in the range.
- **成交率 (conversion)** = deals / intent customers.
- **Funnel**: distinct customers at each step (visit -> test drive -> deposit ->
  contract), each counted by its own date in the range.
- **回访率 (revisit rate)** = follow-ups done / follow-ups due, where "due" means
  ``due_on`` in the range and not after ``today`` (a follow-up due next week is not
  yet missed); skipped ones count as due and not done.
- **复购率 (repurchase rate)** = of the customers with a signed sale in the range, the
  share who signed another sale within 365 days of an earlier one (the later one
  signed no later than the range's end).
- **库龄 (stock age)**: cars in stock now (not sold, not deleted, listed) by whole
  days since ``listed_at``, in the store's calendar: 0-30, 31-60, 61-90, 90+. The
  schema keeps no price history, so a price cut cannot be read off the stock
  itself; the chart shows the count and the average list price per bucket, and the
  **cut actually given** as the average discount of the cars sold in the range
  (list price minus contract price) by how long they had stood in stock.
- **透明检测日 (inspection days)**, per event dated in the range: registered
  (every registration not cancelled, wait-list included), showed (checked in or
  inspected), inspected, and bought in: a registration whose car (same VIN, or same
  plate when the registration has no VIN) entered our stock on or after the
  event's start.
- **新客户 (new customers)**: customers whose first visit to the stores shown falls in
  the range (a customer who came before, even years ago, is not new).
- **渠道 (source channel)**: the customer's ``Customer.source_channel``, chosen once
  when the record is made at their first visit: where the customer came from. The
  visit's own channel says what brought that one visit (a returning customer may
  book online) and would count one person under several channels. Per channel:
  intent customers (as above) and deals (signed sales in the range) of customers from
  it; conversion = deals / customers, so the channels add up to the headline figures.
- **平台 (platform)**: ``Lead.platform`` of the leads linked to a customer
  (``customer_id``). Per platform: intent customers in the range with such a lead,
  and deals in the range of customers with such a lead. A customer who enquired on
  two platforms counts under both.
- **战败原因 (lost-deal reasons)**: reasons recorded at check-out on visits that
  arrived in the range, plus reasons recorded on follow-ups closed (``done_at``) in
  the range as lost; counted by their text.
- **试驾成交率 (test drive to deal)**: of the customers who drove (as above) in the
  range, the share who signed a sale (in any store of the group) at or after their
  first drive in the range and before the range's end. Per consultant: the
  customers that consultant drove.
- **线索响应 (lead response)**, leads received in the range: median minutes from
  ``received_at`` to ``first_contact_at`` over the answered ones; answered in time
  (first contact no later than ``due_at``) out of the leads that were answered or
  are overdue at ``now`` (a fresh lead not yet due counts for neither); and the
  count still unanswered.
- **成交金额 / 意向金金额**: sum of the signed sale prices, and of the deposits taken,
  in the range.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Deposit,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    Lead,
    Registration,
    RegistrationStatus,
    SourceChannel,
    Staff,
    TestDrive,
    TestDriveStatus,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitPurpose,
)
from db.sqlite_hints import indexed_by
from showroom.errors import ValidationError
from showroom.services.overview import store_zone

INTENT_PURPOSES = (VisitPurpose.BUY, VisitPurpose.TRADE_IN, VisitPurpose.TEST_DRIVE)
DRIVEN = (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED)
SHOWED = (RegistrationStatus.CHECKED_IN, RegistrationStatus.INSPECTED)
AGE_BUCKETS = ("0-30", "31-60", "61-90", "90+")
AGE_LIMITS = (30, 60, 90)  # upper bound (days, inclusive) of every bucket but the last
REPURCHASE_WINDOW_DAYS = 365
MAX_RANGE_DAYS = 731
LONG_RANGE_DAYS = 62  # beyond this, SQLite reads the customer-ordered index whole


@dataclass(frozen=True)
class DayCount:
    day: date
    visits: int


@dataclass(frozen=True)
class FunnelStep:
    key: str  # visit / test_drive / deposit / contract
    customers: int


@dataclass(frozen=True)
class ConsultantFigures:
    consultant_id: uuid.UUID | None  # None: visits nobody took over
    name: str
    visits: int
    intent_customers: int
    test_drives: int
    deposits: int
    deals: int
    deal_amount: Decimal = Decimal("0.00")  # signed sale prices, yuan
    deposit_amount: Decimal = Decimal("0.00")  # deposits taken, yuan
    drive_customers: int = 0  # customers this consultant drove in the range
    drive_deals: int = 0  # ... of whom signed a sale after the drive

    @property
    def conversion(self) -> float | None:
        return self.deals / self.intent_customers if self.intent_customers else None

    @property
    def drive_to_deal(self) -> float | None:
        return self.drive_deals / self.drive_customers if self.drive_customers else None


@dataclass(frozen=True)
class ChannelFigures:
    """Conversion of one source channel (a ``SourceChannel`` value) or lead platform."""

    key: str
    customers: int  # intent customers in the range
    deals: int  # signed sales in the range

    @property
    def conversion(self) -> float | None:
        return self.deals / self.customers if self.customers else None


@dataclass(frozen=True)
class LostReasonCount:
    reason: str
    at_checkout: int  # visits
    at_follow_up: int  # follow-ups closed as lost

    @property
    def total(self) -> int:
        return self.at_checkout + self.at_follow_up


@dataclass(frozen=True)
class StockAgeBucket:
    label: str  # "0-30" ...
    cars: int
    average_list_price: Decimal | None
    sold: int  # cars sold in the range that had stood this long
    average_discount: Decimal | None  # list price - contract price, of those sold


@dataclass(frozen=True)
class InspectionDayFigures:
    event_id: uuid.UUID
    event_date: date
    title: str
    registered: int
    showed: int
    inspected: int
    bought_in: int


@dataclass(frozen=True)
class RateFigure:
    """A ratio kept as its two counts, so a chart and a CSV can show both."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class LeadResponse:
    received: int
    answered: int
    unanswered: int
    median_minutes: float | None  # over the answered ones
    in_time: RateFigure  # answered by due_at / (answered + overdue)


@dataclass(frozen=True)
class RevisitByReason:
    reason: str  # contract_3d, contract_1m, ..., visit, follow_up
    done: int
    due: int


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard for ``start``..``end`` (inclusive, local days)."""

    start: date
    end: date
    today: date
    visits: int
    intent_customers: int
    test_drives: int
    deposits: int
    deals: int
    traffic_by_day: tuple[DayCount, ...]
    traffic_by_hour: tuple[int, ...]  # 24 counts, local hour 0..23
    funnel: tuple[FunnelStep, ...]
    consultants: tuple[ConsultantFigures, ...]
    stock_age: tuple[StockAgeBucket, ...]
    inspection_days: tuple[InspectionDayFigures, ...]
    conversion: RateFigure
    revisit: RateFigure
    revisit_by_reason: tuple[RevisitByReason, ...]
    repurchase: RateFigure
    new_customers: int = 0
    channels: tuple[ChannelFigures, ...] = ()
    platforms: tuple[ChannelFigures, ...] = ()
    lost_reasons: tuple[LostReasonCount, ...] = ()
    drive_to_deal: RateFigure = RateFigure(0, 0)
    lead_response: LeadResponse = LeadResponse(0, 0, 0, None, RateFigure(0, 0))
    deal_amount: Decimal = Decimal("0.00")
    deposit_amount: Decimal = Decimal("0.00")


# --- dates ---------------------------------------------------------------------------------


def _offset_seconds(zone: tzinfo, day: date) -> int:
    offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _bounds(start: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``start`` and of the day after ``end`` in ``zone``."""
    lo = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return lo, hi


def _local_day_hour(column: Any, dialect: str, offset: int) -> tuple[Any, Any]:
    """SQL for the local calendar day ('YYYY-MM-DD') and hour (0..23) of a UTC column."""
    if dialect == "sqlite":
        shift = f"{offset:+d} seconds"
        day = func.strftime("%Y-%m-%d", column, shift)
        hour = cast(func.strftime("%H", column, shift), Integer)
        return day, hour
    local = func.timezone("UTC", column) + literal_column(f"interval '{offset} seconds'")
    return func.to_char(local, "YYYY-MM-DD"), cast(extract("hour", local), Integer)


def _days_between(later: Any, earlier: Any, dialect: str) -> Any:
    """SQL for the (fractional) number of days from ``earlier`` to ``later``."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return extract("epoch", later - earlier) / 86400.0


def _whole_days(later: Any, earlier: Any, dialect: str) -> Any:
    """Completed 24-hour days from ``earlier`` to ``later`` (never negative here)."""
    if dialect == "sqlite":
        # CAST truncates toward zero; SQLite may be built without floor().
        return cast(_days_between(later, earlier, dialect), Integer)
    return func.floor(_days_between(later, earlier, dialect))


def _age_bucket(days: Any) -> Any:
    """CASE mapping a number of whole days onto the index of ``AGE_BUCKETS``."""
    return case(
        (days <= AGE_LIMITS[0], 0),
        (days <= AGE_LIMITS[1], 1),
        (days <= AGE_LIMITS[2], 2),
        else_=3,
    )


def _in_stores(column: Any, store_ids: Sequence[uuid.UUID] | None) -> ColumnElement[bool]:
    if store_ids is None:
        return true()  # every store: no predicate, so the planner may use any index
    return column.in_(list(store_ids))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# --- the one entry point ------------------------------------------------------------------


def compute_dashboard(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    start: date,
    end: date,
    *,
    today: date,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """All dashboard figures for the stores (``None``: every store) and local days given.

    ``today`` is the stores' current day: stock age is counted to it and follow-ups
    due after it are not yet "due". ``now`` (default: the end of ``today``) decides
    which unanswered leads are overdue. See the module docstring for every definition.
    """
    if end < start:
        raise ValidationError("report.range_reversed", "结束日期不能早于开始日期。")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationError("report.range_too_long", "时间范围最长两年，请缩短后再试。")
    zone = zone or store_zone(None)
    dialect = session.get_bind().dialect.name
    lo, hi = _bounds(start, end, zone)
    offset = _offset_seconds(zone, start)
    if now is None:
        now = _bounds(today, today, zone)[1]

    # Over long ranges SQLite groups visits fastest by reading a covering index whole
    # in the order it groups by, rather than sorting what a range of arrivals gives.
    scan = dialect == "sqlite" and (end - start).days > LONG_RANGE_DAYS
    last = min(end, today)
    parts: dict[str, Callable[[Session], Any]] = {
        # The heaviest first: with several connections they start at once.
        "people": lambda s: _visit_customers(s, store_ids, lo, hi, scan),
        "consultants": lambda s: _consultants(s, store_ids, lo, hi, scan),
        "traffic": lambda s: _traffic(s, store_ids, lo, hi, start, end, dialect, offset),
        "platforms": lambda s: _platforms(s, store_ids, lo, hi),
        "drive_to_deal": lambda s: _drive_to_deal(s, store_ids, lo, hi),
        "lead_response": lambda s: _lead_response(s, store_ids, lo, hi, now, dialect),
        "funnel": lambda s: _funnel(s, store_ids, lo, hi),
        "channel_deals": lambda s: _deals_by_channel(s, store_ids, lo, hi),
        "stock_age": lambda s: _stock_age(s, store_ids, lo, hi, today, zone, dialect),
        "inspection_days": lambda s: _inspection_days(s, store_ids, start, end),
        "revisit": lambda s: _revisit_total(s, store_ids, start, last),
        "revisit_by_reason": lambda s: _revisit_by_reason(s, store_ids, start, last),
        "repurchase": lambda s: _repurchase(s, store_ids, lo, hi, dialect),
        "lost_reasons": lambda s: _lost_reasons(s, store_ids, lo, hi),
    }
    got = _run_parts(session, parts, (end - start).days > LONG_RANGE_DAYS)
    traffic_by_day, traffic_by_hour = got["traffic"]
    people, consultants, drive_to_deal = got["people"], got["consultants"], got["drive_to_deal"]
    funnel = (
        FunnelStep("visit", people.visitors),
        FunnelStep("test_drive", drive_to_deal.denominator),  # the customers who drove
        *got["funnel"],
    )
    deals = sum(c.deals for c in consultants)
    channel_deals = got["channel_deals"]
    channels = tuple(
        ChannelFigures(
            c.value, people.intent_by_channel.get(c.value, 0), channel_deals.get(c.value, 0)
        )
        for c in SourceChannel
        if people.intent_by_channel.get(c.value) or channel_deals.get(c.value)
    )
    return Dashboard(
        start=start,
        end=end,
        today=today,
        visits=sum(d.visits for d in traffic_by_day),
        intent_customers=people.intent,
        test_drives=sum(c.test_drives for c in consultants),
        deposits=sum(c.deposits for c in consultants),
        deals=deals,
        traffic_by_day=traffic_by_day,
        traffic_by_hour=traffic_by_hour,
        funnel=funnel,
        consultants=tuple(c for c in consultants if c.consultant_id is not None or c.visits),
        stock_age=got["stock_age"],
        inspection_days=got["inspection_days"],
        conversion=RateFigure(deals, people.intent),
        revisit=got["revisit"],
        revisit_by_reason=got["revisit_by_reason"],
        repurchase=got["repurchase"],
        new_customers=people.new,
        channels=channels,
        platforms=got["platforms"],
        lost_reasons=got["lost_reasons"],
        drive_to_deal=drive_to_deal,
        lead_response=got["lead_response"],
        deal_amount=_money(sum((c.deal_amount for c in consultants), Decimal(0))),
        deposit_amount=_money(sum((c.deposit_amount for c in consultants), Decimal(0))),
    )


# Connections a long range's parts are spread over (besides none for a short one): the
# database works on each at once (SQLite in this process, outside Python's lock).
PART_CONNECTIONS = 3


def _run_parts(
    session: Session, parts: dict[str, Callable[[Session], Any]], heavy: bool
) -> dict[str, Any]:
    """Each part's result; a long range's parts run on several read connections at once.

    Only from an engine (not a connection a caller holds a transaction on) to a server
    or a database file: an in-memory SQLite database exists once per connection. Each
    connection reads its own snapshot; for a dashboard of finished business the few
    milliseconds between them do not matter.
    """
    bind = session.get_bind()
    url = bind.url if isinstance(bind, Engine) else None
    shared = url is not None and (
        url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
    )
    if not heavy or not shared:
        return {name: part(session) for name, part in parts.items()}

    def run(part: Callable[[Session], Any]) -> Any:
        with Session(bind) as own, own.begin():
            return part(own)

    with ThreadPoolExecutor(PART_CONNECTIONS, thread_name_prefix="dashboard") as pool:
        futures = {name: pool.submit(run, part) for name, part in parts.items()}
        return {name: future.result() for name, future in futures.items()}


# --- the parts ------------------------------------------------------------------------------


def _traffic(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    start: date,
    end: date,
    dialect: str,
    offset: int,
) -> tuple[tuple[DayCount, ...], tuple[int, ...]]:
    by_day: dict[str, int] = {}
    by_hour = [0] * 24
    where = (
        _in_stores(Visit.store_id, store_ids),
        Visit.arrived_at >= lo,
        Visit.arrived_at < hi,
    )
    if offset % 3600 == 0:
        # Whole-hour offsets (China: +8): count per UTC hour, which reads only the
        # covering index, and move the at most 24 x days buckets to local time here.
        # Cheaper than converting every one of 500,000 times in SQL.
        utc_hour = (
            func.substr(Visit.arrived_at, 1, 13)  # stored as 'YYYY-MM-DD HH:MM:SS...'
            if dialect == "sqlite"
            else func.date_trunc("hour", func.timezone("UTC", Visit.arrived_at))
        )
        shift = timedelta(seconds=offset)
        for bucket, count in session.execute(
            select(utc_hour, func.count()).where(*where).group_by(utc_hour)
        ):
            # SQLite gives 'YYYY-MM-DD HH', PostgreSQL a naive UTC timestamp.
            start_of_hour = (
                datetime.strptime(bucket, "%Y-%m-%d %H") if isinstance(bucket, str) else bucket
            )
            local = start_of_hour + shift
            key = local.date().isoformat()
            by_day[key] = by_day.get(key, 0) + int(count)
            by_hour[local.hour] += int(count)
    else:
        day, hour = _local_day_hour(Visit.arrived_at, dialect, offset)
        for day_text, hour_value, count in session.execute(
            select(day, hour, func.count()).where(*where).group_by(day, hour)
        ):
            by_day[day_text] = by_day.get(day_text, 0) + int(count)
            by_hour[int(hour_value)] += int(count)
    days = []
    current = start
    while current <= end:
        days.append(DayCount(current, by_day.get(current.isoformat(), 0)))
        current += timedelta(days=1)
    return tuple(days), tuple(by_hour)


@dataclass(frozen=True)
class _People:
    visitors: int
    intent: int
    new: int
    intent_by_channel: dict[str, int]


def _visit_customers(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    scan: bool,
) -> _People:
    """Distinct visitors, those who came to buy (per source channel) and the new ones.

    One pass: the visits grouped per customer, joined to the customer for the channel.
    """
    if scan:
        # SQLite, long range: read the customer-ordered covering index whole (no sort)
        # up to the range's end; a customer is in the range if their last visit is, and
        # new if their first one is. Cheaper than a lookup of earlier visits for each.
        v = indexed_by(Visit, "ix_visits_customer_cover")
        in_range = v.arrived_at >= lo
        per_customer = (
            select(
                v.customer_id.label("customer_id"),
                func.max(case((and_(in_range, v.purpose.in_(INTENT_PURPOSES)), 1), else_=0)).label(
                    "intent"
                ),
                case((func.min(v.arrived_at) >= lo, 1), else_=0).label("new"),
            )
            .where(_in_stores(v.store_id, store_ids), v.arrived_at < hi)
            .group_by(v.customer_id)
            .having(func.max(v.arrived_at) >= lo)
        )
    else:
        earlier = indexed_by(Visit, "ix_visits_customer_cover")  # a seek per customer
        inner = (
            select(
                Visit.customer_id.label("customer_id"),
                func.max(case((Visit.purpose.in_(INTENT_PURPOSES), 1), else_=0)).label("intent"),
            )
            .where(
                _in_stores(Visit.store_id, store_ids),
                Visit.arrived_at >= lo,
                Visit.arrived_at < hi,
            )
            .group_by(Visit.customer_id)
            .subquery()
        )
        came_before = (
            select(earlier.id)
            .where(
                earlier.customer_id == inner.c.customer_id,
                earlier.arrived_at < lo,
                _in_stores(earlier.store_id, store_ids),
            )
            .exists()
        )
        per_customer = select(
            inner.c.customer_id,
            inner.c.intent,
            case((came_before, 0), else_=1).label("new"),
        )
    people = per_customer.subquery()
    customer = indexed_by(Customer, "ix_customers_id_channel")  # the channel, not the row
    rows = session.execute(
        select(
            customer.source_channel,
            func.count(),
            func.coalesce(func.sum(people.c.intent), 0),
            func.coalesce(func.sum(people.c.new), 0),
        )
        .select_from(people)
        .join(customer, customer.id == people.c.customer_id)
        .group_by(customer.source_channel)
    ).all()
    by_channel = {_channel_key(channel): int(intent) for channel, _, intent, _ in rows}
    return _People(
        visitors=sum(int(n) for _, n, _, _ in rows),
        intent=sum(by_channel.values()),
        new=sum(int(new) for _, _, _, new in rows),
        intent_by_channel=by_channel,
    )


def _channel_key(channel: Any) -> str:
    return channel.value if isinstance(channel, SourceChannel) else str(channel)


def _signed_sale_in(
    store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> tuple[ColumnElement[bool], ...]:
    return (
        _in_stores(Contract.store_id, store_ids),
        Contract.signed_at >= lo,
        Contract.signed_at < hi,
        Contract.kind == ContractKind.SALE,
        Contract.status == ContractStatus.SIGNED,
    )


def _deals_by_channel(
    session: Session, store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> dict[str, int]:
    customer = indexed_by(Customer, "ix_customers_id_channel")
    rows = session.execute(
        select(customer.source_channel, func.count())
        .select_from(Contract)
        .join(customer, customer.id == Contract.customer_id)
        .where(*_signed_sale_in(store_ids, lo, hi))
        .group_by(customer.source_channel)
    ).all()
    return {_channel_key(channel): int(n) for channel, n in rows}


def _platforms(
    session: Session, store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> tuple[ChannelFigures, ...]:
    """Intent customers and deals per platform of the leads linked to the customer."""
    platform = func.trim(Lead.platform)
    linked = (Lead.customer_id.is_not(None), func.trim(Lead.platform) != "")
    visit = indexed_by(Visit, "ix_visits_customer_cover")  # a seek per lead's customer
    came_to_buy = (
        select(visit.id)
        .where(
            visit.customer_id == Lead.customer_id,
            _in_stores(visit.store_id, store_ids),
            visit.arrived_at >= lo,
            visit.arrived_at < hi,
            visit.purpose.in_(INTENT_PURPOSES),
        )
        .exists()
    )
    customers = dict(
        session.execute(
            select(platform, func.count(distinct(Lead.customer_id)))
            .where(*linked, came_to_buy)
            .group_by(platform)
        ).all()
    )
    deals = dict(
        session.execute(
            select(platform, func.count(distinct(Contract.id)))
            .select_from(Contract)
            .join(Lead, Lead.customer_id == Contract.customer_id)
            .where(*linked, *_signed_sale_in(store_ids, lo, hi))
            .group_by(platform)
        ).all()
    )
    names = sorted(
        set(customers) | set(deals),
        key=lambda name: (-int(customers.get(name, 0)), -int(deals.get(name, 0)), name),
    )
    return tuple(
        ChannelFigures(name, int(customers.get(name, 0)), int(deals.get(name, 0))) for name in names
    )


def _lost_reasons(
    session: Session, store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> tuple[LostReasonCount, ...]:
    at_checkout = dict(
        session.execute(
            select(Visit.lost_reason, func.count())
            .where(
                Visit.lost_reason.is_not(None),
                _in_stores(Visit.store_id, store_ids),
                Visit.arrived_at >= lo,
                Visit.arrived_at < hi,
            )
            .group_by(Visit.lost_reason)
        ).all()
    )
    closed = (
        select(FollowUp.lost_reason, func.count())
        .where(
            FollowUp.lost_reason.is_not(None),
            FollowUp.done_at >= lo,
            FollowUp.done_at < hi,
        )
        .group_by(FollowUp.lost_reason)
    )
    if store_ids is not None:  # follow-ups belong to the customer's store
        closed = closed.join(Customer, Customer.id == FollowUp.customer_id).where(
            Customer.store_id.in_(list(store_ids))
        )
    at_follow_up = dict(session.execute(closed).all())
    reasons = [
        LostReasonCount(reason, int(at_checkout.get(reason, 0)), int(at_follow_up.get(reason, 0)))
        for reason in set(at_checkout) | set(at_follow_up)
        if reason and reason.strip()
    ]
    reasons.sort(key=lambda r: (-r.total, r.reason))
    return tuple(reasons)


def _first_drives(
    store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime, *by: Any
) -> Any:
    """Per customer (and ``by``): their first drive that went out in the range."""
    return (
        select(
            *by,
            TestDrive.customer_id.label("customer_id"),
            func.min(TestDrive.slot_start).label("first"),
        )
        .where(
            _in_stores(TestDrive.store_id, store_ids),
            TestDrive.slot_start >= lo,
            TestDrive.slot_start < hi,
            TestDrive.status.in_(DRIVEN),
        )
        .group_by(*by, TestDrive.customer_id)
        .subquery()
    )


def _bought_after(drives: Any, lo: datetime, hi: datetime) -> tuple[Any, Any]:
    """(the drives joined to their customer's last sale in the range, 1 when it came at
    or after the drive). A join on the few sales of the range, not a lookup per driver;
    the sale may be in any store of the group."""
    last = (
        select(Contract.customer_id, func.max(Contract.signed_at).label("last"))
        .where(*_signed_sale_in(None, lo, hi))
        .group_by(Contract.customer_id)
        .subquery()
    )
    joined = drives.outerjoin(last, last.c.customer_id == drives.c.customer_id)
    return joined, case((last.c.last >= drives.c.first, 1), else_=0)


def _drive_to_deal(
    session: Session, store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> RateFigure:
    joined, bought = _bought_after(_first_drives(store_ids, lo, hi), lo, hi)
    drove, signed = session.execute(
        select(func.count(), func.coalesce(func.sum(bought), 0)).select_from(joined)
    ).one()
    return RateFigure(int(signed or 0), int(drove or 0))


def _lead_response(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    now: datetime,
    dialect: str,
) -> LeadResponse:
    where = (
        _in_stores(Lead.store_id, store_ids),
        Lead.received_at >= lo,
        Lead.received_at < hi,
    )
    answered_flag = Lead.first_contact_at.is_not(None)
    received, answered, in_time, overdue = session.execute(
        select(
            func.count(),
            func.count(Lead.first_contact_at),
            func.count(case((Lead.first_contact_at <= Lead.due_at, 1))),
            func.count(case((and_(Lead.first_contact_at.is_(None), Lead.due_at < now), 1))),
        ).where(*where)
    ).one()
    received, answered = int(received or 0), int(answered or 0)
    median = None
    if answered:
        minutes = _days_between(Lead.first_contact_at, Lead.received_at, dialect) * 1440.0
        # The middle one (or the two middle ones) of the answered leads' minutes.
        middle = session.scalars(
            select(minutes)
            .where(*where, answered_flag)
            .order_by(minutes)
            .offset((answered - 1) // 2)
            .limit(2 - answered % 2)
        ).all()
        median = round(sum(float(m) for m in middle) / len(middle), 1)
    return LeadResponse(
        received=received,
        answered=answered,
        unanswered=received - answered,
        median_minutes=median,
        in_time=RateFigure(int(in_time or 0), answered + int(overdue or 0)),
    )


def _funnel(
    session: Session, store_ids: Sequence[uuid.UUID] | None, lo: datetime, hi: datetime
) -> tuple[FunnelStep, ...]:
    """The steps after the drive: customers who left a deposit, signed."""

    def customers(model: Any, at: Any, *extra: ColumnElement[bool]) -> int:
        return int(
            session.scalar(
                select(func.count(distinct(model.customer_id))).where(
                    _in_stores(model.store_id, store_ids), at >= lo, at < hi, *extra
                )
            )
            or 0
        )

    return (
        FunnelStep("deposit", customers(Deposit, Deposit.taken_at)),
        FunnelStep(
            "contract",
            customers(
                Contract,
                Contract.signed_at,
                Contract.kind == ContractKind.SALE,
                Contract.status == ContractStatus.SIGNED,
            ),
        ),
    )


def _consultants(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    scan: bool,
) -> list[ConsultantFigures]:
    figures: dict[uuid.UUID | None, dict[str, Any]] = {}

    def add(rows: Any, *keys: str) -> None:
        for row in rows:
            entry = figures.setdefault(row[0], {})
            for key, value in zip(keys, row[1:], strict=True):
                entry[key] = value if isinstance(value, Decimal) else int(value or 0)

    # SQLite, long range: the consultant-then-customer covering index (0022) gives each
    # consultant's rows together, so the distinct customers are counted per consultant
    # in small sets instead of sorting every (customer, consultant) pair.
    v = indexed_by(Visit, "ix_visits_consultant_cover") if scan else Visit
    visits = (
        select(
            v.consultant_id,
            func.count(),
            func.count(distinct(case((v.purpose.in_(INTENT_PURPOSES), v.customer_id)))),
        )
        .where(_in_stores(v.store_id, store_ids), v.arrived_at >= lo, v.arrived_at < hi)
        .group_by(v.consultant_id)
    )
    add(session.execute(visits), "visits", "intent_customers")
    add(
        session.execute(
            select(TestDrive.consultant_id, func.count())
            .where(
                _in_stores(TestDrive.store_id, store_ids),
                TestDrive.slot_start >= lo,
                TestDrive.slot_start < hi,
                TestDrive.status.in_(DRIVEN),
            )
            .group_by(TestDrive.consultant_id)
        ),
        "test_drives",
    )
    drives = _first_drives(store_ids, lo, hi, TestDrive.consultant_id.label("consultant_id"))
    joined, bought = _bought_after(drives, lo, hi)
    add(
        session.execute(
            select(drives.c.consultant_id, func.count(), func.sum(bought))
            .select_from(joined)
            .group_by(drives.c.consultant_id)
        ),
        "drive_customers",
        "drive_deals",
    )
    add(
        session.execute(
            select(Deposit.taken_by_id, func.count(), func.sum(Deposit.amount))
            .where(
                _in_stores(Deposit.store_id, store_ids),
                Deposit.taken_at >= lo,
                Deposit.taken_at < hi,
            )
            .group_by(Deposit.taken_by_id)
        ),
        "deposits",
        "deposit_amount",
    )
    add(
        session.execute(
            select(Contract.consultant_id, func.count(), func.sum(Contract.price))
            .where(*_signed_sale_in(store_ids, lo, hi))
            .group_by(Contract.consultant_id)
        ),
        "deals",
        "deal_amount",
    )
    ids = [key for key in figures if key is not None]
    names: dict[uuid.UUID, str] = {}
    if ids:
        names = dict(
            session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))).all()
        )
    result = [
        ConsultantFigures(
            consultant_id=key,
            name=names.get(key, "") if key is not None else "",
            visits=values.get("visits", 0),
            intent_customers=values.get("intent_customers", 0),
            test_drives=values.get("test_drives", 0),
            deposits=values.get("deposits", 0),
            deals=values.get("deals", 0),
            deal_amount=_money(values.get("deal_amount")),
            deposit_amount=_money(values.get("deposit_amount")),
            drive_customers=values.get("drive_customers", 0),
            drive_deals=values.get("drive_deals", 0),
        )
        for key, values in figures.items()
    ]
    # Most deals first; unassigned visits last.
    result.sort(key=lambda c: (c.consultant_id is None, -c.deals, -c.visits, c.name))
    return result


def _stock_age(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    today: date,
    zone: tzinfo,
    dialect: str,
) -> tuple[StockAgeBucket, ...]:
    # Whole local days: a car listed any time on day D is 0 days old on day D. Comparing
    # with the starts of local days keeps it portable (no date arithmetic in SQL).
    def day_start(days_ago: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time.min, tzinfo=zone).astimezone(
            UTC
        )

    in_stock_bucket = case(
        (Vehicle.listed_at >= day_start(AGE_LIMITS[0]), 0),
        (Vehicle.listed_at >= day_start(AGE_LIMITS[1]), 1),
        (Vehicle.listed_at >= day_start(AGE_LIMITS[2]), 2),
        else_=3,
    )
    stock = {
        int(bucket): (int(count), total)
        for bucket, count, total in session.execute(
            select(in_stock_bucket, func.count(), func.sum(Vehicle.list_price))
            .where(
                _in_stores(Vehicle.store_id, store_ids),
                Vehicle.deleted_at.is_(None),
                Vehicle.listed_at.is_not(None),
                Vehicle.status != VehicleStatus.SOLD,
            )
            .group_by(in_stock_bucket)
        )
    }
    sold_bucket = _age_bucket(_whole_days(Contract.signed_at, Vehicle.listed_at, dialect))
    sold = {
        int(bucket): (int(count), list_total, price_total)
        for bucket, count, list_total, price_total in session.execute(
            select(
                sold_bucket,
                func.count(),
                func.sum(Vehicle.list_price),
                func.sum(Contract.price),
            )
            .join(Vehicle, Vehicle.id == Contract.vehicle_id)
            .where(
                _in_stores(Contract.store_id, store_ids),
                Contract.signed_at >= lo,
                Contract.signed_at < hi,
                Contract.kind == ContractKind.SALE,
                Contract.status == ContractStatus.SIGNED,
                Contract.price.is_not(None),
                Vehicle.listed_at.is_not(None),
            )
            .group_by(sold_bucket)
        )
    }
    buckets = []
    for n, label in enumerate(AGE_BUCKETS):
        cars, total = stock.get(n, (0, None))
        sold_count, list_total, price_total = sold.get(n, (0, None, None))
        buckets.append(
            StockAgeBucket(
                label=label,
                cars=cars,
                average_list_price=_money(_money(total) / cars) if cars else None,
                sold=sold_count,
                average_discount=(
                    _money((_money(list_total) - _money(price_total)) / sold_count)
                    if sold_count
                    else None
                ),
            )
        )
    return tuple(buckets)


def _inspection_days(
    session: Session, store_ids: Sequence[uuid.UUID] | None, start: date, end: date
) -> tuple[InspectionDayFigures, ...]:
    live = Registration.status != RegistrationStatus.CANCELLED
    rows = session.execute(
        select(
            InspectionEvent.id,
            InspectionEvent.event_date,
            InspectionEvent.title,
            func.count(Registration.id),
            func.count(case((Registration.status.in_(SHOWED), Registration.id))),
            func.count(
                case((Registration.status == RegistrationStatus.INSPECTED, Registration.id))
            ),
        )
        .outerjoin(Registration, and_(Registration.event_id == InspectionEvent.id, live))
        .where(
            _in_stores(InspectionEvent.store_id, store_ids),
            InspectionEvent.event_date >= start,
            InspectionEvent.event_date <= end,
        )
        .group_by(InspectionEvent.id, InspectionEvent.event_date, InspectionEvent.title)
        .order_by(InspectionEvent.event_date, InspectionEvent.title)
    ).all()
    if not rows:
        return ()
    stock = aliased(Vehicle)
    same_car = or_(
        and_(Registration.vin.is_not(None), stock.vin == Registration.vin),
        and_(Registration.vin.is_(None), stock.plate == Registration.plate),
    )
    bought = dict(
        session.execute(
            select(InspectionEvent.id, func.count(distinct(Registration.id)))
            .join(Registration, Registration.event_id == InspectionEvent.id)
            .join(stock, same_car)
            .where(
                InspectionEvent.id.in_([row[0] for row in rows]),
                live,
                stock.deleted_at.is_(None),
                stock.created_at >= InspectionEvent.starts_at,
            )
            .group_by(InspectionEvent.id)
        ).all()
    )
    return tuple(
        InspectionDayFigures(
            event_id=event_id,
            event_date=event_date,
            title=title,
            registered=int(registered),
            showed=int(showed),
            inspected=int(inspected),
            bought_in=int(bought.get(event_id, 0)),
        )
        for event_id, event_date, title, registered, showed, inspected in rows
    )


def _revisit_query(store_ids: Sequence[uuid.UUID] | None, start: date, last: date) -> Any:
    done = func.count(case((FollowUp.status == FollowUpStatus.DONE, FollowUp.id)))
    stmt = select(done, func.count(FollowUp.id)).where(
        FollowUp.due_on >= start, FollowUp.due_on <= last
    )
    if store_ids is not None:
        # Follow-ups carry no store: they belong to the customer's store.
        stmt = stmt.join(Customer, Customer.id == FollowUp.customer_id).where(
            Customer.store_id.in_(list(store_ids))
        )
    return stmt


def _revisit_total(
    session: Session, store_ids: Sequence[uuid.UUID] | None, start: date, last: date
) -> RateFigure:
    if last < start:
        return RateFigure(0, 0)
    done, due = session.execute(_revisit_query(store_ids, start, last)).one()
    return RateFigure(int(done or 0), int(due or 0))


def _revisit_by_reason(
    session: Session, store_ids: Sequence[uuid.UUID] | None, start: date, last: date
) -> tuple[RevisitByReason, ...]:
    if last < start:
        return ()
    stmt = _revisit_query(store_ids, start, last)
    rows = session.execute(
        stmt.add_columns(FollowUp.reason).group_by(FollowUp.reason).order_by(FollowUp.reason)
    ).all()
    return tuple(RevisitByReason(reason, int(done), int(due)) for done, due, reason in rows)


def _repurchase(
    session: Session,
    store_ids: Sequence[uuid.UUID] | None,
    lo: datetime,
    hi: datetime,
    dialect: str,
) -> RateFigure:
    signed_sale = and_(
        Contract.kind == ContractKind.SALE,
        Contract.status == ContractStatus.SIGNED,
        Contract.signed_at.is_not(None),
    )
    base = (
        select(Contract.customer_id)
        .where(
            signed_sale,
            _in_stores(Contract.store_id, store_ids),
            Contract.signed_at >= lo,
            Contract.signed_at < hi,
        )
        .distinct()
        .subquery()
    )
    buyers = int(session.scalar(select(func.count()).select_from(base)) or 0)
    if not buyers:
        return RateFigure(0, 0)
    first, second = aliased(Contract), aliased(Contract)
    gap = _days_between(second.signed_at, first.signed_at, dialect)
    repeat = int(
        session.scalar(
            select(func.count(distinct(first.customer_id)))
            .join(second, second.customer_id == first.customer_id)
            .where(
                first.customer_id.in_(select(base.c.customer_id)),
                first.kind == ContractKind.SALE,
                first.status == ContractStatus.SIGNED,
                second.kind == ContractKind.SALE,
                second.status == ContractStatus.SIGNED,
                second.id != first.id,
                second.signed_at >= first.signed_at,
                second.signed_at < hi,
                gap <= REPURCHASE_WINDOW_DAYS,
            )
        )
        or 0
    )
    return RateFigure(repeat, buyers)


# --- export ---------------------------------------------------------------------------------


def chart_rows(dashboard: Dashboard, chart: str) -> tuple[list[str], list[list[Any]]]:
    """The data behind one chart as a header and rows (Chinese headers, for the CSV)."""
    if chart == "traffic_day":
        return ["日期", "到店"], [[d.day.isoformat(), d.visits] for d in dashboard.traffic_by_day]
    if chart == "traffic_hour":
        return ["时段", "到店"], [
            [f"{h:02d}:00", n] for h, n in enumerate(dashboard.traffic_by_hour)
        ]
    if chart == "funnel":
        names = {"visit": "到店", "test_drive": "试驾", "deposit": "意向金", "contract": "成交"}
        return ["环节", "客户数"], [[names[s.key], s.customers] for s in dashboard.funnel]
    if chart == "consultants":
        header = ["销售顾问", "到店", "意向客户", "试驾", "意向金", "意向金金额（元）", "成交"]
        header += ["成交金额（元）", "成交率", "试驾成交率"]
        return header, [
            [
                c.name or "未分配",
                c.visits,
                c.intent_customers,
                c.test_drives,
                c.deposits,
                str(c.deposit_amount),
                c.deals,
                str(c.deal_amount),
                _percent(c.conversion),
                _percent(c.drive_to_deal),
            ]
            for c in dashboard.consultants
        ]
    if chart in ("channels", "platforms"):
        rows_of = dashboard.channels if chart == "channels" else dashboard.platforms
        names = CHANNEL_NAMES if chart == "channels" else {}
        return ["来源渠道" if chart == "channels" else "线索平台", "意向客户", "成交", "成交率"], [
            [names.get(c.key, c.key), c.customers, c.deals, _percent(c.conversion)] for c in rows_of
        ]
    if chart == "lost_reasons":
        return ["战败原因", "离店时", "回访时", "合计"], [
            [r.reason, r.at_checkout, r.at_follow_up, r.total] for r in dashboard.lost_reasons
        ]
    if chart == "stock_age":
        return ["库龄（天）", "在库车辆", "平均标价（元）", "期间售出", "平均让价（元）"], [
            [
                b.label,
                b.cars,
                "" if b.average_list_price is None else str(b.average_list_price),
                b.sold,
                "" if b.average_discount is None else str(b.average_discount),
            ]
            for b in dashboard.stock_age
        ]
    if chart == "inspection_days":
        return ["检测日", "名称", "报名", "到场", "已检测", "收购"], [
            [e.event_date.isoformat(), e.title, e.registered, e.showed, e.inspected, e.bought_in]
            for e in dashboard.inspection_days
        ]
    if chart == "rates":
        rows = []
        for label, figure in (
            ("成交率", dashboard.conversion),
            ("回访率", dashboard.revisit),
            ("复购率", dashboard.repurchase),
            ("试驾成交率", dashboard.drive_to_deal),
            ("线索及时响应率", dashboard.lead_response.in_time),
        ):
            rows.append([label, figure.numerator, figure.denominator, _percent(figure.rate)])
        return ["指标", "分子", "分母", "比率"], rows
    raise ValueError(f"unknown chart {chart!r}")


CHARTS = (
    "traffic_day",
    "traffic_hour",
    "funnel",
    "consultants",
    "stock_age",
    "inspection_days",
    "rates",
    "channels",
    "platforms",
    "lost_reasons",
)
CHANNEL_NAMES = {
    "walk_in": "自然到店",
    "online_booking": "线上预约",
    "referral": "老客户介绍",
    "short_video": "短视频",
    "listing_platform": "二手车平台",
    "phone": "电话咨询",
    "other": "其他",
}


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


def write_csv(path: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a chart's data as CSV that Excel opens with the Chinese intact (UTF-8 BOM)."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
