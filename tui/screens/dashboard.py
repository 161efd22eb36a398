"""The dashboard (概览): counts per kind, internships active today, error findings by rule,
policies and reservations due within the reminder window (``--remind-days``, 30 by default), apprentice quota use per enterprise, active internships per
month over the last year, and the panels plugins add. Figures come from
``core.dashboard.summary`` in a worker; findings from the app's compliance check."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from xiaoqi.core.dashboard import quota_use, summary
from xiaoqi.core.db import read_session
from xiaoqi.core.plugins import contributions, unique

from ..bindings import key
from ..i18n import both, t
from ..widgets.panels import CountsPanel, ExpiringPanel, FindingsPanel, MonthlyChart, QuotaPanel
from ..work import db_work, error_text
from .base import MainScreen


class DashboardScreen(MainScreen):
    section = "dashboard"
    BINDINGS = [
        key("r", "refresh", "tui.dash.refresh", id="xiaoqi.dashboard.refresh"),
        key("c", "compliance", "tui.dash.compliance", id="xiaoqi.dashboard.compliance"),
    ]

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(engine, actor, **kw)
        self.summary = None
        self._plugins_mounted = False
        self._plugins_due = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            with Grid(id="dash-grid"):
                yield CountsPanel("tui.dash.counts", id="dash-counts")
                yield FindingsPanel("tui.dash.findings", id="dash-findings")
                yield ExpiringPanel("tui.dash.expiring", {"n": self.app.remind_days}, id="dash-expiring")
                yield MonthlyChart(id="dash-chart")
                yield QuotaPanel("tui.dash.quota", id="dash-quota")
        # the plugins' panels are mounted once the core's figures show (``_mount_plugin_panels``):
        # their own reads would hold those back

    def _plugin_panels(self):
        entries = unique("panel", ((plugin, entry.id, entry) for plugin, entry in contributions("xiaoqi_dashboard_panels")))
        for entry in entries.values():
            try:
                widget = entry.widget(self.context)
                widget.id = entry.id
            except Exception as exc:  # a broken plugin panel must not take the dashboard down
                widget = Static(Text(t("tui.error.panel", title=both(*entry.title), reason=error_text(exc)), style="red"))
            widget.add_class("panel", "plugin-panel")
            widget.border_title = both(*entry.title)
            yield widget

    def on_mount(self) -> None:
        self.set_title(t("tui.nav.dashboard"))
        self.watch(self.app, "check_progress", self._progress, init=False)
        self.watch(self.app, "check_result", self._findings)
        self.watch(self.app, "check_stale", lambda *_: self._findings(self.app.check_result), init=False)
        # the figures first: a check reads the whole registry on every core and would hold them back
        self.load(then_check=self.app.auto_check)

    def action_refresh(self) -> None:
        self.load()
        for panel in self.query(".plugin-panel"):
            if hasattr(panel, "reload"):
                panel.reload()
        self.app.start_check()

    def action_compliance(self) -> None:
        self.app.open_section("compliance")

    @db_work(group="dashboard")
    def load(self, then_check: bool = False) -> None:
        """The core's figures (counts, today's internships and the monthly chart from one pass
        over the date index, policies, quotas), then the plugins' panels, then the check if asked."""
        try:
            with read_session(self.engine) as session:
                # counts, today's internships and the chart first; the quota use (its own pass) after
                figures = summary(session, actor=self.actor, today=self.app.today, expiring_days=self.app.remind_days,
                                  quotas=False)
                self.app.call_from_thread(self._show, figures)
                figures.quota_use = quota_use(session, actor=self.actor, today=self.app.today)
            self.app.call_from_thread(self._show_quota, figures)
        finally:
            self.app.call_from_thread(self._mount_plugin_panels)
            if then_check:
                self.app.call_from_thread(self.app.want_check)

    def _mount_plugin_panels(self) -> None:
        if self.app.screen is not self:  # another section is shown now: when the dashboard is again
            self._plugins_due = True
        elif not self._plugins_mounted:
            self._plugins_mounted = True
            self.query_one("#dashboard", VerticalScroll).mount(*self._plugin_panels())

    def on_screen_resume(self) -> None:
        if self._plugins_due:
            self._plugins_due = False
            self._mount_plugin_panels()

    def _show(self, figures) -> None:
        self.summary = figures
        self.query_one(CountsPanel).show(figures)
        self.query_one(ExpiringPanel).show(figures)
        self.query_one(MonthlyChart).show(figures)

    def _show_quota(self, figures) -> None:
        self.query_one(QuotaPanel).show(figures)

    def _progress(self, progress) -> None:
        if self.app.check_running:
            self.query_one(FindingsPanel).show_progress(*progress)

    def _findings(self, result) -> None:
        if not self.app.check_running:
            self.query_one(FindingsPanel).show(result, at=self.app.check_at, stale=self.app.check_stale)
