"""The demo's incentives: five years for four enterprises — a carry-forward used two years later,
a revocation for fraud voiding credit already used, an advance clawed back — breaking no INC rule,
and exported to beancount cleanly."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.db import make_engine


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
    assert not [f for f in check.json["findings"] if f["rule"].startswith("INC-")]
    path = tmp_path / "demo.beancount"
    assert xiaoqi_cli("incentives", "export", "-o", str(path), db=url).exit_code == 0
    from beancount import loader

    _entries, errors, _options = loader.load_file(str(path))
    assert errors == []
