"""Queries behind ``xiaoqi luban`` and the Luban screen: the list of workshops with their figures,
one workshop in full, and summaries by host country and by lead college.

Every figure is a set-based aggregate (one statement per listing or summary, sums per workshop in
sub-queries so that equipment lines and activity years never multiply each other), limited to the
workshops the actor may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core.actors import Actor
from xiaoqi.core.models import CENT, Enterprise, School
from xiaoqi.core.countries import country_name
from xiaoqi.core.services import get_record, snapshot

from .kinds import ACTIVITY, EQUIPMENT, PARTNERS, WORKSHOPS
from .models import Workshop, WorkshopActivity, WorkshopEquipment, WorkshopPartner

FIGURES = ("workshops", "enrolled", "trainees", "local_teachers_trained", "chinese_teachers_sent", "equipment_value")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _activity(year: int | None):
    """Per workshop: trainees and teachers (the year's, or every year's), and the enrolment of the
    year (or of the latest year reported)."""
    a = WorkshopActivity
    sums = sa.select(
        a.workshop_name.label("workshop_name"),
        _total(a.trainees, "trainees"),
        _total(a.local_teachers_trained, "local_teachers_trained"),
        _total(a.chinese_teachers_sent, "chinese_teachers_sent"),
        sa.func.max(a.year).label("last_year"),
    ).group_by(a.workshop_name)
    if year is not None:
        sums = sums.where(a.year == year)
    sums = sums.subquery("act")
    enrolled = (sa.select(a.workshop_name.label("workshop_name"), a.enrolled.label("enrolled"))
                .join(sums, sa.and_(sums.c.workshop_name == a.workshop_name, sums.c.last_year == a.year))
                .subquery("enr"))
    return sums, enrolled


def _equipment(year: int | None):
    """Per workshop: the value of its equipment (delivered by the end of ``year``, if given)."""
    e = WorkshopEquipment
    stmt = sa.select(e.workshop_name.label("workshop_name"), sa.func.sum(e.value).label("value"),
                     sa.func.sum(e.quantity).label("items")).group_by(e.workshop_name)
    if year is not None:
        stmt = stmt.where(e.delivered_on <= dt.date(year, 12, 31))
    return stmt.subquery("eq")


def _visible(stmt, actor: Actor):
    scope = WORKSHOPS.read_filter(actor)
    return stmt if scope is None else stmt.where(scope)


def list_workshops(session: Session, *, actor: Actor, country: str | None = None, school: str | None = None,
                   status: str | None = None, year: int | None = None) -> list[dict]:
    """The workshops the actor may see, with their lead college's name and their figures."""
    act, enr = _activity(year)
    eq = _equipment(year)
    w = Workshop
    stmt = (
        sa.select(w.name, w.country, w.city, w.partner_institution, w.lead_school_code, School.name.label("lead_school_name"),
                  w.status, w.opened_on, w.epip, w.majors,
                  sa.func.coalesce(enr.c.enrolled, 0).label("enrolled"),
                  sa.func.coalesce(act.c.trainees, 0).label("trainees"),
                  sa.func.coalesce(act.c.local_teachers_trained, 0).label("local_teachers_trained"),
                  sa.func.coalesce(act.c.chinese_teachers_sent, 0).label("chinese_teachers_sent"),
                  act.c.last_year, eq.c.value.label("equipment_value"))
        .select_from(w)
        .outerjoin(School, School.school_code == w.lead_school_code)
        .outerjoin(act, act.c.workshop_name == w.name)
        .outerjoin(enr, enr.c.workshop_name == w.name)
        .outerjoin(eq, eq.c.workshop_name == w.name)
        .order_by(w.opened_on.is_(None), w.opened_on, w.name)
    )
    if country:
        stmt = stmt.where(w.country == country)
    if school:
        stmt = stmt.where(w.lead_school_code == school)
    if status:
        stmt = stmt.where(w.status == status)
    rows = []
    for r in session.execute(_visible(stmt, actor)).mappings():
        row = dict(r)
        row["country_name"] = country_name(row["country"])
        row["equipment_value"] = _money(row["equipment_value"])
        rows.append(row)
    return rows


