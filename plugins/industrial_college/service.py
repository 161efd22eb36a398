"""The queries behind ``xiaoqi ic``, the screen and the report: the colleges with their figures,
one college in full, a year's summary, and the seven-task scorecard.

Each listing is one SQL statement (the figures of every college in sub-aggregates joined onto the
colleges, so that investment lines, teaching records and internships never multiply each other);
the detail of one college is one statement per section. Every statement is limited to what the
actor may read — the colleges it sees, and within them the core's records it sees (a partner school
counts only its own students; an enterprise only its own investment and the internships at it).
Money is summed in fen as whole numbers, so totals are exact on SQLite too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core.access import scope_sql
from xiaoqi.core.actors import Actor
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.privacy import present
from xiaoqi.core.services import get_record

from . import kinds as k
from .checklist import SOURCES, evidence_sql
from .figures import college_internships, college_students, partner_during, partner_on
from .vocabulary import ENTERPRISE, INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN, TASKS

#: the figures of a college, in the order the commands print them
FIGURES = ("enterprise_partners", "investment", "teaching_hours", "enterprise_teachers", "students", "interns",
           "apprentices", "hires", "meetings", "services", "service_income", "trainees")
#: the money figures among them
MONEY = ("investment", "service_income", *(f"investment_{en}" for en in INVESTMENT_CATEGORIES_EN))


def cents(expr: str) -> str:
    """SQL: a money column summed exactly, in fen."""
    return f"SUM(CAST(ROUND({expr} * 100) AS BIGINT))"


def yuan(value) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


def _scope(conn, kind: str, actor: Actor, alias: str) -> str:
    return scope_sql(get_kind(kind), actor, "read", conn.dialect, alias) or "1 = 1"


def _query(conn, sql: str, types: dict | None = None, **params):
    """Run ``sql`` with ``params``; dates are bound, and the result columns named in ``types`` read,
    as their SQL types on either database (SQLite hands dates back as text)."""
    binds = [sa.bindparam(name, value, type_=sa.Date) for name, value in params.items() if isinstance(value, dt.date)]
    stmt = sa.text(sql).bindparams(*binds)
    if types:
        stmt = stmt.columns(**types)
    return conn.execute(stmt, {n: v for n, v in params.items() if not isinstance(v, dt.date)})


def _figures_sql(conn, actor: Actor, year: int | None) -> str:
    """The ``WITH`` clause of every college's figures, for one year (``:first`` to ``:last``) or
    for all time (partners counted on ``:today``)."""
    in_year = (lambda column: f"{column} = {year}") if year else (lambda column: "1 = 1")
    overlaps = "ci.start_on <= :last AND ci.end_on >= :first" if year else "1 = 1"
    held = "m.held_on >= :first AND m.held_on <= :last" if year else "1 = 1"
    categories = ", ".join(f"{cents(f'CASE WHEN v.category = {chr(39)}{zh}{chr(39)} THEN v.amount END')} AS investment_{en}"
                           for zh, en in zip(INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN))
    return f"""
        WITH inv AS (SELECT v.college_code, {cents("v.amount")} AS investment, {categories}
                     FROM ic_investments v WHERE {in_year("v.year")} AND {_scope(conn, "ic_investments", actor, "v")}
                     GROUP BY v.college_code),
             tch AS (SELECT college_code, SUM(hours) AS teaching_hours, COUNT(DISTINCT teacher_id) AS enterprise_teachers
                     FROM ic_teaching WHERE {in_year("year")} GROUP BY college_code),
             stu AS (SELECT cs.college_code, COUNT(*) AS students
                     FROM ({college_students(_scope(conn, "students", actor, "st"))}) cs GROUP BY cs.college_code),
             itn AS (SELECT ci.college_code,
                            COUNT(DISTINCT CASE WHEN ci.kind = '岗位实习' THEN ci.id_number END) AS interns,
                            COUNT(DISTINCT CASE WHEN ci.kind = '学徒' THEN ci.id_number END) AS apprentices
                     FROM ({college_internships(_scope(conn, "internships", actor, "i"))}) ci WHERE {overlaps}
                     GROUP BY ci.college_code),
             ord AS (SELECT college_code, SUM(hired) AS hires FROM ic_order_classes
                     WHERE {in_year("graduation_year")} GROUP BY college_code),
             prt AS (SELECT p.college_code, COUNT(*) AS enterprise_partners FROM ic_partners p
                     WHERE p.partner_type = '{ENTERPRISE}' AND {partner_on("p", ":today")} GROUP BY p.college_code),
             mtg AS (SELECT m.college_code, COUNT(*) AS meetings FROM ic_meetings m WHERE {held} GROUP BY m.college_code),
             svc AS (SELECT college_code, COUNT(*) AS services, {cents("amount")} AS service_income, SUM(trainees) AS trainees
                     FROM ic_services WHERE {in_year("year")} GROUP BY college_code)
    """


def _figure_columns() -> str:
    money = ", ".join(f"COALESCE(inv.investment_{en}, 0) AS investment_{en}" for en in INVESTMENT_CATEGORIES_EN)
    return f"""
        COALESCE(prt.enterprise_partners, 0) AS enterprise_partners, COALESCE(inv.investment, 0) AS investment, {money},
        COALESCE(tch.teaching_hours, 0) AS teaching_hours, COALESCE(tch.enterprise_teachers, 0) AS enterprise_teachers,
        COALESCE(stu.students, 0) AS students, COALESCE(itn.interns, 0) AS interns, COALESCE(itn.apprentices, 0) AS apprentices,
        COALESCE(ord.hires, 0) AS hires, COALESCE(mtg.meetings, 0) AS meetings, COALESCE(svc.services, 0) AS services,
        COALESCE(svc.service_income, 0) AS service_income, COALESCE(svc.trainees, 0) AS trainees
    """


_JOINS = """
    LEFT JOIN inv ON inv.college_code = c.code LEFT JOIN tch ON tch.college_code = c.code
    LEFT JOIN stu ON stu.college_code = c.code LEFT JOIN itn ON itn.college_code = c.code
    LEFT JOIN ord ON ord.college_code = c.code LEFT JOIN prt ON prt.college_code = c.code
    LEFT JOIN mtg ON mtg.college_code = c.code LEFT JOIN svc ON svc.college_code = c.code
