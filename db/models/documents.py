"""Archived documents (exactly as printed) and captured signatures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import DocumentKind, enum_type


class Document(Entity, Base):
    """A printed or exported paper: its PDF bytes and their SHA-256.

    ``number`` is the subject's human number (booking code, receipt no., ...);
    ``copy_no`` 0 is the original, 1.. are reprints marked 副本.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("uq_documents_kind_number_copy", "kind", "number", "copy_no", unique=True),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind))
    number: Mapped[str] = mapped_column(String(24))
    copy_no: Mapped[int] = mapped_column(Integer, default=0)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    subject: Mapped[str] = mapped_column(String(200), default="")
    verification_code: Mapped[str] = mapped_column(String(16))
    template_version: Mapped[str] = mapped_column(String(40), default="")
    pdf_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    content: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class Signature(Entity, Base):
    """A signature as drawn (vector strokes and PNG) over the exact text signed."""

    __tablename__ = "signatures"

    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    signer_role: Mapped[str] = mapped_column(String(20))  # customer / consultant
    signer_name: Mapped[str] = mapped_column(String(60))
    strokes: Mapped[list[list[list[float]]]] = mapped_column(JSON)
    image_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    signed_text_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column()
