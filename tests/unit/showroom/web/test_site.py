"""The page formatting and the loan figures (from showroom.loan, never re-computed)."""

from __future__ import annotations

from decimal import Decimal

from showroom import loan
from showroom.web.site import STATIC_PERCENTS, TERMS, loan_form, loan_table, mileage, yuan


def test_money_and_mileage_read_like_the_kiosk() -> None:
    assert yuan(Decimal("128000.00")) == "¥128,000"
    assert yuan(Decimal("99.50")) == "¥99.50"
    assert mileage(850) == "850 公里" and mileage(32150) == "3.2 万公里"


def test_loan_form_keeps_bad_input_and_says_why() -> None:
    form = loan_form(Decimal("100000"), {"percent": "120", "term": "36", "rate": "4.5"})
    assert form.figures is None and form.percent == "120" and "首付比例" in form.error


def test_static_table_has_every_choice_with_the_apps_figures() -> None:
    price = Decimal("87654.32")
    table = loan_table(price)
    assert set(table) == {f"{p}|{t}" for p in STATIC_PERCENTS for t in TERMS}
    for key, figures in table.items():
        percent, term = key.split("|")
        down = loan.down_payment_from_percent(price, percent)
        equal, principal = loan.calculate_both(price, down, term, "4.5")
        assert figures["monthly"] == yuan(equal.first_payment)
        assert figures["interest_equal"] == yuan(equal.total_interest)
        assert figures["first"] == yuan(principal.first_payment)
        assert figures["decrease"] == yuan(principal.monthly_decrease)