"""


def _row(mapping) -> dict:
    row = {name: (int(value) if isinstance(value, Decimal) and name not in MONEY else value) for name, value in mapping.items()}
    for name in MONEY:
        if name in row:
            row[name] = yuan(row[name])
    return row


def list_colleges(session: Session, *, actor: Actor, today: dt.date, year: int | None = None, school: str | None = None,
                  status: str | None = None) -> list[dict]:
    """The colleges the actor may see, with their lead school's name and their figures (for
    ``year``, or over all time; enterprise partners as of ``today``)."""
    conn = session.connection()
    where = [_scope(conn, "ic_colleges", actor, "c")]
    if school:
        where.append("(c.lead_school_code = :school OR c.code IN (SELECT college_code FROM ic_partners WHERE school_code = :school))")
    if status:
        where.append("c.status = :status")
    sql = f"""{_figures_sql(conn, actor, year)}
        SELECT c.code, c.name, c.lead_school_code, s.name AS lead_school_name, c.type, c.industry_chain, c.location,
               c.founded_on, c.status, c.closed_on, s.region, {_figure_columns()}
        FROM ic_colleges c JOIN schools s ON s.school_code = c.lead_school_code {_JOINS}
        WHERE {" AND ".join(where)}
        ORDER BY c.founded_on, c.code
    """
    params = {"today": today, **({"school": school} if school else {}), **({"status": status} if status else {}),
              **({"first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31)} if year else {})}
    return [_row(r) for r in _query(conn, sql, {"founded_on": sa.Date, "closed_on": sa.Date}, **params).mappings()]


@dataclass
class Summary:
    """A year's figures per college and their totals (figures added up over the colleges)."""

    year: int
    colleges: list[dict]
    total: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"year": self.year, "colleges": [jsonable(r) for r in self.colleges], "total": jsonable(self.total)}


def jsonable(row: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}


def summary(session: Session, *, actor: Actor, year: int, today: dt.date) -> Summary:
    rows = list_colleges(session, actor=actor, today=today, year=year)
    rows = [r for r in rows if r["founded_on"] <= dt.date(year, 12, 31)]
    summed = ("investment", *(f"investment_{en}" for en in INVESTMENT_CATEGORIES_EN), *FIGURES[2:])
    total = {name: sum((r[name] for r in rows), Decimal("0.00") if name in MONEY else 0) for name in summed}
    total["colleges"] = len(rows)
    return Summary(year=year, colleges=rows, total=total)


# -- one college ---------------------------------------------------------------------------------------------

