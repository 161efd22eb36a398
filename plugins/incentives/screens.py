"""The incentives screen of ``xiaoqi tui`` and its dashboard panel. Only this module imports Textual.

The screen: the latest balance of each enterprise and account, a chart of credit earned against
credit used by year, and the ledger itself, newest first, read from the database a page at a time
(keyset on the line id: ``pagedown`` / ``pageup`` or ``]`` / ``[``). Everything is read in thread
workers through ``views``, in the actor's scope.
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from xiaoqi.core.i18n import both, catalogue, get_lang, t
from xiaoqi.tui import PluginScreen, db_work, key

from . import vocabulary as v
from .views import PAGE

catalogue(
    {
        "inc.tui.title": ("激励台账", "Incentives ledger"),
        "inc.tui.chart": ("抵免额：形成与使用（元）", "Credit earned and used (yuan)"),
        "inc.tui.earned": ("形成", "earned"),
        "inc.tui.used": ("使用", "used"),
        "inc.tui.no_credit": ("（尚无抵免额）", "(no credit yet)"),
        "inc.tui.page": ("台账第 {first}–{last} 行（共 {n} 行，最新在前）  [ 上一页  ] 下一页", "lines {first}–{last} of {n}, newest first  [ previous  ] next"),
        "inc.tui.empty": ("（台账为空：运行 xiaoqi incentives accrue --year 年度）", "(the ledger is empty: run xiaoqi incentives accrue --year YEAR)"),
        "inc.panel.title": ("激励台账", "Incentives"),
        "inc.panel.carried": ("结转抵免额：{amount} 元（{firms} 家企业）", "Credit carried forward: {amount} yuan ({firms} enterprises)"),
        "inc.panel.awaiting": ("待拨付补贴：{n} 件，{amount} 元", "Subsidies awaiting payment: {n} cases, {amount} yuan"),
        "inc.panel.to_approve": ("待核准补贴申请：{n} 件", "Claims awaiting approval: {n}"),
        "inc.key.next": ("下一页", "Next page"),
        "inc.key.next.tip": ("台账的下一页（更早的行）", "The next page of the ledger (older lines)"),
        "inc.key.prev": ("上一页", "Previous page"),
        "inc.key.prev.tip": ("台账的上一页（更新的行）", "The previous page (newer lines)"),
        "inc.key.refresh": ("刷新", "Refresh"),
        "inc.key.refresh.tip": ("重新读取数据库", "Read the database again"),
    }
)

LINE_COLUMNS = (("行号", "line"), ("日期", "date"), ("企业", "enterprise"), ("类型", "type"), ("科目", "account"),
                ("金额（元）", "amount (yuan)"), ("案件", "case"), ("来源", "source"))
BALANCE_COLUMNS = (("企业", "enterprise"), ("科目", "account"), ("账期", "period"), ("余额（元）", "balance (yuan)"))


def _account(account: str) -> str:
    return dict(zip(v.ACCOUNTS, v.ACCOUNTS_ZH if get_lang() == "zh" else v.ACCOUNTS_EN))[account]


def _type(line_type: str) -> str:
    return (v.LINE_TYPES_ZH if get_lang() == "zh" else v.LINE_TYPES_EN)[line_type]


class IncentivesScreen(PluginScreen):
    DEFAULT_CSS = """
    IncentivesScreen #inc-top { height: 16; }
    IncentivesScreen #inc-balances { width: 1fr; }
    IncentivesScreen #inc-chart { width: 1fr; }
    IncentivesScreen #inc-lines { height: 1fr; }
    IncentivesScreen #inc-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        key("right_square_bracket,pagedown", "page(1)", "inc.key.next", id="xiaoqi.inc.next", key_display="]"),
        key("left_square_bracket,pageup", "page(-1)", "inc.key.prev", id="xiaoqi.inc.prev", key_display="["),
        key("r", "refresh", "inc.key.refresh", id="xiaoqi.inc.refresh"),
    ]

    def __init__(self, context, **kw) -> None:
        super().__init__(context, **kw)
        self.rows: list[dict] = []
        self.first = 1  # the place of the page's first line, newest being 1
        self.total = 0

    def compose_body(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="inc-top"):
                yield DataTable(id="inc-balances", zebra_stripes=True)
                yield PlotextPlot(id="inc-chart")
            yield DataTable(id="inc-lines", cursor_type="row", zebra_stripes=True)
            yield Static("", id="inc-status")

    def on_mount(self) -> None:
        self.query_one("#inc-balances", DataTable).add_columns(*(both(*h) for h in BALANCE_COLUMNS))
        self.query_one("#inc-lines", DataTable).add_columns(*(both(*h) for h in LINE_COLUMNS))
        self.set_title(t("inc.tui.title"))
        self.action_refresh()
        self.query_one("#inc-lines", DataTable).focus()

    def action_refresh(self) -> None:
        self.first = 1
        self.load_overview()
        self.load_page()

    def action_page(self, step: int) -> None:
        if not self.rows:
            return
        if step > 0 and self.first + len(self.rows) <= self.total:
            self.load_page(before=self.rows[-1]["id"], first=self.first + len(self.rows))
        elif step < 0 and self.first > 1:
            self.load_page(after=self.rows[0]["id"], first=max(1, self.first - PAGE))

    @db_work(group="inc-overview")
    def load_overview(self) -> None:
        from xiaoqi.core.db import read_session

        from .views import credit_by_year, latest_balances

        with read_session(self.engine) as session:
            conn = session.connection()
            balances, years = latest_balances(conn, self.actor), credit_by_year(conn, self.actor)
        self.app.call_from_thread(self._overview, balances, years)

    def _overview(self, balances: list[dict], years) -> None:
        table = self.query_one("#inc-balances", DataTable)
        table.clear()
        for r in balances:
            table.add_row(r["name"], _account(r["account"]), str(r["period"]), f"{r['balance_fen'] / 100:,.2f}")
        plot = self.query_one("#inc-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if years:
            labels = [str(y) for y, _e, _u in years]
            plt.multiple_bar(labels, [[float(e) for _y, e, _u in years], [float(u) for _y, _e, u in years]],
                             labels=[t("inc.tui.earned"), t("inc.tui.used")])
            plt.title(t("inc.tui.chart"))
        else:
            plt.title(t("inc.tui.no_credit"))
        plot.refresh()

    @db_work(group="inc-page")
    def load_page(self, before: int | None = None, after: int | None = None, first: int = 1) -> None:
        from xiaoqi.core.db import read_session

        from .views import count_lines, ledger_page

        with read_session(self.engine) as session:
            conn = session.connection()
            rows, total = ledger_page(conn, self.actor, before=before, after=after), count_lines(conn, self.actor)
        self.app.call_from_thread(self._page, rows, total, first)

    def _page(self, rows: list[dict], total: int, first: int) -> None:
        self.rows, self.total, self.first = rows, total, first
        table = self.query_one("#inc-lines", DataTable)
        table.clear()
        for r in rows:
            table.add_row(str(r["id"]), str(r["entry_date"])[:10], r["name"], _type(r["line_type"]), _account(r["account"]),
                          f"{r['amount']:,.2f}", r["case_shown"], r["source_shown"], key=str(r["id"]))
        status = t("inc.tui.page", first=first, last=first + len(rows) - 1, n=total) if rows else t("inc.tui.empty")
        self.query_one("#inc-status", Static).update(status)


class IncentivesPanel(Static):
    """The dashboard panel: credit carried forward, subsidies awaiting payment and approval."""

    def __init__(self, context, **kw) -> None:
        super().__init__(Text(t("tui.dash.loading"), style="dim italic"), classes="panel", **kw)
        self.context = context

    def on_mount(self) -> None:
        self.border_title = t("inc.panel.title")
        self.reload()

    @db_work(group="inc-panel")
    def reload(self) -> None:
        from xiaoqi.core.db import read_session

        from .views import panel_figures

        with read_session(self.context.engine) as session:
            figures = panel_figures(session.connection(), self.context.actor)
        self.app.call_from_thread(self.update, self.render_figures(figures))

    @staticmethod
    def render_figures(f: dict):
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, show_header=False)
        table.add_column(ratio=1)
        for line in (t("inc.panel.carried", amount=f"{f['carried']:,.2f}", firms=f["firms"]),
                     t("inc.panel.awaiting", n=f["awaiting_cases"], amount=f"{f['awaiting']:,.2f}"),
                     t("inc.panel.to_approve", n=f["to_approve"])):
            table.add_row(escape(line))
        return table
