"""A college's figures over the core's registry, as SQL: nothing about students, internships or
teachers is copied into the plugin's tables, so these definitions are the only place that says
which of the core's records count for a college.

- its **students** are the core's students of its joint majors (``ic_majors``: a school and a major);
- its **internships** are those students' internships at its enterprise partners that overlap the
  partnership (from the day the partner joined to the day before it left): 岗位实习 are its
  interns, 学徒 its apprentices;
- its **enterprise teachers** are the registry's teachers named by its teaching records.

The snippets are plain SQL text that runs on SQLite and PostgreSQL alike; rules, commands, the
report and the screen all build on them, so a figure printed anywhere can be reproduced by running
the same SQL (the tests do).
"""

from __future__ import annotations

def college_students(scope: str = "1 = 1") -> str:
    """SQL: ``college_code, school_code, id_number`` of each student of a college; ``scope`` limits
    the students (alias ``st``), e.g. to those an actor may read."""
    return f"""
        SELECT jm.college_code, st.school_code, st.id_number
        FROM ic_majors jm
        JOIN students st ON st.school_code = jm.school_code AND st.major_code = jm.major_code
        WHERE {scope}
    """


def college_internships(scope: str = "1 = 1") -> str:
    """SQL: each internship of a college's students at one of its enterprise partners during the
    partnership, with the college's code (one row per college and internship); ``scope`` limits the
    internships (alias ``i``)."""
    return f"""
        SELECT jm.college_code, i.id_number, i.uscc, i.kind, i.start_on, i.end_on, i.school_code
        FROM ic_majors jm
        JOIN students st ON st.school_code = jm.school_code AND st.major_code = jm.major_code
        JOIN internships i ON i.id_number = st.id_number
        JOIN ic_partners p ON p.college_code = jm.college_code AND p.uscc = i.uscc
        WHERE i.end_on >= p.joined_on AND (p.left_on IS NULL OR i.start_on < p.left_on) AND {scope}
    """


def partner_on(p: str, day: str) -> str:
    """SQL: the partner row ``p`` is a partner on ``day`` (joined on or before it, not yet left)."""
    return f"({p}.joined_on <= {day} AND ({p}.left_on IS NULL OR {p}.left_on > {day}))"


def partner_during(p: str, first: str, last: str) -> str:
    """SQL: the partner row ``p`` is a partner on some day from ``first`` to ``last``."""
    return f"({p}.joined_on <= {last} AND ({p}.left_on IS NULL OR {p}.left_on > {first}))"
