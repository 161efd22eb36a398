"""Schema migrations with Alembic: the core's branch plus one branch per plugin that owns tables.

``xiaoqi init`` and ``xiaoqi db upgrade`` bring a database to every head; commands refuse to work on
a database that is not at head and say which command fixes it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .db import display_name, is_sqlite, sqlite_file_exists
from .errors import DatabaseStateError
from .i18n import catalogue, t
from .lazy import lazy_module
from .plugins import hook_results

if TYPE_CHECKING:  # Alembic (a quarter of a second to import) only when migrating or diagnosing
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Engine

sa = lazy_module("sqlalchemy")  # declared_heads() (the terminal UI's first page) needs none

HERE = Path(__file__).parent / "migrations"

catalogue(
    {
        "db.migration_fk": ("升级 {db} 后有记录引用了不存在的记录，升级已撤销，数据库保持原样。请用 sqlite3 执行 PRAGMA foreign_key_check 查看，并报告此问题。",
                            "After upgrading {db}, some records referred to records that do not exist; the upgrade was rolled back and the database is as it was. See PRAGMA foreign_key_check in sqlite3, and please report it."),
    }
)


def load_models() -> list[type]:
    """Import every table class: the core's and the loaded plugins' (they register in metadata)."""
    from . import models

    return list(models.CORE_MODELS) + hook_results("xiaoqi_register_models")


def version_locations() -> list[str]:
    return [str(HERE / "versions")] + [str(p) for p in hook_results("xiaoqi_migration_locations")]


def alembic_config(connection=None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", " ".join(version_locations()))
    cfg.set_main_option("path_separator", "space")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def heads() -> set[str]:
    return set(script_directory().get_heads())


def core_head() -> str:
    """The newest revision of the core's branch."""
    return script_directory().revision_map.get_current_head("core")


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


#: (path, mtime, size) of a revision file -> its (revision, down_revision): a process that checks
#: the schema again and again (the terminal UI, a test suite running the CLI in-process) reads
#: each file once, and again only when it changes
_REVISIONS: dict[tuple[str, int, int], tuple] = {}


def _revision_of(path: Path) -> tuple:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    known = _REVISIONS.get(key)
    if known is None:
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        known = (None, None) if "revision" not in found else (
            ast.literal_eval(found["revision"]), ast.literal_eval(found.get("down_revision", "None")))
        _REVISIONS[key] = known
    return known


def declared_heads() -> set[str]:
    """The heads of the core's and the loaded plugins' branches, read from the ``revision`` and
    ``down_revision`` lines of the revision files (no Alembic import: every command checks the
    schema, and this is what it compares against; ``heads()`` is Alembic's own answer)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for location in version_locations():
        for path in Path(location).glob("*.py"):
            revision, down = _revision_of(path)
            if revision is None:
                continue
            revisions.add(revision)
            parents.update([down] if isinstance(down, str) else down or ())
    return revisions - parents


def current(engine: Engine) -> set[str]:
    """The revisions recorded in the database (empty when it was never migrated)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return set()
        return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Migrate to ``target``; for "heads" the core branch first, then each plugin's (their tables
    build on the core's). Revisions of plugins that are not loaded now stay recorded untouched.

    On SQLite, foreign keys are not enforced while the revisions run and are checked as a whole
    before the commit: batch mode rebuilds a table to change its constraints (copy, drop, rename),
    and dropping a table that other rows refer to fails under enforcement even though the copy
    takes its place (SQLite's own procedure for such changes, "Making Other Kinds Of Table Schema
    Changes", turns them off the same way)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        if sqlite:  # outside any transaction: SQLite ignores the pragma inside one
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                _upgrade(conn, target)
                if sqlite and raw.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise DatabaseStateError(t("db.migration_fk", db=display_name(str(engine.url))))
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def _upgrade(conn, target: str) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    script = script_directory()
    unloaded = [rev for rev in MigrationContext.configure(conn).get_current_heads() if not is_known(script, rev)]
    version_table = sa.table("alembic_version", sa.column("version_num"))
    if unloaded:  # alembic refuses to start from a revision it cannot find: set them aside meanwhile
        conn.execute(sa.delete(version_table).where(version_table.c.version_num.in_(unloaded)))
    cfg = alembic_config(conn)
    from .logins import after_upgrade, before_upgrade

    before_upgrade(conn)  # a database with logins: its masked views go, and come back from the kinds after
    if target == "heads":
        command.upgrade(cfg, "core@head")
    command.upgrade(cfg, target)
    after_upgrade(conn)
    if unloaded:
        conn.execute(sa.insert(version_table), [{"version_num": rev} for rev in unloaded])


def is_known(script: ScriptDirectory, rev: str) -> bool:
    """Whether ``rev`` is a revision of the core or of a loaded plugin."""
    try:
        return script.get_revision(rev) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def describe(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "-"


def ensure_current(engine: Engine, url: str) -> None:
    """Raise a DatabaseStateError naming the fix unless the database exists and is at head."""
    db = display_name(url)
    if is_sqlite(url) and not sqlite_file_exists(url):
        raise DatabaseStateError(t("db.missing", db=db))
    have = current(engine)
    if not have:
        raise DatabaseStateError(t("db.not_initialised", db=db))
    if have == declared_heads():  # the usual case, decided without Alembic
        return
    if have == heads():
        return
    unknown, missing_heads = judge(have)
    if unknown and not missing_heads:
        return
    if unknown and missing_heads:
        raise DatabaseStateError(t("db.newer", db=db, revision=describe(unknown)))
    if missing_heads:
        raise DatabaseStateError(t("db.outdated", db=db, current=describe(have)))


def judge(have: set[str]) -> tuple[set[str], set[str]]:
    """The revisions of ``have`` that neither the core nor a loaded plugin knows, and the heads
    ``have`` does not reach. A revision of a plugin that is not loaded now leaves the core and
    the loaded plugins working as long as every loaded branch is at its head; unknown revisions
    with missing heads mean a newer xiaoqi wrote the database."""
    script = script_directory()
    unknown = {rev for rev in have if not is_known(script, rev)}
    missing_heads = {h for h in heads() if not _reached(script, have, h)}
    return unknown, missing_heads


def _reached(script: ScriptDirectory, have: set[str], head: str) -> bool:
    for rev in have:
        try:
            if head == rev or head in {r.revision for r in script.iterate_revisions(rev, "base")}:
                return True
        except Exception:
            continue
    return False


def table_names(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())
