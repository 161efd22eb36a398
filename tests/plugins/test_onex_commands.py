"""``xiaoqi onex``: the certificate and site lists, a session's results, a student's credit-bank
account (and its export), the conversion run (a preview, then twice: the second converts nothing)
and the yearly summary — each as the actor may see it, in text and JSON, and bad input refused
with a message that names the way out, the database unchanged."""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from .onex_data import SESSION, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def reg(xiaoqi_factory):
    return build(xiaoqi_factory)


def conversions(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT id_number, course_code, term, rule_code, certificate_no, applied_by FROM onex_conversions ORDER BY id_number, course_code"))]


def test_certificates_and_sites_name_organisations_schools_and_what_is_in_force(reg, xiaoqi_cli):
    rows = {r["code"]: r for r in xiaoqi_cli("onex", "certificates", "--on", "2026-01-15", "--format", "json").json}
    assert rows["WEB-01"]["organisation"] == "北京示例教育科技有限公司" and rows["WEB-01"]["in_force"] is True
    assert (rows["WEB-01"]["candidates"], rows["WEB-01"]["passes"], rows["WEB-01"]["issued"], rows["WEB-01"]["sites"]) == (4, 3, 3, 1)
    assert rows["OLD-01"]["in_force"] is False
    text = xiaoqi_cli("onex", "certificates", "--on", "2026-01-15").output
    assert "Web前端开发" in text and "初级、中级、高级" in text and "75.0%" in text
    sites = xiaoqi_cli("onex", "sites", "--school", reg.a.school_code, "--on", "2026-07-01", "--format", "json").json
    assert [(s["site_code"], s["level"], s["accredited"], s["sessions"]) for s in sites] == [("ST-A1", "初级", True, 0), ("ST-A1", "中级", False, 1)]
    english = xiaoqi_cli("--lang", "en", "onex", "sites", "--certificate", "IR-01").output
    assert "advanced" in english and "宁波示例学院机器人考核站" in english


def test_results_of_a_session_mask_id_numbers_and_follow_the_actor(reg, xiaoqi_cli):
    data = xiaoqi_cli("onex", "results", "--session", SESSION, "--format", "json").json
    assert (data["candidates"], data["passes"]) == (4, 3)
    assert all("*" in r["id_number"] for r in data["results"]) and reg.s1.id_number not in str(data)
    other = xiaoqi_cli("--as", f"school:{reg.b.school_code}", "onex", "results", "--session", SESSION, "--format", "json").json
    assert [r["student_name"] for r in other["results"]] == ["赵四"]
    text = xiaoqi_cli("onex", "results", "--session", SESSION).output
    assert "考核 KH-2025-01" in text and "考生 4 人，通过 3 人" in text and "72.5" in text
    missing = xiaoqi_cli("onex", "results", "--session", "NOPE")
    assert missing.exit_code == 1 and "找不到考核 NOPE" in missing.stderr and "Traceback" not in missing.stderr


def test_the_account_shows_programme_certificates_and_credits_and_exports(reg, xiaoqi_cli, tmp_path):
    data = xiaoqi_cli("onex", "account", reg.s1.id_number, "--on", "2026-01-15", "--format", "json").json
    assert data["student"]["name"] == "张一" and data["student"]["school_year"] == 3 and "*" in data["student"]["id_number"]
    assert [c["certificate_no"] for c in data["certificates"]] == ["X-WEB-0001"] and data["certificates"][0]["held"] is True
    assert [(c["course_code"], c["course_name"], c["credits"]) for c in data["conversions"]] == [("C101", "Web前端基础", "4.0")]
    assert data["credits"] == "4.0" and [r["passed"] for r in data["results"]] == [True]
    text = xiaoqi_cli("onex", "account", reg.s1.id_number, "--on", "2026-01-15").output
    assert "学分银行账户：张一" in text and "合计 4.0 学分" in text and "免修" in text
    out = tmp_path / "account.xlsx"
    assert xiaoqi_cli("onex", "account", reg.s1.id_number, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["学生", "考核", "证书", "学分转换"]
    assert [c.value for c in book["学分转换"][2]][:3] == ["2025-2026-1", "C101", "Web前端基础"]
    hidden = xiaoqi_cli("--as", f"school:{reg.b.school_code}", "onex", "account", reg.s1.id_number)
    assert hidden.exit_code == 1 and "找不到学生" in hidden.stderr and reg.s1.id_number not in hidden.stderr


@BOTH
def test_convert_previews_then_converts_once_however_often_it_runs(reg, xiaoqi_cli, xiaoqi_engine):
    before = conversions(xiaoqi_engine)
    preview = xiaoqi_cli("onex", "convert", "--term", "2025-2026学年第二学期", "--on", "2026-03-01", "--dry-run", "--format", "json").json
    # s1 has C101 already; C102 for s1 and C101 + C102 for s2 (s4 is of school b, which has no rule)
    assert (preview["would_create"], preview["created"], preview["already_converted"], preview["credits"]) == (3, 0, 1, "12.0")
    assert conversions(xiaoqi_engine) == before
    first = xiaoqi_cli("--as", f"school:{reg.a.school_code}", "onex", "convert", "--term", "2025-2026-2", "--on", "2026-03-01",
                       "--by", "教务处王老师", "--format", "json").json
    assert first["created"] == 3
    after = conversions(xiaoqi_engine)
    assert (reg.s2.id_number, "C102", "2025-2026-2", "R-WEB-M", "X-WEB-0002", "教务处王老师") in after and len(after) == 4
    again = xiaoqi_cli("onex", "convert", "--term", "2026-2027-1", "--on", "2026-09-10", "--format", "json").json
    assert (again["created"], again["already_converted"]) == (0, 4) and conversions(xiaoqi_engine) == after
    checked = xiaoqi_cli("check", "--rule", "X-CONVERSION-TWICE", "--rule", "X-CONVERSION-NO-CERTIFICATE", "--format", "json").json
    assert checked["findings"] == []
    with xiaoqi_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind = 'onex_conversions' AND action = 'create'")).scalar() == 4


def test_convert_is_refused_to_who_may_not_and_for_a_bad_term(reg, xiaoqi_cli, xiaoqi_engine):
    before = conversions(xiaoqi_engine)
    denied = xiaoqi_cli("--as", "auditor", "onex", "convert", "--term", "2025-2026-2")
    assert denied.exit_code == 1 and "不能认定学分转换" in denied.stderr
    bad = xiaoqi_cli("onex", "convert", "--term", "2025秋")
    assert bad.exit_code == 2 and "--term：学期应写作 2025-2026-1" in bad.stderr
    other = xiaoqi_cli("--as", f"school:{reg.b.school_code}", "onex", "convert", "--term", "2025-2026-2", "--format", "json").json
    assert other["would_create"] == 0  # school b has no rules: a's students are not b's to convert
    assert conversions(xiaoqi_engine) == before


def test_summary_by_certificate_and_level(reg, xiaoqi_cli, xiaoqi_factory):
    rows = xiaoqi_cli("onex", "summary", "--year", "2025", "--format", "json").json
    assert [(r["certificate_code"], r["level"], r["candidates"], r["passes"], r["pass_rate"], r["issued"], r["conversions"], r["credits"])
            for r in rows] == [("WEB-01", "中级", 4, 3, "0.7500", 3, 1, "4.0")]
    scoped = xiaoqi_cli("--as", f"school:{reg.b.school_code}", "onex", "summary", "--year", "2025", "--format", "json").json
    assert [(r["candidates"], r["passes"], r["issued"], r["conversions"]) for r in scoped] == [(1, 1, 1, 0)]
    text = xiaoqi_cli("--lang", "en", "onex", "summary", "--year", "2025").output
    assert "1+X certificates in 2025" in text and "intermediate" in text and "75.0%" in text
    assert xiaoqi_cli("onex", "summary", "--year", "2024", "--format", "json").json == []


def test_the_command_is_listed_without_importing_it():
    from tests.cli.test_cli_lazy import imported_by

    modules = imported_by("--help")
    heavy = {f"xiaoqi.plugins.onex.{name}" for name in ("commands", "bank", "models", "kinds", "rules")}
    assert "xiaoqi.plugins.onex" in modules and not heavy & modules


def test_the_annual_report_has_a_1x_section_per_school(reg, xiaoqi_cli):
    report = xiaoqi_cli("report", "annual", "--year", "2025").output
    assert "## 1+X 证书与学分银行" in report
    assert "| WEB-01 | Web前端开发 | 中级 | 4 | 3 | 75.0% | 3 | 1 | 4.0 |" in report
    school_b = xiaoqi_cli("report", "annual", "--year", "2025", "--school", reg.b.school_code).output
    assert "| WEB-01 | Web前端开发 | 中级 | 1 | 1 | 100.0% | 1 | 0 | 0.0 |" in school_b
