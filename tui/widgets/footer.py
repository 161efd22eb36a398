"""The key bar at the bottom of every main screen: Textual's ``Footer``, rebuilt only when the keys
it shows change.

Textual's footer builds a widget per key again on every bindings signal, and opening a screen sends
six or seven of them (the screen suspends and resumes, the focus settles, ...), each rebuild about
20 ms and all but one showing the same keys: about 120 ms of each opening of a records screen. This
footer remembers what it last showed and lets the signals that change nothing pass.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):

    _shown: tuple | None = None

    def _keys(self) -> tuple:
        """What ``compose`` would show: each shown binding as the user reads it, and the palette key."""
        app, bindings = self.app, self.screen.active_bindings
        return (
            tuple((b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip)
                  for _node, b, enabled, tooltip in bindings.values() if b.show),
            self.show_command_palette, app.COMMAND_PALETTE_BINDING in bindings,
        )

    def compose(self):
        # Each key bound to the footer's ``compact`` (False) is built with Textual's default (True):
        # its watcher adds the class ``-compact`` once the key is mounted and the binding removes it
        # again, each a restyle of the key — a third of the stylesheet's work before a records
        # screen shows. The key is given the footer's value before it is mounted, so the binding
        # changes nothing and the key is styled once. (The palette key is not bound: it keeps its own.)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
