"""Days of enterprise practice within a window, as SQL shared by the rules, the commands, the TUI
and the report.

A record counts the days it shares with the window: all of them when the teacher spent every day
of the period there, else its ``days`` in proportion (a 40-day post over four months that the
window cuts in half counts 20). Overlapping records are not counted twice: the records of a
teacher are merged into islands of overlapping periods (gaps and islands, with window functions
on both SQLite and PostgreSQL), and an island counts at most its calendar days.
"""

from __future__ import annotations

from xiaoqi.core.rules import SqlDialect


def practice_days_ctes(sql: SqlDialect, windows: str) -> str:
    """Common table expressions ending in ``practice_days(teacher_id, days)``, for the windows in
    the table or CTE ``windows(teacher_id, ws, we)`` (first and last day, both counted). Append
    them to a ``WITH`` clause that defines ``windows``; teachers without practice in their window
    have no row."""
    span = f"({sql.days_between('p.start_on', 'p.end_on')} + 1)"
    first, last = sql.greatest("p.start_on", "w.ws"), sql.least("p.end_on", "w.we")
    shared = f"({sql.days_between(first, last)} + 1)"
    return f"""
        clipped AS (
            SELECT p.teacher_id, {first} AS a, {last} AS b,
                   CASE WHEN {shared} = {span} THEN COALESCE(p.days, {span})
                        ELSE COALESCE(p.days, {span}) * {shared} / {span} END AS c
            FROM tch_practice p JOIN {windows} w ON w.teacher_id = p.teacher_id
            WHERE p.end_on >= w.ws AND p.start_on <= w.we AND p.start_on <= p.end_on
        ),
        reached AS (
            SELECT teacher_id, a, b, c,
                   MAX(b) OVER (PARTITION BY teacher_id ORDER BY a, b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM clipped
        ),
        numbered AS (
            SELECT teacher_id, a, b, c,
                   SUM(CASE WHEN reach IS NULL OR a > reach THEN 1 ELSE 0 END)
                       OVER (PARTITION BY teacher_id ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS island
            FROM reached
        ),
        islands AS (
            SELECT teacher_id, MIN(a) AS a, MAX(b) AS b, SUM(c) AS c FROM numbered GROUP BY teacher_id, island
        ),
        practice_days AS (
            SELECT teacher_id, SUM({sql.least(f"({sql.days_between('a', 'b')} + 1)", 'c')}) AS days
            FROM islands GROUP BY teacher_id
        )"""
