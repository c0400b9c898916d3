"""The archive of every printed or exported paper: PDF bytes, SHA-256, who and when.

The original is ``copy_no`` 0; every reprint is painted again from the
original's archived ``content`` (never from today's template or records) and
archived as copy 1, 2, ... marked 副本 / COPY. ``documents list`` reads from here.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Document as DocumentRow
from db.models import DocumentKind, Media, Staff
from showroom.documents.model import Document
from showroom.errors import NotFoundError, ValidationError
from showroom.services import audit

PDF_MIME = "application/pdf"

KIND_LABELS: dict[str, str] = {
    DocumentKind.TEST_DRIVE_AGREEMENT.value: "试驾协议",
    DocumentKind.DEPOSIT_RECEIPT.value: "意向金收据",
    DocumentKind.CONTRACT.value: "合同",
    DocumentKind.INSPECTION_REPORT.value: "检测报告",
    DocumentKind.CAR_SHEET.value: "车辆信息单",
    DocumentKind.COMPARISON.value: "车型对比",
    DocumentKind.REGISTRATION_SLIP.value: "检测日报名单",
}

# Short names accepted on the command line (``showroom print agreement 7KQ2MX``).
KIND_ALIASES: dict[str, str] = {
    "agreement": DocumentKind.TEST_DRIVE_AGREEMENT.value,
    "test-drive": DocumentKind.TEST_DRIVE_AGREEMENT.value,
    "receipt": DocumentKind.DEPOSIT_RECEIPT.value,
    "report": DocumentKind.INSPECTION_REPORT.value,
    "deposit": DocumentKind.DEPOSIT_RECEIPT.value,
    "sale-contract": DocumentKind.CONTRACT.value,
    "condition": DocumentKind.CONTRACT.value,
    "after-sales": DocumentKind.CONTRACT.value,
    "amendment": DocumentKind.CONTRACT.value,
    "return": DocumentKind.CONTRACT.value,  # 退车协议 (BJ01-T2026-000001)
    "return-agreement": DocumentKind.CONTRACT.value,
    "warranty": DocumentKind.CONTRACT.value,  # 保修索赔单 (BJ01-W2026-000001)
    "warranty-claim": DocumentKind.CONTRACT.value,
    "purchase": DocumentKind.CONTRACT.value,  # 收车协议 (BJ01-P2026-000001)
    "purchase-agreement": DocumentKind.CONTRACT.value,
    **{kind.value: kind.value for kind in DocumentKind},
    **{kind.value.replace("_", "-"): kind.value for kind in DocumentKind},
}


# A sale contract's annexes are archived under the contract number plus a suffix
# (see ``showroom.services.contracts.ANNEXES``): ``print condition BJ01-2026-000123``.
ANNEX_SUFFIXES: dict[str, str] = {"condition": "-1", "after-sales": "-2"}


def number_for(kind_text: str, number: str) -> str:
    """The archived number a command line means: an annex alias adds its suffix."""
    suffix = ANNEX_SUFFIXES.get(kind_text.strip().lower(), "")
    return number if not suffix or number.endswith(suffix) else number + suffix


# Papers archived under another kind's number space, named for ``--help``.
_ALIAS_PAPERS = {
    "condition": "车况确认书",
    "after-sales": "售后服务协议",
    "amendment": "合同变更协议",
    "return": "退车协议",
    "return-agreement": "退车协议",
    "warranty": "保修索赔单",
    "warranty-claim": "保修索赔单",
    "purchase": "收车协议",
    "purchase-agreement": "收车协议",
}


def kinds_help() -> str:
    """Every name ``showroom print`` accepts, grouped by the paper it prints."""
    by_paper: dict[str, list[str]] = {}
    for alias, kind in KIND_ALIASES.items():
        if "_" in alias:  # the enum's own spelling; its dashed twin is listed
            continue
        paper = _ALIAS_PAPERS.get(alias) or KIND_LABELS.get(kind, kind)
        by_paper.setdefault(paper, []).append(alias)
    return "；".join(f"{paper}：{'、'.join(names)}" for paper, names in by_paper.items())


def parse_kind(text: str) -> DocumentKind:
    try:
        return DocumentKind(KIND_ALIASES[text.strip().lower()])
    except KeyError:
        choices = "、".join(sorted({k for k in KIND_ALIASES if "_" not in k}))
        raise ValidationError(
            "document.kind_unknown",
            f"未知的文件类型“{text}”。可选：{choices}",
            kind=text,
            choices=choices,
            choice_list=sorted({k for k in KIND_ALIASES if "_" not in k}),
        ) from None


@dataclass(frozen=True)
class ArchivedDocument:
    id: uuid.UUID
    kind: str
    number: str
    copy_no: int
    subject: str
    created_at: datetime
    sha256: str
    verification_code: str
    created_by: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "number": self.number,
            "copy_no": self.copy_no,
            "subject": self.subject,
            "created": self.created_at.isoformat(),
            "sha256": self.sha256,
            "verification_code": self.verification_code,
            "created_by": self.created_by,
        }


def store_media(session: Session, data: bytes, mime: str) -> str:
    """Put ``data`` in the content-addressed media table (once) and return its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    if session.get(Media, sha) is None:
        session.add(Media(sha256=sha, mime=mime, size=len(data), data=data))
        session.flush()
    return sha


