"""``xiaoqi onex certificates | sites | results --session CODE | account STUDENT | convert --term T
[--dry-run] | summary --year Y``: 1+X as text tables or JSON (``--format json``), each as the actor
may see it."""

from __future__ import annotations

import datetime as dt

import click

from xiaoqi.core.cli import argument, emit_json, format_option, group, option, pass_app, print_table
from xiaoqi.core.errors import UsageError
from xiaoqi.core.fields import format_bool, parse_code10, parse_date, parse_idcard, parse_term
from xiaoqi.core.i18n import catalogue, get_lang, t

catalogue(
    {
        "onex.bad_option": ("{option}：{reason}", "{option}: {reason}"),
        "onex.none": ("（无记录）", "(none)"),
        "onex.col.code": ("证书代码", "code"),
        "onex.col.name": ("名称", "name"),
        "onex.col.organisation": ("培训评价组织", "organisation"),
        "onex.col.field": ("领域", "field"),
        "onex.col.levels": ("等级", "levels"),
        "onex.col.valid": ("有效期", "valid"),
        "onex.col.in_force": ("现行", "in force"),
        "onex.col.sites": ("站点", "sites"),
        "onex.col.candidates": ("考生", "candidates"),
        "onex.col.passes": ("通过", "passed"),
        "onex.col.pass_rate": ("通过率", "pass rate"),
        "onex.col.issued": ("发证", "issued"),
        "onex.col.conversions": ("学分转换", "conversions"),
        "onex.col.credits": ("学分", "credits"),
        "onex.col.site": ("站点", "site"),
        "onex.col.school": ("学校", "school"),
        "onex.col.certificate": ("证书", "certificate"),
        "onex.col.level": ("等级", "level"),
        "onex.col.capacity": ("容量", "capacity"),
        "onex.col.accredited": ("授权期", "accredited"),
        "onex.col.accredited_now": ("授权中", "accredited now"),
        "onex.col.sessions": ("考核场次", "sessions"),
        "onex.col.upcoming": ("待考", "upcoming"),
        "onex.col.student": ("学生", "student"),
        "onex.col.id_number": ("身份证号", "ID number"),
        "onex.col.score": ("成绩", "score"),
        "onex.col.passed": ("通过", "passed"),
        "onex.col.fee_paid": ("缴费（元）", "fee paid (yuan)"),
        "onex.col.name_": ("姓名", "name"),
        "onex.col.student_no": ("学号", "student no."),
        "onex.col.school_code": ("学校代码", "school code"),
        "onex.col.school_name": ("学校", "school"),
        "onex.col.major_code": ("专业代码", "major code"),
        "onex.col.major_name": ("专业", "major"),
        "onex.col.enrolled_on": ("入学日期", "enrolled"),
        "onex.col.school_year": ("在读年级", "year of study"),
        "onex.col.class_name": ("班级", "class"),
        "onex.col.session_code": ("考核编号", "session"),
        "onex.col.held_on": ("考核日期", "held on"),
        "onex.col.certificate_code": ("证书代码", "certificate"),
        "onex.col.certificate_name": ("证书名称", "certificate name"),
        "onex.col.certificate_no": ("证书编号", "certificate no."),
        "onex.col.issued_on": ("发证日期", "issued on"),
        "onex.col.valid_to": ("有效期至", "valid to"),
        "onex.col.held": ("有效", "valid"),
        "onex.col.term": ("学期", "term"),
        "onex.col.course_code": ("课程代码", "course"),
        "onex.col.course_name": ("课程名称", "course name"),
        "onex.col.exemption": ("方式", "exemption"),
        "onex.col.rule_code": ("规则", "rule"),
        "onex.col.applied_on": ("认定日期", "applied on"),
        "onex.col.applied_by": ("认定人", "applied by"),
        "onex.results.title": ("考核 {code}：{certificate}{level}，{site}（{school}），{day}；考生 {n} 人，通过 {passes} 人",
                               "Session {code}: {certificate} {level} at {site} ({school}) on {day}; {n} candidates, {passes} passed"),
        "onex.account.title": ("学分银行账户：{name}（{id}），{school} {major}，{enrolled} 入学，第 {year} 学年",
                               "Credit-bank account: {name} ({id}), {school} {major}, enrolled {enrolled}, year {year}"),
        "onex.account.results": ("考核", "Assessments"),
        "onex.account.certificates": ("证书", "Certificates"),
        "onex.account.conversions": ("学分转换（合计 {credits} 学分）", "Credit conversions ({credits} credits in all)"),
        "onex.account.written": ("已写入 {path}", "Written to {path}"),
        "onex.account.what": ("学分银行账户", "a credit-bank account"),
        "onex.account.doc_title": ("学分银行个人学习账户：{name}", "Credit-bank account: {name}"),
        "onex.account.student": ("学生", "Student"),
        "onex.col.item": ("项目", "item"),
        "onex.col.value": ("内容", "value"),
        "onex.convert.title": ("{mode}：{term} 学期，按 {day} 有效的规则与证书：新转换 {n} 门次、{credits} 学分；此前已转换 {already} 门次",
                               "{mode}: term {term}, by the rules and certificates valid on {day}: {n} new conversions, {credits} credits; {already} converted before"),
        "onex.convert.dry": ("预览（未写入）", "Preview (nothing written)"),
        "onex.convert.done": ("已转换", "Converted"),
        "onex.summary.title": ("{year} 年 1+X 证书：考生、通过率、发证与学分转换", "1+X certificates in {year}: candidates, pass rate, certificates and conversions"),
    }
)



