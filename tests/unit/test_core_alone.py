"""The core knows no plugin: with every built-in plugin switched off, every core module imports
without one, and init, demo, status and check work — the demo plants no violation of rules that
are not there. The rules' own violations come from their plugins (``xiaoqi_demo_plant``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from xiaoqi.core import hookimpl
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.demo import generate
from xiaoqi.core.migrate import upgrade
from xiaoqi.core.plugins import DEFAULT_PLUGINS
from xiaoqi.core.rules import internship_key, run_check

TODAY = dt.date(2026, 11, 23)

IMPORT_EVERY_CORE_MODULE = """
import importlib, pkgutil, sys
import xiaoqi.core
for info in pkgutil.walk_packages(xiaoqi.core.__path__, "xiaoqi.core."):
    if not info.name.startswith("xiaoqi.core.migrations"):   # Alembic's scripts, run by Alembic
        importlib.import_module(info.name)
from xiaoqi.core.plugins import get_plugin_manager
assert get_plugin_manager().list_name_plugin() == [], get_plugin_manager().list_name_plugin()
loaded = sorted(m for m in sys.modules if m.startswith("xiaoqi.plugins.") or m.startswith("xiaoqi.tui"))
assert loaded == [], loaded
"""


def test_the_core_works_with_every_builtin_plugin_switched_off(tmp_path):
    env = {**os.environ, "XIAOQI_NO_ENTRYPOINTS": "1", "XIAOQI_DISABLE_PLUGINS": ",".join(DEFAULT_PLUGINS)}
    imported = subprocess.run([sys.executable, "-c", IMPORT_EVERY_CORE_MODULE], capture_output=True, text=True, env=env)
    assert imported.returncode == 0, imported.stderr

    def xiaoqi(*args):
        return subprocess.run([sys.executable, "-m", "xiaoqi.core.cli", "--db", f"sqlite:///{tmp_path / 'alone.db'}", *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path)

    outputs = {}
    for args in (["init"], ["demo", "--today", str(TODAY)], ["status"]):
        result = xiaoqi(*args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (args, result.stdout, result.stderr)
        outputs[args[0]] = result.stdout
    assert "故意设置的违规" not in outputs["demo"]  # no rule, so nothing planted
    assert "实习" in outputs["status"]
    check = xiaoqi("check", "--format", "json")
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["findings"] == [] and report["rules_run"] == []
    plugins = xiaoqi("plugins")
    assert plugins.returncode == 0 and "0" in plugins.stdout


def test_with_no_plugin_the_demo_plants_no_violation(tmp_path):
    from xiaoqi.testing import using_plugin_manager
    from xiaoqi.core import plugins

    alone = plugins.make_plugin_manager(entry_points=False, builtins=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with using_plugin_manager(alone):
        upgrade(engine)
        with write_session(engine) as session:
            manifest = generate(session, size="small", seed=2026, today=TODAY)
    assert manifest.violations == {}
    assert manifest.counts["internships"] > 1000
    engine.dispose()


def test_hook_xiaoqi_demo_plant_lets_a_plugin_plant_what_its_rule_finds(tmp_path):
    """A plugin plants a violation in the rows before they are written; the national plugin's
    own plants are there too, and check finds every planted key."""
    from xiaoqi.testing import plugin_manager_with, using_plugin_manager

    planted = []

    class Planter:
        @hookimpl
        def xiaoqi_demo_plant(self, demo):
            r = next(demo.picks)
            r["night_shift"] = True
            planted.append(internship_key(r))
            demo.manifest.expect("INT-HOURS", planted[-1])

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with using_plugin_manager(plugin_manager_with([Planter()])):
        upgrade(engine)
        with write_session(engine) as session:
            manifest = generate(session, size="small", seed=2026, today=TODAY)
        with read_session(engine) as session:
            found = {f.subject_key for f in run_check(session, rules=["INT-HOURS"], as_of=TODAY).findings}
    assert planted and planted[0] in manifest.violations["INT-HOURS"]
    assert len(manifest.violations["INT-HOURS"]) == 2  # the national plugin's and the planter's
    assert set(manifest.violations["INT-HOURS"]) <= found
    assert "HN-DUAL-MENTOR" in manifest.violations and "APP-DURATION" in manifest.violations
    engine.dispose()
