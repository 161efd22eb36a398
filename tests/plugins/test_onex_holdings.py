"""The certificates a student holds on a day, which the 1+X plugin publishes through its own
hookspec (``xiaoqi_onex_certificates_held``): asked directly, and by a test plugin that never
imports it — as the incentives plugin does for a subsidy that requires a certificate — which
finds no hook when the 1+X plugin is switched off."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoqi.core import hookimpl
from xiaoqi.core.plugins import get_plugin_manager

from .onex_data import build
from .switch import plugin_loaded

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def held(conn, on, ids=None) -> list[dict]:
    pm = get_plugin_manager()
    return [row for result in pm.hook.xiaoqi_onex_certificates_held(conn=conn, on=on, id_numbers=ids) for row in result]


class SubsidyPlugin:
    """A consumer: students holding a certificate at 中级 or higher on 31 December of the report's year."""

    @hookimpl
    def xiaoqi_report_sections(self, session, year):
        from xiaoqi.core.report import ReportSection

        pm = get_plugin_manager()
        section = ReportSection(title=("证书补贴（测试）", "certificate subsidy (test)"),
                                columns=[("学校", "school"), ("人数", "students")], rows=[])
        if not hasattr(pm.hook, "xiaoqi_onex_certificates_held"):
            section.notes.append("certificates unknown: no plugin publishes them")
            return [section]
        schools: dict[str, set] = {}
        for result in pm.hook.xiaoqi_onex_certificates_held(conn=session.connection(), on=dt.date(year, 12, 31), id_numbers=None):
            for row in result:
                if row["rank"] >= 2:
                    schools.setdefault(row["school_code"], set()).add(row["id_number"])
        section.rows = [[school, len(ids)] for school, ids in sorted(schools.items())]
        return [section]


@BOTH
def test_hook_xiaoqi_onex_certificates_held_gives_what_is_valid_on_the_day(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    xiaoqi_factory.record("onex_issued", certificate_no="X-OLD-0001", id_number=reg.s3.id_number, school_code=reg.a.school_code,
                          certificate_code="OLD-01", level="初级", issued_on=dt.date(2023, 1, 5))  # issued after withdrawal
    with xiaoqi_engine.connect() as conn:
        assert held(conn, dt.date(2025, 6, 30)) == []  # the day before the first issue
        on_issue = held(conn, dt.date(2025, 7, 1))
        last_day = held(conn, dt.date(2028, 6, 30), [reg.s1.id_number, reg.s3.id_number])
        expired = held(conn, dt.date(2028, 7, 1))
    assert sorted(r["id_number"] for r in on_issue) == sorted([reg.s1.id_number, reg.s2.id_number, reg.s4.id_number])
    assert last_day == [{"id_number": reg.s1.id_number, "school_code": reg.a.school_code, "certificate_code": "WEB-01",
                         "certificate_name": "Web前端开发", "organisation_uscc": reg.org_a, "level": "中级", "rank": 2,
                         "certificate_no": "X-WEB-0001", "issued_on": dt.date(2025, 7, 1), "valid_to": dt.date(2028, 6, 30)}]
    assert expired == []


@BOTH
def test_hook_xiaoqi_onex_certificates_held_is_consumed_by_a_plugin_that_does_not_import_it(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    get_plugin_manager().register(SubsidyPlugin(), name="subsidy-test")
    report = xiaoqi_cli("report", "annual", "--year", "2025").output
    assert "## 证书补贴（测试）" in report
    assert f"| {reg.a.school_code} | 2 |" in report and f"| {reg.b.school_code} | 1 |" in report


def test_without_the_plugin_the_consumer_finds_no_hook(monkeypatch, xiaoqi_cli):
    plugin_loaded(monkeypatch, "onex", False)
    get_plugin_manager().register(SubsidyPlugin(), name="subsidy-test")
    report = xiaoqi_cli("report", "annual", "--year", "2025").output
    assert "certificates unknown: no plugin publishes them" in report


def test_registering_the_plugin_again_keeps_one_hookspec():
    from xiaoqi.plugins import onex

    pm = get_plugin_manager()
    pm.unregister(onex)
    pm.register(onex, name="xiaoqi.plugins.onex")
    assert pm.hook.xiaoqi_onex_certificates_held.spec is not None

