"""``xiaoqi records list`` for scripts and people: stable columns with names beside codes, text, CSV
and JSON, 是/否, --where comparisons, --columns, totals, masking and reveal; ``records show``
with the records referring to one — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def two(xiaoqi_factory):
    """Two internships at one enterprise: 张三 from March paid 4,500.00, 李四 from May paid 1,800.50."""
    zhang = xiaoqi_factory.student(name="张三")
    post = xiaoqi_factory.position()
    xiaoqi_factory.internship(zhang, post)
    li = xiaoqi_factory.student(name="李四")
    xiaoqi_factory.internship(li, post, start_on="2025-05-01", monthly_pay="1800.50")
    return zhang, li, post


@BOTH
def test_json_has_every_column_in_order_with_names(two, xiaoqi_cli):
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.core.names import listing_columns

    zhang, li, post = two
    rows = xiaoqi_cli("records", "list", "internships", "--format", "json").json
    assert [list(r) for r in rows] == [[c.name for c in listing_columns(get_kind("internships"))]] * 2
    first = rows[0]
    assert first["student_name"] == "张三" and first["enterprise_name"] and first["school_name"]
    assert first["id_number"] == zhang.id_number[:6] + "********" + zhang.id_number[14:]  # masked
    assert first["fees_charged"] is None and first["guardian_signed"] is True and first["night_shift"] is False and first["monthly_pay"] == "4500.00"


@BOTH
def test_where_columns_totals_and_csv(two, xiaoqi_cli):
    zhang, li, post = two
    result = xiaoqi_cli("records", "list", "internships", "--where", "start_on>=2025-04-01", "--columns",
                        "student_name,开始日期,monthly_pay,guardian_signed", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.output))) == [["学生姓名", "开始日期", "月实习报酬", "监护人已签字"],
                                                            ["李四", "2025-05-01", "1800.50", "是"]]
    result = xiaoqi_cli("--lang", "en", "records", "list", "internships", "--search", "李四", "--columns",
                        "student_name,guardian_signed,kind", "--format", "csv")
    assert result.output.splitlines() == ["student name,guardian_signed,kind", "李四,yes,on-post"]
    result = xiaoqi_cli("records", "list", "internships", "--where", "monthly_pay<2000", "--where", "student_name!=张三",
                        "--columns", "student_name", "--format", "json", "--totals")
    assert result.json == {"rows": [{"student_name": "李四"}], "total": 1, "totals": {}}
    result = xiaoqi_cli("records", "list", "internships", "--totals", "--columns", "student_name,monthly_pay")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["学生姓名", "月实习报酬"] and lines[2].split() == ["张三", "4500.00"]
    assert "合计（共 2 条）：月实习报酬 6300.50" in result.output
    assert "第 1–2 条，共 2 条" in result.stderr


@BOTH
def test_bad_conditions_are_named_and_change_nothing(two, xiaoqi_cli):
    for args, text in ((["--where", "start_on>=2025-13-01"], "无法识别的日期"),
                       (["--where", "kind>学徒"], "不能用 > 比较"),
                       (["--where", "start_on"], "应写成 列名、比较符、值"),
                       (["--where", "nope=1"], "没有列「nope」"),
                       (["--columns", "student_name,nope"], "没有列「nope」")):
        result = xiaoqi_cli("records", "list", "internships", *args)
        assert result.exit_code != 0 and text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


@BOTH
def test_text_keeps_every_column_and_reveal_is_for_those_allowed(two, xiaoqi_cli):
    zhang, li, post = two
    text = xiaoqi_cli("records", "list", "students").output
    header = text.splitlines()[0].split()
    # empty columns stay: a script reading the text sees the same columns every time
    assert header == ["学校代码", "学校名称", "学号", "姓名", "身份证号", "专业代码", "专业名称", "入学日期", "班级", "监护人", "监护人电话", "家庭经济困难"]
    assert zhang.id_number not in text
    revealed = xiaoqi_cli("records", "list", "students", "--reveal", "--format", "json").json
    assert {r["id_number"] for r in revealed} == {zhang.id_number, li.id_number}
    refused = xiaoqi_cli("--as", f"enterprise:{post.uscc}", "records", "list", "students", "--reveal")
    assert refused.exit_code != 0 and "不能查看" in refused.stderr


@BOTH
def test_show_names_the_record_and_lists_what_refers_to_it(two, xiaoqi_cli):
    zhang, li, post = two
    result = xiaoqi_cli("records", "show", "students", zhang.id_number)
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert lines[0] == "学生 张三"
    assert "实习（1 条）" in result.output and "被保险人清单（1 条）" in result.output
    assert xiaoqi_cli("records", "show", "students", zhang.id_number, "--format", "json").json["name"] == "张三"
    data = xiaoqi_cli("records", "show", "students", zhang.id_number, "--format", "json", "--related").json
    assert data["record"]["name"] == "张三" and data["names"]["school_name"]
    assert data["referred_by"]["internships"]["total"] == 1
    assert data["referred_by"]["internships"]["rows"][0]["start_on"] == "2025-03-01"


@BOTH
def test_sort_by_a_name_column_sorts_by_the_name(two, xiaoqi_cli):
    """`--sort student_name` (or 学生姓名) orders internships as the students' own listing orders
    their names, whatever the ID numbers; an unknown column names the name columns among the choices."""
    students = [r["name"] for r in xiaoqi_cli("records", "list", "students", "--sort", "name", "--format", "json").json]
    for sort in ("student_name", "学生姓名"):
        up = [r["student_name"] for r in xiaoqi_cli("records", "list", "internships", "--sort", sort, "--format", "json").json]
        down = [r["student_name"] for r in xiaoqi_cli("records", "list", "internships", "--sort", sort, "--desc",
                                                      "--format", "json").json]
        assert up == students and down == students[::-1]
    bad = xiaoqi_cli("records", "list", "internships", "--sort", "student")
    assert bad.exit_code == 2 and "student_name" in bad.stderr
