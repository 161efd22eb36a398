"""National rules that one query over the internships decides (age, first year, duration, pay,
fees, consent, agreement, hours, hazards, venues, agencies, major match, vetting, filing, overlap).

Every rule streams the violating rows of one or two set-based queries. These are the 2021 rule's
(教职成〔2021〕4号) versions, judging internships that start on or after 2021-12-31; older
internships are judged by the 2016 versions in ``rules2016.py`` where the 2016 text is known, and
not at all where it is not. INT-OVERLAP is not a legal text but a fact about the registry (one
student cannot be in two places), so it judges internships of any date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from xiaoqi.core.countries import country_name
from xiaoqi.core.fields import ABROAD_PROVINCES, LIST_JOIN, NONE_WORDS, PROVINCES, format_percent, is_none_word
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import AGE_AT_START, HIDDEN_DATE, JOIN_POSITION, JOIN_STUDENT, Param, Rule, as_date, internship_key, money

from . import catalogue as majors
from .sources import CATALOGUE_2021, IN_FORCE_2021, IN_FORCE_LABOUR_LAW, LABOUR_LAW, LAST_DAY_2016, RULE_2021, article

ON_POST = ("岗位实习",)
WITH_POST = ("岗位实习", "学徒")
APPRENTICE = "学徒"
#: 专业大类 医药卫生 in the 2021 catalogue of vocational majors: 中职 72, 高职专科 52, 职业本科 32
MEDICAL_CATEGORIES = ("52", "72", "32")
#: GB/T 4754-2017 classes of the venues the regulation names: 9011 歌舞厅娱乐活动 (KTV, night
#: clubs), 9012 电子游艺厅娱乐活动 (game arcades), 9013 网吧活动 (internet cafés),
#: 6233 酒吧服务 (bars), 8051 洗浴服务 (bath centres)
BANNED_INDUSTRIES = ("9011", "9012", "9013", "6233", "8051")
#: the fees the rule names; any other fee is banned as well ("或者其他形式的实习费用")
BANNED_FEES = ("押金", "培训费", "报酬提成", "管理费", "材料费", "就业服务费")
#: other words for a named fee, as charges are written in practice
FEE_SYNONYMS = {"押金": ("保证金",), "报酬提成": ("提成", "抽成"), "就业服务费": ("中介费", "介绍费", "推荐费")}
#: GB 3869 level from which physical labour is barred (Ⅲ级强度及以上)
BARRED_INTENSITY = 3

catalogue(
    {
        "nat.age.msg": ("实习开始日 {start} 学生年满 {age} 周岁，不满 {min_age} 周岁（出生日期 {birth}）",
                        "on the start date {start} the student is {age}, under {min_age} (born {birth})"),
        "nat.age.apprentice": ("学徒开始日 {start} 年满 {age} 周岁，不满 {min_age} 周岁（出生日期 {birth}；《劳动法》第十五条禁止招用未满十六周岁的未成年人）",
                               "on the apprenticeship's start {start} the apprentice is {age}, under {min_age} (born {birth}; Labour Law Art. 15 bans employing anyone under 16)"),
        "nat.grade1.msg": ("{enrolled} 入学，{start} 开始{kind}，仍在第一学年（第一学年至 {until}，学年自 {monthday} 起算）",
                           "enrolled {enrolled}, {kind} from {start}, still in the first school year (until {until}; school years start on {monthday})"),
        "nat.duration.msg": ("{start} 至 {end} 共 {days} 天，超过 {months} 个月（应在 {limit} 前结束）",
                             "{start} to {end} is {days} days, longer than {months} months (should end before {limit})"),
        "nat.pay.low": ("月报酬 {pay} 元低于岗位工资标准 {wage} 元的 {share}（{required} 元）",
                        "monthly pay {pay} yuan is below {share} of the post's wage {wage} yuan ({required} yuan)"),
        "nat.pay.cycle": ("报酬支付周期 {days} 天，超过 {max_days} 天", "pay is paid every {days} days, more than {max_days}"),
        "nat.pay.indirect": ("报酬未直接支付给学生", "pay is not paid directly to the student"),
        "nat.pay.in_kind": ("以物品或代金券代替货币支付报酬", "pay is given in goods or vouchers instead of money"),
        "nat.fees.msg": ("向学生收取费用：{fees}", "charges the student: {fees}"),
        "nat.fees.other": ("其他形式的实习费用", "a fee under another name"),
        "nat.fees.documents": ("扣押学生证件：{documents}", "withholds the student's documents: {documents}"),
        "nat.consent.none": ("没有知情同意书", "no informed-consent form"),
        "nat.consent.late": ("知情同意书 {signed} 签订，晚于开始日 {start}", "consent form signed {signed}, after the start {start}"),
        "nat.consent.guardian": ("知情同意书没有监护人签字", "the consent form lacks a guardian's signature"),
        "nat.consent.unapproved": ("学生自行选择的实习单位未经学校审核同意", "the student chose the unit and the school has not approved it"),
        "nat.consent.approved_late": ("学校 {approved} 才审核同意学生自行选择的实习单位，晚于开始日 {start}", "the school approved the student's own choice of unit on {approved}, after the start {start}"),
        "nat.agreement.none": ("没有签订三方实习协议（无协议不实习）", "no tripartite agreement (no agreement, no internship)"),
        "nat.agreement.late": ("三方协议 {signed} 签订，晚于开始日 {start}", "tripartite agreement signed {signed}, after the start {start}"),
        "nat.hours.msg": ("{what}，{filing}", "{what}, {filing}"),
        "nat.hours.overtime": ("安排加班", "overtime"),
        "nat.hours.night": ("安排夜班", "night shifts"),
        "nat.hours.holiday": ("法定节假日实习", "work on statutory holidays"),
        "nat.hours.daily": ("每日实习 {hours} 小时，超过 {max_hours} 小时", "{hours} hours a day, more than {max_hours}"),
        "nat.hours.rest": ("每周休息 {days} 天，少于 {min_days} 天", "{days} rest days a week, fewer than {min_days}"),
        "nat.filing.none_exc": ("没有特殊情况备案", "with no filed exception"),
        "nat.filing.late_exc": ("特殊情况备案日期 {filed} 晚于开始日 {start}，备案前的安排不能免除", "the exception was filed on {filed}, after the start {start}, so it does not cover the work before it"),
        "nat.hazard.post": ("岗位 {post}（{title}）是高风险岗位，{filing}", "post {post} ({title}) is high-risk, {filing}"),
        "nat.hazard.minor": ("岗位 {post}（{title}）为未成年工禁忌岗位，学生开始实习时未满 18 周岁", "post {post} ({title}) is barred for minors and the student is under 18 at the start"),
        "nat.hazard.women": ("岗位 {post}（{title}）为女职工禁忌从事的劳动，学生为女性（据身份证号）", "post {post} ({title}) is work barred for women and the student is a woman (by the ID number)"),
        "nat.hazard.intensity": ("岗位 {post}（{title}）体力劳动强度为 {level} 级，不得安排 {barred} 级及以上", "post {post} ({title}) is physical labour of level {level}; level {barred} and above is barred"),
        "nat.venue.msg": ("实习单位行业代码 {code}（{name}）属于禁止安排实习的场所", "the enterprise's industry code {code} ({name}) is a venue where internships are banned"),
        "nat.agency.msg": ("经中介机构安排实习", "arranged through an agency"),
        "nat.major.msg": ("岗位对口专业大类 {post} 与学生专业 {major} 所属大类 {student} 不同（按{catalogue}）",
                          "the post's major category {post} differs from the category {student} of the student's major {major} (by the {catalogue})"),
        "nat.major.raw": ("岗位对口专业大类 {post_cat} 与学生专业大类 {student_cat}（专业 {major}）不符（代码不在{catalogue}中，按代码前两位比较）",
                          "the post's major category {post_cat} differs from the student's {student_cat} (major {major}; a code outside the {catalogue}, compared as digits)"),
        "nat.major.catalogue": ("《职业教育专业目录（2021年）》", "2021 catalogue of vocational majors"),
        "nat.vetted.none": ("学校首次安排学生到该单位实习（{start}）前没有实地考察记录", "no on-site vetting before the school's first internship at this enterprise ({start})"),
        "nat.vetted.late": ("实地考察日期 {vetted} 晚于学校首次安排实习的日期 {start}", "on-site vetting on {vetted}, after the school's first internship there on {start}"),
        "nat.filing.msg": ("跨省实习（学校 {school_region}，实习地 {work_region}）{what}", "cross-province internship (school {school_region}, workplace {work_region}) {what}"),
        "nat.filing.abroad": ("境外实习（学校 {school_region}，实习地 {work_region}）{what}", "internship abroad (school {school_region}, workplace {work_region}) {what}"),
        "nat.filing.none": ("没有备案", "has no prior filing"),
        "nat.filing.late": ("备案日期 {filed} 晚于开始日", "was filed on {filed}, after the start"),
        "nat.overlap.msg": ("与另一实习 {other}（{other_start} 至 {other_end}）时间重叠 {days} 天", "overlaps {days} days with internship {other} ({other_start} to {other_end})"),
        "nat.kind.岗位实习": ("岗位实习", "on-post internship"),
        "nat.kind.学徒": ("学徒", "apprenticeship"),
    }
)


def _d(v) -> dt.date | None:
    return as_date(v)


def years_between(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def exception_in_time(alias: str = "i") -> str:
    """SQL: the internship records an exception (特殊情况备案) filed on or before its start, so
    before any of the work it allows (Art. 17)."""
    return f"({alias}.exception_filed_on IS NOT NULL AND {alias}.exception_filed_on <= {alias}.start_on)"


def exception_text(row) -> str:
    """Why a filed exception does not clear the finding: none was filed, or it came late."""
    filed = _d(row["exception_filed_on"])
    if filed is None:
        return t("nat.filing.none_exc")
    return t("nat.filing.late_exc", filed=filed, start=_d(row["start_on"]))


# -- age and school year -----------------------------------------------------------------------

def under_age(ctx, years: int | str) -> str:
    """SQL: the student of internship ``i`` (joined as ``st``) is not yet ``years`` old on its
    first day; for a login that may not read the birth date, from the age the database gives it."""
    if ctx.facts:
        return f"{ctx.fact(AGE_AT_START)} < {years}"
    return f"i.start_on < {ctx.sql.add_years('st.birth_date', years)}"


def age_min(ctx, kinds=WITH_POST):
    min_age = ctx.param("min_age", region=ctx.region(), on="i.start_on")
    if ctx.facts:  # a login that may not read the birth date: the age on the first day, from the database
        age = ctx.fact(AGE_AT_START)
        rows = ctx.internship_rows(f"{age} < {min_age}", columns=[f"{age} AS age", f"{min_age} AS min_age"], kinds=kinds)
    else:
        # the day of the minimum age, once per birth date and age
        of_age = ctx.per_value("ma", ("students", "birth_date"), "st.birth_date", [c.value for c in ctx.candidates("min_age")],
                               min_age, ctx.sql.add_years)
        rows = ctx.internship_rows(
            f"i.start_on < {of_age.value}",
            columns=["st.birth_date AS birth_date", f"{min_age} AS min_age"], joins=[JOIN_STUDENT, of_age.join], kinds=kinds)
    for r in rows:
        start = _d(r["start_on"])
        if ctx.facts:
            birth, age = HIDDEN_DATE, int(r["age"])
        else:
            birth = _d(r["birth_date"])
            age = years_between(birth, start)
        key = "nat.age.apprentice" if r["kind"] == APPRENTICE else "nat.age.msg"
        yield ctx.internship_finding(r, t(key, start=start, age=age, min_age=r["min_age"], birth=birth),
                                     numbers={"age": age, "min_age": int(r["min_age"]), "birth_date": birth})


def _grade1(ctx):
    """The first school year is the one whose start lies nearest the enrolment: the last
    school-year start on or before six months after it (an August registration belongs to the
    school year that begins in September)."""
    monthday = ctx.param("school_year_start", region=ctx.region(), on="st.enrolled_on")

    def until(enrolled, day):
        later = ctx.sql.add_months(enrolled, 6)
        candidate = ctx.sql.in_year_of(later, day)
        first_start = f"(CASE WHEN {candidate} > {later} THEN {ctx.sql.add_years(candidate, -1)} ELSE {candidate} END)"
        return ctx.sql.add_years(first_start, 1)

    # the end of the first school year, once per enrolment day and school-year start
    first_year = ctx.per_value("fy", ("students", "enrolled_on"), "st.enrolled_on",
                               [c.value for c in ctx.candidates("school_year_start")], monthday, until)
    rows = ctx.internship_rows(f"i.start_on < {first_year.value}",
                               columns=["st.enrolled_on AS enrolled_on", f"{first_year.value} AS until", f"{monthday} AS monthday"],
                               joins=[JOIN_STUDENT, first_year.join], kinds=WITH_POST)
    for r in rows:
        until_day = _d(r["until"]) - dt.timedelta(days=1)
        yield ctx.internship_finding(r, t("nat.grade1.msg", enrolled=_d(r["enrolled_on"]), start=_d(r["start_on"]), until=until_day,
                                          kind=t(f"nat.kind.{r['kind']}"), monthday=r["monthday"]),
                                     numbers={"enrolled_on": _d(r["enrolled_on"]), "first_year_until": until_day,
                                              "school_year_start": r["monthday"]})


# -- duration and pay ----------------------------------------------------------------------------

def duration(ctx, where: str = "1 = 1", prefix: Callable[[Any], str] | None = None):
    """INT-DURATION over the on-post internships satisfying ``where``; ``prefix(row)`` opens the message."""
    region = ctx.region()
    is_medical = ctx.param_in_list("medical_categories", lambda item: f"substr(st.major_code, 1, 2) = {item}",
                                   region=region, on="i.start_on")
    general = ctx.param("max_months", region=region, on="i.start_on")
    medical = ctx.param("medical_max_months", region=region, on="i.start_on")
    months = f"(CASE WHEN {is_medical} THEN COALESCE({medical}, {general}) ELSE {general} END)"
    # the limit day once per first day and number of months
    values = [c.value for name in ("max_months", "medical_max_months") for c in ctx.candidates(name)]
    limit = ctx.per_value("lim", ("internships", "start_on"), "i.start_on", values, months, ctx.sql.add_months)
    rows = ctx.internship_rows(f"i.end_on >= {limit.value} AND ({where})",
                               columns=[f"{months} AS months", f"{limit.value} AS limit_day", "i.kind_label AS kind_label"],
                               joins=[JOIN_STUDENT, limit.join], kinds=ON_POST)
    for r in rows:
        start, end = _d(r["start_on"]), _d(r["end_on"])
        days = (end - start).days + 1
        text = t("nat.duration.msg", start=start, end=end, days=days, months=r["months"], limit=_d(r["limit_day"]))
        yield ctx.internship_finding(r, (prefix(r) if prefix else "") + text, numbers={"days": days, "max_months": int(r["months"]), "end_on": end},
                                     dates=[(start, end)])


def _pay_min(ctx):
    region = ctx.region()
    share = ctx.param("min_share", region=region, on="i.start_on")
    cycle = ctx.param("max_pay_cycle_days", region=region, on="i.start_on")
    required = f"ROUND(p.wage * {share}, 2)"
    low = f"i.monthly_pay < {required} - 0.001"
    rows = ctx.internship_rows(
        f"{low} OR i.pay_cycle_days > {cycle} OR i.paid_directly IS FALSE OR i.paid_in_kind IS TRUE",
        columns=["i.monthly_pay AS pay", "p.wage AS wage", f"{share} AS share", f"{required} AS required",
                 "i.pay_cycle_days AS cycle", f"{cycle} AS max_cycle", "i.paid_directly AS paid_directly",
                 "i.paid_in_kind AS paid_in_kind", f"CASE WHEN {low} THEN 1 ELSE 0 END AS is_low"],
        joins=[JOIN_POSITION], kinds=ON_POST)
    for r in rows:
        parts, numbers = [], {}
        if r["is_low"]:
            parts.append(low_pay_text(r, numbers, "nat.pay.low"))
        if r["cycle"] is not None and r["max_cycle"] is not None and r["cycle"] > r["max_cycle"]:
            parts.append(t("nat.pay.cycle", days=r["cycle"], max_days=r["max_cycle"]))
            numbers.update(pay_cycle_days=r["cycle"], max_pay_cycle_days=int(r["max_cycle"]))
        if r["paid_directly"] is not None and not r["paid_directly"]:
            parts.append(t("nat.pay.indirect"))
            numbers["paid_directly"] = False
        if r["paid_in_kind"]:
            parts.append(t("nat.pay.in_kind"))
            numbers["paid_in_kind"] = True
        yield ctx.internship_finding(r, "；".join(parts), numbers=numbers)


def low_pay_text(row, numbers: dict, key: str) -> str:
    """The message for pay below ``share`` × ``wage`` (columns pay, wage, share, required); fills ``numbers``."""
    pay, wage, required = money(row["pay"]), money(row["wage"]), money(row["required"])
    share = Decimal(str(row["share"]))
    numbers.update(pay=pay, wage=wage, min_share=share, required=required,
                   share=(pay / wage).quantize(Decimal("0.0001")) if wage else None)
    return t(key, pay=pay, wage=wage, share=format_percent(share), required=required)


# -- fees, consent, agreement ----------------------------------------------------------------------

def _listed(column: str, none_words: str) -> str:
    """SQL: the list column holds something other than a word for "nothing"."""
    return f"(NULLIF(TRIM({column}), '') IS NOT NULL AND lower(TRIM({column})) NOT IN ({none_words}))"


def _items(value: str | None) -> list[str]:
    from xiaoqi.core.fields import parse_list

    return [i for i in parse_list(value or "") if not is_none_word(i)]


def _fee_category(item: str, categories) -> str | None:
    """The named fee ``item`` is (押金 for 实习押金 or 保证金), None for a fee under another name."""
    for category in categories:
        key = category.removeprefix("实习")
        if key in item or any(word in item for word in FEE_SYNONYMS.get(key, ())):
            return category
    return None


def _fees(ctx):
    """Any fee is banned: every entry of 收费项目 that is not a word for "nothing" is a finding
    (the named kinds are recognised and named; the rest is a fee under another name), unless the
    region declares it an allowed cost. Withheld documents are banned by the same article."""
    region = ctx.region()
    none_words = ", ".join(ctx.bind(w) for w in sorted(NONE_WORDS))
    banned = ctx.param_index("banned_fees", region=region, on="i.start_on")
    allowed = ctx.param_index("allowed_costs", region=region, on="i.start_on")
    banned_lists = [c.value for c in ctx.candidates("banned_fees")]
    allowed_lists = [set(c.value) for c in ctx.candidates("allowed_costs")]
    rows = ctx.internship_rows(
        f"{_listed('i.fees_charged', none_words)} OR {_listed('i.documents_withheld', none_words)}",
        columns=["i.fees_charged AS fees", "i.documents_withheld AS documents", f"{banned} AS banned_index", f"{allowed} AS allowed_index"])
    for r in rows:
        categories = banned_lists[int(r["banned_index"])] if r["banned_index"] is not None else ()
        free = allowed_lists[int(r["allowed_index"])] if r["allowed_index"] is not None else set()
        fees = [(item, _fee_category(item, categories)) for item in _items(r["fees"]) if item not in free]
        documents = _items(r["documents"])
        if not fees and not documents:
            continue
        parts = []
        if fees:
            named = [f"{item}（{category or t('nat.fees.other')}）" if category != item else item for item, category in fees]
            parts.append(t("nat.fees.msg", fees=LIST_JOIN.join(named)))
        if documents:
            parts.append(t("nat.fees.documents", documents=LIST_JOIN.join(documents)))
        yield ctx.internship_finding(r, "；".join(parts), numbers={
            "fees": [item for item, _c in fees], "fee_categories": [c for _i, c in fees], "documents_withheld": documents})


def _consent(ctx):
    """School-arranged on-post internships need a consent form signed by the student and a
    guardian by the start; one the student arranged (学生自行选择) needs the school's approval by
    the start instead."""
    arranged = "i.self_arranged IS NOT TRUE"
    rows = ctx.internship_rows(
        f"({arranged} AND (i.consent_signed_on IS NULL OR i.consent_signed_on > i.start_on OR i.guardian_signed IS NOT TRUE)) "
        f"OR (i.self_arranged IS TRUE AND (i.school_approved_on IS NULL OR i.school_approved_on > i.start_on))",
        columns=["i.consent_signed_on AS signed", "i.guardian_signed AS guardian", "i.self_arranged AS self_arranged",
                 "i.school_approved_on AS approved"], kinds=ON_POST)
    for r in rows:
        start = _d(r["start_on"])
        if r["self_arranged"]:
            approved = _d(r["approved"])
            msg = t("nat.consent.unapproved") if approved is None else t("nat.consent.approved_late", approved=approved, start=start)
            yield ctx.internship_finding(r, msg, numbers={"self_arranged": True, "school_approved_on": approved})
            continue
        yield ctx.internship_finding(r, consent_text(r), numbers={"consent_signed_on": _d(r["signed"]), "guardian_signed": bool(r["guardian"])})


def consent_text(row, check_date: bool = True) -> str:
    signed, start = _d(row["signed"]), _d(row["start_on"])
    parts = []
    if signed is None:
        parts.append(t("nat.consent.none"))
    elif check_date and signed > start:
        parts.append(t("nat.consent.late", signed=signed, start=start))
    if not row["guardian"]:
        parts.append(t("nat.consent.guardian"))
    return "；".join(parts)


def _agreement(ctx):
    rows = ctx.internship_rows("i.agreement_signed_on IS NULL OR i.agreement_signed_on > i.start_on",
                               columns=["i.agreement_signed_on AS signed"], kinds=ON_POST)
    for r in rows:
        signed = _d(r["signed"])
        msg = t("nat.agreement.none") if signed is None else t("nat.agreement.late", signed=signed, start=_d(r["start_on"]))
        yield ctx.internship_finding(r, msg, numbers={"agreement_signed_on": signed})


# -- working conditions ------------------------------------------------------------------------------

def _hours(ctx):
    """Art. 17: working time and rest as the law sets them, no overtime, night shift or holiday
    work — unless the special arrangement was filed before the internship started."""
    region = ctx.region()
    max_hours = ctx.param("max_daily_hours", region=region, on="i.start_on")
    min_rest = ctx.param("min_weekly_rest_days", region=region, on="i.start_on")
    long_days, little_rest = f"i.daily_hours > {max_hours}", f"i.weekly_rest_days < {min_rest}"
    rows = ctx.internship_rows(
        f"NOT {exception_in_time()} AND (i.overtime IS TRUE OR i.night_shift IS TRUE OR i.holiday_work IS TRUE "
        f"OR {long_days} OR {little_rest})",
        columns=["i.overtime AS overtime", "i.night_shift AS night_shift", "i.holiday_work AS holiday_work",
                 "i.exception_filed_on AS exception_filed_on", "i.daily_hours AS daily_hours", f"{max_hours} AS max_hours",
                 "i.weekly_rest_days AS rest_days", f"{min_rest} AS min_rest",
                 f"CASE WHEN {long_days} THEN 1 ELSE 0 END AS long_days", f"CASE WHEN {little_rest} THEN 1 ELSE 0 END AS little_rest"])
    for r in rows:
        what = [t(key) for col, key in (("overtime", "nat.hours.overtime"), ("night_shift", "nat.hours.night"),
                                        ("holiday_work", "nat.hours.holiday")) if r[col]]
        numbers = {c: bool(r[c]) for c in ("overtime", "night_shift", "holiday_work")}
        if r["long_days"]:
            hours, limit = Decimal(str(r["daily_hours"])), Decimal(str(r["max_hours"]))
            what.append(t("nat.hours.daily", hours=hours, max_hours=limit.normalize()))
            numbers.update(daily_hours=hours, max_daily_hours=limit)
        if r["little_rest"]:
            what.append(t("nat.hours.rest", days=r["rest_days"], min_days=r["min_rest"]))
            numbers.update(weekly_rest_days=r["rest_days"], min_weekly_rest_days=int(r["min_rest"]))
        numbers["exception_filed_on"] = _d(r["exception_filed_on"])
        yield ctx.internship_finding(r, t("nat.hours.msg", what="、".join(what), filing=exception_text(r)), numbers=numbers)


def _hazard(ctx):
    """Art. 17 (一): no high-risk post, unless filed in time as a special arrangement; Art. 16
    (三)(四)(七), which allow no exception: minors not in work barred for juvenile workers, women
    not in work barred for female workers, nobody in level Ⅲ+ physical labour."""
    barred = ctx.param("barred_intensity", region=ctx.region(), on="i.start_on")
    checks = {
        "risky": f"p.hazardous IS TRUE AND NOT {exception_in_time()}",
        "minor": f"p.barred_for_minors IS TRUE AND {under_age(ctx, 18)}",
        # the 17th digit of an ID number is even for women (GB 11643)
        "women": "p.barred_for_women IS TRUE AND CAST(substr(i.id_number, 17, 1) AS INTEGER) % 2 = 0",
        "heavy": f"p.labour_intensity >= {barred}",
    }
    rows = ctx.internship_rows(
        " OR ".join(f"({sql})" for sql in checks.values()),
        columns=["p.position_code AS post", "p.title AS title", "p.labour_intensity AS level", f"{barred} AS barred",
                 "i.exception_filed_on AS exception_filed_on",
                 *(f"CASE WHEN {sql} THEN 1 ELSE 0 END AS is_{name}" for name, sql in checks.items())],
        joins=[JOIN_POSITION, JOIN_STUDENT], kinds=WITH_POST)
    for r in rows:
        post = dict(post=r["post"], title=r["title"])
        parts = []
        if r["is_risky"]:
            parts.append(t("nat.hazard.post", filing=exception_text(r), **post))
        if r["is_minor"]:
            parts.append(t("nat.hazard.minor", **post))
        if r["is_women"]:
            parts.append(t("nat.hazard.women", **post))
        if r["is_heavy"]:
            parts.append(t("nat.hazard.intensity", level=r["level"], barred=r["barred"], **post))
        yield ctx.internship_finding(r, "；".join(parts), numbers={
            "position_code": r["post"], "hazardous": bool(r["is_risky"]), "barred_for_minors": bool(r["is_minor"]),
            "barred_for_women": bool(r["is_women"]), "labour_intensity": r["level"],
            "exception_filed_on": _d(r["exception_filed_on"])})


def _venue(ctx):
    banned = ctx.param_in_list("banned_industries", lambda item: f"e.industry_code = {item}", region=ctx.region(), on="i.start_on")
    rows = ctx.internship_rows(banned, columns=["e.industry_code AS code", "e.name AS name"])
    for r in rows:
        yield ctx.internship_finding(r, t("nat.venue.msg", code=r["code"], name=r["name"]), numbers={"industry_code": r["code"]})


def _agency(ctx):
    for r in ctx.internship_rows("i.via_agency IS TRUE"):
        yield ctx.internship_finding(r, t("nat.agency.msg"), numbers={"via_agency": True})


def _major_match(ctx):
    """The post's 大类 against the student's, by the 2021 catalogue (a 中职 72 and a 高职 52 are
    both 医药卫生); codes the catalogue does not know are compared as digits."""
    cat = majors.values_sql()
    rows = ctx.internship_rows(
        # equal digits are one category whatever the catalogue says: only different ones are looked up
        "p.major_category IS NOT NULL AND p.major_category <> substr(st.major_code, 1, 2) AND (CASE WHEN pc.column2 IS NOT NULL AND sc.column2 IS NOT NULL "
        "THEN pc.column2 <> sc.column2 ELSE p.major_category <> substr(st.major_code, 1, 2) END)",
        columns=["p.major_category AS post_cat", "st.major_code AS major"],
        joins=[JOIN_POSITION, JOIN_STUDENT, f"LEFT JOIN {cat} pc ON pc.column1 = p.major_category",
               f"LEFT JOIN {cat} sc ON sc.column1 = substr(st.major_code, 1, 2)"], kinds=ON_POST)
    known = majors.categories()
    for r in rows:
        post, student = known.get(r["post_cat"]), known.get(r["major"][:2])
        numbers = {"post_category": r["post_cat"], "student_category": r["major"][:2]}
        if post and student:
            message = t("nat.major.msg", post=post.label(), student=student.label(), major=r["major"], catalogue=t("nat.major.catalogue"))
            numbers.update(catalogue=CATALOGUE_2021, post_level=post.level, student_level=student.level)
        else:
            message = t("nat.major.raw", post_cat=r["post_cat"], student_cat=r["major"][:2], major=r["major"], catalogue=t("nat.major.catalogue"))
        yield ctx.internship_finding(r, message, numbers=numbers)


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


def _place_name(code: str) -> str:
    """TH -> 泰国（TH）; 810000 -> 香港（810000）; a mainland code as it is."""
    if not code.isdigit():
        return f"{country_name(code)}（{code}）"
    return f"{PROVINCES[code[:2]]}（{code}）" if code[:2] in ABROAD_PROVINCES else code


def _filing(ctx):
    """A cross-province internship, or one abroad (a country code, or Hong Kong, Macao, Taiwan),
    needs a filing approved on or before its start."""
    work = "COALESCE(i.work_region, e.region)"
    abroad = f"(length({work}) = 2 OR substr({work}, 1, 2) IN ({', '.join(ctx.bind(p) for p in ABROAD_PROVINCES)}))"
    rows = ctx.internship_rows(
        f"(substr({work}, 1, 2) <> substr(s.region, 1, 2) OR {abroad}) AND (i.filing_approved_on IS NULL OR i.filing_approved_on > i.start_on)",
        columns=[f"{work} AS work_region", "s.region AS school_region", "i.filing_approved_on AS filed",
                 f"CASE WHEN {abroad} THEN 1 ELSE 0 END AS abroad"], kinds=WITH_POST)
    for r in rows:
        filed = _d(r["filed"])
        what = t("nat.filing.none") if filed is None else t("nat.filing.late", filed=filed)
        key = "nat.filing.abroad" if r["abroad"] else "nat.filing.msg"
        place = _place_name(r["work_region"]) if r["abroad"] else r["work_region"]
        yield ctx.internship_finding(r, t(key, school_region=r["school_region"], work_region=place, what=what),
                                     numbers={"school_region": r["school_region"], "work_region": r["work_region"],
                                              "abroad": bool(r["abroad"]), "filing_approved_on": filed})


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


def _rule(id, severity, title, requirement, evaluate, params=(), source=RULE_2021, **kw) -> Rule:
    """A rule of the 2021 text, judging internships that start on or after its entry into force."""
    kw.setdefault("valid_from", IN_FORCE_2021)
    return Rule(id=id, severity=severity, title=title, requirement=requirement, source=source,
                evaluate=evaluate, params=tuple(params), **kw)


ART_16 = "第十六条"
RULES = [
    _rule("INT-AGE-MIN", "error", ("岗位实习最低年龄", "Minimum age for on-post internships"),
          ("岗位实习学生和学徒在开始日须年满规定年龄（按身份证出生日期计算）", "an on-post intern or apprentice has reached the minimum age on the start date (from the ID number's birth date)"),
          age_min, [Param("min_age", "int", 16, ("最低年龄（周岁）", "minimum age in years"))],
          source=f"{article(RULE_2021, ART_16 + '第（二）项')}；学徒另见{LABOUR_LAW}第十五条", version="2021", facts=(AGE_AT_START,)),
    _rule("INT-GRADE1", "error", ("一年级学生不得岗位实习", "No on-post internship in the first year"),
          ("入学后第一学年内不得安排岗位实习或学徒（学年自参数 school_year_start 之日起算）",
           "no on-post internship or apprenticeship within the first school year after enrolment (school years start on school_year_start)"),
          _grade1, [Param("school_year_start", "monthday", "09-01", ("学年开始日（月-日）", "the day school years start (month-day)"))],
          source=article(RULE_2021, ART_16 + "第（一）项")),
    _rule("INT-DURATION", "warning", ("岗位实习时长", "On-post internship duration"),
          ("岗位实习一般为6个月", "an on-post internship lasts about six months"), duration,
          [Param("max_months", "int", 6, ("最长月数", "maximum months")),
           Param("medical_max_months", "int", None, ("医药卫生类专业的最长月数（未设定时同上）", "maximum months for medical majors (unset: as above)"), required=False),
           Param("medical_categories", "list", MEDICAL_CATEGORIES, ("医药卫生类专业大类代码", "major categories counted as medical"))],
          version="2021"),
    _rule("INT-PAY-MIN", "error", ("岗位实习报酬", "On-post internship pay"),
          ("月报酬不低于同岗位工资标准的80%，以货币形式按月直接支付给学生，不得以物品或代金券代替", "monthly pay at least 80% of the post's wage, in money (not goods or vouchers), directly, at least monthly"),
          _pay_min, [Param("min_share", "decimal", "0.80", ("报酬占岗位工资标准的最低比例", "minimum share of the post's wage")),
                     Param("max_pay_cycle_days", "int", 31, ("最长支付周期（天）", "longest pay cycle in days"))],
          source=article(RULE_2021, "第十八条"), version="2021"),
    _rule("INT-FEES-BAN", "error", ("不得向学生收费", "No fees charged to students"),
          ("不得以任何名义向学生收取费用（押金、培训费、报酬提成、管理费、材料费、就业服务费或其他形式的实习费用），不得扣押学生证件",
           "no fee of any kind is charged to the student (deposit, training, pay cut, management, materials, placement or any other name), and no document is withheld"),
          _fees, [Param("banned_fees", "list", BANNED_FEES, ("规定列明的收费名目（其他名目同样禁止）", "the fees the rule names (others are banned as well)")),
                  Param("allowed_costs", "list", (), ("地方规定明确允许由学生承担的费用", "costs a regional text explicitly lets the student bear"))]),
    _rule("INT-CONSENT", "error", ("知情同意书", "Informed consent"),
          ("学校统一安排的岗位实习在开始前取得学生及其监护人签字的知情同意书；学生自行选择实习单位的，须在开始前经学校审核同意",
           "a school-arranged on-post internship has a consent form signed by the student and a guardian on or before the start; one the student arranged is approved by the school by then"),
          _consent, version="2021"),
    _rule("INT-AGREEMENT", "error", ("三方实习协议", "Tripartite agreement"),
          ("岗位实习开始前学校、实习单位、学生签订三方协议（无协议不实习）", "a school–enterprise–student agreement is signed on or before the start"), _agreement),
    _rule("INT-HOURS", "error", ("工作时间与休息休假", "Working time and rest"),
          ("遵守工作时间和休息休假规定，不得安排加班、夜班或法定节假日实习；相关专业和岗位有特殊要求的，须在开始前报上级主管部门备案",
           "working time and rest as the law sets them; no overtime, night shift or statutory-holiday work, unless a special arrangement was filed before the start"),
          _hours, [Param("max_daily_hours", "decimal", None, ("每日最长实习小时数（未设定时不检查）", "most hours a day (unset: not checked)"), required=False),
                   Param("min_weekly_rest_days", "int", None, ("每周最少休息天数（未设定时不检查）", "fewest rest days a week (unset: not checked)"), required=False)],
          source=article(RULE_2021, "第十七条")),
    _rule("INT-HAZARD", "error", ("高风险岗位与禁忌劳动", "High-risk posts and barred work"),
          ("不得安排高空、井下、放射性、有毒、易燃易爆等高风险岗位（特殊要求须事先备案）；不得安排未成年学生从事未成年工禁忌劳动、女学生从事女职工禁忌劳动，不得安排Ⅲ级强度及以上体力劳动",
           "no high-risk post unless filed before the start; minors not in work barred for juvenile workers, women not in work barred for female workers, nobody in level III+ physical labour"),
          _hazard, [Param("barred_intensity", "int", BARRED_INTENSITY, ("禁止安排的最低体力劳动强度级别（GB 3869）", "the lowest physical labour intensity level barred (GB 3869)"))],
          source=article(RULE_2021, "第十七条第（一）项", ART_16 + "第（三）（四）（七）项"), facts=(AGE_AT_START,)),
    _rule("INT-VENUE-BAN", "error", ("禁止的实习场所", "Banned venues"),
          ("不得安排学生到酒吧、夜总会、歌厅、洗浴中心、电子游戏厅、网吧等营业性娱乐场所实习", "no internship at a bar, night club, KTV, bath centre, game arcade or internet café"),
          _venue, [Param("banned_industries", "list", BANNED_INDUSTRIES, ("禁止的行业代码（GB/T 4754-2017）", "banned industry codes (GB/T 4754-2017)"))],
          source=article(RULE_2021, ART_16 + "第（五）项")),
    _rule("INT-AGENCY-BAN", "error", ("不得通过中介安排实习", "No placement through agencies"),
          ("不得通过中介机构或有偿代理组织、安排和管理学生实习", "no internship arranged through an agency or paid intermediary"), _agency,
          source=article(RULE_2021, ART_16 + "第（六）项")),
    _rule("INT-MAJOR-MATCH", "warning", ("专业对口", "Post matches the major"),
          ("实习岗位的专业大类与学生所学专业大类一致（按《职业教育专业目录（2021年）》比较中职、高职专科、职业本科的大类）",
           "the post's major category equals the student's, by the 2021 catalogue (中职, 高职专科 and 职业本科 codes of one 大类 match)"),
          _major_match, source=f"{RULE_2021}；{CATALOGUE_2021}"),
    _rule("INT-UNIT-VETTED", "error", ("实习单位实地考察", "On-site vetting of the unit"),
          ("学校首次安排学生到某单位实习前，须有实地考察评估记录", "before an enterprise's first internship, the school has an on-site vetting report"), _vetted),
    _rule("INT-FILING", "error", ("跨省与境外实习备案", "Cross-province and overseas filing"),
          ("跨省（区、市）或国（境）外实习须事先报备（实习地区代码为国家或地区代码，或香港、澳门、台湾的，为境外实习）",
           "a cross-province or overseas internship has prior approval on file (a work region that is a country code, or Hong Kong, Macao, Taiwan, is abroad)"),
          _filing),
    Rule(id="INT-OVERLAP", severity="error", title=("实习时间重叠", "Overlapping internships"),
         requirement=("同一学生不得有时间重叠的两段实习", "one student has no two overlapping internships"),
         source="登记一致性检查（一名学生不能同时在两处实习），适用于任何日期", evaluate=_overlap),
    # 学徒 are employees: the Labour Law's minimum age judges those who started before the 2021 rule
    Rule(id="INT-AGE-MIN-LABOUR-LAW", extends="INT-AGE-MIN", severity="error",
         title=("学徒最低年龄（劳动法）", "Minimum age of apprentices (Labour Law)"),
         requirement=("用人单位不得招用未满十六周岁的未成年人：学徒在开始日须年满16周岁", "no employer hires anyone under 16: an apprentice is 16 on the start date"),
         source=f"{LABOUR_LAW}第十五条", valid_from=IN_FORCE_LABOUR_LAW, valid_to=LAST_DAY_2016, version="劳动法",
         evaluate=lambda ctx: age_min(ctx, kinds=(APPRENTICE,)), facts=(AGE_AT_START,)),
]
