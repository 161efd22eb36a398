"""Services for every kind and every actor: allowed and refused writes and reads, the audit log in
the same transaction, plugin events — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core import hookimpl
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import write_session
from xiaoqi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.models import AuditEntry
from xiaoqi.core.services import (
    count_records, create_record, delete_record, get_record, list_records, update_record,
)

from .registry_data import EA, EB, SA, SB, STU_A, STU_B, make_id, rows, seed

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)

# a harmless change per kind (a non-key column) for the update matrix
CHANGES = {
    "schools": {"contact": "李老师"}, "majors": {"name": "机电一体化技术（新）"}, "enterprises": {"staff_count": "600"},
    "positions": {"wage": "5200"}, "students": {"class_name": "机电2301班"}, "agreements": {"expires_on": "2029-01-01"},
    "internships": {"enterprise_mentor": "王师傅"}, "policies": {"premium": "12000"}, "insured": {"end_on": "2026-06-30"},
}


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory, xiaoqi_sqlite_template):
    """The registry of ``registry_data.seed`` in a SQLite file, written once for the module."""
    from xiaoqi.testing import copy_sqlite

    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    _seed(copy_sqlite(xiaoqi_sqlite_template, path))
    return path


@pytest.fixture(scope="module")
def seeded_pg(xiaoqi_pg):
    """The same registry in a PostgreSQL database, written once for the module (never connected
    to afterwards: each test gets a copy)."""
    url = xiaoqi_pg.create()
    _seed(url)
    yield url
    xiaoqi_pg.drop(url, wait=False)


def _seed(url: str) -> None:
    from xiaoqi.core.db import make_engine

    engine = make_engine(url)
    with write_session(engine) as session:
        seed(session)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the copies are the file alone
    engine.dispose()


@pytest.fixture
def seeded(request, xiaoqi_backend, tmp_path):
    """An engine on a fresh copy of the seeded registry (SQLite or PostgreSQL, as ``xiaoqi_backend``)."""
    from xiaoqi.core.db import make_engine
    from xiaoqi.testing import copy_sqlite

    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(copy_of=request.getfixturevalue("seeded_pg"))
    else:
        url = copy_sqlite(request.getfixturevalue("seeded_sqlite"), tmp_path / "seeded.db")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if xiaoqi_backend == "pg":
        dbs.drop(url, wait=False)


def owned_key(kind_name: str, side: str) -> str:
    """The key of the record of ``kind_name`` owned by school/enterprise A or B."""
    kind = get_kind(kind_name)
    mine = [r for k, r in rows() if k == kind_name]
    row = kind.parse_row(mine[0 if side == "A" else 1])
    return kind.key_of(row)


def audit_count(engine) -> int:
    """Entries of writes that happened (refused attempts are counted by ``last_refusal``)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action != "refused")).scalar_one()


def last_refusal(engine) -> tuple | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(AuditEntry.actor, AuditEntry.login, AuditEntry.kind, AuditEntry.key, AuditEntry.note)
                           .where(AuditEntry.action == "refused").order_by(AuditEntry.id.desc()).limit(1)).first()
    return None if row is None else tuple(row)


# which kinds each actor owns on side A (school A / enterprise A)
SCHOOL_OWNS = {"schools", "majors", "students", "agreements", "internships", "policies", "insured"}
# an enterprise reads its agreements and internships but the school keeps them
ENTERPRISE_OWNS = {"enterprises", "positions"}


@BOTH
@pytest.mark.parametrize("actor_text", ["admin", "auditor", "province:32", f"school:{SA}", f"enterprise:{EA}"])
def test_update_matrix(seeded, actor_text):
    """Every kind's record of side A, updated by one actor: one database per actor (each kind's
    update touches its own record, and no change is to a column any scope reads)."""
    actor = Actor.parse(actor_text)
    for kind_name in CHANGES:
        case = f"{actor_text} updates {kind_name}"
        key = owned_key(kind_name, "A")
        allowed = actor.role == "admin" or (actor.role == "school" and kind_name in SCHOOL_OWNS) or (
            actor.role == "enterprise" and kind_name in ENTERPRISE_OWNS)
        before = audit_count(seeded)
        if allowed:
            with write_session(seeded) as session:
                update_record(session, actor=actor, kind=kind_name, key=key, changes=CHANGES[kind_name])
            assert audit_count(seeded) == before + 1, case
        else:
            with pytest.raises(PermissionDenied) as refused:
                with write_session(seeded) as session:
                    update_record(session, actor=actor, kind=kind_name, key=key, changes=CHANGES[kind_name])
            assert audit_count(seeded) == before, case
            # the attempt is logged, in its own transaction, with who tried what
            who, login, kind, logged_key, note = last_refusal(seeded)
            assert (who, kind, logged_key) == (str(actor), kind_name, key) and login, case
            assert note["action"] == "update" and note["reason"] == str(refused.value), case


