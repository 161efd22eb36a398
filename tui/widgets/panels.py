"""The dashboard's panels. Each draws figures it is given (``core.dashboard.summary`` or the app's
last ``CheckResult``); the dashboard screen reads them in a worker."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static
from textual_plotext import PlotextPlot

from xiaoqi.core.dashboard import count_ticks
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.rules import get_rules

from ..i18n import local_time, t


def _grid(*headers: str, right: tuple[int, ...] = (), fixed: dict[int, int] | None = None) -> Table:
    """A panel's table over the panel's whole width: the text columns share what the figures
    (``right``) and the ``fixed`` columns (index -> width) leave."""
    fixed = fixed or {}
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold dim")
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in right else "left", no_wrap=True, overflow="ellipsis",
                         ratio=None if i in right or i in fixed else 1, width=fixed.get(i))
    return table


def _muted(text: str) -> Text:
    return Text(text, style="dim italic")


class Panel(Static):
    """A bordered panel whose border title comes from the catalogue."""

    def __init__(self, title_key: str, title_args: dict | None = None, **kw) -> None:
        super().__init__(_muted(t("tui.dash.loading")), classes="panel", **kw)
        self.title_key, self.title_args = title_key, dict(title_args or {})

    def on_mount(self) -> None:
        self.border_title = t(self.title_key, **self.title_args)


class CountsPanel(Panel):
    def show(self, summary) -> None:
        table = _grid(t("tui.col.kind"), t("tui.col.count"), right=(1,))
        kinds = get_kinds()
        for name, n in summary.counts.items():
            kind = kinds.get(name)
            table.add_row(kind.label() if kind else name, f"{n:,}")
        head = Text()
        head.append(f"{summary.active_internships:,}", style="bold cyan")
        head.append(f"  {t('tui.dash.active')}\n", style="bold")
        head.append(t("tui.dash.today", date=summary.today.isoformat()) + "\n", style="dim")
        from rich.console import Group

        self.update(Group(head, table))


class FindingsPanel(Panel):
    def show_progress(self, done: int, total: int, rule: str) -> None:
        text = t("tui.check.running", rule=rule, done=done + 1, total=total) if rule else t("tui.check.starting")
        self.update(_muted(text))

    def show(self, result, *, at=None, stale: bool = False) -> None:
        """The error findings by rule, with when they were checked (and whether data changed since)."""
        from rich.console import Group

        if result is None:
            self.update(_muted(t("tui.check.not_run")))
            return
        when = Text()
        if at is not None:
            when.append(t("tui.check.at", at=local_time(at)), style="dim")
            if stale:
                when.append("  " + t("tui.check.stale"), style="bold yellow")
        errors = [f for f in result.findings if f.severity == "error"]
        warnings = len(result.findings) - len(errors)
        if not errors:
            self.update(Group(when, Text(t("tui.dash.findings.none"), style="green")))
            return
        counts: dict[str, int] = {}
        for f in errors:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        rules = get_rules()
        table = _grid(t("tui.col.rule"), t("tui.col.title"), t("tui.col.count"), right=(2,))
        for rule_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rule = rules.get(rule_id)
            table.add_row(Text(rule_id, style="bold red"), rule.label() if rule else "", f"{n:,}")
        self.update(Group(*([when] if when else []), table, Text("\n" + t("tui.dash.findings.total", n=f"{len(errors):,}", w=f"{warnings:,}"), style="dim")))


class ExpiringPanel(Panel):
    """Policies ending and quota reservations falling due within the reminder window."""

    def show(self, summary) -> None:
        from rich.console import Group

        reservations = getattr(summary, "expiring_reservations", [])
        if not summary.expiring_policies and not reservations:
            self.update(Text(t("tui.dash.expiring.none", n=getattr(summary, "expiring_days", 30)), style="green"))
            return
        parts = []
        if summary.expiring_policies:
            table = _grid(t("tui.col.policy"), t("tui.col.insurer"), t("tui.col.end_on"), t("tui.col.left"), right=(3,))
            for p in summary.expiring_policies:
                table.add_row(p["policy_no"], p["insurer"], p["end_on"].isoformat(), self._left(p["end_on"], summary.today))
            parts.append(table)
        if reservations:
            table = _grid(t("tui.col.reservation"), t("tui.col.places"), t("tui.col.expires_on"), t("tui.col.left"), right=(1, 3))
            for r in reservations:
                table.add_row(r["reservation_no"], f"{r['places']:,}", r["expires_on"].isoformat(), self._left(r["expires_on"], summary.today))
            parts.append(table)
        self.update(Group(*parts))

    @staticmethod
    def _left(day, today) -> Text:
        days = (day - today).days
        return Text(t("tui.dash.days_left", days=days), style="bold red" if days <= 7 else "yellow")


class QuotaPanel(Panel):
    #: the bar's length at most and at least; the enterprise's name keeps at least NAME cells
    BAR, BAR_MIN, NAME = 20, 4, 12
    #: enterprises shown at most, the highest in use first (a table of every one of a large
    #: registry's enterprises took seconds to lay out, on every resize)
    SHOWN = 30

    def bar_length(self, width: int) -> int:
        """The bar's length for a panel ``width`` cells wide: what the name (NAME cells at least),
        the three counts, the share and the padding leave, between BAR_MIN and BAR."""
        room = width - 4 - self.NAME - 16 - 5 - 10  # border and padding of the panel; counts; " 100%"; cell padding
        return max(self.BAR_MIN, min(self.BAR, room))

    def show(self, summary) -> None:
        if not summary.quota_use:
            self.update(_muted(t("tui.dash.quota.none")))
            return
        bar_cells = self.bar_length(self.size.width or 54)
        # the bar and its share keep their width (they were cut to "██░░…", the share hidden, sharing the
        # space with the names); the enterprise's name takes the rest of the panel
        table = _grid(t("tui.col.enterprise"), t("tui.col.placed"), t("tui.col.reserved"), t("tui.col.quota"), t("tui.col.use"),
                      right=(1, 2, 3), fixed={4: bar_cells + 5})
        rows = sorted(summary.quota_use, key=lambda q: (-(q["placed"] / q["quota"] if q["quota"] else 0), q["name"]))
        for q in rows[:self.SHOWN]:
            share = q["placed"] / q["quota"] if q["quota"] else 0
            filled = min(bar_cells, round(share * bar_cells))
            style = "red" if share > 1 else ("yellow" if share >= 0.8 else "green")
            bar = Text("█" * filled, style=style) + Text("░" * (bar_cells - filled), style="dim")
            bar.append(f" {share:>4.0%}")
            table.add_row(q["name"], f"{q['placed']:,}", f"{q.get('reserved', 0):,}", f"{q['quota']:,}", bar)
        self.summary = summary
        if len(rows) > self.SHOWN:
            table = Group(table, _muted(t("tui.dash.quota.more", shown=self.SHOWN, n=len(rows))))
        self.update(table)

    def on_resize(self, event) -> None:
        if getattr(self, "summary", None) is not None:
            self.show(self.summary)  # the bar follows the panel's width


class MonthlyChart(PlotextPlot):
    """Active internships per month over the last twelve months (textual-plotext)."""

    def on_mount(self) -> None:
        self.border_title = t("tui.dash.chart")
        self.add_class("panel")

    def show(self, summary) -> None:
        plt = self.plt
        plt.clear_figure()
        months = [m for m, _ in summary.monthly_active]
        values = [v for _, v in summary.monthly_active]
        if any(values):
            positions = list(range(1, len(months) + 1))
            plt.bar(positions, values, color="cyan", width=0.6)
            # every other month labelled (this month always), at fixed places: the axis reads the same at any width
            plt.xticks(positions[::-2], [m[2:] for m in months][::-2])
            ticks = count_ticks(max(values))  # a count axis in whole numbers
            plt.yticks(ticks, [str(v) for v in ticks])
        else:
            plt.title(t("tui.dash.chart.empty"))
        self.refresh()
