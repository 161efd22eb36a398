"""The IC-… rules on SQLite and PostgreSQL: for each, a case it reports (positive), a case it lets
pass (negative) and the edge where one becomes the other (boundary); parameters without a national
figure switch their rule off until xiaoqi.toml sets them, per region and from a date; findings
follow --school / --enterprise and the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from xiaoqi.testing import XiaoqiFactory

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
pytestmark = BOTH
CODE = "CY-T"


@dataclass
class World:
    """One operating college founded 2022-03-01 by ``school``, with ``firm`` as enterprise partner
    from the same day, and a partner school."""

    factory: XiaoqiFactory
    school: object
    other_school: object
    firm: object

    def college(self, code: str = CODE, **values):
        return self.factory.record("ic_colleges", **{
            "code": code, "name": f"测试产业学院{code}", "lead_school_code": self.school.school_code, "type": "职业院校产业学院",
            "industry_chain": "集成电路产业链", "location": "校内", "founded_on": dt.date(2022, 3, 1), "status": "运行", **values})

    def partner(self, firm=None, code: str = CODE, **values):
        firm = firm or self.firm
        return self.factory.record("ic_partners", **{
            "college_code": code, "partner_code": firm.uscc, "partner_type": "企业", "role": "共建",
            "joined_on": dt.date(2022, 3, 1), **values})

    def invest(self, year: int, firm=None, code: str = CODE):
        firm = firm or self.firm
        self.factory.record("ic_investments", college_code=code, uscc=firm.uscc, year=year, category="现金",
                            amount=Decimal("10000.00"), evidence=f"HT-{year}-{firm.uscc[-4:]}")


@pytest.fixture
def world(xiaoqi_factory) -> World:
    school, other = xiaoqi_factory.school(), xiaoqi_factory.school()
    firm = xiaoqi_factory.enterprise()
    xiaoqi_factory.agreement(school=school, enterprise=firm, kind="产业学院")
    w = World(xiaoqi_factory, school, other, firm)
    w.college()
    w.partner()
    w.factory.record("ic_partners", college_code=CODE, partner_code=other.school_code, partner_type="学校", role="参与",
                     joined_on=dt.date(2022, 3, 1))
    return w


@pytest.fixture
def check(xiaoqi_cli, tmp_path):
    """``check(rule, as_of, *args, params={...})`` → (findings, the whole JSON); ``params`` go into
    an xiaoqi.toml as ``[params."RULE"]``."""

    def run(rule: str, as_of: str, *args, params: str | None = None, actor: str | None = None):
        head = []
        if params is not None:
            config = tmp_path / "xiaoqi.toml"
            config.write_text(f'[params."{rule}"]\n{params}\n', encoding="utf-8")
            head += ["--config", config]
        if actor:
            head += ["--as", actor]
        result = xiaoqi_cli(*head, "check", "--rule", rule, "--as-of", as_of, "--format", "json", *args)
        assert result.exit_code in (0, 1), result.stderr
        return result.json["findings"], result.json

    return run


def keys(findings, *numbers) -> list:
    return [(f["subject_key"], *(f["numbers"][n] for n in numbers)) for f in findings]


# -- IC-NO-ENTERPRISE -------------------------------------------------------------------------------

def test_no_enterprise_reports_an_operating_college_whose_partners_left(world, check):
    world.factory.record("ic_colleges", code="CY-S", name="只有学校的学院", lead_school_code=world.school.school_code,
                         type="企业学院", industry_chain="链", location="企业", founded_on=dt.date(2023, 1, 1), status="运行")
    findings, data = check("IC-NO-ENTERPRISE", "2026-01-10")
    assert keys(findings) == [("CY-S",)] and data["counts"]["errors"] == 1
    assert findings[0]["severity"] == "error" and findings[0]["school_code"] == world.school.school_code
    assert "没有在合作期内的企业合作方" in findings[0]["message"]


def test_no_enterprise_lets_a_college_in_preparation_or_with_a_partner_pass(world, check):
    world.college("CY-P", status="筹建")  # no partner yet, and not operating
    assert check("IC-NO-ENTERPRISE", "2026-01-10")[0] == []


def test_no_enterprise_boundary_is_the_day_the_partner_leaves(world, xiaoqi_engine, check):
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import write_session
    from xiaoqi.core.services import update_record

    with write_session(xiaoqi_engine) as session:
        update_record(session, actor=ADMIN, kind="ic_partners", key=f"{CODE}/{world.firm.uscc}", changes={"left_on": "2026-01-10"})
    assert check("IC-NO-ENTERPRISE", "2026-01-09")[0] == []  # the last day of the partnership
    assert keys(check("IC-NO-ENTERPRISE", "2026-01-10")[0]) == [(CODE,)]  # gone from the day it leaves
    newcomer = world.factory.enterprise()
    world.partner(newcomer, joined_on=dt.date(2026, 1, 10))
    assert check("IC-NO-ENTERPRISE", "2026-01-10")[0] == []  # a partner from the day it joins


# -- IC-INVESTMENT-MISSING ----------------------------------------------------------------------------

def test_investment_missing_reports_each_completed_year_without_a_line(world, check):
    for year in (2022, 2024):
        world.invest(year)
    findings, _ = check("IC-INVESTMENT-MISSING", "2026-03-01")
    assert keys(findings, "year") == [(f"{CODE}/{world.firm.uscc}", 2023), (f"{CODE}/{world.firm.uscc}", 2025)]
    assert findings[0]["severity"] == "warning" and findings[0]["uscc"] == world.firm.uscc
    assert "2023 年是产业学院「测试产业学院CY-T」的合作企业，但该年没有登记投入" in findings[0]["message"]


def test_investment_missing_passes_when_every_year_has_investment(world, check):
    for year in (2022, 2023, 2024, 2025):
        world.invest(year)
    assert check("IC-INVESTMENT-MISSING", "2026-03-01")[0] == []


def test_investment_missing_boundaries_the_year_ended_joined_and_left(world, check):
    for year in (2022, 2023, 2024):
        world.invest(year)
    assert check("IC-INVESTMENT-MISSING", "2025-12-31")[0] == []  # 2025 has not ended yet
    assert keys(check("IC-INVESTMENT-MISSING", "2026-01-01")[0], "year") == [(f"{CODE}/{world.firm.uscc}", 2025)]
    late, later = world.factory.enterprise(), world.factory.enterprise()
    world.partner(late, joined_on=dt.date(2025, 12, 31))  # a partner for one day of 2025
    world.partner(later, joined_on=dt.date(2026, 1, 1))
    gone, stayed = world.factory.enterprise(), world.factory.enterprise()
    world.partner(gone, left_on=dt.date(2025, 1, 1))  # left on New Year's day: no day of 2025
    world.partner(stayed, left_on=dt.date(2025, 1, 2))  # still a partner on 1 January
    for firm in (gone, stayed):
        for year in (2022, 2023, 2024):
            world.invest(year, firm)
    found = {(f["uscc"], f["numbers"]["year"]) for f in check("IC-INVESTMENT-MISSING", "2026-01-01")[0]}
    assert (late.uscc, 2025) in found and (stayed.uscc, 2025) in found
    assert not {u for u, _ in found} & {later.uscc, gone.uscc}


# -- IC-TEACHING-MISSING --------------------------------------------------------------------------------

def _teach(world: World, term: str, mentor=None) -> None:
    mentor = mentor or world.factory.teacher(enterprise=world.firm, kind="企业导师")
    world.factory.record("ic_teaching", college_code=CODE, teacher_id=mentor.id_number, term=term, course=f"课程{term}", hours=16)


def test_teaching_missing_reports_each_ended_school_year_without_hours(world, check):
    _teach(world, "2022-2023-1")
    findings, _ = check("IC-TEACHING-MISSING", "2025-09-01")
    assert keys(findings, "school_year") == [(CODE, "2023-2024"), (CODE, "2024-2025")]
    assert "2023-2024 学年没有企业教师授课记录" in findings[0]["message"]


def test_teaching_missing_passes_with_hours_every_year_or_a_college_not_operating(world, check):
    for term in ("2022-2023-2", "2023-2024-1", "2024-2025-2"):
        _teach(world, term)
    world.college("CY-P", status="筹建", founded_on=dt.date(2020, 1, 1))
    assert check("IC-TEACHING-MISSING", "2025-09-01")[0] == []


def test_teaching_missing_boundaries_the_school_year_end_and_founding(world, check):
    _teach(world, "2022-2023-1")
    _teach(world, "2023-2024-2")
    assert check("IC-TEACHING-MISSING", "2025-08-31")[0] == []  # the 2024-2025 school year ends that day
    assert keys(check("IC-TEACHING-MISSING", "2025-09-01")[0], "school_year") == [(CODE, "2024-2025")]
    world.college("CY-A", founded_on=dt.date(2024, 9, 1))  # founded on the first day of a school year: judged
    world.college("CY-B", founded_on=dt.date(2024, 9, 2))  # a day later: its first school year is the next
    for code in ("CY-A", "CY-B"):
        world.partner(code=code)
    found = keys(check("IC-TEACHING-MISSING", "2025-09-01")[0], "school_year")
    assert ("CY-A", "2024-2025") in found and not [k for k in found if k[0] == "CY-B"]


# -- IC-BODY-MEETINGS ---------------------------------------------------------------------------------------

def _body(world: World, meetings: dict[int, int], established: dt.date = dt.date(2023, 1, 1), name: str = "理事会"):
    world.factory.record("ic_bodies", college_code=CODE, name=name, body_type="理事会", established_on=established)
    for year, n in meetings.items():
        for k in range(n):
            world.factory.record("ic_meetings", college_code=CODE, body_name=name, held_on=dt.date(year, 3 + k, 15))


def test_body_meetings_is_off_until_the_minimum_is_set(world, check):
    _body(world, {2023: 0})
    findings, data = check("IC-BODY-MEETINGS", "2026-01-05")
    assert findings == [] and data["rules_run"] == []
    assert data["switched_off"] == [{"rule": "IC-BODY-MEETINGS", "title": "治理机构年度会议不足", "params": ["min_meetings"],
                                     "message": data["switched_off"][0]["message"]}]


def test_body_meetings_reports_years_below_the_minimum_and_passes_at_it(world, check):
    _body(world, {2023: 2, 2024: 1, 2025: 3})
    findings, _ = check("IC-BODY-MEETINGS", "2026-01-05", params="min_meetings = 2")
    assert keys(findings, "year", "meetings", "min_meetings") == [(f"{CODE}/理事会", 2024, 1, 2)]  # 2023: exactly 2
    assert "理事会 2024 年开会 1 次，少于 2 次" in findings[0]["message"]
    assert check("IC-BODY-MEETINGS", "2026-01-05", params="min_meetings = 1")[0] == []


def test_body_meetings_boundary_a_body_is_judged_from_its_first_whole_year(world, check):
    _body(world, {}, established=dt.date(2024, 1, 1))
    _body(world, {}, established=dt.date(2024, 1, 2), name="学术委员会")
    found = keys(check("IC-BODY-MEETINGS", "2025-06-30", params="min_meetings = 1")[0], "year")
    assert found == [(f"{CODE}/理事会", 2024)]  # 学术委员会 existed on no 1 January of 2024


def test_body_meetings_minimum_is_regional_and_dated(world, check):
    _body(world, {2023: 1, 2024: 1, 2025: 1})
    region = world.school.region[:2]
    dated = f'min_meetings = [{{ region = "{region}", valid_from = "2024-06-01", value = 2 }}]'
    assert keys(check("IC-BODY-MEETINGS", "2026-01-05", params=dated)[0], "year") == [(f"{CODE}/理事会", 2024), (f"{CODE}/理事会", 2025)]
    elsewhere = 'min_meetings = [{ region = "11", value = 2 }]'
    assert check("IC-BODY-MEETINGS", "2026-01-05", params=elsewhere)[0] == []


# -- IC-TASK-EVIDENCE ---------------------------------------------------------------------------------------

def test_task_evidence_reports_the_tasks_without_evidence_last_year(world, check):
    mentor = world.factory.teacher(enterprise=world.firm, kind="企业导师")
    _teach(world, "2025-2026-1", mentor)  # ⑤ autumn 2025
    world.factory.record("ic_bodies", college_code=CODE, name="理事会", body_type="理事会")
    world.factory.record("ic_meetings", college_code=CODE, body_name="理事会", held_on=dt.date(2025, 12, 31))  # ⑦
    world.factory.record("ic_meetings", college_code=CODE, body_name="理事会", held_on=dt.date(2026, 1, 1))
    world.factory.record("ic_tasks", college_code=CODE, year=2025, task="1", status="已完成", evidence="人才培养方案")  # ①
    world.factory.record("ic_tasks", college_code=CODE, year=2025, task="3", status="进行中")  # a status is no evidence
    findings, _ = check("IC-TASK-EVIDENCE", "2026-02-01")
    assert keys(findings, "task") == [(CODE, 2), (CODE, 3), (CODE, 4), (CODE, 6)]
    assert findings[0]["numbers"]["year"] == 2025 and "建设任务「②提升专业建设质量」没有佐证" in findings[0]["message"]


def test_task_evidence_passes_a_college_with_evidence_for_every_task(world, xiaoqi_factory, check):
    from .ic_data import build

    build(xiaoqi_factory)  # 智能制造产业学院 has evidence of every task in 2025
    findings, _ = check("IC-TASK-EVIDENCE", "2026-02-01")
    assert "CY-01" not in {f["subject_key"] for f in findings}


def test_task_evidence_boundary_founded_on_the_last_day_of_the_year(world, check):
    world.college("CY-A", founded_on=dt.date(2025, 12, 31))
    world.college("CY-B", founded_on=dt.date(2026, 1, 1))
    found = {f["subject_key"] for f in check("IC-TASK-EVIDENCE", "2026-02-01")[0]}
    assert "CY-A" in found and "CY-B" not in found


# -- IC-ORDER-HIRED ----------------------------------------------------------------------------------------------

def _order_class(world: World, name: str, graduates: int | None, hired: int | None, year: int = 2025, enrolled: int = 40):
    world.factory.record("ic_order_classes", college_code=CODE, class_name=name, uscc=world.firm.uscc, intake_year=year - 3,
                         planned=40, enrolled=enrolled, graduation_year=year, graduates=graduates, hired=hired)


def test_order_hired_is_off_until_the_share_is_set(world, check):
    _order_class(world, "订单班A", 36, 1)
    findings, data = check("IC-ORDER-HIRED", "2026-02-01")
    assert findings == [] and data["switched_off"][0]["params"] == ["min_hired_share"]


def test_order_hired_reports_a_low_share_and_a_class_with_no_hires_recorded(world, check):
    _order_class(world, "订单班A", 36, 26)
    _order_class(world, "订单班B", None, None, enrolled=30)  # graduated, nothing recorded: none hired, of 30
    _order_class(world, "订单班C", 36, 30)
    findings, _ = check("IC-ORDER-HIRED", "2026-02-01", params='min_hired_share = "75%"')
    assert keys(findings, "hired", "graduates") == [(f"{CODE}/订单班A", 26, 36), (f"{CODE}/订单班B", 0, 30)]
    assert "36 名毕业生中订单企业录用 26 名（72%），低于 75%" in findings[0]["message"]


def test_order_hired_boundary_an_exact_share_and_this_years_class(world, check):
    _order_class(world, "订单班A", 36, 27)  # 27 / 36 = 75% exactly
    _order_class(world, "订单班B", 30, 21)  # 21 / 30 = 0.7 exactly (in floating point 0.7 × 30 > 21)
    _order_class(world, "订单班C", 36, 0, year=2026)  # graduates this year: not judged yet
    assert keys(check("IC-ORDER-HIRED", "2026-02-01", params='min_hired_share = "0.75"')[0]) == [(f"{CODE}/订单班B",)]
    assert check("IC-ORDER-HIRED", "2026-02-01", params='min_hired_share = "0.7"')[0] == []


# -- IC-PARTNER-REVOKED ------------------------------------------------------------------------------------------

def _revoke(engine, firm, day: str) -> None:
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import write_session
    from xiaoqi.core.services import update_record

    with write_session(engine) as session:
        update_record(session, actor=ADMIN, kind="enterprises", key=firm.uscc,
                      changes={"pce_certified": True, "pce_level": "省级", "pce_certified_on": "2021-05-01", "pce_revoked_on": day})


def test_partner_revoked_reports_a_current_partner_whose_certification_was_revoked(world, xiaoqi_engine, check):
    _revoke(xiaoqi_engine, world.firm, "2025-05-01")
    findings, data = check("IC-PARTNER-REVOKED", "2025-06-01")
    assert keys(findings, "revoked_on") == [(f"{CODE}/{world.firm.uscc}", "2025-05-01")] and data["counts"]["errors"] == 1
    assert "产教融合型企业认定已于 2025-05-01 撤销" in findings[0]["message"]


def test_partner_revoked_passes_a_former_partner_or_a_certified_one(world, xiaoqi_engine, check):
    other = world.factory.enterprise(pce_certified=True, pce_level="国家级", pce_certified_on=dt.date(2020, 1, 1))
    world.partner(other)
    gone = world.factory.enterprise()
    world.partner(gone, left_on=dt.date(2024, 12, 31))
    _revoke(xiaoqi_engine, gone, "2025-05-01")
    assert check("IC-PARTNER-REVOKED", "2025-06-01")[0] == []


def test_partner_revoked_boundary_is_the_day_of_revocation(world, xiaoqi_engine, check):
    _revoke(xiaoqi_engine, world.firm, "2025-05-01")
    assert check("IC-PARTNER-REVOKED", "2025-04-30")[0] == []
    assert len(check("IC-PARTNER-REVOKED", "2025-05-01")[0]) == 1


def test_a_revocation_before_the_certification_is_refused(world, xiaoqi_engine):
    from xiaoqi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="认定撤销日期不能早于认定日期"):
        _revoke(xiaoqi_engine, world.firm, "2020-01-01")


# -- IC-PARTNER-VIOLATION ---------------------------------------------------------------------------------------

def _intern(world: World, start: dt.date, *, minor: bool = False):
    f = world.factory
    student = f.student(school=world.school, birth=dt.date(2010, 6, 1) if minor else None)
    position = f.latest("positions") if f.latest("positions") and f.latest("positions").uscc == world.firm.uscc else f.position(world.firm)
    return f.internship(student=student, position=position, start_on=start)


def test_partner_violation_reports_internship_errors_at_a_partner_since_it_joined(world, check):
    child = _intern(world, dt.date(2025, 3, 1), minor=True)  # under 16 on an on-post internship: INT-AGE-MIN
    findings, _ = check("IC-PARTNER-VIOLATION", "2025-10-01")
    assert keys(findings, "violations") == [(f"{CODE}/{world.firm.uscc}", 1)]
    assert "INT-AGE-MIN" in findings[0]["numbers"]["rules"] and child.uscc == world.firm.uscc
    assert "有 1 处实习违规" in findings[0]["message"] and findings[0]["severity"] == "warning"


def test_partner_violation_passes_compliant_internships(world, check):
    _intern(world, dt.date(2025, 3, 1))
    assert check("IC-PARTNER-VIOLATION", "2025-10-01")[0] == []


def test_partner_violation_boundary_an_internship_starting_the_day_the_partner_joined(world, check):
    newcomer = world.factory.enterprise()
    world.partner(newcomer, joined_on=dt.date(2025, 3, 1))
    world.firm = newcomer
    _intern(world, dt.date(2025, 2, 28), minor=True)  # before it joined: not the college's concern
    assert check("IC-PARTNER-VIOLATION", "2025-10-01")[0] == []
    _intern(world, dt.date(2025, 3, 1), minor=True)
    assert keys(check("IC-PARTNER-VIOLATION", "2025-10-01")[0], "violations") == [(f"{CODE}/{newcomer.uscc}", 1)]


# -- scope ----------------------------------------------------------------------------------------------------------

def test_findings_follow_school_enterprise_and_actor(world, check):
    for year in (2022, 2023):
        world.invest(year)
    second = world.factory.enterprise()
    world.partner(second, joined_on=dt.date(2025, 1, 1))
    stranger = world.factory.school()
    everything = keys(check("IC-INVESTMENT-MISSING", "2026-01-01")[0], "year")
    assert everything == [(f"{CODE}/{world.firm.uscc}", 2024), (f"{CODE}/{world.firm.uscc}", 2025), (f"{CODE}/{second.uscc}", 2025)]
    # a partner school checks the colleges it is part of; a stranger none
    assert keys(check("IC-INVESTMENT-MISSING", "2026-01-01", "--school", world.other_school.school_code)[0], "year") == everything
    assert check("IC-INVESTMENT-MISSING", "2026-01-01", actor=f"school:{stranger.school_code}")[0] == []
    # an enterprise sees its own missing years, not the other partner's
    mine = keys(check("IC-INVESTMENT-MISSING", "2026-01-01", actor=f"enterprise:{second.uscc}")[0], "year")
    assert mine == [(f"{CODE}/{second.uscc}", 2025)]
    assert check("IC-INVESTMENT-MISSING", "2026-01-01", actor="province:32")[0] == []
    assert len(check("IC-INVESTMENT-MISSING", "2026-01-01", actor=f"province:{world.school.region[:2]}")[0]) == 3


def test_messages_in_english(world, check, xiaoqi_cli):
    findings = xiaoqi_cli("--lang", "en", "check", "--rule", "IC-INVESTMENT-MISSING", "--as-of", "2023-06-01",
                          "--format", "json").json["findings"]
    assert findings[0]["message"].endswith("recorded no investment that year (ic_investments).")
    explained = xiaoqi_cli("--lang", "en", "check", "--explain", "IC-BODY-MEETINGS")
    assert explained.exit_code == 0 and "min_meetings" in explained.output and "no national figure" in explained.output
