"""The words of 产业学院 records: each choice as users type it (Chinese) with its English spelling,
and the seven construction tasks of the 2020 guide (《现代产业学院建设指南（试行）》, 教高厅函〔2020〕16号).

Kinds, rules, the checklist, the commands and the screen all read these tuples, so a word is spelled
in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass

COLLEGE_TYPES = ("现代产业学院", "职业院校产业学院", "企业学院")
COLLEGE_TYPES_EN = ("modern industrial college", "vocational industrial college", "enterprise college")

LOCATIONS = ("校内", "园区", "企业")
LOCATIONS_EN = ("on campus", "in an industrial park", "at an enterprise")

STATUSES = ("筹建", "运行", "撤销")
STATUSES_EN = ("in preparation", "operating", "closed")
OPERATING = "运行"
CLOSED = "撤销"

RECOGNITION_LEVELS = ("校级", "市级", "省级", "国家级")
RECOGNITION_LEVELS_EN = ("school", "city", "provincial", "national")

PARTNER_TYPES = ("学校", "企业", "地方政府", "行业协会")
PARTNER_TYPES_EN = ("school", "enterprise", "local government", "industry association")
SCHOOL, ENTERPRISE, GOVERNMENT, ASSOCIATION = PARTNER_TYPES

ROLES = ("牵头", "共建", "参与")
ROLES_EN = ("lead", "co-builder", "participant")

BODY_TYPES = ("理事会", "管委会", "学术委员会", "建设管理委员会", "专业建设指导委员会", "其他")
BODY_TYPES_EN = ("board", "management committee", "academic committee", "building committee",
                 "programme steering committee", "other")

INVESTMENT_CATEGORIES = ("现金", "设备", "实训基地", "软件", "人员", "其他")
#: also the ``category`` of ``xiaoqi_qualifying_investments`` (API: cash/equipment/base/software/staff_time)
INVESTMENT_CATEGORIES_EN = ("cash", "equipment", "base", "software", "staff_time", "other")

COURSE_TYPES = ("课程", "教材", "案例集", "企业项目")
COURSE_TYPES_EN = ("course", "textbook", "case set", "enterprise project")

BASE_LOCATIONS = ("校内", "企业", "园区")
BASE_LOCATIONS_EN = ("on campus", "at an enterprise", "in an industrial park")

SERVICE_TYPES = ("联合研发", "专利", "技术服务", "员工培训")
SERVICE_TYPES_EN = ("joint R&D", "patent", "technical service", "employee training")

TASK_STATUSES = ("未开展", "进行中", "已完成")
TASK_STATUSES_EN = ("not started", "in progress", "done")


@dataclass(frozen=True)
class Task:
    """One of the seven construction tasks: its number, its name as the guide words it, and the
    English name."""

    number: int
    zh: str
    en: str

    @property
    def mark(self) -> str:
        return "①②③④⑤⑥⑦"[self.number - 1]


TASKS = (
    Task(1, "创新人才培养模式", "training model"),
    Task(2, "提升专业建设质量", "programme quality"),
    Task(3, "开发校企合作课程", "joint courses and textbooks"),
    Task(4, "打造实训实习基地", "internship and training bases"),
    Task(5, "建设高水平教师队伍", "teaching staff"),
    Task(6, "搭建产学研服务平台", "industry–research service platform"),
    Task(7, "探索体制机制创新", "governance"),
)
TASK_NAMES = tuple(task.zh for task in TASKS)
#: a task may also be written by its number: 1, ①, 任务一 ...
TASK_ALIASES = tuple(
    (spelling, task.zh)
    for task in TASKS
    for spelling in (str(task.number), task.mark, f"任务{'一二三四五六七'[task.number - 1]}")
)
