"""The industrial colleges in ``xiaoqi report annual``: the 产教融合 section of a school's report and
the partner enterprises' figures, every figure recomputed here by plain SQL over the records (on
the demo, and on the hand-built register on SQLite and PostgreSQL), each actor's scope, and the
sections in the rendered report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_TODAY
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.report import annual_report
from xiaoqi.plugins.industrial_college.report import COLLEGE_FIGURES, FIRM_FIGURES

from .ic_data import C1, C2, add_students, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
COLLEGES, FIRMS = "产教融合：产业学院", "产业学院合作企业（企业年度报告数据）"

#: each figure by plain SQL: :code (a college) or :uscc (an enterprise), :year, :first, :last
INTERNS = """
    SELECT COUNT(DISTINCT i.id_number) FROM internships i
    JOIN students s ON s.id_number = i.id_number
    JOIN ic_majors jm ON jm.school_code = s.school_code AND jm.major_code = s.major_code
    JOIN ic_partners p ON p.college_code = jm.college_code AND p.uscc = i.uscc
    WHERE i.kind = :kind AND i.start_on <= :last AND i.end_on >= :first
      AND i.end_on >= p.joined_on AND (p.left_on IS NULL OR i.start_on < p.left_on)
"""
COLLEGE_SQL = {
    "enterprise_partners": "SELECT COUNT(*) FROM ic_partners WHERE college_code = :code AND partner_type = '企业' "
                           "AND joined_on <= :last AND (left_on IS NULL OR left_on > :last)",
    "investment": "SELECT amount FROM ic_investments WHERE college_code = :code AND year = :year",
    "enterprise_teachers": "SELECT COUNT(DISTINCT teacher_id) FROM ic_teaching WHERE college_code = :code AND year = :year",
    "teaching_hours": "SELECT SUM(hours) FROM ic_teaching WHERE college_code = :code AND year = :year",
    "students": "SELECT COUNT(*) FROM students s JOIN ic_majors jm ON jm.school_code = s.school_code "
                "AND jm.major_code = s.major_code WHERE jm.college_code = :code",
    "interns": INTERNS + " AND jm.college_code = :code",
    "apprentices": INTERNS + " AND jm.college_code = :code",
    "hires": "SELECT SUM(hired) FROM ic_order_classes WHERE college_code = :code AND graduation_year = :year",
    "meetings": "SELECT COUNT(*) FROM ic_meetings WHERE college_code = :code AND held_on >= :first AND held_on <= :last",
    "service_income": "SELECT amount FROM ic_services WHERE college_code = :code AND year = :year AND amount IS NOT NULL",
    "trainees": "SELECT SUM(trainees) FROM ic_services WHERE college_code = :code AND year = :year",
}
FIRM_SQL = {
    "investment": "SELECT amount FROM ic_investments WHERE uscc = :uscc AND year = :year",
    "investment_cash": "SELECT amount FROM ic_investments WHERE uscc = :uscc AND year = :year AND category = '现金'",
    "teachers": "SELECT COUNT(DISTINCT tc.teacher_id) FROM ic_teaching tc JOIN teachers t ON t.id_number = tc.teacher_id "
                "WHERE t.uscc = :uscc AND tc.year = :year",
    "teaching_hours": "SELECT SUM(tc.hours) FROM ic_teaching tc JOIN teachers t ON t.id_number = tc.teacher_id "
                      "WHERE t.uscc = :uscc AND tc.year = :year",
    "interns": INTERNS + " AND i.uscc = :uscc",
    "apprentices": INTERNS + " AND i.uscc = :uscc",
    "graduates": "SELECT SUM(graduates) FROM ic_order_classes WHERE uscc = :uscc AND graduation_year = :year",
    "hires": "SELECT SUM(hired) FROM ic_order_classes WHERE uscc = :uscc AND graduation_year = :year",
}
MONEY = {"investment", "investment_cash", "service_income"}


def recompute(conn, sql: str, figure: str, **params):
    first, last = dt.date(params["year"], 1, 1), dt.date(params["year"], 12, 31)
    kind = "学徒" if figure == "apprentices" else "岗位实习"
    stmt = sa.text(sql).bindparams(*(sa.bindparam(name, day, type_=sa.Date) for name, day in (("first", first), ("last", last))
                                     if f":{name}" in sql))
    values = {**params, **({"kind": kind} if ":kind" in sql else {})}
    result = conn.execute(stmt, {k: v for k, v in values.items() if f":{k}" in sql})
    if figure in MONEY:  # money added up exactly, line by line
        return sum((Decimal(str(v)).quantize(Decimal("0.01")) for (v,) in result), Decimal("0.00"))
    return int(result.scalar() or 0)


def sections(engine, *, year: int, actor=ADMIN, school: str | None = None) -> dict:
    with read_session(engine) as session:
        report = annual_report(session, year=year, school_code=school, actor=actor, lang="zh")
    return {s.title[0]: s for s in report.sections}


def check_figures(engine, year: int, *, actor=ADMIN, school: str | None = None) -> tuple[list, list]:
    """Every figure of both sections equals its plain SQL; the total rows add the rows up."""
    found = sections(engine, year=year, actor=actor, school=school)
    colleges, firms = found[COLLEGES], found[FIRMS]
    college_rows = [r for r in colleges.rows if r[0] != "合计"]
    firm_rows = [r for r in firms.rows if r[0] != "合计"]
    def scoped(sql: str) -> str:
        """A school counts only its own students (and their internships); an enterprise only its
        own investment, the internships at it and the students interning with it."""
        if actor.role == "school" and " s " in sql:
            return sql + " AND s.school_code = :own"
        if actor.role == "enterprise" and "ic_investments" in sql:
            return sql + " AND uscc = :own"
        if actor.role == "enterprise" and "internships i" in sql:
            return sql + " AND i.uscc = :own"
        if actor.role == "enterprise" and " s " in sql:
            return sql + " AND s.id_number IN (SELECT id_number FROM internships WHERE uscc = :own)"
        return sql

    own = {"own": actor.code} if actor.role in ("school", "enterprise") else {}
    with engine.connect() as conn:
        for row in college_rows:
            for i, figure in enumerate(COLLEGE_FIGURES):
                expected = recompute(conn, scoped(COLLEGE_SQL[figure]), figure, code=row[0], year=year, **own)
                assert row[5 + i] == expected, (row[0], figure)
        for row in firm_rows:
            for i, figure in enumerate(FIRM_FIGURES):
                expected = recompute(conn, scoped(FIRM_SQL[figure]), figure, uscc=row[0], year=year, **own)
                assert row[3 + i] == expected, (row[0], figure)
    for rows, all_rows, first in ((college_rows, colleges.rows, 5), (firm_rows, firms.rows, 3)):
        if len(rows) > 1:
            total = all_rows[-1]
            assert total[0] == "合计"
            for i in range(first, first + len(COLLEGE_FIGURES if rows is college_rows else FIRM_FIGURES)):
                assert total[i] == sum(r[i] for r in rows)
    return college_rows, firm_rows


def test_demo_report_figures_are_the_records_sql(demo_db):
    url, _ = demo_db
    engine = make_engine(url)
    try:
        colleges, firms = check_figures(engine, DEMO_TODAY.year - 1)
        assert [r[0] for r in colleges] == ["CY-JS-01", "CY-HN-01", "CY-GD-01"]
        assert {r[-1] for r in colleges} == {"7/7", "6/7"}
        with engine.connect() as conn:
            partners = conn.execute(sa.text(
                "SELECT COUNT(DISTINCT uscc) FROM ic_partners WHERE partner_type = '企业' "
                "AND joined_on <= '2025-12-31' AND (left_on IS NULL OR left_on > '2025-01-01')")).scalar()
        assert len(firms) == partners and all(r[2] for r in firms)  # each names its colleges
        assert sum(r[3] for r in firms) == sum(r[6] for r in colleges)  # the same investment, by firm and by college
        # a school's report: the colleges it leads or is a partner of
        lead = colleges[0][0]
        with engine.connect() as conn:
            school = conn.execute(sa.text("SELECT lead_school_code FROM ic_colleges WHERE code = :c"), {"c": lead}).scalar()
        own, _ = check_figures(engine, DEMO_TODAY.year - 1, actor=Actor("school", school), school=school)
        assert [r[0] for r in own] == [lead]
        # an enterprise's report: its own row only
        uscc = firms[0][0]
        _, mine = check_figures(engine, DEMO_TODAY.year - 1, actor=Actor("enterprise", uscc))
        assert [r[0] for r in mine] == [uscc]
    finally:
        engine.dispose()


@BOTH
def test_report_on_the_hand_built_register(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    add_students(xiaoqi_factory, reg)
    colleges, firms = check_figures(xiaoqi_engine, 2025)
    assert [r[0] for r in colleges] == [C1, C2]
    c1 = colleges[0]
    # 2025: a's base 800,000.00 + staff time 60,000.00; 27 hired of the order class graduating in 2025
    assert c1[6] == Decimal("860000.00") and c1[5 + COLLEGE_FIGURES.index("hires")] == 27
    by_firm = {r[0]: r for r in firms}
    assert set(by_firm) == {reg.a.uscc}  # b left in 2024
    assert by_firm[reg.a.uscc][2] == "智能制造产业学院、新能源汽车企业学院"
    colleges_2024, firms_2024 = check_figures(xiaoqi_engine, 2024)
    assert {r[0] for r in firms_2024} == {reg.a.uscc, reg.b.uscc}
    # a's 2024: cash 500,000.00 + equipment 1,200,000.50 at CY-01, cash 100,000.00 at CY-02
    assert {r[0]: (r[3], r[4]) for r in firms_2024}[reg.a.uscc] == (Decimal("1800000.50"), Decimal("600000.00"))
    # the partner school's report: both colleges (it leads CY-02, is a partner of CY-01); a stranger's: none
    own, _ = check_figures(xiaoqi_engine, 2025, actor=Actor("school", reg.partner_school.school_code),
                           school=reg.partner_school.school_code)
    assert [r[0] for r in own] == [C1, C2]
    none, no_firms = check_figures(xiaoqi_engine, 2025, actor=Actor("school", reg.stranger.school_code),
                                   school=reg.stranger.school_code)
    assert none == [] and no_firms == []


def test_report_renders_the_sections(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    result = xiaoqi_cli("report", "annual", "--year", DEMO_TODAY.year - 1, db=url)
    assert result.exit_code == 0, result.stderr
    assert f"## {COLLEGES}" in result.output and f"## {FIRMS}" in result.output
    assert "| CY-JS-01 | 南京工业职业技术大学智能制造产业学院 |" in result.output
    english = xiaoqi_cli("--lang", "en", "report", "annual", "--year", DEMO_TODAY.year - 1, "--format", "html", db=url)
    assert "Industry–education integration: industrial colleges" in english.output and "tasks with evidence" in english.output
    out = tmp_path / "report.xlsx"
    assert xiaoqi_cli("report", "annual", "--year", DEMO_TODAY.year - 1, "-o", out, db=url).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = next(s for s in book.worksheets if s.title.startswith("产教融合"))
    assert sheet["A2"].value == "CY-JS-01" and isinstance(sheet["G2"].value, (int, float))
