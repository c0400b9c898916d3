"""The loan calculator against independently computed figures (exact fractions)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showroom import loan
from showroom.errors import ValidationError

FEN = Fraction(1, 100)


def fen(value: Fraction) -> Fraction:
    """Half-up to the fen, done on exact fractions (not the module's Decimal code)."""
    hundred = value * 100
    whole = hundred.numerator // hundred.denominator
    if hundred - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 100)


def reference_annuity(loan_amount: int, months: int, annual_percent: Fraction) -> Fraction:
    """Monthly payment by the annuity formula on exact fractions, rounded to the fen."""
    r = annual_percent / 100 / 12
    growth = (1 + r) ** months
    return fen(loan_amount * r * growth / (growth - 1))


def as_fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def test_equal_instalment_matches_the_annuity_formula() -> None:
    # 100,000 car, 30 % down, 36 months at 4.5 %: a bank quotes ¥2,082.28 a month.
    plan = loan.calculate("100000", "30000", 36, "4.5", loan.Method.EQUAL_INSTALMENT)
    expected = reference_annuity(70_000, 36, Fraction(9, 2))
    assert as_fraction(plan.first_payment) == expected == Fraction(208228, 100)
    assert all(as_fraction(i.payment) == expected for i in plan.schedule[:-1])
    # Replaying the schedule by hand: interest on the balance, rounded, each month.
    balance = Fraction(70_000)
    r = Fraction(9, 2) / 100 / 12
    total_interest = Fraction(0)
    for number in range(1, 36):
        interest = fen(balance * r)
        total_interest += interest
        balance -= expected - interest
        row = plan.schedule[number - 1]
        assert (as_fraction(row.interest), as_fraction(row.balance)) == (interest, balance)
    last_interest = fen(balance * r)
    total_interest += last_interest
    assert as_fraction(plan.last_payment) == balance + last_interest
    assert as_fraction(plan.total_interest) == total_interest
    assert plan.total_payment == plan.loan + plan.total_interest
    assert plan.schedule[-1].balance == 0


def test_equal_principal_reference_values() -> None:
    plan = loan.calculate(
        Decimal("128800"), Decimal("38640"), 36, "4.5", loan.Method.EQUAL_PRINCIPAL
    )
    loan_amount = Fraction(90_160)
    part = Fraction(int(loan_amount / 36 * 100), 100)  # rounded down to the fen
    r = Fraction(9, 2) / 100 / 12
    assert as_fraction(plan.first_payment) == part + fen(loan_amount * r)
    # Month k pays interest on what is left after k-1 equal parts.
    for k in (2, 18, 35):
        expected = part + fen((loan_amount - part * (k - 1)) * r)
        assert as_fraction(plan.schedule[k - 1].payment) == expected
    last_principal = loan_amount - part * 35
    assert as_fraction(plan.schedule[-1].principal) == last_principal
    assert as_fraction(plan.last_payment) == last_principal + fen(last_principal * r)
    # Interest on a falling balance: less than the equal-instalment plan of the same loan.
    other = loan.calculate("128800", "38640", 36, "4.5", loan.Method.EQUAL_INSTALMENT)
    assert plan.total_interest < other.total_interest


def test_zero_rate_spreads_the_loan_and_the_last_month_takes_the_rest() -> None:
    plan = loan.calculate("100000", "0", 36, "0", loan.Method.EQUAL_INSTALMENT)
    assert plan.first_payment == Decimal("2777.78")
    assert plan.last_payment == Decimal("100000") - Decimal("2777.78") * 35 == Decimal("2777.70")
    assert plan.total_interest == 0


def test_down_payment_as_percent_is_rounded_to_the_fen() -> None:
    assert loan.down_payment_from_percent(Decimal("99999.99"), "33.3") == Decimal("33300.00")
    assert loan.down_payment_from_percent(Decimal("128800"), "30%") == Decimal("38640.00")


@pytest.mark.parametrize(
    ("price", "down", "term", "rate", "code"),
    [
        ("abc", "0", 36, "4.5", "loan.price_invalid"),
        ("0", "0", 36, "4.5", "loan.price_invalid"),
        ("100000", "100000", 36, "4.5", "loan.down_too_large"),
        ("100000", "-1", 36, "4.5", "loan.down_invalid"),
        ("100000", "0", 11, "4.5", "loan.term_range"),
        ("100000", "0", 61, "4.5", "loan.term_range"),
        ("100000", "0", "36.5", "4.5", "loan.term_invalid"),
        ("100000", "0", 36, "-1", "loan.rate_negative"),
        ("100000", "0", 36, "45", "loan.rate_too_high"),
        ("100000", "0", 36, "四点五", "loan.rate_invalid"),
    ],
)
def test_invalid_input_is_refused_with_a_code(
    price: str, down: str, term: int | str, rate: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        loan.calculate(price, down, term, rate, loan.Method.EQUAL_INSTALMENT)
    assert refused.value.code == code
    assert refused.value.message  # a Chinese sentence for the form


def test_percent_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="首付比例"):
        loan.down_payment_from_percent(Decimal("100000"), "100")


amounts = st.integers(min_value=100, max_value=500_000_000).map(lambda f: Decimal(f) / 100)


@settings(max_examples=200, deadline=None)
@given(
    price=amounts,
    down_share=st.integers(min_value=0, max_value=90),
    term=st.integers(min_value=12, max_value=60),
    rate=st.integers(min_value=0, max_value=3600).map(lambda b: Decimal(b) / 100),
    method=st.sampled_from(list(loan.Method)),
)
def test_totals_reconcile_exactly(
    price: Decimal, down_share: int, term: int, rate: Decimal, method: loan.Method
) -> None:
    down = (price * down_share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    plan = loan.calculate(price, down, term, rate, method)
    assert len(plan.schedule) == term
    assert sum(i.principal for i in plan.schedule) == plan.loan == price - down
    assert plan.total_payment == plan.loan + plan.total_interest
    assert plan.schedule[-1].balance == 0
    for row in plan.schedule:
        assert row.payment == row.principal + row.interest
        assert row.principal >= 0 and row.interest >= 0 and row.balance >= 0
        assert row.payment.as_tuple().exponent == -2  # every figure in fen
    if method is loan.Method.EQUAL_INSTALMENT and plan.loan >= 1000:
        # The last month absorbs the rounding: at most half a fen per month (payment and
        # interest each), grown by the interest since, i.e. cents, not a different payment.
        growth = 1 + Fraction(rate) / 1200
        bound = Fraction(1, 100) * sum(growth**k for k in range(term)) + Fraction(1, 100)
        assert abs(Fraction(plan.last_payment - plan.first_payment)) <= bound
