"""Statements: opening balance, each line with its source, closing, carried forward — every figure
reproduced by SQL over the ledger; numbers as numbers in Excel; an extension not written is
refused; the beancount export passes beancount's own checker, balances included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from .inc_data import build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _history(factory, cli):
    reg = build(factory)
    for year in (2022, 2023, 2024):
        assert cli("incentives", "accrue", "--year", str(year)).exit_code == 0
    return reg


def _sql_figures(engine, uscc, year):
    with engine.connect() as conn:
        def one(sql, **kw):
            return {r[0]: Decimal(r[1]) / 100 for r in conn.execute(sa.text(sql), {"u": uscc, "y": year, **kw})}

        opening = one("SELECT account, SUM(amount_fen) FROM inc_lines WHERE uscc = :u AND period < :y GROUP BY account")
        closing = one("SELECT account, SUM(amount_fen) FROM inc_lines WHERE uscc = :u AND period <= :y GROUP BY account")
        lines = [(r.id, Decimal(r.amount_fen) / 100) for r in conn.execute(sa.text(
            "SELECT id, amount_fen FROM inc_lines WHERE uscc = :u AND period = :y ORDER BY entry_date, id"), {"u": uscc, "y": year})]
        carried = one("SELECT vintage, SUM(amount_fen) FROM inc_lines WHERE uscc = :u AND account = 'credit' AND period <= :y "
                      "GROUP BY vintage HAVING SUM(amount_fen) <> 0")
    return opening, closing, lines, carried


@BOTH
def test_every_figure_of_a_statement_is_reproduced_by_sql(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine, tmp_path):
    from openpyxl import load_workbook

    reg = _history(xiaoqi_factory, xiaoqi_cli)
    opening, closing, lines, carried = _sql_figures(xiaoqi_engine, reg.firm.uscc, 2023)
    assert opening["credit"] == Decimal("26000.15") and closing["credit"] == Decimal("18000.15") and carried == {2022: Decimal("18000.15")}
    path = tmp_path / "st.xlsx"
    out = xiaoqi_cli("incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2023", "-o", str(path))
    assert out.exit_code == 0, out.stderr
    rows = [[c for c in row] for row in load_workbook(path).active.iter_rows(values_only=True)]
    by_label = {row[0]: row for row in rows if row and row[0] is not None}
    assert by_label["抵免额"][1] == float(opening["credit"])  # opening, a number
    header = next(i for i, row in enumerate(rows) if row[0] == "行号")
    sheet_lines = [(row[0], row[4]) for row in rows[header + 1:header + 1 + len(lines)]]
    assert all(isinstance(a, (int, float)) for _i, a in sheet_lines)
    assert [(i, Decimal(str(a)).quantize(Decimal("0.01"))) for i, a in sheet_lines] == lines and rows[header + 1 + len(lines)][0] is None
    assert all(isinstance(row[1], dt.datetime) for row in rows[header + 1:header + 1 + len(lines)])
    closing_row = next(row for row in rows[header + 1 + len(lines):] if row[0] == "抵免额")
    assert [Decimal(str(x)).quantize(Decimal("0.01")) for x in closing_row[1:4]] == [
        opening["credit"], closing["credit"] - opening["credit"], closing["credit"]]
    assert any(tuple(row[:2]) == (2022, float(carried[2022])) for row in rows)
    md = xiaoqi_cli("incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2023").output
    assert "| 抵免额 | 26,000.15 | -8,000.00 | 18,000.15 |" in md and "inc_surcharges" in md
    assert reg.apprentice.id_number in md  # the admin sees the case keys whole


def test_a_statement_refuses_an_extension_it_does_not_write_and_an_enterprise_sees_only_its_own(xiaoqi_factory, xiaoqi_cli, tmp_path):
    reg = _history(xiaoqi_factory, xiaoqi_cli)
    for name in ("st.odt", "st.doc", "st"):
        out = xiaoqi_cli("incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2023", "-o", str(tmp_path / name))
        assert out.exit_code != 0 and ".md、.xlsx、.pdf 或 .docx" in out.stderr and not (tmp_path / name).exists()
    other = xiaoqi_cli("--as", f"enterprise:{reg.other.uscc}", "incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2023")
    assert other.exit_code != 0 and "不在你的权限范围内" in other.stderr
    own = xiaoqi_cli("--as", f"enterprise:{reg.firm.uscc}", "incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2022")
    assert own.exit_code == 0 and "| 抵免额 | 0.00 | 26,000.15 | 26,000.15 |" in own.output
    school = xiaoqi_cli("--as", f"school:{reg.apprentice.school_code}", "incentives", "statement", "--enterprise", reg.firm.uscc, "--year", "2022")
    assert school.exit_code == 0 and "抵免额形成" not in school.output and "补贴申请" in school.output
    assert reg.apprentice.id_number not in school.output


@BOTH
def test_the_beancount_export_passes_beancounts_own_checker(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine, tmp_path):
    from beancount import loader

    reg = _history(xiaoqi_factory, xiaoqi_cli)
    xiaoqi_factory.record("inc_revocations", uscc=reg.firm.uscc, revoked_on=dt.date(2025, 3, 1), fraud=True, void_from_year=2022)
    assert xiaoqi_cli("incentives", "accrue", "--year", "2025").exit_code == 0
    path = tmp_path / "ledger.beancount"
    assert xiaoqi_cli("incentives", "export", "--format", "beancount", "-o", str(path)).exit_code == 0
    entries, errors, _options = loader.load_file(str(path))
    assert errors == [], [str(e.message) for e in errors]
    balances = [e for e in entries if type(e).__name__ == "Balance"]
    with xiaoqi_engine.connect() as conn:
        groups = conn.execute(sa.text("SELECT COUNT(*) FROM (SELECT DISTINCT uscc, account, period FROM inc_lines) g")).scalar()
        lines = conn.execute(sa.text("SELECT COUNT(*) FROM inc_lines")).scalar()
    assert len(balances) == groups and len([e for e in entries if type(e).__name__ == "Transaction"]) == lines
    assert any("Liabilities:Incentives:Repayable" in e.account for e in balances)
    # and a tampered export is caught by the checker: one balance off by a yuan
    text = path.read_text(encoding="utf-8")
    first_balance = next(line for line in text.splitlines() if " balance Assets:Incentives:Credit" in line)
    head, amount, currency = first_balance.rsplit(" ", 2)
    tampered = text.replace(first_balance, f"{head} {Decimal(amount) + 1} {currency}")
    _e, errors, _o = loader.load_string(tampered)
    assert errors and "Balance failed" in str(errors[0].message)
