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
