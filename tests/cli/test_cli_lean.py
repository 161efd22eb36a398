"""The lean read paths of short commands (``xiaoqi check`` from the kept run, ``status``, ``records
list``) on SQLite: the same output, errors and exit code as the full path (``XIAOQI_LEAN=0``), for
every type of actor and format, and no SQLAlchemy imported."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "textual")


def run_process(*args, lean: bool = True, cache) -> tuple[int, str, str, set[str]]:
    """``xiaoqi ARGS`` in a fresh interpreter: exit code, stdout, stderr and the modules imported."""
    code = textwrap.dedent(f"""
        import json, os, sys
        from xiaoqi.core.cli import main
        code = 0
        try:
            main({list(map(str, args))!r})
        except SystemExit as exc:
            code = exc.code or 0
        sys.stdout.flush()
        with open(os.environ["LEAN_TEST_MODULES"], "w") as out:
            json.dump(sorted(sys.modules), out)
        sys.exit(code)
    """)
    modules = cache / "modules.json"
    env = {**os.environ, "XIAOQI_CACHE_DIR": str(cache / "cache"), "LEAN_TEST_MODULES": str(modules),
           "XIAOQI_LEAN": "1" if lean else "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return done.returncode, done.stdout, done.stderr, set(json.loads(modules.read_text()))


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def _both(xiaoqi_cli, monkeypatch, *args, db):
    """The full path's and the lean path's results of ``xiaoqi ARGS`` (in this process)."""
    monkeypatch.setenv("XIAOQI_LEAN", "0")
    full = xiaoqi_cli(*args, db=db)
    monkeypatch.setenv("XIAOQI_LEAN", "1")
    lean = xiaoqi_cli(*args, db=db)
    return full, lean


def _actors(url):
    """One actor of every type that can act on the demo: admin, auditor, a school, an enterprise."""
    import sqlite3

    from xiaoqi.core.config import sqlite_file

    with sqlite3.connect(sqlite_file(url)) as conn:
        school = conn.execute("SELECT school_code FROM schools ORDER BY school_code LIMIT 1").fetchone()[0]
        uscc = conn.execute("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    return ["admin", "auditor", f"school:{school}", f"enterprise:{uscc}"]


# -- check ---------------------------------------------------------------------------------------

def _seconds(text: str) -> str:
    """A check's output without its run time (a new run's differs from the kept one's)."""
    text = re.sub(r"用时 [\d.]+ 秒|in [\d.]+ s\.", "<time>", text)
    return re.sub(r'"seconds": [\d.]+', '"seconds": <time>', text)


KEPT = "检查结果：此后数据"


def test_check_answers_from_the_kept_run_as_the_full_path_does(demo_db, xiaoqi_cli, monkeypatch):
    url, _ = demo_db
    monkeypatch.setenv("XIAOQI_LEAN", "0")
    fresh = {fmt: xiaoqi_cli("check", "--format", fmt, db=url) for fmt in ("json", "text")}  # the rules run once
    assert KEPT not in fresh["json"].stderr and KEPT in fresh["text"].stderr
    for actor in _actors(url):
        for fmt in ("text", "json"):
            args = ("--as", actor, "check", "--format", fmt)
            xiaoqi_cli(*args, db=url)  # a school's or an enterprise's run is kept for its own scope
            full, lean = _both(xiaoqi_cli, monkeypatch, *args, db=url)
            assert KEPT in full.stderr
            assert (lean.exit_code, lean.output, lean.stderr) == (full.exit_code, full.output, full.stderr), (actor, fmt)
            assert full.exit_code == 1
            if actor == "admin":  # the kept run reads as the run itself did
                assert _seconds(full.output) == _seconds(xiaoqi_cli("check", "--format", fmt, db=url).output)
                assert _seconds(full.output) == _seconds(fresh[fmt].output) or fmt == "text"
    full, lean = _both(xiaoqi_cli, monkeypatch, "--lang", "en", "--as", "auditor", "check", db=url)
    assert "[INT-OVERLAP]" in lean.output and "Compliance check:" in lean.output
    assert (lean.exit_code, lean.output, lean.stderr) == (full.exit_code, full.output, full.stderr)


