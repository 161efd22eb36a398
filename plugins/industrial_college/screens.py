"""The industrial-college screen of ``xiaoqi tui`` and its dashboard panel. Only this module imports
Textual; the plugin loads it when the TUI opens the screen or the dashboard.

The screen: the colleges the actor may see (with their figures), and for the one selected three
tabs — its partners, bodies and meetings; a chart of the enterprises' investment by year and type;
the seven-task checklist of a year with each task's evidence. Forms are the TUI's record form,
validated by the same record kinds as import: a new or edited college, and a record of any kind
about the selected college (its code filled in). Every kind also has the TUI's own records screen.

Database work runs in thread workers (``db_work``) through the plugin's services, which limit every
query to what the actor may read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from xiaoqi.core.i18n import both, catalogue, get_lang, t
from xiaoqi.core.kinds import RecordKind
from xiaoqi.tui import PluginScreen, RecordForm, db_work, key, may_write

from .vocabulary import INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN, ROLES

catalogue(
    {
        "ic.tui.title": ("产业学院概览", "Industrial colleges overview"),
        "ic.tui.count": ("共 {n} 个产业学院", "{n} industrial colleges"),
        "ic.tui.none": ("（没有可查看的产业学院：按 n 新建一个）", "(no industrial college to show: press n to add one)"),
        "ic.tui.pick": ("请先在列表中选择一个产业学院", "Pick an industrial college in the list first"),
        "ic.tui.tab.detail": ("合作与治理", "Partners and bodies"),
        "ic.tui.tab.chart": ("企业投入", "Investment"),
        "ic.tui.tab.tasks": ("建设任务", "Tasks"),
        "ic.tui.chart": ("{name} 企业投入（万元）", "{name}: investment (10,000 yuan)"),
        "ic.tui.no_investment": ("（尚无企业投入记录）", "(no investment recorded yet)"),
        "ic.tui.tasks": ("{year} 年建设任务自评：{n}/7 项有佐证（[ 与 ] 切换年份）", "Tasks of {year}: {n} of 7 with evidence ([ and ] change the year)"),
        "ic.tui.add": ("为「{name}」新增记录", "Add a record to '{name}'"),
        "ic.tui.partners": ("合作方", "Partners"),
        "ic.tui.bodies": ("治理机构", "Governance bodies"),
        "ic.tui.meetings": ("近期会议", "Recent meetings"),
        "ic.tui.more_meetings": ("另有 {n} 次会议（共 {total} 次）", "{n} more meetings ({total} in all)"),
        "ic.tui.recognitions": ("认定", "Recognitions"),
        "ic.tui.lead": ("牵头学校", "Lead school"),
        "ic.tui.yes": ("有", "yes"),
        "ic.tui.no": ("无", "no"),
        "ic.panel.title": ("产业学院（{year} 年）", "Industrial colleges ({year})"),
        "ic.panel.none": ("（没有产业学院）", "(no industrial colleges)"),
        "ic.panel.total": ("合计 {n} 个学院：企业投入 {investment} 元，企业教师授课 {hours} 学时",
                           "{n} colleges: investment {investment} yuan, enterprise teaching {hours} hours"),
        "ic.key.new": ("新建", "New"),
        "ic.key.new.tip": ("新建一个产业学院", "Add an industrial college"),
        "ic.key.edit": ("编辑", "Edit"),
        "ic.key.edit.tip": ("编辑选中的产业学院", "Edit the selected industrial college"),
        "ic.key.add": ("新增记录", "Add record"),
        "ic.key.add.tip": ("为选中的产业学院新增合作方、会议、投入、授课等记录", "Add a partner, meeting, investment, teaching ... to the selected college"),
        "ic.key.prev": ("上一年", "Previous year"),
        "ic.key.prev.tip": ("建设任务自评看上一年", "Show the tasks of the year before"),
        "ic.key.next": ("下一年", "Next year"),
        "ic.key.next.tip": ("建设任务自评看下一年", "Show the tasks of the year after"),
        "ic.key.refresh": ("刷新", "Refresh"),
        "ic.key.refresh.tip": ("重新读取数据库", "Read the database again"),
        "ic.key.cancel": ("取消", "Cancel"),
        "ic.key.cancel.tip": ("关闭而不新增", "Close without adding"),
    }
)

#: the list's columns: (zh, en), the figure, right-aligned
LIST_COLUMNS = (
    (("学院编码", "code"), "code"), (("学院名称", "college"), "name"), (("牵头学校", "lead school"), "lead_school_name"),
    (("类型", "type"), "type"), (("状态", "status"), "status"), (("成立日期", "founded"), "founded_on"),
    (("企业合作方", "enterprise partners"), "enterprise_partners"), (("企业投入（元）", "investment (yuan)"), "investment"),
    (("企业教师学时", "enterprise teaching hours"), "teaching_hours"), (("学生", "students"), "students"),
    (("岗位实习学生", "interns"), "interns"),
)
#: the chart's series, in the order of the vocabulary
CATEGORIES = tuple(zip(INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN))
TEN_THOUSAND = Decimal(10_000)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _choice(kind: RecordKind, column: str, value: Any) -> str:
    return kind.by_name[column].choice_text(value) if value is not None else ""


def _grid(*headers: tuple[str, str]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim", expand=True)
    for header in headers:
        table.add_column(both(*header), overflow="fold")
    return table


def detail_renderable(detail) -> Group:
    """A college's partners, bodies and recent meetings, as the detail tab shows them."""
    from . import kinds as k

    c = detail.college
    head = Text()
    head.append(f"{c['name']}", style="bold")
    head.append(f"  {c['code']}\n", style="dim")
    head.append(f"{t('ic.tui.lead')}：{detail.lead_school_name or ''} {c['lead_school_code']}\n")
    head.append(" · ".join(x for x in (
        _choice(k.COLLEGES, "type", c["type"]), _choice(k.COLLEGES, "status", c["status"]),
        f"{k.COLLEGES.by_name['founded_on'].header()} {c['founded_on']}",
        _choice(k.COLLEGES, "location", c["location"]), c["industry_chain"]) if x) + "\n")
    recognitions = detail.sections["recognitions"]
    if recognitions:
        head.append(f"{t('ic.tui.recognitions')}：" + "；".join(
            f"{_choice(k.RECOGNITIONS, 'level', r['level'])} {r['recognised_on']} {r['batch'] or ''}".strip()
            for r in recognitions) + "\n")
    partners = _grid(("合作方", "partner"), ("类型", "type"), ("角色", "role"), ("加入", "joined"), ("退出", "left"),
                     ("席位", "seats"))
    order = {role: i for i, role in enumerate(ROLES)}
    for p in sorted(detail.sections["partners"], key=lambda p: (order.get(p["role"], len(order)), p["joined_on"])):
        partners.add_row(p["display_name"] or p["partner_code"], _choice(k.PARTNERS, "partner_type", p["partner_type"]),
                         _choice(k.PARTNERS, "role", p["role"]), _text(p["joined_on"]), _text(p["left_on"]), _text(p["seats"]))
    bodies = _grid(("机构", "body"), ("类型", "type"), ("成立", "established"), ("成员", "members"), ("会议", "meetings"))
    for b in detail.sections["bodies"]:
        bodies.add_row(b["name"], _choice(k.BODIES, "body_type", b["body_type"]), _text(b["established_on"]),
                       _text(b["members"]), _text(b["meetings"]))
    meetings = _grid(("日期", "date"), ("机构", "body"), ("会议", "meeting"), ("决议", "decisions"))
    meetings.columns[0].no_wrap = True
    shown = detail.sections["meetings"][:8]
    for mt in shown:
        meetings.add_row(_text(mt["held_on"]), mt["body_name"], mt["title"] or "", (mt["decisions"] or "").replace("\n", " "))
    parts: list[Any] = [head, Text(t("ic.tui.partners"), style="bold underline"), partners,
                        Text("\n" + t("ic.tui.bodies"), style="bold underline"), bodies,
                        Text("\n" + t("ic.tui.meetings"), style="bold underline"), meetings]
    rest = len(detail.sections["meetings"]) - len(shown)
    if rest > 0:
        parts.append(Text(t("ic.tui.more_meetings", n=rest, total=len(detail.sections["meetings"])), style="dim"))
    return Group(*parts)


