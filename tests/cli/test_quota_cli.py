"""``xiaoqi quota``: the figures on the demo database agree with a direct count; reserve, confirm,
release and expire from the shell; refusals are translated messages with exit 1."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import defaultdict

import pytest

from tests.conftest import DEMO_TODAY


def direct_count(path: str, today: dt.date) -> dict:
    """quota / reserved / confirmed / free per position, counted row by row in Python from the raw
    tables (the definitions of xiaoqi.core.quota, independently of its SQL)."""
    db = sqlite3.connect(path)
    positions = {(u, c): (q, f and dt.date.fromisoformat(f), t and dt.date.fromisoformat(t))
                 for u, c, q, f, t in db.execute("SELECT uscc, position_code, apprentice_quota, quota_from, quota_to FROM positions")}
    placed = defaultdict(int)
    linked = set()
    for no, i, u, s in db.execute("SELECT reservation_no, id_number, uscc, start_on FROM reservation_placements"):
        placed[no] += 1
        linked.add((i, u, s))
    open_places = defaultdict(int)
    for no, u, c, school, places, released, expires, status in db.execute(
            "SELECT reservation_no, uscc, position_code, school_code, places, released_places, expires_on, status FROM quota_reservations"):
        if status == "预留中" and dt.date.fromisoformat(expires) >= today:
            open_places[(u, c, school)] += places - released - placed[no]
    apprentices, unlinked = defaultdict(int), defaultdict(int)
    for i, u, c, school, s, e in db.execute(
            "SELECT id_number, uscc, position_code, school_code, start_on, end_on FROM internships WHERE kind = '学徒'"):
        _q, qf, qt = positions[(u, c)]
        if (qt is None or dt.date.fromisoformat(s) <= qt) and (qf is None or dt.date.fromisoformat(e) >= qf):
            apprentices[(u, c)] += 1
            if (i, u, s) not in linked:
                unlinked[(u, c, school)] += 1
    reserved = defaultdict(int)
    for (u, c, school), n in open_places.items():
        reserved[(u, c)] += max(0, n - unlinked[(u, c, school)])
    out = {}
    for key, (q, _f, _t) in positions.items():
        if (q or 0) > 0 or apprentices[key]:
            out[key] = {"quota": q or 0, "reserved": reserved[key], "confirmed": apprentices[key],
                        "free": (q or 0) - reserved[key] - apprentices[key]}
    db.close()
    return out


def figures(result) -> dict:
    return {(p["uscc"], p["position_code"]): {k: p[k] for k in ("quota", "reserved", "confirmed", "free")}
            for p in result.json["positions"]}


def test_demo_figures_add_up_and_agree_with_a_direct_count(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    result = xiaoqi_cli("quota", "show", "--format", "json", "--on", DEMO_TODAY, db=url)
    assert result.exit_code == 0, result.stderr
    shown = figures(result)
    assert shown == direct_count(url.removeprefix("sqlite:///"), DEMO_TODAY)
    assert all(p["free"] == p["quota"] - p["reserved"] - p["confirmed"] for p in shown.values())
    # the demo's reservations make the screen meaningful: places held, apprentices placed, and
    # the deliberate over-quota post shows a negative free figure
    assert sum(p["reserved"] for p in shown.values()) > 0 and sum(p["confirmed"] for p in shown.values()) > 0
    [over] = manifest.violations["APP-QUOTA-EXCEEDED"]
    assert shown[tuple(over.split("/"))]["free"] < 0
    per_enterprise = {e["uscc"]: e for e in result.json["enterprises"]}
    for uscc, e in per_enterprise.items():
        mine = [p for (u, _), p in shown.items() if u == uscc]
        assert e["quota"] == sum(p["quota"] for p in mine) and e["free"] == sum(p["free"] for p in mine)
    text = xiaoqi_cli("quota", "show", "--on", DEMO_TODAY, db=url).output
    assert text.startswith("学徒名额（2026-11-23）") and "已预留" in text and "地区目标未设定" in text


def test_demo_expire_closes_the_lapsed_reservations(demo_db, xiaoqi_cli):
    url, _ = demo_db
    result = xiaoqi_cli("quota", "expire", "--format", "json", db=url)
    assert result.exit_code == 0
    expired = result.json
    assert len(expired) >= 2 and all(r["status"] == "已过期" and r["unplaced"] == 0 for r in expired)
    again = xiaoqi_cli("quota", "expire", db=url)
    assert again.exit_code == 0 and again.output.strip() == "没有到期未确认的预留。"
    left = xiaoqi_cli("records", "list", "reservations", "--filter", "status=预留中", "--format", "json", db=url).json
    assert all(dt.date.fromisoformat(r["expires_on"]) >= dt.date.today() for r in left)


@pytest.fixture
def quota_world(xiaoqi_factory):
    """Dates relative to today, since the CLI acts on today."""
    f = xiaoqi_factory
    today = dt.date.today()
    w = type("World", (), {})()
    w.today = today
    w.school_a, w.school_b = f.school(), f.school()
    w.student = f.student(w.school_a)
    w.ent, w.other = f.enterprise(), f.enterprise()
    w.post = f.position(w.ent, apprentice_quota=3, quota_from=today - dt.timedelta(days=60), quota_to=today + dt.timedelta(days=400))
    w.f = f
    return w


def reserve_args(w, places=1, expires=None):
    return ["quota", "reserve", "--enterprise", w.ent.uscc, "--position", w.post.position_code, "--places", places,
            "--expires", expires or (w.today + dt.timedelta(days=30)).isoformat()]


def test_reserve_confirm_release_from_the_shell(quota_world, xiaoqi_cli):
    w = quota_world
    school = f"school:{w.school_a.school_code}"
    result = xiaoqi_cli("--as", school, *reserve_args(w, places=2))
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith("已预留 YL") and "预留 2 个名额" in result.output
    no = re.match(r"已预留 (YL\d{8}-[0-9A-F]{6})：", result.output).group(1)
    i = w.f.internship(w.student, w.post, kind="学徒", start_on=w.today, end_on=w.today + dt.timedelta(days=400))
    result = xiaoqi_cli("--as", school, "quota", "confirm", no, "--student", i.id_number, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert (result.json["placed"], result.json["unplaced"], result.json["status"]) == (1, 1, "预留中")
    result = xiaoqi_cli("--as", f"enterprise:{w.ent.uscc}", "quota", "release", no)
    assert result.exit_code == 0 and result.output.strip() == f"已释放预留 {no} 的 1 个名额（状态 已释放）。"
    shown = xiaoqi_cli("--as", school, "quota", "show", "--format", "json").json["positions"]
    assert [(p["quota"], p["own_reserved"], p["own_confirmed"], p["free"]) for p in shown] == [(3, 0, 1, 2)]
    assert "reserved" not in shown[0]


@pytest.mark.parametrize("lang, args_of, message", [
    ("zh", lambda w: ["--as", f"school:{w.school_a.school_code}", *reserve_args(w, places=4)],
     "错误：名额不足：岗位「{post}」（装配技术员）剩余 3 个名额，不能预留 4 个（名额 3）。"),
    ("en", lambda w: ["--as", f"school:{w.school_a.school_code}", *reserve_args(w, places=4)],
     "Error: Not enough places: position '{post}' (装配技术员) has 3 free places left, 4 requested (quota 3)."),
    ("zh", lambda w: ["--as", f"school:{w.school_a.school_code}", *reserve_args(w), "--school", w.school_b.school_code],
     "错误：学校 {school_a} 只能为本校预留名额，不能为学校 {school_b} 预留。"),
    ("zh", lambda w: ["--as", f"enterprise:{w.other.uscc}", *reserve_args(w), "--school", w.school_a.school_code],
     "错误：权限不足：企业 {other} 不能新建学徒名额预留。如确需办理，请联系管理员或记录所属的单位。"),
    ("zh", lambda w: ["--as", f"school:{w.school_a.school_code}", *reserve_args(w, expires="2099-01-01")],
     "错误：数据有误：\n  预留截止日期：预留截止日期 2099-01-01 晚于名额截止日期 {end}，请不晚于 {end}。"),
    ("zh", lambda w: ["--as", "auditor", *reserve_args(w), "--school", w.school_a.school_code],
     "错误：审计员 是只读身份，不能修改数据。"),
    ("en", lambda w: ["--as", f"enterprise:{w.other.uscc}", "quota", "show", "--enterprise", w.ent.uscc],
     "Error: enterprise {other} sees its own quota only, not that of enterprise {ent}."),
])
def test_refusals_are_clear_messages_with_exit_1(quota_world, xiaoqi_cli, lang, args_of, message):
    w = quota_world
    result = xiaoqi_cli("--lang", lang, *args_of(w))
    assert result.exit_code == 1
    expected = message.format(post=w.post.position_code, school_a=w.school_a.school_code, school_b=w.school_b.school_code,
                              other=w.other.uscc, ent=w.ent.uscc, end=w.post.quota_to)
    assert result.stderr.strip() == expected
    assert result.output == ""
    assert xiaoqi_cli("records", "list", "reservations", "--format", "json").json == []


def test_an_expired_reservation_cannot_be_confirmed(quota_world, xiaoqi_cli, xiaoqi_engine):
    w = quota_world
    from xiaoqi.core.actors import Actor
    from xiaoqi.core.db import write_session
    from xiaoqi.core.quota import reserve

    with write_session(xiaoqi_engine) as session:
        no = reserve(session, actor=Actor("school", w.school_a.school_code), uscc=w.ent.uscc,
                     position_code=w.post.position_code, places=1, expires_on=w.today - dt.timedelta(days=5),
                     today=w.today - dt.timedelta(days=10)).reservation_no
    i = w.f.internship(w.student, w.post, kind="学徒", start_on=w.today, end_on=w.today + dt.timedelta(days=400))
    result = xiaoqi_cli("--as", f"school:{w.school_a.school_code}", "quota", "confirm", no, "--student", i.id_number)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"错误：预留「{no}」已于 {w.today - dt.timedelta(days=5)} 到期，不能再确认。请重新预留。"
    result = xiaoqi_cli("quota", "expire")
    assert result.exit_code == 0 and result.output.startswith("已将 1 个到期的预留标记为已过期，退回 1 个名额")
    result = xiaoqi_cli("quota", "confirm", no, "--student", i.id_number)
    assert result.exit_code == 1 and "状态是「已过期」，已经关闭，不能再确认" in result.stderr


def test_bad_options_are_usage_errors(quota_world, xiaoqi_cli):
    w = quota_world
    result = xiaoqi_cli(*reserve_args(w), "--school", w.school_a.school_code, "--expires", "next week")
    assert result.exit_code == 2 and "--expires 无效" in result.stderr
    result = xiaoqi_cli("quota", "show", "--enterprise", "123")
    assert result.exit_code == 2 and "--enterprise 无效" in result.stderr
