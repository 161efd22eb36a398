"""The 1+X record kinds: cells and rows checked, the guard that holds a level to the certificate's
levels, who sees and changes what, and every kind through export → import on SQLite and
PostgreSQL (unchanged in place, identical in a fresh database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import RowProblems, get_kind, get_kinds
from xiaoqi.core.services import create_record, list_records
from xiaoqi.plugins.onex.kinds import KINDS
from xiaoqi.testing import make_uscc

from .onex_data import SESSION, build
from .roundtrip import assert_round_trip, assert_template_headers, table_rows

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
ONEX_KINDS = [k.name for k in KINDS]
CORE_KINDS = ["schools", "majors", "students"]


def problems(kind: str, row: dict) -> dict[str, str]:
    with pytest.raises(RowProblems) as exc:
        get_kind(kind).parse_row(row)
    return {column: reason for column, _value, reason in exc.value.problems}


def test_every_kind_is_the_plugins_and_declares_its_rights_and_personal_columns():
    kinds = {k.name: k for k in get_kinds().values() if k.plugin == "onex"}
    assert sorted(kinds) == sorted(ONEX_KINDS)
    personal = {name: dict(k.rights.personal) for name, k in kinds.items() if k.rights.personal}
    assert personal == {"onex_organisations": {"phone": "phone"}, "onex_results": {"id_number": "idcard"},
                        "onex_issued": {"id_number": "idcard"}, "onex_conversions": {"id_number": "idcard"}}
    assert all(k.label("zh") != k.label("en") for k in kinds.values())
    assert get_kind("students").rights.personal["hardship"] == "hide"


def test_levels_credits_and_scores_are_read_in_their_spellings():
    cert = get_kind("onex_certificates").parse_row({"code": "C", "name": "n", "organisation_uscc": make_uscc("110108", 1),
                                                    "field": "f", "levels": "1、中级、advanced", "valid_from": "2020-01-01"})
    assert cert["levels"] == "初级、中级、高级"
    rule = get_kind("onex_conversion_rules").parse_row({
        "school_code": "4133000001", "rule_code": "R", "certificate_code": "C", "level": "3", "course_codes": "C1",
        "credits": "1.5学分", "exemption": "exempt from exam", "valid_from": "2024-09-01"})
    assert (rule["level"], rule["credits"], rule["exemption"]) == ("高级", Decimal("1.5"), "免考")


def test_bad_cells_and_rows_are_named():
    got = problems("onex_conversion_rules", {"school_code": "4133000001", "rule_code": "R", "certificate_code": "C",
                                             "level": "特级", "course_codes": "C1", "credits": "1.25", "exemption": "免修",
                                             "valid_from": "2024-09-01"})
    assert got == {"level": "应为以下之一：初级 / 中级 / 高级", "credits": "应为 0 到 99 之间的数，最多一位小数，如 1.5"}
    got = problems("onex_conversion_rules", {"school_code": "4133000001", "rule_code": "R", "certificate_code": "C",
                                             "level": "中级", "course_codes": "C1", "credits": "0", "exemption": "免修",
                                             "valid_from": "2024-09-01", "valid_to": "2024-08-31"})
    assert got == {"credits": "学分应大于 0", "valid_to": "失效日期不能早于生效日期"}
    got = problems("onex_results", {"session_code": "K", "id_number": "11010519491231002X", "school_code": "4133000001",
                                    "score": "101", "passed": "是"})
    assert got == {"score": "应为 0 到 100 之间的数，最多一位小数，如 78.5"}
    got = problems("onex_sites", {"site_code": "S", "certificate_code": "C", "level": "初级", "name": "n",
                                  "school_code": "4133000001", "capacity": "0", "accredited_from": "2020-01-01"})
    assert got == {"capacity": "每场考核容量应大于 0"}


def _refused(engine, kind: str, data: dict, actor=ADMIN) -> str:
    with write_session(engine) as session:
        with pytest.raises((ValidationFailed, PermissionDenied)) as exc:
            create_record(session, actor=actor, kind=kind, data=data)
    return str(exc.value)


def test_a_level_the_certificate_does_not_offer_is_refused(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    text = _refused(xiaoqi_engine, "onex_sites", {"site_code": "ST-X", "certificate_code": "OLD-01", "level": "高级", "name": "n",
                                                  "school_code": reg.a.school_code, "capacity": 5, "accredited_from": "2020-01-01"})
    assert "证书 OLD-01 不设高级（只设 初级、中级）" in text
    text = _refused(xiaoqi_engine, "onex_issued", {"certificate_no": "N-1", "id_number": reg.s3.id_number, "school_code": reg.a.school_code,
                                                   "certificate_code": "NOPE", "level": "初级", "issued_on": "2025-07-01"})
    assert "NOPE" in text


def test_a_session_names_a_site_accredited_for_its_certificate_and_level(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    text = _refused(xiaoqi_engine, "onex_sessions", {"session_code": "K-2", "school_code": reg.a.school_code, "site_code": "ST-A1",
                                                     "certificate_code": "WEB-01", "level": "高级", "held_on": "2025-06-01"})
    assert "ST-A1" in text
    text = _refused(xiaoqi_engine, "onex_sessions", {"session_code": "K-3", "school_code": reg.b.school_code, "site_code": "ST-A1",
                                                     "certificate_code": "WEB-01", "level": "中级", "held_on": "2025-06-01"})
    assert reg.b.school_code in text or "ST-A1" in text


def _keys(engine, actor, kind: str) -> list[str]:
    k = get_kind(kind)
    with read_session(engine) as session:
        return sorted(k.key_of(k.export_values(r)) for r in list_records(session, actor=actor, kind=kind, limit=1000).rows)


def test_who_sees_sessions_results_and_certificates(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    a, b = Actor("school", reg.a.school_code), Actor("school", reg.b.school_code)
    stranger = Actor("school", xiaoqi_factory.school().school_code)
    # the host school reads every result of its session, the other school only its own student's
    assert len(_keys(xiaoqi_engine, a, "onex_results")) == 4
    assert _keys(xiaoqi_engine, b, "onex_results") == [f"{SESSION}/{reg.s4.id_number}"]
    assert _keys(xiaoqi_engine, b, "onex_sessions") == [SESSION] and _keys(xiaoqi_engine, stranger, "onex_sessions") == []
    assert _keys(xiaoqi_engine, stranger, "onex_results") == [] and _keys(xiaoqi_engine, stranger, "onex_issued") == []
    assert len(_keys(xiaoqi_engine, stranger, "onex_sites")) == 3  # accredited sites are public, as are the rules
    assert len(_keys(xiaoqi_engine, stranger, "onex_conversion_rules")) == 2
    # a 培训评价组织 in the enterprise register reads what concerns its own certificates
    assert len(_keys(xiaoqi_engine, Actor("enterprise", reg.org_a), "onex_results")) == 4
    assert len(_keys(xiaoqi_engine, Actor("enterprise", reg.org_a), "onex_issued")) == 3
    assert _keys(xiaoqi_engine, Actor("enterprise", reg.org_b), "onex_results") == []
    assert _keys(xiaoqi_engine, Actor("province", "32"), "onex_issued") == []
    assert len(_keys(xiaoqi_engine, Actor("province", "33"), "onex_issued")) == 3


def test_only_the_administrator_keeps_the_certificate_list(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    text = _refused(xiaoqi_engine, "onex_certificates", {"code": "NEW-01", "name": "n", "organisation_uscc": reg.org_a, "field": "f",
                                                         "levels": "初级", "valid_from": "2024-01-01"}, actor=Actor("school", reg.a.school_code))
    assert "NEW-01" in text or "职业技能等级证书" in text
    # the other school cannot record a result for the host school's student
    _refused(xiaoqi_engine, "onex_conversions", {"id_number": reg.s2.id_number, "school_code": reg.a.school_code, "course_code": "C101",
                                                 "term": "2025-2026-1", "rule_code": "R-WEB-M", "credits": "4", "exemption": "免修",
                                                 "applied_on": "2025-09-10", "applied_by": "x"}, actor=Actor("school", reg.b.school_code))


@BOTH
def test_every_kind_round_trips_through_export_and_import(request, xiaoqi_backend, xiaoqi_engine, xiaoqi_factory,
                                                          xiaoqi_cli, xiaoqi_sqlite_template, tmp_path):
    build(xiaoqi_factory)
    assert_round_trip(request, xiaoqi_backend, xiaoqi_engine, xiaoqi_cli, xiaoqi_sqlite_template, tmp_path,
                      core_kinds=CORE_KINDS, kinds=ONEX_KINDS)


@pytest.mark.parametrize("kind", ONEX_KINDS)
def test_each_template_has_both_header_rows(kind, xiaoqi_cli, tmp_path):
    assert_template_headers(xiaoqi_cli, kind, tmp_path)


def test_a_bad_file_names_rows_and_columns_and_writes_nothing(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli, tmp_path):
    reg = build(xiaoqi_factory)
    before = table_rows(xiaoqi_engine, ["onex_results"])
    bad = tmp_path / "bad.csv"
    bad.write_text("考核编号,身份证号,学生所在学校代码,成绩,是否通过,本人缴纳考核费（元）\n"
                   f"{SESSION},{reg.s3.id_number},{reg.a.school_code},61,是,0\n"
                   f"KH-NONE,{reg.s2.id_number},{reg.a.school_code},80,是,0\n"
                   f"{SESSION},{reg.s4.id_number},{reg.a.school_code},70,也许,-1\n", encoding="utf-8")
    result = xiaoqi_cli("import", "onex_results", bad)
    report = result.output + result.stderr
    assert result.exit_code == 1 and "Traceback" not in report
    assert "第 3 行" in report and "KH-NONE" in report
    assert "第 4 行" in report and "是否通过「也许」" in report
    assert table_rows(xiaoqi_engine, ["onex_results"]) == before
