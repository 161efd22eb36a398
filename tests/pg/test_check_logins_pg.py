"""``xiaoqi check`` run as a login finds what the admin finds within that login's scope, also where
a rule judges personal data the login may not read (a student's birth date, hardship flag): the
rule reads the facts the database gives the login instead (``core.rules.facts``), never the data."""

from __future__ import annotations

import collections
import datetime as dt
import json

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine
from xiaoqi.core.privacy import mask_finding
from xiaoqi.core.rules import check_as

from ..conftest import DEMO_TODAY
from .test_logins_pg import _cli, _raw, shared  # noqa: F401  (the fixture)

pytestmark = pytest.mark.pg


@pytest.fixture
def logins_demo(shared):
    """``shared`` with ``login(actor)`` giving the login's URL only."""
    url, engine, login, facts = shared
    yield url, engine, lambda actor: login(actor)[1], facts

#: the rules that judge a birth date or a hardship flag
PERSONAL = ("INT-AGE-MIN", "INT-CONSENT", "INT-HAZARD", "X-FEE-HARDSHIP")
#: and rules that read a plugin table's ID numbers (Shaanxi), the positions of another province's
#: enterprises, a table an enterprise may not read (Henan) and a masked text column (the ledger)
OTHERS = ("INT-AGENCY-BAN", "INT-PAY-MIN", "HA-MENTAL-CHECK", "INC-PASS-ON")


def _seen(findings) -> collections.Counter:
    """Findings as a login is shown them (masked), comparable between two checks."""
    return collections.Counter(
        (f.rule, f.subject_kind, f.subject_key, f.message, f.school_code, f.uscc, json.dumps(f.numbers, sort_keys=True, default=str))
        for f in map(mask_finding, findings))


def _facts_views_hold_back_the_data(engine, login, firm):
    """The facts give a login no birth date nor hardship, and only about its own rows."""
    firm_url = login(f"enterprise:{firm}")
    with engine.connect() as conn:
        own = conn.execute(sa.text("SELECT count(*) FROM internships WHERE uscc = :f"), {"f": firm}).scalar_one()
        ages = dict(conn.execute(sa.text(
            "SELECT i.id, CAST(EXTRACT(YEAR FROM age(i.start_on, st.birth_date)) AS INTEGER) FROM internships i "
            "JOIN students st ON st.id_number = i.id_number WHERE i.uscc = :f"), {"f": firm}).all())
    with _raw(firm_url) as raw:
        cur = raw.cursor()
        rows = dict(cur.execute("SELECT id, age_at_start FROM xiaoqi_masked.facts_internships").fetchall())
        assert rows == ages and len(rows) == own > 0  # its own internships only, the age in whole years
        columns = [d.name for d in cur.execute("SELECT * FROM xiaoqi_masked.facts_onex_results LIMIT 0").description]
        assert columns == ["id", "fee_despite_hardship"]
        # the data itself stays masked
        assert cur.execute("SELECT count(*) FROM students WHERE birth_date IS NOT NULL OR hardship IS NOT NULL").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("SELECT birth_date FROM public.students")


def _checks(engine, login_url, actor: str, rules=None):
    """The check as the admin limits it to ``actor`` and as ``actor``'s login runs it."""
    with engine.connect() as conn:
        want = check_as(conn, actor=Actor.parse(actor), rules=rules, as_of=DEMO_TODAY, workers=1)
    login_engine = make_engine(login_url)
    try:
        with login_engine.connect() as conn:
            got = check_as(conn, actor=Actor.parse(actor), rules=rules, as_of=DEMO_TODAY, workers=1)
    finally:
        login_engine.dispose()
    return want, got


