"""``xiaoqi check``: formats, filters, exit codes, --explain, and the demo's deliberate violations."""

from __future__ import annotations

import json

import pytest

from tests.rules_data import World


def test_demo_violations_are_all_found(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    result = xiaoqi_cli("check", "--format", "json", db=url)
    assert result.exit_code == 1
    findings = result.json["findings"]
    found = {(f["rule"], f["subject_key"]) for f in findings}
    expected = {(rule, key) for rule, subjects in manifest.violations.items() for key in subjects}
    assert expected and expected <= found
    for f in findings:
        assert {"rule", "severity", "subject_kind", "subject_key", "message"} <= set(f)
    # nothing but the deliberate violations is an error, except the regional plugins' own demo
    # violations (Henan: students left unassessed; Shaanxi: one internship arranged by an individual)
    errors = {(f["rule"], f["subject_key"]) for f in findings if f["severity"] == "error"}
    extra = [f for f in findings if (f["rule"], f["subject_key"]) in errors - expected]
    assert {f["rule"] for f in extra} <= {"HA-MENTAL-CHECK", "INT-AGENCY-BAN"}
    assert [f["school_code"][2:4] for f in extra if f["rule"] == "INT-AGENCY-BAN"] == ["61"]
    assert "JS-PAY-HOURLY" in result.stderr


def test_henan_demo_leaves_three_students_unassessed(demo_db, xiaoqi_cli):
    url, _ = demo_db
    found = xiaoqi_cli("check", "--format", "json", "--rule", "HA-MENTAL-CHECK", db=url).json["findings"]
    assert len({f["subject_key"].split("/")[0] for f in found}) == 3
    assert all(f["subject_key"][:2] == "41" for f in found)


def test_text_output_groups_by_rule(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    result = xiaoqi_cli("check", "--rule", "INT-OVERLAP", "--rule", "INT-DURATION", db=url)
    assert result.exit_code == 1
    assert result.output.startswith("合规检查：运行 2 条规则")
    assert "【INT-OVERLAP】实习时间重叠（错误）：2 处" in result.output
    assert "【INT-DURATION】岗位实习时长（警告）" in result.output
    assert all(key in result.output for key in manifest.violations["INT-OVERLAP"])


def test_warnings_alone_exit_zero(demo_db, xiaoqi_cli):
    url, _ = demo_db
    result = xiaoqi_cli("check", "--rule", "INT-DURATION", "--format", "json", db=url)
    assert result.exit_code == 0 and all(f["severity"] == "warning" for f in result.json["findings"])


def test_english_and_school_filter(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    key = manifest.violations["INT-AGENCY-BAN"][0]
    found = xiaoqi_cli("check", "--format", "json", "--rule", "INT-AGENCY-BAN", db=url).json["findings"]
    school = found[0]["school_code"]
    schools = xiaoqi_cli("records", "list", "schools", "--format", "json", db=url).json
    clean = next(s["school_code"] for s in schools if s["school_code"] not in {f["school_code"] for f in found})
    other = xiaoqi_cli("--lang", "en", "check", "--rule", "INT-AGENCY-BAN", "--school", clean, db=url)
    assert other.exit_code == 0 and other.output.startswith("Compliance check: 1 rules run, 0 findings")
    mine = xiaoqi_cli("--lang", "en", "check", "--format", "json", "--rule", "INT-AGENCY-BAN", "--school", school, db=url)
    findings = mine.json["findings"]
    assert [f["subject_key"] for f in findings] == [key] and findings[0]["message"] == "arranged through an agency"


def test_clean_database_exits_zero(xiaoqi_cli):
    result = xiaoqi_cli("check")
    assert result.exit_code == 0 and "全部合规" in result.output


def test_json_is_valid_and_alone_on_stdout(xiaoqi_cli, xiaoqi_engine):
    from xiaoqi.core.db import write_session

    with write_session(xiaoqi_engine) as session:
        World(session).internship(via_agency=True, night_shift=True)
    result = xiaoqi_cli("check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert sorted(f["rule"] for f in data["findings"]) == ["INT-AGENCY-BAN", "INT-HOURS"]


def test_json_tells_a_rule_switched_off_from_a_clean_one(xiaoqi_cli):
    data = xiaoqi_cli("check", "--format", "json", "--rule", "JS-PAY-HOURLY", "--rule", "INT-HOURS").json
    assert set(data) == {"as_of", "on", "school", "enterprise", "findings", "rules_run", "switched_off", "complete", "counts", "seconds"}
    assert data["findings"] == [] and data["rules_run"] == ["INT-HOURS"] and data["complete"] is True
    (off,) = data["switched_off"]
    assert off["rule"] == "JS-PAY-HOURLY" and off["params"] == ["hourly_min_wage"]
    assert "hourly_min_wage" in off["message"]
    assert data["counts"] == {"findings": 0, "errors": 0, "warnings": 0}
    assert (data["on"], data["school"], data["enterprise"]) == (None, None, None)


def test_as_of_keeps_every_internship_where_on_keeps_those_active_that_day(demo_db, xiaoqi_cli):
    url, _ = demo_db

    def check(*args):
        result = xiaoqi_cli("check", "--format", "json", "--rule", "INT-HOURS", *args, db=url)
        assert result.exit_code in (0, 1), result.stderr
        return result.json

    every = check()
    as_of = check("--as-of", "2025-01-15")
    on = check("--on", "2025-01-15")
    assert as_of["as_of"] == "2025-01-15" and as_of["on"] is None and on["as_of"] == on["on"] == "2025-01-15"
    assert as_of["findings"] == every["findings"] and len(every["findings"]) > 0
    assert len(on["findings"]) < len(every["findings"])
    text = xiaoqi_cli("check", "--rule", "INT-HOURS", "--as-of", "2025-01-15", db=url)
    assert text.output.startswith("检查日期：2025-01-15\n合规检查：运行 1 条规则")


@pytest.mark.parametrize("option,code,stderr", [
    ("--school", "4199999999", "错误：学校名录中没有学校代码 4199999999（或您无权查看）。请检查代码（xiaoqi records list schools 列出全部学校），或先导入该学校。\n"),
    ("--enterprise", "91330100MA27XL0E2G", "错误：企业名录中没有统一社会信用代码 91330100MA27XL0E2G（或您无权查看）。请检查代码（xiaoqi records list enterprises 列出全部企业），或先导入该企业。\n"),
])
def test_an_unknown_school_or_enterprise_is_an_error(xiaoqi_cli, option, code, stderr):
    from stdnum.cn import uscc

    assert uscc.is_valid("91330100MA27XL0E2G")
    result = xiaoqi_cli("check", option, code)
    assert (result.exit_code, result.output, result.stderr) == (2, "", stderr)
    english = xiaoqi_cli("--lang", "en", "check", option, code)
    assert english.stderr.startswith(f"Error: No {option[2:]} {code} in the register")


@pytest.mark.parametrize("args, code, text", [
    (["--rule", "INT-NOPE"], 2, "未知的规则「INT-NOPE」"),
    (["--school", "12"], 2, "--school 的学校代码无效"),
    (["--enterprise", "91320100MA1AAAAA00"], 2, "--enterprise 的统一社会信用代码无效"),
    (["--region", "32"], 2, "--region 只能与 --explain 一起使用"),
    (["--explain", "INT-AGE-MIN", "--rule", "INT-HOURS"], 2, "--explain 不能与"),
    (["--explain", "INT-AGE-MIN", "--region", "3"], 2, "地区代码应为2、4或6位数字"),
])
def test_usage_errors(xiaoqi_cli, args, code, text):
    result = xiaoqi_cli("check", *args)
    assert result.exit_code == code
    assert text in result.stderr and "Traceback" not in result.stderr


def test_actor_scope(xiaoqi_cli):
    result = xiaoqi_cli("--as", "school:4132012345", "check", "--school", "4132099999")
    assert result.exit_code == 1 and "只能检查自己的数据" in result.stderr


def test_explain_text_and_json(xiaoqi_cli, tmp_path):
    text = xiaoqi_cli("check", "--explain", "INT-DURATION", "--region", "45")
    assert text.exit_code == 0
    assert "【INT-DURATION】岗位实习时长（警告）" in text.output
    assert "《职业学校学生实习管理规定》" in text.output
    assert "medical_max_months = 10" in text.output and "max_months = 6（全国默认）" in text.output
    data = xiaoqi_cli("check", "--explain", "JS-PAY-HOURLY", "--format", "json").json
    assert data["unsettled"] == ["hourly_min_wage"] and data["province"] == "32"


def test_config_file_sets_a_parameter(xiaoqi_cli, tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text('[[params."JS-PAY-HOURLY".hourly_min_wage]]\nregion = "32"\nvalid_from = "2025-10-01"\nvalue = "24.5"\n', encoding="utf-8")
    result = xiaoqi_cli("--config", str(config), "check", "--explain", "JS-PAY-HOURLY", "--region", "320100")
    assert "hourly_min_wage = 24.5（xiaoqi.toml）" in result.output
    assert "未启用" not in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[params."INT-AGE-MIN"]\nmin_age = "sixteen"\n', encoding="utf-8")
    result = xiaoqi_cli("--config", str(bad), "check")
    assert result.exit_code == 2 and "sixteen" in result.stderr


def test_explain_of_every_national_rule_shows_its_source_and_dates(xiaoqi_cli):
    from xiaoqi.core.rules import get_rules

    national = [r for r in get_rules().values() if r.plugin == "xiaoqi.plugins.national"]
    assert len(national) >= 19
    for rule in national:
        text = xiaoqi_cli("check", "--explain", rule.id).output
        assert "依据：" in text and ("适用于" in text or "施行" in text), rule.id  # 施行: a rule about other records
        data = xiaoqi_cli("check", "--explain", rule.id, "--format", "json").json
        assert data["source"] and data["versions"][0]["rule"] == rule.id, rule.id
    pay = xiaoqi_cli("check", "--explain", "INT-PAY-MIN").output
    assert "依据：《职业学校学生实习管理规定》（教育部等八部门，教职成〔2021〕4号）第十八条" in pay
    assert "适用于自 2021-12-31 起开始的实习" in pay
    assert "【2016】自 2016-04-11 至 2021-12-30 开始的实习；依据：《职业学校学生实习管理规定》（教育部等五部门，教职成〔2016〕3号）第十七条" in pay
    assert "2016-04-11 以前开始的实习不按本规则检查" in pay
    practice = xiaoqi_cli("--lang", "en", "check", "--explain", "TCH-PRACTICE-5Y6M").output  # not an internship rule
    assert "In force on or after 2016-05-11" in practice and "internships starting" not in practice
    versions = xiaoqi_cli("check", "--explain", "INT-PAY-MIN", "--format", "json").json["versions"]
    assert [(v["version"], v["valid_from"], v["valid_to"]) for v in versions] == [("2021", "2021-12-31", None), ("2016", "2016-04-11", "2021-12-30")]
    overlap = xiaoqi_cli("check", "--explain", "INT-OVERLAP").output
    assert "适用于任何日期开始的实习" in overlap


def test_explain_says_when_only_the_year_is_known(xiaoqi_cli, tmp_path):
    text = xiaoqi_cli("check", "--explain", "HA-MENTAL-CHECK").output
    assert "适用于自 2022-01-01 起开始的实习（规则本身的施行日期；只知道施行年份，按该年 1 月 1 日计）" in text
    english = xiaoqi_cli("--lang", "en", "check", "--explain", "INT-AGENCY-BAN", "--region", "61").output
    assert "Judges internships starting on or after 2023-01-01 (the rule's own dates; only the year is known: its 1 January is used)" in english
    config = tmp_path / "dates.toml"
    config.write_text('[[params."HA-MENTAL-CHECK".valid_from]]\nregion = "41"\nvalue = "2022-06-15"\n', encoding="utf-8")
    dated = xiaoqi_cli("--config", str(config), "check", "--explain", "HA-MENTAL-CHECK", "--region", "41").output
    assert "适用于自 2022-06-15 起开始的实习（xiaoqi.toml）" in dated
    bad = tmp_path / "bad.toml"
    bad.write_text('[params."HA-MENTAL-CHECK"]\nvalid_from = "soon"\n', encoding="utf-8")
    result = xiaoqi_cli("--config", str(bad), "check")
    assert result.exit_code == 2 and "soon" in result.stderr and "Traceback" not in result.stderr


def test_demo_legacy_internships_are_judged_by_the_2016_rule(demo_db, xiaoqi_cli):
    import sqlalchemy as sa

    from xiaoqi.core.db import make_engine

    url, manifest = demo_db
    engine = make_engine(url)
    with engine.connect() as conn:
        legacy = {f"{r.id_number}/{r.uscc}/{r.start_on}": r for r in conn.execute(sa.text(
            "SELECT id_number, uscc, start_on, kind_label, consent_signed_on FROM internships WHERE kind_label IS NOT NULL"))}
    engine.dispose()
    assert {r.kind_label for r in legacy.values()} == {"顶岗实习", "跟岗实习"} and len(legacy) >= 16
    found = xiaoqi_cli("check", "--format", "json", "--rule", "INT-PAY-MIN", "--rule", "INT-CONSENT", "--rule", "INT-GRADE1", db=url).json["findings"]
    on_legacy = [f for f in found if f["subject_key"] in legacy]
    assert sorted((f["rule"], f["numbers"]["rule_version"]) for f in on_legacy) == [("INT-CONSENT", "2016"), ("INT-PAY-MIN", "2016")]
    assert {f["subject_key"] for f in on_legacy} == {*manifest.violations["INT-PAY-MIN"], *manifest.violations["INT-CONSENT"]} & set(legacy)
    # adults without a consent form: allowed by the 2016 rule, which asked it only of minors
    assert any(r.consent_signed_on is None for r in legacy.values())
