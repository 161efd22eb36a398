"""Demo data for 1+X (``xiaoqi demo``): three training-evaluation organisations, six certificates
(one withdrawn in the first year shown), assessment sites in two schools, two years of sessions,
results, certificates issued and credit conversions, a session to come — and planted violations
of every X-… rule that has no parameter, recorded in the manifest.

Everything else keeps the rules: sessions at accredited sites within capacity, certificates only
after a pass, conversions under rules in force with a valid certificate, no fee from a student of
a family with financial difficulties. Rows are written in batches (``session.execute(insert)``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.demo import make_uscc
from xiaoqi.core.fields import parse_term
from xiaoqi.core.models import School, Student

from . import models as m
from .vocabulary import RANK

ORGANISATIONS = (("北京中科示范教育科技有限公司", "第一批", "110108"), ("上海智造示范机器人有限公司", "第二批", "310115"),
                 ("广州示范财经数字科技有限公司", "第三批", "440106"))
#: code, name, organisation (index), field, levels
CERTIFICATES = (
    ("X0101", "Web前端开发", 0, "电子与信息", "初级、中级、高级"),
    ("X0102", "大数据应用开发（Python）", 0, "电子与信息", "初级、中级、高级"),
    ("X0201", "工业机器人操作与运维", 1, "装备制造", "初级、中级、高级"),
    ("X0202", "智能制造生产管理与控制", 1, "装备制造", "初级、中级"),
    ("X0301", "财务共享服务", 2, "财经商贸", "初级、中级、高级"),
    ("X0302", "电子商务数据分析（旧版）", 2, "财经商贸", "初级、中级"),
)
WITHDRAWN = "X0302"
#: site accreditations: school (0 or 1), site, certificate, level, capacity
SITES = ((0, "ZD-A01", "X0101", "中级", 40), (0, "ZD-A01", "X0102", "初级", 40), (0, "ZD-A02", "X0201", "中级", 30),
         (0, "ZD-A01", "X0302", "初级", 40), (1, "ZD-B01", "X0201", "高级", 20), (1, "ZD-B01", "X0301", "中级", 40),
         (1, "ZD-B02", "X0202", "初级", 30))
#: conversion rules: school, rule, certificate, level, courses, names, credits, exemption
RULES = ((0, "ZH-0101-M", "X0101", "中级", "WEB201、WEB202", "Web前端设计、前端框架应用", "3.0", "免修"),
         (0, "ZH-0201-M", "X0201", "中级", "ROB301", "工业机器人编程", "4.0", "免考"),
         (1, "ZH-0301-M", "X0301", "中级", "FIN210", "共享财务实务", "2.5", "免修"),
         (1, "ZH-0201-H", "X0201", "高级", "ROB401、ROB402", "机器人系统集成、智能产线运维", "2.0", "免考"))
FEE = Decimal("280.00")


def _term_of(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return parse_term(f"{start}-{start + 1}-{1 if day.month >= 9 or day.month == 1 else 2}")


def generate(session, *, size: str, seed: int, today: dt.date, manifest) -> dict[str, int]:
    """Write the demo's 1+X records; returns the row count of each kind."""
    rng = random.Random(seed + 17)  # its own stream: the core's demo stays as it is
    schools = list(session.execute(sa.select(School.school_code).order_by(School.school_code).limit(2)).scalars())
    if len(schools) < 2:
        return {}
    students = {s: [dict(r) for r in session.execute(
        sa.select(Student.id_number, Student.major_code, Student.hardship, Student.enrolled_on)
        .where(Student.school_code == s).order_by(Student.id)).mappings()] for s in schools}
    y1, y2 = today.year - 2, today.year - 1
    orgs = [{"uscc": make_uscc(rng, region), "name": name, "batch": batch, "contact": "考核部", "phone": None}
            for name, batch, region in ORGANISATIONS]
    certificates = [{"code": code, "name": name, "organisation_uscc": orgs[o]["uscc"], "field": field_, "levels": levels,
                     "valid_from": dt.date(2019, 12, 1), "valid_to": dt.date(y1, 6, 30) if code == WITHDRAWN else None,
                     "replaced_by": "X0301" if code == WITHDRAWN else None}
                    for code, name, o, field_, levels in CERTIFICATES]
    sites = [{"site_code": site, "name": f"{site} 考核站点", "school_code": schools[s], "certificate_code": cert, "level": level,
              "capacity": cap, "accredited_from": dt.date(2020, 3, 1), "accredited_to": None}
             for s, site, cert, level, cap in SITES]
    # planted: the 大数据 初级 accreditation ends before a session of the second year
    sites[1]["accredited_to"] = dt.date(y2, 3, 31)
    rules = [{"school_code": schools[s], "rule_code": code, "certificate_code": cert, "level": level, "course_codes": courses,
              "course_names": names, "credits": Decimal(credits), "exemption": ex, "valid_from": dt.date(y1, 1, 1), "valid_to": None}
             for s, code, cert, level, courses, names, credits, ex in RULES]
    rules[2]["valid_to"] = dt.date(y2, 6, 30)  # 共享财务实务's rule lapses mid-year (replaced by a new programme)

    sessions, results, issued, registrations = [], [], [], []
    sat: dict[tuple, set] = {}
    n_session = 0
    for site in sites:
        pool = students[site["school_code"]]
        days = [dt.date(y, month, 15) for y in (y1, y2) for month in (6, 12)]
        if site["certificate_code"] == WITHDRAWN:
            days = [dt.date(y1, 6, 15)]
        for day in days:
            if site["accredited_to"] is not None and day > site["accredited_to"]:
                continue
            n_session += 1
            code = f"KH{day:%Y%m}-{n_session:03d}"
            sessions.append({"session_code": code, "school_code": site["school_code"], "site_code": site["site_code"],
                             "certificate_code": site["certificate_code"], "level": site["level"], "held_on": day, "fee": FEE})
            taken = sat.setdefault((site["certificate_code"], site["level"]), set())
            candidates = [st for st in pool if st["id_number"] not in taken]
            for st in rng.sample(candidates, min(len(candidates), rng.randrange(site["capacity"] // 2, site["capacity"] + 1))):
                taken.add(st["id_number"])
                passed = rng.random() < 0.78
                score = Decimal(rng.randrange(600, 1000) if passed else rng.randrange(200, 600)) / 10
                results.append({"session_code": code, "id_number": st["id_number"], "school_code": site["school_code"], "score": score,
                                "passed": passed, "fee_paid": Decimal("0.00") if st["hardship"] else FEE})
                if passed:
                    issued.append({"certificate_no": f"{site['certificate_code']}{day:%y}{len(issued) + 1:06d}", "id_number": st["id_number"],
                                   "school_code": site["school_code"], "certificate_code": site["certificate_code"], "level": site["level"],
                                   "issued_on": day + dt.timedelta(days=30), "valid_to": day + dt.timedelta(days=30 + 3 * 365)})
        for year in (y1, y2):
            if site["certificate_code"] == WITHDRAWN and year > y1:
                continue
            majors = sorted({st["major_code"] for st in pool})
            registrations.append({"school_code": site["school_code"], "certificate_code": site["certificate_code"], "level": site["level"],
                                  "major_code": majors[0], "year": year, "planned": site["capacity"] * 2,
                                  "registered_on": dt.date(year, 3, 1)})
    # a session to come, for the dashboard
    n_session += 1
    sessions.append({"session_code": f"KH{today:%Y%m}-{n_session:03d}", "school_code": schools[0], "site_code": "ZD-A01",
                     "certificate_code": "X0101", "level": "中级", "held_on": today + dt.timedelta(days=12), "fee": FEE})

    planted = _plant(rng, today, schools, students, sites, sessions, results, issued, registrations, manifest, y2)
    conversions = _conversions(rules, issued, today, manifest, planted)

    for model, rows in ((m.Organisation, orgs), (m.Certificate, certificates), (m.Registration, registrations), (m.Site, sites),
                        (m.Session, sessions), (m.Result, results), (m.Issued, issued), (m.ConversionRule, rules),
                        (m.Conversion, conversions)):
        if rows:
            session.execute(sa.insert(model.__table__), rows)
    return {"onex_organisations": len(orgs), "onex_certificates": len(certificates), "onex_registrations": len(registrations),
            "onex_sites": len(sites), "onex_sessions": len(sessions), "onex_results": len(results), "onex_issued": len(issued),
            "onex_conversion_rules": len(rules), "onex_conversions": len(conversions)}


def _plant(rng, today, schools, students, sites, sessions, results, issued, registrations, manifest, y2) -> dict:
    """The deliberate violations, each recorded with the key its rule reports."""
    a_pool, b_pool = students[schools[0]], students[schools[1]]

    def result(code, st, school, passed):
        results.append({"session_code": code, "id_number": st["id_number"], "school_code": school,
                        "score": Decimal("70.0") if passed else Decimal("50.0"), "passed": passed,
                        "fee_paid": Decimal("0.00") if st["hardship"] else FEE})

    planted_sessions = []
    # X-SITE-NOT-ACCREDITED: a 大数据 初级 session after that accreditation ended (31 March)
    late = {"session_code": f"KH{y2}06-LATE", "school_code": schools[0], "site_code": "ZD-A01", "certificate_code": "X0102",
            "level": "初级", "held_on": dt.date(y2, 6, 20), "fee": FEE}
    manifest.expect("X-SITE-NOT-ACCREDITED", late["session_code"])
    result(late["session_code"], a_pool[0], schools[0], False)
    # X-SESSION-CAPACITY: a 智能制造 初级 session at school b with two candidates more than the site takes (retakes)
    site = next(st for st in sites if st["site_code"] == "ZD-B02")
    crowded = {"session_code": f"KH{y2}09-FULL", "school_code": site["school_code"], "site_code": site["site_code"],
               "certificate_code": site["certificate_code"], "level": site["level"], "held_on": dt.date(y2, 9, 20), "fee": FEE}
    manifest.expect("X-SESSION-CAPACITY", crowded["session_code"])
    for st in b_pool[:site["capacity"] + 2]:
        result(crowded["session_code"], st, schools[1], False)
    # X-ISSUED-WITHOUT-PASS: a certificate to a student who failed
    session_of = {x["session_code"]: x for x in sessions}
    failed = next(r for r in results if not r["passed"] and r["session_code"] in session_of)
    x = session_of[failed["session_code"]]
    bogus = {"certificate_no": f"{x['certificate_code']}-NOPASS-1", "id_number": failed["id_number"], "school_code": failed["school_code"],
             "certificate_code": x["certificate_code"], "level": x["level"], "issued_on": x["held_on"] + dt.timedelta(days=30),
             "valid_to": None}
    issued.append(bogus)
    manifest.expect("X-ISSUED-WITHOUT-PASS", bogus["certificate_no"])
    # X-FEE-HARDSHIP: a student of a family with financial difficulties charged the fee
    poor = next(r for r in results if r["fee_paid"] == 0 and r["session_code"] in session_of)
    poor["fee_paid"] = FEE
    manifest.expect("X-FEE-HARDSHIP", f"{poor['session_code']}/{poor['id_number']}")
    # X-CANDIDATE-WITHDRAWN: the withdrawn certificate assessed in the second year
    gone = {"session_code": f"KH{y2}05-GONE", "school_code": schools[0], "site_code": "ZD-A01", "certificate_code": WITHDRAWN,
            "level": "初级", "held_on": dt.date(y2, 5, 10), "fee": FEE}
    for st in a_pool[1:4]:
        result(gone["session_code"], st, schools[0], True)
        manifest.expect("X-CANDIDATE-WITHDRAWN", f"{gone['session_code']}/{st['id_number']}")
    sessions.extend([late, crowded, gone])
    # X-REGISTRATION-WITHDRAWN: a pilot registered for it in the second year
    major = sorted({st["major_code"] for st in a_pool})[0]
    registrations.append({"school_code": schools[0], "certificate_code": WITHDRAWN, "level": "初级", "major_code": major, "year": y2,
                          "planned": 20, "registered_on": dt.date(y2, 3, 1)})
    manifest.expect("X-REGISTRATION-WITHDRAWN", f"{schools[0]}/{WITHDRAWN}/初级/{major}/{y2}")
    robot = {c["id_number"] for c in issued if c["certificate_code"] == "X0201"}
    return {"no_certificate": next(st["id_number"] for st in a_pool if st["id_number"] not in robot), "school": schools[0]}


def _conversions(rules, issued, today, manifest, planted) -> list[dict]:
    """Each holder of a certificate a rule names converts its courses 60 days after the issue, while
    the rule is in force and not after today; three conversions are planted violations."""
    rows, late = [], None
    for rule in rules:
        for cert in issued:
            if (cert["certificate_code"] != rule["certificate_code"] or cert["school_code"] != rule["school_code"]
                    or RANK[cert["level"]] < RANK[rule["level"]] or "NOPASS" in cert["certificate_no"]):
                continue
            day = max(cert["issued_on"], rule["valid_from"]) + dt.timedelta(days=60)
            if day > today:
                continue
            if rule["valid_to"] is not None and day > rule["valid_to"]:
                late = late or (rule, cert, day)
                continue
            rows.extend(_convert_row(rule, cert, course, day) for course in rule["course_codes"].split("、"))
    # X-CONVERSION-TWICE: the first conversion again, a year later
    first = rows[0]
    again = first["applied_on"] + dt.timedelta(days=365)
    twice = {**first, "term": _term_of(again), "applied_on": again}
    rows.append(twice)
    manifest.expect("X-CONVERSION-TWICE", f"{twice['id_number']}/{twice['course_code']}/{twice['term']}")
    # X-CONVERSION-RULE-NOT-IN-FORCE: a conversion after its rule lapsed
    if late is not None:
        rule, cert, day = late
        row = _convert_row(rule, cert, rule["course_codes"].split("、")[0], day)
        rows.append(row)
        manifest.expect("X-CONVERSION-RULE-NOT-IN-FORCE", f"{row['id_number']}/{row['course_code']}/{row['term']}")
    # X-CONVERSION-NO-CERTIFICATE: credits converted for a student who holds no such certificate
    rule = next(r for r in rules if r["rule_code"] == "ZH-0201-M")
    day = today - dt.timedelta(days=30)
    row = {**_convert_row(rule, {"id_number": planted["no_certificate"], "certificate_no": None}, "ROB301", day)}
    rows.append(row)
    manifest.expect("X-CONVERSION-NO-CERTIFICATE", f"{row['id_number']}/ROB301/{row['term']}")
    return rows


def _convert_row(rule, cert, course, day) -> dict:
    return {"id_number": cert["id_number"], "school_code": rule["school_code"], "course_code": course, "term": _term_of(day),
            "rule_code": rule["rule_code"], "certificate_no": cert["certificate_no"], "credits": rule["credits"],
            "exemption": rule["exemption"], "applied_on": day, "applied_by": "教务处"}
