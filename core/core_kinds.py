"""The core registry's record kinds: schools, majors, students, teachers, enterprises, agreements,
positions, internships, insurance policies and insured persons, quota reservations and placements — their
columns (Chinese and English headers), keys, references, cross-column checks and scope. They
describe the tables in ``xiaoqi.core.models``; the framework they are built from is
``xiaoqi.core.kinds``."""

from __future__ import annotations

import datetime as dt

from .lazy import lazy_module

from . import fields as f
from .access import ALL, HIDE, NAME, NONE, OWN, PHONE, Access, referenced_by, via, where
from .i18n import catalogue, t
from .kinds import Column, NamedReference, RecordKind, Reference

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "row.end_before_start": ("结束日期不能早于开始日期", "the end date is before the start date"),
        "row.position_required": ("{kind}必须填写岗位编号", "a {kind} needs a position code"),
        "row.pay_required": ("岗位实习必须填写月实习报酬", "an on-post internship needs its monthly pay"),
        "row.holder": ("投保人应为学校代码（10位）或统一社会信用代码（18位）：{reason}", "the holder is a school code (10 digits) or a USCC (18 characters): {reason}"),
        "row.revoked_before_certified": ("认定撤销日期不能早于认定日期", "the certification is revoked before it was granted"),
        "row.quota_period": ("名额截止日期不能早于名额起始日期", "the quota end date is before its start date"),
        "row.places_min": ("预留名额至少为 1", "a reservation holds at least 1 place"),
        "row.released_places": ("已退回名额不能多于预留名额", "more places given back than reserved"),
        "row.quota_below_placed": ("学徒名额不能少于已落实的 {placed} 个名额", "the quota cannot be lower than the {placed} places already filled"),
        "row.expiry_before_reservation": ("预留截止日期不能早于预留日期", "the reservation's deadline is before the day it was made"),
        "row.teacher_school": ("{kind}教师必须填写所在学校代码", "a {kind} teacher needs the school code"),
        "row.teacher_enterprise": ("企业导师必须填写所在企业的统一社会信用代码", "an enterprise mentor needs the enterprise's USCC"),
        "row.teacher_fulltime_firm": ("专任教师由学校聘任，不填企业；在企业的兼职或挂职请记为企业实践", "a full-time teacher is employed by the school: leave the enterprise empty (record posts in a firm as enterprise practice)"),
        "row.labour_intensity": ("体力劳动强度级别应为 1 到 4（GB 3869 的 I–IV 级）", "the physical labour intensity level is 1 to 4 (GB 3869 levels I–IV)"),
        "row.rest_days": ("每周休息天数应为 0 到 7", "weekly rest days are 0 to 7"),
        "row.cancelled_on_needed": ("保单状态为{status}时须填写退保或注销日期", "a policy that is {status} needs the date it stopped covering"),
        "row.cancelled_on_status": ("填写了退保或注销日期的保单，状态应为 已退保 或 已注销", "a policy with a cancellation date is 已退保 (surrendered) or 已注销 (cancelled)"),
        "row.cancelled_on_range": ("退保或注销日期应在保险起期与止期之间", "the cancellation date lies within the policy's period"),
        "row.insured_before_policy": ("起保日期 {date} 早于保单 {policy} 的保险起期 {start}", "the insured from {date}, before policy {policy} starts on {start}"),
        "row.insured_after_policy": ("终止日期 {date} 晚于保单 {policy} 的保险止期 {end}", "the insured until {date}, after policy {policy} ends on {end}"),
    }
)


def _dates_in_order(start: str, end: str, message: str = "row.end_before_start"):
    def check(values: dict) -> list[tuple[str, str]]:
        if values.get(start) and values.get(end) and values[end] < values[start]:
            return [(end, t(message))]
        return []

    return check


def _internship_rules(values: dict) -> list[tuple[str, str]]:
    problems = []
    if values.get("kind") in ("岗位实习", "学徒") and not values.get("position_code"):
        problems.append(("position_code", t("row.position_required", kind=values["kind"])))
    if values.get("kind") == "岗位实习" and values.get("monthly_pay") is None:
        problems.append(("monthly_pay", t("row.pay_required")))
    if (values.get("weekly_rest_days") or 0) > 7:
        problems.append(("weekly_rest_days", t("row.rest_days")))
    return problems


