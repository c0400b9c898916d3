"""Loan calculator (金融计算器): 等额本息 and 等额本金 schedules to the fen.

Pure arithmetic on ``Decimal``; no database, no Qt. Every instalment is rounded
to the fen (half up), and the last instalment takes whatever rounding left over,
so that the principal parts add up to the loan exactly and payments add up to
loan + total interest exactly — the figures a customer checks against a bank's.

Bad input (price, down payment, term, rate) raises ``ValidationError`` with a
Chinese message and a stable code, so forms can show it next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, DecimalException, localcontext
from enum import StrEnum

from showroom.errors import ValidationError
from showroom.money import CENT, MAX_AMOUNT, parse_amount

__all__ = [
    "MAX_RATE",
    "MAX_TERM",
    "MIN_TERM",
    "Instalment",
    "LoanPlan",
    "Method",
    "calculate",
    "calculate_both",
    "down_payment_from_percent",
    "parse_down_payment",
    "parse_percent",
    "parse_price",
    "parse_rate",
    "parse_term",
]

MIN_TERM = 12
MAX_TERM = 60
# Beyond 36 % a year a loan is not enforceable in China; a typo such as 45 instead of 4.5.
MAX_RATE = Decimal(36)
_HUNDRED = Decimal(100)


class Method(StrEnum):
    EQUAL_INSTALMENT = "equal_instalment"  # 等额本息: same payment every month
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: same principal, falling payments


METHOD_LABELS = {Method.EQUAL_INSTALMENT: "等额本息", Method.EQUAL_PRINCIPAL: "等额本金"}


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based month
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal  # still owed after this payment


@dataclass(frozen=True)
class LoanPlan:
    method: Method
    price: Decimal
    down_payment: Decimal
    loan: Decimal
    term: int
    annual_rate: Decimal  # percent, e.g. Decimal("4.5")
    schedule: tuple[Instalment, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.schedule), Decimal("0.00"))

    @property
    def total_payment(self) -> Decimal:
        return sum((i.payment for i in self.schedule), Decimal("0.00"))

    @property
    def first_payment(self) -> Decimal:
        return self.schedule[0].payment

    @property
    def last_payment(self) -> Decimal:
        return self.schedule[-1].payment

    @property
    def monthly_decrease(self) -> Decimal:
        """How much less each month pays under 等额本金 (zero for 等额本息)."""
        if len(self.schedule) < 3:
            return Decimal("0.00")
        return self.schedule[0].payment - self.schedule[1].payment


def _fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(text: str | int | Decimal, code: str, message: str) -> Decimal:
    if isinstance(text, bool | float):
        raise TypeError(f"expected str, int or Decimal, not {type(text).__name__}")
    raw = str(text).strip().rstrip("%％").strip()
    try:
        value = Decimal(raw)
    except (DecimalException, ValueError):
        raise ValidationError(code, message) from None
    if not value.is_finite():
        raise ValidationError(code, message)
    return value


def parse_rate(text: str | int | Decimal) -> Decimal:
    """Annual rate in percent (``"4.5"``, ``"4.5%"``) within 0 .. 36."""
    rate = _number(text, "loan.rate_invalid", "年利率格式不正确，请输入百分数，如 4.5")
    if rate < 0:
        raise ValidationError("loan.rate_negative", "年利率不能为负数")
    if rate > MAX_RATE:
        raise ValidationError(
            "loan.rate_too_high", f"年利率不能超过 {MAX_RATE}%，请检查是否多输了一位", maximum=36
        )
    if rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValidationError("loan.rate_precision", "年利率最多保留四位小数")
    return rate


def parse_term(text: str | int) -> int:
    """Term in whole months within 12 .. 60."""
    value = _number(text, "loan.term_invalid", "贷款期限请输入整月数，如 36")
    if value != value.to_integral_value():
        raise ValidationError("loan.term_invalid", "贷款期限请输入整月数，如 36")
    term = int(value)
    if not MIN_TERM <= term <= MAX_TERM:
        raise ValidationError(
            "loan.term_range",
            f"贷款期限须在 {MIN_TERM} 到 {MAX_TERM} 个月之间",
            minimum=MIN_TERM,
            maximum=MAX_TERM,
        )
    return term


def parse_percent(text: str | int | Decimal) -> Decimal:
    """A down-payment percentage within 0 .. 100 (exclusive of 100: something must be lent)."""
    value = _number(text, "loan.percent_invalid", "首付比例格式不正确，请输入百分数，如 30")
    if value < 0 or value >= _HUNDRED:
        raise ValidationError("loan.percent_range", "首付比例须在 0% 到 100% 之间（不含 100%）")
    return value


def down_payment_from_percent(price: Decimal, percent: str | int | Decimal) -> Decimal:
    """The down payment for ``percent`` of ``price``, to the fen (half up)."""
    return _fen(price * parse_percent(percent) / _HUNDRED)


def parse_price(text: str | int | Decimal) -> Decimal:
    """The car's price as typed (``168000``, ``16.8万``); more than zero."""
    try:
        return parse_amount(text, minimum=CENT, maximum=MAX_AMOUNT)
    except ValidationError as exc:
        raise ValidationError(
            "loan.price_invalid", f"车价有误：{exc.message}", detail=exc.message
        ) from None


