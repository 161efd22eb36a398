"""``xiaoqi incentives``: accrue, claim, approve, pay, pass-on, reverse, close-period, balance,
eligibility, statement and export. Writing commands run in one transaction each: a refusal or a
failure leaves the ledger as it was."""

from __future__ import annotations

import datetime as dt

import click

from xiaoqi.core.cli import argument, emit_json, format_option, group, option, pass_app, print_table
from xiaoqi.core.errors import UsageError
from xiaoqi.core.fields import parse_date, parse_uscc
from xiaoqi.core.i18n import catalogue, get_lang, t

catalogue(
    {
        "inc.bad_option": ("{option}：{reason}", "{option}: {reason}"),
        "inc.accrued": ("{year} 年：记账 {n} 行{dry}", "{year}: {n} lines posted{dry}"),
        "inc.dry": ("（试算，未记账）", " (dry run, nothing posted)"),
        "inc.accrued.none": ("{year} 年没有需要记账的内容（已全部入账）", "nothing to post for {year} (all posted already)"),
        "inc.posted": ("已记账：第 {id} 行（{type}，{amount} 元，案件 {case}）", "posted line {id} ({type}, {amount} yuan, case {case})"),
        "inc.reversed": ("已冲销第 {line} 行：第 {id} 行", "line {line} reversed by line {id}"),
        "inc.closed": ("{year} 年账期已结账", "the period {year} is closed"),
        "inc.none": ("（没有台账记录）", "(no ledger lines)"),
        "inc.col.uscc": ("统一社会信用代码", "USCC"),
        "inc.col.firm": ("企业", "enterprise"),
        "inc.col.account": ("科目", "account"),
        "inc.col.period": ("账期", "period"),
        "inc.col.movement": ("本期发生（元）", "movement (yuan)"),
        "inc.col.balance": ("期末余额（元）", "balance (yuan)"),
        "inc.col.lines": ("行数", "lines"),
        "inc.col.type": ("类型", "type"),
        "inc.col.count": ("行数", "lines"),
        "inc.col.amount": ("金额（元）", "amount (yuan)"),
        "inc.col.case": ("案件", "case"),
        "inc.col.step": ("审核步骤", "step"),
        "inc.col.status": ("结果", "result"),
        "inc.col.reason": ("理由", "reason"),
        "inc.col.verdict": ("结论", "verdict"),
        "inc.col.subsidy": ("补贴（元）", "subsidy (yuan)"),
        "inc.eligibility.none": ("{year} 年没有在册的学徒", "no apprentices in {year}"),
        "inc.export.what": ("beancount 台账", "a beancount ledger"),
    }
)

today_option = option("--on", "on", default=None, help=("记账日期（默认今天）", "the line's date (today by default)"))


def _parse(parser, name: str, value):
    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t("inc.bad_option", option=name, reason=exc)) from None


def _day(value) -> dt.date:
    return _parse(parse_date, "--on", value) or dt.date.today()


def _figures(app):
    from xiaoqi.core.rules.params import param_table

    from .params import Figures

    return Figures(param_table(app.config()))


def _type_label(line_type: str) -> str:
    from . import vocabulary as v

    return (v.LINE_TYPES_ZH if get_lang() == "zh" else v.LINE_TYPES_EN)[line_type]


def account_label(account: str) -> str:
    from . import vocabulary as v

    return dict(zip(v.ACCOUNTS, v.ACCOUNTS_ZH if get_lang() == "zh" else v.ACCOUNTS_EN))[account]


@group("incentives")
def incentives_group():
    pass


