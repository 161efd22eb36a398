"""A plugin kind's rows written by a school's or an enterprise's login with psycopg, bypassing
xiaoqi: the database refuses a row that names another school's student or teacher, or a record of
another scope that the login may not read (its WITH CHECK policies follow the kind's references),
and takes the same row naming its own. The kinds come from the registry: every plugin kind that the
permission matrix lets a school or an enterprise create, and every reference of it to a kind that
the login reads only in part."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.access import ALL, scope_clause
from xiaoqi.core.kinds import get_kind, get_kinds
from xiaoqi.core.logins import _policy_clause

from .test_check_logins_pg import logins_demo  # noqa: F401  (the fixture)
from .test_logins_pg import _raw, shared  # noqa: F401  (the fixture)

pytestmark = pytest.mark.pg


def _plugin_kinds():
    return [k for k in get_kinds().values() if ".plugins." in k.model.__module__]


def _sql(engine, kind, clause, what) -> str:
    """``SELECT what FROM kind's table AS t WHERE clause`` (the clause on the alias ``t``) as text."""
    row = sa.orm.aliased(kind.model, name="t")
    stmt = sa.select(*what(row)).select_from(row).where(clause(row)).limit(1)
    return str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})).replace("%%", "%")


def _codes(engine, actor_type: str) -> list[str]:
    table, column = ("schools", "school_code") if actor_type == "school" else ("enterprises", "uscc")
    with engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT {column} FROM {table} ORDER BY {column}")).scalars())


def test_a_plugin_row_naming_a_record_outside_the_writers_scope_is_refused_by_the_database(logins_demo):
    url, engine, login, _facts = logins_demo
    raw_owner = _raw(url)
    tried, refused_by_reference = [], set()
    logins: dict[str, str] = {}
    for kind in _plugin_kinds():
        table = kind.model.__tablename__
        columns = [c.name for c in kind.model.__table__.columns]
        for actor_type in ("school", "enterprise"):
            if not kind.rights.allows("create", actor_type):
                continue
            refs = [r for r in kind.references if get_kind(r.kind).rights.scope("read", actor_type) is not ALL]
            if not refs:
                continue
            for code in _codes(engine, actor_type):
                own = sa.literal(code, sa.String)
                sql = _sql(engine, kind, lambda t: _policy_clause(kind, actor_type, "create", own, t), lambda t: [t.id])
                with engine.connect() as conn:
                    row_id = conn.execute(sa.text(sql)).scalar()
                if row_id is not None:
                    break
            else:
                continue  # the demo has no such row
            cur = raw_owner.cursor()
            values = dict(zip(columns, cur.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", (row_id,)).fetchone()))
            if f"{actor_type}:{code}" not in logins:
                logins[f"{actor_type}:{code}"] = login(f"{actor_type}:{code}")
            for ref in refs:
                target = get_kind(ref.kind)
                outside = _sql(engine, target, lambda t: sa.not_(sa.func.coalesce(
                    scope_clause(target, actor_type, "read", own, t), sa.true())), lambda t: [getattr(t, c) for c in ref.target_columns])
                foreign = cur.execute(outside).fetchone()
                if foreign is None:
                    continue
                tried.append((kind.name, actor_type, ref.kind))
                cur.execute("BEGIN")
                try:
                    cur.execute(f"DELETE FROM {table} WHERE id = %s", (row_id,))
                    cur.execute("COMMIT")
                except psycopg.errors.ForeignKeyViolation:
                    cur.execute("ROLLBACK")
                    tried.pop()
                    break  # other records depend on the row: left as it is
                bad = {**values, **dict(zip(ref.columns, foreign))}
                marks = ", ".join(["%s"] * len(columns))
                with _raw(logins[f"{actor_type}:{code}"]) as raw:
                    c = raw.cursor()
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        c.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [bad[n] for n in columns])
                    # its own references: taken; changed to name the other record: refused
                    c.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [values[n] for n in columns])
                    sets = ", ".join(f"{n} = %s" for n in ref.columns)
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        c.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*foreign, row_id])
                refused_by_reference.add((kind.name, ref.kind))
    raw_owner.close()
    names = {k for k, _a, _r in tried}
    # the plugins' rows on another school's students and teachers, and on others' internships
    assert {("onex_results", "students"), ("tch_practice", "teachers"), ("shaanxi_arrangements", "internships")} <= refused_by_reference, tried
    assert len(names) >= 10, sorted(names)
