"""Demo incentives: five years (the five before the demo's day) for four enterprises outside any
industrial college, and the demo's apprentices.

- 甲 (certified the first year): invests every year; its first year's credit is used partly that
  year, not at all the next (no surcharge due), and the rest two years later — a carry-forward;
- 乙 (certified the first year): its certification is revoked for fraud in the fourth year, the
  decision voiding the credit from the second year on: the credit lines are reversed and what it
  had used is owed back;
- 丙 (certified in the third year): the surcharges are entered as VAT paid (3% + 2% computed);
- 丁: not certified, its investment earns nothing;
- the apprentices (学徒 internships of one to three years): contracts and training hours, claims
  accrued, an officer's override of the minimum-wage step (no national figure), approvals and
  payments; one apprentice got an advance and stopped early, and the advance is clawed back;
- interns at an enterprise of each shipped city scheme in the last year (``demo_cities.py``): 宁德
  (one subsidy passed on late: a planted INC-PASS-ON), 珠海香洲 (a 1+X certificate holder),
  深圳南山 (one subsidy capped at the pay).

The first two years are closed. Everything else keeps to the INC-… rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN

PLANS = (  # investment per year (yuan, None: none), surcharge due per year (entered; or VAT), certified in year index
    ("甲", (400_000, 150_000, 0, 300_000, 200_000), (50_000, 0, 60_000, 45_000, 80_000), None, 0),
    ("乙", (250_000, 300_000, 280_000, 100_000, 0), (30_000, 40_000, 35_000, 20_000, 0), None, 0),
    ("丙", (0, 0, 500_000, 200_000, 100_000), None, (0, 0, 1_000_000, 1_500_000, 1_200_000), 2),
    ("丁", (80_000, 0, 0, 90_000, 0), (5_000, 5_000, 5_000, 5_000, 5_000), None, None),
)


def _firms(conn, n: int) -> list[sa.Row]:
    """Enterprises that no industrial college counts as partner, not certified by the core's demo."""
    partners = "SELECT uscc FROM ic_partners WHERE uscc IS NOT NULL" if _has(conn, "ic_partners") else "SELECT NULL WHERE 1 = 0"
    return list(conn.execute(sa.text(f"""
        SELECT uscc, name, region FROM enterprises
        WHERE (pce_certified IS NULL OR pce_certified = FALSE) AND pce_revoked_on IS NULL AND uscc NOT IN ({partners})
        ORDER BY uscc LIMIT :n"""), {"n": n}))


def _has(conn, table: str) -> bool:
    return table in sa.inspect(conn).get_table_names()


