"""The queries behind ``xiaoqi teachers``, the TUI's teacher sections and panel, and the annual
report. Each reads only what the actor may see (the kinds' ``read_filter``) and is a few set-based
statements: the teachers, then one statement per figure for all of them (practice days in the
window through the rule's own SQL, ``rules.practice_sql``, with the rule's parameters).

ID numbers leave this module masked; a teacher is named by name, and by masked ID number where two
share a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.errors import NotFound, UsageError
from xiaoqi.core.fields import mask_id
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.models import Enterprise, Internship, School, Student, Teacher
from xiaoqi.core.privacy import mask_text
from xiaoqi.core.rules import RuleContext, Scope, SqlDialect, get_rule, param_table

from .models import Practice, Recognition
from .practice import practice_days_ctes
from .rules import practice_sql
from .vocabulary import FULL_TIME, LEVELS

catalogue(
    {
        "tch.svc.not_found": ("没有身份证号或姓名为「{key}」的教师（或您无权查看）。可用 xiaoqi teachers list 查找。",
                              "no teacher with the ID number or name '{key}' (or you may not see them). Find one with xiaoqi teachers list."),
        "tch.status.short": ("不足", "short"),
        "tch.status.met": ("达标", "met"),
        "tch.status.new": ("未满统计期", "hired in window"),
        "tch.status.not_judged": ("—", "—"),
        "tch.svc.ambiguous": ("姓名「{key}」对应 {n} 名教师：{who}。请改用身份证号。",
                              "{n} teachers are named '{key}': {who}. Give the ID number instead."),
    }
)

RULE_ID = "TCH-PRACTICE-5Y6M"
CHUNK = 5_000
#: practice status of a teacher in the window ending on a day
SHORT, MET, NEW, NOT_JUDGED = "short", "met", "new", "not_judged"


def _in_chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)] or [[]]


def _where(stmt, clause):
    return stmt if clause is None else stmt.where(clause)


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def judged(teacher: dict) -> bool:
    """The practice rules judge a school's full-time specialist teachers."""
    return teacher["kind"] == FULL_TIME and bool(teacher.get("specialist")) and teacher.get("school_code") is not None


def status_text(status: str) -> str:
    """A practice status in the reader's language."""
    return t(f"tch.status.{status}")


def practice_status(conn, ids: list[str], *, on: dt.date, config=None) -> dict[str, dict]:
    """For school teachers ``ids``: their window ending on ``on`` (by the rule's parameters for
    their school's region), days of practice in it, the days needed and whether they are judged."""
    out: dict[str, dict] = {}
    rule = get_rule(RULE_ID)
    params = param_table(config)
    for part in _in_chunks(sorted(set(ids))):
        if not part:
            continue
        ctx = RuleContext(conn, rule, params, Scope(as_of=on))
        who = "tc.id_number IN (" + ", ".join(ctx.bind(i) for i in part) + ")"
        for row in ctx.rows(practice_sql(ctx, who)):
            out[row["teacher_id"]] = {"window_from": _day(row["ws"]), "window_to": _day(row["we"]), "days": int(row["days"]),
                                      "min_days": int(row["min_days"]), "hired_in_window": not row["judged"]}
    return out


def status_of(teacher: dict, practice: dict | None) -> str:
    if not judged(teacher) or practice is None:
        return NOT_JUDGED
    if practice["hired_in_window"]:
        return NEW
    return SHORT if practice["days"] < practice["min_days"] else MET


def recognitions_in_force(conn, ids: list[str], on: dt.date) -> dict[str, str]:
    """The highest 双师型 level in force on ``on`` for each of ``ids`` that has one."""
    r = Recognition
    best: dict[str, str] = {}
    for part in _in_chunks(sorted(set(ids))):
        stmt = sa.select(r.teacher_id, r.level).where(
            r.teacher_id.in_(part), r.recognised_on <= on, sa.or_(r.valid_to.is_(None), r.valid_to >= on))
        for teacher_id, level in conn.execute(stmt):
            if teacher_id not in best or LEVELS.index(level) > LEVELS.index(best[teacher_id]):
                best[teacher_id] = level
    return best


def mentored_counts(conn, actor, ids: list[str]) -> dict[str, int]:
    """Internships (those the actor may see) each of ``ids`` mentors, as school or enterprise mentor."""
    i = Internship
    scope = get_kind("internships").read_filter(actor)
    counts: dict[str, int] = {}
    for part in _in_chunks(sorted(set(ids))):
        for column in (i.school_mentor_id, i.enterprise_mentor_id):
            stmt = _where(sa.select(column, sa.func.count()).where(column.in_(part)).group_by(column), scope)
            for teacher_id, n in conn.execute(stmt):
                counts[teacher_id] = counts.get(teacher_id, 0) + n
    return counts


