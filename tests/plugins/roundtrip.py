"""Every kind of a plugin through export → import: each format re-imports in place with nothing
changed and nothing audited, and a fresh database given the exported files holds the same rows."""

from __future__ import annotations

import json

import openpyxl
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kind
from xiaoqi.testing import copy_sqlite


def table_rows(engine, kinds) -> dict[str, list[tuple]]:
    """Every column but the id of each kind's table, in key order: what a round trip must keep."""
    out = {}
    with engine.connect() as conn:
        for name in kinds:
            table = get_kind(name).model.__table__
            cols = [c for c in table.columns if c.name != "id"]
            out[name] = sorted(tuple(r) for r in conn.execute(sa.select(*cols)))
    return out


def audit_count(engine) -> int:
    """Audit entries about changes to records (an import batch's own entry is written whatever it
    changed, and ``export --reveal`` audits each record it shows in full)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind <> 'import_batches' AND action <> 'reveal'")).scalar_one()


def assert_round_trip(request, backend, engine, cli, sqlite_template, tmp_path, *, core_kinds, kinds) -> None:
    """``kinds`` (with rows in every table) survive export and import in xlsx, csv and json;
    ``core_kinds`` are the registry kinds they refer to, in the order a fresh database needs them."""
    before = table_rows(engine, kinds)
    assert all(before[k] for k in kinds), [k for k in kinds if not before[k]]
    audited = audit_count(engine)
    files = {}
    for kind in core_kinds + kinds:
        for fmt in ("xlsx", "csv", "json"):
            out = tmp_path / f"{kind}.{fmt}"
            result = cli("export", kind, "--format", fmt, "--reveal", "-o", out)
            assert result.exit_code == 0, result.stderr
            files[kind, fmt] = out
    # in place: every format re-imports with nothing changed and nothing audited
    for kind in kinds:
        for fmt in ("xlsx", "csv", "json"):
            again = cli("import", kind, files[kind, fmt], "--format", "json")
            assert again.exit_code == 0, again.output + again.stderr
            assert again.json["created"] == again.json["updated"] == 0, (kind, fmt, again.json)
    assert table_rows(engine, kinds) == before and audit_count(engine) == audited
    # into a fresh database: the same rows (a workbook for the core, each format for a third of the kinds)
    if backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        fresh = dbs.create()
        request.addfinalizer(lambda: dbs.drop(fresh))
    else:
        fresh = copy_sqlite(sqlite_template, tmp_path / "fresh.db")
    for n, kind in enumerate(core_kinds + kinds):
        fmt = ("xlsx", "csv", "json")[n % 3]
        result = cli("import", kind, files[kind, fmt], db=fresh)
        assert result.exit_code == 0, (kind, result.output + result.stderr)
    fresh_engine = make_engine(fresh)
    try:
        assert table_rows(fresh_engine, kinds) == before
    finally:
        fresh_engine.dispose()


def assert_template_headers(cli, kind: str, tmp_path) -> None:
    """The template of ``kind`` carries every column's Chinese and English header."""
    out = tmp_path / f"{kind}.xlsx"
    assert cli("template", kind, "-o", out).exit_code == 0
    cells = json.dumps([list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)], ensure_ascii=False)
    for column in get_kind(kind).columns:
        assert column.zh in cells and column.name in cells
