"""``xiaoqi quota``: apprenticeship quotas — show the figures, reserve, confirm, release, expire.

Each command is thin: it parses its options and calls one service of ``xiaoqi.core.quota``.
Reservations themselves are a record kind: ``xiaoqi records list reservations`` lists them,
``xiaoqi export reservations`` exports them.
"""

from __future__ import annotations

import click

from ..cli import emit_json, format_option, group, option, pass_app
from ..errors import UsageError
from ..i18n import catalogue, display_width, pad, t

catalogue(
    {
        "quota.bad_option": ("{option} 无效：{reason}", "{option} is not valid: {reason}"),
        "quota.none": ("（没有申报学徒名额的岗位）", "(no position with an apprentice quota)"),
        "quota.head": ("学徒名额（{on}）", "Apprentice quotas ({on})"),
        "quota.col.enterprise": ("企业", "Enterprise"),
        "quota.col.position": ("岗位", "Position"),
        "quota.col.quota": ("名额", "Quota"),
        "quota.col.reserved": ("已预留", "Reserved"),
        "quota.col.confirmed": ("已落实", "Confirmed"),
        "quota.col.own_reserved": ("本校预留", "Ours reserved"),
        "quota.col.own_confirmed": ("本校落实", "Ours confirmed"),
        "quota.col.free": ("剩余", "Free"),
        "quota.col.period": ("名额期", "Period"),
        "quota.period_closed": ("（不在名额期内）", "(outside the quota period)"),
        "quota.enterprise_line": ("{name}：名额 {quota}，剩余 {free}；学徒比例 {ratio}（在期名额 {places} / 在岗职工 {staff}）{target}",
                                  "{name}: quota {quota}, free {free}; apprenticeship ratio {ratio} (places in force {places} / staff {staff}){target}"),
        "quota.target": ("，目标 {target}{verdict}", ", target {target}{verdict}"),
        "quota.below": ("（低于目标）", " (below target)"),
        "quota.target_none": ("，地区目标未设定", ", no regional target set"),
        "quota.reserved_done": ("已预留 {no}：学校 {school} 在岗位 {uscc}/{position} 预留 {places} 个名额，{expires} 前确认。",
                                "Reserved {no}: {places} places for school {school} on position {uscc}/{position}, to be confirmed by {expires}."),
        "quota.confirmed_done": ("已落实：实习 {key} 占用预留 {no} 的一个名额（已落实 {placed}/{places}，状态 {status}）。",
                                 "Placed: internship {key} fills a place of reservation {no} ({placed}/{places} placed, status {status})."),
        "quota.released_done": ("已释放预留 {no} 的 {n} 个名额（状态 {status}）。", "Released {n} places of reservation {no} (status {status})."),
        "quota.expired_none": ("没有到期未确认的预留。", "No reservation is past its deadline."),
        "quota.expired_done": ("已将 {n} 个到期的预留标记为已过期，退回 {places} 个名额：", "Expired {n} reservations past their deadline, {places} places given back:"),
        "quota.expired_line": ("  {no}  学校 {school}  岗位 {uscc}/{position}  截止 {expires}  退回 {released}",
                               "  {no}  school {school}  position {uscc}/{position}  deadline {expires}  returned {released}"),
    }
)


def _parse(value, parser, option: str):
    if value is None:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        raise UsageError(t("quota.bad_option", option=option, reason=exc)) from None


def _date(value, option):
    from ..fields import parse_date

    return _parse(value, parse_date, option)


def _uscc(value):
    from ..fields import parse_uscc

    return _parse(value, parse_uscc, "--enterprise")


def _pct(value) -> str:
    from ..fields import format_percent

    return "-" if value is None else format_percent(value, 2)


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(display_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(pad(cell, widths[c], ">" if c in right else "<") for c, cell in enumerate(r)).rstrip() for r in rows]


ENTERPRISE_HELP = ("企业的统一社会信用代码", "the enterprise's USCC")
POSITION_HELP = ("岗位编号", "position code")


@group("quota")
def quota_group():
    pass


@quota_group.command("show", help=("每个岗位的名额、已预留、已落实、剩余", "quota, reserved, confirmed and free places per position"))
@option("--enterprise", default=None, metavar="USCC", help=ENTERPRISE_HELP)
@option("--position", default=None, metavar="CODE", help=POSITION_HELP)
@option("--on", "on", default=None, metavar="DATE", help=("按该日计算（YYYY-MM-DD，默认今天）", "figures as of DATE (YYYY-MM-DD, default today)"))
@format_option
@pass_app
def show_command(app, enterprise, position, on, fmt):
    import datetime as dt

    from ..db import read_session
    from ..quota import enterprise_figures, position_figures

    uscc = _uscc(enterprise)
    on = _date(on, "--on") or dt.date.today()
    config = app.config()
    with read_session(app.engine()) as session:
        positions = position_figures(session, actor=app.actor, uscc=uscc, position_code=position, today=on)
        enterprises = enterprise_figures(session, actor=app.actor, uscc=uscc, today=on, config=config)
    if position:
        enterprises = [e for e in enterprises if any(p.uscc == e.uscc for p in positions)]
    if fmt == "json":
        emit_json({"on": on.isoformat(), "positions": [p.as_dict() for p in positions],
                   "enterprises": [e.as_dict() for e in enterprises]})
        return
    if not positions:
        click.echo(t("quota.none"))
        return
    own = positions[0].reserved is None
    use = ["own_reserved", "own_confirmed"] if own else ["reserved", "confirmed"]
    head = [t("quota.col.enterprise"), t("quota.col.position"), t("quota.col.quota"),
            *(t(f"quota.col.{c}") for c in use), t("quota.col.free"), t("quota.col.period")]
    rows = [head]
    for p in positions:
        period = f"{p.quota_from or '…'}～{p.quota_to or '…'}" + ("" if p.is_open else t("quota.period_closed"))
        rows.append([p.enterprise, f"{p.position_code} {p.title}", str(p.quota),
                     *(str(getattr(p, c)) for c in use), str(p.free), period])
    click.echo(t("quota.head", on=on))
    for line in _table(rows, right={2, 3, 4, 5}):
        click.echo(line)
    click.echo("")
    for e in enterprises:
        if e.target is None:
            target = t("quota.target_none")
        else:
            target = t("quota.target", target=_pct(e.target), verdict=t("quota.below") if e.below_target else "")
        click.echo(t("quota.enterprise_line", name=e.name, quota=e.quota, free=e.free, ratio=_pct(e.ratio),
                     places=e.quota_in_force, staff=e.staff_count, target=target))