def test_check_runs_again_after_a_data_change_and_for_another_scope(demo_db, xiaoqi_cli, monkeypatch):
    url, manifest = demo_db
    first = xiaoqi_cli("check", "--format", "json", db=url)
    kept = xiaoqi_cli("check", "--format", "json", db=url)
    assert KEPT in kept.stderr and _seconds(kept.output) == _seconds(first.output)
    key = manifest.violations["INT-OVERLAP"][0]
    assert xiaoqi_cli("records", "delete", "internships", key, "--yes", db=url).exit_code == 0
    again = xiaoqi_cli("check", "--format", "json", db=url)
    assert KEPT not in again.stderr
    before = {(f["rule"], f["subject_key"]) for f in first.json["findings"]}
    after = {(f["rule"], f["subject_key"]) for f in again.json["findings"]}
    assert ("INT-OVERLAP", key) in before - after
    # --rule, --on and --as-of always run the rules
    for extra in (("--rule", "INT-OVERLAP"), ("--as-of", "2026-11-23")):
        assert KEPT not in xiaoqi_cli("check", *extra, db=url).stderr


def test_check_from_the_kept_run_imports_no_sqlalchemy_nor_the_rule_engine(demo_db, tmp_path):
    url, _ = demo_db
    args = ("--db", url, "--as", "auditor", "check", "--format", "json")
    run_process(*args, lean=False, cache=tmp_path)  # runs the rules, keeps the run
    full = run_process(*args, lean=False, cache=tmp_path)
    assert heavy(full[3]) and KEPT in full[2]
    lean = run_process(*args, cache=tmp_path)
    assert lean[:3] == full[:3]
    assert not heavy(lean[3]), heavy(lean[3])
    rules = {m for m in full[3] if m.startswith("xiaoqi.plugins.") and m.endswith(".rules")}
    assert rules and not rules & lean[3]  # no rule is loaded (nor is the engine run)


def test_the_rule_set_cache_is_not_trusted_after_a_source_file_or_the_configuration_changed(tmp_path, monkeypatch):
    from xiaoqi.core import lean_check
    from xiaoqi.core.check_store import rule_set_digest

    monkeypatch.setenv("XIAOQI_CACHE_DIR", str(tmp_path))
    lean_check.remember({}, rule_set_digest({}))
    entry = lean_check.recall({})
    assert entry is not None and entry["digest"] == rule_set_digest({})
    assert entry["rules"]["INT-OVERLAP"] == ["实习时间重叠", entry["rules"]["INT-OVERLAP"][1]]
    assert lean_check.recall({"rules": {"INT-DURATION": {"max_months": 7}}}) is None  # another configuration
    (path,) = tmp_path.glob("rule-set-*.json")
    stored = json.loads(path.read_text())
    source = next(s for s in stored["sources"] if s[0].endswith("national/internships.py"))
    source[2] -= 1  # as if the rules' file had been edited since
    path.write_text(json.dumps(stored))
    assert lean_check.recall({}) is None


# -- status --------------------------------------------------------------------------------------

def test_status_figures_read_with_sqlite3_equal_the_full_paths(demo_db):
    import datetime as dt

    from xiaoqi.core import lean
    from xiaoqi.core.actors import Actor
    from xiaoqi.core.config import sqlite_file
    from xiaoqi.core.dashboard import summary, summary_sqlite
    from xiaoqi.core.db import make_engine

    url, _ = demo_db
    engine = make_engine(url)
    conn = lean.connect(sqlite_file(url))
    served = []
    try:
        for actor in [*map(Actor.parse, _actors(url)), Actor("province", "32")]:
            for today in (dt.date(2026, 11, 23), dt.date(2026, 3, 1)):
                try:
                    light = summary_sqlite(conn, actor=actor, today=today, expiring_days=60)
                except lean.Unsupported:
                    continue
                with engine.connect() as full:
                    assert light == summary(full, actor=actor, today=today, expiring_days=60), (actor, today)
                served.append((actor.role, light))
    finally:
        conn.close()
        engine.dispose()
    assert {"admin", "auditor", "province"} <= {role for role, _s in served}
    admin = served[0][1]  # figures to compare, not empty ones
    assert admin.active_internships and admin.quota_use and admin.expiring_policies and admin.expiring_reservations