def _teachers_stmt(actor):
    tc = Teacher
    stmt = (sa.select(tc.id_number, tc.name, tc.kind, tc.school_code, School.name.label("school"), tc.uscc,
                      Enterprise.name.label("enterprise"), tc.specialist, tc.subjects, tc.title, tc.hired_on,
                      tc.enterprise_experience)
            .outerjoin(School, School.school_code == tc.school_code)
            .outerjoin(Enterprise, Enterprise.uscc == tc.uscc))
    return _where(stmt, get_kind("teachers").read_filter(actor))


def _shown(row) -> dict:
    """A teacher row as it leaves the service: the ID number masked."""
    values = dict(row._mapping)
    values["id_masked"] = mask_id(values.pop("id_number"))
    return values


@dataclass
class TeacherList:
    teachers: list[dict]
    #: more teachers matched than ``limit``
    truncated: bool
    on: dt.date

    def as_dict(self) -> dict:
        return {"on": self.on, "truncated": self.truncated, "teachers": self.teachers}


def list_teachers(session, *, actor, today: dt.date, config=None, school: str | None = None, kind: str | None = None,
                  specialist: bool | None = None, limit: int = 200) -> TeacherList:
    tc = Teacher
    stmt = _teachers_stmt(actor)
    if school:
        stmt = stmt.where(tc.school_code == school)
    if kind:
        stmt = stmt.where(tc.kind == kind)
    if specialist is not None:
        stmt = stmt.where(tc.specialist.is_(specialist))
    stmt = stmt.order_by(tc.school_code.is_(None), tc.school_code, tc.uscc, tc.name, tc.id_number).limit(limit + 1)
    conn = session.connection()
    rows = conn.execute(stmt).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    ids = [r.id_number for r in rows]
    practice = practice_status(conn, [r.id_number for r in rows if r.school_code], on=today, config=config)
    dual = recognitions_in_force(conn, ids, today)
    mentored = mentored_counts(conn, actor, ids)
    out = []
    for row in rows:
        values = _shown(row)
        p = practice.get(row.id_number)
        values.update(dual_level=dual.get(row.id_number), mentored=mentored.get(row.id_number, 0),
                      practice_days=p["days"] if p else None, min_days=p["min_days"] if p else None,
                      status=status_of(values, p))
        out.append(values)
    return TeacherList(teachers=out, truncated=truncated, on=today)


def find_teacher(session, *, actor, key: str):
    """The teacher the actor may see with ID number ``key``, or the only one named ``key``."""
    tc = Teacher
    text = key.strip()
    conn = session.connection()
    rows = conn.execute(_teachers_stmt(actor).where(sa.or_(tc.id_number == text.upper(), tc.name == text))
                        .order_by(tc.id_number)).all()
    exact = [r for r in rows if r.id_number == text.upper()]
    if exact:
        return exact[0]
    if not rows:
        raise NotFound(t("tch.svc.not_found", key=mask_text(text)))  # an ID number is never echoed in full
    if len(rows) > 1:
        who = "、".join(f"{mask_id(r.id_number)}（{r.school or r.enterprise}）" for r in rows[:10])
        raise UsageError(t("tch.svc.ambiguous", key=text, n=len(rows), who=who))
    return rows[0]


@dataclass
class TeacherDetail:
    teacher: dict
    practice_window: dict | None
    status: str
    practice: list[dict] = field(default_factory=list)
    recognitions: list[dict] = field(default_factory=list)
    mentored: list[dict] = field(default_factory=list)
    mentored_total: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def practice_records(conn, actor, teacher_id: str) -> list[dict]:
    """A teacher's practice records the actor may see, in date order, with the enterprise's name and
    the days each counts on its own (``days`` or the calendar days)."""
    p = Practice
    stmt = _where(sa.select(p.start_on, p.end_on, p.uscc, Enterprise.name.label("enterprise"), p.form, p.days, p.post, p.evidence)
                  .outerjoin(Enterprise, Enterprise.uscc == p.uscc).where(p.teacher_id == teacher_id)
                  .order_by(p.start_on, p.uscc), get_kind("tch_practice").read_filter(actor))
    out = []
    for row in conn.execute(stmt):
        values = dict(row._mapping)
        values["counted"] = values["days"] or ((_day(values["end_on"]) - _day(values["start_on"])).days + 1)
        out.append(values)
    return out


