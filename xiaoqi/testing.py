"""pytest fixtures for xiaoqi and for plugin authors (loaded through the ``pytest11`` entry point).

Fixtures:
- ``xiaoqi_db_url``: a fresh, migrated database. SQLite in a temporary file by default; PostgreSQL
  when ``--xiaoqi-pg URL`` or ``XIAOQI_TEST_PG`` names a server (a new database is created from a
  migrated template and dropped afterwards).
- ``xiaoqi_engine`` / ``xiaoqi_session``: an engine on that database and a session in a transaction
  that is committed at the end of the test.
- ``xiaoqi_cli``: run the ``xiaoqi`` CLI against that database and get exit code, output and JSON.
- ``xiaoqi_plugin_manager``: a plugin manager with the built-in plugins (no entry points), to which a
  test registers the plugin under test; it is installed as the process-wide one during the test.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_addoption(parser):
    group = parser.getgroup("xiaoqi")
    group.addoption("--xiaoqi-pg", default=None, help="PostgreSQL server URL for xiaoqi's database fixtures")
    group.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: scale tests, skipped unless --run-slow")
    config.addinivalue_line("markers", "pg: needs the PostgreSQL server")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow scale test: run with --run-slow or from bench/")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# -- PostgreSQL ------------------------------------------------------------------------------

def pg_server_url(config=None) -> str:
    return (config.getoption("--xiaoqi-pg") if config else None) or os.environ.get("XIAOQI_TEST_PG") or PG_DEFAULT


def pg_available(server_url: str) -> str | None:
    """None when the server answers, else the reason."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server here
        return str(exc).splitlines()[0]


def require_pg(config=None) -> str:
    """The server URL, or skip the test (fail under CI=true: PostgreSQL tests must run there)."""
    url = pg_server_url(config)
    reason = pg_available(url)
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {url}: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    return url


class PgDatabases:
    """Creates databases on a server, from a migrated template, and drops them."""

    def __init__(self, server_url: str):
        import sqlalchemy as sa

        self.server_url = server_url
        self.admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.template = None

    def url_for(self, name: str) -> str:
        import sqlalchemy as sa

        return sa.engine.make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool = True) -> str:
        name = f"xiaoqi_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            if migrated:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._template()}"')
            else:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def _template(self) -> str:
        if self.template is None:
            from xiaoqi.core.db import make_engine
            from xiaoqi.core.migrate import upgrade

            name = f"xiaoqi_tmpl_{uuid.uuid4().hex[:12]}"
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            engine = make_engine(self.url_for(name))
            upgrade(engine)
            engine.dispose()
            self.template = name
        return self.template

    def drop(self, url: str) -> None:
        import sqlalchemy as sa

        name = sa.engine.make_url(url).database
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self.template:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def xiaoqi_pg(request):
    """A ``PgDatabases`` for the test server (skips, or fails under CI, when there is none)."""
    url = require_pg(request.config)
    dbs = PgDatabases(url)
    yield dbs
    dbs.close()


# -- SQLite ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def xiaoqi_sqlite_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file that tests copy (migrating once per session is faster)."""
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def copy_sqlite(template: Path, dest: Path) -> str:
    shutil.copyfile(template, dest)
    return f"sqlite:///{dest}"


@pytest.fixture
def xiaoqi_backend(request) -> str:
    """"sqlite" (default) or "pg". Parametrize it indirectly to run a test on both databases:
    ``@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)``;
    ``--xiaoqi-pg URL`` makes "pg" the default."""
    backend = getattr(request, "param", None) or ("pg" if request.config.getoption("--xiaoqi-pg") else "sqlite")
    if backend == "pg":
        require_pg(request.config)
    return backend


@pytest.fixture
def xiaoqi_db_url(request, tmp_path, xiaoqi_sqlite_template, xiaoqi_backend) -> str:
    """A fresh migrated database on the ``xiaoqi_backend`` (SQLite file, or a new PostgreSQL database)."""
    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create()
        yield url
        dbs.drop(url)
        return
    yield copy_sqlite(xiaoqi_sqlite_template, tmp_path / "xiaoqi.db")


@pytest.fixture
def xiaoqi_engine(xiaoqi_db_url):
    from xiaoqi.core.db import make_engine

    engine = make_engine(xiaoqi_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def xiaoqi_session(xiaoqi_engine):
    from sqlmodel import Session

    with Session(xiaoqi_engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


# -- plugins and CLI -------------------------------------------------------------------------

@pytest.fixture
def xiaoqi_plugin_manager():
    """A plugin manager with the built-in plugins only; register the plugin under test on it."""
    from xiaoqi.core import plugins

    pm = plugins.make_plugin_manager(entry_points=False)
    plugins.set_plugin_manager(pm)
    yield pm
    plugins.set_plugin_manager(None)


@dataclass
class CliResult:
    exit_code: int
    output: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.output)


@pytest.fixture
def xiaoqi_cli(xiaoqi_db_url):
    """``xiaoqi_cli("check", "--format", "json")`` runs the CLI on the test database."""
    from click.testing import CliRunner

    from xiaoqi.core.cli import cli

    def run(*args, db: str | None = None, input: str | None = None, env: dict | None = None) -> CliResult:
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", db or xiaoqi_db_url, *map(str, args)], input=input, env=env,
                               catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
