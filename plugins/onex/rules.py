"""The 1+X rules, each one set-based query over the whole register.

| id | severity | what must hold |
|---|---|---|
| X-SITE-NOT-ACCREDITED | error | a session is held at a site accredited for its certificate and level on that day |
| X-SESSION-CAPACITY | error | a session takes no more candidates than its site's capacity |
| X-ISSUED-WITHOUT-PASS | error | a certificate is issued only after a passing result at that certificate and level |
| X-CONVERSION-NO-CERTIFICATE | error | a conversion is backed by a certificate held on the day, at the rule's level or higher |
| X-CONVERSION-RULE-NOT-IN-FORCE | error | a conversion is applied while its rule is in force |
| X-CONVERSION-TWICE | error | a student's course is converted once (not again in another term) |
| X-REGISTRATION-WITHDRAWN | error | a school does not register a pilot for a year after the certificate was withdrawn |
| X-CANDIDATE-WITHDRAWN | error | no student sits a certificate after it was withdrawn |
| X-PASS-RATE | warning | a pilot school's pass rate per certificate, level and year is at least ``min_pass_rate`` (no national figure) |
| X-TAKE-UP | warning | a pilot registration's candidates reach ``min_take_up`` of its planned places (no national figure) |
| X-FEE-HARDSHIP | error | no assessment fee is charged to a student of a family with financial difficulties |

Dates: a site is accredited from ``accredited_from`` to ``accredited_to`` inclusive; a certificate is
withdrawn after its ``valid_to``; a conversion rule is in force from ``valid_from`` to ``valid_to``
inclusive. The rates are judged once a year has ended (``ctx.as_of``). Parameters resolve by the
school's region and a date in the year judged (its last day), so a province or ``xiaoqi.toml`` sets
them per region and from a date. ``--school`` limits the rules to that school's records (the host
school's sessions, the students' school elsewhere); ``--enterprise`` to a 培训评价组织's own
certificates.
"""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Fact, Param, Rule, RuleContext, money

from .vocabulary import rank_sql

catalogue(
    {
        "onex.rule.site.msg": ("考核 {session}（{day}）所在站点 {site} 在该日未获{certificate}{level}的考核授权（授权 {start} 至 {end}）。",
                               "The session {session} on {day} is at the site {site}, which was not accredited for {certificate} {level} that day (accredited {start} to {end})."),
        "onex.rule.capacity.msg": ("考核 {session}（{day}）有 {candidates} 名考生，超过站点 {site} 的容量 {capacity} 人。",
                                   "The session {session} on {day} has {candidates} candidates, more than the capacity {capacity} of the site {site}."),
        "onex.rule.issued.msg": ("证书 {number}（{certificate}{level}，{day} 发证）没有该证书该等级的考核通过记录。",
                                 "The certificate {number} ({certificate} {level}, issued {day}) has no passing result at that certificate and level."),
        "onex.rule.no_certificate.msg": ("课程 {course}（{term}）按规则 {rule} 转换学分，但学生在 {day} 未持有{certificate}{level}或更高等级的有效证书。",
                                         "The course {course} ({term}) was converted under the rule {rule}, but on {day} the student held no valid {certificate} certificate at {level} or higher."),
        "onex.rule.not_in_force.msg": ("课程 {course}（{term}）于 {day} 按规则 {rule} 转换学分，但该规则的有效期为 {start} 至 {end}。",
                                       "The course {course} ({term}) was converted on {day} under the rule {rule}, which is in force from {start} to {end}."),
        "onex.rule.twice.msg": ("课程 {course} 已在 {first} 学期转换学分，{term} 学期再次转换。",
                                "The course {course} was converted in {first} and again in {term}."),
        "onex.rule.registration.msg": ("{year} 年的试点登记（{certificate}{level}，专业 {major}）所选证书已于 {end} 停用。",
                                       "The {year} pilot registration ({certificate} {level}, major {major}) is for a certificate withdrawn after {end}."),
        "onex.rule.candidate.msg": ("学生参加了 {day} 的考核 {session}，但{certificate}已于 {end} 停用。",
                                    "The student sat the session {session} on {day}, but {certificate} was withdrawn after {end}."),
        "onex.rule.pass_rate.msg": ("{year} 年{certificate}{level}：{candidates} 名考生通过 {passes} 名（{rate}），低于 {min}。",
                                    "{certificate} {level} in {year}: {passes} of {candidates} candidates passed ({rate}), below {min}."),
        "onex.rule.take_up.msg": ("{year} 年试点{certificate}{level}（专业 {major}）计划 {planned} 人，实际考生 {candidates} 人（{rate}），低于 {min}。",
                                  "The {year} pilot of {certificate} {level} (major {major}) planned {planned} places and had {candidates} candidates ({rate}), below {min}."),
        "onex.rule.fee.msg": ("家庭经济困难学生参加考核 {session} 时缴纳了考核费 {fee} 元，应予免除。",
                              "A student of a family with financial difficulties paid an assessment fee of {fee} yuan for the session {session}; it should be waived."),
        "onex.rule.open_end": ("今后", "open-ended"),
    }
)