@pytest.mark.parametrize("kind_name", list(CHANGES))
def test_side_b_is_refused_to_side_a_actors(seeded, kind_name):
    for actor in (Actor("school", SA), Actor("enterprise", EA)):
        with pytest.raises((PermissionDenied, NotFound)):
            with write_session(seeded) as session:
                update_record(session, actor=actor, kind=kind_name, key=owned_key(kind_name, "B"), changes=CHANGES[kind_name])


def test_create_as_school_for_own_and_other_school(seeded):
    row = {"school_code": SA, "student_no": "2024-9", "name": "李四", "id_number": "11010519491231002X",
           "major_code": "460301", "enrolled_on": "2024-09-01"}
    with write_session(seeded) as session:
        create_record(session, actor=Actor("school", SA), kind="students", data=row)
    with pytest.raises(PermissionDenied, match="学校 4141054321 不能新建学生"):
        with write_session(seeded) as session:
            create_record(session, actor=Actor("school", SB), kind="students", data={**row, "id_number": make_id("11010519491231003")})
    # a school may register a new partner enterprise, but not change an existing one
    new = {"uscc": "91110000600037341L", "name": "北京某公司", "industry_code": "6513", "region": "110100", "staff_count": "90"}
    with write_session(seeded) as session:
        create_record(session, actor=Actor("school", SA), kind="enterprises", data=new)
    with pytest.raises(PermissionDenied):
        with write_session(seeded) as session:
            update_record(session, actor=Actor("school", SA), kind="enterprises", key="91110000600037341L", changes={"staff_count": "1"})


def test_read_only_actors_cannot_create(seeded):
    row = {"school_code": "4100000001", "name": "新学校", "level": "中职", "region": "410100"}
    for actor in (Actor("auditor"), Actor("province", "41")):
        with pytest.raises(PermissionDenied, match="只读"):
            with write_session(seeded) as session:
                create_record(session, actor=actor, kind="schools", data=row)


@BOTH
def test_reads_are_scoped(seeded):
    with Session(seeded) as session:
        assert count_records(session, actor=ADMIN, kind="students") == 2
        assert [s.id_number for s in list_records(session, actor=Actor("school", SA), kind="students").rows] == [STU_A]
        assert [s.id_number for s in list_records(session, actor=Actor("enterprise", EB), kind="students").rows] == [STU_B]
        assert count_records(session, actor=Actor("province", "41"), kind="internships") == 1
        assert count_records(session, actor=Actor("auditor"), kind="internships") == 2
        # directory kinds are visible to everyone
        assert count_records(session, actor=Actor("school", SA), kind="enterprises") == 2
        with pytest.raises(NotFound):
            get_record(session, actor=Actor("school", SA), kind="students", key=STU_B)
        assert get_record(session, actor=Actor("school", SA), kind="students", key=STU_A).name == "张三"
        assert {p.policy_no for p in list_records(session, actor=Actor("school", SB), kind="policies").rows} == {"POL-B-1"}


def test_list_filter_search_sort_page(seeded):
    with Session(seeded) as session:
        page = list_records(session, actor=ADMIN, kind="schools", order_by="region", descending=True, count=True)
        assert [s.school_code for s in page.rows] == [SB, SA] and page.total == 2
        assert [s.school_code for s in list_records(session, actor=ADMIN, kind="schools", filters={"region": "32*"}).rows] == [SA]
        assert [s.school_code for s in list_records(session, actor=ADMIN, kind="schools", search="河南").rows] == [SB]
        assert len(list_records(session, actor=ADMIN, kind="schools", limit=1, offset=1).rows) == 1
        with pytest.raises(ValidationFailed, match="没有名为"):
            list_records(session, actor=ADMIN, kind="schools", filters={"nope": 1})


@BOTH
def test_audit_entry_has_before_and_after(seeded):
    with write_session(seeded) as session:
        update_record(session, actor=Actor("school", SA), kind="internships",
                      key=f"{STU_A}/{EA}/2025-09-01", changes={"monthly_pay": "4300"})
    with Session(seeded) as session:
        entry = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert (entry.actor, entry.action, entry.kind) == (f"school:{SA}", "update", "internships")
        assert entry.before["monthly_pay"] == "4200.50" and entry.after["monthly_pay"] == "4300.00"
        obj = get_record(session, actor=ADMIN, kind="internships", key=f"{STU_A}/{EA}/2025-09-01")
        assert obj.monthly_pay == Decimal("4300.00")


