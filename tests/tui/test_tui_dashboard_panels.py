"""The dashboard's reminder window is N days (``--remind-days``, ``[dashboard] remind_days`` of
xiaoqi.toml, else 30), shown in the panel's title; the quota panel keeps each enterprise's bar and
share whole, its names taking the rest of the panel, the bar growing with the panel."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from xiaoqi.core.cli import cli
from xiaoqi.core.config import remind_days
from xiaoqi.core.errors import UsageError
from xiaoqi.tui.widgets.panels import CountsPanel, ExpiringPanel, QuotaPanel

from .tui_helpers import SIZE, TODAY, make_app, screen_text, wait_for


def _due(url: str) -> list[tuple[str, int]]:
    """The policies and the reservations still holding places, with the days from TODAY to their end."""
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    rows = db.execute("SELECT reservation_no, expires_on FROM quota_reservations WHERE status = '预留中' AND expires_on >= ? "
                      "UNION ALL SELECT policy_no, end_on FROM policies WHERE end_on >= ?",
                      (TODAY.isoformat(), TODAY.isoformat())).fetchall()
    return [(no, (dt.date.fromisoformat(on) - TODAY).days) for no, on in rows]


@pytest.mark.parametrize("days", [None, 45, 120])
def test_the_reminder_window_is_n_days_and_its_title_says_so(demo_db, days):
    url, _manifest = demo_db
    window = days or 30
    due = _due(url)
    inside = [no for no, left in due if left <= window]
    outside = [no for no, left in due if left > window]

    async def run():
        app = make_app(url, auto_check=False, **({"remind_days": days} if days else {}))
        async with app.run_test(size=SIZE) as pilot:
            panel = app.screen.query_one(ExpiringPanel)
            await wait_for(pilot, lambda: app.screen.summary is not None, what="the dashboard's figures")
            assert panel.border_title == f"{window} 天内到期：保单与名额预留"
            assert app.screen.summary.expiring_days == window
            figures = app.screen.summary
            listed = ({r["reservation_no"] for r in figures.expiring_reservations}
                      | {p["policy_no"] for p in figures.expiring_policies})
            assert listed == set(inside)
            assert not listed & set(outside)
            assert f"{window} 天内到期" in screen_text(app)

    asyncio.run(run())
    assert any(left > 30 for _no, left in due) and any(left <= 30 for _no, left in due)  # the demo tells them apart


def test_the_window_comes_from_the_configuration_and_a_bad_one_is_named():
    assert remind_days(None) == 30 and remind_days({"dashboard": {"remind_days": 60}}) == 60
    for bad in (0, 400, "45", True):
        with pytest.raises(UsageError, match=r"\[dashboard\] remind_days"):
            remind_days({"dashboard": {"remind_days": bad}})


def test_tui_takes_remind_days_per_run_and_refuses_a_bad_one(demo_db, tmp_path):
    url, _manifest = demo_db
    runner = CliRunner()
    ok = runner.invoke(cli, ["--db", url, "tui", "--remind-days", "45"])  # no terminal here: the summary
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli, ["--db", url, "tui", "--remind-days", "0"])
    assert bad.exit_code == 2 and "--remind-days" in bad.stderr
    config = tmp_path / "xiaoqi.toml"
    config.write_text("[dashboard]\nremind_days = 0\n", encoding="utf-8")
    named = runner.invoke(cli, ["--db", url, "--config", str(config), "tui"])
    assert named.exit_code == 2 and "remind_days" in named.stderr


def test_the_quota_panel_keeps_every_bar_and_share_whole(demo_db):
    url, _manifest = demo_db

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            panel = app.screen.query_one(QuotaPanel)
            await wait_for(pilot, lambda: app.screen.summary is not None and getattr(panel, "summary", None) is not None,
                           what="the quota panel")
            uses = app.screen.summary.quota_use
            assert uses
            shown = screen_text(app)
            for q in uses[:10]:  # the rows the panel has room for
                share = q["placed"] / q["quota"] if q["quota"] else 0
                assert f"{share:>4.0%}" in shown
            # no bar is cut: each shown row ends in its share
            rows = [line for line in shown.splitlines() if "░" in line or "█" in line and "%" in line]
            assert rows and all("…" not in line.split("%")[0].rsplit(" ", 2)[-1] for line in rows if "%" in line)
            narrow = panel.bar_length(panel.size.width)
            assert QuotaPanel.BAR_MIN <= narrow < panel.bar_length(panel.size.width + 40) <= QuotaPanel.BAR

    asyncio.run(run())


def test_status_reminds_within_the_same_window(demo_db, tmp_path):
    """`xiaoqi status` (the TUI's headless face) reminds within the configured window too."""
    import json

    url, _manifest = demo_db
    runner = CliRunner()
    default = runner.invoke(cli, ["--db", url, "status", "--format", "json"])
    assert default.exit_code == 0 and json.loads(default.stdout)["remind_days"] == 30
    config = tmp_path / "xiaoqi.toml"
    config.write_text("[dashboard]\nremind_days = 120\n", encoding="utf-8")
    wide = runner.invoke(cli, ["--db", url, "--config", str(config), "status", "--format", "json"])
    data = json.loads(wide.stdout)
    assert data["remind_days"] == 120
    assert len(data["expiring_policies"]) >= len(json.loads(default.stdout)["expiring_policies"])
    text = runner.invoke(cli, ["--db", url, "--config", str(config), "status"]).stdout
    assert "120天内到期的保单" in text


def test_the_quota_panel_shows_the_highest_in_use_and_says_how_many_there_are(demo_db, monkeypatch):
    url, _manifest = demo_db
    monkeypatch.setattr(QuotaPanel, "SHOWN", 2)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            panel = app.screen.query_one(QuotaPanel)
            await wait_for(pilot, lambda: getattr(panel, "summary", None) is not None, what="the quota panel")
            uses = app.screen.summary.quota_use
            assert len(uses) > 2
            text = screen_text(app)
            assert f"仅显示使用率最高的2家，共{len(uses)}家" in text.replace(" ", "")
            top = max(uses, key=lambda q: q["placed"] / q["quota"] if q["quota"] else 0)
            assert top["name"][:6] in text

    asyncio.run(run())


def test_the_quota_panel_is_filled_after_the_counts_panel(demo_db, monkeypatch):
    """The counts, today's internships and the chart show before the quota-use pass; its panel after."""
    url, _manifest = demo_db
    shown: list[tuple[str, int]] = []
    for panel_class in (CountsPanel, QuotaPanel):
        def show(self, figures, _show=panel_class.show, _name=panel_class.__name__):
            shown.append((_name, len(figures.quota_use)))
            _show(self, figures)
        monkeypatch.setattr(panel_class, "show", show)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            panel = app.screen.query_one(QuotaPanel)
            await wait_for(pilot, lambda: getattr(panel, "summary", None) is not None, what="the quota panel")
            assert app.screen.summary.active_internships > 0 and app.screen.summary.quota_use

    asyncio.run(run())
    # the counts panel drew figures without quota use yet; the quota panel, later, drew them with it
    assert [name for name, _ in shown[:2]] == ["CountsPanel", "QuotaPanel"]
    assert shown[0][1] == 0 and shown[1][1] > 0
