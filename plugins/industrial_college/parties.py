"""The parties of a college: how a partner is written (one code whose length tells a school code,
a USCC and a region code apart), and the guards that hold a record to the college's parties.

A guard runs on every write, from a form or an import (``Access.guards``), with one query per
batch: a partner school or enterprise must be in the registry (its figures are queries over it);
an investment, an order class, a base, a course or a service names an enterprise partner of its
college; a body member sits for the lead school or a partner; a joint major is a major of the lead
school or of a partner school; a teaching record names an enterprise teacher of a partner.
"""

from __future__ import annotations

from typing import Iterable

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core import fields as f
from xiaoqi.core.i18n import both, catalogue, t

from .vocabulary import ASSOCIATION, ENTERPRISE, GOVERNMENT, SCHOOL

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "ic.v.party": ("应为10位学校代码、18位统一社会信用代码或6位行政区划代码", "expected a 10-digit school code, an 18-character USCC or a 6-digit region code"),
        "ic.v.party_type": ("{type}的合作方代码应为{expected}", "a {type} partner's code is {expected}"),
        "ic.v.party_name": ("{type}合作方须填写名称", "a {type} partner needs its name"),
        "ic.v.not_registered": ("{kind}名录中没有 {code}：请先登记（xiaoqi import {name}），再列为合作方", "{code} is not in the {kind} register: register it first (xiaoqi import {name}), then list it as a partner"),
        "ic.v.not_party": ("{code} 不是产业学院 {college} 的{what}：请先在产业学院合作方（ic_partners）中登记", "{code} is not {what} of the industrial college {college}: list it in ic_partners first"),
        "ic.v.what.enterprise": ("合作企业", "a partner enterprise"),
        "ic.v.what.party": ("牵头学校或合作方", "the lead school or a partner"),
        "ic.v.what.school": ("牵头学校或合作学校", "the lead school or a partner school"),
        "ic.v.teacher_side": ("{name} 不是企业方教师：企业教师授课只记企业导师或企业兼职教师（教师名录中填有统一社会信用代码）",
                              "{name} is not an enterprise teacher: record the teaching of enterprise mentors or of part-time teachers from a firm (with a USCC in the teachers register)"),
        "ic.v.teacher_firm": ("{name} 所在企业 {uscc} 不是产业学院 {college} 的合作企业", "{name}'s enterprise {uscc} is not a partner enterprise of the industrial college {college}"),
    }
)

#: the code shapes by partner type: school code, USCC, region code
_SHAPE = {SCHOOL: 10, ENTERPRISE: 18, ASSOCIATION: 18, GOVERNMENT: 6}
_SHAPE_TEXT = {10: ("10位学校代码", "a 10-digit school code"), 18: ("18位统一社会信用代码", "an 18-character USCC"),
               6: ("6位行政区划代码", "a 6-digit region code")}


def parse_party(value) -> str:
    """A partner's code: a school code (10 digits), a USCC (18 characters, checksum) or a region
    code (6 digits), told apart by length."""
    code = f.parse_text(value).upper().replace(" ", "")
    if len(code) == 18:
        return f.parse_uscc(code)
    if len(code) == 10 and code.isdigit():
        return code
    if len(code) == 6 and code.isdigit():
        return f.parse_region(code)
    raise ValueError(t("ic.v.party"))


def partner_checks(values: dict) -> list[tuple[str, str]]:
    """The code has the shape of the partner's type; a government or association is named."""
    kind, code = values.get("partner_type"), values.get("partner_code")
    problems = []
    if kind in _SHAPE and code and len(code) != _SHAPE[kind]:
        problems.append(("partner_code", t("ic.v.party_type", type=kind, expected=both(*_SHAPE_TEXT[_SHAPE[kind]]))))
    if kind in (GOVERNMENT, ASSOCIATION) and not values.get("name"):
        problems.append(("name", t("ic.v.party_name", type=kind)))
    return problems


def partner_derive(values: dict) -> dict:
    """The registry keys of a school or enterprise partner (foreign keys, see ``models``)."""
    kind, code = values.get("partner_type"), values.get("partner_code")
    return {"school_code": code if kind == SCHOOL else None, "uscc": code if kind == ENTERPRISE else None}