SOURCE = "《职业教育“1+X”证书制度试点方案》（教职成〔2019〕6号，教育部等四部门）"


def _certificate_label(row) -> str:
    return f"「{row['certificate_name']}」"


def _end(value) -> str:
    return str(value)[:10] if value is not None else t("onex.rule.open_end")


def _scope(ctx: RuleContext, school: str, certificate: str = "c") -> str:
    """SQL limiting rows to the user's --school (column ``school``) and --enterprise (the 培训评价组织
    of the certificate ``certificate``)."""
    parts = ["1 = 1"]
    if ctx.school:
        parts.append(f"{school} = {ctx.bind(ctx.school)}")
    if ctx.enterprise:
        parts.append(f"{certificate}.organisation_uscc = {ctx.bind(ctx.enterprise)}")
    return " AND ".join(parts)


def money_text(value) -> str:
    """An amount read from either database as yuan with two decimals."""
    return f"{money(value):.2f}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _site_not_accredited(ctx: RuleContext):
    query = f"""
        SELECT x.session_code, x.school_code, x.site_code, x.level, x.held_on, st.accredited_from, st.accredited_to,
               c.name AS certificate_name
        FROM onex_sessions x
        JOIN onex_sites st ON st.site_code = x.site_code AND st.certificate_code = x.certificate_code AND st.level = x.level
        JOIN onex_certificates c ON c.code = x.certificate_code
        JOIN schools s ON s.school_code = x.school_code
        WHERE (x.held_on < st.accredited_from OR x.held_on > st.accredited_to)
          AND {_scope(ctx, "x.school_code")} AND {ctx.applies("s.region", "x.held_on")}
        ORDER BY x.session_code
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="onex_sessions", subject_key=row["session_code"], school_code=row["school_code"],
                          message=t("onex.rule.site.msg", session=row["session_code"], day=str(row["held_on"])[:10], site=row["site_code"],
                                    certificate=_certificate_label(row), level=row["level"], start=str(row["accredited_from"])[:10],
                                    end=_end(row["accredited_to"])),
                          numbers={"held_on": row["held_on"], "accredited_from": row["accredited_from"], "accredited_to": row["accredited_to"]})


def _session_capacity(ctx: RuleContext):
    query = f"""
        SELECT * FROM (
          SELECT x.session_code, x.school_code, x.site_code, x.held_on, st.capacity,
                 (SELECT COUNT(*) FROM onex_results r WHERE r.session_code = x.session_code) AS candidates
          FROM onex_sessions x
          JOIN onex_sites st ON st.site_code = x.site_code AND st.certificate_code = x.certificate_code AND st.level = x.level
          JOIN onex_certificates c ON c.code = x.certificate_code
          JOIN schools s ON s.school_code = x.school_code
          WHERE {_scope(ctx, "x.school_code")} AND {ctx.applies("s.region", "x.held_on")}
        ) q
        WHERE q.candidates > q.capacity
        ORDER BY q.session_code
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="onex_sessions", subject_key=row["session_code"], school_code=row["school_code"],
                          message=t("onex.rule.capacity.msg", session=row["session_code"], day=str(row["held_on"])[:10],
                                    candidates=row["candidates"], site=row["site_code"], capacity=row["capacity"]),
                          numbers={"candidates": row["candidates"], "capacity": row["capacity"]})


