"""A small, compliant registry for rule tests, written with direct inserts into a fresh database.

``World(session)`` holds one Jiangsu school, one enterprise with one post, an agreement with an
on-site vetting, and a liability policy covering 2025–2027. ``world.internship(...)`` adds a
compliant 岗位实习 (its student created and insured) and returns its natural key; each test
overrides only the fields that make its case.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.fields import uscc_with_check
from xiaoqi.core.rules import run_check
from xiaoqi.testing import make_id_number

D = dt.date


make_uscc = uscc_with_check
make_id = make_id_number


SCHOOL = "4132012345"
ENTERPRISE = make_uscc("91320100MA1AAAAA0")
POLICY = "POL-2025"


class World:
    def __init__(self, session, *, region: str = "320100", school: str = SCHOOL, enterprise: str = ENTERPRISE):
        self.session = session
        self.region = region
        self.school_code = school
        self.uscc = enterprise
        self._seq = itertools.count(1)
        self.school(school, region)
        self.enterprise(enterprise, region)
        self.position(enterprise, "P001")
        self.agreement(school, enterprise)
        self.policy(POLICY, holder=school, start=D(2025, 1, 1), end=D(2027, 12, 31))

    def _insert(self, model, **row) -> dict:
        self.session.execute(sa.insert(model.__table__), [row])
        return row

    def school(self, code: str, region: str) -> None:
        self._insert(m.School, school_code=code, name=f"学校{code[-4:]}", level="高职", region=region)
        for major in ("460301", "520201", "510201"):
            self._insert(m.Major, school_code=code, major_code=major, name=f"专业{major}")

    def enterprise(self, code: str, region: str, *, staff: int = 1000, industry: str = "3484") -> None:
        self._insert(m.Enterprise, uscc=code, name=f"企业{code[-6:]}", industry_code=industry, region=region, staff_count=staff)

    def position(self, enterprise: str, code: str, *, staff: int = 100, wage: str = "5000", category: str | None = "46",
                 hazardous: bool = False, barred_for_minors: bool = False, **values) -> None:
        """A post; ``values`` sets the columns added since the first schema (probation_wage, barred_for_women,
        labour_intensity), which a database migrated only to that schema lacks."""
        if values.get("probation_wage") is not None:
            values["probation_wage"] = Decimal(values["probation_wage"])
        self._insert(m.Position, uscc=enterprise, position_code=code, title=f"岗位{code}", major_category=category,
                     staff_count=staff, wage=Decimal(wage), hazardous=hazardous, barred_for_minors=barred_for_minors, **values)

    def agreement(self, school: str, enterprise: str, *, vetted_on: dt.date | None = D(2024, 12, 1)) -> None:
        self._insert(m.Agreement, school_code=school, uscc=enterprise, agreement_no=f"XQ-{school}-{enterprise[-6:]}",
                     kind="实习基地", signed_on=D(2024, 12, 15), vetted_on=vetted_on)

    def policy(self, no: str, *, holder: str, start: dt.date, end: dt.date, kind: str = "实习责任保险", payer: str = "学校",
               cover: str | None = "500000", **values) -> None:
        self._insert(m.InsurancePolicy, policy_no=no, insurer="中国人民财产保险股份有限公司", kind=kind, holder=holder,
                     payer=payer, start_on=start, end_on=end, cover_per_person=Decimal(cover) if cover else None,
                     premium=Decimal("100"), **values)

    def insure(self, policy_no: str, id_number: str, start: dt.date | None = None, end: dt.date | None = None) -> None:
        self._insert(m.InsuredPerson, policy_no=policy_no, id_number=id_number, start_on=start, end_on=end)

    def student(self, *, school: str | None = None, birth: dt.date = D(2005, 5, 5), enrolled: dt.date = D(2023, 9, 1),
                major: str = "460301", region: str | None = None, female: bool = False) -> str:
        """A student (a man unless ``female``: the ID number's 17th digit is odd for men, GB 11643)."""
        seq = next(self._seq)
        if seq % 2 != (0 if female else 1):
            seq = next(self._seq)
        id_number = make_id(region or self.region, birth, seq)
        self._insert(m.Student, school_code=school or self.school_code, student_no=f"S{next(self._seq):05d}", name="学生",
                     id_number=id_number, birth_date=birth, major_code=major, enrolled_on=enrolled)
        return id_number

    def internship(self, *, student: str | None = None, insured: bool = True, birth: dt.date = D(2005, 5, 5),
                   enrolled: dt.date = D(2023, 9, 1), major: str = "460301", female: bool = False, **values) -> str:
        """A compliant on-post internship from 2025-09-01 to 2026-02-28 unless ``values`` say otherwise."""
        school = values.get("school_code", self.school_code)
        student = student or self.student(school=school, birth=birth, enrolled=enrolled, major=major, female=female)
        start = values.get("start_on", D(2025, 9, 1))
        row = {
            "school_code": school, "id_number": student, "uscc": self.uscc, "position_code": "P001", "kind": "岗位实习",
            "start_on": start, "end_on": D(2026, 2, 28), "work_region": None, "monthly_pay": Decimal("4500"),
            "pay_cycle_days": 30, "paid_directly": True, "fees_charged": None,
            "agreement_signed_on": start - dt.timedelta(days=10), "consent_signed_on": start - dt.timedelta(days=10),
            "guardian_signed": True, "school_mentor": "张老师", "enterprise_mentor": "李师傅", "overtime": False,
            "night_shift": False, "holiday_work": False, "exception_filed_on": None, "via_agency": False,
            "filing_approved_on": None,
        }
        row.update(values)
        if row["monthly_pay"] is not None:
            row["monthly_pay"] = Decimal(row["monthly_pay"])
        self._insert(m.Internship, **row)
        if insured:
            self.insure(POLICY, student)
        return f"{student}/{row['uscc']}/{row['start_on'].isoformat()}"


def findings(session, rule: str, **kw):
    return [f for f in run_check(session, rules=[rule], **kw).findings]


def keys(session, rule: str, **kw) -> list[str]:
    return sorted(f.subject_key for f in findings(session, rule, **kw))
