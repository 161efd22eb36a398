"""Import from the UI: choose the kind and a file (and the sheet of a workbook that has several), check it (a dry run through the import service:
the same validation and counts as the real import, nothing kept), read the report, then confirm
to write it — all rows, or only the valid ones."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, DirectoryTree, Input, Label, ProgressBar, Select, Static

from xiaoqi.core.io import FileProblem, import_file, sheet_names
from xiaoqi.core.kinds import get_kinds

from ..bindings import key, show_key
from ..dialogs.confirm import Confirm
from ..i18n import t
from ..work import db_work, error_text
from .base import MainScreen

SUFFIXES = (".xlsx", ".xls", ".csv", ".json")
#: problems listed in the report (``xiaoqi import --errors`` writes them all)
MAX_PROBLEMS = 1000


class ImportableFiles(DirectoryTree):
    """Folders, and the files that import reads."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in SUFFIXES)]


class ImportScreen(MainScreen):
    section = "import"
    BINDINGS = [
        key("ctrl+r", "check", "tui.imp.check", id="xiaoqi.import.check"),
        # one of the two is offered after a check (no problems: all rows; problems: the valid ones)
        key("ctrl+s", "write", "tui.imp.write", id="xiaoqi.import.write"),
        key("ctrl+s", "write_valid", "tui.imp.write_valid", id="xiaoqi.import.write_valid"),
    ]

    def __init__(self, engine, actor, *, start_dir: Path | None = None, **kw) -> None:
        super().__init__(engine, actor, **kw)
        self.start_dir = Path(start_dir or Path.cwd())
        self.checked = None  # the dry run's ImportResult

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.imp.title"), classes="screen-title")
        yield Static(t("tui.imp.help"), classes="hint")
        kinds = [(k.label(), k.name) for k in get_kinds().values() if k.writable]
        with Horizontal(id="imp-form"):
            yield Select(kinds, prompt=t("tui.imp.kind"), id="imp-kind")
            yield Input(placeholder=t("tui.imp.file.placeholder"), id="imp-path")
            # shown for a workbook of more than one sheet (the import reads the first by default)
            yield Select([], prompt=t("tui.imp.sheet"), id="imp-sheet")
            yield Button(t("tui.imp.check"), variant="primary", id="imp-check", action="screen.check")
        with Horizontal(id="imp-body"):
            yield ImportableFiles(self.start_dir, id="imp-tree")
            with Vertical(id="imp-report"):
                yield ProgressBar(id="imp-progress", show_eta=False)
                yield Static("", id="imp-summary")
                yield DataTable(id="imp-problems", cursor_type="row", zebra_stripes=True)
                with Horizontal(classes="buttons"):
                    yield Button(t("tui.imp.write"), variant="success", id="imp-write", action="screen.write")
                    yield Button(t("tui.imp.write_valid"), variant="warning", id="imp-write-valid",
                                 action="screen.write_valid")

    def on_mount(self) -> None:
        self.set_title(t("tui.imp.title"))
        self.query_one("#imp-tree").border_title = str(self.start_dir)
        problems = self.query_one("#imp-problems", DataTable)
        for name in ("row", "column", "value", "reason"):
            problems.add_column(t(f"tui.col.{name}"), key=name)
        self.query_one("#imp-sheet").display = False
        show_key(self.query_one("#imp-tree"), "enter", "select_cursor", "tui.key.choose_file", id="xiaoqi.import.choose")
        show_key(self.query_one("#imp-path"), "enter", "submit", "tui.imp.check", id="xiaoqi.import.path.check")
        self._reset_report()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # ctrl+s writes what the button shown offers
        if action == "write":
            return bool(self.is_mounted and self.query_one("#imp-write").display)
        if action == "write_valid":
            return bool(self.is_mounted and self.query_one("#imp-write-valid").display)
        return super().check_action(action, parameters)

    def _reset_report(self) -> None:
        self.checked = None
        for wid in ("#imp-progress", "#imp-problems", "#imp-write", "#imp-write-valid"):
            self.query_one(wid).display = False
        self.query_one("#imp-summary", Static).update("")
        self.refresh_bindings()

    @on(DirectoryTree.FileSelected, "#imp-tree")
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#imp-path", Input).value = str(event.path)
        self._reset_report()

    @on(Input.Changed, "#imp-path")
    @on(Select.Changed, "#imp-kind")
    @on(Select.Changed, "#imp-sheet")
    def _changed(self, event) -> None:
        self._reset_report()
        if event.control.id == "imp-path":
            sheets = self.query_one("#imp-sheet", Select)
            sheets.display = False
            sheets.set_options([])
            path = Path(event.value.strip())
            if path.suffix.lower() in (".xlsx", ".xls") and path.is_file():
                self._load_sheets(str(path))

    @db_work(group="sheets")
    def _load_sheets(self, path: str) -> None:
        """The workbook's sheets, read off the UI thread (a large workbook takes a moment)."""
        try:
            names = sheet_names(path)
        except FileProblem:
            return  # the check reports it, with the reason
        self.app.call_from_thread(self._show_sheets, path, names)

    def _show_sheets(self, path: str, names: list[str]) -> None:
        if self.query_one("#imp-path", Input).value.strip() != path:
            return  # the user has moved on to another file
        sheets = self.query_one("#imp-sheet", Select)
        sheets.set_options([(name, name) for name in names])
        if names:
            sheets.value = names[0]
        sheets.display = len(names) > 1

    def _sheet(self) -> str | None:
        sheets = self.query_one("#imp-sheet", Select)
        return None if not sheets.display or sheets.value is Select.NULL else str(sheets.value)

    @on(Input.Submitted, "#imp-path")
    def action_check(self) -> None:
        kind = self.query_one("#imp-kind", Select).value
        path = self.query_one("#imp-path", Input).value.strip()
        if kind is Select.NULL:
            self.notify(t("tui.imp.need_kind"), severity="warning")
            return
        if not path:
            self.notify(t("tui.imp.need_file"), severity="warning")
            return
        self._reset_report()
        self._busy(t("tui.imp.checking", file=Path(path).name))
        self._import(kind, path, self._sheet(), dry_run=True, skip_invalid=False)

    def _busy(self, text: str) -> None:
        bar = self.query_one("#imp-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#imp-summary", Static).update(text)
        self.query_one("#imp-check", Button).disabled = True

    @db_work(group="import")
    def _import(self, kind: str, path: str, sheet: str | None, *, dry_run: bool, skip_invalid: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.query_one("#imp-progress", ProgressBar).update, total=total or None, progress=done)

        try:
            result = import_file(self.engine, actor=self.actor, kind=kind, path=path, sheet=sheet, dry_run=dry_run,
                                 skip_invalid=skip_invalid, progress=progress)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._report if dry_run else self._written, result)

    def _failed(self, exc: Exception) -> None:
        self.query_one("#imp-check", Button).disabled = False
        self.query_one("#imp-progress", ProgressBar).display = False
        self.query_one("#imp-summary", Static).update(f"[b red]{error_text(exc)}[/]")
        self.show_error(exc)

    def _report(self, result) -> None:
        self.checked = result
        self.query_one("#imp-check", Button).disabled = False
        self.query_one("#imp-progress", ProgressBar).display = False
        lines = [t("tui.imp.report", file=result.file, rows=f"{result.rows:,}", created=f"{result.created:,}",
                   updated=f"{result.updated:,}", unchanged=f"{result.unchanged:,}", invalid=f"{result.invalid:,}")]
        table = self.query_one("#imp-problems", DataTable)
        table.clear()
        if result.problems:
            lines.append(f"[b red]{t('tui.imp.invalid', n=f'{len(result.problems):,}')}[/]")
            for i, p in enumerate(result.problems[:MAX_PROBLEMS]):
                table.add_row(str(p.row), p.column, "" if p.value is None else str(p.value), p.reason, key=str(i))
            if len(result.problems) > MAX_PROBLEMS:
                lines.append(t("tui.imp.more", shown=f"{MAX_PROBLEMS:,}", n=f"{len(result.problems):,}"))
            table.display = True
        elif result.created or result.updated:
            lines.append(f"[b green]{t('tui.imp.valid')}[/]")
        else:
            lines.append(t("tui.imp.nothing"))
        self.query_one("#imp-summary", Static).update("\n".join(lines))
        self.query_one("#imp-write").display = not result.problems and bool(result.created or result.updated)
        self.query_one("#imp-write-valid").display = bool(result.problems) and result.rows > result.invalid
        self.refresh_bindings()

    def action_write(self) -> None:
        self._confirm(skip=False)

    def action_write_valid(self) -> None:
        self._confirm(skip=True)

    def _confirm(self, *, skip: bool) -> None:
        result = self.checked
        if result is None:
            return
        kind = get_kinds()[result.kind]
        question = (t("tui.imp.confirm_skip", invalid=f"{result.invalid:,}") if skip else
                    t("tui.imp.confirm", kind=kind.label(), file=result.file, created=f"{result.created:,}",
                      updated=f"{result.updated:,}"))
        path = self.query_one("#imp-path", Input).value.strip()
        sheet = self._sheet()

        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#imp-write").display = False
                self.query_one("#imp-write-valid").display = False
                self.refresh_bindings()
                self._busy(t("tui.imp.writing", file=result.file))
                self._import(result.kind, path, sheet, dry_run=False, skip_invalid=skip)

        self.app.push_screen(Confirm(question), answered)

    def _written(self, result) -> None:
        checked, self.checked = self.checked, None
        self.query_one("#imp-check", Button).disabled = False
        self.query_one("#imp-progress", ProgressBar).display = False
        self.query_one("#imp-problems", DataTable).display = False
        kind = get_kinds()[result.kind]
        lines = []
        if checked is not None and checked.sha256 != result.sha256:
            lines.append(f"[b yellow]{t('tui.imp.changed')}[/]")
        if result.written:
            done = t("tui.imp.done", kind=kind.label(), created=f"{result.created:,}", updated=f"{result.updated:,}",
                     unchanged=f"{result.unchanged:,}", batch=result.batch_id)
            lines.append(f"[b green]{done}[/]")
            self.notify(done)
            self.app.data_changed()
        else:
            self._report(result)
            return
        self.query_one("#imp-summary", Static).update("\n".join(lines))
