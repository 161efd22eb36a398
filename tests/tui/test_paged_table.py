"""The paged table on its own, over a made-up source: a new source given while a page of the old one
is still being read (a sort or a search typed quickly) is read in its turn, and the table reads the
page a screen beyond the view before the user scrolls to it."""

from __future__ import annotations

import asyncio
import threading

from textual.app import App

from xiaoqi.tui.widgets.paged_table import PAGE_ROWS, PagedTable, Row, TableColumn

COLUMNS = [TableColumn("n", "编号", numeric=True), TableColumn("name", "名称")]


class Numbers:
    """Rows 0..total-1 named ``prefix`` + number; ``gate`` (when given) holds every read until set."""

    def __init__(self, prefix: str, total: int, gate: threading.Event | None = None) -> None:
        self.prefix, self.total, self.gate = prefix, total, gate
        self.reads: list[int] = []
        self.modes: list[str] = []  # how each page was asked for
        self.reading = threading.Event()

    def count(self) -> int:
        return self.total

    def fetch(self, limit, *, offset=0, after=None, before=None, from_end=False):
        self.reading.set()
        if self.gate is not None:
            self.gate.wait(10)
        if after is not None:
            start = after[0] + 1
        elif before is not None:
            start = max(0, before[0] - limit)
        elif from_end:
            start = max(0, self.total - offset - limit)
        else:
            start = offset
        self.reads.append(start // PAGE_ROWS)
        self.modes.append("after" if after is not None else "before" if before is not None else
                          "from_end" if from_end else "offset")
        stop = min(self.total, start + limit) if before is None else before[0]
        return [Row(key=i, cells=(str(i), f"{self.prefix}{i}"), order=(i,)) for i in range(start, stop)]


class TableApp(App):
    def compose(self):
        yield PagedTable(id="t")


async def _until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def _shown(table: PagedTable, source: Numbers) -> None:
    """``source`` in the table, counted and its first page on screen, the table focused."""
    table.reset(source, COLUMNS)
    await _until(lambda: table.total is not None and table.row_at(0) is not None)
    table.focus()


def test_a_new_source_during_a_read_is_read():
    asyncio.run(check_new_source_during_a_read())


async def check_new_source_during_a_read():
    app = TableApp()
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(PagedTable)
        gate = threading.Event()
        slow = Numbers("old", 1000, gate)
        table.reset(slow, COLUMNS)
        await _until(slow.reading.is_set)
        table.reset(Numbers("new", 500), COLUMNS)  # while the old source's first page is read
        gate.set()
        await _until(lambda: table.row_at(0) is not None)
        await pilot.pause()
        assert table.row_at(0).cells[1] == "new0" and table.total == 500


def test_the_next_page_is_read_ahead():
    asyncio.run(check_read_ahead())


async def check_read_ahead():
    app = TableApp()
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(PagedTable)
        source = Numbers("row", 10_000)
        await _shown(table, source)
        while int(table.scroll_y) + 2 * table.visible_rows <= PAGE_ROWS:  # until page 1 is a screen away
            await pilot.press("pagedown")
        assert int(table.scroll_y) + table.visible_rows <= PAGE_ROWS  # not in view yet
        await _until(lambda: table.row_at(PAGE_ROWS) is not None)
        assert table.row_at(PAGE_ROWS).cells[1] == f"row{PAGE_ROWS}"
        assert source.reads.count(1) == 1 and 2 not in source.reads


def test_end_reads_the_last_page_counted_from_the_end_then_pages_up_by_keyset():
    asyncio.run(check_end())


async def check_end():
    app = TableApp()
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(PagedTable)
        source = Numbers("row", 10_050)  # the last page is a short one
        await _shown(table, source)
        await pilot.press("end")  # at once: before any layout has shown the scrollbar
        await _until(lambda: table.row_at(10_049) is not None)
        assert table.row_at(10_049).cells[1] == "row10049" and table.cursor_row == 10_049
        last = 10_049 // PAGE_ROWS
        assert source.modes[source.reads.index(last)] == "from_end"  # not an offset stepping over 10,000 rows
        assert int(table.scroll_y) == 10_050 - table.visible_rows  # the last row is in view
        await _until(lambda: table.row_at(last * PAGE_ROWS - 1) is not None)  # the page above, read ahead
        assert table.row_at(last * PAGE_ROWS - 1).cells[1] == f"row{last * PAGE_ROWS - 1}"
        assert source.modes[source.reads.index(last - 1)] == "before"