@dataclass
class CollegeDetail:
    """A college and everything recorded about it, as the actor may see it (personal columns masked)."""

    college: dict
    lead_school_name: str | None
    sections: dict[str, list[dict]]
    investment_by_year: list[dict]

    def as_dict(self) -> dict:
        return {**jsonable(self.college), "lead_school_name": self.lead_school_name,
                **{name: [jsonable(r) for r in rows] for name, rows in self.sections.items()},
                "investment_by_year": [jsonable(r) for r in self.investment_by_year]}


def _sections():
    """The sections of a college's detail: name -> (kind, extra columns, joins, order)."""
    from xiaoqi.core import models as core

    from . import models as m

    seats = (sa.select(sa.func.count()).where(m.Member.college_code == m.Partner.college_code,
                                              m.Member.organisation_code == m.Partner.partner_code).scalar_subquery())
    members = (sa.select(sa.func.count()).where(m.Member.college_code == m.Body.college_code,
                                                m.Member.body_name == m.Body.name).scalar_subquery())
    meetings = (sa.select(sa.func.count()).where(m.Meeting.college_code == m.Body.college_code,
                                                 m.Meeting.body_name == m.Body.name).scalar_subquery())
    ps, pe = sa.orm.aliased(core.School), sa.orm.aliased(core.Enterprise)
    firm = sa.orm.aliased(core.Enterprise)
    return {
        "recognitions": (k.RECOGNITIONS, [], [], [m.Recognition.recognised_on]),
        "partners": (k.PARTNERS, [sa.func.coalesce(m.Partner.name, ps.name, pe.name).label("display_name"), seats.label("seats")],
                     [(ps, ps.school_code == m.Partner.school_code), (pe, pe.uscc == m.Partner.uscc)],
                     [m.Partner.joined_on, m.Partner.partner_code]),
        "bodies": (k.BODIES, [members.label("members"), meetings.label("meetings")], [], [m.Body.name]),
        "members": (k.MEMBERS, [], [], [m.Member.body_name, m.Member.name]),
        "meetings": (k.MEETINGS, [], [], [m.Meeting.held_on.desc(), m.Meeting.body_name]),
        "majors": (k.MAJORS, [core.Major.name.label("major_name")],
                   [(core.Major, sa.and_(core.Major.school_code == m.JointMajor.school_code,
                                         core.Major.major_code == m.JointMajor.major_code))],
                   [m.JointMajor.school_code, m.JointMajor.major_code]),
        "order_classes": (k.ORDER_CLASSES, [firm.name.label("enterprise_name")], [(firm, firm.uscc == m.OrderClass.uscc)],
                          [m.OrderClass.intake_year, m.OrderClass.class_name]),
        "investments": (k.INVESTMENTS, [firm.name.label("enterprise_name")], [(firm, firm.uscc == m.Investment.uscc)],
                        [m.Investment.year, m.Investment.uscc, m.Investment.evidence]),
        "courses": (k.COURSES, [], [], [m.Course.year, m.Course.item_type, m.Course.title]),
        "teaching": (k.TEACHING, [core.Teacher.name.label("teacher_name"), firm.name.label("enterprise_name")],
                     [(core.Teacher, core.Teacher.id_number == m.Teaching.teacher_id), (firm, firm.uscc == core.Teacher.uscc)],
                     [m.Teaching.term, m.Teaching.course]),
        "bases": (k.BASES, [], [], [m.Base.name]),
        "services": (k.SERVICES, [], [], [m.Service.year, m.Service.service_type, m.Service.title]),
        "tasks": (k.TASKS, [], [], [m.TaskReport.year, m.TaskReport.task]),
    }


def college_detail(session: Session, *, actor: Actor, code: str) -> CollegeDetail:
    """One college with every section (one query each); NotFound when the actor may not see it."""
    obj = get_record(session, actor=actor, kind=k.COLLEGES, key={"code": code})
    (college,) = present(session, actor, k.COLLEGES, [obj])
    school = session.execute(sa.text("SELECT name FROM schools WHERE school_code = :s"), {"s": obj.lead_school_code}).scalar()
    sections = {}
    for name, (kind, extra, joins, order) in _sections().items():
        model = kind.model
        stmt = sa.select(model, *extra)
        for target, on in joins:
            stmt = stmt.outerjoin(target, on)
        scope = kind.read_filter(actor)
        stmt = stmt.where(model.college_code == obj.code, *([] if scope is None else [scope])).order_by(*order)
        rows = session.execute(stmt).all()
        shown = present(session, actor, kind, [r[0] for r in rows])  # personal columns masked
        sections[name] = [{**{c: v for c, v in s.items() if c != "college_code"}, **dict(zip((e.name for e in extra), r[1:]))}
                          for s, r in zip(shown, rows)]
    return CollegeDetail(college=college, lead_school_name=school, sections=sections,
                         investment_by_year=investment_by_year(sections["investments"]))


