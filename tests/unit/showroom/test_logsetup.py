"""Logs go to a rotating file and never hold a full phone or ID number."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from showroom.logsetup import configure_logging


@pytest.fixture
def restore_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_phone_and_id_numbers_are_masked_in_messages_and_tracebacks(
    tmp_path: Path, restore_root_logging: None
) -> None:
    log_file = tmp_path / "logs" / "showroom.log"
    configure_logging(log_file)
    log = logging.getLogger("showroom.test")
    log.warning("customer %s checked in", "13812345678")
    try:
        raise ValueError("bad id 11010519491231002X for 13912345678")
    except ValueError:
        log.exception("lookup failed")
    text = log_file.read_text(encoding="utf-8")
    assert "13812345678" not in text and "13912345678" not in text
    assert "11010519491231002X" not in text
    assert "138****5678" in text
    assert "lookup failed" in text and "ValueError" in text


def test_configuring_twice_does_not_duplicate_lines(
    tmp_path: Path, restore_root_logging: None
) -> None:
    log_file = tmp_path / "showroom.log"
    configure_logging(log_file)
    configure_logging(log_file)
    logging.getLogger("showroom.test").warning("once")
    assert log_file.read_text(encoding="utf-8").count("once") == 1
