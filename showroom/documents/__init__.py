"""The document engine's data side: every paper the showroom prints, as plain data.

A paper is built here as a ``Document`` (title, number, fields, sections of
text, signature images, QR payloads) from a template the dealer can edit; the
UI layer (``ui.documents.render``) paints it, the same code for print preview,
a printer and PDF. Keeping the paper as data means the archive can store the
exact content that was printed and a reprint paints it again unchanged, even
after the template was edited. No Qt here.
"""

from showroom.documents.model import (
    Document,
    Field,
    QrCode,
    Section,
    SignatureImage,
    Table,
    TableRow,
    verification_code,
)

__all__ = [
    "Document",
    "Field",
    "QrCode",
    "Section",
    "SignatureImage",
    "Table",
    "TableRow",
    "verification_code",
]
