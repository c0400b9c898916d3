"""岗位权限 for cars: the manager lets roles besides the defaults set prices or edit facts.

Defaults (shown ticked and fixed): prices and costs by the manager; facts, photos and
history by the manager and appraisers. What the store adds is saved with
``showroom.services.vehicles.set_store_grants`` (audited) and checked by every service.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import Role
from showroom.services import vehicles
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.labels import role_label

PERMISSION_LABELS = {
    vehicles.PRICES: QT_TRANSLATE_NOOP(
        "VehiclePermissionsDialog", "售价、收车成本、价格构成、CSV 导入"
    ),
    vehicles.FACTS: QT_TRANSLATE_NOOP(
        "VehiclePermissionsDialog", "收车入库、车辆资料、照片、保养与事故记录、检测报告、上下架"
    ),
}


class VehiclePermissionsDialog(QDialog):
    """Tick which roles may do what. Signals: ``saved()`` after both rows are stored."""

    saved = Signal()

    def __init__(self, runner: TaskRunner, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("车辆资料岗位权限"))
        self.runner, self.user = runner, user
        self.setMinimumWidth(640)
        intro = QLabel(
            self.tr("勾选除默认岗位外还可以做这些事的岗位。店长始终可以；修改记入审计日志。"),
            self,
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.boxes: dict[tuple[str, Role], QCheckBox] = {}
        for column, role in enumerate(Role, 1):
            grid.addWidget(QLabel(role_label(role), self), 0, column)
        for row, permission in enumerate(vehicles.PERMISSIONS, 1):
            label = QLabel(
                QCoreApplication.translate(
                    "VehiclePermissionsDialog", PERMISSION_LABELS[permission]
                ),
                self,
            )
            label.setWordWrap(True)
            label.setMinimumWidth(260)
            grid.addWidget(label, row, 0)
            for column, role in enumerate(Role, 1):
                box = QCheckBox(self)
                if role in vehicles.DEFAULT_ROLES[permission]:
                    box.setChecked(True)
                    box.setEnabled(False)
                    box.setToolTip(self.tr("默认即可"))
                self.boxes[(permission, role)] = box
                grid.addWidget(box, row, column)
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        cancel = QPushButton(self.tr("取消"), self)
        cancel.clicked.connect(self.reject)
        self.ok = QPushButton(self.tr("保存"), self)
        self.ok.setProperty("role", "primary")
        self.ok.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        store = user.store_id
        runner.read(lambda s: vehicles.store_grants(s, store), self._loaded, self._failed)

    def _loaded(self, grants: vehicles.Grants) -> None:
        for (permission, role), box in self.boxes.items():
            if box.isEnabled():
                box.setChecked(role in grants.of(permission))

    def chosen(self, permission: str) -> frozenset[Role]:
        return frozenset(
            role
            for (p, role), box in self.boxes.items()
            if p == permission and box.isChecked() and box.isEnabled()
        )

    def submit(self) -> None:
        actor, store = self.user.actor, self.user.store_id
        wanted = {p: self.chosen(p) for p in vehicles.PERMISSIONS}

        def work(session: object) -> None:
            for permission, roles in wanted.items():
                vehicles.set_store_grants(session, actor, store, permission, roles)  # type: ignore[arg-type]

        self.ok.setEnabled(False)
        self.runner.write(work, self._done, self._failed)

    def _done(self, _result: object) -> None:
        self.saved.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(report_failure(exc))
