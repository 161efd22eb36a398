"""The keyboard is discoverable: the footer shows the keys of the widget that has the focus, every
button has a key that runs what the button runs, and the focused widget always looks focused."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from textual.widgets import Button

from xiaoqi.core.kinds import get_kind
from xiaoqi.tui.dialogs.confirm import Confirm
from xiaoqi.tui.dialogs.filters import FilterDialog
from xiaoqi.tui.dialogs.record_form import RecordForm
from xiaoqi.tui.widgets.sidebar import Sidebar

from .tui_helpers import SIZE, make_app, screen_text, settle, wait_for

ROOT = Path(__file__).resolve().parents[2]


def footer_text(app) -> str:
    """The footer's line (the screen's last)."""
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def _section(pilot, section_id: str):
    app = pilot.app
    app.open_section(section_id)
    await wait_for(pilot, lambda: getattr(app.screen, "section", None) == section_id and app.screen.is_mounted,
                   what=section_id)
    await settle(pilot)
    return app.screen


async def _focus(pilot, widget) -> None:
    widget.focus()
    await wait_for(pilot, lambda: pilot.app.focused is widget, what=f"the focus on {widget!r}")
    await settle(pilot)


def test_the_footer_shows_the_keys_of_the_focused_widget(demo_db):
    url, _manifest = demo_db

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _section(pilot, "records-internships")
            await wait_for(pilot, lambda: screen.table.total is not None, what="the internships")
            await _focus(pilot, screen.table)
            footer = footer_text(app)
            assert all(k in footer for k in ("⏎ 查看", "e 编辑", "d 删除", "s 排序", "= 按此值筛选")), footer
            # the sidebar: its own key, not the table's row keys
            await _focus(pilot, screen.query_one(Sidebar))
            footer = footer_text(app)
            assert "⏎ 打开" in footer and "编辑" not in footer and "删除" not in footer, footer
            await pilot.press("e")  # not offered, and does nothing
            await settle(pilot)
            assert app.screen is screen
            # the search field: Enter searches, Esc goes back to the table; "/" is typed, not a key
            await _focus(pilot, screen.query_one("#search"))
            footer = footer_text(app)
            assert "⏎ 搜索" in footer and "esc 表格" in footer and "/ 搜索" not in footer, footer
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.focused is screen.table, what="the table after Esc")

            compliance = await _section(pilot, "compliance")
            await _focus(pilot, compliance.query_one("#rules"))
            assert "⏎ 看问题" in footer_text(app)
            await _focus(pilot, compliance.query_one("#findings"))
            assert "⏎ 查看" in footer_text(app) and "看问题" not in footer_text(app)

            importer = await _section(pilot, "import")
            await _focus(pilot, importer.query_one("#imp-tree"))
            assert "⏎ 选择文件" in footer_text(app)
            await _focus(pilot, importer.query_one("#imp-path"))
            assert "⏎ 检查文件" in footer_text(app) and "确认导入" not in footer_text(app)

            batches = await _section(pilot, "batches")
            await _focus(pilot, batches.query_one(Sidebar))
            assert "撤销批次" not in footer_text(app)

            # a plugin screen's keys
            luban = await _section(pilot, "plugin-luban")
            await _focus(pilot, luban.query_one("#luban-list"))
            assert "n 新建" in footer_text(app) and "e 编辑" in footer_text(app) and "a 年度数据" in footer_text(app)
            await _focus(pilot, luban.query_one(Sidebar))
            assert "⏎ 打开" in footer_text(app) and "编辑" not in footer_text(app) and "年度数据" not in footer_text(app)

    asyncio.run(run())


def _button_actions(screen) -> dict[str, list]:
    """Every binding of the screen and of the widgets on it: action -> bindings."""
    out: dict[str, list] = {}
    for node in [screen, *screen.query("*")]:
        for bindings in node._bindings.key_to_bindings.values():
            for b in bindings:
                out.setdefault(b.action, []).append(b)
    return out


def _check_buttons(screen, where: str) -> int:
    """Each button of ``screen`` runs an action that a shown key of the screen also runs, and
    while the button can be pressed, that key is in the footer. The number of buttons."""
    bound = _button_actions(screen)
    buttons = list(screen.query(Button))
    for button in buttons:
        assert button.action, f"{where}: button {button.id!r} ({button.label}) runs no action a key could run"
        action = button.action.removeprefix("screen.")
        shown = [b for b in bound.get(action, ()) if b.show]
        assert shown, f"{where}: no key runs {action!r}, what button {button.id!r} runs"
        was = button.display
        button.display = True  # a button shown only after a check (the import's write) is checked too
        active = {b.binding.action: b for b in screen.active_bindings.values() if b.binding.show}
        button.display = was
        if not button.disabled:
            assert action in active, f"{where}: the key of button {button.id!r} is not in the footer"
    return len(buttons)


def test_every_button_in_the_source_runs_an_action():
    """Also buttons of screens the pilot test does not open: each ``Button(`` names its action,
    which a key of its screen runs (checked by the walk below for the screens it opens)."""
    files = [*ROOT.joinpath("tui").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]
    calls = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\bButton\((.*?)\)\s*$", text, re.M | re.S):
            calls.append((path.relative_to(ROOT), match.group(1)))
    assert calls, "no buttons found: the pattern is out of date"
    missing = [f"{path}: Button({args[:60]}…)" for path, args in calls if "action=" not in args]
    assert not missing, "buttons without an action (and so without a key):\n" + "\n".join(missing)


def _look(app, widget) -> list[tuple]:
    """What the terminal shows in the widget's region: each line's text and styles."""
    r = widget.region
    strips = app.screen._compositor.render_strips()
    return [tuple((s.text, s.style) for s in strip.crop(r.x, r.right).simplify()) for strip in strips[r.y:r.bottom]]


async def _tab_through(pilot, screen, where: str, stops: int = 40) -> list[str]:
    """Tab from widget to widget until the focus comes round again: each focused widget is on
    the screen, on top (the widget found at its middle is it or inside it), and looks different
    once the focus has left it (for the next Tab stop, or for none where it is the only one).
    The widgets visited."""
    app, seen = pilot.app, []
    previous = shown = None  # the last widget Tab focused, and how it looked focused

    def name_of(widget) -> str:
        return f"{where}: {type(widget).__name__}#{widget.id}"

    for _ in range(stops):
        await pilot.press("tab")
        await settle(pilot, 1)
        focused = screen.focused
        if previous is not None and focused is previous:  # the only stop: the focus taken off it
            screen.set_focus(None)
            await settle(pilot, 1)
        if previous is not None:
            assert _look(app, previous) != shown, f"{name_of(previous)} looks the same with and without the focus"
        if focused is None or focused in seen:
            break
        seen.append(focused)
        region = focused.region
        assert region.area and screen.region.contains_region(region), f"{name_of(focused)} is not on the screen ({region})"
        on_top, _ = screen.get_widget_at(*region.center)
        assert on_top is focused or focused in on_top.ancestors, f"{name_of(focused)} is hidden under {on_top!r}"
        previous, shown = focused, _look(app, focused)
    assert seen, f"{where}: Tab focuses nothing"
    return [f"{type(w).__name__}#{w.id}" for w in seen]


def test_every_button_has_a_key_in_the_footer_and_tab_shows_where_the_focus_is_on_every_screen(demo_db):
    """One walk over the screens and dialogs: on each, as it opens, every button's key is in its
    footer (``_check_buttons``); then Tab goes round its widgets (``_tab_through``)."""
    url, _manifest = demo_db
    internship = "/".join(str(v) for v in __import__("sqlite3").connect(url.removeprefix("sqlite:///")).execute(
        "SELECT id_number, uscc, start_on FROM internships ORDER BY id LIMIT 1").fetchone())

    async def run():
        app = make_app(url, auto_check=False)
        visited, counted = {}, 0
        async with app.run_test(size=SIZE) as pilot:
            # every screen but one of the record kinds' (one class, built alike for each kind)
            sections = [s for s in app.sections if s.group != "records"] + [app.sections[1]]
            for section in sections:
                screen = await _section(pilot, section.id)
                counted += _check_buttons(screen, section.id)
                visited[section.id] = await _tab_through(pilot, screen, section.id)
            app.open_record("internships", internship)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "RecordDetailScreen" and app.screen.values,
                           what="the internship")
            await settle(pilot)
            assert app.focused.id == "detail-fields"  # a record opens with its fields in focus
            counted += _check_buttons(app.screen, "detail")
            visited["detail"] = await _tab_through(pilot, app.screen, "detail")
            kind = get_kind("schools")  # the dialogs' buttons are the same for every kind
            for dialog in (RecordForm(app.engine, app.actor, kind), FilterDialog(kind, {}), Confirm("?")):
                app.push_screen(dialog)
                await wait_for(pilot, lambda: app.screen is dialog and dialog.is_mounted, what=type(dialog).__name__)
                await settle(pilot)
                counted += _check_buttons(dialog, type(dialog).__name__)
                visited[type(dialog).__name__] = await _tab_through(pilot, dialog, type(dialog).__name__)
                app.pop_screen()
                await settle(pilot)
            assert counted >= 10
            # the keys do what the buttons do: y answers yes, n no
            answers = []
            app.push_screen(Confirm("?"), answers.append)
            await settle(pilot)
            await pilot.press("y")
            app.push_screen(Confirm("?"), answers.append)
            await settle(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: len(answers) == 2, what="two answers")
            assert answers == [True, False]
        # the walk reached the kinds of widget each screen has
        assert "Sidebar#sidebar" in visited["dashboard"] and "PagedTable#records" in visited[app.sections[1].id]
        assert {"Select#imp-kind", "Input#imp-path", "Button#imp-check"} <= set(visited["import"])
        assert any(w.startswith("VerticalScroll#detail") for w in visited["detail"])
        assert {"Button#save", "Button#cancel"} <= set(visited["RecordForm"])

    asyncio.run(run())
