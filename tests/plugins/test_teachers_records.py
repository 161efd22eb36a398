"""The teachers plugin's record kinds (enterprise practice, 双师型 recognitions): cells and rows
checked, a record only for a school's teacher, who sees and keeps what, masked ID numbers, and
both kinds through export → import on SQLite and PostgreSQL; the plugin's migration branch on a
database of the previous head with data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.errors import PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import RowProblems, get_kind, get_kinds
from xiaoqi.core.migrate import current, heads, table_names
from xiaoqi.core.services import create_record, list_records
from xiaoqi.plugins.teachers.models import MODELS
from xiaoqi.testing import XiaoqiFactory, copy_sqlite, make_id_number

from .switch import plugin_loaded
from .test_ic_records import table_rows
from .teachers_data import D, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
KINDS = ["tch_practice", "tch_recognitions"]
TABLES = {model.__tablename__ for model in MODELS}
HEAD = "teachers_0001"


def problems(kind: str, row: dict) -> dict[str, str]:
    with pytest.raises(RowProblems) as exc:
        get_kind(kind).parse_row(row)
    return {column: reason for column, _value, reason in exc.value.problems}


def counts(engine, tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in sorted(tables)}


def test_the_kinds_are_the_plugins_and_mask_the_teachers_id_number():
    kinds = {k.name: k for k in get_kinds().values() if k.plugin == "teachers"}
    assert sorted(kinds) == KINDS
    assert {name: dict(k.rights.personal) for name, k in kinds.items()} == {n: {"teacher_id": "idcard"} for n in KINDS}
    assert get_kind("教师企业实践") is kinds["tch_practice"] and get_kind("双师型教师认定") is kinds["tch_recognitions"]


def test_practice_rows_are_checked():
    from xiaoqi.testing import make_uscc

    row = {"teacher_id": make_id_number("330100", D(1985, 3, 1), 3), "uscc": make_uscc("330100", 4),
           "start_on": "2024-03-01", "end_on": "2024-02-01", "form": "参观"}
    assert set(problems("tch_practice", row)) == {"form"}  # a bad cell first; the row's checks once cells are good
    assert "结束日期不能早于开始日期" in problems("tch_practice", {**row, "form": "研发"})["end_on"]
    row.update(end_on="2024/3/10", form="skills training", days=11)
    assert "共 10 天" in problems("tch_practice", row)["days"]
    assert get_kind("tch_practice").parse_row({**row, "days": 10})["form"] == "技能培训"
    rec = {"teacher_id": row["teacher_id"], "level": "特级", "recognised_on": "2024-01-01", "recognised_by": "省教育厅",
           "valid_to": "2023-12-31"}
    assert set(problems("tch_recognitions", rec)) == {"level"}
    assert "有效期至不能早于认定日期" in problems("tch_recognitions", {**rec, "level": "高级"})["valid_to"]


@BOTH
def test_a_record_names_a_schools_teacher(xiaoqi_factory):
    reg = build(xiaoqi_factory)
    with pytest.raises(ValidationFailed, match="刘师傅（企业导师）不是学校的教师"):
        xiaoqi_factory.record("tch_practice", teacher_id=reg.mentor.id_number, uscc=reg.firm.uscc,
                              start_on=D(2024, 1, 1), end_on=D(2024, 1, 5), form="考察观摩")
    with pytest.raises(ValidationFailed, match="引用的"):
        xiaoqi_factory.record("tch_recognitions", teacher_id=make_id_number("330100", D(1970, 1, 1), 999), level="初级",
                              recognised_on=D(2024, 1, 1), recognised_by="x")


@BOTH
def test_who_sees_and_keeps_practice_and_recognitions(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)

    def seen(actor, kind):
        with read_session(xiaoqi_engine) as session:
            return sorted((r.teacher_id, str(r.uscc if kind == "tch_practice" else r.level)) for r in
                          list_records(session, actor=actor, kind=kind, limit=100).rows)

    school, firm = Actor("school", reg.school.school_code), Actor("enterprise", reg.firm.uscc)
    assert {t for t, _ in seen(school, "tch_practice")} == {reg.teacher.id_number, reg.colleague.id_number}
    # the host enterprise reads the practice it hosted (also another school's teacher), not the rest
    assert seen(firm, "tch_practice") == sorted([(reg.teacher.id_number, reg.firm.uscc)] * 2 + [(reg.stranger.id_number, reg.firm.uscc)])
    assert seen(Actor("enterprise", reg.other_firm.uscc), "tch_practice") == [(reg.colleague.id_number, reg.other_firm.uscc)]
    assert {t for t, _ in seen(school, "tch_recognitions")} == {reg.teacher.id_number}
    assert seen(Actor("province", "32"), "tch_practice") == []
    assert len(seen(Actor("province", "33"), "tch_practice")) == 4
    row = {"teacher_id": reg.stranger.id_number, "uscc": reg.firm.uscc, "start_on": D(2025, 5, 1),
           "end_on": D(2025, 5, 3), "form": "考察观摩"}
    with write_session(xiaoqi_engine) as session:
        with pytest.raises(ValidationFailed, match="引用的教师不存在"):  # another school's teacher: unseen
            create_record(session, actor=school, kind="tch_practice", data=row)
        with pytest.raises(PermissionDenied):  # the host enterprise reads, the school keeps the record
            create_record(session, actor=firm, kind="tch_practice", data={**row, "teacher_id": reg.teacher.id_number})
        create_record(session, actor=school, kind="tch_practice", data={**row, "teacher_id": reg.teacher.id_number})


def test_the_id_number_is_masked_unless_revealed(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    masked = xiaoqi_cli("--as", f"school:{reg.school.school_code}", "export", "tch_practice", "--format", "json")
    assert masked.exit_code == 0, masked.stderr
    assert reg.teacher.id_number not in masked.output and reg.teacher.id_number[:6] + "********" in masked.output
    shown = xiaoqi_cli("--as", f"school:{reg.school.school_code}", "export", "tch_practice", "--format", "json", "--reveal")
    assert shown.exit_code == 0 and reg.teacher.id_number in shown.output


@BOTH
def test_both_kinds_round_trip_through_export_and_import(request, xiaoqi_backend, xiaoqi_engine, xiaoqi_factory,
                                                         xiaoqi_cli, xiaoqi_sqlite_template, tmp_path):
    build(xiaoqi_factory)
    before = table_rows(xiaoqi_engine, KINDS)
    files = {}
    for kind in ["schools", "enterprises", "teachers", *KINDS]:
        for fmt in ("xlsx", "csv", "json"):
            out = tmp_path / f"{kind}.{fmt}"
            result = xiaoqi_cli("export", kind, "--format", fmt, "--reveal", "-o", out)
            assert result.exit_code == 0, result.stderr
            files[kind, fmt] = out
    for kind in KINDS:
        for fmt in ("xlsx", "csv", "json"):
            again = xiaoqi_cli("import", kind, files[kind, fmt], "--format", "json")
            assert again.exit_code == 0, again.output + again.stderr
            assert again.json["created"] == again.json["updated"] == 0, (kind, fmt, again.json)
    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        fresh = dbs.create()
        request.addfinalizer(lambda: dbs.drop(fresh))
    else:
        fresh = copy_sqlite(xiaoqi_sqlite_template, tmp_path / "fresh.db")
    for n, kind in enumerate(["schools", "enterprises", "teachers", *KINDS]):
        result = xiaoqi_cli("import", kind, files[kind, ("xlsx", "csv", "json")[n % 3]], db=fresh)
        assert result.exit_code == 0, (kind, result.output + result.stderr)
    engine = make_engine(fresh)
    try:
        assert table_rows(engine, KINDS) == before
    finally:
        engine.dispose()


@BOTH
def test_a_database_of_the_previous_head_with_data_gains_the_tables(request, xiaoqi_backend, monkeypatch, tmp_path, xiaoqi_cli):
    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(migrated=False)
        request.addfinalizer(lambda: dbs.drop(url))
    else:
        url = f"sqlite:///{tmp_path / 'core.db'}"
    plugin_loaded(monkeypatch, "teachers", False)
    assert xiaoqi_cli("init", db=url).exit_code == 0
    engine = make_engine(url)
    try:
        factory = XiaoqiFactory(engine)
        factory.internship()
        factory.teacher()
        factory.teacher(kind="企业导师")
        core = {"schools", "enterprises", "students", "teachers", "internships", "agreements", "audit_log"}
        before = counts(engine, core)
        assert not TABLES & table_names(engine) and HEAD not in current(engine)
        plugin_loaded(monkeypatch, "teachers", True)
        refused = xiaoqi_cli("status", db=url)
        assert refused.exit_code == 1 and "db upgrade" in refused.stderr
        assert xiaoqi_cli("db", "upgrade", db=url).exit_code == 0
        assert TABLES <= table_names(engine) and current(engine) == heads() and HEAD in heads()
        assert counts(engine, core) == before and all(n > 0 for n in before.values())
        # the new tables take rows at once, against the teachers that were there
        with engine.connect() as conn:
            school_teacher = conn.execute(sa.text("SELECT id_number FROM teachers WHERE kind = '专任'")).scalar_one()
            firm = conn.execute(sa.text("SELECT uscc FROM enterprises")).scalar_one()
        XiaoqiFactory(engine).record("tch_practice", teacher_id=school_teacher, uscc=firm,
                                     start_on=D(2025, 7, 1), end_on=D(2025, 7, 31), form="技能培训")
        assert counts(engine, TABLES)["tch_practice"] == 1
    finally:
        engine.dispose()
