"""``xiaoqi ic list | show CODE | summary --year Y | scorecard CODE --year Y``: the industrial
colleges as text tables or JSON (``--format json``), each as the actor may see them (a school its
colleges and those it is a partner of, an enterprise those it is a partner of)."""

from __future__ import annotations

import datetime as dt

import click

from xiaoqi.core.cli import argument, emit_json, format_option, group, option, pass_app, print_table
from xiaoqi.core.errors import UsageError
from xiaoqi.core.fields import format_bool, parse_code10
from xiaoqi.core.i18n import both, catalogue, display_width, get_lang, pad, t

catalogue(
    {
        "ic.bad_option": ("{option}：{reason}", "{option}: {reason}"),
        "ic.none": ("（没有产业学院）", "(no industrial colleges)"),
        "ic.empty": ("  （无）", "  (none)"),
        "ic.col.code": ("学院编码", "code"),
        "ic.col.name": ("学院名称", "college"),
        "ic.col.school": ("牵头学校", "lead school"),
        "ic.col.school_code": ("学校", "school"),
        "ic.col.authors": ("企业作者", "enterprise authors"),
        "ic.col.type": ("类型", "type"),
        "ic.col.status": ("状态", "status"),
        "ic.col.founded": ("成立日期", "founded"),
        "ic.col.enterprise_partners": ("企业合作方", "enterprise partners"),
        "ic.col.investment": ("企业投入（元）", "investment (yuan)"),
        "ic.col.teaching_hours": ("企业教师学时", "enterprise teaching hours"),
        "ic.col.enterprise_teachers": ("企业教师", "enterprise teachers"),
        "ic.col.students": ("学生", "students"),
        "ic.col.interns": ("岗位实习学生", "interns"),
        "ic.col.apprentices": ("学徒", "apprentices"),
        "ic.col.hires": ("订单班录用", "order-class hires"),
        "ic.col.meetings": ("治理会议", "meetings"),
        "ic.col.services": ("产学研项目", "services"),
        "ic.col.service_income": ("服务金额（元）", "service income (yuan)"),
        "ic.col.trainees": ("员工培训人次", "employees trained"),
        "ic.col.partner": ("合作方", "partner"),
        "ic.col.role": ("角色", "role"),
        "ic.col.joined": ("加入日期", "joined"),
        "ic.col.left": ("退出日期", "left"),
        "ic.col.seats": ("机构席位", "seats"),
        "ic.col.body": ("机构", "body"),
        "ic.col.members": ("成员", "members"),
        "ic.col.date": ("日期", "date"),
        "ic.col.title": ("名称", "title"),
        "ic.col.decisions": ("决议事项", "decisions"),
        "ic.col.major": ("专业", "major"),
        "ic.col.core": ("核心专业", "core"),
        "ic.col.class": ("订单班", "order class"),
        "ic.col.enterprise": ("企业", "enterprise"),
        "ic.col.intake": ("招生年份", "intake"),
        "ic.col.enrolled": ("实际人数", "enrolled"),
        "ic.col.committed": ("承诺录用", "committed"),
        "ic.col.hired": ("毕业录用", "hired"),
        "ic.col.year": ("年度", "year"),
        "ic.col.total": ("合计", "total"),
        "ic.col.teacher": ("企业教师", "teacher"),
        "ic.col.term": ("学期", "term"),
        "ic.col.course": ("课程", "course"),
        "ic.col.hours": ("学时", "hours"),
        "ic.col.level": ("认定级别", "level"),
        "ic.col.batch": ("批次", "batch"),
        "ic.col.task": ("建设任务", "task"),
        "ic.col.evidence": ("佐证", "evidence"),
        "ic.col.self": ("自评", "self-assessment"),
        "ic.col.capacity": ("可容纳学生", "capacity"),
        "ic.col.workstations": ("工位", "work stations"),
        "ic.col.amount": ("金额（元）", "amount (yuan)"),
        "ic.show.recognitions": ("认定", "Recognitions"),
        "ic.show.partners": ("合作方", "Partners"),
        "ic.show.bodies": ("治理机构", "Governance bodies"),
        "ic.show.meetings": ("会议", "Meetings"),
        "ic.show.majors": ("共建专业", "Joint majors"),
        "ic.show.order_classes": ("订单班", "Order classes"),
        "ic.show.investment": ("企业投入（按年度与类型，元）", "Investment (by year and type, yuan)"),
        "ic.show.teaching": ("企业教师授课", "Enterprise teachers' teaching"),
        "ic.show.bases": ("实习实训基地", "Training bases"),
        "ic.show.courses": ("共建课程与教材", "Courses and textbooks"),
        "ic.show.services": ("产学研服务", "Research and services"),
        "ic.summary.title": ("产业学院 {year} 年度汇总", "Industrial colleges in {year}"),
        "ic.summary.categories": ("企业投入按类型（元）", "Investment by type (yuan)"),
        "ic.summary.note": ("合计为各学院数字相加；企业合作方按今天计。", "Totals add the colleges' figures; enterprise partners are counted as of today."),
        "ic.scorecard.title": ("{name}（{code}）{year} 年度建设任务自评", "{name} ({code}): construction tasks in {year}"),
        "ic.scorecard.count": ("七项建设任务中有佐证的：{n} 项", "Tasks with evidence: {n} of 7"),
        "ic.scorecard.none": ("无佐证", "no evidence"),
    }
)