def _option(parser, name: str, value):
    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t("onex.bad_option", option=name, reason=exc)) from None


def _on(value) -> dt.date:
    return _option(parse_date, "--on", value) or dt.date.today()


def _level(value: str | None) -> str | None:
    from xiaoqi.core.kinds import get_kind

    return get_kind("onex_sites").by_name["level"].choice_text(value)


def _levels(value: str | None) -> str | None:
    from xiaoqi.core.kinds import get_kind

    return get_kind("onex_certificates").by_name["levels"].choice_text(value)


def _exemption(value: str | None) -> str | None:
    from xiaoqi.core.kinds import get_kind

    return get_kind("onex_conversions").by_name["exemption"].choice_text(value)


def _yes(value) -> str:
    return format_bool(value, get_lang()) if value is not None else ""


def _span(start, end) -> str:
    return f"{start} ~ {end or ''}".rstrip()


def _rate(passes: int, candidates: int) -> str:
    return f"{passes / candidates:.1%}" if candidates else "—"


def _heads(*names: str) -> list[str]:
    return [t(f"onex.col.{n}") for n in names]


on_option = option("--on", default=None, metavar="DATE", help=("以该日为准（默认今天）", "as on that day (default: today)"))


@group("onex")
def onex_group():
    pass


@onex_group.command("certificates", help=("列出职业技能等级证书：组织、等级、有效期、站点、考生与发证", "list the certificates: organisation, levels, validity, sites, candidates, issued"))
@on_option
@format_option
@pass_app
def certificates_command(app, on, fmt):
    from xiaoqi.core.db import read_session

    from .bank import jsonable, list_certificates

    day = _on(on)
    with read_session(app.engine()) as session:
        rows = list_certificates(session, actor=app.actor, on=day)
    if fmt == "json":
        emit_json(jsonable(rows))
        return
    if not rows:
        click.echo(t("onex.none"))
        return
    print_table(_heads("code", "name", "organisation", "field", "levels", "valid", "in_force", "sites", "candidates", "pass_rate", "issued"),
                [[r["code"], r["name"], r["organisation"], r["field"], _levels(r["levels"]), _span(r["valid_from"], r["valid_to"]),
                  _yes(r["in_force"]), r["sites"], r["candidates"], _rate(r["passes"], r["candidates"]), r["issued"]] for r in rows],
                right={7, 8, 9, 10})


