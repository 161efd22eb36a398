"""Benchmark of the TUI's record table on 1,000,000+ internships (SQLite).

    .venv/bin/python bench/tui.py [--db bench/out/tui-1m.db] [--rebuild] [--runs 5]

Builds the database once with ``xiaoqi demo --size large`` (cached under bench/out/), then runs the
app headless (Textual's pilot, 160x50) straight on the internships screen, ``--runs`` times, and
prints the minimum and the median of each figure:

- first paint: from starting the app to the first frame that shows the first page of rows (target
  < 0.5 s), and the same less the start of a bare Textual app (one Static) measured in the same run;
  when the row count arrives (counted in its own worker, it does not hold the rows back), and when
  the app is idle again after the first paint;
- a page scroll (PageDown) over rows already read, and one into the next page, a jump to the last
  row (End: the last page, read in reverse from the end), and a page scroll up from there; the table reads the page a screen
  beyond the view by keyset while the user looks at the current one, so a page scroll does not wait
  for the database unless it outruns that read;
- sorting by a column without an index (the database sorts 1M rows for the first page), and a page
  scroll in that order (each keyset read there scans the table, ~0.2 s, read ahead as well);
- opening another large screen (students) from inside the running app, until its rows show;
- the dashboard (a new app started on it): from the app's start until the counts panel shows its
  figures with today's active internships, and until the monthly chart shows its bars (target: both
  within 1 s), beside the reference COUNT of today's active internships over the date index;
- the reference: the raw first-page query ``SELECT * FROM internships ORDER BY id LIMIT 100``,
  measured in the same run, and each timing as a ratio to it;
- when tmux is installed: the whole command in a real terminal, ``xiaoqi tui --open internships``
  from the shell to the first rows on the screen (capture-pane every 10 ms), which adds Python's
  start and the imports (SQLAlchemy, Textual, the plugins) to the app's own first paint.

"Shows" means written to the (headless) terminal: after each paint of the table the benchmark
checks whether every row in view has been read, and takes the time in a callback that runs once the
compositor has finished that frame (Textual renders a frame and writes it in one go). Each action
is timed from just before it: a key press, not the pilot's waiting for the app to go idle that
follows every press.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import datetime as dt
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from large_db import build  # bench/ is the script directory, first on sys.path
from terminal import time_to_screen

HERE = Path(__file__).parent
DEFAULT_DB = HERE / "out" / "tui-1m.db"
FIRST_PAINT = "first paint (app start -> rows on screen)"
BARE_START = "first paint of a bare Textual app (same run)"
DASH_COUNTS = "dashboard: counts and today's active shown (app start ->)"
DASH_CHART = "dashboard: monthly chart shown (app start ->)"
ACTIVE_SQL = "SELECT COUNT(*) FROM internships WHERE start_on <= '2026-11-23' AND end_on >= '2026-11-23'"


def _visible_loaded(table) -> bool:
    top = int(table.scroll_y)
    end = min(top + table.visible_rows, table.row_count)
    return end > top and all(table.row_at(i) is not None for i in range(top, end))


class FrameProbe:
    """The time the first frame satisfying a condition was written (see the module docstring)."""

    def __init__(self, widget_class: type) -> None:
        self.condition: Callable | None = None
        self.shown_at: float | None = None
        self.widget_class = widget_class
        self.original = original = widget_class.render_lines
        probe = self

        def render_lines(widget, crop):
            lines = original(widget, crop)
            if probe.condition is not None and probe.condition(widget):
                probe.condition = None
                asyncio.get_running_loop().call_soon(probe._stamp)
            return lines

        widget_class.render_lines = render_lines

    def close(self) -> None:
        self.widget_class.render_lines = self.original

    def _stamp(self) -> None:
        self.shown_at = time.perf_counter()

    def expect(self, condition: Callable) -> None:
        """Arm the probe: ``condition(widget)`` is checked after each paint of a widget."""
        self.shown_at = None
        self.condition = condition

    async def shown(self, timeout: float = 60.0) -> float:
        started = time.perf_counter()
        while self.shown_at is None:
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the table did not show its rows")
            await asyncio.sleep(0.001)
        return self.shown_at


async def bare_start() -> float:
    """From starting an app of one Static to its first frame: Textual's own share of a first paint."""
    from textual.app import App
    from textual.widgets import Static

    class Marker(Static):
        pass

    class Bare(App):
        def compose(self):
            yield Marker("xiaoqi")

    probe = FrameProbe(Marker)
    probe.expect(lambda widget: True)
    started = time.perf_counter()
    async with Bare().run_test(size=(160, 50)) as pilot:
        shown = await probe.shown()
        await pilot.pause()
    probe.close()
    return shown - started


