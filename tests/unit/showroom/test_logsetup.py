"""Logs go to a rotating file and never hold a full phone or ID number."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from showroom.logsetup import EarlyRecords, configure_logging, hold_early_records


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


def test_records_held_before_the_log_file_opens_are_written_then_in_order(
    tmp_path: Path, restore_root_logging: None
) -> None:
    # The app opens its log file after the first paint; nothing logged before may be lost.
    hold_early_records()
    log = logging.getLogger("showroom.test")
    log.info("starting %s", "13812345678")
    log.warning("settings: bad value")
    log.debug("too fine for the file")
    log_file = tmp_path / "showroom.log"
    assert not log_file.exists()
    configure_logging(log_file)
    log.info("after")
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(" showroom.test ")[-1].split("] ")[-1] for line in lines] == [
        "starting 138****5678",
        "settings: bad value",
        "after",
    ]
    assert not any(isinstance(h, EarlyRecords) for h in logging.getLogger().handlers)
