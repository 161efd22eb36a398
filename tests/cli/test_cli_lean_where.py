"""``records list --where/--filter`` on a kind's own columns read with sqlite3 (``lean.conditions_sql``):
for every kind and type of actor on the demo, and for comparisons of every column type, the same
rows and count as the services; the command prints the same on both paths, errors included, and
imports no SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoqi.core import lean
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.services import count_records, list_records

from ..tui.test_lean import _actors
from .test_cli_lean import _both, heavy, run_process


def _text(value) -> str:
    """A stored value as a user types it after --where (是/否 for a flag)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value)
    return value


def _cases(kind, sample: dict, every: bool) -> list[tuple[list, dict]]:
    """(where, filters) pairs for ``kind`` built from one record's values: with ``every``, every
    column compared by = and != (and by order where it has one), text columns by a part and a
    prefix, an empty value; otherwise one column's = (a different one for each kind)."""
    cases = []
    for column in kind.columns:
        value = sample.get(column.name)
        if column.type == "list":
            continue
        if value is None:
            cases.append(([(column.name, "=", "")], {}))
            continue
        text = _text(value)
        cases += [([(column.name, "=", text)], {}), ([(column.name, "!=", text)], {})]
        if column.type in ("date", "money", "int", "hours"):
            cases += [([(column.name, ">=", text)], {}), ([(column.name, "<", text)], {})]
        if isinstance(value, str) and len(value) > 2:
            if column.type == "text":
                cases.append(([], {column.name: value[1:-1]}))
            cases.append(([], {column.name: value[:2] + "*"}))
    if every:
        return cases
    equal = [case for case in cases if case[0] and case[0][0][1] == "="]
    return equal[len(kind.name) % len(equal):][:1] if equal else []


#: the kinds whose every column is compared for every type of actor (the others by one column)
EVERY = ("internships", "students", "enterprises")


def test_filtered_pages_equal_the_services_for_every_kind_and_actor(demo_db):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    engine = make_engine(url)
    conn = lean.connect(path)
    compared = matched = unsupported = 0
    types = set()
    # (the province's and the auditor's scopes are the pages' own, tests/tui/test_lean.py: a
    # condition is joined to the scope with AND whatever the scope)
    for actor in [a for a in _actors(path) if a.role in ("admin", "school", "enterprise")]:
        for kind in get_kinds().values():
            try:
                lean.check_kind(kind, actor)
            except lean.Unsupported:
                continue  # (a where(fn) scope: tests/tui/test_lean.py)
            with read_session(engine) as session:
                first = list_records(session, actor=actor, kind=kind, limit=1)
            if not first.rows:
                continue
            every = kind.name in EVERY and actor.role in ("admin", "school")
            for where, filters in _cases(kind, kind.export_values(first.rows[0]), every):
                try:
                    got = lean.page(conn, actor, kind, limit=40, where=where, filters=filters)
                    got_total = lean.count(conn, actor, kind, where=where, filters=filters)
                except lean.Unsupported:
                    unsupported += 1
                    continue
                with read_session(engine) as session:
                    full = list_records(session, actor=actor, kind=kind, limit=40, names=True, where=where, filters=filters)
                    total = count_records(session, actor=actor, kind=kind, where=where, filters=filters)
                want = [(obj.id, kind.export_values(obj), names) for obj, names in zip(full.rows, full.names)]
                assert got == want, (kind.name, str(actor), where, filters)
                assert got_total == total, (kind.name, str(actor), where, filters)
                compared += 1
                matched += bool(want)
                types.update(kind.by_name[name].type for name in [*(w[0] for w in where), *filters])
    conn.close()
    engine.dispose()
    # most comparisons are read by sqlite3 and find rows (the sample's own value), of every column type
    assert compared > 200 and matched > compared / 2 and unsupported < compared / 10, (compared, matched, unsupported)
    assert {"text", "date", "money", "int", "bool", "choice", "idcard", "uscc", "code10"} <= types, types


CASES = [
    ("internships", "--where", "start_on>=2026-03-01", "--where", "monthly_pay<5000"),
    ("internships", "--where", "开始日期<2026-01-01", "--filter", "kind=岗位实习"),
    ("internships", "--filter", "kind=岗位*", "--limit", "5", "--offset", "3"),
    ("internships", "--where", "guardian_signed=否"),
    ("internships", "--where", "position_code="),
    ("internships", "--where", "monthly_pay!=2500"),
    ("students", "--filter", "name=张"),
    ("students", "--filter", "id_number=3201*"),
    ("enterprises", "--filter", "name=科技", "--format", "json"),
    ("schools", "--where", "region>=32", "--format", "csv"),  # refused: region is not ordered
    ("internships", "--where", "start_on>=2026-13-01"),  # refused: not a date
    ("internships", "--where", "student_name=张三"),  # a name column: the services read it
    ("internships", "--where", "nothing=1"),  # refused: no such column
]


