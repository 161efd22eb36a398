"""A table over more rows than memory should hold: it shows a window of a query and fetches the
pages the user looks at, and those a screen beyond, in a thread worker (toolong's ``LogLines``
habit: a Line-API ``ScrollView`` whose virtual height is the row count).

The table knows nothing about record kinds: a ``PageSource`` answers ``count()`` and
``fetch(limit, offset=, after=, before=, from_end=)`` with ``Row`` objects. A page next to a page
already held is read by keyset (``after`` the last row of the page above, ``before`` the first row
of the page below), so scrolling costs the same at row 900,000 as at row 0; a jump to an arbitrary
place (the scrollbar, End) reads by offset once — counted from the nearer end, so End costs what
Home costs — and keyset again from there.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from ..work import db_work

PAGE_ROWS = 100
#: pages kept in memory (the rest are read again when the user comes back to them)
MAX_PAGES = 120
MIN_WIDTH, MAX_WIDTH = 4, 32
GAP = 2


@dataclass(frozen=True)
class Row:
    """One row: its key (what ``Selected`` reports), its cells as display text, and its place in
    the order (the keyset boundary for the neighbouring pages)."""

    key: Any
    cells: tuple[str, ...]
    order: tuple


class PageSource(Protocol):
    def count(self) -> int: ...

    def fetch(self, limit: int, *, offset: int = 0, after: tuple | None = None,
              before: tuple | None = None, from_end: bool = False) -> list[Row]:
        """``limit`` rows: after or before a row's ``order``, or from ``offset`` (counted from the
        end of the listing with ``from_end``, still returned in listing order)."""

    # optional: ``fetch_now(limit) -> list[Row] | None``, the first rows read at once on the UI
    # thread if that is quick (None: read them in the worker as any page)


@dataclass(frozen=True)
class TableColumn:
    name: str
    header: str
    numeric: bool = False


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` on one line in exactly ``width`` cells: cut with an ellipsis, or padded (on the left
    for a number, so that numbers line up)."""
    text = text.replace("\n", " ")
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - length)
    return pad + text if right else text + pad


def _crop(text: str, width: int, start: int, end: int) -> str:
    """The cells ``start:end`` of ``text`` (``width`` cells long); a wide character cut in two
    becomes spaces, as Rich does."""
    if start <= 0 and end >= width:
        return text
    if start > 0:
        text = Segment(text).split_cells(start)[1].text
    if end < width:
        text = Segment(text).split_cells(end - max(start, 0))[0].text
    return text


class TableMessage(Message):
    table: "PagedTable"

    @property
    def control(self) -> "PagedTable":
        return self.table


