"""``xiaoqi ic list | show | summary | scorecard``: text and JSON, the figures worked out by hand
from the register (its students and internships read from the core), each as the actor may see
it, bad options as usage errors, one SQL statement per listing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import read_session

from .ic_data import C1, C2, add_students, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def reg(xiaoqi_factory):
    register = build(xiaoqi_factory)
    register.students = add_students(xiaoqi_factory, register)
    return register


@BOTH
def test_list_gives_each_colleges_figures_from_its_records_and_the_core(reg, xiaoqi_cli):
    result = xiaoqi_cli("ic", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["code"]: r for r in result.json}
    assert list(rows) == [C1, C2]  # by founding date
    c1 = rows[C1]
    assert (c1["lead_school_name"], c1["type"], c1["status"], c1["founded_on"]) == ("杭州智造职业技术学院", "现代产业学院", "运行", "2021-03-01")
    # a is the only enterprise partner today (b left); every investment line; 64 + 48 + 32 hours by two teachers
    assert (c1["enterprise_partners"], c1["investment"], c1["teaching_hours"], c1["enterprise_teachers"]) == (1, "2710000.50", 144, 2)
    # students of the joint majors (460301 at both schools: 3 + 1); interns and apprentices at partners only
    assert (c1["students"], c1["interns"], c1["apprentices"], c1["hires"], c1["meetings"]) == (4, 2, 1, 27, 4)
    assert (c1["investment_equipment"], c1["service_income"], c1["trainees"]) == ("1200000.50", "550000.00", 320)
    assert rows[C2]["investment"] == "100000.00" and rows[C2]["students"] == 0
    by_year = {r["code"]: r for r in xiaoqi_cli("ic", "list", "--year", "2024", "--format", "json").json}
    # 2024: autumn 2024 (2024-2025-1, 64 h) and spring 2024 (2023-2024-2, 32 h)
    assert (by_year[C1]["investment"], by_year[C1]["interns"], by_year[C1]["teaching_hours"]) == ("1700000.50", 1, 96)
    text = xiaoqi_cli("ic", "list")
    assert text.exit_code == 0
    assert "智能制造产业学院" in text.output and "2,710,000.50" in text.output and "杭州智造职业技术学院 " in text.output


def test_list_filters_and_bad_options(reg, xiaoqi_cli):
    only = xiaoqi_cli("ic", "list", "--school", reg.partner_school.school_code, "--format", "json").json
    assert [r["code"] for r in only] == [C1, C2]  # it leads one and is a partner of the other
    assert xiaoqi_cli("ic", "list", "--status", "筹建", "--format", "json").json == []
    assert [r["code"] for r in xiaoqi_cli("ic", "list", "--status", "operating", "--format", "json").json] == [C1, C2]
    bad = xiaoqi_cli("ic", "list", "--school", "12x")
    assert bad.exit_code == 2 and bad.stderr.startswith("错误：--school：") and "Traceback" not in bad.stderr
    bad = xiaoqi_cli("ic", "list", "--status", "open")
    assert bad.exit_code == 2 and "筹建 / 运行 / 撤销" in bad.stderr
    assert xiaoqi_cli("ic", "summary").exit_code == 2  # --year is required
    assert xiaoqi_cli("ic", "summary", "--year", "1999").exit_code == 2


def test_each_actor_sees_its_own_colleges_and_figures(reg, xiaoqi_cli):
    def listed(actor):
        return {r["code"]: r for r in xiaoqi_cli("--as", actor, "ic", "list", "--format", "json").json}

    assert list(listed(f"school:{reg.lead.school_code}")) == [C1]
    partner_school = listed(f"school:{reg.partner_school.school_code}")
    assert list(partner_school) == [C1, C2] and partner_school[C1]["students"] == 1  # only its own student
    firm = listed(f"enterprise:{reg.a.uscc}")
    assert list(firm) == [C1, C2] and firm[C1]["investment"] == "2560000.50"  # not b's software line
    assert list(listed(f"enterprise:{reg.b.uscc}")) == [C1] and listed(f"enterprise:{reg.b.uscc}")[C1]["interns"] == 0
    assert listed(f"school:{reg.stranger.school_code}") == {} and listed("province:32") == {}
    stranger = xiaoqi_cli("--as", f"school:{reg.stranger.school_code}", "ic", "list")
    assert stranger.output.strip() == "（没有产业学院）"


@BOTH
def test_show_gives_every_section(reg, xiaoqi_cli):
    data = xiaoqi_cli("ic", "show", C1, "--format", "json").json
    assert data["lead_school_name"] == "杭州智造职业技术学院" and data["phone"] == "057******0000"  # masked
    partners = {p["partner_code"]: p for p in data["partners"]}
    assert partners[reg.a.uscc]["display_name"] == "杭州精工智能装备有限公司" and partners[reg.a.uscc]["seats"] == 2
    assert partners["330100"]["display_name"] == "杭州市人民政府" and partners[reg.b.uscc]["left_on"] == "2024-06-30"
    assert [(b["name"], b["members"], b["meetings"]) for b in data["bodies"]] == [("学术委员会", 0, 1), ("理事会", 4, 3)]
    assert [m["held_on"] for m in data["meetings"]] == ["2025-01-20", "2024-07-10", "2024-03-01", "2024-01-15"]
    assert {m["phone"] for m in data["members"]} == {"139****1111"}
    assert [t["teacher_name"] for t in data["teaching"]] == ["王工", "李工", "李工"]
    assert reg.ta.id_number not in str(data["teaching"])  # ID numbers masked
    assert data["investment_by_year"] == [
        {"year": 2023, "total": "150000.00", "cash": "0.00", "equipment": "0.00", "base": "0.00", "software": "150000.00",
         "staff_time": "0.00", "other": "0.00"},
        {"year": 2024, "total": "1700000.50", "cash": "500000.00", "equipment": "1200000.50", "base": "0.00", "software": "0.00",
         "staff_time": "0.00", "other": "0.00"},
        {"year": 2025, "total": "860000.00", "cash": "0.00", "equipment": "0.00", "base": "800000.00", "software": "0.00",
         "staff_time": "60000.00", "other": "0.00"}]
    assert [c["title"] for c in data["courses"]] == ["工业机器人编程", "产线视觉检测改造", "智能产线运维"]
    text = xiaoqi_cli("--lang", "en", "ic", "show", C1)
    assert text.exit_code == 0
    for expected in ("Partners", "co-builder", "local government", "Governance bodies", "academic committee",
                     "Investment (by year and type, yuan)", "1,700,000.50", "Enterprise teachers' teaching"):
        assert expected in text.output


def test_show_of_a_missing_or_hidden_college_says_not_found(reg, xiaoqi_cli):
    missing = xiaoqi_cli("ic", "show", "CY-99")
    assert missing.exit_code == 1 and "找不到产业学院「CY-99」" in missing.stderr
    hidden = xiaoqi_cli("--as", f"enterprise:{reg.outsider.uscc}", "ic", "show", C1)
    assert hidden.exit_code == 1 and "找不到产业学院「CY-01」" in hidden.stderr


def test_an_enterprise_sees_its_own_investment_in_a_college(reg, xiaoqi_cli):
    data = xiaoqi_cli("--as", f"enterprise:{reg.b.uscc}", "ic", "show", C1, "--format", "json").json
    assert [line["evidence"] for line in data["investments"]] == ["RJ-2023-01"]
    assert [y["year"] for y in data["investment_by_year"]] == [2023] and len(data["partners"]) == 5


@BOTH
def test_summary_of_a_year_per_college_and_in_total(reg, xiaoqi_cli):
    data = xiaoqi_cli("ic", "summary", "--year", "2025", "--format", "json").json
    assert data["year"] == 2025 and [c["code"] for c in data["colleges"]] == [C1, C2]
    total = data["total"]
    assert (total["colleges"], total["investment"], total["investment_base"], total["investment_staff_time"]) == (
        2, "860000.00", "800000.00", "60000.00")
    assert (total["teaching_hours"], total["interns"], total["apprentices"], total["hires"], total["meetings"]) == (48, 1, 1, 27, 1)
    early = xiaoqi_cli("ic", "summary", "--year", "2022", "--format", "json").json
    assert [c["code"] for c in early["colleges"]] == [C1]  # CY-02 was founded in 2023
    text = xiaoqi_cli("--lang", "en", "ic", "summary", "--year", "2025")
    assert "Industrial colleges in 2025" in text.output and "Investment by type (yuan)" in text.output
    assert "800,000.00" in text.output and "total" in text.output


@BOTH
def test_scorecard_fills_the_seven_tasks_from_the_records(reg, xiaoqi_cli):
    data = xiaoqi_cli("ic", "scorecard", C1, "--year", "2025", "--format", "json").json
    assert data["evidenced"] == 7 and [t["task"] for t in data["tasks"]] == list(range(1, 8))
    tasks = {t["task"]: t for t in data["tasks"]}
    assert tasks[1]["status"] == "已完成" and tasks[1]["evidence"] == ["人才培养方案", "订单班协议"]
    assert {s["source"]: s["n"] for s in tasks[1]["sources"]} == {"apprentices": 1, "self": 1}
    assert {s["source"]: (s["n"], s["quantity"]) for s in tasks[4]["sources"]} == {"bases": (2, 120), "internships": (1, None)}
    assert [(s["source"], s["n"], s["quantity"]) for s in tasks[5]["sources"]] == [("teaching", 1, 48)]
    empty = xiaoqi_cli("ic", "scorecard", C2, "--year", "2025", "--format", "json").json
    assert empty["evidenced"] == 0 and all(t["sources"] == [] for t in empty["tasks"])
    text = xiaoqi_cli("ic", "scorecard", C1, "--year", "2025")
    assert "✓ ④ 打造实训实习基地" in text.output and "已启用的实习实训基地 2（120 个工位）" in text.output
    assert "七项建设任务中有佐证的：7 项" in text.output
    assert xiaoqi_cli("ic", "scorecard", C1).exit_code == 2  # --year is required


def test_each_listing_is_one_statement(reg, xiaoqi_engine):
    from xiaoqi.plugins.industrial_college import service

    statements = []

    def seen(conn, cursor, statement, *args):
        if not statement.lstrip().startswith("BEGIN"):  # SQLite's transaction, not a query
            statements.append(statement)

    sa.event.listen(xiaoqi_engine, "before_cursor_execute", seen)
    try:
        with read_session(xiaoqi_engine) as session:
            for call in (lambda: service.list_colleges(session, actor=ADMIN, today=dt.date(2026, 1, 1)),
                         lambda: service.summary(session, actor=Actor("school", reg.lead.school_code), year=2025,
                                                 today=dt.date(2026, 1, 1))):
                statements.clear()
                call()
                assert len(statements) == 1
            statements.clear()
            service.scorecard(session, actor=ADMIN, code=C1, year=2025)
            assert len(statements) == 2  # the college (in scope or NotFound), then the checklist
    finally:
        sa.event.remove(xiaoqi_engine, "before_cursor_execute", seen)
