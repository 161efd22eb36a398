"""Random cells through the whole import: a clear error or a success, never a crash, never a
partial write."""

from __future__ import annotations

import datetime as dt

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.errors import XiaoqiError
from xiaoqi.core.io import import_file
from xiaoqi.core.kinds import get_kind

from .test_import_cli import table_contents

HEADERS = ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期", "班级"]
CELL = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20), st.integers(-10, 10**11), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["S1", "S1", "张三", "460301", "2024-09-01", "2024/9/1", "-", "无"]),
)


def test_random_cells_give_a_clear_error_or_a_success_and_never_a_partial_write(xiaoqi_factory, xiaoqi_engine, xiaoqi_db_url, tmp_path):
    from xiaoqi.testing import make_id_number

    school = xiaoqi_factory.school()
    xiaoqi_factory.major(school)
    valid_ids = [make_id_number(school.region, dt.date(2006, 1, 1), n) for n in range(5)]
    row = st.lists(st.one_of(CELL, st.sampled_from([school.school_code, *valid_ids])), min_size=len(HEADERS), max_size=len(HEADERS) + 1)
    counter = [0]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(rows=st.lists(row, max_size=5), skip=st.booleans())
    def run(rows, skip):
        counter[0] += 1
        path = tmp_path / f"random{counter[0]}.xlsx"
        book = openpyxl.Workbook()
        book.active.append(HEADERS)
        for cells in rows:
            book.active.append(cells)
        book.save(path)
        before = table_contents(xiaoqi_db_url, ["students", "audit_log"])
        try:
            result = import_file(xiaoqi_engine, actor=ADMIN, kind=get_kind("students"), path=path, skip_invalid=skip)
        except XiaoqiError as exc:  # a file-level problem (e.g. an unnamed extra column with data): a message
            assert str(exc)
            assert table_contents(xiaoqi_db_url, ["students", "audit_log"]) == before
            return
        after = table_contents(xiaoqi_db_url, ["students", "audit_log"])
        for p in result.problems:
            assert p.reason and p.row >= 2
        if result.problems and not skip:
            assert not result.written and after == before
        else:
            assert result.written
            assert len(after["students"]) == len(before["students"]) + result.created
            assert len(after["audit_log"]) == len(before["audit_log"]) + result.created + result.updated

    run()
