"""The record kinds of teachers' enterprise practice and 双师型 recognition: columns (Chinese and
English headers), keys, references, checks and who may see and change them. One definition serves
import, export, templates, ``xiaoqi records``, the services and the TUI forms.

| kind | 中文 | key |
|---|---|---|
| ``tch_practice`` | 教师企业实践 | 教师身份证号 + 统一社会信用代码 + 开始日期 |
| ``tch_recognitions`` | 双师型教师认定 | 教师身份证号 + 认定等级 + 认定日期 |

Who may do what: a record belongs with its teacher: whoever reads the teacher reads it, and the
teacher's school keeps it (``via("teachers", "update")``). An enterprise reads the practice it
hosted and no other (not a partner school's teachers' practice elsewhere); a province also the
practice at its enterprises. The
teacher's ID number is personal data, masked like every ID number; both kinds are about a school's
teachers (专任 or 兼职), never an enterprise's mentors (guard ``school_teacher``).
"""

from __future__ import annotations

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core.access import OWN, Access, via
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import Column, RecordKind, Reference, get_kind

from . import vocabulary as v

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "tch.v.before": ("{later}不能早于{earlier}", "{later} is before {earlier}"),
        "tch.v.days": ("实践天数应在 1 到 {span} 天之间（{start} 至 {end} 共 {span} 天）；全程在企业时不填",
                       "the practice days are 1 to {span} ({start} to {end} is {span} days); leave empty when every day was spent there"),
        "tch.v.school_teacher": ("{name}（{kind}）不是学校的教师：企业实践与双师型认定只记录学校的专任或兼职教师",
                                 "{name} ({kind}) is not a school's teacher: enterprise practice and dual-qualified recognitions are about a school's full-time or part-time teachers"),
    }
)

TEACHER_REF = Reference("teachers", ("teacher_id",), ("id_number",))
TEACHER_COLUMN = Column(name="teacher_id", zh="教师身份证号", type="idcard", required=True, key=True,
                        doc=("教师名录中的教师", "a teacher of the teachers registry"))
#: a record kept with its teacher: read with the teacher, written by whoever keeps the teacher
KEPT_WITH_TEACHER = dict(read=via("teachers"), write=via("teachers", "update"))


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


def _header(kind: str, column: str) -> str:
    return get_kind(kind).by_name[column].header()


def _ordered(kind: str, earlier: str, later: str):
    def check(values: dict) -> list[tuple[str, str]]:
        a, b = values.get(earlier), values.get(later)
        if a is not None and b is not None and b < a:
            return [(later, t("tch.v.before", later=_header(kind, later), earlier=_header(kind, earlier)))]
        return []

    return check


def _practice_days(values: dict) -> list[tuple[str, str]]:
    start, end, days = values.get("start_on"), values.get("end_on"), values.get("days")
    if days is None or start is None or end is None or end < start:
        return []
    span = (end - start).days + 1
    if not 1 <= days <= span:
        return [("days", t("tch.v.days", span=span, start=start, end=end))]
    return []


def school_teacher(session, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """Every row names a school's teacher (one query per batch)."""
    from xiaoqi.core.models import Teacher

    ids = sorted({row["teacher_id"] for row in rows if row.get("teacher_id")})
    found = {}
    for start in range(0, len(ids), 5000):
        stmt = sa.select(Teacher.id_number, Teacher.name, Teacher.kind, Teacher.school_code).where(
            Teacher.id_number.in_(ids[start:start + 5000]))
        found.update({row[0]: row for row in session.execute(stmt)})
    problems = []
    for i, row in enumerate(rows):
        teacher = found.get(row.get("teacher_id"))
        if teacher is not None and teacher.school_code is None:  # an unknown teacher is the reference check's
            problems.append((i, "teacher_id", t("tch.v.school_teacher", name=teacher.name, kind=teacher.kind)))
    return problems


PRACTICE = RecordKind(
    name="tch_practice", zh="教师企业实践", en="teachers' enterprise practice", model="xiaoqi.plugins.teachers.models:Practice",
    key=("teacher_id", "uscc", "start_on"), enterprise_column="uscc", plugin="teachers",
    access=Access(read={"school": via("teachers"), "enterprise": OWN, "province": OWN | via("teachers")},
                  write=via("teachers", "update"), guards=(school_teacher,)),
    references=[TEACHER_REF, Reference("enterprises", ("uscc",), ("uscc",))],
    checks=[_ordered("tch_practice", "start_on", "end_on"), _practice_days],
    columns=[
        TEACHER_COLUMN,
        _c("uscc", "实践企业统一社会信用代码", "uscc", required=True, key=True, doc=("企业名录中的企业", "an enterprise of the registry")),
        _c("start_on", "开始日期", "date", required=True, key=True),
        _c("end_on", "结束日期", "date", required=True),
        _c("form", "实践形式", "choice", required=True, choices=v.FORMS, choices_en=v.FORMS_EN,
           doc=("考察观摩、技能培训、兼职任职（在企业挂职或兼职）、研发（参与企业产品研发、技术改造）",
                "site visit, skills training, a post held in the firm, joint R&D")),
        _c("days", "实践天数", "int", doc=("在企业的实际天数，少于起止日期的天数时填写（如每周一天）",
                                          "days actually spent there, when fewer than the calendar days of the period (e.g. one day a week)")),
        _c("post", "实践岗位", "text", max_len=100),
        _c("evidence", "佐证材料", "text", max_len=500, doc=("如 企业出具的实践证明编号、考核表", "e.g. the enterprise's certificate number, the assessment form")),
    ],
)

RECOGNITIONS = RecordKind(
    name="tch_recognitions", zh="双师型教师认定", en="dual-qualified teacher recognitions", model="xiaoqi.plugins.teachers.models:Recognition",
    key=("teacher_id", "level", "recognised_on"), plugin="teachers",
    access=Access(**KEPT_WITH_TEACHER, guards=(school_teacher,)),
    references=[TEACHER_REF],
    checks=[_ordered("tch_recognitions", "recognised_on", "valid_to")],
    columns=[
        TEACHER_COLUMN,
        _c("level", "认定等级", "choice", required=True, key=True, choices=v.LEVELS, choices_en=v.LEVELS_EN),
        _c("recognised_on", "认定日期", "date", required=True, key=True),
        _c("recognised_by", "认定机构", "text", required=True, max_len=200, doc=("如 浙江省教育厅", "e.g. the provincial education department")),
        _c("valid_to", "有效期至", "date", doc=("长期有效时不填", "empty when it does not expire")),
        _c("certificate_no", "证书编号", "text", max_len=100),
    ],
)

KINDS = [PRACTICE, RECOGNITIONS]
