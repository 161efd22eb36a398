"""National rules that one query over the internships decides (age, first year, duration, pay,
fees, consent, agreement, hours, hazards, venues, agencies, major match, vetting, filing, overlap).

Every rule streams the violating rows of one or two set-based queries; the sources are
《职业学校学生实习管理规定》(教职成〔2021〕4号) unless stated otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core.fields import LIST_JOIN
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import JOIN_POSITION, JOIN_STUDENT, Param, Rule, as_date, internship_key, list_contains, money

SOURCE = "《职业学校学生实习管理规定》（教育部等八部门，教职成〔2021〕4号）"
ON_POST = ("岗位实习",)
WITH_POST = ("岗位实习", "学徒")
#: 专业大类 医药卫生 in the 2021 catalogue of vocational majors: 中职 72, 高职专科 52, 职业本科 32
MEDICAL_CATEGORIES = ("52", "72", "32")
#: GB/T 4754-2017 classes of the venues the regulation names: 9011 歌舞厅娱乐活动 (KTV, night
#: clubs), 9012 电子游艺厅娱乐活动 (game arcades), 9013 网吧活动 (internet cafés),
#: 6233 酒吧服务 (bars), 8051 洗浴服务 (bath centres)
BANNED_INDUSTRIES = ("9011", "9012", "9013", "6233", "8051")
BANNED_FEES = ("押金", "培训费", "报酬提成", "管理费", "材料费", "就业服务费")

catalogue(
    {
        "nat.age.msg": ("实习开始日 {start} 学生年满 {age} 周岁，不满 {min_age} 周岁（出生日期 {birth}）",
                        "on the start date {start} the student is {age}, under {min_age} (born {birth})"),
        "nat.grade1.msg": ("{enrolled} 入学，{start} 开始岗位实习，仍在第一学年（第一学年至 {until}）",
                           "enrolled {enrolled}, on-post internship from {start}, still in the first school year (until {until})"),
        "nat.duration.msg": ("{start} 至 {end} 共 {days} 天，超过 {months} 个月（应在 {limit} 前结束）",
                             "{start} to {end} is {days} days, longer than {months} months (should end before {limit})"),
        "nat.pay.low": ("月报酬 {pay} 元低于岗位工资标准 {wage} 元的 {share}（{required} 元）",
                        "monthly pay {pay} yuan is below {share} of the post's wage {wage} yuan ({required} yuan)"),
        "nat.pay.cycle": ("报酬支付周期 {days} 天，超过 {max_days} 天", "pay is paid every {days} days, more than {max_days}"),
        "nat.pay.indirect": ("报酬未直接支付给学生", "pay is not paid directly to the student"),
        "nat.fees.msg": ("向学生收取了禁止收取的费用：{fees}", "charges the student banned fees: {fees}"),
        "nat.consent.none": ("没有知情同意书", "no informed-consent form"),
        "nat.consent.late": ("知情同意书 {signed} 签订，晚于开始日 {start}", "consent form signed {signed}, after the start {start}"),
        "nat.consent.guardian": ("知情同意书没有监护人签字", "the consent form lacks a guardian's signature"),
        "nat.agreement.none": ("没有签订三方实习协议（无协议不实习）", "no tripartite agreement (no agreement, no internship)"),
        "nat.agreement.late": ("三方协议 {signed} 签订，晚于开始日 {start}", "tripartite agreement signed {signed}, after the start {start}"),
        "nat.hours.msg": ("安排了{what}，且没有特殊情况备案", "arranges {what} with no filed exception"),
        "nat.hours.overtime": ("加班", "overtime"),
        "nat.hours.night": ("夜班", "night shifts"),
        "nat.hours.holiday": ("法定节假日实习", "work on statutory holidays"),
        "nat.hazard.post": ("岗位 {post}（{title}）是高风险岗位", "post {post} ({title}) is high-risk"),
        "nat.hazard.minor": ("岗位 {post}（{title}）为未成年工禁忌岗位，学生开始实习时未满 18 周岁", "post {post} ({title}) is barred for minors and the student is under 18 at the start"),
        "nat.venue.msg": ("实习单位行业代码 {code}（{name}）属于禁止安排实习的场所", "the enterprise's industry code {code} ({name}) is a venue where internships are banned"),
        "nat.agency.msg": ("经中介机构安排实习", "arranged through an agency"),
        "nat.major.msg": ("岗位对口专业大类 {post_cat} 与学生专业大类 {student_cat}（专业 {major}）不符",
                          "the post's major category {post_cat} differs from the student's {student_cat} (major {major})"),
        "nat.vetted.none": ("学校首次安排学生到该单位实习（{start}）前没有实地考察记录", "no on-site vetting before the school's first internship at this enterprise ({start})"),
        "nat.vetted.late": ("实地考察日期 {vetted} 晚于学校首次安排实习的日期 {start}", "on-site vetting on {vetted}, after the school's first internship there on {start}"),
        "nat.filing.msg": ("跨省实习（学校 {school_region}，实习地 {work_region}）{what}", "cross-province internship (school {school_region}, workplace {work_region}) {what}"),
        "nat.filing.none": ("没有备案", "has no prior filing"),
        "nat.filing.late": ("备案日期 {filed} 晚于开始日", "was filed on {filed}, after the start"),
        "nat.overlap.msg": ("与另一实习 {other}（{other_start} 至 {other_end}）时间重叠 {days} 天", "overlaps {days} days with internship {other} ({other_start} to {other_end})"),
    }
)


def _d(v) -> dt.date | None:
    return as_date(v)


def _years_between(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _pct(share: Decimal) -> str:
    return f"{(Decimal(share) * 100).normalize():f}%"


# -- age and school year -----------------------------------------------------------------------

def _age_min(ctx):
    min_age = ctx.param("min_age", region=ctx.region(), on="i.start_on")
    rows = ctx.internship_rows(
        f"i.start_on < {ctx.sql.add_years('st.birth_date', min_age)}",
        columns=["st.birth_date AS birth_date", f"{min_age} AS min_age"], joins=[JOIN_STUDENT], kinds=ON_POST)
    for r in rows:
        birth, start = _d(r["birth_date"]), _d(r["start_on"])
        age = _years_between(birth, start)
        yield ctx.internship_finding(r, t("nat.age.msg", start=start, age=age, min_age=r["min_age"], birth=birth),
                                     numbers={"age": age, "min_age": int(r["min_age"]), "birth_date": birth})


def _grade1(ctx):
    until = ctx.sql.add_years("st.enrolled_on", 1)
    rows = ctx.internship_rows(f"i.start_on < {until}", columns=["st.enrolled_on AS enrolled_on", f"{until} AS until"],
                               joins=[JOIN_STUDENT], kinds=ON_POST)
    for r in rows:
        until_day = _d(r["until"]) - dt.timedelta(days=1)
        yield ctx.internship_finding(r, t("nat.grade1.msg", enrolled=_d(r["enrolled_on"]), start=_d(r["start_on"]), until=until_day),
                                     numbers={"enrolled_on": _d(r["enrolled_on"]), "first_year_until": until_day})


# -- duration and pay ----------------------------------------------------------------------------

def _duration(ctx):
    region = ctx.region()
    is_medical = ctx.param_in_list("medical_categories", lambda item: f"substr(st.major_code, 1, 2) = {item}",
                                   region=region, on="i.start_on")
    general = ctx.param("max_months", region=region, on="i.start_on")
    medical = ctx.param("medical_max_months", region=region, on="i.start_on")
    months = f"(CASE WHEN {is_medical} THEN COALESCE({medical}, {general}) ELSE {general} END)"
    limit = ctx.sql.add_months("i.start_on", months)
    rows = ctx.internship_rows(f"i.end_on >= {limit}", columns=[f"{months} AS months", f"{limit} AS limit_day"],
                               joins=[JOIN_STUDENT], kinds=ON_POST)
    for r in rows:
        start, end = _d(r["start_on"]), _d(r["end_on"])
        days = (end - start).days + 1
        yield ctx.internship_finding(r, t("nat.duration.msg", start=start, end=end, days=days, months=r["months"], limit=_d(r["limit_day"])),
                                     numbers={"days": days, "max_months": int(r["months"]), "end_on": end}, dates=[(start, end)])


def _pay_min(ctx):
    region = ctx.region()
    share = ctx.param("min_share", region=region, on="i.start_on")
    cycle = ctx.param("max_pay_cycle_days", region=region, on="i.start_on")
    required = f"ROUND(p.wage * {share}, 2)"
    low = f"i.monthly_pay < {required} - 0.001"
    rows = ctx.internship_rows(
        f"{low} OR i.pay_cycle_days > {cycle} OR i.paid_directly IS FALSE",
        columns=["i.monthly_pay AS pay", "p.wage AS wage", f"{share} AS share", f"{required} AS required",
                 "i.pay_cycle_days AS cycle", f"{cycle} AS max_cycle", "i.paid_directly AS paid_directly",
                 f"CASE WHEN {low} THEN 1 ELSE 0 END AS is_low"],
        joins=[JOIN_POSITION], kinds=ON_POST)
    for r in rows:
        parts, numbers = [], {}
        pay, wage, required_pay = money(r["pay"]), money(r["wage"]), money(r["required"])
        if r["is_low"]:
            share_v = Decimal(str(r["share"]))
            parts.append(t("nat.pay.low", pay=pay, wage=wage, share=_pct(share_v), required=required_pay))
            numbers.update(pay=pay, wage=wage, min_share=share_v, required=required_pay,
                           share=(pay / wage).quantize(Decimal("0.0001")) if wage else None)
        if r["cycle"] is not None and r["max_cycle"] is not None and r["cycle"] > r["max_cycle"]:
            parts.append(t("nat.pay.cycle", days=r["cycle"], max_days=r["max_cycle"]))
            numbers.update(pay_cycle_days=r["cycle"], max_pay_cycle_days=int(r["max_cycle"]))
        if r["paid_directly"] is not None and not r["paid_directly"]:
            parts.append(t("nat.pay.indirect"))
            numbers["paid_directly"] = False
        yield ctx.internship_finding(r, "；".join(parts), numbers=numbers)


# -- fees, consent, agreement ----------------------------------------------------------------------

def _fees(ctx):
    region = ctx.region()
    banned = ctx.param_in_list("banned_fees", lambda item: list_contains("i.fees_charged", item), region=region, on="i.start_on")
    index = ctx.param_index("banned_fees", region=region, on="i.start_on")
    lists = [set(c.value) for c in ctx.candidates("banned_fees")]
    rows = ctx.internship_rows(f"i.fees_charged IS NOT NULL AND {banned}",
                               columns=["i.fees_charged AS fees", f"{index} AS list_index"])
    for r in rows:
        charged = [f for f in r["fees"].split(LIST_JOIN) if f in lists[int(r["list_index"])]]
        yield ctx.internship_finding(r, t("nat.fees.msg", fees=LIST_JOIN.join(charged)), numbers={"fees": charged})


def _consent(ctx):
    rows = ctx.internship_rows(
        "i.consent_signed_on IS NULL OR i.consent_signed_on > i.start_on OR i.guardian_signed IS NOT TRUE",
        columns=["i.consent_signed_on AS signed", "i.guardian_signed AS guardian"], kinds=ON_POST)
    for r in rows:
        signed, start = _d(r["signed"]), _d(r["start_on"])
        parts = []
        if signed is None:
            parts.append(t("nat.consent.none"))
        elif signed > start:
            parts.append(t("nat.consent.late", signed=signed, start=start))
        if not r["guardian"]:
            parts.append(t("nat.consent.guardian"))
        yield ctx.internship_finding(r, "；".join(parts), numbers={"consent_signed_on": signed, "guardian_signed": bool(r["guardian"])})


def _agreement(ctx):
    rows = ctx.internship_rows("i.agreement_signed_on IS NULL OR i.agreement_signed_on > i.start_on",
                               columns=["i.agreement_signed_on AS signed"], kinds=ON_POST)
    for r in rows:
        signed = _d(r["signed"])
        msg = t("nat.agreement.none") if signed is None else t("nat.agreement.late", signed=signed, start=_d(r["start_on"]))
        yield ctx.internship_finding(r, msg, numbers={"agreement_signed_on": signed})


# -- working conditions ------------------------------------------------------------------------------

def _hours(ctx):
    rows = ctx.internship_rows(
        "(i.overtime IS TRUE OR i.night_shift IS TRUE OR i.holiday_work IS TRUE) AND i.exception_filed_on IS NULL",
        columns=["i.overtime AS overtime", "i.night_shift AS night_shift", "i.holiday_work AS holiday_work"])
    for r in rows:
        what = [t(key) for col, key in (("overtime", "nat.hours.overtime"), ("night_shift", "nat.hours.night"),
                                        ("holiday_work", "nat.hours.holiday")) if r[col]]
        yield ctx.internship_finding(r, t("nat.hours.msg", what="、".join(what)),
                                     numbers={c: bool(r[c]) for c in ("overtime", "night_shift", "holiday_work")})


def _hazard(ctx):
    minor = f"p.barred_for_minors IS TRUE AND i.start_on < {ctx.sql.add_years('st.birth_date', 18)}"
    rows = ctx.internship_rows(
        f"p.hazardous IS TRUE OR ({minor})",
        columns=["p.position_code AS post", "p.title AS title", "p.hazardous AS hazardous"],
        joins=[JOIN_POSITION, JOIN_STUDENT], kinds=WITH_POST)
    for r in rows:
        key = "nat.hazard.post" if r["hazardous"] else "nat.hazard.minor"
        yield ctx.internship_finding(r, t(key, post=r["post"], title=r["title"]),
                                     numbers={"position_code": r["post"], "hazardous": bool(r["hazardous"])})


def _venue(ctx):
    banned = ctx.param_in_list("banned_industries", lambda item: f"e.industry_code = {item}", region=ctx.region(), on="i.start_on")
    rows = ctx.internship_rows(banned, columns=["e.industry_code AS code", "e.name AS name"])
    for r in rows:
        yield ctx.internship_finding(r, t("nat.venue.msg", code=r["code"], name=r["name"]), numbers={"industry_code": r["code"]})


def _agency(ctx):
    for r in ctx.internship_rows("i.via_agency IS TRUE"):
        yield ctx.internship_finding(r, t("nat.agency.msg"), numbers={"via_agency": True})


def _major_match(ctx):
    rows = ctx.internship_rows(
        "p.major_category IS NOT NULL AND p.major_category <> substr(st.major_code, 1, 2)",
        columns=["p.major_category AS post_cat", "st.major_code AS major"], joins=[JOIN_POSITION, JOIN_STUDENT], kinds=ON_POST)
    for r in rows:
        yield ctx.internship_finding(r, t("nat.major.msg", post_cat=r["post_cat"], student_cat=r["major"][:2], major=r["major"]),
                                     numbers={"post_category": r["post_cat"], "student_category": r["major"][:2]})


# -- vetting, filing, overlap --------------------------------------------------------------------------

def _vetted(ctx):
    """The school's first internship at each enterprise needs a vetting report dated on or before it.
    The first one is found over the whole registry, then narrowed to the user's scope."""
    sql = f"""
        WITH firsts AS (
            SELECT school_code, uscc, MIN(start_on) AS first_on FROM internships GROUP BY school_code, uscc
        ), missing AS (
            SELECT f.school_code, f.uscc, f.first_on,
                   (SELECT MIN(a.vetted_on) FROM agreements a WHERE a.school_code = f.school_code AND a.uscc = f.uscc) AS vetted
            FROM firsts f
            WHERE NOT EXISTS (SELECT 1 FROM agreements a WHERE a.school_code = f.school_code AND a.uscc = f.uscc
                              AND a.vetted_on IS NOT NULL AND a.vetted_on <= f.first_on)
        )
        SELECT i.id_number, i.uscc, i.start_on, i.school_code, m.vetted
        FROM missing m
        JOIN internships i ON i.school_code = m.school_code AND i.uscc = m.uscc AND i.start_on = m.first_on
        JOIN schools s ON s.school_code = i.school_code JOIN enterprises e ON e.uscc = i.uscc
        WHERE {ctx.scope('i')} AND {ctx.applies(ctx.region(), 'i.start_on')}
        ORDER BY i.school_code, i.uscc, i.id_number
    """
    last = None
    for r in ctx.rows(sql):
        if (r["school_code"], r["uscc"]) == last:
            continue  # several students started the same day: the finding names the first of them
        last = (r["school_code"], r["uscc"])
        vetted, start = _d(r["vetted"]), _d(r["start_on"])
        msg = t("nat.vetted.none", start=start) if vetted is None else t("nat.vetted.late", vetted=vetted, start=start)
        yield ctx.internship_finding(r, msg, numbers={"first_internship_on": start, "vetted_on": vetted})


