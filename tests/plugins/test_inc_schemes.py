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


def _claims(xiaoqi_cli, year):
    out = xiaoqi_cli("incentives", "accrue", "--year", str(year), "--format", "json")
    assert out.exit_code == 0, out.stderr
    return {(l["scheme"], l["case_key"].split("/")[2]): l["amount"] for l in out.json["posted"] if l["line_type"] == "claimed"}


@BOTH
def test_the_three_city_schemes(xiaoqi_factory, xiaoqi_cli, monkeypatch):
    plugin_loaded(monkeypatch, "xiaoqi.plugins.onex", False)  # 珠海's certificate step: unknown without 1+X
    ningde = _intern(xiaoqi_factory, "350902")  # 2025-03-01 to 2025-08-31: 6 months, 3 paid
    zhuhai_short = _intern(xiaoqi_factory, "440402", end_on=dt.date(2025, 4, 20))
    zhuhai = _intern(xiaoqi_factory, "440402")
    nanshan = _intern(xiaoqi_factory, "440305", monthly_pay=Decimal("4500.00"))
    nanshan_low = _intern(xiaoqi_factory, "440305", monthly_pay=Decimal("800.00"))
    nanshan_secondary = _intern(xiaoqi_factory, "440305", level="中职")
    claims = _claims(xiaoqi_cli, 2025)
    assert claims == {("ningde", ningde.id_number): "900.00", ("zhuhai_xiangzhou", zhuhai.id_number): "1000.00",
                      ("shenzhen_nanshan", nanshan.id_number): "6000.00", ("shenzhen_nanshan", nanshan_low.id_number): "4800.00"}
    assert zhuhai_short.id_number not in {k[1] for k in claims} and nanshan_secondary.id_number not in {k[1] for k in claims}
    assert _claims(xiaoqi_cli, 2025) == {}
    # 珠海: the certificate is unknown without the 1+X plugin, so the case waits for an officer
    case = f"zhuhai_xiangzhou/{zhuhai.uscc}/{zhuhai.id_number}/2025"
    refused = xiaoqi_cli("incentives", "approve", case)
    assert refused.exit_code != 0 and "1+X" in refused.stderr


@BOTH
def test_zhuhai_with_the_1x_plugin_an_intern_without_a_certificate_is_not_claimed(xiaoqi_factory, xiaoqi_cli):
    zhuhai = _intern(xiaoqi_factory, "440402")
    assert ("zhuhai_xiangzhou", zhuhai.id_number) not in _claims(xiaoqi_cli, 2025)  # no certificate held: the step fails


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
    @hookimpl
    def xiaoqi_intern_subsidy_schemes(self):
        def cases(conn, year):
            import sqlalchemy as sa

            rows = conn.execute(sa.text("SELECT id_number, uscc, school_code, start_on FROM internships WHERE uscc LIKE '913501%'"))
            return [{"uscc": r.uscc, "id_number": r.id_number, "school_code": r.school_code, "amount": Decimal("500.00"),
                     "source_kind": "internships", "source_key": f"{r.id_number}/{r.uscc}/{r.start_on}",
                     "steps": [("in_city", "pass", "福州市企业")]} for r in rows]

        return [{"id": "fuzhou", "name": ("福州市实习补贴", "Fuzhou intern subsidy"), "region": "3501", "pass_on_days": 10,
                 "cases": cases}]


def test_hook_xiaoqi_intern_subsidy_schemes_adds_a_fourth_scheme_from_a_test_plugin(xiaoqi_factory, xiaoqi_cli):
    intern = _intern(xiaoqi_factory, "350102")
    get_plugin_manager().register(FourthCity(), name="fuzhou")
    assert _claims(xiaoqi_cli, 2025) == {("fuzhou", intern.id_number): "500.00"}
    case = f"fuzhou/{intern.uscc}/{intern.id_number}/2025"
    for args in (("approve", case), ("pay", case, "--on", "2025-10-01"), ("pass-on", case, "--on", "2025-10-05")):
        out = xiaoqi_cli("incentives", *args)
        assert out.exit_code == 0, out.stderr
    balance = {r["account"]: r["balance"] for r in xiaoqi_cli("incentives", "balance", "--enterprise", intern.uscc, "--format", "json").json}
    assert balance == {"claimed": "500.00", "approved": "500.00", "paid": "500.00", "passed_on": "500.00"}


def test_without_the_incentives_plugin_the_city_plugins_do_nothing(monkeypatch, xiaoqi_cli):
    from .switch import plugin_loaded

    plugin_loaded(monkeypatch, "incentives", False)
    pm = get_plugin_manager()
    assert getattr(pm.hook, "xiaoqi_intern_subsidy_schemes").spec is None
    assert xiaoqi_cli("status").exit_code == 0
