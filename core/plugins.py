"""The plugin manager: built-in plugins and third-party ones from the ``xiaoqi`` entry-point group.

Built-in plugins are registered through the same function as third-party ones, first and in the
order of ``DEFAULT_PLUGINS``; entry-point plugins after them; plugins a test or an embedding
application registers at run time last. That registration order is the order of precedence:

- contributions (``xiaoqi_register_*`` hooks) are combined in registration order — the core's own
  first, then the built-in plugins', then the others' — and every hook is called through pluggy
  (``contributions``), so ``XIAOQI_TRACE_PLUGINS`` shows each call;
- an id contributed twice (a rule id, a record kind, a column type, a screen or a dashboard panel)
  is an error naming both plugins (``PluginConflict``); a built-in contribution is overridden by
  the means the core offers for it (parameter values, regional variants of a rule with
  ``extends=``) or by switching its plugin off (``XIAOQI_DISABLE_PLUGINS``), never silently;
- parameter values are combined by explicit rules (``xiaoqi.core.rules.params``), not by order;
- events (``xiaoqi_record_changed``, ...) reach every plugin; pluggy calls the last registered first.

Everything derived from the plugins (rules, kinds, column types, commands, screens) is recomputed
when a plugin is registered or unregistered, or the manager replaced (``derived``).

Environment switches:
- ``XIAOQI_PLUGINS``: comma-separated entry-point names; only these third-party plugins load.
- ``XIAOQI_DISABLE_PLUGINS``: comma-separated plugin names (built-in or not) that are not loaded.
- ``XIAOQI_TRACE_PLUGINS=1``: print every hook call and its result to stderr.
- ``XIAOQI_NO_ENTRYPOINTS=1``: load no third-party plugin at all (the test suite sets it).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar

import pluggy

from . import hookspecs
from .errors import XiaoqiError
from .i18n import catalogue, t

# Built-in plugins, registered in this order before any other plugin.
DEFAULT_PLUGINS = (
    "xiaoqi.plugins.national",
    "xiaoqi.plugins.luban",
    "xiaoqi.plugins.industrial_college",
    "xiaoqi.plugins.teachers",
    "xiaoqi.plugins.incentives",
    "xiaoqi.plugins.onex",
    "xiaoqi.plugins.regions.jiangsu",
    "xiaoqi.plugins.regions.guangxi",
    "xiaoqi.plugins.regions.henan",
    "xiaoqi.plugins.regions.hunan",
    "xiaoqi.plugins.regions.shaanxi",
    "xiaoqi.plugins.regions.ningde",
    "xiaoqi.plugins.regions.zhuhai_xiangzhou",
    "xiaoqi.plugins.regions.shenzhen_nanshan",
)
#: the name under which the core's own contributions (its record kinds, column types, commands)
#: appear in conflicts
CORE = "xiaoqi.core"

_pm: pluggy.PluginManager | None = None
_lock = threading.Lock()


class XiaoqiPluginManager(pluggy.PluginManager):
    """pluggy's manager for the ``xiaoqi`` project, counting registrations and unregistrations so
    that the registries derived from it know when to look again."""

    def __init__(self) -> None:
        super().__init__("xiaoqi")
        #: distribution versions of entry-point plugins, by plugin name
        self.xiaoqi_versions: dict[str, str] = {}
        #: bumped by every register / unregister (``set_blocked`` unregisters too)
        self.generation = 0

    def register(self, plugin: object, name: str | None = None) -> str | None:
        registered = super().register(plugin, name)
        self.generation += 1
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        removed = super().unregister(plugin, name)
        self.generation += 1
        return removed


def _env_list(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {item.strip() for item in raw.split(",") if item.strip()}


def _disabled(name: str) -> bool:
    """``XIAOQI_DISABLE_PLUGINS`` names the plugin (by its full or its last dotted name)."""
    disabled = _env_list("XIAOQI_DISABLE_PLUGINS") or set()
    return name in disabled or name.rsplit(".", 1)[-1] in disabled


def register_plugin(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Register one plugin object (module or instance); the single path for every plugin."""
    if not _disabled(name):
        pm.register(plugin, name=name)


