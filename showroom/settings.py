"""Settings declared once: key, type, default, description.

Precedence: command line > environment (``SHOWROOM_<KEY>``) > the settings
file in the platform's config dir > defaults. Values are validated on load; a
bad value in the file is reported and replaced by the default, never fatal.
The settings dialog is generated from ``SETTINGS``. No Qt here.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("showroom.settings")

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str  # Chinese, shown in the settings dialog
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    group: str = "general"


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", str, "", "数据库地址（留空使用本机内置数据库）", group="database"),
    Setting("store_code", str, "BJ01", "门店编号（合同号、收据号的前缀）", group="store"),
    Setting(
        "store_name",
        str,
        "示范二手车展厅",
        "本机显示的门店名称（连上数据库前的登录页、自助机标题；打印的文件用门店资料）",
        group="store",
    ),
    Setting("language", str, "zh_CN", "界面语言", choices=("zh_CN", "en"), group="general"),
    Setting(
        "lockout_attempts",
        int,
        5,
        "连续输错密码几次后锁定账号",
        minimum=3,
        maximum=20,
        group="security",
    ),
    Setting(
        "lockout_minutes",
        int,
        15,
        "账号锁定时长（分钟）",
        minimum=1,
        maximum=1440,
        group="security",
    ),
    Setting(
        "kiosk_idle_seconds",
        int,
        90,
        "自助机无操作多少秒后回到首页",
        minimum=15,
        maximum=3600,
        group="kiosk",
    ),
    Setting("protection_days", int, 30, "客户保护期（天）", minimum=0, maximum=365, group="sales"),
    Setting(
        "lead_response_hours",
        int,
        24,
        "线索响应时限（小时）：收到线索后多久内必须联系，超过即显示超时",
        minimum=1,
        maximum=336,
        group="sales",
    ),
    Setting(
        "waiting_alarm_minutes",
        int,
        5,
        "客户等待超过多少分钟时提醒",
        minimum=1,
        maximum=120,
        group="reception",
    ),
    Setting(
        "default_deposit",
        str,
        "5000",
        "默认意向金金额（元）",
        group="sales",
    ),
    Setting(
        "deposit_valid_days",
        int,
        7,
        "意向金保留车辆的天数（到期前一天提醒销售顾问）",
        minimum=1,
        maximum=90,
        group="sales",
    ),
    Setting(
        "return_days",
        int,
        7,
        "七日退车期限（天，自交车之日起）",
        minimum=1,
        maximum=30,
        group="sales",
    ),
    Setting(
        "return_km",
        int,
        300,
        "退车期内允许行驶的里程（公里）",
        minimum=0,
        maximum=5000,
        group="sales",
    ),
    Setting(
        "warranty_days",
        int,
        30,
        "发动机与变速箱保修天数（自交车之日起）",
        minimum=0,
        maximum=3650,
        group="sales",
    ),
    Setting(
        "warranty_km",
        int,
        3000,
        "发动机与变速箱保修里程（公里，以先到者为准）",
        minimum=0,
        maximum=200000,
        group="sales",
    ),
    Setting(
        "complaint_response_hours",
        int,
        24,
        "投诉响应时限（小时）：超过即在店长首页显示超时",
        minimum=1,
        maximum=336,
        group="sales",
    ),
    Setting(
        "test_drive_slot_minutes",
        int,
        30,
        "试驾时段长度（分钟）",
        minimum=15,
        maximum=180,
        group="sales",
    ),
    Setting("store_open", str, "09:00", "营业开始时间（时:分，试驾预约用）", group="store"),
    Setting("store_close", str, "18:00", "营业结束时间（时:分，试驾预约用）", group="store"),
    # Empty until the dealer has a real site: an address that leads nowhere is worse than none
    # (see showroom.vehicle_links: the app says so and falls back to ``showroom web``).
    Setting(
        "retention_years",
        int,
        3,
        "从未成交客户的资料保留年数（期满清除到店记录并匿名化）",
        minimum=1,
        maximum=30,
        group="privacy",
    ),
    Setting(
        "vehicle_public_url",
        str,
        "",
        "车辆公开网址模板（门店资料未填写“车辆公开网址”时使用；{stock_no} 替换为库存编号）",
        group="store",
    ),
    Setting(
        "store_web_url",
        str,
        "",
        "门店网页地址（showroom web 在门店网络中的地址，如 http://192.168.1.20:8080）",
        group="store",
    ),
    Setting(
        "web_sold_days",
        int,
        7,
        "已售车辆的网页显示“已售”的天数（之后网页不再显示）",
        minimum=0,
        maximum=90,
        group="store",
    ),
    Setting(
        "web_vin",
        str,
        "hidden",
        "车辆网页上显示车架号的方式",
        choices=("hidden", "partial", "full"),
        group="store",
    ),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


class SettingsError(ValueError):
    """A value that does not fit its declared type or range."""


def coerce(setting: Setting, raw: Any) -> Any:
    """Turn ``raw`` (from JSON, the environment or a form) into the declared type."""
    if setting.type is int:
        if isinstance(raw, bool):
            raise SettingsError(f"{setting.key}: 需要整数")
        try:
            value: Any = int(str(raw).strip())
        except ValueError as exc:
            raise SettingsError(f"{setting.key}: “{raw}” 不是整数") from exc
        if setting.minimum is not None and value < setting.minimum:
            raise SettingsError(f"{setting.key}: 不能小于 {setting.minimum}")
        if setting.maximum is not None and value > setting.maximum:
            raise SettingsError(f"{setting.key}: 不能大于 {setting.maximum}")
        return value
    if setting.type is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{setting.key}: “{raw}” 不是是/否")
    value = str(raw).strip()
    if setting.choices is not None and value not in setting.choices:
        raise SettingsError(f"{setting.key}: 只能是 {', '.join(setting.choices)}")
    return value


class Settings:
    """Effective settings plus the file they are saved to.

    ``overrides`` (command line and environment) win over the file but are
    never written back to it.
    """

    def __init__(
        self,
        path: Path | None,
        stored: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.problems: list[str] = []
        self._stored: dict[str, Any] = {}
        self._overrides: dict[str, Any] = {}
        for key, raw in (stored or {}).items():
            self._accept(self._stored, key, raw)
        for key, raw in (overrides or {}).items():
            self._accept(self._overrides, key, raw)

    def _accept(self, target: dict[str, Any], key: str, raw: Any) -> None:
        setting = BY_KEY.get(key)
        if setting is None:
            return  # unknown keys from a newer version are kept out, not fatal
        try:
            target[key] = coerce(setting, raw)
        except SettingsError as exc:
            self.problems.append(str(exc))
            log.warning("ignored setting: %s", exc)

    def __getitem__(self, key: str) -> Any:
        if key in self._overrides:
            return self._overrides[key]
        if key in self._stored:
            return self._stored[key]
        return BY_KEY[key].default

    def is_overridden(self, key: str) -> bool:
        return key in self._overrides

    def update(self, values: Mapping[str, Any]) -> None:
        """Validate all values first; store none of them if any is bad."""
        coerced = {key: coerce(BY_KEY[key], raw) for key, raw in values.items()}
        self._stored.update(coerced)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": SETTINGS_VERSION, "values": self._stored}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.path)  # atomic: a crash never leaves half a file

    @classmethod
    def load(
        cls,
        path: Path | None,
        cli: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        stored: dict[str, Any] = {}
        problems: list[str] = []
        if path is not None and path.exists():
            try:
                payload = json.loads(path.read_text(encoding="utf-8"))
                stored = upgrade_payload(payload)
            except (OSError, ValueError) as exc:
                problems.append(f"设置文件无法读取，已使用默认值：{exc}")
                log.warning("settings file unreadable: %s", exc)
        env = os.environ if environ is None else environ
        overrides: dict[str, Any] = {}
        for setting in SETTINGS:
            value = env.get(f"SHOWROOM_{setting.key.upper()}")
            if value is not None and value != "":
                overrides[setting.key] = value
        overrides.update({k: v for k, v in (cli or {}).items() if v is not None})
        settings = cls(path, stored, overrides)
        settings.problems[:0] = problems
        return settings


def upgrade_payload(payload: Any) -> dict[str, Any]:
    """Bring a stored settings file of any earlier version to the current form."""
    if not isinstance(payload, dict):
        raise ValueError("not a JSON object")
    version = payload.get("version", 0)
    values = payload.get("values", payload if version == 0 else {})
    if not isinstance(values, dict):
        raise ValueError("values is not an object")
    # Version 0 (no envelope) had the same keys; later upgrades go here, one step each.
    # ``store_address`` and ``letterhead`` moved into the store profile in the database
    # (门店资料, shared by every PC); an old file's values are left out, not fatal.
    return {k: v for k, v in values.items() if k != "version"}
