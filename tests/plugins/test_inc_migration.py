"""The incentives migration branch: a database of the core alone, with data, gains the ledger on
``db upgrade`` (its rows intact), on SQLite and PostgreSQL; with the plugin switched off a database
holding ledger lines keeps working, and the lines are there when it returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.migrate import current, ensure_current, heads, table_names
from xiaoqi.plugins.incentives.models import MODELS
from xiaoqi.testing import XiaoqiFactory

from .switch import plugin_loaded

TABLES = {model.__tablename__ for model in MODELS}
HEAD = "incentives_0001"


def counts(engine, tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in sorted(tables)}


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_a_core_database_with_data_gains_the_ledger_on_upgrade(monkeypatch, request, tmp_path, xiaoqi_backend, xiaoqi_cli):
    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(migrated=False)
        request.addfinalizer(lambda: dbs.drop(url))
    else:
        url = f"sqlite:///{tmp_path / 'core.db'}"
    plugin_loaded(monkeypatch, "incentives", False)
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    factory = XiaoqiFactory(engine)
    factory.internship(kind="学徒")
    core = {"schools", "enterprises", "students", "internships", "audit_log"}
    before = counts(engine, core)
    assert not TABLES & table_names(engine)
    plugin_loaded(monkeypatch, "incentives", True)
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
    assert TABLES <= table_names(engine) and HEAD in current(engine) and current(engine) == heads()
    assert counts(engine, core) == before and all(n > 0 for n in before.values())
    # the triggers came with it
    from xiaoqi.plugins.incentives import ledger

    uscc = factory.latest("enterprises").uscc
    with write_session(engine) as session:
        ledger.post(session, ADMIN, [ledger.Entry(uscc=uscc, line_type="earned", amount=Decimal("1.00"), entry_date=dt.date(2024, 1, 1),
                                                  scheme="pce", source_kind="t", source_key="t", vintage=2024)])
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM inc_lines")
    engine.dispose()


def test_disabling_the_plugin_keeps_the_ledger_for_its_return(monkeypatch, tmp_path, xiaoqi_cli):
    from xiaoqi.plugins.incentives import ledger

    url = f"sqlite:///{tmp_path / 'both.db'}"
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    uscc = XiaoqiFactory(engine).enterprise().uscc
    with write_session(engine) as session:
        ledger.post(session, ADMIN, [ledger.Entry(uscc=uscc, line_type="earned", amount=Decimal("9.99"), entry_date=dt.date(2024, 1, 1),
                                                  scheme="pce", source_kind="t", source_key="t", vintage=2024)])
    plugin_loaded(monkeypatch, "incentives", False)
    ensure_current(engine, url)
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
    assert xiaoqi_cli("status", db=url).exit_code == 0
    assert xiaoqi_cli("check", db=url).exit_code in (0, 1)
    plugin_loaded(monkeypatch, "incentives", True)
    ensure_current(engine, url)
    assert counts(engine, {"inc_lines"}) == {"inc_lines": 1}
    engine.dispose()
