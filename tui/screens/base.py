"""The frame every main screen shares: header, navigation sidebar, the screen's own body, footer;
``PluginScreen`` is that frame for a plugin's screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header

from ..bindings import key, translate_bindings
from ..widgets.footer import Footer
from ..widgets.sidebar import Sidebar
from ..work import show_error


class MainScreen(Screen):
    """A screen with the sidebar; subclasses give ``section`` (their navigation id) and
    ``compose_body``. ``engine`` and ``actor`` are the running app's (a screen built with
    ``engine=None`` uses the app's, which is built when first needed)."""

    section = ""
    BINDINGS = [key("ctrl+b", "toggle_nav", "tui.key.nav", id="xiaoqi.nav.toggle", show=False)]
    #: actions that act on a widget of the body (action -> the widget's id, or a tuple of ids):
    #: offered, in the footer and by their key, only while the focus is in that widget, so the
    #: footer shows the keys of what has the focus (a table's row keys, not while the sidebar has it)
    FOCUS_ACTIONS: dict[str, str | tuple[str, ...]] = {}

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(**kw)
        self.engine = engine
        self.actor = actor
        translate_bindings(self)

    @property
    def engine(self):
        return self._engine if self._engine is not None else self.app.engine

    @engine.setter
    def engine(self, engine) -> None:
        self._engine = engine

    @property
    def context(self):
        """The running app's ``xiaoqi.tui.TuiContext`` (engine, actor, configuration, date, language)."""
        return self.app.context

    def _on_screen_resume(self, event) -> None:
        """Runs before Textual's own handler of the event (its subclass's, first in the MRO), which
        restyles every widget of the screen each time it is shown again: 0.05-0.2 s for a records
        screen, twice on its first visit, at every switch of section. Nothing it styles by has
        changed when the screen was styled by the app's current stylesheet (Textual's CSS counter:
        a switch to a screen styled by an older one, after a change of theme, restyles the app
        first): the restyle is left out then. Focus and hover restyle the widgets they change."""
        if self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="frame"):
            yield Sidebar(self.section)
            with Vertical(id="body"):
                yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        owner = self.FOCUS_ACTIONS.get(action)
        if owner is not None and not self.focus_in(*((owner,) if isinstance(owner, str) else owner)):
            return False
        return True

    def focus_in(self, *widget_ids: str) -> bool:
        """Whether the focused widget is one with one of these ids, or inside it."""
        focused = self.focused
        return focused is not None and any(node.id in widget_ids for node in focused.ancestors_with_self)

    def set_title(self, label: str) -> None:
        """The header's subtitle: this screen, who acts, on which database."""
        self.sub_title = f"{label} · {self.app.sub_title}"

    def action_toggle_nav(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display

    def show_error(self, exc: BaseException) -> None:
        """A failed query or write as a notification (never a crash)."""
        show_error(self, exc)


class PluginScreen(MainScreen):
    """The frame of a plugin's screen (``xiaoqi.tui.ScreenEntry``), built as ``screen(context)``:
    header, navigation (with the screen's own entry selected), ``compose_body``, footer. ``context``
    is the app's ``TuiContext``; ``engine`` and ``actor`` are its engine and actor."""

    def __init__(self, context, **kw) -> None:
        self._xiaoqi_context = context
        super().__init__(context.engine, context.actor, **kw)

    @property
    def context(self):
        return self._xiaoqi_context