def archive(
    session: Session,
    actor: audit.Actor,
    document: Document,
    pdf: bytes,
    *,
    store_id: uuid.UUID,
    subject: str = "",
    subject_id: uuid.UUID | None = None,
) -> ArchivedDocument:
    """Archive a rendered paper in the caller's transaction."""
    if not pdf.startswith(b"%PDF"):
        raise ValueError("archive() takes the rendered PDF bytes")
    sha = store_media(session, pdf, PDF_MIME)
    row = DocumentRow(
        store_id=store_id,
        kind=DocumentKind(document.kind),
        number=document.number,
        copy_no=document.copy_no,
        subject_id=subject_id,
        subject=subject[:200],
        verification_code=document.verification_code,
        template_version=document.template_version,
        pdf_sha=sha,
        content=document.to_content(),
        created_by_id=actor.staff_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "document_printed" if document.copy_no == 0 else "document_reprinted",
        "document",
        row.id,
        {"kind": document.kind, "number": document.number, "copy_no": document.copy_no},
    )
    return _archived(row, actor.name if actor.staff_id else None)


def _archived(row: DocumentRow, created_by: str | None) -> ArchivedDocument:
    return ArchivedDocument(
        id=row.id,
        kind=row.kind.value,
        number=row.number,
        copy_no=row.copy_no,
        subject=row.subject,
        created_at=row.created_at,
        sha256=row.pdf_sha,
        verification_code=row.verification_code,
        created_by=created_by,
    )


@dataclass(frozen=True)
class Reprint:
    """What a reprint paints: the original's content with the next copy number."""

    document: Document
    store_id: uuid.UUID
    subject: str
    subject_id: uuid.UUID | None
    original_sha256: str


def prepare_reprint(session: Session, kind: DocumentKind, number: str) -> Reprint:
    """The archived original of ``kind`` / ``number``, ready to paint as the next copy."""
    original = session.scalar(
        select(DocumentRow).where(
            DocumentRow.kind == kind, DocumentRow.number == number, DocumentRow.copy_no == 0
        )
    )
    if original is None:
        raise NotFoundError(
            "document.not_found",
            f"没有找到已存档的{KIND_LABELS.get(kind.value, '文件')} {number}。",
            kind=kind.value,
            number=number,
            kind_label=KIND_LABELS.get(kind.value, "文件"),
        )
    last = session.scalar(
        select(func.max(DocumentRow.copy_no)).where(
            DocumentRow.kind == kind, DocumentRow.number == number
        )
    )
    document = Document.from_content(original.content, copy_no=int(last or 0) + 1)
    return Reprint(
        document, original.store_id, original.subject, original.subject_id, original.pdf_sha
    )


def archive_original(
    session: Session,
    actor: audit.Actor,
    kind: DocumentKind,
    document: Document,
    pdf: bytes,
    *,
    store_id: uuid.UUID,
    subject_id: uuid.UUID,
) -> ArchivedDocument:
    """The paper as printed the first time is its original; a later print returns that one.

    (Copies are archived by the reprint path.) The subject shown in the archive list is
    the one the paper carries (``document.extra["subject"]``).
    """
    existing = find_original(session, kind, document.number)
    if existing is not None:
        return existing
    return archive(
        session,
        actor,
        document,
        pdf,
        store_id=store_id,
        subject=document.extra.get("subject", ""),
        subject_id=subject_id,
    )


def find_original(session: Session, kind: DocumentKind, number: str) -> ArchivedDocument | None:
    row = session.scalar(
        select(DocumentRow).where(
            DocumentRow.kind == kind, DocumentRow.number == number, DocumentRow.copy_no == 0
        )
    )
    return _archived(row, None) if row is not None else None


def archived_content(session: Session, document_id: uuid.UUID) -> dict[str, Any]:
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise NotFoundError("document.not_found", "没有找到这份存档文件。")
    return dict(row.content)


def archived_pdf(session: Session, document_id: uuid.UUID) -> bytes:
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise NotFoundError("document.not_found", "没有找到这份存档文件。")
    media = session.get(Media, row.pdf_sha)
    assert media is not None  # a foreign key keeps it
    return bytes(media.data)


def list_documents(
    session: Session, kind: DocumentKind | None = None, limit: int | None = None
) -> list[ArchivedDocument]:
    """Newest first."""
    stmt = (
        select(DocumentRow, Staff.display_name)
        .outerjoin(Staff, Staff.id == DocumentRow.created_by_id)
        .order_by(DocumentRow.created_at.desc(), DocumentRow.number, DocumentRow.copy_no)
    )
    if kind is not None:
        stmt = stmt.where(DocumentRow.kind == kind)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_archived(row, name) for row, name in session.execute(stmt)]
