"""``accrue``: what the registry earns an enterprise in a year, posted to the ledger in one
transaction — idempotent (a second run finds everything posted and adds nothing).

In order, for the year Y:

1. **void** — a revocation known by Y voids the credit of the year of revocation and later (and,
   when the decision says so, of ``void_from_year`` on): each earned, adjusted and used line of
   those vintages is reversed, and what had been used is owed back (a ``voided`` line on
   ``repayable``);
2. **earn** — for an enterprise certified (产教融合型企业) by 31 December of Y and not revoked by
   then, ``credit_rate`` (30%) of each qualifying investment line of Y: the industrial-college
   plugin's (its ``xiaoqi_qualifying_investments`` hook, when loaded) and this plugin's own
   ``inc_investments``; one line per source, so each line names its investment; a changed
   investment gets an ``adjusted`` line for the difference (the credit from a plugin that is switched
   off stays as posted);
3. **use** — against the 教育费附加 + 地方教育附加 due for Y (``inc_surcharges``: as entered, or
   ``education_rate`` + ``local_education_rate`` of the VAT and consumption tax paid), up to the
   credit available, oldest vintage first;
4. **subsidies** — a claim for each apprentice case (企业新型学徒制) and each intern case of the
   schemes other plugins add, where no eligibility step fails (none for a year in which the
   apprenticeship stopped early); a clawback of an advance when the
   apprenticeship stopped before its end and the case was never approved.

Credits are posted before the subsidies are computed, in the same transaction: a failure anywhere
leaves nothing. ``dry_run`` computes the same lines and posts none.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core import audit
from xiaoqi.core.plugins import get_plugin_manager

from . import eligibility as el
from . import ledger
from . import vocabulary as v
from .params import CREDIT_RULE, Figures


@dataclass
class Accrual:
    year: int
    dry_run: bool
    run_id: str
    lines: list[dict] = field(default_factory=list)
    #: the qualifying investment seen per enterprise (yuan), and whether the industrial-college hook was there
    investment_sources: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for line in self.lines:
            out[line["line_type"]] += 1
        return dict(out)

    def total(self, line_type: str) -> Decimal:
        return ledger.yuan(sum(line["amount_fen"] for line in self.lines if line["line_type"] == line_type))


def _date(value):
    return dt.date.fromisoformat(str(value)[:10]) if value is not None and not isinstance(value, dt.date) else value


# -- what the registry says --------------------------------------------------------------------------

def enterprises(conn) -> dict[str, dict]:
    """Every enterprise's certification and its first revocation (core column or decision)."""
    sql = """
        SELECT e.uscc, e.name, e.region, e.pce_certified, e.pce_certified_on, e.pce_revoked_on,
               r.revoked_on AS decided_on, r.fraud, r.void_from_year
        FROM enterprises e
        LEFT JOIN inc_revocations r ON r.uscc = e.uscc
             AND r.revoked_on = (SELECT MIN(x.revoked_on) FROM inc_revocations x WHERE x.uscc = e.uscc)
    """
    out = {}
    for r in conn.execute(sa.text(sql)):
        row = dict(r._mapping)
        for c in ("pce_certified_on", "pce_revoked_on", "decided_on"):
            row[c] = _date(row[c])
        dates = [d for d in (row["pce_revoked_on"], row["decided_on"]) if d is not None]
        row["revoked_on"] = min(dates) if dates else None
        out[row["uscc"]] = row
    return out


def certified_in(firm: dict, year: int) -> bool:
    end = dt.date(year, 12, 31)
    if not firm["pce_certified"] or firm["pce_certified_on"] is None or firm["pce_certified_on"] > end:
        return False
    return firm["revoked_on"] is None or firm["revoked_on"].year > year


def void_from(firm: dict) -> int | None:
    """The first vintage a revocation voids: its year, or the decision's earlier ``void_from_year``."""
    if firm["revoked_on"] is None:
        return None
    year = firm["revoked_on"].year
    if firm["fraud"] and firm["void_from_year"]:
        year = min(year, int(firm["void_from_year"]))
    return year


def investment_hook_loaded() -> bool:
    caller = getattr(get_plugin_manager().hook, "xiaoqi_qualifying_investments", None)
    return caller is not None and caller.spec is not None


def investments(conn, year: int) -> list[dict]:
    """The qualifying investment lines of ``year``: the industrial-college plugin's, through its
    hook when it is loaded, and this plugin's own."""
    pm = get_plugin_manager()
    lines: list[dict] = []
    caller = getattr(pm.hook, "xiaoqi_qualifying_investments", None)
    if investment_hook_loaded():
        for result in caller(conn=conn, year=year, uscc=None):
            lines.extend(result or [])
    own = conn.execute(sa.text("SELECT uscc, year, amount, evidence FROM inc_investments WHERE year = :y ORDER BY uscc, evidence"),
                       {"y": year})
    lines.extend({"uscc": r.uscc, "year": r.year, "amount": Decimal(str(r.amount)).quantize(ledger.FEN), "source_kind": "inc_investments",
                  "source_key": f"{r.uscc}/{r.evidence}"} for r in own)
    for line in lines:
        key = line["source_key"]
        if isinstance(key, dict):  # the industrial-college hook gives the natural key as a dict
            line["source_key"] = "/".join(str(key[k]) for k in ("college_code", "uscc", "evidence") if k in key)
    return lines


