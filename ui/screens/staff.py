"""员工 (managers): the people of the store, the roster and the store profile.

Three tabs: 员工 (add, edit, disable, reset a password or PIN, unlock), 排班
(who works which day) and 门店资料 (what papers print). A group manager picks
the store at the top and may add stores. After the first run, a short
checklist on top says what a new store still has to do; it goes when done or
hidden.

Every action goes through ``showroom.services.staff``/``roster``/``stores``,
which check the role again and audit it. A temporary password or PIN is shown
once in its own dialog.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.services import staff as staff_admin
from showroom.services import stores
from showroom.services.staff import StaffRow, list_staff
from showroom.users import StaffUser
from ui.dialogs.staff_edit import (
    DisableDialog,
    OneTimeSecretDialog,
    PinDialog,
    StaffEditDialog,
)
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.style import PALETTE, repolish
from ui.tasks import TaskRunner
from ui.widgets.combos import find_data
from ui.widgets.icons import icon
from ui.widgets.labels import roles_label, roster_status_label
from ui.widgets.roster import RosterPanel
from ui.widgets.store_profile import StoreProfilePanel
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
(
    COL_NAME,
    COL_USERNAME,
    COL_ROLE,
    COL_TODAY,
    COL_PHONE,
    COL_PIN,
    COL_ACTIVE,
    COL_SIGN_IN,
    COL_LAST,
) = range(9)
TAB_STAFF, TAB_ROSTER, TAB_PROFILE = range(3)


class StaffModel(RowListModel):
    """The store's staff (a few dozen rows at most, so loaded whole). Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("姓名"),
            self.tr("用户名"),
            self.tr("岗位"),
            self.tr("今日"),
            self.tr("手机"),
            self.tr("PIN"),
            self.tr("账号状态"),
            self.tr("登录状态"),
            self.tr("最近登录"),
        )

    def _today(self, row: StaffRow) -> str:
        if not row.active:
            return "—"
        if row.today_status is not None:
            return roster_status_label(row.today_status)
        return self.tr("在岗") if row.on_duty_today else self.tr("休息")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                return row.display_name
            if column == COL_USERNAME:
                return row.username
            if column == COL_ROLE:
                return roles_label(row.roles)
            if column == COL_TODAY:
                return self._today(row)
            if column == COL_PHONE:
                return row.phone_masked or "—"
            if column == COL_PIN:
                return self.tr("已设置") if row.has_pin else self.tr("未设置")
            if column == COL_ACTIVE:
                if not row.active:
                    return self.tr("已停用")
                return self.tr("待改密码") if row.must_change_password else self.tr("在职")
            if column == COL_SIGN_IN:
                if row.locked and row.locked_until is not None:
                    return self.tr("已锁定（至 {time}）").format(
                        time=row.locked_until.astimezone().strftime("%H:%M")
                    )
                return self.tr("正常")
            if column == COL_LAST:
                if row.last_sign_in_at is None:
                    return self.tr("从未登录")
                return row.last_sign_in_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.active:
                return QColor(PALETTE.text_muted)
            if column == COL_SIGN_IN and row.locked:
                return QColor(PALETTE.danger)
            if column == COL_TODAY:
                return QColor(PALETTE.success if row.on_duty_today else PALETTE.text_muted)
            if column == COL_ACTIVE and row.must_change_password:
                return QColor(PALETTE.warning)
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and column == COL_ACTIVE
            and row.must_change_password
        ):
            return self.tr("已发临时密码，本人首次登录时会被要求设置新密码。")
        return None


