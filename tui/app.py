"""The xiaoqi terminal UI: the cooperation office's daily tool.

Sections (Textual modes, each with its own screen stack): the dashboard, one screen per record
kind (``get_kinds()``, plugin kinds included), compliance, import, and the screens plugins add
through ``xiaoqi_register_screens``. The command palette (Ctrl+P) reaches every section and
searches the registry. Database work runs in thread workers, one Session per unit of work; the
compliance check runs once here and is shared by the dashboard, the compliance screen and the
record views.

Run it with ``xiaoqi tui`` (or ``xiaoqi`` alone): ``run_app(app_context)``.

The first screen needs Textual and no SQLAlchemy: on a SQLite file the CLI checks the schema and
the actor with sqlite3 (``xiaoqi.core.lean``), a records screen reads its first page that way, and
the engine (SQLAlchemy, the models) is built in a worker once that page is on the terminal
(``warm_up``), or by whatever asks for ``app.engine`` first.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import read_session
from xiaoqi.core.i18n import set_lang
from xiaoqi.core.kinds import get_kind, get_kinds
from xiaoqi.core.plugins import contributions, hook_results, unique

from . import TuiContext
from .bindings import key, translate_bindings
from .commands import XiaoqiCommands
from .i18n import both, t
from .widgets.footer import Footer
from .work import db_work, error_text, show_error


@dataclass(frozen=True)
class Section:
    """An entry of the navigation: its mode id, label, group and how its screen is built."""

    id: str
    label: str
    group: str  # "main", "records", "tools" or "plugins"
    build: Callable[[], Screen]
    #: what ``xiaoqi tui --open`` takes for it: dashboard, a record kind, compliance, import, a plugin screen's id
    name: str


class PluginErrorScreen(Screen):
    """Stands in for a plugin screen that failed to build, so the app keeps running."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(self.message, style="bold red"), classes="panel")
        yield Footer()


class CheckProgress(Message):
    """A running check's progress, posted by its worker (``XiaoqiApp.check_progress``)."""

    def __init__(self, progress: tuple[int, int, str]) -> None:
        super().__init__()
        self.progress = progress