def credit_case(uscc: str, year: int, what: str = "earned") -> str:
    return f"{v.PCE}/{uscc}/{year}/{what}"


# -- the phases ----------------------------------------------------------------------------------------

class Run:
    def __init__(self, session, actor, year: int, figures: Figures, *, dry_run: bool, today: dt.date):
        self.session, self.conn, self.actor, self.year = session, session.connection(), actor, year
        self.figures, self.dry_run, self.today = figures, dry_run, today
        self.result = Accrual(year=year, dry_run=dry_run, run_id=ledger.new_run_id())
        self.closed = ledger.closed_years(self.conn)
        self.now = audit.utcnow()
        self.pending: list[dict] = []  # computed in this run, not yet in the table
        self.firms = enterprises(self.conn)
        self.reversed: dict[int, object] = {}  # lines this run reverses, by id

    def row(self, entry: ledger.Entry) -> dict:
        return ledger.line_values(entry, actor=self.actor, now=self.now, run_id=self.result.run_id, closed=self.closed, conn=self.conn)

    def add(self, rows: list[dict]) -> None:
        self.pending.extend(rows)
        self.result.lines.extend(rows)

    def flush(self) -> None:
        """Post what is pending (not in a dry run)."""
        if self.pending and not self.dry_run:
            ledger.insert_lines(self.session, self.actor, self.pending, action="accrue",
                                note={"year": self.year, "run": self.result.run_id})
            self.pending = []

    def stored(self, sql: str, **binds) -> list:
        return list(self.conn.execute(sa.text(sql), binds))

    # 1. void
    def void(self) -> None:
        for uscc, firm in sorted(self.firms.items()):
            first = void_from(firm)
            if first is None or firm["revoked_on"].year > self.year:
                continue
            lines = self.stored("""
                SELECT l.* FROM inc_lines l
                WHERE l.uscc = :u AND l.account = 'credit' AND l.vintage >= :first AND l.reverses_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM inc_lines r WHERE r.reverses_id = l.id)
                ORDER BY l.id""", u=uscc, first=first)
            if not lines:
                continue
            self.reversed.update({line.id: line for line in lines})
            reason = f"认定撤销（{firm['revoked_on']}）：{first} 年起的抵免额作废"
            self.add(ledger.reversal_rows(self.conn, lines, actor=self.actor, on=firm["revoked_on"], reason=reason,
                                          run_id=self.result.run_id))
            used: dict[int, int] = defaultdict(int)
            for line in lines:
                if line.line_type == v.USED:
                    used[line.vintage] += -line.amount_fen
            for vintage, fen in sorted(used.items()):
                self.add([self.row(ledger.Entry(
                    uscc=uscc, line_type=v.VOIDED, amount=ledger.yuan(fen), entry_date=firm["revoked_on"], scheme=v.PCE,
                    source_kind="inc_revocations", source_key=f"{uscc}/{firm['revoked_on']}", case_key=credit_case(uscc, vintage, "void"),
                    vintage=vintage, note=reason))])

    # 2. earn
    def earn(self) -> None:
        year = self.year
        existing: dict[tuple, int] = defaultdict(int)
        for r in self.stored("""
                SELECT l.uscc, COALESCE(o.source_kind, l.source_kind) AS source_kind, COALESCE(o.source_key, l.source_key) AS source_key,
                       SUM(l.amount_fen) AS fen
                FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id
                WHERE l.account = 'credit' AND l.vintage = :y AND COALESCE(o.line_type, l.line_type) IN ('earned', 'adjusted')
                GROUP BY l.uscc, COALESCE(o.source_kind, l.source_kind), COALESCE(o.source_key, l.source_key)""", y=year):
            existing[(r.uscc, r.source_kind, r.source_key)] += int(r.fen)
        seen_sources = {k for k in existing}
        for r in self.pending:  # a void in this run already took some back
            original = self.reversed.get(r["reverses_id"])
            if original is not None and original.vintage == year and original.line_type in (v.EARNED, v.ADJUSTED):
                existing[(r["uscc"], original.source_kind, original.source_key)] += r["amount_fen"]
        end = dt.date(year, 12, 31)
        targets: dict[tuple, int] = {}
        for line in investments(self.conn, year):
            firm = self.firms.get(line["uscc"])
            if firm is None:
                continue
            key = (line["uscc"], line["source_kind"], line["source_key"])
            if certified_in(firm, year):
                rate = self.figures.value(CREDIT_RULE, "credit_rate", firm["region"], end)
                targets[key] = targets.get(key, 0) + ledger.to_fen(ledger.round_fen(line["amount"] * rate))
            else:
                targets.setdefault(key, 0)
        hook = investment_hook_loaded()
        for key in sorted(set(targets) | set(existing)):
            uscc, source_kind, source_key = key
            if key not in targets and source_kind != "inc_investments" and not hook:
                continue  # its plugin is switched off: what it gave stays as posted
            first = void_from(self.firms[uscc]) if uscc in self.firms else None
            target = 0 if first is not None and year >= first else targets.get(key, 0)
            delta = target - existing.get(key, 0)
            if delta == 0 or (delta < 0 and first is not None and year >= first):
                continue  # a void year is settled by the void phase
            line_type = v.EARNED if key not in seen_sources and delta > 0 else v.ADJUSTED
            self.add([self.row(ledger.Entry(uscc=uscc, line_type=line_type, amount=ledger.yuan(delta), entry_date=end, scheme=v.PCE,
                                            source_kind=source_kind, source_key=source_key, case_key=credit_case(uscc, year),
                                            vintage=year))])

    # 3. use
    def due(self, row, firm: dict) -> Decimal | None:
        if row.education_due is not None or row.local_education_due is not None:
            return Decimal(str(row.education_due or 0)) + Decimal(str(row.local_education_due or 0))
        end = dt.date(self.year, 12, 31)
        rate = (self.figures.value(CREDIT_RULE, "education_rate", firm["region"], end)
                + self.figures.value(CREDIT_RULE, "local_education_rate", firm["region"], end))
        base = Decimal(str(row.vat_paid or 0)) + Decimal(str(row.consumption_tax_paid or 0))
        return ledger.round_fen(base * rate)

    def use(self) -> None:
        year, end = self.year, dt.date(self.year, 12, 31)
        self.flush()  # the credit earned this year is available to this year's surcharges
        used = {r.uscc: -int(r.fen) for r in self.stored("""
                SELECT l.uscc, SUM(l.amount_fen) AS fen FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id
                WHERE l.account = 'credit' AND COALESCE(o.case_key, l.case_key) LIKE :case AND COALESCE(o.line_type, l.line_type) = 'used'
                GROUP BY l.uscc""", case=f"{v.PCE}/%/{year}/used")}
        for row in self.stored("SELECT * FROM inc_surcharges WHERE year = :y ORDER BY uscc", y=year):
            firm = self.firms[row.uscc]
            due = self.due(row, firm)
            if not due:
                continue
            period = ledger.landing(self.conn, end, self.closed)[0]
            lots = [(vintage, fen) for vintage, fen in self._available(row.uscc, period) if fen > 0]
            already = used.get(row.uscc, 0)
            want = min(ledger.to_fen(due) - already, sum(fen for _v, fen in lots))
            for vintage, fen in lots:
                if want <= 0:
                    break
                take = min(fen, want)
                want -= take
                self.add([self.row(ledger.Entry(uscc=row.uscc, line_type=v.USED, amount=ledger.yuan(take), entry_date=end, scheme=v.PCE,
                                                source_kind="inc_surcharges", source_key=f"{row.uscc}/{year}",
                                                case_key=credit_case(row.uscc, year, "used"), vintage=vintage))])

    def _available(self, uscc: str, period: int) -> list[tuple[int, int]]:
        lots = dict(ledger.credit_by_vintage(self.conn, uscc, through_period=period, max_vintage=self.year))
        for r in self.pending if self.dry_run else []:
            if r["uscc"] == uscc and r["account"] == v.CREDIT and r["vintage"] is not None and r["vintage"] <= self.year:
                lots[r["vintage"]] = lots.get(r["vintage"], 0) + r["amount_fen"]
        return sorted(lots.items())

    # 4. subsidies
    def subsidies(self) -> None:
        year = self.year
        rows = el.case_rows(self.conn, year)
        decided = el.overrides(self.conn, scheme=v.APPRENTICE, year=year)
        claims = el.claims_by_person(self.conn, v.APPRENTICE, year)
        state = case_state(self.conn, scheme=v.APPRENTICE, year=year)
        for r in rows:
            st = state.get(r["case_key"], {})
            found = el.steps(r, self.figures, decided, claims)
            stopped_early = r["stopped_on"] is not None and r["stopped_on"] <= dt.date(year, 12, 31)
            if not st.get(v.CLAIM) and el.verdict(found) != el.FAIL and not stopped_early:
                amount = el.amount_of(r, self.figures)
                self.add([self.row(ledger.Entry(
                    uscc=r["uscc"], line_type=v.CLAIM, amount=amount, entry_date=dt.date(year, 12, 31), scheme=v.APPRENTICE,
                    source_kind="inc_apprentices", source_key=f"{r['id_number']}/{r['uscc']}/{r['start_on']}", case_key=r["case_key"],
                    person_id=r["id_number"], school_code=r["school_code"]))])
                claims.setdefault(r["id_number"], []).append(r["case_key"])
        self.clawbacks()
        for scheme in schemes():
            self.scheme_claims(scheme)

    def clawbacks(self) -> None:
        """Advances of apprentice cases never approved, the apprenticeship stopped by the year's end."""
        end = dt.date(self.year, 12, 31)
        rows = self.stored("""
            SELECT DISTINCT l.case_key, l.uscc, l.person_id, l.school_code, l.source_key, a.stopped_on
            FROM inc_lines l JOIN inc_apprentices a ON a.uscc = l.uscc AND a.id_number = l.person_id
            WHERE l.scheme = :scheme AND l.line_type = 'advanced' AND a.stopped_on IS NOT NULL AND a.stopped_on <= :end
            ORDER BY l.case_key""", scheme=v.APPRENTICE, end=end)
        state = case_state(self.conn, [r.case_key for r in rows])
        for r in rows:
            st = state.get(r.case_key, {})
            if st.get(v.PAID, 0) <= 0 or st.get(v.APPROVE):
                continue
            stopped = _date(r.stopped_on)
            self.add([self.row(ledger.Entry(
                uscc=r.uscc, line_type=v.CLAWBACK, amount=ledger.yuan(st[v.PAID]), entry_date=stopped, scheme=v.APPRENTICE,
                source_kind="inc_apprentices", source_key=r.source_key, case_key=r.case_key, person_id=r.person_id,
                school_code=r.school_code, note=f"学徒培养于 {stopped} 提前终止，追回预拨补贴"))])

    def scheme_claims(self, scheme: dict) -> None:
        """A claim for each case of an intern scheme whose steps do not fail (its figures resolved per
        case; a figure without a value refuses the run)."""
        from .schemes import cases_of

        year = self.year
        cases = cases_of(self.conn, scheme, year, self.figures.table)
        state = case_state(self.conn, scheme=scheme["id"], year=year)
        for c in cases:
            key = el.case_key(scheme["id"], c["uscc"], c["id_number"], year)
            if state.get(key, {}).get(v.CLAIM) or any(s[1] == el.FAIL for s in c.get("steps", [])):
                continue
            self.add([self.row(ledger.Entry(
                uscc=c["uscc"], line_type=v.CLAIM, amount=c["amount"], entry_date=dt.date(year, 12, 31),
                scheme=scheme["id"], source_kind=c["source_kind"], source_key=c["source_key"], case_key=key,
                person_id=c["id_number"], school_code=c.get("school_code")))])


