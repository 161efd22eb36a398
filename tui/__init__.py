"""The terminal UI of xiaoqi (``xiaoqi tui``), built with Textual.

This module stays import-light (no Textual import) so that plugins can name ``ScreenEntry`` and
``PanelEntry`` in their hooks cheaply; the application itself is ``xiaoqi.tui.app``.

Plugins contribute to the UI through three hooks (docs/plugins.md):

- ``xiaoqi_register_screens`` returns ``ScreenEntry`` objects: a screen in the navigation;
- ``xiaoqi_dashboard_panels`` returns ``PanelEntry`` objects: a panel on the dashboard;
- ``xiaoqi_palette_providers`` returns Textual command-palette ``Provider`` classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScreenEntry:
    """A plugin screen shown in the TUI's navigation and command palette.

    Fields:
        id: a unique id, also the screen's mode name (``"luban"``; letters, digits, ``-``, ``_``).
        title: the navigation label as ``(zh, en)``.
        screen: a Textual ``Screen`` subclass, built as ``screen(engine, actor)`` — the running
            app's SQLAlchemy engine and ``xiaoqi.core.actors.Actor``. It reads and writes through
            the core services in thread workers, one new Session per unit of work.
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
        widget: a Textual ``Widget`` subclass, built as ``widget(engine, actor)``. It loads its
            figures in a thread worker through the services (never on the UI thread) and may
            define ``reload()``, which the dashboard calls when the user refreshes it.
    """

    id: str
    title: tuple[str, str]
    widget: Any
