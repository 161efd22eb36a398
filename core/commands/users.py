"""``xiaoqi users``: the logins of a shared PostgreSQL database (``add``, ``list``, ``set``,
``remove``); see ``xiaoqi.core.logins``."""

from __future__ import annotations

import sys

import click

from ..cli import argument, emit_json, format_option, group, option, pass_app, print_table
from ..errors import UsageError
from ..i18n import catalogue, t

catalogue(
    {
        "users.added": ("已新建登录 {login}（{actor}）。", "Created login {login} ({actor})."),
        "users.changed": ("登录 {login} 现在的身份是 {actor}（下一条语句起生效）。", "Login {login} now acts as {actor} (from its next statement)."),
        "users.removed": ("已撤销登录 {login}（其已打开的会话从下一条语句起失去权限）。",
                          "Removed login {login} (its open sessions lose their rights from their next statement)."),
        "users.none": ("（没有登录账号）", "(no logins)"),
        "users.col.login": ("登录名", "login"),
        "users.col.actor": ("身份", "actor"),
        "users.col.can_login": ("可登录", "can log in"),
        "users.password": ("登录 {login} 的密码", "Password for login {login}"),
        "users.empty_password": ("--password-stdin：标准输入中没有密码。", "--password-stdin: no password on standard input."),
    }
)


def _actor(value: str):
    from ..actors import Actor

    try:
        return Actor.parse(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _pg(app):
    from ..logins import is_postgres

    engine = app.engine()
    if not is_postgres(engine):
        raise UsageError(t("users.pg_only"))
    return engine


@group("users")
def users_group():
    pass


@users_group.command("add", help=("新建一个登录账号（PostgreSQL 角色），归入 xiaoqi 的身份组", "create a login (a PostgreSQL role) in xiaoqi's group of its actor type"))
@argument("login", help=("登录名（小写字母、数字、下划线）", "the login name (lowercase letters, digits, underscores)"))
@option("--actor", "actor_text", required=True, metavar="ACTOR",
        help=("school:<学校代码>、enterprise:<统一社会信用代码>、province:NN、auditor 或 admin", "school:CODE, enterprise:USCC, province:NN, auditor or admin"))
@option("--password-stdin", is_flag=True, help=("从标准输入读取密码（否则提示输入）", "read the password from standard input (else a prompt)"))
@pass_app
def add_command(app, login, actor_text, password_stdin):
    from ..actors import check_registered
    from ..logins import add_login, check_login_name

    check_login_name(login)
    actor = _actor(actor_text)
    engine = _pg(app)
    check_registered(engine, actor)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError(t("users.empty_password"))
    else:
        password = click.prompt(t("users.password", login=login), hide_input=True, confirmation_prompt=True)
    with engine.begin() as conn:
        add_login(conn, login, actor, password)
    click.echo(t("users.added", login=login, actor=actor.label()))


@users_group.command("set", help=("改变一个登录的身份（立即生效）", "change what a login acts for (effective at once)"))
@argument("login", help=("登录名", "the login name"))
@option("--actor", "actor_text", required=True, metavar="ACTOR", help=("新的身份", "the new actor"))
@pass_app
def set_command(app, login, actor_text):
    from ..actors import check_registered
    from ..logins import set_actor

    actor = _actor(actor_text)
    engine = _pg(app)
    check_registered(engine, actor)
    with engine.begin() as conn:
        set_actor(conn, login, actor)
    click.echo(t("users.changed", login=login, actor=actor.label()))


@users_group.command("list", help=("列出登录账号及其身份", "the logins and what each acts for"))
@format_option
@pass_app
def list_command(app, fmt):
    from ..logins import list_logins

    engine = _pg(app)
    with engine.connect() as conn:
        rows = list_logins(conn)
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        click.echo(t("users.none"))
        return
    print_table([t("users.col.login"), t("users.col.actor"), t("users.col.can_login")],
                [[r["login"], r["actor"], "是" if r["can_login"] else "否"] for r in rows])


@users_group.command("remove", help=("撤销一个登录账号（其会话从下一条语句起失去权限）", "remove a login (its sessions lose their rights from their next statement)"))
@argument("login", help=("登录名", "the login name"))
@pass_app
def remove_command(app, login):
    from ..logins import remove_login

    engine = _pg(app)
    with engine.begin() as conn:
        remove_login(conn, login)
    click.echo(t("users.removed", login=login))