@dataclass
class WorkshopDetail:
    workshop: dict
    lead_school_name: str | None
    partners: list[dict] = field(default_factory=list)
    equipment: list[dict] = field(default_factory=list)
    activity: list[dict] = field(default_factory=list)

    @property
    def equipment_value(self) -> Decimal:
        return sum((_money(e["value"]) for e in self.equipment), Decimal("0.00"))

    def as_dict(self) -> dict:
        return {**self.workshop, "country_name": country_name(self.workshop["country"]),
                "lead_school_name": self.lead_school_name, "equipment_value": str(self.equipment_value),
                "partners": self.partners, "equipment": self.equipment, "activity": self.activity}


def workshop_detail(session: Session, *, actor: Actor, name: str) -> WorkshopDetail:
    """One workshop with its partners (named from the registry where it knows the USCC), its
    equipment and its yearly activity; NotFound when the actor may not see it."""
    obj = get_record(session, actor=actor, kind=WORKSHOPS, key={"name": name})
    school = session.execute(sa.select(School.name).where(School.school_code == obj.lead_school_code)).scalar()
    partners = []
    stmt = (sa.select(WorkshopPartner, Enterprise.name.label("registered_name"))
            .outerjoin(Enterprise, Enterprise.uscc == WorkshopPartner.uscc)
            .where(WorkshopPartner.workshop_name == obj.name).order_by(WorkshopPartner.id))
    for partner, registered in session.execute(stmt):
        row = snapshot(PARTNERS, partner)
        row["registered_name"] = registered
        partners.append(row)
    equipment = [snapshot(EQUIPMENT, e) for e in session.execute(
        sa.select(WorkshopEquipment).where(WorkshopEquipment.workshop_name == obj.name)
        .order_by(WorkshopEquipment.delivered_on, WorkshopEquipment.item)).scalars()]
    activity = [snapshot(ACTIVITY, a) for a in session.execute(
        sa.select(WorkshopActivity).where(WorkshopActivity.workshop_name == obj.name)
        .order_by(WorkshopActivity.year)).scalars()]
    return WorkshopDetail(workshop=snapshot(WORKSHOPS, obj), lead_school_name=school, partners=partners,
                          equipment=equipment, activity=activity)


@dataclass
class Summary:
    year: int | None
    by_country: list[dict]
    by_college: list[dict]
    total: dict

    def as_dict(self) -> dict:
        def clean(row):
            return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}

        return {"year": self.year, "by_country": [clean(r) for r in self.by_country],
                "by_college": [clean(r) for r in self.by_college], "total": clean(self.total)}


def _total(column, label: str):
    # PostgreSQL sums a bigint into a numeric: a head count stays a whole number
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger).label(label)


def _figures(act, enr, eq):
    return [
        sa.func.count(Workshop.id).label("workshops"),
        _total(enr.c.enrolled, "enrolled"),
        _total(act.c.trainees, "trainees"),
        _total(act.c.local_teachers_trained, "local_teachers_trained"),
        _total(act.c.chinese_teachers_sent, "chinese_teachers_sent"),
        sa.func.sum(eq.c.value).label("equipment_value"),
    ]


def summary(session: Session, *, actor: Actor, year: int | None = None) -> Summary:
    """Workshops, enrolment, trainees, teachers trained and sent, and equipment value, by host
    country and by lead college — for one year (equipment delivered by its end), or for every year
    (enrolment of each workshop's latest year)."""
    act, enr = _activity(year)
    eq = _equipment(year)

    def grouped(*keys):
        stmt = (sa.select(*keys, *_figures(act, enr, eq)).select_from(Workshop)
                .outerjoin(School, School.school_code == Workshop.lead_school_code)
                .outerjoin(act, act.c.workshop_name == Workshop.name)
                .outerjoin(enr, enr.c.workshop_name == Workshop.name)
                .outerjoin(eq, eq.c.workshop_name == Workshop.name))
        if keys:
            stmt = stmt.group_by(*keys).order_by(sa.func.count(Workshop.id).desc(), *keys)
        out = []
        for r in session.execute(_visible(stmt, actor)).mappings():
            row = dict(r)
            row["equipment_value"] = _money(row["equipment_value"])
            out.append(row)
        return out

    by_country = grouped(Workshop.country)
    for row in by_country:
        row["country_name"] = country_name(row["country"])
    by_college = grouped(Workshop.lead_school_code, School.name.label("school_name"))
    total = grouped()[0]
    return Summary(year=year, by_country=by_country, by_college=by_college, total=total)