@onex_group.command("sites", help=("列出考核站点：学校、证书与等级、容量、授权期、考核场次", "list the assessment sites: school, certificate and level, capacity, accreditation, sessions"))
@option("--school", default=None, help=("只看该学校的站点", "only that school's sites"))
@option("--certificate", default=None, help=("只看该证书（证书代码）", "only that certificate (its code)"))
@on_option
@format_option
@pass_app
def sites_command(app, school, certificate, on, fmt):
    from xiaoqi.core.db import read_session

    from .bank import jsonable, list_sites

    school = _option(parse_code10, "--school", school)
    day = _on(on)
    with read_session(app.engine()) as session:
        rows = list_sites(session, actor=app.actor, on=day, school=school, certificate=certificate.strip() if certificate else None)
    if fmt == "json":
        emit_json(jsonable(rows))
        return
    if not rows:
        click.echo(t("onex.none"))
        return
    print_table(_heads("site", "school", "certificate", "level", "capacity", "accredited", "accredited_now", "sessions", "upcoming"),
                [[f"{r['site_code']} {r['name']}", r["school_name"], r["certificate_name"], _level(r["level"]), r["capacity"],
                  _span(r["accredited_from"], r["accredited_to"]), _yes(r["accredited"]), r["sessions"], r["upcoming"]] for r in rows],
                right={4, 7, 8})


@onex_group.command("results", help=("一场考核的考生与成绩（身份证号脱敏）", "the candidates and results of one session (ID numbers masked)"))
@option("--session", "code", required=True, help=("考核编号", "the session's code"))
@format_option
@pass_app
def results_command(app, code, fmt):
    from xiaoqi.core.db import read_session

    from .bank import session_results

    with read_session(app.engine()) as session:
        found = session_results(session, actor=app.actor, code=code.strip())
    if fmt == "json":
        emit_json(found.as_dict())
        return
    s = found.session
    click.echo(t("onex.results.title", code=s["session_code"], certificate=s["certificate_name"], level=_level(s["level"]),
                 site=f"{s['site_code']} {s['site_name']}", school=s["school_name"], day=s["held_on"], n=len(found.results),
                 passes=found.passes))
    if found.results:
        print_table(_heads("student", "id_number", "school_code", "score", "passed", "fee_paid"),
                    [[r["student_name"], r["id_number"], r["school_code"], r["score"], _yes(r["passed"]), r["fee_paid"]]
                     for r in found.results], right={3, 5})


@onex_group.command("account", help=("学生的学分银行账户：学籍、考核、证书与学分转换，可导出", "a student's credit-bank account: programme, assessments, certificates, conversions; exportable"))
@argument("student", help=("学生身份证号", "the student's ID number"))
@on_option
@option("-o", "--output", "output", default=None, metavar="FILE", help=("导出到文件（.xlsx、.json、.pdf 或 .docx）", "export to a file (.xlsx, .json, .pdf or .docx)"))
@format_option
@pass_app
def account_command(app, student, on, output, fmt):
    from xiaoqi.core.db import read_session

    from .bank import account, write_account

    id_number = _option(parse_idcard, "STUDENT", student)
    day = _on(on)
    if output:  # before anything is read: an extension not written is refused
        from xiaoqi.core.documents import check_suffix
        from xiaoqi.core.output import check_target

        check_suffix(output, ("xlsx", "json", "pdf", "docx"), t("onex.account.what"))
        check_target(output)
    with read_session(app.engine()) as session:
        acct = account(session, actor=app.actor, id_number=id_number, on=day)
    if output:
        write_account(acct, output)
        click.echo(t("onex.account.written", path=output), err=fmt == "json")
    if fmt == "json":
        emit_json(acct.as_dict())
        return
    s = acct.student
    click.echo(t("onex.account.title", name=s["name"], id=s["id_number"], school=s["school_name"],
                 major=s["major_name"] or s["major_code"], enrolled=s["enrolled_on"], year=s["school_year"]))
    for title, heads, rows, cells in (
            ("onex.account.results", ("session_code", "held_on", "certificate_name", "level", "score", "passed"), acct.results,
             lambda r: [r["session_code"], r["held_on"], r["certificate_name"], _level(r["level"]), r["score"], _yes(r["passed"])]),
            ("onex.account.certificates", ("certificate_no", "certificate_name", "level", "issued_on", "valid_to", "held"), acct.certificates,
             lambda r: [r["certificate_no"], r["certificate_name"], _level(r["level"]), r["issued_on"], r["valid_to"], _yes(r["held"])]),
            ("onex.account.conversions", ("term", "course_code", "course_name", "credits", "exemption", "rule_code", "applied_on"), acct.conversions,
             lambda r: [r["term"], r["course_code"], r["course_name"], r["credits"], _exemption(r["exemption"]), r["rule_code"], r["applied_on"]])):
        click.echo()
        click.echo(t(title, credits=acct.credits))
        if rows:
            print_table(_heads(*heads), [cells(r) for r in rows])
        else:
            click.echo(t("onex.none"))


