"""Every string the TUI shows comes from the catalogue, in both languages: a key used under tui/
that is missing in either language fails here, and so does Chinese text of the UI's own on an
English screen (an empty database, so no Chinese data is shown)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from xiaoqi.core.i18n import MESSAGES, placeholders
from xiaoqi.core.kinds import get_kinds
from xiaoqi.tui.dialogs.filters import FilterDialog
from xiaoqi.tui.dialogs.record_form import RecordForm

from .tui_helpers import SIZE, make_app, screen_text, settle

TUI = Path(__file__).resolve().parents[2] / "tui"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_every_key_used_under_tui_exists_in_both_languages():
    used = set()
    for path in TUI.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"(tui\.[a-z0-9_.]+)"', source))
        used |= {f"{k}.tip" for k in re.findall(r'key\([^)]*?"(tui\.[a-z0-9_.]+)"', source)}
    used |= {f"tui.col.{n}" for n in ("row", "column", "value", "reason")} | {f"tui.nav.{g}" for g in ("records", "plugins")}
    assert len(used) > 100
    missing = sorted(k for k in used if k not in MESSAGES)
    assert not missing, f"keys without a translation: {missing}"
    for k in used:
        zh, en = MESSAGES[k]["zh"], MESSAGES[k]["en"]
        assert zh.strip() and en.strip(), k
        assert placeholders(zh) == placeholders(en), k
        assert not CJK.search(en), f"{k}: Chinese in the English text"


def test_english_screens_show_no_chinese(xiaoqi_db_url):
    asyncio.run(check_english(xiaoqi_db_url))


async def check_english(url):
    from types import SimpleNamespace

    from xiaoqi.tui.screens.records import RecordsScreen

    app = make_app(url, lang="en", auto_check=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 5)
        seen = []
        # A records screen is one class for every kind; what differs from kind to kind is the
        # kind's name and its columns' headers. Those are read for every kind (all the columns,
        # not only those a 160-column screen shows); the screen itself is shown for one kind per
        # plugin (the core's included) and for each kind that cannot be written (no n/e/d keys).
        # The form and the filters are the same widgets for every kind: those of one kind per
        # plugin are shown (the labels differ).
        shown: set = set()
        formed: set = set()
        for section in app.sections:
            if section.group == "plugins":
                continue  # a plugin's own screen is the plugin's to translate
            kind = get_kinds()[section.name] if section.group == "records" else None
            if kind is not None:
                texts = [kind.label(), *(c.header for c in RecordsScreen.columns(SimpleNamespace(kind=kind)))]
                seen.append((section.id + " (its name and headers)", "\n".join(texts)))
                if kind.plugin in shown and kind.writable:
                    continue
                shown.add(kind.plugin)
            app.open_section(section.id)
            await settle(pilot)
            seen.append((section.id, screen_text(app)))
            plugin = getattr(getattr(app.screen, "kind", None), "plugin", None)
            if section.id.startswith("records-") and app.screen.kind.writable and (plugin is None or plugin not in formed):
                formed.add(plugin)
                await pilot.press("n")
                await pilot.pause()
                assert isinstance(app.screen, RecordForm)
                await pilot.press("ctrl+s")  # every required field empty: one error each
                await pilot.pause()
                seen.append((section.id + " form", screen_text(app)))
                await pilot.press("escape")
                await pilot.press("f")
                await pilot.pause()
                assert isinstance(app.screen, FilterDialog)
                seen.append((section.id + " filters", screen_text(app)))
                await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        seen.append(("palette", screen_text(app)))
    headed = {name.split()[0] for name, _ in seen if name.endswith("(its name and headers)")}
    assert headed == {s.id for s in app.sections if s.group == "records"}, headed
    assert len({name for name, _ in seen if name.startswith("records-") and " " not in name}) >= 8  # screens shown
    assert any("No records. Press n to add one" in text for _, text in seen)
    assert any("This field is required" in text or "required" in text.lower() for name, text in seen if name.endswith("form"))
    for name, text in seen:
        chinese = [c for c in CJK.findall(text) if c != "、"]  # 、 is data: the list separator files use
        assert not chinese, f"{name}: {''.join(chinese)[:80]}\n{text}"
