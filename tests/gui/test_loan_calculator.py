"""The loan calculator as a consultant and a customer at the kiosk use it."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from ui.dialogs.loan_calculator import LoanCalculatorDialog
from ui.widgets.loan_calculator import LoanCalculatorWidget


def test_price_from_the_car_shows_both_methods_and_the_schedule(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = LoanCalculatorDialog(price=Decimal("100000.00"))
    qtbot.addWidget(dialog)
    calc = dialog.calculator
    assert calc.price_edit.text() == "100000"
    qtbot.keyClicks(calc.rate_edit, "")  # defaults: 30 % down, 36 months, 4.5 %
    assert "贷款 ¥70,000.00" in calc.loan_label.text()
    assert calc.instalment_card.payment.text() == "月供 ¥2,082.28"
    assert calc.principal_card.payment.text() == "首月 ¥2,206.94"
    model = calc.schedule_view.model()
    assert model.rowCount() == 36
    assert model.index(35, 4).data() == "¥0.00"
    calc.schedule_method.setCurrentIndex(1)
    assert model.index(0, 1).data() == "¥2,206.94"


def test_bad_rate_keeps_the_text_and_explains(qtbot) -> None:  # type: ignore[no-untyped-def]
    calc = LoanCalculatorWidget(price=Decimal("100000"))
    qtbot.addWidget(calc)
    calc.rate_edit.clear()
    qtbot.keyClicks(calc.rate_edit, "45")
    assert calc.rate_edit.text() == "45"
    assert "不能超过 36%" in calc.error_label.text()
    assert calc.instalment_card.payment.text() == "—"
    assert calc.schedule_view.model().rowCount() == 0
    calc.rate_edit.setText("4.5")
    assert calc.error_label.text() == ""
    assert calc.schedule_view.model().rowCount() == 36


def test_down_payment_as_amount_and_a_typed_term(qtbot) -> None:  # type: ignore[no-untyped-def]
    calc = LoanCalculatorWidget(price=Decimal("100000"))
    qtbot.addWidget(calc)
    calc.down_mode.setCurrentIndex(1)
    assert calc.down_edit.text() == ""  # "30" would have meant ¥30
    calc.down_edit.setText("2万")  # typed the way prices are spoken
    calc.term_box.setEditText("18")
    assert "贷款 ¥80,000.00，18 期" in calc.loan_label.text()
    assert calc.schedule_view.model().rowCount() == 18
    calc.term_box.setEditText("72")
    assert "12 到 60 个月" in calc.error_label.text()


def test_kiosk_mode_has_finger_sized_targets(qtbot) -> None:  # type: ignore[no-untyped-def]
    calc = LoanCalculatorWidget(price=Decimal("150000"), touch=True)
    qtbot.addWidget(calc)
    calc.resize(1280, 900)
    calc.show()
    qtbot.waitExposed(calc)
    buttons = calc.term_buttons.buttons()
    assert [b.text() for b in buttons] == ["12 期", "24 期", "36 期", "48 期", "60 期"]
    for widget in (*buttons, calc.price_edit, calc.down_edit, calc.rate_edit):
        assert widget.height() >= 48
    qtbot.mouseClick(calc.term_buttons.button(60), Qt.MouseButton.LeftButton)
    assert calc.schedule_view.model().rowCount() == 60
    assert calc.term_buttons.button(60).isChecked()
