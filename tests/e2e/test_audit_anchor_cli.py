"""``showroom audit anchor`` and ``audit verify`` against anchors, as an auditor uses them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from showroom.services import audit
from tests.e2e.test_cli import showroom


def _rewrite_entry_and_rehash(db_file: Path, seq: int) -> None:
    """Change one entry and recompute every later hash and the head, as an owner could."""
    conn = sqlite3.connect(db_file)
    for name in ("audit_entries_no_update", "trg_audit_head_forward"):
        conn.execute(f"DROP TRIGGER {name}")
    rows = conn.execute(
        "SELECT seq, at, actor, staff_id, store_id, action, entity, entity_id, detail "
        "FROM audit_entries ORDER BY seq"
    ).fetchall()
    prev = audit.GENESIS_HASH
    for number, at, actor, staff, store, action, entity, entity_id, detail in rows:
        actor = "mallory" if number == seq else actor
        digest = audit.entry_hash(
            prev,
            number,
            datetime.fromisoformat(at).replace(tzinfo=UTC),
            actor,
            _uuid(staff),
            _uuid(store),
            action,
            entity,
            entity_id,
            __import__("json").loads(detail),
        )
        conn.execute(
            "UPDATE audit_entries SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (actor, prev, digest, number),
        )
        prev = digest
    conn.execute("UPDATE audit_head SET last_hash = ?", (prev,))
    conn.commit()
    conn.close()


def _uuid(value: Any) -> Any:
    import uuid

    return uuid.UUID(value) if value else None


def test_a_rewrite_that_recomputed_the_hashes_is_named_by_verify(tmp_path: Path) -> None:
    showroom(tmp_path, "demo", "--cars", "12")
    anchor = showroom(tmp_path, "audit", "anchor").stdout
    assert "当前链头锚点：A" in anchor
    written = anchor.split("：", 1)[1].split("（", 1)[0]
    clean = showroom(tmp_path, "audit", "verify", "--anchor", written)
    assert "哈希链无误" in clean.stdout and "链外锚点" in clean.stdout

    _rewrite_entry_and_rehash(tmp_path / "data" / "showroom.db", 2)
    broken = showroom(tmp_path, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert "重算了哈希" in broken.stderr and "Traceback" not in broken.stderr
    # A paper anchor alone is enough, even on a PC whose own file was lost.
    for anchors in (tmp_path / "data" / "audit-anchors").iterdir():
        anchors.unlink()
    typed = showroom(tmp_path, "audit", "verify", "--anchor", written, check=False)
    assert typed.returncode == 1 and "输入的锚点" in typed.stderr
    bad = showroom(tmp_path, "audit", "verify", "--anchor", "A12-zz", check=False)
    assert bad.returncode == 2 and "锚点格式不对" in bad.stderr
