"""INT-INSURANCE (every day of an internship covered by a liability policy) and INT-INS-PREMIUM
(no premium paid by, or deducted from, the student), 2021 rule.

Coverage is the union of every policy of a required kind the student is insured on. What one
insured row covers is the intersection of its own dates (NULL: the policy's) with the policy's
period, ending the day before the policy was surrendered or cancelled (``cancelled_on`` is the
first day not covered; a policy marked 已退保 / 已注销 without that date covers nothing).

The database keeps the internships that may have an uncovered day (``_maybe_uncovered``: the first
uncovered day of an internship is its first day or the day after a counted interval ends, so the
others are covered; a few index probes per internship, in SQL, where the check's other readers
are not held back). Those few are swept exactly in Python (``_swept``), a chunk at a time with
their people's intervals: two streams ordered by person walked side by side, each person's
intervals sorted once, each internship swept over them (``xiaoqi.core.rules.sweep.uncovered``).
Which intervals count for an internship (the kinds, a minimum cover) depends on the values that apply to its region and start date: each interval carries one bit per
candidate value that it satisfies, each internship the index of the value that applies to it.
"""

from __future__ import annotations

import datetime as dt
import itertools

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import JOIN_SCHOOL_ENTERPRISE, Param, Rule, money
from xiaoqi.core.rules.sweep import uncovered

from .sources import IN_FORCE_2021, RULE_2021

catalogue(
    {
        "nat.ins.gap": ("{n} 段未被实习责任保险覆盖，共 {days} 天：{ranges}", "{n} uncovered periods, {days} days in all: {ranges}"),
        "nat.ins.none": ("整个实习期（{start} 至 {end}）没有实习责任保险", "no liability insurance for the whole internship ({start} to {end})"),
        "nat.premium.msg": ("保单 {policy}（{kind}）的保费 {premium} 元由学生承担", "the premium of policy {policy} ({kind}), {premium} yuan, is paid by the student"),
        "nat.premium.deducted": ("保费从学生的实习报酬中扣除", "the premium is deducted from the student's pay"),
    }
)


#: policy states in which a policy has stopped covering (core_kinds.POLICY_ENDED)
ENDED = ("已退保", "已注销")


def cover_dates(ctx) -> tuple[str, str]:
    """SQL for the first and last day an insured row ``n`` of policy ``p`` covers."""
    ended = ", ".join(ctx.bind(s) for s in ENDED)
    stop = (f"(CASE WHEN p.cancelled_on IS NOT NULL THEN {ctx.sql.add_days('p.cancelled_on', -1)} "
            f"WHEN p.status IN ({ended}) THEN {ctx.sql.add_days('p.start_on', -1)} ELSE p.end_on END)")
    return (ctx.sql.greatest("COALESCE(n.start_on, p.start_on)", "p.start_on"),
            ctx.sql.least("COALESCE(n.end_on, p.end_on)", "p.end_on", stop))


def _bits(ctx, name: str, test) -> str:
    """SQL: one bit per candidate value of the parameter ``name``, set when ``test(value)`` (SQL) holds."""
    bits = [f"(CASE WHEN {test(v.value)} THEN {1 << k} ELSE 0 END)" for k, v in enumerate(ctx.candidates(name))]
    return " + ".join(bits) or "0"


def _counted(held, kind_index, cover_index) -> list[tuple[int, int]]:
    """The intervals in ``held`` of a kind the value ``kind_index`` requires, with the cover the
    value ``cover_index`` asks for (None: no minimum); none when no kinds value applies."""
    if kind_index is None:
        return []
    need = 1 << int(kind_index)
    want = None if cover_index is None else 1 << int(cover_index)
    return [(r[1], r[2]) for r in held if r[3] & need and (want is None or r[4] & want)]


#: internships whose cover is swept in Python at a time (their people's intervals read in one query)
CHUNK = 2_000


