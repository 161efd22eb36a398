"""pytest fixtures for xiaoqi and for plugin authors (loaded through the ``pytest11`` entry point).

Fixtures:
- ``xiaoqi_db_url``: a fresh, migrated database on ``xiaoqi_backend``. SQLite in a temporary file
  by default; PostgreSQL for a test that asks for it (``xiaoqi_backend`` parametrized with "pg"),
  and for every test under ``--xiaoqi-pg URL``: a new database created from a migrated template and
  dropped afterwards, on the server ``--xiaoqi-pg`` or ``XIAOQI_TEST_PG`` names (by default
  ``PG_DEFAULT``), named ``<xiaoqi_pg_prefix>_<random>``.
- ``xiaoqi_pg_prefix``: the prefix of those databases' names ("xiaoqi_test"); override it (session
  scope) so that your databases carry your plugin's name.
- ``xiaoqi_engine`` / ``xiaoqi_session``: an engine on that database and a session in a transaction
  that is committed at the end of the test.
- ``xiaoqi_cli``: run the ``xiaoqi`` CLI against that database and get exit code, output and JSON.
- ``xiaoqi_plugins``: the plugins under test; override it (session scope) in your ``conftest.py``.
- ``xiaoqi_plugin_manager``: a plugin manager with the built-in plugins and ``xiaoqi_plugins`` (no
  entry points), installed as the process-wide one during the test; a test may register more.
- ``schema_drift(engine)``: what differs between migrations, models and record kinds (a test of
  yours asserts it is empty).
- ``xiaoqi_factory``: a ``XiaoqiFactory`` that writes valid records of every kind (checksummed USCCs
  and ID numbers) through the services: ``school()``, ``major()``, ``student()``, ``teacher()``,
  ``enterprise()``, ``agreement()``, ``position()``, ``internship()``, ``policy()``, ``insured()``,
  ``record(kind, ...)``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_addoption(parser):
    # only options of these fixtures, under xiaoqi's own prefix: this module is loaded in every
    # project installed beside xiaoqi (xiaoqi's suite keeps its own options in tests/conftest.py)
    group = parser.getgroup("xiaoqi")
    group.addoption("--xiaoqi-pg", default=None, help="PostgreSQL server URL for xiaoqi's database fixtures")


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


PREFIX_DEFAULT = "xiaoqi_test"


def check_prefix(prefix: str) -> str:
    """A database name prefix: lower-case letters, digits and ``_``, starting with a letter, at most
    40 characters (PostgreSQL names have 63, the rest is for the random part)."""
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", prefix or ""):
        raise ValueError(f"xiaoqi_pg_prefix {prefix!r}: use lower-case letters, digits and _, starting with a letter, "
                         "at most 40 characters (e.g. 'hainan_test')")
    return prefix


def _no_commit_flush(conn, name: str) -> None:
    """A commit on the test database ``name`` does not wait for its WAL to reach the disk
    (``synchronous_commit = off``: about 10 ms less per commit on a busy server). Only a crash of
    the server could lose the last commits, and a test's database does not outlive the test; what a
    transaction sees, and when, is unchanged. A copy (``TEMPLATE``) does not inherit the setting."""
    conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


class PgDatabases:
    """Creates databases named ``<prefix>_<random>`` on a server, from a migrated template
    (``<prefix>_tmpl_<random>``), and drops them."""

    def __init__(self, server_url: str, prefix: str = PREFIX_DEFAULT):
        import sqlalchemy as sa

        self.prefix = check_prefix(prefix)
        self.server_url = server_url
        self.admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.template = None
        self._dropper = None  # (queue, thread, failures) of drop(wait=False), made on first use

    def url_for(self, name: str) -> str:
        import sqlalchemy as sa

        return sa.engine.make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool = True, copy_of: str | None = None) -> str:
        """A new database: migrated (a copy of the migrated template), empty (``migrated=False``),
        or a copy of the database at URL ``copy_of`` (which no one may be connected to): state a
        module builds once and each of its tests gets afresh."""
        import sqlalchemy as sa

        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            if copy_of is not None:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{sa.engine.make_url(copy_of).database}"')
            elif migrated:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._template()}"')
            else:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            _no_commit_flush(conn, name)
        return self.url_for(name)

    def _template(self) -> str:
        if self.template is None:
            from xiaoqi.core.db import make_engine
            from xiaoqi.core.migrate import upgrade

            name = f"{self.prefix}_tmpl_{uuid.uuid4().hex[:12]}"
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                _no_commit_flush(conn, name)
            engine = make_engine(self.url_for(name))
            upgrade(engine)
            engine.dispose()
            self.template = name
        return self.template

    def drop(self, url: str, *, wait: bool = True) -> None:
        """Drop the database of ``url``. ``wait=False`` drops it in the background, together with
        the others waiting then: each ``DROP DATABASE`` waits for a checkpoint of the whole server
        (seconds on a busy one), and drops issued at the same time share one. ``close`` waits for
        every such drop and fails if one did."""
        import sqlalchemy as sa

        name = sa.engine.make_url(url).database
        if wait:
            self._drop_now(name)
            return
        if self._dropper is None:
            import queue
            import threading

            pending: queue.Queue = queue.Queue(maxsize=32)  # a test waits when 32 databases are left to drop
            failures: list[str] = []

            def drop_one(waiting: str) -> None:
                try:
                    self._drop_now(waiting)
                except Exception as exc:  # reported by close(): the database was left behind
                    failures.append(f"{waiting}: {exc}")

            def work() -> None:
                done = False
                while not done:
                    batch = [pending.get()]
                    while len(batch) < 8:  # the admin engine's pool holds 15 connections
                        try:
                            batch.append(pending.get_nowait())
                        except queue.Empty:
                            break
                    done = None in batch
                    drops = [threading.Thread(target=drop_one, args=(n,)) for n in batch if n is not None]
                    for thread in drops:
                        thread.start()
                    for thread in drops:
                        thread.join()

            thread = threading.Thread(target=work, name="xiaoqi-pg-drop", daemon=True)
            thread.start()
            self._dropper = (pending, thread, failures)
        self._dropper[0].put(name)

    def _drop_now(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the template, wait for the drops in the background, and close the connections."""
        if self.template:
            self.drop(self.url_for(self.template), wait=False)
            self.template = None
        if self._dropper is not None:
            pending, thread, failures = self._dropper
            pending.put(None)
            thread.join()
            self._dropper = None
            if failures:
                raise RuntimeError("test databases not dropped: " + "; ".join(failures))
        self.admin.dispose()


