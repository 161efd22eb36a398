"""``xiaoqi tui`` in a real terminal (tmux): it opens on the dashboard, the palette goes to the
schools screen, the table shows the registry, Ctrl+Q leaves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(session: str, *args: str, **kw) -> subprocess.CompletedProcess:
    """tmux on a server of this test's own (-L): another tmux server on the machine (and its
    window-size settings) cannot change what the test sees."""
    return subprocess.run(["tmux", "-L", session, *args], **kw)


def _capture(session: str) -> str:
    return tmux(session, "capture-pane", "-p", "-t", session, capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 60, *, gone: str | None = None) -> str:
    """The screen once it shows ``text`` (and no longer ``gone``)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen and (gone is None or gone not in screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on the screen{f' without {gone!r}' if gone else ''}:\n{screen}")


def _start(arguments: str) -> str:
    """``xiaoqi ARGUMENTS`` in a new 160x50 tmux session of its own; the session's name."""
    xiaoqi = Path(sys.executable).with_name("xiaoqi")
    session = f"xiaoqi-test-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES (set in pytest-xdist workers) would override the terminal's real size in Textual
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX") and k not in ("COLUMNS", "LINES")}
    tmux(session, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "160", "-y", "50",
         f"{xiaoqi} {arguments}", check=True, env=env)
    return session


def test_xiaoqi_tui_in_tmux(demo_db):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    session = _start(f"--db {path} tui")
    try:
        screen = _wait_for(session, "今日在岗实习")  # the dashboard's figures, read in a worker
        assert "登记概况" in screen and "概览" in screen
        _wait_for(session, "INT-")  # the compliance check ran in the background
        tmux(session, "send-keys", "-t", session, "C-p", check=True)
        _wait_for(session, "打开「学校」")
        tmux(session, "send-keys", "-t", session, "-l", "学校", check=True)
        # Enter only once the list is narrowed to the search (a loaded machine is slow to search,
        # and Enter on the unfiltered list opens whatever command is first)
        _wait_for(session, "打开「学校」", gone="打开「专业」")
        tmux(session, "send-keys", "-t", session, "Enter", check=True)
        screen = _wait_for(session, "共 8 条")
        assert "学校代码*" in screen and "学校名称" in screen and "办学层次" in screen
        assert "n 新建" in screen and "f 筛选" in screen  # the footer's bindings
        tmux(session, "send-keys", "-t", session, "C-q", check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and tmux(session, "has-session", "-t", session,
                                                   capture_output=True).returncode == 0:
            time.sleep(0.2)
        assert tmux(session, "has-session", "-t", session, capture_output=True).returncode != 0
    finally:
        tmux(session, "kill-server", capture_output=True)


def test_xiaoqi_tui_opens_a_table_first_in_english(demo_db):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    count = __import__("sqlite3").connect(path).execute("SELECT COUNT(*) FROM internships").fetchone()[0]
    session = _start(f"--db {path} --lang en tui --open internships")
    try:
        screen = _wait_for(session, f"{count:,} records")
        # English headers, a name beside its code
        assert "id_number*" in screen and "student name" in screen and "enterprise name" in screen
        tmux(session, "send-keys", "-t", session, "C-q", check=True)
    finally:
        tmux(session, "kill-server", capture_output=True)


def test_industrial_college_screen_in_tmux(demo_db):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    session = _start(f"--db {path} tui")
    try:
        screen = _wait_for(session, "合计 3 个学院")  # the plugin's dashboard panel, read in a worker
        assert "产业学院（" in screen
        tmux(session, "send-keys", "-t", session, "C-p", check=True)
        _wait_for(session, "打开「")
        tmux(session, "send-keys", "-t", session, "-l", "产业学院概览", check=True)
        _wait_for(session, "打开「产业学院概览」", gone="打开「学校」")
        tmux(session, "send-keys", "-t", session, "Enter", check=True)
        _wait_for(session, "共 3 个产业学院")
        screen = _wait_for(session, "近期会议")  # the selected college's details, read in a worker
        assert "CY-JS-01" in screen and "CY-GD-01" in screen and "合作与治理" in screen and "理事会" in screen
        assert "a 新增记录" in screen  # the footer's bindings
        tmux(session, "send-keys", "-t", session, "a", check=True)
        picker = "为「南京工业职业技术大学智能制造产业学院」新增记录"  # a list of the kinds a record can be added of
        _wait_for(session, picker)
        tmux(session, "send-keys", "-t", session, "Escape", check=True)
        _wait_for(session, "共 3 个产业学院", gone=picker)
        tmux(session, "send-keys", "-t", session, "C-q", check=True)
    finally:
        tmux(session, "kill-server", capture_output=True)


def _send(session: str, *keys: str, literal: bool = False) -> None:
    tmux(session, "send-keys", "-t", session, *(["-l"] if literal else []), *keys, check=True)


def _findings(screen: str) -> int:
    """The number of findings the compliance screen's summary reports."""
    import re

    return int(re.search(r"发现 (\d+) 处问题", screen).group(1))


def test_clerk_flow_find_by_name_edit_with_the_lookup_save_and_see_the_compliance_screen_update(demo_db):
    """A clerk's afternoon in one flow: the compliance screen reports an internship without an
    enterprise mentor (HN-DUAL-MENTOR); the clerk goes to the internships, finds it by the student's
    name, opens it, edits it, picks the mentor by name (^l), saves, and the compliance screen,
    checked again after the write, no longer reports it."""
    import datetime as dt
    import sqlite3

    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.dashboard import check_as
    from xiaoqi.core.db import make_engine, read_session
    from xiaoqi.core.kinds import get_kind

    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    db = sqlite3.connect(path)
    with read_session(make_engine(url)) as session:
        result = check_as(session, actor=ADMIN, on=dt.date.today())  # the day the TUI checks on
    subjects = {f.subject_key for f in result.findings if f.rule == "HN-DUAL-MENTOR" and "企业指导人员" in f.message}
    # one of them whose student has one internship (the search finds one row) and whose enterprise has staff
    student, mentor_id, mentor = next(
        (s, m, n) for key in sorted(subjects)
        for (s,) in db.execute("SELECT name FROM students WHERE id_number = ? AND name NOT IN (SELECT s2.name FROM "
                               "students s2 JOIN internships i ON i.id_number = s2.id_number GROUP BY s2.name "
                               "HAVING COUNT(*) > 1)", (key.split("/")[0],))
        for (m, n) in db.execute("SELECT id_number, name FROM teachers WHERE uscc = ? ORDER BY id LIMIT 1",
                                 (key.split("/")[1],)))
    kind = get_kind("internships")
    # Tab stops from the form's first field (the key fields are locked in an edit) to the mentor's ID
    stops = [c.name for c in kind.columns if not c.key]
    tabs = stops.index("enterprise_mentor_id") - stops.index(next(c for c in stops))
    field = kind.by_name["enterprise_mentor_id"].header("zh")

    session = _start(f"--db {path} tui --open compliance")
    try:
        _wait_for(session, "检查时间", timeout=90)  # the check ran in the background
        # and its rules' table is drawn (under load the summary line can come a frame before it)
        screen = _wait_for(session, "HN-DUAL-MENTOR", gone="正在检查", timeout=90)
        before = _findings(screen)
        # to the internships, through the palette
        _send(session, "C-p")
        _wait_for(session, "打开「")
        _send(session, "实习", literal=True)
        _wait_for(session, "打开「实习」", gone="打开「学校」")
        _send(session, "Enter")
        _wait_for(session, "⏎ 查看")  # the table has the focus: its keys in the footer
        # find it by the student's name
        _send(session, "/")
        _wait_for(session, "esc 表格")  # the search field has the focus: its keys in the footer
        _send(session, student, literal=True)
        _wait_for(session, student)
        _send(session, "Enter")
        screen = _wait_for(session, "共 1 条")
        assert student in screen
        _send(session, "Enter")  # open it
        _wait_for(session, f"实习 {student} ·")
        _send(session, "e")  # edit it
        _wait_for(session, "编辑实习")
        _wait_for(session, "^l 按名称查找")  # the first field (the school) is a reference: the footer offers the lookup
        for _ in range(tabs):
            _send(session, "Tab")
        _send(session, "C-l")
        _wait_for(session, f"查找教师：{field}")  # the lookup of the field the Tabs reached
        _send(session, mentor[:2], literal=True)
        _wait_for(session, mentor, gone="没有匹配")
        _send(session, "Enter")  # pick it
        _wait_for(session, "编辑实习", gone="查找教师")
        _send(session, "C-s")
        # saved: the form closes and the record shows its new mentor (the toast "已保存" may be gone by now)
        _wait_for(session, mentor, gone="编辑实习")
        # the compliance screen, checked again after the write
        _send(session, "C-p")
        _wait_for(session, "打开「")
        _send(session, "合规检查", literal=True)
        _wait_for(session, "打开「合规检查」", gone="打开「学校」")
        _send(session, "Enter")
        screen = _wait_for(session, f"发现 {before - 1} 处问题", timeout=90)
        assert "HN-DUAL-MENTOR" not in screen or len(subjects) > 1
    finally:
        tmux(session, "kill-server", capture_output=True)
    assert db.execute("SELECT enterprise_mentor_id FROM internships i JOIN students s ON s.id_number = i.id_number "
                      "WHERE s.name = ?", (student,)).fetchone() == (mentor_id,)
