"""合并重复客户 (store manager): find both records by number, choose the one to keep, merge.

The dialog shows both customers side by side (masked numbers, owner, visits,
bookings, deposits) so the manager can see they are the same person. After a
merge the audit number is shown with an 撤销 button; later, the same undo runs
from that number (docs/merge-undo.md).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.context import AppContext
from showroom.services import merge, reception
from showroom.services.merge import MergeResult
from showroom.services.reception import CustomerMatch
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.reception_labels import grade_label, local_time


class MergeCustomersDialog(QDialog):
    """Merge two customers. Emits no signals; publishes ``customers``/``visits`` after a merge."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("合并重复客户"))
        self.setMinimumWidth(720)
        self.context, self.runner, self.user = context, runner, user
        self.found: list[CustomerMatch | None] = [None, None]
        self.result: MergeResult | None = None

        intro = QLabel(
            self.tr(
                "输入两条记录的手机号。保留的客户将得到另一条记录的全部到店、试驾、报名、"
                "意向金和合同；被合并的记录隐藏但不删除，可撤销。"
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("HintText")
        grid = QGridLayout()
        self.phone_edits: list[QLineEdit] = []
        self.summaries: list[QLabel] = []
        self.keep_radios: list[QRadioButton] = []
        for n in range(2):
            edit = QLineEdit(self)
            edit.setPlaceholderText(self.tr("客户 {n} 的手机号").format(n=n + 1))
            edit.editingFinished.connect(self.find)
            summary = QLabel(self.tr("—"), self)
            summary.setWordWrap(True)
            radio = QRadioButton(self.tr("保留这条"), self)
            radio.setChecked(n == 0)
            grid.addWidget(edit, 0, n)
            grid.addWidget(summary, 1, n)
            grid.addWidget(radio, 2, n)
            self.phone_edits.append(edit)
            self.summaries.append(summary)
            self.keep_radios.append(radio)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.find_button = QPushButton(self.tr("查找"), self)
        self.find_button.clicked.connect(self.find)
        self.merge_button = QPushButton(self.tr("合并"), self)
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.do_merge)
        self.undo_button = QPushButton(self.tr("撤销这次合并"), self)
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo)
        close = QPushButton(self.tr("关闭"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.find_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def find(self) -> None:
        phones = [edit.text() for edit in self.phone_edits]

        def work(session: Session) -> list[CustomerMatch | None]:
            return [reception.find_by_phone(session, p) if p.strip() else None for p in phones]

        self.runner.read(work, self._on_found, self._fail)

    def _on_found(self, found: list[CustomerMatch | None]) -> None:
        self.found = found
        for match, summary in zip(found, self.summaries, strict=True):
            if match is None:
                summary.setText(self.tr("未找到"))
                continue
            summary.setText(
                "\n".join(
                    (
                        f"{match.display_name}　{match.phone_masked}",
                        self.tr("负责顾问：{n}").format(n=match.owner_name or self.tr("无")),
                        grade_label(match.intent_grade),
                        self.tr("上次到店：{d}").format(
                            d=local_time(match.last_visit_at, "%Y-%m-%d")
                        ),
                        self.tr("试驾 {d} · 报名 {r} · 意向金 {p}").format(
                            d=match.open_test_drives,
                            r=match.open_registrations,
                            p=match.active_deposits,
                        ),
                    )
                )
            )
        ready = all(found) and found[0] is not None and found[1] is not None
        self.merge_button.setEnabled(bool(ready) and found[0].id != found[1].id)  # type: ignore[union-attr]
        self._say("", "")

    def do_merge(self) -> None:
        if self.found[0] is None or self.found[1] is None:
            return
        keep_first = self.keep_radios[0].isChecked()
        keep = self.found[0] if keep_first else self.found[1]
        drop = self.found[1] if keep_first else self.found[0]
        user = self.user

        def work(session: Session) -> MergeResult:
            return merge.merge_customers(session, user, keep.id, drop.id)

        self.runner.write(work, self._on_merged, self._fail)

    def _on_merged(self, result: MergeResult) -> None:
        self.result = result
        self.context.bus.publish({"customers", "visits", "audit"})
        moved = sum(result.moved.values())
        self._say(
            self.tr("已合并，移动了 {n} 条记录（审计编号 {seq}）。需要时可凭此编号撤销。").format(
                n=moved, seq=result.audit_seq
            ),
            "success",
        )
        self.merge_button.setEnabled(False)
        self.undo_button.show()

    def undo(self) -> None:
        if self.result is None:
            return
        user, seq = self.user, self.result.audit_seq

        def work(session: Session) -> MergeResult:
            return merge.unmerge(session, user, seq)

        self.runner.write(work, self._on_undone, self._fail)

    def _on_undone(self, _result: MergeResult) -> None:
        self.context.bus.publish({"customers", "visits", "audit"})
        self.undo_button.hide()
        self._say(self.tr("已撤销合并，两位客户恢复为各自的记录。"), "success")

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        self.message.setObjectName("ErrorText" if tone == "error" else "SuccessText")
        repolish(self.message)

    def _fail(self, exc: BaseException) -> None:
        self._say(report_failure(exc), "error")
