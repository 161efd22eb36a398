"""专业大类 of the 2021 catalogue of vocational majors (《职业教育专业目录（2021年）》), read from
``data/major_categories_2021.csv``: the same nineteen 大类 are numbered differently in each level's
catalogue (医药卫生: 中职 72, 高职专科 52, 职业本科 32), so two majors belong to the same 大类 when
their codes' first two digits name the same row, whatever the level.

The three ranges do not overlap, so a two-digit code alone tells its level and 大类.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from xiaoqi.core.i18n import both

DATA = Path(__file__).parent / "data" / "major_categories_2021.csv"
LEVELS = (("中职", "secondary"), ("高职专科", "higher (short-cycle)"), ("职业本科", "vocational bachelor"))


@dataclass(frozen=True)
class Category:
    code: str
    level: str
    group: int  # the 大类's row in the catalogue, 1–19
    name: str
    name_en: str

    def label(self, lang: str | None = None) -> str:
        level_en = dict(LEVELS)[self.level]
        return both(f"{self.level}{self.name}（{self.code}）", f"{self.name_en} ({level_en}, {self.code})", lang)


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """Every two-digit 大类 code of the catalogue -> its category."""
    out: dict[str, Category] = {}
    with DATA.open(encoding="utf-8", newline="") as f:
        for group, row in enumerate(csv.DictReader(f), start=1):
            for level, _en in LEVELS:
                code = row[level]
                if not (len(code) == 2 and code.isdigit()) or code in out:
                    raise ValueError(f"{DATA.name}: bad or repeated code {code!r}")
                out[code] = Category(code, level, group, row["大类"], row["category"])
    return out


def values_sql() -> str:
    """The catalogue as an SQL row source ``(VALUES ...)`` with ``column1`` the code and
    ``column2`` the 大类's row (SQLite and PostgreSQL name VALUES columns alike). The codes are
    the shipped file's two-digit numbers, checked on loading, so they are written as literals."""
    rows = ", ".join(f"('{c.code}', {c.group})" for c in categories().values())
    return f"(VALUES {rows})"
