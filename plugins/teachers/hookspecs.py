"""The hook this plugin publishes (``xiaoqi_addhooks``): the teaching enterprise teachers do in
schools (校企互聘), for the teachers' report. The hours are recorded where the teaching is organised
— the industrial-college plugin keeps them per college and term — so that plugin implements the
hook and this one calls it when loaded, neither importing the other."""

from __future__ import annotations

from xiaoqi.core.hookspecs import hookspec


@hookspec
def xiaoqi_enterprise_teaching(conn, year: int, school_code: str | None) -> list[dict]:
    """Enterprise teachers' teaching in schools in ``year`` (of one school when ``school_code`` is
    given): dicts with school_code, teacher_id, hours."""