def parse_down_payment(text: str | int | Decimal) -> Decimal:
    """A down payment typed as an amount; zero allowed."""
    try:
        return parse_amount(text, minimum=Decimal("0.00"), maximum=MAX_AMOUNT)
    except ValidationError as exc:
        raise ValidationError(
            "loan.down_invalid", f"首付金额有误：{exc.message}", detail=exc.message
        ) from None


def _checked_inputs(
    price: str | int | Decimal, down_payment: str | int | Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    price_value = parse_price(price)
    down = parse_down_payment(down_payment)
    if down >= price_value:
        raise ValidationError("loan.down_too_large", "首付金额须小于车价，否则无需贷款")
    return price_value, down, price_value - down


def calculate(
    price: str | int | Decimal,
    down_payment: str | int | Decimal,
    term: str | int,
    annual_rate: str | int | Decimal,
    method: Method,
) -> LoanPlan:
    """The full schedule for one method; see the module docstring for the rounding rule."""
    price_value, down, loan = _checked_inputs(price, down_payment)
    months = parse_term(term)
    rate = parse_rate(annual_rate)
    with localcontext() as ctx:
        ctx.prec = 50  # (1 + r)^60 keeps every fen significant
        monthly = rate / _HUNDRED / 12
        if method is Method.EQUAL_INSTALMENT:
            schedule = _equal_instalment(loan, months, monthly)
        else:
            schedule = _equal_principal(loan, months, monthly)
    return LoanPlan(method, price_value, down, loan, months, rate, schedule)


def calculate_both(
    price: str | int | Decimal,
    down_payment: str | int | Decimal,
    term: str | int,
    annual_rate: str | int | Decimal,
) -> tuple[LoanPlan, LoanPlan]:
    """(等额本息, 等额本金) for the same inputs."""
    return (
        calculate(price, down_payment, term, annual_rate, Method.EQUAL_INSTALMENT),
        calculate(price, down_payment, term, annual_rate, Method.EQUAL_PRINCIPAL),
    )


def _equal_instalment(loan: Decimal, months: int, monthly: Decimal) -> tuple[Instalment, ...]:
    if monthly == 0:
        payment = _fen(loan / months)
    else:
        growth = (1 + monthly) ** months
        payment = _fen(loan * monthly * growth / (growth - 1))
    rows: list[Instalment] = []
    balance = loan
    for number in range(1, months + 1):
        interest = _fen(balance * monthly)
        if number == months:
            principal = balance  # the last month clears what rounding left over
        else:
            # Clamped so that a tiny loan never goes below zero before the last month.
            principal = min(max(payment - interest, Decimal("0.00")), balance)
        balance -= principal
        rows.append(Instalment(number, principal + interest, principal, interest, balance))
    return tuple(rows)


def _equal_principal(loan: Decimal, months: int, monthly: Decimal) -> tuple[Instalment, ...]:
    # Rounded down so the last month absorbs a few fen more, never a negative remainder.
    part = (loan / months).quantize(CENT, rounding=ROUND_DOWN)
    rows: list[Instalment] = []
    balance = loan
    for number in range(1, months + 1):
        interest = _fen(balance * monthly)
        principal = balance if number == months else part
        balance -= principal
        rows.append(Instalment(number, principal + interest, principal, interest, balance))
    return tuple(rows)