class SetupChecklist(QFrame):
    """开店设置清单 after the first run: five steps in two columns, each with its button.

    Signals: ``action(str)`` with the step whose button was pressed
    ("staff", "roster", "profile", "test_page", "database", "settings", "dismissed").
    """

    action = Signal(str)

    def __init__(self, embedded: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FormCard")
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 10, 14, 10)
        box.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel(self.tr("开店设置清单"), self)
        title.setObjectName("SectionTitle")
        head.addWidget(title)
        self.progress = QLabel("", self)
        self.progress.setObjectName("HintText")
        head.addWidget(self.progress)
        head.addStretch(1)
        hide = QPushButton(self.tr("隐藏清单"), self)
        hide.setProperty("compact", True)
        hide.clicked.connect(lambda: self.action.emit("dismissed"))
        head.addWidget(hide)
        box.addLayout(head)
        # (step, name, short note shown, longer note as tooltip, button)
        steps = (
            (
                "staff",
                self.tr("添加员工"),
                self.tr("每人一个账号"),
                self.tr("前台、销售顾问、评估师，每人一个账号，可兼任多个岗位"),
                self.tr("新增员工"),
            ),
            (
                "roster",
                self.tr("设置排班"),
                self.tr("谁哪天上班"),
                self.tr("每人的固定排班；休假、病假、外出按天标记"),
                self.tr("去排班"),
            ),
            (
                "profile",
                self.tr("核对门店资料"),
                self.tr("合同和收据要用"),
                self.tr("地址、电话、统一社会信用代码、收款账户、标志、车辆网址"),
                self.tr("去填写"),
            ),
            (
                "test_page",
                self.tr("打印测试页"),
                self.tr("检查抬头和打印机"),
                self.tr("打印一页，核对抬头、标志、信用代码和二维码"),
                self.tr("打印"),
            ),
            (
                "database",
                self.tr("选择数据库"),
                self.tr("现在：本机内置") if embedded else self.tr("已连接共享数据库"),
                self.tr("一台电脑用本机内置数据库即可；多台电脑共用请连接共享数据库")
                if embedded
                else self.tr("各台电脑共用同一份数据"),
                self.tr("保持本机") if embedded else self.tr("已确认"),
            ),
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self.marks: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        for n, (key, name, note, detail, caption) in enumerate(steps):
            row, column = n % 3, (n // 3) * 5
            mark = QLabel("○", self)
            mark.setFixedWidth(18)
            text = QLabel(name, self)
            text.setToolTip(detail)
            hint = QLabel(note, self)
            hint.setObjectName("HintText")
            hint.setToolTip(detail)
            button = QPushButton(caption, self)
            button.setProperty("compact", True)
            button.clicked.connect(lambda _=False, k=key: self.action.emit(k))
            grid.addWidget(mark, row, column)
            grid.addWidget(text, row, column + 1)
            grid.addWidget(hint, row, column + 2)
            grid.addWidget(button, row, column + 3)
            self.marks[key], self.buttons[key] = mark, button
        if embedded:
            shared = QPushButton(self.tr("连接共享数据库…"), self)
            shared.setProperty("compact", True)
            shared.clicked.connect(lambda: self.action.emit("settings"))
            grid.addWidget(shared, 1, 9)
        grid.setColumnMinimumWidth(2, 120)
        grid.setColumnMinimumWidth(4, 40)
        grid.setColumnMinimumWidth(7, 120)
        grid.setColumnStretch(10, 1)
        box.addLayout(grid)
        self.setStyleSheet('QPushButton[compact="true"] { padding: 3px 12px; min-height: 18px; }')

    def show_state(self, checklist: stores.SetupChecklist) -> None:
        done = 0
        for item in checklist.items:
            self.marks[item.key].setText("✓" if item.done else "○")
            self.marks[item.key].setStyleSheet(
                f"color:{PALETTE.success if item.done else PALETTE.text_muted}; font-weight:700;"
            )
            done += item.done
        self.progress.setText(
            self.tr("已完成 {done}/{total}").format(done=done, total=len(checklist.items))
        )
        self.setVisible(checklist.visible)


class StaffScreen(Screen):
    """Staff, roster and store profile of a store.

    Signals: ``settingsRequested()`` (the checklist's "connect the shared database").
    """

    topics: ClassVar[frozenset[str]] = frozenset({"staff", "staff_roles", "stores", "roster_days"})
    settingsRequested = Signal()  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self.store_id = user.store_id
        self.stores: list[stores.StoreInfo] = []
        self.dialog: QWidget | None = None

        top = QHBoxLayout()
        self.store_combo = QComboBox(self)
        self.store_combo.setMinimumWidth(220)
        self.store_combo.currentIndexChanged.connect(self._on_store_chosen)
        self.store_label = QLabel(self.tr("门店"), self)
        top.addWidget(self.store_label)
        top.addWidget(self.store_combo)
        self.add_store_button = QPushButton(self.tr("新增门店…"), self)
        self.add_store_button.clicked.connect(self.add_store)
        top.addWidget(self.add_store_button)
        top.addStretch(1)
        for widget in (self.store_label, self.store_combo, self.add_store_button):
            widget.setVisible(user.is_group_manager)
        self.body.addLayout(top)

        self.checklist = SetupChecklist(context.embedded, self)
        self.checklist.hide()
        self.checklist.action.connect(self._on_checklist)
        self.body.addWidget(self.checklist)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._staff_tab(), self.tr("员工"))
        self.roster = RosterPanel(runner, user, self)
        self.roster.changed.connect(self._published)
        self.tabs.addTab(self.roster, self.tr("排班"))
        self.profile = StoreProfilePanel(context, runner, user, self)
        self.profile.changed.connect(self._published)
        self.tabs.addTab(self.profile, self.tr("门店资料"))
        self.tabs.currentChanged.connect(self._on_tab)
        self.body.addWidget(self.tabs, 1)
        self._load_stores()
        self.refresh()

    # --- the staff tab ---------------------------------------------------------------------

    def _staff_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        bar = QHBoxLayout()
        self.add_button = QPushButton(icon("staff", "#ffffff"), self.tr("新增员工"), tab)
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(self.add_staff)
        self.edit_button = QPushButton(self.tr("编辑…"), tab)
        self.edit_button.clicked.connect(self.edit_selected)
        self.reset_button = QPushButton(self.tr("重置密码…"), tab)
        self.reset_button.clicked.connect(self.reset_selected)
        self.pin_button = QPushButton(self.tr("设置 PIN…"), tab)
        self.pin_button.clicked.connect(self.pin_selected)
        self.unlock_button = QPushButton(icon("unlock"), self.tr("解锁"), tab)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.disable_button = QPushButton(self.tr("停用…"), tab)
        self.disable_button.clicked.connect(self.toggle_selected)
        for button in (
            self.add_button,
            self.edit_button,
            self.reset_button,
            self.pin_button,
            self.unlock_button,
            self.disable_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        self.show_inactive = QCheckBox(self.tr("显示已停用"), tab)
        self.show_inactive.setChecked(True)
        self.show_inactive.toggled.connect(self.refresh)
        bar.addWidget(self.show_inactive)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), tab)
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        box.addLayout(bar)

        self.message_label = QLabel("", tab)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        box.addWidget(self.message_label)

        self.model = StaffModel(self)
        self.table = make_table(tab)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_NAME: 90,
                COL_USERNAME: 100,
                COL_ROLE: 150,
                COL_TODAY: 76,
                COL_PHONE: 112,
                COL_PIN: 76,
                COL_ACTIVE: 84,
                COL_SIGN_IN: 128,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self.edit_selected)
        self.model.modelReset.connect(self._on_selection_changed)
        box.addWidget(self.table, 1)
        hint = QLabel(
            self.tr(
                "员工离职请“停用”，不能删除：已签的协议、合同和审计记录都保留其姓名。"
                "忘记密码请“重置密码”，系统给出一次性临时密码。"
            ),
            tab,
        )
        hint.setObjectName("HintText")
        hint.setWordWrap(True)
        box.addWidget(hint)
        return tab

    # --- loading ---------------------------------------------------------------------------

    def _load_stores(self) -> None:
        user = self.user

        def work(session: Session) -> list[stores.StoreInfo]:
            return stores.stores_for(session, user)

        self.runner.read(work, self._stores_loaded, self._on_failed)

    def _stores_loaded(self, found: list[stores.StoreInfo]) -> None:
        self.stores = found
        self.store_combo.blockSignals(True)
        self.store_combo.clear()
        for info in found:
            self.store_combo.addItem(f"{info.code} {info.name}", info.id)
        self.store_combo.setCurrentIndex(max(0, find_data(self.store_combo, self.store_id)))
        self.store_combo.blockSignals(False)

    def _on_store_chosen(self, _index: int) -> None:
        store_id = self.store_combo.currentData()
        if store_id is not None and store_id != self.store_id:
            self.store_id = store_id
            self.roster.set_store(store_id)
            self.profile.set_store(store_id)
            self.refresh()

    def refresh(self) -> None:
        manager, store_id = self.user, self.store_id
        inactive = self.show_inactive.isChecked()

        def work(session: Session) -> tuple[list[StaffRow], stores.SetupChecklist]:
            rows = list_staff(session, manager, store_id=store_id, include_inactive=inactive)
            return rows, stores.setup_checklist(session, store_id)

        self.runner.read(work, self._on_loaded, self._on_failed)
        current = self.tabs.currentIndex() if hasattr(self, "tabs") else TAB_STAFF
        if current == TAB_ROSTER:
            self.roster.refresh()
        elif current == TAB_PROFILE:
            self.profile.refresh()

    def _on_loaded(self, result: tuple[list[StaffRow], stores.SetupChecklist]) -> None:
        rows, checklist = result
        selected = self._selected()
        self.model.set_rows(rows)
        if selected is not None:
            self.select_username(selected.username)
        self.checklist.show_state(checklist)

    def _on_tab(self, index: int) -> None:
        if index == TAB_ROSTER:
            self.roster.refresh()
        elif index == TAB_PROFILE:
            self.profile.refresh()

    # --- selection -------------------------------------------------------------------------

    def _selected(self) -> StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        row = self._selected()
        active = row is not None and row.active
        self.edit_button.setEnabled(row is not None)
        self.reset_button.setEnabled(active)
        self.pin_button.setEnabled(active)
        self.unlock_button.setEnabled(row is not None and row.locked)
        self.disable_button.setEnabled(row is not None and row.id != self.user.id)
        self.disable_button.setText(
            self.tr("启用") if row is not None and not row.active else self.tr("停用…")
        )

    def select_username(self, username: str) -> bool:
        """Select the row of ``username`` (used by keyboard users and tests)."""
        for n in range(self.model.rowCount()):
            row = self.model.row_at(n)
            if row is not None and row.username == username:
                self.table.selectRow(n)
                return True
        return False

    # --- actions ---------------------------------------------------------------------------

    def add_staff(self) -> StaffEditDialog:
        dialog = StaffEditDialog(
            self.context, self.runner, self.user, self.stores, self.store_id, parent=self
        )
        dialog.saved.connect(self._on_added)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_added(self, issued: staff_admin.IssuedSecret) -> None:
        self._say(
            self.tr("已新增 {name}。请把临时密码当面交给本人。").format(name=issued.display_name),
            "SuccessText",
        )
        self._published()
        self.show_secret(issued)

    def show_secret(self, issued: staff_admin.IssuedSecret) -> OneTimeSecretDialog:
        dialog = OneTimeSecretDialog(issued, self)
        self.secret_dialog = dialog
        dialog.open()
        return dialog

    def edit_selected(self, *_args: object) -> None:
        row = self._selected()
        if row is None:
            return
        manager, staff_id = self.user, row.id

        def work(session: Session) -> staff_admin.StaffDetail:
            return staff_admin.get_staff(session, manager, staff_id)

        self.runner.read(work, self._open_edit, self._on_failed)

    def _open_edit(self, detail: staff_admin.StaffDetail) -> None:
        dialog = StaffEditDialog(
            self.context, self.runner, self.user, self.stores, self.store_id, detail, self
        )
        dialog.saved.connect(self._on_edited)
        self.dialog = dialog
        dialog.open()

    def _on_edited(self, detail: staff_admin.StaffDetail) -> None:
        self._say(self.tr("已保存 {name} 的资料。").format(name=detail.display_name), "SuccessText")
        self._published()

    def reset_selected(self) -> None:
        row = self._selected()
        if row is None or not row.active:
            return
        answer = QMessageBox.question(
            self,
            self.tr("重置密码"),
            self.tr("为 {name} 生成新的临时密码？旧密码立即失效，账号同时解锁。").format(
                name=row.display_name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.reset_password(row)

    def reset_password(self, row: StaffRow) -> None:
        manager, staff_id = self.user, row.id

        def work(session: Session) -> staff_admin.IssuedSecret:
            return staff_admin.reset_password(session, manager, staff_id)

        self.runner.write(work, self._on_reset, self._on_failed)

    def _on_reset(self, issued: staff_admin.IssuedSecret) -> None:
        self._say(
            self.tr("已为 {name} 生成临时密码。").format(name=issued.display_name), "SuccessText"
        )
        self._published()
        self.show_secret(issued)

    def pin_selected(self) -> PinDialog | None:
        row = self._selected()
        if row is None or not row.active:
            return None
        dialog = PinDialog(self.runner, self.user, row, self)
        dialog.saved.connect(self._on_pin)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_pin(self, issued: staff_admin.IssuedSecret | None) -> None:
        self._published()
        if issued is None:
            self._say(self.tr("已清除 PIN。"), "SuccessText")
            return
        self._say(self.tr("已为 {name} 设置 PIN。").format(name=issued.display_name), "SuccessText")
        if issued.secret:
            self.show_secret(issued)

    def unlock_selected(self) -> None:
        row = self._selected()
        if row is None or not row.locked:
            return
        manager, staff_id, name = self.user, row.id, row.display_name

        def work(session: Session) -> str:
            staff_admin.unlock(session, manager, staff_id)
            return name

        self.unlock_button.setEnabled(False)
        self.runner.write(work, self._on_unlocked, self._on_failed)

    def _on_unlocked(self, name: str) -> None:
        self._say(self.tr("已解锁 {name} 的账号。").format(name=name), "SuccessText")
        self._published()

    def toggle_selected(self) -> DisableDialog | None:
        row = self._selected()
        if row is None:
            return None
        if not row.active:
            manager, staff_id, name = self.user, row.id, row.display_name

            def work(session: Session) -> str:
                staff_admin.enable_staff(session, manager, staff_id)
                return name

            self.runner.write(work, self._on_enabled, self._on_failed)
            return None
        dialog = DisableDialog(self.runner, self.user, row, self)
        dialog.saved.connect(lambda _r, name=row.display_name: self._on_disabled(name))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_disabled(self, name: str) -> None:
        self._say(self.tr("已停用 {name} 的账号，历史记录保留。").format(name=name), "SuccessText")
        self._published()

    def _on_enabled(self, name: str) -> None:
        self._say(
            self.tr("已重新启用 {name}。如忘记密码，请“重置密码”；PIN 需要重新设置。").format(
                name=name
            ),
            "SuccessText",
        )
        self._published()

    def add_store(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        code, ok = QInputDialog.getText(
            self, self.tr("新增门店"), self.tr("门店编号（2 到 8 位字母或数字，如 SH01）：")
        )
        if not ok or not code.strip():
            return
        name, ok = QInputDialog.getText(self, self.tr("新增门店"), self.tr("门店名称："))
        if not ok:
            return
        user = self.user

        def work(session: Session) -> uuid.UUID:
            return stores.add_store(session, user, code, stores.StoreForm(name=name))

        self.runner.write(work, self._on_store_added, self._on_failed)

    def _on_store_added(self, store_id: uuid.UUID) -> None:
        self.store_id = store_id
        self._load_stores()
        self.roster.set_store(store_id)
        self.profile.set_store(store_id)
        self.tabs.setCurrentIndex(TAB_PROFILE)
        self._published()

    # --- checklist -------------------------------------------------------------------------

    def _on_checklist(self, step: str) -> None:
        if step == "staff":
            self.tabs.setCurrentIndex(TAB_STAFF)
            self.add_staff()
        elif step == "roster":
            self.tabs.setCurrentIndex(TAB_ROSTER)
        elif step == "profile":
            self.tabs.setCurrentIndex(TAB_PROFILE)
        elif step == "test_page":
            self.tabs.setCurrentIndex(TAB_PROFILE)
            self.profile.print_test_page()
        elif step == "settings":
            self.settingsRequested.emit()
        elif step in ("database", "dismissed"):
            self._record_step(step)

    def _record_step(self, step: str) -> None:
        user, store_id = self.user, self.store_id

        def work(session: Session) -> None:
            stores.record_setup_step(session, user, store_id, step)

        self.runner.write(work, lambda _r: self._published(), self._on_failed)

    # --- messages --------------------------------------------------------------------------

    def _published(self, *_args: object) -> None:
        self.context.bus.publish({"staff", "stores", "audit"})
        if not self.isVisible():
            self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self._say(report_failure(exc), "ErrorText")
        self._on_selection_changed()

    def _say(self, text: str, kind: str) -> None:
        self.message_label.setObjectName(kind)
        repolish(self.message_label)  # the style sheet selects on the object name
        self.message_label.setText(text)
        self.message_label.show()
