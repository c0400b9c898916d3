"""Expected failures read as one sentence; bugs are logged, never shown as a trace."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from db.engine import WritesRefused
from showroom.errors import DatabaseUnavailable, PermissionDenied
from ui.errors import error_text, fault_parts, is_expected, report_failure


def test_a_service_error_keeps_its_exact_chinese_message() -> None:
    exc = PermissionDenied("auth.locked", "输错次数过多，账号已锁定 15 分钟。", minutes=15)
    # Without an English translator the service's own wording is shown unchanged.
    assert error_text(exc) == "输错次数过多，账号已锁定 15 分钟。"
    assert is_expected(exc)


def test_database_trouble_is_explained_plainly() -> None:
    assert error_text(WritesRefused("结构版本较新")) == "当前数据库只读，不能保存：结构版本较新"
    down = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    assert error_text(down).startswith("数据库暂时无法访问")
    assert "server closed" not in error_text(down)


def test_an_unreachable_server_names_the_server_and_keeps_the_driver_text_apart() -> None:
    exc = DatabaseUnavailable(
        "db.unreachable",
        "无法连接数据库 …",
        url="postgresql+psycopg://u:***@10.0.0.5:5432/showroom",
        detail="connection refused",
    )
    sentence, technical = fault_parts(exc)
    assert sentence.startswith("无法连接数据库服务器 10.0.0.5:5432/showroom。")
    assert "***" not in sentence
    assert technical == "connection refused"


def test_a_bug_is_logged_with_its_trace_and_shown_as_a_sentence(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise KeyError("oops")
    except KeyError as exc:
        bug = exc
    with caplog.at_level(logging.ERROR, logger="showroom.ui"):
        text = report_failure(bug)
    assert text == "操作没有完成：程序出现了意外错误。详情已写入日志。"
    assert "Traceback" in caplog.text and "KeyError" in caplog.text
