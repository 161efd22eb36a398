"""The Luban Workshops screen of ``xiaoqi tui``: the list of workshops, one workshop's details
(partners, equipment), its yearly activity as a chart, and the TUI's record form to add or edit a
workshop and to record a year's activity. Only this module imports Textual; the plugin loads it
when the TUI opens the screen.

Database work runs in thread workers through the plugin's services; the form writes through the
core's record services (validated with the same record kinds as import, authorised, audited).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from xiaoqi.core.fields import format_bool
from xiaoqi.core.i18n import both, catalogue, t
from xiaoqi.core.kinds import RecordKind
from xiaoqi.tui import PluginScreen, RecordForm, db_work, key, may_write

catalogue(
    {
        "luban.tui.title": ("鲁班工坊概览", "Luban overview"),
        "luban.tui.pick": ("请先在列表中选择一个工坊", "Pick a workshop in the list first"),
        "luban.tui.chart": ("{name} 年度数据", "{name}: yearly activity"),
        "luban.tui.no_activity": ("（尚无年度数据）", "(no yearly activity yet)"),
        "luban.tui.count": ("共 {n} 个鲁班工坊", "{n} Luban Workshops"),
        "luban.key.new": ("新建", "New"),
        "luban.key.new.tip": ("新建一个鲁班工坊", "Add a Luban Workshop"),
        "luban.key.edit": ("编辑", "Edit"),
        "luban.key.edit.tip": ("编辑选中的鲁班工坊", "Edit the selected workshop"),
        "luban.key.activity": ("年度数据", "Year"),
        "luban.key.activity.tip": ("为选中的工坊填报一个年度的数据", "Record a year's activity of the selected workshop"),
        "luban.key.refresh": ("刷新", "Refresh"),
        "luban.key.refresh.tip": ("重新读取数据库", "Read the database again"),
    }
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_bool(value)
    return str(value)


class LubanScreen(PluginScreen):
    """鲁班工坊: list, details, yearly chart, and forms, in the TUI's frame."""

    DEFAULT_CSS = """
    LubanScreen #luban-body { height: 1fr; }
    LubanScreen #luban-list { width: 3fr; }
    LubanScreen #luban-side { width: 2fr; }
    LubanScreen #luban-detail { height: auto; max-height: 20; padding: 0 1; }
    LubanScreen #luban-chart { height: 1fr; min-height: 12; }
    LubanScreen #luban-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        key("n", "new_workshop", "luban.key.new", id="xiaoqi.luban.new"),
        key("e", "edit_workshop", "luban.key.edit", id="xiaoqi.luban.edit"),
        key("a", "add_activity", "luban.key.activity", id="xiaoqi.luban.activity"),
        key("r", "refresh", "luban.key.refresh", id="xiaoqi.luban.refresh"),
    ]
    #: the workshop keys act on the workshop highlighted in the list: offered while the list has the focus
    FOCUS_ACTIONS = {"edit_workshop": "luban-list", "add_activity": "luban-list"}

    def __init__(self, context, **kw) -> None:
        super().__init__(context, **kw)
        self.selected: str | None = None
        self.detail = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="luban-body"):
            yield DataTable(id="luban-list", cursor_type="row", zebra_stripes=True)
            with Vertical(id="luban-side"):
                yield Static("", id="luban-detail")
                yield PlotextPlot(id="luban-chart")
        yield Static("", id="luban-status")

    def on_mount(self) -> None:
        table = self.query_one("#luban-list", DataTable)
        table.add_columns(*(both(zh, en) for zh, en in (
            ("工坊名称", "workshop"), ("国家", "country"), ("牵头院校", "lead college"), ("状态", "status"),
            ("揭牌日期", "opened"), ("培训人次", "trainees"), ("设备价值（元）", "equipment (yuan)"))))
        self.set_title(t("luban.tui.title"))
        self.load()
        table.focus()

    # -- loading ----------------------------------------------------------------------------
    @db_work(group="luban-list")
    def load(self) -> None:
        from xiaoqi.core.db import read_session

        from .service import list_workshops

        with read_session(self.engine) as session:
            rows = list_workshops(session, actor=self.actor)
        self.app.call_from_thread(self._fill, rows)

    def _fill(self, rows: list[dict]) -> None:
        table = self.query_one("#luban-list", DataTable)
        table.clear()
        for r in rows:
            table.add_row(r["name"], r["country_name"], r["lead_school_name"] or r["lead_school_code"], r["status"],
                          _text(r["opened_on"]), f"{r['trainees']:,}", f"{r['equipment_value']:,.2f}", key=r["name"])
        self.query_one("#luban-status", Static).update(t("luban.tui.count", n=len(rows)))
        if rows:
            names = [r["name"] for r in rows]
            row = names.index(self.selected) if self.selected in names else 0
            table.move_cursor(row=row)
            self.show(names[row])

    @on(DataTable.RowHighlighted, "#luban-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.selected:
            self.show(event.row_key.value)

    def show(self, name: str) -> None:
        self.selected = name
        self.load_detail(name)

    @db_work(group="luban-detail")
    def load_detail(self, name: str) -> None:
        from xiaoqi.core.db import read_session

        from .service import workshop_detail

        with read_session(self.engine) as session:
            detail = workshop_detail(session, actor=self.actor, name=name)
        self.app.call_from_thread(self._show_detail, detail)

    def _show_detail(self, detail) -> None:
        from .kinds import WORKSHOPS

        self.detail = detail
        info = detail.as_dict()
        lines = [f"[b]{info['name']}[/b]"]
        for col in WORKSHOPS.columns[1:]:
            value = info.get(col.name)
            if col.name == "country":
                value = f"{value} {info['country_name']}"
            elif col.name == "lead_school_code":
                value = f"{info['lead_school_name'] or ''} {value}".strip()
            lines.append(f"{col.header()}：{_text(value)}")
        lines.append(f"{both('设备价值', 'equipment')}：{detail.equipment_value:,.2f}")
        for p in detail.partners:
            lines.append(f"{both('合作企业', 'partner')}：{p['name'] or p['registered_name'] or p['partner']}（{p['roles']}）")
        self.query_one("#luban-detail", Static).update("\n".join(lines))
        self._chart(info["name"], detail.activity)

    def _chart(self, name: str, activity: list[dict]) -> None:
        plot = self.query_one("#luban-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if activity:
            years = [str(a["year"]) for a in activity]
            plt.multiple_bar(years, [[a["trainees"] for a in activity], [a["local_teachers_trained"] for a in activity],
                                     [a["enrolled"] for a in activity]],
                             labels=[both("培训人次", "trainees"), both("培训教师", "teachers"), both("在校生", "enrolled")])
            plt.title(t("luban.tui.chart", name=name))
        else:
            plt.title(t("luban.tui.no_activity"))
        plot.refresh()

    # -- forms: the TUI's record form, checked by the same record kinds as import ----------------
    def _open_form(self, kind: RecordKind, *, key: str | None = None, values: dict | None = None) -> None:
        if not may_write(self, kind):
            return

        def saved(record_key: str | None) -> None:
            if record_key:
                self.load()

        self.app.push_screen(RecordForm(self.engine, self.actor, kind, key=key, values=values), saved)

    def _picked(self) -> bool:
        if self.detail is None:
            self.notify(t("luban.tui.pick"), severity="warning")
            return False
        return True

    def action_new_workshop(self) -> None:
        from .kinds import WORKSHOPS

        self._open_form(WORKSHOPS, values={"status": "建设中"})

    def action_edit_workshop(self) -> None:
        from .kinds import WORKSHOPS

        if self._picked():
            self._open_form(WORKSHOPS, key=self.detail.workshop["name"])

    def action_add_activity(self) -> None:
        from .kinds import ACTIVITY

        if self._picked():
            years = [a["year"] for a in self.detail.activity]
            self._open_form(ACTIVITY, values={"workshop_name": self.detail.workshop["name"],
                                              "year": (max(years) + 1) if years else None})

    def action_refresh(self) -> None:
        self.load()