def test_filtered_listing_prints_the_same_on_both_paths(demo_db, xiaoqi_cli, monkeypatch):
    url, _ = demo_db
    for actor in [str(a) for a in _actors(url.removeprefix("sqlite:///")) if a.role in ("admin", "school", "enterprise")]:
        for case in CASES:
            args = ("--as", actor, "records", "list", *case)
            full, lean_run = _both(xiaoqi_cli, monkeypatch, *args, db=url)
            assert (lean_run.exit_code, lean_run.output, lean_run.stderr) == (full.exit_code, full.output, full.stderr), (actor, case)
    # the cases say something: rows for some, the refusals for others
    full, _ = _both(xiaoqi_cli, monkeypatch, "records", "list", *CASES[0], db=url)
    assert full.exit_code == 0 and "第 1" in full.stderr
    refused, _ = _both(xiaoqi_cli, monkeypatch, "records", "list", "internships", "--where", "start_on>=2026-13-01", db=url)
    assert refused.exit_code != 0 and "开始日期" in refused.stderr


def test_a_filtered_listing_imports_no_sqlalchemy(demo_db, tmp_path):
    url, _ = demo_db
    for args in (("records", "list", "internships", "--where", "start_on>=2026-03-01", "--filter", "kind=岗位"),
                 ("records", "list", "students", "--filter", "name=张", "--format", "csv")):
        full = run_process("--db", url, *args, lean=False, cache=tmp_path)
        lean_run = run_process("--db", url, *args, cache=tmp_path)
        assert lean_run[:3] == full[:3] and lean_run[0] == 0 and lean_run[1].strip()
        assert heavy(full[3]) and not heavy(lean_run[3]), (args, heavy(lean_run[3]))


# -- where(fn) scopes kept as SQL ----------------------------------------------------------------

def _where_kinds(actor_type: str) -> list:
    return [kind for kind in get_kinds().values() if any(True for _ in lean._wheres(kind.rights.scope("read", actor_type)))]


def test_kept_where_scopes_read_what_the_services_read(demo_db, tmp_path, monkeypatch):
    """Once the full path kept them, the where(fn) scopes (a school's partners' mentors, a Luban
    workshop's other colleges, ...) are read with sqlite3 and give the services' rows, for every
    type of actor; a source file changed since makes them untrusted."""
    monkeypatch.setenv("XIAOQI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lean, "_KEPT", {})
    url, _ = demo_db
    path = url.removeprefix("sqlite:///")
    engine = make_engine(url)
    conn = lean.connect(path)
    compared = 0
    for actor in _actors(path):
        kinds = _where_kinds(actor.role)
        if not kinds:
            continue
        with pytest.raises(lean.Unsupported):
            lean.check_kind(kinds[0], actor)
        lean.remember_where(actor.role)
        for kind in kinds:
            lean.check_kind(kind, actor)
            with read_session(engine) as session:
                full = list_records(session, actor=actor, kind=kind, limit=10_000, names=True)
                total = count_records(session, actor=actor, kind=kind)
            want = [(obj.id, kind.export_values(obj), names) for obj, names in zip(full.rows, full.names)]
            assert lean.page(conn, actor, kind, limit=10_000) == want, (kind.name, str(actor))
            assert lean.count(conn, actor, kind) == total, (kind.name, str(actor))
            compared += bool(want)
    assert compared >= 4, compared
    # a source file listed with another size: nothing kept is trusted
    from xiaoqi.core import cache

    name = lean._where_name()
    entry = cache.read(name)
    entry["sources"][0][1] += 1
    cache.write(name, entry)
    monkeypatch.setattr(lean, "_KEPT", {})
    with pytest.raises(lean.Unsupported):
        lean.check_kind(_where_kinds("school")[0], next(a for a in _actors(path) if a.role == "school"))
    conn.close()
    engine.dispose()


def test_a_scope_computed_from_anything_but_the_code_is_not_kept():
    import datetime as dt

    import sqlalchemy as sa

    from xiaoqi.core.access import Where

    kind = get_kinds()["teachers"]
    today = Where(lambda model, code: sa.and_(model.school_code == code, sa.literal(dt.date.today()) > sa.literal(dt.date(2020, 1, 1))),
                  ("", ""))
    prefix = Where(lambda model, code: model.school_code.startswith(code[:2]), ("", ""))
    constant = Where(lambda model, code: sa.or_(model.school_code == code, model.name == "某某"), ("", ""))
    assert lean._compile_where(kind, prefix) is None  # the code cut in Python
    assert lean._compile_where(kind, constant) == (
        f"({lean._SELF}.school_code = :code OR {lean._SELF}.name = '某某')")
    assert lean._compile_where(kind, today) is None  # a day computed now


def test_status_as_a_school_reads_with_sqlite3_after_the_first_run(demo_db, tmp_path):
    url, _ = demo_db
    school = next(str(a) for a in _actors(url.removeprefix("sqlite:///")) if a.role == "school")
    full = run_process("--db", url, "--as", school, "status", lean=False, cache=tmp_path)
    first = run_process("--db", url, "--as", school, "status", cache=tmp_path)
    again = run_process("--db", url, "--as", school, "status", cache=tmp_path)
    assert full[0] == 0 and first[:3] == full[:3] and again[:3] == full[:3]
    assert heavy(full[3]) and not heavy(again[3]), heavy(again[3])
