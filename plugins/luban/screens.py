"""The Luban Workshops screen of ``xiaoqi tui``: the list of workshops, one workshop's details
(partners, equipment), its yearly activity as a chart, and forms to add or edit a workshop and to
record a year's activity. Only this module imports Textual; the plugin loads it when the TUI asks.

Database work runs in thread workers through the plugin's services and the core's record services
(validated, authorised, audited); the forms validate with the same record kinds as import does.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static
from textual_plotext import PlotextPlot

from xiaoqi.core.errors import XiaoqiError
from xiaoqi.core.fields import format_bool
from xiaoqi.core.i18n import both, catalogue, t
from xiaoqi.core.kinds import Column, RecordKind, RowProblems

catalogue(
    {
        "luban.tui.title": ("鲁班工坊", "Luban Workshops"),
        "luban.tui.new": ("新建工坊", "New workshop"),
        "luban.tui.edit": ("编辑工坊", "Edit workshop"),
        "luban.tui.activity": ("填报年度数据", "Record a year"),
        "luban.tui.refresh": ("刷新", "Refresh"),
        "luban.tui.save": ("保存", "Save"),
        "luban.tui.cancel": ("取消", "Cancel"),
        "luban.tui.saved": ("已保存{kind}「{key}」", "Saved {kind} '{key}'"),
        "luban.tui.pick": ("请先在列表中选择一个工坊", "Pick a workshop in the list first"),
        "luban.tui.chart": ("{name} 年度数据", "{name}: yearly activity"),
        "luban.tui.no_activity": ("（尚无年度数据）", "(no yearly activity yet)"),
        "luban.tui.count": ("共 {n} 个鲁班工坊", "{n} Luban Workshops"),
        "luban.tui.form_title": ("{action}：{kind}", "{action}: {kind}"),
    }
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_bool(value)
    return str(value)


class RecordForm(ModalScreen[bool]):
    """A form for one record of a kind: one field per column, checked with the kind's row schema,
    saved through ``save(values)``; key columns are read-only when editing."""

    DEFAULT_CSS = """
    RecordForm { align: center middle; }
    RecordForm > Vertical { width: 90; max-height: 90%; border: thick $accent; background: $surface; padding: 1 2; }
    RecordForm VerticalScroll { height: auto; max-height: 30; }
    RecordForm .field { height: auto; }
    RecordForm .field Label { width: 24; padding: 1 1 0 0; }
    RecordForm .field Input, RecordForm .field Select { width: 1fr; }
    RecordForm #problems { color: $error; height: auto; }
    RecordForm #buttons { height: auto; align-horizontal: right; padding-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "取消 Cancel", id="luban.form.cancel", tooltip="关闭表单，不保存")]

    def __init__(self, kind: RecordKind, *, title: str, values: dict | None, editing: bool,
                 save: Callable[[dict], Any]) -> None:
        super().__init__()
        self.kind = kind
        self.form_title = title
        self.values = values or {}
        self.editing = editing
        self.save = save

    def _field(self, col: Column):
        value = self.values.get(col.name)
        fid = f"f-{col.name}"
        if col.type == "choice":
            return Select([(c, c) for c in col.choices], value=value if value in col.choices else Select.NULL,
                          allow_blank=not col.required, id=fid)
        if col.type == "bool":
            return Select([("是", True), ("否", False)], value=value if isinstance(value, bool) else Select.NULL, id=fid)
        return Input(_text(value), placeholder=col.type_doc(), id=fid, disabled=self.editing and col.key)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.form_title, id="form-title")
            with VerticalScroll():
                for col in self.kind.columns:
                    with Horizontal(classes="field"):
                        yield Label(col.header() + (" *" if col.required else ""))
                        yield self._field(col)
            yield Static("", id="problems")
            with Horizontal(id="buttons"):
                yield Button(t("luban.tui.save"), variant="primary", id="save")
                yield Button(t("luban.tui.cancel"), id="cancel")

    def raw_values(self) -> dict:
        raw = {}
        for col in self.kind.columns:
            widget = self.query_one(f"#f-{col.name}")
            value = widget.value
            raw[col.name] = None if value is Select.NULL or value == "" else value
        return raw

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        raw = self.raw_values()
        try:
            self.kind.parse_row(raw)
        except RowProblems as exc:
            self._show([(self.kind.by_name[n].header() if n in self.kind.by_name else n, reason)
                        for n, _v, reason in exc.problems])
            return
        self._write(raw)

    def _show(self, problems: list[tuple[str, str]]) -> None:
        self.query_one("#problems", Static).update("\n".join(t("err.field", field=f, reason=r) for f, r in problems))

    @work(thread=True, exclusive=True, group="luban-save")
    def _write(self, raw: dict) -> None:
        try:
            self.save(raw)
        except XiaoqiError as exc:
            problems = getattr(exc, "problems", None)
            self.app.call_from_thread(self._show, [(f, r) for f, _v, r in problems] if problems else [("", str(exc))])
            return
        self.app.call_from_thread(self.dismiss, True)


