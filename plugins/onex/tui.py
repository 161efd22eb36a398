"""The 1+X parts of ``xiaoqi tui`` that need Textual: the dashboard panel (upcoming sessions and
last year's pass rates) and the conversion screen (a term, a dry-run preview, then the run). The
records themselves have the TUI's record screens (one per kind); the credit-bank account is a
section of the student's detail view (``account_view``). The plugin imports this module only when
the TUI shows one of them.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static

from xiaoqi.core.i18n import both, catalogue, t
from xiaoqi.tui import PluginScreen, db_work, key, may_write

catalogue(
    {
        "onex.panel.upcoming": ("即将举行的考核", "Upcoming sessions"),
        "onex.panel.none": ("（30 天内没有考核）", "(no session in the next 30 days)"),
        "onex.panel.rates": ("{year} 年通过率", "Pass rates in {year}"),
        "onex.panel.no_rates": ("（该年没有考核）", "(no sessions that year)"),
        "onex.tui.title": ("学分转换", "Credit conversion"),
        "onex.tui.term": ("学期", "Term"),
        "onex.tui.hint": ("输入学期后按 p 预览（不写入），确认无误再按 c 执行转换", "Enter the term, press p to preview (nothing written), then c to convert"),
        "onex.tui.preview": ("预览：{term} 学期将新转换 {n} 门次、{credits} 学分；此前已转换 {already} 门次。按 c 执行。",
                             "Preview: {n} new conversions, {credits} credits for {term}; {already} converted before. Press c to convert."),
        "onex.tui.done": ("已转换：{term} 学期新转换 {n} 门次、{credits} 学分。", "Converted: {n} new conversions, {credits} credits for {term}."),
        "onex.tui.preview_first": ("请先按 p 预览本学期的转换", "Preview the term's conversions first (p)"),
        "onex.key.preview": ("预览", "Preview"),
        "onex.key.preview.tip": ("预览将要转换的学分（不写入）", "Preview the conversions (nothing written)"),
        "onex.key.convert": ("执行转换", "Convert"),
        "onex.key.convert.tip": ("按预览执行学分转换", "Apply the previewed conversions"),
    }
)

UPCOMING_DAYS = 30


def current_term(day: dt.date) -> str:
    """The term ``day`` falls in: autumn from September (term 1), spring from February (term 2)."""
    if day.month >= 9:
        return f"{day.year}-{day.year + 1}-1"
    if day.month >= 2:
        return f"{day.year - 1}-{day.year}-2"
    return f"{day.year - 1}-{day.year}-1"


class OnexPanel(Static):
    """Dashboard panel: the next month's sessions and last year's pass rates by certificate."""

    def __init__(self, context) -> None:
        super().__init__(Text(t("tui.dash.loading"), style="dim italic"), classes="panel")
        self.context = context

    def on_mount(self) -> None:
        self.border_title = both("1+X 证书", "1+X certificates")
        self.reload()

    @db_work(group="onex-panel")
    def reload(self) -> None:
        from xiaoqi.core.db import read_session

        from .bank import summary, upcoming_sessions

        ctx = self.context
        with read_session(ctx.engine) as session:
            upcoming = upcoming_sessions(session, actor=ctx.actor, start=ctx.today, days=UPCOMING_DAYS)
            rates = summary(session, actor=ctx.actor, year=ctx.today.year - 1)
        self.app.call_from_thread(self.show, upcoming, rates)

    def show(self, upcoming: list[dict], rates: list[dict]) -> None:
        from .commands import _level

        head = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold dim")
        for header in (both("日期", "date"), both("证书", "certificate"), both("站点", "site"), both("考生", "candidates")):
            head.add_column(header, no_wrap=True, overflow="ellipsis")
        for s in upcoming:
            head.add_row(str(s["held_on"]), f"{s['certificate_name']} {_level(s['level'])}", s["site_name"], f"{s['candidates']:,}")
        year = self.context.today.year - 1
        rate_table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold dim")
        for header in (both("证书", "certificate"), both("考生", "candidates"), both("通过率", "pass rate")):
            rate_table.add_column(header, no_wrap=True, overflow="ellipsis")
        for r in rates:
            rate = f"{r['passes'] / r['candidates']:.1%}" if r["candidates"] else "—"
            rate_table.add_row(f"{r['certificate_name']} {_level(r['level'])}", f"{r['candidates']:,}", rate)
        parts = [Text(t("onex.panel.upcoming"), style="bold"), head if upcoming else Text(t("onex.panel.none"), style="dim"),
                 Text("\n" + t("onex.panel.rates", year=year), style="bold"),
                 rate_table if rates else Text(t("onex.panel.no_rates"), style="dim")]
        self.update(Group(*parts))


class ConversionScreen(PluginScreen):
    """学分转换: a term, the preview of what the run would convert, and the run itself."""

    DEFAULT_CSS = """
    ConversionScreen #onex-form { height: 3; }
    ConversionScreen #onex-term { width: 30; }
    ConversionScreen #onex-hint { padding: 1 1; color: $text-muted; }
    ConversionScreen #onex-table { height: 1fr; }
    ConversionScreen #onex-status { height: 2; padding: 0 1; }
    """
    BINDINGS = [
        key("p", "preview", "onex.key.preview", id="xiaoqi.onex.preview"),
        key("c", "convert", "onex.key.convert", id="xiaoqi.onex.convert"),
    ]

    def __init__(self, context, **kw) -> None:
        super().__init__(context, **kw)
        self.previewed: str | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="onex-form"):
            yield Input(value=current_term(self.context.today), placeholder=t("onex.tui.term"), id="onex-term")
            yield Static(t("onex.tui.hint"), id="onex-hint")
        yield DataTable(id="onex-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="onex-status")

    def on_mount(self) -> None:
        self.set_title(t("onex.tui.title"))
        self.query_one("#onex-table", DataTable).add_columns(*(both(zh, en) for zh, en in (
            ("学生", "student"), ("身份证号", "ID number"), ("课程", "course"), ("学分", "credits"), ("方式", "exemption"),
            ("规则", "rule"), ("所用证书", "certificate"))))

    @on(Input.Changed, "#onex-term")
    def _term_changed(self, _event) -> None:
        self.previewed = None

    def _term(self) -> str | None:
        from xiaoqi.core.fields import parse_term

        try:
            return parse_term(self.query_one("#onex-term", Input).value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return None

    def action_preview(self) -> None:
        term = self._term()
        if term:
            self.run_conversion(term, True)

    def action_convert(self) -> None:
        from xiaoqi.core.kinds import get_kind

        term = self._term()
        if not term:
            return
        if self.previewed != term:
            self.notify(t("onex.tui.preview_first"), severity="warning")
            return
        if may_write(self, get_kind("onex_conversions")):
            self.run_conversion(term, False)

    @db_work(group="onex-convert")
    def run_conversion(self, term: str, dry_run: bool) -> None:
        from xiaoqi.core.db import write_session

        from .bank import convert

        with write_session(self.engine) as session:
            run = convert(session, actor=self.actor, term=term, on=self.context.today, dry_run=dry_run)
            if dry_run:
                session.rollback()
        self.app.call_from_thread(self._show, run)

    def _show(self, run) -> None:
        from .commands import _exemption

        table = self.query_one("#onex-table", DataTable)
        table.clear()
        for c in run.conversions:
            table.add_row(c["student_name"] or "", c["id_number"], c["course_code"], str(c["credits"]), _exemption(c["exemption"]),
                          c["rule_code"], c["certificate_no"] or "")
        credits = sum((c["credits"] for c in run.conversions), 0)
        if run.dry_run:
            self.previewed = run.term
            text = t("onex.tui.preview", term=run.term, n=len(run.conversions), credits=credits, already=run.already)
        else:
            self.previewed = None
            text = t("onex.tui.done", term=run.term, n=len(run.conversions), credits=credits)
        self.query_one("#onex-status", Static).update(text)
