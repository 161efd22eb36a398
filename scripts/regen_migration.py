"""Regenerate a first migration from the models (development only, before it has ever shipped).

    python scripts/regen_migration.py core            # core/migrations/versions/0001_core.py
    python scripts/regen_migration.py PLUGIN_NAME     # the plugin's own branch, e.g. luban

A migration that has shipped is never regenerated: add a new revision with
``alembic revision --autogenerate`` semantics instead (see docs/plugins.md).
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlmodel import SQLModel

from xiaoqi.core import migrate, plugins
from xiaoqi.core.db import make_engine


def main(target: str) -> None:
    tmp = Path(tempfile.mkdtemp()) / "regen.db"
    engine = make_engine(f"sqlite:///{tmp}")
    if target == "core":
        plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False, builtins=False))
        versions = migrate.HERE / "versions"
        for old in versions.glob("0001_*.py"):
            old.unlink()
        with engine.begin() as conn:
            cfg = migrate.alembic_config(conn)
            command.revision(cfg, message="core schema", autogenerate=True, rev_id="0001", branch_label="core",
                             version_path=str(versions))
        return
    module = next(m for m in plugins.DEFAULT_PLUGINS if m.rsplit(".", 1)[-1] == target)
    plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False, builtins=False))
    migrate.upgrade(engine)  # the core at head, without the plugin
    pm = plugins.make_plugin_manager(entry_points=False, builtins=False)
    plugin = importlib.import_module(module)
    pm.register(plugin, name=module)
    plugins.set_plugin_manager(pm)
    own = {model.__tablename__ for model in migrate.hook_results("xiaoqi_register_models")}
    location = Path(migrate.hook_results("xiaoqi_migration_locations")[0])
    location.mkdir(parents=True, exist_ok=True)
    for old in location.glob(f"{target}_0001_*.py"):
        old.unlink()
    with engine.begin() as conn:
        cfg = migrate.alembic_config(conn)
        cfg.attributes["include_tables"] = own
        # a branch of its own from base, without depends_on: xiaoqi.core.migrate.upgrade runs the core
        # branch first, and alembic_version then keeps the core's head beside the plugin's (with
        # depends_on it keeps only the plugin's, and a database whose plugin is later disabled would
        # look as if it had no core revision at all)
        command.revision(cfg, message=f"{target} schema", autogenerate=True, rev_id=f"{target}_0001",
                         branch_label=target, head="base", version_path=str(location))
    assert SQLModel.metadata.tables


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "core")
