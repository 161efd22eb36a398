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
