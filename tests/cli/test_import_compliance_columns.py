"""The columns the compliance rules read, through ``xiaoqi import`` and ``xiaoqi template``: legacy
labels and their short forms, "nothing" written in words, work abroad, a policy's status, and the
2016 rule judging what was imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from xiaoqi.core import models as m

HEADERS = ["学校代码", "身份证号", "统一社会信用代码", "岗位编号", "实习类型", "开始日期", "结束日期", "月实习报酬",
           "收费项目", "扣押的证件", "实习地区代码", "每日实习小时数", "每周休息天数", "以实物或代金券支付",
           "学生自行选择实习单位", "学校审核同意日期"]


def write_csv(path: Path, headers: list[str], rows: list[list]) -> Path:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _internships(engine) -> dict[str, m.Internship]:
    from sqlmodel import Session

    with Session(engine) as session:
        return {r.id_number: r for r in session.execute(sa.select(m.Internship)).scalars()}


def test_legacy_labels_and_new_columns_import(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine, tmp_path):
    post = xiaoqi_factory.position(probation_wage="4000")
    people = [xiaoqi_factory.student(birth=dt.date(2001, 1, 1)) for _ in range(3)]
    school = people[0].school_code
    rows = [
        [school, people[0].id_number, post.uscc, post.position_code, "顶岗", "2021-03-01", "2021-08-31", "3000", "没有", "无",
         "泰国", "7.5", "1", "否", "是", "2021-02-20"],
        [school, people[1].id_number, post.uscc, post.position_code, "跟岗", "2021-03-01", "2021-08-31", "1000", "none", None,
         None, None, None, None, None, None],
        [school, people[2].id_number, post.uscc, post.position_code, "岗位实习", "2025-03-01", "2025-08-31", "4500", "实习押金、0", "学生证",
         "810000", "8", "2", "是", None, None],
    ]
    result = xiaoqi_cli("import", "internships", write_csv(tmp_path / "i.csv", HEADERS, rows))
    assert result.exit_code == 0, result.output
    listed = _internships(xiaoqi_engine)
    first, second, third = (listed[p.id_number] for p in people)
    assert (first.kind, first.kind_label, second.kind_label, third.kind_label) == ("岗位实习", "顶岗", "跟岗", None)
    assert first.fees_charged is None and second.fees_charged is None and third.fees_charged == "实习押金"
    assert first.documents_withheld is None and third.documents_withheld == "学生证" and third.paid_in_kind is True
    assert first.work_region == "TH" and third.work_region == "810000"
    assert str(first.daily_hours) == "7.5" and first.self_arranged is True and first.school_approved_on == dt.date(2021, 2, 20)
    found = xiaoqi_cli("check", "--format", "json", "--rule", "INT-PAY-MIN", "--rule", "INT-FEES-BAN").json["findings"]
    by_rule = {}
    for f in found:
        by_rule.setdefault(f["rule"], []).append(f)
    # 3000 < 80% of the 顶岗 post's probation wage (3200), by the 2016 rule; 跟岗 has no pay floor
    [pay_2016] = [f for f in by_rule["INT-PAY-MIN"] if f["numbers"].get("rule_version") == "2016"]
    assert pay_2016["subject_key"].startswith(people[0].id_number) and "按2016年规定（顶岗）" in pay_2016["message"]
    assert [f["subject_key"][:18] for f in by_rule["INT-FEES-BAN"]] == [people[2].id_number]


def test_bad_cells_of_the_new_columns_are_named(xiaoqi_factory, xiaoqi_cli, tmp_path):
    post = xiaoqi_factory.position()
    student = xiaoqi_factory.student()
    other = xiaoqi_factory.student()
    rows = [[student.school_code, student.id_number, post.uscc, post.position_code, "岗位实习", "2025-03-01", "2025-08-31", "4500",
             None, None, "CN", "25", None, None, None, None],
            [other.school_code, other.id_number, post.uscc, post.position_code, "岗位实习", "2025-03-01", "2025-08-31", "4500",
             None, None, None, None, "8", None, None, None]]
    result = xiaoqi_cli("import", "internships", write_csv(tmp_path / "bad.csv", HEADERS, rows))
    assert result.exit_code == 1
    assert "第 2 行  实习地区代码「CN」" in result.output and "国家或地区代码" in result.output
    assert "0到24之间的小时数" in result.output and "第 3 行  每周休息天数「8」：每周休息天数应为 0 到 7" in result.output
    assert xiaoqi_cli("records", "list", "internships", "--format", "json").json == []


def test_policy_status_needs_its_date(xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school()
    headers = ["保单号", "保险公司", "险种", "投保人", "保费承担方", "保险起期", "保险止期", "保单状态", "退保或注销日期"]
    rows = [["P-1", "人保", "实习责任保险", school.school_code, "学校", "2025-01-01", "2025-12-31", "已退保", None],
            ["P-2", "人保", "实习责任保险", school.school_code, "学校", "2025-01-01", "2025-12-31", None, "2025-06-01"],
            ["P-3", "人保", "实习责任保险", school.school_code, "学校", "2025-01-01", "2025-12-31", "已注销", "2026-01-01"]]
    result = xiaoqi_cli("import", "policies", write_csv(tmp_path / "p.csv", headers, rows))
    assert result.exit_code == 1
    assert "须填写退保或注销日期" in result.output and "状态应为 已退保 或 已注销" in result.output
    assert "应在保险起期与止期之间" in result.output
    good = [["P-4", "人保", "实习责任保险", school.school_code, "学校", "2025-01-01", "2025-12-31", "surrendered", "2025-06-01"]]
    assert xiaoqi_cli("import", "policies", write_csv(tmp_path / "ok.csv", headers, good)).exit_code == 0
    [row] = xiaoqi_cli("records", "list", "policies", "--format", "json").json
    assert (row["status"], row["cancelled_on"]) == ("已退保", "2025-06-01")


def test_templates_carry_the_new_headers(xiaoqi_cli, tmp_path):
    for kind, headers in (("internships", ["每日实习小时数", "每周休息天数", "以实物或代金券支付", "从报酬中扣除保费", "扣押的证件",
                                           "学生自行选择实习单位", "学校审核同意日期"]),
                          ("positions", ["试用期工资标准", "女职工禁忌", "体力劳动强度级别"]),
                          ("policies", ["保单状态", "退保或注销日期"])):
        path = tmp_path / f"{kind}.xlsx"
        assert xiaoqi_cli("template", kind, "-o", str(path)).exit_code == 0
        sheet = openpyxl.load_workbook(path).worksheets[0]
        zh = [c.value for c in sheet[1]]
        en = [c.value for c in sheet[2]]
        for header in headers:
            assert header in zh, (kind, header)
        assert {"daily_hours", "probation_wage", "cancelled_on"} & set(en)


def test_an_insured_row_outside_its_policy_is_refused(xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school()
    student = xiaoqi_factory.student(school)
    policies = tmp_path / "p.csv"
    write_csv(policies, ["保单号", "保险公司", "险种", "投保人", "保费承担方", "保险起期", "保险止期"],
              [["P-9", "人保", "实习责任保险", school.school_code, "学校", "2025-01-01", "2025-12-31"]])
    assert xiaoqi_cli("import", "policies", policies).exit_code == 0
    headers = ["保单号", "身份证号", "起保日期", "终止日期"]
    early = write_csv(tmp_path / "early.csv", headers, [["P-9", student.id_number, "2024-12-31", None]])
    result = xiaoqi_cli("import", "insured", early)
    assert result.exit_code == 1 and "起保日期 2024-12-31 早于保单 P-9 的保险起期 2025-01-01" in result.output
    late = write_csv(tmp_path / "late.csv", headers, [["P-9", student.id_number, "2025-01-01", "2026-01-01"]])
    result = xiaoqi_cli("import", "insured", late)
    assert result.exit_code == 1 and "终止日期 2026-01-01 晚于保单 P-9 的保险止期 2025-12-31" in result.output
    exact = write_csv(tmp_path / "exact.csv", headers, [["P-9", student.id_number, "2025-01-01", "2025-12-31"]])
    assert xiaoqi_cli("import", "insured", exact).exit_code == 0
