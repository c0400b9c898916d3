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
from collections.abc import Callable, Iterable
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
_TEMPLATES: dict[str, str | tuple[str, ...]] = {
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
    "cadence.days_range": QT_TRANSLATE_NOOP(
        "Errors", "{what_label}应在 1 到 {limit} 天之间（不回访请选“不自动回访”）。"
    ),
    "cadence.repeat_without_first": QT_TRANSLATE_NOOP(
        "Errors", "不自动回访的等级不能设置回访周期。"
    ),
    "maintenance.interval_denied": QT_TRANSLATE_NOOP("Errors", "只有店长可以设置保养间隔。"),
    "maintenance.months_range": QT_TRANSLATE_NOOP(
        "Errors", "保养间隔月数应在 {low} 到 {high} 个月之间。"
    ),
    "maintenance.km_range": QT_TRANSLATE_NOOP(
        "Errors", "保养间隔里程应在 {low} 到 {high} 公里之间。"
    ),
    "mileage.denied": QT_TRANSLATE_NOOP("Errors", "你的岗位不能记录车辆里程。"),
    "mileage.source": QT_TRANSLATE_NOOP("Errors", "请选择里程的来源（电话、到店或其他）。"),
    "mileage.km_range": QT_TRANSLATE_NOOP("Errors", "里程应在 0 到 {high} 公里之间。"),
    "mileage.future": QT_TRANSLATE_NOOP("Errors", "里程日期不能晚于今天。"),
    "mileage.note_too_long": QT_TRANSLATE_NOOP("Errors", "备注最多 {limit} 个字。"),
    "mileage.not_sold": QT_TRANSLATE_NOOP("Errors", "这辆车没有有效的销售合同，无需记录保养里程。"),
    "mileage.before_sale": QT_TRANSLATE_NOOP("Errors", "里程日期不能早于购车日期 {day}。"),
    "mileage.below_earlier": QT_TRANSLATE_NOOP(
        "Errors", "{km} 公里低于 {day} 已记录的 {earlier} 公里，里程不会倒退，请核对。"
    ),
    "mileage.above_later": QT_TRANSLATE_NOOP(
        "Errors", "{km} 公里高于之后 {day} 记录的 {later} 公里，请核对日期。"
    ),
    "mileage.too_fast": QT_TRANSLATE_NOOP(
        "Errors", "距 {day} 的 {earlier} 公里，{days} 天多跑了 {driven} 公里，不太可能，请核对。"
    ),
    "interaction.grade_not_lead": QT_TRANSLATE_NOOP(
        "Errors", "意向等级请在客户档案中调整；这里只为线索选择。"
    ),
    "auth.failed": QT_TRANSLATE_NOOP("Errors", "用户名或密码不正确。"),
    "auth.failed_attempts_left": QT_TRANSLATE_NOOP(
        "Errors", "用户名或密码不正确。再错 {attempts_left} 次账号将被锁定。"
    ),
    "auth.locked": (
        QT_TRANSLATE_NOOP(
            "Errors", "输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。"
        ),
        QT_TRANSLATE_NOOP("Errors", "输错次数过多，账号已锁定 {minutes} 分钟。"),
    ),
    "auth.offline_unknown": QT_TRANSLATE_NOOP(
        "Errors",
        "共享数据库暂时无法连接。只有最近 {days} 天内在本机成功登录过的员工可以离线登录；"
        "请稍候，网络恢复后即可正常登录。",
    ),
    "auth.pin_format": QT_TRANSLATE_NOOP("Errors", "PIN 为 4 到 8 位数字。"),
    "auth.pin_wrong": QT_TRANSLATE_NOOP("Errors", "PIN 不正确。"),
    "auth.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以解锁账号。"),
    "staff.manager_only": (
        QT_TRANSLATE_NOOP("Errors", "只有店长可以查看员工列表。"),
        QT_TRANSLATE_NOOP("Errors", "只有店长可以管理员工账号。"),
    ),
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
    "staff.inactive": (
        QT_TRANSLATE_NOOP("Errors", "该员工已停用。请先启用账号，再重置密码。"),
        QT_TRANSLATE_NOOP("Errors", "该员工已停用。请先启用账号，再设置 PIN。"),
        QT_TRANSLATE_NOOP("Errors", "该员工已停用。请先启用账号。"),
    ),
    "store.other_store": (
        QT_TRANSLATE_NOOP("Errors", "只能为本店添加员工；其他门店请由集团管理员操作。"),
        QT_TRANSLATE_NOOP("Errors", "只能查看本店的员工；其他门店请由集团管理员查看。"),
        QT_TRANSLATE_NOOP("Errors", "只能修改本店的资料；其他门店请由集团管理员修改。"),
        QT_TRANSLATE_NOOP("Errors", "只能管理本店；其他门店请由集团管理员操作。"),
    ),
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
    "store.public_url_invalid": (
        QT_TRANSLATE_NOOP("Errors", "车辆公开网址最多 {limit} 个字符。"),
        QT_TRANSLATE_NOOP(
            "Errors",
            "车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；也"
            "可以写成含 {{stock_no}} 的模板。",
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；也"
            "可以写成含 {stock_no} 的模板。",
        ),
    ),
    "store.public_url_example": QT_TRANSLATE_NOOP(
        "Errors", "这是示例网址，顾客扫码打不开。请填写门店自己的车辆网页地址。"
    ),
    "store.logo_invalid": QT_TRANSLATE_NOOP("Errors", "门店标志需要是 PNG 图片。"),
    "store.logo_large": QT_TRANSLATE_NOOP(
        "Errors", "门店标志图片太大（最多 512 KB），请换一张小一些的图片。"
    ),
    "store.logo_unreadable": (
        QT_TRANSLATE_NOOP("Errors", "无法读取标志文件 {path}：{reason}"),
        QT_TRANSLATE_NOOP("Errors", "无法读取这张图片，请选择 PNG 或 JPG 文件。"),
    ),
    "store.code_taken": QT_TRANSLATE_NOOP("Errors", "门店编号 {store_code} 已被使用。"),
    "store.profile_incomplete": (
        QT_TRANSLATE_NOOP("Errors", "门店资料缺少{fields}{what}。{where}"),
        QT_TRANSLATE_NOOP(
            "Errors", "门店资料缺少{fields}，不能打印。请店长在“员工 → 门店资料”中填写后再打印。"
        ),
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
    "reception.bad_consultant": (
        QT_TRANSLATE_NOOP("Errors", "所选人员不是今天在岗的销售顾问，请重新选择。"),
        QT_TRANSLATE_NOOP("Errors", "所选人员不是本店在职的销售顾问。"),
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
    "store.name_missing": (
        QT_TRANSLATE_NOOP("Errors", "请填写门店名称。"),
        QT_TRANSLATE_NOOP("Errors", "请用 --name 填写门店名称。"),
    ),
    "store.not_found": (
        QT_TRANSLATE_NOOP("Errors", "门店不存在。"),
        QT_TRANSLATE_NOOP("Errors", "门店 {store_code} 不存在。"),
        QT_TRANSLATE_NOOP("Errors", "门店不存在，请先完成首次设置。"),
    ),
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
    "db.offline": (
        QT_TRANSLATE_NOOP(
            "Errors",
            "需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额"
            "必须立即确认，请在网络恢复后再试；到店登记、新建客户、试驾还车、回访记"
            "录和检测记录（项目、照片、估价）可以离线保存，恢复后自动同步。",
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额"
            "必须立即确认，请在网络恢复后再试；到店登记、新建客户、试驾还车和回访记"
            "录可以离线保存，恢复后自动同步。",
        ),
    ),
    "db.missing": QT_TRANSLATE_NOOP(
        "Errors", "服务器上没有这个数据库（{url}）。请检查数据库名，或请管理员先创建它。"
    ),
    "db.migrate_failed": (
        QT_TRANSLATE_NOOP("Errors", "数据库升级失败：{detail}"),
        QT_TRANSLATE_NOOP("Errors", "数据库升级失败。详情已写入日志。"),
    ),
    # The customer file, contacts and leads (showroom.fields, customers, leads, interactions).
    "name.missing": (
        QT_TRANSLATE_NOOP("Errors", "请填写{label}。"),
        QT_TRANSLATE_NOOP("Errors", "请填写姓名。"),
    ),
    "name.bad_character": (
        QT_TRANSLATE_NOOP(
            "Errors", "{label}只能由汉字、英文字母和间隔号“·”组成，不能含有“{character}”。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors", "姓名只能由汉字、英文字母和间隔号“·”组成，不能含有“{character}”。"
        ),
    ),
    "name.bad_dot": (
        QT_TRANSLATE_NOOP("Errors", "{label}中的间隔号“·”只能写在两个字之间。"),
        QT_TRANSLATE_NOOP("Errors", "姓名中的间隔号“·”只能写在两个字之间。"),
    ),
    "text.too_long": (
        QT_TRANSLATE_NOOP(
            "Errors", "{label}最多 {limit} 个字（现在 {length} 个），请删减后再保存。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors", "这一项最多 {limit} 个字（现在 {length} 个），请删减后再保存。"
        ),
    ),
    "text.missing": (
        QT_TRANSLATE_NOOP("Errors", "请填写{label}。"),
        QT_TRANSLATE_NOOP("Errors", "请填写这一项。"),
    ),
    "text.bad_character": (
        QT_TRANSLATE_NOOP(
            "Errors", "{label}中有不能保存的控制字符（{character}），请删除后再保存。"
        ),
        QT_TRANSLATE_NOOP("Errors", "内容中有不能保存的控制字符（{character}），请删除后再保存。"),
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
    "lead.duplicate": (
        QT_TRANSLATE_NOOP(
            "Errors", "该号码已有未处理的线索（{name}{where}），请在原线索上记录这次沟通。"
        ),
        QT_TRANSLATE_NOOP("Errors", "该号码已有未处理的线索（{name}），请在原线索上记录这次沟通。"),
    ),
    "lead.not_open": QT_TRANSLATE_NOOP("Errors", "这条线索已经到店或已关闭，请刷新列表。"),
    "lead.assign_denied": QT_TRANSLATE_NOOP(
        "Errors", "销售顾问只能认领尚未分配的线索；改派请找店长或前台。"
    ),
    "lead.received_future": QT_TRANSLATE_NOOP("Errors", "收到线索的时间不能晚于现在。"),
    "lead_import.no_phone": QT_TRANSLATE_NOOP(
        "Errors", "文件里没有手机号列（表头应为“手机号”“电话”或“联系电话”之一）。"
    ),
    # showroom/cli_staff.py
    "staff.pin_mismatch": QT_TRANSLATE_NOOP("Errors", "两次输入的 PIN 不一致。"),
    "store.ambiguous": QT_TRANSLATE_NOOP("Errors", "有多个门店（{codes}），请用 --store 指定。"),
    "store.none": QT_TRANSLATE_NOOP(
        "Errors", "还没有门店。请先用 showroom store add 编号 --name 名称 新建门店。"
    ),
    # showroom/context.py
    "db.schema_mismatch": QT_TRANSLATE_NOOP("Errors", "当前数据库只读，不能保存：{reason}"),
    "db.unsupported": QT_TRANSLATE_NOOP(
        "Errors",
        "不支持这种数据库：{url}。请使用 PostgreSQL（postgresql+psycopg://…）或"
        "本机内置数据库（sqlite:///…）。",
    ),
    # showroom/demo.py
    "demo.cars_negative": QT_TRANSLATE_NOOP("Errors", "车辆数不能为负数。"),
    "demo.not_empty": QT_TRANSLATE_NOOP(
        "Errors",
        "数据库中已有车辆或客户数据。演示数据只能生成到空数据库中，以免与真实数"
        "据混在一起；请换一个新的数据库文件后再试。",
    ),
    # showroom/documents/archive.py
    "document.kind_unknown": QT_TRANSLATE_NOOP("Errors", "未知的文件类型“{kind}”。可选：{choices}"),
    "document.not_found": (
        QT_TRANSLATE_NOOP("Errors", "没有找到已存档的{kind_label} {number}。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到这份存档文件。"),
    ),
    # showroom/documents/templates.py
    "template.invalid": (
        QT_TRANSLATE_NOOP("Errors", "文件模板 {file} 缺少必要的项目（{detail}）。"),
        QT_TRANSLATE_NOOP("Errors", "文件模板 {file} 格式有误，无法读取：{detail}"),
    ),
    "template.syntax": QT_TRANSLATE_NOOP(
        "Errors", "文件模板中的占位符写法有误：“{text}”。请用 {{名称}} 的形式。"
    ),
    # showroom/documents/vehicle_papers.py
    "car_sheet.sold": QT_TRANSLATE_NOOP("Errors", "这辆车已售出，不再打印车辆信息单。"),
    "vehicle.not_found": (
        QT_TRANSLATE_NOOP("Errors", "车辆不存在或已删除。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到这辆车，可能已被删除。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到这辆车。"),
        QT_TRANSLATE_NOOP("Errors", "所选车辆不存在。"),
        QT_TRANSLATE_NOOP("Errors", "这辆车已不在库存中"),
    ),
    "vehicle.stock_no_unknown": QT_TRANSLATE_NOOP("Errors", "没有库存编号为 {stock_no} 的车辆。"),
    # showroom/identifiers.py
    "id_number.birth_date": QT_TRANSLATE_NOOP("Errors", "身份证号码中的出生日期不正确"),
    "id_number.characters": QT_TRANSLATE_NOOP(
        "Errors", "身份证号码前 17 位应为数字，最后一位为数字或 X"
    ),
    "id_number.checksum": QT_TRANSLATE_NOOP("Errors", "身份证号码校验位不符，请检查是否输错"),
    "id_number.length": QT_TRANSLATE_NOOP("Errors", "身份证号码应为 18 位，当前为 {length} 位"),
    "id_number.region": QT_TRANSLATE_NOOP("Errors", "身份证号码的地区码不正确"),
    "licence_class.invalid": QT_TRANSLATE_NOOP("Errors", "无法识别的准驾车型代号（如 C1、C2、A1）"),
    "phone.invalid": QT_TRANSLATE_NOOP("Errors", "手机号码格式不正确，应为 11 位中国大陆手机号码"),
    "plate.authority": QT_TRANSLATE_NOOP(
        "Errors", "车牌号第二位应为发牌机关代号（字母，不含 I、O）"
    ),
    "plate.length": QT_TRANSLATE_NOOP("Errors", "车牌号应为 7 位（新能源车牌 8 位）"),
    "plate.province": QT_TRANSLATE_NOOP("Errors", "车牌号第一位应为省、自治区、直辖市简称"),
    "plate.serial": QT_TRANSLATE_NOOP("Errors", "车牌号序号部分格式不正确"),
    "vin.characters": QT_TRANSLATE_NOOP("Errors", "车架号（VIN）只能由数字和英文字母组成"),
    "vin.check_digit": QT_TRANSLATE_NOOP(
        "Errors", "车架号（VIN）校验位不符，可能有输入错误，请核对"
    ),
    "vin.forbidden_letter": QT_TRANSLATE_NOOP("Errors", "车架号（VIN）中不能出现字母 I、O、Q"),
    "vin.length": QT_TRANSLATE_NOOP("Errors", "车架号（VIN）应为 17 位，当前为 {length} 位"),
    # showroom/loan.py
    "loan.down_invalid": QT_TRANSLATE_NOOP("Errors", "首付金额有误：{detail}"),
    "loan.down_too_large": QT_TRANSLATE_NOOP("Errors", "首付金额须小于车价，否则无需贷款"),
    "loan.percent_invalid": QT_TRANSLATE_NOOP("Errors", "首付比例格式不正确，请输入百分数，如 30"),
    "loan.percent_range": QT_TRANSLATE_NOOP("Errors", "首付比例须在 0% 到 100% 之间（不含 100%）"),
    "loan.price_invalid": QT_TRANSLATE_NOOP("Errors", "车价有误：{detail}"),
    "loan.rate_invalid": QT_TRANSLATE_NOOP("Errors", "年利率格式不正确，请输入百分数，如 4.5"),
    "loan.rate_negative": QT_TRANSLATE_NOOP("Errors", "年利率不能为负数"),
    "loan.rate_precision": QT_TRANSLATE_NOOP("Errors", "年利率最多保留四位小数"),
    "loan.rate_too_high": QT_TRANSLATE_NOOP(
        "Errors", "年利率不能超过 {maximum}%，请检查是否多输了一位"
    ),
    "loan.term_invalid": QT_TRANSLATE_NOOP("Errors", "贷款期限请输入整月数，如 36"),
    "loan.term_range": QT_TRANSLATE_NOOP("Errors", "贷款期限须在 {minimum} 到 {maximum} 个月之间"),
    # showroom/money.py
    "amount.invalid": (
        QT_TRANSLATE_NOOP("Errors", "金额格式不正确，请输入数字，如 168000 或 16.8万"),
        QT_TRANSLATE_NOOP("Errors", "{label}：金额格式不正确，请输入数字，如 168000 或 16.8万"),
    ),
    "amount.too_large": (
        QT_TRANSLATE_NOOP("Errors", "金额不能大于 {maximum}"),
        QT_TRANSLATE_NOOP("Errors", "{label}：金额不能大于 {maximum}"),
    ),
    "amount.too_many_decimals": (
        QT_TRANSLATE_NOOP("Errors", "金额最多保留两位小数（精确到分）"),
        QT_TRANSLATE_NOOP("Errors", "{label}：金额最多保留两位小数（精确到分）"),
    ),
    "amount.too_small": (
        QT_TRANSLATE_NOOP("Errors", "金额不能小于 {minimum}"),
        QT_TRANSLATE_NOOP("Errors", "{label}：金额不能小于 {minimum}"),
    ),
    # showroom/photos.py
    "photo.corrupt": (
        QT_TRANSLATE_NOOP("Errors", "这个文件不是可用的照片（文件损坏或格式不支持），请换一张。"),
        QT_TRANSLATE_NOOP("Errors", "{name}：不是照片或 PDF 文件，或文件已损坏"),
        QT_TRANSLATE_NOOP("Errors", "{name}：不是可识别的图片或文件已损坏"),
    ),
    "photo.empty": (
        QT_TRANSLATE_NOOP("Errors", "照片文件是空的，请重新选择。"),
        QT_TRANSLATE_NOOP("Errors", "{name}：不是照片或 PDF 文件，或文件已损坏"),
        QT_TRANSLATE_NOOP("Errors", "{name}：照片文件是空的，请重新选择。"),
    ),
    "photo.too_large": (
        QT_TRANSLATE_NOOP("Errors", "照片文件超过 40 MB，请用相机的普通画质重新拍摄。"),
        QT_TRANSLATE_NOOP("Errors", "照片像素过大（超过 1.2 亿像素），无法导入。"),
        QT_TRANSLATE_NOOP("Errors", "{name}：文件超过 30 MB"),
        QT_TRANSLATE_NOOP("Errors", "{name}：不是照片或 PDF 文件，或文件已损坏"),
        QT_TRANSLATE_NOOP("Errors", "{name}：照片文件超过 40 MB，请用相机的普通画质重新拍摄。"),
        QT_TRANSLATE_NOOP("Errors", "{name}：照片像素过大（超过 1.2 亿像素），无法导入。"),
    ),
    # showroom/services/car_pages.py
    "car_page.not_bookable": QT_TRANSLATE_NOOP(
        "Errors", "这辆车已售出或暂停展示，不能预约试驾，请看看其他在售车辆。"
    ),
    "car_page.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这辆车，请看看其他在售车辆。"),
    "car_page.sold": QT_TRANSLATE_NOOP("Errors", "这辆车已经售出，请看看其他在售车辆。"),
    "media.not_found": (
        QT_TRANSLATE_NOOP("Errors", "照片暂时无法显示"),
        QT_TRANSLATE_NOOP("Errors", "报告页面暂时无法显示"),
        QT_TRANSLATE_NOOP("Errors", "文件已丢失，请联系管理员重新上传"),
    ),
    "vehicle.no_report": QT_TRANSLATE_NOOP("Errors", "这辆车还没有第三方检测报告"),
    # showroom/services/comparison.py
    "comparison.too_few": QT_TRANSLATE_NOOP("Errors", "请至少选择 2 辆车进行对比"),
    "comparison.too_many": QT_TRANSLATE_NOOP("Errors", "最多同时对比 4 辆车"),
    "comparison.vehicle_missing": QT_TRANSLATE_NOOP("Errors", "对比中的车辆已不存在，请移除后重试"),
    # showroom/services/contracts.py
    "contract.already_signed": QT_TRANSLATE_NOOP(
        "Errors", "合同 {contract_no} 已经签订（可能是另一台电脑刚刚完成），请刷新。"
    ),
    "contract.already_void": (
        QT_TRANSLATE_NOOP("Errors", "合同 {contract_no} 已经作废。"),
        QT_TRANSLATE_NOOP("Errors", "合同 {contract_no} 已作废，不能签订。"),
    ),
    "contract.amend_unsigned": (
        QT_TRANSLATE_NOOP("Errors", "只有已签订的合同才需要补充协议；草稿可以直接作废重拟。"),
        QT_TRANSLATE_NOOP("Errors", "原合同不是已签订状态，不能签补充协议。"),
    ),
    "contract.buyer_id_missing": QT_TRANSLATE_NOOP(
        "Errors", "请填写买受人的身份证号码，合同和过户都需要。"
    ),
    "contract.changes_missing": QT_TRANSLATE_NOOP("Errors", "请写明变更的内容。"),
    "contract.customer_unknown": (
        QT_TRANSLATE_NOOP("Errors", "没有这个手机号的客户，请先在前台登记。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到这位客户，请重新查找。"),
    ),
    "contract.delivery_past": QT_TRANSLATE_NOOP("Errors", "交车日期不能早于今天。"),
    "contract.deposit_added": QT_TRANSLATE_NOOP(
        "Errors", "起草合同后客户又交了意向金，合同上没有抵扣，请作废此稿后重新起草。"
    ),
    "contract.deposit_closed": (
        QT_TRANSLATE_NOOP("Errors", "意向金 {receipt_no} 已{status_label}，不能再据此起草合同。"),
        QT_TRANSLATE_NOOP("Errors", "所选意向金已不再有效（可能已退还或过期），请刷新后重试。"),
        QT_TRANSLATE_NOOP("Errors", "意向金已不再有效。"),
    ),
    "contract.fee_payer": QT_TRANSLATE_NOOP("Errors", "请选择过户费用由哪一方承担。"),
    "contract.keys": QT_TRANSLATE_NOOP("Errors", "车钥匙数量应在 1 到 9 把之间。"),
    "contract.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这份合同。"),
    "contract.papers_mismatch": QT_TRANSLATE_NOOP(
        "Errors", "签署的文件与这份合同不对应，请关闭后重新打开。"
    ),
    "contract.phone_missing": QT_TRANSLATE_NOOP("Errors", "请输入买受人的手机号。"),
    "contract.price_below_deposit": (
        QT_TRANSLATE_NOOP("Errors", "成交价 {price} 低于已收意向金 {deposit}，请核对。"),
        QT_TRANSLATE_NOOP("Errors", "成交价 {new_price} 低于已收意向金 {paid}，请核对。"),
    ),
    "contract.price_missing": QT_TRANSLATE_NOOP("Errors", "请填写成交价。"),
    "contract.schedule_mismatch": QT_TRANSLATE_NOOP(
        "Errors", "付款计划合计 {total}，与应付余款 {balance} 不一致。"
    ),
    "contract.signed_locked": QT_TRANSLATE_NOOP(
        "Errors", "合同 {contract_no} 已签订并锁定，不能作废；如需变更请签订补充协议。"
    ),
    "contract.vehicle_out": QT_TRANSLATE_NOOP(
        "Errors", "车辆 {stock_no} 正在试驾中，请还车后再签约。"
    ),
    "contract.vehicle_preparing": QT_TRANSLATE_NOOP(
        "Errors", "车辆 {stock_no} 还在整备中，尚未上架销售。"
    ),
    "contract.vehicle_reserved_by_other": QT_TRANSLATE_NOOP(
        "Errors",
        "这辆车已由客户 {customer_name} 交付意向金预订（销售顾问：{consultant_n"
        "ame}），不能与其他客户签约。",
    ),
    "contract.vehicle_sold": (
        QT_TRANSLATE_NOOP("Errors", "车辆 {stock_no} 已经售出，不能再签订买卖合同。"),
        QT_TRANSLATE_NOOP(
            "Errors", "车辆 {stock_no} 已经售出（另一台电脑刚刚签约），不能再签订买卖合同。"
        ),
        QT_TRANSLATE_NOOP("Errors", "车辆 {stock_no} 刚被另一台电脑签约售出，本合同未签订。"),
    ),
    "contract.void_denied": QT_TRANSLATE_NOOP("Errors", "只有销售顾问或店长可以作废合同。"),
    "contract.void_reason": QT_TRANSLATE_NOOP("Errors", "请填写作废原因。"),
    "deposit.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这笔意向金。"),
    "signature.empty": (
        QT_TRANSLATE_NOOP("Errors", "还有文件没有签名，请重新签署。"),
        QT_TRANSLATE_NOOP("Errors", "{who}尚未签名。"),
        QT_TRANSLATE_NOOP("Errors", "协议还没有签名，请重新签署。"),
    ),
    # showroom/services/customers.py
    "customer.budget_invalid": (
        QT_TRANSLATE_NOOP("Errors", "{what}不是有效金额。"),
        QT_TRANSLATE_NOOP("Errors", "{what}最多精确到分。"),
    ),
    "customer.duplicate": (
        QT_TRANSLATE_NOOP("Errors", "该手机号已登记，不能重复建档。"),
        QT_TRANSLATE_NOOP(
            "Errors", "该手机号已登记为 {name}（{phone}），不能重复建档。可直接使用已有客户。"
        ),
    ),
    "grade.denied": QT_TRANSLATE_NOOP("Errors", "只有销售顾问和店长可以调整意向等级。"),
    "grade.not_yours": QT_TRANSLATE_NOOP("Errors", "只能调整自己负责的客户的意向等级。"),
    "tag.not_found": QT_TRANSLATE_NOOP("Errors", "这个标签不存在。"),
    # showroom/services/deposits.py
    "deposit.amount_missing": QT_TRANSLATE_NOOP("Errors", "请输入意向金金额。"),
    "deposit.amount_not_positive": QT_TRANSLATE_NOOP("Errors", "意向金金额必须大于零。"),
    "deposit.amount_over_price": QT_TRANSLATE_NOOP(
        "Errors", "意向金 {amount} 不能超过车辆标价 {price}。"
    ),
    "deposit.amount_too_large": QT_TRANSLATE_NOOP(
        "Errors", "意向金金额 {amount} 超过上限 {maximum}，请检查是否多输了零。"
    ),
    "deposit.customer_unknown": QT_TRANSLATE_NOOP("Errors", "没有找到这位客户，请重新查找。"),
    "deposit.forfeit_not_lapsed": QT_TRANSLATE_NOOP(
        "Errors", "意向金尚未到期，按约定只能由店长决定没收。"
    ),
    "deposit.method_missing": QT_TRANSLATE_NOOP("Errors", "请选择付款方式。"),
    "deposit.reason_missing": QT_TRANSLATE_NOOP("Errors", "请填写{what}的原因。"),
    "deposit.receipt_mismatch": QT_TRANSLATE_NOOP("Errors", "收据与这笔意向金不对应，请重新打开。"),
    "deposit.reference_missing": QT_TRANSLATE_NOOP(
        "Errors", "{method_label}付款请填写交易单号或流水号，便于对账。"
    ),
    "deposit.reference_too_long": QT_TRANSLATE_NOOP("Errors", "交易单号最多 60 个字符。"),
    "deposit.refund_manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以退还意向金。"),
    "deposit.valid_days": QT_TRANSLATE_NOOP("Errors", "意向金有效期应在 1 到 90 天之间。"),
    "deposit.vehicle_out": QT_TRANSLATE_NOOP(
        "Errors", "车辆 {stock_no} 正在试驾中，请还车后再收取意向金。"
    ),
    "deposit.vehicle_preparing": QT_TRANSLATE_NOOP(
        "Errors", "车辆 {stock_no} 还在整备中，尚未上架销售。"
    ),
    "deposit.vehicle_reserved": (
        QT_TRANSLATE_NOOP(
            "Errors",
            "这辆车已由客户 {customer} 交付意向金预订（销售顾问：{consultant}，收据"
            "号 {receipt_no}），不能再收取意向金。",
        ),
        QT_TRANSLATE_NOOP("Errors", "这辆车已被预订，不能再收取意向金。"),
        QT_TRANSLATE_NOOP("Errors", "这辆车刚被另一台电脑收取了意向金，请刷新后查看。"),
    ),
    "deposit.vehicle_sold": QT_TRANSLATE_NOOP("Errors", "车辆 {stock_no} 已售出，不能收取意向金。"),
    "deposit.wrong_state": QT_TRANSLATE_NOOP(
        "Errors", "这笔意向金当前状态为“{status_label}”，不能{doing}。"
    ),
    # showroom/services/follow_ups.py
    "follow_up.closed": QT_TRANSLATE_NOOP("Errors", "这条回访已经处理过了，请刷新列表。"),
    "follow_up.denied": QT_TRANSLATE_NOOP("Errors", "只有销售顾问和店长可以处理回访。"),
    "follow_up.due_past": QT_TRANSLATE_NOOP("Errors", "回访日期不能早于今天。"),
    "follow_up.next_due_past": QT_TRANSLATE_NOOP("Errors", "下次回访日期必须晚于今天。"),
    "follow_up.not_found": QT_TRANSLATE_NOOP("Errors", "这条回访不存在。"),
    "follow_up.not_yours": QT_TRANSLATE_NOOP("Errors", "这条回访不是你负责的客户。"),
    "follow_up.result_missing": QT_TRANSLATE_NOOP("Errors", "请填写回访结果。"),
    "follow_up.result_too_long": QT_TRANSLATE_NOOP("Errors", "回访结果最多 {limit} 个字。"),
    "grade.not_lower": QT_TRANSLATE_NOOP("Errors", "客户当前为 {old} 级，无需降为 {new} 级。"),
    "visit.not_found": QT_TRANSLATE_NOOP("Errors", "到店记录不存在。"),
    # showroom/services/inspection_day.py
    "booking.unknown": (
        QT_TRANSLATE_NOOP("Errors", "报名码 {booking} 不存在，请核对后重试。"),
        QT_TRANSLATE_NOOP("Errors", "预约码 {booking} 不存在，请核对后重试。"),
    ),
    "booking.unreadable": (
        QT_TRANSLATE_NOOP(
            "Errors", "没有识别出报名码（应为 8 位字母或数字），请重新扫描或手动输入。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors", "没有识别出预约码（应为 8 位字母或数字），请重新扫描或手动输入。"
        ),
        QT_TRANSLATE_NOOP("Errors", "没有识别出二维码，请再扫一次。"),
    ),
    "inspection_event.bays_range": QT_TRANSLATE_NOOP("Errors", "检测工位应在 1 到 20 之间。"),
    "inspection_event.cancelled": QT_TRANSLATE_NOOP("Errors", "这场检测日已取消，不能再修改。"),
    "inspection_event.changed": QT_TRANSLATE_NOOP(
        "Errors", "这场检测日刚被其他人修改过，请刷新后再改。"
    ),
    "inspection_event.hours": QT_TRANSLATE_NOOP("Errors", "结束时间应晚于开始时间。"),
    "inspection_event.in_progress": QT_TRANSLATE_NOOP(
        "Errors", "这场检测日已有客户签到或正在检测，不能取消；请改为结束后不再接待。"
    ),
    "inspection_event.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以修改或取消检测日。"),
    "inspection_event.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这场检测日。"),
    "inspection_event.over": QT_TRANSLATE_NOOP("Errors", "这场检测日已经结束，不能再修改。"),
    "inspection_event.past": (
        QT_TRANSLATE_NOOP("Errors", "检测日不能设在已经过去的时间。"),
        QT_TRANSLATE_NOOP("Errors", "检测日不能改到已经过去的时间。"),
    ),
    "inspection_event.repeat_range": QT_TRANSLATE_NOOP("Errors", "按月重复最多 {months} 个月。"),
    "inspection_event.seats_below_given": QT_TRANSLATE_NOOP(
        "Errors", "已有 {given} 位客户占用名额，名额不能少于 {given}。如需减少，请先取消部分报名。"
    ),
    "inspection_event.seats_range": QT_TRANSLATE_NOOP("Errors", "名额应在 1 到 500 之间。"),
    "inspection_event.title_required": QT_TRANSLATE_NOOP("Errors", "请填写检测日名称。"),
    "inspection_event.title_too_long": QT_TRANSLATE_NOOP("Errors", "检测日名称最多 100 个字。"),
    "registration.consent_required": QT_TRANSLATE_NOOP(
        "Errors", "请先勾选同意门店使用手机号办理本次检测日报名（用于签到和名额通知）。"
    ),
    "registration.duplicate": QT_TRANSLATE_NOOP(
        "Errors", "车牌 {plate} 已报名本场检测日（报名码 {booking}），同一辆车每场只能报名一次。"
    ),
    "registration.event_closed": QT_TRANSLATE_NOOP("Errors", "这场检测日已停止报名。"),
    "registration.event_past": QT_TRANSLATE_NOOP(
        "Errors", "这场检测日已经结束，不能再报名，请选择以后的检测日。"
    ),
    "registration.mileage_range": QT_TRANSLATE_NOOP("Errors", "里程不对，请填写表显公里数。"),
    "registration.not_cancellable": QT_TRANSLATE_NOOP(
        "Errors", "报名 {booking_code} 当前状态为“{status_label}”，不能取消。"
    ),
    "registration.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这条报名。"),
    "registration.waitlisted": (
        QT_TRANSLATE_NOOP(
            "Errors",
            "报名 {booking} 仍在候补第 {waitlist_position} 位，尚未获得检测名额；如"
            "现场有空余，请先取消他人报名或等候通知。",
        ),
        QT_TRANSLATE_NOOP("Errors", "报名 {booking} 仍在候补，尚未获得检测名额，请等候门店通知。"),
    ),
    "registration.year_range": QT_TRANSLATE_NOOP("Errors", "年份不对，请填写车辆的出厂年份。"),
    # showroom/services/inspections.py
    "inspection.correction_reason": QT_TRANSLATE_NOOP("Errors", "请填写更正原因。"),
    "inspection.evidence_required": QT_TRANSLATE_NOOP(
        "Errors", "判定为事故、泡水或火烧车时，必须填写判定依据（部位和痕迹），并建议附照片。"
    ),
    "inspection.final": (
        QT_TRANSLATE_NOOP(
            "Errors", "检测报告 {report_no} 已定稿锁定，如需更正请点“更正（新版本）”。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "检测记录 {no} 已定稿，离线修改未应用。如需更改请在最新版本上“更正（新版本）”。",
        ),
    ),
    "inspection.item_not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这个检测项目。"),
    "inspection.items_invalid": (
        QT_TRANSLATE_NOOP("Errors", "检测项目编号不能重复，名称不能为空。"),
        QT_TRANSLATE_NOOP("Errors", "每个检测部分至少要有一个检测项目。"),
    ),
    "inspection.not_final": (
        QT_TRANSLATE_NOOP("Errors", "草稿可以直接修改，不需要更正。"),
        QT_TRANSLATE_NOOP("Errors", "检测记录定稿后才能出具检测报告。"),
    ),
    "inspection.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这份检测记录。"),
    "inspection.not_latest": QT_TRANSLATE_NOOP(
        "Errors", "这份报告已有更新的版本，请在最新版本上更正。"
    ),
    "inspection.required_missing": QT_TRANSLATE_NOOP(
        "Errors", "还有必检项目没有检查：{names}{more}。请逐项选择“正常”或“缺陷”后再定稿。"
    ),
    "inspection.severity": QT_TRANSLATE_NOOP("Errors", "缺陷程度应为轻微、一般或严重。"),
    "inspection.stock_no_unknown": QT_TRANSLATE_NOOP(
        "Errors", "没有找到库存编号为 {stock_no} 的车辆。"
    ),
    "inspection.valuation_negative": QT_TRANSLATE_NOOP("Errors", "估价不能为负数。"),
    "inspection.valuation_order": QT_TRANSLATE_NOOP("Errors", "估价区间的下限不能高于上限。"),
    "inspection.weights_invalid": QT_TRANSLATE_NOOP(
        "Errors", "各部分分值不能为负，且合计必须为 100 分。"
    ),
    "photo.not_found": (
        QT_TRANSLATE_NOOP("Errors", "没有找到这张照片。"),
        QT_TRANSLATE_NOOP("Errors", "这张照片已被删除"),
        QT_TRANSLATE_NOOP("Errors", "有照片已被删除，请刷新后再选"),
    ),
    "photo.too_many": (
        QT_TRANSLATE_NOOP("Errors", "每份检测最多 {limit} 张照片。"),
        QT_TRANSLATE_NOOP("Errors", "每辆车最多 {limit} 张照片，现有 {count} 张"),
    ),
    # showroom/services/interactions.py
    "interaction.denied": QT_TRANSLATE_NOOP("Errors", "你的岗位不能记录客户沟通。"),
    "interaction.subject": QT_TRANSLATE_NOOP("Errors", "请选择一位客户或一条线索。"),
    "lead.not_found": QT_TRANSLATE_NOOP("Errors", "这条线索不存在。"),
    # showroom/services/kiosk.py
    "kiosk.car_gone": QT_TRANSLATE_NOOP("Errors", "这辆车已售出或暂停展示，请看看其他车辆"),
    # showroom/services/leads.py
    "lead.denied": QT_TRANSLATE_NOOP("Errors", "你的岗位不能处理线索。"),
    "lead.response_hours": QT_TRANSLATE_NOOP("Errors", "响应时限应在 1 到 336 小时之间。"),
    # showroom/services/merge.py
    "merge.already_undone": QT_TRANSLATE_NOOP("Errors", "这次合并已经撤销过了。"),
    "merge.changed": QT_TRANSLATE_NOOP("Errors", "被合并的客户记录已被改动，不能自动撤销。"),
    "merge.entry_not_found": QT_TRANSLATE_NOOP("Errors", "审计记录 {audit_seq} 不是一次客户合并。"),
    "merge.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以合并或撤销合并客户。"),
    "merge.phone_taken": QT_TRANSLATE_NOOP(
        "Errors", "被合并客户的手机号已被其他客户使用，不能自动撤销。"
    ),
    "merge.same": QT_TRANSLATE_NOOP("Errors", "请选择两位不同的客户。"),
    # showroom/services/privacy_requests.py
    "privacy.manager_only": QT_TRANSLATE_NOOP(
        "Errors", "个人信息的撤回、导出和删除请求只能由店长办理。"
    ),
    "privacy.no_marketing_consent": QT_TRANSLATE_NOOP(
        "Errors", "该客户没有同意接收营销信息，无需撤回；本店本就不得向其推销。"
    ),
    "privacy.open_business": QT_TRANSLATE_NOOP(
        "Errors", "该客户还有未办结的业务：{items}。请先办结或取消，再删除个人信息。"
    ),
    "privacy.reason_long": QT_TRANSLATE_NOOP("Errors", "删除依据最多 {limit} 个字。"),
    "privacy.reason_missing": QT_TRANSLATE_NOOP(
        "Errors", "请填写删除依据（例如客户申请的日期或编号），不要填写个人信息。"
    ),
    "privacy.retention_years": QT_TRANSLATE_NOOP("Errors", "保留年数应在 1 到 100 之间。"),
    # showroom/services/reception.py
    "booking.cancelled": (
        QT_TRANSLATE_NOOP("Errors", "预约 {booking} 已取消，请重新预约。"),
        QT_TRANSLATE_NOOP("Errors", "报名 {booking} 已取消，请重新报名。"),
    ),
    "booking.expired": (
        QT_TRANSLATE_NOOP("Errors", "预约 {booking} 已过期（预约时间已过），请重新预约。"),
        QT_TRANSLATE_NOOP("Errors", "报名 {booking} 对应的检测日已结束。"),
    ),
    "booking.too_early": (
        QT_TRANSLATE_NOOP("Errors", "预约 {booking} 的试驾时间是 {day}，请在当天到店后签到。"),
        QT_TRANSLATE_NOOP("Errors", "报名 {booking} 的检测日是 {event_date}，请在当天到店后签到。"),
    ),
    "consent.missing": QT_TRANSLATE_NOOP(
        "Errors", "请先向客户说明个人信息的使用目的，并勾选“客户已同意”。未同意不能建档。"
    ),
    "customer.name_missing": QT_TRANSLATE_NOOP("Errors", "请填写客户的姓氏或姓名。"),
    "customer.no_id_number": QT_TRANSLATE_NOOP("Errors", "该客户没有登记身份证号。"),
    "reception.no_customer": QT_TRANSLATE_NOOP("Errors", "请先输入手机号找到客户，或新建客户。"),
    "visit.bad_move": (
        QT_TRANSLATE_NOOP("Errors", "不能这样改变接待状态。"),
        QT_TRANSLATE_NOOP("Errors", "该客户的状态已被其他电脑更新，请刷新后再试。"),
    ),
    "visit.left": (
        QT_TRANSLATE_NOOP("Errors", "客户已离店，不能再改派顾问。"),
        QT_TRANSLATE_NOOP("Errors", "该客户已经登记离店。"),
    ),
    "visit.no_consultant": QT_TRANSLATE_NOOP("Errors", "请先为该客户指定接待顾问。"),
    "visit.party_size": QT_TRANSLATE_NOOP("Errors", "到店人数应在 1 到 20 之间。"),
    # showroom/services/reports.py
    "report.range_reversed": QT_TRANSLATE_NOOP("Errors", "结束日期不能早于开始日期。"),
    "report.range_too_long": QT_TRANSLATE_NOOP("Errors", "时间范围最长两年，请缩短后再试。"),
    # showroom/services/roster.py
    "roster.day_out_of_range": QT_TRANSLATE_NOOP(
        "Errors", "只能修改 {first} 到 {last} 之间的排班。"
    ),
    "roster.pattern_invalid": QT_TRANSLATE_NOOP(
        "Errors", "每周排班为 7 位，周一到周日，1 表示上班、0 表示休息，例如 1111100。"
    ),
    # showroom/services/self_check_in.py
    "kiosk.code_refused": QT_TRANSLATE_NOOP(
        "Errors", "这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。"
    ),
    "kiosk.no_store": QT_TRANSLATE_NOOP("Errors", "自助机尚未设置门店，请联系工作人员。"),
    "kiosk.slow_down": QT_TRANSLATE_NOOP("Errors", "请稍候 {seconds} 秒后再签到。"),
    "kiosk_arrival.handled": QT_TRANSLATE_NOOP("Errors", "这位客户已由其他同事接待或处理。"),
    "kiosk_arrival.not_found": QT_TRANSLATE_NOOP("Errors", "这条自助签到已不存在。"),
    # showroom/services/staff.py
    "staff.no_username": QT_TRANSLATE_NOOP("Errors", "没有用户名为“{username_text}”的员工。"),
    "staff.reason_long": QT_TRANSLATE_NOOP("Errors", "停用原因最多 100 个字。"),
    "staff.store_missing": QT_TRANSLATE_NOOP("Errors", "请指定门店。"),
    # showroom/services/stores.py
    "setup.unknown_step": QT_TRANSLATE_NOOP("Errors", "没有这个设置步骤。"),
    # showroom/services/test_drives.py
    "licence.class_not_allowed": (
        QT_TRANSLATE_NOOP("Errors", "准驾车型 {classes} 不能驾驶这辆手动挡小型汽车。"),
        QT_TRANSLATE_NOOP("Errors", "准驾车型 {classes} 不能驾驶这辆自动挡小型汽车。"),
        QT_TRANSLATE_NOOP(
            "Errors",
            "准驾车型 {classes} 不能驾驶这辆手动挡小型汽车（C2 只准驾驶自动挡，这辆车是手动挡）。",
        ),
    ),
    "licence.expired": QT_TRANSLATE_NOOP("Errors", "驾驶证已于 {valid_until} 过期，不能试驾。"),
    "licence.id_number.birth_date": QT_TRANSLATE_NOOP(
        "Errors", "驾驶证号有误：身份证号码中的出生日期不正确"
    ),
    "licence.id_number.characters": QT_TRANSLATE_NOOP(
        "Errors", "驾驶证号有误：身份证号码前 17 位应为数字，最后一位为数字或 X"
    ),
    "licence.id_number.checksum": QT_TRANSLATE_NOOP(
        "Errors", "驾驶证号有误：身份证号码校验位不符，请检查是否输错"
    ),
    "licence.id_number.length": QT_TRANSLATE_NOOP(
        "Errors", "驾驶证号有误：身份证号码应为 18 位，当前为 {length} 位"
    ),
    "licence.id_number.region": QT_TRANSLATE_NOOP(
        "Errors", "驾驶证号有误：身份证号码的地区码不正确"
    ),
    "licence.name_mismatch": QT_TRANSLATE_NOOP(
        "Errors",
        "驾驶证上的姓名“{name}”与客户档案中的姓名“{record_name}”不一致。请核对"
        "证件，必要时先更正客户姓名。",
    ),
    "licence.valid_until_missing": QT_TRANSLATE_NOOP("Errors", "请填写驾驶证有效期截止日期。"),
    "signature.too_small": QT_TRANSLATE_NOOP(
        "Errors", "{who}的签名过于简单，请用正楷或常用签名重新书写。"
    ),
    "test_drive.agreement_mismatch": QT_TRANSLATE_NOOP(
        "Errors", "协议与这个试驾预约不对应，请重新打开协议。"
    ),
    "test_drive.agreement_unsigned": QT_TRANSLATE_NOOP("Errors", "试驾协议尚未签署，不能出车。"),
    "test_drive.already_signed": QT_TRANSLATE_NOOP(
        "Errors", "这份试驾协议已经签署过了；如需再打印请用“重印”。"
    ),
    "test_drive.consent_required": QT_TRANSLATE_NOOP(
        "Errors", "请先勾选同意门店使用您的手机号办理本次预约。"
    ),
    "test_drive.fuel_invalid": QT_TRANSLATE_NOOP("Errors", "油量（电量）应在 0% 到 100% 之间。"),
    "test_drive.licence_unchecked": (
        QT_TRANSLATE_NOOP("Errors", "请先核验驾驶证，再签署试驾协议。"),
        QT_TRANSLATE_NOOP("Errors", "驾驶证尚未核验，不能出车。"),
    ),
    "test_drive.no_show_early": QT_TRANSLATE_NOOP("Errors", "预约时间还没到，不能标记为未到店。"),
    "test_drive.not_found": (
        QT_TRANSLATE_NOOP("Errors", "没有找到这个试驾预约。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到预约码为 {booking} 的试驾。"),
    ),
    "test_drive.odometer_backwards": QT_TRANSLATE_NOOP(
        "Errors", "还车里程 {odometer_km} km 小于出车里程 {out_km} km，请核对里程表。"
    ),
    "test_drive.odometer_invalid": QT_TRANSLATE_NOOP("Errors", "里程表读数不能为负数。"),
    "test_drive.slot_outside_hours": QT_TRANSLATE_NOOP(
        "Errors", "所选时段不在营业时间内（{opens}–{closes}）。"
    ),
    "test_drive.slot_past": QT_TRANSLATE_NOOP("Errors", "所选时段已经过去，请选择以后的时段。"),
    "test_drive.slot_taken": QT_TRANSLATE_NOOP(
        "Errors", "这辆车在 {start} 的时段已被预约，请换一个时段或换一辆车。"
    ),
    "test_drive.stock_no_unknown": (
        QT_TRANSLATE_NOOP("Errors", "没有找到这个库存编号的在售车辆，请核对车窗上的编号。"),
        QT_TRANSLATE_NOOP("Errors", "没有找到这个编号的在售车辆，请核对车窗展示单上的库存编号。"),
    ),
    "test_drive.surname_required": QT_TRANSLATE_NOOP("Errors", "请填写您的姓氏。"),
    "test_drive.vehicle_out": (
        QT_TRANSLATE_NOOP("Errors", "这辆车正在别的试驾中，还没有还车。"),
        QT_TRANSLATE_NOOP("Errors", "这辆车刚被另一台电脑登记出车，请刷新后再试。"),
    ),
    "test_drive.vehicle_unavailable": (
        QT_TRANSLATE_NOOP("Errors", "{brand} {model} 目前不可试驾（{why}）。"),
        QT_TRANSLATE_NOOP("Errors", "这辆车{state}，不能出车。"),
    ),
    "test_drive.wrong_state": QT_TRANSLATE_NOOP(
        "Errors", "这个试驾当前状态为“{status_label}”，不能进行此操作。"
    ),
    # showroom/services/vehicle_archive.py
    "file.missing": QT_TRANSLATE_NOOP("Errors", "{name}：文件不存在"),
    "file.too_large": QT_TRANSLATE_NOOP("Errors", "{name}：文件超过 {megabytes} MB"),
    "file.unreadable": QT_TRANSLATE_NOOP("Errors", "{name}：文件无法读取"),
    "history.description_missing": QT_TRANSLATE_NOOP("Errors", "请填写{label}"),
    "history.description_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "history.not_found": QT_TRANSLATE_NOOP("Errors", "这条记录已被删除，请刷新"),
    "intake.brand_missing": QT_TRANSLATE_NOOP("Errors", "请填写{label}"),
    "intake.brand_missing_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "intake.description_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "intake.model_missing": QT_TRANSLATE_NOOP("Errors", "请填写{label}"),
    "intake.model_missing_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "intake.trim_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "maintenance.description_missing": QT_TRANSLATE_NOOP("Errors", "请填写{label}"),
    "maintenance.description_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "maintenance.mileage_above_odometer": QT_TRANSLATE_NOOP(
        "Errors",
        "这条记录的里程 {mileage_text} 公里高于当前表显里程 {odometer_text} 公"
        "里，请核对（如属实，可能是调表车）。",
    ),
    "maintenance.mileage_invalid": QT_TRANSLATE_NOOP("Errors", "里程应在 0 到 {limit} 公里之间"),
    "maintenance.not_found": QT_TRANSLATE_NOOP("Errors", "这条记录已被删除，请刷新"),
    "maintenance.shop_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "photo.changed": QT_TRANSLATE_NOOP("Errors", "照片刚被其他人修改过，请刷新后再排序"),
    "photo.missing": QT_TRANSLATE_NOOP("Errors", "{name}：文件不存在"),
    "photo.private_cover": QT_TRANSLATE_NOOP(
        "Errors", "证件照片不对客户展示，不能作为封面，请选一张车辆照片。"
    ),
    "photo.unreadable": QT_TRANSLATE_NOOP("Errors", "{name}：文件无法读取"),
    "price_lines.amount_invalid": (
        QT_TRANSLATE_NOOP("Errors", "{label}必须大于零"),
        QT_TRANSLATE_NOOP("Errors", "{label}超出范围，请检查是否多输了位数"),
    ),
    "price_lines.label_missing": QT_TRANSLATE_NOOP("Errors", "第 {row} 行没有填写项目名称"),
    "price_lines.label_too_long": QT_TRANSLATE_NOOP("Errors", "第 {row} 行的项目名称最多 60 个字"),
    "price_lines.sum_mismatch": QT_TRANSLATE_NOOP(
        "Errors",
        "公开的价格构成合计 ¥{public_total}，与售价 ¥{list_price} "
        "相差 ¥{difference}，请调整后再保存。",
    ),
    "price_lines.too_many": QT_TRANSLATE_NOOP("Errors", "价格构成最多 {limit} 行"),
    "report.corrupt": QT_TRANSLATE_NOOP(
        "Errors", "{name}：不是可用的 PDF 文件（文件损坏或格式不对）"
    ),
    "report.empty": QT_TRANSLATE_NOOP("Errors", "{name}：PDF 没有页面"),
    "report.encrypted": QT_TRANSLATE_NOOP("Errors", "{name}：PDF 有密码保护，请导出不加密的版本"),
    "report.not_pdf": QT_TRANSLATE_NOOP("Errors", "{name}：第三方检测报告需要 PDF 文件"),
    "report.too_long": QT_TRANSLATE_NOOP(
        "Errors", "{name}：共 {pages} 页，超过 {limit} 页，请只附检测报告本身"
    ),
    "vehicle.body_type_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "vehicle.changed": QT_TRANSLATE_NOOP("Errors", "这辆车的资料刚被其他人修改过，请刷新后再改"),
    "vehicle.colour_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "vehicle.cost_invalid": (
        QT_TRANSLATE_NOOP("Errors", "{label}必须大于零"),
        QT_TRANSLATE_NOOP("Errors", "{label}超出范围，请检查是否多输了位数"),
    ),
    "vehicle.date_future": QT_TRANSLATE_NOOP("Errors", "{label}不能晚于今天"),
    "vehicle.date_range": QT_TRANSLATE_NOOP("Errors", "{label}不对，请检查年份"),
    "vehicle.emission_standard_too_long": QT_TRANSLATE_NOOP("Errors", "{label}最多 {limit} 个字"),
    "vehicle.held_fields": (
        QT_TRANSLATE_NOOP(
            "Errors", "这辆车{status_label}，{held}不能修改（意向金收据或合同上已写明）。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "这辆车{status_label}，售价和公开的价格构成不能修改（意向金收据或合同上"
            "已写明）；内部成本仍可修改。",
        ),
    ),
    "vehicle.held_history": QT_TRANSLATE_NOOP(
        "Errors", "这辆车{status_label}，事故/泡水/火烧记录已写入车况确认，不能修改。"
    ),
    "vehicle.mileage_invalid": QT_TRANSLATE_NOOP(
        "Errors", "表显里程应在 0 到 {limit} 公里之间，请检查是否多输了位数"
    ),
    "vehicle.new_price_invalid": (
        QT_TRANSLATE_NOOP("Errors", "{label}必须大于零"),
        QT_TRANSLATE_NOOP("Errors", "{label}超出范围，请检查是否多输了位数"),
    ),
    "vehicle.price_invalid": (
        QT_TRANSLATE_NOOP("Errors", "价格必须大于零"),
        QT_TRANSLATE_NOOP("Errors", "价格最多精确到分"),
        QT_TRANSLATE_NOOP("Errors", "价格超出范围，请检查是否多输了位数"),
        QT_TRANSLATE_NOOP("Errors", "请输入有效的价格（元），例如 128000"),
        QT_TRANSLATE_NOOP("Errors", "{label}必须大于零"),
        QT_TRANSLATE_NOOP("Errors", "{label}超出范围，请检查是否多输了位数"),
    ),
    "vehicle.price_lines_mismatch": QT_TRANSLATE_NOOP(
        "Errors",
        "公开的价格构成合计 ¥{total_text}，与新售价 ¥{list_price} "
        "不一致，请在“价格构成”中一起修改。",
    ),
    "vehicle.price_pending": QT_TRANSLATE_NOOP(
        "Errors", "这辆车还没有定价，请店长先在“价格构成”中填写售价再上架。"
    ),
    "vehicle.seats_invalid": QT_TRANSLATE_NOOP("Errors", "座位数应在 1 到 60 之间"),
    "vehicle.status_by_flow": QT_TRANSLATE_NOOP(
        "Errors",
        "“已预订”“试驾中”“已售”随意向金、试驾出车还车和签约合同改变，请在“定金"
        "与合同”或“试驾”页面办理。",
    ),
    "vehicle.status_change": QT_TRANSLATE_NOOP(
        "Errors", "车辆状态不能从“{old_label}”直接改为“{new_label}”"
    ),
    "vehicle.transfers_invalid": QT_TRANSLATE_NOOP("Errors", "过户次数应在 0 到 50 之间"),
    # showroom/services/vehicle_import.py
    "import.csv": QT_TRANSLATE_NOOP("Errors", "不是有效的 CSV 文件：{detail}"),
    "import.empty": QT_TRANSLATE_NOOP("Errors", "文件是空的，没有表头"),
    "import.encoding": QT_TRANSLATE_NOOP("Errors", "文件编码无法识别，请另存为 UTF-8 编码的 CSV"),
    "import.missing_columns": QT_TRANSLATE_NOOP(
        "Errors", "文件缺少“{name}”模板需要的列：{missing_text}"
    ),
    "import.no_file": QT_TRANSLATE_NOOP("Errors", "找不到文件：{path}"),
    "import.no_store": QT_TRANSLATE_NOOP("Errors", "门店“{code}”不存在，请先完成首次设置"),
    "import.unknown_columns": QT_TRANSLATE_NOOP(
        "Errors", "无法识别文件的列，请选择导入模板（{presets}）"
    ),
    "import.unknown_preset": QT_TRANSLATE_NOOP(
        "Errors", "没有名为“{preset}”的导入模板，可选：{presets}"
    ),
    "import.unreadable": QT_TRANSLATE_NOOP("Errors", "无法读取文件：{path}（{reason}）"),
    # showroom/services/vehicle_intake.py
    "intake.date_invalid": QT_TRANSLATE_NOOP(
        "Errors", "{label}“{text}”不是有效日期，请写成 2023-05-01"
    ),
    "intake.displacement": QT_TRANSLATE_NOOP("Errors", "排量不合理，请以升为单位填写，如 2.0"),
    "intake.energy_missing": QT_TRANSLATE_NOOP("Errors", "请选择能源类型"),
    "intake.ev_range": QT_TRANSLATE_NOOP("Errors", "纯电续航应在 1 到 3000 公里之间"),
    "intake.km_invalid": QT_TRANSLATE_NOOP(
        "Errors", "{label}“{text}”不是公里数，请写成 28000 或 2.8万"
    ),
    "intake.mileage_missing": QT_TRANSLATE_NOOP("Errors", "请填写表显里程"),
    "intake.registration_before_year": QT_TRANSLATE_NOOP(
        "Errors", "初次登记日期早于 {year} 款车型上市，请核对年款或日期"
    ),
    "intake.registration_future": QT_TRANSLATE_NOOP("Errors", "初次登记日期不能晚于今天"),
    "intake.transmission_missing": QT_TRANSLATE_NOOP("Errors", "请选择变速箱"),
    "intake.vin_missing": QT_TRANSLATE_NOOP(
        "Errors", "请填写车架号（VIN），在前挡风玻璃左下角或行驶证上"
    ),
    "intake.vin_taken": QT_TRANSLATE_NOOP(
        "Errors", "车架号 {vin} 已属于库存车 {stock_no}{gone}，同一辆车不能重复入库。"
    ),
    "intake.vin_unconfirmed": QT_TRANSLATE_NOOP(
        "Errors",
        "车架号校验位不符。欧洲、日本等进口车可能不用校验位：请对照车辆核对后勾选“已核对车架号”。",
    ),
    "intake.year_missing": QT_TRANSLATE_NOOP("Errors", "请填写年款（车架号未能读出年款）"),
    "intake.year_range": QT_TRANSLATE_NOOP("Errors", "年款应在 {earliest} 到 {latest} 之间"),
    # showroom/services/vehicles.py
    "grants.manager_only": QT_TRANSLATE_NOOP("Errors", "只有店长可以设置岗位权限。"),
    "grants.unknown": QT_TRANSLATE_NOOP("Errors", "没有这项权限。"),
    "vehicle.facts_denied": QT_TRANSLATE_NOOP(
        "Errors", "只有整备/评估人员和店长（或门店授权的岗位）可以修改车辆资料和照片。"
    ),
    "vehicle.kiosk_write": QT_TRANSLATE_NOOP("Errors", "自助机不能修改车辆资料"),
    "vehicle.lookup_missing": QT_TRANSLATE_NOOP("Errors", "请输入库存编号或车牌号。"),
    "vehicle.lookup_unknown": QT_TRANSLATE_NOOP(
        "Errors", "没有找到库存编号或车牌为 {typed} 的车辆。"
    ),
    "vehicle.prices_denied": QT_TRANSLATE_NOOP(
        "Errors", "只有店长（或门店授权的岗位）可以修改售价、收车成本和价格构成。"
    ),
    # showroom/sync/conflicts.py
    "edit.conflict": (
        QT_TRANSLATE_NOOP(
            "Errors", "保存前这条记录已被其他电脑修改，你的修改没有保存。请核对后重新保存。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "保存前这条记录已被其他电脑修改，你的修改没有保存。两个版本不同之处：{d"
            "ifferences}。请核对后重新保存。",
        ),
    ),
    "edit.not_found": QT_TRANSLATE_NOOP("Errors", "这条记录已不存在（可能已被合并或删除）。"),
    # showroom/vehicle_links.py
    "settings.vehicle_public_url": QT_TRANSLATE_NOOP(
        "Errors", "车辆网址模板必须包含 {{stock_no}}（在设置中修改）"
    ),
    "vehicle.no_stock_no": QT_TRANSLATE_NOOP("Errors", "车辆没有库存编号，无法生成二维码地址"),
    # showroom/web/publish.py
    "publish.no_url": QT_TRANSLATE_NOOP(
        "Errors",
        "请店长先在“员工 → 门店资料”填写车辆公开网址（网站根地址，例如 https://"
        "www.example.cn/，车辆在其下的 cars/库存编号）：二维码和 sitemap 都用它"
        "。",
    ),
    "publish.url_shape": QT_TRANSLATE_NOOP(
        "Errors",
        "车辆公开网址“{template}”不是以 cars/{{stock_no}} 结尾，静态网站无法对"
        "应；请改成例如 https://www.example.cn/cars/{{stock_no}}。",
    ),
    # showroom/web/server.py
    "web.port": QT_TRANSLATE_NOOP(
        "Errors", "无法在端口 {port} 上启动网页服务：{detail}。请换一个端口（--port）。"
    ),
    "web.schema": QT_TRANSLATE_NOOP(
        "Errors",
        "数据库结构版本（{current}）与本程序（{head}）不一致，网页服务不会启动"
        "。请先运行 “showroom db upgrade” 或升级本程序。",
    ),
    # follow-up cadence and after-sales (i23, i24)
    "reminder.denied": QT_TRANSLATE_NOOP("Errors", "只有销售顾问和店长可以处理购车客户提醒。"),
    "reminder.kind": QT_TRANSLATE_NOOP("Errors", "未知的提醒类型。"),
    "reminder.status": QT_TRANSLATE_NOOP("Errors", "请选择已发送或跳过。"),
    "reminder.channel": QT_TRANSLATE_NOOP("Errors", "请选择发送方式。"),
    "reminder.message_too_long": QT_TRANSLATE_NOOP("Errors", "短信内容最多 {limit} 个字。"),
    "complaint.owner_unknown": QT_TRANSLATE_NOOP(
        "Errors", "所选负责人不在本店或已停用，请重新选择。"
    ),
    "complaint.topic": QT_TRANSLATE_NOOP("Errors", "请选择投诉的类别。"),
    "complaint.hours": QT_TRANSLATE_NOOP("Errors", "投诉响应时限应在 1 到 336 小时之间。"),
    "complaint.customer_unknown": QT_TRANSLATE_NOOP("Errors", "没有找到这位客户，请重新查找。"),
    "complaint.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这条投诉。"),
    "complaint.closed": QT_TRANSLATE_NOOP(
        "Errors", "投诉 {complaint_no} 已经处理完毕（可能是另一台电脑刚刚完成），请刷新。"
    ),
    "complaint.reassign_denied": QT_TRANSLATE_NOOP(
        "Errors", "只有店长或这条投诉的负责人可以转交投诉。"
    ),
    "complaint.satisfaction": QT_TRANSLATE_NOOP("Errors", "满意度请选择 1 到 5 分，或留空。"),
    "complaint.resolve_denied": QT_TRANSLATE_NOOP(
        "Errors", "只有店长或这条投诉的负责人可以登记处理结果。"
    ),
    "complaint.description_missing": QT_TRANSLATE_NOOP("Errors", "请写明投诉的内容。"),
    "complaint.resolution_missing": QT_TRANSLATE_NOOP("Errors", "请写明处理结果。"),
    "contract.trade_in_over_price": QT_TRANSLATE_NOOP(
        "Errors", "意向金 {deposit} 与置换车辆作价 {credit} 合计超过成交价 {price}，请核对。"
    ),
    "contract.trade_in_unsigned": QT_TRANSLATE_NOOP(
        "Errors", "置换车辆须先签订收车协议、收购入库后才能抵作车款。"
    ),
    "contract.trade_in_other_customer": QT_TRANSLATE_NOOP(
        "Errors", "收车协议 {purchase_no} 的卖方不是本合同的买受人，不能置换抵扣。"
    ),
    "contract.trade_in_used": QT_TRANSLATE_NOOP(
        "Errors", "收车协议 {purchase_no} 的车款已抵扣在合同 {contract_no} 中。"
    ),
    "contract.trade_in_changed": QT_TRANSLATE_NOOP(
        "Errors", "置换车辆作价已变化，请作废此稿后重新起草。"
    ),
    "follow_up.comment_too_long": QT_TRANSLATE_NOOP("Errors", "满意度评价最多 {limit} 个字。"),
    "follow_up.comment_without_score": QT_TRANSLATE_NOOP("Errors", "请先选择满意度评分。"),
    "follow_up.lost_after_sale": QT_TRANSLATE_NOOP(
        "Errors", "已成交客户的售后回访不记录战败原因。"
    ),
    "lost_reason.unknown": QT_TRANSLATE_NOOP(
        "Errors", "“{label}”不在本店的战败原因列表中，请从列表中选择。"
    ),
    "lost_reason.denied": QT_TRANSLATE_NOOP("Errors", "只有店长可以修改战败原因列表。"),
    "lost_reason.too_many": QT_TRANSLATE_NOOP("Errors", "战败原因最多 {limit} 项。"),
    "lost_reason.too_long": QT_TRANSLATE_NOOP("Errors", "“{label}”太长：每项最多 {limit} 个字。"),
    "lost_reason.duplicate": QT_TRANSLATE_NOOP("Errors", "“{label}”重复了。"),
    "merge.referral_between": QT_TRANSLATE_NOOP(
        "Errors", "这两位客户之间有推荐记录（一人推荐了另一人），不是同一个人，不能合并。"
    ),
    "purchase.inspection_unknown": (
        QT_TRANSLATE_NOOP("Errors", "没有找到这份检测记录。"),
        QT_TRANSLATE_NOOP("Errors", "没有检测报告 {report_no}。"),
    ),
    "purchase.inspection_draft": QT_TRANSLATE_NOOP(
        "Errors", "检测记录 {report_no} 尚未定稿，不能据此收车。"
    ),
    "purchase.inspection_superseded": QT_TRANSLATE_NOOP(
        "Errors", "检测记录 {report_no} 已有更正后的新版本，请按最新版本收车。"
    ),
    "purchase.no_valuation": QT_TRANSLATE_NOOP(
        "Errors", "检测记录 {report_no} 还没有估价，请评估师先填写估价区间。"
    ),
    "purchase.no_vin": QT_TRANSLATE_NOOP(
        "Errors", "检测记录 {report_no} 没有车架号，收车入库需要车架号。"
    ),
    "purchase.price_missing": QT_TRANSLATE_NOOP("Errors", "请填写收购价。"),
    "purchase.seller_id_missing": QT_TRANSLATE_NOOP(
        "Errors", "请填写卖方的身份证号码，收车和过户都需要。"
    ),
    "purchase.keys": QT_TRANSLATE_NOOP("Errors", "车钥匙数量应在 1 到 9 把之间。"),
    "purchase.reference_missing": QT_TRANSLATE_NOOP(
        "Errors", "{method_label}付款请填写交易单号或流水号，便于对账。"
    ),
    "purchase.papers_missing": QT_TRANSLATE_NOOP(
        "Errors", "收车须交接机动车行驶证和机动车登记证书（绿本）。"
    ),
    "purchase.seller_unknown": QT_TRANSLATE_NOOP("Errors", "没有找到这位卖方客户，请重新查找。"),
    "purchase.seller_id_mismatch": QT_TRANSLATE_NOOP(
        "Errors", "所填身份证号码与客户档案中的不一致，请核对卖方本人证件。"
    ),
    "purchase.already_bought": (
        QT_TRANSLATE_NOOP(
            "Errors", "检测报告 {report_no} 的车辆已按收车协议 {purchase_no} 收购入库。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors",
            "检测报告 {report_no} 的车辆刚按收车协议 {purchase_no} 收购入库（另一台电脑），"
            "本协议未签订。",
        ),
        QT_TRANSLATE_NOOP(
            "Errors", "检测报告 {report_no} 的车辆刚被另一台电脑收购入库，本协议未签订。"
        ),
    ),
    "purchase.not_found": (
        QT_TRANSLATE_NOOP("Errors", "没有找到这份收车协议。"),
        QT_TRANSLATE_NOOP("Errors", "没有收车协议 {purchase_no}。"),
    ),
    "purchase.not_draft": (
        QT_TRANSLATE_NOOP("Errors", "收车协议 {purchase_no} 已签订，请刷新。"),
        QT_TRANSLATE_NOOP("Errors", "收车协议 {purchase_no} 已作废，请刷新。"),
        QT_TRANSLATE_NOOP("Errors", "收车协议 {purchase_no} 不是草稿。"),
    ),
    "purchase.paper_mismatch": QT_TRANSLATE_NOOP("Errors", "签署的协议与记录不对应，请重新打开。"),
    "purchase.report_missing": QT_TRANSLATE_NOOP("Errors", "请输入检测报告编号。"),
    "referral.amount_invalid": QT_TRANSLATE_NOOP("Errors", "请输入奖励金额，例如 500 或 500.00。"),
    "referral.amount_range": QT_TRANSLATE_NOOP("Errors", "奖励金额应大于 0、不超过 {limit} 元。"),
    "referral.amount_cents": QT_TRANSLATE_NOOP("Errors", "奖励金额最多两位小数（精确到分）。"),
    "referral.denied": QT_TRANSLATE_NOOP("Errors", "只有销售顾问和店长可以登记推荐。"),
    "referral.self": QT_TRANSLATE_NOOP("Errors", "客户不能推荐自己。"),
    "referral.reward_kind": QT_TRANSLATE_NOOP("Errors", "请选择奖励方式。"),
    "referral.gift_missing": QT_TRANSLATE_NOOP("Errors", "请写明赠送的礼品。"),
    "referral.gift_too_long": QT_TRANSLATE_NOOP("Errors", "礼品最多 {limit} 个字。"),
    "referral.note_too_long": QT_TRANSLATE_NOOP("Errors", "备注最多 {limit} 个字。"),
    "referral.already": QT_TRANSLATE_NOOP("Errors", "这位客户已经登记过推荐人。"),
    "referral.pay_denied": QT_TRANSLATE_NOOP("Errors", "只有店长可以登记推荐奖励已兑现。"),
    "referral.not_found": QT_TRANSLATE_NOOP("Errors", "这条推荐记录不存在。"),
    "referral.no_reward": QT_TRANSLATE_NOOP("Errors", "这条推荐没有约定奖励。"),
    "referral.already_paid": QT_TRANSLATE_NOOP("Errors", "这笔推荐奖励已经兑现过了。"),
    "return.manager_only": QT_TRANSLATE_NOOP("Errors", "退车须由店长办理。"),
    "return.not_a_sale": QT_TRANSLATE_NOOP("Errors", "{contract_no} 不是买卖合同，不能据此退车。"),
    "return.already_returned": (
        QT_TRANSLATE_NOOP(
            "Errors", "合同 {contract_no} 的车辆已经退回（可能是另一台电脑刚刚办理），请刷新。"
        ),
        QT_TRANSLATE_NOOP(
            "Errors", "合同 {contract_no} 的车辆刚被另一台电脑办理了退车，本次未保存。"
        ),
    ),
    "return.not_signed": QT_TRANSLATE_NOOP(
        "Errors", "合同 {contract_no} 尚未签订，不需要退车；草稿可以作废。"
    ),
    "return.mileage_missing": QT_TRANSLATE_NOOP("Errors", "请填写退车时的表显里程。"),
    "return.mileage_invalid": (
        QT_TRANSLATE_NOOP("Errors", "退车里程 {km} 公里不合理。"),
        QT_TRANSLATE_NOOP("Errors", "退车里程“{text}”不是整数公里数。"),
    ),
    "return.deduction_label": QT_TRANSLATE_NOOP("Errors", "第 {line} 项扣除费用没有写明名目。"),
    "return.deduction_amount": QT_TRANSLATE_NOOP("Errors", "扣除费用“{item}”没有填写金额。"),
    "return.deductions_many": QT_TRANSLATE_NOOP(
        "Errors", "扣除费用最多 {limit} 项，请合并同类费用。"
    ),
    "return.deductions_over_price": QT_TRANSLATE_NOOP(
        "Errors", "扣除费用合计 {total} 超过了成交价 {price}。"
    ),
    "return.reason_missing": QT_TRANSLATE_NOOP("Errors", "请填写退车原因。"),
    "return.condition_missing": QT_TRANSLATE_NOOP(
        "Errors", "请记录退车时的车况（外观、内饰、证件、钥匙、物品）。"
    ),
    "return.reference_missing": QT_TRANSLATE_NOOP(
        "Errors", "{method_label}退款请填写交易单号或流水号，便于对账。"
    ),
    "return.window_closed": QT_TRANSLATE_NOOP(
        "Errors",
        "合同 {contract_no} 于 {delivered} 交车，已过 {days} 天，"
        "超过 {limit} 天的退车期限，不能按七日退车办理。",
    ),
    "return.vehicle_not_sold": QT_TRANSLATE_NOOP("Errors", "车辆 {stock_no} 不是已售状态。"),
    "return.mileage_below_sale": QT_TRANSLATE_NOOP(
        "Errors", "退车里程 {mileage} 公里低于合同交车里程 {sale} 公里，请核对表显里程。"
    ),
    "return.mileage_over": QT_TRANSLATE_NOOP(
        "Errors", "交车后已行驶 {driven} 公里，超过退车条件的 {limit} 公里，不能按七日退车办理。"
    ),
    "return.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这条退车记录。"),
    "return.paper_mismatch": QT_TRANSLATE_NOOP("Errors", "协议与这条退车记录不对应，请重新打开。"),
    "target.metric": QT_TRANSLATE_NOOP("Errors", "未知的指标。"),
    "target.number": QT_TRANSLATE_NOOP("Errors", "目标和预警线请填整数。"),
    "target.warning_without_target": QT_TRANSLATE_NOOP("Errors", "请先设目标，再设预警线。"),
    "target.range": QT_TRANSLATE_NOOP("Errors", "目标应在 1 到 {limit} 之间。"),
    "target.consultant_store": QT_TRANSLATE_NOOP("Errors", "只能为本店的销售顾问设置个人目标。"),
    "warranty.symptom_missing": QT_TRANSLATE_NOOP("Errors", "请记录客户描述的故障现象。"),
    "warranty.diagnosis_missing": QT_TRANSLATE_NOOP("Errors", "请填写检查诊断的结果。"),
    "warranty.reason_missing": QT_TRANSLATE_NOOP("Errors", "请写明保修或不予保修的理由。"),
    "warranty.mileage_missing": QT_TRANSLATE_NOOP("Errors", "请填写报修时的表显里程。"),
    "warranty.mileage_invalid": (
        QT_TRANSLATE_NOOP("Errors", "里程 {km} 公里不合理。"),
        QT_TRANSLATE_NOOP("Errors", "里程“{text}”不是整数公里数。"),
    ),
    "warranty.not_sold": QT_TRANSLATE_NOOP(
        "Errors", "{contract_no} 不是已签订的买卖合同，不能据此索赔。"
    ),
    "warranty.returned": QT_TRANSLATE_NOOP(
        "Errors", "合同 {contract_no} 的车辆已退回，保修随之终止。"
    ),
    "warranty.sale_missing": QT_TRANSLATE_NOOP("Errors", "请输入合同编号、库存编号或车牌号。"),
    "warranty.sale_unknown": QT_TRANSLATE_NOOP(
        "Errors", "没有找到“{text}”对应的已售车辆或买卖合同。"
    ),
    "warranty.part": QT_TRANSLATE_NOOP("Errors", "保修只包括发动机和变速箱，请选择报修部件。"),
    "warranty.photos_many": QT_TRANSLATE_NOOP("Errors", "照片最多 {limit} 张。"),
    "warranty.mileage_below_sale": QT_TRANSLATE_NOOP(
        "Errors", "报修里程 {mileage} 公里低于交车里程 {sale} 公里，请核对表显里程。"
    ),
    "warranty.decide_denied": QT_TRANSLATE_NOOP("Errors", "保修结论须由评估师或店长作出。"),
    "warranty.not_found": QT_TRANSLATE_NOOP("Errors", "没有找到这张索赔单。"),
    "warranty.decided": QT_TRANSLATE_NOOP(
        "Errors", "索赔单 {claim_no} 已有结论（可能是另一台电脑刚刚填写）。"
    ),
    "warranty.outside_terms": QT_TRANSLATE_NOOP(
        "Errors", "索赔单 {claim_no} 报修时已超出保修期限或里程，不能按保修处理。"
    ),
    "warranty.covered_paid": QT_TRANSLATE_NOOP(
        "Errors", "保修范围内的维修客户不承担费用，请把客户承担费用改为 0。"
    ),
    "warranty.paper_mismatch": QT_TRANSLATE_NOOP("Errors", "索赔单与记录不对应，请重新打开。"),
    "warranty.undecided": QT_TRANSLATE_NOOP(
        "Errors", "索赔单 {claim_no} 还没有结论，出结论后再打印存档。"
    ),
    "warranty.customer_unknown": QT_TRANSLATE_NOOP("Errors", "没有这个手机号的客户。"),
}


