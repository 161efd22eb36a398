"""``xiaoqi status``: the dashboard's figures as text or JSON (the headless face of the TUI)."""

from __future__ import annotations

import click

from ..cli import command, emit_json, format_option, pass_app
from ..i18n import catalogue, t

catalogue(
    {
        "status.title": ("xiaoqi 数据库概况：{db}（{actor}，{today}）", "xiaoqi database summary: {db} ({actor}, {today})"),
        "status.counts": ("记录数：", "Records:"),
        "status.active": ("今日在岗实习：{n}", "Internships active today: {n}"),
        "status.expiring": ("{days}天内到期的保单：{n}", "Policies expiring within {days} days: {n}"),
        "status.reserved": ("{days}天内到期的名额预留：{n}", "Quota reservations falling due within {days} days: {n}"),
        "status.quota": ("学徒名额使用（今日）：", "Apprentice quota use (today):"),
        "status.monthly": ("近12个月每月在岗实习：", "Active internships per month, last 12 months:"),
    }
)


def print_status(app, fmt: str = "text", remind_days: int | None = None) -> None:
    """The figures; policies and reservations due within ``remind_days`` (default: ``[dashboard]
    remind_days`` of the configuration, else 30, as the TUI's dashboard)."""
    from ..config import remind_days as configured
    from ..db import display_name
    from ..i18n import pad
    from ..kinds import get_kinds

    days = remind_days or configured(app.config())
    s = _summary_sqlite(app, days)
    if s is None:
        from ..dashboard import summary

        with app.engine().connect() as conn:  # Core queries: no session, no model class (dashboard)
            s = summary(conn, actor=app.actor, expiring_days=days)
        app.remember_scopes()
    if fmt == "json":
        emit_json({
            "today": s.today.isoformat(), "counts": s.counts, "active_internships": s.active_internships,
            "remind_days": s.expiring_days, "expiring_policies": s.expiring_policies,
            "expiring_reservations": s.expiring_reservations, "quota_use": s.quota_use,
            "monthly_active": [{"month": k, "active": v} for k, v in s.monthly_active],
        })
        return
    kinds = get_kinds()
    click.echo(t("status.title", db=display_name(app.url), actor=app.actor.label(), today=s.today))
    click.echo(t("status.counts"))
    for name, n in s.counts.items():
        click.echo(f"  {pad(kinds[name].label(), 14)} {n:>10,}")
    click.echo(t("status.active", n=f"{s.active_internships:,}"))
    click.echo(t("status.expiring", days=s.expiring_days, n=len(s.expiring_policies)))
    for p in s.expiring_policies[:10]:
        click.echo(f"  {p['end_on']}  {p['policy_no']}  {p['insurer']}  {p['kind']}")
    if s.expiring_reservations:
        click.echo(t("status.reserved", days=s.expiring_days, n=len(s.expiring_reservations)))
        for r in s.expiring_reservations[:10]:
            click.echo(f"  {r['expires_on']}  {r['reservation_no']}  {r['uscc']}/{r['position_code']}  {r['places']}")
    if s.quota_use:
        click.echo(t("status.quota"))
        for q in s.quota_use[:10]:
            click.echo(f"  {q['name']}  {q['placed']}/{q['quota']}")
    click.echo(t("status.monthly"))
    peak = max((v for _, v in s.monthly_active), default=0) or 1
    for month, v in s.monthly_active:
        click.echo(f"  {month}  {'█' * round(30 * v / peak):<30} {v:,}")


def _summary_sqlite(app, days: int):
    """The figures read with sqlite3 (``dashboard.summary_sqlite``: no SQLAlchemy), or None when
    the full path must read them (``AppContext.lean_connection``; a scope written as SQLAlchemy code)."""
    from ..dashboard import summary_sqlite
    from ..lean import Unsupported

    with app.lean_connection() as conn:
        if conn is None:
            return None
        try:
            return summary_sqlite(conn, actor=app.actor, expiring_days=days)
        except Unsupported:
            return None


@command("status")
@format_option
@pass_app
def status_command(app, fmt):
    print_status(app, fmt)
