"""The dashboard panel of the example: students who start on post within 30 days without their
safety training. Textual is imported only here, and this module only when the TUI asks for panels."""

from __future__ import annotations

from textual.widgets import Static

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.tui import db_work

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
    """Counts, per school, the students who still need the training; loads in a thread worker.

    Built by the dashboard as ``TrainingPanel(context)``: the app's ``xiaoqi.tui.TuiContext``
    (engine, actor, configuration, date, language)."""

    def __init__(self, context) -> None:
        super().__init__(t("zj.panel.loading"))
        self.context = context

    def on_mount(self) -> None:
        self.border_title = t("zj.panel.title")
        self.reload()

    @db_work(group="zj-panel")
    def reload(self) -> None:
        from .due import training_due

        ctx = self.context
        due = training_due(ctx.engine, actor=ctx.actor, start=ctx.today, within=WITHIN_DAYS, config=ctx.config)
        self.app.call_from_thread(self.update, self.render_due(due))

    @staticmethod
    def render_due(due: list[dict]) -> str:
        if not due:
            return t("zj.panel.none")
        lines = [t("zj.panel.due", n=len(due))]
        for school in dict.fromkeys(d["school_code"] for d in due):
            lines.append(t("zj.panel.school", school=school, n=sum(d["school_code"] == school for d in due)))
        return "\n".join(lines)
