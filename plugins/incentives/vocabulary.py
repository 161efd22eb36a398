"""The words of the incentives ledger, spelled once: accounts, line types and what each does.

A line is in one **account**; its amount is signed (fen, an integer) as it moves that account:

| account | 中文 | what its balance is |
|---|---|---|
| ``credit`` | 抵免额 | 产教融合型企业 credit not yet used (carried forward), by vintage (the year earned) |
| ``repayable`` | 应补缴附加 | surcharge an enterprise owes back after credit earned by fraud was voided |
| ``claimed`` | 已申请补贴 | subsidies claimed |
| ``approved`` | 已核准补贴 | subsidies approved |
| ``paid`` | 已拨付补贴 | subsidies paid (advances included, less what was clawed back) |
| ``passed_on`` | 已转付学生 | intern subsidies passed on to the students |
"""

from __future__ import annotations

CREDIT, REPAYABLE, CLAIMED, APPROVED, PAID, PASSED_ON = "credit", "repayable", "claimed", "approved", "paid", "passed_on"
ACCOUNTS = (CREDIT, REPAYABLE, CLAIMED, APPROVED, PAID, PASSED_ON)
ACCOUNTS_ZH = ("抵免额", "应补缴附加", "已申请补贴", "已核准补贴", "已拨付补贴", "已转付学生")
ACCOUNTS_EN = ("credit", "surcharge owed back", "subsidies claimed", "subsidies approved", "subsidies paid",
               "passed on to students")

EARNED, USED, ADJUSTED, VOIDED = "earned", "used", "adjusted", "voided"
CLAIM, APPROVE, ADVANCE, PAY, CLAWBACK, PASS_ON = "claimed", "approved", "advanced", "paid", "clawed_back", "passed_on"
REVERSAL = "reversal"
#: line type -> the account it moves and the sign of its amount (0: either, a correction)
LINE_TYPES = {
    EARNED: (CREDIT, 1),
    USED: (CREDIT, -1),
    ADJUSTED: (CREDIT, 0),
    VOIDED: (REPAYABLE, 1),
    CLAIM: (CLAIMED, 1),
    APPROVE: (APPROVED, 1),
    ADVANCE: (PAID, 1),
    PAY: (PAID, 1),
    CLAWBACK: (PAID, -1),
    PASS_ON: (PASSED_ON, 1),
    REVERSAL: (None, 0),
}
LINE_TYPES_ZH = {EARNED: "抵免额形成", USED: "抵免额使用", ADJUSTED: "抵免额调整", VOIDED: "作废抵免应补缴",
                 CLAIM: "补贴申请", APPROVE: "补贴核准", ADVANCE: "补贴预拨", PAY: "补贴拨付", CLAWBACK: "补贴追回",
                 PASS_ON: "补贴转付学生", REVERSAL: "冲销"}
LINE_TYPES_EN = {EARNED: "credit earned", USED: "credit used", ADJUSTED: "credit adjusted", VOIDED: "voided credit owed back",
                 CLAIM: "subsidy claimed", APPROVE: "subsidy approved", ADVANCE: "subsidy advanced", PAY: "subsidy paid",
                 CLAWBACK: "subsidy clawed back", PASS_ON: "passed on to the student", REVERSAL: "reversal"}

#: the programme a subsidy line belongs to (the apprenticeship subsidy; intern schemes add their ids)
APPRENTICE = "apprentice"
PCE = "pce"

SKILL_LEVELS = ("五级", "四级", "三级", "二级", "一级")
SKILL_LEVELS_EN = ("level 5 (初级工)", "level 4 (中级工)", "level 3 (高级工)", "level 2 (技师)", "level 1 (高级技师)")
