"""A small registry for the incentives tests: a certified enterprise with investment and surcharges
over several years, and apprentices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xiaoqi.core import hookimpl
from xiaoqi.core.rules import ParamValue


@dataclass
class Registry:
    firm: object
    other: object
    apprentice: object
    stopper: object


class AdvanceShare:
    """A region sets the advance share (no national figure) and its minimum wage."""

    def __init__(self, region: str = "", share: str = "0.5", wage: str | None = None):
        self.region, self.share, self.wage = region, share, wage

    @hookimpl
    def xiaoqi_rule_params(self):
        out = [ParamValue("INC-SUBSIDY-STEPS", "advance_share", Decimal(self.share), self.region)]
        if self.wage:
            out.append(ParamValue("INC-SUBSIDY-STEPS", "min_wage", Decimal(self.wage), self.region))
        return out


def build(factory) -> Registry:
    firm = factory.enterprise(pce_certified=True, pce_level="省级", pce_certified_on=dt.date(2020, 6, 1))
    other = factory.enterprise()
    for year, evidence, amount in ((2022, "HT-2022-1", "100000.00"), (2022, "HT-2022-2", "20000.50")):
        factory.record("inc_investments", uscc=firm.uscc, year=year, category="现金", amount=Decimal(amount), evidence=evidence)
    factory.record("inc_surcharges", uscc=firm.uscc, year=2022, vat_paid=Decimal("200000.00"), consumption_tax_paid=Decimal("0"))
    factory.record("inc_surcharges", uscc=firm.uscc, year=2023, education_due=Decimal("5000.00"), local_education_due=Decimal("3000.00"))
    factory.record("inc_surcharges", uscc=firm.uscc, year=2024, vat_paid=Decimal("500000.00"))
    position = factory.position(enterprise=firm)
    student = factory.student()
    apprentice = factory.internship(student=student, position=position, kind="学徒", monthly_pay=Decimal("4500.00"), start_on=dt.date(2021, 9, 1),
                                    end_on=dt.date(2023, 8, 31))
    factory.record("inc_apprentices", id_number=student.id_number, uscc=firm.uscc, start_on=dt.date(2021, 9, 1), skill_level="四级",
                   contract_from=dt.date(2021, 9, 1), contract_to=dt.date(2024, 8, 31))
    factory.record("inc_training", id_number=student.id_number, uscc=firm.uscc, start_on=dt.date(2021, 9, 1), year=2022, hours=450)
    second = factory.student()
    stopper = factory.internship(student=second, position=position, kind="学徒", monthly_pay=Decimal("4500.00"),
                                  start_on=dt.date(2022, 3, 1), end_on=dt.date(2024, 2, 29))
    factory.record("inc_apprentices", id_number=second.id_number, uscc=firm.uscc, start_on=dt.date(2022, 3, 1), skill_level="三级",
                   contract_from=dt.date(2022, 3, 1), contract_to=dt.date(2025, 2, 28))
    factory.record("inc_training", id_number=second.id_number, uscc=firm.uscc, start_on=dt.date(2022, 3, 1), year=2022, hours=420)
    return Registry(firm, other, apprentice, stopper)
