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

Personal data is held back by the database too. A login may read only the columns of a personal
kind's table that hold no personal data (column privileges); it reads the rows through a view of
the same name in the schema ``xiaoqi_masked``, first on its ``search_path``, which gives each
personal column masked unless the row lies in the login's reveal scope (``Access.reveal``): a
phone as 138****5678, a name as 张**, other text as ***, other values as NULL (a view keeps the
column's type; xiaoqi shows such a hidden value as ***, NULL or not, on SQLite too:
``privacy.mask_values``). An ID number outside
the reveal scope is a pseudonym of the same shape, 110101ghkpmjon1234: region and last four kept,
the eight birth-date digits replaced by letters (a to p) from a keyed hash of the whole number (the
key is readable by the owner only). The same number gives the same pseudonym in every table, so a
login's joins and lookups between its rows still match; xiaoqi shows it as 110101********1234
(``privacy.mask_text`` masks a pseudonym wherever it stands). An ID number is shown in full when
the person it names (a student, a teacher: a kind whose key is one ID number) is in the login's
reveal scope, in every table alike. xiaoqi's own tables that hold personal data (``OWN_TABLES``:
audit states and keys, stored findings, import problems and files) have masked views too, in full
for an admin's login only. Writes to the views go to the tables (INSTEAD OF triggers run as the
login, so row-level security judges them); a column is written only when the write changes it.
xiaoqi run as a login reads the same views: what it can show in full (``--reveal``, audited) is
what the database gives that login.

``apply_row_security(connection, kinds)`` is the helper a plugin's migration branch calls for its
own tables after creating them (policies, column privileges and masked views); ``install(connection)``
(run by ``xiaoqi users add`` and after ``xiaoqi db upgrade``) sets up the group roles, the logins
table and all of it for every loaded kind. Its statements are one script generated from the
declarations and the database's tables, run only when the database does not hold that very script's
result already (its fingerprint, see "installing" below): ``users add`` and ``users set`` on a
database set up before cost a few queries; ``xiaoqi db upgrade`` always builds it all again.
"""

from __future__ import annotations

import functools
import hashlib
import re

import sqlalchemy as sa

from .access import HIDE, IDCARD, IDS, NAME, NONE, PHONE, READ_ONLY, SCOPED, in_province, scope_clause
from .actors import Actor
from .models import QuotaReservation
from .errors import PermissionDenied, UsageError, XiaoqiError
from .i18n import catalogue, t
from .privacy import MIN_ECHO

catalogue(
    {
        "users.pg_only": ("登录账号只用于 PostgreSQL 共享数据库；SQLite 文件的所有者就是管理员，用 --as 缩小身份。",
                          "Logins exist on a shared PostgreSQL database only; the owner of a SQLite file is its admin, and --as narrows what a command may do."),
        "users.bad_login": ("登录名「{login}」无效：请用小写字母开头，只含小写字母、数字和下划线（最长 63 个字符）。",
                            "Invalid login '{login}': start with a lowercase letter and use lowercase letters, digits and underscores (at most 63 characters)."),
        "users.reserved_login": ("登录名「{login}」不可用：以 pg_ 或 xiaoqi_ 开头的名字留给 PostgreSQL 和 xiaoqi 自己的角色，请换一个名字。",
                                 "The login '{login}' is not available: names starting with pg_ or xiaoqi_ are kept for PostgreSQL's and xiaoqi's own roles; choose another name."),
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
#: the code of the acting login, for the policies (a scalar subquery: read once per statement,
#: not once per row)
ACTOR_CODE = sa.literal_column(f"(SELECT {SCHEMA}.actor_code())", sa.String)
#: the actor type of the acting login, for the masked views
ACTOR_ROLE = sa.literal_column(f"(SELECT {SCHEMA}.actor_role())", sa.String)
#: the schema of the masked views that logins read instead of the tables of personal kinds
MASKED = "xiaoqi_masked"
#: the key of the pseudonyms (a scalar subquery: read with the view owner's rights)
_SECRET = sa.literal_column(f"(SELECT secret FROM {SCHEMA}.pseudonym_key)", sa.String)
#: inside a SECURITY DEFINER function ``current_user`` is the owner: the login is ``session_user``
_SESSION_CODE = sa.literal_column(f"(SELECT code FROM {SCHEMA}.logins WHERE login = session_user)", sa.String)

# SQL functions of the masks (see core.privacy for the same masks in Python)
_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT role FROM {SCHEMA}.logins WHERE login = current_user $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.pseudo_id(v text, k text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL OR v = '' THEN v WHEN length(v) = 18 THEN
     left(v, 6) || translate(left(md5(k || upper(v)), 8), '0123456789', 'ghijklmnop') || right(v, 4)
   ELSE repeat('*', length(v)) END $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.is_idcard(v text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
$$ DECLARE total integer := 0; weights integer[] := '{{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}}';
   BEGIN
     IF v !~ '^[1-9][0-9]{{5}}(19|20)[0-9]{{2}}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{{3}}[0-9Xx]$' THEN RETURN false; END IF;
     FOR i IN 1..17 LOOP total := total + substr(v, i, 1)::integer * weights[i]; END LOOP;
     RETURN upper(substr(v, 18, 1)) = substr('10X98765432', total %% 11 + 1, 1);
   END $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.pseudo_ids(v text, k text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
$$ DECLARE m text; out text := v;
   BEGIN
     IF v IS NULL THEN RETURN v; END IF;
     FOR m IN SELECT DISTINCT (regexp_matches(v, '(?<![0-9A-Za-z])([1-9][0-9]{{16}}[0-9Xx])(?![0-9A-Za-z])', 'g'))[1] LOOP
       IF {SCHEMA}.is_idcard(m) THEN out := replace(out, m, {SCHEMA}.pseudo_id(m, k)); END IF;
     END LOOP;
     RETURN out;
   END $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.mask_phone(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL OR v = '' THEN v
   WHEN length(v) >= 8 THEN left(v, 3) || repeat('*', length(v) - 7) || right(v, 4)
   ELSE repeat('*', greatest(length(v) - 2, 0)) || right(v, 2) END $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.mask_name(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL OR v = '' THEN v WHEN length(v) > 1 THEN left(v, 1) || repeat('*', length(v) - 1)
   ELSE '*' END $$;
"""


def is_postgres(engine_or_conn) -> bool:
    return engine_or_conn.dialect.name == "postgresql"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_login_name(login: str) -> str:
    if not _LOGIN.match(login or ""):
        raise UsageError(t("users.bad_login", login=login))
    if login.startswith(("pg_", "xiaoqi_")):
        raise UsageError(t("users.reserved_login", login=login))
    return login


# -- installing ------------------------------------------------------------------------------
#
# ``install`` builds one script (every statement, in order) from the kinds' declarations and what
# the database holds that the statements depend on (``_Catalog``: its tables, their columns, types,
# defaults and primary keys, and the database's owner), a pure function of the two, computed once
# per process for a catalog (``_install_script``; each kind's part once per process for its
# declaration and its table, ``_row_security``). The script's SHA-256 is its fingerprint, kept in
# ``xiaoqi_sec.installed`` when the script has run: an install finding the fingerprint it would
# write (and the masked views' schema) skips the script. A process that has not built the script
# takes the fingerprint from a small file of the user's cache directory (``_recall``) that an
# earlier one left for the same catalog, declarations, plugins and unchanged source files (as
# ``lean_check`` keeps a rule set's digest): ``xiaoqi users add`` then builds nothing. What is not the database's own runs every
# time: the group roles (the server's; another database may have made them, or be making them),
# and the search_path of every login (a login made since by other means gets it too). A kind added
# by a plugin, a changed declaration, a migration that changes a table, another version of xiaoqi
# that generates other SQL: each changes the script and so its fingerprint. What the fingerprint
# does not see is a policy or view changed by hand: ``xiaoqi db upgrade`` drops the masked views
# and builds everything again (``install(conn, force=True)``), as does ``apply_row_security`` for
# the kinds it is given.

#: the fingerprint's own version: changed when what it covers changes
FINGERPRINT_VERSION = 1


