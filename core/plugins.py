"""The plugin manager: built-in plugins and third-party ones from the ``xiaoqi`` entry-point group.

Built-in plugins are registered through the same function as third-party ones. pluggy calls
implementations last-registered-first, so third-party plugins (registered after the built-ins)
run first; where the order of results matters the core combines them explicitly (see
``xiaoqi_rule_params``) rather than relying on call order.

Environment switches:
- ``XIAOQI_PLUGINS``: comma-separated entry-point names; only these third-party plugins load.
- ``XIAOQI_DISABLE_PLUGINS``: comma-separated plugin names (built-in or not) that are not loaded.
- ``XIAOQI_TRACE_PLUGINS=1``: print every hook call and its result to stderr.
- ``XIAOQI_NO_ENTRYPOINTS=1``: load no third-party plugin at all (the test suite sets it).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import threading
from dataclasses import dataclass

import pluggy

from . import hookspecs

# Built-in plugins, registered in this order (so the last one here is called first).
DEFAULT_PLUGINS = (
    "xiaoqi.plugins.national",
    "xiaoqi.plugins.luban",
    "xiaoqi.plugins.regions.jiangsu",
    "xiaoqi.plugins.regions.guangxi",
    "xiaoqi.plugins.regions.henan",
    "xiaoqi.plugins.regions.hunan",
    "xiaoqi.plugins.regions.shaanxi",
)

_pm: pluggy.PluginManager | None = None
_lock = threading.Lock()


def _env_list(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {item.strip() for item in raw.split(",") if item.strip()}


def register_plugin(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Register one plugin object (module or instance); the single path for every plugin."""
    disabled = _env_list("XIAOQI_DISABLE_PLUGINS") or set()
    if name in disabled or name.rsplit(".", 1)[-1] in disabled:
        return
    pm.register(plugin, name=name)


def _builtin_modules() -> list[str]:
    return [m for m in DEFAULT_PLUGINS if _importable(m)]


def _importable(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _trace(pm: pluggy.PluginManager) -> None:
    def before(hook_name, hook_impls, kwargs):
        names = ", ".join(impl.plugin_name for impl in hook_impls)
        print(f"[xiaoqi plugins] {hook_name}({', '.join(kwargs)}) -> {names}", file=sys.stderr)

    def after(outcome, hook_name, hook_impls, kwargs):
        try:
            result = outcome.get_result()
        except BaseException as exc:  # a plugin raised: show it, the caller sees it too
            result = f"raised {exc!r}"
        print(f"[xiaoqi plugins] {hook_name} returned {result!r}"[:400], file=sys.stderr)

    pm.add_hookcall_monitoring(before, after)


def _versions(pm: pluggy.PluginManager) -> dict[str, str]:
    if not hasattr(pm, "xiaoqi_versions"):
        pm.xiaoqi_versions = {}
    return pm.xiaoqi_versions


def make_plugin_manager(*, entry_points: bool = True, builtins: bool = True) -> pluggy.PluginManager:
    """A new plugin manager with the built-in plugins and, unless switched off, the entry points."""
    pm = pluggy.PluginManager("xiaoqi")
    pm.xiaoqi_versions = {}
    pm.add_hookspecs(hookspecs)
    if builtins:
        for module_name in _builtin_modules():
            register_plugin(pm, importlib.import_module(module_name), module_name)
    if entry_points and not os.environ.get("XIAOQI_NO_ENTRYPOINTS"):
        wanted = _env_list("XIAOQI_PLUGINS")
        for ep in importlib.metadata.entry_points(group="xiaoqi"):
            if wanted is not None and ep.name not in wanted:
                continue
            if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
                continue
            register_plugin(pm, ep.load(), ep.name)
            if ep.dist is not None:
                _versions(pm)[ep.name] = ep.dist.version
    pm.hook.xiaoqi_addhooks.call_historic(kwargs={"pm": pm})
    if os.environ.get("XIAOQI_TRACE_PLUGINS"):
        _trace(pm)
    return pm


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created on first use (no import-time side effects)."""
    global _pm
    if _pm is None:
        with _lock:
            if _pm is None:
                _pm = make_plugin_manager()
    return _pm


def set_plugin_manager(pm: pluggy.PluginManager | None) -> None:
    """Replace the process-wide plugin manager (tests, embedding applications)."""
    global _pm
    _pm = pm
    _clear_caches()


_cache_clearers: list = []


def on_plugins_changed(func):
    """Decorator: call ``func`` whenever the plugin manager is replaced (to clear derived caches)."""
    _cache_clearers.append(func)
    return func


def _clear_caches() -> None:
    for func in _cache_clearers:
        func()


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    builtin: bool
    hooks: list[str]

    def as_dict(self) -> dict:
        return {"name": self.name, "version": self.version, "builtin": self.builtin, "hooks": self.hooks}


def plugin_infos(pm: pluggy.PluginManager | None = None) -> list[PluginInfo]:
    """Each loaded plugin with its version, whether it is built in, and the hooks it implements."""
    pm = pm or get_plugin_manager()
    from xiaoqi import __version__

    versions = _versions(pm)
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        builtin = name in DEFAULT_PLUGINS
        version = __version__ if builtin else versions.get(name, getattr(plugin, "__version__", None))
        infos.append(PluginInfo(name=name, version=version, builtin=builtin, hooks=hooks))
    return sorted(infos, key=lambda i: (not i.builtin, i.name))


def hook_results(hook_name: str, **kwargs) -> list:
    """Call a ``xiaoqi_register_*`` style hook and flatten the lists the plugins return."""
    pm = get_plugin_manager()
    out = []
    for result in getattr(pm.hook, hook_name)(**kwargs):
        if result:
            out.extend(result)
    return out
