"""A yes/no question before something that cannot be undone (a delete, an import)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..bindings import key, translate_bindings
from ..i18n import t
from ..widgets.footer import Footer


class Confirm(ModalScreen[bool]):
    """Each answer has its key (y, n or Esc), in the footer; a button runs the same action."""

    BINDINGS = [
        key("y", "answer(True)", "tui.confirm.yes", id="xiaoqi.confirm.yes"),
        key("n", "answer(False)", "tui.confirm.no", id="xiaoqi.confirm.no"),
        key("escape", "answer(False)", "tui.key.cancel", id="xiaoqi.confirm.cancel", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box confirm-box"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.confirm.yes"), variant="error", id="yes", action="screen.answer(True)")
                yield Button(t("tui.confirm.no"), id="no", action="screen.answer(False)")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
