"""The example plugin through xiaoqi's CLI: its rule, table, import kind, parameter override,
command and demo data — in 浙江 only, and only from their dates."""

import datetime as dt
from decimal import Decimal

from xiaoqi_zhejiang.rules import RULE_ID

ELSEWHERE = "320100"  # 南京: the plugin must not touch it


def keys(xiaoqi_cli, rule):
    result = xiaoqi_cli("check", "--format", "json", "--rule", rule)
    assert result.exit_code in (0, 1), result.stderr
    return {f["subject_key"]: f for f in result.json["findings"]}


def key(internship):
    return f"{internship.id_number}/{internship.uscc}/{internship.start_on}"


def test_safety_training_is_required_in_zhejiang_from_its_date(zhejiang, xiaoqi_cli):
    untrained = zhejiang.internship(start_on=dt.date(2026, 3, 2))
    trained = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2))
    zhejiang.record("zj_safety_trainings", school_code=trained.school_code, id_number=trained.id_number,
                    trained_on=dt.date(2026, 2, 20), hours=8)
    too_short = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2))
    zhejiang.record("zj_safety_trainings", school_code=too_short.school_code, id_number=too_short.id_number,
                    trained_on=dt.date(2026, 2, 20), hours=4)
    too_early = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2))
    zhejiang.record("zj_safety_trainings", school_code=too_early.school_code, id_number=too_early.id_number,
                    trained_on=dt.date(2025, 2, 20), hours=16)
    before_in_force = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2025, 3, 3))
    zhejiang.region = ELSEWHERE
    zhejiang.school()
    elsewhere = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2))
    found = keys(xiaoqi_cli, RULE_ID)
    assert set(found) == {key(untrained), key(too_short), key(too_early)}
    assert not {key(trained), key(before_in_force), key(elsewhere)} & set(found)
    assert found[key(untrained)]["message"] == "2026-03-02 开始岗位实习，此前 365 天内没有岗前安全培训记录（至少 8 学时）"
    assert found[key(too_short)]["numbers"] == {"best_hours": 4, "min_hours": 8, "valid_days": 365}


def test_training_records_come_in_through_the_import_kind(zhejiang, xiaoqi_cli):
    internship = zhejiang.internship(start_on=dt.date(2026, 3, 2))
    assert key(internship) in keys(xiaoqi_cli, RULE_ID)
    added = xiaoqi_cli("records", "add", "岗前安全培训", f"学校代码={internship.school_code}",
                       f"身份证号={internship.id_number}", "培训日期=2026/2/25", "培训学时=8", "培训内容=消防安全")
    assert added.exit_code == 0, added.stderr
    assert key(internship) not in keys(xiaoqi_cli, RULE_ID)
    refused = xiaoqi_cli("records", "add", "zj_safety_trainings", f"school_code={internship.school_code}",
                         f"id_number={internship.id_number}", "trained_on=2026-02-26", "hours=eight")
    assert refused.exit_code == 1 and "培训学时" in refused.stderr


def test_the_pay_floor_is_85_percent_in_zhejiang_from_2026(zhejiang, xiaoqi_cli):
    pay = {"monthly_pay": Decimal("4250.00")}  # 85% of the factory's ¥5,000 post wage
    low = {"monthly_pay": Decimal("4000.00")}  # 80%: the national floor, below 浙江's from 2026
    before = zhejiang.internship(start_on=dt.date(2025, 3, 3), **low)
    after = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2), **low)
    enough = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2), **pay)
    zhejiang.region = ELSEWHERE
    zhejiang.school()
    elsewhere = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 3, 2), **low)
    found = keys(xiaoqi_cli, "INT-PAY-MIN")
    assert set(found) == {key(after)}
    assert Decimal(found[key(after)]["numbers"]["required"]) == Decimal("4250.00")
    assert not {key(before), key(enough), key(elsewhere)} & set(found)
    explained = xiaoqi_cli("check", "--explain", "INT-PAY-MIN", "--region", "33", "--format", "json").json
    values = {p["name"]: p for p in explained["params"]}["min_share"]["values"]
    assert {"value": "0.85", "region": "33", "valid_from": "2026-01-01", "origin": "xiaoqi_zhejiang"} in values


def test_training_due_lists_who_still_needs_training(zhejiang, xiaoqi_cli):
    soon = zhejiang.internship(start_on=dt.date(2026, 3, 10))
    later = zhejiang.internship(student=zhejiang.student(), start_on=dt.date(2026, 6, 1))
    result = xiaoqi_cli("zhejiang", "training-due", "--today", "2026-03-01", "--within", "30", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [(d["id_number"], d["start_on"], d["best_hours"], d["min_hours"]) for d in result.json] == [
        (soon.id_number, "2026-03-10", 0, 8)]
    text = xiaoqi_cli("zhejiang", "training-due", "--today", "2026-05-20", "--within", "30")
    assert "尚需岗前安全培训的学生：1 人" in text.output and later.id_number[:6] in text.output
    assert later.id_number not in text.output  # the ID number is masked


def test_demo_data_fills_the_table_and_its_violations_are_found(tmp_path, xiaoqi_cli):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    made = xiaoqi_cli("demo", "--today", "2026-11-23", db=db)
    assert made.exit_code == 0, made.stderr
    assert "岗前安全培训" in made.output
    found = xiaoqi_cli("check", "--format", "json", "--rule", RULE_ID, db=db)
    assert found.exit_code == 1 and found.json["findings"]
    schools = xiaoqi_cli("records", "list", "schools", "--format", "json", db=db).json
    region = {s["school_code"]: s["region"] for s in schools}
    assert {region[f["school_code"]][:2] for f in found.json["findings"]} == {"33"}


def test_dashboard_panel_counts_who_still_needs_training(zhejiang, xiaoqi_engine):
    import asyncio

    from textual.app import App

    from xiaoqi.core.actors import ADMIN
    from xiaoqi.tui import TuiContext
    from xiaoqi_zhejiang.tui import TrainingPanel

    today = dt.date(2026, 3, 1)
    soon = zhejiang.internship(start_on=today + dt.timedelta(days=10))
    zhejiang.internship(student=zhejiang.student(), start_on=today + dt.timedelta(days=40))  # not within 30 days

    class Host(App):
        def compose(self):
            yield TrainingPanel(TuiContext(xiaoqi_engine, ADMIN, today=today))

    async def shown() -> str:
        app = Host()
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            return str(app.query_one(TrainingPanel).render())

    text = asyncio.run(shown())
    assert "尚需培训：1 人" in text and f"学校 {soon.school_code}：1 人" in text