def checklist_rows(card) -> list[tuple[str, ...]]:
    """The checklist's rows: task, evidence from the records, self-assessed status and items, mark."""
    from . import kinds as k

    rows = []
    for task in card.tasks:
        sources = "；".join(
            f"{both(*s['label'])} {s['n']}" + (f"（{s['quantity']:,} {both(*s['unit'])}）" if s["quantity"] is not None and s["unit"] else "")
            for s in task.sources if s["n"])
        rows.append((f"{'①②③④⑤⑥⑦'[task.number - 1]} {_choice(k.TASKS, 'task', task.name)}", sources or "—",
                     _choice(k.TASKS, "status", task.status) if task.status else "—", "、".join(task.evidence) or "—",
                     "✓" if task.evidenced else "✗"))
    return rows


class KindPicker(ModalScreen[str | None]):
    """Which kind of record to add to a college: dismissed with the kind's name, or None."""

    BINDINGS = [key("escape", "cancel", "ic.key.cancel", id="xiaoqi.ic.pick.cancel")]

    def __init__(self, title: str, kinds: list[RecordKind]) -> None:
        super().__init__(classes="dialog")
        self.title_text, self.kinds = title, kinds

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*(Option(kind.label(), id=kind.name) for kind in self.kinds), id="ic-kinds")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CollegeScreen(PluginScreen):
    """产业学院: list, details, investment chart, the seven-task checklist, and forms."""

    DEFAULT_CSS = """
    CollegeScreen #ic-body { height: 1fr; }
    CollegeScreen #ic-list { width: 2fr; }
    CollegeScreen #ic-tabs { width: 3fr; }
    CollegeScreen #ic-detail { padding: 0 1; }
    CollegeScreen #ic-chart { height: 1fr; min-height: 12; }
    CollegeScreen #ic-chart-note { height: auto; padding: 0 1; }
    CollegeScreen #ic-tasks-title { height: 1; padding: 0 1; }
    CollegeScreen #ic-tasks { height: 1fr; }
    CollegeScreen #ic-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        key("n", "new_college", "ic.key.new", id="xiaoqi.ic.new"),
        key("e", "edit_college", "ic.key.edit", id="xiaoqi.ic.edit"),
        key("a", "add_record", "ic.key.add", id="xiaoqi.ic.add"),
        key("left_square_bracket", "year(-1)", "ic.key.prev", id="xiaoqi.ic.prev", key_display="["),
        key("right_square_bracket", "year(1)", "ic.key.next", id="xiaoqi.ic.next", key_display="]"),
        key("r", "refresh", "ic.key.refresh", id="xiaoqi.ic.refresh"),
    ]
    #: the college keys act on the college highlighted in the list (shown in the tabs beside it)
    FOCUS_ACTIONS = {"edit_college": ("ic-list", "ic-tabs"), "add_record": ("ic-list", "ic-tabs")}

    def __init__(self, context, **kw) -> None:
        super().__init__(context, **kw)
        self.selected: str | None = None
        self.detail = None
        self.card = None
        self.year = context.today.year - 1  # the year the rules assess

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ic-body"):
            yield DataTable(id="ic-list", cursor_type="row", zebra_stripes=True)
            with TabbedContent(id="ic-tabs"):
                with TabPane(t("ic.tui.tab.detail"), id="ic-tab-detail"):
                    with VerticalScroll():
                        yield Static("", id="ic-detail")
                with TabPane(t("ic.tui.tab.chart"), id="ic-tab-chart"):
                    yield PlotextPlot(id="ic-chart")
                    yield Static("", id="ic-chart-note")
                with TabPane(t("ic.tui.tab.tasks"), id="ic-tab-tasks"):
                    yield Static("", id="ic-tasks-title")
                    yield DataTable(id="ic-tasks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ic-status")

    def on_mount(self) -> None:
        table = self.query_one("#ic-list", DataTable)
        table.add_columns(*(both(*header) for header, _ in LIST_COLUMNS))
        self.query_one("#ic-tasks", DataTable).add_columns(*(both(*h) for h in (
            ("建设任务", "task"), ("记录中的佐证", "evidence in the records"), ("自评", "self-assessed"),
            ("自评佐证材料", "evidence listed"), ("有佐证", "evidenced"))))
        self.set_title(t("ic.tui.title"))
        self.load()
        table.focus()

    # -- the list ------------------------------------------------------------------------------
    @db_work(group="ic-list")
    def load(self) -> None:
        from xiaoqi.core.db import read_session

        from .service import list_colleges

        with read_session(self.engine) as session:
            rows = list_colleges(session, actor=self.actor, today=self.context.today)
        self.app.call_from_thread(self._fill, rows)

    def _fill(self, rows: list[dict]) -> None:
        from .kinds import COLLEGES

        table = self.query_one("#ic-list", DataTable)
        table.clear()
        for r in rows:
            cells = {**r, "lead_school_name": r["lead_school_name"] or r["lead_school_code"],
                     "type": _choice(COLLEGES, "type", r["type"]), "status": _choice(COLLEGES, "status", r["status"])}
            table.add_row(*(_text(cells[name]) for _, name in LIST_COLUMNS), key=r["code"])
        self.query_one("#ic-status", Static).update(t("ic.tui.count", n=len(rows)) if rows else t("ic.tui.none"))
        if rows:
            codes = [r["code"] for r in rows]
            row = codes.index(self.selected) if self.selected in codes else 0
            table.move_cursor(row=row)
            self.show(codes[row])

    @on(DataTable.RowHighlighted, "#ic-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.selected:
            self.show(event.row_key.value)

    def show(self, code: str) -> None:
        self.selected = code
        self.load_detail(code)
        self.load_tasks(code, self.year)

    # -- one college ---------------------------------------------------------------------------
    @db_work(group="ic-detail")
    def load_detail(self, code: str) -> None:
        from xiaoqi.core.db import read_session

        from .service import college_detail

        with read_session(self.engine) as session:
            detail = college_detail(session, actor=self.actor, code=code)
        self.app.call_from_thread(self._show_detail, detail)

    def _show_detail(self, detail) -> None:
        self.detail = detail
        self.query_one("#ic-detail", Static).update(detail_renderable(detail))
        self._chart(detail)

    def _chart(self, detail) -> None:
        plot = self.query_one("#ic-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        years = detail.investment_by_year
        lang = get_lang()
        note = Text()
        if years:
            used = [(zh, en) for zh, en in CATEGORIES if any(y[en] for y in years)]
            plt.stacked_bar([str(y["year"]) for y in years],
                            [[float(y[en] / TEN_THOUSAND) for y in years] for _, en in used],
                            labels=[zh if lang == "zh" else en for zh, en in used])
            plt.title(t("ic.tui.chart", name=detail.college["name"]))
            note.append("  ".join(f"{y['year']}: {y['total']:,.2f}" for y in years), style="dim")
        else:
            plt.title(t("ic.tui.no_investment"))
        plot.refresh()
        self.query_one("#ic-chart-note", Static).update(note)

    # -- the checklist ---------------------------------------------------------------------------
    @db_work(group="ic-tasks")
    def load_tasks(self, code: str, year: int) -> None:
        from xiaoqi.core.db import read_session

        from .service import scorecard

        with read_session(self.engine) as session:
            card = scorecard(session, actor=self.actor, code=code, year=year)
        self.app.call_from_thread(self._show_tasks, card)

    def _show_tasks(self, card) -> None:
        self.card = card
        table = self.query_one("#ic-tasks", DataTable)
        table.clear()
        for row in checklist_rows(card):
            table.add_row(*row)
        self.query_one("#ic-tasks-title", Static).update(
            t("ic.tui.tasks", year=card.year, n=sum(task.evidenced for task in card.tasks)))

    def action_year(self, step: int) -> None:
        if self._picked():
            self.year = min(self.year + step, self.context.today.year)
            self.load_tasks(self.selected, self.year)

    # -- forms: the TUI's record form, checked by the same record kinds as import -------------------
    def _open_form(self, kind: RecordKind, *, key: str | None = None, values: dict | None = None) -> None:
        if not may_write(self, kind):
            return

        def saved(record_key: str | None) -> None:
            if record_key:
                if kind.name == "ic_colleges" and key is None:
                    self.selected = record_key
                self.load()

        self.app.push_screen(RecordForm(self.engine, self.actor, kind, key=key, values=values), saved)

    def _picked(self) -> bool:
        if self.selected is None or self.detail is None:
            self.notify(t("ic.tui.pick"), severity="warning")
            return False
        return True

    def action_new_college(self) -> None:
        from .kinds import COLLEGES

        values = {"status": "筹建", "founded_on": self.context.today}
        if self.actor.role == "school":
            values["lead_school_code"] = self.actor.code
        self._open_form(COLLEGES, values=values)

    def action_edit_college(self) -> None:
        from .kinds import COLLEGES

        if self._picked():
            self._open_form(COLLEGES, key=self.selected)

    def action_add_record(self) -> None:
        from .kinds import KINDS

        if not self._picked():
            return
        children = [kind for kind in KINDS if kind.name != "ic_colleges"]
        code = self.selected

        def picked(name: str | None) -> None:
            if name:
                kind = next(kind for kind in children if kind.name == name)
                self._open_form(kind, values=self._defaults(kind, code))

        self.app.push_screen(KindPicker(t("ic.tui.add", name=self.detail.college["name"]), children), picked)

    def _defaults(self, kind: RecordKind, code: str) -> dict:
        """The form's first values: the college, and the year or body it most likely is about."""
        values: dict[str, Any] = {"college_code": code}
        names = {c.name for c in kind.columns}
        if "year" in names:
            values["year"] = self.year
        if "body_name" in names and self.detail.sections["bodies"]:
            values["body_name"] = self.detail.sections["bodies"][0]["name"]
        return values

    def action_refresh(self) -> None:
        self.load()


