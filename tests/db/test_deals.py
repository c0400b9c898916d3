"""Deposits that reserve a car and numbered contracts, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Contract,
    ContractStatus,
    Customer,
    Deposit,
    DepositStatus,
    Document,
    Energy,
    FollowUp,
    FollowUpStatus,
    HistoryKind,
    HistoryRecord,
    PaymentMethod,
    Role,
    Signature,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from showroom.documents.model import Document as Paper
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.identifiers import id_check_digit
from showroom.services import audit
from showroom.services import contracts as ct
from showroom.services import deposits as dp
from showroom.services.test_drives import DrawnSignature
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
FAKE_PDF = b"%PDF-1.4 test paper"


def id_number(body17: str = "11010519900307123") -> str:
    return body17 + id_check_digit(body17)


def scribble(seed: int = 0) -> DrawnSignature:
    stroke = [[0.1 + i * 0.02, 0.3 + ((i + seed) % 5) * 0.08] for i in range(30)]
    return DrawnSignature([stroke], b"\x89PNG fake signature %d" % seed)


class World:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.store_id = make_store(database)
        self.sales_id = make_staff(
            database, self.store_id, "sales1", Role.SALES, display_name="孙顾问"
        )
        self.manager_id = make_staff(
            database, self.store_id, "boss", Role.MANAGER, display_name="王店长"
        )
        self.sales = StaffUser(
            self.sales_id, "sales1", "孙顾问", Role.SALES, self.store_id, "BJ01", "测试展厅"
        )
        self.manager = StaffUser(
            self.manager_id, "boss", "王店长", Role.MANAGER, self.store_id, "BJ01", "测试展厅"
        )
        with database.write() as session:
            self.car = Vehicle(
                store_id=self.store_id,
                stock_no="BJ01-S2026-00001",
                vin="LSVAU2180N2123456",
                plate="京A12345",
                engine_no="EA211-778899",
                brand="大众",
                model="朗逸",
                trim="1.5L 自动舒适版",
                year=2021,
                first_registration=date(2021, 5, 10),
                mileage_km=32000,
                colour="白色",
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("86000"),
                status=VehicleStatus.ON_SALE,
            )
            self.customers = [
                Customer(store_id=self.store_id, name=name, phone=phone)
                for name, phone in (("张伟", "13800000001"), ("李娜", "13800000002"))
            ]
            session.add_all([self.car, *self.customers])
            session.flush()
            session.add(
                HistoryRecord(
                    vehicle_id=self.car.id,
                    kind=HistoryKind.COLLISION,
                    occurred_on=date(2023, 3, 1),
                    description="右后叶子板钣金修复",
                )
            )
            self.car_id = self.car.id
            self.customer_ids = [c.id for c in self.customers]

    def take(self, customer: int = 0, amount: str = "5000", **kw: object) -> dp.TakenDeposit:
        data = dp.DepositInput(
            self.car_id,
            self.customer_ids[customer],
            amount,
            kw.pop("method", PaymentMethod.WECHAT),  # type: ignore[arg-type]
            str(kw.pop("ref", "4200000001")),
        )
        with self.database.write() as session:
            return dp.take(session, self.sales.actor, data, store_code="BJ01", now=NOW, zone=ZONE)

    def status(self) -> VehicleStatus:
        with self.database.read() as session:
            return session.scalars(select(Vehicle.status).where(Vehicle.id == self.car_id)).one()

    def draft(self, customer: int = 0, price: str = "85000", **kw: object) -> ct.DraftedContract:
        data = ct.ContractInput(
            self.car_id,
            self.customer_ids[customer],
            price,
            str(kw.pop("buyer_id", id_number())),
            deposit_id=kw.pop("deposit_id", None),  # type: ignore[arg-type]
        )
        with self.database.write() as session:
            return ct.draft(session, self.sales.actor, data, store_code="BJ01", now=NOW, zone=ZONE)

    def sign(self, contract_id: uuid.UUID) -> ct.SignedContract:
        with self.database.read() as session:
            papers = ct.prepare_papers(session, contract_id, templates_dir=None, zone=ZONE, now=NOW)
        signed = ct.attach_signatures(papers, scribble(1), scribble(2), NOW, ZONE)
        with self.database.write() as session:
            return ct.sign(
                session,
                self.sales.actor,
                contract_id,
                signed,
                scribble(1),
                scribble(2),
                [FAKE_PDF + p.number.encode() for p in signed],
                signed_at=NOW,
                zone=ZONE,
            )


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


# --- deposits -------------------------------------------------------------------------------


def test_taking_a_deposit_reserves_the_car_with_a_numbered_receipt(world: World) -> None:
    taken = world.take()
    assert taken.receipt_no == "BJ01-R2026-000001"
    assert taken.expires_at == NOW + timedelta(days=7)
    assert world.status() is VehicleStatus.RESERVED
    with world.database.read() as session:
        reminder = session.scalars(select(FollowUp)).one()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert (reminder.reason, reminder.due_on) == ("deposit_expiry", date(2026, 11, 30))
    assert "deposit_taken" in actions


def test_a_second_deposit_on_the_car_is_refused_naming_the_holder(world: World) -> None:
    world.take(0)
    with pytest.raises(ConflictError) as refused:
        world.take(1)
    assert refused.value.code == "deposit.vehicle_reserved"
    assert "张*" in refused.value.message and "孙顾问" in refused.value.message
    assert "BJ01-R2026-000001" in refused.value.message
    with world.database.read() as session:
        assert session.scalar(select(Deposit.customer_id)) == world.customer_ids[0]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "deposit.amount_not_positive"),
        ("-500", "deposit.amount_not_positive"),
        ("", "deposit.amount_missing"),
        ("abc", "amount.invalid"),
        ("5000000", "deposit.amount_too_large"),
        ("90000", "deposit.amount_over_price"),
        ("12.345", "amount.too_many_decimals"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    world: World, amount: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        world.take(amount=amount)
    assert refused.value.code == code
    assert world.status() is VehicleStatus.ON_SALE
    with world.database.read() as session:
        assert session.scalars(select(Deposit)).all() == []


def test_traceable_payment_needs_a_reference_but_cash_does_not(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        world.take(method=PaymentMethod.ALIPAY, ref="  ")
    assert refused.value.code == "deposit.reference_missing"
    assert world.take(method=PaymentMethod.CASH, ref="").receipt_no.endswith("000001")


def test_deposit_on_a_sold_car_is_refused(world: World) -> None:
    with world.database.write() as session:
        session.execute(
            update(Vehicle).where(Vehicle.id == world.car_id).values(status=VehicleStatus.SOLD)
        )
    with pytest.raises(ConflictError) as refused:
        world.take()
    assert refused.value.code == "deposit.vehicle_sold"


def test_refund_is_for_the_manager_and_puts_the_car_back_on_sale(world: World) -> None:
    taken = world.take()
    with pytest.raises(PermissionDenied), world.database.write() as session:
        dp.refund(session, world.sales, taken.id, "客户改变主意")
    assert world.status() is VehicleStatus.RESERVED
    with pytest.raises(ValidationError), world.database.write() as session:
        dp.refund(session, world.manager, taken.id, "  ")
    with world.database.write() as session:
        dp.refund(session, world.manager, taken.id, "客户家人不同意", now=NOW + timedelta(hours=1))
    assert world.status() is VehicleStatus.ON_SALE
    with world.database.read() as session:
        deposit = session.get(Deposit, taken.id)
        reminder = session.scalars(select(FollowUp)).one()
        assert deposit is not None and deposit.status is DepositStatus.REFUNDED
        assert reminder.status.value == "skipped"
    with pytest.raises(ConflictError), world.database.write() as session:
        dp.refund(session, world.manager, taken.id, "再退一次")
    # The car is free again: another customer may reserve it.
    assert world.take(1).receipt_no.endswith("000002")


def test_forfeit_before_expiry_needs_the_manager_after_expiry_the_consultant(world: World) -> None:
    taken = world.take()
    with pytest.raises(PermissionDenied), world.database.write() as session:
        dp.forfeit(session, world.sales, taken.id, "客户失联", now=NOW + timedelta(days=1))
    with world.database.write() as session:
        expired = dp.expire_lapsed(session, audit.SYSTEM, now=NOW + timedelta(days=8))
    assert expired == [taken.receipt_no]
    assert world.status() is VehicleStatus.ON_SALE
    with world.database.write() as session:
        dp.forfeit(
            session, world.sales, taken.id, "超期未签约且联系不上", now=NOW + timedelta(days=9)
        )
    with world.database.read() as session:
        deposit = session.get(Deposit, taken.id)
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert deposit is not None and deposit.status is DepositStatus.FORFEITED
    assert actions[-2:] == ["deposit_expired", "deposit_forfeited"]


LAPSED = NOW + timedelta(days=8)  # the default 7-day deposit taken at NOW has lapsed


def test_a_lapsed_deposit_does_not_block_a_new_deposit_on_the_car(world: World) -> None:
    first = world.take(0)
    data = dp.DepositInput(
        world.car_id, world.customer_ids[1], "3000", PaymentMethod.CASH, consultant_id=None
    )
    with world.database.write() as session:  # nobody opened the deposits list meanwhile
        second = dp.take(session, world.sales.actor, data, store_code="BJ01", now=LAPSED, zone=ZONE)
    assert world.status() is VehicleStatus.RESERVED
    with world.database.read() as session:
        statuses = {d.id: d.status for d in session.scalars(select(Deposit))}
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert statuses == {first.id: DepositStatus.EXPIRED, second.id: DepositStatus.ACTIVE}
    assert actions[-2:] == ["deposit_expired", "deposit_taken"]


def test_a_lapsed_deposit_does_not_block_another_customers_contract(world: World) -> None:
    taken = world.take(0)
    data = ct.ContractInput(world.car_id, world.customer_ids[1], "85000", id_number())
    with world.database.write() as session:
        ct.draft(session, world.sales.actor, data, store_code="BJ01", now=LAPSED, zone=ZONE)
    with world.database.read() as session:
        assert session.get(Deposit, taken.id).status is DepositStatus.EXPIRED  # type: ignore[union-attr]


def test_signing_after_the_deposit_lapsed_does_not_credit_it(world: World) -> None:
    taken = world.take(0)
    drafted = world.draft(0, deposit_id=taken.id)
    with world.database.read() as session:
        papers = ct.prepare_papers(session, drafted.id, templates_dir=None, zone=ZONE, now=NOW)
    signed = ct.attach_signatures(papers, scribble(1), scribble(2), LAPSED, ZONE)
    with pytest.raises(ConflictError) as caught, world.database.write() as session:
        ct.sign(
            session,
            world.sales.actor,
            drafted.id,
            signed,
            scribble(1),
            scribble(2),
            [FAKE_PDF] * len(signed),
            signed_at=LAPSED,
            zone=ZONE,
        )
    assert caught.value.code == "contract.deposit_closed" and "过期" in caught.value.message
    assert world.status() is VehicleStatus.RESERVED  # the refused signing changed nothing


def test_expiry_from_one_stores_list_leaves_other_stores_deposits(world: World) -> None:
    other_store = make_store(world.database, "SH01", "上海展厅")
    with world.database.write() as session:
        car = Vehicle(
            store_id=other_store,
            stock_no="SH01-S2026-00001",
            brand="本田",
            model="思域",
            year=2022,
            mileage_km=12000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("99000"),
            status=VehicleStatus.RESERVED,
        )
        session.add(car)
        session.flush()
        session.add(
            Deposit(
                store_id=other_store,
                receipt_no="SH01-R2026-000001",
                vehicle_id=car.id,
                customer_id=world.customer_ids[1],
                amount=Decimal("2000"),
                method=PaymentMethod.CASH,
                status=DepositStatus.ACTIVE,
                taken_at=NOW,
                expires_at=NOW + timedelta(days=1),
            )
        )
    ours = world.take(0)
    with world.database.write() as session:
        expired = dp.expire_lapsed(session, audit.SYSTEM, LAPSED, store_id=world.store_id)
    assert expired == [ours.receipt_no]
    with world.database.read() as session:
        other = session.scalars(select(Deposit).where(Deposit.store_id == other_store)).one()
        assert other.status is DepositStatus.ACTIVE
    with world.database.write() as session:
        assert dp.expire_lapsed(session, audit.SYSTEM, LAPSED) == ["SH01-R2026-000001"]


def test_expiring_list_and_day_summary_by_method(world: World) -> None:
    taken = world.take(method=PaymentMethod.CASH, ref="")
    with world.database.read() as session:
        soon = dp.expiring(session, world.store_id, NOW + timedelta(days=6), within_days=2)
        summary = dp.day_summary(session, world.store_id, NOW.date(), ZONE)
    assert [r.receipt_no for r in soon] == [taken.receipt_no]
    cash = next(m for m in summary.methods if m.method is PaymentMethod.CASH)
    assert (cash.taken_count, cash.taken, cash.refunded) == (1, Decimal("5000.00"), Decimal("0"))
    assert summary.taken == Decimal("5000.00") and len(summary.methods) == 5
    with world.database.write() as session:
        dp.refund(session, world.manager, taken.id, "退", now=NOW + timedelta(hours=2))
    with world.database.read() as session:
        summary = dp.day_summary(session, world.store_id, NOW.date(), ZONE)
        yesterday = dp.day_summary(session, world.store_id, NOW.date() - timedelta(days=1), ZONE)
    assert (summary.taken, summary.refunded, summary.net) == (
        Decimal("5000.00"),
        Decimal("5000.00"),
        Decimal("0.00"),
    )
    assert yesterday.taken == Decimal("0.00")


def test_every_paper_and_the_desk_name_and_find_the_car_the_same_way(world: World) -> None:
    from showroom.documents import vehicle_papers as vp
    from showroom.services import test_drives as td
    from showroom.services import vehicle_archive as va

    name = "大众 朗逸 2021款 1.5L 自动舒适版"
    with world.database.read() as session:
        # The plate as people write it, with the dot: one lookup for deposits and test drives.
        assert dp.find_car(session, "京a·12345").label == name
        assert td.find_car(session, " 京A 12345 ").id == world.car_id
        assert td.find_car(session, "bj01-s2026-00001").automatic is True
        sheet = vp.car_sheet(
            session,
            world.car_id,
            settings={"vehicle_public_url": "https://cars.test.invalid/{stock_no}"},
            templates_dir=None,
            zone=ZONE,
        )
        assert va.vehicle_archive(session, world.car_id).title == name
    taken = world.take()
    with world.database.read() as session:
        receipt = dp.prepare_receipt(session, taken.id, templates_dir=None, zone=ZONE)
    for paper in (sheet, receipt):
        assert name in paper.signed_text(), paper.title


def test_receipt_paper_shows_amount_in_figures_and_capitals(world: World) -> None:
    taken = world.take(amount="5000")
    with world.database.read() as session:
        paper = dp.prepare_receipt(session, taken.id, templates_dir=None, zone=ZONE)
    values = {f.label: f.value for f in paper.fields}
    assert paper.number == taken.receipt_no
    assert values["金额（小写）"] == "¥5,000.00"
    assert values["金额（大写）"] == "人民币伍仟元整"
    assert values["联系电话"] == "138****0001"
    with world.database.write() as session:
        first = dp.archive_receipt(session, world.sales.actor, taken.id, paper, FAKE_PDF)
    with world.database.write() as session:
        again = dp.archive_receipt(session, world.sales.actor, taken.id, paper, FAKE_PDF)
    assert first.id == again.id  # archived once; later prints are copies


# --- contracts ------------------------------------------------------------------------------


def test_contract_needs_a_valid_buyer_id_and_price_not_below_deposit(world: World) -> None:
    taken = world.take(amount="5000")
    with pytest.raises(ValidationError) as missing:
        world.draft(buyer_id="", deposit_id=taken.id)
    assert missing.value.code == "contract.buyer_id_missing"
    with pytest.raises(ValidationError) as wrong:
        world.draft(buyer_id="110105199003071230", deposit_id=taken.id)
    assert wrong.value.code.startswith("id_number.")
    with pytest.raises(ValidationError) as low:
        world.draft(price="4000", deposit_id=taken.id)
    assert low.value.code == "contract.price_below_deposit"
    with pytest.raises(ConflictError) as other:
        world.draft(customer=1)
    assert other.value.code == "contract.vehicle_reserved_by_other"
    with world.database.read() as session:
        assert session.scalars(select(Contract)).all() == []


def test_signing_sells_the_car_applies_the_deposit_and_schedules_follow_ups(world: World) -> None:
    taken = world.take()
    drafted = world.draft(deposit_id=taken.id)
    assert drafted.contract_no == "BJ01-2026-000001"
    signed = world.sign(drafted.id)
    assert world.status() is VehicleStatus.SOLD
    with world.database.read() as session:
        contract = session.get(Contract, drafted.id)
        deposit = session.get(Deposit, taken.id)
        follow = session.scalars(
            select(FollowUp.reason, FollowUp.due_on)
            .where(FollowUp.contract_id == drafted.id)
            .order_by(FollowUp.due_on)
        ).all()
        docs = session.scalars(select(Document.number).order_by(Document.number)).all()
        signatures = session.scalars(
            select(Signature).where(Signature.subject_id == drafted.id)
        ).all()
        assert {(s.signer_role, s.signer_name) for s in signatures} == {
            ("customer", "张伟"),
            ("consultant", "孙顾问"),
        }
        assert len({s.signed_text_sha256 for s in signatures}) == 1
        assert all(s.strokes and s.image_sha and s.signed_at == NOW for s in signatures)
    assert contract is not None and contract.status is ContractStatus.SIGNED
    assert deposit is not None and deposit.status is DepositStatus.APPLIED
    assert deposit.applied_contract_id == drafted.id
    assert list(signed.follow_up_days) == [
        date(2026, 11, 27),
        date(2026, 12, 24),
        date(2027, 2, 24),
        date(2027, 5, 24),
        date(2027, 11, 24),
    ]
    assert len(follow) == 5
    assert docs == ["BJ01-2026-000001", "BJ01-2026-000001-1", "BJ01-2026-000001-2"]
    # Locked: signing again or voiding is refused; a change is an amendment with its own number.
    with pytest.raises(ConflictError):
        world.sign(drafted.id)
    with pytest.raises(ConflictError) as locked, world.database.write() as session:
        ct.void(session, world.sales, drafted.id, "写错了")
    assert locked.value.code == "contract.signed_locked"
    with world.database.write() as session:
        amendment = ct.amend(
            session,
            world.sales.actor,
            drafted.id,
            changes="交车日期顺延三天",
            price="84000",
            store_code="BJ01",
            now=NOW,
            zone=ZONE,
        )
    assert amendment.contract_no == "BJ01-2026-000002"
    world.sign(amendment.id)
    with world.database.read() as session:
        rows = ct.list_contracts(session, world.store_id)
    assert [(r.contract_no, r.amends_no, r.status_label) for r in rows] == [
        ("BJ01-2026-000002", "BJ01-2026-000001", "已签订"),
        ("BJ01-2026-000001", "", "已签订"),
    ]


def test_papers_read_as_a_contract(world: World) -> None:
    taken = world.take()
    drafted = world.draft(price="85000", deposit_id=taken.id)
    with world.database.read() as session:
        sale, condition, after_sales = ct.prepare_papers(
            session, drafted.id, templates_dir=None, zone=ZONE, now=NOW
        )
    text = sale.signed_text()
    assert "人民币捌万伍仟元整" in text and "¥85,000.00" in text
    assert "人民币捌万元整" in text  # the balance after the ¥5,000 deposit
    assert "EA211-778899" in text and "京A12345" in text and "LSVAU2180N2123456" in text
    # The contract identifies the buyer in full; the annexes do not repeat the number.
    assert id_number() in text and "138****0001" in text
    assert id_number() not in condition.signed_text() + after_sales.signed_text()
    assert condition.title == "车况确认书" and "右后叶子板钣金修复" in condition.signed_text()
    assert after_sales.number == "BJ01-2026-000001-2" and "30 日" in after_sales.signed_text()


def test_a_voided_draft_keeps_its_number(world: World) -> None:
    first = world.draft()
    with world.database.write() as session:
        ct.void(session, world.sales, first.id, "身份证号填错")
    second = world.draft()
    assert (first.contract_no, second.contract_no) == ("BJ01-2026-000001", "BJ01-2026-000002")
    with world.database.read() as session:
        rows = ct.list_contracts(session, world.store_id)
    assert [r.status for r in rows] == [ContractStatus.DRAFT, ContractStatus.VOID]


def test_second_desk_signing_the_same_car_is_refused(world: World) -> None:
    first = world.draft(0)
    second = world.draft(1)
    world.sign(first.id)
    with pytest.raises(ConflictError) as refused:
        world.sign(second.id)
    assert refused.value.code == "contract.vehicle_sold"
    with world.database.read() as session:
        contract = session.get(Contract, second.id)
        assert contract is not None and contract.status is ContractStatus.DRAFT
        assert (
            session.scalar(select(Document.id).where(Document.number == second.contract_no)) is None
        )


def test_database_refuses_a_second_active_deposit_and_a_second_signed_sale(world: World) -> None:
    world.take()
    with pytest.raises(IntegrityError), world.database.write() as session:
        session.add(
            Deposit(
                store_id=world.store_id,
                receipt_no="X-1",
                vehicle_id=world.car_id,
                customer_id=world.customer_ids[1],
                amount=Decimal("100"),
                method=PaymentMethod.CASH,
                taken_at=NOW,
            )
        )
    drafted = [world.draft(0), world.draft(0)]
    with pytest.raises(IntegrityError), world.database.write() as session:
        for d in drafted:
            session.execute(
                update(Contract)
                .where(Contract.id == d.id)
                .values(status=ContractStatus.SIGNED, signed_at=NOW)
            )


def test_signing_fails_whole_when_the_deposit_was_refunded_meanwhile(world: World) -> None:
    taken = world.take()
    drafted = world.draft(deposit_id=taken.id)
    with world.database.write() as session:
        dp.refund(session, world.manager, taken.id, "客户要求退款")
    with pytest.raises(ConflictError) as refused:
        world.sign(drafted.id)
    assert refused.value.code == "contract.deposit_closed"
    assert world.status() is VehicleStatus.ON_SALE
    with world.database.read() as session:
        assert (
            session.scalars(select(FollowUp).where(FollowUp.contract_id == drafted.id)).all() == []
        )


# --- concurrency ----------------------------------------------------------------------------


def _race(url: str, attempts: int, work: object) -> list[object]:
    barrier = threading.Barrier(attempts)
    results: list[object] = [None] * attempts

    def run(i: int) -> None:
        database = Database.from_url(url)  # a separate engine: a separate PC
        try:
            barrier.wait()
            results[i] = work(database, i)  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            results[i] = exc
        finally:
            database.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_desks_taking_a_deposit_at_once_give_one_reservation(
    world: World, database_url: str
) -> None:
    with world.database.write() as session:
        ids = []
        for n in range(20):
            c = Customer(store_id=world.store_id, name=f"客户{n:02d}", phone=f"139000000{n:02d}")
            session.add(c)
            session.flush()
            ids.append(c.id)

    def attempt(database: Database, i: int) -> object:
        data = dp.DepositInput(world.car_id, ids[i], "5000", PaymentMethod.CASH)
        with database.write() as session:
            return dp.take(session, audit.Actor(f"desk{i}"), data, store_code="BJ01", zone=ZONE)

    results = _race(database_url, 20, attempt)
    wins = [r for r in results if isinstance(r, dp.TakenDeposit)]
    refusals = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(refusals) == 19, results
    assert all(r.code == "deposit.vehicle_reserved" and "客" in r.message for r in refusals)
    with world.database.read() as session:
        assert session.scalars(select(Deposit.receipt_no)).all() == [wins[0].receipt_no]


def test_contract_numbers_under_concurrency_have_no_gaps_or_duplicates(
    world: World, database_url: str
) -> None:
    with world.database.write() as session:
        cars = []
        for n in range(20):
            v = Vehicle(
                store_id=world.store_id,
                stock_no=f"BJ01-S2026-1{n:04d}",
                brand="比亚迪",
                model="秦",
                year=2022,
                mileage_km=1000,
                energy=Energy.PHEV,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("90000"),
                status=VehicleStatus.ON_SALE,
            )
            session.add(v)
            session.flush()
            cars.append(v.id)

    def attempt(database: Database, i: int) -> object:
        data = ct.ContractInput(cars[i], world.customer_ids[i % 2], "88000", id_number())
        with database.write() as session:
            drafted = ct.draft(session, audit.Actor(f"desk{i}"), data, store_code="BJ01", zone=ZONE)
            if i % 5 == 0:  # a failure after numbering leaves no gap: the number rolls back
                raise ConflictError("test.rollback", "rolled back")
            return drafted

    results = _race(database_url, 20, attempt)
    assert [type(r) for r in results].count(ConflictError) == 4, results
    numbers = sorted(r.contract_no for r in results if isinstance(r, ct.DraftedContract))
    assert len(numbers) == 16
    year = utcnow().astimezone(ZONE).year
    assert numbers == [f"BJ01-{year}-{n:06d}" for n in range(1, 17)]


def test_papers_are_documents(world: World) -> None:
    drafted = world.draft()
    with world.database.read() as session:
        papers = ct.prepare_papers(session, drafted.id, templates_dir=None, zone=ZONE)
    assert all(isinstance(p, Paper) and p.kind == "contract" for p in papers)


def test_desks_signing_the_same_car_at_once_sell_it_once(world: World, database_url: str) -> None:
    drafts = [world.draft(n % 2) for n in range(6)]
    papers = {}
    with world.database.read() as session:
        for d in drafts:
            prepared = ct.prepare_papers(session, d.id, templates_dir=None, zone=ZONE, now=NOW)
            papers[d.id] = ct.attach_signatures(prepared, scribble(1), scribble(2), NOW, ZONE)

    def attempt(database: Database, i: int) -> object:
        signed = papers[drafts[i].id]
        with database.write() as session:
            return ct.sign(
                session,
                audit.Actor(f"desk{i}"),
                drafts[i].id,
                signed,
                scribble(1),
                scribble(2),
                [FAKE_PDF + p.number.encode() for p in signed],
                signed_at=NOW,
                zone=ZONE,
            )

    results = _race(database_url, len(drafts), attempt)
    wins = [r for r in results if isinstance(r, ct.SignedContract)]
    refusals = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(refusals) == 5, results
    assert all(r.code == "contract.vehicle_sold" for r in refusals)
    with world.database.read() as session:
        statuses = sorted(s.value for s in session.scalars(select(Contract.status)))
        follow_ups = session.scalars(select(FollowUp).where(FollowUp.contract_id.is_not(None)))
        assert len(follow_ups.all()) == 5
    assert statuses == ["draft"] * 5 + ["signed"]


def test_closing_one_deposit_keeps_the_reminder_of_another(world: World) -> None:
    first = world.take(0)
    with world.database.write() as session:
        other = Vehicle(
            store_id=world.store_id,
            stock_no="BJ01-S2026-00009",
            brand="丰田",
            model="卡罗拉",
            year=2020,
            mileage_km=50000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("62000"),
            status=VehicleStatus.ON_SALE,
        )
        session.add(other)
        session.flush()
        data = dp.DepositInput(other.id, world.customer_ids[0], "3000", PaymentMethod.CASH)
        dp.take(
            session,
            world.sales.actor,
            data,
            store_code="BJ01",
            now=NOW + timedelta(days=2),
            zone=ZONE,
        )
    with world.database.write() as session:
        dp.refund(session, world.manager, first.id, "只要一辆")
    with world.database.read() as session:
        left = session.scalars(
            select(FollowUp.due_on).where(FollowUp.status == FollowUpStatus.OPEN)
        ).all()
    assert left == [date(2026, 12, 2)]