class PagedTable(ScrollView, can_focus=True):
    """The rows of a ``PageSource`` under a fixed header row, with a row cursor and a column cursor."""

    DEFAULT_CSS = """
    PagedTable { background: $surface; }
    PagedTable:focus { background-tint: $foreground 2%; }
    PagedTable > .paged-table--header { text-style: bold; background: $panel; color: $text; }
    PagedTable > .paged-table--odd { background: $boost; }
    PagedTable > .paged-table--cursor { background: $block-cursor-blurred-background; }
    PagedTable:focus > .paged-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    PagedTable > .paged-table--cell { text-style: reverse; }
    PagedTable > .paged-table--pending { color: $text-disabled; }
    PagedTable > .paged-table--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {
        "paged-table--header", "paged-table--odd", "paged-table--cursor", "paged-table--cell",
        "paged-table--pending", "paged-table--empty",
    }
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("left", "column(-1)", show=False),
        Binding("right", "column(1)", show=False),
        Binding("enter", "select", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, init=False)
    cursor_column: reactive[int] = reactive(0, init=False)

    class Selected(TableMessage):
        """The user chose a row (Enter or a double click)."""

        def __init__(self, table: "PagedTable", key: Any) -> None:
            super().__init__()
            self.table, self.key = table, key

    class HeaderClicked(TableMessage):
        def __init__(self, table: "PagedTable", column: TableColumn) -> None:
            super().__init__()
            self.table, self.column = table, column

    class Counted(TableMessage):
        """The source's row count is known (after every ``reset``)."""

        def __init__(self, table: "PagedTable", total: int) -> None:
            super().__init__()
            self.table, self.total = table, total

    class Failed(TableMessage):
        """Reading the source failed; ``error`` is the exception (the owner tells the user)."""

        def __init__(self, table: "PagedTable", error: Exception) -> None:
            super().__init__()
            self.table, self.error = table, error

    def __init__(self, *, empty_text: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.empty_text = empty_text
        self.columns: list[TableColumn] = []
        self.widths: list[int] = []
        self.source: PageSource | None = None
        self.total: int | None = None
        self.sort_column: str | None = None
        self.sort_descending = False
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._generation = 0
        self._wanted: set[int] = set()
        self._lock = threading.Lock()
        self._fetching = False
        self._sized = False
        self._styles: dict[str, Style] = {}
        self._shown = False

    # -- the owner's API -----------------------------------------------------------------
    def reset(self, source: PageSource, columns: Sequence[TableColumn], *, keep_cursor: bool = False) -> None:
        """Show ``source`` from its start: forget every page, count it and read the first page."""
        self.source = source
        if list(columns) != self.columns:
            self.columns = list(columns)
            self._sized = False
            self.widths = [max(MIN_WIDTH, min(MAX_WIDTH, cell_len(c.header) + 2)) for c in self.columns]
        with self._lock:
            self._generation += 1
            self._pages.clear()
            self._wanted = {self.cursor_row // PAGE_ROWS} if keep_cursor else {0}
        self.total = None
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False)
            self._first_page_now(source)
        self._resize()
        self._count(self._generation)
        self._fetch()

    def _first_page_now(self, source: PageSource) -> None:
        """The first page read at once, if the source can do that quickly: the screen is then
        first drawn with its rows, instead of drawn with "…" and again once a worker read them."""
        fetch_now = getattr(source, "fetch_now", None)
        rows = fetch_now(PAGE_ROWS) if fetch_now is not None else None
        if rows is None:
            return
        self._wanted.discard(0)
        self._page_loaded(self._generation, 0, rows)

    @property
    def busy(self) -> bool:
        """Still counting, or pages are being read."""
        return self.total is None or self._fetching

    def row_at(self, index: int) -> Row | None:
        page = self._pages.get(index // PAGE_ROWS)
        if page is None or index % PAGE_ROWS >= len(page):
            return None
        return page[index % PAGE_ROWS]

    @property
    def cursor_key(self) -> Any:
        row = self.row_at(self.cursor_row)
        return row.key if row else None

    @property
    def loaded_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    # -- workers -------------------------------------------------------------------------
    @db_work(group="paged-table-count", exclusive=False)
    def _count(self, generation: int) -> None:
        try:
            total = self.source.count()
        except Exception as exc:  # shown by the owner as a notification, never a crash
            self.app.call_from_thread(self._failed, generation, exc)
            return
        self.app.call_from_thread(self._counted, generation, total)

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.total = total
        if self.cursor_row >= total:
            self.cursor_row = max(0, total - 1)
        self._resize()
        self.refresh()
        self.post_message(self.Counted(self, total))

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation == self._generation:
            self.post_message(self.Failed(self, exc))
        if not self._shown:  # the app waits for the first page, read or not
            self._shown = True
            self._first_page_shown()

    def _fetch(self) -> None:
        if self._fetching or not self._wanted or self.source is None:
            return
        self._fetching = True
        self._fetch_pages()

    @db_work(group="paged-table-fetch", exclusive=False)
    def _fetch_pages(self) -> None:
        """Read the wanted pages, nearest the cursor first, until none is left. One worker at a
        time: a ``reset`` while it reads (a new sort or search) is served by the same worker once
        that read is done, and the page read for the old source is dropped."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            with self._lock:
                # pages scrolled past before their turn are not read, nor pages read meanwhile
                self._wanted.intersection_update(self._pages_in_reach())
                self._wanted.difference_update(self._pages)
                if not self._wanted:
                    self._fetching = False
                    return
                generation, source, total = self._generation, self.source, self.total
                page = min(self._wanted, key=lambda p: abs(p - self.cursor_row // PAGE_ROWS))
                self._wanted.discard(page)
                above, below = self._pages.get(page - 1), self._pages.get(page + 1)
            try:
                if above and len(above) == PAGE_ROWS:
                    rows = source.fetch(PAGE_ROWS, after=above[-1].order)
                elif below:
                    rows = source.fetch(PAGE_ROWS, before=below[0].order)
                elif total is not None and page * PAGE_ROWS > total // 2:  # nearer the end: count from there
                    end = min(total, (page + 1) * PAGE_ROWS)
                    rows = source.fetch(end - page * PAGE_ROWS, offset=total - end, from_end=True)
                else:
                    rows = source.fetch(PAGE_ROWS, offset=page * PAGE_ROWS)
            except Exception as exc:
                self.app.call_from_thread(self._failed, generation, exc)
                if generation == self._generation:
                    break  # the owner tells the user; the next paint or reset asks again
                continue
            self.app.call_from_thread(self._page_loaded, generation, page, rows)
        with self._lock:
            self._fetching = False

    def _page_loaded(self, generation: int, page: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return
        with self._lock:
            self._pages[page] = rows
            self._pages.move_to_end(page)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        if not self._sized and rows:
            self._fit_widths(rows)
        if self.total is None:
            self._resize()
        self.refresh()
        if not self._shown:
            self._shown = True
            self.call_after_refresh(self._first_page_shown)

    def _first_page_shown(self) -> None:
        """The first page is on the terminal: the app may now build what it waits with
        (``XiaoqiApp.warm_up``: the engine and the services, off the UI thread)."""
        warm_up = getattr(self.app, "warm_up", None)
        if warm_up is not None:
            warm_up()

    def _pages_in_reach(self) -> set[int]:
        """The pages in view and, once the row count is known, those a screen above and below: a
        page is read before the user scrolls to it, so that paging through shows rows at once (a
        read on an unindexed sort scans the whole table)."""
        top = int(self.scroll_y)
        rows = max(1, self.size.height - 1)
        first, last = top, top + rows
        if self.total is not None:
            first, last = max(0, top - rows), min(max(0, self.total - 1), top + 2 * rows)
        pages = set(range(first // PAGE_ROWS, last // PAGE_ROWS + 1))
        pages.add(self.cursor_row // PAGE_ROWS)
        return pages

    # -- geometry ------------------------------------------------------------------------
    def _fit_widths(self, rows: list[Row]) -> None:
        self._sized = True
        for i, _col in enumerate(self.columns):
            widest = max((cell_len(r.cells[i]) for r in rows[:PAGE_ROWS]), default=0)
            self.widths[i] = max(self.widths[i], min(MAX_WIDTH, widest))
        self._resize()

    @property
    def row_count(self) -> int:
        if self.total is not None:
            return self.total
        return sum(len(p) for p in self._pages.values())

    def _resize(self) -> None:
        width = sum(self.widths) + GAP * len(self.widths) + 1
        self.virtual_size = Size(width, self.row_count + 1)

    def _column_x(self, index: int) -> int:
        return 1 + sum(w + GAP for w in self.widths[:index])

    # -- rendering -----------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_styles()
        lines = super().render_lines(crop)
        if self.source is not None:
            for page in self._pages_in_reach() - self._pages.keys():
                self._want(page)
        return lines

    def _paint_styles(self) -> dict[str, Style]:
        """The styles of this paint, looked up once for its ~50 lines rather than once a line."""
        base = self.rich_style
        self._styles = {name: base + self.get_component_rich_style(f"paged-table--{name}")
                        for name in ("header", "odd", "cursor", "pending")}
        self._styles.update(base=base, cell=self.get_component_rich_style("paged-table--cell"),
                            empty=self.get_component_rich_style("paged-table--empty"))
        return self._styles

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        styles = self._styles or self._paint_styles()
        base = styles["base"]
        if y == 0:
            return self._line(self._header_cells(), styles["header"], None, scroll_x, width)
        index = scroll_y + y - 1
        if self.total == 0 and y == 1:
            return Strip([Segment(" " + self.empty_text, styles["empty"])]).crop_extend(0, width, base)
        if index >= self.row_count and self.total is not None:
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            if self.source is not None and (self.total is None or index < self.total):  # read by render_lines
                return self._line(["…"] * len(self.columns), styles["pending"], None, scroll_x, width)
            return Strip.blank(width, base)
        if index == self.cursor_row:
            return self._line(row.cells, styles["cursor"], self.cursor_column, scroll_x, width)
        return self._line(row.cells, styles["odd"] if index % 2 else base, None, scroll_x, width)

    def _header_cells(self) -> list[str]:
        cells = []
        for col in self.columns:
            mark = ""
            if col.name == self.sort_column:
                mark = " ▼" if self.sort_descending else " ▲"
            cells.append(col.header + mark)
        return cells

    def _line(self, cells: Sequence[str], style: Style, cursor_cell: int | None, scroll_x: int, width: int) -> Strip:
        """One line: a space, then each cell fitted to its column and a gap, only the part of it
        between ``scroll_x`` and ``scroll_x + width``, as segments of known cell lengths. (Laying
        out a Rich ``Text`` per line, then measuring and cropping it, cost five times as much on
        every scroll, and ``Text.render`` dropped the line's style: the header, the banding and the
        cursor row never showed.)"""
        left, right = scroll_x, scroll_x + width
        segments: list[Segment] = []
        x = 0

        def put(text: str, length: int, text_style: Style) -> None:
            nonlocal x
            start, end = x, x + length
            x = end
            if end > left and start < right:
                segments.append(Segment(_crop(text, length, left - start, right - start), text_style))

        put(" ", 1, style)
        gap = " " * GAP
        for i, (value, w) in enumerate(zip(cells, self.widths)):
            if x >= right:
                break
            if x + w + GAP <= left:
                x += w + GAP
                continue
            cell_style = style + self._styles["cell"] if i == cursor_cell else style
            put(fit(value, w, self.columns[i].numeric), w, cell_style)
            put(gap, GAP, style)
        if x < right:
            segments.append(Segment(" " * (right - max(x, left)), style))
        return Strip(segments, width)

    def _want(self, page: int) -> None:
        if page not in self._wanted:
            with self._lock:
                self._wanted.add(page)
            self.call_later(self._fetch)

    # -- navigation ----------------------------------------------------------------------
    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - 1 - (1 if self.show_horizontal_scrollbar else 0))

    def watch_cursor_row(self, old: int, new: int) -> None:
        # force: the cursor stays in view even before the first layout has shown the scrollbar
        # (Textual ignores a scroll until then: End right after the row count arrived did nothing)
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, force=True)
        elif new >= top + self.visible_rows:
            self.scroll_to(y=new - self.visible_rows + 1, animate=False, force=True)
        self.refresh()

    def watch_cursor_column(self, old: int, new: int) -> None:
        if not self.columns:
            return
        left = self._column_x(new)
        right = left + self.widths[new]
        if left < self.scroll_x + 1:
            self.scroll_to(x=max(0, left - 1), animate=False)
        elif right > self.scroll_x + self.size.width:
            self.scroll_to(x=right - self.size.width + 1, animate=False)
        self.refresh()

    def _move_to(self, row: int) -> None:
        last = max(0, self.row_count - 1)
        self.cursor_row = max(0, min(last, row))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor_row + delta)

    def action_page(self, delta: int) -> None:
        self._move_to(self.cursor_row + delta * self.visible_rows)

    def action_edge(self, end: int) -> None:
        self._move_to(self.row_count - 1 if end else 0)

    def action_column(self, delta: int) -> None:
        if self.columns:
            self.cursor_column = max(0, min(len(self.columns) - 1, self.cursor_column + delta))

    def action_select(self) -> None:
        row = self.row_at(self.cursor_row)
        if row is not None:
            self.post_message(self.Selected(self, row.key))

    def _column_at(self, x: int) -> int | None:
        x += int(self.scroll_x)
        for i in range(len(self.columns)):
            left = self._column_x(i)
            if left <= x < left + self.widths[i] + GAP:
                return i
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self._column_at(offset.x)
        if offset.y == 0:
            if column is not None:
                self.post_message(self.HeaderClicked(self, self.columns[column]))
            return
        index = int(self.scroll_y) + offset.y - 1
        if index < self.row_count:
            self._move_to(index)
            if column is not None:
                self.cursor_column = column
            if event.chain >= 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()