def _filing(ctx):
    work = "COALESCE(i.work_region, e.region)"
    rows = ctx.internship_rows(
        f"substr({work}, 1, 2) <> substr(s.region, 1, 2) AND (i.filing_approved_on IS NULL OR i.filing_approved_on > i.start_on)",
        columns=[f"{work} AS work_region", "s.region AS school_region", "i.filing_approved_on AS filed"], kinds=WITH_POST)
    for r in rows:
        filed = _d(r["filed"])
        what = t("nat.filing.none") if filed is None else t("nat.filing.late", filed=filed)
        yield ctx.internship_finding(r, t("nat.filing.msg", school_region=r["school_region"], work_region=r["work_region"], what=what),
                                     numbers={"school_region": r["school_region"], "work_region": r["work_region"], "filing_approved_on": filed})


def _overlap(ctx):
    rows = ctx.internship_rows(
        "1 = 1",
        columns=["o.uscc AS other_uscc", "o.start_on AS other_start", "o.end_on AS other_end"],
        joins=["JOIN internships o ON o.id_number = i.id_number AND o.id <> i.id AND o.start_on <= i.end_on AND o.end_on >= i.start_on"])
    for r in rows:
        start, end, o_start, o_end = _d(r["start_on"]), _d(r["end_on"]), _d(r["other_start"]), _d(r["other_end"])
        both_from, both_to = max(start, o_start), min(end, o_end)
        other = internship_key({"id_number": r["id_number"], "uscc": r["other_uscc"], "start_on": o_start})
        yield ctx.internship_finding(r, t("nat.overlap.msg", other=other, other_start=o_start, other_end=o_end, days=(both_to - both_from).days + 1),
                                     numbers={"other": other}, dates=[(both_from, both_to)])