@BOTH
def test_audit_rolls_back_with_its_transaction(seeded):
    before = audit_count(seeded)
    with pytest.raises(RuntimeError):
        with write_session(seeded) as session:
            update_record(session, actor=ADMIN, kind="schools", key=SA, changes={"contact": "某人"})
            raise RuntimeError("something later in the same unit of work failed")
    assert audit_count(seeded) == before
    with Session(seeded) as session:
        assert get_record(session, actor=ADMIN, kind="schools", key=SA).contact is None


def test_unchanged_update_writes_no_audit(seeded):
    before = audit_count(seeded)
    with write_session(seeded) as session:
        update_record(session, actor=ADMIN, kind="schools", key=SA, changes={"level": "高职"})
    assert audit_count(seeded) == before


def test_validation_and_references(seeded):
    with pytest.raises(ValidationFailed) as info:
        with write_session(seeded) as session:
            create_record(session, actor=ADMIN, kind="internships", data={
                "school_code": SA, "id_number": "11010519491231002X", "uscc": EA, "position_code": "P999",
                "kind": "岗位实习", "start_on": "2025-09-01", "end_on": "2025-12-31", "monthly_pay": "4000"})
    text = str(info.value)
    assert "身份证号" in text and "学生不存在" in text
    # the student is another school's: said without naming that school
    with pytest.raises(ValidationFailed, match=f"的学校代码不是 {SA}"):
        with write_session(seeded) as session:
            create_record(session, actor=ADMIN, kind="internships", data={
                "school_code": SA, "id_number": STU_B, "uscc": EA, "position_code": "P001",
                "kind": "岗位实习", "start_on": "2025-09-01", "end_on": "2025-12-31", "monthly_pay": "4000"})


def test_duplicate_key_and_missing_record(seeded):
    with pytest.raises(Conflict, match="已存在"):
        with write_session(seeded) as session:
            create_record(session, actor=ADMIN, kind="schools", data=dict(rows()[0][1]))
    with pytest.raises(NotFound, match="找不到"):
        with write_session(seeded) as session:
            update_record(session, actor=ADMIN, kind="schools", key="4100000009", changes={"contact": "x"})


def test_key_columns_cannot_change(seeded):
    with pytest.raises(ValidationFailed, match="主键"):
        with write_session(seeded) as session:
            update_record(session, actor=ADMIN, kind="schools", key=SA, changes={"school_code": "4100000009"})


@BOTH
def test_delete_refuses_records_in_use_and_deletes_leaves(seeded):
    with pytest.raises(Conflict, match="仍被其他记录引用"):
        with write_session(seeded) as session:
            delete_record(session, actor=ADMIN, kind="schools", key=SA)
    with pytest.raises(NotFound):  # outside school B's scope: not even shown to exist
        with write_session(seeded) as session:
            delete_record(session, actor=Actor("school", SB), kind="insured", key=f"POL-A-1/{STU_A}")
    with write_session(seeded) as session:
        delete_record(session, actor=Actor("school", SA), kind="insured", key=f"POL-A-1/{STU_A}")
    with Session(seeded) as session:
        assert count_records(session, actor=ADMIN, kind="insured") == 1
        last = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert last.action == "delete" and last.after is None and last.before["policy_no"] == "POL-A-1"


class Recorder:
    def __init__(self):
        self.events = []

    @hookimpl
    def xiaoqi_record_changed(self, session, actor, kind, action, key, before, after):
        self.events.append((str(actor), kind, action, key))


class Veto:
    @hookimpl
    def xiaoqi_record_changed(self, session, actor, kind, action, key, before, after):
        if kind == "schools" and after and after.get("contact") == "禁止":
            raise PermissionDenied("插件拒绝了这次修改")


def test_events_reach_plugins_and_a_plugin_can_veto(seeded, xiaoqi_plugin_manager):
    recorder = Recorder()
    xiaoqi_plugin_manager.register(recorder, name="recorder")
    xiaoqi_plugin_manager.register(Veto(), name="veto")
    with write_session(seeded) as session:
        update_record(session, actor=ADMIN, kind="schools", key=SA, changes={"contact": "李老师"})
    assert recorder.events == [("admin", "schools", "update", SA)]
    before = audit_count(seeded)
    with pytest.raises(PermissionDenied, match="插件拒绝"):
        with write_session(seeded) as session:
            update_record(session, actor=ADMIN, kind="schools", key=SA, changes={"contact": "禁止"})
    assert audit_count(seeded) == before
    with Session(seeded) as session:
        assert get_record(session, actor=ADMIN, kind="schools", key=SA).contact == "李老师"


def test_birth_date_derived_from_id_number(seeded):
    with Session(seeded) as session:
        student = get_record(session, actor=ADMIN, kind="students", key=STU_A)
        assert student.birth_date.isoformat() == "2004-03-01"