def _coverage(ctx):
    region = ctx.region()
    kinds = ctx.param_index("required_kinds", region=region, on="i.start_on")
    cover = ctx.param_index("min_cover_per_student", region=region, on="i.start_on")
    day, person = ctx.sql.day_number, ctx.sql.bytewise
    kind_bits = _bits(ctx, "required_kinds", lambda kinds: " OR ".join(f"p.kind = {ctx.bind(k)}" for k in kinds) or "1 = 0")
    cover_bits = _bits(ctx, "min_cover_per_student", lambda least: f"COALESCE(p.cover_per_person, 0) >= {ctx.literal(least)}")
    internships = ctx.tuples(
        f"{_policy_cover(ctx, kind_bits, cover_bits)} "
        f"SELECT i.id_number, {day('i.start_on')}, {day('i.end_on')}, {kinds}, {cover}, i.uscc, i.start_on, i.school_code "
        f"FROM internships i {JOIN_SCHOOL_ENTERPRISE} "
        f"WHERE {ctx.scope('i')} AND {ctx.applies(region, 'i.start_on')} AND {_maybe_uncovered(ctx, kinds, cover)}")
    cover_from, cover_to = cover_dates(ctx)
    intervals_sql = (f"SELECT n.id_number, {day(cover_from)}, {day(cover_to)}, {kind_bits}, {cover_bits} "
                     f"FROM insured n JOIN policies p ON p.policy_no = n.policy_no "
                     f"WHERE {cover_from} <= {cover_to} AND {kind_bits} <> 0 AND n.id_number IN ({{people}}) "
                     f"ORDER BY {person('n.id_number')}")
    # in the table's order (no sort of every internship); each chunk sorted by person
    while chunk := sorted(itertools.islice(internships, CHUNK), key=lambda r: r[0]):
        people = sorted({row[0] for row in chunk})
        binds = {f"person{k}": v for k, v in enumerate(people)}
        intervals = ctx.tuples(intervals_sql.format(people=", ".join(f":{name}" for name in binds)), **binds)
        yield from _swept(ctx, chunk, intervals)


def _policy_cover(ctx, kind_bits: str, cover_bits: str) -> str:
    """SQL ``WITH pp AS (...)``: what each policy covers at most (``cover_dates`` without an insured
    row's own dates), as dates and day numbers, with its bits; computed once per policy."""
    ended = ", ".join(ctx.bind(s) for s in ENDED)
    stop = (f"(CASE WHEN p.cancelled_on IS NOT NULL THEN {ctx.sql.add_days('p.cancelled_on', -1)} "
            f"WHEN p.status IN ({ended}) THEN {ctx.sql.add_days('p.start_on', -1)} ELSE p.end_on END)")
    last = ctx.sql.least("p.end_on", stop)
    day = ctx.sql.day_number
    return (f"WITH pp AS MATERIALIZED (SELECT p.policy_no, p.start_on AS a, {last} AS b, {day('p.start_on')} AS a_day, "
            f"{day(last)} AS b_day, {kind_bits} AS kinds, {cover_bits} AS covers FROM policies p WHERE {last} IS NOT NULL)")


def _maybe_uncovered(ctx, kinds: str, cover: str) -> str:
    """SQL condition: internship ``i`` may have a day that no interval counted for it covers.

    The first such day, if there is one, is the internship's first day or the day after an
    interval counted for it ends within it. So an internship is fully covered when its first day
    is covered and so is the day after each counted interval that ends before its last day;
    otherwise it is kept and swept exactly (``uncovered``). Dates compare as dates (ISO text on
    SQLite), the day after an interval by its day number."""
    day = ctx.sql.day_number
    counted = f"(pp.kinds & (1 << {kinds})) <> 0 AND ({cover} IS NULL OR (pp.covers & (1 << {cover})) <> 0)"
    # cover_dates, the policy's part read from pp (never NULL there)
    a, b = "(CASE WHEN n.start_on > pp.a THEN n.start_on ELSE pp.a END)", "(CASE WHEN n.end_on < pp.b THEN n.end_on ELSE pp.b END)"
    a_day = f"(CASE WHEN n.start_on > pp.a THEN {day('n.start_on')} ELSE pp.a_day END)"
    b_day = f"(CASE WHEN n.end_on < pp.b THEN {day('n.end_on')} ELSE pp.b_day END)"

    def intervals(alias: str) -> str:
        return (f"(SELECT {a} AS a, {b} AS b, {a_day} AS a_day, {b_day} AS b_day FROM insured n "
                f"JOIN pp ON pp.policy_no = n.policy_no WHERE n.id_number = i.id_number AND {counted}) {alias}")

    return (f"(i.end_on < i.start_on "
            f"OR NOT EXISTS (SELECT 1 FROM {intervals('y')} WHERE y.a <= y.b AND y.a <= i.start_on AND y.b >= i.start_on) "
            f"OR EXISTS (SELECT 1 FROM {intervals('x')} WHERE x.a <= x.b AND x.b >= i.start_on AND x.b < i.end_on "
            f"AND NOT EXISTS (SELECT 1 FROM {intervals('y')} WHERE y.a <= y.b AND y.a_day <= x.b_day + 1 AND y.b > x.b)))")