def generate(session, *, today: dt.date, manifest, seed: int = 2026) -> dict[str, int]:
    from . import ledger
    from .accrue import accrue
    from .models import Apprentice, Investment, Override, Revocation, Surcharge, Training
    from .params import Figures
    from .subsidies import approve, find_case, pay

    from xiaoqi.core.rules.params import param_table

    conn = session.connection()
    years = [today.year - 5 + i for i in range(5)]
    firms = _firms(conn, len(PLANS))
    if len(firms) < len(PLANS):
        return {}
    figures = Figures(param_table())
    from .demo_cities import add_city_interns, settle_city_cases

    city_interns = add_city_interns(session, year=years[-1], seed=seed)
    n = sum(len(rows) for rows in city_interns.values())
    for kind, added in (("enterprises", len(city_interns)), ("positions", 2 * len(city_interns)), ("internships", n)):
        if added and kind in manifest.counts:  # the core's counts, for what the demo prints
            manifest.counts[kind] += added
    investments, surcharges = [], []
    for (label, invest, due, vat, certified), firm in zip(PLANS, firms):
        if certified is not None:
            conn.execute(sa.text("UPDATE enterprises SET pce_certified = TRUE, pce_level = '省级', pce_certified_on = :d WHERE uscc = :u"),
                         {"d": dt.date(years[certified], 4, 20), "u": firm.uscc})
        for i, year in enumerate(years):
            if invest[i]:
                investments.append({"uscc": firm.uscc, "year": year, "category": "设备" if i % 2 else "现金",
                                    "amount": Decimal(invest[i]), "evidence": f"ZJ-{year}-{label}{i + 1:02d}",
                                    "description": f"{year} 年校企合作投入（{label}）"})
            if due is not None:
                surcharges.append({"uscc": firm.uscc, "year": year, "education_due": Decimal(due[i]) * 3 / 5,
                                   "local_education_due": Decimal(due[i]) * 2 / 5, "vat_paid": None, "consumption_tax_paid": None})
            elif vat[i]:
                surcharges.append({"uscc": firm.uscc, "year": year, "vat_paid": Decimal(vat[i]), "consumption_tax_paid": Decimal(0),
                                   "education_due": None, "local_education_due": None})
    session.execute(sa.insert(Investment.__table__), investments)
    session.execute(sa.insert(Surcharge.__table__), surcharges)
    fraud = firms[1]
    # apprentices of one to three years that started by the fourth year
    rows = list(conn.execute(sa.text("""
        SELECT i.id_number, i.uscc, i.start_on, i.end_on FROM internships i
        WHERE i.kind = '学徒' AND i.start_on <= :b ORDER BY i.start_on, i.id_number"""), {"b": dt.date(years[-1], 12, 31)}))
    apprentices, training = [], []
    for n, r in enumerate(rows):
        start = dt.date.fromisoformat(str(r.start_on)[:10])
        end = dt.date.fromisoformat(str(r.end_on)[:10])
        if not dt.timedelta(days=365) <= end - start <= dt.timedelta(days=3 * 365):
            continue
        apprentices.append({"id_number": r.id_number, "uscc": r.uscc, "start_on": start, "skill_level": ("四级", "三级")[n % 2],
                            "contract_from": start, "contract_to": end + dt.timedelta(days=365), "stopped_on": None,
                            "subsidy_region": None})
        for year in range(start.year, min(end.year, years[-1]) + 1):
            training.append({"id_number": r.id_number, "uscc": r.uscc, "start_on": start, "year": year, "hours": 420 + 10 * n})
    if apprentices:
        session.execute(sa.insert(Apprentice.__table__), apprentices)
        session.execute(sa.insert(Training.__table__), training)

    for year in years:
        if year == years[3]:  # the revocation is decided in the fourth year, after three years were posted
            session.execute(sa.insert(Revocation.__table__), [{
                "uscc": fraud.uscc, "revoked_on": dt.date(year, 9, 15), "fraud": True, "void_from_year": years[1],
                "document_no": f"发改社会〔{year}〕88号"}])
            conn.execute(sa.text("UPDATE enterprises SET pce_revoked_on = :d WHERE uscc = :u"), {"d": dt.date(year, 9, 15), "u": fraud.uscc})
        accrue(session, ADMIN, year, figures, today=today)
        if year <= years[1]:
            ledger.close_period(session, ADMIN, year, on=dt.date(year + 1, 1, 31))
    cases = [a for a in apprentices if a["start_on"].year <= years[-1]]
    stopper = cases[-1] if len(cases) > 1 else None
    _settle(session, conn, [a for a in cases if a is not stopper], years[-1], figures, approve, pay, find_case, Override)
    settle_city_cases(session, city_interns, year=years[-1], figures=figures, manifest=manifest)
    if stopper is not None:
        year = max(stopper["start_on"].year, years[-1])
        case = f"apprentice/{stopper['uscc']}/{stopper['id_number']}/{year}"
        found = find_case(conn, case, figures)
        if found.state.get("claimed"):
            ledger.post(session, ADMIN, [ledger.Entry(
                uscc=found.uscc, line_type="advanced", amount=(found.amount / 2).quantize(Decimal("0.01")),
                entry_date=dt.date(year + 1, 1, 20), scheme="apprentice", source_kind=found.source_kind, source_key=found.source_key,
                case_key=case, person_id=found.id_number, school_code=found.school_code, note="按当地规定预拨 50%")], action="advance")
            stopped = min(stopper["start_on"] + dt.timedelta(days=300), today - dt.timedelta(days=30))
            stopped = max(stopped, dt.date(year + 1, 2, 1))
            conn.execute(sa.text("UPDATE inc_apprentices SET stopped_on = :d WHERE id_number = :i AND uscc = :u AND start_on = :s"),
                         {"d": stopped, "i": stopper["id_number"], "u": stopper["uscc"], "s": stopper["start_on"]})
            accrue(session, ADMIN, stopped.year, figures, today=today)
    total = conn.execute(sa.text("SELECT COUNT(*) FROM inc_lines")).scalar_one()
    return {"inc_investments": len(investments), "inc_surcharges": len(surcharges), "inc_revocations": 1,
            "inc_apprentices": len(apprentices), "inc_training": len(training), "inc_lines": total}


def _settle(session, conn, apprentices, year, figures, approve, pay, find_case, Override) -> None:
    """Approve and pay the apprentice cases of ``year``, the minimum-wage step decided by an officer."""
    for a in apprentices:
        key = f"apprentice/{a['uscc']}/{a['id_number']}/{year}"
        try:
            case = find_case(conn, key, figures)
        except Exception:  # not an apprentice that year
            continue
        if not case.state.get("claimed") or any(s.status == "fail" for s in case.steps):
            continue
        session.execute(sa.insert(Override.__table__), [{"case_key": key, "step": s.name, "uscc": case.uscc, "passed": True,
                                                          "reason": "人社部门核实：工资不低于当地最低工资标准", "decided_on": dt.date(year + 1, 1, 10)}
                                                         for s in case.steps if s.status == "unknown"])
        approve(session, ADMIN, key, figures, on=dt.date(year + 1, 1, 15))
        pay(session, ADMIN, key, figures, on=dt.date(year + 1, 1, 25))