def investment_by_year(lines: list[dict]) -> list[dict]:
    """The investment lines added up by year and category (the chart of the screen)."""
    by_year: dict[int, dict] = {}
    for line in lines:
        row = by_year.setdefault(line["year"], {"year": line["year"], "total": Decimal("0.00"),
                                                **{en: Decimal("0.00") for en in INVESTMENT_CATEGORIES_EN}})
        en = INVESTMENT_CATEGORIES_EN[INVESTMENT_CATEGORIES.index(line["category"])]
        row[en] += line["amount"]
        row["total"] += line["amount"]
    return [by_year[y] for y in sorted(by_year)]


# -- the scorecard ------------------------------------------------------------------------------------------------

@dataclass
class TaskCard:
    """One construction task in a year: what the records show, and the college's own assessment."""

    number: int
    name: str
    sources: list[dict]
    status: str | None
    evidence: list[str]

    @property
    def evidenced(self) -> bool:
        return any(s["n"] for s in self.sources)

    def as_dict(self) -> dict:
        return {"task": self.number, "name": self.name, "status": self.status, "evidence": self.evidence,
                "sources": self.sources, "evidenced": self.evidenced}


@dataclass
class Scorecard:
    code: str
    name: str
    year: int
    tasks: list[TaskCard]

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "year": self.year, "tasks": [t.as_dict() for t in self.tasks],
                "evidenced": sum(t.evidenced for t in self.tasks)}


def scorecard(session: Session, *, actor: Actor, code: str, year: int) -> Scorecard:
    """The seven tasks of ``year`` for one college: each source of evidence with its count and
    figure, the self-assessed status and evidence items — one statement."""
    from xiaoqi.core.fields import LIST_JOIN

    obj = get_record(session, actor=actor, kind=k.COLLEGES, key={"code": code})
    conn = session.connection()
    tasks = ", ".join(f"({t.number}, '{t.zh}')" for t in TASKS)
    sql = f"""
        WITH tasks(n, name) AS (VALUES {tasks}),
             ev AS ({evidence_sql(str(year), ":first", ":last")})
        SELECT tasks.n AS task, ev.source, ev.n, ev.quantity, own.status, own.evidence
        FROM tasks
        LEFT JOIN ev ON ev.task = tasks.n AND ev.college_code = :code
        LEFT JOIN ic_tasks own ON own.college_code = :code AND own.year = :year AND own.task = tasks.name
        ORDER BY tasks.n, ev.source
    """
    cards = {t.number: TaskCard(t.number, t.zh, [], None, []) for t in TASKS}
    for row in _query(conn, sql, code=obj.code, year=year, first=dt.date(year, 1, 1), last=dt.date(year, 12, 31)).mappings():
        card = cards[row["task"]]
        card.status = row["status"]
        card.evidence = row["evidence"].split(LIST_JOIN) if row["evidence"] else []
        if row["source"]:
            source = SOURCES[row["source"]]
            card.sources.append({"source": source.id, "label": source.label, "n": int(row["n"]),
                                 "quantity": None if row["quantity"] is None else int(row["quantity"]), "unit": source.unit})
    return Scorecard(code=obj.code, name=obj.name, year=year, tasks=list(cards.values()))


def tasks_evidenced(session: Session, *, actor: Actor, year: int) -> dict[str, int]:
    """How many of the seven tasks have evidence in ``year``, for each college the actor may see —
    one statement over every college (the dashboard panel)."""
    conn = session.connection()
    sql = f"""
        WITH ev AS ({evidence_sql(str(year), ":first", ":last")})
        SELECT c.code, COUNT(DISTINCT ev.task) AS tasks
        FROM ic_colleges c LEFT JOIN ev ON ev.college_code = c.code AND ev.n > 0
        WHERE {_scope(conn, "ic_colleges", actor, "c")}
        GROUP BY c.code
    """
    return {r.code: int(r.tasks) for r in _query(conn, sql, first=dt.date(year, 1, 1), last=dt.date(year, 12, 31))}


# -- the enterprises' figures ---------------------------------------------------------------------------------

