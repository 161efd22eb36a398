"""An enterprise's statement for a year, and the ledger as a beancount file.

The statement is four SQL statements over the ledger, in the actor's scope: the balance of each
account at the end of the year before (opening), the year's lines in order, the balance at the end
of the year (closing = opening + the lines), and the credit carried forward by the year it was
earned. Each line names its source record; apprentices and interns are shown masked unless the
actor may reveal them.

The beancount export writes every line as a balanced transaction (the ledger account against a
counter account of its type) and a ``balance`` assertion for each enterprise and account at the
start of the year after each period, so that beancount's own checker (``bean-check``) confirms the
ledger's balances independently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.access import actor_clause
from xiaoqi.core.errors import UsageError
from xiaoqi.core.i18n import catalogue, get_lang, t

from . import vocabulary as v

catalogue(
    {
        "inc.st.title": ("{name}（{uscc}）{year} 年激励台账对账单", "Incentives statement of {name} ({uscc}) for {year}"),
        "inc.st.opening": ("期初余额（{year} 年初）", "Opening balances (start of {year})"),
        "inc.st.lines": ("本期台账行", "Lines of the period"),
        "inc.st.closing": ("期末余额（{year} 年末）", "Closing balances (end of {year})"),
        "inc.st.carried": ("结转以后年度的抵免额（按形成年度）", "Credit carried forward (by the year earned)"),
        "inc.st.col.account": ("科目", "account"),
        "inc.st.col.amount": ("金额（元）", "amount (yuan)"),
        "inc.st.col.line": ("行号", "line"),
        "inc.st.col.date": ("日期", "date"),
        "inc.st.col.type": ("类型", "type"),
        "inc.st.col.vintage": ("抵免额年度", "credit of"),
        "inc.st.col.case": ("案件", "case"),
        "inc.st.col.source": ("来源", "source"),
        "inc.st.col.note": ("说明", "note"),
        "inc.st.col.opening": ("期初（元）", "opening (yuan)"),
        "inc.st.col.movement": ("本期发生（元）", "movement (yuan)"),
        "inc.st.col.closing": ("期末（元）", "closing (yuan)"),
        "inc.st.col.year": ("形成年度", "earned in"),
        "inc.st.col.left": ("未使用（元）", "unused (yuan)"),
        "inc.st.format": ("不支持的输出格式「{suffix}」：对账单可写成 .md、.xlsx、.pdf 或 .docx", "cannot write '{suffix}': a statement is written as .md, .xlsx, .pdf or .docx"),
        "inc.st.no_firm": ("名录中没有统一社会信用代码为 {uscc} 的企业（或不在你的权限范围内）", "the registry has no enterprise {uscc} (or it is outside your scope)"),
        "inc.st.sources": ("来源记录：{kinds}", "Source records: {kinds}"),
    }
)

FORMATS = (".md", ".xlsx", ".pdf", ".docx")


def firm_names(conn, usccs) -> dict[str, str]:
    """Enterprise names by USCC (one statement)."""
    usccs = sorted(set(usccs))
    if not usccs:
        return {}
    stmt = sa.text("SELECT uscc, name FROM enterprises WHERE uscc IN :u").bindparams(sa.bindparam("u", expanding=True))
    return {r.uscc: r.name for r in conn.execute(stmt, {"u": usccs})}


def _yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


@dataclass
class Statement:
    uscc: str
    name: str
    year: int
    opening: dict[str, Decimal] = field(default_factory=dict)
    lines: list[dict] = field(default_factory=list)
    closing: dict[str, Decimal] = field(default_factory=dict)
    carried: list[tuple[int, Decimal]] = field(default_factory=list)

    def movement(self, account: str) -> Decimal:
        return self.closing.get(account, Decimal("0.00")) - self.opening.get(account, Decimal("0.00"))

    def accounts(self) -> list[str]:
        return [a for a in v.ACCOUNTS if a in self.opening or a in self.closing]


def scoped(actor, stmt):
    from .kinds import LINES
    from .models import Line

    clause = actor_clause(LINES, actor, "read", Line)
    return stmt if clause is None else stmt.where(clause)


def _balances(conn, actor, uscc: str, through: int) -> dict[str, Decimal]:
    line = _line_table()
    stmt = scoped(actor, sa.select(line.c.account, sa.func.sum(line.c.amount_fen)).where(line.c.uscc == uscc, line.c.period <= through)
                   .group_by(line.c.account))
    return {account: _yuan(fen) for account, fen in conn.execute(stmt)}


def _line_table():
    from .models import Line

    return Line.__table__


def build(conn, actor, uscc: str, year: int) -> Statement:
    from .eligibility import shown_key

    names = firm_names(conn, [uscc])
    if uscc not in names or (actor.role == "enterprise" and actor.code != uscc):
        raise UsageError(t("inc.st.no_firm", uscc=uscc))
    out = Statement(uscc=uscc, name=names[uscc], year=year)
    out.opening = _balances(conn, actor, uscc, year - 1)
    out.closing = _balances(conn, actor, uscc, year)
    line = _line_table()
    stmt = scoped(actor, sa.select(line).where(line.c.uscc == uscc, line.c.period == year).order_by(line.c.entry_date, line.c.id))
    for r in conn.execute(stmt):
        row = dict(r._mapping)
        row["amount"] = _yuan(row["amount_fen"])
        row["case_shown"] = shown_key(row["case_key"], actor) if row["case_key"] else ""
        row["source_key"], row["note"] = shown(actor, uscc, row["source_key"]), shown(actor, uscc, row["note"])
        out.lines.append(row)
    carried = scoped(actor, sa.select(line.c.vintage, sa.func.sum(line.c.amount_fen))
                      .where(line.c.uscc == uscc, line.c.account == v.CREDIT, line.c.period <= year)
                      .group_by(line.c.vintage).having(sa.func.sum(line.c.amount_fen) != 0).order_by(line.c.vintage))
    out.carried = [(int(vintage), _yuan(fen)) for vintage, fen in conn.execute(carried)]
    return out


def shown(actor, uscc: str, text):
    """Free text of a line (its source key, its note) as ``actor`` may see it: every ID number in
    it masked unless the actor is an admin or the line's own enterprise."""
    if text is None or actor.role == "admin" or (actor.role == "enterprise" and actor.code == uscc):
        return text
    from xiaoqi.core.privacy import mask_text

    return mask_text(text)