class _Catalog:
    """What the install script reads of the database: each relation of the schema public (its kind
    and its columns: name, type, default, part of the primary key) and the database's owner."""

    def __init__(self, conn):
        relations: dict[str, list] = {}
        rows = conn.exec_driver_sql(
            "SELECT c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), "
            "coalesce(a.attnum = ANY(i.indkey), false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
            "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
            "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
            "ORDER BY c.relname, a.attnum").all()
        kinds: dict[str, str] = {}
        for name, relkind, column, type_, default, primary in rows:
            kinds[name] = relkind
            columns = relations.setdefault(name, [])
            if column is not None:
                columns.append((column, type_, default, bool(primary)))
        self.kinds = kinds
        self.columns = {name: tuple(columns) for name, columns in relations.items()}
        self.owner = conn.exec_driver_sql("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                          "WHERE datname = current_database()").scalar()
        self.key = (self.owner, tuple(sorted((name, kinds[name], self.columns[name]) for name in kinds)))

    def exists(self, table: str) -> bool:
        return table in self.kinds

    def tables(self) -> frozenset:
        """The tables (``pg_tables``)."""
        return frozenset(name for name, relkind in self.kinds.items() if relkind in ("r", "p"))

    def names(self, table: str) -> list[str]:
        return [c[0] for c in self.columns[table]]

    def types(self, table: str) -> dict[str, str]:
        return {c[0]: c[1] for c in self.columns[table]}

    def defaults(self, table: str) -> list[tuple[str, str]]:
        return [(c[0], c[2]) for c in self.columns[table] if c[2] is not None]

    def primary_key(self, table: str) -> list[str]:
        return [c[0] for c in self.columns[table] if c[3]]


class _Script:
    """Statements to run, in order, built against a ``_Catalog`` (it stands where the builders
    took a connection: ``exec_driver_sql`` keeps the statement, its percent signs as the driver
    reads them, and the builders read the database from the catalog)."""

    def __init__(self, catalog: _Catalog, dialect):
        self.catalog = catalog
        self.dialect = dialect
        self.statements: list[str] = []

    def exec_driver_sql(self, sql: str, params=None) -> None:
        if params is not None:
            raise TypeError("an install script's statement takes no parameters")
        self.statements.append(sql.replace("%%", "%"))

    def text(self) -> str:
        return ";\n".join(self.statements) + ";\n"

    def fingerprint(self) -> str:
        from .. import __version__

        material = f"{FINGERPRINT_VERSION}\n{__version__}\n{self.text()}"
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def run(self, conn) -> None:
        """The statements as one batch (no round trip each; PostgreSQL parses them in turn)."""
        if not self.statements:
            return
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(self.text())


#: install scripts built in this process, by a digest of everything they are built from
_SCRIPTS: dict[str, _Script] = {}


def _install_script(conn, catalog: _Catalog, kinds: list) -> _Script:
    """The script of ``install`` for ``kinds``, built once per process for the catalog, the kinds'
    declarations (every kind's, as its ``repr`` gives them: columns, key, references, access), the
    rules' facts and the group roles' names."""
    from .rules.facts import all_facts

    material = repr((catalog.key, sorted(GROUPS.items()), conn.dialect.server_version_info, [repr(k) for k in kinds], _declarations(),
                     [repr(f) for f in all_facts()]))
    key = hashlib.sha256(material.encode("utf-8")).hexdigest()
    script = _SCRIPTS.get(key)
    if script is None:
        script = _Script(catalog, conn.dialect)
        _build_install(script, kinds)
        if len(_SCRIPTS) >= 8:
            _SCRIPTS.clear()
        _SCRIPTS[key] = script
    return script


#: bumped when the remembered fingerprints' files change their layout or what they are keyed by
_REMEMBERED_VERSION = 1


def _declaration(kind) -> str:
    """A kind's declaration as text without importing its model (``RecordKind`` fields; the model
    by its import path) nor the addresses of its functions (a where scope's, a
    guard's: their code is in the source files ``_remember`` keeps the state of)."""
    import dataclasses

    model = kind.__dict__.get("_model")
    if not isinstance(model, str):  # a class given, or imported since from its path
        model = f"{model.__module__}:{model.__qualname__}"
    fields = [model if f.name == "model" else getattr(kind, f.name) for f in dataclasses.fields(kind)]
    return re.sub(r" at 0x[0-9a-f]+", "", repr(fields))


def _remembered_key(conn, catalog: _Catalog, kinds) -> str:
    """What the install script is built from, besides the source files: the interpreter, the plugins
    and their switches (``lean_check._context_key``), the server's version, the catalog, the group
    roles' names and the kinds' declarations (all of them, and those installed if not all)."""
    from .kinds import get_kinds
    from .lean_check import _context_key

    material = [_REMEMBERED_VERSION, _context_key(None), list(conn.dialect.server_version_info or ()), catalog.key,
                sorted(GROUPS.items()), [_declaration(k) for k in get_kinds().values()],
                None if kinds is None else [_declaration(k) for k in kinds]]
    return hashlib.sha256(repr(material).encode("utf-8")).hexdigest()


def _recall(conn, catalog: _Catalog, kinds) -> str | None:
    """The fingerprint of the install script that an earlier process built from the same (see
    ``_remembered_key``), while every source file it had loaded then is unchanged (the state of
    ``lean_check``'s cache: path, size, modification time, and ``sys.path``); None otherwise."""
    from . import cache

    key = _remembered_key(conn, catalog, kinds)
    entry = cache.kept(f"install-{key[:32]}.json", _REMEMBERED_VERSION)
    return entry.get("fingerprint") if entry is not None and entry.get("key") == key else None


def _remember(conn, catalog: _Catalog, kinds, fingerprint: str) -> bool:
    """Keep ``fingerprint`` for ``_recall`` with the state of every source file loaded now (nothing
    is kept when one of them changed while this process ran: False)."""
    from . import cache

    key = _remembered_key(conn, catalog, kinds)
    return cache.keep(f"install-{key[:32]}.json", {"version": _REMEMBERED_VERSION, "key": key, "fingerprint": fingerprint})


def _installed(conn) -> str | None:
    """The fingerprint of the script that last ran here, if the masked views' schema is there too."""
    present = conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.installed') IS NOT NULL "
                                   f"AND to_regnamespace('{MASKED}') IS NOT NULL").scalar()
    if not present:
        return None
    return conn.exec_driver_sql(f"SELECT fingerprint FROM {SCHEMA}.installed").scalar()


def install(conn, kinds=None, *, force: bool = False) -> None:
    """Group roles, the logins table, table privileges and the policies of every kind (idempotent;
    the statements are skipped when the database holds what they make already, see above;
    ``force`` runs them anyway)."""
    from .kinds import get_kinds

    # the group roles belong to the server, not to the database: another database of the same
    # server may be installing at this moment (an advisory lock would not serialise the two), and
    # its role, not yet committed when we looked, then makes our CREATE ROLE fail: it is ours too
    for group in GROUPS.values():
        conn.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN "
            f"CREATE ROLE {group} NOLOGIN; END IF; "
            f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    # two installs of one database: the second waits for the first and then finds its fingerprint
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('xiaoqi.install'))")
    catalog = _Catalog(conn)
    installed = None if force else _installed(conn)
    # a process that has not built the script: the fingerprint an earlier one found for all it is built from
    if installed is None or installed != _recall(conn, catalog, kinds):
        script = _install_script(conn, catalog, list(get_kinds().values()) if kinds is None else list(kinds))
        fingerprint = script.fingerprint()
        if installed != fingerprint:
            script.run(conn)
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.installed (fingerprint text NOT NULL)")
            conn.exec_driver_sql(f"REVOKE ALL ON {SCHEMA}.installed FROM PUBLIC")
            conn.exec_driver_sql(f"DELETE FROM {SCHEMA}.installed")
            conn.exec_driver_sql(f"INSERT INTO {SCHEMA}.installed (fingerprint) VALUES (%(f)s)", {"f": fingerprint})
        _remember(conn, catalog, kinds, fingerprint)
    # every login reads the masked views before the tables (a login added before them too)
    for (login,) in conn.exec_driver_sql(
            f"SELECT l.login FROM {SCHEMA}.logins l JOIN pg_roles r ON r.rolname = l.login WHERE NOT EXISTS "
            f"(SELECT 1 FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0 "
            f"AND %(p)s = ANY(s.setconfig))", {"p": _SEARCH_PATH_SETTING}).all():
        _search_path(conn, login)