class XiaoqiApp(App):
    CSS_PATH = "app.tcss"
    BINDINGS = [
        key("ctrl+p", "command_palette", "tui.key.palette", id="xiaoqi.app.palette", priority=True, show=False),
        key("f2", "open_section('dashboard')", "tui.key.dashboard", id="xiaoqi.app.dashboard"),
        key("ctrl+q", "quit", "tui.key.quit", id="xiaoqi.app.quit", priority=True),
    ]

    #: the last compliance check (``CheckResult``) and its progress ``(done, total, rule)``
    check_result = reactive(None, always_update=True)
    check_progress = reactive((0, 0, ""), always_update=True)
    #: when the result shown was checked (UTC), and whether data changed since
    check_at = reactive(None)
    check_stale = reactive(False)
    #: seconds between looks for data changes made elsewhere (another window, the CLI)
    POLL_SECONDS = 5.0
    #: seconds at least between two updates of a running check's progress on the screen
    PROGRESS_SECONDS = 0.1

    def __init__(self, engine, actor: Actor = ADMIN, *, lang: str = "zh", db_label: str = "",
                 today: dt.date | None = None, config: dict | None = None, auto_check: bool = True,
                 import_dir: Path | None = None, start: str = "dashboard", remind_days: int | None = None,
                 open_engine: Callable[[], Any] | None = None, lean_path: str | None = None) -> None:
        """``engine``: the SQLAlchemy engine, or None with ``open_engine``, which builds it when first
        needed (``xiaoqi tui``: after the first page is shown). ``lean_path``: the SQLite file a
        records screen may read its plain listing from with sqlite3 (by default the engine's file)."""
        self.lang = lang
        set_lang(lang)
        super().__init__()
        translate_bindings(self)
        if engine is None and open_engine is None:
            raise TypeError("XiaoqiApp needs an engine or open_engine")
        self._engine = engine
        self._open_engine = open_engine
        self._engine_lock = threading.Lock()
        if lean_path is None and engine is not None and engine.url.get_backend_name() == "sqlite":
            lean_path = engine.url.database or None
        self.lean_path = lean_path
        self._warming = False
        self.actor = actor
        self.db_label = db_label
        self.today = today or dt.date.today()
        self.config = config
        self._tui_context: TuiContext | None = None
        self.auto_check = auto_check
        from xiaoqi.core.config import remind_days as configured

        #: the dashboard's reminder window in days (``--remind-days``, else the configuration's, else 30)
        self.remind_days = remind_days or configured(config)
        self.import_dir = import_dir
        self.start = start
        self.check_running = False
        self.check_cancelled = False
        #: the kept run has been looked for; a check asked for before that waits for it
        self.check_loaded = False
        self._check_wanted = False
        self._rerun = False
        #: the last audit entry the result shown could see
        self.check_mark = 0
        self.title = t("tui.title")
        self.sub_title = t("tui.subtitle", actor=actor.label(), db=db_label) if db_label else actor.label()
        self.COMMANDS = App.COMMANDS | {XiaoqiCommands} | set(hook_results("xiaoqi_palette_providers"))
        self.sections = build_sections(lambda: self.context, import_dir, actor=actor)
        for section in self.sections:
            self.add_mode(section.id, self._styled(section.build))

    @property
    def engine(self):
        """The database engine, built by the first that asks (any thread; the others wait for it)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self._open_engine()
        return self._engine

    @property
    def context(self) -> TuiContext:
        """What plugin screens, panels and detail sections are given (its engine built by then)."""
        if self._tui_context is None:
            self._tui_context = TuiContext(engine=self.engine, actor=self.actor, config=self.config, today=self.today,
                                       lang=self.lang)
        return self._tui_context

    def warm_up(self) -> None:
        """Once the first screen is shown: build the engine and import the services in a worker,
        then read the kept check and start looking for data changes. Called by a table once its
        first page is shown or could not be read, at mount for a screen without one, and when
        another section is opened; again, it does nothing."""
        if self._warming:
            return
        self._warming = True
        self._warm()

    @db_work(group="warm-up")
    def _warm(self) -> None:
        self.engine  # noqa: B018 - built here, off the UI thread
        if self.start.startswith("records-"):
            # SQLModel and the models, before the first search or form needs them (a screen that
            # reads its figures at once, the dashboard, is not made to share the CPU with them)
            import xiaoqi.core.services  # noqa: F401

        self.call_from_thread(self._warmed)

    def _warmed(self) -> None:
        self._load_kept_check()
        self.set_interval(self.POLL_SECONDS, self.data_changed)

    # -- sections ------------------------------------------------------------------------
    def _styled(self, build: Callable[[], Screen]) -> Callable[[], Screen]:
        """``build``, with the new screen marked as styled by the current stylesheet.

        Textual restyles the whole app twice when a section's screen is first built (a new
        screen's CSS counter starts out of date, and the switch checks it before and after), which
        took 80 ms of each first visit to a section. Nothing needs it: the widgets of a new screen
        are styled as they mount, with the stylesheet the theme last set (a change of theme restyles
        the screen shown then, which a screen being built is), and a screen that brings CSS of its
        own still has it loaded and applied by Textual (``_load_screen_css``)."""

        def styled() -> Screen:
            screen = build()
            screen._css_update_count = self._css_update_count
            return screen

        return styled

    def on_mount(self) -> None:
        self.switch_mode(self.start)
        if not (self.start.startswith("records-") and self.lean_path):
            self.warm_up()  # else the table's first page calls it, once it is shown

    def action_open_section(self, section_id: str) -> None:
        self.open_section(section_id)

    def open_section(self, section_id: str) -> None:
        if self.current_mode != section_id:
            self.switch_mode(section_id)
        self.warm_up()  # the user went on before the first table's first page came

    def open_record(self, kind_name: str, record_key: str) -> None:
        """Show one record's detail view, on the screen stack of its kind."""
        from .screens.detail import RecordDetailScreen

        try:
            kind = get_kind(kind_name)
        except KeyError as exc:
            self.notify(str(exc.args[0]), severity="error")
            return
        came_from = self.current_mode
        self.open_section(f"records-{kind.name}")
        detail = RecordDetailScreen(None, self.actor, kind, record_key)
        detail.came_from = came_from  # Esc goes back there (compliance → record → compliance)
        self.push_screen(detail)

    def show_error(self, exc: BaseException) -> None:
        show_error(self, exc)

    # -- the compliance check ------------------------------------------------------------
    def want_check(self, fresh: bool = False) -> None:
        """A screen needs a result: the kept one once it is read, else a check is run. ``fresh``
        (the compliance screen): a stale result is checked again too — a data change since, or a
        run kept under another rule set (a plugin switched off or upgraded since)."""
        if not self.check_loaded:
            self._check_wanted = True
        elif (self.check_result is None or (fresh and self.check_stale)) and not self.check_running:
            self.start_check()

    @db_work(group="check-kept")
    def _load_kept_check(self) -> None:
        """The last kept run of the actor's scope, shown at once; run again when stale."""
        from xiaoqi.core.check_store import is_stale, last_run_as

        try:
            with read_session(self.engine) as session:
                run = last_run_as(session, actor=self.actor)
                stale = run is not None and is_stale(session, run, dt.date.today(), config=self.config)
        except Exception:  # an unreadable kept run is no reason not to check
            run, stale = None, False
        self.call_from_thread(self._kept_loaded, run, stale)

    def _kept_loaded(self, run, stale: bool) -> None:
        self.check_loaded = True
        if run is not None and self.check_result is None and not self.check_running:
            self.check_mark = run.audit_id
            self.check_at = run.finished_at
            self.check_stale = stale
            self.check_result = run.result
        if (run is None or stale) and (self.auto_check or self._check_wanted) and not self.check_running:
            self.start_check()

    def data_changed(self) -> None:
        """Look for data changes since the result shown (after a write here, and every few
        seconds for writes elsewhere): the result is marked stale and checked again in a worker."""
        if self.check_at is not None and not self.check_stale:
            self._look_for_changes()

    @db_work(group="check-changes")
    def _look_for_changes(self) -> None:
        from xiaoqi.core.check_store import changes_since

        try:
            with read_session(self.engine) as session:
                changed = changes_since(session, self.check_mark)
        except Exception:
            return
        if changed:
            self.call_from_thread(self._became_stale)

    def _became_stale(self) -> None:
        self.check_stale = True
        if self.check_running:
            self._rerun = True  # the run under way may have read the database before the change
        elif self.auto_check or self.current_mode == "compliance":
            self.start_check()
        else:
            self.check_result = self.check_result  # the screens mark the result stale

    def start_check(self) -> None:
        self.check_running = True
        self.check_cancelled = False
        self._rerun = False
        self.check_progress = (0, 0, "")
        self._check()

    def stop_check(self) -> None:
        for worker in self.workers:
            if worker.group == "check":
                worker.cancel()

    @db_work(group="check")
    def _check(self) -> None:
        from xiaoqi.core.check_store import check_and_store

        worker = get_current_worker()
        shown = [0.0]

        def progress(done: int, total: int, rule: str) -> None:
            # Posted, not called from the thread: the check's threads report under their lock and
            # would wait for the UI to draw each rule. At most one a PROGRESS_SECONDS between the
            # first and the last: each one is a new layout of the screen (the UI thread's frame
            # holds the GIL the rules need), a hundred of them for a check of a second.
            now = time.monotonic()
            if 0 < done < total and now - shown[0] < self.PROGRESS_SECONDS:
                return
            shown[0] = now
            self.post_message(CheckProgress((done, total, rule)))

        try:
            run = check_and_store(self.engine, actor=self.actor, config=self.config, progress=progress,
                                  cancelled=lambda: worker.is_cancelled)
        except Exception as exc:
            self.call_from_thread(self._check_done, None, exc)
            return
        self.call_from_thread(self._check_done, None if worker.is_cancelled else run, None)

    def on_check_progress(self, message: CheckProgress) -> None:
        if self.check_running:  # a report that came after the run ended is not shown
            self.check_progress = message.progress

    def _check_done(self, run, exc: BaseException | None) -> None:
        self.check_running = False
        if exc is not None:
            self.show_error(exc)
        self.check_cancelled = run is None and exc is None
        if run is not None:
            self.check_mark, self.check_at = run.audit_id, run.finished_at
            self.check_stale = False
        if self._rerun and exc is None and run is not None:
            self.start_check()  # data changed while it ran: the result shown is checked again
            self.check_stale = True
        if run is not None or self.check_result is None:
            self.check_result = run.result if run is not None else None
        else:
            self.check_result = self.check_result  # tell the watchers the run is over

    # -- palette and system commands -----------------------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("tui.palette.placeholder")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(t("tui.sys.theme"), t("tui.sys.theme.help"), self.action_change_theme)
        yield SystemCommand(t("tui.sys.screenshot"), t("tui.sys.screenshot.help"), lambda: self.deliver_screenshot())
        yield SystemCommand(t("tui.sys.quit"), t("tui.sys.quit.help"), self.action_quit)


