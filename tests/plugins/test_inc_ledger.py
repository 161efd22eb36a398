"""The incentives ledger: append-only on both databases (the database refuses UPDATE, DELETE, a
line in a closed period and a reversal that does not undo its line), corrections landing in the
next open period, balances in one query, and the ledger written only through its service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN, AUDITOR, Actor
from xiaoqi.core.db import write_session
from xiaoqi.core.errors import Conflict, PermissionDenied

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _earn(engine, uscc, amount, day, **kw):
    from xiaoqi.plugins.incentives import ledger

    entry = ledger.Entry(uscc=uscc, line_type=kw.pop("line_type", "earned"), amount=Decimal(amount), entry_date=day, scheme="pce",
                         source_kind="inc_investments", source_key=kw.pop("source_key", "HT-1"), vintage=kw.pop("vintage", day.year), **kw)
    with write_session(engine) as session:
        return ledger.post(session, ADMIN, [entry])[0]


def _close(engine, year, on=dt.date(2026, 1, 31)):
    from xiaoqi.plugins.incentives import ledger

    with write_session(engine) as session:
        ledger.close_period(session, ADMIN, year, on=on)


@BOTH
def test_the_database_refuses_update_and_delete_of_a_line(xiaoqi_factory, xiaoqi_engine):
    firm = xiaoqi_factory.enterprise()
    line_id = _earn(xiaoqi_engine, firm.uscc, "300.00", dt.date(2024, 12, 31))
    for statement in (f"UPDATE inc_lines SET amount_fen = 1 WHERE id = {line_id}", f"DELETE FROM inc_lines WHERE id = {line_id}",
                      "UPDATE inc_lines SET note = 'x'"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with xiaoqi_engine.begin() as conn:
                conn.exec_driver_sql(statement)
    with xiaoqi_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT amount_fen, note FROM inc_lines").all() == [(30000, None)]


@BOTH
def test_a_closed_period_refuses_lines_and_stays_closed(xiaoqi_factory, xiaoqi_engine):
    firm = xiaoqi_factory.enterprise()
    _earn(xiaoqi_engine, firm.uscc, "100.00", dt.date(2023, 6, 30))
    _close(xiaoqi_engine, 2023)
    raw = ("INSERT INTO inc_lines (uscc, account, line_type, period, entry_date, amount_fen, scheme, source_kind, source_key, actor, recorded_at) "
           f"VALUES ('{firm.uscc}', 'credit', 'earned', 2023, '2023-12-31', 5, 'pce', 'x', 'y', 'admin', '2026-01-01 00:00:00')")
    with pytest.raises(sa.exc.DBAPIError, match="period is closed"):
        with xiaoqi_engine.begin() as conn:
            conn.exec_driver_sql(raw)
    with pytest.raises(sa.exc.DBAPIError, match="outside its period"):
        with xiaoqi_engine.begin() as conn:
            conn.exec_driver_sql(raw.replace("2023, '2023-12-31'", "2024, '2023-12-31'"))
    for statement in ("UPDATE inc_periods SET closed_at = NULL, closed_on = NULL", "DELETE FROM inc_periods"):
        with pytest.raises(sa.exc.DBAPIError, match="closed period stays closed|never deleted"):
            with xiaoqi_engine.begin() as conn:
                conn.exec_driver_sql(statement)
    # the service puts a late correction for 2023 into the next open period, saying so
    late = _earn(xiaoqi_engine, firm.uscc, "20.00", dt.date(2023, 12, 31), line_type="adjusted")
    with xiaoqi_engine.connect() as conn:
        row = conn.execute(sa.text("SELECT period, entry_date, vintage, note FROM inc_lines WHERE id = :i"), {"i": late}).one()
    assert (row.period, str(row.entry_date)[:10], row.vintage) == (2024, "2024-01-01", 2023)
    assert "2023" in row.note and "已结账" in row.note
    with pytest.raises(Conflict, match="已于 2026-01-31 结账"):
        _close(xiaoqi_engine, 2023)


@BOTH
def test_a_reversal_names_its_line_and_undoes_exactly_its_amount(xiaoqi_factory, xiaoqi_engine):
    from xiaoqi.plugins.incentives import ledger

    firm, other = xiaoqi_factory.enterprise(), xiaoqi_factory.enterprise()
    line_id = _earn(xiaoqi_engine, firm.uscc, "1234.56", dt.date(2024, 3, 1))
    with write_session(xiaoqi_engine) as session:
        rev = ledger.reverse(session, ADMIN, line_id, reason="凭证作废", on=dt.date(2024, 4, 1))
    with write_session(xiaoqi_engine) as session, pytest.raises(Conflict, match=f"已于第 {rev} 行冲销"):
        ledger.reverse(session, ADMIN, line_id, reason="again", on=dt.date(2024, 4, 2))
    with write_session(xiaoqi_engine) as session, pytest.raises(Conflict, match="本身是冲销行"):
        ledger.reverse(session, ADMIN, rev, reason="again", on=dt.date(2024, 4, 2))
    with write_session(xiaoqi_engine) as session, pytest.raises(PermissionDenied):
        ledger.reverse(session, Actor("enterprise", firm.uscc), line_id, reason="x", on=dt.date(2024, 4, 2))
    bad = ("INSERT INTO inc_lines (uscc, account, line_type, period, entry_date, amount_fen, scheme, source_kind, source_key, reverses_id, actor, recorded_at) "
           f"VALUES ('{{uscc}}', 'credit', 'reversal', 2024, '2024-05-01', {{fen}}, 'pce', 'inc_lines', 'x', {{rid}}, 'admin', '2026-01-01 00:00:00')")
    other_line = _earn(xiaoqi_engine, firm.uscc, "10.00", dt.date(2024, 3, 1), source_key="HT-2")
    for uscc, fen in ((firm.uscc, -999), (other.uscc, -1000)):
        with pytest.raises(sa.exc.DBAPIError, match="undoes exactly one line"):
            with xiaoqi_engine.begin() as conn:
                conn.exec_driver_sql(bad.format(uscc=uscc, fen=fen, rid=other_line))
    with xiaoqi_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, line_type, amount_fen, reverses_id, note FROM inc_lines ORDER BY id")).all()
    assert [(r.line_type, r.amount_fen, r.reverses_id) for r in rows] == [
        ("earned", 123456, None), ("reversal", -123456, line_id), ("earned", 1000, None)]
    assert rows[1].note == "凭证作废"


@BOTH
def test_balances_per_enterprise_account_and_period_are_one_query_in_scope(xiaoqi_factory, xiaoqi_engine):
    from xiaoqi.plugins.incentives import ledger

    a, b = xiaoqi_factory.enterprise(), xiaoqi_factory.enterprise()
    _earn(xiaoqi_engine, a.uscc, "300.00", dt.date(2022, 12, 31))
    _earn(xiaoqi_engine, a.uscc, "200.00", dt.date(2023, 12, 31))
    _earn(xiaoqi_engine, b.uscc, "50.00", dt.date(2023, 12, 31))
    with write_session(xiaoqi_engine) as session:
        conn = session.connection()
        used = ledger.credit_use_entries(conn, a.uscc, Decimal("350.00"), year=2023, entry_date=dt.date(2023, 12, 31),
                                         source_kind="inc_surcharges", source_key=f"{a.uscc}/2023")
        ledger.post(session, ADMIN, used)
    assert [(e.vintage, e.amount) for e in used] == [(2022, Decimal("300.00")), (2023, Decimal("50.00"))]
    with write_session(xiaoqi_engine) as session, pytest.raises(Conflict, match="可用抵免额 150.00 元"):
        ledger.credit_use_entries(session.connection(), a.uscc, Decimal("150.01"), year=2023, entry_date=dt.date(2023, 12, 31),
                                  source_kind="x", source_key="y")
    with xiaoqi_engine.connect() as conn:
        rows = ledger.balances(conn, ADMIN)
        mine = ledger.balances(conn, Actor("enterprise", b.uscc))
        only_2023 = ledger.balances(conn, AUDITOR, uscc=a.uscc, year=2023)
    assert [(r["uscc"], r["account"], r["period"], r["movement_fen"], r["balance_fen"]) for r in rows] == sorted([
        (a.uscc, "credit", 2022, 30000, 30000), (a.uscc, "credit", 2023, -15000, 15000), (b.uscc, "credit", 2023, 5000, 5000)])
    assert [(r["uscc"], r["balance_fen"]) for r in mine] == [(b.uscc, 5000)]
    assert [(r["movement_fen"], r["balance_fen"], r["lines"]) for r in only_2023] == [(-15000, 15000, 3)]


def test_the_ledger_is_written_only_through_its_service(xiaoqi_factory, xiaoqi_cli, tmp_path):
    firm = xiaoqi_factory.enterprise()
    added = xiaoqi_cli("records", "add", "inc_lines", f"uscc={firm.uscc}", "account=credit", "line_type=earned", "period=2024",
                       "entry_date=2024-12-31", "amount_fen=100", "scheme=pce", "source_kind=x", "source_key=y", "actor=admin", "id=1")
    assert added.exit_code != 0 and "只能通过 xiaoqi incentives 办理" in added.stderr
    path = tmp_path / "lines.csv"
    path.write_text("行号,统一社会信用代码,科目,类型,账期,记账日期,金额（分）,项目,来源记录类型,来源记录,记账人\n"
                    f"1,{firm.uscc},credit,earned,2024,2024-12-31,100,pce,x,y,admin\n", encoding="utf-8")
    imported = xiaoqi_cli("import", "inc_lines", str(path))
    assert imported.exit_code != 0 and "只能通过 xiaoqi incentives 办理" in imported.stderr
    closing = xiaoqi_cli("records", "add", "inc_periods", "year=2024")
    assert closing.exit_code != 0 and "只能通过 xiaoqi incentives 办理" in closing.stderr
    assert xiaoqi_cli("records", "list", "inc_lines", "--format", "json").json == []