# Field and state names the services put into messages in Chinese (``label`` and
# ``*_label`` params: form field names of showroom.fields and the vehicle forms, the
# states of deposits, test drives, registrations and cars, archived paper kinds). Listed
# so that lupdate keeps them; ``error_text`` translates such params in context "Errors".
_LABELS = (
    QT_TRANSLATE_NOOP("Errors", "姓名"),
    QT_TRANSLATE_NOOP("Errors", "单位名称"),
    QT_TRANSLATE_NOOP("Errors", "用途"),
    QT_TRANSLATE_NOOP("Errors", "意向品牌"),
    QT_TRANSLATE_NOOP("Errors", "意向车型"),
    QT_TRANSLATE_NOOP("Errors", "购车周期"),
    QT_TRANSLATE_NOOP("Errors", "备注"),
    QT_TRANSLATE_NOOP("Errors", "调整原因"),
    QT_TRANSLATE_NOOP("Errors", "回访结果"),
    QT_TRANSLATE_NOOP("Errors", "标签名称"),
    QT_TRANSLATE_NOOP("Errors", "沟通内容"),
    QT_TRANSLATE_NOOP("Errors", "客户答复"),
    QT_TRANSLATE_NOOP("Errors", "下一步"),
    QT_TRANSLATE_NOOP("Errors", "称呼"),
    QT_TRANSLATE_NOOP("Errors", "平台"),
    QT_TRANSLATE_NOOP("Errors", "平台线索编号"),
    QT_TRANSLATE_NOOP("Errors", "咨询车辆"),
    QT_TRANSLATE_NOOP("Errors", "留言"),
    QT_TRANSLATE_NOOP("Errors", "关闭原因"),
    QT_TRANSLATE_NOOP("Errors", "交易单号或流水号"),
    QT_TRANSLATE_NOOP("Errors", "颜色"),
    QT_TRANSLATE_NOOP("Errors", "卖方补充说明"),
    QT_TRANSLATE_NOOP("Errors", "退车原因"),
    QT_TRANSLATE_NOOP("Errors", "退车车况"),
    QT_TRANSLATE_NOOP("Errors", "扣除费用名目"),
    QT_TRANSLATE_NOOP("Errors", "故障现象"),
    QT_TRANSLATE_NOOP("Errors", "检查诊断"),
    QT_TRANSLATE_NOOP("Errors", "保修理由"),
    QT_TRANSLATE_NOOP("Errors", "品牌"),
    QT_TRANSLATE_NOOP("Errors", "车系"),
    QT_TRANSLATE_NOOP("Errors", "车型版本"),
    QT_TRANSLATE_NOOP("Errors", "车身颜色"),
    QT_TRANSLATE_NOOP("Errors", "排放标准"),
    QT_TRANSLATE_NOOP("Errors", "车身类型"),
    QT_TRANSLATE_NOOP("Errors", "车况说明"),
    QT_TRANSLATE_NOOP("Errors", "情况说明"),
    QT_TRANSLATE_NOOP("Errors", "保养地点"),
    QT_TRANSLATE_NOOP("Errors", "保养内容"),
    QT_TRANSLATE_NOOP("Errors", "价格"),
    QT_TRANSLATE_NOOP("Errors", "售价"),
    QT_TRANSLATE_NOOP("Errors", "新车指导价"),
    QT_TRANSLATE_NOOP("Errors", "收车成本"),
    QT_TRANSLATE_NOOP("Errors", "表显里程"),
    QT_TRANSLATE_NOOP("Errors", "纯电续航"),
    QT_TRANSLATE_NOOP("Errors", "里程"),
    QT_TRANSLATE_NOOP("Errors", "发生日期"),
    QT_TRANSLATE_NOOP("Errors", "保养日期"),
    QT_TRANSLATE_NOOP("Errors", "有效（车辆已预订）"),
    QT_TRANSLATE_NOOP("Errors", "已抵车款"),
    QT_TRANSLATE_NOOP("Errors", "已退还"),
    QT_TRANSLATE_NOOP("Errors", "已没收"),
    QT_TRANSLATE_NOOP("Errors", "已过期"),
    QT_TRANSLATE_NOOP("Errors", "现金"),
    QT_TRANSLATE_NOOP("Errors", "微信支付"),
    QT_TRANSLATE_NOOP("Errors", "支付宝"),
    QT_TRANSLATE_NOOP("Errors", "银行卡"),
    QT_TRANSLATE_NOOP("Errors", "转账"),
    QT_TRANSLATE_NOOP("Errors", "已预约"),
    QT_TRANSLATE_NOOP("Errors", "试驾中"),
    QT_TRANSLATE_NOOP("Errors", "已还车"),
    QT_TRANSLATE_NOOP("Errors", "已取消"),
    QT_TRANSLATE_NOOP("Errors", "未到店"),
    QT_TRANSLATE_NOOP("Errors", "已报名"),
    QT_TRANSLATE_NOOP("Errors", "候补"),
    QT_TRANSLATE_NOOP("Errors", "已签到"),
    QT_TRANSLATE_NOOP("Errors", "检测中/已检"),
    QT_TRANSLATE_NOOP("Errors", "未到场"),
    QT_TRANSLATE_NOOP("Errors", "整备中"),
    QT_TRANSLATE_NOOP("Errors", "在售"),
    QT_TRANSLATE_NOOP("Errors", "已预订"),
    QT_TRANSLATE_NOOP("Errors", "已售"),
    QT_TRANSLATE_NOOP("Errors", "试驾协议"),
    QT_TRANSLATE_NOOP("Errors", "意向金收据"),
    QT_TRANSLATE_NOOP("Errors", "合同"),
    QT_TRANSLATE_NOOP("Errors", "检测报告"),
    QT_TRANSLATE_NOOP("Errors", "车辆信息单"),
    QT_TRANSLATE_NOOP("Errors", "车型对比"),
    QT_TRANSLATE_NOOP("Errors", "检测日报名单"),
    QT_TRANSLATE_NOOP("Errors", "首次回访间隔"),
    QT_TRANSLATE_NOOP("Errors", "回访周期"),
)