def recognition_records(conn, actor, teacher_id: str, today: dt.date) -> list[dict]:
    r = Recognition
    stmt = _where(sa.select(r.level, r.recognised_on, r.recognised_by, r.valid_to, r.certificate_no)
                  .where(r.teacher_id == teacher_id).order_by(r.recognised_on), get_kind("tch_recognitions").read_filter(actor))
    return [{**row._mapping, "in_force": row.recognised_on <= today and (row.valid_to is None or row.valid_to >= today)}
            for row in conn.execute(stmt)]


def mentored_internships(conn, actor, teacher_id: str, limit: int = 50) -> tuple[list[dict], int]:
    """The internships (the actor may see) the teacher mentors, latest first, and how many in all."""
    i = Internship
    mine = sa.or_(i.school_mentor_id == teacher_id, i.enterprise_mentor_id == teacher_id)
    scope = get_kind("internships").read_filter(actor)
    total = conn.execute(_where(sa.select(sa.func.count()).select_from(i).where(mine), scope)).scalar_one()
    stmt = _where(sa.select(Student.name.label("student"), i.school_code, School.name.label("school"), i.uscc,
                            Enterprise.name.label("enterprise"), i.kind, i.start_on, i.end_on,
                            sa.case((i.school_mentor_id == teacher_id, "school"), else_="enterprise").label("as_mentor"))
                  .join(Student, Student.id_number == i.id_number)
                  .join(School, School.school_code == i.school_code).join(Enterprise, Enterprise.uscc == i.uscc)
                  .where(mine).order_by(i.start_on.desc(), Student.name).limit(limit), scope)
    return [dict(r._mapping) for r in conn.execute(stmt)], total


def teacher_detail(session, *, actor, key: str, today: dt.date, config=None) -> TeacherDetail:
    row = find_teacher(session, actor=actor, key=key)
    conn = session.connection()
    teacher = _shown(row)
    window = practice_status(conn, [row.id_number], on=today, config=config).get(row.id_number) if row.school_code else None
    teacher["dual_level"] = recognitions_in_force(conn, [row.id_number], today).get(row.id_number)
    mentored, total = mentored_internships(conn, actor, row.id_number)
    return TeacherDetail(teacher=teacher, practice_window=window, status=status_of(teacher, window),
                         practice=practice_records(conn, actor, row.id_number),
                         recognitions=recognition_records(conn, actor, row.id_number, today),
                         mentored=mentored, mentored_total=total)


def practice_due(session, *, actor, today: dt.date, within: int, config=None, school: str | None = None) -> list[dict]:
    """The specialist teachers who are short of practice in the window ending ``within`` days from
    today (counting the practice recorded, planned practice included): those short already, and
    those whose old practice leaves the window by then. Short today first, then by shortfall."""
    tc = Teacher
    stmt = _teachers_stmt(actor).where(tc.kind == FULL_TIME, tc.specialist.is_(True), tc.school_code.is_not(None))
    if school:
        stmt = stmt.where(tc.school_code == school)
    conn = session.connection()
    rows = {r.id_number: r for r in conn.execute(stmt)}
    then = today + dt.timedelta(days=within)
    later = practice_status(conn, list(rows), on=then, config=config)
    due = [i for i, p in later.items() if not p["hired_in_window"] and p["days"] < p["min_days"]]
    now = practice_status(conn, due, on=today, config=config)
    out = []
    for teacher_id in due:
        p, n = later[teacher_id], now.get(teacher_id)
        values = _shown(rows[teacher_id])
        values.update(window_from=p["window_from"], window_to=p["window_to"], days=p["days"], min_days=p["min_days"],
                      short_days=p["min_days"] - p["days"], days_today=n["days"] if n else None,
                      short_today=bool(n and not n["hired_in_window"] and n["days"] < n["min_days"]))
        out.append(values)
    out.sort(key=lambda v: (not v["short_today"], -v["short_days"], v["school_code"], v["name"]))
    return out


#: the figures of a school in ``summary`` (and the report), in column order
FIGURES = ("full_time", "part_time", "specialists", "dual", "dual_share", "practice_teachers", "practice_days",
           "short", "enterprise_mentors", "mentored_interns", "teaching_teachers", "teaching_hours")


def enterprise_teaching(conn, *, year: int, school_code: str | None) -> list[dict]:
    """What the plugins that record enterprise teachers' teaching answer to
    ``xiaoqi_enterprise_teaching`` (nothing when none is loaded)."""
    from xiaoqi.core.plugins import get_plugin_manager

    caller = getattr(get_plugin_manager().hook, "xiaoqi_enterprise_teaching", None)
    if caller is None:
        return []
    return [row for result in caller(conn=conn, year=year, school_code=school_code) for row in result or ()]