def enterprise_figures(session: Session, *, actor: Actor, year: int, school: str | None = None) -> list[dict]:
    """Each partner enterprise of ``year`` (of the colleges of ``school`` when given): its colleges,
    its investment, its teachers who taught in the year and their hours, the colleges' interns and
    apprentices at it, and the graduates and hires of the order classes it ordered that graduated
    in the year — one statement for the figures, one for the colleges' names. An enterprise actor
    gets its own row only."""
    conn = session.connection()
    where = [f"p.partner_type = '{ENTERPRISE}'", partner_during("p", ":first", ":last"),
             _scope(conn, "ic_colleges", actor, "c"), "c.founded_on <= :last"]
    if school:
        where.append("(c.lead_school_code = :school OR c.code IN (SELECT college_code FROM ic_partners WHERE school_code = :school))")
    if actor.role == "enterprise":
        where.append("p.uscc = :own")
    sql = f"""
        WITH part AS (SELECT p.college_code, p.uscc, c.name AS college_name FROM ic_partners p
                      JOIN ic_colleges c ON c.code = p.college_code WHERE {" AND ".join(where)}),
             inv AS (SELECT v.uscc, {cents("v.amount")} AS investment,
                            {cents(f"CASE WHEN v.category = '{INVESTMENT_CATEGORIES[0]}' THEN v.amount END")} AS investment_cash
                     FROM ic_investments v JOIN part ON part.college_code = v.college_code AND part.uscc = v.uscc
                     WHERE v.year = :year AND {_scope(conn, "ic_investments", actor, "v")} GROUP BY v.uscc),
             tch AS (SELECT te.uscc, COUNT(DISTINCT tc.teacher_id) AS teachers, SUM(tc.hours) AS teaching_hours
                     FROM ic_teaching tc JOIN teachers te ON te.id_number = tc.teacher_id
                     JOIN part ON part.college_code = tc.college_code AND part.uscc = te.uscc
                     WHERE tc.year = :year GROUP BY te.uscc),
             itn AS (SELECT ci.uscc, COUNT(DISTINCT CASE WHEN ci.kind = '岗位实习' THEN ci.id_number END) AS interns,
                            COUNT(DISTINCT CASE WHEN ci.kind = '学徒' THEN ci.id_number END) AS apprentices
                     FROM ({college_internships(_scope(conn, "internships", actor, "i"))}) ci
                     JOIN part ON part.college_code = ci.college_code AND part.uscc = ci.uscc
                     WHERE ci.start_on <= :last AND ci.end_on >= :first GROUP BY ci.uscc),
             ord AS (SELECT o.uscc, SUM(o.graduates) AS graduates, SUM(o.hired) AS hires FROM ic_order_classes o
                     JOIN part ON part.college_code = o.college_code AND part.uscc = o.uscc
                     WHERE o.graduation_year = :year GROUP BY o.uscc),
             firm AS (SELECT DISTINCT uscc FROM part)
        SELECT e.uscc, e.name, COALESCE(inv.investment, 0) AS investment, COALESCE(inv.investment_cash, 0) AS investment_cash,
               COALESCE(tch.teachers, 0) AS teachers, COALESCE(tch.teaching_hours, 0) AS teaching_hours,
               COALESCE(itn.interns, 0) AS interns, COALESCE(itn.apprentices, 0) AS apprentices,
               COALESCE(ord.graduates, 0) AS graduates, COALESCE(ord.hires, 0) AS hires
        FROM firm JOIN enterprises e ON e.uscc = firm.uscc
        LEFT JOIN inv ON inv.uscc = firm.uscc LEFT JOIN tch ON tch.uscc = firm.uscc
        LEFT JOIN itn ON itn.uscc = firm.uscc LEFT JOIN ord ON ord.uscc = firm.uscc
        ORDER BY e.uscc
    """
    params = {"year": year, "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31),
              **({"school": school} if school else {}), **({"own": actor.code} if actor.role == "enterprise" else {})}
    rows = [_row(r) for r in _query(conn, sql, **params).mappings()]  # money read in yuan
    names_sql = sql[:sql.index("inv AS")].rstrip().rstrip(",") + " SELECT DISTINCT uscc, college_code, college_name FROM part ORDER BY college_code"
    colleges: dict[str, list[str]] = {}
    for r in _query(conn, names_sql, **{k: v for k, v in params.items() if k != "year"}).mappings():
        colleges.setdefault(r["uscc"], []).append(r["college_name"])
    return [{**row, "colleges": colleges.get(row["uscc"], [])} for row in rows]
