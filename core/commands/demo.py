"""``xiaoqi demo``: fill a new (or empty) database with realistic demo data."""

from __future__ import annotations

import datetime as dt
import time

import click

from ..cli import command, option, pass_app
from ..errors import DatabaseStateError
from ..i18n import catalogue, t

catalogue(
    {
        "demo.not_empty": ("数据库 {db} 中已有数据（{n} 所学校）。演示数据只能写入新的或空的数据库：请换一个文件，例如 --db demo.db。", "The database {db} already holds data ({n} schools). Demo data goes into a new or empty database: choose another file, e.g. --db demo.db."),
        "demo.start": ("正在生成演示数据（{size}）……", "Generating demo data ({size})..."),
        "demo.done": ("演示数据已写入 {db}（用时 {seconds:.1f} 秒）：", "Demo data written to {db} in {seconds:.1f} s:"),
        "demo.violations": ("其中故意设置的违规 {n} 处，可用 xiaoqi check 查看。", "It includes {n} deliberate violations; see them with xiaoqi check."),
    }
)


@command("demo", help=("生成演示数据（数据库不存在时先创建它）", "fill the database with realistic demo data (creates it if missing)"))
@option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help=("small：约千条实习；large：一百万条以上", "small: about a thousand internships; large: over 1,000,000"))
@option("--seed", type=int, default=2026, show_default=True, help=("随机种子", "random seed"))
@option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help=("以该日期为“今天”生成", "generate as if today were DATE"))
@pass_app
def demo_command(app, size, seed, today):
    import sqlalchemy as sa

    from ..db import display_name, is_sqlite, sqlite_file_exists, write_session
    from ..demo import generate
    from ..i18n import pad
    from ..kinds import get_kinds
    from ..migrate import upgrade

    if is_sqlite(app.url) and not sqlite_file_exists(app.url):
        upgrade(app.engine(check_current=False))
    engine = app.engine()
    db = display_name(app.url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM schools")).scalar_one()
    if n:
        raise DatabaseStateError(t("demo.not_empty", db=db, n=n))
    click.echo(t("demo.start", size=size), err=True)
    started = time.perf_counter()
    with write_session(engine) as session:
        manifest = generate(session, size=size, seed=seed, today=today.date() if today else dt.date.today())
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    click.echo(t("demo.done", db=db, seconds=time.perf_counter() - started))
    kinds = get_kinds()
    for name, count in manifest.counts.items():
        click.echo(f"  {pad(kinds[name].label(), 14)} {count:>10,}")
    planted = sum(len(v) for v in manifest.violations.values())
    if planted:  # the plugins' rules plant them; with none loaded there are none
        click.echo(t("demo.violations", n=planted))