@dataclass
class Summary:
    year: int
    on: dt.date
    schools: list[dict]
    total: dict

    def as_dict(self) -> dict:
        return asdict(self)


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def summary(session, *, actor, year: int, today: dt.date, config=None, school: str | None = None) -> Summary:
    """Per school whose teachers the actor may see (a school: its own), for ``year``: its teachers (full-time, part-time, specialists),
    双师型 among specialists on the year's last day (or today, in the current year), teachers who
    practised in the year and their days (overlaps once), specialists short of practice in the
    window ending that day, and the enterprise mentors of its interns of the year with those interns."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    on = min(last, today)
    conn = session.connection()
    tc, i = Teacher, Internship
    schools_stmt = _where(sa.select(School.school_code, School.name).order_by(School.school_code),
                          get_kind("schools").read_filter(actor))
    if actor.role == "school":
        school = actor.code  # a school's summary is its own (the registry of schools is open to it)
    if school:
        schools_stmt = schools_stmt.where(School.school_code == school)
    schools = {code: {"school_code": code, "name": name, **{f: 0 for f in FIGURES}} for code, name in conn.execute(schools_stmt)}
    teachers = []
    for part in _in_chunks(list(schools)):
        stmt = sa.select(tc.id_number, tc.kind, tc.school_code, tc.specialist).where(tc.school_code.in_(part))
        teachers += [dict(r._mapping) for r in conn.execute(_where(stmt, get_kind("teachers").read_filter(actor)))]
    specialists = [r["id_number"] for r in teachers if judged(r)]
    dual = recognitions_in_force(conn, specialists, on)
    status = practice_status(conn, specialists, on=on, config=config)
    for r in teachers:
        s = schools[r["school_code"]]
        s["full_time" if r["kind"] == FULL_TIME else "part_time"] += 1
        if judged(r):
            p = status.get(r["id_number"])
            s["specialists"] += 1
            s["dual"] += r["id_number"] in dual
            s["short"] += bool(p and not p["hired_in_window"] and p["days"] < p["min_days"])
    # practice in the year: the days as the rule counts them, with the year as the window
    dialect = SqlDialect(conn.dialect.name)
    day = (lambda d: d.isoformat()) if dialect.sqlite else (lambda d: d)
    for part in _in_chunks([r["id_number"] for r in teachers]):
        if not part:
            continue
        binds = {f"t{k}": v for k, v in enumerate(part)}
        query = (f"WITH windows AS (SELECT tc.id_number AS teacher_id, {dialect.date('first')} AS ws, {dialect.date('last')} AS we "
                 f"FROM teachers tc WHERE tc.id_number IN ({', '.join(':' + k for k in binds)})), "
                 f"{practice_days_ctes(dialect, 'windows')} "
                 f"SELECT tc.school_code, COUNT(*), SUM(pd.days) FROM practice_days pd "
                 f"JOIN teachers tc ON tc.id_number = pd.teacher_id WHERE pd.days > 0 GROUP BY tc.school_code")
        for code, n, days in conn.execute(sa.text(query), {**binds, "first": day(first), "last": day(last)}):
            schools[code]["practice_teachers"] += n
            schools[code]["practice_days"] += int(days or 0)
    # enterprise mentors of the school's internships in the year (those the actor may see)
    stmt = _where(sa.select(i.school_code, sa.func.count(sa.distinct(i.enterprise_mentor_id)), sa.func.count())
                  .where(i.enterprise_mentor_id.is_not(None), i.start_on <= last, i.end_on >= first,
                         i.school_code.in_(list(schools) or [""]))
                  .group_by(i.school_code), get_kind("internships").read_filter(actor))
    for code, mentors, interns in conn.execute(stmt):
        schools[code]["enterprise_mentors"] = mentors
        schools[code]["mentored_interns"] = interns
    # enterprise teachers' teaching in the schools, from the plugins that record it
    teaching: dict[str, dict[str, int]] = {}
    for row in enterprise_teaching(conn, year=year, school_code=school):
        if row["school_code"] in schools:
            by_teacher = teaching.setdefault(row["school_code"], {})
            by_teacher[row["teacher_id"]] = by_teacher.get(row["teacher_id"], 0) + int(row["hours"])
    for code, by_teacher in teaching.items():
        schools[code]["teaching_teachers"] = len(by_teacher)
        schools[code]["teaching_hours"] = sum(by_teacher.values())
    # the schools with teachers the actor sees (a province sees all of its own, an enterprise its partners')
    rows = [r for r in schools.values() if r["full_time"] or r["part_time"] or r["teaching_hours"] or r["school_code"] == school]
    total = {f: sum(r[f] for r in rows) for f in FIGURES if f != "dual_share"}
    for r in [*rows, total]:
        r["dual_share"] = _share(r["dual"], r["specialists"])
    return Summary(year=year, on=on, schools=rows, total=total)
