"""The terminal UI of xiaoqi (``xiaoqi tui``), built with Textual, and what plugin code uses of it.

Plugins contribute to the UI through four hooks (docs/plugins.md):

- ``xiaoqi_register_screens`` returns ``ScreenEntry`` objects: a screen in the navigation;
- ``xiaoqi_dashboard_panels`` returns ``PanelEntry`` objects: a panel on the dashboard;
- ``xiaoqi_detail_sections`` returns ``DetailSection`` objects: a section of a record's detail view;
- ``xiaoqi_palette_providers`` returns Textual command-palette ``Provider`` classes.

Screens and panels are built with a ``TuiContext``: the running app's database engine, actor,
configuration (``xiaoqi.toml``), date and language.

The public names for plugin screens — ``PluginScreen`` (the frame every screen shares),
``RecordForm`` and ``may_write`` (the form that validates and writes a record), ``db_work`` (a
thread worker that speaks the user's language and hands every error to one handler, ``show_error``),
``error_text`` and ``key`` (a binding described by the catalogue) — import Textual, so they are
loaded when first named; ``import xiaoqi.tui`` itself stays cheap, for the hooks above.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class TuiContext:
    """What a plugin screen, panel or detail section works with: the running app's SQLAlchemy
    ``engine``, the ``actor`` (``xiaoqi.core.actors.Actor``), the parsed ``config`` (``xiaoqi.toml``,
    ``None`` when there is none: pass it to ``check_as``/``run_check``), the ``today`` the app runs
    for (``xiaoqi tui`` uses the real date; tests fix it) and the ``lang`` ("zh" or "en")."""

    engine: Any
    actor: Any
    config: dict | None = None
    today: dt.date = field(default_factory=dt.date.today)
    lang: str = "zh"


@dataclass(frozen=True)
class ScreenEntry:
    """A plugin screen shown in the TUI's navigation and command palette.

    Fields:
        id: a unique id (``"luban"``; letters, digits, ``-``, ``_``); its section is ``plugin-<id>``.
        title: the navigation label as ``(zh, en)``.
        screen: a Textual ``Screen`` subclass (``PluginScreen`` gives the shared frame), or any
            callable, built as ``screen(context)`` with the app's ``TuiContext``. It reads and
            writes through the core services in thread workers (``db_work``), one new Session per
            unit of work.
    """

    id: str
    title: tuple[str, str]
    screen: Any


@dataclass(frozen=True)
class PanelEntry:
    """A plugin panel on the TUI's dashboard, shown after the core's panels.

    Fields:
        id: a unique id, used as the widget's DOM id (letters, digits, ``-``, ``_``).
        title: the panel's border title as ``(zh, en)``.
        widget: a Textual ``Widget`` subclass, built as ``widget(context)`` with the app's
            ``TuiContext``. It loads its figures in a thread worker (``db_work``) through the
            services, never on the UI thread, and may define ``reload()``, which the dashboard
            calls when the user refreshes it.
    """

    id: str
    title: tuple[str, str]
    widget: Any


@dataclass(frozen=True)
class DetailRecord:
    """The record a detail view shows: its kind (``xiaoqi.core.kinds.RecordKind``), its natural key
    as text (``"a/b/c"``) and its values by column name as the view shows them — personal data
    masked (110101********1234, 138****5678) unless the user revealed it (key ``v``, audited) —
    and ``stored``: the values as stored, to look related records up with, never to show."""

    kind: Any
    key: str
    values: dict
    stored: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DetailTable:
    """What a detail section shows: a table with headers ``(zh, en)``, rows of plain values (text,
    numbers, ``Decimal`` money, dates, booleans), and notes in the user's language. ``empty`` is
    shown instead of an empty table."""

    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    empty: tuple[str, str] = ("（无记录）", "(none)")


@dataclass(frozen=True)
class DetailSection:
    """A section of the detail view of one record, below its findings.

    Fields:
        id: a unique id among the sections of the kind (letters, digits, ``-``, ``_``).
        title: the section's border title as ``(zh, en)``.
        load: ``load(session, record, context) -> DetailTable | str``, called in the detail view's
            worker (never on the UI thread) with a read session, the ``DetailRecord`` and the
            ``TuiContext``. Limit what it reads to what ``context.actor`` may see (the record
            kinds' ``read_filter``); an exception is shown in the section, not raised.
    """

    id: str
    title: tuple[str, str]
    load: Callable[..., Any]


#: the names that import Textual, and where they live
_LAZY = {
    "PluginScreen": ".screens.base",
    "RecordForm": ".dialogs.record_form",
    "may_write": ".dialogs.record_form",
    "db_work": ".work",
    "error_text": ".work",
    "key": ".bindings",
}

__all__ = ["DetailRecord", "DetailSection", "DetailTable", "PanelEntry", "ScreenEntry", "TuiContext", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
