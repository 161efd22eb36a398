"""Eligibility of an apprenticeship subsidy case (企业新型学徒制): named steps, each pass, fail or
unknown with its reason; an override (``inc_overrides``, written by an allowed actor and audited
like every record) decides a step by hand and says so.

A case is one apprentice at one enterprise in one year: ``apprentice/<USCC>/<ID number>/<year>``.
The rows come from one query over the year (``case_rows``); the steps are judged in Python on
those rows, without further queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.i18n import catalogue, t

from . import vocabulary as v
from .params import SKILL_PARAM, STEPS_RULE, Figures

catalogue(
    {
        "inc.step.contract": ("劳动合同满一年", "labour contract of a year or more"),
        "inc.step.pay": ("工资不低于当地最低工资", "pay at least the local minimum wage"),
        "inc.step.training": ("年培训学时达标", "training hours of the year"),
        "inc.step.duration": ("培养期限 1–3 年", "training period of 1–3 years"),
        "inc.step.not_claimed": ("未重复申领", "not claimed twice"),
        "inc.r.contract_missing": ("未登记劳动合同起止日期", "the labour contract's dates are not recorded"),
        "inc.r.contract": ("劳动合同 {start} 至 {end}，要求至少 {years} 年", "labour contract {start} to {end}; {years} year(s) at least"),
        "inc.r.pay_missing": ("实习记录未填月工资", "the internship records no monthly pay"),
        "inc.r.wage_missing": ("地区 {region} 未设置最低工资标准（INC-SUBSIDY-STEPS min_wage）", "no minimum wage is set for region {region} (INC-SUBSIDY-STEPS min_wage)"),
        "inc.r.pay": ("月工资 {pay} 元，当地最低工资 {wage} 元", "monthly pay {pay} yuan, local minimum wage {wage} yuan"),
        "inc.r.training_missing": ("未登记 {year} 年培训学时", "no training hours recorded for {year}"),
        "inc.r.training": ("{year} 年培训 {hours} 学时，要求 {min} 学时", "{hours} training hours in {year}; {min} required"),
        "inc.r.duration": ("培养期限 {start} 至 {end}（{years} 年），要求 {min}–{max} 年", "training from {start} to {end} ({years} years); {min}–{max} required"),
        "inc.r.claimed": ("该学徒 {year} 年已由 {other} 申领", "the apprentice was claimed for {year} by {other}"),
        "inc.r.not_claimed": ("{year} 年未在其他案件中申领", "not claimed in another case for {year}"),
        "inc.r.override": ("人工认定（{on}）：{reason}", "decided by hand ({on}): {reason}"),
        "inc.status.pass": ("通过", "pass"),
        "inc.status.fail": ("未通过", "fail"),
        "inc.status.unknown": ("无法判断", "unknown"),
    }
)

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    reason: str
    overridden: bool = False

    def label(self) -> str:
        from xiaoqi.core.i18n import MESSAGES

        key = f"inc.step.{self.name}"
        return t(key) if key in MESSAGES else self.name  # a scheme's step may have no label of its own


def case_key(scheme: str, uscc: str, id_number: str, year: int) -> str:
    return f"{scheme}/{uscc}/{id_number}/{year}"


def _years_between(a: dt.date, b: dt.date) -> Decimal:
    return (Decimal((b - a).days + 1) / Decimal("365.25")).quantize(Decimal("0.01"))


def _years_later(day: dt.date, years: Decimal) -> dt.date:
    whole = int(years)
    try:
        later = day.replace(year=day.year + whole)
    except ValueError:  # 29 February
        later = day.replace(year=day.year + whole, day=28)
    return later + dt.timedelta(days=round(float(years - whole) * 365)) - dt.timedelta(days=1)


def case_rows(conn, year: int, *, uscc: str | None = None, key: str | None = None) -> list[dict]:
    """The apprentices active in ``year`` with what their steps need (one statement)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sql = """
        SELECT a.id_number, a.uscc, a.start_on, a.skill_level, a.contract_from, a.contract_to, a.stopped_on,
               COALESCE(a.subsidy_region, e.region) AS region, e.name AS firm, i.school_code, i.end_on, i.monthly_pay,
               tr.hours
        FROM inc_apprentices a
        {join} internships i ON i.id_number = a.id_number AND i.uscc = a.uscc AND i.start_on = a.start_on
        JOIN enterprises e ON e.uscc = a.uscc
        LEFT JOIN inc_training tr ON tr.id_number = a.id_number AND tr.uscc = a.uscc AND tr.start_on = a.start_on AND tr.year = :year
        WHERE i.kind = '学徒' AND a.start_on <= :last AND i.end_on >= :first AND (a.stopped_on IS NULL OR a.stopped_on >= :first)
          {only}
        ORDER BY a.uscc, a.id_number, a.start_on
    """
    # the apprentices first, then each one's internship by its key: SQLite without statistics would
    # otherwise start from every internship of the dates (the transitive a.start_on = i.start_on),
    # and on SQLite a CROSS JOIN keeps the order written (PostgreSQL plans the plain join well)
    sql = sql.format(only="AND a.uscc = :uscc" if uscc else "", join="CROSS JOIN" if conn.dialect.name == "sqlite" else "JOIN")
    binds = {"year": year, "first": first, "last": last, **({"uscc": uscc} if uscc else {})}
    rows = [dict(r._mapping) for r in conn.execute(sa.text(sql), binds)]
    for r in rows:
        for c in ("start_on", "contract_from", "contract_to", "stopped_on", "end_on"):
            if isinstance(r[c], str):
                r[c] = dt.date.fromisoformat(r[c][:10])
        r["case_key"] = case_key(v.APPRENTICE, r["uscc"], r["id_number"], year)
        r["year"] = year
    return [r for r in rows if key is None or r["case_key"] == key]


