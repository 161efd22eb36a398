"""Pick the record a reference field names by typing part of its name (or of its code): the
student, the enterprise, the teacher, the position. The matches are the records the actor may read
(``xiaoqi.core.names.lookup``: one scoped statement, at most ``LIMIT`` rows), read again in a
worker as the user types; Enter or a click picks one, and the form fills in its code."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from xiaoqi.core.db import read_session
from xiaoqi.core.kinds import RecordKind

from ..bindings import key, show_key, translate_bindings
from ..i18n import t
from ..widgets.footer import Footer
from ..work import db_work

#: matches shown at once (type more to narrow them)
LIMIT = 20


class LookupDialog(ModalScreen):
    """Dismissed with the ``Match`` picked, or None."""

    BINDINGS = [
        key("escape", "cancel", "tui.key.cancel", id="xiaoqi.lookup.cancel"),
        key("down", "matches", "tui.lookup.to_list", id="xiaoqi.lookup.matches", show=False),
    ]

    def __init__(self, engine, actor, kind: RecordKind, text: str = "", *, fixed: dict | None = None,
                 field: str = "") -> None:
        super().__init__(classes="dialog")
        self.engine, self.actor, self.kind = engine, actor, kind
        self.text, self.fixed, self.field = text, dict(fixed or {}), field
        self.matches: list = []
        #: the text whose matches are shown
        self.shown_for: str | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box lookup-box"):
            yield Label(t("tui.lookup.title", kind=self.kind.label(), field=self.field), classes="dialog-title")
            yield Input(self.text, placeholder=t("tui.lookup.placeholder"), id="lookup-text")
            yield OptionList(id="lookup-matches")
            yield Static("", id="lookup-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        show_key(self.query_one("#lookup-text", Input), "enter", "submit", "tui.lookup.pick", id="xiaoqi.lookup.submit")
        show_key(self.query_one(OptionList), "enter", "select", "tui.lookup.pick", id="xiaoqi.lookup.pick")
        self.query_one("#lookup-text", Input).focus()
        self._search(self.text)

    @on(Input.Changed, "#lookup-text")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @db_work(group="lookup")
    def _search(self, text: str) -> None:
        from xiaoqi.core.names import lookup

        with read_session(self.engine) as session:
            matches = lookup(session, self.actor, self.kind, text, fixed=self.fixed, limit=LIMIT + 1)
        self.app.call_from_thread(self._show, text, matches)

    def _show(self, text: str, matches: list) -> None:
        if text != self.query_one("#lookup-text", Input).value:
            return  # typed on since: a newer search is under way
        more = len(matches) > LIMIT
        self.matches, self.shown_for = matches[:LIMIT], text
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._line(m)) for m in self.matches])
        if self.matches:
            options.highlighted = 0
        status = t("tui.lookup.none") if not self.matches else t("tui.lookup.count", n=len(self.matches))
        if more:
            status += t("tui.lookup.more")
        self.query_one("#lookup-status", Static).update(status)

    @staticmethod
    def _line(match) -> Text:
        line = Text(match.name, style="bold")
        line.append(f"  {match.shown_key}", style="dim")
        for name in match.context:
            line.append(f"  · {name}")
        return line

    @on(Input.Submitted, "#lookup-text")
    def _submitted(self) -> None:
        """Enter in the field picks the highlighted match (the first, or the only one)."""
        options = self.query_one(OptionList)
        if self.matches and options.highlighted is not None:
            self.dismiss(self.matches[options.highlighted])

    @on(OptionList.OptionSelected, "#lookup-matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matches[event.option_index])

    def action_matches(self) -> None:
        if self.matches:
            self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
