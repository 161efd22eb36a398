"""The texts the national rules rest on, and when each was in force.

The 2021 rule (教职成〔2021〕4号) was issued on 2021-12-31 and, by its own closing clause as
commentaries quote it, took effect on issue, replacing the 2016 rule (教职成〔2016〕3号, issued
and in force from 2016-04-11). Internships are judged by the text in force on their start date.
An article number is cited only where the article's text was checked; the others name the rule
alone.
"""

from __future__ import annotations

import datetime as dt

RULE_2021 = "《职业学校学生实习管理规定》（教育部等八部门，教职成〔2021〕4号）"
RULE_2016 = "《职业学校学生实习管理规定》（教育部等五部门，教职成〔2016〕3号）"
LABOUR_LAW = "《中华人民共和国劳动法》"
CATALOGUE_2021 = "《职业教育专业目录（2021年）》（教职成〔2021〕2号）"

IN_FORCE_2021 = dt.date(2021, 12, 31)
IN_FORCE_2016 = dt.date(2016, 4, 11)
#: the last start date judged by the 2016 rule
LAST_DAY_2016 = IN_FORCE_2021 - dt.timedelta(days=1)
IN_FORCE_LABOUR_LAW = dt.date(1995, 1, 1)


def article(rule: str, *articles: str) -> str:
    """``rule`` followed by its articles: article(RULE_2021, "第十六条第（二）项")."""
    return rule + "、".join(articles)