# Keys the services pass instead of Chinese words, and their names in the UI's language.
# Store profile fields, by the letterhead's keys (``missing`` of store.profile_incomplete).
_STORE_PAPER_FIELDS = {
    "store_name": QT_TRANSLATE_NOOP("Errors", "门店名称"),
    "store_address": QT_TRANSLATE_NOOP("Errors", "门店地址"),
    "store_phone": QT_TRANSLATE_NOOP("Errors", "联系电话"),
    "store_credit_code": QT_TRANSLATE_NOOP("Errors", "统一社会信用代码"),
    "store_bank_name": QT_TRANSLATE_NOOP("Errors", "开户银行"),
    "store_bank_account": QT_TRANSLATE_NOOP("Errors", "银行账号"),
}
# Store profile fields, by the form's keys (``key`` of store.field_long).
_STORE_FORM_FIELDS = {
    "name": QT_TRANSLATE_NOOP("Errors", "门店名称"),
    "address": QT_TRANSLATE_NOOP("Errors", "门店地址"),
    "phone": QT_TRANSLATE_NOOP("Errors", "联系电话"),
    "credit_code": QT_TRANSLATE_NOOP("Errors", "统一社会信用代码"),
    "bank_name": QT_TRANSLATE_NOOP("Errors", "开户银行"),
    "bank_account": QT_TRANSLATE_NOOP("Errors", "银行账号"),
    "public_url": QT_TRANSLATE_NOOP("Errors", "车辆公开网址"),
    "letterhead": QT_TRANSLATE_NOOP("Errors", "抬头附加文字"),
}
# Customer record fields, by column (``fields`` of edit.conflict).
_CUSTOMER_FIELDS = {
    "name": QT_TRANSLATE_NOOP("Errors", "姓名"),
    "title": QT_TRANSLATE_NOOP("Errors", "称谓"),
    "phone": QT_TRANSLATE_NOOP("Errors", "手机号"),
    "phone2": QT_TRANSLATE_NOOP("Errors", "第二联系电话"),
    "kind": QT_TRANSLATE_NOOP("Errors", "客户类型"),
    "company_name": QT_TRANSLATE_NOOP("Errors", "单位名称"),
    "role": QT_TRANSLATE_NOOP("Errors", "客户角色"),
    "intent_grade": QT_TRANSLATE_NOOP("Errors", "意向等级"),
    "budget_min": QT_TRANSLATE_NOOP("Errors", "预算下限"),
    "budget_max": QT_TRANSLATE_NOOP("Errors", "预算上限"),
    "intended_use": QT_TRANSLATE_NOOP("Errors", "用途"),
    "preferred_brands": QT_TRANSLATE_NOOP("Errors", "意向品牌"),
    "preferred_models": QT_TRANSLATE_NOOP("Errors", "意向车型"),
    "decision_cycle": QT_TRANSLATE_NOOP("Errors", "购车周期"),
    "payment_preference": QT_TRANSLATE_NOOP("Errors", "付款方式"),
    "notes": QT_TRANSLATE_NOOP("Errors", "备注"),
}
# Inspection checklist sections (the items themselves are the store's own names).
_INSPECTION_SECTIONS = {
    "body": QT_TRANSLATE_NOOP("Errors", "车身"),
    "engine_bay": QT_TRANSLATE_NOOP("Errors", "发动机舱"),
    "cabin": QT_TRANSLATE_NOOP("Errors", "驾驶舱"),
    "start": QT_TRANSLATE_NOOP("Errors", "启动"),
    "road_test": QT_TRANSLATE_NOOP("Errors", "路试"),
    "chassis": QT_TRANSLATE_NOOP("Errors", "底盘"),
}
# What keeps a customer's personal data (``open`` of privacy.open_business).
_OPEN_BUSINESS = {
    "referral_reward": QT_TRANSLATE_NOOP("Errors", "未兑现的推荐奖励"),
    "deposit": QT_TRANSLATE_NOOP("Errors", "有效的意向金（车辆仍为其保留）"),
    "contract_draft": QT_TRANSLATE_NOOP("Errors", "未签订的合同草稿"),
    "test_drive": QT_TRANSLATE_NOOP("Errors", "未完成的试驾预约"),
    "registration": QT_TRANSLATE_NOOP("Errors", "未完成的检测日报名"),
    "visit": QT_TRANSLATE_NOOP("Errors", "尚未离店的到店记录"),
}
_UNKNOWN = QT_TRANSLATE_NOOP("Errors", "未知")
_NONE = QT_TRANSLATE_NOOP("Errors", "空")
_FILE = QT_TRANSLATE_NOOP("Errors", "文件")  # the kind_label of a document of no known kind


