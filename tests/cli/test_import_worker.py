"""The parse worker (core/io/worker.py): a large CSV file or workbook is parsed in a second process;
the import's outcome — counts, problems with their texts, records, audit — is the same as parsing
in-process."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine
from xiaoqi.core.i18n import reset_lang, set_lang, t
from xiaoqi.core.io import importer, import_file

HEADER = "学校代码,学校名称,办学层次,所在地区代码\n"


def _file(tmp_path, rows: list[str], name: str = "schools.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _outcome(url: str, path, *, parallel: bool, monkeypatch, **kw):
    from xiaoqi.core.io import worker

    for threshold in ("PARALLEL_BYTES", "PARALLEL_EXCEL_BYTES"):
        monkeypatch.setattr(importer, threshold, 0 if parallel else 1 << 62)
    started = []
    original = worker.parse_in_worker
    monkeypatch.setattr(worker, "parse_in_worker", lambda *a, **k: started.append(original(*a, **k)) or started[-1])
    engine = make_engine(url)
    try:
        result = import_file(engine, actor=ADMIN, kind="schools", path=path, batch_rows=2, **kw)
        with engine.connect() as conn:
            schools = conn.execute(sa.text("SELECT school_code, name, level, region FROM schools ORDER BY school_code")).all()
            audit = conn.execute(sa.text("SELECT action, key, row_no, after FROM audit_log WHERE kind = 'schools' "
                                         "ORDER BY key")).all()
    finally:
        engine.dispose()
    assert [w is not None for w in started] == ([True] if parallel else [])  # the worker ran (or was not asked)
    problems = [(p.row, p.column, p.value, p.reason) for p in result.problems]
    return (result.rows, result.created, result.updated, result.unchanged, result.invalid, problems,
            schools, [(a, k, r, json.loads(j) if j else None) for a, k, r, j in audit])


@pytest.fixture
def two_databases(tmp_path):
    from xiaoqi.core.migrate import upgrade

    urls = []
    for name in ("here", "worker"):
        url = f"sqlite:///{tmp_path / name}.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        urls.append(url)
    return urls


def test_worker_and_in_process_parsing_give_the_same_import(two_databases, tmp_path, monkeypatch):
    path = _file(tmp_path, ["4132012345,甲学院,高职,320100", "413201234,乙学院,高职,320100", "4132012346,丙学院,中职,320500",
                            "4132012345,甲学院,高职,320100", "4132012347,丁学院,本科,320500", "", "4132012348,戊学院,技工,999999",
                            "4132012349,己学院,职业本科,320100"])
    here, worker = two_databases
    a = _outcome(here, path, parallel=False, monkeypatch=monkeypatch, skip_invalid=True)
    b = _outcome(worker, path, parallel=True, monkeypatch=monkeypatch, skip_invalid=True)
    assert a == b
    rows, created, updated, unchanged, invalid, problems, schools, audit = b
    assert (rows, created, invalid) == (7, 3, 4)
    assert [p[0] for p in problems] == [3, 5, 6, 8]
    assert problems[1] == (5, "学校代码", "4132012345", t("io.dup.file", row=2, key="4132012345"))
    assert [s[0] for s in schools] == ["4132012345", "4132012346", "4132012349"]
    assert [entry[:2] for entry in audit] == [("create", "4132012345"), ("create", "4132012346"), ("create", "4132012349")]


def test_a_workbook_parsed_by_the_worker_imports_as_in_process_from_its_chosen_sheet(two_databases, tmp_path, monkeypatch):
    """Typed cells (numbers, dates, booleans as Excel keeps them), a sheet other than the first."""
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["学校名单（2026）"])
    sheet = book.create_sheet("学校")
    sheet.append(["学校代码", "学校名称", "办学层次", "所在地区代码"])
    for row in ([4132012345, "甲学院", "高职", 320100], [413201234, "乙学院", "高职", "320100"],
                ["4132012346", "丙学院", "中职", 320500.0], [dt.date(2020, 1, 1), "丁学院", "高职", "320100"]):
        sheet.append(row)
    path = tmp_path / "schools.xlsx"
    book.save(path)
    here, worker = two_databases
    a = _outcome(here, path, parallel=False, monkeypatch=monkeypatch, skip_invalid=True, sheet="学校")
    b = _outcome(worker, path, parallel=True, monkeypatch=monkeypatch, skip_invalid=True, sheet="学校")
    assert a == b
    rows, created, _updated, _unchanged, invalid, problems, schools, _audit = b
    assert (rows, created, invalid) == (4, 2, 2) and [p[0] for p in problems] == [3, 5]
    assert [s[0] for s in schools] == ["4132012345", "4132012346"]


def test_the_worker_speaks_the_importers_language_and_a_rejected_file_writes_nothing(two_databases, tmp_path, monkeypatch):
    path = _file(tmp_path, ["4132012345,甲学院,高职,320100", "413201234,乙学院,高职,320100"])
    here, worker = two_databases
    token = set_lang("en")
    try:
        a = _outcome(here, path, parallel=False, monkeypatch=monkeypatch)
        b = _outcome(worker, path, parallel=True, monkeypatch=monkeypatch)
    finally:
        reset_lang(token)
    assert a == b
    assert b[5] and all(ch.isascii() for ch in b[5][0][3]) and b[6] == [] and b[7] == []


@pytest.mark.parametrize("content, expected", [
    # undecodable bytes on the file's third row
    (HEADER.encode("utf-8") + "4132012345,甲学院,高职,320100\n".encode("utf-8") + b"4132012346,\xff\xfe\xfa,x,y\n", "3"),
    # a header row with an unknown and a missing column
    ("学校代码,学校名字,办学层次\n4132012345,甲学院,高职\n".encode("utf-8"), "未知的列「学校名字」"),
])
def test_a_file_problem_found_by_the_worker_is_reported_like_in_process(two_databases, tmp_path, monkeypatch, content, expected):
    path = tmp_path / "schools.csv"
    path.write_bytes(content)
    here, worker = two_databases
    messages = []
    for url, parallel in ((here, False), (worker, True)):
        with pytest.raises(importer.readers.FileProblem) as caught:
            _outcome(url, path, parallel=parallel, monkeypatch=monkeypatch)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and expected in messages[0]
