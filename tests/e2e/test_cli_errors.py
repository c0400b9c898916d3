"""Every ``showroom`` command answers a database it cannot use with a sentence, not a traceback.

Run in-process through ``showroom.cli.main`` so that an exception nobody turned into
a message fails the test with its traceback. Three databases a new administrator
meets: one with the schema but no store yet, an address nothing answers on, and an
address of a kind the app does not support.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from db.engine import Database
from showroom import cli
from showroom.documents.archive import KIND_ALIASES


@pytest.fixture(autouse=True)
def _qt_application(qapp: object) -> None:
    """``print`` opens a QGuiApplication when none exists; in a test worker that would
    leave the GUI tests run after it without the QApplication they need."""


# Each command as an administrator would try it on a store's first day.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("db", "current"),
    ("db", "check"),
    ("vehicles", "list"),
    ("vehicles", "import", "{csv}"),
    ("vehicles", "import", "--preset", "showroom", "{csv}"),
    ("audit", "verify"),
    ("audit", "anchor"),
    ("privacy", "purge", "--dry-run"),
    ("print", "contract", "BJ01-2026-000001", "--pdf", "{tmp}/c.pdf"),
    ("print", "nonsense", "1", "--pdf", "{tmp}/c.pdf"),
    ("documents", "list"),
    ("staff", "list"),
    ("staff", "disable", "nobody"),
    ("staff", "reset-password", "nobody"),
    ("store", "show"),
    ("store", "set", "--name", "新店名"),
    ("publish", "--out", "{tmp}/site"),
)


def _run(
    url: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    csv = tmp_path / "cars.csv"
    csv.write_text("stock_no,brand\nA1,丰田\n", encoding="utf-8")
    args = [w.format(csv=csv, tmp=tmp_path) for w in words]
    try:
        code = cli.main(["--database", url, *args])
    except SystemExit as exit_:  # argparse refusing words: its own one-line usage error
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w[:2]))
def test_a_store_less_database_gets_sentences(
    database_url: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Database.from_url(database_url).dispose()  # migrated by the fixture, no store, no staff
    code, text = _run(database_url, words, tmp_path, capsys)
    assert "Traceback" not in text
    if code != 0:
        assert code == 2 and text.strip(), f"{words}: exit {code} without a message"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # said in Chinese


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://nobody@127.0.0.1:9/showroom", "无法连接数据库"),
        ("mysql://root@127.0.0.1/showroom", "不支持这种数据库"),
        ("postgresql+asyncpg://x@127.0.0.1/y", "数据库地址无效"),
        ("not a url", "数据库地址无效"),
    ],
)
@pytest.mark.parametrize("words", COMMANDS[:8] + COMMANDS[10:-1], ids=lambda w: " ".join(w[:2]))
def test_an_unusable_address_is_named_in_one_sentence(
    url: str,
    expected: str,
    words: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, text = _run(url, words, tmp_path, capsys)
    assert code == 2
    assert expected in text
    assert "Traceback" not in text


def test_print_help_names_every_kind_it_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["print", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    # argparse wraps at hyphens: compare with the line breaks taken out.
    joined = help_text.replace("- ", "-")
    for alias in KIND_ALIASES:
        if "_" not in alias:
            assert alias in joined, alias