# -- guards ----------------------------------------------------------------------------------------

def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(conn, column, codes: set) -> set:
    found: set = set()
    for part in _chunks(sorted(codes)):
        found.update(conn.execute(sa.select(column).where(column.in_(part))).scalars())
    return found


def registered_partners(conn, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """A school or enterprise partner is in the registry."""
    from xiaoqi.core.models import Enterprise, School

    problems = []
    for partner_type, column, kind_name, label in ((SCHOOL, School.school_code, "schools", ("学校", "schools")),
                                                   (ENTERPRISE, Enterprise.uscc, "enterprises", ("企业", "enterprises"))):
        wanted = {r["partner_code"] for r in rows if r.get("partner_type") == partner_type and r.get("partner_code")}
        if not wanted:
            continue
        found = _existing(conn, column, wanted)
        for i, r in enumerate(rows):
            if r.get("partner_type") == partner_type and r.get("partner_code") in wanted - found:
                problems.append((i, "partner_code", t("ic.v.not_registered", kind=both(*label), code=r["partner_code"], name=kind_name)))
    return problems


def college_parties(conn, colleges: set[str]) -> set[tuple[str, str, str]]:
    """Every (college, code, type) of these colleges: their partners, and their lead schools."""
    from .models import College, Partner

    out: set[tuple[str, str, str]] = set()
    for part in _chunks(sorted(colleges)):
        out.update(tuple(r) for r in conn.execute(
            sa.select(Partner.college_code, Partner.partner_code, Partner.partner_type).where(Partner.college_code.in_(part))))
        out.update((c, s, "lead") for c, s in conn.execute(
            sa.select(College.code, College.lead_school_code).where(College.code.in_(part))))
    return out


def party_guard(column: str, types: tuple[str, ...], what: str):
    """A guard: ``column`` (when filled) names a party of the row's college whose type is one of
    ``types`` ("lead" for the lead school)."""

    def guard(conn, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
        wanted = [(i, r["college_code"], r[column]) for i, r in enumerate(rows) if r.get(column) and r.get("college_code")]
        if not wanted:
            return []
        parties = {(c, code) for c, code, kind_ in college_parties(conn, {c for _, c, _ in wanted}) if kind_ in types}
        return [(i, column, t("ic.v.not_party", code=code, college=college, what=t(f"ic.v.what.{what}")))
                for i, college, code in wanted if (college, code) not in parties]

    guard.__doc__ = f"{column} names {what} of the college"
    return guard


enterprise_partner = party_guard("uscc", (ENTERPRISE,), "enterprise")
member_party = party_guard("organisation_code", ("lead", *_SHAPE), "party")
major_school = party_guard("school_code", ("lead", SCHOOL), "school")


def enterprise_teacher(conn, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """The teacher is on the enterprise side (a 企业导师, or a 兼职 teacher with a firm) of a
    partner enterprise of the college."""
    from xiaoqi.core.models import Teacher

    ids = {r["teacher_id"] for r in rows if r.get("teacher_id")}
    if not ids:
        return []
    teachers = {}
    for part in _chunks(sorted(ids)):
        teachers.update({i: (n, u) for i, n, u in conn.execute(
            sa.select(Teacher.id_number, Teacher.name, Teacher.uscc).where(Teacher.id_number.in_(part)))})
    parties = college_parties(conn, {r["college_code"] for r in rows if r.get("college_code")})
    problems = []
    for i, r in enumerate(rows):
        if r.get("teacher_id") not in teachers:
            continue  # an unknown teacher is reported by the reference check
        name, uscc = teachers[r["teacher_id"]]
        if uscc is None:
            problems.append((i, "teacher_id", t("ic.v.teacher_side", name=name)))
        elif (r.get("college_code"), uscc, ENTERPRISE) not in parties:
            problems.append((i, "teacher_id", t("ic.v.teacher_firm", name=name, uscc=uscc, college=r.get("college_code"))))
    return problems