async def measure(url: str) -> dict[str, float]:
    from xiaoqi.core.db import make_engine
    from xiaoqi.tui.widgets.paged_table import PagedTable

    engine = make_engine(url)
    probe = FrameProbe(PagedTable)
    try:
        return await _measure(engine, probe)
    finally:
        probe.close()
        engine.dispose()


async def _measure(engine, probe: FrameProbe) -> dict[str, float]:
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.tui.app import XiaoqiApp
    from xiaoqi.tui.widgets.paged_table import PagedTable

    timings: dict[str, float] = {}

    def on(section: str, moved_from: int | None = None) -> Callable:
        """The condition "the table of ``section`` shows the rows in view" (and has scrolled)."""
        return lambda table: (getattr(table.screen, "section", None) == section and _visible_loaded(table)
                              and (moved_from is None or int(table.scroll_y) != moved_from))

    async def timed(name: str, table, key: str) -> None:
        probe.expect(on(table.screen.section, int(table.scroll_y)))
        began = time.perf_counter()
        await pilot.press(key)
        timings[name] = await probe.shown() - began
        await pilot.pause()

    probe.expect(on("records-internships"))
    started = time.perf_counter()
    app = XiaoqiApp(engine, ADMIN, today=dt.date(2026, 11, 23), auto_check=False, start="records-internships")
    async with app.run_test(size=(160, 50)) as pilot:
        timings[FIRST_PAINT] = await probe.shown() - started
        table = app.screen.query_one(PagedTable)
        while table.total is None:
            await asyncio.sleep(0.001)
        timings["row count shown"] = time.perf_counter() - started
        await pilot.pause()
        timings["app idle after the first paint"] = time.perf_counter() - started
        total = table.total
        table.focus()
        await pilot.pause()
        await timed("page scroll down (rows already read)", table, "pagedown")
        await pilot.press("pagedown")
        await timed("page scroll down into the next page (read ahead)", table, "pagedown")
        await timed("jump to the last row (read from the end)", table, "end")
        assert table.row_at(total - 1) is not None
        await pilot.press("pageup")
        await timed("page scroll up from the end (read ahead)", table, "pageup")

        probe.expect(on("records-internships"))
        began = time.perf_counter()
        app.screen.order_by = "end_on"
        app.screen.reload()
        timings["sort by an unindexed column (end_on)"] = await probe.shown() - began
        await pilot.pause()
        await pilot.press("pagedown", "pagedown")
        await timed("page scroll down, sorted (read ahead)", table, "pagedown")
        timings["rows held in memory"] = table.loaded_rows

        probe.expect(on("records-students"))
        began = time.perf_counter()
        app.open_section("records-students")  # a screen opened from inside the running app
        timings["open the students screen (switch -> rows on screen)"] = await probe.shown() - began
        await pilot.pause()
    timings["internships"] = total
    return timings


