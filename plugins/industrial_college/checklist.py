"""The yearly self-assessment of the seven construction tasks, as a checklist that fills itself
where the data exist: each task's evidence is what the college's records show for the year, plus
the evidence items the college lists itself (``ic_tasks``).

| task | evidence from the records of the year |
|---|---|
| ① 创新人才培养模式 | order classes taking students that year; apprenticeships (学徒) of its students at partners starting that year |
| ② 提升专业建设质量 | joint majors built by then |
| ③ 开发校企合作课程 | joint courses, textbooks, case sets and enterprise projects of that year |
| ④ 打造实训实习基地 | training bases open by the year's end; on-post internships of its students at partners during the year |
| ⑤ 建设高水平教师队伍 | enterprise teachers' teaching in terms of that year (records, and their hours) |
| ⑥ 搭建产学研服务平台 | joint R&D, patents, technical services and employee training of that year |
| ⑦ 探索体制机制创新 | meetings of its governance bodies during the year |

``evidence_sql`` is one statement for any number of colleges; the rule IC-TASK-EVIDENCE and the
scorecard (``xiaoqi ic scorecard``, the TUI's checklist) both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .figures import college_internships
from .vocabulary import TASKS


@dataclass(frozen=True)
class Evidence:
    """A source of evidence for a task: ``sql`` selects ``college_code, n`` (records) and
    ``quantity`` (a figure in ``unit``, or NULL) per college, from ``{year}``, ``{first}`` and
    ``{last}`` (the year and its first and last day, as SQL expressions)."""

    task: int
    id: str
    label: tuple[str, str]
    sql: str
    unit: tuple[str, str] | None = None


_INTERNSHIPS = f"({college_internships()}) ci"

EVIDENCE = (
    Evidence(1, "order_classes", ("当年招生的订单班", "order classes taking students"),
             "SELECT college_code, COUNT(*) AS n, SUM(enrolled) AS quantity FROM ic_order_classes "
             "WHERE intake_year = {year} GROUP BY college_code", ("人", "students")),
    Evidence(1, "apprentices", ("学生在合作企业开始的学徒", "apprenticeships begun at partners"),
             f"SELECT ci.college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM {_INTERNSHIPS} "
             "WHERE ci.kind = '学徒' AND ci.start_on >= {first} AND ci.start_on <= {last} GROUP BY ci.college_code"),
    Evidence(2, "majors", ("共建专业", "joint majors"),
             "SELECT college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM ic_majors "
             "WHERE since_year IS NULL OR since_year <= {year} GROUP BY college_code"),
    Evidence(3, "courses", ("共建课程、教材、案例与企业项目", "joint courses, textbooks, cases and projects"),
             "SELECT college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM ic_courses WHERE year = {year} GROUP BY college_code"),
    Evidence(4, "bases", ("已启用的实习实训基地", "training bases open"),
             "SELECT college_code, COUNT(*) AS n, SUM(workstations) AS quantity FROM ic_bases "
             "WHERE opened_on IS NULL OR opened_on <= {last} GROUP BY college_code", ("个工位", "work stations")),
    Evidence(4, "internships", ("学生在合作企业的岗位实习", "on-post internships at partners"),
             f"SELECT ci.college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM {_INTERNSHIPS} "
             "WHERE ci.kind = '岗位实习' AND ci.start_on <= {last} AND ci.end_on >= {first} GROUP BY ci.college_code"),
    Evidence(5, "teaching", ("企业教师授课", "enterprise teachers' teaching"),
             "SELECT college_code, COUNT(*) AS n, SUM(hours) AS quantity FROM ic_teaching "
             "WHERE year = {year} AND hours > 0 GROUP BY college_code", ("学时", "hours")),
    Evidence(6, "services", ("产学研服务", "research and services"),
             "SELECT college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM ic_services WHERE year = {year} GROUP BY college_code"),
    Evidence(7, "meetings", ("治理机构会议", "meetings of the bodies"),
             "SELECT college_code, COUNT(*) AS n, CAST(NULL AS BIGINT) AS quantity FROM ic_meetings "
             "WHERE held_on >= {first} AND held_on <= {last} GROUP BY college_code"),
)
#: the college's own evidence items, by task (``ic_tasks``)
OWN = Evidence(0, "self", ("自评佐证材料", "evidence listed in the self-assessment"), "")
SOURCES = {e.id: e for e in (*EVIDENCE, OWN)}


def _task_number(column: str) -> str:
    """SQL: the task number (1–7) of a task name."""
    return "CASE " + " ".join(f"WHEN {column} = '{task.zh}' THEN {task.number}" for task in TASKS) + " END"


def evidence_sql(year: str, first: str, last: str) -> str:
    """One statement: ``college_code, task, source, n, quantity`` — every source of evidence with
    something to show for the year, for every college (restrict it by joining on college_code)."""
    parts = [f"SELECT e.college_code, {e.task} AS task, '{e.id}' AS source, e.n, e.quantity "
             f"FROM ({e.sql.format(year=year, first=first, last=last)}) e" for e in EVIDENCE]
    # a listed item counts once per item; the status alone is no evidence
    parts.append(f"SELECT t.college_code, {_task_number('t.task')} AS task, '{OWN.id}' AS source, 1 AS n, CAST(NULL AS BIGINT) AS quantity "
                 f"FROM ic_tasks t WHERE t.year = {year} AND t.evidence IS NOT NULL AND t.evidence <> ''")
    return "\nUNION ALL\n".join(parts)