def _issued_without_pass(ctx: RuleContext):
    query = f"""
        SELECT i.certificate_no, i.school_code, i.level, i.issued_on, c.name AS certificate_name
        FROM onex_issued i
        JOIN onex_certificates c ON c.code = i.certificate_code
        JOIN schools s ON s.school_code = i.school_code
        WHERE {_scope(ctx, "i.school_code")} AND {ctx.applies("s.region", "i.issued_on")}
          AND NOT EXISTS (SELECT 1 FROM onex_results r JOIN onex_sessions x ON x.session_code = r.session_code
                          WHERE r.id_number = i.id_number AND r.passed = {ctx.bind(True)}
                            AND x.certificate_code = i.certificate_code AND x.level = i.level AND x.held_on <= i.issued_on)
        ORDER BY i.certificate_no
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="onex_issued", subject_key=row["certificate_no"], school_code=row["school_code"],
                          message=t("onex.rule.issued.msg", number=row["certificate_no"], certificate=_certificate_label(row),
                                    level=row["level"], day=str(row["issued_on"])[:10]),
                          numbers={"issued_on": row["issued_on"]})


def _conversions(ctx: RuleContext, where: str, extra: str = "") -> str:
    """The conversions in scope with their rule and certificate, filtered by ``where``."""
    return f"""
        SELECT v.id_number, v.course_code, v.term, v.school_code, v.rule_code, v.applied_on,
               cr.level, cr.valid_from, cr.valid_to, cr.certificate_code, c.name AS certificate_name{extra}
        FROM onex_conversions v
        JOIN onex_conversion_rules cr ON cr.school_code = v.school_code AND cr.rule_code = v.rule_code
        JOIN onex_certificates c ON c.code = cr.certificate_code
        JOIN schools s ON s.school_code = v.school_code
        WHERE {_scope(ctx, "v.school_code")} AND {ctx.applies("s.region", "v.applied_on")} AND ({where})
        ORDER BY v.id_number, v.course_code, v.term
    """


def _conversion_key(row) -> str:
    return f"{row['id_number']}/{row['course_code']}/{row['term']}"


def _conversion_no_certificate(ctx: RuleContext):
    where = f"""NOT EXISTS (
        SELECT 1 FROM onex_issued i JOIN onex_certificates ic ON ic.code = i.certificate_code
        WHERE i.id_number = v.id_number AND i.certificate_code = cr.certificate_code
          AND {rank_sql("i.level")} >= {rank_sql("cr.level")}
          AND i.issued_on <= v.applied_on AND (i.valid_to IS NULL OR i.valid_to >= v.applied_on)
          AND ic.valid_from <= i.issued_on AND (ic.valid_to IS NULL OR ic.valid_to >= i.issued_on))"""
    for row in ctx.rows(_conversions(ctx, where)):
        yield ctx.finding(subject_kind="onex_conversions", subject_key=_conversion_key(row), school_code=row["school_code"],
                          message=t("onex.rule.no_certificate.msg", course=row["course_code"], term=row["term"], rule=row["rule_code"],
                                    day=str(row["applied_on"])[:10], certificate=_certificate_label(row), level=row["level"]),
                          numbers={"applied_on": row["applied_on"], "level": row["level"]})


def _conversion_not_in_force(ctx: RuleContext):
    where = "v.applied_on < cr.valid_from OR v.applied_on > cr.valid_to"
    for row in ctx.rows(_conversions(ctx, where)):
        yield ctx.finding(subject_kind="onex_conversions", subject_key=_conversion_key(row), school_code=row["school_code"],
                          message=t("onex.rule.not_in_force.msg", course=row["course_code"], term=row["term"], rule=row["rule_code"],
                                    day=str(row["applied_on"])[:10], start=str(row["valid_from"])[:10], end=_end(row["valid_to"])),
                          numbers={"applied_on": row["applied_on"], "valid_from": row["valid_from"], "valid_to": row["valid_to"]})


def _conversion_twice(ctx: RuleContext):
    """Every conversion of a course after the student's first one (terms sort as text: 2024-2025-2 < 2025-2026-1)."""
    first = "(SELECT MIN(f.term) FROM onex_conversions f WHERE f.id_number = v.id_number AND f.course_code = v.course_code)"
    for row in ctx.rows(_conversions(ctx, f"v.term > {first}", extra=f", {first} AS first_term")):
        yield ctx.finding(subject_kind="onex_conversions", subject_key=_conversion_key(row), school_code=row["school_code"],
                          message=t("onex.rule.twice.msg", course=row["course_code"], first=row["first_term"], term=row["term"]),
                          numbers={"first_term": row["first_term"]})


