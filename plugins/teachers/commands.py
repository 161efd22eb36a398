"""``xiaoqi teachers list | show KEY | practice-due --within DAYS | summary --year Y``: the teachers
registry with enterprise practice and 双师型 recognition, as text tables or JSON
(``--format json``), each as the actor may see it, ID numbers masked."""

from __future__ import annotations

import datetime as dt

import click

from xiaoqi.core.cli import argument, emit_json, format_option, group, option, pass_app, print_table
from xiaoqi.core.errors import UsageError
from xiaoqi.core.fields import format_bool, parse_code10
from xiaoqi.core.i18n import catalogue, display_width, get_lang, pad, t

catalogue(
    {
        "tch.bad_option": ("{option}：{reason}", "{option}: {reason}"),
        "tch.none": ("（没有教师）", "(no teachers)"),
        "tch.empty": ("  （无）", "  (none)"),
        "tch.truncated": ("只列出前 {n} 名；用 --school、--kind 缩小范围，或加大 --limit。", "only the first {n} are listed: narrow with --school or --kind, or raise --limit."),
        "tch.col.id": ("身份证号", "ID number"),
        "tch.col.name": ("姓名", "name"),
        "tch.col.kind": ("类别", "kind"),
        "tch.col.employer": ("所在单位", "works at"),
        "tch.col.school": ("学校", "school"),
        "tch.col.title": ("职称", "title"),
        "tch.col.hired": ("入职日期", "hired"),
        "tch.col.dual": ("双师型", "dual-qualified"),
        "tch.col.days": ("窗口内实践天数", "practice days in window"),
        "tch.col.status": ("企业实践", "practice"),
        "tch.col.mentored": ("指导实习", "interns mentored"),
        "tch.col.start": ("开始", "start"),
        "tch.col.end": ("结束", "end"),
        "tch.col.enterprise": ("企业", "enterprise"),
        "tch.col.form": ("形式", "form"),
        "tch.col.counted": ("天数", "days"),
        "tch.col.post": ("岗位", "post"),
        "tch.col.evidence": ("佐证", "evidence"),
        "tch.col.level": ("等级", "level"),
        "tch.col.recognised": ("认定日期", "recognised"),
        "tch.col.by": ("认定机构", "by"),
        "tch.col.valid_to": ("有效期至", "valid to"),
        "tch.col.in_force": ("有效", "in force"),
        "tch.col.student": ("学生", "student"),
        "tch.col.internship": ("实习类型", "internship"),
        "tch.col.as": ("担任", "as"),
        "tch.col.window": ("统计期", "window"),
        "tch.col.need": ("应有天数", "days needed"),
        "tch.col.short": ("差额", "short by"),
        "tch.col.today": ("今天", "today"),
        "tch.col.full_time": ("专任", "full-time"),
        "tch.col.part_time": ("兼职", "part-time"),
        "tch.col.specialists": ("专业课教师", "specialists"),
        "tch.col.dual_count": ("双师型", "dual-qualified"),
        "tch.col.dual_share": ("双师型占比", "dual share"),
        "tch.col.practice_teachers": ("实践人数", "teachers who practised"),
        "tch.col.practice_days": ("实践天数", "practice days"),
        "tch.col.short_count": ("实践不足", "short of practice"),
        "tch.col.enterprise_mentors": ("企业导师", "enterprise mentors"),
        "tch.col.mentored_interns": ("导师所带实习", "their interns"),
        "tch.col.total": ("合计", "total"),
        "tch.col.teaching_teachers": ("授课企业教师", "enterprise teachers teaching"),
        "tch.col.teaching_hours": ("企业教师学时", "their hours"),
        "tch.as.school": ("学校指导教师", "school mentor"),
        "tch.as.enterprise": ("企业导师", "enterprise mentor"),
        "tch.short_today": ("已不足", "short now"),
        "tch.due_later": ("届时不足", "short by then"),
        "tch.show.window": ("企业实践：{first} 至 {last} 共 {days} 天，应有 {need} 天（{status}）", "Enterprise practice: {days} days from {first} to {last}, {need} needed ({status})"),
        "tch.show.no_window": ("企业实践：不适用（非学校专任专业课教师）", "Enterprise practice: not judged (not a school's full-time specialist teacher)"),
        "tch.show.practice": ("企业实践记录", "Enterprise practice"),
        "tch.show.recognitions": ("双师型认定", "Dual-qualified recognitions"),
        "tch.show.mentored": ("指导的实习（共 {n} 条，列出最近 {shown} 条）", "Internships mentored ({n}, the latest {shown} shown)"),
        "tch.due.title": ("截至 {day}（{within} 天后）企业实践不足的专业课教师：{n} 人", "Specialist teachers short of practice on {day} (in {within} days): {n}"),
        "tch.due.none": ("截至 {day}（{within} 天后）没有企业实践不足的专业课教师。", "No specialist teacher is short of practice on {day} (in {within} days)."),
        "tch.summary.title": ("教师 {year} 年度汇总（双师型与实践不足截至 {on}）", "Teachers in {year} (dual-qualified and shortfalls as of {on})"),
        "tch.summary.note": ("实践天数为该年度内的天数，重叠记录只计一次；企业导师为该年度实习学生的企业导师；企业教师学时来自记录授课的插件（如产业学院）。",
                             "Practice days are those within the year, overlapping records counted once; enterprise mentors are those of the year's interns; enterprise teachers' hours come from the plugins that record teaching (e.g. industrial colleges)."),
    }
)


