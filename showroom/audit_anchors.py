"""Anchors of the audit chain kept outside the database, so a rewrite cannot go unnoticed.

The audit log is one SHA-256 chain: each entry's hash covers the one before. Inside
the database that only proves the entries agree with each other. Someone who can
write to the tables behind the app's back (the tables' owner, a DBA, a restored
backup) can change an entry and recompute every later hash, or drop the last
entries and set the head back, and the chain would still check out.

Why anchors, not a keyed chain: a key would have to sit on every PC that appends,
so anyone with one PC and database rights could re-key the whole chain, and a
dropped tail would still verify. An anchor needs no secret: it is the head
``(seq, hash)`` written down somewhere the database cannot reach. Because each hash
covers everything before it, one anchor pins every entry up to its ``seq``: a
rewritten entry changes the hash at every later anchor, and a tail cut below an
anchor leaves the anchored entry missing. ``showroom audit verify`` checks all of
them.

Where anchors are kept:

- on every PC, in ``<data dir>/audit-anchors/<database>.jsonl``: the head after each
  of this PC's writes that appended to the log, at start-up, and after a clean
  verify (append-only; compacted to the last anchors and one per day when large);
- wherever a person writes one down: ``showroom audit anchor`` prints the head as
  ``A<seq>-<16 hex>`` (for the day's takings sheet or the safe), and
  ``showroom audit verify --anchor A1234-0123456789abcdef`` checks it later.

Entries after the newest anchor are protected by the chain alone until the next
anchor is written; every PC anchors its own writes, so that window is small.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from showroom.clock import utcnow

log = logging.getLogger("showroom.audit")

# Compact the file above this size: keep the newest anchors and the last one of each day.
MAX_BYTES = 512 * 1024
KEEP_NEWEST = 200
_TEXT = re.compile(r"^\s*[Aa]?(\d+)\s*[-:]\s*([0-9a-fA-F]{8,64})\s*$")


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: entry ``seq`` had ``hash`` (or a prefix of it)."""

    seq: int
    hash: str
    at: datetime | None = None
    source: str = ""  # "write", "start", "verify", "typed", ...

    @property
    def text(self) -> str:
        """Short enough to copy by hand, long enough (64 bits) that nobody forges it."""
        return f"A{self.seq}-{self.hash[:16]}"

    def matches(self, full_hash: str) -> bool:
        return full_hash.lower().startswith(self.hash.lower())


def parse_anchor(text: str) -> Anchor:
    """``A1234-0123456789abcdef`` (or ``1234:<hash>``) as typed from a paper."""
    match = _TEXT.match(text)
    if match is None:
        raise ValueError(f"not an audit anchor: {text!r} (expected A<number>-<hex>)")
    return Anchor(int(match.group(1)), match.group(2).lower(), None, "typed")


def database_identity(url: str) -> str:
    """Which database a chain lives in, without the login: PCs and logins share anchors."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return "sqlite:" + (str(Path(path).resolve()) if path and path != ":memory:" else path)
    host = parsed.host or "localhost"
    return f"{parsed.get_backend_name()}://{host}:{parsed.port or 5432}/{parsed.database or ''}"


class AnchorBook:
    """The anchors this PC keeps for one database (a JSON-lines file, appended to)."""

    def __init__(self, path: Path, identity: str = "") -> None:
        self.path = path
        self.identity = identity
        self._lock = threading.Lock()

    @classmethod
    def for_database(cls, anchors_dir: Path, url: str) -> AnchorBook:
        identity = database_identity(url)
        name = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
        return cls(anchors_dir / f"{name}.jsonl", identity)

    def record(
        self, seq: int, digest: str, source: str = "write", at: datetime | None = None
    ) -> None:
        """Append an anchor; a disk problem is logged, never raised (the write committed)."""
        if seq <= 0:
            return  # an empty log has nothing to pin
        line = json.dumps(
            {
                "seq": seq,
                "hash": digest,
                "at": (at or utcnow()).astimezone(UTC).isoformat(),
                "source": source,
                "db": self.identity,
            },
            ensure_ascii=False,
        )
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(line + "\n")
                if self.path.stat().st_size > MAX_BYTES:
                    self._compact()
        except OSError as exc:
            log.warning("could not keep an audit anchor in %s: %s", self.path, exc)

    def anchors(self) -> list[Anchor]:
        """Every anchor kept, oldest first; unreadable lines are skipped and logged."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("could not read audit anchors in %s: %s", self.path, exc)
            return []
        found = []
        for number, line in enumerate(lines, start=1):
            try:
                data = json.loads(line)
                found.append(
                    Anchor(
                        int(data["seq"]),
                        str(data["hash"]),
                        datetime.fromisoformat(data["at"]),
                        str(data.get("source", "")),
                    )
                )
            except (ValueError, KeyError, TypeError):
                log.warning("skipped unreadable audit anchor line %d of %s", number, self.path)
        return found

    def _compact(self) -> None:
        """Keep the newest anchors and the last of each day (each pins all before it)."""
        anchors = self.anchors()
        keep: dict[object, Anchor] = {}
        for anchor in anchors:
            day = anchor.at.date() if anchor.at else None
            keep[day] = anchor
        chosen = {id(a) for a in anchors[-KEEP_NEWEST:]} | {id(a) for a in keep.values()}
        kept = [a for a in anchors if id(a) in chosen]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            "".join(
                json.dumps(
                    {
                        "seq": a.seq,
                        "hash": a.hash,
                        "at": a.at.isoformat() if a.at else None,
                        "source": a.source,
                        "db": self.identity,
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for a in kept
            ),
            encoding="utf-8",
        )
        tmp.replace(self.path)


def newest(anchors: Iterable[Anchor]) -> Anchor | None:
    return max(anchors, key=lambda a: a.seq, default=None)
