"""``xiaoqi luban list|show|summary``: the Luban Workshops as text tables or JSON."""

from __future__ import annotations

import click

from xiaoqi.core.cli import argument, emit_json, format_option, group, option, pass_app, print_table
from xiaoqi.core.errors import UsageError
from xiaoqi.core.fields import format_bool, parse_code10
from xiaoqi.core.i18n import catalogue, display_width, pad, t
from xiaoqi.core.kinds import get_kind

catalogue(
    {
        "luban.bad_option": ("{option}：{reason}", "{option}: {reason}"),
        "luban.none": ("（没有鲁班工坊）", "(no Luban Workshops)"),
        "luban.col.name": ("工坊名称", "workshop"),
        "luban.col.country": ("国家", "country"),
        "luban.col.city": ("城市", "city"),
        "luban.col.partner": ("合作院校", "partner institution"),
        "luban.col.college": ("国内牵头院校", "lead college"),
        "luban.col.status": ("状态", "status"),
        "luban.col.opened": ("揭牌日期", "opened"),
        "luban.col.workshops": ("工坊数", "workshops"),
        "luban.col.enrolled": ("学历教育在校生", "enrolled"),
        "luban.col.trainees": ("培训人次", "trainees"),
        "luban.col.teachers": ("培训教师人次", "teachers trained"),
        "luban.col.sent": ("派出中方教师", "teachers sent"),
        "luban.col.value": ("设备价值（元）", "equipment (yuan)"),
        "luban.col.year": ("年度", "year"),
        "luban.col.standards": ("纳入所在国国民教育体系的标准", "standards adopted"),
        "luban.col.item": ("设备名称", "item"),
        "luban.col.quantity": ("数量", "quantity"),
        "luban.col.delivered": ("交付日期", "delivered"),
        "luban.col.enterprise": ("合作企业", "enterprise"),
        "luban.col.roles": ("合作角色", "roles"),
        "luban.summary.title": ("鲁班工坊汇总（{period}）", "Luban Workshops summary ({period})"),
        "luban.summary.all_years": ("历年累计；在校生为各工坊最近一年", "all years; enrolment of each workshop's latest year"),
        "luban.summary.year": ("{year}年度", "year {year}"),
        "luban.summary.by_country": ("按所在国家", "By host country"),
        "luban.summary.by_college": ("按国内牵头院校", "By lead college"),
        "luban.summary.total": ("合计", "Total"),
        "luban.school.unregistered": ("（未在册）", "(not registered)"),
        "luban.show.partners": ("合作企业", "Partner enterprises"),
        "luban.show.equipment": ("设备（合计 {value} 元）", "Equipment (total {value} yuan)"),
        "luban.show.activity": ("年度数据", "Yearly activity"),
        "luban.show.empty": ("  （无）", "  (none)"),
    }
)


def money(value) -> str:
    return f"{value:,.2f}"


def count(value) -> str:
    return f"{value:,}"


def _option(parser, option: str, value):
    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t("luban.bad_option", option=option, reason=exc)) from None


def _country(value):
    from xiaoqi.core.countries import parse_country

    return _option(parse_country, "--country", value)


def _status(value):
    from .kinds import WORKSHOPS

    return _option(WORKSHOPS.by_name["status"].parse, "--status", value)


def _school(value):
    return _option(parse_code10, "--school", value)


def _college(code: str, name: str | None) -> str:
    return f"{name or t('luban.school.unregistered')} {code}"


def _status_label(value: str) -> str:
    return get_kind("luban_workshops").by_name["status"].choice_text(value)


year_option = option("--year", type=click.IntRange(2000, 2100), default=None,
                     help=("只计该年度（设备计至年底已交付的）", "that year only (equipment delivered by its end)"))


@group("luban")
def luban_group():
    pass


@luban_group.command("list", help=("列出鲁班工坊及其培训人次、设备价值", "list the workshops with their figures"))
@option("--country", default=None, help=("所在国家（如 TH、泰国）", "host country (e.g. TH, Thailand)"))
@option("--school", default=None, help=("牵头院校的学校代码", "the lead college's school code"))
@option("--status", default=None, help=("状态：建设中 / 运营 / 暂停", "status: under construction / operating / suspended"))
@year_option
@format_option
@pass_app
def list_command(app, country, school, status, year, fmt):
    from xiaoqi.core.db import read_session

    from .service import list_workshops

    country, status, school = _country(country), _status(status), _school(school)
    with read_session(app.engine()) as session:
        rows = list_workshops(session, actor=app.actor, country=country, school=school, status=status, year=year)
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        click.echo(t("luban.none"))
        return
    headers = [t(f"luban.col.{c}") for c in ("name", "country", "college", "status", "opened", "enrolled", "trainees",
                                             "teachers", "value")]
    print_table(headers, [
        [r["name"], r["country_name"], _college(r["lead_school_code"], r["lead_school_name"]), _status_label(r["status"]),
         r["opened_on"], count(r["enrolled"]), count(r["trainees"]), count(r["local_teachers_trained"]),
         money(r["equipment_value"])]
        for r in rows
    ], right={5, 6, 7, 8})


