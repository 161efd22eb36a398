"""The check side by side on several read connections, on SQLite and PostgreSQL: the same findings
as on one connection (the demo and a generated registry), the sweeping rules equal to counting
day by day, and every reader on one snapshot."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_TODAY
from tests.rules_data import ENTERPRISE, SCHOOL, D, World, make_uscc
from xiaoqi.core import models as m
from xiaoqi.core.db import write_session
from xiaoqi.core.rules import Rule, param_table, run_check
from xiaoqi.core.rules import engine as check_engine

pytestmark = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)

SWEPT = ["INT-INSURANCE", "INT-RATIO-ENTERPRISE", "INT-RATIO-POST", "APP-QUOTA-EXCEEDED"]
OTHER = make_uscc("91330100MA1BBBBB0")
#: regional and dated values, so the sweeps must split runs and pick values per row
CONFIG = {"params": {
    "INT-RATIO-ENTERPRISE": {"max_share": [{"value": "0.2"}, {"region": "3201", "valid_from": "2025-11-15", "value": "0.1"}]},
    "INT-RATIO-POST": {"max_share": [{"region": "32", "valid_from": "2026-01-01", "value": "0.5"}]},
    "INT-INSURANCE": {"required_kinds": [{"valid_from": "2026-01-01", "value": ["实习责任保险", "意外伤害保险"]}],
                      "min_cover_per_student": [{"region": "33", "value": "400000"}]},
}}


def _as_dicts(result):
    return sorted((f.as_dict() for f in result.findings), key=lambda d: (d["rule"], d["subject_key"], str(d)))


def _generate(session, seed: int = 5) -> None:
    """A registry dense in overlaps: two enterprises in two provinces with small staffs, posts with
    apprentice quotas, students with several internships, policies with gaps and of two kinds."""
    rng = random.Random(seed)
    world = World(session)
    session.execute(sa.update(m.Enterprise).values(staff_count=12))
    world.position(ENTERPRISE, "P002", staff=4)
    world.school("4133012345", "330100")
    world.enterprise(OTHER, "330100", staff=9)
    world.position(OTHER, "P001", staff=3)
    world.position(OTHER, "P002", staff=2)
    session.execute(sa.update(m.Position).values(apprentice_quota=1, quota_from=D(2025, 10, 1), quota_to=D(2026, 6, 30)))
    world.agreement("4133012345", OTHER)
    world.agreement(SCHOOL, OTHER)
    world.policy("POL-2026A", holder=SCHOOL, start=D(2026, 1, 10), end=D(2026, 12, 31), kind="意外伤害保险")
    world.policy("POL-2026B", holder=SCHOOL, start=D(2025, 6, 1), end=D(2025, 12, 20), cover="300000")
    world.policy("POL-CXL", holder=SCHOOL, start=D(2025, 7, 1), end=D(2026, 6, 30), status="已退保", cancelled_on=D(2026, 1, 15))
    policies = ["POL-2025", "POL-2026A", "POL-2026B", "POL-CXL"]
    for n in range(70):
        school = rng.choice([SCHOOL, "4133012345"])
        student = world.student(school=school)
        start = D(2025, 8, 1) + dt.timedelta(days=rng.randint(0, 300))
        for k in range(rng.randint(1, 2)):
            end = start + dt.timedelta(days=rng.randint(0, 150))
            world.internship(student=student, insured=False, school_code=school, start_on=start, end_on=end,
                             uscc=rng.choice([ENTERPRISE, OTHER]), position_code=rng.choice(["P001", "P001", "P002"]),
                             kind=rng.choice(["岗位实习", "岗位实习", "岗位实习", "学徒", "认识实习"]))
            start = end + dt.timedelta(days=rng.randint(-20, 60))
        for policy in rng.sample(policies, rng.randint(0, 3)):
            own = rng.random() < 0.4
            a = D(2025, 7, 1) + dt.timedelta(days=rng.randint(0, 400)) if own else None
            world.insure(policy, student, a, a + dt.timedelta(days=rng.randint(0, 120)) if own else None)


# -- the oracle: every rule of SWEPT, day by day ----------------------------------------------------

def _days(a: dt.date, b: dt.date):
    return (a + dt.timedelta(days=k) for k in range((b - a).days + 1))


def _ranges(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    out: list[list[dt.date]] = []
    for d in sorted(days):
        if out and out[-1][1] + dt.timedelta(days=1) == d:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def _day_by_day(conn, config) -> dict[tuple[str, str], dict]:
    """{(rule, subject key): {"dates": [...], "peak": (day, count) or None}}, counted day by day."""
    params = param_table(config)
    rows = lambda sql: [dict(r) for r in conn.execute(sa.text(sql)).mappings()]  # noqa: E731
    as_date = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])  # noqa: E731
    internships = rows("SELECT i.*, s.region AS school_region, e.region AS ent_region FROM internships i "
                       "JOIN schools s ON s.school_code = i.school_code JOIN enterprises e ON e.uscc = i.uscc")
    for r in internships:
        r["start_on"], r["end_on"] = as_date(r["start_on"]), as_date(r["end_on"])
    cover = rows("SELECT n.id_number, p.kind, p.cover_per_person, COALESCE(n.start_on, p.start_on) AS a, "
                 "COALESCE(n.end_on, p.end_on) AS b, p.start_on AS policy_from, p.end_on AS policy_to, p.cancelled_on, p.status "
                 "FROM insured n JOIN policies p ON p.policy_no = n.policy_no")
    for c in cover:  # an insured row covers its dates within its policy's, until the day before a cancellation
        c["a"] = max(as_date(c["a"]), as_date(c["policy_from"]))
        c["b"] = min(as_date(c["b"]), as_date(c["policy_to"]),
                     as_date(c["cancelled_on"]) - dt.timedelta(days=1) if c["cancelled_on"] else dt.date.max)
        if c["status"] in ("已退保", "已注销") and not c["cancelled_on"]:
            c["b"] = c["a"] - dt.timedelta(days=1)  # ended without a date: covers nothing
    out = {}
    for r in internships:
        kinds = params.resolve("INT-INSURANCE", "required_kinds", r["school_region"], r["start_on"])
        least = params.resolve("INT-INSURANCE", "min_cover_per_student", r["school_region"], r["start_on"])
        held = [c for c in cover if c["id_number"] == r["id_number"] and c["kind"] in kinds.value
                and (least is None or Decimal(str(c["cover_per_person"] or 0)) >= least.value)]
        gaps = [d for d in _days(r["start_on"], r["end_on"]) if not any(as_date(c["a"]) <= d <= as_date(c["b"]) for c in held)]
        if gaps:
            out["INT-INSURANCE", f"{r['id_number']}/{r['uscc']}/{r['start_on']}"] = {"dates": _ranges(gaps), "peak": None}
    owners = [("INT-RATIO-ENTERPRISE", e["uscc"], e["uscc"], None, e["staff_count"], e["region"])
              for e in rows("SELECT * FROM enterprises")]
    owners += [("INT-RATIO-POST", f"{p['uscc']}/{p['position_code']}", p["uscc"], p["position_code"], p["staff_count"], e_region)
               for p in rows("SELECT p.*, e.region AS e_region FROM positions p JOIN enterprises e ON e.uscc = p.uscc")
               for e_region in [p["e_region"]]]
    for rule, key, uscc, post, staff, region in owners:
        mine = [r for r in internships if r["uscc"] == uscc and r["kind"] == "岗位实习" and (post is None or r["position_code"] == post)]
        exceeded = {}
        for d in {d for r in mine for d in _days(r["start_on"], r["end_on"])}:
            count = sum(r["start_on"] <= d <= r["end_on"] for r in mine)
            share = params.resolve(rule, "max_share", region, d)
            if share is not None and count > staff * share.value:
                exceeded[d] = count
        if exceeded:
            top = max(exceeded.values())
            out[rule, key] = {"dates": _ranges(list(exceeded)), "peak": (min(d for d, c in exceeded.items() if c == top), top)}
    for p in rows("SELECT * FROM positions WHERE apprentice_quota IS NOT NULL"):
        mine = [r for r in internships if r["uscc"] == p["uscc"] and r["position_code"] == p["position_code"] and r["kind"] == "学徒"]
        q_from, q_to = as_date(p["quota_from"]), as_date(p["quota_to"])
        exceeded = {}
        for d in {d for r in mine for d in _days(max(r["start_on"], q_from), min(r["end_on"], q_to))}:
            count = sum(r["start_on"] <= d <= r["end_on"] for r in mine)
            if count > p["apprentice_quota"]:
                exceeded[d] = count
        if exceeded:
            top = max(exceeded.values())
            out["APP-QUOTA-EXCEEDED", f"{p['uscc']}/{p['position_code']}"] = {
                "dates": _ranges(list(exceeded)), "peak": (min(d for d, c in exceeded.items() if c == top), top)}
    return out


def _peak(f):
    if f.rule == "INT-INSURANCE":
        return None
    return f.numbers["peak_day"], f.numbers["interns" if f.rule.startswith("INT-") else "apprentices"]


@pytest.mark.parametrize("config", [None, CONFIG], ids=["national", "regional-and-dated"])
def test_sweeping_rules_equal_counting_day_by_day(xiaoqi_engine, config):
    with write_session(xiaoqi_engine) as session:
        _generate(session)
    with xiaoqi_engine.connect() as conn:
        want = _day_by_day(conn, config)
    result = run_check(xiaoqi_engine, rules=SWEPT, config=config)
    got = {(f.rule, f.subject_key): {"dates": f.dates, "peak": _peak(f)} for f in result.findings}
    assert got == want
    assert {rule for rule, _ in got} == set(SWEPT)  # the registry exercises every one of them


def _cover_edges(session, seed: int) -> None:
    """Students insured on touching, overlapping, cancelled and ended policies, with their own
    dates inside, across and outside the policies', some empty; internships of any length, some
    of a day, across the policies' ends."""
    rng = random.Random(seed)
    world = World(session)
    world.policy("POL-A", holder=SCHOOL, start=D(2025, 1, 1), end=D(2025, 12, 31))
    world.policy("POL-B", holder=SCHOOL, start=D(2026, 1, 1), end=D(2026, 12, 31))  # touches POL-A
    world.policy("POL-C", holder=SCHOOL, start=D(2025, 6, 1), end=D(2026, 6, 30), status="已注销")  # no date: nothing
    world.policy("POL-D", holder=SCHOOL, start=D(2025, 3, 1), end=D(2026, 3, 31), cancelled_on=D(2025, 9, 15))
    world.policy("POL-E", holder=SCHOOL, start=D(2025, 11, 1), end=D(2026, 1, 31), kind="意外伤害保险")
    world.policy("POL-F", holder=SCHOOL, start=D(2026, 5, 10), end=D(2026, 5, 10), cover="100000")  # one day
    policies = ["POL-A", "POL-B", "POL-C", "POL-D", "POL-E", "POL-F"]
    for second_from in (D(2025, 6, 11), D(2025, 6, 12), D(2025, 6, 13)):  # touching, a day apart, two days
        student = world.student()
        world.internship(student=student, insured=False, start_on=D(2025, 5, 1), end_on=D(2025, 8, 1))
        world.insure("POL-A", student, D(2025, 1, 1), D(2025, 6, 10))
        world.insure("POL-D", student, second_from, D(2025, 9, 1))
    for _ in range(90):
        student = world.student()
        for start in {D(2024, 12, 1) + dt.timedelta(days=rng.randint(0, 800)) for _k in range(rng.randint(1, 3))}:
            world.internship(student=student, insured=False, start_on=start,
                             end_on=start + dt.timedelta(days=rng.choice([0, 1, 30, 200, 400])))
        for policy in rng.sample(policies, rng.randint(0, 4)):
            a = b = None
            if rng.random() < 0.5:
                a = D(2024, 10, 1) + dt.timedelta(days=rng.randint(0, 800))
                b = a + dt.timedelta(days=rng.randint(-5, 300))  # may end before it starts: empty
            world.insure(policy, student, a, b)


