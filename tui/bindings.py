"""Key bindings whose descriptions and tooltips come from the catalogue.

``BINDINGS`` are class attributes, evaluated at import time, before ``--lang`` is known; so they
name catalogue keys (``"tui.key.new"``), and ``translate_bindings`` swaps in the texts of the
running language when a screen or the app is built. Every binding has an ``id``
(``xiaoqi.<area>.<action>``) so that users can remap it with ``App.set_keymap``.
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding

from xiaoqi.core.i18n import MESSAGES, t


def key(keys: str, action: str, name: str, *, id: str, show: bool = True, priority: bool = False,
        key_display: str | None = None) -> Binding:
    """A binding described by the catalogue entries ``name`` and ``name + ".tip"``."""
    return Binding(keys, action, name, show=show, priority=priority, id=id, tooltip=f"{name}.tip",
                   key_display=key_display)


def _translated(b: Binding) -> Binding:
    return dataclasses.replace(
        b,
        description=t(b.description) if b.description in MESSAGES else b.description,
        tooltip=t(b.tooltip) if b.tooltip in MESSAGES else b.tooltip,
    )


def translate_bindings(node) -> None:
    for keys, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[keys] = [_translated(b) for b in bindings]


def show_key(widget, keys: str, action: str, name: str, *, id: str) -> None:
    """Show in the footer, while ``widget`` has the focus, the key of one of its own actions with
    the catalogue's text ``name`` (Textual's tables bind Enter without showing it; what Enter does
    depends on the table: 查看问题, 打开记录). The binding is the widget's own, not its class's."""
    shown = _translated(key(keys, action, name, id=id))
    table = widget._bindings.key_to_bindings
    for k in shown.key.split(","):
        k = k.strip()
        # a new list: the lists are shared with the class's bindings
        table[k] = [dataclasses.replace(shown, key=k)] + [b for b in table.get(k, ()) if b.action != action]
