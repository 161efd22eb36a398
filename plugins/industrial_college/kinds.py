"""The 产业学院 record kinds: their columns (Chinese and English headers), keys, references, checks
and who may see and change them. One definition serves import, export, templates, ``xiaoqi
records``, the services and the TUI forms.

| kind | 中文 | key |
|---|---|---|
| ``ic_colleges`` | 产业学院 | 学院编码 |
| ``ic_recognitions`` | 产业学院认定 | 学院编码 + 认定级别 |
| ``ic_partners`` | 产业学院合作方 | 学院编码 + 合作方代码 |
| ``ic_bodies`` | 产业学院治理机构 | 学院编码 + 机构名称 |
| ``ic_members`` | 产业学院机构成员 | 学院编码 + 机构名称 + 姓名 |
| ``ic_meetings`` | 产业学院会议 | 学院编码 + 机构名称 + 会议日期 |
| ``ic_majors`` | 产业学院共建专业 | 学院编码 + 学校代码 + 专业代码 |
| ``ic_order_classes`` | 产业学院订单班 | 学院编码 + 班级名称 |
| ``ic_investments`` | 产业学院企业投入 | 学院编码 + 统一社会信用代码 + 凭证编号 |
| ``ic_courses`` | 产业学院共建课程与教材 | 学院编码 + 类型 + 名称 |
| ``ic_teaching`` | 产业学院企业教师授课 | 学院编码 + 教师身份证号 + 学期 + 课程 |
| ``ic_bases`` | 产业学院实习实训基地 | 学院编码 + 基地名称 |
| ``ic_services`` | 产业学院产学研服务 | 学院编码 + 年度 + 类型 + 名称 |
| ``ic_tasks`` | 产业学院建设任务自评 | 学院编码 + 年度 + 建设任务 |

Who may do what: a college belongs to its lead school, which keeps it and everything recorded
about it; partner schools and partner enterprises read it; a province reads the colleges of its
schools. An enterprise reads and keeps only its own investment lines (what one partner gives is
not shown to the others). Body members' phones are personal data; the teacher of a teaching record
is named by an ID number, masked like every ID number.
"""

from __future__ import annotations

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core import fields as f
from xiaoqi.core.access import OWN, PHONE, Access, via, where
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import Column, ColumnType, RecordKind, Reference

from . import parties
from . import vocabulary as v

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "ic.v.year": ("年度应为 2000 到 2100 之间的四位年份", "the year is a four-digit year from 2000 to 2100"),
        "ic.v.closed_on": ("状态为撤销时须填写撤销日期", "a closed college needs the date it was closed"),
        "ic.v.closed_only": ("只有撤销的产业学院填写撤销日期", "only a closed college has a closing date"),
        "ic.v.before": ("{later}不能早于{earlier}", "{later} is before {earlier}"),
        "ic.v.more_than": ("{part}不能多于{whole}", "{part} is more than {whole}"),
        "ic.v.positive": ("金额应大于 0", "the amount is more than 0"),
        "ic.v.hours": ("学时应大于 0", "the hours are more than 0"),
        "ic.v.trainees": ("员工培训须填写培训人次", "employee training needs the number trained"),
        "ic.v.patent_no": ("专利须填写专利号", "a patent needs its number"),
    }
)

#: the column types these kinds add (their canonical value is text); terms are the core's ``term``
COLUMN_TYPES = [
    ColumnType("ic_party", parties.parse_party, ("学校代码、统一社会信用代码或行政区划代码", "school code, USCC or region code")),
]


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


def _year_column(name: str = "year", zh: str = "年度", **kw) -> Column:
    kw.setdefault("doc", ("四位年份", "four-digit year"))
    return _c(name, zh, "int", **kw)


def _years(*columns: str):
    def check(values: dict) -> list[tuple[str, str]]:
        return [(c, t("ic.v.year")) for c in columns if values.get(c) is not None and not 2000 <= values[c] <= 2100]

    return check


def _header(name: str) -> str:
    # the compared columns have one meaning in every kind here; read when a row is checked
    return next(c.header() for kind in KINDS for c in kind.columns if c.name == name)


