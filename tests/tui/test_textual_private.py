"""The two private Textual attributes the TUI relies on, pinned and guarded.

- ``_css_update_count`` (``XiaoqiApp._styled``): a new section's screen is marked as styled by the
  current stylesheet, so that switching to it does not restyle the whole app twice;
- ``_bindings.key_to_bindings`` (``xiaoqi.tui.bindings.translate_bindings``): binding texts are
  swapped for the running language when a screen is built;
- ``FooterKey`` (``textual.widgets._footer``) and its ``_reactive_connect`` (``xiaoqi.tui.widgets.footer``):
  a key bound to the footer's ``compact`` is given that value before it is mounted, so that it is
  styled once.

The Textual versions these were checked against are pinned in pyproject.toml (``textual>=A,<B``);
before widening the pin, run these tests against the new Textual."""

from __future__ import annotations

import asyncio
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.screen import Screen
from textual.widgets import Static

from xiaoqi.core.i18n import reset_lang, set_lang
from xiaoqi.tui.bindings import key, translate_bindings

from .tui_helpers import SIZE, make_app, settle

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_textual_is_pinned_to_the_versions_checked_here():
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    textual = next(Requirement(d) for d in deps if Requirement(d).name == "textual")
    uppers = [s for s in textual.specifier if s.operator == "<"]
    assert uppers, f"textual must have an upper bound while private attributes are used: {textual}"
    assert Version(version("textual")) in textual.specifier


def test_css_update_count_is_the_counter_the_screen_switch_compares():
    assert isinstance(App()._css_update_count, int)
    assert Screen()._css_update_count == -1  # a new screen starts out of date: the cost avoided
    source = inspect.getsource(App)
    assert "screen._css_update_count != self._css_update_count" in source
    assert "self.refresh_css()" in source


def test_a_section_screen_is_styled_once_and_shows_the_stylesheet(demo_db):
    url, _manifest = demo_db
    asyncio.run(check_section_styled(url))


async def check_section_styled(url):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        restyles = []
        original = app.refresh_css
        app.refresh_css = lambda *a, **kw: (restyles.append(a), original(*a, **kw))[1]
        app.open_section("records-students")
        await settle(pilot)
        screen = app.screen
        assert screen._css_update_count == app._css_update_count
        assert restyles == []
        # app.tcss reached the new screen's widgets all the same
        assert screen.query_one("#sidebar").styles.width.value == 24
        assert screen.query_one(".screen-title").styles.text_style.bold


class _Node(Static):
    BINDINGS = [key("n", "new", "tui.key.new", id="xiaoqi.test.new")]


def test_bindings_map_is_what_translate_bindings_rewrites():
    token = set_lang("en")
    try:
        node = _Node()
        assert isinstance(node._bindings, BindingsMap)
        assert all(isinstance(k, str) and all(isinstance(b, Binding) for b in v)
                   for k, v in node._bindings.key_to_bindings.items())
        translate_bindings(node)
        (binding,) = node._bindings.key_to_bindings["n"]
        assert binding.description == "New" and binding.tooltip and binding.tooltip != "tui.key.new.tip"
        # what Textual shows (the footer, the key panel) reads the same map
        assert [b.description for b in node._bindings.shown_keys] == ["New"]
    finally:
        reset_lang(token)


def test_footer_keys_are_styled_once_and_look_as_textual_draws_them(demo_db):
    url, _manifest = demo_db
    asyncio.run(check_footer_keys(url))


async def check_footer_keys(url):
    from textual.widgets import Footer as TextualFooter
    from textual.widgets._footer import FooterKey

    app = make_app(url, auto_check=False, start="records-internships")
    restyled = []
    original = app.update_styles
    app.update_styles = lambda node, *a, **kw: (restyled.append(node), original(node, *a, **kw))[1]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first_restyles = len(restyled)
        footer = app.screen.query_one(TextualFooter)
        keys = list(footer.query(FooterKey))
        # every key but the palette's is bound to the footer's compact (Textual drops the binding's
        # record once it is made: it was read before the key was mounted)
        bound = [k for k in keys if not k.has_class("-command-palette")]
        assert bound and len(bound) == len(keys) - 1
        assert all(k.compact == footer.compact and k.has_class("-compact") == footer.compact for k in bound)
        footer.compact = not footer.compact  # the binding still holds
        await pilot.pause()
        assert all(k.compact == footer.compact and k.has_class("-compact") == footer.compact for k in bound)
        palette = next(k for k in keys if k not in bound)
        assert palette.compact and palette.has_class("-compact")
        restyled_at_start = [node for node in restyled[:first_restyles] if node in bound]
        assert not restyled_at_start
