"""The teachers plugin in the TUI: three sections of a teacher's detail view (the practice
timeline with the window the rule judges, the 双师型 recognitions, the internships they mentor) and
a dashboard panel of the specialist teachers whose practice falls short within the next 90 days.
Sections and panel read through ``service``, so they show only what the actor may see."""

from __future__ import annotations

from textual.widgets import Static

from xiaoqi.core.i18n import catalogue, get_lang, t
from xiaoqi.tui import DetailSection, DetailTable, db_work

from . import service

#: how far ahead the dashboard panel looks
WITHIN_DAYS = 90

catalogue(
    {
        "tch.tui.window": ("统计期 {first} 至 {last}：企业实践 {days} 天，应有 {need} 天（{status}）",
                           "Window {first} to {last}: {days} days of practice, {need} needed ({status})"),
        "tch.tui.no_window": ("企业实践规定不适用（非学校专任专业课教师）", "The practice rule does not apply (not a school's full-time specialist teacher)"),
        "tch.tui.mentored": ("共 {n} 条，列出最近 {shown} 条", "{n} in all, the latest {shown} shown"),
        "tch.panel.loading": ("正在统计……", "Counting…"),
        "tch.panel.none": ("{day} 前没有企业实践不足的专业课教师", "No specialist teacher is short of practice by {day}"),
        "tch.panel.due": ("{day} 前企业实践不足：{n} 人（已不足 {now} 人）", "Short of practice by {day}: {n} (already short: {now})"),
        "tch.panel.row": ("  {name}（{school}）差 {short} 天{when}", "  {name} ({school}) {short} days short{when}"),
        "tch.panel.now": ("，已不足", ", already"),
        "tch.panel.more": ("  …另有 {n} 人：xiaoqi teachers practice-due --within {within}", "  … {n} more: xiaoqi teachers practice-due --within {within}"),
    }
)

PRACTICE_COLUMNS = [("期间", "period"), ("形式", "form"), ("天数", "days"), ("企业", "enterprise")]


def _period(start, end) -> str:
    """2025-07-01 ～ 08-31 within a year, else both dates in full; the spaces let a narrow panel
    wrap the period rather than cut it."""
    return f"{start} ～ {str(end)[5:]}" if str(start)[:4] == str(end)[:4] else f"{start} ～ {end}"


def _choice(kind: str, column: str, value) -> str:
    from xiaoqi.core.kinds import get_kind

    return get_kind(kind).by_name[column].choice_text(value) if value is not None else ""


def _practice(session, record, context):
    values, conn = record.stored, session.connection()
    rows = service.practice_records(conn, context.actor, values["id_number"])
    teacher = {"kind": values["kind"], "specialist": values.get("specialist"), "school_code": values.get("school_code")}
    window = (service.practice_status(conn, [values["id_number"]], on=context.today, config=context.config).get(values["id_number"])
              if values.get("school_code") else None)
    status = service.status_of(teacher, window)
    if status == service.NOT_JUDGED:
        note = t("tch.tui.no_window")
    else:
        note = t("tch.tui.window", first=window["window_from"], last=window["window_to"], days=window["days"],
                 need=window["min_days"], status=service.status_text(status))
    return DetailTable(columns=PRACTICE_COLUMNS, notes=[note], rows=[
        [_period(r["start_on"], r["end_on"]), _choice("tch_practice", "form", r["form"]), r["counted"], r["enterprise"] or r["uscc"]]
        for r in rows])


def _recognitions(session, record, context):
    rows = service.recognition_records(session.connection(), context.actor, record.stored["id_number"], context.today)
    return DetailTable(columns=[("等级", "level"), ("认定日期", "recognised"), ("有效期至", "valid to"), ("当前有效", "in force"),
                                ("认定机构", "by")],
                       rows=[[_choice("tch_recognitions", "level", r["level"]), r["recognised_on"], r["valid_to"], r["in_force"],
                              r["recognised_by"]] for r in rows])


def _mentored(session, record, context):
    rows, total = service.mentored_internships(session.connection(), context.actor, record.stored["id_number"])
    role = {"school": ("校内", "school"), "enterprise": ("企业", "firm")}
    lang = get_lang()
    return DetailTable(columns=[("学生", "student"), ("导师", "mentor"), ("实习类型", "internship"), ("期间", "period"),
                                ("企业", "enterprise")],
                       notes=[t("tch.tui.mentored", n=total, shown=len(rows))] if total > len(rows) else [],
                       rows=[[r["student"], role[r["as_mentor"]][lang == "en"], _choice("internships", "kind", r["kind"]),
                              _period(r["start_on"], r["end_on"]), r["enterprise"]] for r in rows])


SECTIONS = [
    DetailSection(id="teachers-practice", title=("企业实践", "Enterprise practice"), load=_practice),
    DetailSection(id="teachers-recognitions", title=("双师型认定", "Dual-qualified recognitions"), load=_recognitions),
    DetailSection(id="teachers-mentored", title=("指导的实习", "Internships mentored"), load=_mentored),
]


class PracticeDuePanel(Static):
    """The specialist teachers short of enterprise practice within ``WITHIN_DAYS`` days (or already),
    for the actor; built by the dashboard as ``PracticeDuePanel(context)``."""

    SHOWN = 5

    def __init__(self, context) -> None:
        super().__init__(t("tch.panel.loading"))
        self.context = context

    def on_mount(self) -> None:
        self.reload()

    @db_work(group="teachers-panel")
    def reload(self) -> None:
        from xiaoqi.core.db import read_session

        ctx = self.context
        with read_session(ctx.engine) as session:
            due = service.practice_due(session, actor=ctx.actor, today=ctx.today, within=WITHIN_DAYS, config=ctx.config)
        self.app.call_from_thread(self.update, self.render_due(due, ctx.today))

    @classmethod
    def render_due(cls, due: list[dict], today) -> str:
        import datetime as dt

        day = today + dt.timedelta(days=WITHIN_DAYS)
        if not due:
            return t("tch.panel.none", day=day)
        lines = [t("tch.panel.due", day=day, n=len(due), now=sum(d["short_today"] for d in due))]
        for d in due[:cls.SHOWN]:
            lines.append(t("tch.panel.row", name=d["name"], school=d["school"], short=d["short_days"],
                           when=t("tch.panel.now") if d["short_today"] else ""))
        if len(due) > cls.SHOWN:
            lines.append(t("tch.panel.more", n=len(due) - cls.SHOWN, within=WITHIN_DAYS))
        return "\n".join(lines)