def _ordered(earlier: str, later: str):
    """``later`` (a date or a year) is not before ``earlier``."""

    def check(values: dict) -> list[tuple[str, str]]:
        a, b = values.get(earlier), values.get(later)
        if a is not None and b is not None and b < a:
            return [(later, t("ic.v.before", later=_header(later), earlier=_header(earlier)))]
        return []

    return check


def _at_most(part: str, *wholes: str):
    """``part`` (a head count) is not more than the first of ``wholes`` that is given."""

    def check(values: dict) -> list[tuple[str, str]]:
        whole = next((w for w in wholes if values.get(w) is not None), None)
        a, b = values.get(part), values.get(whole)
        if a is not None and b is not None and a > b:
            return [(part, t("ic.v.more_than", part=_header(part), whole=_header(whole)))]
        return []

    return check


def _kind(**kw) -> RecordKind:
    return RecordKind(plugin="industrial_college", **kw)


# -- the college --------------------------------------------------------------------------------------

def _college_checks(values: dict) -> list[tuple[str, str]]:
    if values.get("status") == v.CLOSED and values.get("closed_on") is None:
        return [("closed_on", t("ic.v.closed_on"))]
    if values.get("status") != v.CLOSED and values.get("closed_on") is not None:
        return [("closed_on", t("ic.v.closed_only"))]
    return []


def _partner_school(model, code):
    from . import models as m

    return model.code.in_(sa.select(m.Partner.college_code).where(m.Partner.school_code == code))


def _partner_enterprise(model, code):
    from . import models as m

    return model.code.in_(sa.select(m.Partner.college_code).where(m.Partner.uscc == code))


COLLEGES = _kind(
    name="ic_colleges", zh="产业学院", en="industrial colleges", model="xiaoqi.plugins.industrial_college.models:College", key=("code",),
    school_column="lead_school_code",
    access=Access(read={
        "school": OWN | where(_partner_school, ("合作学校", "a partner school")),
        "enterprise": where(_partner_enterprise, ("合作企业", "a partner enterprise")),
    }, personal={"phone": PHONE}),
    references=[Reference("schools", ("lead_school_code",), ("school_code",))],
    checks=[_college_checks, _ordered("founded_on", "closed_on")],
    columns=[
        _c("code", "学院编码", "text", required=True, key=True, max_len=30, doc=("学校自定的编码，如 CY2021-01", "the school's own code, e.g. CY2021-01")),
        _c("name", "学院名称", "text", required=True),
        _c("lead_school_code", "牵头学校代码", "code10", required=True),
        _c("type", "学院类型", "choice", required=True, choices=v.COLLEGE_TYPES, choices_en=v.COLLEGE_TYPES_EN),
        _c("industry_chain", "服务产业链", "text", required=True, doc=("如 新能源汽车产业链", "e.g. the new-energy vehicle chain")),
        _c("location", "所在地", "choice", required=True, choices=v.LOCATIONS, choices_en=v.LOCATIONS_EN),
        _c("founded_on", "成立日期", "date", required=True),
        _c("status", "状态", "choice", required=True, choices=v.STATUSES, choices_en=v.STATUSES_EN),
        _c("closed_on", "撤销日期", "date", doc=("状态为撤销时必填", "required once closed")),
        _c("contact", "联系人", "text", max_len=100),
        _c("phone", "联系电话", "text", max_len=50),
    ],
)

COLLEGE_REF = Reference("ic_colleges", ("college_code",), ("code",))
COLLEGE_COLUMN = _c("college_code", "学院编码", "text", required=True, key=True, max_len=30)
#: recorded about a college: read with it, kept by its lead school
CHILD_ACCESS = Access(read=via("ic_colleges"), write=via("ic_colleges"))


def _child(name: str, zh: str, en: str, model, key: tuple[str, ...], columns: list[Column], **kw) -> RecordKind:
    kw.setdefault("access", CHILD_ACCESS)
    return _kind(name=name, zh=zh, en=en, model=model, key=("college_code", *key),
                 references=[COLLEGE_REF, *kw.pop("references", [])], columns=[COLLEGE_COLUMN, *columns], **kw)