def _money(value) -> str:
    return f"{value:,.2f}"


def _count(value) -> str:
    return f"{value:,}"


def _option(parser, name: str, value):
    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t("ic.bad_option", option=name, reason=exc)) from None


def _choice(kind: str, column: str, value) -> str | None:
    """A stored choice as the reader's language spells it."""
    from xiaoqi.core.kinds import get_kind

    return get_kind(kind).by_name[column].choice_text(value)


def _pair(name, code) -> str:
    return f"{name} {code}" if name and name != code else str(code)


year_option = option("--year", type=click.IntRange(2000, 2100), default=None, help=("只计该年度", "that year only"))


@group("ic")
def ic_group():
    pass


@ic_group.command("list", help=("列出产业学院及其企业合作方、投入、企业教师学时、学生", "list the colleges with their partners, investment, teaching hours, students"))
@option("--school", default=None, help=("牵头或参与共建的学校代码", "a lead or partner school's code"))
@option("--status", default=None, help=("状态：筹建 / 运行 / 撤销", "status: in preparation / operating / closed"))
@year_option
@format_option
@pass_app
def list_command(app, school, status, year, fmt):
    from xiaoqi.core.db import read_session

    from .kinds import COLLEGES
    from .service import jsonable, list_colleges

    school = _option(parse_code10, "--school", school)
    status = _option(COLLEGES.by_name["status"].parse, "--status", status)
    with read_session(app.engine()) as session:
        rows = list_colleges(session, actor=app.actor, today=dt.date.today(), year=year, school=school, status=status)
    if fmt == "json":
        emit_json([jsonable(r) for r in rows])
        return
    if not rows:
        click.echo(t("ic.none"))
        return
    heads = ("code", "name", "school", "type", "status", "founded", "enterprise_partners", "investment", "teaching_hours",
             "students", "interns")
    print_table([t(f"ic.col.{h}") for h in heads], [
        [r["code"], r["name"], _pair(r["lead_school_name"], r["lead_school_code"]), _choice("ic_colleges", "type", r["type"]),
         _choice("ic_colleges", "status", r["status"]), r["founded_on"], r["enterprise_partners"], _money(r["investment"]),
         _count(r["teaching_hours"]), _count(r["students"]), _count(r["interns"])]
        for r in rows], right=set(range(6, 11)))


