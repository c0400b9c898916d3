"""The staff screen's dialogs: add/edit a person, a secret shown once, PIN, disable, weekly pattern.

Each dialog collects input and calls one service through the runner; a refusal
is shown in red under the form and everything typed stays. A temporary password
or a PIN comes back from the service once and is shown once
(``OneTimeSecretDialog``); nothing here keeps it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import Role
from showroom.context import AppContext
from showroom.services import staff as staff_admin
from showroom.services.stores import StoreInfo
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.combos import find_data
from ui.widgets.labels import role_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

WEEKDAYS = (
    QT_TRANSLATE_NOOP("Weekdays", "周一"),
    QT_TRANSLATE_NOOP("Weekdays", "周二"),
    QT_TRANSLATE_NOOP("Weekdays", "周三"),
    QT_TRANSLATE_NOOP("Weekdays", "周四"),
    QT_TRANSLATE_NOOP("Weekdays", "周五"),
    QT_TRANSLATE_NOOP("Weekdays", "周六"),
    QT_TRANSLATE_NOOP("Weekdays", "周日"),
)


class _FormDialog(QDialog):
    """A form, a red error line and OK/Cancel. Emits ``saved(object)`` with the result."""

    saved = Signal(object)

    def __init__(self, title: str, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.runner = runner
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 16)
        self.layout_.setSpacing(12)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(10)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.layout_.addLayout(self.form)
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("保存"))
        self.ok_button.setProperty("role", "primary")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def add_note(self, text: str, *, index: int | None = None) -> QLabel:
        """A wrapped explanation; its width is fixed so the dialog's height fits every line
        (a top-level window does not ask a wrapped label how tall it is at its width)."""
        note = QLabel(text, self)
        note.setWordWrap(True)
        note.setObjectName("HintText")
        note.setFixedWidth(max(self.minimumWidth() - 48, 400))
        note.setMinimumHeight(note.heightForWidth(note.width()))
        if index is None:
            self.layout_.addWidget(note)
        else:
            self.layout_.insertWidget(index, note)
        return note

    def submit(self) -> None:
        raise NotImplementedError

    def run_write(self, work: Any) -> None:
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.runner.write(work, self._done, self.show_error)

    def _done(self, result: object) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(report_failure(exc))
        self.error.show()


class StaffEditDialog(_FormDialog):
    """新增员工 / 编辑员工. ``saved`` carries an ``IssuedSecret`` (new person) or a
    ``StaffDetail`` (edit)."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        manager: StaffUser,
        stores: list[StoreInfo],
        store_id: uuid.UUID,
        detail: staff_admin.StaffDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("编辑员工") if detail else self.tr("新增员工")
        super().__init__(title, runner, parent)
        self.context = context
        self.manager = manager
        self.detail = detail
        self.setMinimumWidth(520)
        self.name = QLineEdit(detail.display_name if detail else "", self)
        self.name.setPlaceholderText(self.tr("如：王芳（最多 20 字，印在合同和协议上）"))
        self.username = QLineEdit(detail.username if detail else "", self)
        self.username.setPlaceholderText(self.tr("登录用，英文字母或数字，如 wangfang"))
        self.phone = QLineEdit(detail.phone if detail else "", self)
        self.phone.setPlaceholderText(self.tr("手机号，可不填"))
        self.form.addRow(self.tr("姓名"), self.name)
        self.form.addRow(self.tr("用户名"), self.username)

        roles_box = QWidget(self)
        grid = QGridLayout(roles_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        self.role_boxes: dict[Role, QCheckBox] = {}
        # The floor in the order a visitor meets it, then management.
        offered = [Role.RECEPTION, Role.SALES, Role.APPRAISER, Role.MANAGER]
        if manager.is_group_manager:
            offered.append(Role.GROUP_MANAGER)
        for n, role in enumerate(offered):
            box = QCheckBox(role_label(role), roles_box)
            box.setChecked(bool(detail and role in detail.roles))
            self.role_boxes[role] = box
            grid.addWidget(box, n // 3, n % 3)
        self.form.addRow(self.tr("岗位"), roles_box)
        hint = QLabel(self.tr("可以多选，例如销售顾问兼评估师。"), self)
        hint.setObjectName("HintText")
        self.form.addRow("", hint)
        self.form.addRow(self.tr("手机号"), self.phone)

        self.store = QComboBox(self)
        for info in stores:
            self.store.addItem(f"{info.code} {info.name}", info.id)
        current = detail.store_id if detail else store_id
        self.store.setCurrentIndex(max(0, find_data(self.store, current)))
        if manager.is_group_manager and len(stores) > 1:
            self.form.addRow(self.tr("门店"), self.store)
        else:
            self.store.hide()
        if detail is None:
            self.add_note(
                self.tr(
                    "保存后会显示一次性的临时密码，请当面交给本人；"
                    "本人首次登录时必须改成自己的密码。"
                )
            )
        self.finish_layout()
        self.name.setFocus()

    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, box in self.role_boxes.items() if box.isChecked())

    def check_role(self, role: Role, checked: bool = True) -> None:
        self.role_boxes[role].setChecked(checked)

    def submit(self) -> None:
        form = staff_admin.StaffForm(
            display_name=self.name.text(),
            username=self.username.text(),
            roles=self.roles(),
            phone=self.phone.text(),
            store_id=self.store.currentData(),
        )
        manager, detail = self.manager, self.detail
        if detail is None:

            def add(session: Session) -> object:
                return staff_admin.add_staff(session, manager, form)

            self.run_write(add)
            return
        staff_id, version = detail.id, detail.row_version

        def edit(session: Session) -> object:
            return staff_admin.update_staff(
                session, manager, staff_id, form, loaded_version=version
            )

        self.run_write(edit)


class OneTimeSecretDialog(QDialog):
    """A temporary password or a PIN, shown this once in large type. Emits no signals."""

    def __init__(self, issued: staff_admin.IssuedSecret, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(True)
        is_pin = issued.kind == "pin"
        self.setWindowTitle(self.tr("新 PIN") if is_pin else self.tr("临时密码"))
        self.setMinimumWidth(460)
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 24, 28, 20)
        box.setSpacing(12)
        who = QLabel(
            (
                self.tr("{name}（{username}）的自助机 PIN：")
                if is_pin
                else self.tr("{name}（{username}）的临时密码：")
            ).format(name=issued.display_name, username=issued.username),
            self,
        )
        who.setObjectName("SectionTitle")
        who.setWordWrap(True)
        box.addWidget(who)
        self.secret_label = QLabel(issued.secret, self)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPixelSize(30)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        self.secret_label.setFont(font)
        self.secret_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret_label.setStyleSheet(
            "background:#f3f5f8; border:1px solid #dde3ea; border-radius:8px; padding:14px;"
        )
        box.addWidget(self.secret_label)
        text = (
            self.tr("只显示这一次，关闭后无法再查看。请当面告诉本人，不要写在纸上或发到群里。")
            if is_pin
            else self.tr(
                "只显示这一次，关闭后无法再查看。请当面交给本人；"
                "本人首次登录时必须改成自己的密码，临时密码随即失效。"
            )
        )
        warning = QLabel(text, self)
        warning.setWordWrap(True)
        warning.setObjectName("HintText")
        box.addWidget(warning)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = QPushButton(self.tr("已交给本人，关闭"), self)
        self.done_button.setProperty("role", "primary")
        self.done_button.clicked.connect(self.accept)
        row.addWidget(self.done_button)
        box.addLayout(row)


class PinDialog(_FormDialog):
    """设置 PIN: random (recommended), a chosen one, or none. ``saved``: the ``IssuedSecret``
    (random or chosen) or None (cleared)."""

    def __init__(
        self,
        runner: TaskRunner,
        manager: StaffUser,
        row: staff_admin.StaffRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("设置自助机 PIN"), runner, parent)
        self.manager, self.row = manager, row
        self.setMinimumWidth(460)
        self.add_note(
            self.tr("员工在自助机上输入 PIN 可切换到员工界面。每人的 PIN 不同。"), index=0
        )
        self.random = QRadioButton(self.tr("随机生成 6 位 PIN（推荐）"), self)
        self.random.setChecked(True)
        self.chosen = QRadioButton(self.tr("使用下面的 PIN"), self)
        self.clear = QRadioButton(self.tr("清除 PIN（不能在自助机上解锁）"), self)
        self.clear.setEnabled(row.has_pin)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("4 到 8 位数字，不能是 1234、0000 这样的数字"))
        self.pin.textEdited.connect(lambda _text: self.chosen.setChecked(True))
        self.form.addRow(self.tr("员工"), QLabel(f"{row.display_name}（{row.username}）", self))
        self.form.addRow("", self.random)
        self.form.addRow("", self.chosen)
        self.form.addRow(self.tr("PIN"), self.pin)
        self.form.addRow("", self.clear)
        self.finish_layout()

    def submit(self) -> None:
        manager, staff_id = self.manager, self.row.id
        if self.clear.isChecked():

            def clear(session: Session) -> None:
                staff_admin.clear_pin(session, manager, staff_id)

            self.run_write(clear)
            return
        pin = self.pin.text().strip() if self.chosen.isChecked() else None
        if pin == "":
            self.error.setText(self.tr("请输入 PIN，或选择随机生成。"))
            self.error.show()
            return

        def set_pin(session: Session) -> object:
            return staff_admin.set_pin(session, manager, staff_id, pin)

        self.run_write(set_pin)