def _join(items: Iterable[Any]) -> str:
    """A list in the UI's language: "、" in Chinese, ", " in English."""
    return QCoreApplication.translate("Errors", "、").join(str(item) for item in items)


def _named(table: dict[str, str], key: Any) -> str:
    """The name of ``key`` in ``table``, translated; an unknown key as it is."""
    found = table.get(str(key))
    return _tr(found) if found is not None else str(key)


def _store_fields(p: dict[str, Any]) -> dict[str, Any]:
    return {"fields": _join(_named(_STORE_PAPER_FIELDS, k) for k in p.get("missing", ()))}


def _store_field(p: dict[str, Any]) -> dict[str, Any]:
    return {"field": _named(_STORE_FORM_FIELDS, p["key"])} if "key" in p else {}


def _required_items(p: dict[str, Any]) -> dict[str, Any]:
    if "items" not in p:
        return {}
    names = _join(
        QCoreApplication.translate("Errors", "{section}·{item}").format(
            section=_named(_INSPECTION_SECTIONS, s), item=item
        )
        for s, item in p["items"]
    )
    count = int(p.get("count", 0))
    more = (
        QCoreApplication.translate("Errors", " 等 {count} 项").format(count=count)
        if count > len(p["items"])
        else ""
    )
    return {"names": names, "more": more}


