"""Small files in the user's cache directory that spare a short command work it did before (the
``xiaoqi`` entry points of the installed distributions, a check's rule set): each is kept with the
state of the files it was derived from and trusted only while they are unchanged.

``XIAOQI_CACHE_DIR`` names the directory (the test suite sets its own), else platformdirs'
``user_cache_dir``. A file that cannot be read or written is no error: the work is done again."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

#: how long before now a file's modification time must lie for it to be trusted: file systems keep
#: times at a coarse grain, so a file changed just after it was read may still show the old time
SETTLED_SECONDS = 2.0


def cache_dir() -> Path:
    configured = os.environ.get("XIAOQI_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("xiaoqi", appauthor=False))


def stat(path: str) -> list | None:
    """[size, modification time in ns] of ``path``; None if it is gone."""
    try:
        st = os.stat(path or ".")
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def directories() -> list[list]:
    """Each ``sys.path`` entry with its modification time (installing or removing a distribution
    adds or removes its ``.dist-info`` directory there, which changes it)."""
    return [[d, (stat(d) or [None, None])[1]] for d in sys.path]


def settled(times_ns, since: float) -> bool:
    """Every modification time lies ``SETTLED_SECONDS`` before ``since`` (seconds since the epoch):
    nothing was changing while, or just before, the state was read."""
    limit = (since - SETTLED_SECONDS) * 1e9
    return all(t is None or t < limit for t in times_ns)


def read(name: str) -> dict | None:
    try:
        return json.loads((cache_dir() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(name: str, data: dict) -> None:
    path = cache_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass


#: about when this process began to read what it derives (the plugins load just after): a source file
#: changed since (or within ``SETTLED_SECONDS`` before) may not be what this process runs
STARTED = time.time()


# -- files derived from the loaded code ----------------------------------------------------------

def sources() -> list[list]:
    """The files of every loaded module outside the standard library, with their size and time."""
    out = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path or name.partition(".")[0] in sys.stdlib_module_names:
            continue
        found = stat(path)
        if found is not None:
            out.append([path, *found])
    return sorted(out)


def keep(name: str, data: dict) -> bool:
    """Write ``data`` as ``name`` with the state of the code it was derived from: every loaded
    source file and ``sys.path`` directory (``kept`` trusts it while they are unchanged). Nothing
    is written when one of them changed while this process ran (``settled``); False then."""
    files, dirs = sources(), directories()
    if not settled([mtime for _p, _s, mtime in files] + [mtime for _d, mtime in dirs], STARTED):
        return False
    write(name, {**data, "sources": files, "directories": dirs})
    return True


def kept(name: str, version) -> dict | None:
    """The file ``keep`` wrote as ``name`` with this ``version`` while every source file and
    directory it lists is as it was; None otherwise (missing, another layout, code changed)."""
    entry = read(name)
    if entry is None or entry.get("version") != version:
        return None
    if any(stat(path) != [size, mtime] for path, size, mtime in entry.get("sources", ())):
        return None
    if entry.get("directories") != directories():
        return None
    return entry