def _position_rules(values: dict) -> list[tuple[str, str]]:
    level = values.get("labour_intensity")
    if level is not None and not 1 <= level <= 4:
        return [("labour_intensity", t("row.labour_intensity"))]
    return []


def _policy_status(values: dict) -> list[tuple[str, str]]:
    status, cancelled = values.get("status"), values.get("cancelled_on")
    if status in POLICY_ENDED and cancelled is None:
        return [("cancelled_on", t("row.cancelled_on_needed", status=status))]
    if cancelled is not None and status not in POLICY_ENDED:
        return [("status", t("row.cancelled_on_status"))]
    if cancelled is not None and values.get("start_on") and values.get("end_on") and not values["start_on"] <= cancelled <= values["end_on"]:
        return [("cancelled_on", t("row.cancelled_on_range"))]
    return []


INTERNSHIP_KIND_ALIASES = (("跟岗实习", "岗位实习"), ("顶岗实习", "岗位实习"), ("跟岗", "岗位实习"), ("顶岗", "岗位实习"))


def _teacher_rules(values: dict) -> list[tuple[str, str]]:
    kind = values.get("kind")
    if kind in ("专任", "兼职") and not values.get("school_code"):
        return [("school_code", t("row.teacher_school", kind=kind))]
    if kind == "企业导师" and not values.get("uscc"):
        return [("uscc", t("row.teacher_enterprise"))]
    if kind == "专任" and values.get("uscc"):
        return [("uscc", t("row.teacher_fulltime_firm"))]
    return []


def _partners_mentors(model, code):
    """Enterprise mentors of the enterprises a school has an agreement with."""
    from . import models as m

    return model.uscc.in_(sa.select(m.Agreement.uscc).where(m.Agreement.school_code == code))


def _partners_teachers(model, code):
    """Teachers of the schools an enterprise has an agreement with."""
    from . import models as m

    return model.school_code.in_(sa.select(m.Agreement.school_code).where(m.Agreement.uscc == code))


