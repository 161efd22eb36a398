"""Migration 0002 (teachers) on a database that has data: a database at the previous core head
(0001), filled with the demo's records (every table, every column that existed then — placements
referring to internships included, which SQLite's table rebuild must not break), is upgraded to
head on SQLite and PostgreSQL. Every row is intact, the new internship columns are empty, the
mentors' names are kept, the schema equals the models, and the upgraded database works."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import current, heads, load_models, upgrade

PREVIOUS = "0001"
NEW_INTERNSHIP_COLUMNS = {"school_mentor_id", "enterprise_mentor_id"}


def fill_from(source_url: str, engine) -> dict[str, int]:
    """Copy every row of ``source_url``'s core tables into ``engine``'s (an older schema): the
    columns the older tables have, in foreign-key order. Returns the rows per table."""
    load_models()
    old = sa.MetaData()
    old.reflect(engine)
    source = make_engine(source_url)
    counts = {}
    with source.connect() as src, engine.begin() as dst:
        for table in old.sorted_tables:
            model = SQLModel.metadata.tables.get(table.name)
            if model is None or table.name == "alembic_version":
                continue
            names = [c.name for c in table.columns]
            order = list(model.primary_key.columns)  # the id, or the key of a table without one (import_files)
            rows = [dict(r._mapping) for r in src.execute(sa.select(*(model.c[n] for n in names)).order_by(*order))]
            if rows:
                dst.execute(table.insert(), rows)
            if dst.dialect.name == "postgresql" and "id" in names:
                dst.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"COALESCE((SELECT max(id) FROM \"{table.name}\"), 1))")
            counts[table.name] = len(rows)
    source.dispose()
    return counts


def contents(engine, tables) -> dict[str, list[tuple]]:
    """Every row of ``tables`` (name -> the columns to read), in id order (by every column for a
    table without an id)."""
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(sa.text(
            f'SELECT {", ".join(cols)} FROM "{name}" ORDER BY {"id" if "id" in cols else ", ".join(cols)}'))]
                for name, cols in tables.items()}


def old_database(xiaoqi_backend: str, request, tmp_path, revision: str, demo_url: str | None = None):
    """An empty database of ``xiaoqi_backend`` upgraded to the core ``revision`` (disposed and, on
    PostgreSQL, dropped after the test), filled with the demo's rows when ``demo_url`` is given:
    ``(url, engine, rows per table)``."""
    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(migrated=False)
        request.addfinalizer(lambda: dbs.drop(url))
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    request.addfinalizer(engine.dispose)
    upgrade(engine, revision)
    return url, engine, fill_from(demo_url, engine) if demo_url else {}


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_upgrade_from_the_previous_head_keeps_every_row(xiaoqi_backend, request, tmp_path, demo_db, xiaoqi_cli):
    url, engine, _none = old_database(xiaoqi_backend, request, tmp_path, PREVIOUS)
    assert current(engine) == {PREVIOUS}
    counts = fill_from(demo_db[0], engine)
    assert counts["internships"] > 900 and counts["reservation_placements"] > 0 and counts["students"] > 1000
    old_columns = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in counts}
    before = contents(engine, old_columns)

    upgrade(engine)

    assert current(engine) == heads()
    assert contents(engine, old_columns) == before
    internship_columns = {c["name"] for c in sa.inspect(engine).get_columns("internships")}
    assert NEW_INTERNSHIP_COLUMNS <= internship_columns - set(old_columns["internships"])  # later revisions add more
    with engine.connect() as conn:
        mentors = conn.execute(sa.text("SELECT count(*), count(school_mentor), count(enterprise_mentor), "
                                       "count(school_mentor_id), count(enterprise_mentor_id) FROM internships")).one()
        assert mentors[0] == counts["internships"] and mentors[1] > 0 and mentors[3:] == (0, 0)
        assert conn.execute(sa.text("SELECT count(*) FROM teachers")).scalar() == 0
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert schema_diff(engine) == []
    # the upgraded database works: the check runs, and a mentor named in a file links to a teacher
    checked = xiaoqi_cli("check", "--format", "json", db=url)
    assert checked.exit_code == 1 and checked.json
    with engine.begin() as conn:
        row = conn.execute(sa.text("SELECT id_number, uscc, start_on, end_on, school_code, school_mentor FROM internships "
                                   "WHERE school_mentor IS NOT NULL AND kind = '认识实习' ORDER BY id LIMIT 1")).one()
    teacher = tmp_path / "teacher.csv"
    teacher.write_text(f"身份证号,姓名,教师类别,学校代码\n110101198001010010,{row.school_mentor},专任,{row.school_code}\n",
                       encoding="utf-8")
    assert xiaoqi_cli("import", "teachers", teacher, db=url).exit_code == 0
    internship = tmp_path / "internship.csv"
    internship.write_text(f"身份证号,统一社会信用代码,开始日期,学校代码,实习类型,结束日期,学校指导教师\n"
                          f"{row.id_number},{row.uscc},{row.start_on},{row.school_code},认识实习,{row.end_on},{row.school_mentor}\n",
                          encoding="utf-8")
    imported = xiaoqi_cli("import", "internships", internship, "--format", "json", db=url)
    assert imported.exit_code == 0, imported.output
    assert imported.json["updated"] == 1 and imported.json["unresolved"] == []
    with engine.connect() as conn:
        linked = conn.execute(sa.text("SELECT school_mentor_id FROM internships WHERE id_number = :i AND uscc = :u"),
                              {"i": row.id_number, "u": row.uscc}).scalar()
    assert linked == "110101198001010010"