def _registration_withdrawn(ctx: RuleContext):
    first = ctx.sql.make_date("g.year", 1, 1)
    query = f"""
        SELECT g.school_code, g.certificate_code, g.level, g.major_code, g.year, c.valid_to, c.name AS certificate_name
        FROM onex_registrations g
        JOIN onex_certificates c ON c.code = g.certificate_code
        JOIN schools s ON s.school_code = g.school_code
        WHERE c.valid_to < {first} AND {_scope(ctx, "g.school_code")} AND {ctx.applies("s.region", first)}
        ORDER BY g.school_code, g.year, g.certificate_code, g.level, g.major_code
    """
    for row in ctx.rows(query):
        key = f"{row['school_code']}/{row['certificate_code']}/{row['level']}/{row['major_code']}/{row['year']}"
        yield ctx.finding(subject_kind="onex_registrations", subject_key=key, school_code=row["school_code"],
                          message=t("onex.rule.registration.msg", year=row["year"], certificate=_certificate_label(row), level=row["level"],
                                    major=row["major_code"], end=str(row["valid_to"])[:10]),
                          numbers={"year": row["year"], "valid_to": row["valid_to"]})


def _candidate_withdrawn(ctx: RuleContext):
    query = f"""
        SELECT r.session_code, r.id_number, r.school_code, x.held_on, c.valid_to, c.name AS certificate_name
        FROM onex_results r
        JOIN onex_sessions x ON x.session_code = r.session_code
        JOIN onex_certificates c ON c.code = x.certificate_code
        JOIN schools s ON s.school_code = r.school_code
        WHERE x.held_on > c.valid_to AND {_scope(ctx, "r.school_code")} AND {ctx.applies("s.region", "x.held_on")}
        ORDER BY r.session_code, r.id_number
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="onex_results", subject_key=f"{row['session_code']}/{row['id_number']}",
                          school_code=row["school_code"],
                          message=t("onex.rule.candidate.msg", day=str(row["held_on"])[:10], session=row["session_code"],
                                    certificate=_certificate_label(row), end=str(row["valid_to"])[:10]),
                          numbers={"held_on": row["held_on"], "valid_to": row["valid_to"]})


def _rate_below(ctx: RuleContext, part: str, whole: str, minimum: str) -> str:
    """``part / whole < minimum``, exact on both databases: compared in millionths, as whole numbers."""
    return f"{whole} > 0 AND {part} * 1000000 < CAST(ROUND({minimum} * 1000000) AS INTEGER) * {whole}"


def _pass_rate(ctx: RuleContext):
    year = ctx.sql.year("x.held_on")
    last = ctx.sql.make_date("q.year", 12, 31)
    minimum = ctx.param("min_pass_rate", region="q.region", on=last)
    query = f"""
        SELECT * FROM (
          SELECT q.*, {minimum} AS min_rate FROM (
            SELECT r.school_code, s.region, x.certificate_code, x.level, c.name AS certificate_name, {year} AS year,
                   COUNT(*) AS candidates, SUM(CASE WHEN r.passed = {ctx.bind(True)} THEN 1 ELSE 0 END) AS passes
            FROM onex_results r
            JOIN onex_sessions x ON x.session_code = r.session_code
            JOIN onex_certificates c ON c.code = x.certificate_code
            JOIN schools s ON s.school_code = r.school_code
            WHERE x.held_on < {ctx.bind(ctx.as_of.replace(month=1, day=1))} AND {_scope(ctx, "r.school_code")}
            GROUP BY r.school_code, s.region, x.certificate_code, x.level, c.name, {year}
          ) q WHERE {ctx.applies("q.region", last)}
        ) p
        WHERE {_rate_below(ctx, "p.passes", "p.candidates", "p.min_rate")}
        ORDER BY p.school_code, p.year, p.certificate_code, p.level
    """
    for row in ctx.rows(query):
        key = f"{row['school_code']}/{row['certificate_code']}/{row['level']}/{row['year']}"
        yield ctx.finding(subject_kind="schools", subject_key=row["school_code"], school_code=row["school_code"],
                          message=t("onex.rule.pass_rate.msg", year=row["year"], certificate=_certificate_label(row), level=row["level"],
                                    candidates=row["candidates"], passes=row["passes"], rate=_share(row["passes"], row["candidates"]),
                                    min=f"{float(row['min_rate']):.0%}"),
                          numbers={"pilot": key, "candidates": row["candidates"], "passes": row["passes"], "min_pass_rate": str(row["min_rate"])})


def _take_up(ctx: RuleContext):
    last = ctx.sql.make_date("g.year", 12, 31)
    minimum = ctx.param("min_take_up", region="s.region", on=last)
    candidates = f"""(SELECT COUNT(DISTINCT r.id_number) FROM onex_results r
                       JOIN onex_sessions x ON x.session_code = r.session_code
                       JOIN students st ON st.id_number = r.id_number
                      WHERE r.school_code = g.school_code AND st.major_code = g.major_code
                        AND x.certificate_code = g.certificate_code AND x.level = g.level
                        AND {ctx.sql.year("x.held_on")} = g.year)"""
    query = f"""
        SELECT * FROM (
          SELECT g.school_code, g.certificate_code, g.level, g.major_code, g.year, g.planned, c.name AS certificate_name,
                 {candidates} AS candidates, {minimum} AS min_rate
          FROM onex_registrations g
          JOIN onex_certificates c ON c.code = g.certificate_code
          JOIN schools s ON s.school_code = g.school_code
          WHERE g.year < {ctx.as_of.year} AND {_scope(ctx, "g.school_code")} AND {ctx.applies("s.region", last)}
        ) q
        WHERE {_rate_below(ctx, "q.candidates", "q.planned", "q.min_rate")}
        ORDER BY q.school_code, q.year, q.certificate_code, q.level, q.major_code
    """
    for row in ctx.rows(query):
        key = f"{row['school_code']}/{row['certificate_code']}/{row['level']}/{row['major_code']}/{row['year']}"
        yield ctx.finding(subject_kind="onex_registrations", subject_key=key, school_code=row["school_code"],
                          message=t("onex.rule.take_up.msg", year=row["year"], certificate=_certificate_label(row), level=row["level"],
                                    major=row["major_code"], planned=row["planned"], candidates=row["candidates"],
                                    rate=_share(row["candidates"], row["planned"]), min=f"{float(row['min_rate']):.0%}"),
                          numbers={"planned": row["planned"], "candidates": row["candidates"], "min_take_up": str(row["min_rate"])})


#: the student of a result is of a hardship family and paid a fee for it (what the finding says,
#: not the student's hardship), for a login that may not read the hardship flag
FEE_DESPITE_HARDSHIP = Fact("onex_results", "fee_despite_hardship", "boolean", "st.hardship IS TRUE AND r.fee_paid > 0",
                            doc=("家庭经济困难学生为该成绩缴纳了考核费", "a hardship student paid a fee for this result"))


def _fee_hardship(ctx: RuleContext):
    if ctx.facts:
        student, hardship = "", f"{ctx.fact(FEE_DESPITE_HARDSHIP, 'r')} IS TRUE"
    else:
        student, hardship = "JOIN students st ON st.id_number = r.id_number", f"st.hardship = {ctx.bind(True)}"
    query = f"""
        SELECT r.session_code, r.id_number, r.school_code, r.fee_paid
        FROM onex_results r
        {student}
        JOIN onex_sessions x ON x.session_code = r.session_code
        JOIN onex_certificates c ON c.code = x.certificate_code
        JOIN schools s ON s.school_code = r.school_code
        WHERE {hardship} AND r.fee_paid > 0
          AND {_scope(ctx, "r.school_code")} AND {ctx.applies("s.region", "x.held_on")}
        ORDER BY r.session_code, r.id_number
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="onex_results", subject_key=f"{row['session_code']}/{row['id_number']}",
                          school_code=row["school_code"],
                          message=t("onex.rule.fee.msg", session=row["session_code"], fee=money_text(row["fee_paid"])),
                          numbers={"fee_paid": money_text(row["fee_paid"])})