@pytest.mark.parametrize("config", [None, CONFIG], ids=["national", "regional-and-dated"])
def test_insurance_cover_equals_counting_day_by_day_on_touching_and_cancelled_cover(xiaoqi_engine, config):
    """INT-INSURANCE keeps in SQL only the internships whose first day or a day after a counted
    interval's end may be uncovered, and sweeps those: the same as counting every day."""
    with write_session(xiaoqi_engine) as session:
        _cover_edges(session, seed=13)
    with xiaoqi_engine.connect() as conn:
        want = {k: v for k, v in _day_by_day(conn, config).items() if k[0] == "INT-INSURANCE"}
    result = run_check(xiaoqi_engine, rules=["INT-INSURANCE"], config=config)
    got = {(f.rule, f.subject_key): {"dates": f.dates, "peak": None} for f in result.findings}
    assert got == want
    assert 10 < len(got) < 250  # both covered and uncovered internships


def test_side_by_side_equals_one_connection_on_a_generated_registry(xiaoqi_engine):
    with write_session(xiaoqi_engine) as session:
        _generate(session, seed=9)
    for config in (None, CONFIG):
        for scope in ({}, {"school": SCHOOL}, {"enterprise": OTHER}, {"on": D(2026, 1, 20)}):
            alone = run_check(xiaoqi_engine, config=config, workers=1, **scope)
            together = run_check(xiaoqi_engine, config=config, workers=3, **scope)
            assert _as_dicts(together) == _as_dicts(alone)
            assert together.rules_run == alone.rules_run and together.switched_off == alone.switched_off


