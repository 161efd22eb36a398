"""``xiaoqi check``: run the compliance rules and report the findings, grouped by rule.

Exit code 1 when any error-severity finding exists or the check is incomplete (a rule was not run
for the login, see ``core.rules.facts``), 0 otherwise (warnings alone pass).
``--format json`` prints one object: ``findings`` (each with rule, severity, subject_kind,
subject_key, message, school_code, uscc, numbers, dates), ``rules_run``, ``switched_off`` (each rule
that did not run, with the ``params`` it lacks, or what it ``reads`` that the login may not),
``complete`` (false when such a rule was left out), ``counts``, ``seconds``, and the scope asked for
(``as_of``, ``on``, ``school``, ``enterprise``), so a script can tell a rule that is off from one
that found nothing. ``--on DATE`` looks only at internships active that day; ``--as-of DATE`` looks at
all of them as if today were DATE (``ctx.as_of`` in a rule).
``--explain RULE [--region NN] [--as-of DATE]`` prints the rule, its source and its parameters as they resolve.
"""

from __future__ import annotations

import sys

import click

from ..cli import command, emit_json, format_option, option, pass_app
from ..i18n import catalogue, get_lang, pad, t

catalogue(
    {
        "check.region_needs_explain": ("--region 只能与 --explain 一起使用。", "--region only works together with --explain."),
        "check.explain_alone": ("--explain 不能与 --rule/--school/--enterprise/--on 同时使用。", "--explain cannot be combined with --rule/--school/--enterprise/--on."),
        "check.bad_school": ("--school 的学校代码无效：{reason}", "--school is not a valid school code: {reason}"),
        "check.bad_enterprise": ("--enterprise 的统一社会信用代码无效：{reason}", "--enterprise is not a valid USCC: {reason}"),
        "check.no_school": ("学校名录中没有学校代码 {code}（或您无权查看）。请检查代码（xiaoqi records list schools 列出全部学校），或先导入该学校。",
                            "No school {code} in the register (or not one you may see). Check the code (xiaoqi records list schools lists them), or import the school first."),
        "check.no_enterprise": ("企业名录中没有统一社会信用代码 {code}（或您无权查看）。请检查代码（xiaoqi records list enterprises 列出全部企业），或先导入该企业。",
                                "No enterprise {code} in the register (or not one you may see). Check the code (xiaoqi records list enterprises lists them), or import the enterprise first."),
        "check.as_of": ("检查日期：{date}", "Checked as of {date}"),
        "check.scope_conflict": ("{actor} 只能检查自己的数据，不能指定 {option}。", "{actor} may check only its own records, not {option}."),
        "check.summary": ("合规检查：运行 {rules} 条规则，发现 {n} 处问题（错误 {errors}，警告 {warnings}），用时 {seconds:.1f} 秒。",
                          "Compliance check: {rules} rules run, {n} findings ({errors} errors, {warnings} warnings) in {seconds:.1f} s."),
        "check.clean": ("全部合规，未发现问题。", "All compliant: no findings."),
        "check.rule_head": ("【{rule}】{title}（{severity}）：{n} 处", "[{rule}] {title} ({severity}): {n}"),
        "check.progress": ("正在检查 {rule}（{done}/{total}）", "Checking {rule} ({done}/{total})"),
        "check.off_head": ("以下规则未运行：", "Rules not run:"),
        "check.incomplete": ("检查不完整：{n} 条规则未对此登录运行（见文末），不能据此认定合规。",
                             "The check is incomplete: {n} rules were not run for this login (see the end); it does not show compliance."),
        "check.school": ("学校", "school"),
        "check.enterprise": ("企业", "enterprise"),
        "check.kept": ("（{time} 的检查结果：此后数据、规则和参数均未改变）", "(the check of {time}: no data, rule or parameter has changed since)"),
        "explain.head": ("【{rule}】{title}（{severity}）", "[{rule}] {title} ({severity})"),
        "explain.requirement": ("要求：{text}", "Requirement: {text}"),
        "explain.source": ("依据：{text}", "Source: {text}"),
        "explain.plugin": ("提供者：插件 {plugin}", "Provided by: plugin {plugin}"),
        "explain.region_by": ("参数按{what}取值", "Parameters resolve by {what}"),
        "explain.by.school": ("学校所在地区", "the school's region"),
        "explain.by.work": ("实习地区（未填时为实习单位所在地区）", "the work region (else the enterprise's region)"),
        "explain.by.enterprise": ("实习单位所在地区", "the enterprise's region"),
        "explain.province": ("仅适用于地区代码 {province} 开头的{what}", "Applies only where {what} starts with {province}"),
        "explain.dates": ("适用于{range}开始的实习（{origin}）", "Judges internships starting {range} ({origin})"),
        "explain.dates.plain": ("适用于{range}开始的实习", "Judges internships starting {range}"),
        # rules about other records (teachers, colleges, certificates ...): in force on those dates
        "explain.dates.any": ("{range}施行（{origin}）", "In force {range} ({origin})"),
        "explain.dates.any.plain": ("{range}施行", "In force {range}"),
        "explain.versions.any": ("规则版本（按日期适用）：", "Versions (chosen by date):"),
        "explain.version.any": ("【{version}】{range}施行；依据：{source}", "[{version}] in force {range}; source: {source}"),
        "explain.before.any": ("{start} 以前的情况不按本规则检查。", "Nothing before {start} is checked by this rule."),
        "explain.origin.rule": ("规则本身的施行日期", "the rule's own dates"),
        "explain.range.from": ("自 {start} 起", "on or after {start}"),
        "explain.range.to": ("截至 {end} ", "on or before {end}"),
        "explain.range.both": ("自 {start} 至 {end} ", "from {start} to {end}"),
        "explain.range.always": ("任何日期", "on any date"),
        "explain.year_only": ("只知道施行年份，按该年 1 月 1 日计", "only the year is known: its 1 January is used"),
        "explain.versions": ("规则版本（按实习开始日适用）：", "Versions (chosen by the internship's start date):"),
        "explain.version": ("【{version}】{range}开始的实习；依据：{source}", "[{version}] internships starting {range}; source: {source}"),
        "explain.version_req": ("要求：{text}", "requirement: {text}"),
        "explain.before": ("{start} 以前开始的实习不按本规则检查。", "Internships starting before {start} are not checked by this rule."),
        "explain.region": ("地区：{region}；日期：{on}", "Region: {region}; date: {on}"),
        "explain.params": ("参数：", "Parameters:"),
        "explain.no_params": ("参数：无", "Parameters: none"),
        "explain.value": ("{name} = {value}（{origin}）  {doc}", "{name} = {value} ({origin})  {doc}"),
        "explain.other": ("{value}：地区 {region}，{since}，来源 {origin}", "{value}: region {region}, {since}, from {origin}"),
        "explain.since": ("自 {date} 起", "from {date}"),
        "explain.always": ("不限日期", "any date"),
        "explain.default": ("全国默认", "national default"),
        "explain.variants": ("地方变体：", "Regional variants:"),
        "explain.variant": ("{province}（插件 {plugin}）：{text}", "{province} (plugin {plugin}): {text}"),
        "explain.off": ("该规则目前未启用：参数 {params} 没有取值。", "This rule is off: parameter {params} has no value."),
    }
)


