"""The 1+X section of the annual report: by certificate and level, the year's candidates, passes,
pass rate, certificates issued and credits converted (of one school's students when the report is
for a school), as the actor may see them."""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.report import ReportSection

from .bank import summary

catalogue(
    {
        "onex.report.note": ("考生与通过按当年举行的考核计；发证、学分转换按当年的发证日期与认定日期计。",
                             "Candidates and passes count the year's sessions; certificates and conversions count those issued or applied in the year."),
        "onex.report.total": ("合计", "total"),
    }
)


def section(session, *, year: int, school_code: str | None, actor) -> ReportSection:
    level = get_kind("onex_sites").by_name["level"]
    rows = summary(session, actor=actor, year=year, school=school_code)
    table = [[r["certificate_code"], r["certificate_name"], level.choice_text(r["level"]), r["candidates"], r["passes"],
              f"{r['passes'] / r['candidates']:.1%}" if r["candidates"] else "—", r["issued"], r["conversions"], str(r["credits"])]
             for r in rows]
    if rows:
        candidates, passes = sum(r["candidates"] for r in rows), sum(r["passes"] for r in rows)
        table.append([t("onex.report.total"), "", "", candidates, passes, f"{passes / candidates:.1%}" if candidates else "—",
                      sum(r["issued"] for r in rows), sum(r["conversions"] for r in rows), str(sum(r["credits"] for r in rows))])
    return ReportSection(
        title=("1+X 证书与学分银行", "1+X certificates and the credit bank"),
        columns=[("证书代码", "code"), ("证书名称", "certificate"), ("等级", "level"), ("考生", "candidates"), ("通过", "passed"),
                 ("通过率", "pass rate"), ("发证", "issued"), ("学分转换门次", "conversions"), ("转换学分", "credits")],
        rows=table, notes=[t("onex.report.note")])