def build_sections(context: TuiContext | Callable[[], TuiContext], import_dir: Path | None, *,
                   actor: Actor | None = None) -> list[Section]:
    """The navigation. A screen's module is imported when the screen is first opened: the
    dashboard, compliance and import screens are not worth their import time (about 50 ms)
    before the first screen shows. Two plugin screens with one id are a ``PluginConflict``.
    ``context`` may be a function giving it (with ``actor``): a plugin screen asks for it when
    built, the core's screens use the running app's engine (they are built with ``engine=None``)."""
    if isinstance(context, TuiContext):
        actor, given = context.actor, context
        context = lambda: given  # noqa: E731

    def dashboard() -> Screen:
        from .screens.dashboard import DashboardScreen
        return DashboardScreen(None, actor)

    def records(kind) -> Callable[[], Screen]:
        def build() -> Screen:
            from .screens.records import RecordsScreen
            return RecordsScreen(None, actor, kind)
        return build

    def compliance() -> Screen:
        from .screens.compliance import ComplianceScreen
        return ComplianceScreen(None, actor)

    def importer() -> Screen:
        from .screens.importer import ImportScreen
        return ImportScreen(None, actor, start_dir=import_dir)

    def batches() -> Screen:
        from .screens.batches import BatchesScreen
        return BatchesScreen(None, actor)

    sections = [Section("dashboard", t("tui.nav.dashboard"), "main", dashboard, "dashboard")]
    for kind in get_kinds().values():
        sections.append(Section(f"records-{kind.name}", kind.label(), "records", records(kind), kind.name))
    sections.append(Section("compliance", t("tui.nav.compliance"), "tools", compliance, "compliance"))
    sections.append(Section("import", t("tui.nav.import"), "tools", importer, "import"))
    sections.append(Section("batches", t("tui.nav.batches"), "tools", batches, "imports"))
    entries = unique("screen", ((plugin, entry.id, entry) for plugin, entry in contributions("xiaoqi_register_screens")))
    for entry in entries.values():
        sections.append(Section(f"plugin-{entry.id}", both(*entry.title), "plugins", partial_plugin(entry, context),
                                entry.id))
    return sections


