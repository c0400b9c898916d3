"""A paper as plain, JSON-round-trippable data.

``Document.to_content()`` is what the archive stores (``documents.content``):
exactly what was painted, images included as base64, so a reprint years later
paints the same text and the same signatures without looking at templates,
settings or the customer record again. The verification code is derived from
that content, so a paper's code proves which archived record it belongs to.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

CONTENT_VERSION = 1


@dataclass(frozen=True)
class Field:
    """One labelled value in the facts table at the top of a paper (客户、车辆、VIN...)."""

    label: str
    value: str
    wide: bool = False  # spans the whole row


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs (plain text; the renderer escapes everything)."""

    heading: str
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureImage:
    """A signature box: who signs, their name, and the drawn PNG (empty when unsigned)."""

    role_label: str  # 客户（试驾人） / 销售顾问
    name: str
    png: bytes = b""
    signed_at: str = ""  # as printed, store time

    @property
    def signed(self) -> bool:
        return bool(self.png)


@dataclass(frozen=True)
class QrCode:
    """A QR code printed with a caption beside it; ``size_mm`` 0 is the standard size."""

    payload: str
    caption: str
    size_mm: int = 0


@dataclass(frozen=True)
class TableRow:
    """One row of a table: the first cell is the row's label."""

    cells: tuple[str, ...]
    emphasis: tuple[int, ...] = ()  # cells printed bold with a mark (the best value)
    shaded: bool = False  # a row that stands out (the cars differ in it)
    heading: bool = False  # a section title spanning the whole row (its first cell)


@dataclass(frozen=True)
class Table:
    """A ruled grid of plain text after the facts (a comparison of cars, scores by section)."""

    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    note: str = ""  # printed under the table (what the marks mean)
    heading: str = ""  # printed above the table

    @classmethod
    def plain(cls, heading: str, columns: tuple[str, ...], rows: Iterable[Iterable[str]]) -> Table:
        """A table of unmarked rows under a heading."""
        return cls(columns, tuple(TableRow(tuple(r)) for r in rows), heading=heading)


@dataclass(frozen=True)
class Figure:
    """A photo printed with its caption (JPEG or PNG bytes), e.g. a defect on a report."""

    caption: str
    image: bytes


# The store's details a template may print ({store_credit_code}...), with the name of the
# store profile field a manager fills in when one is missing.
STORE_FIELDS: dict[str, str] = {
    "store_name": "门店名称",
    "store_address": "门店地址",
    "store_phone": "联系电话",
    "store_credit_code": "统一社会信用代码",
    "store_bank_name": "开户银行",
    "store_bank_account": "银行账号",
}


