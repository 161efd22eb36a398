"""The industrial-college migration branch: ``init`` creates its tables beside the core's, a
database of the core alone with data gains them on ``db upgrade`` (its rows intact), and a
database with the plugin's tables and rows keeps working — ``db upgrade``, ``status``, ``check``
— when the plugin is switched off, and takes it back when it returns."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import core_head, current, ensure_current, heads, table_names
from xiaoqi.plugins.industrial_college.models import MODELS
from xiaoqi.testing import XiaoqiFactory

from .ic_data import build
from .switch import plugin_loaded

IC_TABLES = {model.__tablename__ for model in MODELS}
HEAD = "industrial_college_0001"


def counts(engine, tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in sorted(tables)}


def test_init_creates_the_tables_and_records_both_heads(tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    assert IC_TABLES <= table_names(engine) and len(IC_TABLES) == 14
    assert {core_head(), HEAD} <= current(engine) == heads()
    engine.dispose()


def test_a_core_database_with_data_gains_the_tables_on_upgrade(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'core.db'}"
    plugin_loaded(monkeypatch, "industrial_college", False)
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    factory = XiaoqiFactory(engine)
    factory.internship()
    factory.teacher(kind="企业导师")
    core = {"schools", "enterprises", "students", "teachers", "internships", "agreements", "audit_log"}
    before = counts(engine, core)
    assert not IC_TABLES & table_names(engine)
    plugin_loaded(monkeypatch, "industrial_college", True)
    refused = xiaoqi_cli("status", db=url)
    assert refused.exit_code == 1 and "db upgrade" in refused.stderr
    assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
    assert IC_TABLES <= table_names(engine) and current(engine) == heads()
    assert counts(engine, core) == before and all(n > 0 for n in before.values())
    engine.dispose()


def test_disabling_the_plugin_leaves_the_core_working_on_a_database_with_its_tables(monkeypatch, tmp_path, xiaoqi_cli):
    url = f"sqlite:///{tmp_path / 'both.db'}"
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    build(XiaoqiFactory(engine))
    kept = counts(engine, IC_TABLES)
    assert all(kept.values())
    plugin_loaded(monkeypatch, "industrial_college", False)
    assert HEAD not in heads()
    ensure_current(engine, url)  # the unloaded plugin's revision is tolerated
    status = xiaoqi_cli("status", "--format", "json", db=url)
    assert status.exit_code == 0 and not any(k.startswith("ic_") for k in status.json["counts"])
    upgraded = xiaoqi_cli("db", "upgrade", db=url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert HEAD in current(engine)  # kept for when the plugin comes back
    assert f"{HEAD} （插件未加载，其数据表保留不动）" in xiaoqi_cli("db", "current", db=url).output
    check = xiaoqi_cli("check", "--format", "json", db=url)
    assert check.exit_code in (0, 1), check.stderr
    assert not any(f["rule"].startswith("IC-") for f in check.json["findings"])
    assert xiaoqi_cli("export", "ic_colleges", db=url).exit_code == 2  # no such kind without the plugin
    plugin_loaded(monkeypatch, "industrial_college", True)
    ensure_current(engine, url)
    assert counts(engine, IC_TABLES) == kept
    assert len(xiaoqi_cli("export", "ic_colleges", "--format", "json", db=url).json) == 2
    engine.dispose()
