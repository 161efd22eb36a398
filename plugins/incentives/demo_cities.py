"""Demo interns for the shipped city schemes: an enterprise in each of 宁德 (350902), 珠海香洲
(440402) and 深圳南山 (440305), with 岗位实习 interns in the last year shown that keep every rule
(agreement, vetting, consent, insurance, filing when the school is in another province, pay of
90% of the post's wage, second-year students without another internship at the time).

- 宁德: two interns of six months (¥300 × 3 each); both subsidies paid, one passed on to the
  student in 4 days, the other in 16 — a planted INC-PASS-ON;
- 珠海香洲: one intern of four months holding a 1+X 高级 certificate when the 1+X plugin is loaded
  (a student the 1+X demo certified); an officer decides the certificate step (no public text
  maps 1+X levels to 三级), then the ¥1,000 is approved and paid;
- 深圳南山: two 高职 interns, one on a ¥5,600 post paid ¥5,040 a month (¥1,000 × 6), one on a
  ¥1,050 trainee post paid ¥945 — the subsidy capped at the pay (¥945 × 4).

Everything is drawn from a stream of its own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

#: region, enterprise name, industry code, the schools' province to take interns from (None: the
#: certificate holders'), interns: (start month, months, post index)
CITIES = (
    ("350902", "宁德市蕉城区宁川智能装备有限公司", "3484", "33", ((3, 6, 0), (3, 6, 0))),
    ("440402", "珠海市香洲区海湾软件科技有限公司", "6513", None, ((3, 4, 0),)),
    ("440305", "深圳市南山区前海智能装备有限公司", "3484", "44", ((3, 6, 0), (3, 4, 1))),
)
POSTS = (("P001", "技术员", Decimal("5600.00")), ("P002", "见习助理", Decimal("1050.00")))
PAY_SHARE = Decimal("0.90")


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _holders(conn, on: dt.date) -> list[str]:
    """Students holding a 1+X certificate on ``on``, the highest level first (through the 1+X
    plugin's hook; none without it)."""
    from xiaoqi.core.plugins import get_plugin_manager

    caller = getattr(get_plugin_manager().hook, "xiaoqi_onex_certificates_held", None)
    if caller is None or caller.spec is None:
        return []
    rows = [row for result in caller(conn=conn, on=on, id_numbers=None) for row in result or []]
    return [r["id_number"] for r in sorted(rows, key=lambda r: (-int(r.get("rank") or 0), r["id_number"]))]


def _free_students(conn, *, start: dt.date, end: dt.date, province: str | None, only: list[str] | None, n: int,
                   taken: set[str]) -> list[sa.Row]:
    """Students past their first school year, not yet graduated (three years) and 18 by ``start``,
    with no internship between ``start`` and ``end``, of a school in ``province`` (or among
    ``only``), ``n`` of one major category, in the order of their ID numbers (the same on both
    databases)."""
    sql = """
        SELECT st.id_number, st.school_code, st.major_code, s.region AS school_region FROM students st
        JOIN schools s ON s.school_code = st.school_code
        WHERE st.enrolled_on <= :enrolled AND st.enrolled_on > :graduated AND st.birth_date <= :born
          AND NOT EXISTS (SELECT 1 FROM internships i WHERE i.id_number = st.id_number AND i.start_on <= :end AND i.end_on >= :start)
    """
    binds = {"enrolled": start.replace(year=start.year - 1), "graduated": start.replace(year=start.year - 3), "born": start.replace(year=start.year - 18), "start": start, "end": end}
    rows = sorted(conn.execute(sa.text(sql + (" AND s.region LIKE :p" if province else "")),
                               {**binds, **({"p": f"{province}%"} if province else {})}), key=lambda r: r.id_number)
    if only is not None:
        rank = {id_number: k for k, id_number in enumerate(only)}
        rows = sorted((r for r in rows if r.id_number in rank), key=lambda r: rank[r.id_number])
    rows = [r for r in rows if r.id_number not in taken]
    for r in rows:  # of one major category (the enterprise's posts take one), the first that has enough
        same = [x for x in rows if x.major_code[:2] == r.major_code[:2]]
        if len(same) >= n:
            return same[:n]
    return []


def _new_id_number(conn, rng: random.Random, region: str, make_id_number) -> str:
    """An ID number no student or teacher of the registry has."""
    while True:
        birth = dt.date(rng.randrange(1975, 1990), rng.randrange(1, 13), rng.randrange(1, 29))
        number = make_id_number(rng, region, birth)
        taken = conn.execute(sa.text("SELECT 1 FROM students WHERE id_number = :n UNION ALL "
                                     "SELECT 1 FROM teachers WHERE id_number = :n"), {"n": number}).first()
        if taken is None:
            return number


def add_city_interns(session, *, year: int, seed: int) -> dict[str, list[dict]]:
    """Write the city enterprises and their interns of ``year``; returns the interns by region."""
    from xiaoqi.core.demo import add_months, make_id_number, make_uscc, person_name
    from xiaoqi.core.models import Agreement, Enterprise, InsuredPerson, Internship, Position, Teacher

    conn = session.connection()
    rng = random.Random(seed + 1616)  # its own stream
    holders = _holders(conn, dt.date(year, 12, 31))
    taken: set[str] = set()
    out: dict[str, list[dict]] = {}
    for region, name, industry, province, interns in CITIES:
        windows = [(dt.date(year, month, 1), add_months(dt.date(year, month, 1), months) - dt.timedelta(days=1), post)
                   for month, months, post in interns]
        first, last = min(w[0] for w in windows), max(w[1] for w in windows)
        only = holders if province is None and holders else None
        students = _free_students(conn, start=first, end=last, province=province or ("44" if only is None else None),
                                  only=only, n=len(windows), taken=taken)
        if len(students) < len(windows):
            continue
        taken.update(s.id_number for s in students)
        uscc = make_uscc(rng, region)
        session.execute(sa.insert(Enterprise.__table__), [{"uscc": uscc, "name": name, "industry_code": industry, "region": region,
                                                           "staff_count": 1200, "pce_certified": False}])
        category = students[0].major_code[:2]
        session.execute(sa.insert(Position.__table__), [
            {"uscc": uscc, "position_code": code, "title": title, "major_category": category, "staff_count": 300, "wage": wage,
             "probation_wage": (wage * Decimal("0.9")).quantize(Decimal("1")), "hazardous": False, "barred_for_minors": False}
            for code, title, wage in POSTS])
        schools = sorted({s.school_code for s in students})
        session.execute(sa.insert(Agreement.__table__), [
            {"school_code": code, "uscc": uscc, "agreement_no": f"XQ-{code[-4:]}-{region}", "kind": "实习基地",
             "signed_on": dt.date(year - 1, 11, 1), "expires_on": dt.date(year + 4, 10, 31), "vetted_on": dt.date(year - 1, 10, 20)}
            for code in schools])
        # the enterprise's mentor, a person of the teachers registry as every demo enterprise has
        mentor = {"id_number": _new_id_number(conn, rng, region, make_id_number), "name": person_name(rng), "kind": "企业导师",
                  "school_code": None, "uscc": uscc, "specialist": None, "subjects": None, "title": "高级工程师",
                  "hired_on": dt.date(year - 6, 3, 1), "enterprise_experience": True,
                  "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"}
        session.execute(sa.insert(Teacher.__table__), [mentor])
        rows = []
        for st, (start, end, post) in zip(students, windows):
            code, _title, wage = POSTS[post]
            rows.append({
                "school_code": st.school_code, "id_number": st.id_number, "uscc": uscc, "position_code": code, "kind": "岗位实习",
                "start_on": start, "end_on": end, "monthly_pay": (wage * PAY_SHARE).quantize(Decimal("0.01")), "pay_cycle_days": 30,
                "paid_directly": True, "agreement_signed_on": start - dt.timedelta(days=14), "consent_signed_on": start - dt.timedelta(days=14),
                "guardian_signed": True, "school_mentor": person_name(rng), "enterprise_mentor": mentor["name"], "enterprise_mentor_id": mentor["id_number"],
                "overtime": False, "night_shift": False, "holiday_work": False, "via_agency": False,
                "filing_approved_on": start - dt.timedelta(days=40) if st.school_region[:2] != region[:2] else None})
        session.execute(sa.insert(Internship.__table__), rows)
        _insure(session, conn, rows, InsuredPerson)
        out[region] = rows
    return out


def _insure(session, conn, rows: list[dict], InsuredPerson) -> None:
    """Put each intern on their school's liability policies covering the internship."""
    for r in rows:
        policies = conn.execute(sa.text("""
            SELECT p.policy_no FROM policies p WHERE p.holder = :school AND p.kind = '实习责任保险' AND p.start_on <= :end AND p.end_on >= :start
              AND NOT EXISTS (SELECT 1 FROM insured x WHERE x.policy_no = p.policy_no AND x.id_number = :id)
            ORDER BY p.policy_no"""), {"school": r["school_code"], "start": r["start_on"], "end": r["end_on"], "id": r["id_number"]}).scalars()
        values = [{"policy_no": no, "id_number": r["id_number"], "start_on": None, "end_on": None} for no in policies]
        if values:
            session.execute(sa.insert(InsuredPerson.__table__), values)


def settle_city_cases(session, interns: dict[str, list[dict]], *, year: int, figures, manifest) -> None:
    """Approve, pay and (宁德) pass on the city cases claimed for ``year``."""
    from xiaoqi.core.actors import ADMIN

    from .models import Override
    from .subsidies import approve, find_case, pay, pass_on

    conn = session.connection()
    after = dt.date(year + 1, 1, 1)
    scheme_of = {"350902": "ningde", "440402": "zhuhai_xiangzhou", "440305": "shenzhen_nanshan"}
    for region, rows in sorted(interns.items()):
        for n, r in enumerate(rows):
            key = f"{scheme_of[region]}/{r['uscc']}/{r['id_number']}/{year}"
            case = find_case(conn, key, figures)
            if not case.state.get("claimed") or any(s.status == "fail" for s in case.steps):
                continue
            unknown = [s for s in case.steps if s.status == "unknown"]
            if unknown:
                session.execute(sa.insert(Override.__table__), [
                    {"case_key": key, "step": s.name, "uscc": case.uscc, "passed": True, "decided_on": after + dt.timedelta(days=9),
                     "reason": "人社部门核实：所持 1+X 高级证书认定为三级及以上"} for s in unknown])
            approve(session, ADMIN, key, figures, on=after + dt.timedelta(days=14))
            paid_on = after + dt.timedelta(days=19)
            pay(session, ADMIN, key, figures, on=paid_on)
            if region == "350902":
                late = n == 1
                pass_on(session, ADMIN, key, figures, on=paid_on + dt.timedelta(days=16 if late else 4))
                if late:
                    manifest.expect("INC-PASS-ON", key)
