"""Keyset paging (``list_records(after=..., before=...)``, the TUI's big tables) gives exactly the
pages offset paging gives, in either direction, ordered by a column with repeated and empty values,
ascending and descending, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.services import list_records, order_key

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
PAGE = 4


@pytest.fixture
def schools(xiaoqi_factory):
    """23 schools whose contact repeats (5 values) or is empty (every fourth)."""
    for n in range(23):
        xiaoqi_factory.school(contact=None if n % 4 == 0 else f"联系人{n % 5}")
    return 23


def _ids(page) -> list[int]:
    return [r.id for r in page.rows]


@BOTH
@pytest.mark.parametrize("order_by", [None, "contact", "school_code"])
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_forward_and_back_are_the_offset_pages(xiaoqi_engine, schools, order_by, descending):
    kind = get_kind("schools")
    with Session(xiaoqi_engine) as session:
        def page(limit_=PAGE, **kw):
            return list_records(session, actor=ADMIN, kind=kind, order_by=order_by, descending=descending, limit=limit_, **kw)

        everything = _ids(list_records(session, actor=ADMIN, kind=kind, order_by=order_by, descending=descending,
                                       limit=1000))
        assert len(everything) == schools
        offset_pages = [_ids(page(offset=start)) for start in range(0, schools, PAGE)]
        # forward: each page starts after the last row of the one before
        forward, current = [], page()
        while current.rows:
            forward.append(_ids(current))
            current = page(after=order_key(kind, current.rows[-1], order_by))
        assert forward == offset_pages
        # backward from the last page: each page ends before the first row of the one after
        backward, current = [], page(offset=(len(offset_pages) - 1) * PAGE)
        while current.rows:
            backward.insert(0, _ids(current))
            current = page(before=order_key(kind, current.rows[0], order_by))
        # the same rows in the same order, and here (23 rows, the last page short) the same pages
        assert [i for p in backward for i in p] == everything
        assert backward == offset_pages
        # a page counted from the end is the same page
        tail = schools - (len(offset_pages) - 1) * PAGE
        assert _ids(page(offset=0, from_end=True, limit_=tail)) == offset_pages[-1]
        assert _ids(page(offset=tail, from_end=True)) == offset_pages[-2]
        if order_by == "contact":  # empty contacts come last, in either direction
            rows = list_records(session, actor=ADMIN, kind=kind, order_by=order_by, descending=descending, limit=1000).rows
            empties = [r.contact is None for r in rows]
            assert empties == sorted(empties)


@pytest.fixture
def internships_of_named_students(xiaoqi_factory):
    """13 internships of six students whose names repeat (two 张三) and do not follow their ID
    numbers (the student made first is named last)."""
    import datetime as dt

    school = xiaoqi_factory.school()
    position = xiaoqi_factory.position()
    made = 0
    for n, name in enumerate(["赵六", "张三", "李四", "王五", "张三", "阿强"]):
        student = xiaoqi_factory.student(school, name=name)
        for k in range(1 + n % 3):
            xiaoqi_factory.internship(student, position, insure=False, start_on=dt.date(2026, 3 + k, 1),
                                      end_on=dt.date(2026, 3 + k, 20), kind="认识实习")
            made += 1
    return made


@BOTH
@pytest.mark.parametrize("descending", [False, True])
def test_a_name_column_sorts_by_the_name_and_pages_by_keyset(xiaoqi_engine, internships_of_named_students, descending):
    """`student_name` sorts internships by the student's name (not by the ID number it names), in
    the database's own order of names (the same as a join ordered by the name), and keyset pages
    over it are the offset pages, forward and back."""
    import sqlalchemy as sa

    kind = get_kind("internships")
    total = internships_of_named_students
    with Session(xiaoqi_engine) as session:
        def page(limit_=PAGE, **kw):
            return list_records(session, actor=ADMIN, kind=kind, order_by="student_name", descending=descending,
                                limit=limit_, names=True, **kw)

        listing = page(limit_=1000)
        names = [n["student_name"] for n in listing.names]
        i, st = get_kind("internships").model, get_kind("students").model
        name_order = sa.desc(st.name) if descending else st.name
        joined = session.execute(sa.select(i.id, st.name).join(st, st.id_number == i.id_number)
                                 .order_by(name_order, sa.desc(i.id) if descending else i.id)).all()
        assert [r.id for r in listing.rows] == [r.id for r in joined]
        assert names == [r.name for r in joined]
        by_code = [r.id for r in list_records(session, actor=ADMIN, kind=kind, order_by="id_number",
                                               descending=descending, limit=1000).rows]
        assert [r.id for r in listing.rows] != by_code  # the names do not follow the codes here
        # the listing's Chinese header sorts the same
        assert _ids(list_records(session, actor=ADMIN, kind=kind, order_by="学生姓名", descending=descending,
                                 limit=1000)) == [r.id for r in listing.rows]

        offset_pages = [_ids(page(offset=start)) for start in range(0, total, PAGE)]
        forward, current = [], page()
        while current.rows:
            forward.append(_ids(current))
            current = page(after=order_key(kind, current.rows[-1], "student_name", current.names[-1]))
        assert forward == offset_pages
        backward, current = [], page(offset=(len(offset_pages) - 1) * PAGE)
        while current.rows:
            backward.insert(0, _ids(current))
            current = page(before=order_key(kind, current.rows[0], "student_name", current.names[0]))
        assert backward == offset_pages


@BOTH
def test_position_of_a_row_in_a_listing_sorted_by_a_name(xiaoqi_engine, internships_of_named_students):
    from xiaoqi.core.services import position_of

    kind = get_kind("internships")
    with Session(xiaoqi_engine) as session:
        listing = list_records(session, actor=ADMIN, kind=kind, order_by="student_name", limit=1000)
        for at, row in enumerate(listing.rows):
            key = kind.key_of(kind.export_values(row))
            assert position_of(session, actor=ADMIN, kind=kind, key=key, order_by="student_name") == at
