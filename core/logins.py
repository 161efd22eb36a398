"""Logins on a shared PostgreSQL database, and row-level security generated from the kinds'
declarations (``RecordKind.access``).

Each login is a PostgreSQL role (``CREATE ROLE ... LOGIN``) that belongs to one of xiaoqi's group
roles (``xiaoqi_admin``, ``xiaoqi_auditor``, ``xiaoqi_province``, ``xiaoqi_school``,
``xiaoqi_enterprise``); the table ``xiaoqi_sec.logins`` says which school, enterprise or province it
acts for. The database itself enforces the scopes: every table of a record kind has row-level
security, one policy per actor type and action, whose condition is the kind's scope rendered in
SQL with ``xiaoqi_sec.actor_code()`` (the code of ``current_user``) as the actor's code. The
owner of the database (who ran ``xiaoqi init`` / ``db upgrade``) is not subject to them.

Rights are read on every statement (the group membership and the ``logins`` row): removing a
login, or changing what it acts for, takes effect on its next statement, in a TUI session too.

``apply_row_security(connection, kinds)`` is the helper a plugin's migration branch calls for its
own tables after creating them; ``install(connection)`` (run by ``xiaoqi users add``) sets up the
group roles, the logins table and the policies of every loaded kind.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from .access import READ_ONLY, SCOPED, scope_clause
from .actors import Actor
from .errors import PermissionDenied, UsageError, XiaoqiError
from .i18n import catalogue, t

catalogue(
    {
        "users.pg_only": ("登录账号只用于 PostgreSQL 共享数据库；SQLite 文件的所有者就是管理员，用 --as 缩小身份。",
                          "Logins exist on a shared PostgreSQL database only; the owner of a SQLite file is its admin, and --as narrows what a command may do."),
        "users.bad_login": ("登录名「{login}」无效：请用小写字母开头，只含小写字母、数字和下划线（最长 63 个字符）。",
                            "Invalid login '{login}': start with a lowercase letter and use lowercase letters, digits and underscores (at most 63 characters)."),
        "users.exists": ("登录名「{login}」已存在。", "The login '{login}' exists already."),
        "users.missing": ("没有登录名「{login}」。可用 xiaoqi users list 查看。", "There is no login '{login}'. See xiaoqi users list."),
        "users.not_owner": ("只有数据库的所有者（管理员）可以管理登录账号。", "Only the database's owner (the admin) manages logins."),
        "users.narrow": ("登录 {login} 的身份是 {actor}，不能以 {wanted} 的身份操作（--as 只能缩小身份）。",
                         "Login {login} acts as {actor}; it cannot act as {wanted} (--as may only narrow it)."),
        "users.removed_login": ("登录 {login} 已被撤销或没有 xiaoqi 身份。请联系数据库管理员。",
                                "Login {login} has been removed or has no xiaoqi actor. Ask the database's administrator."),
    }
)

SCHEMA = "xiaoqi_sec"
GROUPS = {"admin": "xiaoqi_admin", "auditor": "xiaoqi_auditor", "province": "xiaoqi_province",
          "school": "xiaoqi_school", "enterprise": "xiaoqi_enterprise"}
COMMANDS = {"read": "SELECT", "create": "INSERT", "update": "UPDATE", "delete": "DELETE"}
_LOGIN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: tables every writer appends to (the audit chain, import batches and their files)
APPEND_ONLY = ("audit_log", "audit_blocks")
#: the code of the acting login, for the policies
ACTOR_CODE = sa.literal_column(f"{SCHEMA}.actor_code()", sa.String)


def is_postgres(engine_or_conn) -> bool:
    return engine_or_conn.dialect.name == "postgresql"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_login_name(login: str) -> str:
    if not _LOGIN.match(login or "") or login.startswith(("pg_", "xiaoqi_")):
        raise UsageError(t("users.bad_login", login=login))
    return login


# -- installing ------------------------------------------------------------------------------

def install(conn, kinds=None) -> None:
    """Group roles, the logins table, table privileges and the policies of every kind (idempotent)."""
    from .kinds import get_kinds

    for group in GROUPS.values():
        conn.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN "
            f"CREATE ROLE {group} NOLOGIN; END IF; END $$")
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.logins (login text PRIMARY KEY, role text NOT NULL, "
                         "code text, CHECK (role IN ('admin', 'auditor', 'province', 'school', 'enterprise')))")
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {SCHEMA}.actor_code() RETURNS text LANGUAGE sql STABLE AS "
                         f"$$ SELECT code FROM {SCHEMA}.logins WHERE login = current_user $$")
    groups = ", ".join(GROUPS.values())
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {groups}")
    conn.exec_driver_sql(f"GRANT SELECT ON {SCHEMA}.logins TO {groups}")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.actor_code() TO {groups}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {groups}")
    conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {groups}")
    writers = ", ".join(GROUPS[r] for r in ("admin", "school", "enterprise"))
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {writers}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writers}")
    # the audit log: appended to by every writer, changed by nobody but the owner
    for table in APPEND_ONLY:
        if _exists(conn, table):
            conn.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {groups}")
    apply_row_security(conn, list(get_kinds().values()) if kinds is None else kinds)


def _exists(conn, table: str) -> bool:
    return conn.exec_driver_sql("SELECT to_regclass(%(t)s) IS NOT NULL", {"t": f"public.{table}"}).scalar()


def policy_sql(kind, actor_type: str, action: str, dialect) -> str | None:
    """The condition of ``kind``'s policy for ``actor_type`` and ``action``, in SQL on its table
    (None: every row)."""
    clause = scope_clause(kind, actor_type, action, ACTOR_CODE)
    if clause is None:
        return None
    # compiled inside a statement on the table, so that subqueries correlate to the policy's row
    stmt = sa.select(sa.literal_column("1")).select_from(kind.model.__table__).where(clause)
    text = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    where = text.index("\nWHERE ") + len("\nWHERE ")
    return text[where:]  # (a percent sign doubled, as the driver's statements write it)


def apply_row_security(conn, kinds) -> None:
    """Row-level security for the tables of ``kinds`` (the core's, or a plugin's from its own
    migration branch): the policies are dropped and made again from the declarations."""
    dialect = conn.dialect
    for kind in kinds:
        table = kind.model.__tablename__
        if not _exists(conn, table):
            continue
        conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY")
        for (name,) in conn.exec_driver_sql("SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND "
                                            "tablename = %(t)s AND policyname LIKE 'xq\\_%%'", {"t": table}).all():
            conn.exec_driver_sql(f"DROP POLICY {_q(name)} ON {_q(table)}")
        conn.exec_driver_sql(f"CREATE POLICY xq_admin ON {_q(table)} FOR ALL TO {GROUPS['admin']} USING (true) WITH CHECK (true)")
        for actor_type in SCOPED:
            group = GROUPS[actor_type]
            for action, command in COMMANDS.items():
                judged = action
                if not kind.rights.allows(action, actor_type):
                    # a kind kept by its service (the incentives ledger) is appended to by that
                    # service, running as the login: new rows within what the login may read;
                    # changed and deleted by no login but the owner
                    if not (kind.rights.service and action == "create" and actor_type not in READ_ONLY
                            and kind.rights.allows("read", actor_type)):
                        continue  # no policy: no row
                    judged = "read"
                condition = policy_sql(kind, actor_type, judged, dialect) or "true"
                name = _q(f"xq_{actor_type}_{action}")
                if action == "create":
                    conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR INSERT TO {group} WITH CHECK ({condition})")
                elif action == "update":
                    conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR UPDATE TO {group} USING ({condition}) "
                                         f"WITH CHECK ({condition})")
                else:
                    conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR {command} TO {group} USING ({condition})")


# -- logins ----------------------------------------------------------------------------------

def _require_owner(conn) -> None:
    owner = conn.exec_driver_sql("SELECT pg_get_userbyid(datdba) = current_user OR "
                                 "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                                 "FROM pg_database WHERE datname = current_database()").scalar()
    if not owner:
        raise PermissionDenied(t("users.not_owner"))


def add_login(conn, login: str, actor: Actor, password: str | None) -> None:
    check_login_name(login)
    _require_owner(conn)
    install(conn)
    if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(l)s", {"l": login}).first():
        raise XiaoqiError(t("users.exists", login=login))
    literal = "NULL" if password is None else "'" + password.replace("'", "''") + "'"
    conn.exec_driver_sql(f"CREATE ROLE {_q(login)} LOGIN PASSWORD {literal} IN ROLE {GROUPS[actor.role]}")
    conn.exec_driver_sql(f"INSERT INTO {SCHEMA}.logins (login, role, code) VALUES (%(l)s, %(r)s, %(c)s)",
                         {"l": login, "r": actor.role, "c": actor.code})


def set_actor(conn, login: str, actor: Actor) -> None:
    """Change what a login acts for (its next statement sees it)."""
    _require_owner(conn)
    install(conn)
    old = _row(conn, login)
    if old is None:
        raise XiaoqiError(t("users.missing", login=login))
    conn.exec_driver_sql(f"REVOKE {GROUPS[old[0]]} FROM {_q(login)}")
    conn.exec_driver_sql(f"GRANT {GROUPS[actor.role]} TO {_q(login)}")
    conn.exec_driver_sql(f"UPDATE {SCHEMA}.logins SET role = %(r)s, code = %(c)s WHERE login = %(l)s",
                         {"l": login, "r": actor.role, "c": actor.code})


def remove_login(conn, login: str) -> None:
    _require_owner(conn)
    if _row(conn, login) is None:
        raise XiaoqiError(t("users.missing", login=login))
    conn.exec_driver_sql(f"DELETE FROM {SCHEMA}.logins WHERE login = %(l)s", {"l": login})
    for group in GROUPS.values():
        conn.exec_driver_sql(f"REVOKE {group} FROM {_q(login)}")
    conn.exec_driver_sql(f"DROP ROLE IF EXISTS {_q(login)}")


def _row(conn, login: str):
    if not conn.exec_driver_sql("SELECT to_regclass('xiaoqi_sec.logins') IS NOT NULL").scalar():
        return None
    return conn.exec_driver_sql(f"SELECT role, code FROM {SCHEMA}.logins WHERE login = %(l)s", {"l": login}).first()


def list_logins(conn) -> list[dict]:
    if not conn.exec_driver_sql("SELECT to_regclass('xiaoqi_sec.logins') IS NOT NULL").scalar():
        return []
    rows = conn.exec_driver_sql(f"SELECT l.login, l.role, l.code, r.rolcanlogin FROM {SCHEMA}.logins l "
                                "LEFT JOIN pg_roles r ON r.rolname = l.login ORDER BY l.login").all()
    return [{"login": r[0], "actor": str(Actor(r[1], r[2])), "can_login": bool(r[3])} for r in rows]


def login_actor(conn) -> tuple[str, Actor | None]:
    """``current_user`` and the actor it is registered for (None: not a xiaoqi login — the owner,
    or a login from before logins existed, acts as admin)."""
    user = conn.exec_driver_sql("SELECT current_user").scalar()
    row = _row(conn, user)
    return user, (None if row is None else Actor(row[0], row[1]))


def narrow(login: str, own: Actor, wanted: Actor | None) -> Actor:
    """The actor a command runs as: the login's own, or one ``--as`` narrows it to (an admin login
    may act as anyone; a school or enterprise login only as itself; the auditor and a province only
    as themselves)."""
    if wanted is None or wanted == own:
        return own
    if own.role == "admin":
        return wanted
    raise PermissionDenied(t("users.narrow", login=login, actor=own.label(), wanted=wanted.label()))


__all__ = ["GROUPS", "SCHEMA", "add_login", "apply_row_security", "install", "list_logins", "login_actor",
           "narrow", "policy_sql", "remove_login", "set_actor"]