def _day(value):
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _insured_within_policy(session, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """An insured row's own dates lie within its policy's period (what it covers is that
    intersection, so a date outside is a mistake in the list)."""
    from . import models as m

    p = m.InsurancePolicy
    numbers = sorted({row["policy_no"] for row in rows if row.get("policy_no") and (row.get("start_on") or row.get("end_on"))})
    periods = {}
    for start in range(0, len(numbers), 500):
        stmt = sa.select(p.policy_no, p.start_on, p.end_on).where(p.policy_no.in_(numbers[start:start + 500]))
        periods.update({no: (_day(a), _day(b)) for no, a, b in session.execute(stmt)})
    problems = []
    for i, row in enumerate(rows):
        period = periods.get(row.get("policy_no"))
        if period is None:
            continue
        first, last = _day(row.get("start_on")), _day(row.get("end_on"))
        if first is not None and first < period[0]:
            problems.append((i, "start_on", t("row.insured_before_policy", date=first, policy=row["policy_no"], start=period[0])))
        if last is not None and last > period[1]:
            problems.append((i, "end_on", t("row.insured_after_policy", date=last, policy=row["policy_no"], end=period[1])))
    return problems


def _holder_check(values: dict) -> list[tuple[str, str]]:
    holder = values.get("holder") or ""
    try:
        if len(holder) == 10:
            f.parse_code10(holder)
        else:
            f.parse_uscc(holder)
    except ValueError as exc:
        return [("holder", t("row.holder", reason=exc))]
    return []


def _quota_covers_placements(session, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """A position's quota may not drop below the apprentices already placed on it."""
    from . import models as m

    r, pl = m.QuotaReservation, m.ReservationPlacement
    usccs = sorted({row["uscc"] for row in rows if row.get("uscc")})
    placed = {}
    for start in range(0, len(usccs), 500):
        stmt = (sa.select(r.uscc, r.position_code, sa.func.count()).join(pl, pl.reservation_no == r.reservation_no)
                .where(r.uscc.in_(usccs[start:start + 500])).group_by(r.uscc, r.position_code))
        placed.update({(u, p): n for u, p, n in session.execute(stmt)})
    problems = []
    for i, row in enumerate(rows):
        n = placed.get((row.get("uscc"), row.get("position_code")), 0)
        if n and (row.get("apprentice_quota") or 0) < n:
            problems.append((i, "apprentice_quota", t("row.quota_below_placed", placed=n)))
    return problems


def _reservation_rules(values: dict) -> list[tuple[str, str]]:
    problems = []
    if values.get("places") is not None and values["places"] < 1:
        problems.append(("places", t("row.places_min")))
    elif (values.get("released_places") or 0) > (values.get("places") or 0):
        problems.append(("released_places", t("row.released_places")))
    return problems


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


SCHOOL_LEVELS = ("中职", "高职", "职业本科", "技工")
TEACHER_KINDS = ("专任", "兼职", "企业导师")
AGREEMENT_KINDS = ("实习基地", "订单培养", "现代学徒制", "产业学院", "共建专业", "技术服务", "其他")
INTERNSHIP_KINDS = ("认识实习", "岗位实习", "学徒")
POLICY_KINDS = ("实习责任保险", "意外伤害保险", "工伤保险", "学徒保险", "其他")
#: a policy's status; empty means 有效 (in force)
POLICY_STATES = ("有效", "已退保", "已注销")
#: the states in which a policy stopped covering on its cancellation date
POLICY_ENDED = ("已退保", "已注销")
PAYERS = ("学校", "企业", "政府", "学生")
#: states of a quota reservation (预留中 holds places; the others are closed)
RESERVATION_STATES = ("预留中", "已确认", "已释放", "已过期")

CORE_KINDS: list[RecordKind] = [
    RecordKind(
        name="schools", zh="学校", en="schools", model="xiaoqi.core.models:School", key=("school_code",),
        # a school keeps its own name and contact; only admin registers or removes a school
        school_column="school_code",
        access=Access(read=ALL, create=NONE, delete=NONE, columns={"school": ("name", "contact", "phone")}),
        columns=[
            _c("school_code", "学校代码", "code10", required=True, key=True),
            _c("name", "学校名称", "text", required=True),
            _c("level", "办学层次", "choice", required=True, choices=SCHOOL_LEVELS,
               choices_en=("secondary", "higher", "bachelor", "technician")),
            _c("region", "所在地区代码", "region", required=True),
            _c("contact", "联系人", "text", max_len=100),
            _c("phone", "联系电话", "text", max_len=50),
        ],
    ),
    RecordKind(
        name="majors", zh="专业", en="majors", model="xiaoqi.core.models:Major", key=("school_code", "major_code"),
        school_column="school_code", access=Access(read=ALL),
        references=[Reference("schools", ("school_code",), ("school_code",))],
        columns=[
            _c("school_code", "学校代码", "code10", required=True, key=True),
            _c("major_code", "专业代码", "digits6", required=True, key=True, doc=("前两位为专业大类", "the first two digits are the major category")),
            _c("name", "专业名称", "text", required=True),
        ],
    ),
    RecordKind(
        name="students", zh="学生", en="students", model="xiaoqi.core.models:Student", key=("id_number",),
        school_column="school_code",
        # an enterprise reads the students interning with it (masked: it never reveals them)
        access=Access(read={"enterprise": referenced_by("internships")},
                      personal={"guardian": NAME, "guardian_phone": PHONE, "hardship": HIDE},
                      # read from the ID number: with a masked number it would make it whole again
                      derived_personal=("birth_date",)),
        references=[
            Reference("schools", ("school_code",), ("school_code",)),
            Reference("majors", ("school_code", "major_code"), ("school_code", "major_code")),
        ],
        derive=lambda v: {"birth_date": f.birth_date(v["id_number"])},
        columns=[
            _c("school_code", "学校代码", "code10", required=True),
            _c("student_no", "学号", "text", required=True, max_len=50),
            _c("name", "姓名", "text", required=True, max_len=100),
            _c("id_number", "身份证号", "idcard", required=True, key=True),
            _c("major_code", "专业代码", "digits6", required=True),
            _c("enrolled_on", "入学日期", "date", required=True),
            _c("class_name", "班级", "text", max_len=100),
            _c("guardian", "监护人", "text", max_len=100),
            _c("guardian_phone", "监护人电话", "text", max_len=50),
            _c("hardship", "家庭经济困难", "bool", doc=("家庭经济困难学生（如建档立卡），免缴考核等费用", "from a family with financial difficulties (e.g. 建档立卡): exempt from assessment fees")),
        ],
    ),
    RecordKind(
        name="enterprises", zh="企业", en="enterprises", model="xiaoqi.core.models:Enterprise", key=("uscc",),
        enterprise_column="uscc",
        # a school office may register a partner enterprise that is not in the registry yet; an
        # enterprise keeps its own record but not its 产教融合型企业 certification
        access=Access(read=ALL, create={"school": ALL}, delete={"enterprise": NONE},
                      columns={"enterprise": ("name", "industry_code", "region", "staff_count")}),
        checks=[_dates_in_order("pce_certified_on", "pce_revoked_on", "row.revoked_before_certified")],
        columns=[
            _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
            _c("name", "企业名称", "text", required=True),
            _c("industry_code", "行业代码", "digits4", required=True, doc=("GB/T 4754 小类", "GB/T 4754 class")),
            _c("region", "所在地区代码", "region", required=True),
            _c("staff_count", "在岗职工总数", "int", required=True),
            _c("pce_certified", "产教融合型企业", "bool"),
            _c("pce_level", "认定级别", "choice", choices=("国家级", "省级"), choices_en=("national", "provincial")),
            _c("pce_certified_on", "认定日期", "date"),
            _c("pce_revoked_on", "认定撤销日期", "date",
               doc=("产教融合型企业认定被撤销的日期（如以欺诈取得）", "the day the 产教融合型企业 certification was revoked (e.g. obtained by fraud)")),
        ],
    ),
    RecordKind(
        name="teachers", zh="教师", en="teachers", model="xiaoqi.core.models:Teacher", key=("id_number",),
        school_column="school_code", enterprise_column="uscc",
        # a teacher is kept by the school or enterprise they work at, and seen by the other party
        # of the internships they mentor and of the partner's agreements (to name them as mentors)
        access=Access(read={
            "school": OWN | referenced_by("internships") | where(_partners_mentors, ("合作企业的导师", "mentors of partner enterprises")),
            "enterprise": OWN | referenced_by("internships") | where(_partners_teachers, ("合作学校的教师", "teachers of partner schools")),
        }, personal={"phone": PHONE}),
        references=[
            Reference("schools", ("school_code",), ("school_code",)),
            Reference("enterprises", ("uscc",), ("uscc",)),
        ],
        checks=[_teacher_rules],
        columns=[
            _c("id_number", "身份证号", "idcard", required=True, key=True),
            _c("name", "姓名", "text", required=True, max_len=100),
            _c("kind", "教师类别", "choice", required=True, choices=TEACHER_KINDS,
               choices_en=("full-time", "part-time", "enterprise mentor"),
               doc=("专任：学校在编在岗；兼职：学校聘请的兼职教师；企业导师：企业的导师（产业导师）",
                    "full-time: employed by the school; part-time: engaged by the school; enterprise mentor: an enterprise's mentor")),
            _c("school_code", "学校代码", "code10", doc=("所在学校；专任、兼职教师必填", "the school; required for full-time and part-time teachers")),
            _c("uscc", "统一社会信用代码", "uscc", doc=("所在企业；企业导师必填", "the enterprise; required for enterprise mentors")),
            _c("specialist", "专业课教师", "bool", doc=("含实习指导教师；企业实践规定适用于专业课教师", "incl. internship supervisors; the enterprise-practice rule applies to them")),
            _c("subjects", "任教学科或专业", "list", max_len=500),
            _c("title", "职称", "text", max_len=50),
            _c("hired_on", "入职日期", "date", doc=("开始任教的日期", "when the teacher started teaching")),
            _c("enterprise_experience", "从教前企业工作经历", "bool", doc=("入职前在企业工作过", "worked in an enterprise before teaching")),
            _c("phone", "联系电话", "text", max_len=50),
        ],
    ),
    RecordKind(
        name="agreements", zh="校企合作协议", en="agreements", model="xiaoqi.core.models:Agreement", key=("agreement_no",),
        school_column="school_code", enterprise_column="uscc",
        # the school keeps the register of its agreements; the enterprise reads its own
        access=Access(write={"enterprise": NONE}),
        references=[
            Reference("schools", ("school_code",), ("school_code",)),
            Reference("enterprises", ("uscc",), ("uscc",)),
        ],
        checks=[_dates_in_order("signed_on", "expires_on")],
        columns=[
            _c("school_code", "学校代码", "code10", required=True),
            _c("uscc", "统一社会信用代码", "uscc", required=True),
            _c("agreement_no", "协议编号", "text", required=True, key=True, max_len=50),
            _c("kind", "合作类型", "list", required=True, choices=AGREEMENT_KINDS,
               choices_en=("internship base", "order training", "modern apprenticeship", "industrial college", "joint major", "technical service", "other")),
            _c("signed_on", "签订日期", "date", required=True),
            _c("expires_on", "到期日期", "date"),
            _c("vetted_on", "实地考察日期", "date"),
        ],
    ),
    RecordKind(
        name="positions", zh="岗位", en="positions", model="xiaoqi.core.models:Position", key=("uscc", "position_code"),
        enterprise_column="uscc",
        # schools look for places on every enterprise's positions; an enterprise sees its own; a
        # province its enterprises' and those its schools' internships are on (the rules judge them)
        access=Access(read={"school": ALL, "province": OWN | referenced_by("internships")}, guards=(_quota_covers_placements,)),
        references=[Reference("enterprises", ("uscc",), ("uscc",))],
        checks=[_dates_in_order("quota_from", "quota_to", "row.quota_period"), _position_rules],
        columns=[
            _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
            _c("position_code", "岗位编号", "text", required=True, key=True, max_len=50),
            _c("title", "岗位名称", "text", required=True),
            _c("major_category", "对口专业大类", "digits2"),
            _c("staff_count", "同类岗位在岗职工数", "int", required=True),
            _c("wage", "岗位工资标准", "money", required=True, doc=("元/月", "yuan per month")),
            _c("hazardous", "高风险岗位", "bool"),
            _c("barred_for_minors", "未成年人禁忌", "bool"),
            _c("probation_wage", "试用期工资标准", "money", doc=("元/月；2022年前的顶岗实习按其80%核对报酬", "yuan per month; pay of pre-2022 顶岗 internships is checked against 80% of it")),
            _c("barred_for_women", "女职工禁忌", "bool", doc=("《女职工劳动保护特别规定》禁忌从事的劳动", "work barred for women under the Special Rules on Labour Protection of Female Employees")),
            _c("labour_intensity", "体力劳动强度级别", "int", doc=("1–4，即 GB 3869 的 I–IV 级", "1–4: GB 3869 levels I–IV")),
            _c("apprentice_quota", "学徒名额", "int"),
            _c("quota_from", "名额起始日期", "date"),
            _c("quota_to", "名额截止日期", "date"),
        ],
    ),
    RecordKind(
        name="internships", zh="实习", en="internships", model="xiaoqi.core.models:Internship", key=("id_number", "uscc", "start_on"),
        school_column="school_code", enterprise_column="uscc",
        # the school keeps its internships; the enterprise reads those at it
        access=Access(write={"enterprise": NONE}),
        references=[
            Reference("schools", ("school_code",), ("school_code",)),
            Reference("students", ("id_number",), ("id_number",), agree=("school_code",)),
            Reference("enterprises", ("uscc",), ("uscc",)),
            Reference("positions", ("uscc", "position_code"), ("uscc", "position_code")),
            Reference("teachers", ("school_mentor_id",), ("id_number",)),
            Reference("teachers", ("enterprise_mentor_id",), ("id_number",)),
        ],
        named_references=[
            NamedReference("school_mentor_id", "school_mentor", "teachers", (("school_code", "school_code"),)),
            NamedReference("enterprise_mentor_id", "enterprise_mentor", "teachers", (("uscc", "uscc"),)),
        ],
        checks=[_dates_in_order("start_on", "end_on"), _internship_rules],
        columns=[
            _c("school_code", "学校代码", "code10", required=True),
            _c("id_number", "身份证号", "idcard", required=True, key=True),
            _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
            _c("position_code", "岗位编号", "text", max_len=50),
            _c("kind", "实习类型", "choice", required=True, choices=INTERNSHIP_KINDS,
               choices_en=("observation", "on-post", "apprentice"), aliases=INTERNSHIP_KIND_ALIASES,
               label_column="kind_label"),
            _c("start_on", "开始日期", "date", required=True, key=True),
            _c("end_on", "结束日期", "date", required=True),
            _c("work_region", "实习地区代码", "work_region", doc=("境外实习填写国家或地区代码", "for work abroad, the country or territory code")),
            _c("monthly_pay", "月实习报酬", "money"),
            _c("pay_cycle_days", "报酬支付周期天数", "int"),
            _c("paid_directly", "报酬直接支付给学生", "bool"),
            _c("fees_charged", "收费项目", "list", doc=("空表示未收费", "empty means none")),
            _c("agreement_signed_on", "三方协议签订日期", "date"),
            _c("consent_signed_on", "知情同意书签订日期", "date"),
            _c("guardian_signed", "监护人已签字", "bool"),
            _c("school_mentor", "学校指导教师", "text", max_len=100),
            _c("enterprise_mentor", "企业指导人员", "text", max_len=100),
            _c("school_mentor_id", "学校指导教师身份证号", "idcard",
               doc=("教师名录中的学校指导教师；也可只填姓名（该校同名教师唯一时自动对应）", "the school mentor in the teachers registry; or give only the name (matched when unique at the school)")),
            _c("enterprise_mentor_id", "企业指导人员身份证号", "idcard",
               doc=("教师名录中的企业导师；也可只填姓名（该企业同名导师唯一时自动对应）", "the enterprise mentor in the teachers registry; or give only the name (matched when unique at the enterprise)")),
            _c("overtime", "安排加班", "bool"),
            _c("night_shift", "安排夜班", "bool"),
            _c("holiday_work", "法定节假日实习", "bool"),
            _c("exception_filed_on", "特殊情况备案日期", "date"),
            _c("via_agency", "经中介安排", "bool"),
            _c("filing_approved_on", "跨省备案日期", "date"),
            _c("kind_label", "原实习类型", "text", max_len=10, doc=("2022年前的跟岗/顶岗标签，导入时自动保留", "the pre-2022 跟岗/顶岗 label, kept by import")),
            _c("daily_hours", "每日实习小时数", "hours"),
            _c("weekly_rest_days", "每周休息天数", "int"),
            _c("paid_in_kind", "以实物或代金券支付", "bool", doc=("报酬是否部分或全部以物品、代金券代替货币", "pay given in goods or vouchers instead of money")),
            _c("premium_deducted", "从报酬中扣除保费", "bool"),
            _c("documents_withheld", "扣押的证件", "list", doc=("如 学生证、居民身份证；空表示未扣押", "e.g. student card, ID card; empty means none")),
            _c("self_arranged", "学生自行选择实习单位", "bool"),
            _c("school_approved_on", "学校审核同意日期", "date", doc=("学生自行选择实习单位时学校审核同意的日期", "when the school approved a self-arranged internship")),
        ],
    ),
    RecordKind(
        name="policies", zh="保险", en="policies", model="xiaoqi.core.models:InsurancePolicy", key=("policy_no",),
        # the holder (a school or an enterprise) keeps its policies; a party also reads the
        # policies that insure its students
        school_column="holder", enterprise_column="holder",
        access=Access(read={a: OWN | referenced_by("insured") for a in ("province", "school", "enterprise")}),
        checks=[_holder_check, _dates_in_order("start_on", "end_on"), _policy_status],
        columns=[
            _c("policy_no", "保单号", "text", required=True, key=True, max_len=60),
            _c("insurer", "保险公司", "text", required=True),
            _c("kind", "险种", "choice", required=True, choices=POLICY_KINDS,
               choices_en=("internship liability", "accident", "work injury", "apprentice", "other")),
            _c("holder", "投保人", "text", required=True, max_len=18),
            _c("payer", "保费承担方", "choice", required=True, choices=PAYERS,
               choices_en=("school", "enterprise", "government", "student")),
            _c("start_on", "保险起期", "date", required=True),
            _c("end_on", "保险止期", "date", required=True),
            _c("cover_per_person", "每人保额", "money"),
            _c("premium", "保费", "money"),
            _c("status", "保单状态", "choice", choices=POLICY_STATES, choices_en=("in force", "surrendered", "cancelled"),
               doc=("空表示有效", "empty means in force")),
            _c("cancelled_on", "退保或注销日期", "date", doc=("自该日起不再承保", "the first day the policy no longer covers")),
        ],
    ),
    RecordKind(
        name="insured", zh="被保险人清单", en="insured persons", model="xiaoqi.core.models:InsuredPerson", key=("policy_no", "id_number"),
        # the policy's holder keeps the list (a school only its own students: references stay in
        # scope); a party reads the entries of its policies and of its students
        access=Access(read={"province": via("students"), "school": via("policies", "update") | via("students"),
                            "enterprise": via("policies", "update") | via("students")},
                      write={"school": via("policies"), "enterprise": NONE}, guards=(_insured_within_policy,)),
        references=[
            Reference("policies", ("policy_no",), ("policy_no",)),
            Reference("students", ("id_number",), ("id_number",)),
        ],
        checks=[_dates_in_order("start_on", "end_on")],
        columns=[
            _c("policy_no", "保单号", "text", required=True, key=True, max_len=60),
            _c("id_number", "身份证号", "idcard", required=True, key=True),
            _c("start_on", "起保日期", "date", doc=("默认为保单起期", "defaults to the policy's")),
            _c("end_on", "终止日期", "date", doc=("默认为保单止期", "defaults to the policy's")),
        ],
    ),
    RecordKind(
        name="reservations", zh="学徒名额预留", en="quota reservations", model="xiaoqi.core.models:QuotaReservation", table="quota_reservations",
        key=("reservation_no",), school_column="school_code", enterprise_column="uscc",
        # a school reserves for itself; either party may release or expire it
        access=Access(service="xiaoqi quota reserve / confirm / release", create={"enterprise": NONE}, delete=NONE),
        references=[
            Reference("schools", ("school_code",), ("school_code",)),
            Reference("positions", ("uscc", "position_code"), ("uscc", "position_code")),
        ],
        checks=[_reservation_rules, _dates_in_order("reserved_on", "expires_on", "row.expiry_before_reservation")],
        columns=[
            _c("reservation_no", "预留编号", "text", required=True, key=True, max_len=40),
            _c("school_code", "学校代码", "code10", required=True),
            _c("uscc", "统一社会信用代码", "uscc", required=True),
            _c("position_code", "岗位编号", "text", required=True, max_len=50),
            _c("places", "预留名额", "int", required=True),
            _c("released_places", "已退回名额", "int", doc=("撤回或过期时退回的名额", "places given back by a release or at expiry")),
            _c("expires_on", "预留截止日期", "date", required=True),
            _c("status", "预留状态", "choice", required=True, choices=RESERVATION_STATES,
               choices_en=("reserved", "confirmed", "released", "expired")),
            _c("reserved_on", "预留日期", "date", required=True),
            _c("closed_on", "关闭日期", "date"),
        ],
    ),
    RecordKind(
        name="placements", zh="学徒名额落实", en="reservation placements", model="xiaoqi.core.models:ReservationPlacement", table="reservation_placements",
        key=("id_number", "uscc", "start_on"), enterprise_column="uscc",
        # the reserving school places its students; the parties of the reservation read them
        access=Access(service="xiaoqi quota confirm",
                      read={a: via("reservations") for a in ("province", "school", "enterprise")},
                      create={"school": via("reservations"), "enterprise": NONE}, update=NONE, delete=NONE,
                      reveal={"school": via("reservations")}),
        references=[
            Reference("reservations", ("reservation_no",), ("reservation_no",)),
            Reference("internships", ("id_number", "uscc", "start_on"), ("id_number", "uscc", "start_on")),
        ],
        columns=[
            _c("reservation_no", "预留编号", "text", required=True, max_len=40),
            _c("id_number", "身份证号", "idcard", required=True, key=True),
            _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
            _c("start_on", "开始日期", "date", required=True, key=True, doc=("学徒实习的开始日期", "the apprenticeship's start date")),
            _c("placed_on", "落实日期", "date", required=True),
        ],
    ),
]
