"""Benchmark of the TUI's record table on 1,000,000+ internships (SQLite).

    .venv/bin/python bench/tui.py [--db bench/out/tui-1m.db] [--rebuild]

Builds the database once with ``xiaoqi demo --size large`` (cached under bench/out/), then runs the
app headless (Textual's pilot, 160x50) straight on the internships screen and prints:

- first paint: from starting the app to the first page of rows on screen (target < 0.5 s), and
  when the row count arrives (counted in its own worker, it does not hold the rows back);
- a page scroll (PageDown) near the top, a jump to the last row (End: one OFFSET read), and a
  page scroll up from there (a keyset read), each until the rows are on screen;
- the same after sorting by a column without an index (the database sorts 1M rows once);
- opening another large screen (students) from inside the running app, until its rows show;
- the reference: the raw first-page query ``SELECT * FROM internships ORDER BY id LIMIT 100``,
  measured in the same run, and each timing as a ratio to it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

from large_db import build  # bench/ is the script directory, first on sys.path

HERE = Path(__file__).parent
DEFAULT_DB = HERE / "out" / "tui-1m.db"


async def _until(pilot, condition, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the table did not show its rows")
        await asyncio.sleep(0.002)
    await pilot.pause()
    return time.perf_counter() - started


def _visible_loaded(table) -> bool:
    top = int(table.scroll_y)
    return all(table.row_at(i) is not None for i in range(top, min(top + table.visible_rows, table.row_count)))


async def measure(url: str) -> dict[str, float]:
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine
    from xiaoqi.tui.app import XiaoqiApp
    from xiaoqi.tui.widgets.paged_table import PagedTable

    engine = make_engine(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    app = XiaoqiApp(engine, ADMIN, today=dt.date(2026, 11, 23), auto_check=False, start="records-internships")
    async with app.run_test(size=(160, 50)) as pilot:
        table = None
        while table is None:
            tables = app.screen.query(PagedTable)
            table = tables.first() if tables else None
            await asyncio.sleep(0.002)
        await _until(pilot, lambda: table.row_at(0) is not None)
        timings["first paint (app start -> rows on screen)"] = time.perf_counter() - started
        await _until(pilot, lambda: table.total is not None)
        timings["row count shown"] = time.perf_counter() - started
        total = table.total
        table.focus()
        for _ in range(2):  # inside the first page: no read
            await pilot.press("pagedown")
        await pilot.press("pagedown", "pagedown")
        timings["page scroll down (keyset read)"] = await _until(pilot, lambda: _visible_loaded(table))
        began = time.perf_counter()
        await pilot.press("end")
        await _until(pilot, lambda: table.row_at(total - 1) is not None)
        timings["jump to the last row (offset read)"] = time.perf_counter() - began
        began = time.perf_counter()
        for _ in range(3):
            await pilot.press("pageup")
        await _until(pilot, lambda: _visible_loaded(table))
        timings["page scroll up from the end (keyset read)"] = time.perf_counter() - began
        began = time.perf_counter()
        app.screen.order_by = "end_on"
        app.screen.reload()
        await _until(pilot, lambda: table.row_at(0) is not None)
        timings["sort by an unindexed column (end_on)"] = time.perf_counter() - began
        began = time.perf_counter()
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        await _until(pilot, lambda: _visible_loaded(table))
        timings["page scroll down, sorted (keyset read)"] = time.perf_counter() - began
        timings["rows held in memory"] = table.loaded_rows
        began = time.perf_counter()
        app.open_section("records-students")  # a screen opened from inside the running app
        students = None
        while students is None or students.row_at(0) is None:
            tables = app.screen.query(PagedTable)
            students = tables.first() if tables and app.screen.section == "records-students" else None
            await asyncio.sleep(0.002)
        await pilot.pause()
        timings["open the students screen (switch -> rows on screen)"] = time.perf_counter() - began
    timings["internships"] = total
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
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
    engine.dispose()

    timings = asyncio.run(measure(url))
    print(f"internships: {timings.pop('internships'):,}; rows held by the table: {timings.pop('rows held in memory'):,}")
    print(f"reference (first-page query, raw SQL): {reference * 1000:.1f} ms")
    for name, seconds in timings.items():
        print(f"{name:<46} {seconds * 1000:8.1f} ms   x{seconds / reference:,.0f} reference")
    first = timings["first paint (app start -> rows on screen)"]
    print(("OK" if first < 0.5 else "SLOW") + f": first paint {first:.3f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()