def schemes() -> list[dict]:
    """The intern-subsidy schemes other plugins add, by id (``schemes.schemes``)."""
    from .schemes import schemes as found

    return found()


def case_state(conn, keys: list[str] | None = None, *, scheme: str | None = None, year: int | None = None) -> dict[str, dict]:
    """Per case: the net fen of each line type (reversals netted into the type they reverse) — of
    the cases ``keys``, or of every case of ``scheme`` in ``year`` (one statement however many)."""
    if keys is not None and not keys:
        return {}
    where = "l.case_key IN :keys" if keys is not None else "l.scheme = :scheme AND l.case_key LIKE :suffix"
    sql = sa.text(f"""
        SELECT l.case_key, COALESCE(o.line_type, l.line_type) AS line_type, SUM(l.amount_fen) AS fen
        FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id
        WHERE {where} GROUP BY l.case_key, COALESCE(o.line_type, l.line_type)
    """)
    if keys is not None:
        sql = sql.bindparams(sa.bindparam("keys", expanding=True))
    binds = {"keys": keys} if keys is not None else {"scheme": scheme, "suffix": f"{scheme}/%/{year}"}
    out: dict[str, dict] = {}
    for r in conn.execute(sql, binds):
        out.setdefault(r.case_key, {})[r.line_type] = int(r.fen)
    for state in out.values():
        state[v.PAID] = state.get(v.ADVANCE, 0) + state.get(v.PAY, 0) + state.get(v.CLAWBACK, 0)
    return out


def accrue(session, actor, year: int, figures: Figures, *, dry_run: bool = False, today: dt.date | None = None) -> Accrual:
    """Post (or, ``dry_run``, only compute) the year's lines; call inside ``write_session``."""
    ledger.require_admin(actor, "post")
    run = Run(session, actor, year, figures, dry_run=dry_run, today=today or dt.date.today())
    run.void()
    run.earn()
    run.use()
    run.flush()
    run.subsidies()
    run.flush()
    return run.result
