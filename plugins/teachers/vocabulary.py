"""The words of teachers' enterprise practice and 双师型 recognition, spelled once."""

from __future__ import annotations

#: the forms of enterprise practice (《职业学校教师企业实践规定》2016, Art. 6)
FORMS = ("考察观摩", "技能培训", "兼职任职", "研发")
FORMS_EN = ("site visit", "skills training", "post held", "joint R&D")

#: the levels of 双师型 recognition (the 2022 basic standard)
LEVELS = ("初级", "中级", "高级")
LEVELS_EN = ("junior", "intermediate", "senior")

#: teachers the practice rules judge: a school's full-time specialist teachers
FULL_TIME = "专任"

#: a month of practice counted in days (the 2016 rule counts months; records count days)
DAYS_PER_MONTH = 30