@pytest.fixture(scope="session")
def xiaoqi_pg_prefix() -> str:
    """The prefix of the test databases' names. Override it in your ``conftest.py`` so that the
    databases your tests create (and leave behind, if a run is killed) say whose they are::

        @pytest.fixture(scope="session")
        def xiaoqi_pg_prefix():
            return "hainan_test"
    """
    return PREFIX_DEFAULT


@pytest.fixture(scope="session")
def xiaoqi_pg(request, xiaoqi_pg_prefix):
    """A ``PgDatabases`` for the test server (skips, or fails under CI, when there is none)."""
    url = require_pg(request.config)
    dbs = PgDatabases(url, xiaoqi_pg_prefix)
    plugins_under_test = request.getfixturevalue("xiaoqi_plugins")
    if plugins_under_test:
        with using_plugin_manager(plugin_manager_with(plugins_under_test)):
            dbs._template()
    yield dbs
    dbs.close()


# -- SQLite ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def xiaoqi_sqlite_template(tmp_path_factory, xiaoqi_plugins) -> Path:
    """A migrated, empty SQLite file that tests copy (migrating once per session is faster)."""
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    with using_plugin_manager(plugin_manager_with(xiaoqi_plugins) if xiaoqi_plugins else None):
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
        dbs.drop(url, wait=False)  # nothing connects to it any more (xiaoqi_engine is disposed first)
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


# -- schema drift ----------------------------------------------------------------------------