class LubanScreen(Screen):
    """鲁班工坊: list, details, yearly chart, and forms."""

    DEFAULT_CSS = """
    LubanScreen #luban-body { height: 1fr; }
    LubanScreen #luban-list { width: 3fr; }
    LubanScreen #luban-side { width: 2fr; }
    LubanScreen #luban-detail { height: auto; max-height: 20; padding: 0 1; }
    LubanScreen #luban-chart { height: 1fr; min-height: 12; }
    LubanScreen #luban-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("n", "new_workshop", "新建 New", id="luban.new", tooltip="新建一个鲁班工坊"),
        Binding("e", "edit_workshop", "编辑 Edit", id="luban.edit", tooltip="编辑选中的鲁班工坊"),
        Binding("a", "add_activity", "年度数据 Year", id="luban.activity", tooltip="为选中的工坊填报年度数据"),
        Binding("r", "refresh", "刷新 Refresh", id="luban.refresh", tooltip="重新读取数据库"),
    ]

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(**kw)
        self.engine = engine
        self.actor = actor
        self.selected: str | None = None
        self.detail = None

    def compose(self) -> ComposeResult:
        yield Label(t("luban.tui.title"), id="luban-title")
        with Horizontal(id="luban-body"):
            table = DataTable(id="luban-list", cursor_type="row", zebra_stripes=True)
            yield table
            with Vertical(id="luban-side"):
                yield Static("", id="luban-detail")
                yield PlotextPlot(id="luban-chart")
        yield Static("", id="luban-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#luban-list", DataTable)
        table.add_columns(*(both(zh, en) for zh, en in (
            ("工坊名称", "workshop"), ("国家", "country"), ("牵头院校", "lead college"), ("状态", "status"),
            ("揭牌日期", "opened"), ("培训人次", "trainees"), ("设备价值（元）", "equipment (yuan)"))))
        self.load()

    # -- loading ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="luban-list")
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

    @work(thread=True, exclusive=True, group="luban-detail")
    def load_detail(self, name: str) -> None:
        from xiaoqi.core.db import read_session

        from .service import workshop_detail

        try:
            with read_session(self.engine) as session:
                detail = workshop_detail(session, actor=self.actor, name=name)
        except XiaoqiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
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

    # -- forms ------------------------------------------------------------------------------
    def _open_form(self, kind: RecordKind, action: str, values: dict | None, key: dict | None) -> None:
        from xiaoqi.core.db import write_session
        from xiaoqi.core.services import create_record, update_record

        def save(raw: dict) -> None:
            with write_session(self.engine) as session:
                if key is None:
                    create_record(session, actor=self.actor, kind=kind, data=raw)
                else:
                    update_record(session, actor=self.actor, kind=kind, key=key, changes=raw)
            self.app.call_from_thread(self.notify, t("luban.tui.saved", kind=kind.label(), key=kind.key_of(kind.parse_row(raw))))

        def done(saved: bool | None) -> None:
            if saved:
                self.load()

        title = t("luban.tui.form_title", action=action, kind=kind.label())
        self.app.push_screen(RecordForm(kind, title=title, values=values, editing=key is not None, save=save), done)

    def action_new_workshop(self) -> None:
        from .kinds import WORKSHOPS

        self._open_form(WORKSHOPS, t("luban.tui.new"), {"status": "建设中"}, None)

    def action_edit_workshop(self) -> None:
        from xiaoqi.core.fields import parse_date

        from .kinds import WORKSHOPS

        if self.detail is None:
            self.notify(t("luban.tui.pick"), severity="warning")
            return
        values = dict(self.detail.workshop)
        if values.get("opened_on"):
            values["opened_on"] = parse_date(values["opened_on"])
        self._open_form(WORKSHOPS, t("luban.tui.edit"), values, {"name": values["name"]})

    def action_add_activity(self) -> None:
        from .kinds import ACTIVITY

        if self.detail is None:
            self.notify(t("luban.tui.pick"), severity="warning")
            return
        years = [a["year"] for a in self.detail.activity]
        self._open_form(ACTIVITY, t("luban.tui.activity"),
                        {"workshop_name": self.detail.workshop["name"], "year": (max(years) + 1) if years else None}, None)

    def action_refresh(self) -> None:
        self.load()
