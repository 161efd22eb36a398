"""The qualifying investment the industrial-college plugin publishes through its own hookspec
(``xiaoqi_qualifying_investments``), consumed by a test plugin that never imports it — as the
incentives plugin does: a report section crediting 30% of each enterprise's investment, which
says so when the hook is not there (the industrial-college plugin switched off)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaoqi.core import hookimpl
from xiaoqi.core.plugins import get_plugin_manager

from .ic_data import C1, C2, build
from .switch import plugin_loaded

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


class CreditPlugin:
    """A consumer: 30% of each enterprise's qualifying investment in the report's year."""

    @hookimpl
    def xiaoqi_report_sections(self, session, year):
        from xiaoqi.core.report import ReportSection

        pm = get_plugin_manager()
        section = ReportSection(title=("投入抵免（测试）", "credit (test)"), columns=[("企业", "enterprise"), ("投入", "investment"),
                                                                              ("抵免", "credit"), ("来源", "sources")], rows=[])
        if not hasattr(pm.hook, "xiaoqi_qualifying_investments"):
            section.notes.append("qualifying investment unknown: no plugin publishes it")
            return [section]
        totals: dict[str, list] = {}
        for result in pm.hook.xiaoqi_qualifying_investments(conn=session.connection(), year=year, uscc=None):
            for line in result:
                total = totals.setdefault(line["uscc"], [Decimal("0.00"), set()])
                total[0] += line["amount"]
                total[1].add(line["source_kind"])
        section.rows = [[uscc, amount, (amount * Decimal("0.3")).quantize(Decimal("0.01")), "、".join(sorted(kinds))]
                        for uscc, (amount, kinds) in sorted(totals.items())]
        return [section]


class OwnInvestments:
    """A second publisher, as the incentives plugin may be for investment outside any college."""

    def __init__(self, uscc: str):
        self.uscc = uscc

    @hookimpl
    def xiaoqi_qualifying_investments(self, year, uscc):
        if uscc not in (None, self.uscc):
            return []
        return [{"uscc": self.uscc, "year": year, "amount": Decimal("1000.00"), "category": "cash",
                 "source_kind": "own_investments", "source_key": "OWN-1", "evidence": "OWN-1"}]


@BOTH
def test_hook_xiaoqi_qualifying_investments_gives_each_line_of_a_year(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    pm = get_plugin_manager()
    with xiaoqi_engine.connect() as conn:
        lines = [line for result in pm.hook.xiaoqi_qualifying_investments(conn=conn, year=2024, uscc=None) for line in result]
        only_b = [line for result in pm.hook.xiaoqi_qualifying_investments(conn=conn, year=2023, uscc=reg.b.uscc) for line in result]
        none = [line for result in pm.hook.xiaoqi_qualifying_investments(conn=conn, year=2023, uscc=reg.a.uscc) for line in result]
    assert lines == [
        {"uscc": reg.a.uscc, "year": 2024, "amount": Decimal("500000.00"), "category": "cash", "source_kind": "ic_investments",
         "source_key": f"{C1}/{reg.a.uscc}/HT-2024-01", "evidence": "HT-2024-01"},
        {"uscc": reg.a.uscc, "year": 2024, "amount": Decimal("1200000.50"), "category": "equipment", "source_kind": "ic_investments",
         "source_key": f"{C1}/{reg.a.uscc}/SB-2024-02", "evidence": "SB-2024-02"},
        {"uscc": reg.a.uscc, "year": 2024, "amount": Decimal("100000.00"), "category": "cash", "source_kind": "ic_investments",
         "source_key": f"{C2}/{reg.a.uscc}/HT-C2-2024", "evidence": "HT-C2-2024"},
    ]
    assert [(line["category"], line["amount"]) for line in only_b] == [("software", Decimal("150000.00"))] and none == []


@BOTH
def test_hook_xiaoqi_qualifying_investments_is_consumed_by_a_plugin_that_does_not_import_it(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    pm = get_plugin_manager()
    pm.register(CreditPlugin(), name="credit-test")
    pm.register(OwnInvestments(reg.outsider.uscc), name="own-investments")
    report = xiaoqi_cli("report", "annual", "--year", "2024").output
    assert "## 投入抵免（测试）" in report
    # a: 500,000.00 + 1,200,000.50 in CY-01 and 100,000.00 in CY-02; the other plugin's line beside it
    assert f"| {reg.a.uscc} | 1,800,000.50 | 540,000.15 | ic_investments |" in report
    assert f"| {reg.outsider.uscc} | 1,000.00 | 300.00 | own_investments |" in report


def test_without_the_plugin_the_consumer_finds_no_hook(monkeypatch, xiaoqi_cli):
    plugin_loaded(monkeypatch, "industrial_college", False)
    get_plugin_manager().register(CreditPlugin(), name="credit-test")
    report = xiaoqi_cli("report", "annual", "--year", "2024").output
    assert "qualifying investment unknown: no plugin publishes it" in report


def test_registering_the_plugin_again_keeps_one_hookspec():
    from xiaoqi.plugins import industrial_college

    pm = get_plugin_manager()
    pm.unregister(industrial_college)
    pm.register(industrial_college, name="xiaoqi.plugins.industrial_college")  # its xiaoqi_addhooks runs again
    assert pm.hook.xiaoqi_qualifying_investments.spec is not None