RECOGNITIONS = _child(
    "ic_recognitions", "产业学院认定", "industrial college recognitions", "xiaoqi.plugins.industrial_college.models:Recognition", ("level",), [
        _c("level", "认定级别", "choice", required=True, key=True, choices=v.RECOGNITION_LEVELS, choices_en=v.RECOGNITION_LEVELS_EN),
        _c("recognised_on", "认定日期", "date", required=True),
        _c("batch", "批次", "text", max_len=50, doc=("如 第二批", "e.g. the second batch")),
        _c("issuer", "认定部门", "text"),
        _c("document_no", "文号", "text", max_len=100),
    ])

PARTNERS = _child(
    "ic_partners", "产业学院合作方", "industrial college partners", "xiaoqi.plugins.industrial_college.models:Partner", ("partner_code",), [
        _c("partner_code", "合作方代码", "ic_party", required=True, key=True,
           doc=("学校代码、统一社会信用代码（企业、行业协会）或行政区划代码（地方政府）", "school code, USCC (enterprise, association) or region code (government)")),
        _c("partner_type", "合作方类型", "choice", required=True, choices=v.PARTNER_TYPES, choices_en=v.PARTNER_TYPES_EN),
        _c("name", "合作方名称", "text", doc=("地方政府、行业协会必填；学校与企业取自名录", "required for a government or an association; schools and enterprises are named by the registry")),
        _c("role", "角色", "choice", required=True, choices=v.ROLES, choices_en=v.ROLES_EN),
        _c("joined_on", "加入日期", "date", required=True),
        _c("left_on", "退出日期", "date", doc=("退出之日起不再是合作方", "no longer a partner from that day")),
    ],
    checks=[parties.partner_checks, _ordered("joined_on", "left_on")], derive=parties.partner_derive,
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.registered_partners,)))

BODIES = _child(
    "ic_bodies", "产业学院治理机构", "industrial college bodies", "xiaoqi.plugins.industrial_college.models:Body", ("name",), [
        _c("name", "机构名称", "text", required=True, key=True, max_len=100, doc=("如 理事会", "e.g. the board")),
        _c("body_type", "机构类型", "choice", required=True, choices=v.BODY_TYPES, choices_en=v.BODY_TYPES_EN),
        _c("established_on", "成立日期", "date"),
    ])

BODY_REF = Reference("ic_bodies", ("college_code", "body_name"), ("college_code", "name"))
BODY_COLUMN = _c("body_name", "机构名称", "text", required=True, key=True, max_len=100)

MEMBERS = _child(
    "ic_members", "产业学院机构成员", "industrial college body members", "xiaoqi.plugins.industrial_college.models:Member", ("body_name", "name"), [
        BODY_COLUMN,
        _c("name", "姓名", "text", required=True, key=True, max_len=100),
        _c("organisation_code", "所在单位代码", "ic_party", required=True,
           doc=("牵头学校或合作方的代码（其在机构中的席位）", "the code of the lead school or the partner they sit for")),
        _c("role", "机构职务", "text", required=True, max_len=50, doc=("如 理事长、委员", "e.g. chair, member")),
        _c("phone", "联系电话", "text", max_len=50),
    ],
    references=[BODY_REF],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), personal={"phone": PHONE}, guards=(parties.member_party,)))

MEETINGS = _child(
    "ic_meetings", "产业学院会议", "industrial college meetings", "xiaoqi.plugins.industrial_college.models:Meeting", ("body_name", "held_on"), [
        BODY_COLUMN,
        _c("held_on", "会议日期", "date", required=True, key=True),
        _c("title", "会议名称", "text"),
        _c("decisions", "决议事项", "list", max_len=2000, doc=("用、分隔", "separated by 、")),
    ],
    references=[BODY_REF])

MAJORS = _child(
    "ic_majors", "产业学院共建专业", "industrial college majors", "xiaoqi.plugins.industrial_college.models:JointMajor", ("school_code", "major_code"), [
        _c("school_code", "学校代码", "code10", required=True, key=True, doc=("牵头学校或合作学校", "the lead school or a partner school")),
        _c("major_code", "专业代码", "digits6", required=True, key=True),
        _c("core", "核心专业", "bool"),
        _year_column("since_year", "共建起始年份"),
    ],
    references=[Reference("majors", ("school_code", "major_code"), ("school_code", "major_code"))],
    checks=[_years("since_year")],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.major_school,)))

