"""The import/export kind of the Henan plugin's table."""

from __future__ import annotations

from xiaoqi.core.access import HIDE, Access
from xiaoqi.core.kinds import Column, RecordKind, Reference

MENTAL_CHECKS = RecordKind(
    name="henan_mental_checks", zh="心理健康评估", en="mental-health assessments", model="xiaoqi.plugins.regions.henan.models:MentalHealthCheck",
    key=("id_number", "assessed_on"), school_column="school_code", plugin="henan",
    # the student's school keeps them; a conclusion is health data, hidden unless revealed
    access=Access(personal={"conclusion": HIDE}),
    references=[
        Reference("schools", ("school_code",), ("school_code",)),
        Reference("students", ("id_number",), ("id_number",), agree=("school_code",)),
    ],
    columns=[
        Column("school_code", "学校代码", "code10", required=True),
        Column("id_number", "身份证号", "idcard", required=True, key=True),
        Column("assessed_on", "评估日期", "date", required=True, key=True),
        Column("assessor", "评估人", "text", max_len=100),
        Column("conclusion", "评估结论", "text", max_len=200),
    ],
)
