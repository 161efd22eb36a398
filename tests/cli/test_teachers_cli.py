"""Teachers through the CLI: import, template and export of the ``teachers`` kind (ID numbers
masked), and internship files that name mentors by ID number or by name — the rows whose names
match nobody or several people are listed (and kept as text), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from xiaoqi.testing import make_id_number

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
INTERNSHIP_HEADER = "学校代码,身份证号,统一社会信用代码,实习类型,开始日期,结束日期,学校指导教师,企业指导人员,企业指导人员身份证号"


def test_teachers_import_export_and_template(xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school()
    firm = xiaoqi_factory.enterprise()
    people = [make_id_number("330100", dt.date(1980 + n, 3, 1), n) for n in range(3)]
    path = tmp_path / "teachers.csv"
    path.write_text(
        "身份证号,姓名,教师类别,学校代码,统一社会信用代码,专业课教师,任教学科或专业,职称,入职日期,从教前企业工作经历,联系电话\n"
        f"{people[0]},王芳,专任,{school.school_code},,是,机电一体化技术、工业机器人技术,讲师,2015/9/1,否,13800000001\n"
        f"{people[1]},李强,兼职,{school.school_code},{firm.uscc},是,数控技术,高级技师,2024-03-01,是,\n"
        f"{people[2]},赵师傅,企业导师,,{firm.uscc},,,高级技师,,是,\n", encoding="utf-8")
    result = xiaoqi_cli("import", "teachers", path)
    assert result.exit_code == 0 and "新建 3" in result.output, result.output + result.stderr
    again = xiaoqi_cli("import", "教师", path)
    assert again.exit_code == 0 and "新建 0，修改 0，未变 3" in again.output
    exported = xiaoqi_cli("export", "teachers", "--format", "json")
    rows = {r["name"]: r for r in exported.json}
    assert rows["王芳"]["subjects"] == "机电一体化技术、工业机器人技术" and rows["王芳"]["hired_on"] == "2015-09-01"
    assert rows["李强"]["uscc"] == firm.uscc and rows["赵师傅"]["school_code"] is None
    assert all(r["id_number"][6:14] == "********" for r in exported.json) and "脱敏" in exported.stderr
    template = tmp_path / "t.xlsx"
    assert xiaoqi_cli("template", "teachers", "-o", template).exit_code == 0
    sheet = openpyxl.load_workbook(template).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["身份证号", "姓名", "教师类别", "学校代码"]
    assert [c.value for c in sheet[2]][:4] == ["id_number", "name", "kind", "school_code"]


def test_a_teacher_file_with_a_bad_id_number_changes_nothing(xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school()
    path = tmp_path / "bad.csv"
    path.write_text(f"身份证号,姓名,教师类别,学校代码\n330100198003010011,王芳,专任,{school.school_code}\n"
                    f"{make_id_number('330100', dt.date(1980, 3, 1), 2)},李强,企业导师,{school.school_code}\n",
                    encoding="utf-8")
    result = xiaoqi_cli("import", "teachers", path)
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    assert "第 2 行  身份证号「330100198003010011」：身份证号校验位错误" in result.output
    assert "第 3 行  统一社会信用代码「」：企业导师必须填写所在企业的统一社会信用代码" in result.output
    assert xiaoqi_cli("export", "teachers", "--format", "json").json == []


@BOTH
def test_an_internship_file_names_mentors_by_id_number_or_unique_name(xiaoqi_factory, xiaoqi_cli, tmp_path):
    f = xiaoqi_factory
    school = f.school()
    firm = f.enterprise()
    wang = f.teacher(school, name="王芳")
    twins = [f.teacher(school, name="张伟"), f.teacher(school, name="张伟")]
    zhao = f.teacher(kind="企业导师", enterprise=firm, name="赵师傅")
    qian = f.teacher(kind="企业导师", enterprise=firm, name="钱师傅")
    students = [f.student(school) for _ in range(5)]
    rows = [
        ("王芳", "赵师傅", ""),                  # unique names at the school and at the enterprise
        ("张伟", "", qian.id_number),            # two 张伟 at this school; the enterprise mentor by ID number
        ("刘洋", "孙师傅", ""),                  # nobody of those names there
        (wang.id_number, zhao.id_number, ""),    # ID numbers written where the names go
        ("", "", ""),                            # no mentors at all
    ]
    lines = [INTERNSHIP_HEADER] + [
        f"{school.school_code},{st.id_number},{firm.uscc},认识实习,2026-04-{n + 1:02d},2026-04-{n + 1:02d},{a},{b},{c}"
        for n, (st, (a, b, c)) in enumerate(zip(students, rows))]
    path = tmp_path / "internships.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = xiaoqi_cli("import", "internships", path)
    assert result.exit_code == 0, result.output + result.stderr
    assert "3 处姓名未能对应到名录中的唯一记录，已按文字保留" in result.output
    out = result.output
    assert f"第 3 行  学校指导教师「张伟」：名录中学校代码为 {school.school_code}、名为「张伟」的教师有 2 名；已按文字保留，请填写身份证号以区分" in out
    assert f"第 4 行  学校指导教师「刘洋」：名录中没有学校代码为 {school.school_code}、名为「刘洋」的教师" in out
    assert f"第 4 行  企业指导人员「孙师傅」：名录中没有统一社会信用代码为 {firm.uscc}、名为「孙师傅」的教师" in out

    stored = {r["id_number"]: r for r in xiaoqi_cli("export", "internships", "--format", "json", "--reveal").json}
    got = [(stored[st.id_number]["school_mentor"], stored[st.id_number]["school_mentor_id"],
            stored[st.id_number]["enterprise_mentor"], stored[st.id_number]["enterprise_mentor_id"]) for st in students]
    assert got == [
        ("王芳", wang.id_number, "赵师傅", zhao.id_number),
        ("张伟", None, "钱师傅", qian.id_number),
        ("刘洋", None, "孙师傅", None),
        ("王芳", wang.id_number, "赵师傅", zhao.id_number),
        (None, None, None, None),
    ]
    assert twins[0].id_number != twins[1].id_number

    as_json = xiaoqi_cli("import", "internships", path, "--format", "json").json
    assert as_json["unchanged"] == 5 and [(u["row"], u["column"], u["value"]) for u in as_json["unresolved"]] == [
        (3, "学校指导教师", "张伟"), (4, "学校指导教师", "刘洋"), (4, "企业指导人员", "孙师傅")]
    # the ID number of the other twin settles it; a mentor of another enterprise does not belong here
    other_firm = f.enterprise()
    stranger = f.teacher(kind="企业导师", enterprise=other_firm, name="孙师傅")
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(INTERNSHIP_HEADER + ",学校指导教师身份证号\n"
                     f"{school.school_code},{students[1].id_number},{firm.uscc},认识实习,2026-04-02,2026-04-02,张伟,,{qian.id_number},{twins[1].id_number}\n"
                     f"{school.school_code},{students[2].id_number},{firm.uscc},认识实习,2026-04-03,2026-04-03,刘洋,,{stranger.id_number},\n",
                     encoding="utf-8")
    refused = xiaoqi_cli("import", "internships", fixed)
    assert refused.exit_code == 1 and "未导入任何记录" in refused.stderr
    assert (f"第 3 行  企业指导人员身份证号「{stranger.id_number}」：教师「孙师傅」（{stranger.id_number}）的统一社会信用代码是 "
            f"{other_firm.uscc}，本行是 {firm.uscc}") in refused.output
    fixed.write_text("\n".join(fixed.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    settled = xiaoqi_cli("import", "internships", fixed, "--format", "json").json
    assert settled["updated"] == 1 and settled["unresolved"] == []
