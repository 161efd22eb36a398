"""The frame every main screen shares: header, navigation sidebar, the screen's own body, footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header

from ..bindings import key, translate_bindings
from ..widgets.footer import Footer
from ..widgets.sidebar import Sidebar
from ..work import error_text


class MainScreen(Screen):
    """A screen with the sidebar; subclasses give ``section`` (their navigation id) and
    ``compose_body``. ``engine`` and ``actor`` are the running app's."""

    section = ""
    BINDINGS = [key("ctrl+b", "toggle_nav", "tui.key.nav", id="xiaoqi.nav.toggle", show=False)]

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(**kw)
        self.engine = engine
        self.actor = actor
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="frame"):
            yield Sidebar(self.section)
            with Vertical(id="body"):
                yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def set_title(self, label: str) -> None:
        """The header's subtitle: this screen, who acts, on which database."""
        self.sub_title = f"{label} · {self.app.sub_title}"

    def action_toggle_nav(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display

    def show_error(self, exc: BaseException) -> None:
        """A failed query or write as a notification (never a crash)."""
        self.notify(error_text(exc), severity="error", timeout=8)