def _rule(id, severity, title, requirement, evaluate, params=(), **kw) -> Rule:
    return Rule(id=id, severity=severity, title=title, requirement=requirement, source=kw.pop("source", SOURCE),
                evaluate=evaluate, params=tuple(params), **kw)


RULES = [
    _rule("INT-AGE-MIN", "error", ("岗位实习最低年龄", "Minimum age for on-post internships"),
          ("岗位实习学生在实习开始日须年满规定年龄（按身份证出生日期计算）", "an on-post intern has reached the minimum age on the start date (from the ID number's birth date)"),
          _age_min, [Param("min_age", "int", 16, ("最低年龄（周岁）", "minimum age in years"))]),
    _rule("INT-GRADE1", "error", ("一年级学生不得岗位实习", "No on-post internship in the first year"),
          ("入学后第一学年内不得安排岗位实习", "no on-post internship within the first school year after enrolment"), _grade1),
    _rule("INT-DURATION", "warning", ("岗位实习时长", "On-post internship duration"),
          ("岗位实习一般为6个月", "an on-post internship lasts about six months"), _duration,
          [Param("max_months", "int", 6, ("最长月数", "maximum months")),
           Param("medical_max_months", "int", None, ("医药卫生类专业的最长月数（未设定时同上）", "maximum months for medical majors (unset: as above)"), required=False),
           Param("medical_categories", "list", MEDICAL_CATEGORIES, ("医药卫生类专业大类代码", "major categories counted as medical"))]),
    _rule("INT-PAY-MIN", "error", ("岗位实习报酬", "On-post internship pay"),
          ("月报酬不低于同岗位工资标准的80%，以货币形式按月直接支付给学生", "monthly pay at least 80% of the post's wage, in money, directly, at least monthly"),
          _pay_min, [Param("min_share", "decimal", "0.80", ("报酬占岗位工资标准的最低比例", "minimum share of the post's wage")),
                     Param("max_pay_cycle_days", "int", 31, ("最长支付周期（天）", "longest pay cycle in days"))]),
    _rule("INT-FEES-BAN", "error", ("不得向学生收费", "No fees charged to students"),
          ("不得向学生收取押金、培训费、报酬提成、管理费、材料费、就业服务费等费用", "no deposit, training, pay-cut, management, materials or placement fee is charged to the student"),
          _fees, [Param("banned_fees", "list", BANNED_FEES, ("禁止收取的费用", "banned fees"))]),
    _rule("INT-CONSENT", "error", ("知情同意书", "Informed consent"),
          ("学校统一安排的岗位实习在开始前取得学生及其监护人签字的知情同意书", "a school-arranged on-post internship has a consent form signed by the student and a guardian on or before the start"),
          _consent),
    _rule("INT-AGREEMENT", "error", ("三方实习协议", "Tripartite agreement"),
          ("岗位实习开始前学校、实习单位、学生签订三方协议（无协议不实习）", "a school–enterprise–student agreement is signed on or before the start"), _agreement),
    _rule("INT-HOURS", "error", ("加班、夜班与节假日", "Overtime, night shifts and holidays"),
          ("不得安排加班、夜班或法定节假日实习，特殊情况须备案", "no overtime, night shift or statutory-holiday work unless an exception is filed"), _hours),
    _rule("INT-HAZARD", "error", ("高风险岗位", "High-risk posts"),
          ("不得安排高空、井下、放射性、有毒、易燃易爆等高风险岗位；未成年学生不得从事未成年工禁忌劳动", "no high-risk post; minors not in work barred for juvenile workers"),
          _hazard),
    _rule("INT-VENUE-BAN", "error", ("禁止的实习场所", "Banned venues"),
          ("不得安排学生到酒吧、夜总会、歌厅、洗浴中心、电子游戏厅、网吧等营业性娱乐场所实习", "no internship at a bar, night club, KTV, bath centre, game arcade or internet café"),
          _venue, [Param("banned_industries", "list", BANNED_INDUSTRIES, ("禁止的行业代码（GB/T 4754-2017）", "banned industry codes (GB/T 4754-2017)"))]),
    _rule("INT-AGENCY-BAN", "error", ("不得通过中介安排实习", "No placement through agencies"),
          ("不得通过中介机构或有偿代理组织、安排和管理学生实习", "no internship arranged through an agency or paid intermediary"), _agency),
    _rule("INT-MAJOR-MATCH", "warning", ("专业对口", "Post matches the major"),
          ("实习岗位的专业大类与学生所学专业大类一致", "the post's major category equals the student's"), _major_match),
    _rule("INT-UNIT-VETTED", "error", ("实习单位实地考察", "On-site vetting of the unit"),
          ("学校首次安排学生到某单位实习前，须有实地考察评估记录", "before an enterprise's first internship, the school has an on-site vetting report"), _vetted),
    _rule("INT-FILING", "error", ("跨省实习备案", "Cross-province filing"),
          ("跨省（区、市）或境外实习须事先报备", "a cross-province or overseas internship has prior approval on file"), _filing),
    _rule("INT-OVERLAP", "error", ("实习时间重叠", "Overlapping internships"),
          ("同一学生不得有时间重叠的两段实习", "one student has no two overlapping internships"), _overlap),
]