@incentives_group.command("accrue", help=("按登记数据计算某年的抵免额与补贴并记账（重复运行不会重复记账）",
                                          "compute a year's credits and subsidies from the registry and post them (idempotent)"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("年度", "year"))
@option("--dry-run", is_flag=True, default=False, help=("只试算，不记账", "compute only, post nothing"))
@format_option
@pass_app
def accrue_command(app, year, dry_run, fmt):
    from xiaoqi.core.db import write_session

    from .accrue import accrue
    from .ledger import yuan

    figures = _figures(app)
    with write_session(app.engine()) as session:
        result = accrue(session, app.actor, year, figures, dry_run=dry_run)
    counts = result.counts()
    if fmt == "json":
        emit_json({"year": year, "dry_run": dry_run, "run_id": result.run_id, "lines": len(result.lines), "by_type": counts,
                   "posted": [{k: line[k] for k in ("uscc", "line_type", "account", "period", "entry_date", "vintage", "scheme",
                                                    "case_key", "source_kind", "source_key")} | {"amount": str(yuan(line["amount_fen"]))}
                              for line in result.lines]})
        return
    if not result.lines:
        click.echo(t("inc.accrued.none", year=year))
        return
    click.echo(t("inc.accrued", year=year, n=len(result.lines), dry=t("inc.dry") if dry_run else ""))
    totals: dict[str, int] = {}
    for line in result.lines:
        totals[line["line_type"]] = totals.get(line["line_type"], 0) + line["amount_fen"]
    print_table([t("inc.col.type"), t("inc.col.count"), t("inc.col.amount")],
                [[_type_label(k), counts[k], f"{yuan(totals[k]):,.2f}"] for k in sorted(counts)], right={1, 2})


def _case_command(name: str, help_: tuple[str, str], action: str, **extra):
    @incentives_group.command(name, help=help_)
    @argument("case", help=("案件：项目/统一社会信用代码/身份证号/年度", "case: scheme/USCC/ID number/year"))
    @today_option
    @pass_app
    def command(app, case, on, **kw):
        from xiaoqi.core.db import write_session

        from . import subsidies
        from .eligibility import shown_key
        from .ledger import get_line, yuan

        figures = _figures(app)
        with write_session(app.engine()) as session:
            line_id = getattr(subsidies, action)(session, app.actor, case, figures, on=_day(on), **kw)
            line = get_line(session.connection(), line_id)
        click.echo(t("inc.posted", id=line_id, type=_type_label(line.line_type), amount=f"{yuan(abs(line.amount_fen)):,.2f}",
                     case=shown_key(line.case_key, app.actor)))

    for decorator in extra.get("options", ()):
        command = decorator(command)
    return command


_case_command("claim", ("申请一个补贴案件（企业本身或管理员）", "claim a subsidy case (the enterprise or an admin)"), "claim")
_case_command("approve", ("核准一个已申请的补贴案件（须全部审核步骤通过或经登记例外）", "approve a claimed case (every step passed or overridden)"), "approve")
_case_command("pay", ("拨付已核准的补贴；--advance 按预拨比例预拨", "pay an approved case; --advance pays the advance share"), "pay",
              options=[option("--advance", is_flag=True, default=False, help=("预拨", "pay an advance"))])
_case_command("pass-on", ("登记企业已将实习补贴转付学生", "record that the enterprise passed the subsidy on to the student"), "pass_on")


@incentives_group.command("reverse", help=("冲销一行台账（另记一行冲销，不修改原行）", "reverse a ledger line (by a new line naming it)"))
@argument("line", type=int, help=("行号", "line id"))
@option("--reason", required=True, help=("冲销理由", "the reason"))
@today_option
@pass_app
def reverse_command(app, line, reason, on):
    from xiaoqi.core.db import write_session

    from .ledger import reverse

    with write_session(app.engine()) as session:
        new = reverse(session, app.actor, line, reason=reason, on=_day(on))
    click.echo(t("inc.reversed", line=line, id=new))


@incentives_group.command("close-period", help=("结账：此后不得在该年度记账，更正记入下一开放账期", "close a year: later corrections land in the next open period"))
@argument("year", type=click.IntRange(2000, 2100), help=("年度", "year"))
@today_option
@pass_app
def close_command(app, year, on):
    from xiaoqi.core.db import write_session

    from .ledger import close_period

    with write_session(app.engine()) as session:
        close_period(session, app.actor, year, on=_day(on))
    click.echo(t("inc.closed", year=year))


@incentives_group.command("balance", help=("各企业、科目、账期的发生额与余额", "movement and balance per enterprise, account and period"))
@option("--enterprise", default=None, help=("统一社会信用代码", "USCC"))
@option("--year", type=click.IntRange(2000, 2100), default=None, help=("只看该账期（余额含以前各期）", "that period only (balance includes earlier ones)"))
@option("--account", type=click.Choice(["credit", "repayable", "claimed", "approved", "paid", "passed_on"]), default=None,
        help=("科目", "account"))
@format_option
@pass_app
def balance_command(app, enterprise, year, account, fmt):
    from xiaoqi.core.db import read_session

    from .ledger import balances, yuan
    from .statement import firm_names

    uscc = _parse(parse_uscc, "--enterprise", enterprise)
    with read_session(app.engine()) as session:
        conn = session.connection()
        rows = balances(conn, app.actor, uscc=uscc, year=year, account=account)
        names = firm_names(conn, {r["uscc"] for r in rows})
    if fmt == "json":
        emit_json([{**r, "name": names.get(r["uscc"]), "movement": str(yuan(r["movement_fen"])), "balance": str(yuan(r["balance_fen"]))}
                   for r in rows])
        return
    if not rows:
        click.echo(t("inc.none"))
        return
    print_table([t(f"inc.col.{c}") for c in ("firm", "uscc", "account", "period", "movement", "balance", "lines")],
                [[names.get(r["uscc"], ""), r["uscc"], account_label(r["account"]), r["period"], f"{yuan(r['movement_fen']):,.2f}",
                  f"{yuan(r['balance_fen']):,.2f}", r["lines"]] for r in rows], right={4, 5, 6})


@incentives_group.command("eligibility", help=("学徒补贴案件的各审核步骤（通过 / 未通过 / 无法判断）及理由",
                                               "each apprentice case's eligibility steps (pass / fail / unknown) and why"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("年度", "year"))
@option("--enterprise", default=None, help=("统一社会信用代码", "USCC"))
@format_option
@pass_app
def eligibility_command(app, year, enterprise, fmt):
    from xiaoqi.core.db import read_session

    from . import eligibility as el
    from . import vocabulary as v

    uscc = _parse(parse_uscc, "--enterprise", enterprise)
    if app.actor.role == "enterprise":
        uscc = app.actor.code
    figures = _figures(app)
    with read_session(app.engine()) as session:
        conn = session.connection()
        rows = el.case_rows(conn, year, uscc=uscc)
        if app.actor.role == "school":
            rows = [r for r in rows if r["school_code"] == app.actor.code]
        elif app.actor.role == "province":
            rows = [r for r in rows if (r["region"] or "").startswith(app.actor.code)]
        decided = el.overrides(conn, [r["case_key"] for r in rows])
        claims = el.claims_by_person(conn, v.APPRENTICE, year)
        cases = [(r, el.steps(r, figures, decided, claims), el.amount_of(r, figures)) for r in rows]

    def show(key: str) -> str:
        return el.shown_key(key, app.actor)

    if fmt == "json":
        emit_json([{"case": show(r["case_key"]), "enterprise": r["firm"], "verdict": el.verdict(found), "amount": str(amount),
                    "steps": [{"step": s.name, "status": s.status, "reason": s.reason, "overridden": s.overridden} for s in found]}
                   for r, found, amount in cases])
        return
    if not cases:
        click.echo(t("inc.eligibility.none", year=year))
        return
    out = []
    for r, found, amount in cases:
        for n, s in enumerate(found):
            out.append([show(r["case_key"]) if n == 0 else "", r["firm"] if n == 0 else "", f"{amount:,.2f}" if n == 0 else "",
                        s.label(), t(f"inc.status.{s.status}"), s.reason])
    print_table([t(f"inc.col.{c}") for c in ("case", "firm", "subsidy", "step", "status", "reason")], out, right={2})


@incentives_group.command("statement", help=("企业年度对账单：期初余额、本期各行（注明来源）、期末余额、结转抵免额",
                                             "an enterprise's statement for a year: opening balances, each line with its source, closing, carried forward"))
@option("--enterprise", required=True, help=("统一社会信用代码", "USCC"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("年度", "year"))
@option("-o", "--output", "output", default=None, help=("写入文件（.md、.xlsx、.pdf 或 .docx）；不写则输出到屏幕", "write a file (.md, .xlsx, .pdf or .docx); the screen otherwise"))
@pass_app
def statement_command(app, enterprise, year, output):
    from xiaoqi.core.db import read_session

    from . import statement as st

    uscc = _parse(parse_uscc, "--enterprise", enterprise)
    suffix = st.check_format(output) if output else None
    if output:
        from xiaoqi.core.output import check_target

        check_target(output)  # before the ledger is read
    with read_session(app.engine()) as session:
        built = st.build(session.connection(), app.actor, uscc, year)
    if suffix is None:
        click.echo(st.markdown(built))
        return
    from xiaoqi.core.output import open_output

    if suffix in (".pdf", ".docx"):
        from xiaoqi.core.documents import write_document

        write_document(st.document(built), output)
    elif suffix == ".md":
        with open_output(output, text=True) as fh:
            fh.write(st.markdown(built))
    else:
        with open_output(output) as fh:
            st.workbook(built).save(fh)
    click.echo(output)


@incentives_group.command("export", help=("导出台账供复式记账软件核对（beancount）", "export the ledger for a double-entry tool (beancount)"))
@option("--format", "fmt", type=click.Choice(["beancount"]), default="beancount", show_default=True, help=("格式", "format"))
@option("-o", "--output", "output", default=None, help=("写入文件（.beancount 或 .bean）；不写则输出到屏幕", "write a file (.beancount or .bean); the screen otherwise"))
@pass_app
def export_command(app, fmt, output):
    from xiaoqi.core.db import read_session

    from .statement import beancount

    if output is not None:  # before the ledger is read
        from xiaoqi.core.documents import check_suffix
        from xiaoqi.core.output import check_target

        check_suffix(output, ("beancount", "bean"), t("inc.export.what"))
        check_target(output)
    with read_session(app.engine()) as session:
        text = beancount(session.connection(), app.actor)
    if output is None:
        click.echo(text, nl=False)
        return
    from xiaoqi.core.output import open_output

    with open_output(output, text=True) as fh:
        fh.write(text)
    click.echo(output)
