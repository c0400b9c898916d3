"""Document templates the dealer edits without us: TOML files in the data dir.

On first use the shipped templates (``resources/templates``) are copied into
``<data dir>/templates``; from then on the dealer's copy is used and never
overwritten, so their wording, default route or insurance text survive updates.
``{name}`` placeholders are filled with plain text; nothing in a value can
change the layout because the renderer escapes every string.

The short API for a new paper: ``load_template(templates_dir, kind)`` and
``Template.fill(values)`` -> fields, sections and signature boxes.
"""

from __future__ import annotations

import logging
import shutil
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources import path as resource_path
from showroom.documents.model import (
    STORE_FIELDS,
    Document,
    Field,
    Letterhead,
    Section,
    SignatureImage,
)
from showroom.errors import ValidationError

log = logging.getLogger("showroom.documents")

SHIPPED_DIR = resource_path("templates")
LOGO_FILE = "logo.png"


def ensure_templates(templates_dir: Path) -> list[str]:
    """Copy shipped templates that are missing in ``templates_dir``; return the names copied."""
    templates_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(SHIPPED_DIR.iterdir()):
        target = templates_dir / source.name
        if source.is_file() and not target.exists():
            shutil.copyfile(source, target)
            copied.append(source.name)
    if copied:
        log.info("document templates installed: %s", ", ".join(copied))
    return copied


class _Values(dict[str, str]):
    """A placeholder with no value prints as a blank line to fill in by hand, not a crash."""

    def __missing__(self, key: str) -> str:
        return "________"


_FORMATTER = string.Formatter()


def _fill(text: str, values: _Values) -> str:
    try:
        return _FORMATTER.vformat(text, (), values)
    except (ValueError, IndexError, AttributeError, KeyError) as exc:
        raise ValidationError(
            "template.syntax",
            f"文件模板中的占位符写法有误：“{text[:40]}”。请用 {{名称}} 的形式。",
            text=text[:40],
        ) from exc


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    version: str
    footer_note: str
    defaults: dict[str, str]
    fields: tuple[tuple[str, str, bool], ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    signatures: tuple[tuple[str, str], ...]

    def placeholders(self) -> frozenset[str]:
        """Every ``{name}`` the template prints."""
        texts = [self.footer_note, *self.defaults.values()]
        for label, value, _wide in self.fields:
            texts += [label, value]
        for heading, paragraphs in self.sections:
            texts += [heading, *paragraphs]
        for role, name in self.signatures:
            texts += [role, name]
        names = set()
        for text in texts:
            try:
                names.update(name for _, name, _, _ in _FORMATTER.parse(text) if name)
            except ValueError:
                continue  # a broken placeholder is reported by ``fill``
        return frozenset(names)

    def fill(
        self, values: dict[str, str]
    ) -> tuple[tuple[Field, ...], tuple[Section, ...], tuple[SignatureImage, ...]]:
        """Fields, sections and empty signature boxes with ``values`` (over the defaults)."""
        merged = _Values({**self.defaults, **{k: v for k, v in values.items() if v != ""}})
        fields = tuple(
            Field(_fill(label, merged), _fill(value, merged), wide)
            for label, value, wide in self.fields
        )
        sections = tuple(
            Section(_fill(heading, merged), tuple(_fill(p, merged) for p in paragraphs))
            for heading, paragraphs in self.sections
        )
        signatures = tuple(
            SignatureImage(_fill(role, merged), _fill(name, merged))
            for role, name in self.signatures
        )
        return fields, sections, signatures

    def document(
        self,
        values: dict[str, str],
        *,
        kind: str,
        number: str,
        letterhead: Letterhead,
        issued: str,
        **more: Any,
    ) -> Document:
        """The paper this template makes with ``values``; ``more`` sets the rest (QR, extra).

        The store's details come from the letterhead; one the template prints but the
        store profile lacks is refused here, naming it, instead of printing a blank line.
        """
        store = letterhead.store_values
        if store:
            from showroom.documents.letterhead import require_store_fields

            needed = (self.placeholders() & STORE_FIELDS.keys()) - {
                key for key, value in values.items() if value
            }
            require_store_fields(store, needed, paper=self.title)
            values = {**store, **{k: v for k, v in values.items() if v}}
        fields, sections, signatures = self.fill(values)
        return Document(
            kind=kind,
            number=number,
            title=self.title,
            letterhead=letterhead,
            fields=fields,
            sections=sections,
            signatures=signatures,
            issued=issued,
            template_version=self.version,
            footer_note=self.footer_note,
            **more,
        )


def _parse(data: dict[str, Any], source: Path) -> Template:
    try:
        return Template(
            kind=str(data["kind"]),
            title=str(data["title"]),
            version=str(data.get("version", "")),
            footer_note=str(data.get("footer_note", "")),
            defaults={str(k): str(v) for k, v in data.get("defaults", {}).items()},
            fields=tuple(
                (str(f["label"]), str(f["value"]), bool(f.get("wide", False)))
                for f in data.get("fields", [])
            ),
            sections=tuple(
                (str(s["heading"]), tuple(str(p) for p in s.get("paragraphs", [])))
                for s in data.get("sections", [])
            ),
            signatures=tuple(
                (str(s["role"]), str(s.get("name", ""))) for s in data.get("signatures", [])
            ),
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError(
            "template.invalid",
            f"文件模板 {source.name} 缺少必要的项目（{exc}）。",
            file=source.name,
            detail=str(exc),
        ) from exc


def load_template(templates_dir: Path | None, kind: str) -> Template:
    """The dealer's template for ``kind``, or the shipped one when there is no data dir."""
    if templates_dir is not None:
        ensure_templates(templates_dir)
        source = templates_dir / f"{kind}.toml"
    else:
        source = SHIPPED_DIR / f"{kind}.toml"
    if not source.exists():
        source = SHIPPED_DIR / f"{kind}.toml"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            "template.invalid",
            f"文件模板 {source.name} 格式有误，无法读取：{exc}",
            file=source.name,
            detail=str(exc),
        ) from exc
    return _parse(data, source)


def load_logo(templates_dir: Path | None) -> bytes:
    """The letterhead logo (PNG) from the dealer's templates, else the shipped one."""
    for folder in (templates_dir, SHIPPED_DIR):
        if folder is not None and (folder / LOGO_FILE).exists():
            return (folder / LOGO_FILE).read_bytes()
    return b""
