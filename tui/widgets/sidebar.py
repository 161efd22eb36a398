"""The navigation sidebar: the dashboard, one entry per record kind, the compliance and import
screens, and the screens plugins add. Choosing an entry switches the app to that section."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..bindings import key, translate_bindings
from ..i18n import t


class Sidebar(OptionList):

    #: shown in the footer while the sidebar has the focus
    BINDINGS = [key("enter", "select", "tui.key.go", id="xiaoqi.nav.go")]

    def __init__(self, current: str, **kw) -> None:
        super().__init__(id="sidebar", **kw)
        self.current = current
        translate_bindings(self)

    def on_mount(self) -> None:
        group = None
        options: list[Option | None] = []
        for section in self.app.sections:
            if section.group != group:
                if group is not None:
                    options.append(None)
                group = section.group
                if group in ("records", "plugins"):
                    options.append(Option(t(f"tui.nav.{group}"), disabled=True))
            indent = "  " if section.group in ("records", "plugins") else ""
            options.append(Option(indent + section.label, id=section.id))
        self.add_options(options)
        try:
            self.highlighted = self.get_option_index(self.current)
        except Exception:  # a section that is not in the navigation (a record's detail view)
            self.highlighted = None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            self.app.open_section(event.option.id)
