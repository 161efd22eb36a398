"""The dashboard panel of the example: students who start on post within 30 days without their
safety training. Textual is imported only here, and this module only when the TUI asks for panels."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from xiaoqi.core.i18n import catalogue, t

catalogue(
    {
        "zj.panel.title": ("岗前安全培训（浙江）", "Pre-post safety training (Zhejiang)"),
        "zj.panel.loading": ("正在统计……", "Counting..."),
        "zj.panel.none": ("30 天内开始岗位实习的学生都已完成岗前安全培训。", "Everyone starting on post within 30 days has had the training."),
        "zj.panel.due": ("30 天内开始岗位实习、尚需培训：{n} 人", "Starting on post within 30 days without the training: {n}"),
        "zj.panel.school": ("  学校 {school}：{n} 人", "  school {school}: {n}"),
    }
)

WITHIN_DAYS = 30


class TrainingPanel(Static):
    """Counts, per school, the students who still need the training; loads in a thread worker."""

    def __init__(self, engine, actor) -> None:
        super().__init__(t("zj.panel.loading"))
        self.engine = engine
        self.actor = actor

    def on_mount(self) -> None:
        self.border_title = t("zj.panel.title")
        self.reload()

    def reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="zj-panel")

    def _load(self) -> None:
        from .due import training_due

        due = training_due(self.engine, actor=self.actor, start=dt.date.today(), within=WITHIN_DAYS)
        self.app.call_from_thread(self.update, self.render_due(due))

    @staticmethod
    def render_due(due: list[dict]) -> str:
        if not due:
            return t("zj.panel.none")
        lines = [t("zj.panel.due", n=len(due))]
        for school in dict.fromkeys(d["school_code"] for d in due):
            lines.append(t("zj.panel.school", school=school, n=sum(d["school_code"] == school for d in due)))
        return "\n".join(lines)