ORDER_CLASSES = _child(
    "ic_order_classes", "产业学院订单班", "industrial college order classes", "xiaoqi.plugins.industrial_college.models:OrderClass", ("class_name",), [
        _c("class_name", "班级名称", "text", required=True, key=True, max_len=100),
        _c("uscc", "订单企业统一社会信用代码", "uscc", required=True),
        _c("major_code", "专业代码", "digits6"),
        _year_column("intake_year", "招生年份", required=True),
        _c("planned", "计划人数", "int", required=True),
        _c("enrolled", "实际人数", "int", required=True),
        _c("committed_hires", "企业承诺录用人数", "int"),
        _year_column("graduation_year", "毕业年份"),
        _c("graduates", "毕业人数", "int"),
        _c("hired", "毕业录用人数", "int", doc=("被订单企业录用的毕业生", "graduates the ordering enterprise hired")),
    ],
    references=[Reference("enterprises", ("uscc",), ("uscc",))],
    checks=[_years("intake_year", "graduation_year"), _ordered("intake_year", "graduation_year"),
            _at_most("graduates", "enrolled"), _at_most("hired", "graduates", "enrolled")],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.enterprise_partner,)))


def _positive_amount(values: dict) -> list[tuple[str, str]]:
    return [("amount", t("ic.v.positive"))] if values.get("amount") is not None and values["amount"] <= 0 else []


INVESTMENTS = _child(
    "ic_investments", "产业学院企业投入", "industrial college investments", "xiaoqi.plugins.industrial_college.models:Investment", ("uscc", "evidence"), [
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True, doc=("投入的合作企业", "the investing partner enterprise")),
        _year_column(required=True),
        _c("category", "投入类型", "choice", required=True, choices=v.INVESTMENT_CATEGORIES, choices_en=v.INVESTMENT_CATEGORIES_EN),
        _c("amount", "金额", "money", required=True, doc=("元；设备、基地、软件、人员按价值计", "yuan; equipment, bases, software and staff time at their value")),
        _c("evidence", "凭证编号", "text", required=True, key=True, max_len=100, doc=("合同号或凭证号", "contract or voucher number")),
        _c("description", "说明", "text"),
        _c("area", "面积（平方米）", "int", doc=("实训基地", "training base")),
        _c("workstations", "工位数", "int", doc=("实训基地", "training base")),
        _c("hours", "工时", "int", doc=("人员投入", "staff time")),
    ],
    enterprise_column="uscc",
    references=[Reference("enterprises", ("uscc",), ("uscc",))],
    checks=[_years("year"), _positive_amount],
    access=Access(read={"province": via("ic_colleges"), "school": via("ic_colleges"), "enterprise": OWN},
                  write={"school": via("ic_colleges"), "enterprise": OWN}, guards=(parties.enterprise_partner,)))

COURSES = _child(
    "ic_courses", "产业学院共建课程与教材", "industrial college courses and textbooks", "xiaoqi.plugins.industrial_college.models:Course", ("item_type", "title"), [
        _c("item_type", "类型", "choice", required=True, key=True, choices=v.COURSE_TYPES, choices_en=v.COURSE_TYPES_EN,
           doc=("企业项目：用作毕业设计选题的企业真实项目", "enterprise project: a real project used as capstone topics")),
        _c("title", "名称", "text", required=True, key=True),
        _year_column(required=True, doc=("开发或出版年份", "year developed or published")),
        _c("uscc", "合作企业统一社会信用代码", "uscc"),
        _c("authors", "企业作者", "list", max_len=500, doc=("企业方作者或项目导师，用、分隔", "the enterprise's authors or project mentors, separated by 、")),
        _c("reference", "出版信息或项目编号", "text"),
        _c("students", "参与学生数", "int"),
    ],
    references=[Reference("enterprises", ("uscc",), ("uscc",))],
    checks=[_years("year")],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.enterprise_partner,)))


def _term_derive(values: dict) -> dict:
    """The school year (its first calendar year) and the calendar year the term falls in."""
    term = values.get("term") or ""
    start = int(term[:4])
    return {"school_year": start, "year": start if term.endswith("-1") else start + 1}


