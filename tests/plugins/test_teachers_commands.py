"""``xiaoqi teachers list | show | practice-due | summary`` through the CLI on SQLite and PostgreSQL:
text and JSON, each actor's scope, masked ID numbers, a teacher named by a unique name, and bad
input answered with a message and the way out."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from xiaoqi.core import hookimpl

from .teachers_data import D, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
TODAY = dt.date.today()


def _years_ago(years: int, day: dt.date = TODAY) -> dt.date:
    return day.replace(year=day.year - years) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - years, day=28)


@BOTH
def test_list_shows_what_the_actor_may_see_with_ids_masked(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    everyone = xiaoqi_cli("teachers", "list", "--format", "json")
    assert everyone.exit_code == 0, everyone.stderr
    rows = {r["name"]: r for r in everyone.json["teachers"]}
    assert set(rows) == {"陈老师", "林老师", "黄老师", "刘师傅"}
    assert rows["陈老师"]["id_masked"] == reg.teacher.id_number[:6] + "********" + reg.teacher.id_number[14:]
    assert reg.teacher.id_number not in everyone.output
    assert rows["陈老师"]["dual_level"] == "中级" and rows["黄老师"]["dual_level"] == "初级"
    assert rows["刘师傅"]["status"] == "not_judged" and rows["刘师傅"]["practice_days"] is None
    mine = xiaoqi_cli("--as", f"school:{reg.school.school_code}", "teachers", "list", "--format", "json").json["teachers"]
    assert {r["name"] for r in mine} == {"陈老师", "林老师", "刘师傅"}  # 刘师傅: a mentor of the partner enterprise
    firm = xiaoqi_cli("--as", f"enterprise:{reg.other_firm.uscc}", "teachers", "list", "--format", "json").json["teachers"]
    assert firm == []
    text = xiaoqi_cli("teachers", "list", "--school", reg.school.school_code)
    assert text.exit_code == 0 and "陈老师" in text.output and "黄老师" not in text.output and "达标" not in text.output.split("林老师")[0].split("\n")[0]
    assert "身份证号" in text.output and "企业实践" in text.output
    english = xiaoqi_cli("--lang", "en", "teachers", "list", "--kind", "enterprise mentor")
    assert english.exit_code == 0 and "刘师傅" in english.output and "enterprise mentor" in english.output and "陈老师" not in english.output


def test_bad_options_say_what_is_wrong(xiaoqi_factory, xiaoqi_cli):
    build(xiaoqi_factory)
    bad = xiaoqi_cli("teachers", "list", "--school", "12345")
    assert bad.exit_code == 2 and "--school" in bad.stderr and "Traceback" not in bad.stderr
    kind = xiaoqi_cli("teachers", "list", "--kind", "教授")
    assert kind.exit_code == 2 and "--kind" in kind.stderr and "专任" in kind.stderr
    due = xiaoqi_cli("teachers", "practice-due", "--within", "-3")
    assert due.exit_code == 2 and "--within" in due.stderr


@BOTH
def test_show_by_id_or_unique_name_with_timeline_recognitions_and_internships(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    f = xiaoqi_factory
    f.position(reg.firm)
    f.internship(f.student(reg.school), school_mentor="陈老师", enterprise_mentor="刘师傅")
    by_name = xiaoqi_cli("teachers", "show", "陈老师", "--format", "json")
    assert by_name.exit_code == 0, by_name.stderr
    d = by_name.json
    assert d["teacher"]["name"] == "陈老师" and reg.teacher.id_number not in by_name.output
    assert [(p["start_on"], p["form"], p["counted"]) for p in d["practice"]] == [("2023-07-01", "技能培训", 62), ("2024-03-01", "兼职任职", 40)]
    assert [(r["level"], r["in_force"]) for r in d["recognitions"]] == [("中级", D(2028, 11, 30) >= TODAY)]
    assert d["mentored_total"] == 1 and d["mentored"][0]["as_mentor"] == "school"
    assert d["practice_window"]["days"] == (102 if D(2023, 7, 1) > _years_ago(5) else d["practice_window"]["days"])
    assert xiaoqi_cli("teachers", "show", reg.teacher.id_number, "--format", "json").json["teacher"]["name"] == "陈老师"
    mentor = xiaoqi_cli("teachers", "show", "刘师傅").output
    assert "不适用" in mentor and "企业导师" in mentor and "1 条" in mentor
    text = xiaoqi_cli("teachers", "show", "陈老师").output
    assert "企业实践记录" in text and "技能培训" in text and "双师型认定" in text and "浙江省教育厅" in text
    # the mentor's enterprise sees the teacher (they mentor its intern) but not other schools' practice
    firm = xiaoqi_cli("--as", f"enterprise:{reg.other_firm.uscc}", "teachers", "show", "陈老师")
    assert firm.exit_code == 1 and "没有身份证号或姓名为「陈老师」的教师" in firm.stderr


def test_a_shared_name_asks_for_the_id_number(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    twin = xiaoqi_factory.teacher(reg.other_school, name="陈老师")
    found = xiaoqi_cli("teachers", "show", "陈老师")
    assert found.exit_code == 2 and "2 名教师" in found.stderr and "请改用身份证号" in found.stderr
    assert twin.id_number not in found.stderr and twin.id_number[:6] + "********" in found.stderr
    assert xiaoqi_cli("teachers", "show", "没有这人").exit_code == 1


@BOTH
def test_practice_due_lists_those_short_now_or_by_then(xiaoqi_factory, xiaoqi_cli):
    f = xiaoqi_factory
    school, firm = f.school(), f.enterprise()
    start = _years_ago(5) + dt.timedelta(days=11)  # its first 10 days leave the window in 10 .. 11 days
    soon = f.teacher(school, name="将到期")
    f.record("tch_practice", teacher_id=soon.id_number, uscc=firm.uscc, start_on=start, end_on=start + dt.timedelta(days=180),
             form="兼职任职")
    never = f.teacher(school, name="从未实践")
    f.teacher(school, name="新教师", hired_on=TODAY - dt.timedelta(days=100))
    within_five = xiaoqi_cli("teachers", "practice-due", "--within", "5", "--format", "json")
    assert within_five.exit_code == 0, within_five.stderr
    assert [r["name"] for r in within_five.json["teachers"]] == ["从未实践"]
    later = xiaoqi_cli("teachers", "practice-due", "--within", "30", "--format", "json").json
    assert later["on"] == str(TODAY + dt.timedelta(days=30))
    assert [(r["name"], r["short_today"]) for r in later["teachers"]] == [("从未实践", True), ("将到期", False)]
    end = start + dt.timedelta(days=180)
    window_then = _years_ago(5, TODAY + dt.timedelta(days=30)) + dt.timedelta(days=1)
    assert later["teachers"][1]["days_today"] == 181 and later["teachers"][1]["days"] == (end - window_then).days + 1 < 180
    assert never.id_number not in xiaoqi_cli("teachers", "practice-due", "--within", "30").output
    text = xiaoqi_cli("teachers", "practice-due", "--within", "30").output
    assert "企业实践不足的专业课教师：2 人" in text and "已不足" in text and "届时不足" in text
    other = xiaoqi_cli("--as", f"school:{f.school().school_code}", "teachers", "practice-due", "--within", "30")
    assert other.exit_code == 0 and "没有企业实践不足" in other.output


@BOTH
def test_summary_per_school_and_in_total(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    f = xiaoqi_factory
    f.position(reg.firm)
    f.internship(f.student(reg.school), start_on=D(2024, 7, 1), end_on=D(2024, 12, 31), enterprise_mentor="刘师傅")
    s = xiaoqi_cli("teachers", "summary", "--year", "2024", "--format", "json").json
    by = {r["school_code"]: r for r in s["schools"]}
    mine = by[reg.school.school_code]
    assert (mine["full_time"], mine["specialists"], mine["dual"], mine["dual_share"]) == (2, 2, 1, "0.5000")
    assert (mine["practice_teachers"], mine["practice_days"]) == (1, 40)  # 2024: the 40-day post
    assert (mine["enterprise_mentors"], mine["mentored_interns"]) == (1, 1)
    assert s["total"]["full_time"] == 3 and s["total"]["dual"] == 2
    text = xiaoqi_cli("--as", f"school:{reg.school.school_code}", "teachers", "summary", "--year", "2024")
    assert text.exit_code == 0 and reg.school.name in text.output and reg.other_school.name not in text.output
    assert "50.0%" in text.output and "合计" in text.output


def test_the_command_is_lazy(xiaoqi_cli):
    import subprocess

    code = ("import sys; from xiaoqi.core.cli import cli; cli.list_commands(None); "
            "print('xiaoqi.plugins.teachers.commands' in sys.modules, 'xiaoqi.plugins.teachers.service' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@BOTH
def test_the_annual_report_has_a_teachers_section_scoped_to_the_actor(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    report = xiaoqi_cli("report", "annual", "--year", "2024")
    assert report.exit_code == 0, report.stderr
    section = report.output.split("## 教师队伍与企业实践")[1].split("\n## ")[0]
    assert "双师型占比" in section and "企业导师所带实习" in section
    assert f"| {reg.school.name} | 2 | 0 | 2 | 1 | 50.0% | 1 | 40 |" in section and "| 合计 | 3 |" in section
    mine = xiaoqi_cli("--as", f"school:{reg.school.school_code}", "report", "annual", "--year", "2024").output
    mine = mine.split("## 教师队伍与企业实践")[1].split("\n## ")[0]
    assert reg.school.name in mine and reg.other_school.name not in mine and "合计" not in mine
    english = xiaoqi_cli("--lang", "en", "report", "annual", "--year", "2024").output
    assert "Teachers and enterprise practice" in english and "dual-qualified share" in english


class _Lessons:
    """A plugin that records enterprise teachers' lessons of its own and answers the hook."""

    def __init__(self, school_code, teacher_id):
        self.rows = [{"school_code": school_code, "teacher_id": teacher_id, "hours": 30}]

    @hookimpl
    def xiaoqi_enterprise_teaching(self, conn, year, school_code):
        return [r for r in self.rows if year == 2024 and school_code in (None, r["school_code"])]