def schema_drift(engine, kinds=None) -> list[str]:
    """What differs between the migrated database, the models and the record kinds, one line each
    (an empty list when they agree). Three descriptions of the same columns must not drift:

    - the database the migrations built vs the models (Alembic's ``compare_metadata``, types
      included): a model changed without its migration, or the other way round;
    - each record kind vs its model's table: a column the table lacks, a type that cannot hold the
      kind's values, a text longer than the column, an optional column the table requires (a file
      row without it would fail in the database), a key the table does not keep unique.

    ``kinds``: the record kinds to compare (default: every loaded kind, core and plugins). A plugin
    author's test::

        from xiaoqi.testing import schema_drift

        def test_schema(xiaoqi_engine):
            assert schema_drift(xiaoqi_engine) == []
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from xiaoqi.core.kinds import get_kinds
    from xiaoqi.core.migrate import load_models

    load_models()
    with engine.connect() as conn:
        found = [f"migrations vs models: {d!r}"
                 for d in compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)]
    for kind in (get_kinds().values() if kinds is None else kinds):
        found += kind_drift(kind)
    return found


def kind_drift(kind) -> list[str]:
    """How record kind ``kind`` disagrees with its model's table (see ``schema_drift``)."""
    import sqlalchemy as sa

    from xiaoqi.core.kinds import column_types
    from xiaoqi.core.models import Hours, Money

    table = kind.model.__table__
    where = f"kind {kind.name} vs table {table.name}"
    found = []
    holds = {"date": (sa.Date,), "money": (Money,), "hours": (Hours,), "int": (sa.Integer,), "bool": (sa.Boolean,)}
    for col in kind.columns:
        column = table.c.get(col.name)
        if column is None:
            found.append(f"{where}: column {col.name} is not in the table")
            continue
        declared = column_types().get(col.type)  # a plugin's type says how it is stored
        wanted = holds.get((declared.stored_as if declared and declared.stored_as else None) or col.type, (sa.String,))
        stored = column.type
        if isinstance(stored, sa.types.TypeDecorator) and not isinstance(stored, Money):
            stored = stored.impl_instance  # SQLModel's AutoString is a String underneath
        if not isinstance(stored, wanted) or (col.type == "money" and isinstance(stored, Hours)):
            found.append(f"{where}: column {col.name} of type {col.type} is {column.type!r} in the table")
        elif col.type == "text" and getattr(stored, "length", None) and col.max_len > stored.length:
            found.append(f"{where}: column {col.name} takes {col.max_len} characters, the table {stored.length}")
        if not (col.required or col.key or col.name in kind.key) and not column.nullable \
                and column.default is None and column.server_default is None:
            found.append(f"{where}: column {col.name} is optional in the kind but NOT NULL in the table")
    key = set(kind.key)
    unique = [{c.name for c in table.primary_key.columns}]
    unique += [{c.name for c in con.columns} for con in table.constraints if isinstance(con, sa.UniqueConstraint)]
    unique += [{c.name for c in ix.columns} for ix in table.indexes if ix.unique]
    unique += [{c.name} for c in table.columns if c.unique]
    if key and not any(u and u <= key for u in unique):
        found.append(f"{where}: the key ({', '.join(kind.key)}) is not unique in the table")
    return found


# -- plugins and CLI -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def xiaoqi_plugins() -> list:
    """The plugins under test (modules or objects). Override it in your ``conftest.py``::

        @pytest.fixture(scope="session")
        def xiaoqi_plugins():
            from xiaoqi_zhejiang import plugin
            return [plugin]

    They are registered on ``xiaoqi_plugin_manager``, and the test databases are migrated with
    them, so the tables they own exist even when the package is not installed."""
    return []


def plugin_manager_with(plugins_under_test):
    """A plugin manager with the built-in plugins (no entry points) and ``plugins_under_test``."""
    from xiaoqi.core import plugins

    pm = plugins.make_plugin_manager(entry_points=False)
    for plugin in plugins_under_test:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        if pm.get_plugin(name) is None:
            plugins.register_plugin(pm, plugin, name)
    return pm


@contextlib.contextmanager
def using_plugin_manager(pm):
    """Make ``pm`` the process-wide plugin manager for a while (None: leave the current one)."""
    from xiaoqi.core import plugins

    if pm is None:
        yield
        return
    previous = plugins._pm
    plugins.set_plugin_manager(pm)
    try:
        yield
    finally:
        plugins.set_plugin_manager(previous)


@pytest.fixture
def xiaoqi_plugin_manager(xiaoqi_plugins):
    """A plugin manager with the built-in plugins and ``xiaoqi_plugins`` (no entry points),
    installed as the process-wide one during the test; register more plugins on it as needed."""
    from xiaoqi.core import plugins

    pm = plugin_manager_with(xiaoqi_plugins)
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