def _choice(kind: str, column: str, value) -> str:
    from xiaoqi.core.kinds import get_kind

    return get_kind(kind).by_name[column].choice_text(value) if value is not None else ""


def _pair(name, code) -> str:
    return f"{name} {code}" if name and name != code else str(code or "")


def _school(value):
    if value is None:
        return None
    try:
        return parse_code10(value)
    except ValueError as exc:
        raise UsageError(t("tch.bad_option", option="--school", reason=exc)) from None


def _status(value: str) -> str:
    from .service import status_text

    return status_text(value)


def _days(value) -> str:
    return "" if value is None else f"{value:,}"


@group("teachers")
def teachers_group():
    pass


@teachers_group.command("list", help=("列出教师：所在单位、双师型、统计期内企业实践天数与是否达标、指导实习数",
                                      "list teachers: where they work, dual-qualified level, practice days in the window and status, interns mentored"))
@option("--school", default=None, help=("只列该校教师（学校代码）", "only that school's teachers (school code)"))
@option("--kind", "kind", default=None, help=("教师类别：专任 / 兼职 / 企业导师", "kind: full-time / part-time / enterprise mentor (the Chinese names are accepted too)"))
@option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True, help=("最多列出的人数", "most teachers listed"))
@format_option
@pass_app
def list_command(app, school, kind, limit, fmt):
    from xiaoqi.core.db import read_session
    from xiaoqi.core.kinds import get_kind

    from .service import list_teachers

    school = _school(school)
    if kind is not None:
        try:
            kind = get_kind("teachers").by_name["kind"].parse(kind)
        except ValueError as exc:
            raise UsageError(t("tch.bad_option", option="--kind", reason=exc)) from None
    with read_session(app.engine()) as session:
        result = list_teachers(session, actor=app.actor, today=dt.date.today(), config=app.config(), school=school,
                               kind=kind, limit=limit)
    if fmt == "json":
        emit_json(result.as_dict())
        return
    if not result.teachers:
        click.echo(t("tch.none"))
        return
    heads = ("id", "name", "kind", "employer", "title", "hired", "dual", "days", "status", "mentored")
    print_table([t(f"tch.col.{h}") for h in heads], [
        [r["id_masked"], r["name"], _choice("teachers", "kind", r["kind"]), r["school"] or r["enterprise"] or "", r["title"],
         r["hired_on"], _choice("tch_recognitions", "level", r["dual_level"]), _days(r["practice_days"]), _status(r["status"]),
         r["mentored"]]
        for r in result.teachers], right={7, 9})
    if result.truncated:
        click.echo(t("tch.truncated", n=limit))


def _section(title: str, rows: list, heads: tuple[str, ...], cells, right=frozenset()) -> None:
    click.echo()
    click.echo(title)
    if rows:
        print_table([t(f"tch.col.{h}") for h in heads], [cells(r) for r in rows], right)
    else:
        click.echo(t("tch.empty"))


@teachers_group.command("show", help=("显示一名教师：基本信息、企业实践时间线、双师型认定、指导的实习",
                                      "show one teacher: details, practice timeline, dual-qualified recognitions, internships mentored"))
