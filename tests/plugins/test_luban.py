"""The Luban Workshop plugin: record kinds, scope, the ``xiaoqi luban`` commands, rules, demo data,
report section and its migration branch (also on a database whose plugin is later disabled)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.errors import PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import RowProblems, get_kind
from xiaoqi.core.migrate import core_head, current, ensure_current, heads, table_names
from xiaoqi.core.services import create_record, list_records
from xiaoqi.core.countries import country_name, parse_country
from xiaoqi.testing import make_uscc

from .luban_data import build, workshop
from .switch import plugin_loaded

LUBAN_TABLES = {"luban_workshops", "luban_equipment", "luban_activity", "luban_partners"}


# -- kinds --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["TH", "th", "THA", "Thailand", "泰国", " 泰国 "])
def test_a_country_is_stored_as_its_alpha2_code(cell):
    assert parse_country(cell) == "TH"


def test_country_names_fix_the_translation_slips():
    assert parse_country("柬埔寨") == parse_country("柬埔塞") == "KH"
    assert country_name("KH", "zh") == "柬埔寨" and country_name("KH", "en") == "Cambodia"
    assert country_name("EG", "zh") == "埃及"


def test_bad_workshop_rows_name_each_column():
    kind = get_kind("鲁班工坊")  # the Chinese name works too
    with pytest.raises(RowProblems) as exc:
        kind.parse_row({"name": "某鲁班工坊", "country": "Atlantis", "partner_institution": "某学院",
                        "lead_school_code": "41", "status": "营业"})
    got = {column: reason for column, _value, reason in exc.value.problems}
    assert set(got) == {"country", "lead_school_code", "status"}
    assert "ISO 3166-1" in got["country"] and "建设中 / 运营 / 暂停" in got["status"]
    with pytest.raises(RowProblems) as exc:
        kind.parse_row({"name": "某鲁班工坊", "country": "TH", "partner_institution": "某学院",
                        "lead_school_code": "4133000001", "status": "运营", "other_school_codes": "4133000001、12x"})
    got = {(column, reason) for column, _value, reason in exc.value.problems}
    assert got == {("other_school_codes", "「12x」不是10位数字的学校代码"),
                   ("other_school_codes", "国内牵头院校 4133000001 不必再列入其他国内院校"),
                   ("opened_on", "运营中的工坊必须填写揭牌日期")}


def test_partner_is_a_checked_uscc_or_a_foreign_firm_name():
    kind = get_kind("luban_partners")
    uscc = make_uscc("330100", 7)
    row = kind.parse_row({"workshop_name": "泰国鲁班工坊", "partner": uscc.lower(), "roles": "设备捐赠,internships and jobs"})
    assert row["partner"] == uscc and row["roles"] == "设备捐赠、实习就业" and kind.db_values(row)["uscc"] == uscc
    with pytest.raises(RowProblems) as exc:
        kind.parse_row({"workshop_name": "泰国鲁班工坊", "partner": "913301000000000010", "roles": "设备捐赠"})
    (column, _value, reason), = exc.value.problems
    assert column == "partner" and "统一社会信用代码" in reason and "境外注册的企业请直接写企业名称" in reason
    row = kind.parse_row({"workshop_name": "泰国鲁班工坊", "partner": "正大集团（泰国）", "roles": "funding|其他"})
    assert row["roles"] == "资金支持、其他" and kind.db_values(row)["uscc"] is None


def test_activity_year_and_counts_are_checked():
    kind = get_kind("luban_activity")
    with pytest.raises(RowProblems) as exc:
        kind.parse_row({"workshop_name": "w", "year": 1999, "enrolled": -1, "trainees": "many",
                        "local_teachers_trained": 0, "chinese_teachers_sent": 0})
    assert {c for c, _v, _r in exc.value.problems} == {"enrolled", "trainees"}
    with pytest.raises(RowProblems) as exc:
        kind.parse_row({"workshop_name": "w", "year": 1999, "enrolled": 1, "trainees": 1,
                        "local_teachers_trained": 0, "chinese_teachers_sent": 0})
    assert exc.value.problems == [("year", 1999, "年度应为 2000 到 2100 之间的四位年份")]


# -- services and scope -------------------------------------------------------------------------

def test_workshop_rows_go_through_the_services_with_scope(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    with read_session(xiaoqi_engine) as session:
        def names(actor, kind="luban_workshops", column="name"):
            return sorted(getattr(r, column) for r in list_records(session, actor=actor, kind=kind).rows)

        assert names(Actor("school", reg.lead.school_code)) == ["埃及鲁班工坊", "泰国鲁班工坊"]
        # a college taking part reads the workshop it does not lead
        assert names(Actor("school", reg.other.school_code)) == ["泰国鲁班工坊", "肯尼亚鲁班工坊"]
        assert names(Actor("school", reg.stranger.school_code)) == []
        assert names(Actor("enterprise", reg.partner.uscc)) == ["泰国鲁班工坊"]
        assert names(Actor("province", "33")) == ["埃及鲁班工坊", "泰国鲁班工坊", "肯尼亚鲁班工坊"]
        assert names(Actor("school", reg.lead.school_code), "luban_equipment", "item") == ["PLC实训装置", "工业机器人实训台", "数控车床"]
        assert names(Actor("school", reg.other.school_code), "luban_equipment", "item") == ["工业机器人实训台", "数控车床"]
    with write_session(xiaoqi_engine) as session:
        # the lead college writes its workshop's equipment; a taking-part college does not
        create_record(session, actor=Actor("school", reg.lead.school_code), kind="luban_equipment",
                      data={"workshop_name": "泰国鲁班工坊", "item": "EPIP套件", "quantity": 5, "value": "9500"})
        with pytest.raises(PermissionDenied):
            create_record(session, actor=Actor("school", reg.other.school_code), kind="luban_equipment",
                          data={"workshop_name": "泰国鲁班工坊", "item": "其他", "quantity": 1, "value": "1"})
        with pytest.raises(PermissionDenied):
            create_record(session, actor=Actor("school", reg.stranger.school_code), kind="luban_workshops",
                          data={"name": "新工坊", "country": "TH", "partner_institution": "x",
                                "lead_school_code": reg.lead.school_code, "status": "建设中"})


def test_equipment_of_an_unknown_workshop_is_refused(xiaoqi_engine):
    with write_session(xiaoqi_engine) as session:
        with pytest.raises(ValidationFailed, match="引用的鲁班工坊不存在：无此工坊"):
            create_record(session, actor=ADMIN, kind="luban_equipment",
                          data={"workshop_name": "无此工坊", "item": "x", "quantity": 1, "value": "1"})


def test_a_workshop_with_equipment_cannot_be_deleted_until_its_rows_are(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli):
    build(xiaoqi_factory)
    refused = xiaoqi_cli("records", "delete", "luban_workshops", "埃及鲁班工坊", "--yes")
    assert refused.exit_code == 1
    assert "鲁班工坊「埃及鲁班工坊」仍被其他记录引用" in refused.stderr and "鲁班工坊设备" in refused.stderr
    for kind, key in (("luban_equipment", "埃及鲁班工坊/PLC实训装置"), ("luban_activity", "埃及鲁班工坊/2024"),
                      ("luban_workshops", "埃及鲁班工坊")):
        result = xiaoqi_cli("records", "delete", kind, key, "--yes")
        assert result.exit_code == 0, result.stderr
    assert [r["name"] for r in xiaoqi_cli("luban", "list", "--format", "json").json] == ["泰国鲁班工坊", "肯尼亚鲁班工坊"]


# -- commands -----------------------------------------------------------------------------------

def test_list_json_has_each_workshops_figures(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    result = xiaoqi_cli("luban", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in result.json}
    assert list(rows) == ["泰国鲁班工坊", "埃及鲁班工坊", "肯尼亚鲁班工坊"]  # by opening date, the unopened last
    thai = rows["泰国鲁班工坊"]
    assert (thai["country"], thai["country_name"], thai["lead_school_code"]) == ("TH", "泰国", reg.lead.school_code)
    # trainees and teachers over every year, enrolment of the latest year, every equipment line
    assert (thai["enrolled"], thai["trainees"], thai["local_teachers_trained"], thai["chinese_teachers_sent"]) == (320, 2700, 90, 14)
    assert thai["equipment_value"] == "1240000.50" and thai["last_year"] == 2025
    kenya = rows["肯尼亚鲁班工坊"]
    assert (kenya["status"], kenya["trainees"], kenya["equipment_value"], kenya["last_year"]) == ("建设中", 0, "0.00", None)
    only = xiaoqi_cli("luban", "list", "--country", "埃及", "--format", "json").json
    assert [r["name"] for r in only] == ["埃及鲁班工坊"]
    assert [r["name"] for r in xiaoqi_cli("luban", "list", "--status", "under construction", "--format", "json").json] == ["肯尼亚鲁班工坊"]
    assert [r["name"] for r in xiaoqi_cli("luban", "list", "--school", reg.other.school_code, "--format", "json").json] == ["肯尼亚鲁班工坊"]
    text = xiaoqi_cli("luban", "list")
    assert text.exit_code == 0
    assert "泰国鲁班工坊" in text.output and "1,240,000.50" in text.output and "2,700" in text.output


def test_list_as_a_school_shows_its_own(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    result = xiaoqi_cli("--as", f"school:{reg.stranger.school_code}", "luban", "list")
    assert (result.exit_code, result.output.strip()) == (0, "（没有鲁班工坊）")


def test_list_rejects_bad_options_with_usage_errors(xiaoqi_cli):
    result = xiaoqi_cli("luban", "list", "--country", "Atlantis")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：--country：不是有效的国家") and "Traceback" not in result.stderr
    result = xiaoqi_cli("luban", "list", "--status", "open")
    assert result.exit_code == 2 and "建设中 / 运营 / 暂停" in result.stderr


def test_show_gives_partners_equipment_and_years(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    data = xiaoqi_cli("luban", "show", "泰国鲁班工坊", "--format", "json").json
    assert data["lead_school_name"] == reg.lead.name and data["other_school_codes"] == reg.other.school_code
    assert data["equipment_value"] == "1240000.50"
    assert [(p["partner"], p["registered_name"], p["roles"]) for p in data["partners"]] == [
        (reg.partner.uscc, reg.partner.name, "设备捐赠、实习就业"), ("正大集团（泰国）", None, "资金支持")]
    assert [e["item"] for e in data["equipment"]] == ["工业机器人实训台", "数控车床"]
    assert [(a["year"], a["trainees"]) for a in data["activity"]] == [(2024, 1200), (2025, 1500)]
    text = xiaoqi_cli("--lang", "en", "luban", "show", "泰国鲁班工坊")
    assert text.exit_code == 0
    for expected in ("TH Thailand", "Equipment (total 1,240,000.50 yuan)", f"{reg.partner.name}（{reg.partner.uscc}）",
                     "operating", "2016-03-08"):
        assert expected in text.output


def test_show_of_a_missing_or_hidden_workshop_says_not_found(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    result = xiaoqi_cli("luban", "show", "月球鲁班工坊")
    assert result.exit_code == 1 and "找不到鲁班工坊「月球鲁班工坊」" in result.stderr
    hidden = xiaoqi_cli("--as", f"school:{reg.stranger.school_code}", "luban", "show", "泰国鲁班工坊")
    assert hidden.exit_code == 1 and "找不到鲁班工坊「泰国鲁班工坊」" in hidden.stderr


def test_summary_by_country_and_college(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    data = xiaoqi_cli("luban", "summary", "--format", "json").json
    assert data["total"] == {"workshops": 3, "enrolled": 400, "trainees": 3100, "local_teachers_trained": 110,
                             "chinese_teachers_sent": 17, "equipment_value": "1520000.75"}
    by_college = {r["lead_school_code"]: r for r in data["by_college"]}
    assert by_college[reg.lead.school_code]["workshops"] == 2 and by_college[reg.lead.school_code]["trainees"] == 3100
    assert by_college[reg.lead.school_code]["school_name"] == reg.lead.name
    assert by_college[reg.other.school_code]["equipment_value"] == "0.00"
    assert [(r["country"], r["workshops"], r["equipment_value"]) for r in data["by_country"]] == [
        ("EG", 1, "280000.25"), ("KE", 1, "0.00"), ("TH", 1, "1240000.50")]


def test_summary_of_one_year_counts_that_year_and_equipment_delivered_by_its_end(xiaoqi_factory, xiaoqi_cli):
    build(xiaoqi_factory)
    data = xiaoqi_cli("luban", "summary", "--year", "2024", "--by", "country", "--format", "json").json
    assert "by_college" not in data and data["year"] == 2024
    assert data["total"] == {"workshops": 3, "enrolled": 380, "trainees": 1600, "local_teachers_trained": 60,
                             "chinese_teachers_sent": 9, "equipment_value": "1520000.75"}
    early = xiaoqi_cli("luban", "summary", "--year", "2020", "--format", "json").json
    assert early["total"]["trainees"] == 0 and early["total"]["equipment_value"] == "1000000.75"
    text = xiaoqi_cli("--lang", "en", "luban", "summary", "--year", "2024")
    assert text.exit_code == 0
    assert "Luban Workshops summary (year 2024)" in text.output and "TH Thailand" in text.output
    assert "By lead college" in text.output and "1,520,000.75" in text.output


# -- rules --------------------------------------------------------------------------------------

def test_activity_missing_warns_about_operating_workshops_only(xiaoqi_factory, xiaoqi_cli):
    build(xiaoqi_factory)
    school = xiaoqi_factory.school()
    workshop(xiaoqi_factory, "暂停鲁班工坊", school, "PK", status="暂停", opened_on=dt.date(2019, 1, 1))
    workshop(xiaoqi_factory, "新开鲁班工坊", school, "ID", opened_on=dt.date(2026, 1, 10))
    result = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--on", "2026-11-23", "--format", "json")
    assert result.exit_code == 0  # warnings only
    # 埃及 reported 2024 but not 2025; 泰国 has 2025; 肯尼亚 is under construction; 新开 opened this year
    assert [(f["subject_kind"], f["subject_key"], f["severity"], f["numbers"]["year"]) for f in result.json["findings"]] == [
        ("luban_workshops", "埃及鲁班工坊", "warning", 2025)]
    # a year on, the Thai workshop has not reported 2026 either
    later = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--on", "2027-02-01", "--format", "json").json["findings"]
    assert sorted(f["subject_key"] for f in later) == ["埃及鲁班工坊", "新开鲁班工坊", "泰国鲁班工坊"]
    # --as-of moves "today" the same way (the rule reads ctx.as_of) without narrowing by date
    as_of = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--as-of", "2027-02-01", "--format", "json").json
    assert as_of["findings"] == later and as_of["as_of"] == "2027-02-01"


def test_activity_missing_follows_school_and_enterprise_filters(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)

    def keys(*args):
        return [f["subject_key"] for f in xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--on", "2027-02-01",
                                                      "--format", "json", *args).json["findings"]]

    assert keys("--school", reg.other.school_code) == ["泰国鲁班工坊"]  # it takes part in the Thai one
    assert keys("--school", reg.stranger.school_code) == []
    assert keys("--enterprise", reg.partner.uscc) == ["泰国鲁班工坊"]


def test_lead_college_missing_from_the_register_is_an_error(xiaoqi_factory, xiaoqi_cli):
    build(xiaoqi_factory)
    xiaoqi_factory.record("luban_workshops", name="塔吉克斯坦鲁班工坊", country="TJ", partner_institution="塔吉克斯坦技术大学",
                          lead_school_code="4199999999", status="建设中")
    result = xiaoqi_cli("check", "--rule", "LW-LEAD-COLLEGE", "--format", "json")
    assert result.exit_code == 1  # an error finding
    (finding,) = result.json["findings"]
    assert (finding["rule"], finding["severity"], finding["subject_key"], finding["school_code"]) == (
        "LW-LEAD-COLLEGE", "error", "塔吉克斯坦鲁班工坊", "4199999999")
    assert "4199999999 不在学校名录中" in finding["message"]
    text = xiaoqi_cli("--lang", "en", "check", "--rule", "LW-LEAD-COLLEGE")
    assert "is not in the schools register" in text.output


# -- demo data ----------------------------------------------------------------------------------

def test_demo_fills_the_workshops_and_its_violation_is_found(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    assert manifest.counts["luban_workshops"] >= 8 and manifest.counts["luban_activity"] > 0
    assert manifest.violations["LW-ACTIVITY-MISSING"] == ["印度鲁班工坊"]
    rows = xiaoqi_cli("luban", "list", "--format", "json", db=url).json
    assert rows[0]["name"] == "泰国鲁班工坊" and rows[0]["opened_on"] == "2016-03-08"
    assert len({r["country"] for r in rows}) == len(rows)
    engine = make_engine(url)
    with engine.connect() as conn:
        unregistered = conn.execute(sa.text(
            "SELECT COUNT(*) FROM luban_workshops WHERE lead_school_code NOT IN (SELECT school_code FROM schools)")).scalar()
        values = conn.execute(sa.text("SELECT value FROM luban_equipment")).scalars().all()
    engine.dispose()
    assert unregistered == 0 and values
    findings = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--rule", "LW-LEAD-COLLEGE", "--on", "2026-11-23",
                          "--format", "json", db=url).json["findings"]
    assert [(f["rule"], f["subject_key"]) for f in findings] == [("LW-ACTIVITY-MISSING", "印度鲁班工坊")]


# -- migration branch ---------------------------------------------------------------------------

def _luban_loaded(monkeypatch, loaded: bool) -> None:
    plugin_loaded(monkeypatch, "luban", loaded)


def test_upgrade_creates_the_tables_and_records_both_heads(tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    assert LUBAN_TABLES <= table_names(engine)
    assert {core_head(), "luban_0001"} <= current(engine) == heads()
    engine.dispose()


def test_disabling_the_plugin_leaves_the_core_working_on_a_database_with_its_tables(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'both.db'}"
    assert xiaoqi_cli("demo", "--today", "2026-11-23", db=url).exit_code == 0
    _luban_loaded(monkeypatch, False)
    assert "luban_0001" not in heads()
    engine = make_engine(url)
    ensure_current(engine, url)  # the unloaded plugin's revision is tolerated
    status = xiaoqi_cli("status", "--format", "json", db=url)
    assert status.exit_code == 0 and "luban_workshops" not in status.json["counts"]
    assert xiaoqi_cli("luban", "list", db=url).exit_code == 2  # no such command without the plugin
    upgraded = xiaoqi_cli("db", "upgrade", db=url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert "luban_0001" in current(engine)  # kept for when the plugin comes back
    shown = xiaoqi_cli("db", "current", db=url).output
    assert "luban_0001 （插件未加载，其数据表保留不动）" in shown and f"{core_head()} （最新）" in shown
    check = xiaoqi_cli("check", "--format", "json", db=url)
    assert check.exit_code in (0, 1) and not any(f["rule"].startswith("LW-") for f in check.json["findings"])
    _luban_loaded(monkeypatch, True)
    ensure_current(engine, url)
    assert xiaoqi_cli("luban", "list", "--format", "json", db=url).exit_code == 0
    engine.dispose()


def test_enabling_the_plugin_later_asks_for_an_upgrade_that_adds_its_tables(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'core.db'}"
    _luban_loaded(monkeypatch, False)
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    assert not LUBAN_TABLES & table_names(engine)
    _luban_loaded(monkeypatch, True)
    refused = xiaoqi_cli("luban", "list", db=url)
    assert refused.exit_code == 1 and "db upgrade" in refused.stderr
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
    assert LUBAN_TABLES <= table_names(engine) and current(engine) == heads()
    engine.dispose()