def test_status_prints_the_same_on_both_paths(demo_db, xiaoqi_cli, monkeypatch):
    url, _ = demo_db
    for actor, fmt in [*((actor, "text") for actor in (*_actors(url), "province:32")), ("admin", "json"), ("auditor", "json")]:
        full, lean = _both(xiaoqi_cli, monkeypatch, "--as", actor, "status", "--format", fmt, db=url)
        assert full.exit_code == 0 and (lean.exit_code, lean.output, lean.stderr) == (0, full.output, full.stderr)
    full, lean = _both(xiaoqi_cli, monkeypatch, "--lang", "en", "status", db=url)
    assert "Internships active today" in lean.output and lean.output == full.output


# -- records list --------------------------------------------------------------------------------

def test_records_list_prints_the_same_on_both_paths(demo_db, xiaoqi_cli, monkeypatch):
    url, _ = demo_db
    for actor in [*_actors(url), "province:32"]:
        for kind in ("internships", "students", "schools", "teachers", "policies"):
            full, lean = _both(xiaoqi_cli, monkeypatch, "--as", actor, "records", "list", kind, "--limit", "30", db=url)
            assert (lean.exit_code, lean.output, lean.stderr) == (full.exit_code, full.output, full.stderr), (actor, kind)
        for fmt in ("json", "csv"):
            args = ("--as", actor, "records", "list", "internships", "--format", fmt, "--offset", "7", "--limit", "20")
            full, lean = _both(xiaoqi_cli, monkeypatch, *args, db=url)
            assert (lean.exit_code, lean.output, lean.stderr) == (full.exit_code, full.output, full.stderr), (actor, fmt)
    args = ("--lang", "en", "records", "list", "students", "--columns", "name,id_number,school_name")
    full, lean = _both(xiaoqi_cli, monkeypatch, *args, db=url)
    assert "********" in lean.output and lean.output == full.output and lean.stderr == full.stderr


def test_short_commands_on_sqlite_import_no_sqlalchemy(demo_db, tmp_path):
    url, _ = demo_db
    for args in (("status",), ("records", "list", "internships", "--format", "csv"), ("--as", "auditor", "records", "list", "students")):
        full = run_process("--db", url, *args, lean=False, cache=tmp_path)
        lean = run_process("--db", url, *args, cache=tmp_path)
        assert lean[:3] == full[:3] and lean[0] == 0
        assert heavy(full[3]) and not heavy(lean[3]), (args, heavy(lean[3]))


def test_errors_are_the_full_paths(demo_db, tmp_path, xiaoqi_cli, monkeypatch):
    """A missing database, an actor not in the register, a schema not at head: the lean path steps
    aside and the full path says what is wrong."""
    import sqlite3

    from xiaoqi.core.config import sqlite_file

    url, _ = demo_db
    cases = [(str(tmp_path / "none.db"), ("status",)), (url, ("--as", "school:4132000001", "status")),
             (url, ("--as", "enterprise:91330100MA0000001X", "records", "list", "schools"))]
    for db, args in cases:
        full, lean = _both(xiaoqi_cli, monkeypatch, *args, db=db)
        assert full.exit_code != 0 and (lean.exit_code, lean.output, lean.stderr) == (full.exit_code, full.output, full.stderr)
    with sqlite3.connect(sqlite_file(url)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001' WHERE version_num LIKE '00%'")
    for args in (("status",), ("records", "list", "schools"), ("check",)):
        full, lean = _both(xiaoqi_cli, monkeypatch, *args, db=url)
        assert "db upgrade" in full.stderr and (lean.exit_code, lean.stderr) == (full.exit_code, full.stderr), args


def test_every_kinds_derived_personal_columns_are_stored_outside_its_columns():
    """``access.resolve`` checks them only where the model class exists already (a listing read with
    sqlite3 builds none): here for every kind, with the models built."""
    from xiaoqi.core.kinds import get_kinds
    from xiaoqi.core.migrate import load_models

    load_models()
    derived = {(kind.name, column) for kind in get_kinds().values() for column in kind.rights.derived_personal}
    assert ("students", "birth_date") in derived
    for name, column in derived:
        kind = get_kinds()[name]
        assert column in kind.model.__table__.columns and column not in kind.by_name, (name, column)
