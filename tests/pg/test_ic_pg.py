"""The industrial-college plugin on PostgreSQL: its migration branch, also with the plugin
switched off afterwards (its revision kept aside and put back, its tables and rows untouched)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import core_head, current, ensure_current, heads, table_names, upgrade
from xiaoqi.testing import XiaoqiFactory

from tests.plugins.ic_data import build
from tests.plugins.switch import plugin_loaded
from tests.plugins.test_ic_migration import HEAD, IC_TABLES, counts

pytestmark = pytest.mark.pg


def test_migration_branch_on_postgresql_and_without_the_plugin(xiaoqi_pg, monkeypatch):
    url = xiaoqi_pg.create(migrated=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert IC_TABLES <= table_names(engine)
        assert {core_head(), HEAD} <= current(engine) == heads()
        build(XiaoqiFactory(engine))
        kept = counts(engine, IC_TABLES)
        plugin_loaded(monkeypatch, "industrial_college", False)
        ensure_current(engine, url)
        upgrade(engine)  # sets the unloaded revision aside and puts it back, in one transaction
        assert HEAD in current(engine) and counts(engine, IC_TABLES) == kept
        with engine.connect() as conn:  # the tables keep their constraints: a partner still needs its college
            with pytest.raises(sa.exc.IntegrityError):
                conn.execute(sa.text("DELETE FROM ic_colleges WHERE code = 'CY-01'"))
    finally:
        engine.dispose()
        xiaoqi_pg.drop(url)
