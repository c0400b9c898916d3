"""Two kinds of failure, shown differently.

Expected ones (a ``ShowroomError``, the database down or locked, writes refused
on a mismatched schema) become one plain sentence next to what the user was
doing: ``error_text(exc)``. Anything else is a bug: the trace goes to the log
file and the user sees a friendly dialog naming that file, never a traceback.
``install_exception_hooks`` routes uncaught exceptions of the UI thread and of
worker threads to that dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from showroom.errors import ShowroomError


def _loaded_types(module: str, *names: str) -> tuple[type, ...]:
    """Exception classes of ``module`` if it is loaded; an error of a module never
    imported cannot occur, and importing SQLAlchemy here would slow the first paint."""
    loaded = sys.modules.get(module)
    return tuple(getattr(loaded, name) for name in names) if loaded else ()


def _database_errors() -> tuple[type, ...]:
    return _loaded_types("sqlalchemy.exc", "OperationalError", "DBAPIError")


def _stale_data() -> tuple[type, ...]:
    return _loaded_types("sqlalchemy.orm.exc", "StaleDataError")


def _writes_refused() -> tuple[type, ...]:
    return _loaded_types("db.engine", "WritesRefused")


log = logging.getLogger("showroom.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


# Messages of service errors by code, as translatable templates with ``{param}``s. The
# Chinese message the service raised is shown as is; a template is used only when the
# current language has a translation, so English gets English while Chinese keeps the
# service's exact wording (which can say more, e.g. the minutes left of a lockout).
_TEMPLATES: dict[str, str] = {
    "auth.missing": QT_TRANSLATE_NOOP("Errors", "请输入用户名和密码。"),
    "target.warning_range": QT_TRANSLATE_NOOP("Errors", "预警线应低于目标（不设预警线请留空）。"),
    "target.denied": QT_TRANSLATE_NOOP("Errors", "只有店长可以设置经营目标。"),
    "lost_reason.empty": QT_TRANSLATE_NOOP("Errors", "战败原因列表至少要有一项。"),
    "follow_up.satisfaction_range": QT_TRANSLATE_NOOP("Errors", "满意度请选 1 到 5 分。"),
    "follow_up.lost_with_next": QT_TRANSLATE_NOOP(
        "Errors", "已选择战败原因的客户不再安排下次回访。"
    ),
    "follow_up.satisfaction_not_after_sale": QT_TRANSLATE_NOOP(
        "Errors", "满意度只在成交后的售后回访中记录。"
    ),
    "visit.lost_reason_outcome": QT_TRANSLATE_NOOP(
        "Errors", "只有“无意向”离店的客户才记录战败原因。"
    ),
    "cadence.denied": QT_TRANSLATE_NOOP("Errors", "只有店长可以设置回访节奏。"),
    "cadence.days_range": QT_TRANSLATE_NOOP("Errors", "回访间隔应在 1 到 {limit} 天之间。"),
    "cadence.repeat_without_first": QT_TRANSLATE_NOOP(
        "Errors", "不自动回访的等级不能设置回访周期。"
    ),
    "auth.failed": QT_TRANSLATE_NOOP("Errors", "用户名或密码不正确。"),
    "auth.failed_attempts_left": QT_TRANSLATE_NOOP(
        "Errors", "用户名或密码不正确。再错 {attempts_left} 次账号将被锁定。"
    ),
    "auth.locked": QT_TRANSLATE_NOOP(
        "Errors", "输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。"
    ),
    "auth.offline_unknown": QT_TRANSLATE_NOOP(
        "Errors",
        "共享数据库暂时无法连接。只有最近 {days} 天内在本机成功登录过的员工可以离线登录；"
        "请稍候，网络恢复后即可正常登录。",
    ),
    "auth.pin_format": QT_TRANSLATE_NOOP("Errors", "PIN 为 4 到 8 位数字。"),
    "auth.pin_wrong": QT_TRANSLATE_NOOP("Errors", "PIN 不正确。"),
    "auth.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以解锁账号。"),
    "staff.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以查看员工列表。"),
    "staff.missing": QT_TRANSLATE_NOOP("Errors", "请填写用户名和姓名。"),
    "staff.password_short": QT_TRANSLATE_NOOP("Errors", "密码至少 {minimum} 位。"),
    "staff.password_long": QT_TRANSLATE_NOOP("Errors", "密码最多 {maximum} 位。"),
    "staff.password_spaces": QT_TRANSLATE_NOOP("Errors", "密码的开头和结尾不能是空格。"),
    "staff.password_username": QT_TRANSLATE_NOOP("Errors", "密码不能是用户名，也不能包含用户名。"),
    "staff.password_common": QT_TRANSLATE_NOOP(
        "Errors", "这个密码太常见（演示账号或常用密码），别人很容易猜到，请换一个。"
    ),
    "staff.password_same": QT_TRANSLATE_NOOP("Errors", "新密码不能和当前密码（或临时密码）相同。"),
    "auth.current_wrong": QT_TRANSLATE_NOOP("Errors", "当前密码不正确。"),
    "staff.pin_weak": QT_TRANSLATE_NOOP(
        "Errors", "PIN 不能是重复或连续的数字（如 0000、1234），请换一个。"
    ),
    "staff.pin_taken": QT_TRANSLATE_NOOP(
        "Errors", "这个 PIN 已有其他员工在用，请换一个（自助机凭 PIN 识别员工）。"
    ),
    "staff.username_missing": QT_TRANSLATE_NOOP("Errors", "请填写用户名。"),
    "staff.username_invalid": QT_TRANSLATE_NOOP(
        "Errors",
        "用户名为 2 到 40 位英文字母、数字或 . _ -，以字母或数字开头，例如 wangfang。",
    ),
    "staff.name_missing": QT_TRANSLATE_NOOP("Errors", "请填写姓名。"),
    "staff.name_long": QT_TRANSLATE_NOOP("Errors", "姓名最多 {maximum} 个字。"),
    "staff.name_invalid": QT_TRANSLATE_NOOP("Errors", "姓名里有无法显示或打印的字符。"),
    "staff.roles_missing": QT_TRANSLATE_NOOP("Errors", "请至少选择一个岗位。"),
    "staff.not_found": QT_TRANSLATE_NOOP("Errors", "没有这个员工。"),
    "staff.changed": QT_TRANSLATE_NOOP(
        "Errors", "该员工的资料刚被其他电脑修改过，请重新打开后再改。"
    ),
    "staff.last_manager": QT_TRANSLATE_NOOP(
        "Errors",
        "这是本店最后一位店长：请先让另一位员工担任店长，再停用或取消其店长岗位。",
    ),
    "staff.own_manager_role": QT_TRANSLATE_NOOP(
        "Errors", "不能取消自己的店长岗位，请由另一位店长操作。"
    ),
    "staff.disable_self": QT_TRANSLATE_NOOP("Errors", "不能停用自己的账号，请由另一位店长操作。"),
    "staff.group_role_denied": QT_TRANSLATE_NOOP(
        "Errors", "只有集团管理员可以授予或取消“集团管理”岗位。"
    ),
    "staff.move_denied": QT_TRANSLATE_NOOP("Errors", "只有集团管理员可以把员工调到其他门店。"),
    "staff.inactive": QT_TRANSLATE_NOOP("Errors", "该员工已停用。请先启用账号。"),
    "store.other_store": QT_TRANSLATE_NOOP("Errors", "只能管理本店；其他门店请由集团管理员操作。"),
    "store.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以修改门店资料。"),
    "store.group_only": QT_TRANSLATE_NOOP("Errors", "只有集团管理员可以新增门店。"),
    "store.changed": QT_TRANSLATE_NOOP(
        "Errors", "门店资料刚被其他电脑修改过。请重新打开查看后再改。"
    ),
    "store.field_long": QT_TRANSLATE_NOOP(
        "Errors", "{field}最多 {maximum} 个字（现在 {length} 个）。"
    ),
    "store.phone_invalid": QT_TRANSLATE_NOOP(
        "Errors", "联系电话只能包含数字、空格、-、括号，例如 010-8555 1234 或 400-820-1234。"
    ),
    "store.bank_account_invalid": QT_TRANSLATE_NOOP(
        "Errors", "银行账号应为 8 到 30 位数字，请对照开户许可证核对。"
    ),
    "store.public_url_invalid": QT_TRANSLATE_NOOP(
        "Errors",
        "车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；"
        "也可以写成含 {stock_no} 的模板。",
    ),
    "store.public_url_example": QT_TRANSLATE_NOOP(
        "Errors", "这是示例网址，顾客扫码打不开。请填写门店自己的车辆网页地址。"
    ),
    "store.logo_invalid": QT_TRANSLATE_NOOP("Errors", "门店标志需要是 PNG 图片。"),
    "store.logo_large": QT_TRANSLATE_NOOP(
        "Errors", "门店标志图片太大（最多 512 KB），请换一张小一些的图片。"
    ),
    "store.logo_unreadable": QT_TRANSLATE_NOOP(
        "Errors", "无法读取这张图片，请选择 PNG 或 JPG 文件。"
    ),
    "store.code_taken": QT_TRANSLATE_NOOP("Errors", "门店编号 {store_code} 已被使用。"),
    "store.profile_incomplete": QT_TRANSLATE_NOOP(
        "Errors", "门店资料缺少{fields}，不能打印。请店长在“员工 → 门店资料”中填写后再打印。"
    ),
    "credit_code.length": QT_TRANSLATE_NOOP(
        "Errors", "统一社会信用代码应为 18 位，当前为 {length} 位"
    ),
    "credit_code.characters": QT_TRANSLATE_NOOP(
        "Errors",
        "统一社会信用代码由数字和大写字母组成（不含 I、O、S、V、Z），请对照营业执照核对",
    ),
    "credit_code.checksum": QT_TRANSLATE_NOOP(
        "Errors", "统一社会信用代码校验位不符，请对照营业执照检查是否输错"
    ),
    "roster.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以修改排班。"),
    "roster.note_long": QT_TRANSLATE_NOOP("Errors", "备注最多 {maximum} 个字。"),
    "reception.bad_consultant": QT_TRANSLATE_NOOP(
        "Errors", "所选人员不是今天在岗的销售顾问，请重新选择。"
    ),
    "test_drive.companion_missing": QT_TRANSLATE_NOOP(
        "Errors", "请选择陪同试驾的销售顾问，协议上会写明陪同人员。"
    ),
    "inspection.appraiser_only": QT_TRANSLATE_NOOP(
        "Errors", "只有评估师可以接车检测（可在“员工”中为员工增加评估师岗位）。"
    ),
    "inspection.appraiser_off_duty": QT_TRANSLATE_NOOP(
        "Errors", "你今天不在排班上，不能接车检测。请先让店长调整今天的排班。"
    ),
    "staff.username_taken": QT_TRANSLATE_NOOP("Errors", "用户名“{username}”已被使用。"),
    "setup.done": QT_TRANSLATE_NOOP("Errors", "已经设置过门店和店长账号。"),
    "store.code_invalid": QT_TRANSLATE_NOOP(
        "Errors", "门店编号为 2 到 8 位字母或数字，例如 BJ01。"
    ),
    "store.name_missing": QT_TRANSLATE_NOOP("Errors", "请填写门店名称。"),
    "store.not_found": QT_TRANSLATE_NOOP("Errors", "门店不存在。"),
    "privacy.reveal_denied": QT_TRANSLATE_NOOP("Errors", "你的岗位不能查看客户的完整号码。"),
    "customer.not_found": QT_TRANSLATE_NOOP("Errors", "客户不存在或已被合并。"),
    "db.bad_url": QT_TRANSLATE_NOOP("Errors", "数据库地址无效：{url}。请在设置中检查地址。"),
    "db.locked": QT_TRANSLATE_NOOP(
        "Errors", "数据库文件被占用（{url}）。请关闭其他正在使用它的程序后重试。"
    ),
    "db.auth": QT_TRANSLATE_NOOP("Errors", "数据库拒绝登录（{url}）：用户名或密码不正确。"),
    "db.unreachable": QT_TRANSLATE_NOOP("Errors", "无法连接数据库 {url}：{detail}"),
    "db.busy": QT_TRANSLATE_NOOP(
        "Errors",
        "数据库正忙：其他电脑正在同时保存，这次没有保存成功。请再试一次，已填写的内容都还在。",
    ),
    "db.offline": QT_TRANSLATE_NOOP(
        "Errors",
        "需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额必须立即确认，"
        "请在网络恢复后再试；到店登记、新建客户、试驾还车和回访记录可以离线保存，恢复后自动同步。",
    ),
    "db.missing": QT_TRANSLATE_NOOP(
        "Errors", "服务器上没有这个数据库（{url}）。请检查数据库名，或请管理员先创建它。"
    ),
    "db.migrate_failed": QT_TRANSLATE_NOOP("Errors", "数据库升级失败。详情已写入日志。"),
    # The customer file, contacts and leads (showroom.fields, customers, leads, interactions).
    "name.missing": QT_TRANSLATE_NOOP("Errors", "请填写姓名。"),
    "name.bad_character": QT_TRANSLATE_NOOP(
        "Errors", "姓名只能由汉字、英文字母和间隔号“·”组成，不能含有“{character}”。"
    ),
    "name.bad_dot": QT_TRANSLATE_NOOP("Errors", "姓名中的间隔号“·”只能写在两个字之间。"),
    "text.too_long": QT_TRANSLATE_NOOP(
        "Errors", "这一项最多 {limit} 个字（现在 {length} 个），请删减后再保存。"
    ),
    "text.missing": QT_TRANSLATE_NOOP("Errors", "请填写这一项。"),
    "text.bad_character": QT_TRANSLATE_NOOP(
        "Errors", "内容中有不能保存的控制字符（{character}），请删除后再保存。"
    ),
    "phone2.invalid": QT_TRANSLATE_NOOP(
        "Errors", "第二联系电话应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"
    ),
    "phone2.same": QT_TRANSLATE_NOOP("Errors", "第二联系电话与手机号相同。"),
    "customer.budget_order": QT_TRANSLATE_NOOP("Errors", "预算下限不能高于上限。"),
    "customer.edit_denied": QT_TRANSLATE_NOOP("Errors", "你的岗位不能修改客户资料。"),
    "grade.missing": QT_TRANSLATE_NOOP("Errors", "意向等级不能清空，请选择 A/B/C/D。"),
    "tag.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以设置客户标签。"),
    "tag.duplicate": QT_TRANSLATE_NOOP("Errors", "标签“{name}”已存在。"),
    "tag.unknown": QT_TRANSLATE_NOOP("Errors", "所选标签不存在或已停用，请刷新后重选。"),
    "interaction.future": QT_TRANSLATE_NOOP("Errors", "沟通时间不能晚于现在。"),
    "interaction.next_past": QT_TRANSLATE_NOOP("Errors", "下一步的日期不能早于今天。"),
    "interaction.next_step_missing": QT_TRANSLATE_NOOP(
        "Errors", "填写了下一步日期，请写明下一步要做什么。"
    ),
    "lead.duplicate": QT_TRANSLATE_NOOP(
        "Errors", "该号码已有未处理的线索（{name}），请在原线索上记录这次沟通。"
    ),
    "lead.not_open": QT_TRANSLATE_NOOP("Errors", "这条线索已经到店或已关闭，请刷新列表。"),
    "lead.assign_denied": QT_TRANSLATE_NOOP(
        "Errors", "销售顾问只能认领尚未分配的线索；改派请找店长或前台。"
    ),
    "lead.received_future": QT_TRANSLATE_NOOP("Errors", "收到线索的时间不能晚于现在。"),
    "lead_import.no_phone": QT_TRANSLATE_NOOP(
        "Errors", "文件里没有手机号列（表头应为“手机号”“电话”或“联系电话”之一）。"
    ),
}


def error_text(exc: BaseException) -> str:
    """One sentence for the user about an expected failure (see the module docstring)."""
    if isinstance(exc, ShowroomError):
        source = _TEMPLATES.get(exc.code)
        if source is not None:
            translated = _tr(source)
            if translated != source:
                try:
                    return translated.format(**exc.params)
                except (KeyError, IndexError, ValueError):
                    pass
        return exc.message
    translate = QCoreApplication.translate
    if isinstance(exc, _stale_data()):
        # Another PC saved this record after it was opened here: never overwrite silently.
        return translate(
            "Errors",
            "保存前这条记录已被其他电脑修改，你的修改没有保存。请重新打开查看最新内容后再改。",
        )
    if isinstance(exc, _writes_refused()):
        return translate("Errors", "当前数据库只读，不能保存：{reason}").format(reason=exc)
    if isinstance(exc, _database_errors()):
        return translate(
            "Errors", "数据库暂时无法访问，请稍后重试。如果一直这样，请检查网络或联系管理员。"
        )
    return translate("Errors", "操作没有完成：程序出现了意外错误。详情已写入日志。")


def fault_parts(exc: BaseException) -> tuple[str, str]:
    """(sentence, technical detail) for a start-up fault.

    The driver's own words ("connection refused", "SSL negotiation") help whoever sets up
    the server but mean nothing at the front desk, so they go on a second, quieter line.
    """
    if isinstance(exc, ShowroomError) and exc.code == "db.unreachable":
        sentence = QCoreApplication.translate(
            "Errors", "无法连接数据库服务器 {server}。请检查网络和数据库服务器是否开启。"
        ).format(server=server_of(str(exc.params.get("url", ""))))
        return sentence, str(exc.params.get("detail", ""))
    return error_text(exc), ""


def server_of(shown_url: str) -> str:
    """``host:port/database`` from a password-free URL: what a person can recognise."""
    try:
        parts = urlsplit(shown_url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return shown_url
    database = parts.path.lstrip("/")
    if not host:
        return database or shown_url
    where = f"{host}:{port}" if port else host
    return f"{where}/{database}" if database else where


def is_expected(exc: BaseException) -> bool:
    """Whether ``exc`` is something the user can act on, rather than a bug."""
    return isinstance(exc, (ShowroomError, *_writes_refused(), *_database_errors(), *_stale_data()))


def report_failure(exc: BaseException) -> str:
    """Log ``exc`` (with its trace if it is a bug) and return the sentence to show."""
    if not is_expected(exc):
        trace = getattr(exc, "__showroom_trace__", None) or "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)
        )
        log.error("unexpected error in a background task:\n%s", trace)
    else:
        log.info("refused: %s", type(exc).__name__)
    return error_text(exc)


class BugReporter(QObject):
    """Shows the "something went wrong" dialog on the UI thread, whichever thread failed.

    Signals: ``reported(str)`` carries the summary line of an unexpected error. The
    dialog opens from the UI thread's event loop: a worker's signal arrives queued, and
    one emitted on the UI thread (say, from inside a paint event) is put off by a timer.
    """

    reported = Signal(str)

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self._showing = False
        self.reported.connect(self._show_later)

    def _show_later(self, summary: str) -> None:
        QTimer.singleShot(0, self, lambda: self._show(summary))

    def _show(self, summary: str) -> None:
        if self._showing:  # a burst of errors gives one dialog, not a cascade
            return
        self._showing = True
        try:
            from PySide6.QtWidgets import QMessageBox  # not needed before the first paint

            box = QMessageBox(QApplication.activeWindow())
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("出现了意外错误"))
            box.setText(self.tr("很抱歉，程序出现了意外错误。您输入的内容已尽量保留。"))
            box.setInformativeText(
                self.tr("请把下面的日志文件发给技术支持：\n{path}").format(path=self.log_file)
            )
            box.setDetailedText(summary)
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.button(QMessageBox.StandardButton.Ok).setText(self.tr("知道了"))
            box.exec()
        finally:
            self._showing = False


def install_exception_hooks(reporter: BugReporter) -> None:
    """Log uncaught exceptions (UI thread and workers) and show the friendly dialog."""

    def summary(exc_type: type[BaseException], exc: BaseException) -> str:
        # Only the kind of error: the message may hold personal data and the log has the rest.
        return f"{exc_type.__module__}.{exc_type.__qualname__}"

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        reporter.reported.emit(summary(exc_type, exc))

    def thread_hook(args: Any) -> None:
        if args.exc_type is SystemExit:
            return
        log.critical(
            "uncaught exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )
        reporter.reported.emit(summary(args.exc_type, args.exc_value))

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