def _parse(value, parser, key):
    from ..errors import UsageError

    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t(key, reason=exc)) from None


def _scope_for_actor(app, school, enterprise):
    """An actor scoped to a school or an enterprise checks only its own records."""
    from ..errors import PermissionDenied

    actor = app.actor
    if actor.role == "school":
        if school and school != actor.code:
            raise PermissionDenied(t("check.scope_conflict", actor=actor.label(), option=f"--school {school}"))
        school = actor.code
    elif actor.role == "enterprise":
        if enterprise and enterprise != actor.code:
            raise PermissionDenied(t("check.scope_conflict", actor=actor.label(), option=f"--enterprise {enterprise}"))
        enterprise = actor.code
    return school, enterprise


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done, total, rule):
        if rule:
            click.echo("\r" + pad(t("check.progress", rule=rule, done=done + 1, total=total), 60), nl=False, err=True)
        else:
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)

    return show


def print_findings(result, kind_label, rule_label) -> None:
    """The findings grouped by rule; ``kind_label(name)`` and ``rule_label(rule_id)`` name the
    kinds and the rules in the reader's language."""
    counts = result.counts()
    errors = sum(1 for f in result.findings if f.severity == "error")
    click.echo(t("check.summary", rules=len(result.rules_run), n=len(result.findings), errors=errors,
                 warnings=len(result.findings) - errors, seconds=result.seconds))
    if not result.complete:
        click.echo(t("check.incomplete", n=sum(1 for off in result.switched_off if off.reads)))
    elif not result.findings:
        click.echo(t("check.clean"))
    current = None
    for f in result.findings:
        if f.rule != current:
            current = f.rule
            click.echo("")
            click.echo(t("check.rule_head", rule=f.rule, title=rule_label(f.rule), severity=t(f"sev.{f.severity}"),
                         n=counts[f.rule]))
        who = [p for p in (f"{t('check.school')} {f.school_code}" if f.school_code else "",
                           f"{t('check.enterprise')} {f.uscc}" if f.uscc and f.subject_kind == "internships" else "") if p]
        click.echo(f"  {kind_label(f.subject_kind)} {f.subject_key}" + (f"  （{'，'.join(who)}）" if who else ""))
        click.echo(f"    {f.message}")
    if result.switched_off:
        click.echo("")
        click.echo(t("check.off_head"))
        for off in result.switched_off:
            click.echo(f"  {off.message}")


