"""The Luban Workshops section of the annual report: each workshop's figures for the year."""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.report import ReportSection

from .service import list_workshops

catalogue(
    {
        "luban.report.note": ("在校生、培训人次与教师人次为该年度数据；设备价值计至该年底已交付的设备。", "Enrolment, trainees and teachers are the year's; equipment counts what was delivered by the end of the year."),
    }
)


def section(session, *, year: int, school_code: str | None, actor) -> ReportSection:
    status = get_kind("luban_workshops").by_name["status"]
    rows = [
        [w["name"], w["country_name"], w["partner_institution"], status.choice_text(w["status"]), w["opened_on"],
         w["enrolled"], w["trainees"],
         w["local_teachers_trained"], w["chinese_teachers_sent"], w["equipment_value"]]
        for w in list_workshops(session, actor=actor, school=school_code, year=year)
        if w["opened_on"] is None or w["opened_on"].year <= year
    ]
    return ReportSection(
        title=("鲁班工坊", "Luban Workshops"),
        columns=[("工坊名称", "workshop"), ("所在国家", "country"), ("合作院校", "partner institution"), ("状态", "status"),
                 ("揭牌日期", "opened"), ("学历教育在校生", "enrolled"), ("培训人次", "trainees"),
                 ("培训教师人次", "teachers trained"), ("派出中方教师人次", "Chinese teachers sent"), ("设备价值（元）", "equipment (yuan)")],
        rows=rows, notes=[t("luban.report.note")])
