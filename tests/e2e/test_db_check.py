"""``showroom db check``: one plain sentence for each way a connection goes wrong."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from db import schema
from db.engine import Database
from showroom.context import check_connection
from tests.e2e.test_cli import showroom


def test_check_reports_a_current_embedded_database(tmp_path: Path) -> None:
    showroom(tmp_path, "db", "upgrade")
    url = f"sqlite:///{tmp_path / 'data' / 'showroom.db'}"
    result = showroom(tmp_path, "db", "check", "--database", url)
    assert result.stdout.startswith("连接成功") and schema.HEAD_REVISION in result.stdout


def test_check_names_an_unreachable_server(tmp_path: Path) -> None:
    result = showroom(
        tmp_path,
        "db",
        "check",
        "--database",
        "postgresql+psycopg://u:secret@127.0.0.1:1/x",
        check=False,
    )
    assert result.returncode == 2
    assert "服务器没有响应" in result.stderr and "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_check_names_a_missing_database_a_refused_login_and_a_wrong_schema(
    postgresql_url: str,
) -> None:
    database_url = postgresql_url  # only a server can refuse a login or lack a database
    base = database_url.rsplit("/", 1)[0]
    assert "没有这个数据库" in check_connection(base + "/showroom_no_such_db").message
    login = check_connection(base.replace("postgres@", "nobody_i8:pw@") + "/postgres")
    assert not login.ok and "用户名或密码不正确" in login.message
    assert check_connection(database_url).ok
    database = Database.from_url(database_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        newer = check_connection(database_url)
        assert not newer.ok and "比本程序新" in newer.message
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0005_one_drive_out'"))
        older = check_connection(database_url)
        assert not older.ok and "较旧" in older.message
    finally:
        with database.engine.begin() as conn:
            conn.execute(text(f"UPDATE alembic_version SET version_num = '{schema.HEAD_REVISION}'"))
        database.dispose()


def test_db_roles_does_not_apply_to_the_embedded_database(tmp_path: Path) -> None:
    result = showroom(tmp_path, "db", "roles")
    assert result.returncode == 0 and "不适用" in result.stdout


def test_db_roles_sets_up_three_logins_and_checks_them(postgresql_url: str, tmp_path: Path) -> None:
    import uuid

    from sqlalchemy import create_engine

    prefix = f"t{uuid.uuid4().hex[:8]}"
    home = tmp_path
    try:
        made = showroom(home, "db", "roles", "--database", postgresql_url, "--prefix", prefix)
        for role in ("owner", "app", "read"):
            assert f"已建立角色 {prefix}_{role}" in made.stdout
        assert f"postgresql+psycopg://{prefix}_app:" in made.stdout  # the URL for the PCs
        assert "角色与权限无误" in made.stdout
        checked = showroom(
            home, "db", "roles", "--database", postgresql_url, "--prefix", prefix, "--check"
        )
        assert "已建立" not in checked.stdout and "角色与权限无误" in checked.stdout
        bad = showroom(home, "db", "roles", "--prefix", "Bad-Name", check=False)
        assert bad.returncode == 2 and "前缀" in bad.stderr
    finally:
        admin = create_engine(postgresql_url)
        with admin.begin() as conn:
            if conn.execute(
                text(f"SELECT 1 FROM pg_roles WHERE rolname = '{prefix}_owner'")
            ).first():
                conn.execute(text(f'REASSIGN OWNED BY "{prefix}_owner" TO CURRENT_USER'))
                for role in ("owner", "app", "read"):
                    conn.execute(text(f'DROP OWNED BY "{prefix}_{role}"'))
                for role in ("owner", "app", "read"):
                    conn.execute(text(f'DROP ROLE "{prefix}_{role}"'))
        admin.dispose()
