"""The words of 1+X records (《职业教育“1+X”证书制度试点方案》, 2019): the three levels of a
职业技能等级证书, the two kinds of credit conversion, and the batches in which 培训评价组织 were
chosen. Each choice is spelled once, in Chinese as users type it and in English."""

from __future__ import annotations

LEVELS = ("初级", "中级", "高级")
LEVELS_EN = ("elementary", "intermediate", "advanced")
#: a higher level covers the lower: a rule for 中级 is met by a 中级 or a 高级 certificate
RANK = {level: n for n, level in enumerate(LEVELS, start=1)}
LEVEL_ALIASES = (("1", "初级"), ("2", "中级"), ("3", "高级"), ("初", "初级"), ("中", "中级"), ("高", "高级"))

EXEMPTIONS = ("免修", "免考")
EXEMPTIONS_EN = ("exempt from class", "exempt from exam")

BATCHES = ("第一批", "第二批", "第三批", "第四批")
BATCHES_EN = ("first batch", "second batch", "third batch", "fourth batch")
BATCH_ALIASES = tuple((str(n), b) for n, b in enumerate(BATCHES, start=1))


def rank_sql(column: str) -> str:
    """SQL giving a level column's rank (1 初级, 2 中级, 3 高级)."""
    return "CASE " + " ".join(f"WHEN {column} = '{level}' THEN {n}" for level, n in RANK.items()) + " END"
