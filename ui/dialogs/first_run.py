"""首次使用: what an empty database offers on its first start.

Two ways in: load demo data (cars, customers, visits and demo accounts, to try
the app out) or create the real store and its manager account. Demo data is
generated in the background with a progress bar; afterwards the demo accounts
are listed so the user can sign in with one of them. A real store's manager is
signed in at once and lands on the staff screen, whose checklist says what is
left (staff, roster, store profile, a test page, the database).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.enums import Role
from showroom.context import AppContext
from showroom.services import auth, stores
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.icons import icon, pixmap
from ui.widgets.labels import roles_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("showroom.ui")

DEMO_CARS = 300
ALL_TOPICS = frozenset(
    {
        "vehicles",
        "customers",
        "visits",
        "test_drives",
        "deposits",
        "contracts",
        "events",
        "registrations",
        "inspections",
        "follow_ups",
        "staff",
        "audit",
    }
)
_PROGRESS_EVERY_S = 0.05


class _DemoProgress(QObject):
    """Carries progress reports from the generating worker to the UI thread.

    Signals: ``progressed(str, int, int)``: stage, done, total.
    """

    progressed = Signal(str, int, int)


def _demo_generate(context: AppContext, progress: Callable[[str, int, int], None]) -> Any:
    # Imported here: the demo module is large and only needed on this one occasion.
    from showroom import demo

    return demo.generate(
        context.database,
        cars=DEMO_CARS,
        store_code=context.settings["store_code"],
        store_name=context.settings["store_name"],
        progress=progress,
    )


class FirstRunDialog(QDialog):
    """Choose demo data or the first store; then do it.

    Signals: ``finished_setup(str)`` with the username to put on the sign-in page (demo);
    ``managerCreated(object)`` with the ``StaffUser`` of the store's first manager.
    """

    finished_setup = Signal(str)
    managerCreated = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self, context: AppContext, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self._busy = False
        self._suggested_username = ""
        self.setWindowTitle(self.tr("首次使用"))
        self.setModal(True)
        self.setMinimumWidth(640)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        head = QHBoxLayout()
        head.setSpacing(14)
        logo = QLabel(self)
        logo.setPixmap(pixmap("showroom", size=48))
        head.addWidget(logo)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        title = QLabel(self.tr("欢迎使用二手车展厅管理系统"), self)
        title.setObjectName("PageTitle")
        titles.addWidget(title)
        self.subtitle = QLabel(self.tr("这台电脑上的数据库还是空的，还没有门店和员工账号。"), self)
        self.subtitle.setObjectName("PageSubtitle")
        self.subtitle.setWordWrap(True)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        layout.addLayout(head)

        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages, 1)
        self.choice_page = self._build_choice()
        self.store_page = self._build_store_form()
        self.progress_page = self._build_progress()
        self.accounts_page = self._build_accounts()
        for page in (self.choice_page, self.store_page, self.progress_page, self.accounts_page):
            self.pages.addWidget(page)

    # --- choice ------------------------------------------------------------------------

    def _build_choice(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(12)
        box.addWidget(self._label(self.tr("请选择如何开始："), "SectionTitle", page))
        self.demo_button = QPushButton(icon("car", "#ffffff", 22), self.tr("载入演示数据"), page)
        self.demo_button.setProperty("role", "primary")
        self.demo_button.setMinimumHeight(48)
        self.demo_button.clicked.connect(self.start_demo)
        box.addWidget(self.demo_button)
        box.addWidget(
            self._label(
                self.tr(
                    "生成约 {cars} 辆在库车辆、客户、到店和试驾记录以及各岗位的演示账号，"
                    "适合先熟悉系统。以后可以重新建库再正式使用。"
                ).format(cars=DEMO_CARS),
                "HintText",
                page,
            )
        )
        box.addSpacing(6)
        self.setup_button = QPushButton(icon("staff", size=22), self.tr("创建门店和店长账号"), page)
        self.setup_button.setMinimumHeight(48)
        self.setup_button.clicked.connect(self.show_store_form)
        box.addWidget(self.setup_button)
        box.addWidget(
            self._label(
                self.tr(
                    "正式使用：填写门店编号、名称和店长账号。创建后直接进入“员工”页面，"
                    "按清单添加员工、排班、核对门店资料并打印测试页。"
                ),
                "HintText",
                page,
            )
        )
        box.addStretch(1)
        self.choice_error = self._label("", "ErrorText", page)
        self.choice_error.hide()
        box.addWidget(self.choice_error)
        row = QHBoxLayout()
        row.addStretch(1)
        later = QPushButton(self.tr("以后再说"), page)
        later.clicked.connect(self.reject)
        row.addWidget(later)
        box.addLayout(row)
        return page

    # --- store form --------------------------------------------------------------------

    def _build_store_form(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        box.addWidget(self._label(self.tr("创建门店和店长账号"), "SectionTitle", page))
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        settings = self.context.settings
        self.store_code = QLineEdit(settings["store_code"], page)
        self.store_code.setMaxLength(8)
        self.store_code.setPlaceholderText(self.tr("2 到 8 位字母或数字，如 BJ01"))
        self.store_name = QLineEdit(settings["store_name"], page)
        self.store_name.setMaxLength(100)
        self.manager_name = QLineEdit(page)
        self.manager_name.setPlaceholderText(self.tr("如：王建国"))
        self.manager_username = QLineEdit(page)
        self.manager_username.setPlaceholderText(self.tr("登录时使用，如 wangjg"))
        self.manager_password = QLineEdit(page)
        self.manager_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.manager_password.setPlaceholderText(
            self.tr("至少 10 位，不能包含用户名，不能用常见密码")
        )
        self.manager_password2 = QLineEdit(page)
        self.manager_password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.manager_pin = QLineEdit(page)
        self.manager_pin.setMaxLength(8)
        self.manager_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.manager_pin.setPlaceholderText(self.tr("可不填；4 到 8 位数字，用于自助机"))
        for caption, field in (
            (self.tr("门店编号"), self.store_code),
            (self.tr("门店名称"), self.store_name),
            (self.tr("店长姓名"), self.manager_name),
            (self.tr("店长用户名"), self.manager_username),
            (self.tr("密码"), self.manager_password),
            (self.tr("再输一次密码"), self.manager_password2),
            (self.tr("员工 PIN"), self.manager_pin),
        ):
            form.addRow(self._label(caption, "FieldLabel", page), field)
            field.returnPressed.connect(self.create_store)
        box.addLayout(form)
        self.store_error = self._label("", "ErrorText", page)
        self.store_error.hide()
        box.addWidget(self.store_error)
        box.addStretch(1)
        row = QHBoxLayout()
        back = QPushButton(self.tr("返回"), page)
        back.clicked.connect(self.show_choice)
        row.addWidget(back)
        row.addStretch(1)
        self.create_button = QPushButton(self.tr("创建"), page)
        self.create_button.setProperty("role", "primary")
        self.create_button.clicked.connect(self.create_store)
        row.addWidget(self.create_button)
        box.addLayout(row)
        return page

    def show_choice(self) -> None:
        self.pages.setCurrentWidget(self.choice_page)

    def show_store_form(self) -> None:
        self.pages.setCurrentWidget(self.store_page)
        self.manager_name.setFocus()

    def create_store(self) -> None:
        if self._busy:
            return
        if self.manager_password.text() != self.manager_password2.text():
            self._store_error(self.tr("两次输入的密码不一致。"))
            self.manager_password2.setFocus()
            self.manager_password2.selectAll()
            return
        values = {
            "store_code": self.store_code.text(),
            "store_name": self.store_name.text(),
            "manager_username": self.manager_username.text(),
            "manager_name": self.manager_name.text(),
            "manager_password": self.manager_password.text(),
            "manager_pin": self.manager_pin.text().strip() or None,
        }

        def work(session: Session) -> StaffUser:
            staff_id = stores.set_up_first_store(session, **values)
            return auth.user_of(session, staff_id)

        self._set_busy(True)
        self.store_error.hide()
        self.runner.write(work, self._on_store_created, self._on_store_failed)

    def _on_store_created(self, user: StaffUser) -> None:
        self._set_busy(False)
        self.context.bus.publish({"staff", "stores", "audit"})
        self.created_user = user
        self.managerCreated.emit(user)
        self.accept()

    def _on_store_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._store_error(report_failure(exc))

    def _store_error(self, text: str) -> None:
        self.store_error.setText(text)
        self.store_error.show()

    # --- demo --------------------------------------------------------------------------

    def _build_progress(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 24, 0, 0)
        box.setSpacing(12)
        box.addWidget(self._label(self.tr("正在生成演示数据…"), "SectionTitle", page))
        self.progress_stage = self._label(self.tr("准备中"), "HintText", page)
        box.addWidget(self.progress_stage)
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setRange(0, 0)
        box.addWidget(self.progress_bar)
        box.addWidget(self._label(self.tr("大约需要一分钟，请不要关闭程序。"), "HintText", page))
        box.addStretch(1)
        return page

    def start_demo(self) -> None:
        if self._busy:
            return
        self._set_busy(True)
        self.choice_error.hide()
        self.pages.setCurrentWidget(self.progress_page)
        relay = _DemoProgress()  # no parent: the worker holds it until it is done
        relay.progressed.connect(self._on_progress)
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] >= _PROGRESS_EVERY_S:
                last[0] = now
                relay.progressed.emit(str(stage), int(done), int(total))

        context = self.context
        self._relay = relay
        self.runner.call(
            lambda: _demo_generate(context, progress), self._on_demo_done, self._on_demo_failed
        )

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self.progress_stage.setText(f"{stage}  {done:,} / {total:,}")
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def _on_demo_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ImportError):
            log.error("demo data module missing: %s", exc)
            message = self.tr("这个版本没有附带演示数据，请创建门店和店长账号。")
        else:
            message = report_failure(exc)
        self.choice_error.setText(message)
        self.choice_error.show()
        self.pages.setCurrentWidget(self.choice_page)

    def _build_accounts(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        self.accounts_title = self._label(self.tr("演示数据已生成"), "SectionTitle", page)
        box.addWidget(self.accounts_title)
        box.addWidget(
            self._label(
                self.tr(
                    "可以用下面的演示账号登录，体验各岗位看到的界面。演示账号仅供演示，"
                    "正式使用前请重新建库或修改密码。"
                ),
                "HintText",
                page,
            )
        )
        self.accounts_table = QTableWidget(0, 5, page)
        self.accounts_table.setHorizontalHeaderLabels(
            [self.tr("岗位"), self.tr("姓名"), self.tr("用户名"), self.tr("密码"), self.tr("PIN")]
        )
        self.accounts_table.verticalHeader().setVisible(False)
        self.accounts_table.verticalHeader().setDefaultSectionSize(34)
        self.accounts_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.accounts_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.accounts_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.accounts_table.setMinimumHeight(200)
        box.addWidget(self.accounts_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_button = QPushButton(self.tr("开始使用"), page)
        self.start_button.setProperty("role", "primary")
        self.start_button.clicked.connect(self._finish_demo)
        row.addWidget(self.start_button)
        box.addLayout(row)
        return page

    def _on_demo_done(self, summary: Any) -> None:
        self._set_busy(False)
        self._relay = None
        self.context.bus.publish(ALL_TOPICS)
        credentials = list(getattr(summary, "staff", []) or [])
        # A demo account is a shared, printed secret: fine for trying the app, never kept.
        self.accounts_table.setRowCount(len(credentials))
        for n, cred in enumerate(credentials):
            cells = (
                roles_label(getattr(cred, "roles", ()) or (cred.role,)),
                cred.display_name,
                cred.username,
                cred.password,
                cred.pin or "—",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.accounts_table.setItem(n, column, item)
        managers = [c for c in credentials if c.role is Role.MANAGER]
        self._suggested_username = (managers or credentials)[0].username if credentials else ""
        self.accounts_title.setText(
            self.tr("演示数据已生成：{cars} 辆车、{customers} 位客户").format(
                cars=getattr(summary, "cars", DEMO_CARS), customers=getattr(summary, "customers", 0)
            )
        )
        self.pages.setCurrentWidget(self.accounts_page)
        self.start_button.setFocus()

    def show_accounts(self, summary: Any) -> None:
        """Show the accounts page for ``summary`` (also used by screenshots and tests)."""
        self._on_demo_done(summary)

    def _finish_demo(self) -> None:
        self.finished_setup.emit(self._suggested_username)
        self.accept()

    # --- helpers -----------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.demo_button, self.setup_button, self.create_button):
            button.setEnabled(not busy)

    @staticmethod
    def _label(text: str, object_name: str, parent: QWidget) -> QLabel:
        widget = QLabel(text, parent)
        widget.setObjectName(object_name)
        widget.setWordWrap(True)
        return widget

    def reject(self) -> None:
        if self._busy:
            return  # generating or saving: closing now would hide the outcome
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self._busy and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)
