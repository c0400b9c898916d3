"""Realistic demo data for a Chinese used-car showroom (``showroom demo``).

One store with staff for every role and known demo credentials, an inventory of mainstream
brands with plausible years, mileages and depreciated prices, customers, today's visitor board,
test drives, inspection days, inspections, deposits, contracts and follow-ups - enough to show
every screen with data that looks like a real floor, and to measure the app with 100,000 cars.

Everything is drawn from ``random.Random(seed)`` (keys included), so a seed gives the same data
on every run and backend; human numbers still come from the database counters. Generation refuses
a database that already holds vehicles or customers, so demo records never mix with real ones.

Speed: the large tables (vehicles, their cover photos, customers, consents) are written with Core
bulk inserts in batches inside one transaction; the photos are drawn with Pillow once per
(body shape, colour, view) and shared by content address. The small sets (deposits, contracts,
bookings) get the same audit entries the services would write.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import hashlib
import io
import itertools
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image, ImageDraw, ImageOps
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from db.base import Base
from db.engine import Database
from db.models import (
    Acquisition,
    BookingCode,
    ConditionGrade,
    Consent,
    ConsentPurpose,
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    CustomerKind,
    CustomerRole,
    CustomerTag,
    CustomerTagLink,
    Deposit,
    DepositStatus,
    DocumentKind,
    Energy,
    EventStatus,
    FollowUp,
    FollowUpStatus,
    HistoryKind,
    HistoryRecord,
    Inspection,
    InspectionEvent,
    InspectionItem,
    InspectionSection,
    InspectionStatus,
    IntentGrade,
    Interaction,
    InteractionChannel,
    ItemResult,
    KioskArrival,
    Lead,
    LeadStatus,
    MaintenanceRecord,
    Media,
    PaymentMethod,
    PaymentPreference,
    PhotoCategory,
    PriceItem,
    Registration,
    RegistrationStatus,
    Role,
    RosterDay,
    RosterStatus,
    SourceChannel,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Title,
    Transmission,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from db.models import Document as DocumentRow
from showroom import inspection_grading as grading
from showroom import numbering, passwords
from showroom.clock import utcnow
from showroom.documents import model as paper
from showroom.errors import ShowroomError
from showroom.identifiers import (
    PLATE_PROVINCES,
    credit_code_check_char,
    id_check_digit,
    vin_check_digit,
)
from showroom.money import to_chinese_capitals
from showroom.security import hash_secret
from showroom.services import audit, cadence, lost_reasons

__all__ = ["DEMO_PASSWORD", "DemoCredentials", "DemoSummary", "generate"]

# Printed on screen for every demo account; ``passwords`` refuses it as a real password.
DEMO_PASSWORD = passwords.DEMO_PASSWORD
CONSENT_TEXT_VERSION = "2026-01"
DEPOSIT_AMOUNT = Decimal("5000.00")
MAX_CUSTOMERS = 20_000
MIN_CUSTOMERS = 40
FULL_ARCHIVES = 30  # cars with a complete archive (many photos, records, price lines)
THIRD_PARTY_REPORTS = 6  # of those, cars with a (generated) third-party report PDF
# Where cars came from, in the proportions of a dealer that buys mostly from owners.
_ACQUISITION_CYCLE = (
    (Acquisition.CUSTOMER,) * 8
    + (Acquisition.TRADE_IN,) * 7
    + (Acquisition.AUCTION,) * 3
    + (Acquisition.DEALER,) * 2
)
HISTORY_DAYS = 365  # visits are generated for this many past days: a year of dashboard
_BATCH = 5_000
_SQLITE_CACHE_KIB = 128 * 1024
_CHINA = timezone(timedelta(hours=8), "CST")
_OPENING_HOUR, _CLOSING_HOUR = 9, 18  # store hours, local time
_SLOT = timedelta(minutes=30)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoCredentials:
    """A demo account as printed for the person trying the app.

    ``role`` is the main role (how the account is listed); ``roles`` all it holds.
    """

    username: str
    password: str
    pin: str | None
    role: Role
    display_name: str
    roles: tuple[Role, ...] = ()


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate`` stored (counts) and how long it took."""

    stores: int
    staff: list[DemoCredentials]
    cars: int
    customers: int
    visits: int
    test_drives: int
    registrations: int
    inspections: int
    deposits: int
    contracts: int
    follow_ups: int
    seconds: float


# --- catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CarModel:
    brand: str
    model: str
    wmi: str  # world manufacturer identifier of the Chinese plant
    body: str
    energy: Energy
    price_min: int  # new-car guide price range, yuan
    price_max: int
    engine: str  # "1.5T" (turbo) / "2.0L"; empty for battery-electric cars
    ev_range_km: int | None  # electric range (EV, PHEV)
    manual_share: float
    seats: int
    power_hp: int
    drive: str
    since: int  # first model year on the Chinese market
    popularity: int
    retention: float  # value kept per year of age (Japanese brands keep more, EVs less)

    @property
    def shape(self) -> str:
        return {"轿车": "sedan", "SUV": "suv", "MPV": "mpv"}.get(self.body, "hatch")

    @property
    def displacement(self) -> Decimal | None:
        return _DISPLACEMENTS.get(self.engine)


# Mainstream models of the Chinese market. Columns: brand | model | WMI of the Chinese plant |
# body | energy | guide price range in yuan | engine ("T" turbo; "-" for battery-electric) |
# electric range km | share with manual gearbox | seats | hp | drive | first model year on sale |
# popularity | value kept per year (Japanese brands keep more, EVs less).
_CATALOGUE_TABLE = """
大众  |朗逸       |LSV|轿车    |petrol|99900-154900 |1.5L|-  |0.25|5|113|前驱|2012|10|0.89
大众  |宝来       |LFV|轿车    |petrol|98800-139800 |1.5L|-  |0.30|5|113|前驱|2012|6 |0.89
大众  |速腾       |LFV|轿车    |petrol|127900-189900|1.4T|-  |0.05|5|150|前驱|2012|7 |0.89
大众  |迈腾       |LFV|轿车    |petrol|186900-309900|2.0T|-  |0   |5|186|前驱|2012|6 |0.88
大众  |帕萨特     |LSV|轿车    |petrol|185900-249900|2.0T|-  |0   |5|186|前驱|2012|5 |0.88
大众  |途观L      |LSV|SUV     |petrol|215800-285800|2.0T|-  |0   |5|186|四驱|2017|5 |0.88
丰田  |卡罗拉     |LFM|轿车    |petrol|109800-159800|1.2T|-  |0.10|5|116|前驱|2012|7 |0.91
丰田  |卡罗拉双擎 |LFM|轿车    |hybrid|135800-174800|1.8L|-  |0   |5|98 |前驱|2015|3 |0.91
丰田  |凯美瑞     |LVG|轿车    |petrol|171800-269800|2.0L|-  |0   |5|178|前驱|2012|6 |0.90
丰田  |RAV4荣放   |LFM|SUV     |petrol|175800-262800|2.0L|-  |0.05|5|171|前驱|2013|5 |0.91
丰田  |汉兰达     |LVG|SUV     |petrol|268800-348800|2.0T|-  |0   |7|220|四驱|2012|4 |0.91
本田  |思域       |LVH|轿车    |petrol|129900-179900|1.5T|-  |0.05|5|182|前驱|2016|5 |0.90
本田  |雅阁       |LHG|轿车    |petrol|169800-259800|1.5T|-  |0   |5|194|前驱|2012|6 |0.90
本田  |CR-V       |LVH|SUV     |petrol|185900-276900|1.5T|-  |0   |5|193|前驱|2012|6 |0.90
本田  |飞度       |LHG|两厢轿车|petrol|81800-119800 |1.5L|-  |0.35|5|131|前驱|2012|3 |0.89
日产  |轩逸       |LGB|轿车    |petrol|99800-155000 |1.6L|-  |0.15|5|135|前驱|2012|9 |0.88
日产  |天籁       |LGB|轿车    |petrol|179800-269800|2.0L|-  |0   |5|156|前驱|2012|3 |0.86
别克  |英朗       |LSG|轿车    |petrol|99900-139900 |1.5L|-  |0.30|5|113|前驱|2012|6 |0.86
别克  |君威       |LSG|轿车    |petrol|159900-219900|1.5T|-  |0   |5|169|前驱|2012|3 |0.86
别克  |GL8        |LSG|MPV     |petrol|232900-329900|2.0T|-  |0   |7|237|前驱|2012|4 |0.90
比亚迪|秦PLUS DM-i|LGX|轿车    |phev  |99800-145800 |1.5L|120|0   |5|110|前驱|2021|7 |0.85
比亚迪|汉EV       |LGX|轿车    |ev    |209800-279800|-   |605|0   |5|245|前驱|2020|3 |0.83
比亚迪|宋PLUS DM-i|LC0|SUV     |phev  |149800-189800|1.5L|110|0   |5|110|前驱|2021|5 |0.85
比亚迪|唐DM-i     |LC0|SUV     |phev  |209800-289800|1.5T|112|0   |7|139|前驱|2021|2 |0.84
比亚迪|海豚       |LC0|两厢轿车|ev    |116800-136800|-   |420|0   |5|95 |前驱|2021|3 |0.82
特斯拉|Model 3    |LRW|轿车    |ev    |231900-335900|-   |556|0   |5|275|后驱|2020|4 |0.86
特斯拉|Model Y    |LRW|SUV     |ev    |259900-354900|-   |545|0   |5|299|后驱|2021|4 |0.86
宝马  |3系        |LBV|轿车    |petrol|293900-409900|2.0T|-  |0   |5|184|后驱|2012|5 |0.86
宝马  |5系        |LBV|轿车    |petrol|426900-559900|2.0T|-  |0   |5|252|后驱|2012|4 |0.85
宝马  |X3         |LBV|SUV     |petrol|389800-489800|2.0T|-  |0   |5|252|四驱|2018|3 |0.86
奔驰  |C级        |LE4|轿车    |petrol|325200-385500|1.5T|-  |0   |5|204|后驱|2012|5 |0.86
奔驰  |E级        |LE4|轿车    |petrol|432800-532800|2.0T|-  |0   |5|258|后驱|2012|4 |0.85
奔驰  |GLC        |LE4|SUV     |petrol|396000-500800|2.0T|-  |0   |5|258|四驱|2016|4 |0.86
奥迪  |A4L        |LFV|轿车    |petrol|301800-400800|2.0T|-  |0   |5|190|前驱|2012|5 |0.86
奥迪  |A6L        |LFV|轿车    |petrol|409800-656800|2.0T|-  |0   |5|245|前驱|2012|4 |0.85
奥迪  |Q5L        |LFV|SUV     |petrol|387800-489000|2.0T|-  |0   |5|245|四驱|2018|3 |0.86
吉利  |帝豪       |L6T|轿车    |petrol|69900-109900 |1.5L|-  |0.40|5|114|前驱|2012|5 |0.84
吉利  |星越L      |L6T|SUV     |petrol|137200-185200|2.0T|-  |0   |5|238|前驱|2021|3 |0.85
长安  |CS75 PLUS  |LS5|SUV     |petrol|106900-154900|1.5T|-  |0.10|5|188|前驱|2019|4 |0.84
哈弗  |H6         |LGW|SUV     |petrol|98000-157000 |1.5T|-  |0.25|5|169|前驱|2012|6 |0.84
理想  |L7         |LW4|SUV     |phev  |319800-379800|1.5T|210|0   |5|449|四驱|2023|2 |0.86
蔚来  |ES6        |LJ1|SUV     |ev    |338000-396000|-   |465|0   |5|544|四驱|2019|2 |0.80
五菱  |宏光MINIEV |LZW|微型车  |ev    |28800-43600  |-   |170|0   |4|27 |后驱|2020|4 |0.82
"""


def _parse_catalogue(table: str) -> tuple[_CarModel, ...]:
    models = []
    for line in table.strip().splitlines():
        (
            brand,
            model,
            wmi,
            body,
            energy,
            prices,
            engine,
            ev_range,
            manual,
            seats,
            power,
            drive,
            since,
            popularity,
            retention,
        ) = (cell.strip() for cell in line.split("|"))
        low, high = prices.split("-")
        models.append(
            _CarModel(
                brand,
                model,
                wmi,
                body,
                Energy(energy),
                int(low),
                int(high),
                "" if engine == "-" else engine,
                None if ev_range == "-" else int(ev_range),
                float(manual),
                int(seats),
                int(power),
                drive,
                int(since),
                int(popularity),
                float(retention),
            )
        )
    return tuple(models)


_CATALOGUE = _parse_catalogue(_CATALOGUE_TABLE)
_DISPLACEMENTS = {m.engine: Decimal(m.engine[:-1]) for m in _CATALOGUE if m.engine}
# Cumulative weights, computed once: ``choices`` would add them up again on every call.
_CATALOGUE_CUM = list(itertools.accumulate(m.popularity for m in _CATALOGUE))

# Colour name as stored, RGB for the drawings, market share.
_COLOURS: tuple[tuple[str, tuple[int, int, int], int], ...] = (
    ("白色", (236, 238, 240), 34),
    ("黑色", (30, 32, 36), 24),
    ("灰色", (112, 117, 124), 14),
    ("银色", (186, 190, 196), 11),
    ("蓝色", (36, 74, 148), 8),
    ("红色", (168, 28, 36), 6),
    ("棕色", (110, 76, 50), 3),
)
_COLOUR_RGB = {name: rgb for name, rgb, _ in _COLOURS}
_COLOUR_NAMES = [name for name, _, _ in _COLOURS]
_COLOUR_CUM = list(itertools.accumulate(share for _, _, share in _COLOURS))

_TRIM_LEVELS = ("舒适版", "时尚版", "精英版", "豪华版", "尊贵版", "旗舰版")
_SELLING_POINTS = (
    "全程4S店保养",
    "按时保养，记录齐全",
    "车况精品，内饰干净",
    "原版原漆，无重大事故",
    "个人一手，车主爱惜",
)
_CONFIG_BASIC = (
    "ABS防抱死",
    "倒车雷达",
    "倒车影像",
    "定速巡航",
    "多功能方向盘",
    "蓝牙/车载电话",
    "胎压监测",
    "自动空调",
)
_CONFIG_MID = (
    "无钥匙进入",
    "一键启动",
    "电动天窗",
    "LED大灯",
    "真皮座椅",
    "前排座椅加热",
    "自动大灯",
    "电动折叠后视镜",
    "Carplay/CarLife",
)
_CONFIG_HIGH = (
    "全景天窗",
    "自适应巡航",
    "360全景影像",
    "车道保持辅助",
    "电动尾门",
    "前排座椅通风",
    "抬头显示HUD",
    "自动泊车",
    "品牌音响",
    "无线充电",
)
_CONFIG_ELECTRIC = ("直流快充", "OTA远程升级", "手机APP远程控制", "能量回收")

# Age in years -> share of the stock: most used cars sold are 3 to 8 years old.
_AGE_WEIGHTS = (0, 6, 9, 11, 12, 12, 11, 10, 8, 6, 5, 4, 3, 2, 2)
_AGES = range(len(_AGE_WEIGHTS))
_AGE_CUM = list(itertools.accumulate(_AGE_WEIGHTS))
# Private cars: checks after 2, 4 and 6 years (the first two by label only), then every second
# year up to 10 years, then yearly.
_INSPECTION_YEARS = (2, 4, 6, 8, 10, *range(11, 60))

# --- people ------------------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤"
)
# Common surnames are far more common (王, 李, 张 alone are ~20% of the population).
_SURNAME_CUM_WEIGHTS = list(
    itertools.accumulate(1.0 / (rank + 6) for rank in range(len(_SURNAMES)))
)
_MALE_GIVEN = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国峰志新亮成东海晨博文"
)
_FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂英丹萍红玉兰燕婷雪琳颖慧莹倩洁佳月梅璐瑶欣怡琪蕾薇晶"
_MOBILE_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    *(f"18{d}" for d in range(10)),
    "191",
    "198",
    "199",
)
# Resident ID regions: Beijing districts and nearby Hebei / Tianjin.
_ID_REGIONS = (
    "110101",
    "110102",
    "110105",
    "110106",
    "110108",
    "110114",
    "110115",
    "120104",
    "130102",
    "130602",
    "131002",
)
_STREETS = ("北辰东路", "望京西路", "酒仙桥路", "广顺北大街", "花园东路", "西三旗路")

_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_VIN_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model year 2010, 2011, ... (30-year cycle)
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
_PLATE_ALNUM = "0123456789" + _PLATE_LETTERS

