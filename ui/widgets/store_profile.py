"""门店资料 on the staff screen: what every paper of the store prints.

The form shows each field with its limit; saving checks all fields in the
service and names the wrong one (nothing is cut or half-saved). A picture
chosen as logo is scaled and turned into PNG off the UI thread. "打印测试页"
paints the letterhead and the profile on one page for the print preview, and
ticks that step of the set-up checklist.

Signals: ``changed()`` after a save, a logo change or a printed test page.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QBuffer, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.documents.letterhead import format_account
from showroom.services import stores
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.style import repolish
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from showroom.documents.model import Document

LOGO_PIXELS = 400  # the letterhead prints it 13 mm wide: 400 px is ample at 600 dpi
_FIELDS = (
    (
        "name",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "门店名称"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "印在每份文件抬头，最多 40 字"),
    ),
    (
        "address",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "门店地址"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "最多 100 字，如 北京市朝阳区望京街 10 号"),
    ),
    (
        "phone",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "联系电话"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "如 010-8555 1234 或 400-820-1234"),
    ),
    (
        "credit_code",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "统一社会信用代码"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "营业执照上的 18 位代码，合同和收据会印出"),
    ),
    (
        "bank_name",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "开户银行"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "合同上的收款账户，如 中国建设银行北京望京支行"),
    ),
    (
        "bank_account",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "银行账号"),
        QT_TRANSLATE_NOOP("StoreProfilePanel", "8 到 30 位数字，可带空格"),
    ),
    (
        "letterhead",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "抬头附加文字"),
        QT_TRANSLATE_NOOP(
            "StoreProfilePanel", "可不填，印在电话之后，最多 40 字，如 诚信经营 · 明码标价"
        ),
    ),
    (
        "public_url",
        QT_TRANSLATE_NOOP("StoreProfilePanel", "车辆公开网址"),
        QT_TRANSLATE_NOOP(
            "StoreProfilePanel", "顾客扫码打开的车辆网页，如 https://che.example.cn/bj01"
        ),
    ),
)
LABELS = {key: label for key, label, _hint in _FIELDS}


def image_to_png(data: bytes) -> bytes:
    """Any picture Qt reads, scaled to fit ``LOGO_PIXELS`` and saved as PNG (worker-safe)."""
    from showroom.errors import ValidationError

    image = QImage.fromData(data)
    if image.isNull():
        raise ValidationError("store.logo_unreadable", "无法读取这张图片，请选择 PNG 或 JPG 文件。")
    if max(image.width(), image.height()) > LOGO_PIXELS:
        image = image.scaled(
            LOGO_PIXELS,
            LOGO_PIXELS,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


class StoreProfilePanel(QWidget):
    """The store profile tab. Signals: ``changed()``."""

    changed = Signal()

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.user = user
        self.store_id = user.store_id
        self.profile: stores.StoreProfile | None = None
        self.last_test_page: Document | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        body = QWidget(scroll)
        scroll.setWidget(body)
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)

        card = QFrame(body)
        card.setObjectName("FormCard")
        card_box = QVBoxLayout(card)
        card_box.setContentsMargins(24, 12, 24, 12)
        card_box.setSpacing(8)
        self.code_label = QLabel("", card)
        self.code_label.setObjectName("SectionTitle")
        card_box.addWidget(self.code_label)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.fields: dict[str, QLineEdit] = {}
        for key, label, hint in _FIELDS:
            edit = QLineEdit(card)
            edit.setPlaceholderText(self.tr(hint))
            edit.setMinimumWidth(420)
            edit.returnPressed.connect(self.save)
            self.fields[key] = edit
            form.addRow(self.tr(label), edit)
        card_box.addLayout(form)
        row.addWidget(card, 3)

        logo_card = QFrame(body)
        logo_card.setObjectName("FormCard")
        logo_box = QVBoxLayout(logo_card)
        logo_box.setContentsMargins(20, 18, 20, 18)
        logo_box.setSpacing(10)
        title = QLabel(self.tr("门店标志"), logo_card)
        title.setObjectName("SectionTitle")
        logo_box.addWidget(title)
        self.logo_preview = QLabel(logo_card)
        self.logo_preview.setFixedSize(160, 160)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setStyleSheet(
            "background:#f7f9fb; border:1px dashed #c5cfdb; border-radius:8px; color:#5f6b7a;"
        )
        logo_box.addWidget(self.logo_preview, 0, Qt.AlignmentFlag.AlignHCenter)
        note = QLabel(
            self.tr("印在每页左上角。未设置时使用系统默认标志。支持 PNG、JPG，自动缩放。"),
            logo_card,
        )
        note.setWordWrap(True)
        note.setObjectName("HintText")
        logo_box.addWidget(note)
        self.logo_button = QPushButton(self.tr("选择图片…"), logo_card)
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(self.tr("移除标志"), logo_card)
        self.remove_logo_button.clicked.connect(lambda: self.set_logo(None))
        logo_box.addWidget(self.logo_button)
        logo_box.addWidget(self.remove_logo_button)
        logo_box.addStretch(1)
        row.addWidget(logo_card, 1, Qt.AlignmentFlag.AlignTop)

        # Outside the scrolling form: the result and the buttons are always in sight.
        self.missing_label = QLabel("", self)
        self.missing_label.setWordWrap(True)
        outer.addWidget(self.missing_label)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.hide()
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        self.test_page_button = QPushButton(self.tr("打印测试页…"), self)
        self.test_page_button.clicked.connect(self.print_test_page)
        buttons.addWidget(self.test_page_button)
        buttons.addStretch(1)
        self.save_button = QPushButton(self.tr("保存门店资料"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        editable = user.is_manager
        for widget in (*self.fields.values(),):
            widget.setReadOnly(not editable)
        for button in (self.save_button, self.logo_button, self.remove_logo_button):
            button.setVisible(editable)

    # --- loading ---------------------------------------------------------------------------

    def set_store(self, store_id: uuid.UUID) -> None:
        self.store_id = store_id
        self.refresh()

    def refresh(self) -> None:
        store_id = self.store_id

        def work(session: Session) -> stores.StoreProfile:
            return stores.get_profile(session, store_id)

        self.runner.read(work, self._loaded, self._failed)

    def _loaded(self, profile: stores.StoreProfile) -> None:
        self.profile = profile
        self.code_label.setText(
            self.tr("门店编号 {code}（合同号、收据号的前缀，不能修改）").format(code=profile.code)
        )
        for key, edit in self.fields.items():
            edit.setText(str(getattr(profile, key) or ""))
        # Read back in groups of four, as the contract prints it (spaces are dropped on save).
        self.fields["bank_account"].setText(format_account(profile.bank_account))
        self._show_missing(profile)
        if profile.logo_png:
            pixmap = QPixmap()
            pixmap.loadFromData(profile.logo_png)
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    150,
                    150,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("未设置\n（打印默认标志）"))
        self.remove_logo_button.setEnabled(profile.has_logo)

    def _show_missing(self, profile: stores.StoreProfile) -> None:
        missing = profile.missing()
        if missing:
            names = self.tr("、").join(self.tr(LABELS[k]) for k in missing)
            self.missing_label.setText(
                self.tr("打印合同和收据前还需填写：{names}。").format(names=names)
            )
            self.missing_label.setStyleSheet("color:#b26a00;")
        else:
            self.missing_label.setText(self.tr("资料齐全，合同、收据和协议都能打印。"))
            self.missing_label.setStyleSheet("color:#2e7d32;")

    # --- saving ----------------------------------------------------------------------------

    def form(self) -> stores.StoreForm:
        return stores.StoreForm(**{key: edit.text() for key, edit in self.fields.items()})

    def save(self) -> None:
        if self.profile is None or not self.user.is_manager:
            return
        user, store_id, form = self.user, self.store_id, self.form()
        version = self.profile.row_version

        def work(session: Session) -> stores.StoreProfile:
            return stores.update_profile(session, user, store_id, form, loaded_version=version)

        self.save_button.setEnabled(False)
        self.runner.write(work, self._saved, self._failed)

    def _saved(self, profile: stores.StoreProfile) -> None:
        self.save_button.setEnabled(True)
        self._loaded(profile)
        self._say(self.tr("门店资料已保存。"), "SuccessText")
        self.changed.emit()

    def choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择门店标志"), "", self.tr("图片 (*.png *.jpg *.jpeg *.bmp)")
        )
        if path:
            self.load_logo_file(Path(path))

    def load_logo_file(self, path: Path) -> None:
        """Read, scale and convert ``path`` in a worker, then store it."""
        self.runner.call(lambda: image_to_png(path.read_bytes()), self.set_logo, self._failed)

    def set_logo(self, png: bytes | None) -> None:
        user, store_id = self.user, self.store_id

        def work(session: Session) -> stores.StoreProfile:
            stores.set_logo(session, user, store_id, png)
            return stores.get_profile(session, store_id)

        self.runner.write(work, self._logo_saved, self._failed)

    def _logo_saved(self, profile: stores.StoreProfile) -> None:
        self._loaded(profile)
        self._say(
            self.tr("门店标志已更新。") if profile.has_logo else self.tr("已移除门店标志。"),
            "SuccessText",
        )
        self.changed.emit()

    # --- test page -------------------------------------------------------------------------

    def print_test_page(self) -> None:
        """Build the test page, open the print preview, then tick the checklist step."""
        self.prepare_test_page(self._preview_test_page)

    def prepare_test_page(self, then: Any) -> None:
        from showroom.documents.print_test import print_test_page
        from ui.dialogs.service import STORE_ZONE, templates_dir

        store_id, folder, settings = (
            self.store_id,
            templates_dir(self.context),
            self.context.settings,
        )

        def work(session: Session) -> Document:
            return print_test_page(
                session, store_id, templates_dir=folder, zone=STORE_ZONE, settings=settings
            )

        self.runner.read(work, then, self._failed)

    def _preview_test_page(self, document: Document) -> None:
        from ui.documents.printing import preview

        self.last_test_page = document
        preview(document, self)
        self.test_page_printed()

    def test_page_printed(self) -> None:
        user, store_id = self.user, self.store_id

        def work(session: Session) -> None:
            stores.record_setup_step(session, user, store_id, "test_page")

        if user.is_manager:
            self.runner.write(work, lambda _r: self.changed.emit(), self._failed)

    # --- messages --------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._say(report_failure(exc), "ErrorText")

    def _say(self, text: str, kind: str) -> None:
        self.message.setObjectName(kind)
        repolish(self.message)
        self.message.setText(text)
        self.message.show()
