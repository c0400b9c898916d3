"""GUI fixtures: an app context on an embedded database, tasks run inline.

GUI tests use pytest-qt's one shared QApplication (``qtbot``) and never make
their own. The screens are the same on both backends, so GUI tests use SQLite;
the services under them are tested on both in ``tests/db``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from db.engine import Database
from db.models import Role
from showroom import demo
from showroom.clock import utcnow
from showroom.context import AppContext, prepare_schema
from showroom.paths import AppPaths
from showroom.services import auth
from showroom.settings import Settings
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

if TYPE_CHECKING:
    from ui.tasks import TaskRunner

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    pin: str | None
    role: Role
    display_name: str


ACCOUNTS = (
    Account("manager", "manager123", "2468", Role.MANAGER, "赵店长"),
    Account("reception", "recept123", "1357", Role.RECEPTION, "钱前台"),
    Account("sales1", "sales1234", None, Role.SALES, "孙顾问"),
    Account("appraiser1", "apprai123", None, Role.APPRAISER, "李评估"),
)


@pytest.fixture
def gui_context(
    sqlite_database: Database, paths: AppPaths, settings: Settings
) -> Iterator[AppContext]:
    state = prepare_schema(sqlite_database)
    ctx = AppContext(paths, settings, sqlite_database, schema_state=state)
    yield ctx


@pytest.fixture
def accounts(gui_context: AppContext) -> dict[str, Account]:
    """A store with one account per role (see ``ACCOUNTS``)."""
    store_id = make_store(gui_context.database)
    for acc in ACCOUNTS:
        make_staff(
            gui_context.database,
            store_id,
            acc.username,
            acc.role,
            acc.password,
            acc.pin,
            acc.display_name,
        )
    return {acc.username: acc for acc in ACCOUNTS}


@pytest.fixture
def runner(qtbot, gui_context: AppContext):  # type: ignore[no-untyped-def]
    from ui.tasks import TaskRunner

    task_runner = TaskRunner(gui_context.database, inline=True)
    yield task_runner
    task_runner.deleteLater()


@pytest.fixture(scope="session")
def _demo_file(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    """One demo store for every screen and size (made once: it takes a few seconds)."""
    path = tmp_path_factory.mktemp("demo") / "showroom.db"
    shutil.copyfile(_sqlite_template, path)
    database = Database.from_url(f"sqlite:///{path}")
    demo.generate(database, cars=40, seed=7, now=utcnow())
    database.dispose()
    return path


@pytest.fixture
def demo_desk(  # type: ignore[no-untyped-def]
    qtbot, _demo_file: Path, tmp_path: Path, paths: AppPaths, settings: Settings
) -> Iterator[tuple[AppContext, TaskRunner, StaffUser]]:
    from ui.tasks import TaskRunner

    path = tmp_path / "showroom.db"
    shutil.copyfile(_demo_file, path)
    database = Database.from_url(f"sqlite:///{path}")
    context = AppContext(paths, settings, database, schema_state=prepare_schema(database))
    runner = TaskRunner(database, inline=True)
    with database.write() as s:
        manager = auth.sign_in(s, "manager", demo.DEMO_PASSWORD)
    yield context, runner, manager
    runner.deleteLater()
    database.dispose()