# Plate province and issuing-authority letters by store code prefix.
_CITY_PLATES = {
    "BJ": ("京", "ABCEFGHJKLMNPQ"),
    "SH": ("沪", "ABCDEGHJKLMN"),
    "TJ": ("津", "ABCDEFGHJKLMN"),
    "CQ": ("渝", "ABCDFGH"),
    "GZ": ("粤", "A"),
    "SZ": ("粤", "B"),
    "CD": ("川", "A"),
    "HZ": ("浙", "A"),
    "NJ": ("苏", "A"),
    "WH": ("鄂", "A"),
    "XA": ("陕", "A"),
    "XM": ("闽", "D"),
    "FZ": ("闽", "A"),
    "CS": ("湘", "A"),
    "ZZ": ("豫", "A"),
    "JN": ("鲁", "A"),
    "QD": ("鲁", "B"),
    "SY": ("辽", "A"),
    "DL": ("辽", "B"),
}
_CITY_NAMES = {
    "BJ": "北京市朝阳区",
    "SH": "上海市闵行区",
    "TJ": "天津市河西区",
    "GZ": "广州市番禺区",
    "SZ": "深圳市龙岗区",
    "CD": "成都市武侯区",
    "HZ": "杭州市余杭区",
}

_AFTER_SALES_TERMS = (
    "7天无理由退车（行驶不超过300公里）；30天或3000公里发动机、变速箱核心部件质保；终身免费检测"
)
_EVENT_OFFER = "前20名免费检测（价值¥300），按GB/T 30323-2013出具检测报告；现场估价，置换补贴"

# (username, roles, PIN); the first role is the main one. sales4 also appraises: a person
# may hold several roles.
_STAFF_PLAN: tuple[tuple[str, tuple[Role, ...], str | None], ...] = (
    ("manager", (Role.MANAGER,), "2468"),
    ("reception", (Role.RECEPTION,), "1357"),
    ("sales1", (Role.SALES,), None),
    ("sales2", (Role.SALES,), None),
    ("sales3", (Role.SALES,), None),
    ("sales4", (Role.SALES, Role.APPRAISER), None),
    ("appraiser1", (Role.APPRAISER,), None),
    ("appraiser2", (Role.APPRAISER,), None),
)

# --- inspection checklist (GB/T 30323-2013 section order) --------------------------------------

_CHECKLIST: tuple[tuple[InspectionSection, tuple[str, ...]], ...] = (
    (InspectionSection.BODY, ("车身外观", "漆面", "车门及铰链", "前后保险杠", "玻璃及后视镜")),
    (InspectionSection.ENGINE_BAY, ("发动机舱清洁", "机油", "冷却液", "蓄电池", "皮带及管路")),
    (InspectionSection.CABIN, ("仪表盘", "空调", "座椅", "安全带", "中控及多媒体")),
    (InspectionSection.START, ("启动", "怠速", "故障灯", "发动机异响", "排气")),
    (InspectionSection.ROAD_TEST, ("路试加速", "制动", "转向", "变速箱换挡", "行驶异响")),
    (InspectionSection.CHASSIS, ("底盘", "悬挂", "减震器", "轮胎", "排气管")),
)
# Battery-electric cars have no oil, belts or exhaust: the same places are checked for these.
_EV_LABELS = {
    "机油": "减速器油",
    "皮带及管路": "高压线束",
    "发动机异响": "电机异响",
    "排气": "上电自检",
    "变速箱换挡": "能量回收",
    "排气管": "电池包外壳",
}
_DEFECT_NOTES = (
    "轻微划痕",
    "轻微凹陷",
    "有补漆痕迹",
    "轻微磨损",
    "需更换",
    "有渗漏痕迹",
    "建议保养",
    "轻微异响",
)


# --- small helpers -----------------------------------------------------------------------------


def _money(yuan: int) -> Decimal:
    return Decimal(yuan).quantize(Decimal("0.01"))


def _round_to(value: float, step: int) -> int:
    return round(value / step) * step


def _add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _first_saturday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(5 - first.weekday()) % 7)


def _store_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _CHINA


def _count(session: Session, model: type[Base]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _refuse_if_not_empty(session: Session) -> None:
    if _count(session, Vehicle) or _count(session, Customer):
        raise ShowroomError(
            "demo.not_empty",
            "数据库中已有车辆或客户数据。演示数据只能生成到空数据库中，以免与真实数据混在一起；"
            "请换一个新的数据库文件后再试。",
        )


def _stand_in_pdf(line: str) -> bytes:
    """A valid one-page A4 PDF with one line of ASCII text (no Qt in this layer)."""
    stream = f"BT /F1 14 Tf 72 770 Td ({line}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# Generated drives' agreements share this stand-in PDF (see ``agreement_placeholder``).
DEMO_AGREEMENT_VERSION = "demo-placeholder"
_DEMO_AGREEMENT_PDF = _stand_in_pdf("Showroom demo data: test-drive agreement (not painted)")
_DEMO_AGREEMENT_SHA = hashlib.sha256(_DEMO_AGREEMENT_PDF).hexdigest()


# The oldest follow-up the demo leaves open (overdue calls are days late, not months).
STALE_FOLLOW_UP_DAYS = 21


class _Rows:
    """Row dicts for one table, completed with the column defaults.

    Core ``executemany`` needs every dict to carry the same keys; an unknown key is a bug here,
    so it raises instead of being silently dropped.
    """

    def __init__(self, model: type[Base]) -> None:
        self.table = model.__table__
        self.rows: list[dict[str, Any]] = []
        # Computed columns (vehicles.search_text) are the database's to fill.
        columns = [c for c in self.table.columns if c.computed is None]
        self._names = frozenset(c.name for c in columns)
        self._template: dict[str, Any] = {}
        # Callable defaults (``list``, ``dict``) are called per row: a shared list would leak.
        self._factories: dict[str, Callable[[Any], Any]] = {}
        for column in columns:
            default = column.default
            self._template[column.name] = None
            if default is None or column.name in ("id", "created_at", "updated_at"):
                continue  # keys and timestamps are always given by the generator
            if default.is_scalar:
                self._template[column.name] = default.arg
            else:
                self._factories[column.name] = default.arg

    def make(self, **values: Any) -> dict[str, Any]:
        """A complete row, not yet collected (for rows numbered before they are kept)."""
        unknown = values.keys() - self._names
        if unknown:
            raise KeyError(f"{self.table.name} has no column(s) {sorted(unknown)}")
        row = dict(self._template)
        for name, factory in self._factories.items():
            if name not in values:
                row[name] = factory(None)
        row.update(values)
        if "row_version" in self._names and row["row_version"] is None:
            row["row_version"] = 1
        if "updated_at" in self._names and row["updated_at"] is None:
            row["updated_at"] = row["created_at"]
        return row

    def add(self, **values: Any) -> dict[str, Any]:
        row = self.make(**values)
        self.rows.append(row)
        return row

    def __len__(self) -> int:
        return len(self.rows)


def _insert(session: Session, rows: _Rows, progress: Progress, stage: str) -> None:
    total = len(rows.rows)
    for start in range(0, total, _BATCH):
        session.execute(insert(rows.table), rows.rows[start : start + _BATCH])
        progress(stage, min(start + _BATCH, total), total)


# --- photos ------------------------------------------------------------------------------------

PHOTO_SIZE = (800, 600)
THUMBNAIL_SIZE = (240, 180)
_GROUND = 470

# Side profiles (car facing right): body outline, side glass, wheel centres x, wheel radius.
# fmt: off
_PROFILES: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]], tuple[int, int], int]] = {
    "sedan": (
        [(92, 440), (88, 392), (104, 360), (232, 342), (302, 282), (336, 264), (482, 260),
         (566, 294), (650, 334), (702, 350), (714, 392), (710, 440)],
        [(262, 336), (322, 280), (476, 276), (548, 334)],
        (206, 604), 50,
    ),
    "suv": (
        [(92, 446), (88, 372), (108, 334), (206, 318), (256, 246), (300, 236), (598, 234),
         (662, 292), (702, 312), (714, 372), (710, 446)],
        [(268, 312), (292, 254), (592, 250), (644, 310)],
        (204, 612), 58,
    ),
    "mpv": (
        [(88, 446), (86, 326), (126, 298), (188, 224), (226, 214), (648, 212), (694, 256),
         (712, 322), (716, 446)],
        [(198, 294), (232, 234), (640, 230), (664, 294)],
        (196, 622), 52,
    ),
    "hatch": (
        [(132, 440), (126, 376), (146, 336), (180, 270), (212, 256), (480, 256), (566, 300),
         (650, 330), (680, 350), (688, 396), (684, 440)],
        [(196, 330), (222, 272), (476, 270), (552, 328)],
        (236, 586), 46,
    ),
}
# fmt: on
_ROOF_Y = {"sedan": 210, "suv": 168, "mpv": 150, "hatch": 196}

# Photo plan of a full archive: view, category, caption. The first twelve cover every category.
_ARCHIVE_VIEWS: tuple[tuple[str, PhotoCategory, str], ...] = (
    ("side_left", PhotoCategory.EXTERIOR, "左侧"),
    ("front", PhotoCategory.EXTERIOR, "车头"),
    ("rear", PhotoCategory.EXTERIOR, "车尾"),
    ("side_right", PhotoCategory.EXTERIOR, "右侧"),
    ("dashboard", PhotoCategory.INTERIOR, "中控台"),
    ("seats_front", PhotoCategory.INTERIOR, "前排座椅"),
    ("engine_bay", PhotoCategory.ENGINE, "发动机舱"),
    ("underbody", PhotoCategory.CHASSIS, "底盘"),
    ("front_close", PhotoCategory.EXTERIOR, "前脸"),
    ("cluster", PhotoCategory.INTERIOR, "仪表（表显里程）"),
    ("seats_rear", PhotoCategory.INTERIOR, "后排座椅"),
    ("suspension", PhotoCategory.CHASSIS, "悬挂与制动"),
    ("wheel", PhotoCategory.EXTERIOR, "轮毂轮胎"),
    ("rear_close", PhotoCategory.EXTERIOR, "尾灯"),
    ("console", PhotoCategory.INTERIOR, "换挡及中央扶手"),
    ("trunk", PhotoCategory.INTERIOR, "后备箱"),
    ("engine_close", PhotoCategory.ENGINE, "发动机舱细节"),
    ("underbody_close", PhotoCategory.CHASSIS, "底盘细节"),
    ("keys", PhotoCategory.DETAIL, "钥匙"),
    ("nameplate", PhotoCategory.DOCUMENTS, "铭牌"),  # shows the VIN: staff only
)
_CATEGORY_ORDER = {c: i for i, c in enumerate(PhotoCategory)}


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = (max(0, min(255, int(c * factor))) for c in rgb)
    return r, g, b