def _fields(kind, values: dict) -> None:
    """The columns of one record, header and value, one per line."""
    width = max(display_width(c.header()) for c in kind.columns)
    for c in kind.columns:
        value = values.get(c.name)
        if isinstance(value, bool):
            value = format_bool(value, get_lang())
        elif c.type in ("choice", "list"):
            value = c.choice_text(value)
        click.echo(f"{pad(c.header(), width)}  {'' if value is None else value}")


def _section(title_key: str, rows: list, heads: tuple[str, ...], cells, right: set[int] = frozenset()) -> None:
    click.echo()
    click.echo(t(title_key))
    if rows:
        print_table([t(f"ic.col.{h}") for h in heads], [cells(r) for r in rows], right)
    else:
        click.echo(t("ic.empty"))


@ic_group.command("show", help=("显示一个产业学院：合作方、治理机构与会议、专业、订单班、投入、授课、基地、服务",
                                "show one college: partners, bodies and meetings, majors, order classes, investment, teaching, bases, services"))
@argument("code", help=("学院编码", "the college's code"))
@format_option
@pass_app
def show_command(app, code, fmt):
    from xiaoqi.core.db import read_session

    from .kinds import COLLEGES
    from .service import college_detail
    from .vocabulary import INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN

    with read_session(app.engine()) as session:
        detail = college_detail(session, actor=app.actor, code=code.strip())
    if fmt == "json":
        emit_json(detail.as_dict())
        return
    s = detail.sections
    _fields(COLLEGES, {**detail.college, "lead_school_code": _pair(detail.lead_school_name, detail.college["lead_school_code"])})
    _section("ic.show.recognitions", s["recognitions"], ("level", "date", "batch"),
             lambda r: [_choice("ic_recognitions", "level", r["level"]), r["recognised_on"], r["batch"]])
    _section("ic.show.partners", s["partners"], ("partner", "type", "role", "joined", "left", "seats"),
             lambda r: [_pair(r["display_name"], r["partner_code"]), _choice("ic_partners", "partner_type", r["partner_type"]),
                        _choice("ic_partners", "role", r["role"]), r["joined_on"], r["left_on"], r["seats"]], {5})
    _section("ic.show.bodies", s["bodies"], ("body", "type", "members", "meetings"),
             lambda r: [r["name"], _choice("ic_bodies", "body_type", r["body_type"]), r["members"], r["meetings"]], {2, 3})
    _section("ic.show.meetings", s["meetings"], ("date", "body", "title", "decisions"),
             lambda r: [r["held_on"], r["body_name"], r["title"], r["decisions"]])
    _section("ic.show.majors", s["majors"], ("school_code", "major", "core"),
             lambda r: [r["school_code"], _pair(r["major_name"], r["major_code"]), format_bool(r["core"], get_lang())])
    _section("ic.show.order_classes", s["order_classes"], ("class", "enterprise", "intake", "enrolled", "committed", "hired"),
             lambda r: [r["class_name"], _pair(r["enterprise_name"], r["uscc"]), r["intake_year"], r["enrolled"],
                        r["committed_hires"], r["hired"]], {3, 4, 5})
    categories = [both(zh, en) for zh, en in zip(INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN)]
    click.echo()
    click.echo(t("ic.show.investment"))
    if detail.investment_by_year:
        print_table([t("ic.col.year"), *categories, t("ic.col.total")],
                    [[y["year"], *(_money(y[en]) for en in INVESTMENT_CATEGORIES_EN), _money(y["total"])]
                     for y in detail.investment_by_year], right=set(range(1, len(categories) + 2)))
    else:
        click.echo(t("ic.empty"))
    _section("ic.show.teaching", s["teaching"], ("teacher", "enterprise", "term", "course", "hours"),
             lambda r: [_pair(r["teacher_name"], r["teacher_id"]), r["enterprise_name"], r["term"], r["course"], r["hours"]], {4})
    _section("ic.show.bases", s["bases"], ("title", "type", "enterprise", "workstations", "capacity"),
             lambda r: [r["name"], _choice("ic_bases", "location", r["location"]), r["uscc"], r["workstations"], r["capacity"]], {3, 4})
    _section("ic.show.courses", s["courses"], ("type", "title", "year", "authors"),
             lambda r: [_choice("ic_courses", "item_type", r["item_type"]), r["title"], r["year"], r["authors"]])
    _section("ic.show.services", s["services"], ("year", "type", "title", "amount", "trainees"),
             lambda r: [r["year"], _choice("ic_services", "service_type", r["service_type"]), r["title"],
                        "" if r["amount"] is None else _money(r["amount"]), r["trainees"]], {3, 4})


