"""The national rules' deliberate violations in the demo data, so that ``xiaoqi check`` on the demo
has something to find for each rule: planted in the core's rows before they are written
(``xiaoqi_demo_plant``), and the apprenticeship ones on the written registry (``xiaoqi_demo_data``).
Every violation is recorded in the manifest (rule id -> subject keys)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.demo import add_months
from xiaoqi.core.fields import birth_date
from xiaoqi.core.rules import internship_key as key

from .internships import years_between

CENT = Decimal("0.01")


def plant(demo) -> None:
    """The violations in the rows about to be written (``demo`` is the core's demo builder)."""
    ms = demo.manifest
    # the 2021 alumni the 2016 rule judges: a 顶岗 paid under 80% of the probation wage, and a minor
    # without a guardian's signature (the core writes alumni of every kind; these two break it)
    for r in demo.internships:
        if key(r) not in demo.legacy:
            continue
        if r["kind_label"] == "顶岗实习" and r["monthly_pay"] < demo.probation_wage(r) * Decimal("0.8"):
            ms.expect("INT-PAY-MIN", key(r))
        if years_between(birth_date(r["id_number"]), r["start_on"]) < 18 and not r["guardian_signed"]:
            ms.expect("INT-CONSENT", key(r))
    picks = demo.picks
    r = next(picks); r["monthly_pay"] = (demo.wage(r) * Decimal("0.6")).quantize(CENT); ms.expect("INT-PAY-MIN", key(r))
    r = next(picks); r["fees_charged"] = "押金"; ms.expect("INT-FEES-BAN", key(r))
    r = next(picks); r["guardian_signed"] = False; ms.expect("INT-CONSENT", key(r))
    r = next(picks); r["agreement_signed_on"] = r["start_on"] + dt.timedelta(days=5); ms.expect("INT-AGREEMENT", key(r))
    r = next(picks); r["overtime"] = True; ms.expect("INT-HOURS", key(r))
    r = next(picks); r["via_agency"] = True; ms.expect("INT-AGENCY-BAN", key(r))
    r = next(picks); r["end_on"] = add_months(r["start_on"], 9); ms.expect("INT-DURATION", key(r))
    r = next(picks); r["pay_cycle_days"] = 60; ms.expect("INT-PAY-MIN", key(r))
    # cross-province without filing
    r = next(picks)
    r["work_region"] = demo.region_elsewhere(r["school_code"])
    r["filing_approved_on"] = None; ms.expect("INT-FILING", key(r))
    # coverage gap: the student leaves the insured list for ten days in the middle
    r = next(picks)
    gap_start = r["start_on"] + dt.timedelta(days=20)
    demo.uncover(r, gap_start, gap_start + dt.timedelta(days=9)); ms.expect("INT-INSURANCE", key(r))
    # overlap: a second internship for the same student starting inside the first
    r = next(picks)
    twin = {**r, "start_on": r["start_on"] + dt.timedelta(days=10)}
    twin["uscc"], twin["position_code"] = demo.other_post(r)
    demo.assign_mentors(twin)
    twin["monthly_pay"] = (demo.wage(twin) * Decimal("0.9")).quantize(CENT)
    province = demo.province_of(r["school_code"])
    twin["filing_approved_on"] = twin["start_on"] - dt.timedelta(days=30) if twin["uscc"][2:4] != province else None
    demo.add_internship(twin, insure=False)
    ms.expect("INT-OVERLAP", key(r)); ms.expect("INT-OVERLAP", key(twin))
    # a first-year student on 岗位实习 (enrolled 60 days before), and a 15-year-old
    school = demo.schools[0]
    start = demo.today - dt.timedelta(days=30)
    enrolled = start - dt.timedelta(days=60)
    st = demo.new_student(school, enrolled, dt.date(enrolled.year - 18, 3, 3))
    r = demo.internship_row(school, st, demo.post_for(st), start, 3)
    demo.add_internship(r); ms.expect("INT-GRADE1", key(r))
    st = demo.new_student(school, dt.date(start.year - 2, 9, 1), start - dt.timedelta(days=15 * 365 + 100))
    r = demo.internship_row(school, st, demo.post_for(st), start, 3)
    demo.add_internship(r); ms.expect("INT-AGE-MIN", key(r))
    # a premium paid by the student
    r = next(picks)
    no = f"PSTU{r['start_on'].year}{r['school_code'][-6:]}"
    demo.add_policy({
        "policy_no": no, "insurer": demo.insurers[1], "kind": "意外伤害保险", "holder": r["school_code"], "payer": "学生",
        "start_on": r["start_on"], "end_on": r["end_on"], "cover_per_person": Decimal("100000.00"), "premium": Decimal("120.00"),
    }, [r["id_number"]])
    ms.expect("INT-INS-PREMIUM", key(r))
    # a hazardous post: every on-post internship there breaks INT-HAZARD
    r = next(picks)
    demo.update_position(r, hazardous=True)
    for other in demo.on_post_at(r["uscc"], r["position_code"]):
        ms.expect("INT-HAZARD", key(other))
    # an enterprise registered as a KTV (GB/T 4754-2017 9011 歌舞厅娱乐活动): every internship there is banned
    r = next(picks)
    demo.update_enterprise(r["uscc"], industry_code="9011")
    for other in demo.internships:
        if other["uscc"] == r["uscc"] and key(other) not in demo.legacy:
            ms.expect("INT-VENUE-BAN", key(other))
    # far more interns than 10 % of an enterprise's staff, and than 20 % of a post's staff
    r = next(picks)
    demo.update_enterprise(r["uscc"], staff_count=len(demo.on_post_at(r["uscc"])))
    ms.expect("INT-RATIO-ENTERPRISE", r["uscc"])
    r = next(p for p in picks if p["uscc"] != r["uscc"])
    demo.update_position(r, staff_count=1)
    ms.expect("INT-RATIO-POST", f"{r['uscc']}/{r['position_code']}")


def apprenticeship(session, manifest) -> None:
    """On apprentices no quota reservation touches (the first two, by enterprise, post and ID
    number): a quota lowered below the apprentices already there (as an import can leave it), and
    an "apprenticeship" of four months."""
    i, p, r = m.Internship, m.Position, m.QuotaReservation
    reserved = sa.select(r.id).where(r.uscc == p.uscc, r.position_code == p.position_code).exists()
    rows = session.execute(
        sa.select(i.id_number, i.uscc, i.position_code, i.start_on)
        .join(p, sa.and_(p.uscc == i.uscc, p.position_code == i.position_code))
        .where(i.kind == "学徒", p.apprentice_quota > 0, i.start_on <= p.quota_to, i.end_on >= p.quota_from, ~reserved)
    ).all()
    spare = sorted(rows, key=lambda x: (x.uscc, x.position_code, x.id_number))
    if spare:
        first = spare[0]
        held = sum(1 for x in spare if (x.uscc, x.position_code) == (first.uscc, first.position_code))
        session.execute(sa.update(p).where(p.uscc == first.uscc, p.position_code == first.position_code)
                        .values(apprentice_quota=held - 1))
        manifest.expect("APP-QUOTA-EXCEEDED", f"{first.uscc}/{first.position_code}")
    if len(spare) > 1:
        second = spare[1]
        session.execute(sa.update(i).where(i.id_number == second.id_number, i.uscc == second.uscc, i.start_on == second.start_on)
                        .values(end_on=add_months(second.start_on, 4) - dt.timedelta(days=1)))
        manifest.expect("APP-DURATION", key(second._mapping))