def test_hook_xiaoqi_enterprise_teaching_adds_hours_to_the_summary_and_report(xiaoqi_factory, xiaoqi_cli):
    from xiaoqi.core.plugins import get_plugin_manager

    reg = build(xiaoqi_factory)
    plugin = _Lessons(reg.school.school_code, reg.mentor.id_number)
    get_plugin_manager().register(plugin, name="kit-lessons")
    try:
        s = xiaoqi_cli("teachers", "summary", "--year", "2024", "--format", "json").json
        mine = {r["school_code"]: r for r in s["schools"]}[reg.school.school_code]
        assert (mine["teaching_teachers"], mine["teaching_hours"]) == (1, 30) and s["total"]["teaching_hours"] == 30
        assert xiaoqi_cli("teachers", "summary", "--year", "2025", "--format", "json").json["total"]["teaching_hours"] == 0
        report = xiaoqi_cli("report", "annual", "--year", "2024").output
        assert "企业教师授课学时" in report and "| 1 | 30 |" in report
    finally:
        get_plugin_manager().unregister(plugin)


def test_industrial_colleges_answer_with_their_teaching_hours(xiaoqi_factory, xiaoqi_cli):
    from .ic_data import build as build_ic

    reg = build_ic(xiaoqi_factory)
    s = xiaoqi_cli("teachers", "summary", "--year", "2024", "--format", "json").json
    lead = {r["school_code"]: r for r in s["schools"]}[reg.lead.school_code]
    # 2024: ta's autumn term 2024-2025-1 (64 h) and tb's spring term 2023-2024-2 (32 h)
    assert (lead["teaching_teachers"], lead["teaching_hours"]) == (2, 96)
    assert {r["school_code"]: r for r in xiaoqi_cli("teachers", "summary", "--year", "2025", "--format", "json").json["schools"]
            }[reg.lead.school_code]["teaching_hours"] == 48
