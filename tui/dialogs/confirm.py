"""A yes/no question before something that cannot be undone (a delete, an import)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..bindings import key, translate_bindings
from ..i18n import t


class Confirm(ModalScreen[bool]):
    BINDINGS = [key("escape", "answer(False)", "tui.key.cancel", id="xiaoqi.confirm.cancel")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box confirm-box"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.confirm.yes"), variant="error", id="yes")
                yield Button(t("tui.confirm.no"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
