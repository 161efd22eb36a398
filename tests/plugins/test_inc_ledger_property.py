"""A property of the ledger (hypothesis): for random histories of credit earned, used (never
beyond what is available), reversed and periods closed, the balances the one query gives equal
the sums of the lines, no credit balance is ever negative, and replaying the lines into an empty
ledger gives the same balances."""

from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.errors import Conflict
from xiaoqi.testing import XiaoqiFactory, copy_sqlite

YEARS = st.integers(2021, 2024)
OPS = st.lists(st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 1), YEARS, st.integers(1, 10_000_000)),
    st.tuples(st.just("use"), st.integers(0, 1), YEARS, st.integers(1, 10_000_000)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("close"), YEARS),
), min_size=1, max_size=25)

counter = itertools.count()


def _fresh(template, tmp_path_factory):
    url = copy_sqlite(template, tmp_path_factory.mktemp("prop") / f"l{next(counter)}.db")
    engine = make_engine(url)
    factory = XiaoqiFactory(engine)
    firms = [factory.enterprise().uscc, factory.enterprise().uscc]
    return engine, firms


def _apply(engine, firms, op) -> None:
    from xiaoqi.plugins.incentives import ledger

    with write_session(engine) as session:
        conn = session.connection()
        if op[0] == "earn":
            _, who, year, fen = op
            ledger.post(session, ADMIN, [ledger.Entry(uscc=firms[who], line_type="earned", amount=ledger.yuan(fen),
                                                      entry_date=dt.date(year, 12, 31), scheme="pce", source_kind="t",
                                                      source_key="t", vintage=year)])
        elif op[0] == "use":
            _, who, year, fen = op
            try:
                entries = ledger.credit_use_entries(conn, firms[who], ledger.yuan(fen), year=year, entry_date=dt.date(year, 12, 31),
                                                    source_kind="t", source_key="t")
            except Conflict:
                return  # more than available: refused, nothing written
            ledger.post(session, ADMIN, entries)
        elif op[0] == "reverse":
            # only an earned line whose vintage still holds its amount (a used credit is not taken back)
            rows = conn.execute(sa.text(
                "SELECT l.id, l.uscc, l.vintage, l.amount_fen FROM inc_lines l WHERE l.line_type = 'earned' "
                "AND NOT EXISTS (SELECT 1 FROM inc_lines r WHERE r.reverses_id = l.id) ORDER BY l.id")).all()
            if not rows:
                return
            line = rows[op[1] % len(rows)]
            left = conn.execute(sa.text("SELECT COALESCE(SUM(amount_fen), 0) FROM inc_lines WHERE uscc = :u AND vintage = :v"),
                                {"u": line.uscc, "v": line.vintage}).scalar()
            if left < line.amount_fen:
                return
            ledger.reverse(session, ADMIN, line.id, reason="test", on=dt.date(2024, 12, 31))
        else:
            try:
                ledger.close_period(session, ADMIN, op[1], on=dt.date(op[1] + 1, 1, 15))
            except Conflict:
                return


def _sums(conn) -> dict:
    rows = conn.execute(sa.text("SELECT uscc, account, period, amount_fen FROM inc_lines ORDER BY id")).all()
    out: dict = {}
    for r in rows:
        out[(r.uscc, r.account, r.period)] = out.get((r.uscc, r.account, r.period), 0) + r.amount_fen
    running, balances = {}, {}
    for (uscc, account, period), moved in sorted(out.items()):
        running[(uscc, account)] = running.get((uscc, account), 0) + moved
        balances[(uscc, account, period)] = (moved, running[(uscc, account)])
    return balances


def _queried(conn) -> dict:
    from xiaoqi.plugins.incentives import ledger

    return {(r["uscc"], r["account"], r["period"]): (r["movement_fen"], r["balance_fen"]) for r in ledger.balances(conn, ADMIN)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_balances_are_the_sums_of_the_lines_never_negative_and_replayable(ops, xiaoqi_sqlite_template, tmp_path_factory):
    engine, firms = _fresh(xiaoqi_sqlite_template, tmp_path_factory)
    replay_engine, _ = _fresh(xiaoqi_sqlite_template, tmp_path_factory)
    try:
        for op in ops:
            _apply(engine, firms, op)
        with engine.connect() as conn:
            queried, summed = _queried(conn), _sums(conn)
            lines = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM inc_lines ORDER BY id"))]
            periods = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM inc_periods ORDER BY year"))]
        assert queried == summed
        assert all(balance >= 0 for (_u, account, _p), (_m, balance) in queried.items() if account == "credit")
        with engine.connect() as conn:  # and per vintage: nothing used that was not there
            assert conn.execute(sa.text("SELECT COUNT(*) FROM (SELECT uscc, vintage FROM inc_lines GROUP BY uscc, vintage "
                                        "HAVING SUM(amount_fen) < 0) n")).scalar() == 0
        with replay_engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO inc_periods (year) VALUES (:year)"), [{"year": p["year"]} for p in periods] or [{"year": 2021}])
            if lines:
                cols = list(lines[0])
                conn.execute(sa.text(f"INSERT INTO inc_lines ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"), lines)
        with replay_engine.connect() as conn:
            assert _queried(conn) == queried
    finally:
        engine.dispose()
        replay_engine.dispose()


def test_a_refused_use_writes_nothing(xiaoqi_factory, xiaoqi_engine):
    firm = xiaoqi_factory.enterprise().uscc
    _apply(xiaoqi_engine, [firm, firm], ("earn", 0, 2022, 100))
    _apply(xiaoqi_engine, [firm, firm], ("use", 0, 2022, 101))
    with xiaoqi_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT line_type, amount_fen FROM inc_lines")).all() == [("earned", 100)]
        assert _queried(conn)[(firm, "credit", 2022)] == (100, 100)