def _range(validity) -> str:
    start = validity.valid_from.value if validity.valid_from else None
    end = validity.valid_to.value if validity.valid_to else None
    if start and end:
        return t("explain.range.both", start=start, end=end)
    if start:
        return t("explain.range.from", start=start)
    return t("explain.range.to", end=end) if end else t("explain.range.always")


def _said(key: str, rule) -> str:
    """The explain text ``key`` for ``rule``: internship rules judge internships by their start,
    rules about other records are in force on dates (``.any``)."""
    return key if rule.subject_kind == "internships" else key + ".any"


def _dates(validity) -> str:
    """When the rule judges, where those dates come from, and whether only a year is known."""
    value = validity.valid_from or validity.valid_to
    if value is None:
        return t(_said("explain.dates", validity.rule) + ".plain", range=_range(validity))
    origin = t("explain.origin.rule") if value.origin == "default" else value.origin
    if validity.rule.valid_from_year_only and validity.valid_from and validity.valid_from.origin == "default":
        origin += ("；" if get_lang() == "zh" else "; ") + t("explain.year_only")
    return t(_said("explain.dates", validity.rule), range=_range(validity), origin=origin)


def print_explanation(ex) -> None:
    from ..i18n import both
    from ..rules import format_value

    rule = ex.rule
    click.echo(t("explain.head", rule=rule.id, title=rule.label(), severity=t(f"sev.{rule.severity}")))
    if any(rule.requirement):
        click.echo(t("explain.requirement", text=ex.as_dict()["requirement"]))
    click.echo(t("explain.source", text=rule.source))
    if rule.plugin:
        click.echo(t("explain.plugin", plugin=rule.plugin))
    click.echo(t("explain.region_by", what=t(f"explain.by.{rule.region_by}")))
    if rule.province:
        click.echo(t("explain.province", province=rule.province, what=t(f"explain.by.{rule.region_by}")))
    click.echo(_dates(ex.validity[0]))
    if len(ex.versions) > 1:
        click.echo(t(_said("explain.versions", rule)))
        for v in ex.versions:
            click.echo("  " + t(_said("explain.version", rule), version=v.rule.version or v.rule.id, range=_range(v), source=v.rule.source))
            if v.rule is not rule and any(v.rule.requirement):
                click.echo("    " + t("explain.version_req", text=both(*v.rule.requirement)))
    earliest = ex.versions[-1]
    if earliest.valid_from:
        click.echo(t(_said("explain.before", rule), start=earliest.valid_from.value))
    click.echo(t("explain.region", region=ex.region or t("rules.national"), on=ex.on))
    click.echo(t("explain.params") if ex.params else t("explain.no_params"))
    for p in ex.params:
        origin = (t("explain.default") if p.current.origin == "default" else p.current.origin) if p.current else "-"
        click.echo("  " + t("explain.value", name=p.param.name, value=format_value(p.current.value if p.current else None),
                                origin=origin, doc=p.param.describe()))
        for v in p.values:
            if v is p.current:
                continue
            click.echo("    " + t("explain.other", value=format_value(v.value), region=v.region or t("rules.national"),
                                      since=t("explain.since", date=v.valid_from) if v.valid_from else t("explain.always"),
                                      origin=t("explain.default") if v.origin == "default" else v.origin))
    regional = [v for v in ex.validity if v.rule.province and v.rule is not rule]
    if regional:
        click.echo(t("explain.variants"))
        for v in regional:
            click.echo("  " + t("explain.variant", province=v.rule.province, plugin=v.rule.plugin, text=both(*v.rule.requirement)))
            click.echo("    " + _dates(v))
    if ex.unsettled:
        click.echo(t("explain.off", params="、".join(ex.unsettled)))


