"""打印测试页: the store's letterhead and every profile value on one page, before a real paper.

A new store prints it once to see what its contracts, receipts and agreements will
carry: the logo, name, address and phone at the top, the licence number and bank
account as a contract prints them, and a QR code to a car page as the car sheets
carry it. It is not archived (it is no record of anything). Values the profile
lacks are listed as missing on the page, so the page itself says what to fill in.
"""

from __future__ import annotations

import uuid
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db.models import Store
from showroom.clock import utcnow
from showroom.documents.letterhead import format_account, letterhead
from showroom.documents.model import Document, Field, QrCode, Section
from showroom.errors import NotFoundError
from showroom.vehicle_links import public_url

KIND = "test_page"
SAMPLE_STOCK_NO = "TEST-0001"
MISSING = "（未填写）"


def print_test_page(
    session: Session,
    store_id: uuid.UUID,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    settings: Any = None,
    now: datetime | None = None,
) -> Document:
    """The test page of a store; refused (naming the fields) like any paper when the
    letterhead itself (name, address, phone) is incomplete."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError("store.not_found", "门店不存在。")
    head = letterhead(session, store_id, templates_dir, paper="打印测试页")
    issued = (now or utcnow()).astimezone(zone)
    sample = public_url(settings if settings is not None else {}, SAMPLE_STOCK_NO, store.public_url)
    sample = sample or ""
    fields = (
        Field("门店编号", store.code),
        Field("门店名称", store.name),
        Field("门店地址", store.address or MISSING, wide=True),
        Field("联系电话", store.phone or MISSING),
        Field("统一社会信用代码", store.credit_code or MISSING),
        Field("开户银行", store.bank_name or MISSING),
        Field("银行账号", format_account(store.bank_account) or MISSING),
        Field("车辆网页示例", sample or MISSING, wide=True),
    )
    checks = [
        "抬头：门店标志清晰、不变形；门店名称、地址和电话完整，没有被截断。",
        "合同和收据会印出上面的统一社会信用代码和收款账户，请与营业执照、开户许可证逐字核对。",
        "右上角的二维码是本页的编号；下方二维码应能用手机打开门店的车辆网页。",
        "页边距：四周的文字完整，没有被打印机裁掉。如被裁掉，请在打印机设置中选择 A4、实际大小。",
    ]
    missing = [f.label for f in fields if f.value == MISSING]
    if missing:
        checks.append("以下门店资料尚未填写，相关文件打印前会提示：" + "、".join(missing) + "。")
    qr_codes = [QrCode(f"SHOWROOM:TEST:{store.code}", "打印测试页")]
    if sample:
        qr_codes.append(QrCode(sample, f"车辆网页示例：{sample}"))
    return Document(
        kind=KIND,
        number=f"{store.code}-TEST",
        title="打印测试页",
        letterhead=head,
        fields=fields,
        sections=(Section("请核对", tuple(checks)),),
        qr_codes=tuple(qr_codes),
        issued=f"{issued:%Y-%m-%d %H:%M}",
        footer_note="本页仅用于检查打印效果，不是业务单据，不存档。",
    )