def test_a_login_finds_what_the_admin_finds_in_its_scope_or_says_which_rules_it_could_not_run(logins_demo):
    url, engine, login, facts = logins_demo
    _facts_views_hold_back_the_data(engine, login, facts["firm"])
    _compare(engine, login, PERSONAL + OTHERS)
    # the command says so, does not call the register compliant, and exits 1
    firm_url = login(f"enterprise:{facts['firm']}")
    code, out, err = _cli(firm_url, "check", "--rule", "HA-MENTAL-CHECK", "--as-of", DEMO_TODAY)
    assert code == 1 and "检查不完整" in out and "规则 HA-MENTAL-CHECK" in out and "未对此登录运行" in out, (out, err)
    assert "全部合规" not in out
    _a_logins_kept_run_is_its_own(engine, login, facts["firm"])


def _a_logins_kept_run_is_its_own(engine, login, firm):
    """A login's kept check (read through masked views, maybe incomplete) is current for that login
    only: the owner's next check of the same scope does not show it as its own, nor does another
    login of the same actor."""
    from xiaoqi.core.check_store import check_and_store, is_stale, last_run_as

    actor = Actor("enterprise", firm)
    login_engine = make_engine(login(f"enterprise:{firm}"))
    try:
        made = check_and_store(login_engine, actor=actor, today=dt.date.today())
        assert made.id  # kept
        with login_engine.connect() as conn:
            mine = last_run_as(conn, actor=actor)
            assert mine.id == made.id and not is_stale(conn, mine)  # its own: current for it
    finally:
        login_engine.dispose()
    with engine.connect() as conn:  # the owner: the scope's newest run, but not its own
        kept = last_run_as(conn, actor=actor)
        assert kept.id == made.id and is_stale(conn, kept)
    other = make_engine(login(f"enterprise:{firm}"))
    try:
        with other.connect() as conn:
            assert is_stale(conn, last_run_as(conn, actor=actor))
    finally:
        other.dispose()


@pytest.mark.slow
def test_every_rule_as_every_type_of_login(logins_demo):
    url, engine, login, _facts = logins_demo
    _compare(engine, login, None)


def _compare(engine, login, rules):
    """As each type of login, the check finds what the admin's finds in that login's scope, or
    says which rules it did not run; the rules on personal data all run."""
    with engine.connect() as conn:
        whole = check_as(conn, actor=Actor.parse("admin"), rules=PERSONAL, as_of=DEMO_TODAY, workers=1).findings
    by_rule = collections.defaultdict(list)
    for f in whole:
        by_rule[f.rule].append(f)
    # the demo has minors and a hardship student charged a fee
    assert {"INT-AGE-MIN", "INT-CONSENT", "X-FEE-HARDSHIP"} <= set(by_rule), sorted(by_rule)
    minor, hardship = by_rule["INT-AGE-MIN"][0], by_rule["X-FEE-HARDSHIP"][0]
    with engine.connect() as conn:
        province = conn.execute(sa.text("SELECT substr(region, 1, 2) FROM schools WHERE school_code = :s"),
                                {"s": minor.school_code}).scalar_one()
    for actor in ("auditor", f"province:{province}", f"enterprise:{minor.uscc}", f"school:{hardship.school_code}"):
        login_url = login(actor)
        want, got = _checks(engine, login_url, actor, rules)
        not_run = {off.rule for off in got.switched_off if off.reads}
        # the rules on a birth date or hardship run from the facts, and find what the admin finds
        assert not_run.isdisjoint(PERSONAL), (actor, not_run)
        assert {f.rule for f in want.findings} & {"INT-AGE-MIN", "INT-CONSENT", "X-FEE-HARDSHIP"}, actor
        # every other rule finds the same, or the check says it did not run and is not complete
        assert _seen(f for f in got.findings if f.rule not in not_run) == _seen(f for f in want.findings if f.rule not in not_run), actor
        assert set(got.rules_run) | not_run == set(want.rules_run), actor
        assert got.complete == (not not_run)
        for off in got.switched_off:
            if off.reads:
                assert off.message.startswith(f"规则 {off.rule}") and "未对此登录运行" in off.message