# -- factories -------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DEFAULT_REGION = "330100"
LIABILITY = "实习责任保险"


def make_uscc(region: str, serial: int) -> str:
    """A valid 统一社会信用代码: "91" (enterprise), the region, a 9-character serial, the check character."""
    digits = []
    for _ in range(9):
        serial, rest = divmod(serial, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[rest])
    from xiaoqi.core.fields import uscc_with_check

    return uscc_with_check("91" + region + "".join(reversed(digits)))


def make_id_number(region: str, birth, serial: int = 0) -> str:
    """A valid 居民身份证号 for someone born on ``birth`` in ``region`` (serial 0–999 tells people apart)."""
    from xiaoqi.core.fields import id_number_with_check

    return id_number_with_check(f"{region}{birth:%Y%m%d}{serial % 1000:03d}")


def make_school_code(region: str, serial: int) -> str:
    """A 10-digit 学校标识码: 4, the province, a serial."""
    return f"4{region[:2]}{serial % 10**7:07d}"


class XiaoqiFactory:
    """Valid records of every kind, written through ``xiaoqi.core.services`` (validated, audited,
    announced to plugins) as admin, with sensible defaults that any keyword overrides.

    Records hang together without being told: ``student()`` uses the latest school made by this
    factory (or makes one), ``internship()`` the latest student and position, and it also makes the
    agreement, the vetting, the consent and a liability policy covering it, so that a default
    internship breaks no national rule; override one column to break exactly one rule::

        def test_under_age(xiaoqi_factory, xiaoqi_cli):
            child = xiaoqi_factory.student(birth=date(2010, 3, 2))
            xiaoqi_factory.internship(student=child, start_on=date(2026, 3, 1))
            assert "INT-AGE-MIN" in {f["rule"] for f in xiaoqi_cli("check", "--format", "json").json["findings"]}

    Without a ``session`` every call commits its own transaction (so the CLI sees it at once);
    with one, the records are flushed into that session and committed with it.
    """

    def __init__(self, engine=None, *, session=None, actor=None, region: str = DEFAULT_REGION):
        if engine is None and session is None:
            raise TypeError("XiaoqiFactory needs an engine or a session")
        from xiaoqi.core.actors import ADMIN

        self.engine = engine
        self.session = session
        self.actor = actor or ADMIN
        #: the region code (6 digits) of schools, enterprises and ID numbers unless given
        self.region = region
        self._serial = 0
        self._latest: dict[str, object] = {}
        self._agreed: set[tuple[str, str]] = set()
        self._active = None

    # -- plumbing ------------------------------------------------------------------------------
    def _next(self) -> int:
        self._serial += 1
        return self._serial

    def _unit(self):
        """The session to write in: the given one, the one of an enclosing call, or a new one."""
        import contextlib

        from xiaoqi.core.db import write_session

        if self.session is not None:
            return contextlib.nullcontext(self.session)
        if self._active is not None:
            return contextlib.nullcontext(self._active)

        @contextlib.contextmanager
        def unit():
            with write_session(self.engine) as session:
                self._active = session
                try:
                    yield session
                finally:
                    self._active = None

        return unit()

    def record(self, kind: str, /, **values):
        """Create one record of any kind (a plugin's too) from column values; returns the table row."""
        from xiaoqi.core.kinds import get_kind
        from xiaoqi.core.services import create_record

        record_kind = get_kind(kind)
        unknown = sorted(set(values) - set(record_kind.by_name))
        if unknown:
            raise TypeError(f"{record_kind.name} has no column {', '.join(unknown)}; columns: {', '.join(record_kind.by_name)}")
        data = {name: value for name, value in values.items() if value is not None}
        with self._unit() as session:
            obj = create_record(session, actor=self.actor, kind=record_kind, data=data)
        self._latest[record_kind.name] = obj
        return obj

    def latest(self, kind: str):
        """The last record of ``kind`` this factory made (None if it made none)."""
        return self._latest.get(kind)

    def _parent(self, kind: str, given, make):
        if given is not None:
            return given
        return self._latest.get(kind) or make()

    # -- one method per kind -------------------------------------------------------------------
    def school(self, **values):
        """学校: a 高职 college in the factory's region."""
        n = self._next()
        region = values.pop("region", None) or self.region
        return self.record("schools", **{
            "school_code": make_school_code(region, n), "name": f"示例职业技术学院{n}", "level": "高职",
            "region": region, "contact": "陈老师", "phone": "0571-88880000", **values,
        })

    def major(self, school=None, **values):
        """专业: 机电一体化技术 (460301, category 46) of ``school`` (default: the latest school)."""
        school = self._parent("schools", school, self.school)
        return self.record("majors", **{"school_code": school.school_code, "major_code": "460301",
                                        "name": "机电一体化技术", **values})

    def student(self, school=None, major=None, *, birth=None, **values):
        """学生: born 2006-05-01 (``birth=`` changes it, and the ID number with it), enrolled 2023-09-01."""
        import datetime as dt

        school = self._parent("schools", school, self.school)
        if major is None:
            latest = self._latest.get("majors")
            major = latest if latest is not None and latest.school_code == school.school_code else self.major(school)
        n = self._next()
        birth = birth or dt.date(2006, 5, 1)
        return self.record("students", **{
            "school_code": school.school_code, "student_no": f"S{n:06d}", "name": f"学生{n}",
            "id_number": make_id_number(school.region, birth, n), "major_code": major.major_code,
            "enrolled_on": dt.date(2023, 9, 1), "class_name": "机电2301班", "guardian": "家长",
            "guardian_phone": "13800000000", **values,
        })

    def teacher(self, school=None, enterprise=None, *, birth=None, **values):
        """教师: a 专任 specialist teacher of ``school`` (default: the latest school), hired 2015-09-01,
        with enterprise experience. ``kind="企业导师"`` makes a mentor of ``enterprise`` (default: the
        latest enterprise) instead; ``kind="兼职"`` a part-time teacher of the school."""
        import datetime as dt

        kind = values.get("kind", "专任")
        n = self._next()
        birth = birth or dt.date(1985, 3, 1)
        row = {"kind": kind, "name": f"教师{n}", "specialist": True, "title": "讲师",
               "hired_on": dt.date(2015, 9, 1), "enterprise_experience": True}
        if kind == "企业导师":
            enterprise = self._parent("enterprises", enterprise, self.enterprise)
            row.update(uscc=enterprise.uscc, title="高级技师")
            region = enterprise.region
        else:
            school = self._parent("schools", school, self.school)
            row["school_code"] = school.school_code
            if enterprise is not None:
                row["uscc"] = enterprise.uscc
            region = school.region
        row["id_number"] = make_id_number(region, birth, n)
        row.update(values)
        return self.record("teachers", **row)

    def enterprise(self, **values):
        """企业: 500 on-post staff, industry 3484 (智能装备), in the factory's region."""
        n = self._next()
        region = values.pop("region", None) or self.region
        return self.record("enterprises", **{
            "uscc": make_uscc(region, n), "name": f"示例智能装备有限公司{n}", "industry_code": "3484",
            "region": region, "staff_count": 500, **values,
        })

    def agreement(self, school=None, enterprise=None, **values):
        """校企合作协议: an 实习基地 agreement signed 2024-01-01, the unit vetted on 2023-12-15."""
        import datetime as dt

        school = self._parent("schools", school, self.school)
        enterprise = self._parent("enterprises", enterprise, self.enterprise)
        n = self._next()
        obj = self.record("agreements", **{
            "school_code": school.school_code, "uscc": enterprise.uscc, "agreement_no": f"XQ-{n:06d}",
            "kind": "实习基地", "signed_on": dt.date(2024, 1, 1), "vetted_on": dt.date(2023, 12, 15), **values,
        })
        self._agreed.add((school.school_code, enterprise.uscc))
        return obj

    def position(self, enterprise=None, **values):
        """岗位: 装配技术员 for major category 46, 100 staff on the post, ¥5,000.00 a month."""
        from decimal import Decimal

        enterprise = self._parent("enterprises", enterprise, self.enterprise)
        n = self._next()
        return self.record("positions", **{
            "uscc": enterprise.uscc, "position_code": f"P{n:04d}", "title": "装配技术员", "major_category": "46",
            "staff_count": 100, "wage": Decimal("5000.00"), **values,
        })

    def policy(self, holder=None, **values):
        """保险: a 实习责任保险 held and paid by ``holder`` (a school or enterprise row, or its code;
        default the latest school) for 2025, ¥500,000 per person."""
        import datetime as dt
        from decimal import Decimal

        if holder is None:
            holder = self._parent("schools", None, self.school)
        code = holder if isinstance(holder, str) else getattr(holder, "school_code", None) or holder.uscc
        n = self._next()
        return self.record("policies", **{
            "policy_no": f"PICC-{n:08d}", "insurer": "中国人民财产保险股份有限公司", "kind": LIABILITY,
            "holder": code, "payer": "学校" if len(code) == 10 else "企业", "start_on": dt.date(2025, 1, 1),
            "end_on": dt.date(2025, 12, 31), "cover_per_person": Decimal("500000.00"), "premium": Decimal("120.00"),
            **values,
        })

    def insured(self, policy=None, student=None, **values):
        """被保险人: ``student`` (default the latest) on ``policy`` (default the latest), for the policy's term."""
        policy = self._parent("policies", policy, self.policy)
        student = self._parent("students", student, self.student)
        return self.record("insured", **{"policy_no": policy.policy_no, "id_number": student.id_number, **values})

    def internship(self, student=None, position=None, *, insure: bool = True, **values):
        """实习: a 岗位实习 from 2025-03-01 to 2025-08-31 paid ¥4,500.00 a month, breaking no national rule.

        Also makes what such an internship needs and is not given: an agreement with a vetting
        before the start (once per school and enterprise), and — unless ``insure=False`` — a
        liability policy held by the school covering the whole internship, with the student on it.
        ``kind="认识实习"`` leaves out the pay and the position."""
        import datetime as dt
        from decimal import Decimal

        from xiaoqi.core.fields import parse_date

        with self._unit():
            student = self._parent("students", student, self.student)
            school_code = student.school_code
            if position is None:
                latest = self._latest.get("positions")
                position = latest if latest is not None else self.position()
            kind = values.get("kind", "岗位实习")
            start = parse_date(values.pop("start_on", dt.date(2025, 3, 1)))
            end = parse_date(values.pop("end_on", None) or _months_later(start, 6))
            signed = start - dt.timedelta(days=14)
            if (school_code, position.uscc) not in self._agreed:
                self.agreement(self._find("schools", school_code), self._find("enterprises", position.uscc),
                               signed_on=signed - dt.timedelta(days=30), vetted_on=signed - dt.timedelta(days=45))
            row = {
                "school_code": school_code, "id_number": student.id_number, "uscc": position.uscc, "kind": kind,
                "start_on": start, "end_on": end, "agreement_signed_on": signed, "consent_signed_on": signed,
                "guardian_signed": True, "school_mentor": "王老师", "enterprise_mentor": "李师傅",
                "overtime": False, "night_shift": False, "holiday_work": False, "via_agency": False,
            }
            if kind != "认识实习":
                row["position_code"] = position.position_code
            if kind == "岗位实习":
                row.update(monthly_pay=Decimal("4500.00"), pay_cycle_days=30, paid_directly=True)
            row.update(values)
            obj = self.record("internships", **row)
            if insure:
                cover = self.policy(self._find("schools", school_code), start_on=start, end_on=end)
                self.insured(cover, student)
        self._latest["internships"] = obj
        return obj

    def _find(self, kind: str, key: str):
        from xiaoqi.core.services import get_record

        with self._unit() as session:
            return get_record(session, actor=self.actor, kind=kind, key=key)


def _months_later(start, months: int):
    """The day before the same day ``months`` later (a six-month internship from 03-01 ends 08-31)."""
    import calendar
    import datetime as dt

    y, m = divmod(start.year * 12 + start.month - 1 + months, 12)
    m += 1
    day = min(start.day, calendar.monthrange(y, m)[1])
    return dt.date(y, m, day) - dt.timedelta(days=1)


@pytest.fixture
def xiaoqi_factory(xiaoqi_engine) -> XiaoqiFactory:
    """A ``XiaoqiFactory`` on the test database; each call commits, so ``xiaoqi_cli`` sees the records."""
    return XiaoqiFactory(xiaoqi_engine)
