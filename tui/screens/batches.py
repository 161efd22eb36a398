"""The import batches: every import (newest first) with its file, SHA-256, counts, actor and
status; the highlighted batch in full below (its problems, its audit entries); ``u`` undoes it
after a confirmation, when nothing changed its records since (otherwise the reason is shown)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from xiaoqi.core.db import read_session, write_session

from ..bindings import key
from ..dialogs.confirm import Confirm
from ..i18n import t
from ..work import db_work, error_text
from .base import MainScreen


class BatchesScreen(MainScreen):
    section = "batches"
    BINDINGS = [
        key("u", "undo", "tui.key.undo", id="xiaoqi.batches.undo"),
        key("r", "refresh", "tui.key.refresh", id="xiaoqi.batches.refresh"),
    ]
    FOCUS_ACTIONS = {"undo": ("batch-table", "batch-detail")}

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(engine, actor, **kw)
        self.batches: list = []
        self.shown = None  # the batch in the detail panel

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.batches.title"), classes="screen-title")
        yield DataTable(id="batch-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="batch-detail", classes="panel"):
            yield Static(t("tui.dash.loading"), id="batch-text")

    def on_mount(self) -> None:
        self.set_title(t("tui.nav.batches"))
        table = self.query_one("#batch-table", DataTable)
        for name in ("id", "at", "kind", "file", "rows", "created", "updated", "unchanged", "invalid", "status", "actor"):
            table.add_column(t(f"tui.batches.col.{name}"), key=name)
        self.query_one("#batch-detail").border_title = t("tui.batches.detail")
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @db_work(group="batches-load")
    def load(self) -> None:
        from xiaoqi.core.imports import list_batches

        try:
            with read_session(self.engine) as session:
                batches = list_batches(session, actor=self.actor, limit=500)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self._fill, batches)

    def _fill(self, batches: list) -> None:
        self.batches = batches
        table = self.query_one("#batch-table", DataTable)
        table.clear()
        for b in batches:
            status = Text(t(f"status.{b.status}"), style={"refused": "red", "undone": "yellow"}.get(b.status, "green"))
            table.add_row(str(b.id), b.started_at.isoformat(sep=" ", timespec="seconds"), b.kind_label(), b.file_name,
                          str(b.rows), str(b.created), str(b.updated), str(b.unchanged), str(b.invalid), status, b.actor,
                          key=str(b.id))
        if not batches:
            self.query_one("#batch-text", Static).update(Text(t("tui.batches.none"), style="dim"))
        else:
            table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_batch(int(event.row_key.value))

    @db_work(group="batches-detail")
    def show_batch(self, batch_id: int) -> None:
        from xiaoqi.core.imports import get_batch

        try:
            with read_session(self.engine) as session:
                batch = get_batch(session, actor=self.actor, batch_id=batch_id)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self._show, batch)

    def _show(self, batch) -> None:
        from xiaoqi.core.imports import action_label

        self.shown = batch
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        rows = [("file", batch.file_name), ("sha256", batch.sha256),
                ("size", "" if batch.file_size is None else f"{batch.file_size:,}"),
                ("kept", t("tui.yes") if batch.file_kept else t("tui.no")), ("sheet", batch.sheet or ""),
                ("encoding", batch.encoding or ""), ("actor", batch.actor + (f" / {batch.login}" if batch.login else "")),
                ("started", batch.started_at.isoformat(sep=" ", timespec="seconds")),
                ("finished", batch.finished_at.isoformat(sep=" ", timespec="seconds") if batch.finished_at else "")]
        for name, value in rows:
            grid.add_row(t(f"tui.batches.field.{name}"), str(value))
        for p in batch.problems:
            grid.add_row(Text(t("tui.batches.problem", row=p["row"]), style="red"), f"{p['column']} {p['value']}  {p['reason']}")
        for e in batch.events:
            grid.add_row(Text(action_label(e["action"]), style="bold"),
                         f"{e['at'].isoformat(sep=' ', timespec='seconds')}  {e['actor']}" + (f" / {e['login']}" if e["login"] else ""))
        self.query_one("#batch-text", Static).update(grid)

    def action_undo(self) -> None:
        batch = self.shown
        if batch is None:
            return
        question = t("tui.batches.confirm", id=batch.id, kind=batch.kind_label(), file=batch.file_name,
                     created=batch.created, updated=batch.updated)

        def answered(yes: bool | None) -> None:
            if yes:
                self.undo(batch.id)

        self.app.push_screen(Confirm(question), answered)

    @db_work(group="batches-undo")
    def undo(self, batch_id: int) -> None:
        from xiaoqi.core.imports import undo_batch

        try:
            with write_session(self.engine) as session:
                result = undo_batch(session, actor=self.actor, batch_id=batch_id)
        except Exception as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._undone, result)

    def _refused(self, exc: BaseException) -> None:
        self.query_one("#batch-text", Static).update(Text(error_text(exc), style="bold red"))
        self.show_error(exc)

    def _undone(self, result) -> None:
        self.app.data_changed()
        self.notify(t("tui.batches.undone", id=result.batch_id, deleted=result.deleted, restored=result.restored))
        self.load()
