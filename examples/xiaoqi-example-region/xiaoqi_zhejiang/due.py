"""Who still needs pre-post safety training: the ZJ-SAFETY-TRAINING findings of internships that
start within the next days. Shared by ``xiaoqi zhejiang training-due`` and the dashboard panel."""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.rules import as_date, run_check

from .rules import RULE_ID


def training_due(engine, *, actor, start: dt.date, within: int, school: str | None = None, config=None) -> list[dict]:
    """Students whose on-post internship starts between ``start`` and ``start + within`` days and who
    lack the training hours, sorted by school and start date (one run of the rule, set-based)."""
    end = start + dt.timedelta(days=within)
    enterprise = actor.code if actor.role == "enterprise" else None
    if actor.role == "school":
        school = actor.code
    result = run_check(engine, rules=[RULE_ID], school=school, enterprise=enterprise, config=config)
    due = []
    for finding in result.findings:
        id_number, uscc, begins = finding.subject_key.split("/")
        if start <= as_date(begins) <= end:
            due.append({"school_code": finding.school_code, "id_number": id_number, "uscc": uscc, "start_on": begins,
                        "best_hours": finding.numbers["best_hours"], "min_hours": finding.numbers["min_hours"]})
    due.sort(key=lambda d: (d["school_code"], d["start_on"], d["id_number"]))
    return due
