"""Staff-facing words for where a car's QR code leads (``showroom.vehicle_links.CarLink``).

The car sheet dialog and the vehicle archive show the same sentence: the address, or a
warning that it opens only on the store's Wi-Fi, or that it opens nothing and how to fix it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from showroom.vehicle_links import PUBLIC, STORE_NETWORK


def car_link_text(kind: str, url: str) -> str:
    if kind == PUBLIC:
        return QCoreApplication.translate("CarLink", "二维码网址：{url}").format(url=url)
    if kind == STORE_NETWORK:
        return QCoreApplication.translate(
            "CarLink",
            "未设置车辆公开网址：二维码指向门店网络内的车辆网页（{url}），"
            "只有连上门店 Wi-Fi 的手机能打开。",
        ).format(url=url)
    return QCoreApplication.translate(
        "CarLink",
        "未设置车辆公开网址，门店网页（showroom web）也没有运行：二维码打不开。"
        "请在“设置 → 车辆公开网址”填写网址，或在门店电脑上运行 showroom web。",
    )


def set_warning(label: QLabel, warning: bool) -> None:
    """Shows ``label`` as a warning (amber) or a plain hint."""
    label.setObjectName("WarningText" if warning else "HintText")
    label.style().unpolish(label)
    label.style().polish(label)
