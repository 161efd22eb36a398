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
