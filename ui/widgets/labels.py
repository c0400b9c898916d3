"""Display names for the stored codes (roles, statuses, channels, audit actions).

The database keeps stable English codes; people see these Chinese labels (or
their English translations). Unknown codes fall back to the code itself, so a
newer database never crashes an older screen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from db.enums import (
    CustomerKind,
    CustomerRole,
    IntentGrade,
    InteractionChannel,
    LeadStatus,
    PaymentPreference,
    Role,
    RosterStatus,
    SourceChannel,
    TestDriveStatus,
    Title,
    VehicleStatus,
    VisitStatus,
)

_CONTEXT = "Labels"

ROLES = {
    Role.GROUP_MANAGER: QT_TRANSLATE_NOOP("Labels", "集团管理"),
    Role.MANAGER: QT_TRANSLATE_NOOP("Labels", "店长"),
    Role.RECEPTION: QT_TRANSLATE_NOOP("Labels", "前台"),
    Role.SALES: QT_TRANSLATE_NOOP("Labels", "销售顾问"),
    Role.APPRAISER: QT_TRANSLATE_NOOP("Labels", "评估师"),
}

ROSTER_STATUSES = {
    RosterStatus.ON_DUTY: QT_TRANSLATE_NOOP("Labels", "加班"),
    RosterStatus.DAY_OFF: QT_TRANSLATE_NOOP("Labels", "调休"),
    RosterStatus.LEAVE: QT_TRANSLATE_NOOP("Labels", "休假"),
    RosterStatus.SICK: QT_TRANSLATE_NOOP("Labels", "病假"),
    RosterStatus.OFF_SITE: QT_TRANSLATE_NOOP("Labels", "外出"),
}

VEHICLE_STATUSES = {
    VehicleStatus.PREPARING: QT_TRANSLATE_NOOP("Labels", "整备中"),
    VehicleStatus.ON_SALE: QT_TRANSLATE_NOOP("Labels", "在售"),
    VehicleStatus.RESERVED: QT_TRANSLATE_NOOP("Labels", "已预订"),
    VehicleStatus.TEST_DRIVE: QT_TRANSLATE_NOOP("Labels", "试驾中"),
    VehicleStatus.SOLD: QT_TRANSLATE_NOOP("Labels", "已售"),
}

TEST_DRIVE_STATUSES = {
    TestDriveStatus.BOOKED: QT_TRANSLATE_NOOP("Labels", "已预约"),
    TestDriveStatus.CHECKED_OUT: QT_TRANSLATE_NOOP("Labels", "试驾中"),
    TestDriveStatus.RETURNED: QT_TRANSLATE_NOOP("Labels", "已还车"),
    TestDriveStatus.CANCELLED: QT_TRANSLATE_NOOP("Labels", "已取消"),
    TestDriveStatus.NO_SHOW: QT_TRANSLATE_NOOP("Labels", "未到店"),
}

VISIT_STATUSES = {
    VisitStatus.WAITING: QT_TRANSLATE_NOOP("Labels", "等待接待"),
    VisitStatus.WITH_CONSULTANT: QT_TRANSLATE_NOOP("Labels", "顾问接待中"),
    VisitStatus.TEST_DRIVING: QT_TRANSLATE_NOOP("Labels", "试驾中"),
    VisitStatus.LEFT: QT_TRANSLATE_NOOP("Labels", "已离店"),
}

SOURCE_CHANNELS = {
    SourceChannel.WALK_IN: QT_TRANSLATE_NOOP("Labels", "自然到店"),
    SourceChannel.ONLINE_BOOKING: QT_TRANSLATE_NOOP("Labels", "线上预约"),
    SourceChannel.REFERRAL: QT_TRANSLATE_NOOP("Labels", "老客户介绍"),
    SourceChannel.SHORT_VIDEO: QT_TRANSLATE_NOOP("Labels", "短视频"),
    SourceChannel.LISTING_PLATFORM: QT_TRANSLATE_NOOP("Labels", "二手车平台"),
    SourceChannel.PHONE: QT_TRANSLATE_NOOP("Labels", "电话咨询"),
    SourceChannel.OTHER: QT_TRANSLATE_NOOP("Labels", "其他"),
}

TITLES = {
    Title.MR: QT_TRANSLATE_NOOP("Labels", "先生"),
    Title.MS: QT_TRANSLATE_NOOP("Labels", "女士"),
}

INTENT_GRADES = {
    IntentGrade.A: QT_TRANSLATE_NOOP("Labels", "A 级（7 天内）"),
    IntentGrade.B: QT_TRANSLATE_NOOP("Labels", "B 级（15 天内）"),
    IntentGrade.C: QT_TRANSLATE_NOOP("Labels", "C 级（30 天内）"),
    IntentGrade.D: QT_TRANSLATE_NOOP("Labels", "D 级（暂无计划）"),
}

INTERACTION_CHANNELS = {
    InteractionChannel.PHONE: QT_TRANSLATE_NOOP("Labels", "电话"),
    InteractionChannel.WECHAT: QT_TRANSLATE_NOOP("Labels", "微信"),
    InteractionChannel.SMS: QT_TRANSLATE_NOOP("Labels", "短信"),
    InteractionChannel.IN_STORE: QT_TRANSLATE_NOOP("Labels", "到店面谈"),
    InteractionChannel.ONLINE_CHAT: QT_TRANSLATE_NOOP("Labels", "在线咨询"),
    InteractionChannel.OTHER: QT_TRANSLATE_NOOP("Labels", "其他"),
}

CUSTOMER_KINDS = {
    CustomerKind.INDIVIDUAL: QT_TRANSLATE_NOOP("Labels", "个人"),
    CustomerKind.COMPANY: QT_TRANSLATE_NOOP("Labels", "单位"),
}

CUSTOMER_ROLES = {
    CustomerRole.BUYER: QT_TRANSLATE_NOOP("Labels", "买车"),
    CustomerRole.SELLER: QT_TRANSLATE_NOOP("Labels", "卖车"),
    CustomerRole.TRADE_IN: QT_TRANSLATE_NOOP("Labels", "置换"),
}

PAYMENT_PREFERENCES = {
    PaymentPreference.FULL: QT_TRANSLATE_NOOP("Labels", "全款"),
    PaymentPreference.LOAN: QT_TRANSLATE_NOOP("Labels", "贷款"),
}

LEAD_STATUSES = {
    LeadStatus.NEW: QT_TRANSLATE_NOOP("Labels", "待响应"),
    LeadStatus.CONTACTED: QT_TRANSLATE_NOOP("Labels", "已联系"),
    LeadStatus.VISITED: QT_TRANSLATE_NOOP("Labels", "已到店"),
    LeadStatus.CLOSED: QT_TRANSLATE_NOOP("Labels", "已关闭"),
}

AUDIT_ACTIONS = {
    "vehicles_imported": QT_TRANSLATE_NOOP("Labels", "导入车辆"),
    "sign_in": QT_TRANSLATE_NOOP("Labels", "登录"),
    "sign_in_failed": QT_TRANSLATE_NOOP("Labels", "登录失败"),
    "sign_in_offline": QT_TRANSLATE_NOOP("Labels", "离线登录"),
    "sign_in_locked": QT_TRANSLATE_NOOP("Labels", "锁定期间尝试登录"),
    "account_locked": QT_TRANSLATE_NOOP("Labels", "账号被锁定"),
    "account_unlocked": QT_TRANSLATE_NOOP("Labels", "解锁账号"),
    "staff_created": QT_TRANSLATE_NOOP("Labels", "新建员工账号"),
    "store_created": QT_TRANSLATE_NOOP("Labels", "新建门店"),
    "kiosk_unlock": QT_TRANSLATE_NOOP("Labels", "自助机员工解锁"),
    "kiosk_unlock_failed": QT_TRANSLATE_NOOP("Labels", "自助机 PIN 错误"),
    "kiosk_arrival": QT_TRANSLATE_NOOP("Labels", "自助机签到"),
    "kiosk_arrival_received": QT_TRANSLATE_NOOP("Labels", "接待自助签到客户"),
    "kiosk_arrival_dismissed": QT_TRANSLATE_NOOP("Labels", "自助签到未见到此人"),
    "personal_data_revealed": QT_TRANSLATE_NOOP("Labels", "查看完整个人信息"),
    "demo_generated": QT_TRANSLATE_NOOP("Labels", "生成演示数据"),
    "follow_up_cadence_set": QT_TRANSLATE_NOOP("Labels", "设置回访节奏"),
    "lost_reasons_set": QT_TRANSLATE_NOOP("Labels", "修改战败原因列表"),
    "referral_recorded": QT_TRANSLATE_NOOP("Labels", "登记推荐"),
    "referral_reward_paid": QT_TRANSLATE_NOOP("Labels", "推荐奖励兑现"),
    "dashboard_targets_set": QT_TRANSLATE_NOOP("Labels", "设置经营目标"),
    "mileage_recorded": QT_TRANSLATE_NOOP("Labels", "记录车辆里程"),
    "maintenance_interval_set": QT_TRANSLATE_NOOP("Labels", "设置保养间隔"),
    "consultant_targets_set": QT_TRANSLATE_NOOP("Labels", "设置顾问个人目标"),
    "customer_created": QT_TRANSLATE_NOOP("Labels", "新建客户"),
    "visit_checked_in": QT_TRANSLATE_NOOP("Labels", "到店登记"),
    "test_drive_booked": QT_TRANSLATE_NOOP("Labels", "预约试驾"),
    "test_drive_checked_out": QT_TRANSLATE_NOOP("Labels", "试驾出车"),
    "test_drive_returned": QT_TRANSLATE_NOOP("Labels", "试驾还车"),
    "test_drive_licence_checked": QT_TRANSLATE_NOOP("Labels", "核验驾驶证"),
    "test_drive_agreement_signed": QT_TRANSLATE_NOOP("Labels", "签署试驾协议"),
    "test_drive_no_show": QT_TRANSLATE_NOOP("Labels", "试驾未到店"),
    "test_drive_cancelled": QT_TRANSLATE_NOOP("Labels", "取消试驾"),
    "document_printed": QT_TRANSLATE_NOOP("Labels", "打印/存档文件"),
    "document_reprinted": QT_TRANSLATE_NOOP("Labels", "重印文件（副本）"),
    "registration_created": QT_TRANSLATE_NOOP("Labels", "检测日报名"),
    "inspection_finalised": QT_TRANSLATE_NOOP("Labels", "检测报告定稿"),
    "inspection_event_created": QT_TRANSLATE_NOOP("Labels", "新建检测日"),
    "inspection_registered": QT_TRANSLATE_NOOP("Labels", "检测日报名（名额/候补）"),
    "inspection_registration_cancelled": QT_TRANSLATE_NOOP("Labels", "取消检测日报名"),
    "inspection_waitlist_promoted": QT_TRANSLATE_NOOP("Labels", "候补转为正式名额"),
    "inspection_promotion_called": QT_TRANSLATE_NOOP("Labels", "已电话通知候补转正"),
    "inspection_checked_in": QT_TRANSLATE_NOOP("Labels", "检测日签到"),
    "inspection_taken": QT_TRANSLATE_NOOP("Labels", "评估师接车检测"),
    "inspection_started": QT_TRANSLATE_NOOP("Labels", "开始检测"),
    "inspection_corrected": QT_TRANSLATE_NOOP("Labels", "更正检测报告（新版本）"),
    "inspection_checklist_saved": QT_TRANSLATE_NOOP("Labels", "修改门店检测项目"),
    "deposit_taken": QT_TRANSLATE_NOOP("Labels", "收取意向金"),
    "deposit_applied": QT_TRANSLATE_NOOP("Labels", "意向金抵扣车款"),
    "deposit_refunded": QT_TRANSLATE_NOOP("Labels", "退还意向金"),
    "deposit_forfeited": QT_TRANSLATE_NOOP("Labels", "没收意向金"),
    "deposit_expired": QT_TRANSLATE_NOOP("Labels", "意向金到期，解除预订"),
    "contract_drafted": QT_TRANSLATE_NOOP("Labels", "起草合同"),
    "contract_signed": QT_TRANSLATE_NOOP("Labels", "签订合同"),
    "contract_voided": QT_TRANSLATE_NOOP("Labels", "作废合同"),
    "vehicle_returned": QT_TRANSLATE_NOOP("Labels", "七日退车"),
    "warranty_claim_opened": QT_TRANSLATE_NOOP("Labels", "保修报修"),
    "warranty_claim_decided": QT_TRANSLATE_NOOP("Labels", "保修结论"),
    "purchase_drafted": QT_TRANSLATE_NOOP("Labels", "起草收车协议"),
    "purchase_signed": QT_TRANSLATE_NOOP("Labels", "签订收车协议"),
    "purchase_voided": QT_TRANSLATE_NOOP("Labels", "作废收车协议"),
    "trade_in_credited": QT_TRANSLATE_NOOP("Labels", "置换车款抵扣"),
    "complaint_recorded": QT_TRANSLATE_NOOP("Labels", "登记投诉"),
    "complaint_reassigned": QT_TRANSLATE_NOOP("Labels", "转交投诉"),
    "complaint_resolved": QT_TRANSLATE_NOOP("Labels", "投诉处理完毕"),
    "customers_merged": QT_TRANSLATE_NOOP("Labels", "合并重复客户"),
    "customers_unmerged": QT_TRANSLATE_NOOP("Labels", "撤销客户合并"),
    "visit_reassigned": QT_TRANSLATE_NOOP("Labels", "改派接待顾问"),
    "visit_checked_out": QT_TRANSLATE_NOOP("Labels", "离店登记"),
    "vehicle_status_changed": QT_TRANSLATE_NOOP("Labels", "修改车辆状态"),
    "vehicle_updated": QT_TRANSLATE_NOOP("Labels", "修改车辆资料"),
    "vehicle_photos_added": QT_TRANSLATE_NOOP("Labels", "导入车辆照片"),
    "vehicle_photos_reordered": QT_TRANSLATE_NOOP("Labels", "调整照片顺序"),
    "vehicle_cover_set": QT_TRANSLATE_NOOP("Labels", "设置封面照片"),
    "vehicle_photo_removed": QT_TRANSLATE_NOOP("Labels", "删除车辆照片"),
    "marketing_consent_withdrawn": QT_TRANSLATE_NOOP("Labels", "撤回营销同意"),
    "personal_data_exported": QT_TRANSLATE_NOOP("Labels", "导出个人信息"),
    "customer_erased": QT_TRANSLATE_NOOP("Labels", "删除个人信息（匿名化）"),
    "retention_purged": QT_TRANSLATE_NOOP("Labels", "按保留期限清除"),
    "staff_updated": QT_TRANSLATE_NOOP("Labels", "修改员工资料"),
    "staff_disabled": QT_TRANSLATE_NOOP("Labels", "停用员工账号"),
    "staff_enabled": QT_TRANSLATE_NOOP("Labels", "启用员工账号"),
    "password_reset": QT_TRANSLATE_NOOP("Labels", "重置密码（临时密码）"),
    "password_changed": QT_TRANSLATE_NOOP("Labels", "修改密码"),
    "password_change_refused": QT_TRANSLATE_NOOP("Labels", "修改密码失败（当前密码错误）"),
    "pin_set": QT_TRANSLATE_NOOP("Labels", "设置 PIN"),
    "pin_reset": QT_TRANSLATE_NOOP("Labels", "重置 PIN"),
    "pin_cleared": QT_TRANSLATE_NOOP("Labels", "清除 PIN"),
    "roster_week_set": QT_TRANSLATE_NOOP("Labels", "修改每周排班"),
    "roster_day_set": QT_TRANSLATE_NOOP("Labels", "修改当天排班"),
    "store_updated": QT_TRANSLATE_NOOP("Labels", "修改门店资料"),
    "store_logo_set": QT_TRANSLATE_NOOP("Labels", "设置门店标志"),
    "store_logo_removed": QT_TRANSLATE_NOOP("Labels", "移除门店标志"),
    "visit_offered": QT_TRANSLATE_NOOP("Labels", "排队客户分配给空闲顾问"),
    "customer_updated": QT_TRANSLATE_NOOP("Labels", "修改客户资料"),
    "tag_saved": QT_TRANSLATE_NOOP("Labels", "设置客户标签"),
    "lead_created": QT_TRANSLATE_NOOP("Labels", "登记线索"),
    "lead_assigned": QT_TRANSLATE_NOOP("Labels", "分配线索"),
    "lead_closed": QT_TRANSLATE_NOOP("Labels", "关闭线索"),
    "leads_imported": QT_TRANSLATE_NOOP("Labels", "导入线索"),
    "vehicle_intake": QT_TRANSLATE_NOOP("Labels", "收车入库"),
    "vehicle_prices_set": QT_TRANSLATE_NOOP("Labels", "修改价格构成"),
    "vehicle_photos_refiled": QT_TRANSLATE_NOOP("Labels", "修改照片分类"),
    "vehicle_report_attached": QT_TRANSLATE_NOOP("Labels", "附加第三方检测报告"),
    "vehicle_report_removed": QT_TRANSLATE_NOOP("Labels", "移除第三方检测报告"),
    "vehicle_history_added": QT_TRANSLATE_NOOP("Labels", "添加事故/泡水/火烧记录"),
    "vehicle_history_changed": QT_TRANSLATE_NOOP("Labels", "修改事故/泡水/火烧记录"),
    "vehicle_history_removed": QT_TRANSLATE_NOOP("Labels", "删除事故/泡水/火烧记录"),
    "vehicle_maintenance_added": QT_TRANSLATE_NOOP("Labels", "添加保养记录"),
    "vehicle_maintenance_changed": QT_TRANSLATE_NOOP("Labels", "修改保养记录"),
    "vehicle_maintenance_removed": QT_TRANSLATE_NOOP("Labels", "删除保养记录"),
    "store_grants_changed": QT_TRANSLATE_NOOP("Labels", "修改岗位权限"),
    "inspection_event_changed": QT_TRANSLATE_NOOP("Labels", "修改检测日"),
    "inspection_event_cancelled": QT_TRANSLATE_NOOP("Labels", "取消检测日"),
}

# Keys that appear in audit details, so the log reads as sentences, not JSON.
AUDIT_DETAIL_KEYS = {
    "username": QT_TRANSLATE_NOOP("Labels", "用户名"),
    "role": QT_TRANSLATE_NOOP("Labels", "岗位"),
    "roles": QT_TRANSLATE_NOOP("Labels", "岗位"),
    "fields": QT_TRANSLATE_NOOP("Labels", "修改项"),
    "day": QT_TRANSLATE_NOOP("Labels", "日期"),
    "from": QT_TRANSLATE_NOOP("Labels", "原为"),
    "to": QT_TRANSLATE_NOOP("Labels", "改为"),
    "display_name": QT_TRANSLATE_NOOP("Labels", "姓名"),
    "store": QT_TRANSLATE_NOOP("Labels", "门店"),
    "attempts_left": QT_TRANSLATE_NOOP("Labels", "剩余次数"),
    "minutes": QT_TRANSLATE_NOOP("Labels", "分钟"),
    "code": QT_TRANSLATE_NOOP("Labels", "编号"),
    "field": QT_TRANSLATE_NOOP("Labels", "字段"),
    "booking_code": QT_TRANSLATE_NOOP("Labels", "预约码"),
    "vehicle": QT_TRANSLATE_NOOP("Labels", "车辆"),
    "receipt_no": QT_TRANSLATE_NOOP("Labels", "收据号"),
    "contract_no": QT_TRANSLATE_NOOP("Labels", "合同号"),
    "amends": QT_TRANSLATE_NOOP("Labels", "原合同号"),
    "method": QT_TRANSLATE_NOOP("Labels", "付款方式"),
    "reason": QT_TRANSLATE_NOOP("Labels", "原因"),
    "signed_text_sha256": QT_TRANSLATE_NOOP("Labels", "签署文本摘要"),
    "report_no": QT_TRANSLATE_NOOP("Labels", "报告号"),
    "price": QT_TRANSLATE_NOOP("Labels", "价格"),
    "amount": QT_TRANSLATE_NOOP("Labels", "金额"),
    "seat_no": QT_TRANSLATE_NOOP("Labels", "座位号"),
    "cars": QT_TRANSLATE_NOOP("Labels", "车辆"),
    "customers": QT_TRANSLATE_NOOP("Labels", "客户"),
    "visits": QT_TRANSLATE_NOOP("Labels", "到店"),
    "test_drives": QT_TRANSLATE_NOOP("Labels", "试驾"),
    "registrations": QT_TRANSLATE_NOOP("Labels", "报名"),
    "inspections": QT_TRANSLATE_NOOP("Labels", "检测"),
    "deposits": QT_TRANSLATE_NOOP("Labels", "意向金"),
    "contracts": QT_TRANSLATE_NOOP("Labels", "合同"),
    "follow_ups": QT_TRANSLATE_NOOP("Labels", "回访"),
    "follow_ups_stopped": QT_TRANSLATE_NOOP("Labels", "停止的营销回访"),
    "channel": QT_TRANSLATE_NOOP("Labels", "渠道"),
    "sections": QT_TRANSLATE_NOOP("Labels", "导出内容"),
    "kept": QT_TRANSLATE_NOOP("Labels", "依法保留"),
    "anonymised": QT_TRANSLATE_NOOP("Labels", "已匿名化"),
    "years": QT_TRANSLATE_NOOP("Labels", "保留年数"),
    "grade": QT_TRANSLATE_NOOP("Labels", "意向等级"),
    "km": QT_TRANSLATE_NOOP("Labels", "里程（公里）"),
    "read_on": QT_TRANSLATE_NOOP("Labels", "里程日期"),
    "source": QT_TRANSLATE_NOOP("Labels", "来源"),
    "lost_reason": QT_TRANSLATE_NOOP("Labels", "战败原因"),
    "platform": QT_TRANSLATE_NOOP("Labels", "平台"),
    "file": QT_TRANSLATE_NOOP("Labels", "文件"),
    "created": QT_TRANSLATE_NOOP("Labels", "新增"),
    "merged": QT_TRANSLATE_NOOP("Labels", "合并"),
    "unchanged": QT_TRANSLATE_NOOP("Labels", "无变化"),
    "rejected": QT_TRANSLATE_NOOP("Labels", "拒绝"),
    "name": QT_TRANSLATE_NOOP("Labels", "名称"),
    "active": QT_TRANSLATE_NOOP("Labels", "启用"),
    "acquisition": QT_TRANSLATE_NOOP("Labels", "收购方式"),
    "at": QT_TRANSLATE_NOOP("Labels", "时间"),
    "bay": QT_TRANSLATE_NOOP("Labels", "工位"),
    "bays": QT_TRANSLATE_NOOP("Labels", "工位数"),
    "car": QT_TRANSLATE_NOOP("Labels", "车辆"),
    "categories": QT_TRANSLATE_NOOP("Labels", "照片类别"),
    "classes": QT_TRANSLATE_NOOP("Labels", "类别"),
    "copy_no": QT_TRANSLATE_NOOP("Labels", "副本号"),
    "cost_price": QT_TRANSLATE_NOOP("Labels", "成本价"),
    "count": QT_TRANSLATE_NOOP("Labels", "数量"),
    "damage": QT_TRANSLATE_NOOP("Labels", "损伤"),
    "date": QT_TRANSLATE_NOOP("Labels", "日期"),
    "entry": QT_TRANSLATE_NOOP("Labels", "条目"),
    "event": QT_TRANSLATE_NOOP("Labels", "检测日"),
    "filled": QT_TRANSLATE_NOOP("Labels", "已补位"),
    "flagged": QT_TRANSLATE_NOOP("Labels", "已标记"),
    "freed_seat": QT_TRANSLATE_NOOP("Labels", "空出的座位"),
    "from_revision": QT_TRANSLATE_NOOP("Labels", "原版本"),
    "inspection": QT_TRANSLATE_NOOP("Labels", "检测"),
    "kind": QT_TRANSLATE_NOOP("Labels", "类型"),
    "kiosk": QT_TRANSLATE_NOOP("Labels", "自助机"),
    "leads": QT_TRANSLATE_NOOP("Labels", "线索"),
    "list_price": QT_TRANSLATE_NOOP("Labels", "标价"),
    "marketing_consent": QT_TRANSLATE_NOOP("Labels", "营销同意"),
    "moved": QT_TRANSLATE_NOOP("Labels", "已改期"),
    "number": QT_TRANSLATE_NOOP("Labels", "编号"),
    "odometer_km": QT_TRANSLATE_NOOP("Labels", "表显里程（公里）"),
    "offline": QT_TRANSLATE_NOOP("Labels", "离线"),
    "pages": QT_TRANSLATE_NOOP("Labels", "页数"),
    "permission": QT_TRANSLATE_NOOP("Labels", "权限"),
    "preset": QT_TRANSLATE_NOOP("Labels", "导入模板"),
    "promoted": QT_TRANSLATE_NOOP("Labels", "候补转正"),
    "renumbered": QT_TRANSLATE_NOOP("Labels", "重新编号"),
    "restored": QT_TRANSLATE_NOOP("Labels", "已恢复"),
    "revision": QT_TRANSLATE_NOOP("Labels", "版本"),
    "score": QT_TRANSLATE_NOOP("Labels", "评分"),
    "seat": QT_TRANSLATE_NOOP("Labels", "座位"),
    "seats": QT_TRANSLATE_NOOP("Labels", "座位数"),
    "to_call": QT_TRANSLATE_NOOP("Labels", "待回电"),
    "updated": QT_TRANSLATE_NOOP("Labels", "已更新"),
    "via": QT_TRANSLATE_NOOP("Labels", "途径"),
    "vin": QT_TRANSLATE_NOOP("Labels", "车架号"),
    "vin_confirmed": QT_TRANSLATE_NOOP("Labels", "车架号已核对"),
    "visit_no": QT_TRANSLATE_NOOP("Labels", "到店序号"),
    "waitlist": QT_TRANSLATE_NOOP("Labels", "候补"),
    "cadence_skipped": QT_TRANSLATE_NOOP("Labels", "跳过回访节奏"),
    "claim_no": QT_TRANSLATE_NOOP("Labels", "索赔单号"),
    "complaint_no": QT_TRANSLATE_NOOP("Labels", "投诉编号"),
    "cost": QT_TRANSLATE_NOOP("Labels", "费用"),
    "customer_cost": QT_TRANSLATE_NOOP("Labels", "客户承担"),
    "decision": QT_TRANSLATE_NOOP("Labels", "结论"),
    "deductions": QT_TRANSLATE_NOOP("Labels", "扣款"),
    "gift": QT_TRANSLATE_NOOP("Labels", "礼品"),
    "late": QT_TRANSLATE_NOOP("Labels", "逾期"),
    "mileage_km": QT_TRANSLATE_NOOP("Labels", "里程（公里）"),
    "owner": QT_TRANSLATE_NOOP("Labels", "负责人"),
    "part": QT_TRANSLATE_NOOP("Labels", "部件"),
    "purchase_no": QT_TRANSLATE_NOOP("Labels", "收车协议号"),
    "referred": QT_TRANSLATE_NOOP("Labels", "被推荐人"),
    "referrer": QT_TRANSLATE_NOOP("Labels", "推荐人"),
    "refund": QT_TRANSLATE_NOOP("Labels", "退款"),
    "return_no": QT_TRANSLATE_NOOP("Labels", "退车协议号"),
    "reward": QT_TRANSLATE_NOOP("Labels", "奖励"),
    "satisfaction": QT_TRANSLATE_NOOP("Labels", "满意度"),
    "stock_no": QT_TRANSLATE_NOOP("Labels", "库存编号"),
    "topic": QT_TRANSLATE_NOOP("Labels", "投诉类别"),
    "within_terms": QT_TRANSLATE_NOOP("Labels", "在保修范围内"),
}

DETAIL_VALUES = {
    "phone": QT_TRANSLATE_NOOP("Labels", "手机号"),
    "id_number": QT_TRANSLATE_NOOP("Labels", "身份证号"),
}

AUDIT_ENTITIES = {
    "staff": QT_TRANSLATE_NOOP("Labels", "员工"),
    "store": QT_TRANSLATE_NOOP("Labels", "门店"),
    "customer": QT_TRANSLATE_NOOP("Labels", "客户"),
    "vehicle": QT_TRANSLATE_NOOP("Labels", "车辆"),
    "visit": QT_TRANSLATE_NOOP("Labels", "到店"),
    "test_drive": QT_TRANSLATE_NOOP("Labels", "试驾"),
    "test_drive_reminders": QT_TRANSLATE_NOOP("Labels", "试驾提醒名单"),
    "document": QT_TRANSLATE_NOOP("Labels", "文件"),
    "deposit": QT_TRANSLATE_NOOP("Labels", "意向金"),
    "contract": QT_TRANSLATE_NOOP("Labels", "合同"),
    "registration": QT_TRANSLATE_NOOP("Labels", "检测日报名"),
    "inspection": QT_TRANSLATE_NOOP("Labels", "检测"),
    "lead": QT_TRANSLATE_NOOP("Labels", "线索"),
    "customer_tag": QT_TRANSLATE_NOOP("Labels", "客户标签"),
    "follow_up_cadence": QT_TRANSLATE_NOOP("Labels", "回访节奏"),
    "maintenance_interval": QT_TRANSLATE_NOOP("Labels", "保养间隔"),
    "referral": QT_TRANSLATE_NOOP("Labels", "推荐"),
    "buyer_reminders": QT_TRANSLATE_NOOP("Labels", "购车客户提醒名单"),
}


# 流失预警: the codes of ``showroom.services.churn`` (not imported: it loads SQLAlchemy).
CHURN_SIGNALS = {
    "missed_appointment": QT_TRANSLATE_NOOP("Labels", "预约未到"),
    "unanswered_twice": QT_TRANSLATE_NOOP("Labels", "连续两次未回应"),
    "hot_silent": QT_TRANSLATE_NOOP("Labels", "A 级 15 天未联系"),
    "deposit_lapsing": QT_TRANSLATE_NOOP("Labels", "意向金即将到期"),
}


def signals_text(kinds: Iterable[str]) -> str:
    """A customer's churn signals, short, for a list cell or a banner."""
    return "、".join(label(CHURN_SIGNALS, k) for k in kinds)


