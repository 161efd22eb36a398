"""``xiaoqi zhejiang training-due``: who must still attend safety training before going on post.

xiaoqi imports this module only when a ``zhejiang`` command runs (the plugin declares the group
with a ``CommandEntry`` in ``__init__.py``), so it may import what it needs at the top.

A planning list for a school's internship office: the on-post internships starting in the next
days whose students have no qualifying training yet — the internships ZJ-SAFETY-TRAINING will
report once they start. It runs that rule (no second copy of its logic) and keeps the upcoming ones.
"""

from __future__ import annotations

import datetime as dt

import click

from xiaoqi.core.cli import emit_json, format_option, group, option, pass_app
from xiaoqi.core.i18n import catalogue, t

from .rules import RULE_ID

catalogue(
    {
        "zj.due.header": (
            "{start} 至 {end} 开始岗位实习、尚需岗前安全培训的学生：{n} 人",
            "Students going on post from {start} to {end} who still need safety training: {n}",
        ),
        "zj.due.none": ("{start} 至 {end} 开始的岗位实习均已完成岗前安全培训。", "Every on-post internship starting from {start} to {end} has its safety training."),
        "zj.due.school": ("学校 {school}：{n} 人", "School {school}: {n}"),
        "zj.due.row": ("{id}  {start} 开始  已培训 {best}/{need} 学时", "{id}  starts {start}  trained {best}/{need} hours"),
    }
)


@group("zhejiang")
def zhejiang_group():
    pass


@zhejiang_group.command("training-due", help=("即将开始岗位实习但尚未完成岗前安全培训的学生",
                                              "who still needs safety training before going on post"))
@option("--within", default=30, show_default=True, type=click.IntRange(0, 366),
        help=("未来多少天内开始的实习", "internships starting within this many days"))
@option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help=("以该日期为今天", "as if today were DATE"))
@option("--school", default=None, metavar="CODE", help=("只看该学校", "only this school"))
@format_option
@pass_app
def training_due(app, within, today, school, fmt):
    from xiaoqi.core.fields import mask_id

    from .due import training_due as due_list

    start = today.date() if today else dt.date.today()
    end = start + dt.timedelta(days=within)
    if app.actor.role == "school":
        school = app.actor.code
    due = due_list(app.engine(), actor=app.actor, start=start, within=within, school=school, config=app.config())
    if fmt == "json":
        emit_json(due)
        return
    if not due:
        click.echo(t("zj.due.none", start=start, end=end))
        return
    click.echo(t("zj.due.header", start=start, end=end, n=len(due)))
    for code in dict.fromkeys(d["school_code"] for d in due):
        rows = [d for d in due if d["school_code"] == code]
        click.echo("  " + t("zj.due.school", school=code, n=len(rows)))
        for d in rows:
            click.echo("    " + t("zj.due.row", id=mask_id(d["id_number"]), start=d["start_on"],
                                    best=d["best_hours"], need=d["min_hours"]))