async def dashboard(url: str) -> dict[str, float]:
    """The dashboard from the app's start: when the counts panel (with today's active
    internships) shows its figures, and when the monthly chart shows its bars."""
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine
    from xiaoqi.tui.app import XiaoqiApp
    from xiaoqi.tui.widgets.panels import CountsPanel, MonthlyChart

    engine = make_engine(url)
    counts, chart = FrameProbe(CountsPanel), FrameProbe(MonthlyChart)
    counts.expect(lambda panel: getattr(panel.screen, "summary", None) is not None)
    chart.expect(lambda panel: bool(getattr(getattr(panel.screen, "summary", None), "monthly_active", None)))
    try:
        started = time.perf_counter()
        app = XiaoqiApp(engine, ADMIN, today=dt.date(2026, 11, 23), auto_check=False, start="dashboard")
        async with app.run_test(size=(160, 50)) as pilot:
            timings = {DASH_COUNTS: await counts.shown() - started, DASH_CHART: await chart.shown() - started}
            await pilot.pause()
        return timings
    finally:
        counts.close()
        chart.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="runs of the app; the minimum and median are shown")
    args = parser.parse_args()
    if args.rebuild or not args.db.exists():
        build(args.db)
    url = f"sqlite:///{args.db.absolute()}"

    from xiaoqi.core.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one() < 1_000_000:
            sys.exit(f"{args.db} holds fewer than 1,000,000 internships; run with --rebuild")
        conn.exec_driver_sql("SELECT * FROM internships ORDER BY id LIMIT 100").fetchall()
        started = time.perf_counter()
        conn.exec_driver_sql("SELECT * FROM internships ORDER BY id LIMIT 100").fetchall()
        reference = time.perf_counter() - started
        conn.exec_driver_sql(ACTIVE_SQL).scalar_one()
        started = time.perf_counter()
        conn.exec_driver_sql(ACTIVE_SQL).scalar_one()
        active_reference = time.perf_counter() - started
    engine.dispose()

    runs = []
    for _ in range(max(1, args.runs)):
        timings = asyncio.run(measure(url))
        timings[BARE_START] = asyncio.run(bare_start())
        timings["first paint less the bare Textual start"] = timings[FIRST_PAINT] - timings[BARE_START]
        timings.update(asyncio.run(dashboard(url)))
        runs.append(timings)
    last = runs[-1]
    print(f"internships: {last['internships']:,}; rows held by the table: {last['rows held in memory']:,}; "
          f"{len(runs)} run(s), minimum and median")
    print(f"reference (first-page query, raw SQL): {reference * 1000:.1f} ms")
    for name in last:
        if name in ("internships", "rows held in memory"):
            continue
        values = [r[name] for r in runs]
        low, median = min(values), statistics.median(values)
        print(f"{name:<52} min {low * 1000:7.1f} ms   median {median * 1000:7.1f} ms   x{median / reference:,.0f} reference")
    if shutil.which("tmux"):
        name = "xiaoqi tui --open internships in tmux (shell -> rows)"
        try:
            cold = [terminal_start(args.db) for _ in range(max(1, args.runs))]
            print(f"{name:<52} min {min(cold) * 1000:7.1f} ms   median {statistics.median(cold) * 1000:7.1f} ms")
        except TimeoutError as exc:  # a loaded machine: the other figures still count
            print(f"{name:<52} not measured: {exc}")
    print(f"reference (today's active internships, one COUNT over the date index): {active_reference * 1000:.1f} ms")
    print(f"machine load: {os.getloadavg()[0]:.1f} (1-minute average; the machine is shared)")
    first = statistics.median(r[FIRST_PAINT] for r in runs)
    print(("OK" if first < 0.5 else "SLOW") + f": first paint {first:.3f} s, median of {len(runs)} (target < 0.5 s)")
    for name in (DASH_COUNTS, DASH_CHART):
        value = statistics.median(r[name] for r in runs)
        print(("OK" if value <= 1.0 else "SLOW") + f": {name} {value:.3f} s, median of {len(runs)} (target <= 1 s; "
              f"x{value / active_reference:,.0f} the active-internships COUNT)")


def terminal_start(db: Path) -> float:
    """Seconds from starting ``xiaoqi tui --open internships`` in a 160x50 tmux terminal to the
    first data row on its screen (a school code at the start of a row, its name beside it)."""
    xiaoqi = Path(sys.executable).with_name("xiaoqi")
    return time_to_screen(f"{xiaoqi} --db {db} tui --open internships", re.compile(r"│ \d{10} +\S"))


if __name__ == "__main__":
    main()
