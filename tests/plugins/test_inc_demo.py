"""The demo's incentives: five years for four enterprises — a carry-forward used two years later,
a revocation for fraud voiding credit already used, an advance clawed back — and a case of each
shipped city scheme, breaking no INC rule but the planted INC-PASS-ON, and exported to beancount
cleanly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_TODAY
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.fields import whole_months


def test_the_demo_ledger(demo_db, xiaoqi_cli, tmp_path):
    url, manifest = demo_db
    engine = make_engine(url)
    with engine.connect() as conn:
        def q(sql):
            return conn.execute(sa.text(sql)).all()

        assert manifest.counts["inc_lines"] == q("SELECT COUNT(*) FROM inc_lines")[0][0] > 20
        # a credit used two years or more after it was earned
        assert q("SELECT COUNT(*) FROM inc_lines WHERE line_type = 'used' AND period - vintage >= 2")[0][0] >= 1
        # the revocation reversed credit lines and left the used part owed back
        assert q("SELECT COUNT(*) FROM inc_lines WHERE line_type = 'reversal' AND scheme = 'pce'")[0][0] >= 2
        assert q("SELECT COUNT(*) FROM inc_lines WHERE line_type = 'voided' AND account = 'repayable'")[0][0] == 1
        # an advance clawed back, and no credit balance below zero
        assert q("SELECT COUNT(*) FROM inc_lines WHERE line_type = 'clawed_back'")[0][0] == 1
        assert q("SELECT COUNT(*) FROM (SELECT uscc, vintage FROM inc_lines WHERE account = 'credit' GROUP BY uscc, vintage "
                 "HAVING SUM(amount_fen) < 0) n")[0][0] == 0
        assert q("SELECT COUNT(*) FROM inc_periods WHERE closed_at IS NOT NULL")[0][0] == 2
    engine.dispose()
    check = xiaoqi_cli("check", "--format", "json", db=url)
    found = {(f["rule"], f["subject_key"]) for f in check.json["findings"] if f["rule"].startswith("INC-")}
    assert found == {("INC-PASS-ON", key) for key in manifest.violations["INC-PASS-ON"]}
    path = tmp_path / "demo.beancount"
    assert xiaoqi_cli("incentives", "export", "-o", str(path), db=url).exit_code == 0
    from beancount import loader

    _entries, errors, _options = loader.load_file(str(path))
    assert errors == []


CITY_SCHEMES = {"350902": "ningde", "440402": "zhuhai_xiangzhou", "440305": "shenzhen_nanshan"}


def _city_cases(conn):
    """Per city scheme: its cases' lines by type (net fen), with the internship each case is of."""
    rows = conn.execute(sa.text("""
        SELECT l.scheme, l.case_key, l.line_type, SUM(l.amount_fen) AS fen, MIN(l.entry_date) AS first_on, MAX(l.entry_date) AS last_on,
               i.start_on, i.end_on, i.monthly_pay, e.region
        FROM inc_lines l JOIN internships i ON l.source_key = i.id_number || '/' || i.uscc || '/' || CAST(i.start_on AS TEXT)
        JOIN enterprises e ON e.uscc = l.uscc
        WHERE l.scheme IN ('ningde', 'zhuhai_xiangzhou', 'shenzhen_nanshan')
        GROUP BY l.scheme, l.case_key, l.line_type, i.start_on, i.end_on, i.monthly_pay, e.region""")).mappings()
    out: dict = {}
    for r in rows:
        case = out.setdefault(r["scheme"], {}).setdefault(r["case_key"], {"region": r["region"], "start": r["start_on"], "end": r["end_on"],
                                                                           "pay": r["monthly_pay"]})
        case[r["line_type"]] = int(r["fen"])
        case[r["line_type"] + "_on"] = (str(r["first_on"])[:10], str(r["last_on"])[:10])
    return out


def _assert_city_cases(conn, manifest, onex_loaded: bool):
    cases = _city_cases(conn)
    assert set(cases) == set(CITY_SCHEMES.values())  # a claim for each shipped city
    for scheme, found in cases.items():
        for case in found.values():
            assert CITY_SCHEMES[case["region"]] == scheme and case["claimed"] == case["approved"] == case["paid"] > 0
    # 宁德: ¥300 a month for at most 3 months, each passed on; the one passed on after 7 days is the planted finding
    for key, case in cases["ningde"].items():
        start, end = (dt.date.fromisoformat(str(d)[:10]) for d in (case["start"], case["end"]))
        assert case["claimed"] == 30000 * min(3, whole_months(start, end)) and case["passed_on"] == case["paid"]
        days = (dt.date.fromisoformat(case["passed_on_on"][0]) - dt.date.fromisoformat(case["paid_on"][0])).days
        assert (days > 7) == (key in manifest.violations["INC-PASS-ON"])
    assert len(cases["ningde"]) == 2 and len(manifest.violations["INC-PASS-ON"]) == 1
    # 深圳南山: ¥1,000 a month, capped at the pay (one intern is paid less than ¥1,000)
    capped = 0
    for case in cases["shenzhen_nanshan"].values():
        start, end = (dt.date.fromisoformat(str(d)[:10]) for d in (case["start"], case["end"]))
        pay = Decimal(str(case["pay"])).quantize(Decimal("0.01"))
        assert case["claimed"] == int(min(Decimal(1000), pay) * 100) * whole_months(start, end)
        capped += pay < 1000
    assert capped == 1
    # 珠海香洲: ¥1,000 once; with 1+X loaded the intern holds a 高级 certificate (the officer's override decided the step)
    [(key, case)] = cases["zhuhai_xiangzhou"].items()
    assert case["claimed"] == 100000
    person = key.split("/")[2]
    if onex_loaded:
        levels = conn.execute(sa.text("SELECT level FROM onex_issued WHERE id_number = :i"), {"i": person}).scalars().all()
        assert "高级" in levels
    [step] = conn.execute(sa.text("SELECT step FROM inc_overrides WHERE case_key = :k"), {"k": key}).scalars().all()
    assert step == "certificate"


def test_the_demo_has_a_case_of_each_city_scheme(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    engine = make_engine(url)
    with engine.connect() as conn:
        _assert_city_cases(conn, manifest, onex_loaded=True)
    engine.dispose()
    # accrue is idempotent on the demo: every city case is claimed already
    again = xiaoqi_cli("incentives", "accrue", "--year", str(DEMO_TODAY.year - 1), "--dry-run", "--format", "json", db=url)
    assert again.exit_code == 0 and again.json["lines"] == 0


@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_the_demo_city_cases_on_postgresql(xiaoqi_engine):
    from xiaoqi.core.demo import generate

    with write_session(xiaoqi_engine) as session:
        manifest = generate(session, size="small", seed=2026, today=DEMO_TODAY)
    with xiaoqi_engine.connect() as conn:
        _assert_city_cases(conn, manifest, onex_loaded=True)