@lru_cache(maxsize=8)
def _backdrop(kind: str) -> Image.Image:
    """A studio wall with a floor, or a plain graded light for close-ups."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(image)
    if kind == "studio":
        wall_end = _GROUND - 40
        for y in range(height):
            if y < wall_end:
                v = 226 - y * 40 // wall_end
                draw.line([(0, y), (width, y)], fill=(v, v, v + 4))
            else:
                v = 150 - (y - wall_end) * 50 // (height - wall_end)
                draw.line([(0, y), (width, y)], fill=(v, v, v))
        return image
    top, bottom = {
        "cabin": ((70, 72, 78), (24, 24, 26)),
        "bay": ((60, 62, 66), (30, 30, 32)),
        "under": ((44, 46, 50), (18, 18, 20)),
        "table": ((208, 200, 188), (160, 152, 140)),
    }[kind]
    for y in range(height):
        t = y / height
        r, g, b = (int(a + (z - a) * t) for a, z in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=(r, g, b))
    return image


def _wheel(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(26, 26, 28))
    rim = int(r * 0.62)
    draw.ellipse(
        [cx - rim, cy - rim, cx + rim, cy + rim],
        fill=(176, 178, 184),
        outline=(120, 122, 128),
        width=3,
    )
    for k in range(5):
        angle = math.radians(k * 72 + 18)
        tip = (cx + int(rim * 0.92 * math.cos(angle)), cy + int(rim * 0.92 * math.sin(angle)))
        draw.line([(cx, cy), tip], fill=(110, 112, 118), width=7)
    hub = max(4, r // 7)
    draw.ellipse([cx - hub, cy - hub, cx + hub, cy + hub], fill=(90, 92, 98))


@lru_cache(maxsize=64)
def _side(shape: str, rgb: tuple[int, int, int]) -> Image.Image:
    body, glass, wheels, r = _PROFILES[shape]
    image = _backdrop("studio").copy()
    draw = ImageDraw.Draw(image)
    dark = _shade(rgb, 0.6)
    draw.ellipse([60, _GROUND - 18, 740, _GROUND + 22], fill=(96, 96, 98))
    cy = _GROUND - r + 8
    for x in wheels:
        draw.ellipse([x - r - 8, cy - r - 8, x + r + 8, cy + r + 8], fill=(20, 20, 22))
    draw.polygon(body, fill=rgb, outline=dark)
    for x in wheels:  # arches cut into the body, then the wheels
        draw.pieslice([x - r - 9, cy - r - 9, x + r + 9, cy + r + 9], 180, 360, fill=(22, 22, 24))
        _wheel(draw, x, cy, r)
    draw.polygon(glass, fill=(44, 56, 70), outline=_shade(rgb, 0.55))
    pillar_x = (glass[0][0] + glass[-1][0]) // 2 + 10
    top = min(y for _, y in glass)
    draw.line([(pillar_x, top), (pillar_x - 4, glass[0][1])], fill=_shade(rgb, 0.7), width=9)
    draw.polygon(
        [
            (glass[1][0] + 20, top + 6),
            (glass[1][0] + 60, top + 6),
            (glass[0][0] + 58, glass[0][1] - 6),
            (glass[0][0] + 26, glass[0][1] - 6),
        ],
        fill=(92, 108, 124),
    )
    belt = glass[0][1] + 6
    sill = _GROUND - 40
    draw.line(
        [(body[1][0] + 6, belt + 36), (body[-2][0] - 6, belt + 36)], fill=_shade(rgb, 0.78), width=3
    )
    draw.line([(pillar_x - 4, belt), (pillar_x - 8, sill)], fill=dark, width=2)
    for handle_x in (pillar_x - 70, pillar_x + 70):
        draw.rounded_rectangle(
            [handle_x, belt + 14, handle_x + 34, belt + 22], 3, fill=_shade(rgb, 0.7)
        )
    nose, tail = body[-2][0], body[1][0]
    draw.polygon(
        [
            (nose - 34, belt + 4),
            (nose + 2, belt + 10),
            (nose + 2, belt + 28),
            (nose - 30, belt + 22),
        ],
        fill=(236, 234, 214),
        outline=(150, 150, 140),
    )
    draw.polygon(
        [
            (tail - 2, belt + 6),
            (tail + 26, belt + 8),
            (tail + 24, belt + 30),
            (tail - 2, belt + 30),
        ],
        fill=(176, 20, 24),
    )
    rear_wheel, front_wheel = wheels
    draw.line(
        [(rear_wheel + r + 20, sill + 28), (front_wheel - r - 20, sill + 28)], fill=dark, width=8
    )
    return image


@lru_cache(maxsize=64)
def _face(shape: str, rgb: tuple[int, int, int], rear: bool, electric: bool) -> Image.Image:
    """The car seen from the front or the rear; electric cars have a closed grille."""
    roof = _ROOF_Y[shape]
    image = _backdrop("studio").copy()
    draw = ImageDraw.Draw(image)
    draw.ellipse([120, _GROUND - 20, 680, _GROUND + 24], fill=(96, 96, 98))
    for x in (190, 556):
        draw.rounded_rectangle([x, _GROUND - 70, x + 54, _GROUND + 4], 10, fill=(24, 24, 26))
    belt = roof + (130 if shape == "mpv" else 120)
    draw.polygon([(250, roof), (550, roof), (600, belt), (200, belt)], fill=_shade(rgb, 0.9))
    draw.polygon(
        [(262, roof + 12), (538, roof + 12), (580, belt - 6), (220, belt - 6)],
        fill=(34, 42, 52) if rear else (44, 56, 70),
    )
    draw.rounded_rectangle(
        [160, belt - 4, 640, _GROUND - 30], 26, fill=rgb, outline=_shade(rgb, 0.6), width=2
    )
    for x in (150, 618):  # mirrors
        draw.rounded_rectangle([x, belt - 30, x + 32, belt - 6], 6, fill=_shade(rgb, 0.85))
    lamp_y = belt + 26
    if rear:
        for x0, x1 in ((176, 300), (500, 624)):
            draw.rounded_rectangle(
                [x0, lamp_y, x1, lamp_y + 34],
                10,
                fill=(178, 22, 28),
                outline=(110, 10, 14),
                width=2,
            )
        draw.rectangle([300, lamp_y + 12, 500, lamp_y + 20], fill=_shade(rgb, 0.7))
    else:
        for x0, x1 in ((182, 300), (500, 618)):
            draw.polygon(
                [(x0, lamp_y), (x1, lamp_y + 6), (x1 - 8, lamp_y + 34), (x0 + 6, lamp_y + 30)],
                fill=(236, 236, 220),
                outline=(130, 130, 130),
            )
        if electric:
            draw.rounded_rectangle([320, lamp_y + 8, 480, lamp_y + 26], 8, fill=_shade(rgb, 0.8))
            draw.rounded_rectangle([300, lamp_y + 84, 500, lamp_y + 110], 10, fill=(30, 30, 34))
        else:
            draw.rounded_rectangle([306, lamp_y - 2, 494, lamp_y + 66], 12, fill=(28, 28, 32))
            for y in range(lamp_y + 10, lamp_y + 60, 12):
                draw.line([(316, y), (484, y)], fill=(110, 112, 118), width=3)
    plate_y = lamp_y + (60 if rear else 76)
    # Blank plate in the plate colour: blue for ordinary, green for new-energy cars.
    plate_fill = (40, 170, 90) if electric else (24, 72, 180)
    draw.rectangle(
        [340, plate_y, 460, plate_y + 34], fill=plate_fill, outline=(240, 240, 240), width=3
    )
    draw.rectangle([176, _GROUND - 44, 624, _GROUND - 32], fill=_shade(rgb, 0.55))
    return image


@lru_cache(maxsize=16)
def _cabin(tone: tuple[int, int, int], view: str) -> Image.Image:
    image = _backdrop("cabin").copy()
    draw = ImageDraw.Draw(image)
    edge = _shade(tone, 0.6)
    if view == "dashboard":
        draw.rectangle([0, 0, 800, 180], fill=(176, 196, 214))  # daylight through the windscreen
        draw.polygon([(0, 170), (800, 170), (800, 340), (0, 360)], fill=tone)
        draw.rectangle([0, 330, 800, 600], fill=_shade(tone, 0.7))
        draw.rounded_rectangle(
            [330, 200, 520, 310], 10, fill=(20, 26, 40), outline=(90, 90, 96), width=3
        )
        draw.rounded_rectangle([348, 216, 502, 294], 6, fill=(46, 92, 150))
        for x in (300, 540):
            draw.rounded_rectangle([x - 20, 210, x + 20, 240], 6, fill=(40, 40, 44))
        draw.rounded_rectangle([110, 196, 260, 250], 14, fill=(16, 18, 22))
        draw.ellipse([128, 204, 172, 244], outline=(220, 120, 40), width=3)
        draw.ellipse([198, 204, 242, 244], outline=(220, 220, 230), width=3)
        draw.ellipse([70, 230, 300, 460], outline=(74, 74, 80), width=24)
        draw.ellipse([160, 320, 210, 370], fill=(74, 74, 80))
    elif view == "seats_front":
        draw.rectangle([0, 430, 800, 600], fill=(30, 30, 32))
        for x in (150, 470):
            draw.rounded_rectangle([x, 150, x + 180, 420], 40, fill=tone, outline=edge, width=3)
            draw.rounded_rectangle([x + 45, 90, x + 135, 150], 20, fill=tone, outline=edge, width=3)
            draw.rounded_rectangle([x - 10, 400, x + 190, 480], 30, fill=_shade(tone, 0.9))
            for y in range(200, 400, 40):
                draw.line([(x + 30, y), (x + 150, y)], fill=_shade(tone, 0.8), width=2)
        draw.rounded_rectangle([352, 360, 448, 470], 12, fill=(34, 34, 36))
    elif view == "seats_rear":
        draw.rectangle([0, 440, 800, 600], fill=(30, 30, 32))
        draw.rounded_rectangle([90, 170, 710, 430], 50, fill=tone, outline=edge, width=3)
        for x in (170, 360, 550):
            draw.rounded_rectangle([x, 110, x + 80, 160], 18, fill=tone, outline=edge, width=3)
        for x in (300, 500):
            draw.line([(x, 190), (x, 420)], fill=_shade(tone, 0.75), width=4)
        draw.rounded_rectangle([80, 400, 720, 500], 40, fill=_shade(tone, 0.9))
    elif view == "console":
        draw.rectangle([0, 0, 800, 600], fill=_shade(tone, 0.55))
        draw.rounded_rectangle([240, 60, 560, 600], 40, fill=(34, 34, 38))
        draw.rounded_rectangle([370, 150, 430, 330], 24, fill=(60, 60, 64))
        draw.ellipse([350, 110, 450, 200], fill=(20, 20, 22), outline=(150, 150, 156), width=4)
        for x in (290, 450):
            draw.ellipse([x, 400, x + 64, 464], fill=(14, 14, 16), outline=(110, 110, 116), width=3)
    else:  # trunk, seen from behind with the tailgate open
        draw.rectangle([0, 0, 800, 600], fill=(210, 212, 216))
        draw.polygon([(110, 120), (690, 120), (740, 520), (60, 520)], fill=(36, 36, 40))
        draw.polygon([(150, 300), (650, 300), (700, 500), (100, 500)], fill=(58, 58, 62))
        draw.rectangle([60, 500, 740, 540], fill=(120, 122, 128))
    return image


@lru_cache(maxsize=4)
def _bay(electric: bool) -> Image.Image:
    image = _backdrop("bay").copy()
    draw = ImageDraw.Draw(image)
    draw.polygon([(40, 120), (760, 120), (700, 560), (100, 560)], fill=(52, 54, 58))
    if electric:  # motor and power electronics, orange high-voltage cables
        draw.rounded_rectangle(
            [200, 200, 600, 420], 20, fill=(170, 174, 180), outline=(90, 92, 96), width=4
        )
        for y in (250, 300, 350):
            draw.line([(230, y), (570, y)], fill=(120, 124, 130), width=4)
        draw.line([(200, 460), (600, 460)], fill=(236, 120, 30), width=14)
        draw.line([(600, 460), (660, 300)], fill=(236, 120, 30), width=14)
        draw.rounded_rectangle([90, 160, 180, 230], 8, fill=(28, 28, 30))
    else:  # engine cover, yellow service caps, battery, coolant tank
        draw.rounded_rectangle(
            [230, 190, 570, 430], 30, fill=(40, 40, 44), outline=(100, 100, 106), width=4
        )
        for x in range(270, 540, 50):
            draw.line([(x, 220), (x, 400)], fill=(72, 72, 78), width=10)
        draw.ellipse([380, 300, 420, 340], fill=(234, 190, 30))
        draw.ellipse([620, 200, 670, 250], fill=(234, 190, 30))
        draw.rounded_rectangle([90, 180, 200, 290], 10, fill=(24, 24, 26))
        draw.rectangle([104, 166, 124, 180], fill=(200, 30, 30))
        draw.rectangle([166, 166, 186, 180], fill=(30, 30, 30))
        draw.ellipse([600, 330, 700, 430], fill=(210, 214, 220), outline=(120, 120, 126), width=3)
    return image


@lru_cache(maxsize=4)
def _under(electric: bool, view: str) -> Image.Image:
    image = _backdrop("under").copy()
    draw = ImageDraw.Draw(image)
    if view == "underbody":
        draw.rounded_rectangle([60, 140, 740, 460], 40, fill=(64, 66, 70))
        if electric:  # flat battery pack
            draw.rounded_rectangle(
                [150, 190, 650, 410], 16, fill=(96, 98, 104), outline=(140, 140, 146), width=4
            )
            for x in range(200, 620, 70):
                draw.line([(x, 200), (x, 400)], fill=(80, 82, 88), width=3)
        else:  # exhaust pipe and silencer
            draw.line([(120, 300), (700, 300)], fill=(170, 170, 176), width=16)
            draw.ellipse([480, 260, 640, 340], fill=(150, 150, 156))
            draw.rectangle([140, 190, 300, 410], fill=(52, 54, 58))
        for x, y in ((40, 100), (640, 100), (40, 400), (640, 400)):
            draw.rounded_rectangle([x, y, x + 120, y + 90], 16, fill=(20, 20, 22))
    else:  # coil spring, brake disc and calliper
        draw.ellipse([360, 150, 660, 450], fill=(150, 152, 158), outline=(90, 90, 96), width=6)
        draw.ellipse([470, 260, 550, 340], fill=(70, 70, 76))
        draw.rounded_rectangle([590, 220, 650, 380], 12, fill=(180, 30, 30))
        draw.rectangle([190, 80, 230, 520], fill=(60, 60, 64))
        for k in range(9):
            y = 120 + k * 40
            draw.line([(120, y), (300, y + 20)], fill=(220, 200, 40), width=12)
    return image


def _table_shot(view: str) -> Image.Image:
    image = _backdrop("table").copy()
    draw = ImageDraw.Draw(image)
    if view == "keys":
        for x in (220, 470):
            draw.rounded_rectangle(
                [x, 200, x + 110, 380], 40, fill=(30, 30, 34), outline=(90, 90, 96), width=3
            )
            for y in (240, 290, 340):
                draw.ellipse([x + 40, y, x + 70, y + 30], fill=(70, 70, 76))
            draw.ellipse([x + 35, 150, x + 75, 200], outline=(170, 170, 176), width=6)
    else:  # the manufacturer's nameplate, text as lines
        draw.rounded_rectangle(
            [140, 180, 660, 420], 12, fill=(198, 202, 208), outline=(120, 120, 126), width=4
        )
        for y in range(220, 400, 30):
            draw.line([(180, y), (620 - (y % 90), y)], fill=(70, 70, 76), width=6)
        for x, y in ((156, 196), (632, 196), (156, 392), (632, 392)):
            draw.ellipse([x, y, x + 12, y + 12], fill=(120, 120, 126))
    return image


def _zoom(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    return image.crop(box).resize(PHOTO_SIZE, Image.Resampling.BILINEAR)


def _draw_view(
    view: str, shape: str, colour: str, electric: bool, light_interior: bool
) -> Image.Image:
    rgb = _COLOUR_RGB[colour]
    tone = (196, 176, 146) if light_interior else (46, 46, 50)
    _, _, (_, front_x), r = _PROFILES[shape]
    wheel_y = _GROUND - r + 8
    if view == "side_left":
        return _side(shape, rgb)
    if view == "side_right":
        return ImageOps.mirror(_side(shape, rgb))
    if view in ("front", "rear"):
        return _face(shape, rgb, view == "rear", electric)
    if view in ("front_close", "rear_close"):
        return _zoom(_face(shape, rgb, view == "rear_close", electric), (150, 210, 650, 585))
    if view == "wheel":
        return _zoom(_side(shape, rgb), (front_x - 120, wheel_y - 90, front_x + 120, wheel_y + 90))
    if view in ("dashboard", "seats_front", "seats_rear", "console", "trunk"):
        return _cabin(tone, view)
    if view == "cluster":
        return _zoom(_cabin(tone, "dashboard"), (90, 170, 290, 320))
    if view == "engine_bay":
        return _bay(electric)
    if view == "engine_close":
        return _zoom(_bay(electric), (180, 160, 620, 490))
    if view in ("underbody", "suspension"):
        return _under(electric, view)
    if view == "underbody_close":
        return _zoom(_under(electric, "underbody"), (100, 150, 500, 450))
    return _table_shot(view)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def _rendered(
    view: str, shape: str, colour: str, electric: bool, light_interior: bool
) -> tuple[bytes, bytes]:
    """JPEG photo and thumbnail for one view; cached, as drawing is deterministic."""
    image = _draw_view(view, shape, colour, electric, light_interior)
    thumbnail = image.resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)
    return _jpeg(image), _jpeg(thumbnail)


class _PhotoStudio:
    """Hands out (photo sha, thumbnail sha) pairs and collects the distinct media bytes."""

    # Views that do not depend on the body shape or colour share one image per variant.
    _SHAPELESS = frozenset(
        {
            "dashboard",
            "cluster",
            "seats_front",
            "seats_rear",
            "console",
            "trunk",
            "engine_bay",
            "engine_close",
            "underbody",
            "suspension",
            "underbody_close",
            "keys",
            "nameplate",
        }
    )
    _COLOURLESS_EXTERIOR = frozenset({"side_left", "side_right", "wheel"})

    def __init__(self) -> None:
        self.media: dict[str, bytes] = {}
        self._keys: dict[tuple[Any, ...], tuple[str, str]] = {}

    def photo(
        self, view: str, shape: str, colour: str, electric: bool, light_interior: bool
    ) -> tuple[str, str]:
        # Normalise the key so that equal drawings share one cache entry and one media row.
        if view in self._SHAPELESS:
            shape, colour = "sedan", "白色"
            electric = electric and view in (
                "engine_bay",
                "engine_close",
                "underbody",
                "underbody_close",
            )
            light_interior = light_interior and view in (
                "dashboard",
                "cluster",
                "seats_front",
                "seats_rear",
                "console",
                "trunk",
            )
        else:
            light_interior = False
            if view in self._COLOURLESS_EXTERIOR:
                electric = False
        key = (view, shape, colour, electric, light_interior)
        found = self._keys.get(key)
        if found is None:
            image, thumbnail = _rendered(*key)
            image_sha = hashlib.sha256(image).hexdigest()
            thumbnail_sha = hashlib.sha256(thumbnail).hexdigest()
            self.media[image_sha] = image
            self.media[thumbnail_sha] = thumbnail
            found = self._keys[key] = (image_sha, thumbnail_sha)
        return found


# --- the generator -----------------------------------------------------------------------------


@dataclass
class _Car:
    """What the later stages need to know about a generated car."""

    id: uuid.UUID
    index: int
    model: _CarModel
    row: dict[str, Any]

    @property
    def status(self) -> VehicleStatus:
        return self.row["status"]  # type: ignore[no-any-return]

    @property
    def price(self) -> Decimal:
        return self.row["list_price"]  # type: ignore[no-any-return]

    @property
    def title(self) -> str:
        return f"{self.model.brand} {self.model.model} {self.row['trim']}"


class _Generator:
    """One run of demo generation inside one write transaction."""

    def __init__(
        self,
        session: Session,
        *,
        cars: int,
        seed: int,
        store_code: str,
        store_name: str,
        progress: Progress,
        now: datetime,
        staff_hashes: list[tuple[str | None, str | None]],
    ) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.reasons_rng = random.Random(seed + 1)
        self.n_cars = cars
        self.store_code = store_code
        self.store_name = store_name
        self.progress = progress
        self.now = now
        self.staff_hashes = staff_hashes
        self.zone: tzinfo = _CHINA
        self.today = now.astimezone(_CHINA).date()
        self.vins: set[str] = set()
        self.plates: set[str] = set()
        self.phones: set[str] = set()
        self.studio = _PhotoStudio()
        self.documents: dict[str, tuple[str, bytes]] = {}  # sha -> (mime, bytes): report PDFs
        self.vehicles = _Rows(Vehicle)
        self.photos = _Rows(VehiclePhoto)
        self.price_items = _Rows(PriceItem)
        self.maintenance = _Rows(MaintenanceRecord)
        self.history = _Rows(HistoryRecord)
        self.customers = _Rows(Customer)
        self.consents = _Rows(Consent)
        self.events = _Rows(InspectionEvent)
        self.registrations = _Rows(Registration)
        self.test_drives = _Rows(TestDrive)
        self.agreements = _Rows(DocumentRow)
        self.booking_codes = _Rows(BookingCode)
        self.kiosk_arrivals = _Rows(KioskArrival)
        self.visits = _Rows(Visit)
        self.contracts = _Rows(Contract)
        self.deposits = _Rows(Deposit)
        self.follow_ups = _Rows(FollowUp)
        self.inspections = _Rows(Inspection)
        self.inspection_items = _Rows(InspectionItem)
        self.tags = _Rows(CustomerTag)
        self.tag_links = _Rows(CustomerTagLink)
        self.leads = _Rows(Lead)
        self.interactions = _Rows(Interaction)
        self.cars: list[_Car] = []
        self.audit_log: list[tuple[audit.Actor, str, str, uuid.UUID, dict[str, Any], datetime]] = []
        self.credentials: list[DemoCredentials] = []
        # Customers handed out for one role each (deposit, contract, booking...), never twice.
        self._spare_customers: list[dict[str, Any]] = []
        self._busy_slots: set[tuple[uuid.UUID, datetime]] = set()
        self._configurations: dict[tuple[int, bool], list[list[str]]] = {}

    # -- basics --------------------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local wall-clock time of the store as an aware UTC instant."""
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone).astimezone(
            UTC
        )

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def business_time(self, day: date) -> datetime:
        """A random time within store hours on ``day``, weighted towards the afternoon."""
        minutes = int(self.rng.triangular(0, (_CLOSING_HOUR - _OPENING_HOUR) * 60 - 30, 330))
        return self.local(day, _OPENING_HOUR) + timedelta(minutes=minutes)

    def actor(self, staff_id: uuid.UUID) -> audit.Actor:
        return audit.Actor(self.staff_names[staff_id], staff_id, self.store_id)

    def log(
        self,
        actor: audit.Actor,
        action: str,
        entity: str,
        entity_id: uuid.UUID,
        at: datetime,
        **detail: Any,
    ) -> None:
        self.audit_log.append((actor, action, entity, entity_id, detail, at))

    # -- people --------------------------------------------------------------------------------

    def person_name(self, male: bool) -> str:
        surname = self.rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
        pool = _MALE_GIVEN if male else _FEMALE_GIVEN
        given = self.rng.choice(pool)
        if self.rng.random() < 0.65:
            given += self.rng.choice(pool)
        return surname + given

    def booking_code(self, kind: str, at: datetime) -> str:
        """A registered code from the seeded generator (the services draw from ``secrets``)."""
        while True:
            code = numbering.booking_code_for(self.rng.randrange(numbering.CODE_SPACE))
            if not any(row["code"] == code for row in self.booking_codes.rows):
                break
        self.booking_codes.add(code=code, store_id=self.store_id, kind=kind, created_at=at)
        return code

    def mobile(self) -> str:
        while True:
            phone = f"{self.rng.choice(_MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, male: bool) -> str:
        birth = self.today - timedelta(days=self.rng.randint(22 * 365, 62 * 365))
        sequence = self.rng.randrange(500) * 2 + (1 if male else 0)  # odd for men
        first17 = f"{self.rng.choice(_ID_REGIONS)}{birth:%Y%m%d}{sequence:03d}"
        return first17 + id_check_digit(first17)

    def customer_id_number(self, customer: dict[str, Any]) -> str:
        if customer["id_number"] is None:
            customer["id_number"] = self.id_number(customer["title"] is Title.MR)
        return customer["id_number"]  # type: ignore[no-any-return]

    # -- identifiers ---------------------------------------------------------------------------

    def vin(self, model: _CarModel, model_year: int) -> str:
        year_code = _VIN_YEAR_CODES[(model_year - 2010) % 30]
        while True:
            # Positions 4-8 describe the car, 11 is the plant, 12-17 the serial number.
            chars = self.rng.choices(_VIN_CHARS, k=6)
            body = (
                f"{model.wmi}{''.join(chars[:5])}0{year_code}{chars[5]}"
                f"{self.rng.randrange(10**6):06d}"
            )
            vin = body[:8] + vin_check_digit(body) + body[9:]
            if vin not in self.vins:
                self.vins.add(vin)
                return vin

    def plate(self, energy: Energy) -> str:
        province, letters = self.city_plates
        if self.rng.random() < 0.1:  # a car registered in another province
            province, letters = self.rng.choice(PLATE_PROVINCES), "ABCDEFGH"
        while True:
            authority = self.rng.choice(letters)
            if energy in (Energy.EV, Energy.PHEV):
                # Small new-energy plate: D (battery-electric) or F (plug-in), then 5 more.
                kind = "D" if energy is Energy.EV else "F"
                serial = f"{kind}{self.rng.choice(_PLATE_ALNUM)}{self.rng.randrange(10**4):04d}"
            else:
                # Mostly digits with up to two letters, like most issued plates.
                chars = self.rng.choices("0123456789", k=5)
                letters_in = self.rng.choice((0, 1, 1, 2))
                if letters_in:
                    picked = self.rng.choices(_PLATE_LETTERS, k=letters_in)
                    for position, letter in zip(
                        self.rng.sample(range(5), letters_in), picked, strict=True
                    ):
                        chars[position] = letter
                serial = "".join(chars)
            plate = province + authority + serial
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    # -- run -----------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.make_store_and_staff()
        self.make_cars()
        self.make_customers()
        self.make_sales()
        self.make_test_drives()
        self.make_events()
        self.make_visits()
        self.make_follow_ups()
        self.make_inspections()
        self.settle_customers()
        self.make_customer_file()
        self.write()
        return DemoSummary(
            stores=1,
            staff=self.credentials,
            cars=len(self.vehicles),
            customers=len(self.customers),
            visits=len(self.visits),
            test_drives=len(self.test_drives),
            registrations=len(self.registrations),
            inspections=len(self.inspections),
            deposits=len(self.deposits),
            contracts=len(self.contracts),
            follow_ups=len(self.follow_ups),
            seconds=0.0,
        )

    # -- store and staff -----------------------------------------------------------------------

    def make_store_and_staff(self) -> None:
        prefix = self.store_code[:2].upper()
        self.city_plates = _CITY_PLATES.get(prefix, _CITY_PLATES["BJ"])
        store = self.session.scalars(select(Store).where(Store.code == self.store_code)).first()
        store_id = self.uuid()  # drawn even when unused, so the sequence stays the same
        if store is None:
            city = _CITY_NAMES.get(prefix, "北京市朝阳区")
            store = Store(
                id=store_id,
                code=self.store_code,
                name=self.store_name,
                address=f"{city}{self.rng.choice(_STREETS)}{self.rng.randint(8, 188)}号",
                phone=f"400-{self.rng.randint(600, 899)}-{self.rng.randrange(10**4):04d}",
                letterhead="演示数据",
                **_demo_store_profile(self.store_code),
                created_at=self.now - timedelta(days=400),
                updated_at=self.now,
            )
            self.session.add(store)
            self.session.flush()
            self.log(
                audit.SYSTEM, "store_created", "store", store.id, self.now, code=self.store_code
            )
        self.store_id = store.id
        self.store_display_name = store.name
        self.zone = _store_zone(store.timezone)
        self.today = self.local_date(self.now)

        taken = {name.lower() for name in self.session.scalars(select(Staff.username))}
        self.staff_names: dict[uuid.UUID, str] = {}
        self.staff_by_role: dict[Role, list[uuid.UUID]] = {role: [] for role in Role}
        used_names: set[str] = set()
        for position, ((username, roles, pin), (password_hash, pin_hash)) in enumerate(
            zip(_STAFF_PLAN, self.staff_hashes, strict=True)
        ):
            staff_id = self.uuid()
            male = self.rng.random() < 0.5
            display_name = self.person_name(male)
            while display_name in used_names:
                display_name = self.person_name(male)
            used_names.add(display_name)
            phone = self.mobile()
            if username in taken:
                # An account of that name exists already (set up before): leave it alone,
                # let the demo records use it, and do not claim to know its password.
                existing = self.session.scalars(
                    select(Staff).where(func.lower(Staff.username) == username)
                ).one()
                self.staff_names[existing.id] = existing.display_name
                for role in roles:
                    self.staff_by_role[role].append(existing.id)
                continue
            assert password_hash is not None
            self.session.add(
                Staff(
                    id=staff_id,
                    store_id=self.store_id,
                    username=username,
                    display_name=display_name,
                    roles=roles,
                    weekly_pattern=self.weekly_pattern(position, roles),
                    password_hash=password_hash,
                    pin_hash=pin_hash,
                    phone=phone,
                    created_at=self.now - timedelta(days=400),
                    updated_at=self.now,
                )
            )
            self.staff_names[staff_id] = display_name
            for role in roles:
                self.staff_by_role[role].append(staff_id)
            self.credentials.append(
                DemoCredentials(username, DEMO_PASSWORD, pin, roles[0], display_name, roles)
            )
            self.log(
                audit.SYSTEM,
                "staff_created",
                "staff",
                staff_id,
                self.now,
                username=username,
                roles=[r.value for r in roles],
            )
            self.progress("门店与员工", position + 1, len(_STAFF_PLAN))
        self.session.flush()
        self.make_roster_days()
        self.sales = self.staff_by_role[Role.SALES]
        self.reception = self.staff_by_role[Role.RECEPTION][0]
        self.manager = self.staff_by_role[Role.MANAGER][0]
        self.appraisers = self.staff_by_role[Role.APPRAISER]

    def weekly_pattern(self, position: int, roles: tuple[Role, ...]) -> str:
        """Consultants and appraisers take one weekday off in turn, never today (so today's
        generated visits have their consultants at work); manager and desk work Mon..Sat."""
        if roles[0] in (Role.MANAGER, Role.RECEPTION):
            off = 6 if self.today.weekday() != 6 else 0
        else:
            off = (self.today.weekday() + 1 + position) % 7
        return "".join("0" if day == off else "1" for day in range(7))

    def make_roster_days(self) -> None:
        """A few days that differ from the pattern: planned leave, a sick day last week."""
        plan = (
            (Role.SALES, 0, 3, RosterStatus.LEAVE, "年假"),
            (Role.APPRAISER, 1, -2, RosterStatus.SICK, ""),
            (Role.SALES, 1, 1, RosterStatus.OFF_SITE, "外出收车"),
        )
        for role, index, offset, status, note in plan:
            people = self.staff_by_role[role]
            if index < len(people):
                self.session.add(
                    RosterDay(
                        staff_id=people[index],
                        day=self.today + timedelta(days=offset),
                        status=status,
                        note=note,
                        set_by_id=self.staff_by_role[Role.MANAGER][0],
                    )
                )
        self.session.flush()

    # -- cars ----------------------------------------------------------------------------------

    def status_plan(self) -> list[VehicleStatus]:
        n = self.n_cars
        wanted = (
            (VehicleStatus.TEST_DRIVE, 1),
            (VehicleStatus.RESERVED, min(40, max(2, round(n * 0.03)))),
            # About forty sales a month in a large stock: a dealer's usual pace, so the
            # dashboard's conversion and repurchase figures look like a real store's.
            (VehicleStatus.SOLD, min(500, max(3, round(n * 0.05)))),
            (VehicleStatus.PREPARING, max(1, round(n * 0.08))),
        )
        plan: list[VehicleStatus] = []
        budget = n // 2  # at least half of a small stock stays on sale
        for status, count in wanted:
            plan += [status] * max(0, min(count, budget - len(plan)))
        plan += [VehicleStatus.ON_SALE] * (n - len(plan))
        self.rng.shuffle(plan)
        return plan

    def make_cars(self) -> None:
        rng = self.rng
        plan = self.status_plan()
        # Sold cars: signing dates over the last 13 months, so that every follow-up step occurs.
        sold_dates = sorted(
            (
                self.business_time(self.today - timedelta(days=rng.randint(1, 390)))
                for _ in range(plan.count(VehicleStatus.SOLD))
            ),
        )
        sold_iter = iter(sold_dates)
        self.sale_dates: dict[uuid.UUID, datetime] = {}
        for index, status in enumerate(plan):
            car_id = self.uuid()
            model = rng.choices(_CATALOGUE, cum_weights=_CATALOGUE_CUM)[0]
            listed: datetime | None
            if status is VehicleStatus.SOLD:
                signed = next(sold_iter)
                self.sale_dates[car_id] = signed
                days_before = rng.randint(5, 75)
                listed = self.business_time(self.local_date(signed) - timedelta(days=days_before))
            elif status is VehicleStatus.PREPARING:
                listed = None
            elif status is VehicleStatus.ON_SALE:  # most stock sells within a few weeks
                days_ago = 1 + int(min(178.0, rng.expovariate(1 / 40)))
                listed = self.business_time(self.today - timedelta(days=days_ago))
            else:
                listed = self.business_time(self.today - timedelta(days=rng.randint(8, 90)))
            intake_day = self.local_date(listed or self.now) - timedelta(days=rng.randint(2, 12))
            intake = self.business_time(intake_day)
            row = self.car_row(car_id, model, status, intake, listed)
            self.cars.append(_Car(car_id, index, model, row))
            if index % _BATCH == _BATCH - 1:
                self.progress("生成车辆", index + 1, self.n_cars)
        # Stock numbers follow the intake order, one counter call per year.
        by_intake = sorted(self.cars, key=lambda car: car.row["created_at"])
        years: dict[int, list[_Car]] = {}
        for car in by_intake:
            years.setdefault(self.local_date(car.row["created_at"]).year, []).append(car)
        for year, cars in years.items():
            for car, stock_no in zip(
                cars,
                numbering.next_stock_no(self.session, self.store_code, year, len(cars)),
                strict=True,
            ):
                car.row["stock_no"] = stock_no
        self.disclose_history()  # first: an accident car's price is lowered
        for car in self.cars[:FULL_ARCHIVES]:
            self.full_archive(car)
        shown = [c for c in self.cars[:FULL_ARCHIVES] if c.status is not VehicleStatus.PREPARING]
        for car in shown[:THIRD_PARTY_REPORTS]:
            self.third_party_report(car)
        self.progress("生成车辆", self.n_cars, self.n_cars)

    def disclose_history(self) -> None:
        """A few repaired scrapes on the full archives and at most one structural repair."""
        rng = self.rng
        in_stock = [c for c in self.cars[:FULL_ARCHIVES] if c.status is not VehicleStatus.PREPARING]
        for car in in_stock[1:4]:
            self.add_history(
                car,
                HistoryKind.COLLISION,
                False,
                rng.choice(
                    (
                        "右后叶子板轻微剐蹭，已钣喷修复",
                        "前保险杠轻微碰撞，已更换保险杠皮",
                        "左前门凹陷，已钣金修复",
                    )
                ),
            )
        if len(in_stock) > 4:
            self.add_history(in_stock[4], HistoryKind.OTHER, False, "更换前挡风玻璃（石子击伤）")
        # Disclosed openly (an accident car is legal to sell when the buyer is told).
        self.accident_car = next(
            (c for c in in_stock[5:] if c.status is VehicleStatus.ON_SALE), None
        )
        if self.accident_car is not None:
            car = self.accident_car
            self.add_history(
                car,
                HistoryKind.COLLISION,
                True,
                "前部碰撞，右前纵梁（结构件）切割焊接修复，已如实告知",
            )
            description = car.row["description"].replace("原版原漆，无重大事故。", "")
            car.row["description"] = (
                description + "事故车：前部结构件损伤已修复，价格已按车况下调。"
            )
            price = _round_to(int(car.row["list_price"]) * 0.8, 100)
            car.row["list_price"] = _money(max(5_000, price))
            car.row["cost_price"] = _money(max(3_000, _round_to(price * 0.88, 100)))

    def car_row(
        self,
        car_id: uuid.UUID,
        model: _CarModel,
        status: VehicleStatus,
        intake: datetime,
        listed: datetime | None,
    ) -> dict[str, Any]:
        rng = self.rng
        age = rng.choices(_AGES, cum_weights=_AGE_CUM)[0]
        model_year = max(model.since, self.today.year - age)
        registered_year = min(model_year + (1 if rng.random() < 0.25 else 0), self.today.year)
        first_registration = date(registered_year, rng.randint(1, 12), rng.randint(1, 28))
        latest = self.local_date(intake) - timedelta(days=60)
        if first_registration > latest:
            first_registration = latest
            model_year = min(model_year, first_registration.year)
        years_used = max(0.15, (self.today - first_registration).days / 365.25)
        per_year = (
            rng.uniform(4_000, 10_000) if rng.random() < 0.15 else rng.uniform(10_000, 25_000)
        )
        mileage = max(800, _round_to(years_used * per_year, 10))
        transfers = min(3, int(rng.expovariate(1.6) + years_used / 12))
        new_price = _round_to(rng.uniform(model.price_min, model.price_max), 100)
        # Depreciation calibrated on che168 listings: ~15% off when first sold, then a share
        # per year; high mileage and many owners cost extra, low mileage earns a little back.
        excess_10k_km = (mileage - years_used * 15_000) / 10_000
        mileage_factor = min(1.06, max(0.8, 1 - 0.025 * excess_10k_km))
        ratio = (
            0.86
            * model.retention**years_used
            * mileage_factor
            * (1 - 0.02 * transfers)
            * rng.uniform(0.93, 1.07)
        )
        price = max(5_000, _round_to(new_price * ratio, 100))
        cost = max(3_000, _round_to(price * rng.uniform(0.86, 0.94), 100))
        colour = rng.choices(_COLOUR_NAMES, cum_weights=_COLOUR_CUM)[0]
        manual = rng.random() < model.manual_share
        electric = model.energy is Energy.EV
        if electric:
            emission = "纯电动"
        elif registered_year >= 2020 or model.energy is Energy.PHEV:
            emission = "国VI"
        elif registered_year == 2019:
            emission = rng.choice(("国V", "国VI"))
        elif registered_year >= 2013:
            emission = "国V"
        else:
            emission = "国IV"
        level = _TRIM_LEVELS[
            min(
                len(_TRIM_LEVELS) - 1,
                int(
                    (new_price - model.price_min)
                    / max(1, model.price_max - model.price_min)
                    * len(_TRIM_LEVELS)
                ),
            )
        ]
        gearbox = "手动" if manual else "自动"
        if electric:
            trim = f"{model_year}款 {model.ev_range_km}km {level}"
        else:
            trim = f"{model_year}款 {model.engine} {gearbox}{level}"
        configuration = self.configuration(new_price, electric or model.energy is Energy.PHEV)
        owner_text = "一手车" if transfers == 0 else f"过户{transfers}次"
        description = (
            f"{first_registration.year}年{first_registration.month}月上牌，"
            f"表显里程{mileage / 10_000:.1f}万公里，{owner_text}，{colour}{model.body}。"
            f"{rng.choice(_SELLING_POINTS)}。"
        )
        engine_no = (
            f"TZ{rng.randint(180, 230)}X{rng.randrange(10**6):06d}"
            if electric
            else f"{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rng.randrange(10**6):06d}"
        )
        return self.vehicles.add(
            id=car_id,
            created_at=intake,
            updated_at=listed or intake,
            row_version=1,
            store_id=self.store_id,
            stock_no="",
            vin=self.vin(model, model_year),
            plate=self.plate(model.energy),
            engine_no=engine_no,
            brand=model.brand,
            model=model.model,
            trim=trim,
            year=model_year,
            first_registration=first_registration,
            mileage_km=mileage,
            displacement_l=model.displacement,
            ev_range_km=model.ev_range_km,
            energy=model.energy,
            transmission=Transmission.MANUAL if manual else Transmission.AUTOMATIC,
            emission_standard=emission,
            body_type=model.body,
            colour=colour,
            seats=model.seats,
            power_hp=model.power_hp,
            drive=model.drive,
            transfers=transfers,
            annual_inspection_due=self.inspection_due(first_registration),
            insurance_due=self.next_anniversary(first_registration),
            new_price=_money(new_price),
            list_price=_money(price),
            cost_price=_money(cost),
            status=status,
            configuration=configuration,
            description=description,
            listed_at=listed,
            acquisition=_ACQUISITION_CYCLE[car_id.int % len(_ACQUISITION_CYCLE)],
            source="demo",
        )

    def configuration(self, new_price: int, electric: bool) -> list[str]:
        """A feature list for the price class; drawn from a few dozen variants per class.

        Sharing the variants keeps 100,000 cars fast; the lists are never modified.
        """
        tier = (new_price > 100_000) + (new_price > 200_000)
        pool = self._configurations.get((tier, electric))
        if pool is None:
            pool = self._configurations[(tier, electric)] = []
            rng = self.rng
            for _ in range(24):
                items = rng.sample(_CONFIG_BASIC, rng.randint(4, len(_CONFIG_BASIC)))
                if tier >= 1:
                    items += rng.sample(_CONFIG_MID, rng.randint(2, 6))
                if tier >= 2:
                    items += rng.sample(_CONFIG_HIGH, rng.randint(2, 7))
                if electric:
                    items += rng.sample(_CONFIG_ELECTRIC, rng.randint(2, len(_CONFIG_ELECTRIC)))
                pool.append(items)
        return self.rng.choice(pool)

    def next_anniversary(self, day: date) -> date:
        """The first anniversary of ``day`` that is not in the past (insurance renews yearly)."""
        due = _add_months(day, 12 * (self.today.year - day.year))
        if due < self.today or due <= day:
            due = _add_months(day, 12 * (self.today.year + 1 - day.year))
        return due

    def inspection_due(self, registered: date) -> date:
        for years in _INSPECTION_YEARS:
            if registered.year + years < self.today.year:
                continue  # long past; skipping it saves date arithmetic on 100,000 cars
            due = _add_months(registered, 12 * years)
            if due >= self.today:
                return due
        return self.next_anniversary(registered)  # pragma: no cover - a 60-year-old car

    def full_archive(self, car: _Car) -> None:
        """Many photos, a price composition, maintenance and (for a few) accident history."""
        rng = self.rng
        row = car.row
        electric = car.model.energy is Energy.EV
        light_interior = car.model.price_min >= 250_000 and rng.random() < 0.5
        count = rng.randint(12, len(_ARCHIVE_VIEWS))
        views = sorted(
            _ARCHIVE_VIEWS[:count], key=lambda v: (v[0] != "side_left", _CATEGORY_ORDER[v[1]])
        )
        for position, (view, category, caption) in enumerate(views):
            image_sha, thumbnail_sha = self.studio.photo(
                view, car.model.shape, row["colour"], electric, light_interior
            )
            self.photos.add(
                id=self.uuid(),
                created_at=row["created_at"],
                vehicle_id=car.id,
                position=position,
                category=category,
                image_sha=image_sha,
                thumbnail_sha=thumbnail_sha,
                caption=caption,
                is_cover=position == 0,
            )
        price = int(row["list_price"])
        preparation = _round_to(min(3_000, max(600, price * 0.012)), 100)
        warranty = _round_to(min(4_000, max(800, price * 0.015)), 100)
        transfer_service = 500
        lines = (
            ("车辆价格", price - preparation - warranty - transfer_service, True),
            ("整备费（检测、保养、美容）", preparation, True),
            ("质保服务费（30天核心部件质保）", warranty, True),
            ("过户代办费", transfer_service, True),
            # Costs on top of the purchase cost (cost_price), staff only.
            ("整备成本（内部）", _round_to(preparation * 0.6, 100), False),
        )
        for position, (label, amount, public) in enumerate(lines):
            self.price_items.add(
                id=self.uuid(),
                created_at=row["created_at"],
                vehicle_id=car.id,
                position=position,
                label=label,
                amount=_money(amount),
                public=public,
            )
        registered: date = row["first_registration"]
        last_day = self.local_date(row["created_at"])
        span = max(1, (last_day - registered).days)
        services = max(1, span // rng.randint(240, 400))
        for k in range(services):
            fraction = (k + 1) / (services + 1)
            performed = registered + timedelta(days=int(span * fraction))
            kind = rng.choices(
                (
                    "常规保养：更换机油、机油滤芯，检查刹车系统",
                    "更换空气滤芯、空调滤芯",
                    "更换刹车片",
                    "更换轮胎（4条）",
                    "更换蓄电池",
                    "更换火花塞、变速箱油",
                ),
                weights=(10, 3, 2, 1, 1, 1),
            )[0]
            if electric:
                kind = rng.choice(
                    (
                        "常规保养：检查高压系统、电池包，更换空调滤芯",
                        "更换减速器油",
                        "更换刹车液",
                        "轮胎换位",
                    )
                )
            self.maintenance.add(
                id=self.uuid(),
                created_at=row["created_at"],
                vehicle_id=car.id,
                performed_on=performed,
                mileage_km=int(row["mileage_km"] * fraction),
                shop=f"{car.model.brand}授权4S店" if rng.random() < 0.8 else "连锁快修店",
                description=kind,
            )

    def third_party_report(self, car: _Car) -> None:
        """A generated two-page inspection report (PDF and its page images, as staff attach).

        Drawn with its own random stream seeded by the car, so adding reports leaves every
        other generated value of a seed as it was.
        """
        rng = random.Random(car.id.int)
        pages = []
        for number in (1, 2):
            page = Image.new("RGB", (1240, 1754), "white")
            draw = ImageDraw.Draw(page)
            draw.rectangle((80, 80, 1160, 240), outline="#1E3A8A", width=6)
            draw.text((110, 120), "THIRD-PARTY VEHICLE INSPECTION REPORT", fill="#1E3A8A")
            draw.text(
                (110, 170), f"Report {car.id.hex[:10].upper()}  page {number}/2", fill="#334155"
            )
            for row in range(20):
                y = 300 + row * 68
                draw.line((100, y + 40, 1140, y + 40), fill="#CBD5E1", width=2)
                result = "OK" if rng.random() < 0.93 else "NOTE"
                draw.text((110, y + 10), f"Item {(number - 1) * 20 + row + 1:02d}", fill="#334155")
                draw.text((1000, y + 10), result, fill="#047857" if result == "OK" else "#B45309")
            pages.append(page)
        buffer = io.BytesIO()
        pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:])
        pdf = buffer.getvalue()
        shas = []
        for page in pages:
            jpeg = io.BytesIO()
            page.save(jpeg, format="JPEG", quality=80)
            data = jpeg.getvalue()
            sha = hashlib.sha256(data).hexdigest()
            self.documents[sha] = ("image/jpeg", data)
            shas.append(sha)
        sha = hashlib.sha256(pdf).hexdigest()
        self.documents[sha] = ("application/pdf", pdf)
        car.row["third_party_report_sha"] = sha
        car.row["third_party_report_name"] = "第三方检测报告.pdf"
        car.row["third_party_report_pages"] = shas

    def add_history(self, car: _Car, kind: HistoryKind, structural: bool, text: str) -> None:
        registered: date = car.row["first_registration"]
        span = max(1, (self.local_date(car.row["created_at"]) - registered).days)
        self.history.add(
            id=self.uuid(),
            created_at=car.row["created_at"],
            vehicle_id=car.id,
            kind=kind,
            occurred_on=registered + timedelta(days=self.rng.randint(1, span)),
            structural=structural,
            description=text,
        )

    # -- customers -----------------------------------------------------------------------------

    def make_customers(self) -> None:
        rng = self.rng
        total = min(MAX_CUSTOMERS, max(MIN_CUSTOMERS, self.n_cars // 3))
        channels = list(SourceChannel)
        channel_weights = (40, 15, 12, 14, 12, 5, 2)
        grades = (IntentGrade.A, IntentGrade.B, IntentGrade.C, IntentGrade.D, None)
        uses = ("家用代步", "上下班通勤", "接送孩子", "商务接待", "周末自驾游", "家里添第二辆车")
        cycles = ("一周内", "一个月内", "三个月内", "随便看看")
        for k in range(total):
            male = rng.random() < 0.62
            title = Title.NONE if rng.random() < 0.05 else (Title.MR if male else Title.MS)
            created = self.business_time(self.today - timedelta(days=rng.randint(1, 365)))
            owner = rng.choice(self.sales) if rng.random() < 0.65 else None
            preferred = rng.sample(_CATALOGUE, rng.randint(1, 2))
            # A used-car budget: a share of what the wished-for model costs new, in 万元 steps.
            new_price = max(m.price_max for m in preferred)
            budget_high = max(30_000, _round_to(new_price * rng.uniform(0.3, 0.8), 10_000))
            self.customers.add(
                id=self.uuid(),
                created_at=created,
                store_id=self.store_id,
                name=self.person_name(male),
                title=title,
                phone=self.mobile(),
                owner_id=owner,
                owner_since=created if owner else None,
                intent_grade=rng.choices(grades, weights=(10, 28, 34, 16, 12))[0],
                source_channel=rng.choices(channels, weights=channel_weights)[0],
                budget_min=_money(max(20_000, budget_high - 50_000)),
                budget_max=_money(budget_high),
                intended_use=rng.choice(uses),
                preferred_models="、".join(f"{m.brand}{m.model}" for m in preferred),
                decision_cycle=rng.choice(cycles),
            )
            if k % _BATCH == _BATCH - 1:
                self.progress("生成客户", k + 1, total)
        self._customer_index = {c["id"]: c for c in self.customers.rows}
        self._spare_customers = list(self.customers.rows)
        rng.shuffle(self._spare_customers)
        self.progress("生成客户", total, total)

    def spare_customer(self) -> dict[str, Any]:
        """A customer not yet used for a deposit, contract, booking or registration."""
        if not self._spare_customers:
            return self.rng.choice(self.customers.rows)
        return self._spare_customers.pop()

    def consultant_for(self, customer: dict[str, Any]) -> uuid.UUID:
        owner = customer["owner_id"]
        return owner if owner is not None else self.rng.choice(self.sales)

    def settle_customers(self) -> None:
        """Back-date customers to their first activity and record their consents."""
        first_seen: dict[uuid.UUID, datetime] = {}
        for table, column in (
            (self.visits, "arrived_at"),
            (self.test_drives, "created_at"),
            (self.registrations, "created_at"),
            (self.deposits, "taken_at"),
            (self.contracts, "created_at"),
        ):
            for row in table.rows:
                at = row[column]
                seen = first_seen.get(row["customer_id"])
                if seen is None or at < seen:
                    first_seen[row["customer_id"]] = at
        kiosk_share = 0.2
        for customer in self.customers.rows:
            seen = first_seen.get(customer["id"])
            if seen is not None and seen <= customer["created_at"]:
                customer["created_at"] = customer["updated_at"] = seen - timedelta(minutes=5)
                if customer["owner_since"] is not None:
                    customer["owner_since"] = customer["created_at"]
            channel = "kiosk" if self.rng.random() < kiosk_share else "desk"
            recorded_by = None if channel == "kiosk" else self.reception
            for purpose, granted in (
                (ConsentPurpose.SERVICE, True),
                (ConsentPurpose.MARKETING, self.rng.random() < 0.6),
            ):
                self.consents.add(
                    id=self.uuid(),
                    created_at=customer["created_at"],
                    customer_id=customer["id"],
                    purpose=purpose,
                    granted=granted,
                    text_version=CONSENT_TEXT_VERSION,
                    recorded_at=customer["created_at"],
                    recorded_by_id=recorded_by,
                    channel=channel,
                )
        self.withdraw_some_marketing()

    def withdraw_some_marketing(self) -> None:
        """A few customers later asked for no more offers (PIPL): the refusal is its own row.

        Its own random stream, so the rest of the demo stays as it was for a given seed.
        """
        rng = random.Random(len(self.customers.rows))
        agreed = [c for c in self.consents.rows if c["purpose"] is ConsentPurpose.MARKETING]
        for consent in [c for c in agreed if c["granted"] and rng.random() < 0.04]:
            at = min(self.now - timedelta(hours=1), consent["recorded_at"] + timedelta(days=30))
            if at <= consent["recorded_at"]:
                continue
            self.consents.add(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=at,
                customer_id=consent["customer_id"],
                purpose=ConsentPurpose.MARKETING,
                granted=False,
                text_version=CONSENT_TEXT_VERSION,
                recorded_at=at,
                recorded_by_id=self.manager,
                channel="desk",
            )
            self.log(
                self.actor(self.manager),
                "marketing_consent_withdrawn",
                "customer",
                consent["customer_id"],
                at,
                channel="desk",
                follow_ups_stopped=0,
            )

    # -- the customer file: needs, tags, contacts, leads ----------------------------------------

    def make_customer_file(self) -> None:
        """What staff keep current: profile details, the store's tags, contacts logged with
        their answer and next step, and leads (some answered, some overdue, some visited)."""
        rng = self.rng
        self.progress("客户档案与线索", 0, 1)
        companies = ("京华商贸有限公司", "恒通物流有限公司", "博远科技有限公司", "瑞丰装饰工程部")
        for customer in self.customers.rows:
            models = customer["preferred_models"]
            customer["preferred_brands"] = "、".join(
                dict.fromkeys(m.brand for m in _CATALOGUE if f"{m.brand}{m.model}" in models)
            )
            customer["payment_preference"] = rng.choice(
                (PaymentPreference.FULL, PaymentPreference.LOAN, None)
            )
            customer["role"] = rng.choices(tuple(CustomerRole), weights=(75, 8, 17))[0]
            if rng.random() < 0.05:
                customer["kind"] = CustomerKind.COMPANY
                customer["company_name"] = rng.choice(companies)
        tag_names = ("老客户介绍", "企业客户", "急需用车", "价格敏感", "置换客户")
        tags = {
            name: self.tags.add(
                id=self.uuid(),
                created_at=self.now - timedelta(days=300),
                store_id=self.store_id,
                name=name,
                active=True,
            )
            for name in tag_names
        }
        for customer in self.customers.rows:
            chosen: list[str] = []
            if customer["source_channel"] is SourceChannel.REFERRAL:
                chosen.append("老客户介绍")
            if customer["kind"] is CustomerKind.COMPANY:
                chosen.append("企业客户")
            if customer["role"] is CustomerRole.TRADE_IN:
                chosen.append("置换客户")
            if customer["intent_grade"] is IntentGrade.A and rng.random() < 0.4:
                chosen.append("急需用车")
            if rng.random() < 0.08:
                chosen.append("价格敏感")
            for name in dict.fromkeys(chosen):
                self.tag_links.add(
                    id=self.uuid(),
                    created_at=customer["created_at"],
                    customer_id=customer["id"],
                    tag_id=tags[name]["id"],
                )
        talks = (
            ("发了车辆实拍视频和检测报告", "说周末带家人来看", "周六上午到店看车"),
            ("介绍了置换流程和旧车评估", "旧车想先评估一下价格", "约评估师看旧车"),
            ("询问贷款方案", "首付想控制在三成以内", "发送等额本息测算"),
            ("回复车辆是否还在", "还在比较另一台同款", ""),
            ("邀请参加本月透明检测日", "有兴趣，问能不能带朋友的车", "检测日前一天提醒"),
        )
        channels = (InteractionChannel.PHONE, InteractionChannel.WECHAT, InteractionChannel.SMS)
        for customer in self.customers.rows:
            if customer["owner_id"] is None or rng.random() < 0.5:
                continue
            start = customer["created_at"]
            for _ in range(rng.randint(1, 3)):
                span = max(60, int((self.now - start).total_seconds() // 60) - 60)
                at = start + timedelta(minutes=rng.randint(30, span))
                summary, response, step = rng.choice(talks)
                next_on = None
                if step and rng.random() < 0.6:
                    next_on = self.local_date(at) + timedelta(days=rng.randint(1, 7))
                self.interactions.add(
                    id=self.uuid(),
                    created_at=at,
                    customer_id=customer["id"],
                    lead_id=None,
                    staff_id=customer["owner_id"],
                    channel=rng.choice(channels),
                    at=at,
                    summary=summary,
                    response=response,
                    next_step=step,
                    next_on=next_on,
                )
        self.make_leads()
        self.progress("客户档案与线索", 1, 1)

    def make_leads(self) -> None:
        rng = self.rng
        on_sale = [c for c in self.cars if c.status is VehicleStatus.ON_SALE] or self.cars
        platforms = (
            (SourceChannel.LISTING_PLATFORM, "懂车帝"),
            (SourceChannel.LISTING_PLATFORM, "瓜子二手车"),
            (SourceChannel.LISTING_PLATFORM, "二手车之家"),
            (SourceChannel.LISTING_PLATFORM, "58同城"),
            (SourceChannel.SHORT_VIDEO, "抖音"),
            (SourceChannel.PHONE, ""),
        )
        asks = ("还在吗？", "最低多少钱？", "能分期吗？", "有没有事故？", "可以上门看车吗？", "")
        plan = (
            [LeadStatus.NEW] * 6
            + [LeadStatus.CONTACTED] * 5
            + [LeadStatus.VISITED] * 3
            + [LeadStatus.CLOSED] * 2
        )
        hours = 24
        for k, status in enumerate(plan):
            channel, platform = rng.choice(platforms)
            car = rng.choice(on_sale) if on_sale else None
            vehicle = f"{car.row['year']}款 {car.row['brand']} {car.row['model']}" if car else ""
            male = rng.random() < 0.6
            name = "" if rng.random() < 0.2 else self.person_name(male)[:1]
            title = Title.NONE if not name else (Title.MR if male else Title.MS)
            if status is LeadStatus.NEW:
                # Half still within the deadline, half overdue (the list shows them red).
                received = self.now - timedelta(
                    hours=rng.uniform(1, 20) if k % 2 else rng.uniform(26, 60)
                )
            else:
                received = self.now - timedelta(hours=rng.uniform(30, 24 * 12))
            customer = None
            if status is LeadStatus.VISITED:
                customer = self.spare_customer()
            phone = customer["phone"] if customer else self.mobile()
            owner = (
                customer["owner_id"]
                if customer and customer["owner_id"]
                else (rng.choice(self.sales) if rng.random() < 0.8 else None)
            )
            first_contact = None
            if status is not LeadStatus.NEW:
                # Called back within the day, during store hours.
                later = received + timedelta(hours=rng.uniform(0.3, 20))
                first_contact = max(received, self.business_time(self.local_date(later)))
            # A lead called but not yet in the showroom follows the cadence of the grade
            # chosen on the call (the first two hot: their next call is due by now).
            grade = next_on = None
            if status is LeadStatus.CONTACTED and first_contact is not None:
                grade = IntentGrade.A if k < 8 else rng.choice((IntentGrade.B, IntentGrade.C))
                days = cadence.DEFAULTS[grade].first_days or 0
                next_on = self.local_date(first_contact) + timedelta(days=days)
            lead = self.leads.add(
                id=self.uuid(),
                created_at=received,
                store_id=self.store_id,
                phone=phone,
                name=customer["name"][:1] if customer else name,
                title=customer["title"] if customer else title,
                source_channel=channel,
                platform=platform,
                external_ref=f"DEMO{k + 1:04d}" if platform else "",
                vehicle_id=car.id if car else None,
                vehicle_text=vehicle,
                message=rng.choice(asks),
                owner_id=owner,
                received_at=received,
                due_at=received + timedelta(hours=hours),
                first_contact_at=first_contact,
                status=status,
                closed_reason="已在别家买车" if status is LeadStatus.CLOSED else "",
                lost_reason="已在别处购买" if status is LeadStatus.CLOSED else None,
                intent_grade=grade.value if grade else None,
                next_contact_on=next_on,
                next_contact_reason=cadence.LEAD if next_on else None,
                customer_id=customer["id"] if customer else None,
                created_by_id=self.reception,
            )
            if first_contact is not None:
                self.interactions.add(
                    id=self.uuid(),
                    created_at=first_contact,
                    customer_id=customer["id"] if customer else None,
                    lead_id=lead["id"],
                    staff_id=owner or self.reception,
                    channel=InteractionChannel.PHONE,
                    at=first_contact,
                    summary=f"回电：{vehicle}车况良好，可以随时看车" if vehicle else "回电",
                    response="约好到店时间" if status is LeadStatus.VISITED else "考虑一下",
                    next_step="",
                    next_on=None,
                )

    # -- deposits and contracts ----------------------------------------------------------------

    def today_window(self) -> tuple[datetime, datetime]:
        """When today's visitors can have arrived: since opening, or the last hours if early."""
        midnight = self.local(self.today, 0) + timedelta(minutes=1)
        opening = self.local(self.today, _OPENING_HOUR)
        end = self.now - timedelta(minutes=2)
        if end - opening >= timedelta(minutes=30):
            return opening, end
        return max(midnight, end - timedelta(hours=2)), max(midnight, end)

    def make_sales(self) -> None:
        rng = self.rng
        self.progress("意向金与合同", 0, 1)
        deposits: list[dict[str, Any]] = []  # numbered in date order below
        contracts: list[dict[str, Any]] = []
        reserved = [c for c in self.cars if c.status is VehicleStatus.RESERVED]
        sold = [c for c in self.cars if c.status is VehicleStatus.SOLD]
        on_sale = [c for c in self.cars if c.status is VehicleStatus.ON_SALE]
        window_start, window_end = self.today_window()
        self.deposit_today: dict[str, Any] | None = None
        for k, car in enumerate(reserved):
            customer = self.spare_customer()
            customer["intent_grade"] = IntentGrade.A
            if k == 0:
                # Taken today, during a visit on today's board.
                taken = window_start + (window_end - window_start) * rng.uniform(0.2, 0.5)
            else:
                taken = self.business_time(self.today - timedelta(days=rng.randint(1, 6)))
            taken = max(taken, car.row["listed_at"] + timedelta(hours=2))
            deposit = self.deposit_row(car, customer, taken, DepositStatus.ACTIVE)
            deposits.append(deposit)
            car.row["updated_at"] = taken
            if k == 0:
                self.deposit_today = deposit
        if reserved:  # a contract being prepared for the last reserved car
            car, deposit = reserved[-1], deposits[-1]
            customer = self.customer_by_id(deposit["customer_id"])
            contracts.append(
                self.contract_row(
                    car,
                    customer,
                    deposit["taken_by_id"],
                    ContractStatus.DRAFT,
                    created=max(deposit["taken_at"], self.now - timedelta(minutes=30)),
                    deposit=deposit,
                )
            )
        buyers: list[tuple[datetime, dict[str, Any]]] = []
        for k, car in enumerate(sold):
            signed = self.sale_dates[car.id]
            customer = self.repeat_buyer(buyers, signed) or self.spare_customer()
            buyers.append((signed, customer))
            consultant = self.consultant_for(customer)
            deposit = None
            if rng.random() < 0.5:
                taken = self.business_time(
                    self.local_date(signed) - timedelta(days=rng.randint(1, 5))
                )
                taken = max(taken, car.row["listed_at"] + timedelta(hours=1))
                deposit = self.deposit_row(
                    car, customer, taken, DepositStatus.APPLIED, consultant=consultant
                )
                deposit["closed_at"] = signed
                deposit["closed_by_id"] = consultant
                deposit["close_reason"] = "签约时抵作车款"
                deposits.append(deposit)
            if k == 0:  # a contract voided for a typo and signed again: its number stays used
                void = self.contract_row(
                    car,
                    customer,
                    consultant,
                    ContractStatus.VOID,
                    created=signed - timedelta(hours=2),
                    deposit=deposit,
                )
                void["voided_at"] = signed - timedelta(hours=1)
                void["void_reason"] = "买方身份证号码填写错误，作废后重新签订"
                void["updated_at"] = void["voided_at"]
                contracts.append(void)
            contract = self.contract_row(
                car,
                customer,
                consultant,
                ContractStatus.SIGNED,
                created=signed - timedelta(minutes=40),
                deposit=deposit,
            )
            contract["signed_at"] = contract["updated_at"] = signed
            contracts.append(contract)
            if deposit is not None:
                deposit["applied_contract_id"] = contract["id"]
            car.row["updated_at"] = signed
        refundable = [c for c in on_sale if c.row["listed_at"] < self.now - timedelta(days=26)]
        if refundable:
            car = refundable[0]
            taken = self.business_time(self.today - timedelta(days=rng.randint(20, 25)))
            deposit = self.deposit_row(car, self.spare_customer(), taken, DepositStatus.REFUNDED)
            closed = self.business_time(self.local_date(taken) + timedelta(days=2))
            deposit["closed_at"] = deposit["updated_at"] = closed
            deposit["closed_by_id"] = self.manager
            deposit["close_reason"] = "客户家人不同意购买，签约前全额退还"
            deposits.append(deposit)

        # Human numbers in the order the records were made, each in its own year.
        for deposit in sorted(deposits, key=lambda d: d["taken_at"]):
            deposit["receipt_no"] = numbering.next_receipt_no(
                self.session, self.store_code, self.local_date(deposit["taken_at"]).year
            )
        for contract in sorted(contracts, key=lambda c: c["created_at"]):
            contract["contract_no"] = numbering.next_contract_no(
                self.session, self.store_code, self.local_date(contract["created_at"]).year
            )
        for deposit in deposits:
            self.deposits.rows.append(deposit)
            actor = self.actor(deposit["taken_by_id"])
            self.log(
                actor,
                "deposit_taken",
                "deposit",
                deposit["id"],
                deposit["taken_at"],
                receipt_no=deposit["receipt_no"],
                amount=str(deposit["amount"]),
                method=deposit["method"].value,
            )
            if deposit["status"] is DepositStatus.REFUNDED:
                self.log(
                    self.actor(self.manager),
                    "deposit_refunded",
                    "deposit",
                    deposit["id"],
                    deposit["closed_at"],
                    receipt_no=deposit["receipt_no"],
                )
            elif deposit["status"] is DepositStatus.APPLIED:
                self.log(
                    actor,
                    "deposit_applied",
                    "deposit",
                    deposit["id"],
                    deposit["closed_at"],
                    receipt_no=deposit["receipt_no"],
                )
        for contract in contracts:
            self.contracts.rows.append(contract)
            actor = self.actor(contract["consultant_id"])
            status = contract["status"]
            action = {
                ContractStatus.DRAFT: "contract_drafted",
                ContractStatus.SIGNED: "contract_signed",
                ContractStatus.VOID: "contract_voided",
            }[status]
            at = contract["signed_at"] or contract["voided_at"] or contract["created_at"]
            self.log(
                actor,
                action,
                "contract",
                contract["id"],
                at,
                contract_no=contract["contract_no"],
                price=str(contract["price"]),
            )
        self.progress("意向金与合同", 1, 1)

    def repeat_buyer(
        self, buyers: list[tuple[datetime, dict[str, Any]]], signed: datetime
    ) -> dict[str, Any] | None:
        """Now and then an earlier buyer (one to eleven months ago) buys a second car."""
        if self.rng.random() >= 0.04:
            return None
        earlier = [
            customer
            for when, customer in buyers
            if timedelta(days=30) <= signed - when <= timedelta(days=335)
        ]
        return self.rng.choice(earlier) if earlier else None

    def customer_by_id(self, customer_id: uuid.UUID) -> dict[str, Any]:
        return self._customer_index[customer_id]

    def deposit_row(
        self,
        car: _Car,
        customer: dict[str, Any],
        taken: datetime,
        status: DepositStatus,
        consultant: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        method = rng.choices(list(PaymentMethod), weights=(10, 40, 20, 20, 10))[0]
        reference = {
            PaymentMethod.CASH: "",
            PaymentMethod.WECHAT: f"4200{rng.randrange(10**16):016d}{rng.randrange(10**8):08d}",
            PaymentMethod.ALIPAY: f"{taken:%Y%m%d}2200{rng.randrange(10**16):016d}",
            PaymentMethod.BANK_CARD: f"尾号{rng.randrange(10**4):04d}",
            PaymentMethod.TRANSFER: f"网银流水{rng.randrange(10**12):012d}",
        }[method]
        return self.deposits.make(
            id=self.uuid(),
            created_at=taken,
            store_id=self.store_id,
            receipt_no="",
            vehicle_id=car.id,
            customer_id=customer["id"],
            amount=DEPOSIT_AMOUNT,
            method=method,
            payment_ref=reference,
            status=status,
            taken_by_id=consultant or self.consultant_for(customer),
            taken_at=taken,
            expires_at=taken + timedelta(days=7),
        )

    def contract_row(
        self,
        car: _Car,
        customer: dict[str, Any],
        consultant: uuid.UUID,
        status: ContractStatus,
        *,
        created: datetime,
        deposit: dict[str, Any] | None,
    ) -> dict[str, Any]:
        # Buyers talk a little off the list price (0-3 %, to the hundred), the same for
        # every paper of one car, so the dashboard's price cuts have something to show.
        discount = _round_to(float(car.price) * (car.index * 7919 % 31) / 1000, 100)
        price: Decimal = car.price - discount
        credit = deposit["amount"] if deposit is not None else Decimal("0.00")
        id_number = self.customer_id_number(customer)
        history = [h for h in self.history.rows if h["vehicle_id"] == car.id]
        disclosure = "；".join(h["description"] for h in history) or "无重大事故、无泡水、无火烧"
        delivery = self.local_date(created) + timedelta(days=3)
        terms = {
            "seller": self.store_display_name,
            "buyer_name": customer["name"],
            "buyer_phone": customer["phone"],
            "buyer_id_number": id_number,
            "vehicle": car.title,
            "vin": car.row["vin"],
            "plate": car.row["plate"],
            "first_registration": car.row["first_registration"].isoformat(),
            "mileage_km": str(car.row["mileage_km"]),
            "colour": car.row["colour"],
            "price": f"{price:.2f}",
            "price_in_capitals": to_chinese_capitals(price),
            "deposit_credit": f"{credit:.2f}",
            "balance_due": f"{price - credit:.2f}",
            "delivery_date": delivery.isoformat(),
            "transfer": "卖方代办过户，过户费用已含在车价中",
            "condition_disclosure": disclosure,
            "after_sales": _AFTER_SALES_TERMS,
        }
        return self.contracts.make(
            id=self.uuid(),
            created_at=created,
            store_id=self.store_id,
            contract_no="",
            kind=ContractKind.SALE,
            status=status,
            vehicle_id=car.id,
            customer_id=customer["id"],
            consultant_id=consultant,
            price=price,
            buyer_id_number=id_number,
            terms=terms,
        )

    # -- test drives ---------------------------------------------------------------------------

    def agreement_placeholder(
        self, drive: dict[str, Any], car: _Car, customer: dict[str, Any]
    ) -> uuid.UUID:
        """The archived agreement of a generated drive: its facts, one shared stand-in PDF.

        Painting hundreds of PDFs needs Qt and time; a generated drive gets a paper whose
        content says what it is (a reprint paints that), and ``showroom demo`` then signs
        one real agreement through the desk's own service (``showroom.documents.demo``).
        """
        code = drive["booking_code"]
        signed = drive["slot_start"] - timedelta(minutes=5)
        document = paper.Document(
            kind=DocumentKind.TEST_DRIVE_AGREEMENT.value,
            number=code,
            title="试驾协议（演示数据）",
            letterhead=paper.Letterhead(self.store_name),
            fields=(
                paper.Field("预约码", code),
                paper.Field("试驾车辆", f"{car.row['brand']} {car.row['model']}"),
                paper.Field("试驾人", customer["name"][:1] + "*"),
            ),
            sections=(
                paper.Section(
                    "说明",
                    ("本协议为演示数据生成的试驾记录所附，视为已签署；演示数据不含签名图像。",),
                ),
            ),
            issued=signed.astimezone(self.zone).strftime("%Y-%m-%d %H:%M"),
            template_version=DEMO_AGREEMENT_VERSION,
        )
        row = self.agreements.add(
            id=self.uuid(),
            created_at=signed,
            store_id=self.store_id,
            kind=DocumentKind.TEST_DRIVE_AGREEMENT,
            number=code,
            copy_no=0,
            subject_id=drive["id"],
            subject=f"试驾协议 {code}",
            verification_code=document.verification_code,
            template_version=DEMO_AGREEMENT_VERSION,
            pdf_sha=_DEMO_AGREEMENT_SHA,
            content=document.to_content(),
            created_by_id=drive["consultant_id"],
        )
        return row["id"]  # type: ignore[no-any-return]

    def free_car(self, candidates: Sequence[_Car], slot: datetime) -> _Car | None:
        for _ in range(20):
            car = self.rng.choice(candidates)
            if (car.id, slot) not in self._busy_slots:
                self._busy_slots.add((car.id, slot))
                return car
        return None

    def test_drive_row(
        self,
        car: _Car,
        customer: dict[str, Any],
        consultant: uuid.UUID,
        slot: datetime,
        status: TestDriveStatus,
        booked_at: datetime,
    ) -> dict[str, Any]:
        rng = self.rng
        self._busy_slots.add((car.id, slot))
        row = self.test_drives.add(
            id=self.uuid(),
            created_at=booked_at,
            store_id=self.store_id,
            booking_code=self.booking_code("test_drive", booked_at),
            vehicle_id=car.id,
            customer_id=customer["id"],
            consultant_id=consultant,
            slot_start=slot,
            slot_end=slot + _SLOT,
            status=status,
        )
        if status in (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED):
            automatic = car.row["transmission"] is Transmission.AUTOMATIC
            row.update(
                licence_number=self.customer_id_number(customer),
                licence_class="C2" if automatic and rng.random() < 0.12 else "C1",
                licence_valid_until=self.today + timedelta(days=rng.randint(120, 3_300)),
                licence_name=customer["name"],
                accompanying_staff_id=consultant,
                route=rng.choice(
                    (
                        "展厅—北四环辅路—望京街—返回（约8公里）",
                        "展厅—京承高速入口—掉头返回（约12公里）",
                        "展厅—园区内道路环线（约5公里）",
                    )
                ),
                out_at=slot + timedelta(minutes=rng.randint(0, 6)),
                out_odometer_km=max(0, car.row["mileage_km"] - rng.randint(30, 300)),
                out_fuel_percent=rng.randint(45, 100),
            )
        if status is TestDriveStatus.RETURNED:
            row.update(
                in_at=row["out_at"] + timedelta(minutes=rng.randint(18, 28)),
                in_odometer_km=row["out_odometer_km"] + rng.randint(5, 14),
                feedback=rng.choice(
                    (
                        "动力够用，底盘扎实",
                        "空间比预想的大，家人满意",
                        "刹车偏软，想再对比一下",
                        "噪音控制不错，准备商量价格",
                        "方向盘有点沉，再看看同价位的车",
                    )
                ),
                intent_grade=rng.choice(
                    (IntentGrade.A, IntentGrade.B, IntentGrade.B, IntentGrade.C)
                ),
            )
            row["updated_at"] = row["in_at"]
        if status in (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED):
            # No car leaves without a signed agreement, in the database too (migration 0018).
            row["agreement_document_id"] = self.agreement_placeholder(row, car, customer)
        actor = self.actor(consultant)
        self.log(
            actor,
            "test_drive_booked",
            "test_drive",
            row["id"],
            booked_at,
            booking_code=row["booking_code"],
            vehicle=car.row["stock_no"],
        )
        return row

    def make_test_drives(self) -> None:
        rng = self.rng
        drivable = [c for c in self.cars if c.status is VehicleStatus.ON_SALE]
        self.progress("试驾", 0, 1)
        self.checked_out: dict[str, Any] | None = None
        self.returned: list[dict[str, Any]] = []
        on_test_drive = [c for c in self.cars if c.status is VehicleStatus.TEST_DRIVE]
        if on_test_drive:
            car = on_test_drive[0]
            customer = self.spare_customer()
            start, end = self.today_window()
            out = min(end, max(start, self.now - timedelta(minutes=rng.randint(8, 20))))
            local_out = out.astimezone(self.zone)
            slot = (
                local_out
                - timedelta(
                    minutes=local_out.minute % 30,
                    seconds=local_out.second,
                    microseconds=local_out.microsecond,
                )
            ).astimezone(UTC)
            row = self.test_drive_row(
                car,
                customer,
                self.consultant_for(customer),
                slot,
                TestDriveStatus.CHECKED_OUT,
                out - timedelta(minutes=30),
            )
            row["out_at"] = row["updated_at"] = out
            row["out_odometer_km"] = car.row["mileage_km"]
            car.row["updated_at"] = out
            self.checked_out = row
            self.log(
                self.actor(row["consultant_id"]),
                "test_drive_checked_out",
                "test_drive",
                row["id"],
                out,
                booking_code=row["booking_code"],
            )
        if not drivable:
            return
        # Past drives, returned: one per visit made for them later.
        # About one buying visit in five includes a drive, spread evenly over the year.
        past = min(1500, max(5, self.n_cars // 20))
        first = self.today - timedelta(days=HISTORY_DAYS)
        # Cars sold since were on the floor too, and buyers drove them before buying.
        floor = drivable + [c for c in self.cars if c.status is VehicleStatus.SOLD]
        by_listing = sorted(floor, key=lambda c: c.row["listed_at"])
        listed_days = [self.local_date(c.row["listed_at"]) for c in by_listing]
        for _ in range(past):
            day = first + timedelta(days=rng.randint(0, HISTORY_DAYS - 1))
            # A car listed by that day and not yet sold; a small stock may have none.
            on_offer = bisect.bisect_left(listed_days, day)
            car = None
            for _ in range(8 if on_offer else 0):
                candidate = by_listing[rng.randrange(on_offer)]
                sold = self.sale_dates.get(candidate.id)
                if sold is None or self.local_date(sold) > day:
                    car = candidate
                    break
            if car is None:
                car = rng.choice(drivable)
                earliest = max(self.local_date(car.row["listed_at"]) + timedelta(days=1), first)
                latest = self.today - timedelta(days=1)
                if earliest > latest:
                    continue
                day = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            slot = self.local(
                day, rng.randint(_OPENING_HOUR, _CLOSING_HOUR - 1), rng.choice((0, 30))
            )
            if (car.id, slot) in self._busy_slots:
                continue
            customer = self.spare_customer()
            row = self.test_drive_row(
                car,
                customer,
                self.consultant_for(customer),
                slot,
                TestDriveStatus.RETURNED,
                slot - timedelta(hours=rng.uniform(2, 72)),
            )
            self.returned.append(row)
        # One no-show yesterday, one cancelled, and the bookings for the coming days.
        plans = [
            (TestDriveStatus.NO_SHOW, self.today - timedelta(days=1)),
            (TestDriveStatus.CANCELLED, self.today + timedelta(days=2)),
        ]
        upcoming = min(12, max(4, self.n_cars // 40))
        plans += [
            (TestDriveStatus.BOOKED, self.today + timedelta(days=rng.randint(1, 6)))
            for _ in range(upcoming)
        ]
        for status, day in plans:
            slot = self.local(
                day, rng.randint(_OPENING_HOUR, _CLOSING_HOUR - 1), rng.choice((0, 30))
            )
            car = self.free_car(drivable, slot)
            if car is None:
                continue
            customer = self.spare_customer()
            booked_at = min(self.now, slot) - timedelta(hours=rng.uniform(3, 72))
            row = self.test_drive_row(
                car, customer, self.consultant_for(customer), slot, status, booked_at
            )
            if status is TestDriveStatus.CANCELLED:
                row["updated_at"] = booked_at + timedelta(hours=2)
            elif status is TestDriveStatus.NO_SHOW:
                row["updated_at"] = slot + timedelta(minutes=30)
        self.progress("试驾", 1, 1)

    # -- inspection days -----------------------------------------------------------------------

    def make_events(self) -> None:
        self.progress("检测日", 0, 1)
        month = date(self.today.year, self.today.month, 1)
        upcoming = _first_saturday(month.year, month.month)
        if upcoming <= self.today:
            nxt = _add_months(month, 1)
            upcoming = _first_saturday(nxt.year, nxt.month)
        back = 1
        while True:  # the last first-Saturday strictly before today
            prev = _add_months(date(upcoming.year, upcoming.month, 1), -back)
            past = _first_saturday(prev.year, prev.month)
            if past < self.today:
                break
            back += 1
        self.past_event_registrations: list[dict[str, Any]] = []
        for day, status, seated, waitlisted in (
            (past, EventStatus.CLOSED, 20, 3),
            (upcoming, EventStatus.OPEN, 14, 0),
        ):
            event = self.events.add(
                id=self.uuid(),
                created_at=self.local(day, 10) - timedelta(days=30),
                store_id=self.store_id,
                title=f"{day.month}月透明检测日",
                event_date=day,
                starts_at=self.local(day, 9, 30),
                ends_at=self.local(day, 17),
                bays=2,
                seats=20,
                offer=_EVENT_OFFER,
                status=status,
            )
            for k in range(seated + waitlisted):
                registration = self.registration_row(event, k, seated)
                if status is EventStatus.CLOSED:
                    self.past_event_registrations.append(registration)
        self.progress("检测日", 1, 1)

    def registration_row(self, event: dict[str, Any], k: int, seats: int) -> dict[str, Any]:
        rng = self.rng
        customer = self.spare_customer()
        model = rng.choices(_CATALOGUE, cum_weights=_CATALOGUE_CUM)[0]
        year = rng.randint(max(model.since, self.today.year - 12), self.today.year - 1)
        created = min(self.now, event["starts_at"]) - timedelta(days=rng.uniform(1, 20))
        seated = k < seats
        past = event["status"] is EventStatus.CLOSED
        if seated and past:
            status = RegistrationStatus.INSPECTED if k < seats - 4 else RegistrationStatus.NO_SHOW
        else:
            status = RegistrationStatus.SEATED if seated else RegistrationStatus.WAITLISTED
        channel = "kiosk" if rng.random() < 0.35 else "desk"
        row = self.registrations.add(
            id=self.uuid(),
            created_at=created,
            event_id=event["id"],
            customer_id=customer["id"],
            booking_code=self.booking_code("registration", created),
            status=status,
            seat_no=k + 1 if seated else None,
            waitlist_position=None if seated else k - seats + 1,
            plate=self.plate(model.energy),
            brand=model.brand,
            model=model.model,
            year=year,
            mileage_km=_round_to((self.today.year - year) * rng.uniform(8_000, 22_000), 100),
            vin=self.vin(model, year) if rng.random() < 0.6 else None,
            concerns=rng.choice(
                (
                    "准备置换，想知道现在值多少钱",
                    "最近有异响，想查一下底盘",
                    "准备卖车，想要一份检测报告",
                    "空调不凉，顺便检查",
                    "买了半年的二手车，想确认车况",
                    "",
                )
            ),
            channel=channel,
        )
        if status is RegistrationStatus.INSPECTED:
            row["checked_in_at"] = event["starts_at"] + timedelta(
                minutes=20 * k + rng.randint(0, 9)
            )
            row["updated_at"] = row["checked_in_at"]
        actor = audit.KIOSK if channel == "kiosk" else self.actor(self.reception)
        self.log(
            actor,
            "registration_created",
            "registration",
            row["id"],
            created,
            booking_code=row["booking_code"],
            seat_no=row["seat_no"],
            waitlist_position=row["waitlist_position"],
        )
        return row

    # -- visits --------------------------------------------------------------------------------

    def visit_row(
        self,
        customer: dict[str, Any],
        arrived: datetime,
        *,
        purpose: VisitPurpose,
        status: VisitStatus = VisitStatus.LEFT,
        stay_minutes: float | None = None,
        outcome: VisitOutcome | None = None,
        consultant: uuid.UUID | None = None,
        left: datetime | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        greeted = None
        if status is not VisitStatus.WAITING:
            consultant = consultant or self.consultant_for(customer)
            greeted = arrived + timedelta(minutes=rng.uniform(0.3, 2.5))
        if status is VisitStatus.LEFT:
            if left is None:
                left = arrived + timedelta(minutes=stay_minutes or rng.uniform(15, 110))
            if outcome is None:
                outcome = rng.choices(
                    (VisitOutcome.FOLLOW_UP, VisitOutcome.NO_INTEREST), weights=(60, 40)
                )[0]
            assert greeted is not None
            greeted = min(greeted, left)
        grade = None
        if status is VisitStatus.LEFT or rng.random() < 0.5:
            grade = {
                VisitOutcome.DEAL: IntentGrade.A,
                VisitOutcome.DEPOSIT: IntentGrade.A,
                VisitOutcome.NO_INTEREST: IntentGrade.D,
            }.get(outcome, rng.choice((IntentGrade.B, IntentGrade.B, IntentGrade.C)))
        lost_reason = None
        if status is VisitStatus.LEFT and outcome is VisitOutcome.NO_INTEREST:
            # 战败原因 from the store's default list (its own generator: the rest of the
            # data stays as the seed always gave it).
            lost_reason = self.reasons_rng.choice(lost_reasons.DEFAULTS)
        return self.visits.add(
            id=self.uuid(),
            created_at=arrived,
            updated_at=left or greeted or arrived,
            lost_reason=lost_reason,
            store_id=self.store_id,
            visit_no="",
            customer_id=customer["id"],
            purpose=purpose,
            source_channel=customer["source_channel"],
            party_size=rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0],
            status=status,
            consultant_id=consultant,
            arrived_at=arrived,
            greeted_at=greeted,
            left_at=left,
            outcome=outcome if status is VisitStatus.LEFT else None,
            intent_grade=grade,
            notes=rng.choice(
                (
                    "",
                    "",
                    "",
                    "带家人一起来看车",
                    "预算有限，关注油耗",
                    "想要七座车",
                    "对比了两台同款，倾向白色",
                )
            ),
            created_by_id=self.reception,
        )

    def make_visits(self) -> None:
        rng = self.rng
        self.progress("到店记录", 0, 1)
        everyday = list(self.customers.rows)
        per_day = min(16, max(2, len(everyday) // 40))  # walk-ins besides the booked visits
        purposes = (
            VisitPurpose.BUY,
            VisitPurpose.SELL,
            VisitPurpose.TRADE_IN,
            VisitPurpose.AFTER_SALES,
            VisitPurpose.OTHER,
        )
        for days_back in range(1, HISTORY_DAYS + 1):
            day = self.today - timedelta(days=days_back)
            weekend = day.weekday() >= 5
            for _ in range(max(1, int(rng.gauss(per_day * (1.6 if weekend else 1.0), 1.5)))):
                self.visit_row(
                    rng.choice(everyday),
                    self.business_time(day),
                    purpose=rng.choices(purposes, weights=(60, 8, 14, 10, 8))[0],
                )
        # Visits behind the records made on the floor.
        for drive in self.returned:
            customer = self.customer_by_id(drive["customer_id"])
            visit = self.visit_row(
                customer,
                drive["slot_start"] - timedelta(minutes=rng.uniform(10, 25)),
                purpose=VisitPurpose.TEST_DRIVE,
                consultant=drive["consultant_id"],
                left=drive["in_at"] + timedelta(minutes=rng.uniform(10, 40)),
            )
            visit["test_drive_id"] = drive["id"]
        for registration in self.past_event_registrations:
            if registration["checked_in_at"] is None:
                continue
            visit = self.visit_row(
                self.customer_by_id(registration["customer_id"]),
                registration["checked_in_at"] - timedelta(minutes=2),
                purpose=VisitPurpose.INSPECTION_DAY,
                consultant=rng.choice(self.sales),
                stay_minutes=rng.uniform(50, 90),
            )
            visit["registration_id"] = registration["id"]
        history_start = self.now - timedelta(days=HISTORY_DAYS)
        for contract in self.contracts.rows:
            signed = contract["signed_at"]
            if contract["status"] is ContractStatus.SIGNED and signed > history_start:
                self.visit_row(
                    self.customer_by_id(contract["customer_id"]),
                    signed - timedelta(minutes=rng.uniform(60, 150)),
                    purpose=VisitPurpose.BUY,
                    consultant=contract["consultant_id"],
                    outcome=VisitOutcome.DEAL,
                    left=signed + timedelta(minutes=20),
                )
        for deposit in self.deposits.rows:
            taken = deposit["taken_at"]
            if deposit is self.deposit_today or taken < history_start:
                continue
            if deposit["status"] is DepositStatus.ACTIVE:
                self.visit_row(
                    self.customer_by_id(deposit["customer_id"]),
                    taken - timedelta(minutes=rng.uniform(40, 100)),
                    purpose=VisitPurpose.BUY,
                    consultant=deposit["taken_by_id"],
                    outcome=VisitOutcome.DEPOSIT,
                    left=taken + timedelta(minutes=10),
                )
        self.make_today_visits()
        # Visit numbers run per store and day in arrival order.
        for visit in sorted(self.visits.rows, key=lambda v: v["arrived_at"]):
            visit["visit_no"] = numbering.next_visit_no(
                self.session, self.store_code, self.local_date(visit["arrived_at"])
            )
        self.progress("到店记录", 1, 1)

    def make_today_visits(self) -> None:
        """Today's board: visitors in every state, times consistent with ``now``."""
        rng = self.rng
        start, end = self.today_window()
        span = end - start

        def at(fraction: float) -> datetime:
            return start + span * fraction

        def clamp(moment: datetime) -> datetime:
            return min(end, max(start, moment))

        for k in range(3):  # just arrived, waiting for a consultant
            self.visit_row(
                self.spare_customer(),
                at(0.94 + 0.02 * k),
                purpose=rng.choice((VisitPurpose.BUY, VisitPurpose.TEST_DRIVE, VisitPurpose.SELL)),
                status=VisitStatus.WAITING,
            )
        for k in range(3):
            self.visit_row(
                self.spare_customer(),
                at(0.75 + 0.05 * k),
                purpose=VisitPurpose.BUY,
                status=VisitStatus.WITH_CONSULTANT,
            )
        # Two self check-ins at the kiosk waiting for the desk: a customer on file and a
        # number that is nobody's (only its last four digits are kept).
        known = self.spare_customer()
        for customer, moment in ((known, at(0.97)), (None, at(0.99))):
            self.kiosk_arrivals.add(
                id=self.uuid(),
                created_at=moment,
                store_id=self.store_id,
                kiosk="大厅自助机",
                arrived_at=moment,
                via="phone",
                phone_tail=customer["phone"][-4:] if customer else f"{rng.randrange(10_000):04d}",
                customer_id=customer["id"] if customer else None,
                flagged=False,
                outcome="",
            )
        if self.checked_out is not None:
            drive = self.checked_out
            visit = self.visit_row(
                self.customer_by_id(drive["customer_id"]),
                clamp(min(drive["out_at"] - timedelta(minutes=15), at(0.7))),
                purpose=VisitPurpose.TEST_DRIVE,
                status=VisitStatus.TEST_DRIVING,
                consultant=drive["consultant_id"],
            )
            visit["test_drive_id"] = drive["id"]
        outcomes = (
            VisitOutcome.DEPOSIT,
            VisitOutcome.FOLLOW_UP,
            VisitOutcome.NO_INTEREST,
            VisitOutcome.FOLLOW_UP,
            VisitOutcome.FOLLOW_UP,
        )
        for k, outcome in enumerate(outcomes):
            arrived = at(0.05 + 0.12 * k)
            left = min(end, arrived + span * 0.1 + timedelta(minutes=1))
            deposit = self.deposit_today
            if outcome is VisitOutcome.DEPOSIT and deposit is not None:
                customer = self.customer_by_id(deposit["customer_id"])
                arrived = clamp(min(arrived, deposit["taken_at"] - timedelta(minutes=1)))
                left = min(end, max(arrived, deposit["taken_at"]) + timedelta(minutes=5))
                self.visit_row(
                    customer,
                    arrived,
                    purpose=VisitPurpose.BUY,
                    consultant=deposit["taken_by_id"],
                    outcome=outcome,
                    left=left,
                )
                continue
            if outcome is VisitOutcome.DEPOSIT:
                outcome = VisitOutcome.FOLLOW_UP
            self.visit_row(
                self.spare_customer(), arrived, purpose=VisitPurpose.BUY, outcome=outcome, left=left
            )

    # -- follow-ups ----------------------------------------------------------------------------

    def make_follow_ups(self) -> None:
        rng = self.rng
        self.progress("回访计划", 0, 1)
        steps = (
            ("contract_3d", 0, 3),
            ("contract_1m", 1, 0),
            ("contract_3m", 3, 0),
            ("contract_6m", 6, 0),
            ("contract_12m", 12, 0),
        )
        results = (
            "客户反馈车辆使用正常，对服务满意",
            "提醒首次保养时间，客户已预约",
            "客户询问保险续保，已解答",
            "客户介绍朋友来看车（转介绍）",
            "客户反馈油耗正常，无问题",
        )
        for contract in self.contracts.rows:
            if contract["status"] is not ContractStatus.SIGNED:
                continue
            signed_day = self.local_date(contract["signed_at"])
            for reason, months, days in steps:
                due = _add_months(signed_day, months) + timedelta(days=days)
                self.follow_up_row(
                    contract["customer_id"],
                    contract["consultant_id"],
                    due,
                    reason,
                    results,
                    created=contract["signed_at"],
                    contract_id=contract["id"],
                )
        for visit in self.visits.rows:
            if visit["outcome"] is VisitOutcome.FOLLOW_UP and rng.random() < 0.5:
                due = self.local_date(visit["arrived_at"]) + timedelta(days=rng.randint(1, 3))
                self.follow_up_row(
                    visit["customer_id"],
                    visit["consultant_id"],
                    due,
                    "visit",
                    (
                        "客户还在对比，约周末再来看车",
                        "客户预算有变，暂缓购车",
                        "已发送同款车源信息，客户有兴趣",
                    ),
                    created=visit["left_at"],
                    visit_id=visit["id"],
                )
        self.progress("回访计划", 1, 1)

    def follow_up_row(
        self,
        customer_id: uuid.UUID,
        consultant: uuid.UUID | None,
        due: date,
        reason: str,
        results: Sequence[str],
        *,
        created: datetime,
        **link: uuid.UUID,
    ) -> None:
        rng = self.rng
        status, result, done_at = FollowUpStatus.OPEN, "", None
        if due < self.today:
            status = rng.choices(
                (FollowUpStatus.DONE, FollowUpStatus.SKIPPED, FollowUpStatus.OPEN),
                weights=(85, 5, 10),
            )[0]
            if status is FollowUpStatus.DONE:
                result, done_at = rng.choice(results), self.business_time(due)
            elif status is FollowUpStatus.SKIPPED:
                result = "客户表示不需要回访"
            elif due < self.today - timedelta(days=STALE_FOLLOW_UP_DAYS):
                # A store working its list leaves a few calls a few days late, not for
                # months: an old one was made (picked without the generator, so the rest
                # of the data stays as the seed gave it).
                status, done_at = FollowUpStatus.DONE, self.business_time(due)
                result = results[len(self.follow_ups.rows) % len(results)]
        self.follow_ups.add(
            id=self.uuid(),
            created_at=created,
            updated_at=done_at or created,
            customer_id=customer_id,
            consultant_id=consultant,
            due_on=due,
            reason=reason,
            status=status,
            result=result,
            done_at=done_at,
            **link,
        )

    # -- inspections ---------------------------------------------------------------------------

    def make_inspections(self) -> None:
        rng = self.rng
        self.progress("检测报告", 0, 1)
        # (started, car, registration, draft): stock cars are inspected the day after intake.
        plans: list[tuple[datetime, _Car | None, dict[str, Any] | None, bool]] = []
        in_stock = [c for c in self.cars[:FULL_ARCHIVES] if c.status is not VehicleStatus.PREPARING]
        chosen = in_stock[:5]
        if self.accident_car is not None and self.accident_car not in chosen:
            chosen.append(self.accident_car)
        for car in chosen:
            plans.append((car.row["created_at"] + timedelta(days=1), car, None, False))
        for registration in self.past_event_registrations:
            if registration["status"] is RegistrationStatus.INSPECTED:
                started = registration["checked_in_at"] + timedelta(minutes=5)
                plans.append((started, None, registration, False))
        preparing = [c for c in self.cars if c.status is VehicleStatus.PREPARING]
        if preparing:  # an appraiser is half-way through a newly bought car
            started = max(
                preparing[0].row["created_at"], self.now - timedelta(hours=rng.uniform(1, 5))
            )
            plans.append((started, preparing[0], None, True))
        flood_done = False
        for started, car, registration, draft in sorted(plans, key=lambda p: p[0]):
            flood = False
            if registration is not None and not flood_done and rng.random() < 0.3:
                flood = flood_done = True  # inspection days are where flooded cars show up
            self.inspection_row(
                car,
                registration,
                started,
                draft=draft,
                accident=car is not None and car is self.accident_car,
                flood=flood,
            )
        self.progress("检测报告", 1, 1)

    def inspection_row(
        self,
        car: _Car | None,
        registration: dict[str, Any] | None,
        started: datetime,
        *,
        draft: bool,
        accident: bool,
        flood: bool,
    ) -> None:
        rng = self.rng
        appraiser = rng.choice(self.appraisers)
        inspection_id = self.uuid()
        if car is not None:
            vehicle = car.row
            model_name = car.model
            brand, model, plate, vin = (
                vehicle["brand"],
                vehicle["model"],
                vehicle["plate"],
                vehicle["vin"],
            )
            odometer = vehicle["mileage_km"]
        else:
            assert registration is not None
            model_name = next(m for m in _CATALOGUE if m.model == registration["model"])
            brand, model = registration["brand"], registration["model"]
            plate, vin, odometer = (
                registration["plate"],
                registration["vin"],
                registration["mileage_km"],
            )
        electric = model_name.energy is Energy.EV
        # Share of items with a defect: from nearly new (一级) to tired (三级).
        wear = rng.choice((0.03, 0.08, 0.15, 0.25, 0.4))
        total_deduction = Decimal("0.0")
        position = 0
        for section_no, (section, labels) in enumerate(_CHECKLIST, start=1):
            for item_no, label in enumerate(labels, start=1):
                if electric:
                    label = _EV_LABELS.get(label, label)
                position += 1
                result, deduction, severity, note = ItemResult.OK, None, None, ""
                if draft and section_no > 3:
                    result = ItemResult.NOT_CHECKED
                elif (accident and label in ("车身外观", "底盘")) or (
                    flood and label in ("座椅", "底盘", "中控及多媒体")
                ):
                    result, severity = ItemResult.DEFECT, 3
                    deduction = grading.deduction(grading.DEFAULT_WEIGHTS[section], severity)
                    note = "纵梁有切割焊接痕迹" if accident else "座椅滑轨及线束有泥沙锈蚀痕迹"
                elif rng.random() < wear:
                    severity = rng.choice((1, 1, 2, 3))
                    rng.choice(("1.0", "1.5", "2.5"))  # drawn still, so the seed's data stays put
                    # The app's own rule (showroom.inspection_grading), so reports add up.
                    deduction = grading.deduction(grading.DEFAULT_WEIGHTS[section], severity)
                    result, note = ItemResult.DEFECT, rng.choice(_DEFECT_NOTES)
                if deduction is not None:
                    total_deduction += deduction
                self.inspection_items.add(
                    id=self.uuid(),
                    created_at=started,
                    inspection_id=inspection_id,
                    section=section,
                    position=position,
                    code=f"{section_no}.{item_no}",
                    label=label,
                    result=result,
                    severity=severity,
                    deduction=deduction,
                    note=note,
                )
        score = max(Decimal("0.0"), Decimal("100.0") - total_deduction)
        if accident or flood:
            grade = ConditionGrade.FIVE
        elif score >= 90:
            grade = ConditionGrade.ONE
        elif score >= 60:
            grade = ConditionGrade.TWO
        elif score >= 20:
            grade = ConditionGrade.THREE
        else:
            grade = ConditionGrade.FOUR
        finalised = None if draft else started + timedelta(minutes=rng.randint(35, 60))
        valuation_low = valuation_high = None
        note = ""
        if registration is not None:
            age = max(1, self.today.year - (registration["year"] or self.today.year))
            estimate = (
                (model_name.price_min + model_name.price_max)
                / 2
                * 0.86
                * model_name.retention**age
                * (0.6 if flood else 1.0)
            )
            valuation_low = _money(max(3_000, _round_to(estimate * 0.94, 1_000)))
            valuation_high = _money(max(4_000, _round_to(estimate * 1.04, 1_000)))
            note = "参考近三个月同城同款、车况相近车辆的成交价"
            if flood:
                note += "；泡水车，仅供参考"
        self.inspections.add(
            id=inspection_id,
            created_at=started,
            updated_at=finalised or started,
            store_id=self.store_id,
            report_no=numbering.next_report_no(
                self.session, self.store_code, self.local_date(started).year
            ),
            vehicle_id=car.id if car is not None else None,
            registration_id=registration["id"] if registration is not None else None,
            appraiser_id=appraiser,
            status=InspectionStatus.DRAFT if draft else InspectionStatus.FINAL,
            plate=plate,
            vin=vin,
            brand=brand,
            model=model,
            odometer_km=odometer,
            started_at=started,
            finalised_at=finalised,
            score=None if draft else score,
            grade=None if draft else grade,
            accident=accident,
            flood=flood,
            structural_evidence=(
                "纵梁有切割焊接痕迹"
                if accident
                else "座椅滑轨及线束有泥沙锈蚀痕迹"
                if flood
                else ""
            ),
            valuation_low=valuation_low,
            valuation_high=valuation_high,
            valuation_note=note,
        )
        if not draft:
            self.log(
                self.actor(appraiser),
                "inspection_finalised",
                "inspection",
                inspection_id,
                finalised or started,
                score=str(score),
                grade=grade.value,
            )

    # -- writing -------------------------------------------------------------------------------

    def write(self) -> None:
        # Covers for the cars without a full archive: one shared drawing per shape and colour.
        for car in self.cars[FULL_ARCHIVES:]:
            image_sha, thumbnail_sha = self.studio.photo(
                "side_left", car.model.shape, car.row["colour"], False, False
            )
            self.photos.add(
                id=self.uuid(),
                created_at=car.row["created_at"],
                vehicle_id=car.id,
                position=0,
                category=PhotoCategory.EXTERIOR,
                image_sha=image_sha,
                thumbnail_sha=thumbnail_sha,
                caption="左侧",
                is_cover=True,
            )
        media = _Rows(Media)
        for sha, data in self.studio.media.items():
            media.add(sha256=sha, mime="image/jpeg", size=len(data), data=data, created_at=self.now)
        if self.agreements.rows:
            media.add(
                sha256=_DEMO_AGREEMENT_SHA,
                mime="application/pdf",
                size=len(_DEMO_AGREEMENT_PDF),
                data=_DEMO_AGREEMENT_PDF,
                created_at=self.now,
            )
        for sha, (mime, data) in self.documents.items():
            media.add(sha256=sha, mime=mime, size=len(data), data=data, created_at=self.now)
        stages: Iterable[tuple[_Rows, str]] = (
            (media, "写入照片文件"),
            (self.vehicles, "写入车辆"),
            (self.photos, "写入车辆照片"),
            (self.price_items, "写入价格构成"),
            (self.maintenance, "写入保养记录"),
            (self.history, "写入事故记录"),
            (self.customers, "写入客户"),
            (self.consents, "写入客户授权"),
            (self.events, "写入检测日"),
            (self.booking_codes, "写入预约码"),
            (self.registrations, "写入检测日报名"),
            (self.agreements, "写入试驾协议"),
            (self.test_drives, "写入试驾"),
            (self.visits, "写入到店记录"),
            (self.kiosk_arrivals, "写入自助签到"),
            (self.contracts, "写入合同"),
            (self.deposits, "写入意向金"),
            (self.follow_ups, "写入回访"),
            (self.tags, "写入客户标签"),
            (self.tag_links, "写入客户标签"),
            (self.leads, "写入线索"),
            (self.interactions, "写入沟通记录"),
            (self.inspections, "写入检测报告"),
            (self.inspection_items, "写入检测项目"),
        )
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # A larger page cache for this connection while the big indexes are filled (random
            # UUID keys touch pages all over them); set back to SQLite's default afterwards.
            self.session.execute(text(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}"))
        for rows, stage in stages:
            _insert(self.session, rows, self.progress, stage)
        if sqlite:
            self.session.execute(text("PRAGMA cache_size=-2000"))
        # The audit trail in the order things happened (entries carry the real write time).
        entries = sorted(self.audit_log, key=lambda e: e[5])
        for k, (actor, action, entity, entity_id, detail, _at) in enumerate(entries):
            audit.record(self.session, actor, action, entity, entity_id, detail)
            if k % 50 == 49:
                self.progress("写入审计日志", k + 1, len(entries))
        audit.record(
            self.session,
            audit.SYSTEM,
            "demo_generated",
            "store",
            self.store_id,
            {
                "cars": len(self.vehicles),
                "customers": len(self.customers),
                "visits": len(self.visits),
                "test_drives": len(self.test_drives),
                "registrations": len(self.registrations),
                "inspections": len(self.inspections),
                "deposits": len(self.deposits),
                "contracts": len(self.contracts),
                "follow_ups": len(self.follow_ups),
            },
        )
        self.progress("写入审计日志", len(entries), len(entries))


def _demo_store_profile(code: str) -> dict[str, str]:
    """Generated (not real) 统一社会信用代码 and bank account, stable per store code, so
    contracts and receipts print complete; the store's demo car-page address."""
    digest = hashlib.sha256(code.encode()).hexdigest()
    body = "91110105" + "".join(
        "0123456789ABCDEFGHJKLMNPQRTUWXY"[int(digest[i : i + 2], 16) % 31] for i in range(0, 18, 2)
    )
    account = "".join(str(int(ch, 16) % 10) for ch in digest[20:39])
    return {
        "credit_code": body + credit_code_check_char(body),
        "bank_name": "中国建设银行北京朝阳支行（演示）",
        "bank_account": account,
        "public_url": f"https://cars.demo.invalid/{code.lower()}",
    }


def generate(
    database: Database,
    *,
    cars: int = 300,
    seed: int = 1,
    store_code: str = "BJ01",
    store_name: str = "示范二手车展厅",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an empty database with a demo store; return the counts and the demo accounts.

    Raises ``ShowroomError("demo.not_empty")`` when vehicles or customers exist already.
    ``progress(stage, done, total)`` is called as stages advance (stage is Chinese text).
    """
    started = time.perf_counter()
    if cars < 0:
        raise ShowroomError("demo.cars_negative", "车辆数不能为负数。", cars=cars)
    store_code = store_code.strip().upper()
    if not store_code.isalnum() or not 2 <= len(store_code) <= 8:
        raise ShowroomError(
            "store.code_invalid", "门店编号为 2 到 8 位字母或数字，例如 BJ01。", code=store_code
        )
    if now is None:
        now = utcnow()
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    report = progress or (lambda _stage, _done, _total: None)
    with database.read() as session:
        _refuse_if_not_empty(session)
    # Hash outside the write transaction: scrypt is slow on purpose, the lock should not wait.
    report("门店与员工", 0, len(_STAFF_PLAN))
    hashes = [
        (hash_secret(DEMO_PASSWORD), hash_secret(pin) if pin else None) for _, _, pin in _STAFF_PLAN
    ]
    with database.write() as session:
        _refuse_if_not_empty(session)  # again, now under the write lock
        generator = _Generator(
            session,
            cars=cars,
            seed=seed,
            store_code=store_code,
            store_name=store_name,
            progress=report,
            now=now,
            staff_hashes=hashes,
        )
        summary = generator.run()
    return dataclasses.replace(summary, seconds=round(time.perf_counter() - started, 2))
