"""The settings dialog, generated from ``showroom.settings.SETTINGS``.

Every declared setting gets an editor chosen by its type (whole numbers a spin
box with the declared range, choices a drop-down, text a line edit), grouped in
tabs by ``group``. Nothing is saved unless every value passes
``settings.coerce``; a bad value is explained next to its field and everything
typed stays. Values set on the command line or in the environment win over
the file, so they are shown read-only with a note rather than silently ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from showroom.context import ConnectionCheck, check_connection, describe_url
from showroom.settings import SETTINGS, Setting, Settings, SettingsError, coerce
from ui.errors import error_text, is_expected, report_failure
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.icons import icon

log = logging.getLogger("showroom.ui")

# Tab order and names; a group not listed here still gets a tab, named by its key.
GROUPS: tuple[tuple[str, str], ...] = (
    ("store", QT_TRANSLATE_NOOP("SettingsDialog", "门店")),
    ("database", QT_TRANSLATE_NOOP("SettingsDialog", "数据库")),
    ("security", QT_TRANSLATE_NOOP("SettingsDialog", "账号安全")),
    ("reception", QT_TRANSLATE_NOOP("SettingsDialog", "接待")),
    ("sales", QT_TRANSLATE_NOOP("SettingsDialog", "销售")),
    ("kiosk", QT_TRANSLATE_NOOP("SettingsDialog", "自助机")),
    ("privacy", QT_TRANSLATE_NOOP("SettingsDialog", "个人信息")),
    ("general", QT_TRANSLATE_NOOP("SettingsDialog", "界面")),
)
# The descriptions declared in showroom/settings.py, repeated here only so that lupdate
# collects them for translation; a test checks that the two lists agree.
DESCRIPTIONS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("Settings", "发动机与变速箱保修天数（自交车之日起）"),
    QT_TRANSLATE_NOOP("Settings", "发动机与变速箱保修里程（公里，以先到者为准）"),
    QT_TRANSLATE_NOOP("Settings", "七日退车期限（天，自交车之日起）"),
    QT_TRANSLATE_NOOP("Settings", "退车期内允许行驶的里程（公里）"),
    QT_TRANSLATE_NOOP("Settings", "投诉响应时限（小时）：超过即在店长首页显示超时"),
    QT_TRANSLATE_NOOP("Settings", "数据库地址（留空使用本机内置数据库）"),
    QT_TRANSLATE_NOOP("Settings", "门店编号（合同号、收据号的前缀）"),
    QT_TRANSLATE_NOOP(
        "Settings", "本机显示的门店名称（连上数据库前的登录页、自助机标题；打印的文件用门店资料）"
    ),
    QT_TRANSLATE_NOOP("Settings", "界面语言"),
    QT_TRANSLATE_NOOP("Settings", "连续输错密码几次后锁定账号"),
    QT_TRANSLATE_NOOP("Settings", "账号锁定时长（分钟）"),
    QT_TRANSLATE_NOOP("Settings", "自助机无操作多少秒后回到首页"),
    QT_TRANSLATE_NOOP("Settings", "客户保护期（天）"),
    QT_TRANSLATE_NOOP("Settings", "线索响应时限（小时）：收到线索后多久内必须联系，超过即显示超时"),
    QT_TRANSLATE_NOOP("Settings", "客户等待超过多少分钟时提醒"),
    QT_TRANSLATE_NOOP("Settings", "默认意向金金额（元）"),
    QT_TRANSLATE_NOOP("Settings", "意向金保留车辆的天数（到期前一天提醒销售顾问）"),
    QT_TRANSLATE_NOOP("Settings", "试驾时段长度（分钟）"),
    QT_TRANSLATE_NOOP("Settings", "营业开始时间（时:分，试驾预约用）"),
    QT_TRANSLATE_NOOP("Settings", "营业结束时间（时:分，试驾预约用）"),
    QT_TRANSLATE_NOOP("Settings", "从未成交客户的资料保留年数（期满清除到店记录并匿名化）"),
    QT_TRANSLATE_NOOP(
        "Settings",
        "车辆公开网址模板（门店资料未填写“车辆公开网址”时使用；{stock_no} 替换为库存编号）",
    ),
    QT_TRANSLATE_NOOP(
        "Settings", "门店网页地址（showroom web 在门店网络中的地址，如 http://192.168.1.20:8080）"
    ),
    QT_TRANSLATE_NOOP("Settings", "已售车辆的网页显示“已售”的天数（之后网页不再显示）"),
    QT_TRANSLATE_NOOP("Settings", "车辆网页上显示车架号的方式"),
)
CHOICE_LABELS = {
    "zh_CN": "简体中文",
    "en": "English",
    "hidden": QT_TRANSLATE_NOOP("SettingsDialog", "不显示"),
    "partial": QT_TRANSLATE_NOOP("SettingsDialog", "只显示前 8 位"),
    "full": QT_TRANSLATE_NOOP("SettingsDialog", "全部显示"),
}
# Settings read once at start: a change applies after reconnecting or restarting.
APPLY_ON_RESTART = frozenset({"database_url", "language"})
INT_LIMIT = 2_000_000_000


def _translate(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def _probe_database(url: str) -> ConnectionCheck:
    """Connect to ``url``, compare the schema version, close again (in a worker)."""
    return check_connection(url)


class SettingSpinBox(QSpinBox):
    """A spin box whose arrows stay within the declared range, but whose typing is kept.

    A plain ``QSpinBox`` with the declared range silently turns a typed 2 into the
    nearest allowed value when the field loses focus; the manager would not notice. Here
    what was typed stays, and saving explains why it is refused. Emits QSpinBox's signals.
    """

    def __init__(
        self, minimum: int | None, maximum: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.declared_minimum = minimum
        self.declared_maximum = maximum
        self.setRange(-INT_LIMIT, INT_LIMIT)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        value = self.value() + steps
        if self.declared_minimum is not None:
            value = max(self.declared_minimum, value)
        if self.declared_maximum is not None:
            value = min(self.declared_maximum, value)
        self.setValue(value)
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.declared_maximum is None or self.value() < self.declared_maximum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self.declared_minimum is None or self.value() > self.declared_minimum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags


class SettingsDialog(QDialog):
    """Edit and save the settings.

    Signals: ``saved(object)`` with the ``frozenset`` of keys whose value changed.
    """

    saved = Signal(object)

    def __init__(
        self, settings: Settings, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._tab_of: dict[str, int] = {}
        self.setWindowTitle(self.tr("设置"))
        self.setMinimumSize(780, 540)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self._build_tabs()

        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("ErrorText")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        layout.addWidget(self.problem_label)

        buttons = QHBoxLayout()
        location = QLabel(
            self.tr("设置文件：{path}").format(path=settings.path or self.tr("（不保存到文件）")),
            self,
        )
        location.setObjectName("HintText")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(location, 1)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    # --- building ----------------------------------------------------------------------

    def _build_tabs(self) -> None:
        names = dict(GROUPS)
        order = [g for g, _ in GROUPS] + sorted(
            {s.group for s in SETTINGS} - {g for g, _ in GROUPS}
        )
        for group in order:
            members = [s for s in SETTINGS if s.group == group]
            if not members:
                continue
            page = QWidget()
            form = QFormLayout(page)
            form.setContentsMargins(20, 20, 20, 20)
            form.setHorizontalSpacing(16)
            form.setVerticalSpacing(6)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for setting in members:
                self._add_row(form, page, setting)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            index = self.tabs.addTab(scroll, _translate(names.get(group, group)))
            for setting in members:
                self._tab_of[setting.key] = index

    def _add_row(self, form: QFormLayout, page: QWidget, setting: Setting) -> None:
        editor = self._make_editor(setting, page)
        self.editors[setting.key] = editor
        overridden = self.settings.is_overridden(setting.key)
        if overridden:
            self._set_read_only(editor)

        field = QWidget(page)
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 8)
        column.setSpacing(4)
        if setting.key == "database_url":
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(editor, 1)
            self.test_button = QPushButton(icon("database"), self.tr("测试连接"), field)
            self.test_button.clicked.connect(self.test_connection)
            row.addWidget(self.test_button)
            column.addLayout(row)
            self.test_result = QLabel("", field)
            self.test_result.setWordWrap(True)
            self.test_result.hide()
            column.addWidget(self.test_result)
        else:
            column.addWidget(editor)

        notes: list[str] = []
        if setting.minimum is not None and setting.maximum is not None:
            notes.append(
                self.tr("范围 {minimum} – {maximum}").format(
                    minimum=setting.minimum, maximum=setting.maximum
                )
            )
        if overridden:
            notes.append(self.tr("此项由命令行或环境变量指定，这里不能修改。"))
        if setting.key in APPLY_ON_RESTART:
            notes.append(self.tr("更改后重新连接或重新启动程序时生效。"))
        if notes:
            note = QLabel("  ".join(notes), field)
            note.setObjectName("HintText")
            note.setWordWrap(True)
            column.addWidget(note)
        error = QLabel("", field)
        error.setObjectName("ErrorText")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.errors[setting.key] = error

        caption = QLabel(_translate_description(setting), page)
        caption.setObjectName("FieldLabel")
        caption.setWordWrap(True)
        caption.setMinimumWidth(200)
        caption.setMaximumWidth(280)
        form.addRow(caption, field)

    def _make_editor(self, setting: Setting, parent: QWidget) -> QWidget:
        value = self.settings[setting.key]
        if setting.choices is not None:
            combo = QComboBox(parent)
            for choice in setting.choices:
                label = CHOICE_LABELS.get(choice, choice)
                combo.addItem(QCoreApplication.translate("SettingsDialog", label), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        if setting.type is int:
            spin = SettingSpinBox(setting.minimum, setting.maximum, parent)
            spin.setValue(int(value))
            spin.setMinimumWidth(140)
            spin.setMaximumWidth(200)
            return spin
        if setting.type is bool:
            box = QCheckBox(parent)
            box.setChecked(bool(value))
            return box
        line = QLineEdit(parent)
        line.setText(str(value))
        if setting.key == "database_url":
            line.setPlaceholderText(
                self.tr(
                    "留空使用本机内置数据库；共享数据库如 "
                    "postgresql+psycopg://用户名:密码@服务器:5432/showroom"
                )
            )
        return line

    @staticmethod
    def _set_read_only(editor: QWidget) -> None:
        if isinstance(editor, QLineEdit | QSpinBox):
            editor.setReadOnly(True)
        else:
            editor.setEnabled(False)

    # --- values ------------------------------------------------------------------------

    def raw_value(self, key: str) -> Any:
        """What the user typed or chose for ``key``, before validation."""
        editor = self.editors[key]
        if isinstance(editor, QSpinBox):
            return editor.cleanText()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QLineEdit):
            return editor.text()
        raise TypeError(f"no editor value for {key}")

    def _explain(self, setting: Setting, raw: Any) -> str:
        """A sentence for the field, from the declared rule that ``raw`` breaks."""
        if setting.type is int:
            try:
                number = int(str(raw).strip())
            except ValueError:
                return self.tr("请输入整数。")
            if setting.minimum is not None and number < setting.minimum:
                return self.tr("不能小于 {minimum}。").format(minimum=setting.minimum)
            if setting.maximum is not None and number > setting.maximum:
                return self.tr("不能大于 {maximum}。").format(maximum=setting.maximum)
        if setting.choices is not None:
            return self.tr("请从列表中选择。")
        return self.tr("这个值无效。")

    def validate(self) -> dict[str, Any] | None:
        """Coerced values of all editable settings, or None after marking the bad ones."""
        values: dict[str, Any] = {}
        first_bad: str | None = None
        for setting in SETTINGS:
            key = setting.key
            if self.settings.is_overridden(key):
                continue
            raw = self.raw_value(key)
            try:
                values[key] = coerce(setting, raw)
            except SettingsError:
                self._mark(key, self._explain(setting, raw))
                first_bad = first_bad or key
            else:
                self._mark(key, None)
        if first_bad is not None:
            self.tabs.setCurrentIndex(self._tab_of[first_bad])
            self.editors[first_bad].setFocus()
            return None
        return values

    def _mark(self, key: str, message: str | None) -> None:
        label, editor = self.errors[key], self.editors[key]
        label.setText(message or "")
        label.setVisible(message is not None)
        editor.setProperty("invalid", message is not None)
        repolish(editor)

    def save(self) -> None:
        values = self.validate()
        if values is None:
            self._show_problem(self.tr("有的设置不符合要求，请按提示修改后再保存。"))
            return
        if values.get("database_url") and not self._keep_password_apart(values):
            return
        changed = {k: v for k, v in values.items() if v != self.settings[k]}
        try:
            self.settings.update(changed)
            self.settings.save()
        except (SettingsError, OSError) as exc:
            log.warning("settings not saved: %s", exc)
            self._show_problem(self.tr("设置没有保存：{reason}").format(reason=exc))
            return
        log.info("settings saved: %s", ", ".join(sorted(changed)) or "(no change)")
        self.saved.emit(frozenset(changed))
        self.accept()

    def _keep_password_apart(self, values: dict[str, Any]) -> bool:
        """A password typed in the URL goes to the OS keyring; the settings file never has it.

        Without a keyring the user chooses: a plain file readable only by them, or
        not keeping the password at all. False: do not save yet.
        """
        from showroom.paths import AppPaths
        from showroom.sync import credentials

        plain, password = credentials.without_password(str(values["database_url"]))
        if password is None:
            return True
        problem = credentials.store_password(plain, password)
        if problem is not None:
            answer = QMessageBox.question(
                self,
                self.tr("无法安全保存密码"),
                self.tr(
                    "{problem}\n\n是否把密码保存在一个只有当前系统用户可读的文件里？"
                    "选“否”则不保存密码，请改用环境变量 SHOWROOM_DATABASE_URL 提供密码。"
                ).format(problem=problem),
            )
            if answer == QMessageBox.StandardButton.Yes:
                credentials.store_in_plain_file(AppPaths.default().config_dir, plain, password)
        values["database_url"] = plain
        return True

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.show()

    # --- database test -----------------------------------------------------------------

    def test_connection(self) -> None:
        url = str(self.raw_value("database_url")).strip()
        if not url:
            self._test_message(self.tr("留空时使用这台电脑上的内置数据库，无需测试。"), "HintText")
            return
        self.test_button.setEnabled(False)
        self._test_message(self.tr("正在连接 {url} …").format(url=describe_url(url)), "HintText")
        self.runner.call(lambda: _probe_database(url), self._on_test_ok, self._on_test_failed)

    def _on_test_ok(self, result: ConnectionCheck) -> None:
        self.test_button.setEnabled(True)
        if result.ok:
            self._test_message(result.message, "SuccessText")
        else:
            self._test_message(
                self.tr("连接失败：{reason}").format(reason=result.message), "ErrorText"
            )

    def _on_test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        text = error_text(exc) if is_expected(exc) else report_failure(exc)
        self._test_message(self.tr("连接失败：{reason}").format(reason=text), "ErrorText")

    def _test_message(self, text: str, kind: str) -> None:
        self.test_result.setObjectName(kind)
        repolish(self.test_result)
        self.test_result.setText(text)
        self.test_result.show()


def _translate_description(setting: Setting) -> str:
    """The setting's Chinese description, translated when a translation exists."""
    return QCoreApplication.translate("Settings", setting.description)
