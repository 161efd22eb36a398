"""The parse worker: reads and parses a large CSV file or workbook in a second process while the
importing process checks and writes (``importer``), so that both cores of a small server work.
The worker opens the file itself and tells the importer its header row, so a workbook (which the
Excel reader loads whole) is read once, here.

The worker does the pure-Python half of an import (``rows.Preparer``: cells parsed with the kind's
own ``Column.parse`` and checks, bound values, keys) and sends each prepared batch
back through a pipe; it never opens the database. Problems it finds are the same objects with the
same translated texts as in-process parsing (the worker speaks the importer's language).

The worker is a fresh interpreter (``python -m xiaoqi.core.io.worker``), never a fork, so it is safe
from a threaded host such as the TUI. It finds the record kind by name, as the importer does; a
kind it cannot find identically (one registered at run time by a plugin that is not installed)
makes ``parse_in_worker`` return None, and the importer parses in-process instead.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Iterator

from ..errors import XiaoqiError
from ..i18n import get_lang, set_lang
from ..kinds import RecordKind, get_kind
from .readers import DEFAULT_LIMITS, FileProblem, Limits, Table
from .rows import Prepared


def fingerprint(kind: RecordKind) -> tuple:
    """What makes two processes' definitions of a kind the same for parsing."""
    def name(fn):
        return None if fn is None else f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"

    return (kind.name, kind.key, tuple((c.name, c.zh, c.type, c.required, c.key, c.choices, c.aliases, c.choices_en,
                                        c.max_len, c.label_column) for c in kind.columns),
            tuple(name(check) for check in kind.checks), name(kind.derive), kind.model.__table__.name)


def parse_in_worker(path: Path, kind: RecordKind, dialect, batch_rows: int, *, sheet: str | None = None,
                    typed: bool = False, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS) -> "_Worker | None":
    """A worker process parsing ``path`` (its ``sheet``; ``typed``: cells are not all text): its
    ``table`` (the header row, without rows) and its prepared batches. None when no worker could
    start or it cannot parse this kind (the importer then parses in-process); a problem with the
    file itself (unreadable, a bad header row) is raised as the in-process reader raises it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "xiaoqi.core.io.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None
    job = {"path": str(path), "kind": kind.name, "fingerprint": fingerprint(kind), "batch_rows": batch_rows,
           "dialect": (dialect.name, dialect.driver), "lang": get_lang(), "sheet": sheet, "typed": typed,
           "encoding": encoding, "limits": limits}
    try:
        pickle.dump(job, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.close()
        first = _receive(proc)
    except (OSError, EOFError, pickle.UnpicklingError):
        first = None
    if first is not None and first[0] in ("problem", "error"):
        _stop(proc)
        raise (FileProblem if first[0] == "problem" else XiaoqiError)(first[1])
    if first is None or first[0] != "ready":
        _stop(proc)
        return None
    return _Worker(proc, Table(rows=iter(()), **first[1]))


class _Worker:
    """The batches of a running worker; ``close()`` stops it whether or not they were all read."""

    def __init__(self, proc, table: Table):
        self.proc = proc
        self.table = table
        self.batches = _batches(proc)

    def __iter__(self) -> Iterator[Prepared]:
        return self.batches

    def close(self) -> None:
        self.batches.close()
        _stop(self.proc)


def _receive(proc):
    try:
        return pickle.load(proc.stdout)
    except EOFError:
        return None


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stdout:
        proc.stdout.close()


def _batches(proc) -> Iterator[Prepared]:
    try:
        while True:
            message = _receive(proc)
            if message is None:
                raise RuntimeError(f"the import's parse worker stopped unexpectedly (exit status {proc.wait()})")
            tag = message[0]
            if tag == "batch":
                yield message[1]
            elif tag == "end":
                return
            elif tag == "problem":
                raise FileProblem(message[1])
            elif tag == "error":
                raise XiaoqiError(message[1])
            else:
                raise RuntimeError("the import's parse worker failed:\n" + message[1])
    finally:
        _stop(proc)


def main() -> None:
    import sqlalchemy as sa

    from . import readers
    from .importer import ImportResult, _parse_here
    from .rows import Preparer, map_headers

    job = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer

    def send(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    set_lang(job["lang"])
    try:
        kind = get_kind(job["kind"])
    except KeyError:
        send(("unavailable",))
        return
    if fingerprint(kind) != job["fingerprint"]:
        send(("unavailable",))
        return
    name, driver = job["dialect"]
    dialect = sa.engine.URL.create(f"{name}+{driver}").get_dialect()()
    path = Path(job["path"])
    try:
        table = readers.open_table(path, sheet=job["sheet"], encoding=job["encoding"], limits=job["limits"])
        try:
            layout = map_headers(kind, table.headers)
            send(("ready", {"headers": table.headers, "unit": table.unit, "total": table.total,
                            "encoding": table.encoding, "big": table.big}))
            result = ImportResult(kind=kind.name, file=path.name, sha256="")
            for prepared in _parse_here(table, layout, result, Preparer(layout, dialect), job["batch_rows"], job["typed"]):
                prepared.english_row = result.english_row
                send(("batch", prepared))
        finally:
            table.close()
        send(("end",))
    except BrokenPipeError:
        return  # the importer stopped reading (it failed or was interrupted)
    except FileProblem as exc:
        send(("problem", str(exc)))
    except XiaoqiError as exc:
        send(("error", str(exc)))
    except BaseException:  # a bug: the importer reports it with this traceback
        send(("crash", traceback.format_exc()))


if __name__ == "__main__":
    main()