def _build_install(conn, kinds) -> None:
    """The statements of ``install`` (``conn``: a ``_Script``)."""
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.logins (login text PRIMARY KEY, role text NOT NULL, "
                         "code text, CHECK (role IN ('admin', 'auditor', 'province', 'school', 'enterprise')))")
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {SCHEMA}.actor_code() RETURNS text LANGUAGE sql STABLE AS "
                         f"$$ SELECT code FROM {SCHEMA}.logins WHERE login = current_user $$")
    groups = ", ".join(GROUPS.values())
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {groups}")
    conn.exec_driver_sql(f"GRANT SELECT ON {SCHEMA}.logins TO {groups}")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.actor_code() TO {groups}")
    _install_masking(conn)
    _newest_change_function(conn)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {groups}")
    conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {groups}")
    writers = ", ".join(GROUPS[r] for r in ("admin", "school", "enterprise"))
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {writers}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writers}")
    # the audit log: appended to by every writer, changed by nobody but the owner
    for table in APPEND_ONLY:
        if _exists(conn, table):
            conn.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {groups}")
    if _exists(conn, "audit_log"):
        _audit_guard(conn)
    _row_security(conn, kinds)
    mask_own_tables(conn)
    _check_writes(conn)
    facts_views(conn)


def _install_masking(conn) -> None:
    """The schema of the masked views, the pseudonyms' key (the owner's only) and the masks' functions."""
    groups = ", ".join(GROUPS.values())
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {MASKED}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {MASKED} TO {groups}")
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.pseudonym_key (secret text NOT NULL)")
    conn.exec_driver_sql(f"REVOKE ALL ON {SCHEMA}.pseudonym_key FROM PUBLIC, {groups}")
    conn.exec_driver_sql(f"INSERT INTO {SCHEMA}.pseudonym_key (secret) SELECT md5(random()::text || clock_timestamp()::text) "
                         f"|| md5(random()::text) WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.pseudonym_key)")
    conn.exec_driver_sql(_FUNCTIONS)
    for function in ("actor_role()", "pseudo_id(text, text)", "is_idcard(text)", "pseudo_ids(text, text)", "mask_phone(text)",
                     "mask_name(text)"):
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{function} TO {groups}")


def _newest_change_function(conn) -> None:
    """``xiaoqi_sec.newest_change()``: the id of the newest audit entry that changed data, read with
    the owner's rights (only the id: a login that reads only some entries can still tell whether a
    kept check result is stale, see ``check_store.changes_since``)."""
    from .check_store import DATA_CHANGES

    actions = ", ".join(_literal(a) for a in DATA_CHANGES)
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {SCHEMA}.newest_change() RETURNS bigint LANGUAGE sql STABLE "
                         f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
                         f"$$ SELECT coalesce(max(id), 0) FROM public.audit_log WHERE action IN ({actions}) $$")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {SCHEMA}.newest_change() FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.newest_change() TO {', '.join(GROUPS.values())}")


