"""INT-AGENCY-BAN, Shaanxi variant: an internship of a Shaanxi school arranged by an individual or an
agency (as recorded in ``shaanxi_arrangements``) is reported under the national rule's id."""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule

catalogue(
    {
        "sn.agency.msg": ("实习由{by}安排（{arranger}），陕西省规定不得通过中介或个人安排实习",
                          "arranged by {by} ({arranger}); Shaanxi bans placement through agencies and individuals"),
    }
)


def _arranged_by_individual(ctx):
    rows = ctx.internship_rows(
        "a.arranged_by IN ('个人', '中介') AND (i.via_agency IS NULL OR i.via_agency = FALSE)",
        columns=["a.arranged_by AS arranged_by", "a.arranger AS arranger"],
        joins=["JOIN shaanxi_arrangements a ON a.id_number = i.id_number AND a.uscc = i.uscc AND a.start_on = i.start_on"],
    )
    for r in rows:
        yield ctx.internship_finding(r, t("sn.agency.msg", by=r["arranged_by"], arranger=r["arranger"] or "-"),
                                     numbers={"arranged_by": r["arranged_by"]})


RULE = Rule(
    id="SN-AGENCY-INDIVIDUAL", extends="INT-AGENCY-BAN", severity="error",
    title=("不得通过中介或个人安排实习（陕西）", "No placement through agencies or individuals (Shaanxi)"),
    requirement=("陕西省学校的学生实习不得由中介机构或个人安排", "a Shaanxi school's internship is not arranged by an agency or an individual"),
    source="《陕西省职业学校学生实习管理实施细则》（2023）", province="61", region_by="school",
    evaluate=_arranged_by_individual,
    # only the year is known: internships from its 1 January (a province may set the exact day)
    valid_from=dt.date(2023, 1, 1), valid_from_year_only=True,
)
