"""Shared fixtures. The database fixtures come from xiaoqi.testing (the plugin authors' kit)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

import pytest

# installed third-party plugins must not change what the suite sees; the discovery test opts in
os.environ["XIAOQI_NO_ENTRYPOINTS"] = "1"
os.environ.pop("XIAOQI_DB", None)
os.environ.pop("XIAOQI_LANG", None)
# the rule-set cache of `xiaoqi check` (xiaoqi.core.lean_check): the suite's own, not the user's
os.environ["XIAOQI_CACHE_DIR"] = tempfile.mkdtemp(prefix="xiaoqi-test-cache-")
# Hypothesis keeps its examples outside the checkout: creating .hypothesis/ in the project's root
# (a directory on sys.path) mid-run would tell the caches above that the installed code changed
# while the process ran (``cache.settled``), and they would keep nothing for the rest of the run
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(os.environ["XIAOQI_CACHE_DIR"], "hypothesis"))

DEMO_TODAY = dt.date(2026, 11, 23)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run the scale tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow scale test: run with --run-slow or from bench/")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_plugin_manager():
    """Each test starts with the default plugin manager and Chinese messages."""
    from xiaoqi.core import plugins
    from xiaoqi.core.i18n import set_lang

    plugins.set_plugin_manager(None)
    token = set_lang(None)
    yield
    plugins.set_plugin_manager(None)
    set_lang(None)
    del token


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, xiaoqi_sqlite_template):
    """A small demo database (made once per session) and its manifest of deliberate violations."""
    from xiaoqi.core.db import make_engine, write_session
    from xiaoqi.core.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(xiaoqi_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with write_session(engine) as session:
        manifest = generate(session, size="small", seed=2026, today=DEMO_TODAY)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, manifest


@pytest.fixture
def demo_db(tmp_path, demo_template):
    """A private copy of the demo database: (sqlite URL, manifest)."""
    path, manifest = demo_template
    dest = tmp_path / "demo.db"
    shutil.copyfile(path, dest)
    return f"sqlite:///{dest}", manifest