class CollegePanel(Static):
    """The dashboard panel: last year's figures of each college the actor may see — investment,
    enterprise teaching hours, the tasks with evidence — and their total. Built as
    ``CollegePanel(context)``; loads in a thread worker."""

    def __init__(self, context, **kw) -> None:
        super().__init__(Text(t("tui.dash.loading"), style="dim italic"), classes="panel", **kw)
        self.context = context
        self.year = context.today.year - 1

    def on_mount(self) -> None:
        self.border_title = t("ic.panel.title", year=self.year)
        self.reload()

    @db_work(group="ic-panel")
    def reload(self) -> None:
        from xiaoqi.core.db import read_session

        from .service import summary, tasks_evidenced

        ctx = self.context
        with read_session(ctx.engine) as session:
            year = summary(session, actor=ctx.actor, year=self.year, today=ctx.today)
            tasks = tasks_evidenced(session, actor=ctx.actor, year=self.year)
        self.app.call_from_thread(self.update, self.render_summary(year, tasks))

    @staticmethod
    def render_summary(year, tasks: dict[str, int]):
        if not year.colleges:
            return Text(t("ic.panel.none"), style="dim italic")
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold dim")
        for i, header in enumerate((("学院", "college"), ("企业投入（元）", "investment (yuan)"), ("企业教师学时", "teaching hours"),
                                    ("有佐证任务", "tasks evidenced"))):
            table.add_column(both(*header), justify="left" if i == 0 else "right", no_wrap=True, overflow="ellipsis",
                             ratio=1 if i == 0 else None)
        for r in year.colleges:
            table.add_row(escape(r["name"]), f"{r['investment']:,.2f}", f"{r['teaching_hours']:,}", f"{tasks.get(r['code'], 0)}/7")
        total = year.total
        return Group(table, Text("\n" + t("ic.panel.total", n=total["colleges"], investment=f"{total['investment']:,.2f}",
                                         hours=f"{total['teaching_hours']:,}"), style="dim"))