def label(table: dict, code: str | StrEnum | None) -> str:  # type: ignore[type-arg]
    """The translated label for ``code`` in ``table``; the code itself when unknown."""
    if code is None:
        return ""
    source = table.get(code)
    if source is None:
        return str(code)
    return QCoreApplication.translate(_CONTEXT, source)


def audit_detail_text(detail: dict[str, Any]) -> str:
    """``{"username": "sales1", "role": "sales"}`` -> ``用户名：sales1，岗位：销售顾问``."""
    parts = []
    for key, value in detail.items():
        if key == "role" and isinstance(value, str):
            shown = role_label(value)
        elif key == "roles" and isinstance(value, list):
            shown = roles_label(value)
        elif isinstance(value, str):
            shown = label(DETAIL_VALUES, value)
        elif isinstance(value, list | dict):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = str(value)
        parts.append(
            QCoreApplication.translate("Labels", "{key}：{value}").format(
                key=label(AUDIT_DETAIL_KEYS, key), value=shown
            )
        )
    return QCoreApplication.translate("Labels", "，").join(parts)


def role_label(role: Role | str) -> str:
    return label(ROLES, role)


def roles_label(roles: Iterable[Role | str]) -> str:
    """Several roles as one label, managers first: ``店长、销售顾问``."""
    from showroom.users import ordered_roles

    held = ordered_roles(Role(r) for r in roles)
    return QCoreApplication.translate("Labels", "、").join(role_label(r) for r in held)


def roster_status_label(status: RosterStatus | str | None) -> str:
    return label(ROSTER_STATUSES, status)


def vehicle_status_label(status: VehicleStatus | str) -> str:
    return label(VEHICLE_STATUSES, status)


def drive_status_label(status: TestDriveStatus | str) -> str:
    return label(TEST_DRIVE_STATUSES, status)
