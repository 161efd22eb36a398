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


def translate_bindings(node) -> None:
    for keys, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[keys] = [
            dataclasses.replace(
                b,
                description=t(b.description) if b.description in MESSAGES else b.description,
                tooltip=t(b.tooltip) if b.tooltip in MESSAGES else b.tooltip,
            )
            for b in bindings
        ]