@dataclass(frozen=True)
class Letterhead:
    """The store's head on every page. ``store_values`` (not archived, not compared) carries
    the store profile for the template's ``{store_...}`` placeholders."""

    store_name: str
    address: str = ""
    line: str = ""  # phone, 统一社会信用代码 and the dealer's own text (slogan)
    logo_png: bytes = b""
    store_values: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Document:
    """Everything painted on a paper; ``copy_no`` > 0 marks a reprint (副本 / COPY)."""

    kind: str
    number: str
    title: str
    letterhead: Letterhead
    fields: tuple[Field, ...] = ()
    sections: tuple[Section, ...] = ()
    signatures: tuple[SignatureImage, ...] = ()
    qr_codes: tuple[QrCode, ...] = ()
    issued: str = ""  # date/time printed on the paper, store time
    template_version: str = ""
    copy_no: int = 0
    footer_note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    headline: str = ""  # one big line under the title (the price on a car sheet)
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()

    # --- hashing -----------------------------------------------------------------------

    def signed_text(self) -> str:
        """The exact words a signer agrees to: facts and clauses, no images, no copy mark."""
        lines = [self.title, self.number]
        lines += [f"{f.label}：{f.value}" for f in self.fields]
        if self.headline:
            lines.append(self.headline)
        for table in self.tables:
            if table.heading:
                lines.append(table.heading)
            lines.append(" | ".join(table.columns))
            lines += [" | ".join(row.cells) for row in table.rows]
        for section in self.sections:
            lines.append(section.heading)
            lines.extend(section.paragraphs)
        return "\n".join(lines)

    def signed_text_sha256(self) -> str:
        return hashlib.sha256(self.signed_text().encode("utf-8")).hexdigest()

    @property
    def verification_code(self) -> str:
        return verification_code(self.to_content())

    # --- archive form --------------------------------------------------------------------

    def to_content(self) -> dict[str, Any]:
        """The archived form. The copy number is not part of it: a reprint has equal content.

        Headline, tables and QR sizes appear only when used, so papers archived before they
        existed keep exactly the content (and verification code) they were printed with.
        """
        content: dict[str, Any] = {
            "version": CONTENT_VERSION,
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "issued": self.issued,
            "template_version": self.template_version,
            "footer_note": self.footer_note,
            "letterhead": {
                "store_name": self.letterhead.store_name,
                "address": self.letterhead.address,
                "line": self.letterhead.line,
                "logo_png": _b64(self.letterhead.logo_png),
            },
            "fields": [[f.label, f.value, f.wide] for f in self.fields],
            "sections": [[s.heading, list(s.paragraphs)] for s in self.sections],
            "signatures": [
                [s.role_label, s.name, _b64(s.png), s.signed_at] for s in self.signatures
            ],
            "qr_codes": [
                [q.payload, q.caption, *([q.size_mm] if q.size_mm else [])] for q in self.qr_codes
            ],
            "extra": dict(sorted(self.extra.items())),
        }
        if self.headline:
            content["headline"] = self.headline
        if self.tables:
            content["tables"] = [
                {
                    "columns": list(t.columns),
                    "rows": [
                        [list(r.cells), list(r.emphasis), r.shaded, r.heading] for r in t.rows
                    ],
                    "note": t.note,
                    **({"heading": t.heading} if t.heading else {}),
                }
                for t in self.tables
            ]
        if self.figures:
            content["figures"] = [[f.caption, _b64(f.image)] for f in self.figures]
        return content

    @classmethod
    def from_content(cls, content: dict[str, Any], copy_no: int = 0) -> Document:
        head = content["letterhead"]
        return cls(
            kind=content["kind"],
            number=content["number"],
            title=content["title"],
            issued=content.get("issued", ""),
            template_version=content.get("template_version", ""),
            footer_note=content.get("footer_note", ""),
            letterhead=Letterhead(
                head["store_name"], head["address"], head["line"], _unb64(head["logo_png"])
            ),
            fields=tuple(
                Field(label, value, bool(wide)) for label, value, wide in content["fields"]
            ),
            sections=tuple(Section(h, tuple(p)) for h, p in content["sections"]),
            signatures=tuple(
                SignatureImage(role, name, _unb64(png), at)
                for role, name, png, at in content["signatures"]
            ),
            qr_codes=tuple(QrCode(*entry) for entry in content["qr_codes"]),
            extra=dict(content.get("extra", {})),
            headline=content.get("headline", ""),
            tables=tuple(
                Table(
                    tuple(t["columns"]),
                    tuple(
                        TableRow(tuple(cells), tuple(emphasis), bool(shaded), bool(heading))
                        for cells, emphasis, shaded, heading in t["rows"]
                    ),
                    t.get("note", ""),
                    t.get("heading", ""),
                )
                for t in content.get("tables", [])
            ),
            figures=tuple(Figure(c, _unb64(b)) for c, b in content.get("figures", [])),
            copy_no=copy_no,
        )

    def as_copy(self, copy_no: int) -> Document:
        return replace(self, copy_no=copy_no)


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def verification_code(content: dict[str, Any]) -> str:
    """Eight characters of the content's SHA-256, grouped for reading aloud: ``7F3A-92C1``."""
    digest = hashlib.sha256(canonical_json(content)).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii")) if text else b""
