"""The staff screens, one module each, and the table the navigation is built from.

``showroom.roles`` decides which screen keys a role reaches; this table says
how each key looks in the navigation and which class shows it. Screen modules
are imported when first opened, so signing in does not wait for all of them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication


@dataclass(frozen=True)
class ScreenInfo:
    key: str
    title: str  # Chinese source; translate with ``ScreenInfo.label``
    icon: str
    module: str
    class_name: str

    @property
    def label(self) -> str:
        return QCoreApplication.translate("Screens", self.title)

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), self.class_name)


SCREENS: dict[str, ScreenInfo] = {
    info.key: info
    for info in (
        ScreenInfo(
            "reception",
            QT_TRANSLATE_NOOP("Screens", "前台接待"),
            "user",
            "ui.screens.reception",
            "CheckInScreen",
        ),
        ScreenInfo(
            "board",
            QT_TRANSLATE_NOOP("Screens", "今日到店"),
            "calendar",
            "ui.screens.board",
            "BoardScreen",
        ),
        ScreenInfo(
            "home",
            QT_TRANSLATE_NOOP("Screens", "今日概览"),
            "home",
            "ui.screens.home",
            "HomeScreen",
        ),
        ScreenInfo(
            "customers",
            QT_TRANSLATE_NOOP("Screens", "客户"),
            "customers",
            "ui.screens.customers",
            "CustomersScreen",
        ),
        ScreenInfo(
            "leads",
            QT_TRANSLATE_NOOP("Screens", "线索"),
            "inbox",
            "ui.screens.leads",
            "LeadsScreen",
        ),
        ScreenInfo(
            "inventory",
            QT_TRANSLATE_NOOP("Screens", "车辆库存"),
            "car",
            "ui.screens.inventory",
            "InventoryScreen",
        ),
        ScreenInfo(
            "staff",
            QT_TRANSLATE_NOOP("Screens", "员工"),
            "staff",
            "ui.screens.staff",
            "StaffScreen",
        ),
        ScreenInfo(
            "audit",
            QT_TRANSLATE_NOOP("Screens", "审计日志"),
            "audit",
            "ui.screens.audit",
            "AuditScreen",
        ),
        ScreenInfo(
            "dashboard",
            QT_TRANSLATE_NOOP("Screens", "经营看板"),
            "chart",
            "ui.screens.dashboard",
            "DashboardScreen",
        ),
        ScreenInfo(
            "test_drives",
            QT_TRANSLATE_NOOP("Screens", "试驾"),
            "steering",
            "ui.screens.test_drives",
            "TestDrivesScreen",
        ),
        ScreenInfo(
            "deals",
            QT_TRANSLATE_NOOP("Screens", "定金与合同"),
            "money",
            "ui.screens.deals",
            "DealsScreen",
        ),
        ScreenInfo(
            "follow_ups",
            QT_TRANSLATE_NOOP("Screens", "回访"),
            "phone",
            "ui.screens.follow_ups",
            "FollowUpsScreen",
        ),
        ScreenInfo(
            "complaints",
            QT_TRANSLATE_NOOP("Screens", "投诉"),
            "warning",
            "ui.screens.complaints",
            "ComplaintsScreen",
        ),
        ScreenInfo(
            "warranty",
            QT_TRANSLATE_NOOP("Screens", "保修索赔"),
            "clipboard",
            "ui.screens.warranty",
            "WarrantyScreen",
        ),
        ScreenInfo(
            "inspection_day",
            QT_TRANSLATE_NOOP("Screens", "检测日"),
            "clipboard",
            "ui.screens.inspection_day",
            "InspectionDayScreen",
        ),
    )
}