@onex_group.command("convert", help=("按有效的学分转换规则为持证学生转换学分（可预览；重复运行不会重复转换）",
                                     "apply the conversion rules in force to the students holding certificates (preview with --dry-run; running it again converts nothing twice)"))
@option("--term", required=True, help=("学分计入的学期，如 2025-2026-1", "the term the credits count for, e.g. 2025-2026-1"))
@option("--dry-run", is_flag=True, help=("只预览，不写入", "preview only, write nothing"))
@option("--school", default=None, help=("只转换该学校（管理员用）", "only that school (for an admin)"))
@option("--by", "applied_by", default=None, help=("认定人（默认为当前身份）", "who approves them (default: the actor)"))
@on_option
@format_option
@pass_app
def convert_command(app, term, dry_run, school, applied_by, on, fmt):
    from xiaoqi.core.db import write_session

    from .bank import convert

    term = _option(parse_term, "--term", term)
    school = _option(parse_code10, "--school", school)
    day = _on(on)
    with write_session(app.engine()) as session:
        run = convert(session, actor=app.actor, term=term, on=day, dry_run=dry_run, school=school,
                      applied_by=applied_by.strip() if applied_by else None)
        if dry_run:
            session.rollback()
    if fmt == "json":
        emit_json(run.as_dict())
        return
    credits = sum((c["credits"] for c in run.conversions), 0)
    click.echo(t("onex.convert.title", mode=t("onex.convert.dry" if dry_run else "onex.convert.done"), term=term, day=day,
                 n=len(run.conversions), credits=credits, already=run.already))
    if run.conversions:
        print_table(_heads("student", "id_number", "course_code", "credits", "exemption", "rule_code", "certificate_no"),
                    [[c["student_name"], c["id_number"], c["course_code"], c["credits"], _exemption(c["exemption"]), c["rule_code"],
                      c["certificate_no"]] for c in run.conversions], right={3})


@onex_group.command("summary", help=("某年度按证书与等级：考生、通过、通过率、发证、学分转换", "a year by certificate and level: candidates, passes, pass rate, certificates issued, conversions"))
@option("--year", type=click.IntRange(2019, 2100), required=True, help=("年度", "the year"))
@format_option
@pass_app
def summary_command(app, year, fmt):
    from xiaoqi.core.db import read_session

    from .bank import jsonable, summary

    with read_session(app.engine()) as session:
        rows = summary(session, actor=app.actor, year=year)
    if fmt == "json":
        emit_json(jsonable(rows))
        return
    click.echo(t("onex.summary.title", year=year))
    if not rows:
        click.echo(t("onex.none"))
        return
    print_table(_heads("certificate", "level", "candidates", "passes", "pass_rate", "issued", "conversions", "credits"),
                [[f"{r['certificate_code']} {r['certificate_name']}", _level(r["level"]), r["candidates"], r["passes"],
                  _rate(r["passes"], r["candidates"]), r["issued"], r["conversions"], r["credits"]] for r in rows],
                right=set(range(2, 8)))