@ic_group.command("summary", help=("某年度各产业学院的投入、授课、学生、实习、录用、会议与服务，及合计",
                                   "a year's figures per college and in total: investment, teaching, students, interns, hires, meetings, services"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("年度", "the year"))
@format_option
@pass_app
def summary_command(app, year, fmt):
    from xiaoqi.core.db import read_session

    from .service import FIGURES, MONEY, summary
    from .vocabulary import INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN

    with read_session(app.engine()) as session:
        s = summary(session, actor=app.actor, year=year, today=dt.date.today())
    if fmt == "json":
        emit_json(s.as_dict())
        return
    click.echo(t("ic.summary.title", year=year))
    if not s.colleges:
        click.echo(t("ic.none"))
        return
    figures = FIGURES[1:]

    def cells(r):
        return [_money(r[f]) if f in MONEY else _count(r[f]) for f in figures]

    print_table([t("ic.col.name"), *(t(f"ic.col.{f}") for f in figures)],
                [[r["name"], *cells(r)] for r in s.colleges] + [[t("ic.col.total"), *cells(s.total)]],
                right=set(range(1, len(figures) + 1)))
    click.echo()
    click.echo(t("ic.summary.categories"))
    print_table([both(zh, en) for zh, en in zip(INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN)],
                [[_money(s.total[f"investment_{en}"]) for en in INVESTMENT_CATEGORIES_EN]],
                right=set(range(len(INVESTMENT_CATEGORIES))))
    click.echo()
    click.echo(t("ic.summary.note"))


@ic_group.command("scorecard", help=("一个产业学院某年度的七项建设任务自评：各项的佐证与完成情况",
                                     "one college's seven construction tasks in a year: the evidence of each and its status"))
@argument("code", help=("学院编码", "the college's code"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("自评年度", "the year assessed"))
@format_option
@pass_app
def scorecard_command(app, code, year, fmt):
    from xiaoqi.core.db import read_session

    from .service import scorecard
    from .vocabulary import TASKS

    with read_session(app.engine()) as session:
        card = scorecard(session, actor=app.actor, code=code.strip(), year=year)
    if fmt == "json":
        emit_json(card.as_dict())
        return
    click.echo(t("ic.scorecard.title", name=card.name, code=card.code, year=year))

    def evidence(task) -> str:
        parts = []
        for s in task.sources:
            text = f"{both(*s['label'])} {s['n']}"
            if s["quantity"] is not None and s["unit"]:
                text += f"（{_count(s['quantity'])} {both(*s['unit'])}）"
            parts.append(text)
        return "；".join(parts) or t("ic.scorecard.none")

    print_table([t("ic.col.task"), t("ic.col.evidence"), t("ic.col.self")], [
        [f"{'✓' if task.evidenced else '✗'} {TASKS[task.number - 1].mark} {both(TASKS[task.number - 1].zh, TASKS[task.number - 1].en)}",
         evidence(task),
         "、".join(filter(None, [_choice("ic_tasks", "status", task.status), *task.evidence]))]
        for task in card.tasks])
    click.echo()
    click.echo(t("ic.scorecard.count", n=sum(task.evidenced for task in card.tasks)))
