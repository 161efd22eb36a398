"""What a user's view of 1+X needs, as a few SQL statements each, every one scoped to the actor:
the certificate list, the sites, a session's results, a student's credit-bank account (学分银行个人
学习账户), the conversion run and the yearly summary by certificate and level.

The conversion run (``convert``) applies every conversion rule in force on the day to the students
of its school who hold a valid certificate of the rule's certificate at the rule's level or higher on
that day, for each course of the rule the student has not had converted yet (in any term): so a
second run creates nothing. It reads the qualifying pairs in one statement, the courses already
converted in another, writes the new rows in one batch and audits each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core import audit
from xiaoqi.core.access import actor_clause
from xiaoqi.core.errors import NotFound, PermissionDenied
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.models import Major, School, Student
from xiaoqi.core.privacy import mask_id, present

from . import kinds as k
from . import models as m
from .holdings import held_clause, rank_case

catalogue(
    {
        "onex.convert.denied": ("{actor} 不能认定学分转换：只有管理员和学校（本校学生）可以。", "{actor} may not apply credit conversions: only an admin and a school (its own students) may."),
        "onex.no_student": ("找不到学生 {key}（或无权查看）。", "No student {key} (or not yours to see)."),
        "onex.no_session": ("找不到考核 {key}（或无权查看）。", "No session {key} (or not yours to see)."),
    }
)

ZERO_CREDITS = Decimal("0.0")


def _and(stmt, *clauses):
    for clause in clauses:
        if clause is not None:
            stmt = stmt.where(clause)
    return stmt


def jsonable(value):
    """Dates as ISO text and Decimals as text, recursively (for --format json)."""
    if isinstance(value, dict):
        return {key: jsonable(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


# -- lists --------------------------------------------------------------------------------------------

def list_certificates(session, *, actor, on: dt.date) -> list[dict]:
    """Every certificate with its organisation, whether it is in force on ``on``, its sites and the
    candidates, passes and certificates issued the actor may see."""
    c, o = m.Certificate, m.Organisation
    results = _and(sa.select(m.Session.certificate_code, sa.func.count().label("candidates"),
                             sa.func.sum(sa.case((m.Result.passed.is_(True), 1), else_=0)).label("passes"))
                   .join(m.Session, m.Session.session_code == m.Result.session_code).group_by(m.Session.certificate_code),
                   k.RESULTS.read_filter(actor)).subquery()
    issued = _and(sa.select(m.Issued.certificate_code, sa.func.count().label("issued")).group_by(m.Issued.certificate_code),
                  k.ISSUED.read_filter(actor)).subquery()
    sites = sa.select(m.Site.certificate_code, sa.func.count(sa.distinct(m.Site.site_code)).label("sites")).group_by(m.Site.certificate_code).subquery()
    stmt = (sa.select(c.code, c.name, c.field, c.levels, c.valid_from, c.valid_to, c.replaced_by, o.name.label("organisation"),
                      o.uscc.label("organisation_uscc"),
                      sa.func.coalesce(sites.c.sites, 0).label("sites"), sa.func.coalesce(results.c.candidates, 0).label("candidates"),
                      sa.func.coalesce(results.c.passes, 0).label("passes"), sa.func.coalesce(issued.c.issued, 0).label("issued"))
            .join(o, o.uscc == c.organisation_uscc)
            .outerjoin(sites, sites.c.certificate_code == c.code)
            .outerjoin(results, results.c.certificate_code == c.code)
            .outerjoin(issued, issued.c.certificate_code == c.code)
            .order_by(c.code))
    return [{**r, "in_force": r["valid_from"] <= on and (r["valid_to"] is None or r["valid_to"] >= on)}
            for r in (dict(row) for row in session.execute(stmt).mappings())]


def list_sites(session, *, actor, on: dt.date, school: str | None = None, certificate: str | None = None) -> list[dict]:
    """Every site accreditation with its school and certificate, whether it is accredited on ``on``,
    and its sessions (held, and still to come after ``on``)."""
    st, c = m.Site, m.Certificate
    held = (sa.select(m.Session.site_code, m.Session.certificate_code, m.Session.level, sa.func.count().label("sessions"),
                      sa.func.sum(sa.case((m.Session.held_on > on, 1), else_=0)).label("upcoming"))
            .group_by(m.Session.site_code, m.Session.certificate_code, m.Session.level).subquery())
    stmt = _and(sa.select(st.site_code, st.name, st.school_code, School.name.label("school_name"), st.certificate_code,
                          c.name.label("certificate_name"), st.level, st.capacity, st.accredited_from, st.accredited_to,
                          sa.func.coalesce(held.c.sessions, 0).label("sessions"), sa.func.coalesce(held.c.upcoming, 0).label("upcoming"))
                .join(School, School.school_code == st.school_code).join(c, c.code == st.certificate_code)
                .outerjoin(held, sa.and_(held.c.site_code == st.site_code, held.c.certificate_code == st.certificate_code,
                                         held.c.level == st.level))
                .order_by(st.school_code, st.site_code, st.certificate_code, rank_case(st.level)),
                k.SITES.read_filter(actor), st.school_code == school if school else None,
                st.certificate_code == certificate if certificate else None)
    return [{**r, "accredited": r["accredited_from"] <= on and (r["accredited_to"] is None or r["accredited_to"] >= on)}
            for r in (dict(row) for row in session.execute(stmt).mappings())]


@dataclass
class SessionResults:
    session: dict
    results: list[dict]

    @property
    def passes(self) -> int:
        return sum(1 for r in self.results if r["passed"])

    def as_dict(self) -> dict:
        return jsonable({"session": self.session, "candidates": len(self.results), "passes": self.passes, "results": self.results})


def session_results(session, *, actor, code: str) -> SessionResults:
    """One session with the results the actor may see, the students named and their ID numbers masked."""
    x, st, c = m.Session, m.Site, m.Certificate
    head = session.execute(_and(
        sa.select(x.session_code, x.school_code, School.name.label("school_name"), x.site_code, st.name.label("site_name"),
                  x.certificate_code, c.name.label("certificate_name"), x.level, x.held_on, x.fee, st.capacity)
        .join(st, sa.and_(st.site_code == x.site_code, st.certificate_code == x.certificate_code, st.level == x.level))
        .join(c, c.code == x.certificate_code).join(School, School.school_code == x.school_code)
        .where(x.session_code == code), k.SESSIONS.read_filter(actor))).mappings().first()
    if head is None:
        raise NotFound(t("onex.no_session", key=code))
    rows = session.execute(_and(
        sa.select(m.Result.id, m.Result.session_code, m.Result.id_number, m.Result.school_code, m.Result.score, m.Result.passed,
                  m.Result.fee_paid, Student.name.label("student_name"))
        .join(Student, Student.id_number == m.Result.id_number)
        .where(m.Result.session_code == code).order_by(Student.name, m.Result.id_number),
        k.RESULTS.read_filter(actor))).mappings().all()
    shown = present(session, actor, k.RESULTS, [dict(r) for r in rows])
    results = [{**s, "student_name": r["student_name"]} for s, r in zip(shown, rows)]
    return SessionResults(session=dict(head), results=results)


# -- the credit-bank account --------------------------------------------------------------------------

@dataclass
class Account:
    """学分银行个人学习账户: the student and their diploma programme (the core's record), the
    assessments they sat, the certificates issued to them and the credits converted."""

    student: dict
    results: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)
    conversions: list[dict] = field(default_factory=list)

    @property
    def credits(self) -> Decimal:
        return sum((c["credits"] for c in self.conversions), ZERO_CREDITS)

    def as_dict(self) -> dict:
        return jsonable({**asdict(self), "credits": self.credits})


def school_years(enrolled_on: dt.date, on: dt.date) -> int:
    """The school year the student is in on ``on`` (1 in the year of enrolment; a school year
    starts on 1 September)."""
    start = enrolled_on.year if enrolled_on.month >= 9 else enrolled_on.year - 1
    now = on.year if on.month >= 9 else on.year - 1
    return max(now - start + 1, 0)


def account(session, *, actor, id_number: str, on: dt.date) -> Account:
    """A student's account, as ``actor`` may see it (the student must be theirs to read)."""
    student = session.execute(_and(
        sa.select(Student.id, Student.id_number, Student.name, Student.student_no, Student.school_code, School.name.label("school_name"),
                  Student.major_code, Major.name.label("major_name"), Student.enrolled_on, Student.class_name)
        .join(School, School.school_code == Student.school_code)
        .outerjoin(Major, sa.and_(Major.school_code == Student.school_code, Major.major_code == Student.major_code))
        .where(Student.id_number == id_number), _students_read(actor))).mappings().first()
    if student is None:
        raise NotFound(t("onex.no_student", key=mask_id(id_number)))
    shown = dict(student)
    shown["id_number"] = mask_id(student["id_number"])
    shown.pop("id")
    shown["school_year"] = school_years(student["enrolled_on"], on)
    x, c = m.Session, m.Certificate
    results = session.execute(_and(
        sa.select(m.Result.session_code, x.held_on, x.certificate_code, c.name.label("certificate_name"), x.level, m.Result.score,
                  m.Result.passed, m.Result.fee_paid)
        .join(x, x.session_code == m.Result.session_code).join(c, c.code == x.certificate_code)
        .where(m.Result.id_number == id_number).order_by(x.held_on, m.Result.session_code), k.RESULTS.read_filter(actor))).mappings().all()
    i = m.Issued
    certificates = session.execute(_and(
        sa.select(i.certificate_no, i.certificate_code, c.name.label("certificate_name"), i.level, i.issued_on, i.valid_to,
                  held_clause(i, c, on).label("held"))
        .join(c, c.code == i.certificate_code)
        .where(i.id_number == id_number).order_by(i.issued_on, i.certificate_no), k.ISSUED.read_filter(actor))).mappings().all()
    v, cr = m.Conversion, m.ConversionRule
    conversions = session.execute(_and(
        sa.select(v.term, v.course_code, cr.course_codes, cr.course_names, v.credits, v.exemption, v.rule_code, v.certificate_no,
                  v.applied_on, v.applied_by)
        .join(cr, sa.and_(cr.school_code == v.school_code, cr.rule_code == v.rule_code))
        .where(v.id_number == id_number).order_by(v.term, v.course_code), k.CONVERSIONS.read_filter(actor))).mappings().all()
    return Account(student=shown, results=[dict(r) for r in results],
                   certificates=[{**r, "held": bool(r["held"])} for r in certificates],
                   conversions=[_course_named(dict(r)) for r in conversions])


def _students_read(actor):
    from xiaoqi.core.kinds import get_kind

    return get_kind("students").read_filter(actor)


def _course_named(row: dict) -> dict:
    """The conversion with its course's name, taken from the rule's parallel lists."""
    codes = (row.pop("course_codes") or "").split("、")
    names = (row.pop("course_names") or "").split("、")
    row["course_name"] = names[codes.index(row["course_code"])] if row["course_code"] in codes and len(names) == len(codes) else None
    return row


# -- the conversion run --------------------------------------------------------------------------------

@dataclass
class ConversionRun:
    term: str
    on: dt.date
    dry_run: bool
    conversions: list[dict]
    already: int  # qualifying courses converted before (in any term)

    def as_dict(self) -> dict:
        return jsonable({"term": self.term, "on": self.on, "dry_run": self.dry_run, "created": 0 if self.dry_run else len(self.conversions),
                         "would_create": len(self.conversions), "already_converted": self.already,
                         "credits": sum((c["credits"] for c in self.conversions), ZERO_CREDITS), "conversions": self.conversions})


def _convert_scope(actor):
    """The conversion rules whose school's students the actor may convert credits for."""
    if actor.role not in ("admin", "school"):
        raise PermissionDenied(t("onex.convert.denied", actor=actor.label()))
    return actor_clause(k.CONVERSIONS, actor, "create", t=m.ConversionRule)


def qualifying(session, *, actor, on: dt.date, school: str | None = None) -> list[dict]:
    """(student, rule, the certificate used) for every rule in force on ``on`` and every student of
    its school holding a valid certificate at the rule's level or higher that day: one statement."""
    cr, i, c = m.ConversionRule, m.Issued, m.Certificate
    stmt = _and(
        sa.select(cr.school_code, cr.rule_code, cr.course_codes, cr.course_names, cr.credits, cr.exemption, i.id_number,
                  sa.func.min(i.certificate_no).label("certificate_no"))
        .join(i, sa.and_(i.school_code == cr.school_code, i.certificate_code == cr.certificate_code,
                         rank_case(i.level) >= rank_case(cr.level)))
        .join(c, c.code == i.certificate_code)
        .where(cr.valid_from <= on, sa.or_(cr.valid_to.is_(None), cr.valid_to >= on), held_clause(i, c, on))
        .group_by(cr.school_code, cr.rule_code, cr.course_codes, cr.course_names, cr.credits, cr.exemption, i.id_number)
        .order_by(i.id_number, cr.school_code, cr.rule_code),
        _convert_scope(actor), cr.school_code == school if school else None)
    return [dict(r) for r in session.execute(stmt).mappings()]


def convert(session, *, actor, term: str, on: dt.date, dry_run: bool = False, school: str | None = None,
            applied_by: str | None = None) -> ConversionRun:
    """Apply the conversion rules for ``term`` on the day ``on`` (see the module docstring);
    ``applied_by`` is the person who approves them (认定人), the actor by default."""
    pairs = qualifying(session, actor=actor, on=on, school=school)
    ids = sorted({p["id_number"] for p in pairs})
    done: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        done.update(session.execute(sa.select(m.Conversion.id_number, m.Conversion.course_code)
                                    .where(m.Conversion.id_number.in_(chunk))).all())
        names.update(session.execute(sa.select(Student.id_number, Student.name).where(Student.id_number.in_(chunk))).all())
    applied_by = applied_by or actor.label()
    rows, already = [], 0
    for p in pairs:
        codes = p["course_codes"].split("、")
        for course in codes:
            if (p["id_number"], course) in done:
                already += 1
                continue
            done.add((p["id_number"], course))  # two rules for one course: the first (by rule code) converts it
            rows.append({"id_number": p["id_number"], "school_code": p["school_code"], "course_code": course, "term": term,
                         "rule_code": p["rule_code"], "certificate_no": p["certificate_no"], "credits": p["credits"],
                         "exemption": p["exemption"], "applied_on": on, "applied_by": applied_by})
    if rows and not dry_run:
        session.execute(sa.insert(m.Conversion.__table__), rows)
        for row in rows:
            audit.record(session, actor=actor, kind=k.CONVERSIONS.name, action="create", key=k.CONVERSIONS.key_of(row), after=row,
                         note={"service": "onex convert", "term": term})
    shown = [{**row, "id_number": mask_id(row["id_number"]), "student_name": names.get(row["id_number"])} for row in rows]
    return ConversionRun(term=term, on=on, dry_run=dry_run, conversions=shown, already=already)


# -- the yearly summary -----------------------------------------------------------------------------

def summary(session, *, actor, year: int, school: str | None = None) -> list[dict]:
    """By certificate and level, for ``year``: candidates, passes, pass rate (sessions held in the
    year), certificates issued in the year, conversions applied in the year and their credits; of
    ``school``'s students when given."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    x, r = m.Session, m.Result
    sat = _and(sa.select(x.certificate_code.label("code"), x.level, sa.func.count().label("candidates"),
                         sa.func.sum(sa.case((r.passed.is_(True), 1), else_=0)).label("passes"))
               .join(x, x.session_code == r.session_code).where(x.held_on.between(first, last)).group_by(x.certificate_code, x.level),
               k.RESULTS.read_filter(actor), r.school_code == school if school else None).subquery()
    i = m.Issued
    issued = _and(sa.select(i.certificate_code.label("code"), i.level, sa.func.count().label("issued"))
                  .where(i.issued_on.between(first, last)).group_by(i.certificate_code, i.level),
                  k.ISSUED.read_filter(actor), i.school_code == school if school else None).subquery()
    v, cr = m.Conversion, m.ConversionRule
    converted = _and(sa.select(cr.certificate_code.label("code"), cr.level, sa.func.count().label("conversions"),
                               sa.func.sum(v.credits).label("credits"))
                     .join(cr, sa.and_(cr.school_code == v.school_code, cr.rule_code == v.rule_code))
                     .where(v.applied_on.between(first, last)).group_by(cr.certificate_code, cr.level),
                     k.CONVERSIONS.read_filter(actor), v.school_code == school if school else None).subquery()
    keys = sa.union(sa.select(sat.c.code, sat.c.level), sa.select(issued.c.code, issued.c.level),
                    sa.select(converted.c.code, converted.c.level)).subquery()
    c = m.Certificate
    stmt = (sa.select(keys.c.code.label("certificate_code"), c.name.label("certificate_name"), keys.c.level,
                      sa.func.coalesce(sat.c.candidates, 0).label("candidates"), sa.func.coalesce(sat.c.passes, 0).label("passes"),
                      sa.func.coalesce(issued.c.issued, 0).label("issued"),
                      sa.func.coalesce(converted.c.conversions, 0).label("conversions"), converted.c.credits)
            .join(c, c.code == keys.c.code)
            .outerjoin(sat, sa.and_(sat.c.code == keys.c.code, sat.c.level == keys.c.level))
            .outerjoin(issued, sa.and_(issued.c.code == keys.c.code, issued.c.level == keys.c.level))
            .outerjoin(converted, sa.and_(converted.c.code == keys.c.code, converted.c.level == keys.c.level))
            .order_by(keys.c.code, rank_case(keys.c.level)))
    out = []
    for row in session.execute(stmt).mappings():
        row = dict(row)
        row["credits"] = Decimal(str(row["credits"] or 0)).quantize(Decimal("0.1"))
        row["pass_rate"] = (Decimal(row["passes"]) / row["candidates"]).quantize(Decimal("0.0001")) if row["candidates"] else None
        out.append(row)
    return out


#: the account's sections as a workbook's sheets: (title, columns of the rows)
ACCOUNT_SHEETS = (
    (("学生", "student"), ("name", "student_no", "id_number", "school_code", "school_name", "major_code", "major_name",
                           "enrolled_on", "school_year", "class_name")),
    (("考核", "assessments"), ("session_code", "held_on", "certificate_code", "certificate_name", "level", "score", "passed", "fee_paid")),
    (("证书", "certificates"), ("certificate_no", "certificate_code", "certificate_name", "level", "issued_on", "valid_to", "held")),
    (("学分转换", "conversions"), ("term", "course_code", "course_name", "credits", "exemption", "rule_code", "certificate_no",
                                "applied_on", "applied_by")),
)


def write_account(acct: Account, path) -> None:
    """The account as a workbook (one sheet per section, header row in the user's language), as
    JSON for a ``.json`` name, as PDF or Word for ``.pdf`` / ``.docx``; written whole or not at all."""
    import json
    from pathlib import Path

    from xiaoqi.core.i18n import both
    from xiaoqi.core.output import open_output, xlsx_value

    if Path(path).suffix.lower() == ".json":
        with open_output(path, text=True) as fh:
            json.dump(acct.as_dict(), fh, ensure_ascii=False, indent=2)
        return
    if Path(path).suffix.lower() in (".pdf", ".docx"):
        from xiaoqi.core.documents import write_document

        write_document(account_document(acct), path)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sections = ([acct.student], acct.results, acct.certificates, acct.conversions)
    for ((zh, en), columns), rows in zip(ACCOUNT_SHEETS, sections):
        sheet = book.create_sheet(both(zh, en))
        sheet.append([t(f"onex.col.{'name_' if c == 'name' else c}") for c in columns])
        for row in rows:
            sheet.append([xlsx_value(sheet, row.get(c)) for c in columns])
    with open_output(path) as fh:
        book.save(fh)


def account_document(acct: Account):
    """The account as a ``xiaoqi.core.documents.Document``: the student (by name, with the ID number
    as the actor may see it) and the school on the cover, the student's record as a two-column
    table, then the assessments, certificates and conversions as the workbook's sheets."""
    from xiaoqi.core.documents import Document, ReportSection, generated_fact, named

    def header(column):
        key = f"onex.col.{'name_' if column == 'name' else column}"
        return t(key, lang="zh"), t(key, lang="en")

    (title, student_columns), *tables = ACCOUNT_SHEETS
    s = acct.student
    sections = [ReportSection(title=title, columns=[header("item"), header("value")],
                              rows=[[t(f"onex.col.{'name_' if c == 'name' else c}"), s.get(c)] for c in student_columns])]
    for ((zh, en), columns), rows in zip(tables, (acct.results, acct.certificates, acct.conversions)):
        sections.append(ReportSection(title=(zh, en), columns=[header(c) for c in columns],
                                      rows=[[row.get(c) for c in columns] for row in rows]))
    return Document(title=t("onex.account.doc_title", name=s["name"]), sections=sections,
                    facts=[(t("onex.account.student"), named(s["name"], s["id_number"])),
                           (t("doc.fact.school"), named(s["school_name"], s["school_code"])), generated_fact()])


def upcoming_sessions(session, *, actor, start: dt.date, days: int) -> list[dict]:
    """Sessions from ``start`` to ``days`` days later that the actor may see, with their site and
    the candidates entered so far."""
    x, st, c = m.Session, m.Site, m.Certificate
    entered = sa.select(m.Result.session_code, sa.func.count().label("n")).group_by(m.Result.session_code).subquery()
    stmt = _and(sa.select(x.session_code, x.held_on, x.level, c.name.label("certificate_name"), st.name.label("site_name"),
                          x.school_code, sa.func.coalesce(entered.c.n, 0).label("candidates"))
                .join(st, sa.and_(st.site_code == x.site_code, st.certificate_code == x.certificate_code, st.level == x.level))
                .join(c, c.code == x.certificate_code)
                .outerjoin(entered, entered.c.session_code == x.session_code)
                .where(x.held_on.between(start, start + dt.timedelta(days=days)))
                .order_by(x.held_on, x.session_code).limit(20),
                k.SESSIONS.read_filter(actor))
    return [dict(r) for r in session.execute(stmt).mappings()]