class DisableDialog(_FormDialog):
    """停用: why (optional, kept in the audit log). ``saved`` carries None."""

    def __init__(
        self,
        runner: TaskRunner,
        manager: StaffUser,
        row: staff_admin.StaffRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("停用员工账号"), runner, parent)
        self.manager, self.row = manager, row
        self.setMinimumWidth(480)
        self.add_note(
            self.tr(
                "停用后 {name} 不能再登录，也不能在自助机上用 PIN 解锁，PIN 随之清除。"
                "已签的协议、合同和审计记录都保留；名下的客户仍显示其姓名，可在看板上改派。"
            ).format(name=row.display_name),
            index=0,
        )
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("如：离职、调往其他门店（可不填，最多 100 字）"))
        self.form.addRow(self.tr("停用原因"), self.reason)
        self.ok_button.setText(self.tr("停用"))
        self.ok_button.setProperty("role", "danger")
        self.finish_layout()

    def submit(self) -> None:
        manager, staff_id, reason = self.manager, self.row.id, self.reason.text()

        def disable(session: Session) -> None:
            staff_admin.disable_staff(session, manager, staff_id, reason=reason)

        self.run_write(disable)


class WeeklyPatternDialog(_FormDialog):
    """固定排班: the days of the week this person usually works. ``saved``: the pattern."""

    def __init__(
        self,
        runner: TaskRunner,
        manager: StaffUser,
        staff_id: uuid.UUID,
        name: str,
        pattern: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("固定排班：{name}").format(name=name), runner, parent)
        self.manager, self.staff_id = manager, staff_id
        row = QHBoxLayout()
        self.days: list[QCheckBox] = []
        for n, day in enumerate(WEEKDAYS):
            box = QCheckBox(QCoreApplication.translate("Weekdays", day), self)
            box.setChecked(len(pattern) == 7 and pattern[n] == "1")
            self.days.append(box)
            row.addWidget(box)
        holder = QWidget(self)
        holder.setLayout(row)
        self.form.addRow(self.tr("每周上班"), holder)
        self.add_note(self.tr("勾选的日子默认上班；休假、病假、外出在排班表里按天标记。"))
        self.finish_layout()

    def submit(self) -> None:
        from showroom.services import roster

        manager, staff_id = self.manager, self.staff_id
        days = [box.isChecked() for box in self.days]

        def save(session: Session) -> str:
            return roster.set_weekly_pattern(session, manager, staff_id, days)

        self.run_write(save)
