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
    assert plugins._load_entry_point("xiaoqi_cache_probe:PLUGIN") == "probe"

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
