"""``xiaoqi check`` answered from the kept run, without the rule engine or SQLAlchemy.

A full check of today (every rule, no ``--on``/``--as-of``) is kept in the database
(``check_store``) with the audit id it read the database at and the digest of the rule set it ran
with (``check_store.rule_set_digest``). When no data has changed since (no data-changing audit entry
after that id), the day is the same and the rule set is the same, a new run would find exactly the
same: ``xiaoqi check`` then prints the kept run (``check.kept`` on stderr says so) instead of
running the rules again, on the full path (``commands.check``) and here alike.

The rule set's digest needs every rule loaded (their code is part of it): the plugins' rule modules
and the engine, which is most of a short command's time. So the full path remembers, in a small
file of the user's cache directory (``xiaoqi.core.cache``),
the digest it computed together with what it was computed from: the source files of every module
that was loaded then (path, size, modification time), the directories of ``sys.path`` (a newly
installed plugin changes its directory), the plugins registered, the ``XIAOQI_*`` plugin switches
and the configuration. The file is also where the rules' titles and the kinds' names (both
languages) come from for the printout. ``recall`` gives the digest back only while every one of those
is unchanged; anything else — no file, another configuration, a file edited — means the full path.
Nothing is remembered when a source file changed while the process ran (``cache.settled``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys

from . import cache
from .i18n import both

#: bumped when the cache file's layout changes
CACHE_VERSION = 1
#: environment variables that change which plugins load
PLUGIN_SWITCHES = ("XIAOQI_PLUGINS", "XIAOQI_DISABLE_PLUGINS", "XIAOQI_NO_ENTRYPOINTS")


def _context_key(config: dict | None) -> str:
    """What the rule set may depend on besides the code: the interpreter, the module search path,
    the plugin switches, the plugins registered and the configuration."""
    from .plugins import get_plugin_manager

    plugins = sorted(name for name, plugin in get_plugin_manager().list_name_plugin() if plugin is not None)
    material = [CACHE_VERSION, sys.executable, sys.version, sys.path, {k: os.environ.get(k) for k in PLUGIN_SWITCHES},
                plugins, config or {}]
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _name(key: str) -> str:
    return f"rule-set-{key[:32]}.json"


def remember(config: dict | None, digest: str) -> None:
    """Keep ``digest`` (``rule_set_digest(config)``, computed by the caller with the rules loaded)
    with what it depends on, and the rules' titles and the kinds' names for the printout. A cache
    that cannot be written is no error: the next check takes the full path again."""
    from .kinds import get_kinds
    from .rules import get_rules

    key = _context_key(config)
    # (nothing kept when a file changed while this process ran: its digest may be of the code before)
    cache.keep(_name(key), {
        "version": CACHE_VERSION, "key": key, "digest": digest,
        "rules": {rule_id: list(rule.title) for rule_id, rule in get_rules().items()},
        "kinds": {name: [kind.zh, kind.en] for name, kind in get_kinds().items()}})


def recall(config: dict | None) -> dict | None:
    """The entry ``remember`` kept for this configuration and these plugins while every source file
    and directory it lists is as it was; None otherwise."""
    key = _context_key(config)
    entry = cache.kept(_name(key), CACHE_VERSION)
    return entry if entry is not None and entry.get("key") == key else None


# -- the kept run, read with sqlite3 ------------------------------------------------------------

def _date(value) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def kept_run(conn, *, school: str | None, enterprise: str | None, digest: str, today: dt.date):
    """The newest kept run of exactly this scope as ``check_store.last_run`` reads it, if it is not
    stale (``check_store.is_stale``: checked today, under ``digest``, no data change since); else None."""
    from .check_store import DATA_CHANGES, StoredRun, stored_result

    run = conn.execute(
        "SELECT id, checked_on, finished_at, milliseconds, audit_id, rules_run, switched_off, rule_set FROM check_runs "
        "WHERE school_code IS ? AND uscc IS ? ORDER BY id DESC LIMIT 1", (school, enterprise)).fetchone()
    if run is None:
        return None
    run_id, checked_on, finished_at, milliseconds, audit_id, rules_run, switched_off, rule_set = run
    if _date(checked_on) != today or rule_set != digest:
        return None
    marks = ", ".join("?" * len(DATA_CHANGES))
    if conn.execute(f"SELECT 1 FROM audit_log WHERE id > ? AND action IN ({marks}) LIMIT 1",
                    (audit_id, *DATA_CHANGES)).fetchone() is not None:
        return None
    rows = [(*row[:7], json.loads(row[7]) if row[7] else None, json.loads(row[8]) if row[8] else None)
            for row in conn.execute(
                "SELECT rule, severity, subject_kind, subject_key, message, school_code, uscc, numbers, dates "
                "FROM check_findings WHERE run_id = ? ORDER BY id", (run_id,))]
    result = stored_result(rows, switched_off=json.loads(switched_off), rules_run=json.loads(rules_run),
                           milliseconds=milliseconds)
    return StoredRun(id=run_id, result=result, checked_on=_date(checked_on), finished_at=dt.datetime.fromisoformat(finished_at),
                     audit_id=int(audit_id), school=school, enterprise=enterprise, rule_set=rule_set)


def labels(entry: dict):
    """(kind label, rule title) functions in the reader's language from a ``recall`` entry, as
    ``RecordKind.label`` and ``Rule.label`` give them."""
    kinds, rules = entry["kinds"], entry["rules"]

    def kind_label(name: str) -> str:
        return both(*kinds[name]) if name in kinds else name

    def rule_label(rule_id: str) -> str:
        return both(*rules[rule_id]) if rule_id in rules else rule_id

    return kind_label, rule_label
