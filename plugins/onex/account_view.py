"""The student's credit-bank account as a section of the TUI's detail view of a student
(``xiaoqi_detail_sections``): no Textual here, the detail view draws the table."""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t

catalogue(
    {
        "onex.detail.certificate": ("证书", "certificate"),
        "onex.detail.result": ("考核", "assessment"),
        "onex.detail.conversion": ("学分转换", "conversion"),
        "onex.detail.valid": ("有效", "valid"),
        "onex.detail.expired": ("已失效", "expired"),
        "onex.detail.passed": ("通过", "passed"),
        "onex.detail.failed": ("未通过", "failed"),
        "onex.detail.note": ("第 {year} 学年（{enrolled} 入学）；持有有效证书 {held} 本；已转换 {credits} 学分",
                             "year {year} of study (enrolled {enrolled}); {held} valid certificates; {credits} credits converted"),
    }
)

COLUMNS = [("类别", "type"), ("项目", "item"), ("等级或方式", "level or exemption"), ("日期", "date"),
           ("成绩或学分", "score or credits"), ("状态", "status")]


def _level(value: str) -> str:
    from xiaoqi.core.kinds import get_kind

    return get_kind("onex_sites").by_name["level"].choice_text(value)


def load_account(session, record, context):
    """The account of the student shown, as the context's actor may see it."""
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.tui import DetailTable

    from .bank import account

    acct = account(session, actor=context.actor, id_number=record.stored["id_number"], on=context.today)
    exemption = get_kind("onex_conversions").by_name["exemption"]
    rows = [[t("onex.detail.certificate"), f"{c['certificate_name']}（{c['certificate_no']}）", _level(c["level"]), c["issued_on"],
             "", t("onex.detail.valid" if c["held"] else "onex.detail.expired")] for c in acct.certificates]
    rows += [[t("onex.detail.result"), f"{r['certificate_name']}（{r['session_code']}）", _level(r["level"]), r["held_on"],
              "" if r["score"] is None else str(r["score"]), t("onex.detail.passed" if r["passed"] else "onex.detail.failed")] for r in acct.results]
    rows += [[t("onex.detail.conversion"), " ".join(filter(None, (c["course_code"], c["course_name"]))), exemption.choice_text(c["exemption"]),
              c["term"], str(c["credits"]), c["rule_code"]] for c in acct.conversions]
    held = sum(1 for c in acct.certificates if c["held"])
    note = t("onex.detail.note", year=acct.student["school_year"], enrolled=acct.student["enrolled_on"], held=held, credits=acct.credits)
    return DetailTable(columns=COLUMNS, rows=rows, notes=[note], empty=("（尚无 1+X 记录）", "(no 1+X records yet)"))
