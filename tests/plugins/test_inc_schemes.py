"""Intern subsidies by city, as schemes other plugins add through the incentives plugin's hookspec
(``xiaoqi_intern_subsidy_schemes``): 宁德 (¥300 a month for 3 months, passed on within 7 days),
珠海香洲 (¥1,000 once for 2 continuous months and a level-3 certificate), 深圳南山 (¥1,000 a month
for 大专 interns, capped at the pay), and a fourth scheme from a test plugin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoqi.core import hookimpl
from xiaoqi.core.plugins import get_plugin_manager

from tests.plugins.switch import plugin_loaded

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _intern(factory, region, *, level="高职", **values):
    factory.region = region
    school = factory.school(level=level)
    firm = factory.enterprise()
    student = factory.student(school=school)
    return factory.internship(student=student, position=factory.position(enterprise=firm), **values)


def _claims(xiaoqi_cli, year, *head):
    out = xiaoqi_cli(*head, "incentives", "accrue", "--year", str(year), "--format", "json")
    assert out.exit_code == 0, out.stderr
    return {(l["scheme"], l["case_key"].split("/")[2]): l["amount"] for l in out.json["posted"] if l["line_type"] == "claimed"}


def _certificate(factory, student, level):
    """A 1+X certificate of ``level`` issued to ``student`` on 2025-07-01 (through the services)."""
    from xiaoqi.testing import make_uscc

    org = make_uscc("110108", 801)
    if factory.latest("onex_organisations") is None:
        factory.record("onex_organisations", uscc=org, name="北京示例教育科技有限公司", batch="第一批")
        factory.record("onex_certificates", code="WEB-01", name="Web前端开发", organisation_uscc=org, field="电子与信息",
                       levels="初级、中级、高级", valid_from=dt.date(2019, 6, 1))
    factory.record("onex_issued", certificate_no=f"X-{student.id_number[-6:]}", id_number=student.id_number,
                   school_code=student.school_code, certificate_code="WEB-01", level=level, issued_on=dt.date(2025, 7, 1))


def _config(tmp_path, text):
    path = tmp_path / "xiaoqi.toml"
    path.write_text(text, encoding="utf-8")
    return ("--config", str(path))


@BOTH
def test_the_three_city_schemes(xiaoqi_factory, xiaoqi_cli, tmp_path):
    ningde = _intern(xiaoqi_factory, "350902")  # 2025-03-01 to 2025-08-31: 6 months, 3 paid
    zhuhai_short = _intern(xiaoqi_factory, "440402", end_on=dt.date(2025, 4, 20))
    zhuhai = _intern(xiaoqi_factory, "440402")
    zhuhai_low = _intern(xiaoqi_factory, "440402")
    nanshan = _intern(xiaoqi_factory, "440305", monthly_pay=Decimal("4500.00"))
    nanshan_low = _intern(xiaoqi_factory, "440305", monthly_pay=Decimal("800.00"))
    nanshan_secondary = _intern(xiaoqi_factory, "440305", level="中职")
    _certificate(xiaoqi_factory, zhuhai, "高级")
    _certificate(xiaoqi_factory, zhuhai_low, "中级")
    # 珠海: which 1+X levels count as 三级 or above is no public figure; here 高级 is set to
    config = _config(tmp_path, '[params."INC-ZHUHAI-XIANGZHOU"]\nonex_levels = ["高级"]\n')
    claims = _claims(xiaoqi_cli, 2025, *config)
    assert claims == {("ningde", ningde.id_number): "900.00", ("zhuhai_xiangzhou", zhuhai.id_number): "1000.00",
                      ("shenzhen_nanshan", nanshan.id_number): "6000.00", ("shenzhen_nanshan", nanshan_low.id_number): "4800.00"}
    not_claimed = {zhuhai_short.id_number, zhuhai_low.id_number, nanshan_secondary.id_number}
    assert not_claimed.isdisjoint(k[1] for k in claims)
    assert _claims(xiaoqi_cli, 2025, *config) == {}
    # the 高级 holder passes every step: approved without an override
    case = f"zhuhai_xiangzhou/{zhuhai.uscc}/{zhuhai.id_number}/2025"
    approved = xiaoqi_cli(*config, "incentives", "approve", case)
    assert approved.exit_code == 0, approved.stderr


@BOTH
def test_zhuhai_certificate_step_without_1x_with_1x_unmapped_and_without_a_certificate(xiaoqi_factory, xiaoqi_cli, monkeypatch):
    held = _intern(xiaoqi_factory, "440402")
    none = _intern(xiaoqi_factory, "440402")
    _certificate(xiaoqi_factory, held, "高级")
    # with 1+X and no onex_levels: the holder's step is unknown (claimed, waits for an officer); no certificate fails
    assert _claims(xiaoqi_cli, 2025) == {("zhuhai_xiangzhou", held.id_number): "1000.00"}
    refused = xiaoqi_cli("incentives", "approve", f"zhuhai_xiangzhou/{held.uscc}/{held.id_number}/2025")
    assert refused.exit_code != 0 and "onex_levels" in refused.stderr
    # without the 1+X plugin nothing can be read: unknown for every intern, so the other one is claimed too
    plugin_loaded(monkeypatch, "xiaoqi.plugins.onex", False)
    assert _claims(xiaoqi_cli, 2025) == {("zhuhai_xiangzhou", none.id_number): "1000.00"}
    refused = xiaoqi_cli("incentives", "approve", f"zhuhai_xiangzhou/{none.uscc}/{none.id_number}/2025")
    assert refused.exit_code != 0 and "未加载 1+X" in refused.stderr


@BOTH
def test_city_figures_are_dated_parameters(xiaoqi_factory, xiaoqi_cli, tmp_path):
    """宁德 raises its level from a date and the scheme ends: new rows in xiaoqi.toml, no new code."""
    before = _intern(xiaoqi_factory, "350902")  # starts 2025-03-01
    after = _intern(xiaoqi_factory, "350902", start_on=dt.date(2025, 7, 1), end_on=dt.date(2025, 12, 31))
    late = _intern(xiaoqi_factory, "350902", start_on=dt.date(2025, 11, 1), end_on=dt.date(2026, 3, 31))
    config = _config(tmp_path, '[[params."INC-NINGDE".per_month]]\nregion = "3509"\nvalid_from = "2025-06-01"\nvalue = "400"\n'
                               '[[params."INC-NINGDE".valid_to]]\nvalue = "2025-10-31"\n')
    assert _claims(xiaoqi_cli, 2025, *config) == {("ningde", before.id_number): "900.00", ("ningde", after.id_number): "1200.00"}
    assert late.id_number  # started after the scheme's end: no case
    explain = xiaoqi_cli(*config, "check", "--explain", "INC-NINGDE", "--region", "350902").output
    assert "per_month" in explain and "400" in explain


@BOTH
def test_ningde_subsidy_must_reach_the_student_within_7_days(xiaoqi_factory, xiaoqi_cli):
    intern = _intern(xiaoqi_factory, "350902")
    _claims(xiaoqi_cli, 2025)
    case = f"ningde/{intern.uscc}/{intern.id_number}/2025"
    assert xiaoqi_cli("incentives", "approve", case, "--on", "2025-09-01").exit_code == 0
    assert xiaoqi_cli("incentives", "pay", case, "--on", "2025-09-02").exit_code == 0

    def findings(as_of):
        out = xiaoqi_cli("check", "--rule", "INC-PASS-ON", "--as-of", as_of, "--format", "json")
        return out.json["findings"]

    assert findings("2025-09-09") == []  # within 7 days
    [late] = findings("2025-09-10")
    assert late["subject_key"] == case and "7 天内未转付学生" in late["message"] and intern.id_number not in late["message"]
    assert xiaoqi_cli("--as", f"enterprise:{intern.uscc}", "incentives", "pass-on", case, "--on", "2025-09-12").exit_code == 0
    assert len(findings("2025-12-31")) == 1  # passed on, but late
    assert xiaoqi_cli("incentives", "pass-on", case).exit_code != 0  # nothing left to pass on


class FourthCity:
    """A fourth scheme from a test plugin: its level is no public figure, so its parameter has no
    default; it passes the subsidy on within 10 days."""

    @hookimpl
    def xiaoqi_intern_subsidy_schemes(self):
        from xiaoqi.core.rules import Param

        def cases(ctx, year):
            from xiaoqi.core.rules.sql import as_date, money

            sql = f"""SELECT i.id_number, i.uscc, i.school_code, i.start_on, e.region,
                             {ctx.param('per_intern', region='e.region', on='i.start_on')} AS per_intern
                      FROM internships i JOIN enterprises e ON e.uscc = i.uscc WHERE {ctx.applies('e.region', 'i.start_on')}"""
            return [{"uscc": r["uscc"], "id_number": r["id_number"], "school_code": r["school_code"], "region": r["region"],
                     "amount": ctx.need(money(r["per_intern"]), "per_intern", region=r["region"], on=as_date(r["start_on"])),
                     "source_kind": "internships", "source_key": f"{r['id_number']}/{r['uscc']}/{as_date(r['start_on'])}",
                     "steps": [("in_city", "pass", "福州市企业")]} for r in ctx.rows(sql)]

        return [{"id": "fuzhou", "name": ("福州市实习补贴", "Fuzhou intern subsidy"), "region": "3501",
                 "params": (Param("per_intern", "decimal", None, ("每名实习生补贴（元）", "per intern (yuan)")),
                            Param("pass_on_days", "int", 10, ("转付天数", "days to pass on"))),
                 "cases": cases}]


def test_hook_xiaoqi_intern_subsidy_schemes_adds_a_fourth_scheme_from_a_test_plugin(xiaoqi_factory, xiaoqi_cli, tmp_path):
    intern = _intern(xiaoqi_factory, "350102")
    get_plugin_manager().register(FourthCity(), name="fuzhou")
    # its figure has no value: accrue refuses, naming it and the way to set it, and posts nothing
    refused = xiaoqi_cli("incentives", "accrue", "--year", "2025")
    assert refused.exit_code != 0 and "per_intern" in refused.stderr and '[params."INC-FUZHOU"]' in refused.stderr
    assert xiaoqi_cli("incentives", "balance", "--enterprise", intern.uscc, "--format", "json").json == []
    config = _config(tmp_path, '[[params."INC-FUZHOU".per_intern]]\nregion = "3501"\nvalue = "500"\n')
    assert _claims(xiaoqi_cli, 2025, *config) == {("fuzhou", intern.id_number): "500.00"}
    case = f"fuzhou/{intern.uscc}/{intern.id_number}/2025"
    for args in (("approve", case), ("pay", case, "--on", "2025-10-01"), ("pass-on", case, "--on", "2025-10-05")):
        out = xiaoqi_cli(*config, "incentives", *args)
        assert out.exit_code == 0, out.stderr
    balance = {r["account"]: r["balance"] for r in xiaoqi_cli("incentives", "balance", "--enterprise", intern.uscc, "--format", "json").json}
    assert balance == {"claimed": "500.00", "approved": "500.00", "paid": "500.00", "passed_on": "500.00"}
    check = xiaoqi_cli(*config, "check", "--rule", "INC-FUZHOU", "--rule", "INC-PASS-ON", "--as-of", "2025-12-31", "--format", "json")
    assert check.json["findings"] == [] and "INC-FUZHOU" in check.json["rules_run"]


def test_hook_xiaoqi_intern_subsidy_schemes_example_in_the_docs_runs(xiaoqi_factory, xiaoqi_cli, tmp_path):
    """The example of docs/plugins.md, run as a plugin: refused without its figure, claimed with it."""
    import re
    from pathlib import Path

    from xiaoqi.core.rules.sql import as_date, money

    text = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = text[text.index("### xiaoqi_intern_subsidy_schemes()"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {"hookimpl": hookimpl, "dt": dt, "Decimal": Decimal, "money": money, "as_date": as_date}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)

    class Example:
        xiaoqi_intern_subsidy_schemes = staticmethod(namespace["xiaoqi_intern_subsidy_schemes"])

    intern = _intern(xiaoqi_factory, "350102")
    get_plugin_manager().register(Example(), name="docs-example")
    refused = xiaoqi_cli("incentives", "accrue", "--year", "2025")
    assert refused.exit_code != 0 and "per_intern" in refused.stderr
    config = _config(tmp_path, '[[params."INC-FUZHOU".per_intern]]\nregion = "3501"\nvalue = "500"\n')
    assert _claims(xiaoqi_cli, 2025, *config) == {("fuzhou", intern.id_number): "500.00"}


def test_without_the_incentives_plugin_the_city_plugins_do_nothing(monkeypatch, xiaoqi_cli):
    from .switch import plugin_loaded

    plugin_loaded(monkeypatch, "incentives", False)
    pm = get_plugin_manager()
    assert getattr(pm.hook, "xiaoqi_intern_subsidy_schemes").spec is None
    assert xiaoqi_cli("status").exit_code == 0
