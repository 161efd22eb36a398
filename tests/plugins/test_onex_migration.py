"""The 1+X migration branch (``onex_0001``): ``init`` creates its nine tables beside the core's, a
core database with data gains them on ``db upgrade``, and a database holding 1+X rows keeps
working with the plugin switched off (its revision and tables kept for when it returns)."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import core_head, current, ensure_current, heads, table_names
from xiaoqi.plugins.onex.models import MODELS
from xiaoqi.testing import XiaoqiFactory

from .onex_data import build
from .switch import plugin_loaded

TABLES = {model.__tablename__ for model in MODELS}
HEAD = "onex_0001"


def counts(engine, tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in sorted(tables)}


def test_a_core_database_gains_the_tables_and_loses_nothing(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'core.db'}"
    plugin_loaded(monkeypatch, "onex", False)
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    XiaoqiFactory(engine).internship()
    before = counts(engine, {"schools", "students", "internships", "audit_log"})
    assert not TABLES & table_names(engine)
    plugin_loaded(monkeypatch, "onex", True)
    refused = xiaoqi_cli("status", db=url)
    assert refused.exit_code == 1 and "db upgrade" in refused.stderr
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
    assert TABLES <= table_names(engine) and len(TABLES) == 9
    assert {core_head(), HEAD} <= current(engine) == heads()
    assert counts(engine, {"schools", "students", "internships", "audit_log"}) == before
    engine.dispose()


def test_switched_off_the_plugin_leaves_its_rows_and_the_core_working(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'both.db'}"
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    build(XiaoqiFactory(engine))
    kept = counts(engine, TABLES)
    assert all(kept.values())
    plugin_loaded(monkeypatch, "onex", False)
    ensure_current(engine, url)
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0 and HEAD in current(engine)
    check = xiaoqi_cli("check", "--format", "json", db=url)
    assert check.exit_code in (0, 1), check.stderr
    assert not any(f["rule"].startswith("X-") for f in check.json["findings"])
    assert xiaoqi_cli("export", "onex_sessions", db=url).exit_code == 2
    plugin_loaded(monkeypatch, "onex", True)
    assert counts(engine, TABLES) == kept
    assert len(xiaoqi_cli("export", "onex_certificates", "--format", "json", db=url).json) == 3
    engine.dispose()