def _swept(ctx, internships, intervals):
    """Findings of ``internships`` (rows sorted by person) swept over their people's cover
    ``intervals`` (rows sorted by person): two streams walked side by side."""
    pending = next(intervals, None)
    for id_number, group in itertools.groupby(internships, key=lambda r: r[0]):
        while pending is not None and pending[0] < id_number:
            pending = next(intervals, None)
        held = []
        while pending is not None and pending[0] == id_number:
            held.append(pending)
            pending = next(intervals, None)
        held.sort(key=lambda r: (r[1], r[2]))
        counted_for: dict = {}  # (kind value, cover value) -> the person's intervals that count
        for row in group:
            _, first, last, kind_index, cover_index = row[:5]
            counted = counted_for.get((kind_index, cover_index))
            if counted is None:
                counted = counted_for[kind_index, cover_index] = _counted(held, kind_index, cover_index)
            gaps = uncovered(first, last, counted)
            if gaps:
                yield _gap_finding(ctx, row, gaps)
    for _ in intervals:  # read to its end: the cursor closes
        pass


def _gap_finding(ctx, row, gaps):
    id_number, first, last, _, _, uscc, start_on, school_code = row
    gaps = [(dt.date.fromordinal(a), dt.date.fromordinal(b)) for a, b in gaps]
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    days = sum((b - a).days + 1 for a, b in gaps)
    if gaps == [(start, end)]:
        message = t("nat.ins.none", start=start, end=end)
    else:
        message = t("nat.ins.gap", n=len(gaps), days=days, ranges="、".join(f"{a}" if a == b else f"{a}～{b}" for a, b in gaps))
    return ctx.internship_finding({"id_number": id_number, "uscc": uscc, "start_on": start_on, "school_code": school_code},
                                  message, numbers={"gaps": len(gaps), "days_uncovered": days}, dates=gaps)


def _premium(ctx):
    # the few policies a student pays lead the join (CROSS JOIN fixes that order on SQLite, which
    # has no statistics to find it; PostgreSQL plans as it likes)
    region = ctx.region()
    cover_from, cover_to = cover_dates(ctx)
    rows = ctx.rows(
        f"SELECT i.id_number, i.uscc, i.start_on, i.school_code, p.policy_no, p.kind AS policy_kind, p.premium "
        f"FROM policies p CROSS JOIN insured n CROSS JOIN internships i "
        f"{JOIN_SCHOOL_ENTERPRISE} WHERE n.policy_no = p.policy_no AND i.id_number = n.id_number AND p.payer = {ctx.bind('学生')} "
        f"AND {cover_from} <= i.end_on AND {cover_to} >= i.start_on AND {cover_from} <= {cover_to} "
        f"AND {ctx.scope('i')} AND {ctx.applies(region, 'i.start_on')}")
    for r in rows:
        premium = money(r["premium"])
        yield ctx.internship_finding(r, t("nat.premium.msg", policy=r["policy_no"], kind=r["policy_kind"], premium=premium if premium is not None else "-"),
                                     numbers={"policy_no": r["policy_no"], "premium": premium})
    for r in ctx.internship_rows("i.premium_deducted IS TRUE"):
        yield ctx.internship_finding(r, t("nat.premium.deducted"), numbers={"premium_deducted": True})


RULES = [
    Rule(id="INT-INSURANCE", severity="error", title=("实习责任保险覆盖", "Liability insurance cover"),
         requirement=("实习责任保险覆盖实习期间的每一天（按被保险人清单与保单期间的交集，退保或注销之日起不再覆盖）",
                      "an internship liability policy covers every day from start to end (the insured row's dates within the policy's, until it is surrendered or cancelled)"),
         source=RULE_2021, valid_from=IN_FORCE_2021, evaluate=_coverage, cost=9.0,
         params=(Param("required_kinds", "list", ("实习责任保险",), ("须覆盖实习期的险种", "policy kinds that must cover the internship")),
                 Param("min_cover_per_student", "decimal", None, ("每名学生最低保额（元，全国未规定）", "minimum cover per student in yuan (no national figure)"), required=False))),
    Rule(id="INT-INS-PREMIUM", severity="error", title=("保费不得由学生承担", "No premium paid by students"),
         requirement=("实习保险的保费不得由学生缴纳或从学生报酬中扣除", "no premium is paid by, or deducted from, the student"),
         source=RULE_2021, valid_from=IN_FORCE_2021, evaluate=_premium),
]