def _open_business(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "items": _join(
            QCoreApplication.translate("Errors", "{what} {count} 项").format(
                what=_named(_OPEN_BUSINESS, key), count=count
            )
            for key, count in p.get("open", ())
        )
    }


def _differences(p: dict[str, Any]) -> dict[str, Any]:
    if "differences" not in p:
        return {}
    return {
        "differences": QCoreApplication.translate("Errors", "；").join(
            QCoreApplication.translate(
                "Errors", "{field}：已保存为“{theirs}”，你填写的是“{yours}”"
            ).format(field=_named(_CUSTOMER_FIELDS, name), theirs=v["theirs"], yours=v["yours"])
            for name, v in p.get("fields", {}).items()
        )
    }


def _unknown_if_empty(*names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda p: {n: _tr(_UNKNOWN) for n in names if n in p and not p[n]}


def _listed(name: str, source: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda p: {name: _join(p[source])} if source in p else {}


def _lead_where(p: dict[str, Any]) -> dict[str, Any]:
    where = str(p.get("where", ""))
    return (
        {"where": QCoreApplication.translate("Errors", "，") + where[1:]}
        if where.startswith("，")
        else {}
    )


# Params of a refusal worded in the UI's language from the keys and lists the service
# passed (the service's own params of the same names are its Chinese wording).
_WORDED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "store.profile_incomplete": _store_fields,
    "store.field_long": _store_field,
    "inspection.required_missing": _required_items,
    "privacy.open_business": _open_business,
    "edit.conflict": _differences,
    "contract.vehicle_reserved_by_other": _unknown_if_empty("consultant_name"),
    "deposit.vehicle_reserved": _unknown_if_empty("consultant"),
    "web.schema": lambda p: {"current": p.get("current") or _tr(_NONE)},
    "document.kind_unknown": _listed("choices", "choice_list"),
    "import.unknown_columns": _listed("presets", "preset_names"),
    "import.unknown_preset": _listed("presets", "preset_names"),
    # the column headers are what the file must hold, so they stay as written
    "import.missing_columns": _listed("missing_text", "missing"),
    "lead.duplicate": _lead_where,
}


def _filled(source: str, params: dict[str, Any]) -> str | None:
    try:
        return source.format(**params)
    except (KeyError, IndexError, ValueError):
        return None


def _template_of(exc: ShowroomError) -> str | None:
    """The template of ``exc``: of a code with several wordings, the one that, filled with
    the error's params, gives the service's message; else the first one."""
    found = _TEMPLATES.get(exc.code)
    if found is None or isinstance(found, str):
        return found
    for source in found:
        if _filled(source, exc.params) == exc.message:
            return source
    return found[0]


def _shown_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """Params for a translated template: a field or state name (``label``, ``*_label``)
    that the services pass in Chinese is translated too when a translation exists, and
    lists and keys are worded in the UI's language (``_WORDED``)."""
    shown = {
        name: _tr(value)
        if isinstance(value, str) and (name == "label" or name.endswith("_label"))
        else value
        for name, value in params.items()
    }
    worded = _WORDED.get(code)
    if worded is not None:
        shown.update(worded(params))
    names = {k: v for k, v in shown.items() if k.endswith("name") and isinstance(v, str) and v}
    if names:
        # A customer's name as the services compose it (王先生) reads Mr Wang in English.
        from ui.widgets.names import shown_name  # after the first paint: it needs the models

        shown.update({k: shown_name(v) for k, v in names.items()})
    return shown


def error_text(exc: BaseException) -> str:
    """One sentence for the user about an expected failure (see the module docstring)."""
    if isinstance(exc, ShowroomError):
        source = _template_of(exc)
        if source is not None:
            translated = _tr(source)
            if translated != source:
                try:
                    return translated.format(**_shown_params(exc.code, exc.params))
                except (KeyError, IndexError, ValueError, TypeError):
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
