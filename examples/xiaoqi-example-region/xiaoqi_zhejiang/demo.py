"""Demo data for the plugin's table: most 浙江 on-post interns trained before they start, a few not."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from .models import SafetyTraining
from .rules import IN_FORCE, PROVINCE, RULE_ID

TOPICS = ("安全生产法规与岗位操作规程", "消防安全与应急疏散", "实习安全与自我保护")


def fill(session, size: str, seed: int, manifest) -> int:
    """Training rows for the demo's 浙江 on-post internships (written in one batch); the internships
    left untrained (or trained too briefly) go into the manifest as ZJ-SAFETY-TRAINING violations."""
    rng = random.Random(f"zhejiang-{seed}")
    interns = session.execute(sa.text(
        "SELECT i.school_code, i.id_number, i.uscc, i.start_on FROM internships i "
        "JOIN schools s ON s.school_code = i.school_code "
        "WHERE substr(s.region, 1, 2) = :province AND i.kind IN ('岗位实习', '学徒') "
        "ORDER BY i.id_number, i.start_on"), {"province": PROVINCE}).all()
    rows, seen = [], set()
    for school_code, id_number, uscc, start_on in interns:
        start = start_on if isinstance(start_on, dt.date) else dt.date.fromisoformat(str(start_on)[:10])
        draw = rng.random()
        trained_on = start - dt.timedelta(days=rng.randrange(3, 21))
        while (id_number, trained_on) in seen:  # one training a day per student
            trained_on -= dt.timedelta(days=1)
        if draw >= 0.06:
            seen.add((id_number, trained_on))
            rows.append({"school_code": school_code, "id_number": id_number, "trained_on": trained_on,
                         "hours": 4 if draw < 0.10 else rng.choice((8, 8, 12, 16)), "topic": rng.choice(TOPICS),
                         "trainer": "学校安全教育中心"})
        if draw < 0.10 and start >= IN_FORCE:
            manifest.expect(RULE_ID, f"{id_number}/{uscc}/{start.isoformat()}")
    if rows:
        session.execute(sa.insert(SafetyTraining.__table__), rows)
    manifest.counts["zj_safety_trainings"] = len(rows)
    return len(rows)