def _positive_hours(values: dict) -> list[tuple[str, str]]:
    return [("hours", t("ic.v.hours"))] if values.get("hours") == 0 else []


TEACHING = _child(
    "ic_teaching", "产业学院企业教师授课", "industrial college enterprise teaching", "xiaoqi.plugins.industrial_college.models:Teaching", ("teacher_id", "term", "course"), [
        _c("teacher_id", "教师身份证号", "idcard", required=True, key=True, doc=("教师名录中的企业导师或企业兼职教师", "an enterprise mentor or part-time teacher from a firm in the teachers register")),
        _c("term", "学期", "term", required=True, key=True),
        _c("course", "课程名称", "text", required=True, key=True),
        _c("hours", "学时", "int", required=True),
    ],
    references=[Reference("teachers", ("teacher_id",), ("id_number",))],
    checks=[_positive_hours], derive=_term_derive,
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.enterprise_teacher,)))

BASES = _child(
    "ic_bases", "产业学院实习实训基地", "industrial college training bases", "xiaoqi.plugins.industrial_college.models:Base", ("name",), [
        _c("name", "基地名称", "text", required=True, key=True),
        _c("location", "所在地", "choice", required=True, choices=v.BASE_LOCATIONS, choices_en=v.BASE_LOCATIONS_EN),
        _c("uscc", "共建企业统一社会信用代码", "uscc"),
        _c("area", "面积（平方米）", "int"),
        _c("workstations", "工位数", "int"),
        _c("capacity", "可容纳学生数", "int"),
        _c("opened_on", "启用日期", "date"),
    ],
    references=[Reference("enterprises", ("uscc",), ("uscc",))],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.enterprise_partner,)))


def _service_checks(values: dict) -> list[tuple[str, str]]:
    if values.get("service_type") == "员工培训" and values.get("trainees") is None:
        return [("trainees", t("ic.v.trainees"))]
    if values.get("service_type") == "专利" and not values.get("patent_no"):
        return [("patent_no", t("ic.v.patent_no"))]
    return []


SERVICES = _child(
    "ic_services", "产业学院产学研服务", "industrial college services", "xiaoqi.plugins.industrial_college.models:Service", ("year", "service_type", "title"), [
        _year_column(required=True, key=True),
        _c("service_type", "类型", "choice", required=True, key=True, choices=v.SERVICE_TYPES, choices_en=v.SERVICE_TYPES_EN),
        _c("title", "名称", "text", required=True, key=True),
        _c("uscc", "合作企业统一社会信用代码", "uscc"),
        _c("amount", "金额", "money", doc=("研发经费或技术服务收入（元）", "R&D funding or technical-service income (yuan)")),
        _c("trainees", "培训人次", "int", doc=("员工培训", "employee training")),
        _c("patent_no", "专利号", "text", max_len=50),
    ],
    references=[Reference("enterprises", ("uscc",), ("uscc",))],
    checks=[_years("year"), _service_checks],
    access=Access(read=via("ic_colleges"), write=via("ic_colleges"), guards=(parties.enterprise_partner,)))

TASKS = _child(
    "ic_tasks", "产业学院建设任务自评", "industrial college construction tasks", "xiaoqi.plugins.industrial_college.models:TaskReport", ("year", "task"), [
        _year_column(required=True, key=True),
        _c("task", "建设任务", "choice", required=True, key=True, choices=v.TASK_NAMES, choices_en=tuple(t_.en for t_ in v.TASKS),
           aliases=v.TASK_ALIASES, doc=("七项建设任务之一，也可写 1–7 或 ①–⑦", "one of the seven tasks, or 1–7")),
        _c("status", "完成情况", "choice", required=True, choices=v.TASK_STATUSES, choices_en=v.TASK_STATUSES_EN),
        _c("evidence", "佐证材料", "list", max_len=2000, doc=("用、分隔", "separated by 、")),
    ],
    checks=[_years("year")])

KINDS = [COLLEGES, RECOGNITIONS, PARTNERS, BODIES, MEMBERS, MEETINGS, MAJORS, ORDER_CLASSES, INVESTMENTS, COURSES,
         TEACHING, BASES, SERVICES, TASKS]