def _builtin_modules() -> list[str]:
    """The built-in plugins to load: a switched-off one is not even imported."""
    return [m for m in DEFAULT_PLUGINS if not _disabled(m) and _importable(m)]


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


#: the entry-point groups xiaoqi reads: its plugins, and the terminal UI (``xiaoqi tui``)
ENTRY_POINT_GROUPS = ("xiaoqi", "xiaoqi.tui")


def installed_entry_points(group: str = "xiaoqi") -> list[list]:
    """The entry points of ``group`` (one of ``ENTRY_POINT_GROUPS``) of the installed distributions
    as [name, "module:attribute", the distribution's version], in importlib.metadata's order.
    Reading them imports importlib.metadata and every distribution's metadata (a tenth of a short
    command's time), so the lists are kept in the user's cache (``xiaoqi.core.cache``) beside the
    modification times of the ``sys.path`` directories they were read from: installing, upgrading
    or removing a distribution adds or removes its ``.dist-info`` directory, which changes its
    directory's time."""
    import hashlib
    import json
    import time

    from . import cache

    started = time.time()
    directories = cache.directories()
    name = "entry-points-" + hashlib.sha256(json.dumps([sys.executable, sys.path]).encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json"
    kept = cache.read(name)
    if kept is not None and kept.get("directories") == directories and group in kept.get("groups", {}):
        return kept["groups"][group]
    import importlib.metadata

    every = importlib.metadata.entry_points()
    groups = {g: [[ep.name, ep.value, ep.dist.version if ep.dist is not None else None] for ep in every.select(group=g)]
              for g in dict.fromkeys((*ENTRY_POINT_GROUPS, group))}
    if cache.settled([mtime for _d, mtime in directories], started):  # nothing was being installed
        # "entry_points": the plugins' group as earlier copies kept it (one list), which they read
        # alone: a checkout switched back, run from the same interpreter and path, finds it
        cache.write(name, {"directories": directories, "groups": groups, "entry_points": groups["xiaoqi"]})
    return groups[group]


def load_entry_point(value: str):
    """What ``importlib.metadata.EntryPoint(value=...).load()`` gives: the module, or the attribute
    after its colon (extras in brackets ignored)."""
    module, _, attribute = value.partition(":")
    obj = importlib.import_module(module.strip())
    for part in attribute.split("[", 1)[0].strip().split(".") if attribute.strip() else ():
        obj = getattr(obj, part)
    return obj


def make_plugin_manager(*, entry_points: bool = True, builtins: bool = True) -> XiaoqiPluginManager:
    """A new plugin manager with the built-in plugins and, unless switched off, the entry points."""
    pm = XiaoqiPluginManager()
    pm.add_hookspecs(hookspecs)
    if builtins:
        for module_name in _builtin_modules():
            register_plugin(pm, importlib.import_module(module_name), module_name)
    if entry_points and not os.environ.get("XIAOQI_NO_ENTRYPOINTS"):
        wanted = _env_list("XIAOQI_PLUGINS")
        for name, value, version in installed_entry_points():
            if wanted is not None and name not in wanted:
                continue
            if pm.get_plugin(name) is not None or pm.is_blocked(name):
                continue
            register_plugin(pm, load_entry_point(value), name)
            if version is not None:
                pm.xiaoqi_versions[name] = version
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
    """Replace the process-wide plugin manager (tests, embedding applications); None: make a new
    one on next use. Use one from ``make_plugin_manager``, whose registrations are seen at once."""
    global _pm
    _pm = pm


def state() -> tuple:
    """A token that changes whenever the plugins do: another process-wide manager, or a plugin
    registered or unregistered on it. Compare it with ``==`` to know when to recompute."""
    pm = get_plugin_manager()
    return (pm, getattr(pm, "generation", 0))


T = TypeVar("T")


def derived(build: Callable[[], T]) -> Callable[[], T]:
    """``build()`` computed once per ``state()`` of the plugins: a registry derived from them
    (rules, record kinds, column types) that stays true when a plugin comes or goes."""
    cache: dict[str, Any] = {}

    @functools.wraps(build)
    def get() -> T:
        now = state()
        if cache.get("state") != now:
            value = build()  # a conflict raises here, and the next call tries again
            cache["value"], cache["state"] = value, now
        return cache["value"]

    return get


# -- calling hooks ------------------------------------------------------------------------------

def calls(hook_name: str, **kwargs) -> Iterator[tuple[str, list]]:
    """Call a hook through pluggy once per plugin that implements it, in registration order,
    yielding ``(plugin name, [its result])`` (``[]`` for a None) right after each call: for hooks
    whose results are attributed to the plugin that gave them (a rule's plugin, the two parties of
    a conflict). Hook wrappers still wrap each call."""
    pm = get_plugin_manager()
    impls = [impl for impl in getattr(pm.hook, hook_name).get_hookimpls() if not (impl.hookwrapper or impl.wrapper)]
    everyone = {impl.plugin for impl in impls}
    for impl in impls:
        only = pm.subset_hook_caller(hook_name, remove_plugins=everyone - {impl.plugin})
        yield impl.plugin_name, only(**kwargs)


def contributions(hook_name: str, **kwargs) -> list[tuple[str, Any]]:
    """Every item the plugins' lists hold for a ``xiaoqi_register_*`` style hook, with the name of
    the plugin that gave it, in registration order (a ``None`` result counts as an empty list)."""
    return [(name, item) for name, results in calls(hook_name, **kwargs) for result in results for item in result or ()]


def hook_results(hook_name: str, **kwargs) -> list:
    """The items of ``contributions``, without the plugin names."""
    return [item for _, item in contributions(hook_name, **kwargs)]


def unique(what: str, items: Iterable[tuple[str, str, T]], taken: dict[str, str] | None = None) -> dict[str, T]:
    """``{id: item}`` from ``(plugin, id, item)`` triples; an id given twice raises
    ``PluginConflict`` naming both plugins. ``taken`` maps ids already used (the core's) to their owner."""
    owners = dict(taken or {})
    out: dict[str, T] = {}
    for plugin, ident, item in items:
        if ident in owners:
            raise PluginConflict(what, ident, owners[ident], plugin)
        owners[ident] = plugin
        out[ident] = item
    return out


catalogue(
    {
        "plugins.conflict": (
            "插件冲突：{what}「{name}」同时由 {first} 与 {second} 注册。请停用其中一个插件（XIAOQI_DISABLE_PLUGINS={second}），或请插件作者改用另一个名称。",
            "Plugin conflict: {what} '{name}' is registered by both {first} and {second}. Switch one of them off (XIAOQI_DISABLE_PLUGINS={second}), or ask its author to use another name.",
        ),
        "plugins.what.rule": ("规则", "rule"),
        "plugins.what.kind": ("数据类型", "record kind"),
        "plugins.what.column_type": ("列类型", "column type"),
        "plugins.what.command": ("命令", "command"),
        "plugins.what.screen": ("界面", "screen"),
        "plugins.what.panel": ("仪表盘面板", "dashboard panel"),
        "plugins.what.detail_section": ("详情区块", "detail section"),
    }
)


class PluginConflict(XiaoqiError):
    """Two plugins (or a plugin and the core) registered the same id. ``what`` is ``"rule"``,
    ``"kind"``, ``"column_type"``, ``"command"``, ``"screen"``, ``"panel"`` or ``"detail_section"``."""

    def __init__(self, what: str, name: str, first: str, second: str):
        self.what, self.name, self.first, self.second = what, name, first, second
        super().__init__(t("plugins.conflict", what=t(f"plugins.what.{what}"), name=name, first=first, second=second))


# -- listing -------------------------------------------------------------------------------------

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

    versions = getattr(pm, "xiaoqi_versions", {})
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        builtin = name in DEFAULT_PLUGINS
        version = __version__ if builtin else versions.get(name, getattr(plugin, "__version__", None))
        infos.append(PluginInfo(name=name, version=version, builtin=builtin, hooks=hooks))
    return sorted(infos, key=lambda i: (not i.builtin, i.name))