def partial_plugin(entry: Any, context: Callable[[], TuiContext]) -> Callable[[], Screen]:
    """The builder of a plugin's screen, in its navigation section; a screen that fails to build
    shows why instead."""

    def build() -> Screen:
        try:
            screen = entry.screen(context())
        except Exception as exc:
            return PluginErrorScreen(t("tui.error.screen", title=both(*entry.title), reason=error_text(exc)))
        if not getattr(screen, "section", True):
            screen.section = f"plugin-{entry.id}"
        return screen

    return build


def section_for(name: str) -> str | None:
    """The section id ``xiaoqi tui --open NAME`` opens (NAME as ``open_names`` lists it, or the id
    itself); None if there is none."""
    return next((s.id for s in build_sections(TuiContext(None, ADMIN), None) if name in (s.name, s.id)), None)


def open_names() -> list[str]:
    """What ``--open`` accepts, as a user would type it."""
    return [s.name for s in build_sections(TuiContext(None, ADMIN), None)]


def run_app(app_context, *, start: str = "dashboard", remind_days: int | None = None) -> None:
    """Run the TUI for the CLI's ``AppContext`` (database, actor, language, configuration) on the
    section ``start``; ``remind_days``: the dashboard's reminder window (default: the configuration's)."""
    from xiaoqi.core.db import display_name

    url = app_context.url
    lean_path = checked_sqlite_file(url, app_context.actor)
    # on a SQLite file found current by sqlite3, the engine is built after the first screen
    engine = None if lean_path else app_context.engine()
    XiaoqiApp(engine, app_context.actor, lang=app_context.lang, db_label=display_name(url),
              config=app_context.config(), start=start, remind_days=remind_days,
              open_engine=app_context.engine, lean_path=lean_path).run()


def checked_sqlite_file(url: str, actor: Actor) -> str | None:
    """The SQLite file of ``url`` if sqlite3 finds it at the newest schema and ``actor`` registered
    (what ``AppContext.engine()`` checks before any command); None otherwise, and then the engine
    is built first and its checks say what is wrong."""
    import sqlite3

    from xiaoqi.core import lean

    path = lean.sqlite_path(url)
    if path is None:
        return None
    try:
        conn = lean.connect(path)
        try:
            return path if lean.schema_current(conn) and lean.actor_registered(conn, actor) else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None
