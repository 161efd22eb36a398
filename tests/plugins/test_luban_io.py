"""The Luban record kinds through the generic ``xiaoqi import / export / template``: a workbook of
24 workshops with their equipment, yearly activity and partners imports, exports and re-imports
unchanged; bad rows are reported by row and column and nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from tests.cli.test_import_cli import assert_audit_snapshots_match_records
from xiaoqi.testing import make_uscc

KINDS = ("luban_workshops", "luban_equipment", "luban_activity", "luban_partners")
COUNTRIES = ["TH", "GB", "IN", "ID", "PK", "KH", "DJ", "KE", "EG", "ET", "PT", "NG", "ML", "CI", "UG", "MG",
             "KZ", "UZ", "TJ", "KG", "RU", "RS", "BG", "SA"]


def write_xlsx(path, headers: list[str], rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def workbook(tmp_path, schools: list[str]) -> dict[str, object]:
    """One file per kind, Chinese headers, with dates as Excel date cells and money as numbers."""
    files = {kind: tmp_path / f"{kind}.xlsx" for kind in KINDS}
    workshops, equipment, activity, partners = [], [], [], []
    for n, country in enumerate(COUNTRIES):
        name = f"鲁班工坊{n + 1:02d}号"
        operating = n % 6 != 5
        workshops.append([name, country, f"城市{n}", f"合作院校{n}", schools[n % len(schools)],
                          schools[(n + 1) % len(schools)] if n % 3 == 0 else None, "机电一体化技术、工业机器人技术",
                          "是" if n % 2 else "否", "运营" if operating else "建设中",
                          dt.date(2016 + n % 8, 1 + n % 12, 1 + n % 28) if operating else None])
        for k in range(1 + n % 3):
            equipment.append([name, f"实训设备{k + 1}", 2 + k, 150000.5 + 1000 * n + k, dt.date(2016 + n % 8, 1, 10 + k)])
        for year in range(2023, 2026) if operating else ():
            activity.append([name, year, 100 + n, 500 + 10 * n + year % 10, 20 + n % 7, 3, "数控技术课程标准" if year == 2025 else None])
        partners.append([name, make_uscc("330100", 900 + n), None, "设备捐赠、实习就业"])
        partners.append([name, f"中国某工程公司（{country}）", f"中国某工程公司{country}分公司", "资金支持"])
    write_xlsx(files["luban_workshops"], ["工坊名称", "所在国家", "所在城市", "合作院校", "国内牵头院校", "其他国内院校", "开设专业",
                                          "采用EPIP模式", "状态", "揭牌日期"], workshops)
    write_xlsx(files["luban_equipment"], ["工坊名称", "设备名称", "数量", "设备价值", "交付日期"], equipment)
    write_xlsx(files["luban_activity"], ["工坊名称", "年度", "学历教育在校生", "培训人次", "培训教师人次", "派出中方教师人次",
                                         "纳入所在国国民教育体系的标准"], activity)
    write_xlsx(files["luban_partners"], ["工坊名称", "合作企业", "企业名称", "合作角色"], partners)
    return files


def snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {kind: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {kind} ORDER BY id"))] for kind in KINDS}


def audit_count(engine) -> int:
    """Entries about records (each import batch has an entry of its own)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind <> 'import_batches'")).scalar_one()


def test_workbook_imports_exports_and_reimports_unchanged(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli, tmp_path):
    schools = [xiaoqi_factory.school().school_code for _ in range(3)]
    files = workbook(tmp_path, schools)
    for kind in KINDS:
        result = xiaoqi_cli("import", kind, files[kind])
        assert result.exit_code == 0, result.output + result.stderr
    first = snapshot(xiaoqi_engine)
    assert [len(first[k]) for k in KINDS] == [24, 48, 60, 48]
    # the audit snapshots the database built (plugin column types included) read as the services'
    assert assert_audit_snapshots_match_records(str(xiaoqi_engine.url), KINDS) == 24 + 48 + 60 + 48
    equipment = xiaoqi_cli("export", "luban_equipment", "--format", "json").json
    assert {"workshop_name": "鲁班工坊01号", "item": "实训设备1", "quantity": 2, "value": "150000.50",
            "delivered_on": "2016-01-10"} in equipment
    thai = next(w for w in xiaoqi_cli("export", "luban_workshops", "--format", "json").json if w["country"] == "TH")
    assert thai["opened_on"] == "2016-01-01" and thai["epip"] is False and thai["other_school_codes"] == schools[1]
    # export as xlsx and csv, re-import: nothing changes, no record is audited
    audited = audit_count(xiaoqi_engine)
    for kind in KINDS:
        for fmt in ("xlsx", "csv"):
            out = tmp_path / f"export-{kind}.{fmt}"
            assert xiaoqi_cli("export", kind, "--format", fmt, "-o", out).exit_code == 0
            again = xiaoqi_cli("import", kind, out)
            assert again.exit_code == 0, again.output + again.stderr
    assert snapshot(xiaoqi_engine) == first and audit_count(xiaoqi_engine) == audited
    summary = xiaoqi_cli("luban", "summary", "--year", "2025", "--format", "json").json
    assert summary["total"]["workshops"] == 24 and summary["total"]["trainees"] == sum(505 + 10 * n for n in range(24) if n % 6 != 5)
    assert Decimal(summary["total"]["equipment_value"]) == sum(
        (Decimal(str(150000.5 + 1000 * n + k)) for n in range(24) for k in range(1 + n % 3)), Decimal(0))


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school().school_code
    bad = tmp_path / "bad.xlsx"
    write_xlsx(bad, ["工坊名称", "所在国家", "合作院校", "国内牵头院校", "状态", "揭牌日期"], [
        ["好工坊", "TH", "学院", school, "运营", dt.date(2020, 1, 1)],
        ["坏国家工坊", "Atlantis", "学院", school, "运营", dt.date(2020, 1, 1)],
        ["未揭牌工坊", "EG", "学院", school, "运营", None],
    ])
    result = xiaoqi_cli("import", "luban_workshops", bad)
    assert result.exit_code == 1
    report = result.output + result.stderr
    # the spreadsheet rows of the two bad lines (the header is row 1), their columns and reasons
    assert "第 3 行  所在国家「Atlantis」：不是有效的国家" in report
    assert "第 4 行  揭牌日期「」：运营中的工坊必须填写揭牌日期" in report
    assert "--skip-invalid" in result.stderr
    assert snapshot(xiaoqi_engine)["luban_workshops"] == []
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("工坊名称,设备名称,数量,设备价值\n无此工坊,数控车床,1,1000\n", encoding="utf-8")
    result = xiaoqi_cli("import", "luban_equipment", orphan)
    assert result.exit_code == 1 and "无此工坊" in result.output + result.stderr
    skipped = xiaoqi_cli("import", "luban_workshops", bad, "--skip-invalid")
    assert skipped.exit_code in (0, 1)
    assert [r[1] for r in snapshot(xiaoqi_engine)["luban_workshops"]] == ["好工坊"]


def test_template_has_both_header_rows(xiaoqi_cli, tmp_path):
    out = tmp_path / "t.xlsx"
    assert xiaoqi_cli("template", "luban_activity", "-o", out).exit_code == 0
    cells = [[c for c in row] for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    flat = json.dumps(cells, ensure_ascii=False, default=str)
    for header in ("工坊名称", "年度", "学历教育在校生", "培训人次", "培训教师人次", "workshop_name", "trainees"):
        assert header in flat