def _audit_guard(conn) -> None:
    """The trigger that refuses an audit entry a login writes in another's name: its actor must be
    the login's own (``narrow``: an admin's login may write any actor, every other login only its
    own ``role:code``) and its login the session's own (the column's default, ``current_user``,
    as xiaoqi writes it). SQLSTATE XQ002, its DETAIL what was refused as JSON (``core.db_errors``
    words it). The database's owner writes as before; the trigger does not run for it."""
    from .db_errors import AUDIT_STATE

    function = f"{SCHEMA}.audit_guard"
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE v_role text; v_code text; v_me text; v_what text;
BEGIN
  SELECT role, code INTO v_role, v_code FROM {SCHEMA}.logins WHERE login = session_user;
  IF NOT FOUND THEN RETURN NEW; END IF;  -- not a xiaoqi login: what its privileges allow
  v_me := v_role || coalesce(':' || v_code, '');
  IF NEW.login IS DISTINCT FROM session_user::text THEN
    v_what := 'login';
  ELSIF v_role <> 'admin' AND NEW.actor IS DISTINCT FROM v_me THEN
    v_what := 'actor';
  ELSE
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING ERRCODE = {_literal(AUDIT_STATE)},
    MESSAGE = CASE v_what WHEN 'login' THEN
      '审计条目的登录名「' || coalesce(NEW.login, '') || '」不是当前登录 ' || session_user || '。 The audit entry''s login '''
      || coalesce(NEW.login, '') || ''' is not the session''s login ' || session_user || '.'
    ELSE
      '登录 ' || session_user || ' 的身份是 ' || v_me || '，不能以「' || coalesce(NEW.actor, '') || '」的名义写审计条目。 Login '
      || session_user || ' acts as ' || v_me || '; it cannot write an audit entry as ''' || coalesce(NEW.actor, '') || '''.'
    END,
    DETAIL = json_build_object('what', v_what, 'login', session_user, 'own', v_me, 'actor', NEW.actor,
                               'given', NEW.login)::text;
END $$""")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
    owner = conn.catalog.owner
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS xq_audit_actor ON audit_log")
    conn.exec_driver_sql(f"CREATE TRIGGER xq_audit_actor BEFORE INSERT ON audit_log FOR EACH ROW "
                         f"WHEN (session_user <> {_literal(owner)}) EXECUTE FUNCTION {function}()")


#: a login's search_path as ``pg_db_role_setting`` keeps it
_SEARCH_PATH_SETTING = f"search_path={MASKED}, public"


def _search_path(conn, login: str) -> None:
    conn.exec_driver_sql(f"ALTER ROLE {_q(login)} SET search_path = {MASKED}, public")


def before_upgrade(conn) -> None:
    """Before migrations: the masked views go (a migration may drop or change a column they show);
    ``after_upgrade`` makes them again from the kinds as they are then."""
    if is_postgres(conn):
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {MASKED} CASCADE")


def after_upgrade(conn) -> None:
    """After migrations, on a database with logins: policies, privileges and masked views again
    (a new table or column of a kind gets them)."""
    if is_postgres(conn) and conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.logins') IS NOT NULL").scalar():
        install(conn, force=True)


def _exists(conn, table: str) -> bool:
    if isinstance(conn, _Script):
        return conn.catalog.exists(table)
    return conn.exec_driver_sql("SELECT to_regclass(%(t)s) IS NOT NULL", {"t": f"public.{table}"}).scalar()


def policy_sql(kind, actor_type: str, action: str, dialect) -> str | None:
    """The condition of ``kind``'s policy for ``actor_type`` and ``action``, in SQL on its table
    (None: every row)."""
    clause = scope_clause(kind, actor_type, action, ACTOR_CODE)
    if clause is None:
        return None
    return _where_text(kind.model.__table__, clause, dialect)


def _where_text(table, clause, dialect) -> str:
    """``clause`` in SQL, compiled inside a statement on ``table`` so that its subqueries correlate
    to the row (a percent sign doubled, as the driver's statements write it)."""
    stmt = sa.select(sa.literal_column("1")).select_from(table).where(clause)
    text = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return text[text.index("\nWHERE ") + len("\nWHERE "):]


def _reads_others(kind, clause) -> bool:
    """Whether ``clause`` (a policy's condition) reads other tables. Such a condition is judged in
    a function that runs with the owner's rights: a login may not read the personal columns it may
    join on, and the other tables' own policies, applied again inside it, could lead back to this
    table (infinite recursion); the condition holds their scopes already."""
    return any(isinstance(e, sa.Column) and e.table is not None and e.table is not kind.model.__table__
               for e in sa.sql.visitors.iterate(clause))


def _references_clause(kind, actor_type: str, code, row) -> list:
    """For a row being written: each of its references names a record the writer may read, and
    agrees with it on the reference's ``agree`` columns (as ``services.check_references`` asks of
    a write through xiaoqi; a foreign key alone lets a login name another school's student)."""
    from .kinds import get_kind

    parts = []
    for ref in kind.references:
        target = get_kind(ref.kind)
        alias = sa.orm.aliased(target.model)
        local = [getattr(row, c) for c in ref.columns]
        scope = scope_clause(target, actor_type, "read", code, alias)
        if scope is None and not ref.agree:
            continue  # any record: the foreign key holds it
        found = [getattr(alias, tc) == v for tc, v in zip(ref.target_columns, local)]
        found += [getattr(alias, c) == getattr(row, c) for c in ref.agree]
        parts.append(sa.or_(*[v.is_(None) for v in local], sa.exists().where(*found, *([] if scope is None else [scope]))))
    return parts


def _policy_clause(kind, actor_type: str, action: str, code, row=None):
    """A policy's condition as SQLAlchemy: the kind's scope for ``action``, and for a write (create,
    update) its references within the writer's read scope (None: every row)."""
    clause = scope_clause(kind, actor_type, action, code, row)
    if action not in ("create", "update"):
        return clause
    refs = _references_clause(kind, actor_type, code, kind.model if row is None else row)
    if not refs:
        return clause
    return sa.and_(*([] if clause is None else [clause]), *refs)


def _condition(conn, kind, actor_type: str, action: str) -> str:
    """A policy's condition: the scope in SQL, or a call of a SECURITY DEFINER function judging the
    row when the scope reads other tables (see ``_reads_others``)."""
    row = sa.orm.aliased(kind.model, name="r")
    inner = None
    if action in ("create", "update"):
        # a write whose references are judged reads other tables: the function, built once
        refs = _references_clause(kind, actor_type, _SESSION_CODE, row)
        if refs:
            scope = scope_clause(kind, actor_type, action, _SESSION_CODE, row)
            inner = sa.and_(*([] if scope is None else [scope]), *refs)
    if inner is None:
        clause = _policy_clause(kind, actor_type, action, ACTOR_CODE)
        if clause is None:
            return "true"
        if not _reads_others(kind, clause):
            return _where_text(kind.model.__table__, clause, conn.dialect)
        inner = _policy_clause(kind, actor_type, action, _SESSION_CODE, row)
    table = kind.model.__tablename__
    text = str(sa.select(sa.literal_column("1")).select_from(row).where(inner)
               .compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    body = text[text.index("\nWHERE ") + len("\nWHERE "):]
    function = f"{SCHEMA}.{_q(f'p_{table}_{actor_type}_{action}')}"
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {function}(r public.{_q(table)}) RETURNS boolean LANGUAGE sql STABLE "
                         f"SECURITY DEFINER SET search_path = public, pg_catalog AS $$ SELECT {body} $$")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {function}(public.{_q(table)}) FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function}(public.{_q(table)}) TO {GROUPS[actor_type]}")
    return f"{function}({_q(table)})"


def apply_row_security(conn, kinds) -> None:
    """Row-level security for the tables of ``kinds`` (the core's, or a plugin's from its own
    migration branch): the policies are dropped and made again from the declarations; the tables
    of personal kinds get their column privileges and masked views."""
    script = _Script(_Catalog(conn), conn.dialect)
    _row_security(script, kinds)
    script.run(conn)


def _drop_policies(conn, table: str) -> None:
    """The statement dropping xiaoqi's policies (``xq_...``) on ``table``, whichever there are."""
    conn.exec_driver_sql(f"""DO $$ DECLARE p text; BEGIN
  FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = {_literal(table)}
           AND policyname LIKE 'xq\\_%%' LOOP
    EXECUTE format('DROP POLICY %%I ON public.%%I', p, {_literal(table)});
  END LOOP;
END $$""")


#: each kind's statements of ``_row_security``, by what they are built from (see ``_row_security``)
_KIND_STATEMENTS: dict[tuple, list[str]] = {}


def _row_security(conn, kinds) -> None:
    """The statements of ``apply_row_security`` (``conn``: a ``_Script``). A kind's are built once
    per process for its declaration, every kind's (its scopes may lead through theirs), the group
    roles' names and its table's columns in the catalog."""
    conn.exec_driver_sql("SELECT set_config('search_path', 'public', true)")  # names in views and functions
    declared = _declarations()
    for kind in kinds:
        table = kind.model.__tablename__
        if not _exists(conn, table):
            continue
        key = (declared, tuple(GROUPS.items()), repr(kind), conn.catalog.columns[table])
        statements = _KIND_STATEMENTS.get(key)
        if statements is None:
            part = _Script(conn.catalog, conn.dialect)
            _kind_security(part, kind, table)
            if len(_KIND_STATEMENTS) >= 1024:
                _KIND_STATEMENTS.clear()
            statements = _KIND_STATEMENTS[key] = part.statements
        conn.statements.extend(statements)


def _declarations() -> str:
    """A digest of every kind's declaration (its ``repr``: columns, key, references, access)."""
    from .kinds import get_kinds

    return hashlib.sha256("\n".join(repr(k) for k in get_kinds().values()).encode("utf-8")).hexdigest()


def _kind_security(conn, kind, table: str) -> None:
    """The policies of ``kind``'s table, its column privileges and masked view, its triggers."""
    conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY")
    _drop_policies(conn, table)
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
            condition = _condition(conn, kind, actor_type, judged)
            name = _q(f"xq_{actor_type}_{action}")
            if action == "create":
                conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR INSERT TO {group} WITH CHECK ({condition})")
            elif action == "update":
                conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR UPDATE TO {group} USING ({condition}) "
                                     f"WITH CHECK ({condition})")
            else:
                conn.exec_driver_sql(f"CREATE POLICY {name} ON {_q(table)} FOR {command} TO {group} USING ({condition})")
    if db_personal(kind):
        _mask(conn, kind)
    if table == QUOTA_TABLE:
        _quota_guard(conn)


#: the table of quota reservations, kept within each position's quota by a trigger
QUOTA_TABLE = QuotaReservation.__tablename__
#: the function (in ``SCHEMA``) that locks a position row with the owner's rights
LOCK_POSITION = "lock_position"
#: and the one that locks a school's row (``quota.reserve``'s ``max_open_reservations``)
LOCK_SCHOOL = "lock_school"


def _quota_guard(conn) -> None:
    """The trigger that refuses a reservation's insert or update holding more places than the
    position has free (``core.quota.guard_sql``): the policies let a school or enterprise login
    write reservations (``xiaoqi quota reserve`` runs as the login), and a login bypassing xiaoqi
    must not book past the quota. It runs with the owner's rights for every writer."""
    from .quota import guard_sql

    function = f"{SCHEMA}.quota_guard"
    conn.exec_driver_sql(guard_sql(conn.dialect, function))
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
    # the position's lock for a login's ``reserve``: row-level security leaves out of SELECT ... FOR
    # UPDATE the rows a login may read but not update (a school, positions); it locks, reveals nothing
    lock = f"{SCHEMA}.{LOCK_POSITION}"
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {lock}(u text, p text) RETURNS void LANGUAGE sql VOLATILE "
                         f"SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS "
                         f"$$ SELECT NULL::void FROM public.positions WHERE uscc = u AND position_code = p FOR NO KEY UPDATE $$")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {lock}(text, text) FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {lock}(text, text) TO {', '.join(GROUPS.values())}")
    # the school's lock, for its own login (or an admin's): one school's reservers in turn
    lock = f"{SCHEMA}.{LOCK_SCHOOL}"
    conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {lock}(c text) RETURNS void LANGUAGE sql VOLATILE "
                         f"SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS "
                         f"$$ SELECT NULL::void FROM public.schools WHERE school_code = c AND coalesce((SELECT l.role = 'admin' "
                         f"OR l.code = c FROM {SCHEMA}.logins l WHERE l.login = session_user), true) FOR NO KEY UPDATE $$")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {lock}(text) FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {lock}(text) TO {', '.join(GROUPS.values())}")
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS xq_quota ON {QUOTA_TABLE}")
    conn.exec_driver_sql(f"CREATE TRIGGER xq_quota AFTER INSERT OR UPDATE ON {QUOTA_TABLE} FOR EACH ROW "
                         f"EXECUTE FUNCTION {function}()")


# -- masked views ----------------------------------------------------------------------------

def _by_role(kind, action: str, build) -> sa.ColumnElement:
    """A condition that holds for the acting login's actor type: ``build(actor_type)`` gives the
    condition for each (None: always)."""
    whens = [(ACTOR_ROLE == "admin", sa.true())]
    for actor_type in SCOPED:
        if not kind.rights.allows(action, actor_type):
            continue
        condition = build(actor_type)
        whens.append((ACTOR_ROLE == actor_type, sa.true() if condition is None else condition))
    return sa.case(*whens, else_=sa.false())


def _person_kinds() -> list:
    """The registers of people: kinds whose key is one ID number (students, teachers)."""
    from .kinds import get_kinds

    return [k for k in get_kinds().values() if len(k.key) == 1 and k.by_name[k.key[0]].type == "idcard"]


def _is_text(type_) -> bool:
    """A column type that holds text: ``sa.String`` and the types built on it (SQLModel's
    ``AutoString`` decorates ``String``; masked as NULL instead, a plugin table's ID numbers and
    phones read NULL and no join on them held)."""
    return isinstance(getattr(type_, "impl_instance", type_), sa.String)


def _masked_column(kind, row, name: str, mask: str, revealed, persons) -> sa.ColumnElement:
    column = getattr(row, name)
    is_text = _is_text(kind.model.__table__.c[name].type)
    if mask == IDCARD and is_text:
        if len(kind.key) == 1 and kind.key[0] == name and kind.name in {p.name for p in persons}:
            shown = revealed  # the person's own row
        else:
            # the person named is in the reveal scope: the same in every table
            shown = sa.or_(*[_by_role(p, "reveal", lambda a, p=p, alias=alias: sa.exists().where(*[
                c for c in (getattr(alias, p.key[0]) == column, scope_clause(p, a, "reveal", ACTOR_CODE, alias)) if c is not None]))
                for p in persons for alias in [sa.orm.aliased(p.model)]] or [sa.false()])
        return sa.case((sa.or_(column.is_(None), shown), column), else_=sa.func.xiaoqi_sec.pseudo_id(column, _SECRET))
    if not is_text:
        return sa.case((revealed, column), else_=sa.null())
    masked = {IDS: lambda: sa.func.xiaoqi_sec.pseudo_ids(column, _SECRET), PHONE: lambda: sa.func.xiaoqi_sec.mask_phone(column),
              NAME: lambda: sa.func.xiaoqi_sec.mask_name(column), HIDE: lambda: sa.case((column.is_(None), column), else_="***"),
              IDCARD: lambda: sa.func.xiaoqi_sec.pseudo_id(column, _SECRET)}[mask]()
    return sa.case((revealed, column), else_=masked)


def view_sql(kind, dialect) -> str:
    """The masked view of ``kind``'s table: its rows in the login's read scope, its personal
    columns masked outside the login's reveal scope."""
    row = sa.orm.aliased(kind.model, name="t")
    persons = _person_kinds()
    revealed = _by_role(kind, "reveal", lambda a: scope_clause(kind, a, "reveal", ACTOR_CODE, row))
    personal = db_personal(kind)
    columns = [(_masked_column(kind, row, c.name, personal[c.name], revealed, persons) if c.name in personal
                else getattr(row, c.name)).label(c.name) for c in kind.model.__table__.columns]
    readable = _by_role(kind, "read", lambda a: scope_clause(kind, a, "read", ACTOR_CODE, row))
    stmt = sa.select(*columns).select_from(row).where(readable)
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def facts_views(conn) -> None:
    """The facts that rules read instead of personal data a login may not read
    (``core.rules.facts``): a view per table, ``xiaoqi_masked.facts_<table>``, owned by the owner,
    giving the id and the facts of each row in the login's read scope of that table, and not the
    data they are derived from."""
    from .kinds import get_kinds
    from .rules.facts import all_facts

    kinds = {k.model.__tablename__: k for k in get_kinds().values()}
    by_table: dict[str, list] = {}
    for fact in all_facts():
        by_table.setdefault(fact.table, []).append(fact)
    for table, facts in by_table.items():
        kind = kinds.get(table)
        if kind is None or not _exists(conn, table):
            continue
        row = sa.orm.aliased(kind.model, name="r")
        readable = _by_role(kind, "read", lambda a: scope_clause(kind, a, "read", ACTOR_CODE, row))
        stmt = sa.select(row.id.label("id"), *[sa.literal_column(f.column_sql()).label(f.name) for f in facts]) \
            .select_from(row).where(readable)
        view = facts[0].view
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {view}")
        conn.exec_driver_sql(f"CREATE VIEW {view} WITH (security_barrier) AS "
                             f"{stmt.compile(dialect=conn.dialect, compile_kwargs={'literal_binds': True})}")
        conn.exec_driver_sql(f"REVOKE ALL ON {view} FROM PUBLIC")
        conn.exec_driver_sql(f"GRANT SELECT ON {view} TO {', '.join(GROUPS.values())}")


def db_personal(kind) -> dict[str, str]:
    """The personal columns of ``kind``'s table and their masks: the kind's, and the stored columns
    derived from them (``Access.derived_personal``, hidden)."""
    return {**kind.rights.personal, **{c: HIDE for c in kind.rights.derived_personal}}


def _mask(conn, kind) -> None:
    """Column privileges and the masked view (with its write triggers) of a personal kind's table."""
    _masked_view(conn, kind.model.__tablename__, view_sql(kind, conn.dialect), set(db_personal(kind)))


#: xiaoqi's own tables that hold personal data (keys, states, echoed cells, findings, files): how
#: each such column reads for every login but an admin's. ``ids``: ID numbers in the text as
#: pseudonyms; ``key``: an audit entry's record key with its kind's personal parts masked
#: (``mask_key``); ``state``: a record's state (audit) with its kind's personal columns masked
#: (``mask_state``); ``numbers``: a finding's numbers without the birth date; ``problems``: an
#: import's problems with the cells of its kind's personal columns masked, in their reasons too
#: (``mask_problems``); ``note``: an audit entry's note with a refused import's first problem masked
#: as ``problems`` and a refused write's values as ``state``, in its reason too (``mask_note``); ID
#: numbers as pseudonyms in all of them; ``none``: not at all
OWN_TABLES = {
    "audit_log": {"key": "key", "before": "state", "after": "state", "note": "note"},
    "check_runs": {},
    "check_findings": {"subject_key": "ids", "message": "ids", "numbers": "numbers"},
    "import_batches": {"problems": "problems"},
    "import_files": {"data": "none"},
}
#: the columns of those tables a login may read in the table itself (the rest only through the
#: masked view): their rows are scoped by their views (``_check_rows``, ``_own_rows``), so the tables
#: give only what the views' write triggers need, the row's key
KEY_ONLY = ("audit_log", "check_runs", "check_findings", "import_batches", "import_files")


def _province_has(column: str, who: str) -> str:
    """SQL: ``column`` names one of the acting province's schools (``who`` "school") or
    enterprises ("enterprise"), as the kinds' scopes judge it (``access.in_province``)."""
    from sqlalchemy.dialects import postgresql

    clause = in_province(sa.literal_column(column, sa.String), who, ACTOR_CODE)
    return str(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})).replace('%%', '%')


def _check_rows() -> dict[str, str]:
    """The rows of the kept checks a login reads (``check_store``): an admin's and the auditor's
    login all; a school's the runs of its own checks (``check_store.scope_of``) and their
    findings, and the findings of its records in any run (its student at an enterprise, in the
    enterprise's run); an enterprise's the same by its USCC; a province's the runs of its schools'
    and enterprises' checks and the findings of its schools and enterprises. No other run, not the
    admin's check of everything: its counts are about every scope."""
    def province(table: str) -> str:
        return f"({_province_has(f'{table}.school_code', 'school')} OR {_province_has(f'{table}.uscc', 'enterprise')})"

    own_runs = "t.run_id IN (SELECT r.id FROM public.check_runs r WHERE r.{column} = " + str(ACTOR_CODE) + ")"
    return {
        "check_runs": f"""CASE {ACTOR_ROLE} WHEN 'admin' THEN true WHEN 'auditor' THEN true
        WHEN 'school' THEN t.school_code = {ACTOR_CODE}
        WHEN 'enterprise' THEN t.uscc = {ACTOR_CODE}
        WHEN 'province' THEN {province('t')}
        ELSE false END""",
        "check_findings": f"""CASE {ACTOR_ROLE} WHEN 'admin' THEN true WHEN 'auditor' THEN true
        WHEN 'school' THEN t.school_code = {ACTOR_CODE} OR {own_runs.format(column='school_code')}
        WHEN 'enterprise' THEN t.uscc = {ACTOR_CODE} OR {own_runs.format(column='uscc')}
        WHEN 'province' THEN {province('t')}
        ELSE false END""",
    }


#: the acting login's ``role:code`` (``Actor.__str__``), for the audit log's and batches' views
_ACTOR_NAME = sa.literal_column(f"(SELECT role || coalesce(':' || code, '') FROM {SCHEMA}.logins WHERE login = current_user)",
                                sa.String)


#: stand-ins for the acting login's code and ``role:code`` in the compiled conditions
_STAND_INS = {"xq_code_": "v_code", "xq_me_": "v_me"}


@functools.lru_cache(maxsize=4)
def _sees_entry_body(tables: frozenset, _kinds: tuple) -> str:
    """The body of ``xiaoqi_sec.sees_entry``: per actor type, per kind, ``history.entry_conditions``
    compiled (a branch of a CASE statement each: PostgreSQL plans a kind's condition when an entry
    of that kind first asks for it, not all of them for every query)."""
    from sqlalchemy.dialects import postgresql

    from .history import _audit_table, entry_conditions, where_sql

    dialect = postgresql.dialect()
    code, me = (sa.literal(s, sa.String) for s in _STAND_INS)
    entries = _audit_table("t")
    branches = []
    for actor_type in SCOPED:
        _own, whens = entry_conditions(actor_type, code, me, postgres=True, tables=set(tables), entries=entries)
        cases = "\n      ".join(f"WHEN {_literal(kind)} THEN RETURN coalesce(({where_sql(entries, clause, dialect)}), false);"
                                 for kind, clause in whens)
        branches.append(f"IF v_role = {_literal(actor_type)} THEN\n    CASE t.kind\n      {cases}\n      ELSE RETURN false;\n"
                        f"    END CASE;\n  END IF;")
    body = "\n  ".join(branches)
    for stand_in, name in _STAND_INS.items():
        body = body.replace(f"'{stand_in}'", name)
    return body


def _revealed_person(dialect) -> str:
    """In ``entries_of``: whether the ID number ``part`` names a person (a student, a teacher) in the
    reveal scope of the login (``v_role``, ``v_code``), as its masked views show it in full."""
    code = sa.literal_column("v_code", sa.String)
    branches = []
    for actor_type in SCOPED:
        found = []
        for person in _person_kinds():
            if not person.rights.allows("reveal", actor_type):
                continue
            row = sa.orm.aliased(person.model, name="p")
            scope = scope_clause(person, actor_type, "reveal", code, row)
            where = [getattr(row, person.key[0]) == sa.literal_column("part", sa.String), *([] if scope is None else [scope])]
            text = str(sa.select(sa.literal_column("1")).select_from(row).where(*where)
                       .compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            found.append(f"EXISTS ({text})")
        branches.append(f"WHEN {_literal(actor_type)} THEN {' OR '.join(found) or 'false'}")
    return f"CASE v_role {' '.join(branches)} ELSE false END"


def _entries_function(conn) -> None:
    """``xiaoqi_sec.sees_entry(entry)``: whether the session's login reads an audit entry (an admin
    and the auditor every one; another the entries its actor or its login wrote and those
    ``history.entry_conditions`` gives its actor type), judged with the owner's rights for the
    login of ``session_user`` (the masked view of ``audit_log`` asks it for each row); and
    ``xiaoqi_sec.entries_of(kind, key)``: the ids of a record's entries it reads, found by the
    key as written (the view gives a login ID numbers as pseudonyms, so a key it types matches no
    key it reads there; the index on kind and key finds them here)."""
    if not _exists(conn, "audit_log"):
        return
    from .kinds import get_kinds

    tables = conn.catalog.tables()
    body = _sees_entry_body(tables, tuple(get_kinds()))
    groups = ", ".join(GROUPS.values())
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.sees_entry(t public.audit_log) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE v_role text; v_code text; v_me text;
BEGIN
  SELECT role, code INTO v_role, v_code FROM {SCHEMA}.logins WHERE login = session_user;
  IF v_role IS NULL THEN RETURN false; END IF;
  IF v_role IN ('admin', 'auditor') THEN RETURN true; END IF;
  v_me := v_role || coalesce(':' || v_code, '');
  IF t.actor = v_me OR t.login = session_user THEN RETURN true; END IF;
  {body}
  RETURN false;
END $$""".replace("%", "%%"))
    # a key as written finds entries only when every ID number in it is shown to the login in full
    # (a person in its reveal scope, ``_revealed_person``): otherwise whether a guessed number
    # finds entries would tell whether it is right
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.entries_of(text, text) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE v_role text; v_code text; part text;
BEGIN
  SELECT role, code INTO v_role, v_code FROM {SCHEMA}.logins WHERE login = session_user;
  IF v_role IS DISTINCT FROM 'admin' THEN
    FOR part IN SELECT DISTINCT (regexp_matches($2, '(?<![0-9A-Za-z])([1-9][0-9]{{16}}[0-9Xx])(?![0-9A-Za-z])', 'g'))[1] LOOP
      IF {SCHEMA}.is_idcard(part) AND NOT ({_revealed_person(conn.dialect)}) THEN
        RETURN;
      END IF;
    END LOOP;
  END IF;
  RETURN QUERY SELECT t.id FROM public.audit_log t WHERE t.kind = $1 AND t.key = $2 AND {SCHEMA}.sees_entry(t);
END $$""".replace("%", "%%"))
    # a page of the entries it reads, newest first, found in the table along its primary key (the
    # masked view, a security barrier, would be read whole and sorted before its first row): the
    # filters of ``history.list_entries``, a key as the view gives it (masked: a key as written
    # would tell whether a guessed ID number is right); planned at each call with its values (a
    # plan made for any LIMIT sorts the whole log)
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.entries_page(p_kind text, p_key text, p_actor text,
  p_since timestamp, p_before integer, p_limit integer) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  RETURN QUERY EXECUTE 'SELECT t.id FROM public.audit_log t WHERE ($1 IS NULL OR t.kind = $1)
     AND ($2 IS NULL OR {SCHEMA}.mask_key(t.kind, t.key, (SELECT secret FROM {SCHEMA}.pseudonym_key)) = $2)
     AND ($3 IS NULL OR t.actor = $3 OR t.login = $3) AND ($4 IS NULL OR t.at >= $4) AND ($5 IS NULL OR t.id < $5)
     AND {SCHEMA}.sees_entry(t) ORDER BY t.id DESC LIMIT $6'
    USING p_kind, p_key, p_actor, p_since, p_before, p_limit;
END $$""")
    # for entries it reads: the id of the next change of the same record that it reads (whose
    # ``before`` rebuilds an imported creation, ``history._later_states``), found by the key as
    # written (the view's keys are masked: no index finds them there)
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.next_changes(ids integer[])
RETURNS TABLE (entry integer, next integer) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS
$$ SELECT c.id, (SELECT n.id FROM public.audit_log n WHERE n.kind = c.kind AND n.key = c.key AND n.id > c.id
                 AND n.action IN ('update', 'delete') AND n.before IS NOT NULL AND {SCHEMA}.sees_entry(n) ORDER BY n.id LIMIT 1)
   FROM public.audit_log c WHERE c.id = ANY(ids) AND {SCHEMA}.sees_entry(c) $$""")
    for function in ("sees_entry(public.audit_log)", "entries_of(text, text)",
                     "entries_page(text, text, text, timestamp, integer, integer)", "next_changes(integer[])"):
        conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {SCHEMA}.{function} FROM PUBLIC")
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{function} TO {groups}")


def _own_rows(conn) -> dict[str, str]:
    """The rows of the audit log, the import batches and their files that a login reads: every
    one for an admin and the auditor; otherwise the entries ``history.entry_scope`` gives its
    actor type (its own, and those about records it may read), and its own batches (its actor or
    its login imported them) and their files, a province's also those its schools and enterprises
    imported (``imports.in_region``, as ``imports.list_batches`` reads them). A batch counts every
    row of its file and keeps the problems of rows of any scope, and a file cannot be read in part:
    another's batch is not a school's or an enterprise's to read, even when entries of its records are."""
    from .history import where_sql
    from .imports import in_region

    batches = sa.table("import_batches", sa.column("id", sa.Integer), sa.column("actor", sa.String),
                       sa.column("login", sa.String))
    own_batch = lambda b: sa.or_(ACTOR_ROLE.in_(["admin", "auditor"]), b.c.actor == _ACTOR_NAME,  # noqa: E731
                                 b.c.login == sa.func.current_user(),
                                 sa.and_(ACTOR_ROLE == "province", in_region(b.c.actor, ACTOR_CODE)))
    t = batches.alias("t")
    b = batches.alias("b")
    files = sa.table("import_files", sa.column("batch_id", sa.Integer)).alias("t")
    return {
        "audit_log": f"{SCHEMA}.sees_entry(t)",
        "import_batches": where_sql(t, own_batch(t), conn.dialect),
        "import_files": where_sql(files, sa.exists().where(b.c.id == files.c.batch_id, own_batch(b)), conn.dialect),
    }


def _state_function(conn) -> None:
    """``xiaoqi_sec.mask_state(kind, state, key)``: a record's state (JSON) with the personal
    columns of its kind masked, as the masked views show them, and any ID number as a pseudonym."""
    from .kinds import get_kinds

    branches = []
    for kind in get_kinds().values():
        for name, mask in sorted(db_personal(kind).items()):
            column = kind.by_name.get(name)
            value = f"(s ->> {_literal(name)})"
            if mask == PHONE:
                masked = f"to_jsonb({SCHEMA}.mask_phone({value}))"
            elif mask == NAME:
                masked = f"to_jsonb({SCHEMA}.mask_name({value}))"
            elif mask == HIDE and column is not None and column.type in ("text", "list"):
                masked = "to_jsonb('***'::text)"
            elif mask == IDCARD:
                # every value of the column, a number that is not valid too (a refused write's)
                masked = f"to_jsonb({SCHEMA}.pseudo_id({value}, k))"
            elif mask == IDS:
                continue  # the pseudonyms below
            else:
                masked = "'null'::jsonb"
            branches.append(f"IF kind = {_literal(kind.name)} AND s ? {_literal(name)} AND s -> {_literal(name)} <> 'null'::jsonb "
                            f"THEN s := jsonb_set(s, ARRAY[{_literal(name)}], {masked}); END IF;")
    body = "\n     ".join(branches)
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.mask_state(kind text, state json, k text) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
   DECLARE s jsonb;
   BEGIN
     IF state IS NULL OR json_typeof(state) <> 'object' THEN RETURN {SCHEMA}.pseudo_ids(state::text, k)::json; END IF;
     s := state::jsonb;
     {body}
     RETURN {SCHEMA}.pseudo_ids(s::text, k)::json;
   END $$""")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.mask_state(text, json, text) TO {', '.join(GROUPS.values())}")


def _problems_function(conn) -> None:
    """``xiaoqi_sec.mask_problems(kind, problems, key)``: an import's problems (a list of row,
    column, value, reason; the column as the file's header wrote it) with the value of a cell of
    one of the kind's personal columns masked by its mask (Chinese or English header, any case,
    as ``RecordKind.column_for_header`` reads it), and any ID number as a pseudonym."""
    from .kinds import get_kinds

    branches = []
    for kind in get_kinds().values():
        for name, mask in sorted(db_personal(kind).items()):
            column = kind.by_name.get(name)
            headers = sorted({name.lower()} | ({column.zh.strip().lower()} if column is not None else set()))
            masked = {PHONE: f"{SCHEMA}.mask_phone(v)", NAME: f"{SCHEMA}.mask_name(v)",
                      IDCARD: f"{SCHEMA}.pseudo_id(v, k)", IDS: "v"}.get(mask, "'***'::text")  # IDS: pseudo_ids below
            branches.append(f"WHEN kind = {_literal(kind.name)} AND h IN ({', '.join(map(_literal, headers))}) THEN {masked}")
    cases = f"CASE {' '.join(branches)} ELSE v END" if branches else "v"
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.mask_problems(kind text, problems json, k text) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
   DECLARE p jsonb; out jsonb := '[]'::jsonb; h text; v text; m text;
   BEGIN
     IF problems IS NULL OR json_typeof(problems) <> 'array' THEN RETURN {SCHEMA}.pseudo_ids(problems::text, k)::json; END IF;
     FOR p IN SELECT jsonb_array_elements(problems::jsonb) LOOP
       IF jsonb_typeof(p) = 'object' AND jsonb_typeof(p -> 'value') IN ('string', 'number') AND p ->> 'value' <> '' THEN
         h := lower(btrim(coalesce(p ->> 'column', '')));
         v := p ->> 'value';
         m := {cases};
         p := jsonb_set(p, ARRAY['value'], to_jsonb(m));
         -- a reason that quotes the cell quotes it masked
         IF m IS DISTINCT FROM v AND length(v) >= {MIN_ECHO} AND jsonb_typeof(p -> 'reason') = 'string' THEN
           p := jsonb_set(p, ARRAY['reason'], to_jsonb(replace(p ->> 'reason', v, coalesce(m, '***'))));
         END IF;
       END IF;
       out := out || jsonb_build_array(p);
     END LOOP;
     RETURN {SCHEMA}.pseudo_ids(out::text, k)::json;
   END $$""".replace("%", "%%"))
    # an audit entry's note: a refused import's first problem (``first``, of the kind ``kind``);
    # a refused write's values (``values``, of the entry's kind) and the reason that may quote them
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.mask_note(kind text, note json, k text) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
   DECLARE n jsonb; shown jsonb; r text; e record;
   BEGIN
     IF note IS NULL OR json_typeof(note) <> 'object' THEN RETURN {SCHEMA}.pseudo_ids(note::text, k)::json; END IF;
     n := note::jsonb;
     IF jsonb_typeof(n -> 'first') = 'object' AND jsonb_typeof(n -> 'kind') = 'string' THEN
       n := jsonb_set(n, ARRAY['first'], ({SCHEMA}.mask_problems(n ->> 'kind', jsonb_build_array(n -> 'first')::json, k)::jsonb) -> 0);
     END IF;
     IF jsonb_typeof(n -> 'values') = 'object' THEN
       shown := {SCHEMA}.mask_state(kind, (n -> 'values')::json, k)::jsonb;
       IF jsonb_typeof(n -> 'reason') = 'string' THEN
         r := n ->> 'reason';
         FOR e IN SELECT o.value AS raw, s.value AS masked FROM jsonb_each_text(n -> 'values') o
                  LEFT JOIN jsonb_each_text(shown) s ON s.key = o.key
                  WHERE jsonb_typeof(n -> 'values' -> o.key) = 'string' AND length(o.value) >= {MIN_ECHO}
                    AND s.value IS DISTINCT FROM o.value ORDER BY length(o.value) DESC LOOP
           r := replace(r, e.raw, coalesce(e.masked, '***'));
         END LOOP;
         n := jsonb_set(n, ARRAY['reason'], to_jsonb(r));
       END IF;
       n := jsonb_set(n, ARRAY['values'], shown);
     END IF;
     RETURN {SCHEMA}.pseudo_ids(n::text, k)::json;
   END $$""")
    _key_function(conn)
    for function in ("mask_problems(text, json, text)", "mask_note(text, json, text)", "mask_key(text, text, text)"):
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{function} TO {', '.join(GROUPS.values())}")


def _key_function(conn) -> None:
    """``xiaoqi_sec.mask_key(kind, key, k)``: an audit entry's record key ("a/b/c", ``RecordKind.key_of``)
    with the parts of the kind's personal key columns masked (an ID number as its pseudonym, a
    number that is not valid too: a refused write's key), and any ID number as a pseudonym."""
    from .kinds import get_kinds

    masks = {PHONE: f"{SCHEMA}.mask_phone(parts[{{i}}])", NAME: f"{SCHEMA}.mask_name(parts[{{i}}])",
             IDCARD: f"{SCHEMA}.pseudo_id(parts[{{i}}], k)", IDS: f"{SCHEMA}.pseudo_ids(parts[{{i}}], k)"}
    branches = []
    for kind in get_kinds().values():
        personal = db_personal(kind)
        sets = [f"parts[{i}] := " + masks.get(personal[name], "CASE WHEN parts[{i}] = '' THEN '' ELSE '***' END").format(i=i) + ";"
                for i, name in enumerate(kind.key, start=1) if name in personal]
        if sets:
            branches.append(f"{'IF' if not branches else 'ELSIF'} kind = {_literal(kind.name)} AND cardinality(parts) = {len(kind.key)} "
                            f"THEN {' '.join(sets)}")
    cases = "\n     ".join(branches) + ("\n     END IF;" if branches else "")
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.mask_key(kind text, key text, k text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
   DECLARE parts text[];
   BEGIN
     IF key IS NULL OR key = '' THEN RETURN key; END IF;
     parts := string_to_array(key, '/');
     {cases}
     RETURN {SCHEMA}.pseudo_ids(array_to_string(parts, '/'), k);
   END $$""")


def _check_writes(conn) -> None:
    """Row-level security on the kept checks' tables for the writes through their views: a school's
    or an enterprise's login keeps, reads back (in the table itself: the key) and prunes the runs
    of its own checks (``check_store.save_run``: its code as the run's school or USCC) and their
    findings, and no other (not the admin's run of everything, which a forged run of no findings
    would make look compliant); nobody changes a kept run (no UPDATE policy). An admin's login
    keeps any run. The findings' policies ask ``xiaoqi_sec.own_run(run_id)``, judged with the
    owner's rights (the login reads only the runs' keys in the table)."""
    if not (_exists(conn, "check_runs") and _exists(conn, "check_findings")):
        return
    function = f"{SCHEMA}.own_run"
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {function}(run integer) RETURNS boolean LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.check_runs r JOIN {SCHEMA}.logins l ON l.login = session_user WHERE r.id = run
                 AND CASE l.role WHEN 'admin' THEN true WHEN 'school' THEN r.school_code = l.code
                                 WHEN 'enterprise' THEN r.uscc = l.code ELSE false END) $$""")
    conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {function}(integer) FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function}(integer) TO {', '.join(GROUPS.values())}")
    own = {"check_runs": {"school": f"school_code = {ACTOR_CODE}", "enterprise": f"uscc = {ACTOR_CODE}"},
           "check_findings": {"school": f"{function}(run_id)", "enterprise": f"{function}(run_id)"}}
    for table, conditions in own.items():
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        _drop_policies(conn, table)
        conn.exec_driver_sql(f"CREATE POLICY xq_admin ON {table} FOR ALL TO {GROUPS['admin']} USING (true) WITH CHECK (true)")
        for actor_type, condition in conditions.items():
            group = GROUPS[actor_type]
            conn.exec_driver_sql(f"CREATE POLICY xq_{actor_type}_read ON {table} FOR SELECT TO {group} USING ({condition})")
            conn.exec_driver_sql(f"CREATE POLICY xq_{actor_type}_create ON {table} FOR INSERT TO {group} WITH CHECK ({condition})")
            conn.exec_driver_sql(f"CREATE POLICY xq_{actor_type}_delete ON {table} FOR DELETE TO {group} USING ({condition})")


def mask_own_tables(conn) -> None:
    """The masked views of xiaoqi's own tables (``OWN_TABLES``): every login reads them there; an
    admin's login in full."""
    _state_function(conn)
    # the note's function without the entry's kind, as databases set up before it hold it (the audit
    # log's view that used it is made again below)
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SCHEMA}.mask_note(json, text) CASCADE")
    _problems_function(conn)
    _entries_function(conn)
    rows = {**_check_rows(), **_own_rows(conn)}
    for table, columns in OWN_TABLES.items():
        if not _exists(conn, table):
            continue
        types = conn.catalog.types(table)
        shown = []
        for name, type_ in types.items():
            how = columns.get(name)
            if how is None:
                shown.append(_q(name))
                continue
            text = f"t.{_q(name)}::text"
            masked = {"ids": f"{SCHEMA}.pseudo_ids({text}, {_SECRET})::{type_}",
                      "state": f"{SCHEMA}.mask_state(t.kind, t.{_q(name)}::json, {_SECRET})::{type_}",
                      "numbers": f"{SCHEMA}.pseudo_ids((t.{_q(name)}::jsonb - 'birth_date')::text, {_SECRET})::{type_}",
                      "problems": f"{SCHEMA}.mask_problems(t.kind, t.{_q(name)}::json, {_SECRET})::{type_}",
                      "note": f"{SCHEMA}.mask_note(t.kind, t.{_q(name)}::json, {_SECRET})::{type_}",
                      "key": f"{SCHEMA}.mask_key(t.kind, t.{_q(name)}, {_SECRET})::{type_}",
                      "none": f"NULL::{type_}"}[how]
            shown.append(f"CASE WHEN {ACTOR_ROLE} = 'admin' THEN t.{_q(name)} ELSE {masked} END AS {_q(name)}")
        select = f"SELECT {', '.join(shown)} FROM public.{_q(table)} t" + (f" WHERE {rows[table]}" if table in rows else "")
        _masked_view(conn, table, select.replace("%", "%%"), set(columns), writes=("INSERT",) if table in APPEND_ONLY else None,
                     key_only=table in KEY_ONLY)


def _masked_view(conn, table: str, select: str, hidden: set[str], writes=None, key_only: bool = False) -> None:
    """``select`` as the view that logins read for ``table``; the table's ``hidden`` columns are
    not theirs to read (``key_only``: none but its primary key, which the view's write triggers
    name); the view's writes (``writes``: all by default) go to the table."""
    groups = ", ".join(GROUPS.values())
    writers = ", ".join(GROUPS[r] for r in ("admin", "school", "enterprise"))
    names = conn.catalog.names(table)
    key = conn.catalog.primary_key(table) or names
    plain = ", ".join(_q(c) for c in (key if key_only else names) if c not in hidden)
    conn.exec_driver_sql(f"REVOKE SELECT ON {_q(table)} FROM {groups}")
    conn.exec_driver_sql(f"GRANT SELECT ({plain}) ON {_q(table)} TO {groups}")
    view = f"{MASKED}.{_q(table)}"
    conn.exec_driver_sql(f"DROP VIEW IF EXISTS {view} CASCADE")
    conn.exec_driver_sql(f"CREATE VIEW {view} WITH (security_barrier) AS {select}")
    conn.exec_driver_sql(f"GRANT SELECT ON {view} TO {groups}")
    writes = writes or ("INSERT", "UPDATE", "DELETE")
    conn.exec_driver_sql(f"GRANT {', '.join(writes)} ON {view} TO {writers}")
    # the table's defaults (the id's sequence) on the view, so that an insert names them as the table would
    for name, default in conn.catalog.defaults(table):
        conn.exec_driver_sql(f"ALTER VIEW {view} ALTER COLUMN {_q(name)} SET DEFAULT {default.replace('%', '%%')}")
    has_id = "id" in names
    others = [c for c in names if c != "id"]
    cols = ", ".join(_q(c) for c in others)
    values = ", ".join(f"NEW.{_q(c)}" for c in others)
    all_cols = ", ".join(_q(c) for c in names)
    all_values = ", ".join(f"NEW.{_q(c)}" for c in names)
    insert = (f"""IF NEW.id IS NULL THEN
      INSERT INTO public.{_q(table)} ({cols}) VALUES ({values}) RETURNING id INTO NEW.id;
    ELSE
      INSERT INTO public.{_q(table)} ({all_cols}) VALUES ({all_values});
    END IF;""" if has_id else f"INSERT INTO public.{_q(table)} ({all_cols}) VALUES ({all_values});")
    changed = "\n    ".join(f"IF NEW.{_q(c)}::text IS DISTINCT FROM OLD.{_q(c)}::text THEN sets := array_append(sets, "
                              f"{_literal(_q(c) + ' = $1.' + _q(c))}); END IF;" for c in names)
    where = " AND ".join(f"{_q(c)} = $2.{_q(c)}" for c in key)
    old_key = " AND ".join(f"{_q(c)} = OLD.{_q(c)}" for c in key)
    function = f"{SCHEMA}.{_q('w_' + table)}"
    # run as the login: row-level security judges each write; a column is written only when the
    # write changes it (a masked value read and written back unchanged stays as it is stored)
    conn.exec_driver_sql(f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE sets text[] := '{{}}'; n integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    {insert}
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    {changed}
    IF cardinality(sets) > 0 THEN
      EXECUTE format('UPDATE public.{_q(table).replace("'", "''")} SET %%s WHERE {where.replace("'", "''")}', array_to_string(sets, ', ')) USING NEW, OLD;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN RETURN NULL; END IF;
    END IF;
    RETURN NEW;
  ELSE
    DELETE FROM public.{_q(table)} WHERE {old_key};
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN RETURN NULL; END IF;
    RETURN OLD;
  END IF;
END $$""")
    events = " OR ".join(writes)
    conn.exec_driver_sql(f"CREATE TRIGGER xq_write INSTEAD OF {events} ON {view} FOR EACH ROW EXECUTE FUNCTION {function}()")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- logins ----------------------------------------------------------------------------------

def _require_owner(conn) -> None:
    owner = conn.exec_driver_sql("SELECT pg_get_userbyid(datdba) = current_user OR "
                                 "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                                 "FROM pg_database WHERE datname = current_database()").scalar()
    if not owner:
        raise PermissionDenied(t("users.not_owner"))


def add_login(conn, login: str, actor: Actor, password: str | None, *, refresh: bool = True) -> None:
    """A new login acting for ``actor``; ``refresh=False`` leaves the policies and views as they
    are (made already by ``install`` for the kinds as they are now)."""
    check_login_name(login)
    _require_owner(conn)
    if refresh:
        install(conn)
    if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(l)s", {"l": login}).first():
        raise XiaoqiError(t("users.exists", login=login))
    literal = "NULL" if password is None else "'" + password.replace("'", "''") + "'"
    conn.exec_driver_sql(f"CREATE ROLE {_q(login)} LOGIN PASSWORD {literal} IN ROLE {GROUPS[actor.role]}")
    conn.exec_driver_sql(f"INSERT INTO {SCHEMA}.logins (login, role, code) VALUES (%(l)s, %(r)s, %(c)s)",
                         {"l": login, "r": actor.role, "c": actor.code})
    _search_path(conn, login)


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


__all__ = ["GROUPS", "MASKED", "SCHEMA", "add_login", "after_upgrade", "apply_row_security", "before_upgrade", "install",
           "list_logins", "login_actor", "narrow", "policy_sql", "remove_login", "set_actor", "view_sql"]
