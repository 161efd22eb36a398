"""The rule engine itself: parameter resolution, configuration, switched-off rules, explain, variants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoqi.core import hookimpl
from xiaoqi.core.errors import UsageError
from xiaoqi.core.i18n import set_lang
from xiaoqi.core.rules import (
    Param, ParamValue, Rule, coerce_value, config_param_values, explain, get_rules, param_table, run_check,
)

D = dt.date


def test_every_rule_of_the_domain_is_registered():
    national = {"INT-AGE-MIN", "INT-GRADE1", "INT-RATIO-ENTERPRISE", "INT-RATIO-POST", "INT-DURATION", "INT-PAY-MIN",
                "INT-FEES-BAN", "INT-CONSENT", "INT-AGREEMENT", "INT-INSURANCE", "INT-INS-PREMIUM", "INT-HOURS",
                "INT-HAZARD", "INT-VENUE-BAN", "INT-AGENCY-BAN", "INT-MAJOR-MATCH", "INT-UNIT-VETTED", "INT-FILING",
                "INT-OVERLAP"}
    regional = {"JS-PAY-HOURLY", "HA-MENTAL-CHECK", "HN-DUAL-MENTOR"}
    rules = get_rules()
    assert national | regional <= set(rules)
    assert rules["INT-DURATION"].severity == "warning" and rules["INT-MAJOR-MATCH"].severity == "warning"
    assert {rules[r].province for r in regional} == {"32", "41", "43"}
    assert all(r.title[0] and r.title[1] and r.source for r in rules.values())


def test_resolution_most_specific_region_then_latest_date():
    values = [
        ParamValue("INT-RATIO-ENTERPRISE", "max_share", "0.12", region="32"),
        ParamValue("INT-RATIO-ENTERPRISE", "max_share", "0.15", region="32", valid_from=D(2027, 1, 1)),
        ParamValue("INT-RATIO-ENTERPRISE", "max_share", "0.08", region="3205"),
    ]
    table = param_table_with(values)
    r = lambda region, on: table.resolve("INT-RATIO-ENTERPRISE", "max_share", region, on).value
    assert r("", D(2026, 1, 1)) == Decimal("0.10")
    assert r("330100", D(2026, 1, 1)) == Decimal("0.10")
    assert r("320100", D(2026, 12, 31)) == Decimal("0.12")
    assert r("320100", D(2027, 1, 1)) == Decimal("0.15")
    assert r("320500", D(2027, 6, 1)) == Decimal("0.08")


def param_table_with(values):
    from xiaoqi.core.rules import ParamTable

    return ParamTable(dict(get_rules()), values)


def test_config_wins_over_plugins_at_the_same_region_and_date():
    config = {"params": {"INT-FEES-BAN": {"banned_fees": [{"region": "45", "value": "押金、保证金"}]}}}
    table = param_table(config)
    assert table.resolve("INT-FEES-BAN", "banned_fees", "450100", D(2026, 1, 1)).value == ("押金", "保证金")
    assert table.resolve("INT-FEES-BAN", "banned_fees", "450100", D(2026, 1, 1)).origin == "xiaoqi.toml"


@pytest.mark.parametrize("config, fragment", [
    ({"params": {"NO-SUCH-RULE": {"x": 1}}}, "NO-SUCH-RULE"),
    ({"params": {"INT-AGE-MIN": {"max_age": 1}}}, "max_age"),
    ({"params": {"INT-AGE-MIN": {"min_age": "sixteen"}}}, "sixteen"),
    ({"params": {"INT-AGE-MIN": {"min_age": [{"region": "3", "value": 16}]}}}, "min_age"),
    ({"params": {"INT-AGE-MIN": {"min_age": [{"valid_from": "2026-13-01", "value": 16}]}}}, "min_age"),
    ({"params": {"INT-AGE-MIN": {"min_age": [{"region": "32"}]}}}, "value"),
])
def test_bad_configuration_is_a_usage_error(config, fragment):
    with pytest.raises(UsageError) as exc:
        config_param_values(config, dict(get_rules()))
    assert fragment in str(exc.value)


def test_coerce_value_types():
    assert coerce_value(Param("x", "decimal"), "10%") == Decimal("0.10")
    assert coerce_value(Param("x", "decimal"), 0.1) == Decimal("0.1")
    assert coerce_value(Param("x", "int"), "16") == 16
    assert coerce_value(Param("x", "date"), "2026-01-01") == D(2026, 1, 1)
    assert coerce_value(Param("x", "list"), "押金、培训费") == ("押金", "培训费")
    with pytest.raises(ValueError):
        coerce_value(Param("x", "int"), 1.5)


def test_unsettled_parameter_switches_the_rule_off_once(xiaoqi_session):
    result = run_check(xiaoqi_session)
    off = {o.rule: o for o in result.switched_off}
    assert len(off) == len(result.switched_off) and "JS-PAY-HOURLY" in off and "JS-PAY-HOURLY" not in result.rules_run
    assert "hourly_min_wage" in off["JS-PAY-HOURLY"].message and "xiaoqi.toml" in off["JS-PAY-HOURLY"].message
    config = {"params": {"JS-PAY-HOURLY": {"hourly_min_wage": [{"region": "32", "value": "24.5"}]}}}
    result = run_check(xiaoqi_session, config=config)
    assert "JS-PAY-HOURLY" in result.rules_run and "JS-PAY-HOURLY" not in {o.rule for o in result.switched_off}


def test_unknown_rule_is_a_usage_error(xiaoqi_session):
    with pytest.raises(UsageError, match="INT-NOPE"):
        run_check(xiaoqi_session, rules=["INT-NOPE"])


def test_progress_and_cancellation(xiaoqi_session):
    seen = []
    run_check(xiaoqi_session, rules=["INT-AGE-MIN", "INT-HOURS"], progress=lambda d, n, r: seen.append((d, n, r)))
    assert seen == [(0, 2, "INT-AGE-MIN"), (1, 2, "INT-HOURS"), (2, 2, "")]
    result = run_check(xiaoqi_session, cancelled=lambda: True)
    assert result.rules_run == []


def test_explain_resolves_for_a_region():
    ex = explain("INT-FEES-BAN", "45", on=D(2026, 1, 1))
    fees = ex.params[0]
    assert "实习交通费" in fees.current.value and fees.current.origin.endswith("guangxi")
    national = explain("INT-FEES-BAN", None, on=D(2026, 1, 1))
    assert "实习交通费" not in national.params[0].current.value
    assert national.as_dict()["params"][0]["name"] == "banned_fees"
    hourly = explain("JS-PAY-HOURLY", "32")
    assert hourly.unsettled == ("hourly_min_wage",)
    with pytest.raises(UsageError):
        explain("INT-AGE-MIN", "3")


def test_messages_follow_the_language(xiaoqi_session):
    from tests.rules_data import World

    World(xiaoqi_session).internship(via_agency=True)
    set_lang("en")
    [f] = run_check(xiaoqi_session, rules=["INT-AGENCY-BAN"]).findings
    assert f.message == "arranged through an agency"


class _Variant:
    """A regional variant of a national rule, registered by a test plugin."""

    @hookimpl
    def xiaoqi_register_rules(self):
        def evaluate(ctx):
            for row in ctx.internship_rows("i.guardian_signed IS FALSE"):
                yield ctx.internship_finding(row, "variant")

        return [Rule(id="XX-VARIANT", extends="INT-AGENCY-BAN", severity="error", title=("变体", "variant"),
                     source="test", province="32", evaluate=evaluate)]


def test_a_variant_reports_under_the_national_id(xiaoqi_session, xiaoqi_plugin_manager):
    from tests.rules_data import World

    xiaoqi_plugin_manager.register(_Variant(), name="variant")
    world = World(xiaoqi_session)
    key = world.internship(guardian_signed=False)
    found = run_check(xiaoqi_session, rules=["INT-AGENCY-BAN"]).findings
    assert [(f.rule, f.subject_key, f.message) for f in found] == [("INT-AGENCY-BAN", key, "variant")]
    assert "XX-VARIANT" not in get_rules()
    assert [v.plugin for v in explain("INT-AGENCY-BAN", "32").variants] == ["variant"]


def test_a_sqlite_check_runs_on_one_connection_while_another_process_writes(xiaoqi_engine):
    """The readers line up under the write lock; when a writer holds it, the check does not wait
    for it: it reads on one connection (one snapshot by itself)."""
    import sqlite3

    from xiaoqi.core.rules import engine as check_engine

    writer = sqlite3.connect(xiaoqi_engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with check_engine._readers(xiaoqi_engine, 2) as conns:
            assert len(conns) == 1
        assert run_check(xiaoqi_engine, rules=["INT-AGE-MIN"], workers=2).rules_run == ["INT-AGE-MIN"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with check_engine._readers(xiaoqi_engine, 2) as conns:
        assert len(conns) == 2
        assert all(c.exec_driver_sql("PRAGMA mmap_size").scalar_one() > 0 for c in conns)
    with xiaoqi_engine.connect() as conn:  # back in the pool unmapped
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() == 0