@luban_group.command("show", help=("显示一个鲁班工坊：合作企业、设备、年度数据", "show one workshop in full: partners, equipment, yearly figures"))
@argument("name", help=("工坊名称", "the workshop's name"))
@format_option
@pass_app
def show_command(app, name, fmt):
    from xiaoqi.core.db import read_session

    from .kinds import WORKSHOPS
    from .service import workshop_detail

    with read_session(app.engine()) as session:
        detail = workshop_detail(session, actor=app.actor, name=name.strip())
    if fmt == "json":
        emit_json(detail.as_dict())
        return
    w = detail.workshop
    values = dict(w)
    values["country"] = f"{w['country']} {detail.as_dict()['country_name']}"
    values["lead_school_code"] = _college(w["lead_school_code"], detail.lead_school_name)
    values["status"] = _status_label(w["status"])
    width = max(display_width(c.header()) for c in WORKSHOPS.columns)
    for c in WORKSHOPS.columns:
        value = values.get(c.name)
        if isinstance(value, bool):
            value = format_bool(value, app.lang)
        click.echo(f"{pad(c.header(), width)}  {'' if value is None else value}")
    click.echo()
    click.echo(t("luban.show.partners"))
    if detail.partners:
        print_table([t("luban.col.enterprise"), t("luban.col.roles")], [
            [_partner_label(p), p["roles"]] for p in detail.partners])
    else:
        click.echo(t("luban.show.empty"))
    click.echo()
    click.echo(t("luban.show.equipment", value=money(detail.equipment_value)))
    if detail.equipment:
        print_table([t("luban.col.item"), t("luban.col.quantity"), t("luban.col.value"), t("luban.col.delivered")],
                    [[e["item"], e["quantity"], money(_decimal(e["value"])), e["delivered_on"]] for e in detail.equipment],
                    right={1, 2})
    else:
        click.echo(t("luban.show.empty"))
    click.echo()
    click.echo(t("luban.show.activity"))
    if detail.activity:
        print_table([t(f"luban.col.{c}") for c in ("year", "enrolled", "trainees", "teachers", "sent", "standards")],
                    [[a["year"], count(a["enrolled"]), count(a["trainees"]), count(a["local_teachers_trained"]),
                      count(a["chinese_teachers_sent"]), a["standards_adopted"]] for a in detail.activity], right={1, 2, 3, 4})
    else:
        click.echo(t("luban.show.empty"))


def _partner_label(p: dict) -> str:
    name = p["name"] or p["registered_name"]
    return f"{name}（{p['partner']}）" if name and name != p["partner"] else p["partner"]


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value))


@luban_group.command("summary", help=("按所在国家和国内牵头院校汇总：工坊数、培训人次、培训教师人次、设备价值",
                                      "totals by host country and by lead college: workshops, trainees, teachers trained, equipment value"))
@option("--by", "by", type=click.Choice(["country", "college", "all"]), default="all", show_default=True,
        help=("按国家、按院校或两者", "by country, by college, or both"))
@year_option
@format_option
@pass_app
def summary_command(app, by, year, fmt):
    from xiaoqi.core.db import read_session

    from .service import summary

    with read_session(app.engine()) as session:
        s = summary(session, actor=app.actor, year=year)
    if fmt == "json":
        data = s.as_dict()
        if by != "all":
            data.pop("by_college" if by == "country" else "by_country")
        emit_json(data)
        return
    period = t("luban.summary.year", year=year) if year else t("luban.summary.all_years")
    click.echo(t("luban.summary.title", period=period))
    figures = ("workshops", "enrolled", "trainees", "teachers", "sent", "value")

    def figure_cells(r):
        return [count(r["workshops"]), count(r["enrolled"]), count(r["trainees"]), count(r["local_teachers_trained"]),
                count(r["chinese_teachers_sent"]), money(r["equipment_value"])]

    right = set(range(1, 7))
    total = [t("luban.summary.total"), *figure_cells(s.total)]
    if by in ("country", "all"):
        click.echo()
        click.echo(t("luban.summary.by_country"))
        print_table([t("luban.col.country"), *(t(f"luban.col.{c}") for c in figures)],
                    [[f"{r['country']} {r['country_name']}", *figure_cells(r)] for r in s.by_country] + [total], right)
    if by in ("college", "all"):
        click.echo()
        click.echo(t("luban.summary.by_college"))
        print_table([t("luban.col.college"), *(t(f"luban.col.{c}") for c in figures)],
                    [[_college(r["lead_school_code"], r["school_name"]), *figure_cells(r)] for r in s.by_college] + [total],
                    right)