def overrides(conn, keys: list[str] | None = None, *, scheme: str | None = None, year: int | None = None) -> dict[tuple[str, str], dict]:
    """The overrides of the cases ``keys``, or of every case of ``scheme`` in ``year``."""
    if keys is not None and not keys:
        return {}
    if keys is not None:
        sql = sa.text("SELECT case_key, step, passed, reason, decided_on FROM inc_overrides WHERE case_key IN :keys") \
            .bindparams(sa.bindparam("keys", expanding=True))
        rows = conn.execute(sql, {"keys": keys})
    else:
        rows = conn.execute(sa.text("SELECT case_key, step, passed, reason, decided_on FROM inc_overrides WHERE case_key LIKE :k"),
                            {"k": f"{scheme}/%/{year}"})
    return {(r.case_key, r.step): dict(r._mapping) for r in rows}


def claims_by_person(conn, scheme: str, year: int) -> dict[str, list[str]]:
    """Cases of ``scheme`` in ``year`` with a claim not reversed, by person."""
    sql = """
        SELECT l.person_id, l.case_key FROM inc_lines l
        WHERE l.scheme = :scheme AND l.line_type = 'claimed' AND l.case_key LIKE :suffix
          AND NOT EXISTS (SELECT 1 FROM inc_lines r WHERE r.reverses_id = l.id)
    """
    out: dict[str, list[str]] = {}
    for r in conn.execute(sa.text(sql), {"scheme": scheme, "suffix": f"%/{year}"}):
        out.setdefault(r.person_id, []).append(r.case_key)
    return out


def amount_of(row: dict, figures: Figures) -> Decimal:
    """The case's subsidy: the region's level for the skill level, never below the national floor."""
    on = dt.date(row["year"], 12, 31)
    floor = figures.value(STEPS_RULE, "floor", row["region"], on) or Decimal(0)
    level = figures.value(STEPS_RULE, SKILL_PARAM[row["skill_level"]], row["region"], on)
    return Decimal(max(floor, level or Decimal(0))).quantize(Decimal("0.01"))


def steps(row: dict, figures: Figures, decided: dict, claims: dict[str, list[str]]) -> list[Step]:
    on = dt.date(row["year"], 12, 31)

    def fig(name: str):
        return figures.value(STEPS_RULE, name, row["region"], on)

    out: list[Step] = []
    # labour contract
    if row["contract_from"] is None or row["contract_to"] is None:
        out.append(Step("contract", UNKNOWN, t("inc.r.contract_missing")))
    else:
        years = fig("min_contract_years")
        ok = row["contract_to"] >= _years_later(row["contract_from"], years)
        out.append(Step("contract", PASS if ok else FAIL, t("inc.r.contract", start=row["contract_from"], end=row["contract_to"], years=years)))
    # pay
    wage = fig("min_wage")
    if row["monthly_pay"] is None:
        out.append(Step("pay", UNKNOWN, t("inc.r.pay_missing")))
    elif wage is None:
        out.append(Step("pay", UNKNOWN, t("inc.r.wage_missing", region=row["region"])))
    else:
        pay = Decimal(str(row["monthly_pay"])).quantize(Decimal("0.01"))
        out.append(Step("pay", PASS if pay >= wage else FAIL, t("inc.r.pay", pay=pay, wage=wage)))
    # training hours
    need = fig("min_training_hours")
    if row["hours"] is None:
        out.append(Step("training", UNKNOWN, t("inc.r.training_missing", year=row["year"])))
    else:
        out.append(Step("training", PASS if row["hours"] >= need else FAIL,
                        t("inc.r.training", year=row["year"], hours=row["hours"], min=need)))
    # duration of the training
    low, high = fig("min_years"), fig("max_years")
    ok = _years_later(row["start_on"], low) <= row["end_on"] <= _years_later(row["start_on"], high)
    out.append(Step("duration", PASS if ok else FAIL, t("inc.r.duration", start=row["start_on"], end=row["end_on"],
                                                         years=_years_between(row["start_on"], row["end_on"]), min=low, max=high)))
    # not claimed in another case
    others = [k for k in claims.get(row["id_number"], []) if k != row["case_key"]]
    if others:
        out.append(Step("not_claimed", FAIL, t("inc.r.claimed", year=row["year"], other=others[0].split("/")[1])))
    else:
        out.append(Step("not_claimed", PASS, t("inc.r.not_claimed", year=row["year"])))
    return [decided_step(s, decided.get((row["case_key"], s.name))) for s in out]


def decided_step(step: Step, override: dict | None) -> Step:
    if override is None:
        return step
    return Step(step.name, PASS if override["passed"] else FAIL,
                t("inc.r.override", on=override["decided_on"], reason=override["reason"]), overridden=True)


def verdict(found: list[Step]) -> str:
    """fail if any step fails, unknown if any is unknown, else pass."""
    statuses = {s.status for s in found}
    return FAIL if FAIL in statuses else UNKNOWN if UNKNOWN in statuses else PASS



def shown_key(key: str, actor) -> str:
    """A case key as ``actor`` may see it: the ID number masked unless the actor is an admin or the
    case's own enterprise (which needs the key to claim it)."""
    from xiaoqi.core.access import IDCARD
    from xiaoqi.core.privacy import mask_value

    parts = str(key).split("/")
    if len(parts) != 4 or actor.role == "admin" or (actor.role == "enterprise" and actor.code == parts[1]):
        return key
    return "/".join([parts[0], parts[1], mask_value(IDCARD, parts[2]), parts[3]])
