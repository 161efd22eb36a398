"""The import kind of the plugin's table: the columns of the 岗前安全培训 sheet that schools send in.

Once registered, ``xiaoqi import zj_safety_trainings FILE``, ``xiaoqi export``, ``xiaoqi template``,
``xiaoqi records`` and the TUI's forms all know it, with Chinese and English headers.
"""

from __future__ import annotations

from xiaoqi.core.kinds import Column, RecordKind, Reference

SAFETY_TRAININGS = RecordKind(
    name="zj_safety_trainings",
    zh="岗前安全培训",
    en="safety trainings",
    # by its import path: the table class is built only when a command uses the kind
    model="xiaoqi_zhejiang.models:SafetyTraining",
    key=("id_number", "trained_on"),
    # the school's office keeps these records (the default access of a kind with a school column:
    # a school reads and writes its own, its province and the auditor read them, enterprises do not)
    school_column="school_code",
    references=[
        Reference("schools", ("school_code",), ("school_code",)),
        Reference("students", ("id_number",), ("id_number",), agree=("school_code",)),
    ],
    plugin="zhejiang",
    columns=[
        Column("school_code", "学校代码", "code10", required=True),
        Column("id_number", "身份证号", "idcard", required=True, key=True),
        Column("trained_on", "培训日期", "date", required=True, key=True),
        Column("hours", "培训学时", "int", required=True, doc=("学时数", "hours")),
        Column("topic", "培训内容", "text"),
        Column("trainer", "培训单位", "text", max_len=100),
    ],
)