def _account(account: str) -> str:
    return dict(zip(v.ACCOUNTS, v.ACCOUNTS_ZH if get_lang() == "zh" else v.ACCOUNTS_EN))[account]


def _type(line_type: str) -> str:
    return (v.LINE_TYPES_ZH if get_lang() == "zh" else v.LINE_TYPES_EN)[line_type]


def _source(row: dict) -> str:
    return f"{row['source_kind']} {row['source_key']}"


def markdown(st: Statement) -> str:
    """The statement as Markdown: the same document as the PDF and Word files."""
    from xiaoqi.core.documents import markdown as document_markdown

    return document_markdown(document(st))


def _day(row: dict) -> dt.date:
    value = row["entry_date"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def document(st: Statement):
    """The statement as a ``xiaoqi.core.documents.Document`` (for PDF and Word): the enterprise by
    name, the year and when it was generated on the cover; the same four tables as the Markdown."""
    from xiaoqi.core.documents import Document, ReportSection, generated_fact, named

    def both(key, **params):
        return t(key, lang="zh", **params), t(key, lang="en", **params)

    def columns(*names):
        return [both(f"inc.st.col.{c}") for c in names]

    kinds = sorted({r["source_kind"] for r in st.lines})
    zero = Decimal("0.00")
    sections = [
        ReportSection(title=both("inc.st.opening", year=st.year), columns=columns("account", "amount"),
                      rows=[[_account(a), st.opening[a]] for a in st.accounts() if a in st.opening]),
        ReportSection(title=both("inc.st.lines"),
                      columns=columns("line", "date", "type", "account", "amount", "vintage", "case", "source", "note"),
                      rows=[[str(r["id"]), _day(r), _type(r["line_type"]), _account(r["account"]), r["amount"],
                             str(r["vintage"] or ""), r["case_shown"], _source(r), r["note"] or ""] for r in st.lines],
                      notes=[t("inc.st.sources", kinds="、".join(kinds))] if kinds else []),
        ReportSection(title=both("inc.st.closing", year=st.year), columns=columns("account", "opening", "movement", "closing"),
                      rows=[[_account(a), st.opening.get(a, zero), st.movement(a), st.closing.get(a, zero)] for a in st.accounts()]),
        ReportSection(title=both("inc.st.carried"), columns=columns("year", "left"), rows=[[str(y), amount] for y, amount in st.carried]),
    ]
    return Document(title=t("inc.st.title", name=st.name, uscc=st.uscc, year=st.year), sections=sections,
                    facts=[(t("doc.fact.enterprise"), named(st.name, st.uscc)), (t("doc.fact.year"), str(st.year)), generated_fact()])


def workbook(st: Statement):
    """The statement as a workbook: amounts as numbers (two decimals), dates as dates, text that
    looks like a formula kept as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from xiaoqi.core.output import xlsx_value

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(str(st.year))

    def cell(value):
        if isinstance(value, Decimal):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = "#,##0.00"
            return c
        if isinstance(value, dt.date):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = "yyyy-mm-dd"
            return c
        return xlsx_value(sheet, value)

    def add(*values):
        sheet.append([cell(x) for x in values])

    add(t("inc.st.title", name=st.name, uscc=st.uscc, year=st.year))
    add()
    add(t("inc.st.opening", year=st.year))
    for a in st.accounts():
        if a in st.opening:
            add(_account(a), st.opening[a])
    add()
    add(t("inc.st.lines"))
    add(*[t(f"inc.st.col.{c}") for c in ("line", "date", "type", "account", "amount", "vintage", "case", "source", "note")])
    for r in st.lines:
        add(r["id"], _day(r), _type(r["line_type"]), _account(r["account"]), r["amount"], r["vintage"], r["case_shown"], _source(r),
            r["note"] or "")
    add()
    add(t("inc.st.closing", year=st.year))
    add(*[t(f"inc.st.col.{c}") for c in ("account", "opening", "movement", "closing")])
    for a in st.accounts():
        add(_account(a), st.opening.get(a, Decimal("0.00")), st.movement(a), st.closing.get(a, Decimal("0.00")))
    add()
    add(t("inc.st.carried"))
    add(t("inc.st.col.year"), t("inc.st.col.left"))
    for y, amount in st.carried:
        add(y, amount)
    return wb


def check_format(path: str) -> str:
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise UsageError(t("inc.st.format", suffix=suffix or path))
    return suffix


# -- beancount -----------------------------------------------------------------------------------------

#: per account: the beancount account holding the ledger's balance, and the counter account by line type
BEAN_ACCOUNTS = {
    v.CREDIT: "Assets:Incentives:Credit",
    v.REPAYABLE: "Liabilities:Incentives:Repayable",
    v.CLAIMED: "Assets:Incentives:Claimed",
    v.APPROVED: "Assets:Incentives:Approved",
    v.PAID: "Assets:Incentives:Received",
    v.PASSED_ON: "Assets:Incentives:PassedOn",
}
BEAN_COUNTER = {
    v.EARNED: "Income:Incentives:CreditEarned", v.ADJUSTED: "Income:Incentives:CreditEarned",
    v.USED: "Expenses:Surcharges:PaidWithCredit", v.VOIDED: "Expenses:Incentives:VoidedCredit",
    v.CLAIM: "Income:Incentives:Claims", v.APPROVE: "Income:Incentives:Approvals",
    v.ADVANCE: "Income:Incentives:Subsidies", v.PAY: "Income:Incentives:Subsidies", v.CLAWBACK: "Income:Incentives:Subsidies",
    v.PASS_ON: "Income:Incentives:PassedOn",
}


def _bean_text(value) -> str:
    return str(value or "").replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def beancount(conn, actor) -> str:
    """The ledger in the actor's scope as a beancount file."""
    from .eligibility import shown_key
    from .ledger import balance_query

    line = _line_table()
    original = line.alias("o")
    stmt = scoped(actor, sa.select(line, original.c.line_type.label("reversed_type"))
                   .select_from(line.outerjoin(original, original.c.id == line.c.reverses_id)).order_by(line.c.entry_date, line.c.id))
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    names = firm_names(conn, {r["uscc"] for r in rows})
    out = ['option "title" "xiaoqi incentives ledger"', 'option "operating_currency" "CNY"', ""]
    opened: dict[str, dt.date] = {}
    body = []
    for r in rows:
        day = _day(r)
        kind = r["reversed_type"] if r["line_type"] == v.REVERSAL else r["line_type"]
        own, counter = f"{BEAN_ACCOUNTS[r['account']]}:{r['uscc']}", f"{BEAN_COUNTER[kind]}:{r['uscc']}"
        sign = -1 if r["account"] == v.REPAYABLE else 1  # a liability grows with a credit
        for acc in (own, counter):
            opened[acc] = min(opened.get(acc, day), day)
        amount = _yuan(r["amount_fen"]) * sign
        narration = f"{v.LINE_TYPES_EN[r['line_type']]} {r['case_key'] and shown_key(r['case_key'], actor) or ''}".strip()
        body += [f'{day} * "{_bean_text(names.get(r["uscc"], r["uscc"]))}" "{_bean_text(narration)}"',
                 f'  line: {r["id"]}', f'  period: {r["period"]}', f'  source: "{_bean_text(r["source_kind"] + " " + shown(actor, r["uscc"], r["source_key"]))}"',
                 *([f'  reverses: {r["reverses_id"]}'] if r["reverses_id"] else []),
                 f"  {own}  {amount} CNY", f"  {counter}  {-amount} CNY", ""]
    out += [f"{day} open {acc} CNY" for acc, day in sorted(opened.items(), key=lambda x: (x[1], x[0]))]
    out.append("")
    out += body
    for b in conn.execute(balance_query(actor)):
        acc = f"{BEAN_ACCOUNTS[b.account]}:{b.uscc}"
        sign = -1 if b.account == v.REPAYABLE else 1
        out.append(f"{dt.date(b.period + 1, 1, 1)} balance {acc}  {_yuan(b.balance_fen) * sign} CNY")
    return "\n".join(out) + "\n"
