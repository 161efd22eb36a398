"""The ``xiaoqi`` entry points are read from the installed distributions once and kept in the
user's cache while the ``sys.path`` directories are unchanged (``plugins.installed_entry_points``):
a distribution installed or removed since is seen at once."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import time

from xiaoqi.core import plugins


def _as_read() -> list[list]:
    return [[ep.name, ep.value, ep.dist.version] for ep in importlib.metadata.entry_points(group="xiaoqi")]


def _settle(path, seconds_ago: float) -> None:
    """Give ``path`` a modification time long enough ago for the cache to trust it."""
    when = int((time.time() - seconds_ago) * 1e9)
    os.utime(path, ns=(when, when))


def test_a_distribution_installed_or_removed_is_seen(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAOQI_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    (site / "xiaoqi_cache_probe.py").write_text("PLUGIN = 'probe'\n")
    monkeypatch.syspath_prepend(str(site))
    _settle(site, 60)
    assert plugins.installed_entry_points() == _as_read()
    assert list((tmp_path / "cache").glob("entry-points-*.json"))  # kept

    dist = site / "xiaoqi_cache_probe-1.2.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: xiaoqi-cache-probe\nVersion: 1.2\n")
    (dist / "entry_points.txt").write_text("[xiaoqi]\nprobe = xiaoqi_cache_probe:PLUGIN\n")
    _settle(site, 30)
    found = plugins.installed_entry_points()
    assert ["probe", "xiaoqi_cache_probe:PLUGIN", "1.2"] in found and found == _as_read()
    assert plugins.load_entry_point("xiaoqi_cache_probe:PLUGIN") == "probe"

    shutil.rmtree(dist)
    _settle(site, 10)
    assert plugins.installed_entry_points() == _as_read() and not any(e[0] == "probe" for e in _as_read())


def test_a_directory_changing_while_it_is_read_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAOQI_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()  # just now: an installation may be under way
    monkeypatch.syspath_prepend(str(site))
    assert plugins.installed_entry_points() == _as_read()
    assert not list((tmp_path / "cache").glob("entry-points-*.json"))


def test_the_terminal_ui_is_found_in_the_same_cache(tmp_path, monkeypatch):
    """``xiaoqi tui`` finds the UI (group ``xiaoqi.tui``) through the kept list, as importlib.metadata
    reads it: once the list is kept, a new process finds it without importing importlib.metadata."""
    import subprocess
    import sys

    monkeypatch.setenv("XIAOQI_CACHE_DIR", str(tmp_path / "cache"))
    as_read = [[ep.name, ep.value, ep.dist.version] for ep in importlib.metadata.entry_points(group="xiaoqi.tui")]
    assert ["xiaoqi", "xiaoqi.tui.app", importlib.metadata.version("xiaoqi")] in as_read
    assert plugins.installed_entry_points("xiaoqi.tui") == as_read
    assert plugins.installed_entry_points() == _as_read()  # one read kept both groups
    # and the plugins' group also where earlier copies look for it (a checkout switched back)
    import json

    (kept,) = (tmp_path / "cache").glob("entry-points-*.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["entry_points"] == _as_read()

    run = tmp_path / "run"  # the new process's first sys.path entry: settled, as an installed copy's
    run.mkdir()
    _settle(run, 60)
    code = ("import sys; from xiaoqi.core.commands.tui import terminal_ui; ui = terminal_ui(); "
            "print(ui.__name__, 'importlib.metadata' in sys.modules)")
    seen = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=run, check=True).stdout.split()
            for _ in range(2)]
    assert seen[0][0] == "xiaoqi.tui.app" and seen[1] == ["xiaoqi.tui.app", "False"]
