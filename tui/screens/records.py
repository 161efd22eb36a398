"""One screen per record kind (every kind of ``get_kinds()``, plugin kinds too): a table that pages
through the database, search across text columns, filters per column, sorting, and the way to a
record's detail view and its forms. What the actor may see is decided by the services
(``RecordKind.read_filter``), never here.

The screen and its first page need no SQLAlchemy: a listing without filters, search or sort on a
SQLite file is read with sqlite3 (``xiaoqi.core.lean``, the same records, values and names as the
services give), and the services, forms and dialogs are imported when first used. ``xiaoqi tui
--open internships`` shows its rows before the engine exists.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.i18n import get_lang
from xiaoqi.core.kinds import RecordKind
from xiaoqi.core.names import listing_columns
from xiaoqi.core.privacy import mask_key, mask_values

from ..bindings import key, show_key
from ..i18n import t, value_text
from ..widgets.paged_table import PagedTable, Row, TableColumn
from ..work import db_work
from .base import MainScreen

NUMERIC = ("int", "money", "hours")


def listing_row(kind: RecordKind, columns: list, lang: str, values: dict, names: dict, order: tuple) -> Row:
    """A table row: the record's values with its personal columns masked (revealed only in the
    detail view), each name beside its code, as text in ``lang``."""
    shown = {**mask_values(kind, values), **names}
    return Row(key=kind.key_of(values),
               cells=tuple(value_text(shown[c.name], c if c.name in kind.by_name else None, lang) for c in columns),
               order=order)


class RecordSource:
    """The records of a kind the actor may see, filtered, searched and ordered (a ``PageSource``).

    ``engine`` gives the engine when first needed (the app's is built after the first page);
    ``lean_path``: the SQLite file, read with sqlite3 while the listing has no filters, search or
    sort and the kind's scope for the actor is one ``xiaoqi.core.lean`` writes as SQL."""

    def __init__(self, engine: Callable[[], Any], actor, kind: RecordKind, *, filters: dict, search: str | None,
                 order_by: str | None, descending: bool, lean_path: str | None = None) -> None:
        self._engine, self.actor, self.kind = engine, actor, kind
        self.filters, self.search = dict(filters), search or None
        self.order_by, self.descending = order_by, descending
        self.lean_path = None if (self.filters or self.search or self.order_by or descending) else lean_path
        self._lean_checked = False

    @property
    def engine(self):
        return self._engine()

    def _lean(self):
        """The sqlite3 reader for this listing, or None (the services read it)."""
        if self.lean_path is None:
            return None
        from xiaoqi.core import lean

        if not self._lean_checked:
            try:
                lean.check_kind(self.kind, self.actor)
            except lean.Unsupported:
                self.lean_path = None
                return None
            self._lean_checked = True
        return lean

    def fetch_now(self, limit: int) -> list[Row] | None:
        """The first rows, read on the UI thread if sqlite3 can read them within 50 ms and without
        waiting for a lock; None otherwise (the table's worker reads them)."""
        import sqlite3

        lean = self._lean()
        if lean is None:
            return None
        try:
            conn = lean.connect(self.lean_path, busy_ms=0, within=0.05)
            try:
                return self._lean_rows(lean, conn, limit)
            finally:
                conn.close()
        except sqlite3.Error:
            return None

    def _lean_rows(self, lean, conn, limit: int, offset: int = 0, after: tuple | None = None) -> list[Row]:
        kind, columns, lang = self.kind, listing_columns(self.kind), get_lang()
        page = lean.page(conn, self.actor, kind, limit=limit, offset=offset, after_id=None if after is None else after[0])
        return [listing_row(kind, columns, lang, values, names, (row_id,)) for row_id, values, names in page]

    def count(self) -> int:
        lean = self._lean()
        if lean is not None:
            conn = lean.connect(self.lean_path)
            try:
                return lean.count(conn, self.actor, self.kind)
            finally:
                conn.close()
        from xiaoqi.core.services import count_records

        with read_session(self.engine) as session:
            return count_records(session, actor=self.actor, kind=self.kind, filters=self.filters, search=self.search)

    def fetch(self, limit: int, *, offset: int = 0, after: tuple | None = None, before: tuple | None = None,
              from_end: bool = False) -> list[Row]:
        lean = self._lean() if before is None and not from_end else None
        if lean is not None:
            conn = lean.connect(self.lean_path)
            try:
                return self._lean_rows(lean, conn, limit, offset, after)
            finally:
                conn.close()
        from xiaoqi.core.services import list_records, order_key

        kind, columns = self.kind, listing_columns(self.kind)
        lang = get_lang()  # once a page: looking it up for each of its 2,400 cells cost as much as the read

        with read_session(self.engine) as session:
            page = list_records(session, actor=self.actor, kind=kind, filters=self.filters, search=self.search,
                                order_by=self.order_by, descending=self.descending, limit=limit, offset=offset,
                                after=after, before=before, from_end=from_end, names=True)
            return [listing_row(kind, columns, lang, kind.export_values(obj), names, order_key(kind, obj, self.order_by, names))
                    for obj, names in zip(page.rows, page.names)]


def _header(kind: RecordKind, name: str) -> str:
    from xiaoqi.core.names import name_column

    return kind.by_name[name].header() if name in kind.by_name else name_column(kind, name).header()


class RecordsScreen(MainScreen):
    """The records of one kind."""

    BINDINGS = [
        key("n", "new", "tui.key.new", id="xiaoqi.records.new"),
        key("e", "edit", "tui.key.edit", id="xiaoqi.records.edit"),
        key("d", "delete", "tui.key.delete", id="xiaoqi.records.delete"),
        key("slash", "search", "tui.key.search", id="xiaoqi.records.search", key_display="/"),
        key("f", "filter", "tui.key.filter", id="xiaoqi.records.filter"),
        key("equals_sign", "filter_cell", "tui.key.filter_cell", id="xiaoqi.records.filter_cell", key_display="="),
        key("x", "clear", "tui.key.clear", id="xiaoqi.records.clear"),
        key("s", "sort", "tui.key.sort", id="xiaoqi.records.sort"),
        key("r", "refresh", "tui.key.refresh", id="xiaoqi.records.refresh"),
        key("escape", "focus_table", "tui.key.table", id="xiaoqi.records.table"),
    ]
    #: the row keys act on the table's cursor: offered while the table has the focus
    FOCUS_ACTIONS = {"edit": "records", "delete": "records", "filter_cell": "records", "sort": "records"}
    #: the table has the focus from the start (Textual's default, the first focusable widget, is the
    #: sidebar: focused, then left for the table at mount, each a restyle of both)
    AUTO_FOCUS = "#records"

    def __init__(self, engine, actor, kind: RecordKind, **kw) -> None:
        self.kind = kind
        self.section = f"records-{kind.name}"
        super().__init__(engine, actor, **kw)
        self.filters: dict[str, Any] = {}
        self.search: str | None = None
        self.order_by: str | None = None
        self.descending = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="rec-bar", classes="bar"):
            yield Label(self.kind.label(), classes="screen-title")
            yield Input(placeholder=t("tui.rec.search.placeholder"), id="search")
        yield Static("", id="rec-filters", classes="chips")
        yield PagedTable(id="records", empty_text=t("tui.rec.empty"))
        yield Static("", id="rec-status", classes="status")

    @property
    def table(self) -> PagedTable:
        return self.query_one("#records", PagedTable)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "search":  # "/" is typed where the search field has the focus
            return not self.focus_in("search")
        if action == "focus_table":  # Esc leaves the search field (elsewhere it does nothing)
            return self.focus_in("search")
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        self.set_title(self.kind.label())
        show_key(self.table, "enter", "select", "tui.key.open", id="xiaoqi.records.open")
        show_key(self.query_one("#search", Input), "enter", "submit", "tui.key.search", id="xiaoqi.records.search.run")
        self.watch(self.table, "cursor_row", lambda *_: self._status(), init=False)
        self.reload()
        self.table.focus()

    # -- loading -------------------------------------------------------------------------
    def columns(self) -> list[TableColumn]:
        """The kind's columns, each name column (学生姓名, 企业名称) beside the code it names."""
        return [TableColumn(c.name, c.header() + ("*" if getattr(c, "key", False) else ""), numeric=getattr(c, "type", None) in NUMERIC)
                for c in listing_columns(self.kind)]

    def _cursor_column(self):
        """The listing column under the cursor (a ``Column`` or a ``NameColumn``)."""
        return listing_columns(self.kind)[self.table.cursor_column]

    def reload(self, *, keep_cursor: bool = False) -> None:
        table = self.table
        table.sort_column, table.sort_descending = self.order_by, self.descending
        filtered = bool(self.filters or self.search)
        table.empty_text = t("tui.rec.empty.filtered") if filtered else t("tui.rec.empty")
        source = RecordSource(lambda: self.engine, self.actor, self.kind, filters=self.filters, search=self.search,
                              order_by=self.order_by, descending=self.descending,
                              lean_path=getattr(self.app, "lean_path", None))
        table.reset(source, self.columns(), keep_cursor=keep_cursor)
        self._show_filters()
        self._status()

    def _show_filters(self) -> None:
        parts = [f"{_header(self.kind, name)} = {value_text(v, self.kind.by_name.get(name))}" for name, v in self.filters.items()]
        chips = []
        if parts:
            chips.append(t("tui.rec.filters", filters=t("tui.sep").join(parts)))
        if self.search:
            chips.append(t("tui.rec.search", text=self.search))
        widget = self.query_one("#rec-filters", Static)
        widget.update("   ".join(chips))
        widget.display = bool(chips)

    def _status(self) -> None:
        table = self.table
        parts = []
        if table.total is None:
            parts.append(t("tui.rec.counting"))
        else:
            parts.append(t("tui.rec.count", n=f"{table.total:,}"))
            if table.total:
                parts.append(t("tui.rec.position", row=f"{table.cursor_row + 1:,}", n=f"{table.total:,}"))
        if self.order_by:
            parts.append(t("tui.rec.sorted", column=_header(self.kind, self.order_by),
                           direction=t("tui.rec.desc") if self.descending else t("tui.rec.asc")))
        if self.actor.role not in ("admin", "auditor"):
            parts.append(t("tui.rec.scope", actor=self.actor.label()))
        self.query_one("#rec-status", Static).update(" · ".join(parts))

    @on(PagedTable.Counted, "#records")
    def _counted(self, event: PagedTable.Counted) -> None:
        self._status()

    @on(PagedTable.Failed, "#records")
    def _failed(self, event: PagedTable.Failed) -> None:
        self.show_error(event.error)
        self._status()

    # -- search, filters, sort ----------------------------------------------------------
    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        self.search = event.value.strip() or None
        self.reload()
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        from ..dialogs.filters import FilterDialog

        def done(filters: dict | None) -> None:
            if filters is not None:
                self.filters = filters
                self.reload()

        self.app.push_screen(FilterDialog(self.kind, self.filters), done)

    def action_filter_cell(self) -> None:
        table = self.table
        row = table.row_at(table.cursor_row)
        if row is None or not table.columns:
            self.notify(t("tui.rec.pick"), severity="warning")
            return
        col = self._cursor_column()
        text = row.cells[table.cursor_column]
        if text == "":
            return
        if col.name not in self.kind.by_name:  # a name: the records naming exactly this one
            self.filters = {**self.filters, col.name: text}
            self.reload()
            return
        try:
            # the cell shows a display form (an English choice, 1,234.00): the column's parser reads it back
            value = col.parse(text.replace(",", "") if col.type == "money" else text)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.filters = {**self.filters, col.name: value}
        self.reload()

    def action_clear(self) -> None:
        self.filters, self.search = {}, None
        self.query_one("#search", Input).value = ""
        self.reload()

    def action_sort(self) -> None:
        # a name column (学生姓名) sorts by the name, as the reader sees it
        self._sort_by(self._cursor_column().name)

    @on(PagedTable.HeaderClicked, "#records")
    def _header_clicked(self, event: PagedTable.HeaderClicked) -> None:
        self.table.cursor_column = [c.name for c in self.table.columns].index(event.column.name)
        self.action_sort()

    def _sort_by(self, name: str) -> None:
        if self.order_by != name:
            self.order_by, self.descending = name, False
        elif not self.descending:
            self.descending = True
        else:
            self.order_by, self.descending = None, False
        self.reload()

    def action_refresh(self) -> None:
        self.reload(keep_cursor=True)

    # -- records -------------------------------------------------------------------------
    @on(PagedTable.Selected, "#records")
    def _open(self, event: PagedTable.Selected) -> None:
        self.app.open_record(self.kind.name, event.key)

    def _cursor_key(self) -> str | None:
        row_key = self.table.cursor_key
        if row_key is None:
            self.notify(t("tui.rec.pick"), severity="warning")
        return row_key

    def prefilled(self) -> dict:
        """What a new record's form starts with: the values the filters fix (an exact filter: the
        school the list is narrowed to), and the school or enterprise the actor works for."""
        kind, values = self.kind, {}
        for name, value in self.filters.items():
            col = kind.by_name.get(name)
            if col is not None and col.type not in ("text", "list") and not (isinstance(value, str) and value.endswith("*")):
                values[name] = value
        own = {"school": kind.school_column, "enterprise": kind.enterprise_column}.get(self.actor.role)
        if own and own in kind.by_name:
            values.setdefault(own, self.actor.code)
        return values

    def action_new(self) -> None:
        from ..dialogs.record_form import RecordForm, may_write

        if not may_write(self, self.kind):
            return
        self.app.push_screen(RecordForm(self.engine, self.actor, self.kind, values=self.prefilled()), self._created)

    def _created(self, saved: str | None) -> None:
        """After a create: the listing again, its cursor on the new row."""
        if saved:
            self._go_to_new(saved)
            self.app.data_changed()

    @db_work(group="records-position")
    def _go_to_new(self, saved: str) -> None:
        from xiaoqi.core.services import position_of

        with read_session(self.engine) as session:
            row = position_of(session, actor=self.actor, kind=self.kind, key=saved, filters=self.filters,
                              search=self.search, order_by=self.order_by, descending=self.descending)
        self.app.call_from_thread(self._show_new, row)

    def _show_new(self, row: int | None) -> None:
        table = self.table
        if row is not None:
            table.cursor_row = row
        self.reload(keep_cursor=row is not None)
        table.focus()

    def action_edit(self) -> None:
        from ..dialogs.record_form import RecordForm, may_write

        row_key = self._cursor_key()
        if row_key is not None and may_write(self, self.kind):
            self.app.push_screen(RecordForm(self.engine, self.actor, self.kind, key=row_key), self._saved)

    def _saved(self, saved: str | None) -> None:
        if saved:
            self.reload(keep_cursor=True)
            self.app.data_changed()

    def action_delete(self) -> None:
        from ..dialogs.confirm import Confirm
        from ..dialogs.record_form import may_write

        row_key = self._cursor_key()
        if row_key is None or not may_write(self, self.kind):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(row_key)

        self.app.push_screen(Confirm(t("tui.confirm.delete", kind=self.kind.label(), key=mask_key(self.kind, row_key))), confirmed)

    @db_work(group="records-write")
    def _delete(self, row_key: str) -> None:
        from xiaoqi.core.services import delete_record

        with write_session(self.engine) as session:
            delete_record(session, actor=self.actor, kind=self.kind, key=row_key)
        self.app.call_from_thread(self.notify, t("tui.rec.deleted", kind=self.kind.label(), key=mask_key(self.kind, row_key)))
        self.app.call_from_thread(self.reload, keep_cursor=True)
        self.app.call_from_thread(self.app.data_changed)