def _rule(id_, severity, title, requirement, subject_kind, evaluate, params=(), source=SOURCE, facts=()) -> Rule:
    return Rule(id=id_, severity=severity, title=title, requirement=requirement, source=source, subject_kind=subject_kind,
                evaluate=evaluate, params=params, facts=facts)


CREDIT_BANK = SOURCE + "：学分银行（认定、积累与转换）"

RULES = [
    _rule("X-SITE-NOT-ACCREDITED", "error", ("考核站点在考核日未获授权", "Session at a site not accredited that day"),
          ("考核在考核日获得该证书该等级授权的站点进行（考核站点一般设在符合条件的试点院校）。",
           "An assessment is held at a site accredited for its certificate and level on that day."),
          "onex_sessions", _site_not_accredited),
    _rule("X-SESSION-CAPACITY", "error", ("考核人数超过站点容量", "Session over the site's capacity"),
          ("一场考核的考生人数不超过站点的考核容量。", "A session takes no more candidates than its site's capacity."),
          "onex_sessions", _session_capacity),
    _rule("X-ISSUED-WITHOUT-PASS", "error", ("无考核通过记录即发证", "Certificate issued without a passing result"),
          ("证书只发给在发证日或之前通过该证书该等级考核的学生。",
           "A certificate is issued only to a student who passed that certificate and level on or before the day of issue."),
          "onex_issued", _issued_without_pass),
    _rule("X-CONVERSION-NO-CERTIFICATE", "error", ("学分转换没有有效证书", "Conversion without a valid certificate"),
          ("学分转换时，学生持有规则所要求证书的有效证书，等级不低于规则规定（高等级涵盖低等级）。",
           "On the day of a conversion the student holds a valid certificate of the rule's certificate, at the rule's level or higher."),
          "onex_conversions", _conversion_no_certificate, source=CREDIT_BANK),
    _rule("X-CONVERSION-RULE-NOT-IN-FORCE", "error", ("按未生效或已失效的规则转换学分", "Conversion under a rule not in force"),
          ("学分转换在所依据的转换规则有效期内进行。", "A conversion is applied while the conversion rule is in force."),
          "onex_conversions", _conversion_not_in_force, source=CREDIT_BANK),
    _rule("X-CONVERSION-TWICE", "error", ("同一课程重复转换学分", "Course converted twice"),
          ("同一学生的同一课程只转换一次学分。", "A student's course is converted only once."),
          "onex_conversions", _conversion_twice, source=CREDIT_BANK),
    _rule("X-REGISTRATION-WITHDRAWN", "error", ("试点登记了已停用的证书", "Pilot registered for a withdrawn certificate"),
          ("学校不在证书停用后的年度登记该证书的试点。", "A school registers no pilot for a year after the certificate was withdrawn."),
          "onex_registrations", _registration_withdrawn),
    _rule("X-CANDIDATE-WITHDRAWN", "error", ("学生报考已停用的证书", "Candidate for a withdrawn certificate"),
          ("学生不参加证书停用后举行的考核。", "No student sits an assessment held after the certificate was withdrawn."),
          "onex_results", _candidate_withdrawn),
    _rule("X-PASS-RATE", "warning", ("试点院校证书通过率偏低", "Pilot school's pass rate too low"),
          ("试点院校每年每种证书每个等级的考核通过率不低于 min_pass_rate。",
           "A pilot school's pass rate per certificate, level and year is at least min_pass_rate."),
          "schools", _pass_rate,
          params=(Param("min_pass_rate", "decimal", default=None, doc=("考核通过率下限（全国未规定，由省级或学校确定）",
                                                                       "the least pass rate (no national figure: a province or the school sets it)")),)),
    _rule("X-TAKE-UP", "warning", ("试点计划人数完成率偏低", "Pilot take-up too low"),
          ("试点登记的年度内，该专业实际考生人数不低于计划人数的 min_take_up。",
           "In a pilot registration's year, the major's candidates reach at least min_take_up of the planned places."),
          "onex_registrations", _take_up,
          params=(Param("min_take_up", "decimal", default=None, doc=("实际考生占计划人数的最低比例（全国未规定）",
                                                                     "the least share of planned places taken up (no national figure)")),)),
    _rule("X-FEE-HARDSHIP", "error", ("向家庭经济困难学生收取考核费", "Assessment fee charged to a hardship student"),
          ("家庭经济困难学生（如建档立卡）免缴考核费。", "Students of families with financial difficulties (e.g. 建档立卡) pay no assessment fee."),
          "onex_results", _fee_hardship, facts=(FEE_DESPITE_HARDSHIP,)),
]
