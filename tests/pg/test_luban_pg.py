"""The Luban Workshop plugin on PostgreSQL: its migration branch (also with the plugin disabled
afterwards), the aggregates of ``xiaoqi luban summary`` and both rules."""

from __future__ import annotations

import os

import pytest

from xiaoqi.core import plugins
from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import core_head, current, ensure_current, heads, table_names, upgrade

from tests.plugins.luban_data import build

pytestmark = pytest.mark.pg
PG = pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
LUBAN_TABLES = {"luban_workshops", "luban_equipment", "luban_activity", "luban_partners"}


def test_migration_branch_on_postgresql_and_without_the_plugin(xiaoqi_pg, monkeypatch):
    url = xiaoqi_pg.create(migrated=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert LUBAN_TABLES <= table_names(engine)
        assert {core_head(), "luban_0001"} <= current(engine) == heads()
        others = [p for p in os.environ.get("XIAOQI_DISABLE_PLUGINS", "").split(",") if p]
        monkeypatch.setenv("XIAOQI_DISABLE_PLUGINS", ",".join([*others, "luban"]))
        plugins.set_plugin_manager(None)
        ensure_current(engine, url)
        upgrade(engine)  # sets the unloaded revision aside and puts it back, in one transaction
        assert "luban_0001" in current(engine) and LUBAN_TABLES <= table_names(engine)
    finally:
        engine.dispose()
        xiaoqi_pg.drop(url)


@PG
def test_summary_and_rules_on_postgresql(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    data = xiaoqi_cli("luban", "summary", "--format", "json").json
    assert data["total"] == {"workshops": 3, "enrolled": 400, "trainees": 3100, "local_teachers_trained": 110,
                             "chinese_teachers_sent": 17, "equipment_value": "1520000.75"}
    assert xiaoqi_cli("luban", "summary", "--year", "2020", "--format", "json").json["total"]["equipment_value"] == "1000000.75"
    rows = xiaoqi_cli("--as", f"school:{reg.other.school_code}", "luban", "list", "--format", "json").json
    assert [r["name"] for r in rows] == ["泰国鲁班工坊", "肯尼亚鲁班工坊"]
    xiaoqi_factory.record("luban_workshops", name="塔吉克斯坦鲁班工坊", country="TJ", partner_institution="塔吉克斯坦技术大学",
                          lead_school_code="4199999999", status="运营", opened_on="2019-05-01")
    findings = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--rule", "LW-LEAD-COLLEGE", "--on", "2026-11-23",
                          "--format", "json").json["findings"]
    assert [(f["rule"], f["subject_key"]) for f in findings] == [
        ("LW-ACTIVITY-MISSING", "埃及鲁班工坊"), ("LW-ACTIVITY-MISSING", "塔吉克斯坦鲁班工坊"),
        ("LW-LEAD-COLLEGE", "塔吉克斯坦鲁班工坊")]
    by_school = xiaoqi_cli("check", "--rule", "LW-ACTIVITY-MISSING", "--on", "2027-02-01", "--school",
                           reg.other.school_code, "--format", "json").json["findings"]
    assert [f["subject_key"] for f in by_school] == ["泰国鲁班工坊"]