@argument("key", help=("身份证号，或（唯一的）姓名", "ID number, or a name that is unique"))
@format_option
@pass_app
def show_command(app, key, fmt):
    from xiaoqi.core.db import read_session

    from .service import NOT_JUDGED, teacher_detail

    with read_session(app.engine()) as session:
        d = teacher_detail(session, actor=app.actor, key=key, today=dt.date.today(), config=app.config())
    if fmt == "json":
        emit_json(d.as_dict())
        return
    p, lang = d.teacher, get_lang()
    lines = [(t("tch.col.id"), p["id_masked"]), (t("tch.col.name"), p["name"]), (t("tch.col.kind"), _choice("teachers", "kind", p["kind"])),
             (t("tch.col.school"), _pair(p["school"], p["school_code"]) if p["school_code"] else ""),
             (t("tch.col.enterprise"), _pair(p["enterprise"], p["uscc"]) if p["uscc"] else ""),
             (t("tch.col.title"), p["title"] or ""), (t("tch.col.hired"), p["hired_on"] or ""),
             (t("tch.col.dual"), _choice("tch_recognitions", "level", p["dual_level"]))]
    width = max(display_width(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"{pad(label, width)}  {value}")
    click.echo()
    w = d.practice_window
    if d.status == NOT_JUDGED or w is None:
        click.echo(t("tch.show.no_window"))
    else:
        click.echo(t("tch.show.window", first=w["window_from"], last=w["window_to"], days=w["days"], need=w["min_days"],
                     status=_status(d.status)))
    _section(t("tch.show.practice"), d.practice, ("start", "end", "enterprise", "form", "counted", "post", "evidence"),
             lambda r: [r["start_on"], r["end_on"], _pair(r["enterprise"], r["uscc"]), _choice("tch_practice", "form", r["form"]),
                        r["counted"], r["post"], r["evidence"]], {4})
    _section(t("tch.show.recognitions"), d.recognitions, ("level", "recognised", "by", "valid_to", "in_force"),
             lambda r: [_choice("tch_recognitions", "level", r["level"]), r["recognised_on"], r["recognised_by"], r["valid_to"],
                        format_bool(r["in_force"], lang)])
    _section(t("tch.show.mentored", n=d.mentored_total, shown=len(d.mentored)), d.mentored,
             ("student", "school", "enterprise", "internship", "start", "end", "as"),
             lambda r: [r["student"], r["school"], r["enterprise"], _choice("internships", "kind", r["kind"]), r["start_on"],
                        r["end_on"], t(f"tch.as.{r['as_mentor']}")])


@teachers_group.command("practice-due", help=("列出在 DAYS 天后企业实践将不足（或已不足）的专业课教师",
                                              "list the specialist teachers short of enterprise practice in DAYS days (or already)"))
@option("--within", type=click.IntRange(0, 3660), default=90, show_default=True, metavar="DAYS",
        help=("从今天起的天数", "days from today"))
@option("--school", default=None, help=("只看该校（学校代码）", "that school only (school code)"))
@format_option
@pass_app
def practice_due_command(app, within, school, fmt):
    from xiaoqi.core.db import read_session

    from .service import practice_due

    school = _school(school)
    today = dt.date.today()
    with read_session(app.engine()) as session:
        rows = practice_due(session, actor=app.actor, today=today, within=within, config=app.config(), school=school)
    day = today + dt.timedelta(days=within)
    if fmt == "json":
        emit_json({"on": day, "within": within, "teachers": rows})
        return
    if not rows:
        click.echo(t("tch.due.none", day=day, within=within))
        return
    click.echo(t("tch.due.title", day=day, within=within, n=len(rows)))
    print_table([t(f"tch.col.{h}") for h in ("id", "name", "school", "window", "days", "need", "short", "today")], [
        [r["id_masked"], r["name"], r["school"], f"{r['window_from']}～{r['window_to']}", r["days"], r["min_days"],
         r["short_days"], t("tch.short_today") if r["short_today"] else t("tch.due_later")]
        for r in rows], right={4, 5, 6})


@teachers_group.command("summary", help=("某年度各校教师、双师型占比、企业实践天数、实践不足人数与企业导师",
                                         "a year per school: teachers, dual-qualified share, practice days, teachers short of practice, enterprise mentors"))
@option("--year", type=click.IntRange(2000, 2100), default=None, help=("年度（默认今年）", "the year (default: this year)"))
@option("--school", default=None, help=("只看该校（学校代码）", "that school only (school code)"))
@format_option
@pass_app
def summary_command(app, year, school, fmt):
    from xiaoqi.core.db import read_session

    from .service import FIGURES, summary

    school = _school(school)
    today = dt.date.today()
    with read_session(app.engine()) as session:
        s = summary(session, actor=app.actor, year=year or today.year, today=today, config=app.config(), school=school)
    if fmt == "json":
        emit_json(s.as_dict())
        return
    click.echo(t("tch.summary.title", year=s.year, on=s.on))
    names = {"dual": "dual_count", "short": "short_count"}

    def cells(r):
        return [("" if r[f] is None else f"{r[f] * 100:.1f}%") if f == "dual_share" else _days(r[f]) for f in FIGURES]

    print_table([t("tch.col.school"), *(t(f"tch.col.{names.get(f, f)}") for f in FIGURES)],
                [[r["name"], *cells(r)] for r in s.schools] + [[t("tch.col.total"), *cells(s.total)]],
                right=set(range(1, len(FIGURES) + 1)))
    click.echo()
    click.echo(t("tch.summary.note"))