def _date_option(name: str, help: tuple[str, str]):
    return option(name, type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE", help=help)


def _require_known(session, app, school, enterprise) -> None:
    """An unknown (or unseen) --school / --enterprise is a mistake, not a clean register."""
    from ..errors import NotFound, UsageError
    from ..services import get_record

    for kind, code, key in (("schools", school, "check.no_school"), ("enterprises", enterprise, "check.no_enterprise")):
        if code is None:
            continue
        try:
            get_record(session, actor=app.actor, kind=kind, key=code)
        except NotFound:
            raise UsageError(t(key, code=code)) from None


@command("check", help=("合规检查（按规则分组；有错误或检查不完整时退出码为 1）",
                         "run the compliance rules, grouped by rule (exit 1 on errors or an incomplete check)"))
@format_option
@option("--rule", "rule_ids", multiple=True, metavar="ID", help=("只运行这条规则（可重复）", "run only this rule (repeatable)"))
@option("--school", metavar="CODE", default=None, help=("只检查该学校的实习", "only this school's internships"))
@option("--enterprise", metavar="USCC", default=None, help=("只检查该企业的实习", "only this enterprise's internships"))
@_date_option("--on", ("只检查该日在岗的实习（YYYY-MM-DD），并以该日为检查日期", "only internships active on DATE (YYYY-MM-DD), checked as of that day"))
@_date_option("--as-of", ("以该日为“今天”检查全部实习（YYYY-MM-DD，默认今天），不按日期筛选实习",
                          "check every internship as if today were DATE (YYYY-MM-DD, default today), without filtering them by date"))
@option("--explain", "explain_rule", metavar="RULE", default=None,
        help=("说明一条规则：依据与参数（可与 --region、--as-of 一起用）", "explain a rule: its source and parameters (with --region, --as-of)"))
@option("--region", metavar="NN", default=None,
        help=("与 --explain 一起：按该地区代码解析参数", "with --explain: resolve parameters for this region code"))
@pass_app
def check_command(app, fmt, rule_ids, school, enterprise, on, as_of, explain_rule, region):
    from ..errors import UsageError

    on = on.date() if on else None
    as_of = as_of.date() if as_of else None
    if region is not None and not explain_rule:
        raise UsageError(t("check.region_needs_explain"))
    if explain_rule:
        if rule_ids or school or enterprise or on:
            raise UsageError(t("check.explain_alone"))
        from ..rules import explain

        ex = explain(explain_rule, region, config=app.config(), on=as_of)
        if fmt == "json":
            emit_json(ex.as_dict())
        else:
            print_explanation(ex)
        return
    if school or enterprise:
        from ..fields import parse_code10, parse_uscc

        school = _parse(school, parse_code10, "check.bad_school")
        enterprise = _parse(enterprise, parse_uscc, "check.bad_enterprise")
    full = not (rule_ids or on or as_of)
    if full and not (school or enterprise) and _print_kept(app, fmt):
        return
    school, enterprise = _scope_for_actor(app, school, enterprise)
    config = app.config()
    engine = app.engine()
    progress = _progress_printer() if fmt == "text" else None
    if school or enterprise:
        from ..db import read_session

        with read_session(engine) as session:
            _require_known(session, app, school, enterprise)
    kept = None
    if full:
        from ..check_store import check_and_store, is_stale, last_run_as, rule_set_digest
        from ..lean_check import remember

        with engine.connect() as conn:
            kept = last_run_as(conn, actor=app.actor, school=school, enterprise=enterprise)
            if kept is not None and is_stale(conn, kept, config=config):
                kept = None
        if kept is not None:
            result = kept.result
        else:
            # a full check of today is kept: the dashboard, the compliance screen and the next
            # `xiaoqi check` show it at once while nothing changes
            result = check_and_store(engine, actor=app.actor, school=school, enterprise=enterprise, config=config,
                                     progress=progress).result
        remember(config, rule_set_digest(config))
    else:
        from ..rules import check_as

        with engine.connect() as conn:
            result = check_as(conn, actor=app.actor, rules=rule_ids or None, school=school, enterprise=enterprise,
                              on=on, as_of=as_of, config=config, progress=progress)
    from ..kinds import get_kinds
    from ..rules import get_rules

    kinds, rules = get_kinds(), get_rules()
    report(app, result, fmt, on=on, as_of=as_of, school=school, enterprise=enterprise, kept=kept,
           kind_label=lambda name: kinds[name].label() if name in kinds else name,
           rule_label=lambda rule_id: rules[rule_id].label() if rule_id in rules else rule_id)


def report(app, result, fmt: str, *, on, as_of, school, enterprise, kind_label, rule_label, kept=None) -> None:
    """What ``xiaoqi check`` prints of ``result`` (a new run, or the run ``kept`` from earlier),
    masked for anyone but the admin, and its exit code."""
    import datetime as dt

    if not app.actor.is_admin:  # the admin, who keeps the register, works through the findings in full
        from ..privacy import mask_finding

        result.findings = [mask_finding(f) for f in result.findings]
    if kept is not None:  # for a person watching: the output is the kept run's
        finished = kept.finished_at.replace(tzinfo=dt.timezone.utc).astimezone()
        click.echo(t("check.kept", time=finished.strftime("%Y-%m-%d %H:%M:%S")), err=True)
    for off in result.switched_off if fmt == "json" else ():
        click.echo(off.message, err=True)  # for a person watching; the object below says it too
    if fmt == "json":
        emit_json({"as_of": (as_of or on or dt.date.today()).isoformat(), "on": on and on.isoformat(),
                   "school": school, "enterprise": enterprise, **result.as_dict()})
    else:
        if as_of or on:
            click.echo(t("check.as_of", date=as_of or on))
        print_findings(result, kind_label, rule_label)
    if result.has_errors or not result.complete:
        sys.exit(1)


def _print_kept(app, fmt: str) -> bool:
    """A full check of today answered from the kept run with sqlite3 (``lean_check``), when the
    database is a SQLite file at the newest schema and nothing changed since that run; False
    (nothing printed) when the full path must answer."""
    import datetime as dt

    from ..lean_check import kept_run, labels, recall

    if app.actor.role == "province":  # a province's findings are filtered by SQL
        return False
    with app.lean_connection() as conn:
        entry = recall(app.config()) if conn is not None else None
        if entry is None:
            return False
        school, enterprise = _scope_for_actor(app, None, None)
        kept = kept_run(conn, school=school, enterprise=enterprise, digest=entry["digest"], today=dt.date.today())
    if kept is None:
        return False
    kind_label, rule_label = labels(entry)
    report(app, kept.result, fmt, on=None, as_of=None, school=school, enterprise=enterprise, kept=kept,
           kind_label=kind_label, rule_label=rule_label)
    return True