def test_side_by_side_equals_one_connection_on_the_demo(xiaoqi_engine):
    from xiaoqi.core.demo import generate

    with write_session(xiaoqi_engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    alone = run_check(xiaoqi_engine, workers=1)
    together = run_check(xiaoqi_engine, workers=2)
    assert len(alone.findings) > 50
    assert _as_dicts(together) == _as_dicts(alone)


def test_rules_run_on_several_connections_at_once(xiaoqi_engine, xiaoqi_plugin_manager):
    """Two slow rules overlap in time, each on its own connection."""
    seen: dict[str, int] = {}
    both_started = threading.Barrier(2, timeout=10)

    def slow(ctx):
        both_started.wait()  # fails (BrokenBarrierError) unless the other rule runs meanwhile
        ctx.conn.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one()
        seen[ctx.rule.id] = id(ctx.conn)
        return []

    from xiaoqi.core import hookimpl

    class Slow:
        @hookimpl
        def xiaoqi_register_rules(self):
            return [Rule(id=f"XX-SLOW-{k}", severity="warning", title=("慢", "slow"), source="test", evaluate=slow)
                    for k in (1, 2)]

    xiaoqi_plugin_manager.register(Slow(), name="slow-rules")
    result = run_check(xiaoqi_engine, rules=["XX-SLOW-1", "XX-SLOW-2"], workers=2)
    assert result.rules_run == ["XX-SLOW-1", "XX-SLOW-2"]
    assert seen["XX-SLOW-1"] != seen["XX-SLOW-2"]


def test_readers_share_one_snapshot_while_others_write(xiaoqi_engine):
    with write_session(xiaoqi_engine) as session:
        World(session).internship()
    with check_engine._readers(xiaoqi_engine, 3) as conns:
        assert len(conns) == 3
        with xiaoqi_engine.begin() as writer:  # commits after every reader began
            writer.execute(sa.delete(m.Internship))
        counts = [c.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one() for c in conns]
    assert counts == [1, 1, 1]
    with xiaoqi_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one() == 0


def test_a_session_in_a_transaction_is_checked_on_its_own_connection(xiaoqi_session):
    """Its uncommitted rows are what other connections cannot see: they are checked all the same."""
    key = World(xiaoqi_session).internship(insured=False)
    result = run_check(xiaoqi_session, rules=["INT-INSURANCE", "INT-AGE-MIN"], workers=2)
    assert [f.subject_key for f in result.findings] == [key]


def test_progress_reports_each_rule_once_and_the_end(xiaoqi_engine):
    with write_session(xiaoqi_engine) as session:
        World(session).internship()
    calls = []
    result = run_check(xiaoqi_engine, rules=SWEPT, workers=2, progress=lambda *a: calls.append(a))
    assert sorted(rule for _, _, rule in calls[:-1]) == sorted(SWEPT)
    assert calls[-1] == (len(SWEPT), len(SWEPT), "")
    assert all(total == len(SWEPT) and 0 <= done < total for done, total, _ in calls[:-1])
    assert set(result.rule_seconds) == set(SWEPT)


def test_a_rule_that_fails_stops_the_check_with_its_error(xiaoqi_engine, xiaoqi_plugin_manager):
    from xiaoqi.core import hookimpl

    def broken(ctx):
        raise RuntimeError("rule broke")

    class Broken:
        @hookimpl
        def xiaoqi_register_rules(self):
            return [Rule(id="XX-BROKEN", severity="error", title=("坏", "broken"), source="test", evaluate=broken)]

    xiaoqi_plugin_manager.register(Broken(), name="broken-rule")
    with pytest.raises(RuntimeError, match="rule broke"):
        run_check(xiaoqi_engine, rules=["INT-AGE-MIN", "XX-BROKEN", "INT-HOURS"], workers=2)


def test_rules_on_other_threads_speak_the_callers_language(xiaoqi_engine):
    from xiaoqi.core.i18n import set_lang

    with write_session(xiaoqi_engine) as session:
        world = World(session)
        world.internship(insured=False)
        world.internship(via_agency=True)
    set_lang("en")
    result = run_check(xiaoqi_engine, rules=["INT-INSURANCE", "INT-AGENCY-BAN", "INT-AGE-MIN", "INT-HOURS"], workers=2)
    assert sorted(f.message for f in result.findings) == ["arranged through an agency",
                                                           "no liability insurance for the whole internship (2025-09-01 to 2026-02-28)"]


def test_a_rule_reading_findings_gets_those_of_the_run_as_narrowed_runs_give_them(xiaoqi_engine):
    """IC-PARTNER-VIOLATION reads the internship rules' findings from the check it runs in (run
    after them): the same as running each rule narrowed to each partner enterprise, as it did."""
    from xiaoqi.core.demo import generate
    from xiaoqi.core.rules import Scope, get_rule

    with write_session(xiaoqi_engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    rule = get_rule("IC-PARTNER-VIOLATION")
    assert rule.reads_findings
    table = param_table(None)
    with xiaoqi_engine.connect() as conn:  # no findings handed over: each rule runs per enterprise
        narrowed = check_engine.evaluate(conn, rule, table, Scope(as_of=DEMO_TODAY))
    whole = run_check(xiaoqi_engine, as_of=DEMO_TODAY, workers=2)
    assert narrowed and [f.as_dict() for f in whole.findings if f.rule == rule.id] == [f.as_dict() for f in narrowed]
    alone = run_check(xiaoqi_engine, rules=[rule.id], as_of=DEMO_TODAY)  # its rules run once, whole
    assert [f.as_dict() for f in alone.findings] == [f.as_dict() for f in narrowed]


def test_findings_narrowed_to_an_enterprise_or_school_equal_a_narrowed_check(xiaoqi_engine):
    """What ``ctx.findings_of`` relies on: every internship rule's findings naming an enterprise
    (a school) are those of the check narrowed to it."""
    from xiaoqi.core.rules import get_rules

    with write_session(xiaoqi_engine) as session:
        _generate(session, seed=9)
    rules = [r.id for r in get_rules().values() if r.subject_kind == "internships"]
    for config in (None, CONFIG):
        whole = run_check(xiaoqi_engine, rules=rules, config=config)
        assert {f.uscc for f in whole.findings} >= {ENTERPRISE, OTHER}
        for narrow, column in (({"enterprise": ENTERPRISE}, "uscc"), ({"enterprise": OTHER}, "uscc"),
                               ({"school": SCHOOL}, "school_code")):
            value = next(iter(narrow.values()))
            picked = [f.as_dict() for f in whole.findings if getattr(f, column) == value]
            assert picked == [f.as_dict() for f in run_check(xiaoqi_engine, rules=rules, config=config, **narrow).findings]


def test_the_costliest_rule_starts_first(xiaoqi_engine):
    from xiaoqi.core.rules import get_rule

    with write_session(xiaoqi_engine) as session:
        World(session).internship()
    started = []
    run_check(xiaoqi_engine, rules=["INT-AGE-MIN", "INT-HOURS", "INT-INSURANCE"], workers=1,
              progress=lambda done, total, rule: started.append(rule))
    assert get_rule("INT-INSURANCE").cost > max(get_rule("INT-AGE-MIN").cost, get_rule("INT-HOURS").cost)
    assert started[:3] == ["INT-INSURANCE", "INT-AGE-MIN", "INT-HOURS"]  # then in the order asked for
