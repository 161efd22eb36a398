"""``xiaoqi check`` run as a login finds what the admin finds within that login's scope, also where
a rule judges personal data the login may not read (a student's birth date, hardship flag): the
rule reads the facts the database gives the login instead (``core.rules.facts``), never the data."""

from __future__ import annotations

import collections
import json

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine
from xiaoqi.core.privacy import mask_finding
from xiaoqi.core.rules import check_as

from ..conftest import DEMO_TODAY
from .test_logins_pg import _raw, shared  # noqa: F401  (the fixture)

pytestmark = pytest.mark.pg

#: the rules that judge a birth date or a hardship flag
PERSONAL = ("INT-AGE-MIN", "INT-CONSENT", "INT-HAZARD", "X-FEE-HARDSHIP")


def _seen(findings) -> collections.Counter:
    """Findings as a login is shown them (masked), comparable between two checks."""
    return collections.Counter(
        (f.rule, f.subject_kind, f.subject_key, f.message, f.school_code, f.uscc, json.dumps(f.numbers, sort_keys=True, default=str))
        for f in map(mask_finding, findings))


def _facts_views_hold_back_the_data(engine, login, firm):
    """The facts give a login no birth date nor hardship, and only about its own rows."""
    _name, firm_url = login(f"enterprise:{firm}")
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


def test_a_login_finds_what_the_admin_finds_in_its_scope_on_personal_data(shared):
    url, engine, login, facts = shared
    _facts_views_hold_back_the_data(engine, login, facts["firm"])
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
                                {"s": hardship.school_code}).scalar_one()
    actors = ["auditor", f"province:{province}", f"enterprise:{minor.uscc}", f"school:{hardship.school_code}"]
    for actor in actors:
        _name, login_url = login(actor)
        with engine.connect() as conn:
            want = check_as(conn, actor=Actor.parse(actor), rules=PERSONAL, as_of=DEMO_TODAY, workers=1)
        login_engine = make_engine(login_url)
        try:
            with login_engine.connect() as conn:
                got = check_as(conn, actor=Actor.parse(actor), rules=PERSONAL, as_of=DEMO_TODAY, workers=1)
        finally:
            login_engine.dispose()
        assert want.findings, actor
        assert {f.rule for f in want.findings} & {"INT-AGE-MIN", "INT-CONSENT", "X-FEE-HARDSHIP"}, actor
        assert _seen(got.findings) == _seen(want.findings), actor
        assert got.switched_off == want.switched_off