@quota_group.command("reserve", help=("为学校预留学徒名额", "reserve apprentice places for a school"))
@option("--enterprise", required=True, metavar="USCC", help=ENTERPRISE_HELP)
@option("--position", required=True, metavar="CODE", help=POSITION_HELP)
@option("--places", required=True, type=int, metavar="N", help=("预留名额数", "number of places"))
@option("--expires", required=True, metavar="DATE", help=("预留截止日期（YYYY-MM-DD），到期未确认即失效", "deadline (YYYY-MM-DD); unconfirmed places lapse after it"))
@option("--school", default=None, metavar="CODE", help=("为哪所学校预留（学校身份可省略）", "the school the places are for (implied for a school actor)"))
@format_option
@pass_app
def reserve_command(app, enterprise, position, places, expires, school, fmt):
    from ..db import write_session
    from ..fields import parse_code10
    from ..quota import reservation_summary, reserve

    uscc = _uscc(enterprise)
    expires_on = _date(expires, "--expires")
    school_code = _parse(school, parse_code10, "--school")
    config = app.config()
    with write_session(app.engine()) as session:
        r = reserve(session, actor=app.actor, uscc=uscc, position_code=position, places=places,
                    expires_on=expires_on, school_code=school_code, config=config)
        out = reservation_summary(session, r)
    if fmt == "json":
        emit_json(out)
        return
    click.echo(t("quota.reserved_done", no=r.reservation_no, school=r.school_code, uscc=r.uscc,
                 position=r.position_code, places=r.places, expires=r.expires_on))


@quota_group.command("confirm", help=("把一名学徒落实到预留的名额上", "place one apprentice on a reserved place"))
@click.argument("reservation_no", metavar="RESERVATION")
@option("--student", required=True, metavar="ID_NUMBER", help=("学徒的身份证号", "the apprentice's ID number"))
@option("--start", default=None, metavar="DATE", help=("学徒实习的开始日期（该学生在此岗位只有一段学徒实习时可省略）", "the apprenticeship's start date (optional when the student has one on the position)"))
@format_option
@pass_app
def confirm_command(app, reservation_no, student, start, fmt):
    from ..db import write_session
    from ..fields import parse_idcard
    from ..quota import confirm, reservation_of, reservation_summary

    id_number = _parse(student, parse_idcard, "--student")
    start_on = _date(start, "--start")
    with write_session(app.engine()) as session:
        placement = confirm(session, actor=app.actor, reservation_no=reservation_no,
                            internship={"id_number": id_number, "start_on": start_on})
        out = reservation_summary(session, reservation_of(session, reservation_no))
    key = f"{placement.id_number}/{placement.uscc}/{placement.start_on}"
    if fmt == "json":
        emit_json({**out, "internship": key})
        return
    click.echo(t("quota.confirmed_done", key=key, no=reservation_no, placed=out["placed"], places=out["places"],
                 status=out["status"]))


@quota_group.command("release", help=("撤回预留中尚未落实的名额", "give back unplaced places of a reservation"))
@click.argument("reservation_no", metavar="RESERVATION")
@option("--places", default=None, type=int, metavar="N", help=("释放的名额数（默认全部未落实的名额）", "places to give back (default: every unplaced place)"))
@format_option
@pass_app
def release_command(app, reservation_no, places, fmt):
    from ..db import write_session
    from ..quota import release, reservation_summary

    with write_session(app.engine()) as session:
        r, n = release(session, actor=app.actor, reservation_no=reservation_no, places=places)
        out = reservation_summary(session, r)
    if fmt == "json":
        emit_json({**out, "released_now": n})
        return
    click.echo(t("quota.released_done", no=reservation_no, n=n, status=out["status"]))


@quota_group.command("expire", help=("把超过截止日期仍未确认的预留标记为已过期", "expire every reservation past its deadline"))
@format_option
@pass_app
def expire_command(app, fmt):
    from ..db import write_session
    from ..quota import expire, reservation_summary

    with write_session(app.engine()) as session:
        expired = [reservation_summary(session, r) for r in expire(session, actor=app.actor)]
    if fmt == "json":
        emit_json(expired)
        return
    if not expired:
        click.echo(t("quota.expired_none"))
        return
    click.echo(t("quota.expired_done", n=len(expired), places=sum(r["released_places"] for r in expired)))
    for r in expired:
        click.echo(t("quota.expired_line", no=r["reservation_no"], school=r["school_code"], uscc=r["uscc"],
                     position=r["position_code"], expires=r["expires_on"], released=r["released_places"]))
