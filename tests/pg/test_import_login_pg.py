"""A login's import on PostgreSQL writes through COPY under its own row-level security: its created
rows are staged in a temporary table and moved by one INSERT ... SELECT that the login's WITH
CHECK policies judge (COPY FROM refuses a table under row-level security, and the login's name
for the table is its masked view, whose trigger writes row by row); its audit entries are copied
into the audit log itself."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.io import pgwrite
from xiaoqi.core.models import Internship

from .test_logins_pg import _raw, shared  # noqa: F401  (shared: the fixture)

pytestmark = pytest.mark.pg


def test_a_school_logins_copy_is_staged_and_judged_by_its_row_security(shared):  # noqa: F811
    url, engine, login, facts = shared
    school = facts["school"]
    _name, school_url = login(f"school:{school}")
    table = Internship.__table__
    names = [c for c in table.c.keys() if c != "id"]
    cols = ", ".join(f'"{n}"' for n in names)
    with engine.connect() as conn:
        own, other = (conn.exec_driver_sql(f"SELECT {cols} FROM internships WHERE school_code {op} %(s)s ORDER BY id LIMIT 1",
                                           {"s": school}).one() for op in ("=", "<>"))
        before = conn.exec_driver_sql("SELECT count(*) FROM internships").scalar_one()
        assert pgwrite.copy_target(conn.connection.dbapi_connection, "audit_log") == '"audit_log"'  # the owner's own
    start = names.index("start_on"), names.index("end_on")

    def moved(row, years: int) -> tuple:
        row = list(row)
        for pos in start:
            row[pos] = row[pos] + dt.timedelta(days=366 * years)
        return tuple(row)

    dialect = engine.dialect
    with _raw(school_url) as raw:
        raw.autocommit = False
        writer = pgwrite.CopyWriter(raw, table, names, dialect)
        assert (writer.target, writer.staged) == ('public."internships"', True)
        assert pgwrite.copy_target(raw, "audit_log") == 'public."audit_log"'
        writer.write([moved(own, 5), moved(own, 6)])
        ids = raw.execute("SELECT id FROM internships WHERE school_code = %s ORDER BY id DESC LIMIT 2", (school,)).fetchall()
        raw.commit()
        # another school's internship: refused by the login's WITH CHECK policy, as an INSERT would be
        writer = pgwrite.CopyWriter(raw, table, names, dialect)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            writer.write([moved(other, 5)])
        raw.rollback()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM internships").scalar_one() == before + 2
        made = conn.execute(sa.select(table.c.id, table.c.start_on).where(table.c.id.in_([i for (i,) in ids]))
                            .order_by(table.c.id)).all()
        # in the order they were written: the ids a sequence gave them run in it
        assert [s for _i, s in made] == [moved(own, 5)[start[0]], moved(own, 6)[start[0]]]


def test_a_logins_large_import_keeps_the_indexes_and_foreign_keys(shared, tmp_path, monkeypatch):  # noqa: F811
    """A login's import (not the table's owner, under its row-level security) never drops the
    table's indexes or foreign keys, however large: the database checks each row's keys as it
    always did, and the definitions are the same after it; the owner's import of the same file
    (a dry run) would drop them."""
    from tests.cli.test_import_cli import demo_rows, write_gb18030
    from xiaoqi.core.io import indexes

    from .test_import_pg import _constraint_definitions, _index_definitions, record_pauses
    from .test_logins_pg import _cli

    url, engine, login, facts = shared
    school = facts["school"]
    _name, school_url = login(f"school:{school}")
    decided = record_pauses(monkeypatch)
    monkeypatch.setattr(indexes, "rebuilds", lambda creating, before: True)  # however many rows the table holds
    cols, rows = demo_rows(url, "internships")
    names = [c.name for c in cols]
    data = []
    for r in rows:
        if r["school_code"] == school:
            row = [r[n] for n in names]
            for pos in (names.index("start_on"), names.index("end_on")):  # new keys: the same internship years later
                row[pos] = row[pos].replace(year=row[pos].year + 5)
            for pos, name in enumerate(names):  # (a school's login does not see the enterprises' teachers)
                if name.startswith("enterprise_mentor"):
                    row[pos] = None
            data.append(row)
    assert data
    path = write_gb18030(tmp_path / "later.csv", [c.zh for c in cols], data)
    definitions, constraints = _index_definitions(url), _constraint_definitions(url)
    code, out, err = _cli(url, "import", "internships", path, "--dry-run")  # the owner
    assert code == 0, (out, err)
    assert decided[0][2][0] and decided[0][2][1]
    decided.clear()
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM internships").scalar_one()
    code, out, err = _cli(school_url, "import", "internships", path)
    assert code == 0, (out, err)
    assert decided == [("internships", True, ([], []))]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM internships").scalar_one() == before + len(data)
    assert _index_definitions(url) == definitions and _constraint_definitions(url) == constraints
